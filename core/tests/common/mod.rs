//! Fixtures shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use contactkeeper::{
    AccountId, Actor, ContactId, Directory, ManualClock, MemoryNotifier, MemoryStore, NewAccount,
    NewContact, Profile, RoleSet, Store, TechScope,
};
use time::macros::datetime;

/// Runs `body` once on a fixture over each kind of store the tests cover
/// (every Directory-level test runs on every store).
pub fn for_each_store(body: impl Fn(Fixture)) {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        body(Fixture::on(store));
    }
}

/// A new, empty store of each kind, by name.
pub fn stores() -> Vec<(&'static str, Arc<dyn Store>)> {
    vec![
        ("memory", Arc::new(MemoryStore::new()) as Arc<dyn Store>),
        #[cfg(feature = "sqlite")]
        ("sqlite", Arc::new(TempSqlite::new()) as Arc<dyn Store>),
    ]
}

/// A SQLite store in a new temporary directory, removed with the store.
#[cfg(feature = "sqlite")]
pub struct TempSqlite {
    pub store: contactkeeper::SqliteStore,
    pub dir: tempfile::TempDir,
    /// Run once, just before the next commit (to race it).
    pub before_commit: std::sync::Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

#[cfg(feature = "sqlite")]
impl TempSqlite {
    /// A new, empty database.
    pub fn new() -> TempSqlite {
        TempSqlite::with(&contactkeeper::SqliteOptions::default())
    }

    /// A new, empty database opened with `options`.
    pub fn with(options: &contactkeeper::SqliteOptions) -> TempSqlite {
        let dir = tempfile::tempdir().unwrap();
        let store = contactkeeper::SqliteStore::open_with(dir.path().join("directory.db"), options)
            .unwrap();
        TempSqlite {
            store,
            dir,
            before_commit: std::sync::Mutex::new(None),
        }
    }

    /// The database file.
    pub fn path(&self) -> std::path::PathBuf {
        self.store.path().to_owned()
    }
}

#[cfg(feature = "sqlite")]
impl Store for TempSqlite {
    fn account(
        &self,
        id: AccountId,
    ) -> Result<Option<contactkeeper::store::AccountRecord>, contactkeeper::StoreError> {
        self.store.account(id)
    }
    fn contact(
        &self,
        id: ContactId,
    ) -> Result<Option<contactkeeper::store::ContactRecord>, contactkeeper::StoreError> {
        self.store.contact(id)
    }
    fn contact_by_login(
        &self,
        login_key: &str,
    ) -> Result<Option<contactkeeper::store::ContactRecord>, contactkeeper::StoreError> {
        self.store.contact_by_login(login_key)
    }
    fn membership(
        &self,
        account: AccountId,
        contact: ContactId,
    ) -> Result<Option<contactkeeper::store::MembershipRecord>, contactkeeper::StoreError> {
        self.store.membership(account, contact)
    }
    fn memberships_of(
        &self,
        contact: ContactId,
    ) -> Result<Vec<contactkeeper::store::MembershipRecord>, contactkeeper::StoreError> {
        self.store.memberships_of(contact)
    }
    fn members(
        &self,
        account: AccountId,
        after: Option<ContactId>,
        limit: usize,
    ) -> Result<
        Vec<(
            contactkeeper::store::MembershipRecord,
            contactkeeper::store::ContactRecord,
        )>,
        contactkeeper::StoreError,
    > {
        self.store.members(account, after, limit)
    }
    fn directory_head(
        &self,
    ) -> Result<contactkeeper::store::DirectoryHead, contactkeeper::StoreError> {
        self.store.directory_head()
    }
    fn audit(
        &self,
        chain: Option<AccountId>,
        query: &contactkeeper::AuditQuery,
    ) -> Result<Vec<contactkeeper::AuditEntry>, contactkeeper::StoreError> {
        self.store.audit(chain, query)
    }
    fn commit(
        &self,
        changes: &contactkeeper::store::Changeset,
    ) -> Result<(), contactkeeper::StoreError> {
        let race = self.before_commit.lock().unwrap().take();
        if let Some(race) = race {
            race();
        }
        self.store.commit(changes)
    }
    fn outbox(
        &self,
        due_by: Option<time::OffsetDateTime>,
        limit: usize,
    ) -> Result<Vec<contactkeeper::OutboxItem>, contactkeeper::StoreError> {
        self.store.outbox(due_by, limit)
    }
    fn settle(
        &self,
        id: contactkeeper::NotificationId,
        settlement: contactkeeper::store::Settlement,
    ) -> Result<(), contactkeeper::StoreError> {
        self.store.settle(id, settlement)
    }
}

/// A directory on a manual clock and a recording notifier.
pub struct Fixture {
    pub dir: Directory,
    pub clock: Arc<ManualClock>,
    pub notifier: Arc<MemoryNotifier>,
    pub store: Arc<dyn Store>,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::on(Arc::new(MemoryStore::new()))
    }

    pub fn on(store: Arc<dyn Store>) -> Fixture {
        let clock = Arc::new(ManualClock::new(datetime!(2026-03-01 12:00 UTC)));
        let notifier = Arc::new(MemoryNotifier::new());
        let dir = Directory::builder(store.clone())
            .clock(clock.clone())
            .notifier(notifier.clone())
            .build();
        Fixture {
            dir,
            clock,
            notifier,
            store,
        }
    }

    /// A new account owned by a new contact with this login.
    pub fn account(&self, owner_login: &str) -> (AccountId, ContactId) {
        let created = self
            .dir
            .create_account(
                &Actor::System,
                &NewAccount::new("Acme Corp", new_contact(owner_login)),
            )
            .unwrap();
        (created.account, created.owner)
    }

    /// A new contact in `account`, created by the host, with these roles.
    pub fn contact(&self, account: AccountId, login: &str, roles: RoleSet) -> ContactId {
        self.dir
            .create_contact(
                &Actor::System,
                account,
                &new_contact(login).with_roles(roles),
            )
            .unwrap()
            .contact
    }

    /// The number of entries in the account's audit chain.
    pub fn audit_len(&self, account: AccountId) -> u64 {
        self.store.account(account).unwrap().unwrap().audit_head.seq
    }

    /// The last audit entry of the account.
    pub fn last_audit(&self, account: AccountId) -> contactkeeper::AuditEntry {
        let q = contactkeeper::AuditQuery {
            limit: 10_000,
            ..Default::default()
        };
        self.store.audit(Some(account), &q).unwrap().pop().unwrap()
    }

    pub fn scope_all() -> TechScope {
        TechScope::All
    }
}

pub fn new_contact(login: &str) -> NewContact {
    NewContact::new(
        login,
        Profile::new(format!("{login} Person"), format!("{login}@example.com")),
    )
}

pub fn c(id: ContactId) -> Actor {
    Actor::Contact(id)
}
