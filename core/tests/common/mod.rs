//! Fixtures shared by the integration tests.
#![allow(dead_code)]

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

/// A new, empty store of each kind, by name.
pub fn stores() -> Vec<(&'static str, Arc<dyn Store>)> {
    vec![("memory", Arc::new(MemoryStore::new()) as Arc<dyn Store>)]
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
            .hash_cost(FAST)
            .unwrap()
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
