//! The in-memory store: the embedded default for tests and demos.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use time::OffsetDateTime;

use super::{
    AccountRecord, AccountWrite, Changeset, Check, ContactRecord, ContactSort, ContactWrite,
    DirectoryHead, MembershipRecord, MembershipWrite, ResourceRecord, ResourceWrite, SessionWrite,
    Settlement, Store, StoreError, ThrottleRecord,
};
use crate::audit::{AuditEntry, AuditQuery};
use crate::credentials::SessionRecord;
use crate::error::Entity;
use crate::ids::{AccountId, ContactId, NotificationId, ResourceId};
use crate::notify::OutboxItem;

/// A thread-safe store in memory. Commits are serialised by one lock and
/// validated whole before anything is applied.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: RwLock<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    accounts: HashMap<AccountId, AccountRecord>,
    contacts: HashMap<ContactId, ContactRecord>,
    logins: HashMap<String, ContactId>,
    memberships: BTreeMap<(AccountId, ContactId), MembershipRecord>,
    by_contact: HashMap<ContactId, BTreeSet<AccountId>>,
    audit: HashMap<Option<AccountId>, Vec<AuditEntry>>,
    directory_head: DirectoryHead,
    outbox: BTreeMap<NotificationId, OutboxItem>,
    sessions: HashMap<[u8; 32], SessionRecord>,
    throttle: HashMap<[u8; 32], ThrottleRecord>,
    resources: BTreeMap<ResourceId, ResourceRecord>,
    by_account: HashMap<AccountId, BTreeSet<ResourceId>>,
    by_holder: HashMap<(AccountId, ContactId), BTreeSet<ResourceId>>,
    /// Every account's members in each order but by id (I5): (account,
    /// order, key, contact).
    ordered: BTreeSet<(AccountId, ContactSort, String, ContactId)>,
    /// The keys each contact is indexed under in `ordered`.
    sort_keys: HashMap<ContactId, Vec<(ContactSort, String)>>,
}

/// The orders `ordered` keeps (by id, the memberships are in order already).
const ORDERS: [ContactSort; 3] = [ContactSort::Name, ContactSort::Login, ContactSort::Email];

fn keys_of(c: &ContactRecord) -> Vec<(ContactSort, String)> {
    ORDERS.iter().map(|o| (*o, o.key_of(c))).collect()
}

impl Inner {
    /// Re-indexes a contact's memberships under its new keys (`None`: the
    /// contact is gone).
    fn index_contact(&mut self, id: ContactId, keys: Option<Vec<(ContactSort, String)>>) {
        let old = self.sort_keys.remove(&id);
        if old == keys {
            if let Some(k) = keys {
                self.sort_keys.insert(id, k);
            }
            return;
        }
        let accounts: Vec<AccountId> = self
            .by_contact
            .get(&id)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        for a in accounts {
            for (o, k) in old.iter().flatten() {
                self.ordered.remove(&(a, *o, k.clone(), id));
            }
            for (o, k) in keys.iter().flatten() {
                self.ordered.insert((a, *o, k.clone(), id));
            }
        }
        if let Some(k) = keys {
            self.sort_keys.insert(id, k);
        }
    }

    /// Adds or removes one membership's entries in `ordered`.
    fn index_membership(&mut self, account: AccountId, contact: ContactId, add: bool) {
        for (o, k) in self.sort_keys.get(&contact).into_iter().flatten() {
            let entry = (account, *o, k.clone(), contact);
            if add {
                self.ordered.insert(entry);
            } else {
                self.ordered.remove(&entry);
            }
        }
    }

    fn index_resource(&mut self, r: &ResourceRecord, add: bool) {
        let holders = std::iter::once(r.primary).chain(r.secondary);
        for c in holders {
            let set = self.by_holder.entry((r.account, c)).or_default();
            if add {
                set.insert(r.id);
            } else {
                set.remove(&r.id);
                if set.is_empty() {
                    self.by_holder.remove(&(r.account, c));
                }
            }
        }
        let set = self.by_account.entry(r.account).or_default();
        if add {
            set.insert(r.id);
        } else {
            set.remove(&r.id);
        }
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inner {
    fn validate(&self, c: &Changeset) -> Result<(), StoreError> {
        let account_at = |id: AccountId, v: u64| {
            self.accounts
                .get(&id)
                .is_some_and(|a| a.version == v)
                .then_some(())
                .ok_or(StoreError::Conflict)
        };
        let contact_at = |id: ContactId, v: u64| {
            self.contacts
                .get(&id)
                .is_some_and(|a| a.version == v)
                .then_some(())
                .ok_or(StoreError::Conflict)
        };
        for check in &c.checks {
            match *check {
                Check::Account(id, v) => account_at(id, v)?,
                Check::Contact(id, v) => contact_at(id, v)?,
            }
        }
        if let Some(h) = &c.directory_head {
            let current = self.directory_head.version;
            if h.version != current {
                return Err(StoreError::Conflict);
            }
        }
        let mut new_accounts = BTreeSet::new();
        for w in &c.accounts {
            match w {
                AccountWrite::Insert(a) => {
                    if self.accounts.contains_key(&a.id) || !new_accounts.insert(a.id) {
                        return Err(StoreError::Duplicate(Entity::Account));
                    }
                }
                AccountWrite::Update(a) => account_at(a.id, a.version)?,
            }
        }
        let mut new_ids = BTreeSet::new();
        let mut new_logins = BTreeSet::new();
        for w in &c.contacts {
            match w {
                ContactWrite::Insert(r) => {
                    if self.contacts.contains_key(&r.id) || !new_ids.insert(r.id) {
                        return Err(StoreError::Duplicate(Entity::Contact));
                    }
                    if self.logins.contains_key(&r.login_key)
                        || !new_logins.insert(r.login_key.as_str())
                    {
                        return Err(StoreError::Duplicate(Entity::Login));
                    }
                }
                ContactWrite::Update(r) => {
                    contact_at(r.id, r.version)?;
                    // A login never changes (B3).
                    if self.contacts.get(&r.id).map(|o| &o.login_key) != Some(&r.login_key) {
                        return Err(StoreError::Conflict);
                    }
                }
                ContactWrite::Delete(id, v) => contact_at(*id, *v)?,
            }
        }
        let mut throttled = BTreeSet::new();
        for t in &c.throttle {
            let current = self.throttle.get(&t.key).map_or(0, |r| r.version);
            if t.version != current || !throttled.insert(t.key) {
                return Err(StoreError::Conflict);
            }
        }
        let mut next_seq: HashMap<Option<AccountId>, u64> = HashMap::new();
        for e in &c.audit {
            let expected = next_seq.entry(e.account).or_insert_with(|| {
                self.base(e.account) + self.audit.get(&e.account).map_or(0, |v| v.len() as u64) + 1
            });
            if e.seq != *expected {
                return Err(StoreError::Conflict);
            }
            *expected += 1;
        }
        Ok(())
    }

    /// How many entries of a chain were pruned from its start (J4).
    fn base(&self, chain: Option<AccountId>) -> u64 {
        match chain {
            Some(_) => 0,
            None => self.directory_head.base.seq,
        }
    }

    fn apply(&mut self, c: &Changeset) {
        for w in &c.accounts {
            let mut a = match w {
                AccountWrite::Insert(a) => {
                    let mut a = a.clone();
                    a.version = 0;
                    a
                }
                AccountWrite::Update(a) => a.clone(),
            };
            a.version += 1;
            self.accounts.insert(a.id, a);
        }
        for w in &c.contacts {
            match w {
                ContactWrite::Insert(r) | ContactWrite::Update(r) => {
                    let mut r = r.clone();
                    r.version = match w {
                        ContactWrite::Insert(_) => 1,
                        _ => r.version + 1,
                    };
                    self.logins.insert(r.login_key.clone(), r.id);
                    self.index_contact(r.id, Some(keys_of(&r)));
                    self.contacts.insert(r.id, r);
                }
                ContactWrite::Delete(id, _) => {
                    if let Some(r) = self.contacts.remove(id) {
                        self.logins.remove(&r.login_key);
                    }
                    self.index_contact(*id, None);
                }
            }
        }
        for w in &c.memberships {
            match w {
                MembershipWrite::Put(m) => {
                    self.by_contact
                        .entry(m.contact)
                        .or_default()
                        .insert(m.account);
                    let new = self
                        .memberships
                        .insert((m.account, m.contact), m.clone())
                        .is_none();
                    if new {
                        self.index_membership(m.account, m.contact, true);
                    }
                }
                MembershipWrite::Delete(a, k) => {
                    if self.memberships.remove(&(*a, *k)).is_some() {
                        self.index_membership(*a, *k, false);
                    }
                    if let Some(set) = self.by_contact.get_mut(k) {
                        set.remove(a);
                        if set.is_empty() {
                            self.by_contact.remove(k);
                        }
                    }
                }
            }
        }
        for e in &c.audit {
            self.audit.entry(e.account).or_default().push(e.clone());
        }
        if let (Some(through), Some(entries)) = (c.prune_directory_audit, self.audit.get_mut(&None))
        {
            entries.retain(|e| e.seq > through);
        }
        if let Some(h) = &c.directory_head {
            self.directory_head = DirectoryHead {
                version: h.version + 1,
                ..*h
            };
        }
        for item in &c.outbox {
            self.outbox.insert(item.notification.id, item.clone());
        }
        for w in &c.resources {
            let id = match w {
                ResourceWrite::Put(r) => r.id,
                ResourceWrite::Delete(id) => *id,
            };
            if let Some(old) = self.resources.remove(&id) {
                self.index_resource(&old, false);
            }
            if let ResourceWrite::Put(r) = w {
                self.index_resource(r, true);
                self.resources.insert(r.id, r.clone());
            }
        }
        for t in &c.throttle {
            let mut t = t.clone();
            t.version += 1;
            self.throttle.insert(t.key, t);
        }
        for w in &c.sessions {
            match w {
                SessionWrite::Put(s) => {
                    self.sessions.insert(s.key, s.clone());
                }
                SessionWrite::Delete(k) => {
                    self.sessions.remove(k);
                }
            }
        }
    }
}

impl Store for MemoryStore {
    fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        Ok(self.read().accounts.get(&id).cloned())
    }

    fn contact(&self, id: ContactId) -> Result<Option<ContactRecord>, StoreError> {
        Ok(self.read().contacts.get(&id).cloned())
    }

    fn contact_by_login(&self, login_key: &str) -> Result<Option<ContactRecord>, StoreError> {
        let inner = self.read();
        Ok(inner
            .logins
            .get(login_key)
            .and_then(|id| inner.contacts.get(id))
            .cloned())
    }

    fn membership(
        &self,
        account: AccountId,
        contact: ContactId,
    ) -> Result<Option<MembershipRecord>, StoreError> {
        Ok(self.read().memberships.get(&(account, contact)).cloned())
    }

    fn memberships_of(&self, contact: ContactId) -> Result<Vec<MembershipRecord>, StoreError> {
        let inner = self.read();
        Ok(inner
            .by_contact
            .get(&contact)
            .into_iter()
            .flatten()
            .filter_map(|a| inner.memberships.get(&(*a, contact)).cloned())
            .collect())
    }

    fn members(
        &self,
        account: AccountId,
        after: Option<ContactId>,
        limit: usize,
    ) -> Result<Vec<(MembershipRecord, ContactRecord)>, StoreError> {
        let inner = self.read();
        let start = match after {
            Some(c) => std::ops::Bound::Excluded((account, c)),
            None => std::ops::Bound::Included((account, ContactId(0))),
        };
        let end = std::ops::Bound::Included((account, ContactId(u64::MAX)));
        Ok(inner
            .memberships
            .range((start, end))
            .filter_map(|(_, m)| Some((m.clone(), inner.contacts.get(&m.contact)?.clone())))
            .take(limit)
            .collect())
    }

    fn members_in_order(
        &self,
        account: AccountId,
        order: ContactSort,
        after: Option<(&str, ContactId)>,
        limit: usize,
    ) -> Result<Vec<(MembershipRecord, ContactRecord)>, StoreError> {
        if order == ContactSort::Id {
            return self.members(account, after.map(|(_, id)| id), limit);
        }
        use std::ops::Bound::{Excluded, Included};
        let inner = self.read();
        let start = match after {
            Some((key, id)) => Excluded((account, order, key.to_owned(), id)),
            None => Included((account, order, String::new(), ContactId(0))),
        };
        Ok(inner
            .ordered
            .range((start, std::ops::Bound::Unbounded))
            .take_while(|(a, o, _, _)| *a == account && *o == order)
            .filter_map(|(_, _, _, c)| {
                let m = inner.memberships.get(&(account, *c))?;
                Some((m.clone(), inner.contacts.get(c)?.clone()))
            })
            .take(limit)
            .collect())
    }

    fn directory_head(&self) -> Result<DirectoryHead, StoreError> {
        Ok(self.read().directory_head)
    }

    fn audit(
        &self,
        chain: Option<AccountId>,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let inner = self.read();
        let Some(entries) = inner.audit.get(&chain) else {
            return Ok(Vec::new());
        };
        // Entries sit at index seq - 1, less the entries pruned (J4).
        let after = query.after_seq.saturating_sub(inner.base(chain));
        let start = usize::try_from(after).unwrap_or(usize::MAX);
        Ok(entries
            .get(start.min(entries.len())..)
            .unwrap_or_default()
            .iter()
            .filter(|e| query.matches(e))
            .take(query.limit)
            .cloned()
            .collect())
    }

    fn commit(&self, changes: &Changeset) -> Result<(), StoreError> {
        let mut inner = self.write();
        inner.validate(changes)?;
        inner.apply(changes);
        Ok(())
    }

    fn outbox(
        &self,
        due_by: Option<OffsetDateTime>,
        limit: usize,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let inner = self.read();
        let mut due: Vec<OutboxItem> = inner
            .outbox
            .values()
            .filter(|i| due_by.is_none_or(|t| i.next_attempt_at <= t))
            .cloned()
            .collect();
        due.sort_by_key(|i| (i.next_attempt_at, i.notification.id));
        due.truncate(limit);
        Ok(due)
    }

    fn session(&self, key: &[u8; 32]) -> Result<Option<SessionRecord>, StoreError> {
        Ok(self.read().sessions.get(key).cloned())
    }

    fn touch_session(&self, key: &[u8; 32], at: OffsetDateTime) -> Result<(), StoreError> {
        if let Some(s) = self.write().sessions.get_mut(key) {
            s.last_seen_at = at;
        }
        Ok(())
    }

    fn purge_sessions(
        &self,
        last_seen_before: OffsetDateTime,
        created_before: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        let mut inner = self.write();
        let before = inner.sessions.len();
        inner
            .sessions
            .retain(|_, s| s.last_seen_at >= last_seen_before && s.created_at >= created_before);
        Ok(before - inner.sessions.len())
    }

    /// Its contents end with the process: a random key will do.
    fn sealing_key(&self) -> Result<Option<crate::SealingKey>, StoreError> {
        Ok(None)
    }

    fn throttle(&self, key: &[u8; 32]) -> Result<Option<ThrottleRecord>, StoreError> {
        Ok(self.read().throttle.get(key).cloned())
    }

    fn purge_throttle(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        let mut inner = self.write();
        let before = inner.throttle.len();
        inner.throttle.retain(|_, t| t.expires_at() >= now);
        Ok(before - inner.throttle.len())
    }

    fn resource(&self, id: ResourceId) -> Result<Option<ResourceRecord>, StoreError> {
        Ok(self.read().resources.get(&id).cloned())
    }

    fn resources(
        &self,
        account: AccountId,
        after: Option<ResourceId>,
        limit: usize,
    ) -> Result<Vec<ResourceRecord>, StoreError> {
        let inner = self.read();
        let Some(ids) = inner.by_account.get(&account) else {
            return Ok(Vec::new());
        };
        let start = match after {
            Some(a) => std::ops::Bound::Excluded(a),
            None => std::ops::Bound::Unbounded,
        };
        Ok(ids
            .range((start, std::ops::Bound::Unbounded))
            .filter_map(|id| inner.resources.get(id).cloned())
            .take(limit)
            .collect())
    }

    fn duties_of(
        &self,
        account: AccountId,
        contact: ContactId,
    ) -> Result<Vec<ResourceRecord>, StoreError> {
        let inner = self.read();
        Ok(inner
            .by_holder
            .get(&(account, contact))
            .into_iter()
            .flatten()
            .filter_map(|id| inner.resources.get(id).cloned())
            .collect())
    }

    fn settle(&self, id: NotificationId, settlement: Settlement) -> Result<(), StoreError> {
        let mut inner = self.write();
        match settlement {
            Settlement::Remove => {
                inner.outbox.remove(&id);
            }
            Settlement::Retry {
                attempts,
                next_attempt_at,
            } => {
                if let Some(item) = inner.outbox.get_mut(&id) {
                    item.attempts = attempts;
                    item.next_attempt_at = next_attempt_at;
                }
            }
        }
        Ok(())
    }
}
