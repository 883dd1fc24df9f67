//! Stores (ARCHITECTURE: pluggable, small, transactional).
//!
//! A [`Store`] keeps accounts, contacts, memberships, the audit chains and
//! the notification outbox. The `Directory` reads what an operation needs,
//! decides, and hands the store one [`Changeset`] to commit atomically.
//!
//! Two stores come with the library: [`MemoryStore`], for tests and demos,
//! and [`SqliteStore`] (feature `sqlite`, on by default), which persists to
//! a database file that several threads and processes may share. A host
//! whose portals run on several machines implements [`Store`] over its own
//! database (see [Implementing a store](#implementing-a-store)).
//!
//! # Optimistic concurrency: what a store must guarantee
//!
//! Accounts and contacts carry a `version`. A changeset names the version
//! it read of every record it writes (and of every record it merely relies
//! on, in [`Changeset::checks`]). [`Store::commit`] must, atomically:
//!
//! 1. refuse with [`StoreError::Conflict`] if any named version is no longer
//!    current (an update or delete of a record that changed or vanished, a
//!    check that fails, a directory-chain head whose version moved, a
//!    throttle record ([`Changeset::throttle`]) whose stored version is not
//!    the one read, 0 meaning none is stored), or if
//!    the audit entries of a chain do not continue it (each entry's `seq`
//!    is the chain's last `seq` plus one, in order);
//! 2. refuse with [`StoreError::Duplicate`] if an insert would repeat an
//!    account id ([`Entity::Account`]), a contact id ([`Entity::Contact`])
//!    or a contact's `login_key` ([`Entity::Login`]);
//! 3. otherwise apply every write, storing each written account, contact
//!    and throttle record with `version + 1` (inserts start at version 1),
//!    and append the audit entries and outbox items.
//!
//! A refused commit leaves the store as it was. In SQL this is one
//! transaction with `UPDATE … WHERE id = ? AND version = ?` and a check of
//! the affected row count; unique indexes give the duplicates.
//!
//! Reads need no transaction: the `Directory` reads versions first and the
//! commit validates them, retrying on conflict.
//!
//! Every operation reads a bounded number of records (its account, the
//! contacts involved and their memberships), so its cost does not grow with
//! the number of contacts in the account. A store should index memberships
//! by account and by contact, contacts by `login_key`, audit entries by
//! chain and sequence, the outbox by due time, sessions by key, and
//! resources by account and by each of their two contacts.
//!
//! Sessions need no versions: a session is written once at sign-in, its
//! stage may move forward, and it is revoked by bumping an epoch on the
//! contact or the membership (which are versioned) rather than by deleting
//! rows.
//!
//! [`conformance`] holds the tests every store must pass.
//!
//! # Implementing a store
//!
//! A host that keeps its directory in its own database (PostgreSQL, when
//! its portals run on several machines) implements [`Store`] for a type of
//! its own and hands it to [`Directory::builder`](crate::Directory::builder).
//! [`SqliteStore`]'s source is a complete example in SQL. What each part of
//! the trait must do:
//!
//! **Reads** (`account`, `contact`, `contact_by_login`, `membership`,
//! `memberships_of`, `members`, `directory_head`, `audit`, `outbox`,
//! `session`, `resource`, `resources`, `duties_of`) return
//! committed data, each in one query, with no transaction: a stale read is
//! caught by the version checks of the commit that follows it. Each is a
//! lookup by key or a range of an index (see the list above), so that no
//! operation costs more as the directory grows. `members` and `audit` page
//! by key (`after`, `after_seq`) and return at most `limit` rows.
//!
//! **The commit** is one database transaction that applies the whole
//! [`Changeset`] or nothing:
//!
//! - *Checks* ([`Check`]): the record exists at that version. The check must
//!   hold until the transaction commits: under row locking at READ
//!   COMMITTED, read the version with a lock (`SELECT version … FOR SHARE`
//!   in PostgreSQL), or run the commit at SERIALIZABLE isolation; otherwise
//!   another transaction can change the record between the check and the
//!   commit. (SQLite's `BEGIN IMMEDIATE` locks the whole database.)
//! - *Updates and deletes* of accounts and contacts:
//!   `UPDATE … SET …, version = version + 1 WHERE id = ? AND version = ?`
//!   (or `DELETE … WHERE id = ? AND version = ?`); no row changed means
//!   [`StoreError::Conflict`]. A contact's `login_key` never changes (B3):
//!   an update that changes it is a conflict too.
//! - *Inserts* store version 1; a unique violation is
//!   [`StoreError::Duplicate`] naming what was repeated.
//! - *Memberships*: [`MembershipWrite::Put`] inserts or replaces,
//!   [`MembershipWrite::Delete`] of a membership that is not there is not
//!   an error. They carry no version: the changeset that writes one also
//!   writes (or checks) its account and contact.
//! - *The directory chain's head* ([`Changeset::directory_head`]) is one
//!   row with a version, updated like an account; it holds the chain's
//!   last entry and its base (the last entry pruned, J4).
//! - *Audit entries* are appended to their chain (the account's, or the
//!   directory's for `account: None`: give it a key no account id takes),
//!   keyed by `(chain, seq)`; an entry whose `seq` does not continue the
//!   chain is a conflict. Store every field as given, hashes included: the
//!   hash chain is what lets `verify` detect an edited row (J3).
//! - *A prune of the directory chain* ([`Changeset::prune_directory_audit`],
//!   J4): after the entries are appended, the directory chain's entries up
//!   to and including that `seq` are deleted. The changeset also writes the
//!   head, whose base names the last one deleted.
//! - *Outbox items* are inserted (an existing id is replaced).
//! - *Sessions* ([`SessionWrite`]) and *resources* ([`ResourceWrite`]):
//!   `Put` inserts or replaces, `Delete` of one that is not there is not an
//!   error. They carry no version: a resource is guarded by its account's
//!   version, which every changeset that writes one also writes, and a
//!   session is revoked through the epochs of its contact and membership.
//! - On any refusal or failure, roll back and return the error:
//!   [`StoreError::Conflict`] (the `Directory` reads again and retries),
//!   [`StoreError::Duplicate`] (the caller gets `AlreadyExists`),
//!   [`StoreError::Busy`] (a lock wait timed out), [`StoreError::Full`]
//!   (no space), [`StoreError::Backend`] for any other failure,
//!   [`StoreError::Corrupt`] for stored data that cannot be decoded.
//!
//! **Outside changesets**, two small writes: settling an outbox item
//! deletes it or records the attempt, and touching a session records when
//! it was last used; an item or session already gone is not an error.
//!
//! **Values**: ids are below 2^63 (a signed 64-bit integer column); times
//! must come back to the nanosecond (the conformance suite checks; a
//! column of microseconds, such as PostgreSQL's `timestamptz`, does not
//! keep them: store Unix nanoseconds as an integer); hashes are 32 bytes.
//! The nested values of records (plan, services, profile, roles, scope,
//! notifications) derive `serde`; keeping them as JSON keeps the schema
//! stable as records gain fields (with `#[serde(default)]`).
//!
//! **Prove it**: run the conformance suite in the host's tests, with a new,
//! empty store for each check:
//!
//! ```ignore
//! #[test]
//! fn my_store_passes_the_conformance_suite() {
//!     let failures = contactkeeper::store::conformance::run_all(&|| {
//!         Box::new(MyStore::connect_to_a_fresh_schema())
//!     });
//!     assert!(failures.is_empty(), "{failures:#?}");
//! }
//! ```
//!
//! Then run the host's own Directory-level tests on it too: this crate's
//! integration tests run every Directory-level test on each store in
//! `tests/common`'s `stores()`, and its SQLite tests show how to check
//! several processes on one database and a process killed mid-stream.

pub mod conformance;
mod memory;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use memory::MemoryStore;
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteOptions, SqliteStore};
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::accounts::{Plan, SecurityPolicy, Service};
use crate::audit::{AuditEntry, AuditQuery, ChainHead};
use crate::contacts::Profile;
use crate::credentials::{Credentials, SessionRecord};
use crate::ids::{AccountId, ContactId, NotificationId, ResourceId};
use crate::lock::ManualLock;
use crate::names::named_enum;
use crate::notify::{NotificationPrefs, OutboxItem};
use crate::roles::{RoleSet, TechScope};
pub use crate::signin::throttle::ThrottleRecord;

pub(crate) use crate::names::is_default;

pub use crate::error::StoreError;

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRecord {
    /// Its id.
    pub id: AccountId,
    /// The company's name.
    pub name: String,
    /// Its plan (A7, C4).
    pub plan: Plan,
    /// Whether procurement mode is on (C3).
    pub procurement_enabled: bool,
    /// The partner reselling it.
    pub partner: Option<String>,
    /// Its services (A8).
    pub services: Vec<Service>,
    /// Its security policies (D2, E1, F3, G1).
    #[serde(default, skip_serializing_if = "is_default")]
    pub security: SecurityPolicy,
    /// Its billing contacts (H7).
    #[serde(default, skip_serializing_if = "is_default")]
    pub billing: crate::designations::BillingContacts,
    /// Its one owner (A1).
    pub owner: ContactId,
    /// How many contacts it has, the owner included.
    pub contact_count: u32,
    /// The contacts invited to the account and not yet answered (B7).
    #[serde(default, skip_serializing_if = "is_default")]
    pub invited: Vec<ContactId>,
    /// The head of its audit chain (J3).
    #[serde(skip)]
    pub audit_head: ChainHead,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Its version (see the module docs).
    pub version: u64,
}

named_enum! {
    /// The order of a contact listing (I5); ties go by contact id. A store
    /// keeps an account's members in each ([`Store::members_in_order`]).
    ContactSort {
        /// By contact id: the order contacts were added in.
        Id => "id",
        /// By name, ignoring case.
        Name => "name",
        /// By login, ignoring case (B3).
        Login => "login",
        /// By email, ignoring case.
        Email => "email",
    }
}

impl ContactSort {
    /// The key a contact sorts by in this order, compared as bytes (UTF-8,
    /// as SQL's binary collation does): its name or email lower-cased
    /// (Unicode), its `login_key`, or nothing for [`ContactSort::Id`].
    pub fn key_of(self, c: &ContactRecord) -> String {
        match self {
            ContactSort::Id => String::new(),
            ContactSort::Name => c.profile.name.to_lowercase(),
            ContactSort::Login => c.login_key.clone(),
            ContactSort::Email => c.profile.email.to_lowercase(),
        }
    }
}

/// A contact as stored: one per login (B6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRecord {
    /// Its id.
    pub id: ContactId,
    /// The login as first written.
    pub login: String,
    /// The login as compared (B3); unique.
    pub login_key: String,
    /// Its profile.
    pub profile: Profile,
    /// How many accounts it belongs to; the contact goes with its last
    /// membership (B5).
    pub account_count: u32,
    /// Its password, lock state, second factor and security answers (D, E,
    /// F): one set per login (B6).
    #[serde(default, skip_serializing_if = "is_default")]
    pub credentials: Credentials,
    /// The memberships offered to it and not yet accepted (B7).
    #[serde(default, skip_serializing_if = "is_default")]
    pub invitations: Vec<crate::contacts::Invitation>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Its version (see the module docs).
    pub version: u64,
}

/// A contact's place in one account. Writes to memberships are guarded by
/// the versions of the account and the contact, which every changeset that
/// writes a membership also writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipRecord {
    /// The account.
    pub account: AccountId,
    /// The contact.
    pub contact: ContactId,
    /// Its roles (every role for the owner).
    pub roles: RoleSet,
    /// Its technical-administrator scope.
    pub tech_scope: TechScope,
    /// A manual lock in this account (E6).
    #[serde(default, skip_serializing_if = "is_default")]
    pub manual_lock: Option<ManualLock>,
    /// Bumped to end the contact's sessions in this account (D8).
    #[serde(default, skip_serializing_if = "is_default")]
    pub session_epoch: u64,
    /// What the contact wants to be told in this account (I2, I4, H6).
    #[serde(default, skip_serializing_if = "is_default")]
    pub notifications: NotificationPrefs,
    /// When it joined.
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
}

/// A write of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountWrite {
    /// A new account (stored at version 1).
    Insert(AccountRecord),
    /// A changed account; `version` is the one read.
    Update(AccountRecord),
}

/// A write of a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactWrite {
    /// A new contact (stored at version 1).
    Insert(ContactRecord),
    /// A changed contact; `version` is the one read.
    Update(ContactRecord),
    /// A contact removed, at the version read.
    Delete(ContactId, u64),
}

/// A write of a membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MembershipWrite {
    /// Inserts or replaces it.
    Put(MembershipRecord),
    /// Removes it.
    Delete(AccountId, ContactId),
}

/// A write of a session (D8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionWrite {
    /// Inserts or replaces it.
    Put(SessionRecord),
    /// Removes it (sign-out).
    Delete([u8; 32]),
}

/// A resource and its technical contacts (H1–H3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRecord {
    /// Its id.
    pub id: ResourceId,
    /// The account that manages it.
    pub account: AccountId,
    /// What it is, in the host's words (`computer`, `site`…).
    pub kind: String,
    /// Its name.
    pub name: String,
    /// The primary technical contact (H1: required).
    pub primary: ContactId,
    /// The secondary technical contact, never the primary (H2).
    pub secondary: Option<ContactId>,
    /// When it was added.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A write of a resource; guarded by its account's version, which every
/// changeset that writes a resource also writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceWrite {
    /// Inserts or replaces it.
    Put(ResourceRecord),
    /// Removes it.
    Delete(ResourceId),
}

/// A record a changeset relies on without writing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The account is at this version.
    Account(AccountId, u64),
    /// The contact is at this version.
    Contact(ContactId, u64),
}

/// The directory chain's head, with the version it was read at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DirectoryHead {
    /// The head.
    pub head: ChainHead,
    /// The last entry pruned (J4): the chain's first stored entry follows
    /// it and links to its hash. Zero and zeros before any prune.
    pub base: ChainHead,
    /// Its version.
    pub version: u64,
}

/// Everything one operation changes, committed atomically.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changeset {
    /// Records relied on.
    pub checks: Vec<Check>,
    /// Account writes.
    pub accounts: Vec<AccountWrite>,
    /// Contact writes.
    pub contacts: Vec<ContactWrite>,
    /// Membership writes.
    pub memberships: Vec<MembershipWrite>,
    /// The directory chain's new head, with the version read.
    pub directory_head: Option<DirectoryHead>,
    /// Audit entries to append.
    pub audit: Vec<AuditEntry>,
    /// Notifications to keep until delivered (I1).
    pub outbox: Vec<OutboxItem>,
    /// Session writes (D8).
    pub sessions: Vec<SessionWrite>,
    /// Resource writes (H1–H3).
    pub resources: Vec<ResourceWrite>,
    /// Throttle records to store (D5), each at the version read (0 for a
    /// new one); the store keeps each one version higher.
    pub throttle: Vec<ThrottleRecord>,
    /// Delete the directory chain's entries up to and including this
    /// `seq`, after appending [`Changeset::audit`] (J4). Comes with a
    /// [`Changeset::directory_head`] whose base is that entry.
    pub prune_directory_audit: Option<u64>,
}

/// What to do with an outbox item after a delivery attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// Remove it: delivered or undeliverable.
    Remove,
    /// Keep it, after this many attempts, until this time.
    Retry {
        /// Attempts so far.
        attempts: u32,
        /// Next attempt not before.
        next_attempt_at: OffsetDateTime,
    },
}

/// Persistence for a `Directory`. See the module docs for what a commit
/// must guarantee; [`conformance::run_all`] checks an implementation.
pub trait Store: Send + Sync {
    /// An account by id.
    fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError>;
    /// A contact by id.
    fn contact(&self, id: ContactId) -> Result<Option<ContactRecord>, StoreError>;
    /// A contact by login key (see [`login_key`](crate::login_key)).
    fn contact_by_login(&self, login_key: &str) -> Result<Option<ContactRecord>, StoreError>;
    /// A contact's membership of an account.
    fn membership(
        &self,
        account: AccountId,
        contact: ContactId,
    ) -> Result<Option<MembershipRecord>, StoreError>;
    /// Every membership of a contact, by account id.
    fn memberships_of(&self, contact: ContactId) -> Result<Vec<MembershipRecord>, StoreError>;
    /// An account's members with contact id above `after`, by contact id,
    /// at most `limit`.
    fn members(
        &self,
        account: AccountId,
        after: Option<ContactId>,
        limit: usize,
    ) -> Result<Vec<(MembershipRecord, ContactRecord)>, StoreError>;
    /// An account's members in `order` (by [`ContactSort::key_of`], then
    /// contact id), after `after` (the key and the id of the last one of
    /// the previous page), at most `limit`: the pages of the Account
    /// Contacts page (I5). The default reads every member of the account
    /// and sorts them; a store that keeps each order indexed (as
    /// [`MemoryStore`] and [`SqliteStore`] do) answers in time that grows
    /// with the page, not with the account.
    fn members_in_order(
        &self,
        account: AccountId,
        order: ContactSort,
        after: Option<(&str, ContactId)>,
        limit: usize,
    ) -> Result<Vec<(MembershipRecord, ContactRecord)>, StoreError> {
        let mut all = Vec::new();
        let mut from = None;
        loop {
            let batch = self.members(account, from, crate::MAX_PAGE)?;
            let done = batch.len() < crate::MAX_PAGE;
            from = batch.last().map(|(_, c)| c.id);
            all.extend(batch);
            if done || from.is_none() {
                break;
            }
        }
        let mut keyed: Vec<(String, (MembershipRecord, ContactRecord))> = all
            .into_iter()
            .map(|(m, c)| (order.key_of(&c), (m, c)))
            .collect();
        keyed.sort_by(|a, b| (&a.0, a.1 .1.id).cmp(&(&b.0, b.1 .1.id)));
        let start = match after {
            Some((key, id)) => keyed.partition_point(|(k, (_, c))| (k.as_str(), c.id) <= (key, id)),
            None => 0,
        };
        Ok(keyed
            .into_iter()
            .skip(start)
            .take(limit)
            .map(|(_, row)| row)
            .collect())
    }
    /// The directory chain's head.
    fn directory_head(&self) -> Result<DirectoryHead, StoreError>;
    /// Entries of a chain (`None`: the directory's) with `seq` above
    /// `query.after_seq` that match its filters, by `seq`, at most
    /// `query.limit`.
    fn audit(
        &self,
        chain: Option<AccountId>,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    /// Applies a changeset atomically, or refuses it whole.
    fn commit(&self, changes: &Changeset) -> Result<(), StoreError>;
    /// Pending notifications, by due time: only those due by `due_by` when
    /// it is given; at most `limit`.
    fn outbox(
        &self,
        due_by: Option<OffsetDateTime>,
        limit: usize,
    ) -> Result<Vec<OutboxItem>, StoreError>;
    /// Records a delivery attempt. Settling an item that is gone (another
    /// process settled it) is not an error.
    fn settle(&self, id: NotificationId, settlement: Settlement) -> Result<(), StoreError>;
    /// A session by the SHA-256 of its token.
    fn session(&self, key: &[u8; 32]) -> Result<Option<SessionRecord>, StoreError>;
    /// Records that a session was used at `at` (its idle lifetime starts
    /// again), outside any changeset; a missing session is not an error.
    fn touch_session(&self, key: &[u8; 32], at: OffsetDateTime) -> Result<(), StoreError>;
    /// Removes the sessions last used before `last_seen_before` or created
    /// before `created_before` (expired ones, D8); returns how many.
    fn purge_sessions(
        &self,
        last_seen_before: OffsetDateTime,
        created_before: OffsetDateTime,
    ) -> Result<usize, StoreError>;
    /// The key a directory on this store seals authenticator secrets under
    /// when the host gives none (F1): `Ok(None)` for a store whose contents
    /// end with the process (the directory then uses a random key of its
    /// own). The default refuses, so that a persistent store never loses
    /// its secrets to a key that dies with the process: give the directory
    /// its keys with
    /// [`DirectoryBuilder::sealing_keys`](crate::DirectoryBuilder::sealing_keys),
    /// or keep one here ([`SqliteStore`] keeps a file beside its database).
    fn sealing_key(&self) -> Result<Option<crate::SealingKey>, StoreError> {
        Err(StoreError::Backend(
            "this store keeps no sealing key: give the directory its keys \
             (DirectoryBuilder::sealing_keys)"
                .into(),
        ))
    }
    /// A login's throttle record (D5) by its key, with the version stored.
    fn throttle(&self, key: &[u8; 32]) -> Result<Option<ThrottleRecord>, StoreError>;
    /// Removes the throttle records that expired before `now`
    /// ([`ThrottleRecord::expires_at`]); returns how many. A record still
    /// in its window or lock is never removed. (The directory passes a
    /// time a whole window in the past, so that no unit of work in flight
    /// still holds a record it purges.)
    fn purge_throttle(&self, now: OffsetDateTime) -> Result<usize, StoreError>;
    /// A resource by id.
    fn resource(&self, id: ResourceId) -> Result<Option<ResourceRecord>, StoreError>;
    /// An account's resources with id above `after`, by id, at most `limit`.
    fn resources(
        &self,
        account: AccountId,
        after: Option<ResourceId>,
        limit: usize,
    ) -> Result<Vec<ResourceRecord>, StoreError>;
    /// The resources of an account whose primary or secondary technical
    /// contact is `contact`, by id.
    fn duties_of(
        &self,
        account: AccountId,
        contact: ContactId,
    ) -> Result<Vec<ResourceRecord>, StoreError>;
}
