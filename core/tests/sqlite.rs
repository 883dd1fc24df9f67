//! The SQLite store (issue 5): the conformance suite; persistence across
//! reopening; bad input (a missing directory, a file that is not a
//! database, a newer or foreign database, a lock held past the busy
//! timeout, a full database, a tampered audit row); several directories in
//! several threads and processes on one file; and SIGKILL at random points.
//!
//! The multi-process tests start this test binary again as a child: the
//! `child_process` test, ignored in normal runs, is the child's body when
//! the environment variable `CONTACTKEEPER_TEST_CHILD` names a role.
#![cfg(feature = "sqlite")]
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use contactkeeper::store::conformance;
use contactkeeper::*;

// ----- the conformance suite and persistence -----

#[test]
fn sqlite_store_passes_the_conformance_suite() {
    let failures = conformance::run_all(&|| Box::new(TempSqlite::new()));
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Every record, audit entry, session, resource and pending notification
/// reads back the same after the store is closed and opened again (I1,
/// J3, D8, H1).
#[test]
fn everything_survives_closing_and_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    type Snapshot = (
        Option<contactkeeper::store::AccountRecord>,
        Vec<Option<contactkeeper::store::ContactRecord>>,
        Vec<(
            contactkeeper::store::MembershipRecord,
            contactkeeper::store::ContactRecord,
        )>,
        Vec<AuditEntry>,
        Vec<AuditEntry>,
        contactkeeper::store::DirectoryHead,
        Vec<OutboxItem>,
        Vec<ResourceRecord>,
    );
    let snapshot = |store: &dyn Store, acct: AccountId, ids: &[ContactId]| -> Snapshot {
        let q = AuditQuery {
            limit: 10_000,
            ..AuditQuery::default()
        };
        (
            store.account(acct).unwrap(),
            ids.iter().map(|c| store.contact(*c).unwrap()).collect(),
            store.members(acct, None, 100).unwrap(),
            store.audit(Some(acct), &q).unwrap(),
            store.audit(None, &q).unwrap(),
            store.directory_head().unwrap(),
            store.outbox(None, 100).unwrap(),
            store.resources(acct, None, 100).unwrap(),
        )
    };
    let sign_in = |dir: &Directory| match dir
        .sign_in(&SignInRequest {
            login: "ann",
            password: &Password::new("correct horse battery staple"),
            ip: "192.0.2.1".parse().unwrap(),
            account: None,
            device_token: None,
            remember_device: false,
        })
        .unwrap()
    {
        SignInOutcome::SignedIn(grant) => grant,
        other => panic!("{other:?}"),
    };
    let (acct, ids, before, token) = {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
        // No notifier: the notifications stay pending.
        let dir = Directory::builder(store.clone())
            .hash_cost(FAST)
            .unwrap()
            .build();
        let owner = new_contact("ann").with_password(Password::new("correct horse battery staple"));
        let created = dir
            .create_account(&Actor::System, &NewAccount::new("Acme", owner))
            .unwrap();
        let (acct, ann) = (created.account, created.owner);
        let bo = dir
            .create_contact(&Actor::contact(ann), acct, &new_contact("bo"))
            .unwrap()
            .contact;
        dir.set_roles(
            &Actor::contact(ann),
            acct,
            bo,
            RoleSet::of(&[Role::TechnicalAdmin]),
            &TechScope::only(["reports"]),
        )
        .unwrap();
        let techie = ProfileUpdate {
            business_phone: Some(Some("+1 555 0100".into())),
            ..ProfileUpdate::default()
        };
        dir.update_contact(&Actor::System, acct, bo, &techie)
            .unwrap();
        dir.add_resource(
            &Actor::System,
            acct,
            &NewResource {
                kind: "computer".into(),
                name: "Build server".into(),
                primary: bo,
                secondary: None,
            },
        )
        .unwrap();
        let grant = sign_in(&dir);
        dir.transfer_ownership(&Actor::contact(ann), acct, bo)
            .unwrap();
        // A refusal about no account goes to the directory's own chain.
        assert!(dir.account(&Actor::System, AccountId(12345)).is_err());
        let ids = vec![ann, bo];
        let before = snapshot(store.as_ref(), acct, &ids);
        (acct, ids, before, grant.token)
    };
    let dir = Directory::builder(Arc::new(SqliteStore::open(&path).unwrap()))
        .hash_cost(FAST)
        .unwrap()
        .build();
    assert!(snapshot(dir.store().as_ref(), acct, &ids) == before);
    assert_eq!(before.7.len(), 1);
    assert!(
        before.6.len() >= 2,
        "the transfer's notifications are pending"
    );
    assert!(before.1[0]
        .as_ref()
        .unwrap()
        .credentials
        .password_hash
        .is_some());
    // The session made before closing still signs its holder in, and the
    // password still checks.
    assert_eq!(dir.authenticate(&token).unwrap().contact, ids[0]);
    sign_in(&dir);
    assert!(matches!(
        dir.verify_audit(&Actor::System, acct).unwrap(),
        AuditVerification::Intact { entries } if entries >= 5
    ));
    assert!(matches!(
        dir.verify_directory_audit(&Actor::System).unwrap(),
        AuditVerification::Intact { entries } if entries >= 1
    ));
}

// ----- bad input: each gets a typed error and changes nothing -----

#[test]
fn a_path_in_a_missing_directory_cannot_be_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no").join("such").join("dir").join("d.db");
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(
        matches!(&err, StoreError::CannotOpen(m) if m.contains("d.db")),
        "{err:?}"
    );
    assert!(!dir.path().join("no").exists());
    assert!(matches!(
        Directory::open(&path).unwrap_err(),
        Error::Store(StoreError::CannotOpen(_))
    ));
}

#[test]
fn a_file_that_is_not_a_database_is_refused_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("long.txt", b"not a database, just text\n".repeat(400)),
        ("short.txt", b"hello".to_vec()),
        ("zeros.bin", vec![0u8; 8192]),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(
            matches!(err, StoreError::NotADatabase(_)),
            "{name}: {err:?}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name} was changed");
    }
}

#[test]
fn another_applications_database_is_refused_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("theirs.db");
    let theirs = rusqlite::Connection::open(&path).unwrap();
    theirs
        .execute_batch(
            "CREATE TABLE invoices (id INTEGER PRIMARY KEY); INSERT INTO invoices VALUES (1);",
        )
        .unwrap();
    drop(theirs);
    let before = std::fs::read(&path).unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase(_)), "{err:?}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_database_from_a_newer_library_is_refused_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    let f = Fixture::on(Arc::new(SqliteStore::open(&path).unwrap()));
    f.account("ann");
    drop(f);
    let newer = rusqlite::Connection::open(&path).unwrap();
    newer.pragma_update(None, "user_version", 99).unwrap();
    drop(newer);
    let before = std::fs::read(&path).unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    assert_eq!(
        err,
        StoreError::SchemaTooNew {
            found: 99,
            supported: SqliteStore::schema_version()
        }
    );
    assert!(err.to_string().contains("newer"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

/// Another process holds the write lock past the busy timeout: the commit
/// fails with `Busy` after waiting, reads go on, nothing is half-written,
/// and the same operation succeeds once the lock is gone.
#[test]
fn a_lock_held_past_the_busy_timeout_is_busy_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.db");
    let timeout = Duration::from_millis(300);
    let store =
        SqliteStore::open_with(&path, &SqliteOptions::default().busy_timeout(timeout)).unwrap();
    let f = Fixture::on(Arc::new(store));
    let (acct, owner) = f.account("ann");
    let before = (
        f.audit_len(acct),
        f.dir.account(&Actor::System, acct).unwrap(),
    );

    let mut locker = spawn_child("locker", &[("CK_DB", path.display().to_string())]);
    let mut out = BufReader::new(locker.stdout.take().unwrap()).lines();
    let first = out
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| ck(&l).map(str::to_owned));
    assert_eq!(first.as_deref(), Some("CK locked"));

    let started = Instant::now();
    let err = f
        .dir
        .create_contact(&Actor::contact(owner), acct, &new_contact("bo"))
        .unwrap_err();
    assert_eq!(err, Error::Store(StoreError::Busy));
    assert!(started.elapsed() >= timeout, "gave up before the timeout");
    // Readers do not wait for the writer (WAL), and nothing was written.
    let after = (
        f.audit_len(acct),
        f.dir.account(&Actor::System, acct).unwrap(),
    );
    assert_eq!(after, before);
    assert!(f.store.contact_by_login("bo").unwrap().is_none());

    drop(locker.stdin.take());
    out.for_each(drop);
    assert!(locker.wait().unwrap().success());
    f.dir
        .create_contact(&Actor::contact(owner), acct, &new_contact("bo"))
        .unwrap();
    assert_eq!(f.audit_len(acct), before.0 + 1);
}

/// A full database (a size limit standing in for a full disk) refuses the
/// commit whole; after reopening without the limit, everything is
/// consistent and the audit chain verifies.
#[test]
fn a_full_database_refuses_the_commit_whole() {
    let temp = TempSqlite::with(&SqliteOptions::default().max_size(160 * 1024));
    let path = temp.path();
    let f = Fixture::on(Arc::new(temp));
    let (acct, owner) = f.account("ann");
    let long = "x".repeat(200);
    let mut refused = None;
    for i in 0..5000 {
        let before = (
            f.audit_len(acct),
            f.dir.account(&Actor::System, acct).unwrap(),
            f.dir
                .list_contacts(&Actor::System, acct, None, 1000)
                .unwrap(),
        );
        let mut new = new_contact(&format!("c{i}"));
        new.profile.job_title = Some(long.clone());
        match f.dir.create_contact(&Actor::contact(owner), acct, &new) {
            Ok(_) => continue,
            Err(e) => {
                let after = (
                    f.audit_len(acct),
                    f.dir.account(&Actor::System, acct).unwrap(),
                    f.dir
                        .list_contacts(&Actor::System, acct, None, 1000)
                        .unwrap(),
                );
                assert_eq!(after, before, "a refused commit changed something");
                refused = Some((i, e));
                break;
            }
        }
    }
    let (made, err) = refused.expect("the database never filled up");
    assert_eq!(err, Error::Store(StoreError::Full));
    assert!(made > 10, "filled up after only {made} contacts");

    let dir = Directory::open(&path).unwrap();
    let view = dir.account(&Actor::System, acct).unwrap();
    assert_eq!(view.contacts as usize, made + 1);
    assert!(matches!(
        dir.verify_audit(&Actor::System, acct).unwrap(),
        AuditVerification::Intact { entries } if entries == made as u64 + 1
    ));
    dir.create_contact(&Actor::contact(owner), acct, &new_contact("roomy"))
        .unwrap();
}

/// An edited, removed or unreadable audit row in the file is reported by
/// verify (J3).
#[test]
fn a_tampered_audit_row_is_reported_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tampered.db");
    let (acct, chain) = {
        let f = Fixture::on(Arc::new(SqliteStore::open(&path).unwrap()));
        let (acct, _) = f.account("ann");
        for login in ["bo", "cy", "di", "ed"] {
            f.contact(acct, login, RoleSet::EMPTY);
        }
        assert_eq!(f.audit_len(acct), 5);
        (acct, i64::try_from(acct.get()).unwrap())
    };
    let tamper = |sql: &str| {
        let conn = rusqlite::Connection::open(&path).unwrap();
        assert_eq!(conn.execute(sql, [chain]).unwrap(), 1, "{sql}");
    };
    let verify = || {
        Directory::open(&path)
            .unwrap()
            .verify_audit(&Actor::System, acct)
    };
    assert!(matches!(
        verify().unwrap(),
        AuditVerification::Intact { entries: 5 }
    ));

    tamper("UPDATE audit SET actor = 'support:mallory' WHERE chain = ?1 AND seq = 3");
    assert_eq!(
        verify().unwrap(),
        AuditVerification::Broken {
            seq: 3,
            problem: ChainProblem::Edited
        }
    );
    tamper("UPDATE audit SET actor = 'system' WHERE chain = ?1 AND seq = 3");
    assert!(matches!(
        verify().unwrap(),
        AuditVerification::Intact { .. }
    ));

    tamper("DELETE FROM audit WHERE chain = ?1 AND seq = 5");
    assert_eq!(
        verify().unwrap(),
        AuditVerification::Broken {
            seq: 5,
            problem: ChainProblem::Truncated
        }
    );
    tamper("DELETE FROM audit WHERE chain = ?1 AND seq = 2");
    assert_eq!(
        verify().unwrap(),
        AuditVerification::Broken {
            seq: 2,
            problem: ChainProblem::Missing
        }
    );
    tamper("UPDATE audit SET operation = 'no.such.operation' WHERE chain = ?1 AND seq = 1");
    assert!(matches!(
        verify().unwrap_err(),
        Error::Store(StoreError::Corrupt(_))
    ));
}

// ----- concurrency -----

/// Two directories on one file: a commit that read what the other changed
/// meanwhile conflicts, is retried, and both changes are kept.
#[test]
fn a_conflicting_commit_is_retried_and_both_changes_are_kept() {
    let temp = Arc::new(TempSqlite::new());
    let f = Fixture::on(temp.clone());
    let (acct, owner) = f.account("ann");
    let other = Directory::open(temp.path()).unwrap();
    *temp.before_commit.lock().unwrap() = Some(Box::new(move || {
        other
            .create_contact(&Actor::contact(owner), acct, &new_contact("raced"))
            .unwrap();
    }));
    f.dir
        .create_contact(&Actor::contact(owner), acct, &new_contact("mine"))
        .unwrap();
    let logins: BTreeSet<String> = f
        .dir
        .list_contacts(&Actor::System, acct, None, 10)
        .unwrap()
        .into_iter()
        .map(|v| v.login)
        .collect();
    assert_eq!(logins, ["ann", "mine", "raced"].map(String::from).into());
    assert_eq!(f.dir.account(&Actor::System, acct).unwrap().contacts, 3);
    assert!(matches!(
        f.dir.verify_audit(&Actor::System, acct).unwrap(),
        AuditVerification::Intact { entries: 3 }
    ));
}

/// What writers (threads or processes) report doing to one account.
#[derive(Default)]
struct Reports {
    created: BTreeMap<ContactId, String>,
    deleted: BTreeSet<ContactId>,
    titles: BTreeSet<String>,
    failures: Vec<String>,
}

impl Reports {
    fn read(&mut self, line: &str) {
        let Some(line) = ck(line) else {
            return;
        };
        let mut words = line.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some("CK"), Some("created"), Some(id)) => {
                let login = words.next().unwrap().to_owned();
                self.created.insert(ContactId(id.parse().unwrap()), login);
            }
            (Some("CK"), Some("deleted"), Some(id)) => {
                self.deleted.insert(ContactId(id.parse().unwrap()));
            }
            (Some("CK"), Some("edited"), Some(title)) => {
                self.titles.insert(title.to_owned());
            }
            (Some("CK"), Some("failed"), _) => self.failures.push(line.to_owned()),
            _ => {}
        }
    }

    /// The final state is exactly what the writers reported: every contact
    /// created and not deleted, no other; the count and the audit chain
    /// agree (a lost update would break one of them).
    fn check(&self, path: &Path, acct: AccountId, base: &[ContactId], base_entries: u64) {
        assert!(self.failures.is_empty(), "{:#?}", self.failures);
        let dir = Directory::open(path).unwrap();
        let mut expected: BTreeSet<ContactId> = base.iter().copied().collect();
        expected.extend(self.created.keys().filter(|c| !self.deleted.contains(c)));
        let found: BTreeSet<ContactId> = dir
            .list_contacts(&Actor::System, acct, None, MAX_PAGE)
            .unwrap()
            .into_iter()
            .map(|v| v.id)
            .collect();
        assert_eq!(found, expected);
        let view = dir.account(&Actor::System, acct).unwrap();
        assert_eq!(view.contacts as usize, expected.len());
        let writes = self.created.len() + self.deleted.len() + self.titles.len();
        assert_eq!(
            dir.verify_audit(&Actor::System, acct).unwrap(),
            AuditVerification::Intact {
                entries: base_entries + writes as u64
            }
        );
        let shared = dir.contact(&Actor::System, acct, base[1]).unwrap();
        let title = shared.profile.job_title.unwrap();
        assert!(self.titles.contains(&title), "{title} was never written");
    }
}

/// The work of one writer: create contacts in the account, delete every
/// third one, and edit the shared contact each time; report each success.
fn write_some(
    dir: &Directory,
    acct: AccountId,
    shared: ContactId,
    name: &str,
    ops: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut last = None;
    for i in 0..ops {
        let login = format!("{name}n{i}");
        match dir.create_contact(&Actor::System, acct, &new_contact(&login)) {
            Ok(added) => {
                out.push(format!("CK created {} {login}", added.contact.get()));
                last = Some(added.contact);
            }
            Err(e) => out.push(format!("CK failed create {e}")),
        }
        if i % 3 == 2 {
            if let Some(c) = last.take() {
                match dir.delete_contact(&Actor::System, acct, c) {
                    Ok(()) => out.push(format!("CK deleted {}", c.get())),
                    Err(e) => out.push(format!("CK failed delete {e}")),
                }
            }
        }
        let update = ProfileUpdate {
            job_title: Some(Some(login.clone())),
            ..ProfileUpdate::default()
        };
        match dir.update_contact(&Actor::System, acct, shared, &update) {
            Ok(_) => out.push(format!("CK edited {login}")),
            Err(e) => out.push(format!("CK failed edit {e}")),
        }
    }
    out
}

/// A directory for a writer: patient, since every writer contends for the
/// same account.
fn patient_directory(path: &Path) -> Directory {
    let options = SqliteOptions::default().busy_timeout(Duration::from_secs(60));
    Directory::builder(Arc::new(SqliteStore::open_with(path, &options).unwrap()))
        .max_attempts(10_000)
        .build()
}

/// An account with an owner and a shared contact, for the writers.
fn writers_account(path: &Path) -> (AccountId, Vec<ContactId>, u64) {
    let f = Fixture::on(Arc::new(SqliteStore::open(path).unwrap()));
    let (acct, owner) = f.account("owner");
    let shared = f.contact(acct, "shared", RoleSet::EMPTY);
    (acct, vec![owner, shared], f.audit_len(acct))
}

/// Several directories in several threads, each with its own connection to
/// one file: every reported change is there, and no update is lost.
#[test]
fn directories_in_several_threads_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("threads.db");
    let (acct, base, entries) = writers_account(&path);
    let reports = Mutex::new(Reports::default());
    std::thread::scope(|s| {
        for t in 0..4 {
            let (path, reports, base) = (&path, &reports, &base);
            s.spawn(move || {
                let dir = patient_directory(path);
                for line in write_some(&dir, acct, base[1], &format!("t{t}"), 10) {
                    reports.lock().unwrap().read(&line);
                }
            });
        }
    });
    reports
        .into_inner()
        .unwrap()
        .check(&path, acct, &base, entries);
}

/// Several processes, each with two threads and a directory per thread, on
/// one file: the final state is exactly what each process reported.
#[test]
fn directories_in_several_processes_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("processes.db");
    let (acct, base, entries) = writers_account(&path);
    let children: Vec<Child> = (0..3)
        .map(|p| {
            spawn_child(
                "writer",
                &[
                    ("CK_DB", path.display().to_string()),
                    ("CK_ACCOUNT", acct.get().to_string()),
                    ("CK_SHARED", base[1].get().to_string()),
                    ("CK_NAME", format!("p{p}")),
                ],
            )
        })
        .collect();
    let mut reports = Reports::default();
    for mut child in children {
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert!(child.wait().unwrap().success(), "a writer failed:\n{out}");
        for line in out.lines() {
            reports.read(line);
        }
    }
    reports.check(&path, acct, &base, entries);
    assert_eq!(
        reports.created.len(),
        3 * 2 * 8,
        "not every create was reported"
    );
}

/// D5, D9: two processes on one file take turns at an unknown login and
/// at a real one whose account has no lock policy; at every attempt both
/// logins get the same answer, from either process, and the locks hold
/// when both processes are restarted.
#[test]
fn two_processes_throttle_alike_before_and_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("throttle.db");
    {
        let f = Fixture::on(Arc::new(SqliteStore::open(&path).unwrap()));
        let nc = new_contact("carol").with_password(Password::new(PROBE_PASSWORD));
        let (acct, _) = f.account("owner");
        f.dir.create_contact(&Actor::System, acct, &nc).unwrap();
    }
    let start = || -> Vec<Prober> {
        (0..2)
            .map(|_| {
                Prober::new(spawn_child(
                    "prober",
                    &[("CK_DB", path.display().to_string())],
                ))
            })
            .collect()
    };
    let mut procs = start();
    let mut turn = 0;
    let mut ask = |procs: &mut Vec<Prober>, login: &str, password: &str| {
        turn += 1;
        procs[turn % 2].ask(login, password)
    };
    for i in 0..PROBE_THROTTLE {
        let real = ask(&mut procs, "carol", "guessing wrong");
        let ghost = ask(&mut procs, "nobody-here", "guessing wrong");
        assert_eq!(real, "invalid_credentials", "attempt {i}");
        assert_eq!(ghost, real, "attempt {i}");
    }
    for _ in 0..2 {
        assert_eq!(ask(&mut procs, "carol", PROBE_PASSWORD), "locked");
        assert_eq!(ask(&mut procs, "nobody-here", PROBE_PASSWORD), "locked");
    }
    drop(procs);
    let mut procs = start();
    for _ in 0..2 {
        assert_eq!(ask(&mut procs, "carol", PROBE_PASSWORD), "locked");
        assert_eq!(ask(&mut procs, "nobody-here", PROBE_PASSWORD), "locked");
    }
}

const PROBE_PASSWORD: &str = "correct horse battery";
const PROBE_THROTTLE: u32 = 3;

/// A child that signs in as it is told, line by line.
struct Prober {
    child: Child,
    out: BufReader<std::process::ChildStdout>,
}

impl Prober {
    fn new(mut child: Child) -> Prober {
        let out = BufReader::new(child.stdout.take().unwrap());
        Prober { child, out }
    }

    fn ask(&mut self, login: &str, password: &str) -> String {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{login}\t{password}").unwrap();
        stdin.flush().unwrap();
        loop {
            let mut line = String::new();
            assert!(
                self.out.read_line(&mut line).unwrap() > 0,
                "the prober ended"
            );
            if let Some(answer) = ck(&line) {
                return answer.trim_start_matches("CK ").trim().to_owned();
            }
        }
    }
}

impl Drop for Prober {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

// ----- sealed secrets (F1) -----

/// A directory on the SQLite file at `path`, sealing with these keys.
fn sealing_directory(path: &Path, clock: &Arc<ManualClock>, keys: (u32, &[u32])) -> Directory {
    let key = |id: u32| SealingKey::new(id, &[id as u8; 32]).unwrap();
    Directory::builder(Arc::new(SqliteStore::open(path).unwrap()))
        .clock(clock.clone())
        .hash_cost(FAST)
        .unwrap()
        .sealing_keys(key(keys.0), keys.1.iter().map(|i| key(*i)).collect())
        .unwrap()
        .build()
}

fn totp_sign_in(d: &Directory, clock: &ManualClock, secret: &[u8]) -> Result<SignInOutcome, Error> {
    clock.advance(time::Duration::seconds(30));
    // A device token is asked for, and given once the code is (D10).
    let o = d.sign_in(&SignInRequest {
        remember_device: true,
        ..SignInRequest::new(
            "tess",
            &Password::new(PROBE_PASSWORD),
            "192.0.2.1".parse().unwrap(),
        )
    })?;
    let SignInOutcome::SecondFactorRequired { session, .. } = o else {
        panic!("a second factor is due: {}", o.name())
    };
    let now = clock.now().unix_timestamp() as u64;
    d.complete_second_factor(
        &session.token,
        &format!("{:06}", contactkeeper::second_factor::totp(secret, now, 6)),
    )
}

/// An account owned by `tess`, who enrolls an authenticator app: the
/// account, tess, and the secret as shown (base32) and as bytes.
fn tess_with_totp(d: &Directory, clock: &ManualClock) -> (AccountId, ContactId, Secret, Vec<u8>) {
    let created = d
        .create_account(
            &Actor::System,
            &NewAccount::new(
                "Acme",
                new_contact("tess").with_password(Password::new(PROBE_PASSWORD)),
            ),
        )
        .unwrap();
    let (acct, tess) = (created.account, created.owner);
    let start = d
        .begin_two_factor_enrollment(
            &Actor::Contact(tess),
            acct,
            TwoFactorMethod::Totp,
            None,
            &Password::new(PROBE_PASSWORD),
        )
        .unwrap();
    let b32 = start.secret_base32.unwrap();
    let secret = data_encoding::BASE32_NOPAD
        .decode(b32.expose().as_bytes())
        .unwrap();
    let now = clock.now().unix_timestamp() as u64;
    d.confirm_two_factor_enrollment(
        &Actor::Contact(tess),
        acct,
        &format!("{:06}", contactkeeper::second_factor::totp(&secret, now, 6)),
    )
    .unwrap();
    (acct, tess, b32, secret)
}

/// Every column of every row of the file, as bytes.
fn every_cell(path: &Path) -> Vec<Vec<u8>> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut cells = Vec::new();
    for t in tables {
        let mut st = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = st.column_count();
        let mut rows = st.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..n {
                cells.push(match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => {
                        b.to_vec()
                    }
                    other => format!("{other:?}").into_bytes(),
                });
            }
        }
    }
    cells
}

// rule F1, D10: the file holds no authenticator secret, reset secret,
// session token or device token in the clear, in any column; keys rotate, old keys still open what
// they sealed, and a secret under a key the directory lacks is a typed
// error that changes nothing.
#[test]
fn secrets_are_sealed_in_the_file_and_keys_rotate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sealed.db");
    let clock = Arc::new(ManualClock::new(
        time::macros::datetime!(2026-03-01 12:00 UTC),
    ));
    let one = sealing_directory(&path, &clock, (1, &[]));
    let (acct, tess, b32, secret) = tess_with_totp(&one, &clock);
    let SignInOutcome::SignedIn(grant) = totp_sign_in(&one, &clock, &secret).unwrap() else {
        panic!("signed in with the code")
    };
    one.request_password_reset("tess", RecoveryChannel::Email)
        .unwrap();
    // What must never be in the file: the TOTP secret (raw, base32, as a
    // JSON array), the session token, the device token.
    let json_array = format!("{:?}", secret).replace(' ', "");
    let device = grant
        .device_token
        .clone()
        .expect("a device token, asked for");
    let needles: Vec<Vec<u8>> = vec![
        secret.clone(),
        b32.expose().as_bytes().to_vec(),
        json_array.into_bytes(),
        grant.token.expose().as_bytes().to_vec(),
        device.expose().as_bytes().to_vec(),
    ];
    for cell in every_cell(&path) {
        for n in &needles {
            assert!(
                !cell.windows(n.len()).any(|w| w == &n[..]),
                "a secret in the clear in the file"
            );
        }
    }
    // Rotation: key 2 is current, key 1 still opens.
    drop(one);
    let two = sealing_directory(&path, &clock, (2, &[1]));
    assert!(matches!(
        totp_sign_in(&two, &clock, &secret).unwrap(),
        SignInOutcome::SignedIn(_)
    ));
    assert_eq!(
        two.reseal_secrets(acct).unwrap(),
        0,
        "sealed again at its use already"
    );
    // Key 1 may go now.
    let only_two = sealing_directory(&path, &clock, (2, &[]));
    assert!(matches!(
        totp_sign_in(&only_two, &clock, &secret).unwrap(),
        SignInOutcome::SignedIn(_)
    ));
    // Under a key this directory lacks: typed, nothing changed.
    let stranger = sealing_directory(&path, &clock, (3, &[]));
    let before = SqliteStore::open(&path)
        .unwrap()
        .contact(tess)
        .unwrap()
        .unwrap();
    let e = totp_sign_in(&stranger, &clock, &secret).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Store);
    assert!(!e.to_string().contains(b32.expose()));
    let after = SqliteStore::open(&path)
        .unwrap()
        .contact(tess)
        .unwrap()
        .unwrap();
    assert_eq!(before.credentials, after.credentials);
    assert_eq!(
        stranger.reseal_secrets(acct).unwrap_err().code(),
        ErrorCode::Store
    );
    // reseal_secrets does a whole account at once.
    let three = sealing_directory(&path, &clock, (3, &[2]));
    assert_eq!(three.reseal_secrets(acct).unwrap(), 1);
    assert_eq!(three.reseal_secrets(acct).unwrap(), 0);
    let only_three = sealing_directory(&path, &clock, (3, &[]));
    assert!(matches!(
        totp_sign_in(&only_three, &clock, &secret).unwrap(),
        SignInOutcome::SignedIn(_)
    ));
}

// rule F1: a directory built on a SQLite store without keys seals under
// the store's key file too, so a restart loses no authenticator.
#[test]
fn a_built_directory_without_keys_keeps_its_authenticators_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("built.db");
    let clock = Arc::new(ManualClock::new(
        time::macros::datetime!(2026-03-01 12:00 UTC),
    ));
    let build = || {
        Directory::builder(Arc::new(SqliteStore::open(&path).unwrap()))
            .clock(clock.clone())
            .hash_cost(FAST)
            .unwrap()
            .build()
    };
    let first = build();
    let (_, _, _, secret) = tess_with_totp(&first, &clock);
    drop(first);
    let again = build();
    assert!(matches!(
        totp_sign_in(&again, &clock, &secret).unwrap(),
        SignInOutcome::SignedIn(_)
    ));
    assert!(dir.path().join("built.db.key").exists());
}

// rule F1: the embedded default keeps its key in a file beside the
// database, readable by its owner only, and finds it again on reopening.
#[test]
fn the_default_key_file_is_private_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyed.db");
    let key_path = dir.path().join("keyed.db.key");
    let d = Directory::open(&path).unwrap();
    drop(d);
    let first = std::fs::read_to_string(&key_path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    Directory::open(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&key_path).unwrap(), first);
    // A damaged key file is a typed error, not a new key.
    std::fs::write(&key_path, "1:not hex").unwrap();
    assert_eq!(Directory::open(&path).unwrap_err().code(), ErrorCode::Store);
    // So is one that others may read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(&key_path, &first).unwrap();
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = Directory::open(&path).unwrap_err();
        assert!(e.to_string().contains("0600"), "{e}");
    }
    // Several processes opening a new file at once agree on one key.
    let fresh = dir.path().join("raced.db");
    // The database first (its own creation is not what races here).
    drop(SqliteStore::open(&fresh).unwrap());
    assert!(!dir.path().join("raced.db.key").exists());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| Directory::open(&fresh).unwrap());
        }
    });
    let key = std::fs::read_to_string(dir.path().join("raced.db.key")).unwrap();
    Directory::open(&fresh).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("raced.db.key")).unwrap(),
        key
    );
    let leftovers = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        })
        .count();
    assert_eq!(leftovers, 0);
}

// ----- crash safety -----

/// A child performs a long stream of operations and is killed with SIGKILL
/// at a random point, again and again on the same file. After each kill,
/// the file reopens; every operation that had returned is there, the one in
/// flight is there whole or not at all, nothing else changed, the audit
/// chains verify (J3) and every notification handed to the notifier and not
/// delivered is still pending (I1).
#[test]
fn sigkill_at_random_points_loses_nothing_that_returned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let mut model = Model::default();
    {
        let d = Directory::open(&path).unwrap();
        for owner in ["alpha", "beta"] {
            let created = d
                .create_account(&Actor::System, &NewAccount::new(owner, new_contact(owner)))
                .unwrap();
            let mut acct = AccountModel {
                owner: owner.to_owned(),
                ..AccountModel::default()
            };
            acct.members.insert(
                owner.to_owned(),
                (format!("{owner}@example.com"), RoleSet::ALL.bits()),
            );
            model.accounts.insert(created.account, acct);
        }
        model.check(&d).unwrap();
    }
    let accounts: Vec<String> = model.accounts.keys().map(|a| a.get().to_string()).collect();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let (mut ops_seen, mut in_flight_kept, mut in_flight_lost) = (0, 0, 0);
    let rounds = 30;
    for round in 0..rounds {
        // Where to kill it: a random time into the operation that it starts
        // after a random number of others (or, in some rounds, while it
        // opens the file), so that the kill lands anywhere in an operation
        // whatever the machine's speed.
        let (started_before_kill, delay) = match xorshift(&mut seed) % 5 {
            0 => (0, Duration::from_micros(xorshift(&mut seed) % 30_000)),
            _ => (
                1 + xorshift(&mut seed) % 40,
                Duration::from_micros(xorshift(&mut seed) % 3_000),
            ),
        };
        let mut child = spawn_child(
            "crasher",
            &[
                ("CK_DB", path.display().to_string()),
                ("CK_ACCOUNTS", accounts.join(",")),
                ("CK_SEED", (xorshift(&mut seed) | 1).to_string()),
                ("CK_ROUND", round.to_string()),
                // Every other child commits without waiting for the disk:
                // that survives a crash of the process too.
                ("CK_DURABLE", (round % 2 == 0).to_string()),
            ],
        );
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut lines = Vec::new();
        let mut started = 0;
        while started < started_before_kill {
            let line = rx
                .recv_timeout(Duration::from_secs(120))
                .unwrap_or_else(|e| panic!("round {round}: the child went quiet ({e})"));
            if ck(&line).is_some_and(|l| l.starts_with("CK B ")) {
                started += 1;
            }
            lines.push(line);
        }
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        lines.extend(rx.try_iter());

        let mut in_flight: Option<Op> = None;
        let mut notified = Vec::new();
        for line in lines.iter().filter_map(|l| ck(l)) {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["CK", "B", rest @ ..] => in_flight = Some(Op::parse(rest)),
                ["CK", "D"] => {
                    model.apply(&in_flight.take().unwrap());
                    ops_seen += 1;
                }
                ["CK", "N", id] => notified.push(NotificationId(id.parse().unwrap())),
                ["CK", "F", ..] => panic!("an operation failed in the child: {line}"),
                _ => {}
            }
        }
        let d = Directory::open(&path).unwrap();
        if let Err(without) = model.check(&d) {
            let op = in_flight
                .as_ref()
                .unwrap_or_else(|| panic!("round {round}: {without}"));
            let mut with = model.clone();
            with.apply(op);
            if let Err(e) = with.check(&d) {
                panic!("round {round}: neither without {op:?} ({without}) nor with it ({e})");
            }
            model = with;
            in_flight_kept += 1;
        } else if in_flight.is_some() {
            in_flight_lost += 1;
        }
        let pending: BTreeSet<NotificationId> = d
            .pending_notifications(MAX_PAGE)
            .unwrap()
            .iter()
            .map(|i| i.notification.id)
            .collect();
        for id in &notified {
            assert!(
                pending.contains(id),
                "round {round}: {id} is no longer pending"
            );
        }
        assert!(pending.len() as u64 >= 2 * model.transfers);
        assert!(matches!(
            d.verify_directory_audit(&Actor::System).unwrap(),
            AuditVerification::Intact { .. }
        ));
    }
    assert!(
        ops_seen > rounds,
        "the children did too little: {ops_seen} operations"
    );
    eprintln!(
        "{rounds} kills, {ops_seen} operations reported done; the one in flight was \
         kept {in_flight_kept} times, not applied {in_flight_lost} times"
    );
}

/// What the crash test's children do, as they report it.
#[derive(Debug, Clone)]
enum Op {
    Create(AccountId, String),
    Update(AccountId, String, String),
    Roles(AccountId, String, u8),
    Delete(AccountId, String),
    Transfer(AccountId, String),
}

impl Op {
    fn parse(words: &[&str]) -> Op {
        let acct = AccountId(words[1].parse().unwrap());
        let login = words[2].to_owned();
        match words[0] {
            "create" => Op::Create(acct, login),
            "update" => Op::Update(acct, login, words[3].to_owned()),
            "roles" => Op::Roles(acct, login, words[3].parse().unwrap()),
            "delete" => Op::Delete(acct, login),
            "transfer" => Op::Transfer(acct, login),
            other => panic!("unknown op {other}"),
        }
    }

    fn line(&self) -> String {
        match self {
            Op::Create(a, l) => format!("create {} {l}", a.get()),
            Op::Update(a, l, e) => format!("update {} {l} {e}", a.get()),
            Op::Roles(a, l, r) => format!("roles {} {l} {r}", a.get()),
            Op::Delete(a, l) => format!("delete {} {l}", a.get()),
            Op::Transfer(a, l) => format!("transfer {} {l}", a.get()),
        }
    }
}

/// The crash test's reference: each account's owner and members by login,
/// with their email and role bits.
#[derive(Debug, Clone, Default)]
struct Model {
    accounts: BTreeMap<AccountId, AccountModel>,
    transfers: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct AccountModel {
    owner: String,
    members: BTreeMap<String, (String, u8)>,
    /// Successful operations audited in the account's chain, past its
    /// creation.
    ops: u64,
}

impl Model {
    fn apply(&mut self, op: &Op) {
        let (Op::Create(a, _)
        | Op::Update(a, ..)
        | Op::Roles(a, ..)
        | Op::Delete(a, _)
        | Op::Transfer(a, _)) = op;
        let acct = self.accounts.get_mut(a).unwrap();
        acct.ops += 1;
        match op {
            Op::Create(_, l) => {
                acct.members
                    .insert(l.clone(), (format!("{l}@example.com"), 0));
            }
            Op::Update(_, l, e) => acct.members.get_mut(l).unwrap().0 = e.clone(),
            Op::Roles(_, l, r) => acct.members.get_mut(l).unwrap().1 = *r,
            Op::Delete(_, l) => {
                acct.members.remove(l);
            }
            Op::Transfer(_, l) => {
                let former = std::mem::replace(&mut acct.owner, l.clone());
                acct.members.get_mut(&former).unwrap().1 =
                    RoleSet::ALL.without(Role::ProcurementManager).bits();
                acct.members.get_mut(l).unwrap().1 = RoleSet::ALL.bits();
                self.transfers += 1;
            }
        }
    }

    /// Whether the directory holds exactly this state.
    fn check(&self, d: &Directory) -> Result<(), String> {
        for (acct, m) in &self.accounts {
            let views = d
                .list_contacts(&Actor::System, *acct, None, MAX_PAGE)
                .map_err(|e| e.to_string())?;
            let mut found = AccountModel::default();
            for v in views {
                if v.owner {
                    found.owner = v.login.clone();
                }
                found
                    .members
                    .insert(v.login, (v.profile.email, v.roles.bits()));
            }
            let q = AuditQuery {
                limit: AuditQuery::MAX_LIMIT,
                ..AuditQuery::default()
            };
            found.ops = d
                .audit_entries(&Actor::System, *acct, &q)
                .map_err(|e| e.to_string())?
                .iter()
                .filter(|e| {
                    e.outcome == Outcome::Success
                        && [
                            Operation::ContactCreate,
                            Operation::ContactUpdate,
                            Operation::RolesUpdate,
                            Operation::ContactDelete,
                            Operation::OwnershipTransfer,
                        ]
                        .contains(&e.operation)
                })
                .count() as u64;
            if found != *m {
                return Err(format!("{acct}: expected {m:?}, found {found:?}"));
            }
            let view = d
                .account(&Actor::System, *acct)
                .map_err(|e| e.to_string())?;
            if view.contacts as usize != m.members.len() {
                return Err(format!("{acct}: counts {} contacts", view.contacts));
            }
            match d.verify_audit(&Actor::System, *acct) {
                Ok(AuditVerification::Intact { .. }) => {}
                other => return Err(format!("{acct}: audit chain {other:?}")),
            }
        }
        Ok(())
    }
}

// ----- the children -----

const CHILD_ENV: &str = "CONTACTKEEPER_TEST_CHILD";

/// Starts this test binary again as a child in `role`.
fn spawn_child(role: &str, env: &[(&str, String)]) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "child_process",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
            "-q",
        ])
        .env(CHILD_ENV, role)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// Not a test: the body of the child processes that the tests above start.
/// Run without `CONTACTKEEPER_TEST_CHILD`, it does nothing.
#[test]
#[ignore = "the body of child processes; the tests above run it"]
fn child_process() {
    let Ok(role) = std::env::var(CHILD_ENV) else {
        return;
    };
    let var = |k: &str| std::env::var(k).unwrap();
    let path = PathBuf::from(var("CK_DB"));
    match role.as_str() {
        "locker" => {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch("BEGIN IMMEDIATE").unwrap();
            say("CK locked");
            // Hold the lock until the parent closes our stdin.
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
        }
        "writer" => {
            let acct = AccountId(var("CK_ACCOUNT").parse().unwrap());
            let shared = ContactId(var("CK_SHARED").parse().unwrap());
            let name = var("CK_NAME");
            std::thread::scope(|s| {
                for t in 0..2 {
                    let (path, name) = (&path, &name);
                    s.spawn(move || {
                        let dir = patient_directory(path);
                        for line in write_some(&dir, acct, shared, &format!("{name}t{t}"), 8) {
                            say(&line);
                        }
                    });
                }
            });
        }
        "crasher" => crasher(
            &path,
            &var("CK_ACCOUNTS")
                .split(',')
                .map(|a| AccountId(a.parse().unwrap()))
                .collect::<Vec<_>>(),
            var("CK_SEED").parse().unwrap(),
            var("CK_ROUND").parse().unwrap(),
            var("CK_DURABLE").parse().unwrap(),
        ),
        "prober" => {
            let options = SqliteOptions::default().busy_timeout(Duration::from_secs(60));
            let d = Directory::builder(Arc::new(SqliteStore::open_with(&path, &options).unwrap()))
                .hash_cost(FAST)
                .unwrap()
                .throttle_attempts(PROBE_THROTTLE)
                .unwrap()
                .build();
            for line in std::io::stdin().lock().lines() {
                let line = line.unwrap();
                let (login, password) = line.split_once('\t').unwrap();
                let o = d
                    .sign_in(&SignInRequest {
                        login,
                        password: &Password::new(password),
                        ip: "192.0.2.1".parse().unwrap(),
                        account: None,
                        device_token: None,
                        remember_device: false,
                    })
                    .unwrap();
                say(&format!("CK {}", o.name()));
            }
        }
        other => panic!("unknown child role {other}"),
    }
}

/// One line to the parent, in one write.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    out.write_all(format!("\n{line}\n").as_bytes()).unwrap();
    out.flush().unwrap();
}

/// A child's report in a line of its output (the test harness's own output
/// may share the line).
fn ck(line: &str) -> Option<&str> {
    line.find("CK ").map(|i| &line[i..])
}

/// A notifier that never manages to deliver: each notification stays
/// pending (its attempt recorded), and the parent is told its id.
struct NeverDelivers;

impl Notifier for NeverDelivers {
    fn deliver(&self, n: &Notification) -> Delivery {
        say(&format!("CK N {}", n.id.get()));
        Delivery::RetryLater
    }
}

/// Runs operations until killed: `CK B <op>` before each, `CK D` after it
/// returned.
fn crasher(path: &Path, accounts: &[AccountId], mut seed: u64, round: u32, durable: bool) {
    let options = SqliteOptions::default().durable_commits(durable);
    let dir = Directory::builder(Arc::new(SqliteStore::open_with(path, &options).unwrap()))
        .notifier(Arc::new(NeverDelivers))
        .build();
    for i in 0u32.. {
        let acct = accounts[(xorshift(&mut seed) % accounts.len() as u64) as usize];
        let views = dir
            .list_contacts(&Actor::System, acct, None, MAX_PAGE)
            .unwrap();
        let others: Vec<&ContactView> = views.iter().filter(|v| !v.owner).collect();
        let pick = xorshift(&mut seed);
        let roll = xorshift(&mut seed) % 100;
        let other = (!others.is_empty()).then(|| others[(pick % others.len() as u64) as usize]);
        let op = match (roll, other) {
            (0..40, _) | (_, None) => Op::Create(acct, format!("r{round}n{i}")),
            (40..65, Some(v)) => Op::Update(
                acct,
                v.login.clone(),
                format!("{}.{round}.{i}@example.com", v.login),
            ),
            (65..80, Some(v)) => {
                let bits =
                    (pick >> 8) as u8 & RoleSet::ALL.without(Role::ProcurementManager).bits();
                Op::Roles(acct, v.login.clone(), bits)
            }
            (80..90, Some(v)) => Op::Delete(acct, v.login.clone()),
            (_, Some(v)) => Op::Transfer(acct, v.login.clone()),
        };
        say(&format!("CK B {}", op.line()));
        let id_of = |login: &str| views.iter().find(|v| v.login == login).unwrap().id;
        let done = match &op {
            Op::Create(a, l) => dir
                .create_contact(&Actor::System, *a, &new_contact(l))
                .map(|_| ()),
            Op::Update(a, l, e) => dir
                .update_contact(
                    &Actor::System,
                    *a,
                    id_of(l),
                    &ProfileUpdate {
                        email: Some(e.clone()),
                        ..ProfileUpdate::default()
                    },
                )
                .map(|_| ()),
            Op::Roles(a, l, r) => dir.set_roles(
                &Actor::System,
                *a,
                id_of(l),
                RoleSet::from_bits(*r).unwrap(),
                &TechScope::All,
            ),
            Op::Delete(a, l) => dir.delete_contact(&Actor::System, *a, id_of(l)),
            Op::Transfer(a, l) => {
                // Only the owner transfers ownership (A3).
                let owner = views.iter().find(|v| v.owner).unwrap().id;
                dir.transfer_ownership(&Actor::contact(owner), *a, id_of(l))
            }
        };
        match done {
            Ok(()) => say("CK D"),
            Err(e) => say(&format!("CK F {e}")),
        }
    }
}

fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}
