//! The unit of work of one operation: what it read (with versions), what it
//! changes, its audit entries and its notifications, turned into one
//! [`Changeset`] at the end.

use crate::accounts::guard_owner;
use crate::contacts::guard_shared_profile;
use crate::roles::Access;
use crate::roles::Actor;
use crate::roles::{access_of, guard_takeover};
use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::audit::{AuditDraft, Operation, Outcome};
use crate::error::{Entity, Error};
use crate::ids::{AccountId, ContactId, NotificationId};
use crate::notify::{Notification, NotificationDraft, OutboxItem};
use crate::store::{
    AccountRecord, AccountWrite, Changeset, Check, ContactRecord, ContactWrite, DirectoryHead,
    MembershipRecord, MembershipWrite, ResourceRecord, ResourceWrite, SessionWrite, Store,
    ThrottleRecord,
};
use std::collections::btree_map::Entry;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Read,
    Dirty,
    New,
    Deleted,
}

#[derive(Debug)]
struct Slot<T> {
    rec: T,
    state: State,
}

pub(crate) struct Tx<'s> {
    store: &'s dyn Store,
    pub(crate) now: OffsetDateTime,
    accounts: BTreeMap<AccountId, Slot<AccountRecord>>,
    contacts: BTreeMap<ContactId, Slot<ContactRecord>>,
    memberships: Vec<MembershipWrite>,
    drafts: Vec<AuditDraft>,
    notes: Vec<Notification>,
    direct: Vec<Notification>,
    sessions: Vec<SessionWrite>,
    resources: Vec<ResourceWrite>,
    throttle: BTreeMap<[u8; 32], ThrottleRecord>,
    /// The directory chain's head, once read (J4).
    directory: Option<DirectoryHead>,
    /// Prune the directory chain up to this new base (J4).
    prune: Option<crate::audit::ChainHead>,
}

impl<'s> Tx<'s> {
    pub(crate) fn new(store: &'s dyn Store, now: OffsetDateTime) -> Tx<'s> {
        Tx {
            store,
            now,
            accounts: BTreeMap::new(),
            contacts: BTreeMap::new(),
            memberships: Vec::new(),
            drafts: Vec::new(),
            notes: Vec::new(),
            direct: Vec::new(),
            sessions: Vec::new(),
            resources: Vec::new(),
            throttle: BTreeMap::new(),
            directory: None,
            prune: None,
        }
    }

    /// The directory chain's head (J4), read once: the commit is checked
    /// against the version read.
    pub(crate) fn directory_head(&mut self) -> Result<DirectoryHead, Error> {
        match self.directory {
            Some(h) => Ok(h),
            None => Ok(*self.directory.insert(self.store.directory_head()?)),
        }
    }

    /// Prunes the directory chain's entries up to and including `base`,
    /// which becomes the chain's base (J4). `base` must be an entry of the
    /// chain as [`Self::directory_head`] read it.
    pub(crate) fn prune_directory_audit(
        &mut self,
        base: crate::audit::ChainHead,
    ) -> Result<(), Error> {
        self.directory_head()?;
        self.prune = Some(base);
        Ok(())
    }

    /// A login's throttle record to change (D5), loaded once; a fresh one
    /// when the store has none. It is written at the version read.
    pub(crate) fn throttle_mut(&mut self, key: [u8; 32]) -> Result<&mut ThrottleRecord, Error> {
        match self.throttle.entry(key) {
            Entry::Occupied(e) => Ok(e.into_mut()),
            Entry::Vacant(v) => {
                let rec = match self.store.throttle(&key)? {
                    Some(r) => r,
                    None => ThrottleRecord::new(key, self.now),
                };
                Ok(v.insert(rec))
            }
        }
    }

    pub(crate) fn store(&self) -> &'s dyn Store {
        self.store
    }

    /// Loads an account (once), or `NotFound`.
    pub(crate) fn account(&mut self, id: AccountId) -> Result<&AccountRecord, Error> {
        self.load_account(id).map(|s| &s.rec)
    }

    /// An account to change.
    pub(crate) fn account_mut(&mut self, id: AccountId) -> Result<&mut AccountRecord, Error> {
        let slot = self.load_account(id)?;
        if slot.state == State::Read {
            slot.state = State::Dirty;
        }
        Ok(&mut slot.rec)
    }

    fn load_account(&mut self, id: AccountId) -> Result<&mut Slot<AccountRecord>, Error> {
        if !self.accounts.contains_key(&id) {
            let rec = self
                .store
                .account(id)?
                .ok_or(Error::not_found(Entity::Account))?;
            self.accounts.insert(
                id,
                Slot {
                    rec,
                    state: State::Read,
                },
            );
        }
        self.accounts
            .get_mut(&id)
            .ok_or(Error::not_found(Entity::Account))
    }

    pub(crate) fn insert_account(&mut self, rec: AccountRecord) {
        self.accounts.insert(
            rec.id,
            Slot {
                rec,
                state: State::New,
            },
        );
    }

    /// Loads a contact (once), or `NotFound`.
    pub(crate) fn contact(&mut self, id: ContactId) -> Result<&ContactRecord, Error> {
        self.load_contact(id).map(|s| &s.rec)
    }

    /// A contact to change.
    pub(crate) fn contact_mut(&mut self, id: ContactId) -> Result<&mut ContactRecord, Error> {
        let slot = self.load_contact(id)?;
        if slot.state == State::Read {
            slot.state = State::Dirty;
        }
        Ok(&mut slot.rec)
    }

    fn load_contact(&mut self, id: ContactId) -> Result<&mut Slot<ContactRecord>, Error> {
        if !self.contacts.contains_key(&id) {
            let rec = self
                .store
                .contact(id)?
                .ok_or(Error::not_found(Entity::Contact))?;
            self.contacts.insert(
                id,
                Slot {
                    rec,
                    state: State::Read,
                },
            );
        }
        match self.contacts.get_mut(&id) {
            Some(s) if s.state != State::Deleted => Ok(s),
            _ => Err(Error::not_found(Entity::Contact)),
        }
    }

    /// Loads a contact by login key; `None` when no contact has it.
    pub(crate) fn contact_by_login(&mut self, key: &str) -> Result<Option<ContactId>, Error> {
        match self.store.contact_by_login(key)? {
            None => Ok(None),
            Some(rec) => {
                let id = rec.id;
                self.contacts.entry(id).or_insert(Slot {
                    rec,
                    state: State::Read,
                });
                Ok(Some(id))
            }
        }
    }

    pub(crate) fn insert_contact(&mut self, rec: ContactRecord) {
        self.contacts.insert(
            rec.id,
            Slot {
                rec,
                state: State::New,
            },
        );
    }

    pub(crate) fn delete_contact(&mut self, id: ContactId) -> Result<(), Error> {
        self.load_contact(id)?.state = State::Deleted;
        Ok(())
    }

    /// A contact's membership of an account. Loads both, so that the commit
    /// checks their versions: memberships are guarded by them.
    pub(crate) fn membership(
        &mut self,
        account: AccountId,
        contact: ContactId,
    ) -> Result<Option<MembershipRecord>, Error> {
        self.load_account(account)?;
        if self.load_contact(contact).is_err() {
            return Ok(None);
        }
        // A membership written earlier in this unit of work wins.
        for w in self.memberships.iter().rev() {
            match w {
                MembershipWrite::Put(m) if m.account == account && m.contact == contact => {
                    return Ok(Some(m.clone()))
                }
                MembershipWrite::Delete(a, c) if *a == account && *c == contact => return Ok(None),
                _ => {}
            }
        }
        Ok(self.store.membership(account, contact)?)
    }

    /// The membership of a contact the operation targets: `NotFound` when
    /// the contact is not in the account (a contact of another account is
    /// not found, K1).
    pub(crate) fn member(
        &mut self,
        account: AccountId,
        contact: ContactId,
    ) -> Result<MembershipRecord, Error> {
        self.membership(account, contact)?
            .ok_or(Error::not_found(Entity::Contact))
    }

    pub(crate) fn put_membership(&mut self, m: MembershipRecord) {
        self.memberships.push(MembershipWrite::Put(m));
    }

    pub(crate) fn delete_membership(&mut self, account: AccountId, contact: ContactId) {
        self.memberships
            .push(MembershipWrite::Delete(account, contact));
    }

    /// Writes a resource; its account is written with it, so the account's
    /// version guards it.
    pub(crate) fn put_resource(&mut self, r: ResourceRecord) {
        let account = r.account;
        // Writes apply in order: a later put of the same resource wins.
        self.resources.push(ResourceWrite::Put(r));
        let _ = self.account_mut(account);
    }

    pub(crate) fn delete_resource(&mut self, id: crate::ids::ResourceId) {
        self.resources.push(ResourceWrite::Delete(id));
    }

    pub(crate) fn put_session(&mut self, s: crate::credentials::SessionRecord) {
        self.sessions.push(SessionWrite::Put(s));
    }

    pub(crate) fn delete_session(&mut self, key: [u8; 32]) {
        self.sessions.push(SessionWrite::Delete(key));
    }

    /// Records a successful operation in `account`'s audit chain.
    pub(crate) fn audit(
        &mut self,
        account: AccountId,
        operation: Operation,
        target: Option<String>,
        fields: Vec<String>,
        detail: Option<String>,
    ) {
        self.drafts.push(AuditDraft {
            account: Some(account),
            operation,
            target,
            outcome: Outcome::Success,
            fields,
            detail,
        });
    }

    /// Records the same successful operation on a contact in each of its
    /// accounts: for changes to what its accounts share (B6, J1). Returns
    /// the accounts.
    pub(crate) fn audit_everywhere(
        &mut self,
        contact: ContactId,
        operation: Operation,
        fields: Vec<String>,
        detail: Option<String>,
    ) -> Result<Vec<AccountId>, Error> {
        let accounts: Vec<AccountId> = self
            .store
            .memberships_of(contact)?
            .iter()
            .map(|m| m.account)
            .collect();
        for a in &accounts {
            self.audit(
                *a,
                operation,
                Some(contact.to_string()),
                fields.clone(),
                detail.clone(),
            );
        }
        Ok(accounts)
    }

    /// Records an entry in a chain, `None` for the directory's.
    pub(crate) fn audit_draft(&mut self, draft: AuditDraft) {
        self.drafts.push(draft);
    }

    /// Queues a notification that carries a secret (a reset secret, a
    /// one-time code): it is delivered right after the commit and never
    /// stored, so the secret exists only as a hash at rest (D6).
    pub(crate) fn notify_secret(&mut self, n: Notification) {
        self.direct.push(n);
    }

    /// Queues a notification in the outbox (I1), at the recipient's email
    /// unless the draft names the addresses.
    pub(crate) fn notify(&mut self, draft: NotificationDraft) -> Result<(), Error> {
        let to = match draft.to {
            Some(to) => to,
            None => vec![self.contact(draft.recipient)?.profile.email.clone()],
        };
        self.notes.push(Notification {
            id: NotificationId::random()?,
            kind: draft.kind,
            account: draft.account,
            recipient: draft.recipient,
            to,
            subject: draft.subject,
            body: draft.body,
            fields: draft.fields,
            resource: draft.resource,
            fallback: draft.fallback,
            secret: None,
            at: self.now,
        });
        Ok(())
    }

    /// The changeset to commit, and the notifications to deliver after it:
    /// those it stores, then those that carry secrets. Audit entries with no
    /// detail get `default_detail` (a support-desk reason).
    pub(crate) fn finish(
        mut self,
        actor: &str,
        default_detail: Option<&str>,
    ) -> Result<(Changeset, Vec<Notification>), Error> {
        let mut cs = Changeset::default();
        // Written only when an entry goes to the directory chain, or a
        // prune moves its base; a head only read is left alone.
        let mut directory: Option<DirectoryHead> = None;
        let now = self.now;
        for mut draft in std::mem::take(&mut self.drafts) {
            if draft.detail.is_none() {
                draft.detail = default_detail.map(str::to_owned);
            }
            let entry = match draft.account {
                Some(id) => {
                    let slot = self.load_account(id)?;
                    if slot.state == State::Read {
                        slot.state = State::Dirty;
                    }
                    draft.seal(actor, now, &mut slot.rec.audit_head)
                }
                None => {
                    let head = match &mut directory {
                        Some(h) => h,
                        None => directory.insert(self.directory_head()?),
                    };
                    draft.seal(actor, now, &mut head.head)
                }
            };
            cs.audit.push(entry);
        }
        if let (Some(base), Some(read)) = (self.prune, self.directory) {
            directory.get_or_insert(read).base = base;
            cs.prune_directory_audit = Some(base.seq);
        }
        cs.directory_head = directory;
        for (_, slot) in std::mem::take(&mut self.accounts) {
            match slot.state {
                State::Read => cs
                    .checks
                    .push(Check::Account(slot.rec.id, slot.rec.version)),
                State::Dirty | State::Deleted => cs.accounts.push(AccountWrite::Update(slot.rec)),
                State::New => cs.accounts.push(AccountWrite::Insert(slot.rec)),
            }
        }
        for (_, slot) in std::mem::take(&mut self.contacts) {
            match slot.state {
                State::Read => cs
                    .checks
                    .push(Check::Contact(slot.rec.id, slot.rec.version)),
                State::Dirty => cs.contacts.push(ContactWrite::Update(slot.rec)),
                State::New => cs.contacts.push(ContactWrite::Insert(slot.rec)),
                State::Deleted => cs
                    .contacts
                    .push(ContactWrite::Delete(slot.rec.id, slot.rec.version)),
            }
        }
        cs.memberships = std::mem::take(&mut self.memberships);
        cs.sessions = std::mem::take(&mut self.sessions);
        cs.resources = std::mem::take(&mut self.resources);
        cs.throttle = std::mem::take(&mut self.throttle).into_values().collect();
        let mut notes = std::mem::take(&mut self.notes);
        cs.outbox = notes
            .iter()
            .map(|n| OutboxItem {
                notification: n.clone(),
                attempts: 0,
                next_attempt_at: n.at,
            })
            .collect();
        notes.append(&mut self.direct);
        Ok((cs, notes))
    }
}

/// How the actor stands in the account, from the current state (D8: never
/// cached).
pub(crate) fn access_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    account: AccountId,
) -> Result<Access, Error> {
    let a = tx.account(account)?;
    let (owner, procurement, partner) = (a.owner, a.procurement_enabled, a.partner.clone());
    let membership = match actor {
        Actor::Contact(id) => tx.membership(account, *id)?,
        _ => None,
    };
    Ok(access_of(
        actor,
        owner,
        partner.as_deref(),
        procurement,
        membership.as_ref().map(|m| (m.roles, &m.tech_scope)),
    ))
}

impl Tx<'_> {
    /// [`guard_owner`] on the account's current owner (A6).
    pub(crate) fn guard_owner(
        &mut self,
        access: &Access,
        account: AccountId,
        contact: ContactId,
    ) -> Result<(), Error> {
        let owner = self.account(account)?.owner;
        guard_owner(access, owner, contact)
    }

    /// [`guard_takeover`] on the contact's roles and scope in the account,
    /// and on its accounts: those it belongs to and those whose invitation
    /// it may still accept (C7, B7).
    pub(crate) fn guard_takeover(
        &mut self,
        access: &Access,
        account: AccountId,
        contact: ContactId,
    ) -> Result<(), Error> {
        let member = self.member(account, contact)?;
        let (roles, scope) = (member.roles, member.tech_scope);
        let now = self.now;
        let c = self.contact(contact)?;
        let open = c.invitations.iter().filter(|i| now < i.expires_at).count();
        let count = c
            .account_count
            .saturating_add(u32::try_from(open).unwrap_or(u32::MAX));
        guard_takeover(access, roles, &scope, count)
    }

    /// [`guard_shared_profile`] on the contact's current accounts (B6).
    pub(crate) fn guard_shared_profile(
        &mut self,
        access: &Access,
        contact: ContactId,
    ) -> Result<(), Error> {
        let count = self.contact(contact)?.account_count;
        guard_shared_profile(access, count)
    }
}
