//! Fixtures shared by the integration tests.
#![allow(
    dead_code,
    reason = "each test binary uses a part of the shared helpers"
)]

use std::sync::Arc;

use contactkeeper::{
    AccountId, Actor, ContactId, Directory, HashCost, ManualClock, MemoryNotifier, MemoryStore,
    NewAccount, NewContact, Profile, RoleSet, Store, TechScope,
};

/// A cheap argon2id cost, so that tests that hash many passwords stay fast.
pub const FAST: HashCost = HashCost {
    m_kib: 256,
    t: 1,
    p: 1,
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

/// A new, empty store of each kind, by name: with the `postgres` feature
/// and `CONTACTKEEPER_POSTGRES_URL` set, a PostgreSQL store on a new
/// database too.
pub fn stores() -> Vec<(&'static str, Arc<dyn Store>)> {
    #[allow(unused_mut, reason = "the PostgreSQL store joins with its feature")]
    let mut stores = vec![
        ("memory", Arc::new(MemoryStore::new()) as Arc<dyn Store>),
        #[cfg(feature = "sqlite")]
        ("sqlite", Arc::new(TempSqlite::new()) as Arc<dyn Store>),
    ];
    // PostgreSQL keeps no sealing key: the host gives its servers theirs.
    #[cfg(feature = "postgres")]
    if let Some(pg) = postgres::fresh_store() {
        let key = contactkeeper::SealingKey::random(1).unwrap();
        stores.push((
            "postgres",
            Wrapped::with_sealing_key(Arc::new(pg), key) as Arc<dyn Store>,
        ));
    }
    stores
}

/// PostgreSQL databases for the tests, one per store.
#[cfg(feature = "postgres")]
pub mod postgres {
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// The server's URL (a role that may create databases), if set.
    pub fn server() -> Option<String> {
        std::env::var("CONTACTKEEPER_POSTGRES_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
    }

    /// `url` pointing at database `db` instead.
    pub fn with_database(url: &str, db: &str) -> String {
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"));
        match rest {
            Some(rest) => {
                let (authority, query) = match rest.split_once('/') {
                    Some((a, path)) => (a, path.split_once('?').map(|(_, q)| q)),
                    None => (rest, None),
                };
                match query {
                    Some(q) => format!("postgres://{authority}/{db}?{q}"),
                    None => format!("postgres://{authority}/{db}"),
                }
            }
            None => format!("{url} dbname={db}"),
        }
    }

    static DATABASES: AtomicUsize = AtomicUsize::new(0);

    /// A new, empty database on the server and its URL.
    pub fn fresh_database(url: &str) -> String {
        let name = format!(
            "ck_test_{}_{}",
            std::process::id(),
            DATABASES.fetch_add(1, Ordering::SeqCst)
        );
        let mut admin = ::postgres::Client::connect(url, ::postgres::NoTls).unwrap();
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        with_database(url, &name)
    }

    /// A store on a new database, when there is a server.
    pub fn fresh_store() -> Option<contactkeeper::PostgresStore> {
        let url = server()?;
        Some(contactkeeper::PostgresStore::connect(&fresh_database(&url)).unwrap())
    }
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
    /// A new, empty database. Its commits do not wait for the disk (the
    /// only difference from the default options, and invisible to these
    /// tests but for their speed); tests/sqlite.rs covers the default.
    pub fn new() -> TempSqlite {
        TempSqlite::with(&contactkeeper::SqliteOptions::default().durable_commits(false))
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
    fn throttle(
        &self,
        key: &[u8; 32],
    ) -> Result<Option<contactkeeper::store::ThrottleRecord>, contactkeeper::StoreError> {
        self.store.throttle(key)
    }
    fn purge_throttle(
        &self,
        now: time::OffsetDateTime,
    ) -> Result<usize, contactkeeper::StoreError> {
        self.store.purge_throttle(now)
    }
    fn sealing_key(&self) -> Result<Option<contactkeeper::SealingKey>, contactkeeper::StoreError> {
        self.store.sealing_key()
    }
    fn session(
        &self,
        key: &[u8; 32],
    ) -> Result<Option<contactkeeper::credentials::SessionRecord>, contactkeeper::StoreError> {
        self.store.session(key)
    }
    fn touch_session(
        &self,
        key: &[u8; 32],
        at: time::OffsetDateTime,
    ) -> Result<(), contactkeeper::StoreError> {
        self.store.touch_session(key, at)
    }
    fn purge_sessions(
        &self,
        last_seen_before: time::OffsetDateTime,
        created_before: time::OffsetDateTime,
    ) -> Result<usize, contactkeeper::StoreError> {
        self.store.purge_sessions(last_seen_before, created_before)
    }
    fn resource(
        &self,
        id: contactkeeper::ResourceId,
    ) -> Result<Option<contactkeeper::ResourceRecord>, contactkeeper::StoreError> {
        self.store.resource(id)
    }
    fn resources(
        &self,
        account: AccountId,
        after: Option<contactkeeper::ResourceId>,
        limit: usize,
    ) -> Result<Vec<contactkeeper::ResourceRecord>, contactkeeper::StoreError> {
        self.store.resources(account, after, limit)
    }
    fn duties_of(
        &self,
        account: AccountId,
        contact: ContactId,
    ) -> Result<Vec<contactkeeper::ResourceRecord>, contactkeeper::StoreError> {
        self.store.duties_of(account, contact)
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
        Fixture::tuned(store, |b| b)
    }

    /// A fixture whose directory's builder `tune` sets further.
    pub fn tuned(
        store: Arc<dyn Store>,
        tune: impl FnOnce(contactkeeper::DirectoryBuilder) -> contactkeeper::DirectoryBuilder,
    ) -> Fixture {
        let clock = Arc::new(ManualClock::new(datetime!(2026-03-01 12:00 UTC)));
        let notifier = Arc::new(MemoryNotifier::new());
        let builder = Directory::builder(store.clone())
            .clock(clock.clone())
            .notifier(notifier.clone())
            .hash_cost(FAST)
            .unwrap();
        let dir = tune(builder).build();
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

    /// A login added to another account (B7): its contact accepts the
    /// invitation, so the addition is a membership.
    pub fn accepted(
        &self,
        account: AccountId,
        added: contactkeeper::ContactAdded,
    ) -> contactkeeper::ContactAdded {
        if added.pending {
            self.dir
                .accept_invitation(&Actor::Contact(added.contact), account)
                .unwrap();
        }
        added
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

// ----- refusal checks (K1, J1), shared by the section tests -----

/// What a refused operation must leave as it was: each account's view, its
/// contacts, and the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct World {
    pub accounts: Vec<(contactkeeper::AccountView, Vec<contactkeeper::ContactView>)>,
    pub pending: usize,
}

impl Fixture {
    /// The state of these accounts, read by the host.
    pub fn world(&self, accounts: &[AccountId]) -> World {
        World {
            accounts: accounts
                .iter()
                .map(|a| {
                    (
                        self.dir.account(&Actor::System, *a).unwrap(),
                        self.dir
                            .list_contacts(&Actor::System, *a, None, 1000)
                            .unwrap(),
                    )
                })
                .collect(),
            pending: self.dir.pending_notifications(1000).unwrap().len(),
        }
    }

    /// Runs `op`, which must be refused with an error of kind `code` naming
    /// `rule` (K1); checks that it changed nothing in `acct` nor in `others`
    /// and appended exactly one refusal entry of that kind to `acct`'s audit
    /// chain (J1). Returns the error.
    pub fn refused<T: std::fmt::Debug>(
        &self,
        acct: AccountId,
        others: &[AccountId],
        code: contactkeeper::ErrorCode,
        rule: &str,
        op: impl FnOnce() -> Result<T, contactkeeper::Error>,
    ) -> contactkeeper::Error {
        let mut all = vec![acct];
        all.extend_from_slice(others);
        let before = self.world(&all);
        let others_len: Vec<u64> = others.iter().map(|a| self.audit_len(*a)).collect();
        let len = self.audit_len(acct);
        let err = match op() {
            Ok(v) => panic!("expected a refusal ({code:?}, rule {rule}), got Ok({v:?})"),
            Err(e) => e,
        };
        assert_eq!(err.code(), code, "error kind of {err:?}");
        assert_eq!(err.rule(), Some(rule), "rule of {err:?}");
        assert_eq!(
            self.world(&all),
            before,
            "a refusal changed the state: {err:?}"
        );
        assert_eq!(
            self.audit_len(acct),
            len + 1,
            "one refusal entry for {err:?}"
        );
        let last = self.last_audit(acct);
        assert_eq!(last.outcome, contactkeeper::Outcome::Refused(code));
        assert_eq!(
            others
                .iter()
                .map(|a| self.audit_len(*a))
                .collect::<Vec<_>>(),
            others_len,
            "a refusal in one account wrote to another's audit chain"
        );
        err
    }
}

/// A profile update that changes only the name.
pub fn rename(name: &str) -> contactkeeper::ProfileUpdate {
    contactkeeper::ProfileUpdate {
        name: Some(name.to_owned()),
        ..Default::default()
    }
}

/// The roles of a contact in an account, read by the host.
pub fn roles_of(f: &Fixture, acct: AccountId, contact: ContactId) -> RoleSet {
    f.dir.contact(&Actor::System, acct, contact).unwrap().roles
}

// ----- a store wrapper for tests that need to see or alter what a store does -----

/// What [`Wrapped::audit`] does to the entries the inner store returns.
pub type AuditFilter =
    Box<dyn Fn(Vec<contactkeeper::AuditEntry>) -> Vec<contactkeeper::AuditEntry> + Send + Sync>;

/// A store that delegates to another one, and can fail commits, count
/// audit reads, and alter the audit entries it returns (to play an
/// attacker who edits the stored log). No hook in the library is needed.
pub struct Wrapped {
    pub inner: Arc<dyn Store>,
    pub fail_commits: std::sync::atomic::AtomicBool,
    /// How many of the next commits to refuse as conflicting.
    pub conflicts: std::sync::atomic::AtomicUsize,
    /// How many commits were tried.
    pub commits: std::sync::atomic::AtomicUsize,
    /// How many of them wrote the directory chain's head (J4).
    pub directory_writes: std::sync::atomic::AtomicUsize,
    pub audit_calls: std::sync::atomic::AtomicUsize,
    pub alter_audit: std::sync::Mutex<Option<AuditFilter>>,
    /// The sealing key it hands out instead of the inner store's (a store
    /// that keeps none, as PostgreSQL's, gets one the host would give).
    pub sealing: Option<contactkeeper::SealingKey>,
}

impl Wrapped {
    pub fn new(inner: Arc<dyn Store>) -> Arc<Wrapped> {
        Arc::new(Wrapped {
            inner,
            fail_commits: Default::default(),
            conflicts: Default::default(),
            commits: Default::default(),
            directory_writes: Default::default(),
            audit_calls: Default::default(),
            alter_audit: Default::default(),
            sealing: None,
        })
    }

    /// `inner`, handing out `key` as its sealing key.
    pub fn with_sealing_key(inner: Arc<dyn Store>, key: contactkeeper::SealingKey) -> Arc<Wrapped> {
        let mut w = Arc::into_inner(Wrapped::new(inner)).unwrap();
        w.sealing = Some(key);
        Arc::new(w)
    }

    pub fn set_alter(&self, f: Option<AuditFilter>) {
        *self.alter_audit.lock().unwrap() = f;
    }
}

impl Store for Wrapped {
    fn account(
        &self,
        id: AccountId,
    ) -> Result<Option<contactkeeper::store::AccountRecord>, contactkeeper::StoreError> {
        self.inner.account(id)
    }
    fn contact(
        &self,
        id: ContactId,
    ) -> Result<Option<contactkeeper::store::ContactRecord>, contactkeeper::StoreError> {
        self.inner.contact(id)
    }
    fn contact_by_login(
        &self,
        login_key: &str,
    ) -> Result<Option<contactkeeper::store::ContactRecord>, contactkeeper::StoreError> {
        self.inner.contact_by_login(login_key)
    }
    fn membership(
        &self,
        account: AccountId,
        contact: ContactId,
    ) -> Result<Option<contactkeeper::store::MembershipRecord>, contactkeeper::StoreError> {
        self.inner.membership(account, contact)
    }
    fn memberships_of(
        &self,
        contact: ContactId,
    ) -> Result<Vec<contactkeeper::store::MembershipRecord>, contactkeeper::StoreError> {
        self.inner.memberships_of(contact)
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
        self.inner.members(account, after, limit)
    }
    fn directory_head(
        &self,
    ) -> Result<contactkeeper::store::DirectoryHead, contactkeeper::StoreError> {
        self.inner.directory_head()
    }
    fn audit(
        &self,
        chain: Option<AccountId>,
        query: &contactkeeper::AuditQuery,
    ) -> Result<Vec<contactkeeper::AuditEntry>, contactkeeper::StoreError> {
        self.audit_calls
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let entries = self.inner.audit(chain, query)?;
        Ok(match &*self.alter_audit.lock().unwrap() {
            Some(alter) => alter(entries),
            None => entries,
        })
    }
    fn commit(
        &self,
        changes: &contactkeeper::store::Changeset,
    ) -> Result<(), contactkeeper::StoreError> {
        use std::sync::atomic::Ordering::SeqCst;
        self.commits.fetch_add(1, SeqCst);
        if changes.directory_head.is_some() {
            self.directory_writes.fetch_add(1, SeqCst);
        }
        if self.fail_commits.load(SeqCst) {
            return Err(contactkeeper::StoreError::Backend("disk on fire".into()));
        }
        let pending = self.conflicts.load(SeqCst);
        if pending > 0 {
            self.conflicts.store(pending - 1, SeqCst);
            return Err(contactkeeper::StoreError::Conflict);
        }
        self.inner.commit(changes)
    }
    fn outbox(
        &self,
        due_by: Option<time::OffsetDateTime>,
        limit: usize,
    ) -> Result<Vec<contactkeeper::OutboxItem>, contactkeeper::StoreError> {
        self.inner.outbox(due_by, limit)
    }
    fn settle(
        &self,
        id: contactkeeper::NotificationId,
        settlement: contactkeeper::store::Settlement,
    ) -> Result<(), contactkeeper::StoreError> {
        self.inner.settle(id, settlement)
    }
    fn throttle(
        &self,
        key: &[u8; 32],
    ) -> Result<Option<contactkeeper::store::ThrottleRecord>, contactkeeper::StoreError> {
        self.inner.throttle(key)
    }
    fn purge_throttle(
        &self,
        now: time::OffsetDateTime,
    ) -> Result<usize, contactkeeper::StoreError> {
        self.inner.purge_throttle(now)
    }
    fn sealing_key(&self) -> Result<Option<contactkeeper::SealingKey>, contactkeeper::StoreError> {
        match &self.sealing {
            Some(k) => Ok(Some(k.clone())),
            None => self.inner.sealing_key(),
        }
    }
    fn session(
        &self,
        key: &[u8; 32],
    ) -> Result<Option<contactkeeper::credentials::SessionRecord>, contactkeeper::StoreError> {
        self.inner.session(key)
    }
    fn touch_session(
        &self,
        key: &[u8; 32],
        at: time::OffsetDateTime,
    ) -> Result<(), contactkeeper::StoreError> {
        self.inner.touch_session(key, at)
    }
    fn purge_sessions(
        &self,
        last_seen_before: time::OffsetDateTime,
        created_before: time::OffsetDateTime,
    ) -> Result<usize, contactkeeper::StoreError> {
        self.inner.purge_sessions(last_seen_before, created_before)
    }
    fn resource(
        &self,
        id: contactkeeper::ResourceId,
    ) -> Result<Option<contactkeeper::ResourceRecord>, contactkeeper::StoreError> {
        self.inner.resource(id)
    }
    fn resources(
        &self,
        account: AccountId,
        after: Option<contactkeeper::ResourceId>,
        limit: usize,
    ) -> Result<Vec<contactkeeper::ResourceRecord>, contactkeeper::StoreError> {
        self.inner.resources(account, after, limit)
    }
    fn duties_of(
        &self,
        account: AccountId,
        contact: ContactId,
    ) -> Result<Vec<contactkeeper::ResourceRecord>, contactkeeper::StoreError> {
        self.inner.duties_of(account, contact)
    }
}
