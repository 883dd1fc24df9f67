//! Criterion benchmarks of the core on the in-memory store: authorization,
//! contact edits at two account sizes, audit export, sign-in costs, and
//! designations (bulk reassignment of 10,000 duties; a milestone next to a
//! contact edit).
//! Figures go to BENCHMARKS.md with the command that produced them.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use contactkeeper::*;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn directory() -> Directory {
    Directory::builder(Arc::new(MemoryStore::new())).build()
}

fn nc(login: &str) -> NewContact {
    NewContact::new(
        login,
        Profile::new(format!("{login} Person"), format!("{login}@example.com")),
    )
}

/// An account with `n` contacts (the owner included) and a plan that
/// includes them all.
fn account_of(dir: &Directory, n: usize) -> (AccountId, ContactId, ContactId) {
    let mut new = NewAccount::new("Bench Corp", nc("owner"));
    new.plan.included_contacts = u32::MAX;
    let created = dir.create_account(&Actor::System, &new).unwrap();
    let mut last = created.owner;
    for i in 1..n {
        last = dir
            .create_contact(&Actor::System, created.account, &nc(&format!("c{i}")))
            .unwrap()
            .contact;
    }
    (created.account, created.owner, last)
}

fn authorization(c: &mut Criterion) {
    let mut g = c.benchmark_group("authorize");
    let access = Access::new(
        Standing::Member,
        RoleSet::of(&[Role::BillingManager, Role::TechnicalAdmin]),
        TechScope::All,
        true,
    );
    g.bench_function("access_allows", |b| {
        b.iter(|| black_box(&access).allows(black_box(Permission::ManageContacts)))
    });
    g.bench_function("access_allows_option", |b| {
        b.iter(|| black_box(&access).allows_option(black_box("reports")))
    });
    let dir = directory();
    let (acct, _, member) = account_of(&dir, 10);
    let actor = Actor::contact(member);
    g.bench_function("directory_authorize", |b| {
        b.iter(|| {
            dir.authorize(black_box(&actor), acct, Permission::ReadAudit)
                .is_ok()
        })
    });
    g.finish();
}

fn contact_edits(c: &mut Criterion) {
    let mut g = c.benchmark_group("contact");
    for n in [10usize, 10_000] {
        let dir = directory();
        let (acct, owner, target) = account_of(&dir, n);
        let actor = Actor::contact(owner);
        let mut flip = false;
        g.bench_with_input(BenchmarkId::new("edit", n), &n, |b, _| {
            b.iter(|| {
                flip = !flip;
                let update = ProfileUpdate {
                    job_title: Some(Some(if flip { "CTO" } else { "CEO" }.into())),
                    ..Default::default()
                };
                dir.update_contact(&actor, acct, target, &update).unwrap()
            })
        });
        let mut i = 0u64;
        g.bench_with_input(BenchmarkId::new("create_and_delete", n), &n, |b, _| {
            b.iter(|| {
                i += 1;
                let id = dir
                    .create_contact(&actor, acct, &nc(&format!("tmp{i}")))
                    .unwrap()
                    .contact;
                dir.delete_contact(&actor, acct, id).unwrap();
            })
        });
    }
    g.finish();
}

fn audit_export(c: &mut Criterion) {
    let mut g = c.benchmark_group("audit");
    g.sample_size(10);
    let dir = directory();
    let (acct, owner, target) = account_of(&dir, 2);
    let actor = Actor::contact(owner);
    // 100,000 entries: edits alternating the job title.
    for i in 0..100_000u32 {
        let update = ProfileUpdate {
            job_title: Some(Some(format!("title {}", i % 2))),
            ..Default::default()
        };
        dir.update_contact(&actor, acct, target, &update).unwrap();
    }
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("export_csv_100000", |b| {
        b.iter(|| {
            dir.export_audit_csv(
                &Actor::System,
                acct,
                &AuditQuery::default(),
                std::io::sink(),
            )
            .unwrap()
        })
    });
    g.bench_function("verify_100000", |b| {
        b.iter(|| dir.verify_audit(&Actor::System, acct).unwrap())
    });
    g.finish();
}

const PW: &str = "Tr0ub4dor&3-zebra";

fn sign(dir: &Directory, login: &str, pw: &Password) -> SignInOutcome {
    dir.sign_in(&SignInRequest {
        login,
        password: pw,
        ip: "192.0.2.1".parse().unwrap(),
        account: None,
        device_token: None,
        remember_device: false,
    })
    .unwrap()
}

fn sign_in(c: &mut Criterion) {
    let mut g = c.benchmark_group("sign_in");
    g.sample_size(20);
    // The default cost (m=19456 KiB, t=2, p=1).
    let dir = directory();
    let created = dir
        .create_account(
            &Actor::System,
            &NewAccount::new("Bench", nc("alice").with_password(Password::new(PW))),
        )
        .unwrap();
    dir.create_contact(
        &Actor::System,
        created.account,
        &nc("locked").with_password(Password::new(PW)),
    )
    .unwrap();
    let right = Password::new(PW);
    let wrong = Password::new("wrong-password-x");
    g.bench_function("right_password", |b| b.iter(|| sign(&dir, "alice", &right)));
    g.bench_function("wrong_password", |b| b.iter(|| sign(&dir, "alice", &wrong)));
    // A new unknown login each time: a login tried too often locks, unknown
    // or not (D5), and a locked one is not hashed (that is `locked_login`).
    let mut n = 0u64;
    g.bench_function("unknown_login", |b| {
        b.iter(|| {
            n += 1;
            sign(&dir, &format!("nobody{n}"), &wrong)
        })
    });
    dir.set_lock_policy(
        &Actor::System,
        created.account,
        Some(LockPolicy { max_attempts: 1 }),
    )
    .unwrap();
    sign(&dir, "locked", &wrong);
    assert!(matches!(
        sign(&dir, "locked", &wrong),
        SignInOutcome::Locked(_)
    ));
    g.sample_size(100);
    g.bench_function("locked_login", |b| b.iter(|| sign(&dir, "locked", &right)));
    g.finish();

    // Two threads on two cores against one: hashing holds no store lock.
    // A directory of its own, with no lock policy, so nobody is locked.
    let mut g = c.benchmark_group("sign_in_threads");
    g.sample_size(10);
    let dir = directory();
    dir.create_account(
        &Actor::System,
        &NewAccount::new("Threads", nc("alice").with_password(Password::new(PW))),
    )
    .unwrap();
    assert!(matches!(
        sign(&dir, "alice", &Password::new(PW)),
        SignInOutcome::SignedIn(_)
    ));
    let dir = Arc::new(dir);
    // The baseline: the same argon2id verification with no directory at
    // all, in one and in two threads. What two threads gain here is what
    // the machine allows; sign-in should gain as much.
    let phc = {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let salt = SaltString::encode_b64(b"benchmark-salt16").unwrap();
        argon2::Argon2::default()
            .hash_password(PW.as_bytes(), &salt)
            .unwrap()
            .to_string()
    };
    let phc = Arc::new(phc);
    for threads in [1usize, 2] {
        g.throughput(Throughput::Elements(8));
        let phc = phc.clone();
        g.bench_with_input(
            BenchmarkId::new("raw_argon2", threads),
            &threads,
            |b, &threads| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let handles: Vec<_> = (0..threads)
                            .map(|_| {
                                let phc = phc.clone();
                                std::thread::spawn(move || {
                                    use argon2::password_hash::{PasswordHash, PasswordVerifier};
                                    let h = PasswordHash::new(&phc).unwrap();
                                    for _ in 0..8 / threads {
                                        argon2::Argon2::default()
                                            .verify_password(PW.as_bytes(), &h)
                                            .unwrap();
                                    }
                                })
                            })
                            .collect();
                        for h in handles {
                            h.join().unwrap();
                        }
                    }
                    start.elapsed()
                })
            },
        );
    }
    for threads in [1usize, 2] {
        g.throughput(Throughput::Elements(8));
        g.bench_with_input(
            BenchmarkId::from_parameter(threads),
            &threads,
            |b, &threads| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let start = Instant::now();
                        let handles: Vec<_> = (0..threads)
                            .map(|_| {
                                let dir = dir.clone();
                                std::thread::spawn(move || {
                                    let pw = Password::new(PW);
                                    for _ in 0..8 / threads {
                                        sign(&dir, "alice", &pw);
                                    }
                                })
                            })
                            .collect();
                        for h in handles {
                            h.join().unwrap();
                        }
                        total += start.elapsed();
                    }
                    total
                })
            },
        );
    }
    g.finish();
}

/// Accepts every notification at once, so that the outbox stays empty.
struct Accepting;

impl Notifier for Accepting {
    fn deliver(&self, _: &Notification) -> Delivery {
        Delivery::Delivered
    }
}

/// A contact holding what a duty needs (H4).
fn eligible(login: &str) -> NewContact {
    let mut n = nc(login);
    n.profile.business_phone = Some("+1 555 0100".into());
    n
}

fn resource(name: String, primary: ContactId, secondary: Option<ContactId>) -> NewResource {
    NewResource {
        kind: "computer".into(),
        name,
        primary,
        secondary,
    }
}

fn designations(c: &mut Criterion) {
    let mut g = c.benchmark_group("designations");
    // SPEC H3: every duty of a contact holding 10,000 moves to another in
    // one commit. The data is built once; each iteration moves all 10,000
    // one way, the next one back.
    let dir = directory();
    let mut new = NewAccount::new("Bench Corp", eligible("owner"));
    new.plan.included_contacts = u32::MAX;
    let acct = dir.create_account(&Actor::System, &new).unwrap().account;
    let [x, y] = ["x", "y"].map(|login| {
        dir.create_contact(&Actor::System, acct, &eligible(login))
            .unwrap()
            .contact
    });
    for i in 0..10_000 {
        dir.add_resource(&Actor::System, acct, &resource(format!("r{i}"), x, None))
            .unwrap();
    }
    let mut from_to = (x, y);
    g.sample_size(10);
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("reassign_10000_duties", |b| {
        b.iter(|| {
            let (from, to) = from_to;
            let moved = dir.reassign_duties(&Actor::System, acct, from, to).unwrap();
            assert_eq!(moved, 10_000);
            from_to = (to, from);
        })
    });

    // SPEC H6: reporting a milestone (one notification, stored and
    // delivered) costs no more than a single contact edit. The notifier
    // accepts on the caller's thread, so that no figure includes starting
    // a delivery thread.
    let dir = Directory::builder(Arc::new(MemoryStore::new()))
        .notifier(Arc::new(Accepting))
        .delivery_timeout(None)
        .build();
    let (acct, owner, target) = account_of(&dir, 10);
    let [primary, secondary] = ["tech1", "tech2"].map(|login| {
        dir.create_contact(&Actor::System, acct, &eligible(login))
            .unwrap()
            .contact
    });
    let web = dir
        .add_resource(
            &Actor::System,
            acct,
            &resource("web-01".into(), primary, Some(secondary)),
        )
        .unwrap();
    g.sample_size(100);
    g.throughput(Throughput::Elements(1));
    g.bench_function("report_milestone", |b| {
        b.iter(|| {
            dir.report_milestone(
                &Actor::System,
                acct,
                black_box(web),
                &Milestone::SoftwareReady,
            )
            .unwrap()
        })
    });
    // The contact edit of the `contact` group (it sends no notification),
    // and one that sends a security notification (I2), as a milestone does.
    let actor = Actor::contact(owner);
    let mut flip = false;
    g.bench_function("contact_edit", |b| {
        b.iter(|| {
            flip = !flip;
            let update = ProfileUpdate {
                job_title: Some(Some(if flip { "CTO" } else { "CEO" }.into())),
                ..Default::default()
            };
            dir.update_contact(&actor, acct, target, &update).unwrap()
        })
    });
    g.bench_function("contact_edit_notified", |b| {
        b.iter(|| {
            flip = !flip;
            let phone = if flip { "+1 555 0101" } else { "+1 555 0102" };
            let update = ProfileUpdate {
                cell_phone: Some(Some(phone.into())),
                ..Default::default()
            };
            dir.update_contact(&actor, acct, target, &update).unwrap()
        })
    });
    assert!(dir.pending_notifications(1).unwrap().is_empty());
    g.finish();
}

criterion_group!(
    benches,
    authorization,
    contact_edits,
    audit_export,
    sign_in,
    designations
);
criterion_main!(benches);
