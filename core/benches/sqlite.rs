//! Criterion benches of the SQLite store beside the in-memory one (issue 5):
//! a contact edit through the `Directory`, a sign-in lookup
//! (`contact_by_login`, no password hashing) and an audit append, each on
//! a small directory and on one of 100,000 contacts in 10,000 accounts;
//! opening the large file; D5's throttle read beside the contact lookup
//! and beside its floor (the same statement issued with rusqlite directly),
//! and a wrong password beside an unknown login on the large file; and the
//! size on disk per contact and per audit entry (printed before the benches
//! run).
//!
//! Run: `cargo bench -p contactkeeper --bench sqlite`. The figures are in
//! BENCHMARKS.md.
#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use contactkeeper::audit::ChainHead;
use contactkeeper::store::{
    AccountRecord, AccountWrite, Changeset, ContactRecord, ContactWrite, MembershipRecord,
    MembershipWrite,
};
use contactkeeper::*;
use criterion::{BenchmarkId, Criterion};
use time::OffsetDateTime;

/// The large directory: 10,000 accounts of 10 contacts.
const ACCOUNTS: u64 = 10_000;
const PER_ACCOUNT: u64 = 10;
/// The small one: 1 account of 10 contacts.
const SMALL: u64 = 1;

fn account_id(a: u64) -> AccountId {
    AccountId(1_000 + a)
}

fn contact_id(a: u64, k: u64) -> ContactId {
    ContactId(1_000_000 + a * 100 + k)
}

fn login(a: u64, k: u64) -> String {
    format!("user{a}-{k}")
}

fn audit_entry(a: u64, head: &mut ChainHead, at: OffsetDateTime, k: u64) -> AuditEntry {
    let mut e = AuditEntry {
        account: Some(account_id(a)),
        seq: head.seq + 1,
        at,
        at_local: String::new(),
        actor: "system".into(),
        operation: Operation::ContactCreate,
        target: Some(contact_id(a, k).to_string()),
        outcome: Outcome::Success,
        fields: ["login", "name", "email", "time_zone", "roles"]
            .map(String::from)
            .to_vec(),
        detail: None,
        prev_hash: head.hash,
        hash: [0; 32],
    };
    e.hash = e.compute_hash();
    *head = ChainHead {
        seq: e.seq,
        hash: e.hash,
    };
    e
}

/// Accounts `0..accounts` with `PER_ACCOUNT` contacts each (contact 0 the
/// owner), by commits of 100 accounts at a time; with `audit`, one audit
/// entry per contact in its account's chain.
fn fill(store: &dyn Store, accounts: u64, audit: bool) {
    let now = OffsetDateTime::now_utc();
    for batch in (0..accounts).collect::<Vec<_>>().chunks(100) {
        let mut cs = Changeset::default();
        for &a in batch {
            let mut head = ChainHead::default();
            for k in 0..PER_ACCOUNT {
                let mut profile = Profile::new(
                    format!("User {a} {k}"),
                    format!("{}@example.com", login(a, k)),
                );
                profile.business_phone = Some("+1 555 0100".into());
                cs.contacts.push(ContactWrite::Insert(ContactRecord {
                    id: contact_id(a, k),
                    login: login(a, k),
                    login_key: login(a, k),
                    profile,
                    account_count: 1,
                    credentials: Default::default(),
                    invitations: Vec::new(),
                    created_at: now,
                    version: 0,
                }));
                cs.memberships.push(MembershipWrite::Put(MembershipRecord {
                    account: account_id(a),
                    contact: contact_id(a, k),
                    roles: if k == 0 {
                        RoleSet::ALL
                    } else {
                        RoleSet::of(&[Role::BillingManager])
                    },
                    tech_scope: TechScope::All,
                    manual_lock: None,
                    session_epoch: 0,
                    notifications: Default::default(),
                    since: now,
                }));
                if audit {
                    cs.audit.push(audit_entry(a, &mut head, now, k));
                }
            }
            cs.accounts.push(AccountWrite::Insert(AccountRecord {
                id: account_id(a),
                name: format!("Account {a}"),
                plan: Plan::default(),
                procurement_enabled: false,
                partner: None,
                services: Vec::new(),
                security: Default::default(),
                billing: Default::default(),
                owner: contact_id(a, 0),
                contact_count: PER_ACCOUNT as u32,
                invited: Vec::new(),
                audit_head: head,
                created_at: now,
                version: 0,
            }));
        }
        store.commit(&cs).unwrap();
    }
}

/// Appends `per_account` audit entries to each account's chain.
fn append_audit(store: &dyn Store, accounts: u64, per_account: u64) {
    let now = OffsetDateTime::now_utc();
    for batch in (0..accounts).collect::<Vec<_>>().chunks(100) {
        let mut cs = Changeset::default();
        for &a in batch {
            let mut rec = store.account(account_id(a)).unwrap().unwrap();
            for k in 0..per_account {
                cs.audit.push(audit_entry(a, &mut rec.audit_head, now, k));
            }
            cs.accounts.push(AccountWrite::Update(rec));
        }
        store.commit(&cs).unwrap();
    }
}

/// The bytes the database's pages take, once its log is checkpointed.
fn used_bytes(path: &Path) -> u64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let get = |p: &str| -> u64 {
        conn.query_row(&format!("PRAGMA {p}"), [], |r| r.get::<_, i64>(0))
            .unwrap() as u64
    };
    (get("page_count") - get("freelist_count")) * get("page_size")
}

/// Bytes per table and index, from SQLite's dbstat.
fn bytes_by_table(path: &Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut s = conn
        .prepare("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

struct Setup {
    _dir: tempfile::TempDir,
    small: std::path::PathBuf,
    large: std::path::PathBuf,
}

/// Builds the small and large files and prints the sizes on disk.
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.db");
    let large = dir.path().join("large.db");
    fill(&SqliteStore::open(&small).unwrap(), SMALL, true);

    let empty = {
        drop(SqliteStore::open(&large).unwrap());
        used_bytes(&large)
    };
    let started = Instant::now();
    let store = SqliteStore::open(&large).unwrap();
    fill(&store, ACCOUNTS, false);
    let built = started.elapsed();
    drop(store);
    let contacts = ACCOUNTS * PER_ACCOUNT;
    let with_contacts = used_bytes(&large);
    let store = SqliteStore::open(&large).unwrap();
    append_audit(&store, ACCOUNTS, PER_ACCOUNT);
    drop(store);
    let with_audit = used_bytes(&large);
    let entries = ACCOUNTS * PER_ACCOUNT;
    println!("size on disk (SQLite, page bytes after a checkpoint):");
    println!("  empty database (schema only): {empty} bytes");
    println!(
        "  {contacts} contacts in {ACCOUNTS} accounts: {with_contacts} bytes, {} bytes per contact \
         (its membership and a tenth of its account included); built in {built:.2?}",
        (with_contacts - empty) / contacts
    );
    println!(
        "  + {entries} audit entries: {with_audit} bytes, {} bytes per audit entry",
        (with_audit - with_contacts) / entries
    );
    for (name, bytes) in bytes_by_table(&large) {
        println!("    {name:<24} {bytes:>12} bytes");
    }
    Setup {
        _dir: dir,
        small,
        large,
    }
}

/// The stores to compare, by name: memory and SQLite, small and large, and
/// the large SQLite file with commits that do not wait for the disk.
fn stores(s: &Setup) -> Vec<(&'static str, Arc<dyn Store>, u64)> {
    let memory_small = MemoryStore::new();
    fill(&memory_small, SMALL, true);
    let memory_large = MemoryStore::new();
    fill(&memory_large, ACCOUNTS, true);
    vec![
        ("memory_small", Arc::new(memory_small), SMALL),
        ("memory_100k", Arc::new(memory_large), ACCOUNTS),
        (
            "sqlite_small",
            Arc::new(SqliteStore::open(&s.small).unwrap()),
            SMALL,
        ),
        (
            "sqlite_100k",
            Arc::new(SqliteStore::open(&s.large).unwrap()),
            ACCOUNTS,
        ),
        (
            "sqlite_100k_not_durable",
            Arc::new(
                SqliteStore::open_with(&s.large, &SqliteOptions::default().durable_commits(false))
                    .unwrap(),
            ),
            ACCOUNTS,
        ),
    ]
}

fn main() {
    let setup = setup();
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let stores = stores(&setup);

    // An owner edits a contact's job title: read, decide, commit with an
    // audit entry (the Directory's whole path).
    let mut g = c.benchmark_group("contact_edit");
    for (name, store, accounts) in &stores {
        let a = accounts / 2;
        let dir = Directory::builder(store.clone()).build();
        let owner = Actor::contact(contact_id(a, 0));
        let mut flip = false;
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                flip = !flip;
                let update = ProfileUpdate {
                    job_title: Some(Some(if flip { "Engineer" } else { "Manager" }.into())),
                    ..ProfileUpdate::default()
                };
                dir.update_contact(&owner, account_id(a), contact_id(a, 3), &update)
                    .unwrap()
            })
        });
    }
    g.finish();

    // Finding a contact by its login, as a sign-in does before hashing.
    let mut g = c.benchmark_group("sign_in_lookup");
    for (name, store, accounts) in &stores {
        let key = login(accounts / 3, 7);
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| store.contact_by_login(&key).unwrap().unwrap())
        });
    }
    g.finish();

    // One audit entry appended to an account's chain, with its new head.
    let mut g = c.benchmark_group("audit_append");
    for (name, store, accounts) in &stores {
        let a = accounts - 1;
        let mut rec = store.account(account_id(a)).unwrap().unwrap();
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                let mut next = rec.clone();
                let entry = audit_entry(a, &mut next.audit_head, OffsetDateTime::now_utc(), 0);
                store
                    .commit(&Changeset {
                        accounts: vec![AccountWrite::Update(next.clone())],
                        audit: vec![entry],
                        ..Changeset::default()
                    })
                    .unwrap();
                next.version += 1;
                rec = next;
            })
        });
    }
    g.finish();

    // D5's throttle: reading a login's record, beside the contact lookup
    // above (its peer), on a store holding a record for each of 100,000
    // logins.
    let mut g = c.benchmark_group("throttle_read");
    for (name, store, accounts) in &stores {
        let records: Vec<_> = (0..*accounts * PER_ACCOUNT)
            .map(|i| {
                let mut r = contactkeeper::store::ThrottleRecord::new(
                    contactkeeper::signin::throttle::throttle_key(&format!("t{i}")),
                    OffsetDateTime::now_utc(),
                );
                r.failures = 1;
                r
            })
            .collect();
        if store.throttle(&records[0].key).unwrap().is_none() {
            for chunk in records.chunks(1000) {
                store
                    .commit(&Changeset {
                        throttle: chunk.to_vec(),
                        ..Changeset::default()
                    })
                    .unwrap();
            }
        }
        let key = records[records.len() / 3].key;
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| store.throttle(&key).unwrap().unwrap())
        });
        // The floor: the same row by the same statement, issued directly
        // with rusqlite on a connection of its own, and not parsed.
        if *name == "sqlite_100k" {
            let conn = rusqlite::Connection::open(&setup.large).unwrap();
            g.bench_function(BenchmarkId::new("floor_rusqlite", name), |b| {
                b.iter(|| {
                    let mut st = conn
                        .prepare_cached("SELECT version, doc FROM throttle WHERE key = ?1")
                        .unwrap();
                    st.query_row([&key[..]], |r| {
                        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                    })
                    .unwrap()
                })
            });
        }
    }
    g.finish();

    // D5: a wrong password and an unknown login, through the Directory on
    // the large file with durable commits and the default argon2 cost: the
    // same hashing and the same two commits. The clock moves an hour per
    // attempt, so that neither login is ever throttled.
    let mut g = c.benchmark_group("sign_in_d5");
    g.sample_size(20);
    for (name, store, _) in stores.iter().filter(|(n, _, _)| *n == "sqlite_100k") {
        let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
        let dir = Directory::builder(store.clone())
            .clock(clock.clone())
            .build();
        let owner = NewContact::new("d5owner", Profile::new("Owner", "d5@example.com"))
            .with_password(Password::new("correct horse battery"));
        if store.contact_by_login("d5owner").unwrap().is_none() {
            dir.create_account(&Actor::System, &NewAccount::new("D5", owner))
                .unwrap();
        }
        let wrong = Password::new("not the password");
        for login in ["d5owner", "d5-nobody"] {
            let what = if login == "d5owner" {
                "wrong_password"
            } else {
                "unknown_login"
            };
            g.bench_function(BenchmarkId::new(what, name), |b| {
                b.iter(|| {
                    clock.advance(time::Duration::hours(1));
                    let o = dir
                        .sign_in(&SignInRequest {
                            login,
                            password: &wrong,
                            ip: "192.0.2.1".parse().unwrap(),
                            account: None,
                            device_token: None,
                            remember_device: false,
                        })
                        .unwrap();
                    assert!(matches!(o, SignInOutcome::InvalidCredentials));
                })
            });
        }
    }
    g.finish();

    // Opening a file: nothing is loaded but the schema version.
    let mut g = c.benchmark_group("open");
    for (name, path) in [
        ("sqlite_small", &setup.small),
        ("sqlite_100k", &setup.large),
    ] {
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| SqliteStore::open(path).unwrap())
        });
    }
    g.finish();
    drop(stores);
    c.final_summary();
}
