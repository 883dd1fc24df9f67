//! Sign-in, passwords, sessions, locks, recovery, second factor, security
//! questions and IP rules (SPEC D, E, F, G), through the public API.

mod common;

use std::net::IpAddr;

use common::*;
use contactkeeper::credentials::SessionStage;
use contactkeeper::second_factor::{hotp, totp};
use contactkeeper::*;
use time::Duration;

const PW: &str = "Tr0ub4dor&3-zebra";
const PW2: &str = "violet-Staple-Quartz-42";

fn ip() -> IpAddr {
    "203.0.113.7".parse().unwrap()
}

fn with_pw(login: &str) -> NewContact {
    new_contact(login).with_password(Password::new(PW))
}

/// An account owned by `alice`, with `bob` (contact manager) and `carol`
/// (no role), all with password [`PW`].
fn setup(f: &Fixture) -> (AccountId, ContactId, ContactId, ContactId) {
    let created = f
        .dir
        .create_account(&Actor::System, &NewAccount::new("Acme", with_pw("alice")))
        .unwrap();
    let acct = created.account;
    let bob = f
        .dir
        .create_contact(
            &Actor::System,
            acct,
            &with_pw("bob").with_roles(RoleSet::of(&[Role::ContactManager])),
        )
        .unwrap()
        .contact;
    let carol = f
        .dir
        .create_contact(&Actor::System, acct, &with_pw("carol"))
        .unwrap()
        .contact;
    (acct, created.owner, bob, carol)
}

fn sign(f: &Fixture, login: &str, password: &str) -> SignInOutcome {
    f.dir
        .sign_in(&SignInRequest {
            login,
            password: &Password::new(password),
            ip: ip(),
            account: None,
            device_token: None,
            remember_device: false,
        })
        .unwrap()
}

fn signed_in(o: &SignInOutcome) -> Secret {
    match o {
        SignInOutcome::SignedIn(g) => g.token.clone(),
        other => panic!("expected signed in, got {}", other.name()),
    }
}

fn is_locked(o: &SignInOutcome, kind: LockKind) -> bool {
    matches!(o, SignInOutcome::Locked(m) if m.kind == kind)
}

fn stored_hash(f: &Fixture, id: ContactId) -> String {
    f.store
        .contact(id)
        .unwrap()
        .unwrap()
        .credentials
        .password_hash
        .unwrap()
}

fn secret_sent(f: &Fixture, kind: NotificationKind) -> Secret {
    f.notifier
        .take()
        .into_iter()
        .rev()
        .find(|n| n.kind == kind)
        .and_then(|n| n.secret)
        .expect("a secret was sent")
}

#[test]
fn passwords_are_argon2id_phc_and_upgraded_at_sign_in() {
    // rule D1
    for_each_store(|f| {
        let (_, alice, _, _) = setup(&f);
        let h = stored_hash(&f, alice);
        assert!(h.starts_with("$argon2id$v=19$m=256,t=1,p=1$"), "{h}");
        assert!(!h.contains(PW));
        // The same store behind a directory with a higher cost: the hash is
        // remade at the next successful sign-in, and only then.
        let stronger = Directory::builder(f.store.clone())
            .hash_cost(HashCost {
                m_kib: 512,
                t: 2,
                p: 1,
            })
            .unwrap()
            .build();
        let bad = stronger.sign_in(&SignInRequest {
            login: "alice",
            password: &Password::new("wrong-password-1"),
            ip: ip(),
            account: None,
            device_token: None,
            remember_device: false,
        });
        assert!(matches!(bad.unwrap(), SignInOutcome::InvalidCredentials));
        assert_eq!(stored_hash(&f, alice), h);
        let ok = stronger
            .sign_in(&SignInRequest {
                login: "alice",
                password: &Password::new(PW),
                ip: ip(),
                account: None,
                device_token: None,
                remember_device: false,
            })
            .unwrap();
        signed_in(&ok);
        let upgraded = stored_hash(&f, alice);
        assert!(
            upgraded.starts_with("$argon2id$v=19$m=512,t=2,p=1$"),
            "{upgraded}"
        );
        signed_in(&sign(&f, "alice", PW));
    });
}

#[test]
fn default_cost_is_owasp() {
    // rule D1
    assert_eq!(
        HashCost::default(),
        HashCost {
            m_kib: 19_456,
            t: 2,
            p: 1
        }
    );
}

#[test]
fn phc_from_another_argon2_implementation_verifies() {
    // rule D1: a host migrating hashes made by the reference C
    // implementation (through Python's argon2-cffi 25.1).
    const REFERENCE: &str =
        "$argon2id$v=19$m=64,t=1,p=1$MqPUtQ/eZpu3zkiSibX6kQ$kcZFRDIZZttad5mlJeh3irN2kbgLYXZQI3jvNGA6XTw";
    for_each_store(|f| {
        let (acct, _, _, _) = setup(&f);
        let mut nc = new_contact("migrated");
        nc.password_hash = Some(REFERENCE.into());
        let id = f
            .dir
            .create_contact(&Actor::System, acct, &nc)
            .unwrap()
            .contact;
        assert!(matches!(
            sign(&f, "migrated", "Correct horse battery staple 8"),
            SignInOutcome::InvalidCredentials
        ));
        signed_in(&sign(&f, "migrated", "Correct horse battery staple 9"));
        // Upgraded to this directory's cost on that sign-in.
        assert!(stored_hash(&f, id).starts_with("$argon2id$v=19$m=256,t=1,p=1$"));
        // Malformed PHC strings are refused with a typed error.
        for bad in [
            "",
            "plain",
            "$argon2id$v=19$m=64$nohash",
            "$2b$12$abcdefghijklmnopqrstuv",
            "$argon2id$v=19$m=64,t=1,p=1,m=64$MqPUtQ/eZpu3zkiSibX6kQ$kcZFRDIZZttad5mlJeh3irN2kbgLYXZQI3jvNGA6XTw",
        ] {
            let mut nc = new_contact("broken");
            nc.password_hash = Some(bad.into());
            let e = f.dir.create_contact(&Actor::System, acct, &nc).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::InvalidInput {
                        field: Field::PasswordHash,
                        ..
                    }
                ),
                "{bad}: {e:?}"
            );
        }
    });
}

// rule D1: hashes made by the reference implementations (argon2-cffi,
// Python's bcrypt, Django's PBKDF2 formula; the script that made them is
// beside them) verify as they are, and are upgraded to this directory's
// argon2id at the first successful sign-in.
#[test]
fn legacy_hashes_verify_and_are_upgraded_at_the_first_sign_in() {
    let fixtures: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("fixtures/legacy_hashes.json")).unwrap();
    assert!(fixtures.len() >= 15);
    for_each_store(|f| {
        let (acct, _, _, _) = setup(&f);
        for (i, fx) in fixtures.iter().enumerate() {
            let (kind, password, hash) = (
                fx["kind"].as_str().unwrap(),
                fx["password"].as_str().unwrap(),
                fx["hash"].as_str().unwrap(),
            );
            let login = format!("migrated{i}");
            let mut nc = new_contact(&login);
            nc.password_hash = Some(hash.into());
            let id = f
                .dir
                .create_contact(&Actor::System, acct, &nc)
                .unwrap()
                .contact;
            assert_eq!(stored_hash(&f, id), hash, "{kind}");
            assert!(
                matches!(
                    sign(&f, &login, "not the password"),
                    SignInOutcome::InvalidCredentials
                ),
                "{kind}"
            );
            assert_eq!(stored_hash(&f, id), hash, "{kind}: kept after a failure");
            let o = sign(&f, &login, password);
            assert!(
                matches!(o, SignInOutcome::SignedIn(_)),
                "{kind} {hash}: {}",
                o.name()
            );
            let upgraded = stored_hash(&f, id);
            assert!(
                upgraded.starts_with("$argon2id$v=19$m=256,t=1,p=1$"),
                "{kind}: {upgraded}"
            );
            signed_in(&sign(&f, &login, password));
        }
    });
}

// rule D1: an import beyond the bounds is refused at once, with a typed
// error, and nothing is stored.
#[test]
fn costly_imports_are_refused_and_change_nothing() {
    for_each_store(|f| {
        let (acct, _, _, _) = setup(&f);
        let before = f
            .dir
            .list_contacts(&Actor::System, acct, None, 100)
            .unwrap()
            .len();
        for hash in [
            "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNo",
            "$2b$31$wSJyXzsSX2GgBvdc9L35muwFU0kZqnjjSahY1Iwfd8CeJRmlxDdPK",
            "pbkdf2_sha256$1000000000$salt$7XXVUS/P72Ldk1WnkbSk+N2FTA6qKHapYLmjhMp6ZR0=",
        ] {
            let mut nc = new_contact("costly");
            nc.password_hash = Some(hash.into());
            let e = f.dir.create_contact(&Actor::System, acct, &nc).unwrap_err();
            assert_eq!(
                e,
                Error::InvalidInput {
                    field: Field::PasswordHash,
                    problem: Problem::OutOfRange
                },
                "{hash}"
            );
        }
        let after = f
            .dir
            .list_contacts(&Actor::System, acct, None, 100)
            .unwrap()
            .len();
        assert_eq!(before, after);
    });
}

#[test]
fn password_policy_refuses_weak_passwords_with_typed_errors() {
    // rule D2
    for_each_store(|f| {
        let (acct, _, _, _) = setup(&f);
        let cases: Vec<(String, Problem)> = vec![
            ("".into(), Problem::TooShort { min: 8 }),
            ("short7!".into(), Problem::TooShort { min: 8 }),
            ("x".repeat(10_000), Problem::TooLong { max: 128 }),
            ("x".repeat(129), Problem::TooLong { max: 128 }),
            ("baseball".into(), Problem::CommonPassword),
            ("Password1".into(), Problem::CommonPassword),
            ("iloveyou".into(), Problem::CommonPassword),
            ("my-newbie-secret".into(), Problem::ContainsLogin),
        ];
        for (pw, problem) in cases {
            let before = f.audit_len(acct);
            let e = f
                .dir
                .create_contact(
                    &Actor::System,
                    acct,
                    &new_contact("newbie").with_password(Password::new(pw.clone())),
                )
                .unwrap_err();
            assert_eq!(
                e,
                Error::InvalidInput {
                    field: Field::Password,
                    problem
                },
                "{}",
                pw.len()
            );
            assert_eq!(e.rule(), Some("D2"));
            // Refused, changed nothing, audited without the password.
            assert_eq!(f.audit_len(acct), before + 1);
            let last = f.last_audit(acct);
            assert_eq!(last.outcome, Outcome::Refused(ErrorCode::InvalidInput));
            assert!(pw.len() < 4 || !last.detail.unwrap_or_default().contains(&pw));
        }
        assert!(!f.dir.check_login(&Actor::System, acct, "newbie").unwrap());
        // 128 characters exactly is fine, and never truncated: one more
        // character typed at sign-in is a different password.
        let long = format!(
            "{}Z",
            "correct-horse-"
                .repeat(10)
                .chars()
                .take(127)
                .collect::<String>()
        );
        assert_eq!(long.chars().count(), 128);
        f.dir
            .create_contact(
                &Actor::System,
                acct,
                &new_contact("longpw").with_password(Password::new(long.clone())),
            )
            .unwrap();
        signed_in(&sign(&f, "longpw", &long));
        assert!(matches!(
            sign(&f, "longpw", &format!("{long}!")),
            SignInOutcome::InvalidCredentials
        ));
    });
}

#[test]
fn passwords_compare_in_nfkc() {
    // rule D2: Unicode NFKC, so a full-width form is the same password.
    for_each_store(|f| {
        let (acct, _, _, _) = setup(&f);
        f.dir
            .create_contact(
                &Actor::System,
                acct,
                &new_contact("wide").with_password(Password::new("ｆｕｌｌｗｉｄｔｈ-Pass-77")),
            )
            .unwrap();
        signed_in(&sign(&f, "wide", "fullwidth-Pass-77"));
    });
}

#[test]
fn password_bytes_api_refuses_invalid_utf8_and_nul() {
    // rule D2, K2
    assert!(matches!(
        Password::from_bytes(b"abc\xff\xfedefgh"),
        Err(Error::InvalidInput {
            field: Field::Password,
            problem: Problem::Malformed
        })
    ));
    assert!(matches!(
        Password::from_bytes(b"abcd\0efgh"),
        Err(Error::InvalidInput {
            field: Field::Password,
            problem: Problem::ControlCharacter
        })
    ));
    assert_eq!(
        Password::from_bytes("héllo-wörld-9".as_bytes())
            .unwrap()
            .expose(),
        "héllo-wörld-9"
    );
    assert_eq!(format!("{:?}", Password::new(PW)), "Password(<redacted>)");
}

#[test]
fn the_last_five_passwords_cannot_be_reused() {
    // rule D2
    for_each_store(|f| {
        let (acct, _, _, carol) = setup(&f);
        let mut current = PW.to_string();
        let mut used = vec![current.clone()];
        for i in 0..5 {
            let next = format!("rotation-{i}-Quartz-zebra");
            f.dir
                .change_password(
                    &c(carol),
                    acct,
                    &Password::new(current.clone()),
                    &Password::new(next.clone()),
                )
                .unwrap();
            used.push(next.clone());
            current = next;
        }
        // The current one and the four before it are refused; the sixth-last is allowed again.
        for old in used.iter().rev().take(5) {
            let e = f
                .dir
                .change_password(
                    &c(carol),
                    acct,
                    &Password::new(current.clone()),
                    &Password::new(old.clone()),
                )
                .unwrap_err();
            assert_eq!(
                e,
                Error::InvalidInput {
                    field: Field::Password,
                    problem: Problem::RecentlyUsed
                }
            );
        }
        f.dir
            .change_password(
                &c(carol),
                acct,
                &Password::new(current),
                &Password::new(used[0].clone()),
            )
            .unwrap();
    });
}

#[test]
fn tightened_policy_applies_at_next_change_and_everyone_can_be_made_to_change() {
    // rule D2
    for_each_store(|f| {
        let (acct, alice, _, carol) = setup(&f);
        let strict = PasswordPolicy {
            min_length: 20,
            history: 5,
        };
        // Only security managers and the owner.
        let e = f
            .dir
            .set_password_policy(&c(carol), acct, strict)
            .unwrap_err();
        assert_eq!(
            e,
            Error::PermissionDenied {
                permission: Permission::ManageSecurityPolicies
            }
        );
        // It can only be tightened.
        let e = f
            .dir
            .set_password_policy(
                &c(alice),
                acct,
                PasswordPolicy {
                    min_length: 6,
                    history: 5,
                },
            )
            .unwrap_err();
        assert!(matches!(
            e,
            Error::InvalidInput {
                field: Field::PasswordPolicy,
                ..
            }
        ));
        f.dir.set_password_policy(&c(alice), acct, strict).unwrap();
        // Existing passwords still work…
        signed_in(&sign(&f, "carol", PW));
        // …and the next change must meet it.
        let e = f
            .dir
            .change_password(
                &c(carol),
                acct,
                &Password::new(PW),
                &Password::new("violet-Staple-42"),
            )
            .unwrap_err();
        assert_eq!(
            e,
            Error::InvalidInput {
                field: Field::Password,
                problem: Problem::TooShort { min: 20 }
            }
        );
        f.dir
            .change_password(
                &c(carol),
                acct,
                &Password::new(PW),
                &Password::new("a-much-longer-passphrase-4"),
            )
            .unwrap();
        // Everyone must change at next sign-in.
        f.clock.advance(Duration::seconds(1));
        f.dir.require_password_change(&c(alice), acct).unwrap();
        assert!(matches!(
            sign(&f, "alice", PW),
            SignInOutcome::PasswordChangeRequired(_)
        ));
        assert!(matches!(
            sign(&f, "carol", "a-much-longer-passphrase-4"),
            SignInOutcome::PasswordChangeRequired(_)
        ));
    });
}

#[test]
fn passwords_expire_after_365_days() {
    // rule D3
    for_each_store(|f| {
        setup(&f);
        f.clock.advance(Duration::days(365) - Duration::seconds(1));
        signed_in(&sign(&f, "carol", PW));
        f.clock.advance(Duration::seconds(1));
        let o = sign(&f, "carol", PW);
        let SignInOutcome::PasswordChangeRequired(g) = o else {
            panic!("{}", o.name())
        };
        let o = f
            .dir
            .change_password_with_session(&g.token, &Password::new(PW), &Password::new(PW2))
            .unwrap();
        signed_in(&o);
        signed_in(&sign(&f, "carol", PW2));
    });
}

#[test]
fn reset_at_next_login_gives_a_session_that_can_only_change_the_password() {
    // rule D4
    for_each_store(|f| {
        let (acct, alice, bob, carol) = setup(&f);
        f.dir
            .set_must_change_password(&c(bob), acct, carol, true)
            .unwrap();
        // A manager cannot set it on the owner (A6).
        assert_eq!(
            f.dir
                .set_must_change_password(&c(bob), acct, alice, true)
                .unwrap_err()
                .rule(),
            Some("A6")
        );
        let o = sign(&f, "carol", PW);
        let SignInOutcome::PasswordChangeRequired(g) = o else {
            panic!("{}", o.name())
        };
        assert_eq!(g.stage, SessionStage::PasswordChange);
        let info = f.dir.authenticate(&g.token).unwrap();
        assert_eq!(
            info.actor().unwrap_err(),
            Error::Unauthenticated {
                reason: AuthFailure::StepRequired
            }
        );
        assert!(f.dir.session_actor(&g.token).is_err());
        // The change asks for the current password (D8).
        let e = f
            .dir
            .change_password_with_session(
                &g.token,
                &Password::new("not-the-password"),
                &Password::new(PW2),
            )
            .unwrap_err();
        assert_eq!(e, Error::InvalidCredentials);
        let o = f
            .dir
            .change_password_with_session(&g.token, &Password::new(PW), &Password::new(PW2))
            .unwrap();
        let token = signed_in(&o);
        assert_eq!(f.dir.session_actor(&token).unwrap(), Actor::Contact(carol));
        // The old session ended with the change (D8).
        assert_eq!(
            f.dir.authenticate(&g.token).unwrap_err(),
            Error::Unauthenticated {
                reason: AuthFailure::Revoked
            }
        );
    });
}

#[test]
fn unknown_login_and_wrong_password_answer_alike_and_both_lock() {
    // rule D5: every login is under the directory-wide throttle, so an
    // unknown login answers as a real one whose accounts have no policy,
    // at every attempt.
    for_each_store(|f| {
        setup(&f);
        for i in 0..signin::throttle::THROTTLE_ATTEMPTS {
            for login in ["carol", "nobody-here"] {
                let o = sign(&f, login, "wrong-password-x");
                assert!(
                    matches!(o, SignInOutcome::InvalidCredentials),
                    "attempt {i} on {login}: {}",
                    o.name()
                );
            }
        }
        // Past the bound, both answer locked, with an end time, even with
        // the right password.
        let real = sign(&f, "carol", PW);
        let ghost = sign(&f, "nobody-here", PW);
        for o in [&real, &ghost] {
            let SignInOutcome::Locked(m) = o else {
                panic!("{}", o.name())
            };
            assert_eq!(m.kind, LockKind::Automatic);
            assert_eq!(m.until, Some(m.since + Duration::minutes(30)));
        }
        // After the cool-off both may try again.
        f.clock.advance(Duration::minutes(30));
        assert!(matches!(sign(&f, "carol", PW), SignInOutcome::SignedIn(_)));
        assert!(matches!(
            sign(&f, "nobody-here", PW),
            SignInOutcome::InvalidCredentials
        ));
        // A malformed login is just another unknown login.
        assert!(matches!(
            sign(&f, "bad login\u{7}", PW),
            SignInOutcome::InvalidCredentials
        ));
        // The directory's chain records unknown-login attempts without the login typed.
        let entries = f
            .dir
            .directory_audit_entries(&Actor::System, &AuditQuery::default())
            .unwrap();
        assert!(entries.iter().all(
            |e| e.target.is_none() && !e.detail.clone().unwrap_or_default().contains("nobody")
        ));
        assert!(entries.len() >= 6);
    });
}

// rule D5, E1: an account's lock policy tightens the throttle for its
// contacts; the host may tighten the throttle for every login.
#[test]
fn a_lock_policy_and_the_host_tighten_the_throttle() {
    for (_, store) in stores() {
        let f = Fixture::tuned(store, |b| b.throttle_attempts(3).unwrap());
        let (acct, alice, _, _) = setup(&f);
        for login in ["carol", "nobody-here"] {
            for _ in 0..3 {
                assert!(matches!(
                    sign(&f, login, "wrong-password-x"),
                    SignInOutcome::InvalidCredentials
                ));
            }
            assert!(matches!(sign(&f, login, PW), SignInOutcome::Locked(_)));
        }
        f.clock.advance(Duration::minutes(30));
        f.dir
            .set_lock_policy(&c(alice), acct, Some(LockPolicy { max_attempts: 1 }))
            .unwrap();
        sign(&f, "carol", "wrong-password-x");
        assert!(matches!(sign(&f, "carol", PW), SignInOutcome::Locked(_)));
    }
    for bad in [0, signin::throttle::THROTTLE_ATTEMPTS + 1] {
        let r = Directory::builder(std::sync::Arc::new(MemoryStore::new())).throttle_attempts(bad);
        assert_eq!(r.err().map(|e| e.code()), Some(ErrorCode::InvalidInput));
    }
}

// rule D5, D9: the throttle's state is the store's: two directories on one
// store (two processes, or one restarted) see the same counts.
#[test]
fn two_directories_on_one_store_share_the_throttle() {
    for (_, store) in stores() {
        let one = Fixture::tuned(store.clone(), |b| b.throttle_attempts(4).unwrap());
        setup(&one);
        let two = Fixture::tuned(store, |b| b.throttle_attempts(4).unwrap());
        for login in ["carol", "nobody-here"] {
            for i in 0..4 {
                let f = if i % 2 == 0 { &one } else { &two };
                assert!(matches!(
                    sign(f, login, "wrong-password-x"),
                    SignInOutcome::InvalidCredentials
                ));
            }
            for f in [&one, &two] {
                assert!(
                    matches!(sign(f, login, PW), SignInOutcome::Locked(_)),
                    "{login}"
                );
            }
        }
        // Expired records are purged, and only those, a window after they
        // expired.
        assert_eq!(one.dir.purge_throttle().unwrap(), 0);
        one.clock.advance(Duration::minutes(31));
        assert_eq!(one.dir.purge_throttle().unwrap(), 0);
        one.clock.advance(Duration::minutes(30));
        assert_eq!(one.dir.purge_throttle().unwrap(), 2);
    }
}

#[test]
fn shared_contacts_name_the_account_and_ip_rules_apply_per_account() {
    // rule D5, G1
    for_each_store(|f| {
        let (acct, alice, _, _) = setup(&f);
        let other = f
            .dir
            .create_account(&Actor::System, &NewAccount::new("Other", with_pw("olga")))
            .unwrap();
        f.dir
            .add_existing_contact(
                &Actor::System,
                other.account,
                "alice",
                RoleSet::EMPTY,
                &TechScope::All,
            )
            .map(|added| f.accepted(other.account, added))
            .unwrap();
        let o = sign(&f, "alice", PW);
        let SignInOutcome::AccountRequired(list) = o else {
            panic!("{}", o.name())
        };
        assert_eq!(list.len(), 2);
        let named = |account| {
            f.dir
                .sign_in(&SignInRequest {
                    login: "alice",
                    password: &Password::new(PW),
                    ip: ip(),
                    account: Some(account),
                    device_token: None,
                    remember_device: false,
                })
                .unwrap()
        };
        assert_eq!(named(acct).session().unwrap().account, acct);
        // An allowlist in one account refuses sign-in there, audited.
        f.dir
            .set_ip_allowlist(
                &c(alice),
                acct,
                &["198.51.100.0/24"],
                "198.51.100.9".parse().unwrap(),
            )
            .unwrap();
        assert!(matches!(named(acct), SignInOutcome::IpNotAllowed));
        let last = f.last_audit(acct);
        assert_eq!(
            (last.operation, last.outcome),
            (
                Operation::SignIn,
                Outcome::Refused(ErrorCode::Unauthenticated)
            )
        );
        assert_eq!(
            named(other.account).session().unwrap().account,
            other.account
        );
        // An account the login does not belong to answers like a wrong password.
        let stranger = f
            .dir
            .create_account(&Actor::System, &NewAccount::new("Third", with_pw("tom")))
            .unwrap();
        assert!(matches!(
            named(stranger.account),
            SignInOutcome::InvalidCredentials
        ));
    });
}

#[test]
fn sessions_are_hashed_expire_and_end_with_changes() {
    // rule D8
    for_each_store(|f| {
        let (acct, alice, bob, carol) = setup(&f);
        let token = signed_in(&sign(&f, "carol", PW));
        assert_eq!(token.expose().len(), 64);
        assert_eq!(format!("{token:?}"), "Secret(<redacted>)");
        let info = f.dir.authenticate(&token).unwrap();
        assert_eq!(
            (info.contact, info.account, info.stage),
            (carol, acct, SessionStage::Full)
        );
        assert!(f.dir.authenticate(&Secret::new("garbage")).is_err());
        assert_eq!(
            f.dir.authenticate(&Secret::new("")).unwrap_err(),
            Error::Unauthenticated {
                reason: AuthFailure::InvalidToken
            }
        );
        // Idle lifetime: 30 minutes without use.
        f.clock.advance(Duration::minutes(29));
        f.dir.authenticate(&token).unwrap();
        f.clock.advance(Duration::minutes(29));
        f.dir.authenticate(&token).unwrap();
        f.clock.advance(Duration::minutes(31));
        assert_eq!(
            f.dir.authenticate(&token).unwrap_err(),
            Error::Unauthenticated {
                reason: AuthFailure::Expired
            }
        );
        // Absolute lifetime: 12 hours however used.
        let token = signed_in(&sign(&f, "carol", PW));
        for _ in 0..25 {
            f.clock.advance(Duration::minutes(29));
            let _ = f.dir.authenticate(&token);
        }
        assert_eq!(
            f.dir.authenticate(&token).unwrap_err(),
            Error::Unauthenticated {
                reason: AuthFailure::Expired
            }
        );
        // A password change ends every session.
        let t1 = signed_in(&sign(&f, "carol", PW));
        f.dir
            .change_password(&c(carol), acct, &Password::new(PW), &Password::new(PW2))
            .unwrap();
        assert_eq!(
            f.dir.authenticate(&t1).unwrap_err(),
            Error::Unauthenticated {
                reason: AuthFailure::Revoked
            }
        );
        // A manual lock ends it; an unlock does not bring it back.
        let t2 = signed_in(&sign(&f, "carol", PW2));
        f.dir.lock_contact(&c(bob), acct, carol).unwrap();
        assert!(f.dir.authenticate(&t2).is_err());
        f.dir.unlock_contact(&c(bob), acct, carol).unwrap();
        assert_eq!(
            f.dir.authenticate(&t2).unwrap_err(),
            Error::Unauthenticated {
                reason: AuthFailure::Revoked
            }
        );
        // Permissions are read at every operation, never cached in the session.
        let t3 = signed_in(&sign(&f, "bob", PW));
        let bob_actor = f.dir.session_actor(&t3).unwrap();
        f.dir
            .create_contact(&bob_actor, acct, &new_contact("dave"))
            .unwrap();
        f.dir
            .set_roles(&c(alice), acct, bob, RoleSet::EMPTY, &TechScope::All)
            .unwrap();
        let bob_actor = f.dir.session_actor(&t3).unwrap();
        assert_eq!(
            f.dir
                .create_contact(&bob_actor, acct, &new_contact("erin"))
                .unwrap_err(),
            Error::PermissionDenied {
                permission: Permission::ManageContacts
            }
        );
        // Deletion ends sessions; so does sign-out.
        let t4 = signed_in(&sign(&f, "carol", PW2));
        f.dir.delete_contact(&c(alice), acct, carol).unwrap();
        assert_eq!(
            f.dir.authenticate(&t4).unwrap_err(),
            Error::Unauthenticated {
                reason: AuthFailure::Revoked
            }
        );
        f.dir.sign_out(&t3).unwrap();
        assert_eq!(
            f.dir.authenticate(&t3).unwrap_err(),
            Error::Unauthenticated {
                reason: AuthFailure::InvalidToken
            }
        );
        f.dir.sign_out(&t3).unwrap();
    });
}

#[test]
fn own_email_change_asks_for_the_current_password() {
    // rule D8
    for_each_store(|f| {
        let (acct, _, _, carol) = setup(&f);
        let change = |pw: Option<&str>| ProfileUpdate {
            email: Some("carol@new.example".into()),
            current_password: pw.map(Password::new),
            ..Default::default()
        };
        assert_eq!(
            f.dir
                .update_contact(&c(carol), acct, carol, &change(None))
                .unwrap_err(),
            Error::InvalidCredentials
        );
        assert_eq!(
            f.dir
                .update_contact(&c(carol), acct, carol, &change(Some("nope-nope-1")))
                .unwrap_err(),
            Error::InvalidCredentials
        );
        assert_eq!(
            f.dir
                .update_contact(&c(carol), acct, carol, &change(Some(PW)))
                .unwrap(),
            vec![Field::Email]
        );
        // Other fields need no password.
        let title = ProfileUpdate {
            job_title: Some(Some("CTO".into())),
            ..Default::default()
        };
        f.dir
            .update_contact(&c(carol), acct, carol, &title)
            .unwrap();
    });
}

#[test]
fn lock_policy_locks_after_the_allowed_attempts_for_thirty_minutes() {
    // rule E1, E2, E3
    for_each_store(|f| {
        let (acct, alice, bob, _) = setup(&f);
        // Without the policy, failures are counted but never lock.
        for _ in 0..8 {
            sign(&f, "carol", "wrong-password-x");
        }
        signed_in(&sign(&f, "carol", PW));
        // Only security managers and the owner enable it (E1).
        assert!(f
            .dir
            .set_lock_policy(&c(bob), acct, Some(LockPolicy::default()))
            .is_err());
        assert!(matches!(
            f.dir
                .set_lock_policy(&c(alice), acct, Some(LockPolicy { max_attempts: 0 }))
                .unwrap_err(),
            Error::InvalidInput {
                field: Field::LockPolicy,
                ..
            }
        ));
        f.dir
            .set_lock_policy(&c(alice), acct, Some(LockPolicy { max_attempts: 3 }))
            .unwrap();
        for _ in 0..3 {
            assert!(matches!(
                sign(&f, "carol", "wrong-password-x"),
                SignInOutcome::InvalidCredentials
            ));
        }
        // Locked: the right password is not even checked (E3).
        assert!(is_locked(&sign(&f, "carol", PW), LockKind::Automatic));
        f.clock.advance(Duration::minutes(29));
        assert!(is_locked(&sign(&f, "carol", PW), LockKind::Automatic));
        // After the cool-off, a fresh count.
        f.clock.advance(Duration::minutes(1));
        assert!(matches!(
            sign(&f, "carol", "wrong-password-x"),
            SignInOutcome::InvalidCredentials
        ));
        signed_in(&sign(&f, "carol", PW));
        // A success resets the count.
        for _ in 0..2 {
            sign(&f, "carol", "wrong-password-x");
        }
        signed_in(&sign(&f, "carol", PW));
        for _ in 0..2 {
            sign(&f, "carol", "wrong-password-x");
        }
        signed_in(&sign(&f, "carol", PW));
    });
}

#[test]
fn the_strictest_policy_of_a_shared_contacts_accounts_applies() {
    // rule E2
    for_each_store(|f| {
        let (acct, alice, _, _) = setup(&f);
        let other = f
            .dir
            .create_account(&Actor::System, &NewAccount::new("Other", with_pw("olga")))
            .unwrap();
        f.dir
            .add_existing_contact(
                &Actor::System,
                other.account,
                "carol",
                RoleSet::EMPTY,
                &TechScope::All,
            )
            .map(|added| f.accepted(other.account, added))
            .unwrap();
        f.dir
            .set_lock_policy(&c(alice), acct, Some(LockPolicy { max_attempts: 6 }))
            .unwrap();
        f.dir
            .set_lock_policy(
                &c(other.owner),
                other.account,
                Some(LockPolicy { max_attempts: 2 }),
            )
            .unwrap();
        sign(&f, "carol", "wrong-password-x");
        sign(&f, "carol", "wrong-password-x");
        assert!(is_locked(&sign(&f, "carol", PW), LockKind::Automatic));
    });
}

#[test]
fn a_reset_ends_an_automatic_lock_but_not_a_manual_one() {
    // rule E4, E6
    for_each_store(|f| {
        let (acct, alice, bob, carol) = setup(&f);
        f.dir
            .set_lock_policy(&c(alice), acct, Some(LockPolicy { max_attempts: 2 }))
            .unwrap();
        sign(&f, "carol", "wrong-password-x");
        sign(&f, "carol", "wrong-password-x");
        assert!(is_locked(&sign(&f, "carol", PW), LockKind::Automatic));
        f.dir
            .request_password_reset("carol", RecoveryChannel::Email)
            .unwrap();
        let secret = secret_sent(&f, NotificationKind::PasswordReset);
        f.dir
            .complete_password_reset("carol", &secret, &Password::new(PW2))
            .unwrap();
        signed_in(&sign(&f, "carol", PW2));
        // A manual lock is not ended by a reset.
        f.dir.lock_contact(&c(bob), acct, carol).unwrap();
        assert!(is_locked(&sign(&f, "carol", PW2), LockKind::Manual));
        f.dir
            .request_password_reset("carol", RecoveryChannel::Email)
            .unwrap();
        let secret = secret_sent(&f, NotificationKind::PasswordReset);
        f.dir
            .complete_password_reset("carol", &secret, &Password::new("third-Passphrase-99"))
            .unwrap();
        assert!(is_locked(
            &sign(&f, "carol", "third-Passphrase-99"),
            LockKind::Manual
        ));
        // No cool-off for a manual lock.
        f.clock.advance(Duration::days(3));
        assert!(is_locked(
            &sign(&f, "carol", "third-Passphrase-99"),
            LockKind::Manual
        ));
        f.dir.unlock_contact(&c(bob), acct, carol).unwrap();
        signed_in(&sign(&f, "carol", "third-Passphrase-99"));
    });
}

#[test]
fn managers_lock_and_unlock_by_hand_per_membership_and_listings_show_padlocks() {
    // rule E5, E6, E7
    for_each_store(|f| {
        let (acct, alice, bob, carol) = setup(&f);
        // A contact without a manager role cannot lock; nobody locks the owner.
        assert!(f.dir.lock_contact(&c(carol), acct, bob).is_err());
        assert_eq!(
            f.dir.lock_contact(&c(bob), acct, alice).unwrap_err().rule(),
            Some("A6")
        );
        let other = f
            .dir
            .create_account(&Actor::System, &NewAccount::new("Other", with_pw("olga")))
            .unwrap();
        f.dir
            .add_existing_contact(
                &Actor::System,
                other.account,
                "carol",
                RoleSet::EMPTY,
                &TechScope::All,
            )
            .map(|added| f.accepted(other.account, added))
            .unwrap();
        f.dir.lock_contact(&c(bob), acct, carol).unwrap();
        let view = f.dir.contact(&c(bob), acct, carol).unwrap();
        let mark = view.lock.unwrap();
        assert_eq!(
            (mark.kind, mark.since, mark.until),
            (LockKind::Manual, f.clock.now(), None)
        );
        // The manual lock is this membership's only.
        assert!(f
            .dir
            .contact(&Actor::System, other.account, carol)
            .unwrap()
            .lock
            .is_none());
        let named = |account| {
            f.dir
                .sign_in(&SignInRequest {
                    login: "carol",
                    password: &Password::new(PW),
                    ip: ip(),
                    account: Some(account),
                    device_token: None,
                    remember_device: false,
                })
                .unwrap()
        };
        assert!(is_locked(&named(acct), LockKind::Manual));
        assert!(named(other.account).session().is_some());
        // An automatic lock shows with its end.
        f.dir.unlock_contact(&c(bob), acct, carol).unwrap();
        f.dir
            .set_lock_policy(&c(alice), acct, Some(LockPolicy { max_attempts: 1 }))
            .unwrap();
        sign(&f, "bob", "wrong-password-x");
        let list = f.dir.list_contacts(&c(alice), acct, None, 10).unwrap();
        let locked: Vec<_> = list
            .iter()
            .filter_map(|v| v.lock.map(|m| (v.id, m.kind, m.until)))
            .collect();
        assert_eq!(
            locked,
            vec![(
                bob,
                LockKind::Automatic,
                Some(f.clock.now() + Duration::minutes(30))
            )]
        );
        f.dir.unlock_contact(&c(alice), acct, bob).unwrap();
        assert!(f.dir.contact(&c(alice), acct, bob).unwrap().lock.is_none());
        signed_in(&sign(&f, "bob", PW));
    });
}

#[test]
fn an_automatic_lock_is_audited_in_every_account_and_notified() {
    // rule E9
    for_each_store(|f| {
        let (acct, alice, _, carol) = setup(&f);
        let other = f
            .dir
            .create_account(&Actor::System, &NewAccount::new("Other", with_pw("olga")))
            .unwrap();
        f.dir
            .add_existing_contact(
                &Actor::System,
                other.account,
                "carol",
                RoleSet::EMPTY,
                &TechScope::All,
            )
            .map(|added| f.accepted(other.account, added))
            .unwrap();
        f.dir
            .set_lock_policy(&c(alice), acct, Some(LockPolicy { max_attempts: 2 }))
            .unwrap();
        f.notifier.take();
        sign(&f, "carol", "wrong-password-x");
        sign(&f, "carol", "wrong-password-x");
        for a in [acct, other.account] {
            let q = AuditQuery {
                operation: Some(Operation::AutoLock),
                ..Default::default()
            };
            let entries = f.dir.audit_entries(&Actor::System, a, &q).unwrap();
            assert_eq!(entries.len(), 1, "auto lock audited once in {a}");
            assert_eq!(entries[0].target, Some(carol.to_string()));
        }
        let sent = f.notifier.take();
        let notices: Vec<_> = sent
            .iter()
            .filter(|n| n.kind == NotificationKind::Security && n.recipient == carol)
            .collect();
        assert_eq!(notices.len(), 1);
        assert!(!notices[0].body.contains(PW));
        // Further attempts while locked do not notify again.
        sign(&f, "carol", PW);
        assert!(f.notifier.take().is_empty());
    });
}

#[test]
fn parallel_wrong_attempts_never_get_more_checks_than_allowed() {
    // rule D9
    for (_, store) in stores() {
        let f = Fixture::on(store);
        let (acct, alice, _, _) = setup(&f);
        f.dir
            .set_lock_policy(&c(alice), acct, Some(LockPolicy { max_attempts: 5 }))
            .unwrap();
        let dir = std::sync::Arc::new(f.dir);
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let dir = dir.clone();
                std::thread::spawn(move || {
                    (0..6)
                        .map(|_| {
                            dir.sign_in(&SignInRequest {
                                login: "carol",
                                password: &Password::new("wrong-password-x"),
                                ip: ip(),
                                account: None,
                                device_token: None,
                                remember_device: false,
                            })
                            .unwrap()
                        })
                        .filter(|o| matches!(o, SignInOutcome::InvalidCredentials))
                        .count()
                })
            })
            .collect();
        // Every InvalidCredentials answer means a password was checked.
        let checked: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(
            checked, 5,
            "48 parallel attempts reached {checked} password checks"
        );
    }
}

#[test]
fn password_reset_secrets_are_single_use_expire_and_void_each_other() {
    // rule D6, B4
    for_each_store(|f| {
        let (acct, _, _, carol) = setup(&f);
        // Unknown logins and missing channels answer the same, and send nothing.
        f.notifier.take();
        f.dir
            .request_password_reset("nobody-here", RecoveryChannel::Email)
            .unwrap();
        f.dir
            .request_password_reset("carol", RecoveryChannel::AlternateEmail)
            .unwrap();
        f.dir
            .request_password_reset("bad login\u{0}", RecoveryChannel::Email)
            .unwrap();
        assert!(f
            .notifier
            .take()
            .iter()
            .all(|n| n.kind != NotificationKind::PasswordReset));
        // Email: a 128-bit secret, never stored in the outbox.
        f.dir
            .request_password_reset("carol", RecoveryChannel::Email)
            .unwrap();
        let sent = f.notifier.take();
        let n = sent
            .iter()
            .find(|n| n.kind == NotificationKind::PasswordReset)
            .unwrap();
        assert_eq!(n.to, vec!["carol@example.com".to_string()]);
        let first = n.secret.clone().unwrap();
        assert_eq!(first.expose().len(), 32);
        assert!(format!("{n:?}").contains("redacted"));
        assert!(!format!("{n:?}").contains(first.expose()));
        assert!(f.dir.pending_notifications(100).unwrap().iter().all(|i| i
            .notification
            .secret
            .is_none()
            && !i.notification.body.contains(first.expose())));
        // A new one voids the old.
        f.dir
            .request_password_reset("carol", RecoveryChannel::Email)
            .unwrap();
        let second = secret_sent(&f, NotificationKind::PasswordReset);
        let invalid = Error::Unauthenticated {
            reason: AuthFailure::InvalidSecret,
        };
        assert_eq!(
            f.dir
                .complete_password_reset("carol", &first, &Password::new(PW2))
                .unwrap_err(),
            invalid
        );
        // A refused new password leaves the secret usable.
        assert!(matches!(
            f.dir
                .complete_password_reset("carol", &second, &Password::new("short"))
                .unwrap_err(),
            Error::InvalidInput { .. }
        ));
        f.dir
            .complete_password_reset("carol", &second, &Password::new(PW2))
            .unwrap();
        // Used once.
        assert_eq!(
            f.dir
                .complete_password_reset("carol", &second, &Password::new("another-Passphrase-5"))
                .unwrap_err(),
            invalid
        );
        signed_in(&sign(&f, "carol", PW2));
        // It expires within 30 minutes.
        f.dir
            .request_password_reset("carol", RecoveryChannel::Email)
            .unwrap();
        let late = secret_sent(&f, NotificationKind::PasswordReset);
        f.clock.advance(Duration::minutes(30));
        assert_eq!(
            f.dir
                .complete_password_reset("carol", &late, &Password::new("another-Passphrase-5"))
                .unwrap_err(),
            invalid
        );
        // The alternate email can recover but never sign in (B4); the cell
        // phone gets an 8-digit code with few tries.
        let update = ProfileUpdate {
            alternate_email: Some(Some("carol.alt@example.org".into())),
            cell_phone: Some(Some("+1 555 0100 200".into())),
            ..Default::default()
        };
        f.dir
            .update_contact(&Actor::System, acct, carol, &update)
            .unwrap();
        assert!(matches!(
            sign(&f, "carol.alt@example.org", PW2),
            SignInOutcome::InvalidCredentials
        ));
        f.dir
            .request_password_reset("carol", RecoveryChannel::AlternateEmail)
            .unwrap();
        let sent = f.notifier.take();
        assert_eq!(
            sent.last().unwrap().to,
            vec!["carol.alt@example.org".to_string()]
        );
        f.dir
            .request_password_reset("carol", RecoveryChannel::CellPhone)
            .unwrap();
        let code = secret_sent(&f, NotificationKind::PasswordReset);
        assert_eq!(code.expose().len(), 8);
        assert!(code.expose().bytes().all(|b| b.is_ascii_digit()));
        for _ in 0..5 {
            let wrong = Secret::new(if code.expose() == "00000000" {
                "11111111"
            } else {
                "00000000"
            });
            assert_eq!(
                f.dir
                    .complete_password_reset(
                        "carol",
                        &wrong,
                        &Password::new("another-Passphrase-5")
                    )
                    .unwrap_err(),
                invalid
            );
        }
        assert_eq!(
            f.dir
                .complete_password_reset("carol", &code, &Password::new("another-Passphrase-5"))
                .unwrap_err(),
            invalid
        );
        // Requests never touch the failure count (D9) and never reach the audit log with a secret.
        let q = AuditQuery {
            limit: 10_000,
            ..Default::default()
        };
        let log = f.dir.audit_entries(&Actor::System, acct, &q).unwrap();
        assert!(log
            .iter()
            .all(|e| !format!("{e:?}").contains(code.expose())));
    });
}

#[test]
fn manager_resets_send_a_secret_or_set_a_temporary_password() {
    // rule D7, A6, B6
    for_each_store(|f| {
        let (acct, alice, bob, carol) = setup(&f);
        let temp = f
            .dir
            .reset_password(&c(bob), acct, carol, ManagerReset::TemporaryPassword)
            .unwrap()
            .unwrap();
        assert_eq!(temp.expose().len(), 16);
        assert!(matches!(
            sign(&f, "carol", PW),
            SignInOutcome::InvalidCredentials
        ));
        assert!(matches!(
            sign(&f, "carol", temp.expose()),
            SignInOutcome::PasswordChangeRequired(_)
        ));
        // Never the owner's (A6), never one's own (D8), never without the role.
        assert_eq!(
            f.dir
                .reset_password(&c(bob), acct, alice, ManagerReset::TemporaryPassword)
                .unwrap_err()
                .rule(),
            Some("A6")
        );
        assert_eq!(
            f.dir
                .reset_password(&c(bob), acct, bob, ManagerReset::TemporaryPassword)
                .unwrap_err()
                .rule(),
            Some("D8")
        );
        assert!(matches!(
            f.dir
                .reset_password(&c(carol), acct, bob, ManagerReset::TemporaryPassword)
                .unwrap_err(),
            Error::PermissionDenied { .. }
        ));
        // A shared contact resets its own (C7: its credentials are login-wide).
        let other = f
            .dir
            .create_account(&Actor::System, &NewAccount::new("Other", with_pw("olga")))
            .unwrap();
        f.dir
            .add_existing_contact(
                &Actor::System,
                other.account,
                "carol",
                RoleSet::EMPTY,
                &TechScope::All,
            )
            .map(|added| f.accepted(other.account, added))
            .unwrap();
        assert_eq!(
            f.dir
                .reset_password(&c(bob), acct, carol, ManagerReset::TemporaryPassword)
                .unwrap_err()
                .rule(),
            Some("C7")
        );
        // Sending a secret.
        f.dir
            .delete_contact(&Actor::System, other.account, carol)
            .unwrap();
        assert!(f
            .dir
            .reset_password(
                &c(bob),
                acct,
                carol,
                ManagerReset::SendSecret(RecoveryChannel::Email)
            )
            .unwrap()
            .is_none());
        let secret = secret_sent(&f, NotificationKind::PasswordReset);
        f.dir
            .complete_password_reset("carol", &secret, &Password::new(PW2))
            .unwrap();
        signed_in(&sign(&f, "carol", PW2));
        // The audit log names the change, never the password.
        let log = f
            .dir
            .audit_entries(
                &Actor::System,
                acct,
                &AuditQuery {
                    limit: 1000,
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(log
            .iter()
            .all(|e| !format!("{e:?}").contains(temp.expose())));
    });
}

#[test]
fn totp_passes_the_rfc_6238_test_vectors() {
    // rule F1: RFC 6238 appendix B (SHA-1), and RFC 4226 appendix D.
    let secret = b"12345678901234567890";
    for (t, code) in [
        (59u64, 94_287_082u32),
        (1_111_111_109, 7_081_804),
        (1_111_111_111, 14_050_471),
        (1_234_567_890, 89_005_924),
        (2_000_000_000, 69_279_037),
        (20_000_000_000, 65_353_130),
    ] {
        assert_eq!(totp(secret, t, 8), code, "t={t}");
        assert_eq!(totp(secret, t, 6), code % 1_000_000, "t={t}");
    }
    let hotp_vectors = [
        755_224, 287_082, 359_152, 969_429, 338_314, 254_676, 287_922, 162_583, 399_871, 520_489,
    ];
    for (counter, code) in hotp_vectors.iter().enumerate() {
        assert_eq!(hotp(secret, counter as u64, 6), *code);
    }
}

fn enroll_totp(f: &Fixture, acct: AccountId, who: ContactId) -> Vec<u8> {
    let start = f
        .dir
        .begin_two_factor_enrollment(
            &c(who),
            acct,
            TwoFactorMethod::Totp,
            None,
            &Password::new(PW),
        )
        .unwrap();
    let b32 = start.secret_base32.unwrap();
    let secret = data_encoding::BASE32_NOPAD
        .decode(b32.expose().as_bytes())
        .unwrap();
    assert!(start
        .otpauth_uri
        .unwrap()
        .expose()
        .starts_with("otpauth://totp/contactkeeper:"));
    let now = f.clock.now().unix_timestamp() as u64;
    f.dir
        .confirm_two_factor_enrollment(&c(who), acct, &format!("{:06}", totp(&secret, now, 6)))
        .unwrap();
    secret
}

#[test]
fn totp_second_factor_accepts_a_code_once_within_one_step() {
    // rule F1, E8
    for_each_store(|f| {
        let (acct, alice, _, carol) = setup(&f);
        // Enrolling asks for the current password (D8).
        assert_eq!(
            f.dir
                .begin_two_factor_enrollment(
                    &c(carol),
                    acct,
                    TwoFactorMethod::Totp,
                    None,
                    &Password::new("wrong-password-x")
                )
                .unwrap_err(),
            Error::InvalidCredentials
        );
        let secret = enroll_totp(&f, acct, carol);
        f.clock.advance(Duration::seconds(60));
        let o = sign(&f, "carol", PW);
        let SignInOutcome::SecondFactorRequired { session, method } = o else {
            panic!("{}", o.name())
        };
        assert_eq!(method, TwoFactorMethod::Totp);
        assert!(f.dir.session_actor(&session.token).is_err());
        let now = f.clock.now().unix_timestamp() as u64;
        let code = |t: u64| format!("{:06}", totp(&secret, t, 6));
        let bad = Error::Unauthenticated {
            reason: AuthFailure::InvalidCode,
        };
        // Two steps away is refused (and counted, E8).
        assert_eq!(
            f.dir
                .complete_second_factor(&session.token, &code(now - 60))
                .unwrap_err(),
            bad
        );
        assert_eq!(
            f.dir
                .complete_second_factor(&session.token, &code(now + 60))
                .unwrap_err(),
            bad
        );
        // One step either side is accepted.
        let o = f
            .dir
            .complete_second_factor(&session.token, &code(now - 30))
            .unwrap();
        assert_eq!(
            f.dir.session_actor(&signed_in(&o)).unwrap(),
            Actor::Contact(carol)
        );
        // The same code is never accepted twice.
        let o = sign(&f, "carol", PW);
        let SignInOutcome::SecondFactorRequired { session, .. } = o else {
            panic!()
        };
        assert_eq!(
            f.dir
                .complete_second_factor(&session.token, &code(now - 30))
                .unwrap_err(),
            bad
        );
        assert!(f
            .dir
            .complete_second_factor(&session.token, &code(now))
            .is_ok());
        // E8: wrong codes count toward the lock.
        f.dir
            .set_lock_policy(&c(alice), acct, Some(LockPolicy { max_attempts: 3 }))
            .unwrap();
        f.clock.advance(Duration::seconds(90));
        let o = sign(&f, "carol", PW);
        let SignInOutcome::SecondFactorRequired { session, .. } = o else {
            panic!()
        };
        for _ in 0..3 {
            assert!(f
                .dir
                .complete_second_factor(&session.token, "000000")
                .is_err());
        }
        assert!(is_locked(&sign(&f, "carol", PW), LockKind::Automatic));
    });
}

#[test]
fn sms_codes_are_sent_hashed_and_reset_2fa_clears_enrollment() {
    // rule F1, F2
    for_each_store(|f| {
        let (acct, alice, bob, carol) = setup(&f);
        // SMS needs a 2FA phone, which may differ from the cell phone.
        assert!(matches!(
            f.dir
                .begin_two_factor_enrollment(
                    &c(carol),
                    acct,
                    TwoFactorMethod::Sms,
                    None,
                    &Password::new(PW)
                )
                .unwrap_err(),
            Error::InvalidInput {
                field: Field::TwoFactorPhone,
                ..
            }
        ));
        f.dir
            .begin_two_factor_enrollment(
                &c(carol),
                acct,
                TwoFactorMethod::Sms,
                Some("+1 555 0100 999"),
                &Password::new(PW),
            )
            .unwrap();
        let sent = f.notifier.take();
        let n = sent
            .iter()
            .find(|n| n.kind == NotificationKind::SignInCode)
            .unwrap();
        assert_eq!(n.to, vec!["+1 555 0100 999".to_string()]);
        let code = n.secret.clone().unwrap();
        assert_eq!(code.expose().len(), 6);
        f.dir
            .confirm_two_factor_enrollment(&c(carol), acct, code.expose())
            .unwrap();
        let o = sign(&f, "carol", PW);
        let SignInOutcome::SecondFactorRequired { session, method } = o else {
            panic!("{}", o.name())
        };
        assert_eq!(method, TwoFactorMethod::Sms);
        let code = secret_sent(&f, NotificationKind::SignInCode);
        // The stored form is a hash.
        let stored = f.store.contact(carol).unwrap().unwrap();
        assert!(!format!("{:?}", stored).contains(code.expose()));
        signed_in(
            &f.dir
                .complete_second_factor(&session.token, code.expose())
                .unwrap(),
        );
        // Used once.
        assert!(f
            .dir
            .complete_second_factor(&session.token, code.expose())
            .is_err());
        // F2: reset by a manager (the table's contact and security managers),
        // audited and notified; a contact with neither role may not.
        assert!(matches!(
            f.dir.reset_two_factor(&c(carol), acct, bob).unwrap_err(),
            Error::PermissionDenied {
                permission: Permission::ResetTwoFactor
            }
        ));
        f.dir
            .set_roles(
                &c(alice),
                acct,
                bob,
                RoleSet::of(&[Role::SecurityManager]),
                &TechScope::All,
            )
            .unwrap();
        f.notifier.take();
        f.dir.reset_two_factor(&c(bob), acct, carol).unwrap();
        assert_eq!(f.last_audit(acct).operation, Operation::TwoFactorReset);
        assert!(f
            .notifier
            .take()
            .iter()
            .any(|n| n.kind == NotificationKind::Security
                && n.recipient == carol
                && n.fields == vec!["two_factor".to_string()]));
        signed_in(&sign(&f, "carol", PW));
        assert_eq!(
            f.dir
                .reset_two_factor(&c(bob), acct, alice)
                .unwrap_err()
                .rule(),
            Some("A6")
        );
    });
}

#[test]
fn required_2fa_signs_in_only_into_enrollment() {
    // rule F3
    for_each_store(|f| {
        let (acct, alice, _, carol) = setup(&f);
        assert!(f.dir.set_require_two_factor(&c(carol), acct, true).is_err());
        f.dir.set_require_two_factor(&c(alice), acct, true).unwrap();
        let o = sign(&f, "carol", PW);
        let SignInOutcome::EnrollmentRequired(g) = o else {
            panic!("{}", o.name())
        };
        assert!(f.dir.session_actor(&g.token).is_err());
        let start = f
            .dir
            .begin_enrollment_with_session(&g.token, TwoFactorMethod::Email, None)
            .unwrap();
        assert!(start.otpauth_uri.is_none());
        let code = secret_sent(&f, NotificationKind::SignInCode);
        assert!(f
            .dir
            .confirm_enrollment_with_session(&g.token, "999999x")
            .is_err());
        let o = f
            .dir
            .confirm_enrollment_with_session(&g.token, code.expose())
            .unwrap();
        assert_eq!(
            f.dir.session_actor(&signed_in(&o)).unwrap(),
            Actor::Contact(carol)
        );
        // Next time, the second factor is asked for.
        assert!(matches!(
            sign(&f, "carol", PW),
            SignInOutcome::SecondFactorRequired {
                method: TwoFactorMethod::Email,
                ..
            }
        ));
    });
}

#[test]
fn security_questions_are_distinct_hashed_and_checked_only_by_the_support_desk() {
    // rule F4
    for_each_store(|f| {
        let (acct, alice, _, carol) = setup(&f);
        let answers = |qs: [u16; 3]| -> Vec<SecurityAnswer> {
            qs.iter()
                .map(|q| SecurityAnswer {
                    question: *q,
                    answer: Secret::new(format!("  Answer   Number {q} ")),
                })
                .collect()
        };
        let set = |a: &[SecurityAnswer]| {
            f.dir
                .set_security_answers(&c(carol), acct, a, &Password::new(PW))
        };
        assert!(matches!(
            set(&answers([1, 1, 2])).unwrap_err(),
            Error::InvalidInput {
                field: Field::SecurityQuestion,
                problem: Problem::Duplicate
            }
        ));
        assert!(matches!(
            set(&answers([1, 2, 99])).unwrap_err(),
            Error::InvalidInput {
                field: Field::SecurityQuestion,
                problem: Problem::NotOffered
            }
        ));
        assert!(matches!(
            set(&answers([1, 2, 3])[..2]).unwrap_err(),
            Error::InvalidInput {
                field: Field::SecurityQuestion,
                ..
            }
        ));
        let mut blank = answers([1, 2, 3]);
        blank[0].answer = Secret::new("   ");
        assert!(matches!(
            set(&blank).unwrap_err(),
            Error::InvalidInput {
                field: Field::SecurityAnswer,
                problem: Problem::Empty
            }
        ));
        set(&answers([4, 7, 9])).unwrap();
        let stored = f
            .store
            .contact(carol)
            .unwrap()
            .unwrap()
            .credentials
            .security_answers;
        assert_eq!(stored.len(), 3);
        assert!(stored.iter().all(|a| a.hash.starts_with("$argon2id$")));
        let desk = Actor::support_desk("sam", "caller verification");
        assert_eq!(
            f.dir.security_questions(&desk, acct, carol).unwrap(),
            vec![4, 7, 9]
        );
        // Normalised: trimmed, case-folded, inner spaces collapsed.
        assert!(f
            .dir
            .check_security_answer(&desk, acct, carol, 7, &Secret::new("answer number 7"))
            .unwrap());
        assert!(!f
            .dir
            .check_security_answer(&desk, acct, carol, 7, &Secret::new("answer number 8"))
            .unwrap());
        assert!(!f
            .dir
            .check_security_answer(&desk, acct, carol, 5, &Secret::new("answer number 5"))
            .unwrap());
        // Nobody else checks, and nobody reads one back.
        assert!(matches!(
            f.dir
                .check_security_answer(&c(alice), acct, carol, 7, &Secret::new("x"))
                .unwrap_err(),
            Error::PermissionDenied { .. }
        ));
        let last = f.last_audit(acct);
        assert_eq!(last.outcome, Outcome::Refused(ErrorCode::PermissionDenied));
        let q = AuditQuery {
            operation: Some(Operation::SecurityAnswerCheck),
            ..Default::default()
        };
        let checks = f.dir.audit_entries(&Actor::System, acct, &q).unwrap();
        assert_eq!(
            checks
                .iter()
                .filter(|e| e.outcome == Outcome::Success)
                .count(),
            3
        );
        assert!(checks
            .iter()
            .all(|e| !format!("{e:?}").to_lowercase().contains("answer number")));
    });
}

#[test]
fn ip_allowlists_accept_v4_and_v6_ranges_and_never_shut_out_their_setter() {
    // rule G1, G2
    for_each_store(|f| {
        let (acct, alice, _, carol) = setup(&f);
        let here: IpAddr = "2001:db8:1::5".parse().unwrap();
        // Malformed ranges are refused with a typed error.
        for bad in ["10.0.0.0/33", "not-an-ip", "2001:db8::/129", "1.2.3.4/", ""] {
            let e = f
                .dir
                .set_ip_allowlist(&c(alice), acct, &[bad], here)
                .unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::InvalidInput {
                        field: Field::IpAllowlist,
                        ..
                    }
                ),
                "{bad}"
            );
        }
        // G2: a list that would shut out the setter is refused.
        let e = f
            .dir
            .set_ip_allowlist(&c(alice), acct, &["192.0.2.0/24"], here)
            .unwrap_err();
        assert_eq!(
            e,
            Error::RuleViolation {
                rule: Rule::G2ShutsOutSetter
            }
        );
        f.dir
            .set_ip_allowlist(&c(alice), acct, &["192.0.2.0/24", "2001:db8:1::/48"], here)
            .unwrap();
        let at = |addr: &str| {
            f.dir
                .sign_in(&SignInRequest {
                    login: "carol",
                    password: &Password::new(PW),
                    ip: addr.parse().unwrap(),
                    account: None,
                    device_token: None,
                    remember_device: false,
                })
                .unwrap()
        };
        assert!(at("192.0.2.200").session().is_some());
        assert!(at("2001:db8:1:ffff::1").session().is_some());
        assert!(at("::ffff:192.0.2.7").session().is_some());
        assert!(matches!(at("192.0.3.1"), SignInOutcome::IpNotAllowed));
        assert!(matches!(at("2001:db8:2::1"), SignInOutcome::IpNotAllowed));
        // A wrong password from outside is still just a wrong password.
        let wrong = f
            .dir
            .sign_in(&SignInRequest {
                login: "carol",
                password: &Password::new("nope-nope-1"),
                ip: "192.0.3.1".parse().unwrap(),
                account: None,
                device_token: None,
                remember_device: false,
            })
            .unwrap();
        assert!(matches!(wrong, SignInOutcome::InvalidCredentials));
        // A session from inside ends when the list no longer allows it.
        let token = signed_in(&at("192.0.2.200"));
        f.dir
            .set_ip_allowlist(&c(alice), acct, &["2001:db8:1::/48"], here)
            .unwrap();
        assert_eq!(
            f.dir.authenticate(&token).unwrap_err(),
            Error::Unauthenticated {
                reason: AuthFailure::IpNotAllowed
            }
        );
        // Emptying the list allows all again; only security managers and the owner set it.
        assert!(f
            .dir
            .set_ip_allowlist::<&str>(&c(carol), acct, &[], here)
            .is_err());
        f.dir
            .set_ip_allowlist::<&str>(&c(alice), acct, &[], here)
            .unwrap();
        assert!(at("198.51.100.1").session().is_some());
        assert!(ip_access::parse_ip("999.1.1.1").is_err());
    });
}

#[test]
fn sign_in_attempts_are_audited_without_secrets() {
    // rule J1 for D5
    for_each_store(|f| {
        let (acct, _, _, carol) = setup(&f);
        sign(&f, "carol", "wrong-password-x");
        signed_in(&sign(&f, "carol", PW));
        let q = AuditQuery {
            operation: Some(Operation::SignIn),
            ..Default::default()
        };
        let entries = f.dir.audit_entries(&Actor::System, acct, &q).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(
            entries[0].outcome,
            Outcome::Refused(ErrorCode::Unauthenticated)
        );
        assert_eq!(entries[1].outcome, Outcome::Success);
        assert!(entries.iter().all(|e| e.actor == carol.to_string()));
        let csv = {
            let mut out = Vec::new();
            f.dir
                .export_audit_csv(&Actor::System, acct, &AuditQuery::default(), &mut out)
                .unwrap();
            String::from_utf8(out).unwrap()
        };
        assert!(!csv.contains(PW) && !csv.contains("wrong-password-x"));
        assert!(matches!(
            f.dir.verify_audit(&Actor::System, acct).unwrap(),
            AuditVerification::Intact { .. }
        ));
    });
}

#[test]
fn debug_output_never_shows_a_secret_or_a_hash() {
    // rule D1, D8: secrets and hashes stay out of Debug.
    for_each_store(|f| {
        let (_, _, _, carol) = setup(&f);
        let mut nc = with_pw("dave");
        nc.password_hash = None;
        let shown = format!("{nc:?}");
        assert!(
            !shown.contains(PW) && shown.contains("<redacted>"),
            "{shown}"
        );
        let mut imported = new_contact("erin");
        imported.password_hash = Some(stored_hash(&f, carol));
        assert!(!format!("{imported:?}").contains("$argon2id$"));
        let record = f.store.contact(carol).unwrap().unwrap();
        assert!(!format!("{record:?}").contains("$argon2id$"));
        let o = sign(&f, "carol", PW);
        let token = signed_in(&o);
        assert!(!format!("{o:?}").contains(token.expose()));
    });
}

#[test]
fn expired_sessions_are_purged_from_the_store() {
    // rule D8
    for_each_store(|f| {
        setup(&f);
        let old = signed_in(&sign(&f, "carol", PW));
        f.clock.advance(Duration::minutes(20));
        let fresh = signed_in(&sign(&f, "bob", PW));
        assert_eq!(f.dir.purge_expired_sessions().unwrap(), 0);
        f.clock.advance(Duration::minutes(15));
        // carol's session is 35 minutes idle; bob's 15.
        assert_eq!(f.dir.purge_expired_sessions().unwrap(), 1);
        assert_eq!(
            f.dir.authenticate(&old).unwrap_err(),
            Error::Unauthenticated {
                reason: AuthFailure::InvalidToken
            }
        );
        f.dir.authenticate(&fresh).unwrap();
    });
}

#[test]
fn the_security_policies_read_back() {
    // rule D2, E1, F3, G1
    for_each_store(|f| {
        let (acct, alice, _, carol) = setup(&f);
        assert_eq!(
            f.dir.security_policy(&c(carol), acct).unwrap(),
            SecurityPolicy::default()
        );
        f.dir
            .set_lock_policy(&c(alice), acct, Some(LockPolicy { max_attempts: 3 }))
            .unwrap();
        f.dir.set_require_two_factor(&c(alice), acct, true).unwrap();
        f.dir
            .set_ip_allowlist(&c(alice), acct, &["203.0.113.0/24"], ip())
            .unwrap();
        let p = f.dir.security_policy(&c(carol), acct).unwrap();
        assert_eq!(p.lock, Some(LockPolicy { max_attempts: 3 }));
        assert!(p.require_two_factor);
        assert_eq!(p.ip_allowlist.len(), 1);
        let stranger = f
            .dir
            .create_account(&Actor::System, &NewAccount::new("Other", with_pw("olga")))
            .unwrap();
        assert!(matches!(
            f.dir.security_policy(&c(stranger.owner), acct).unwrap_err(),
            Error::PermissionDenied { .. }
        ));
    });
}

// rule D5: an unknown login costs what a known one does, counted as
// durable commits and shown as the same answers: a wrong password, a reset
// request, a reset completed with a wrong secret.
#[test]
fn unknown_logins_cost_the_same_commits_as_known_ones() {
    use std::sync::atomic::Ordering::SeqCst;
    for (_, store) in stores() {
        let wrapped = Wrapped::new(store);
        let f = Fixture::on(wrapped.clone());
        setup(&f);
        let commits = |op: &dyn Fn() -> String| {
            let before = wrapped.commits.load(SeqCst);
            let answer = op();
            (answer, wrapped.commits.load(SeqCst) - before)
        };
        for login in ["carol", "nobody-here"] {
            let o = commits(&|| sign(&f, login, "wrong-password-x").name().to_owned());
            assert_eq!(o, ("invalid_credentials".to_owned(), 2), "{login}");
        }
        let request = |login: &str| {
            commits(&|| {
                format!(
                    "{:?}",
                    f.dir.request_password_reset(login, RecoveryChannel::Email)
                )
            })
        };
        assert_eq!(request("carol"), request("nobody-here"));
        assert_eq!(request("carol").1, 1);
        let complete = |login: &str| {
            commits(&|| {
                let r = f.dir.complete_password_reset(
                    login,
                    &Secret::new("0000-0000"),
                    &Password::new("a brand new passphrase"),
                );
                format!("{:?}", r.map_err(|e| e.code()))
            })
        };
        assert_eq!(complete("carol"), complete("nobody-here"));
        assert_eq!(complete("carol").1, 1);
    }
}

// rule D5, E8: someone who has the password guesses authenticator codes;
// with no lock policy, the directory-wide throttle still bounds the
// guesses, and past it the login locks.
#[test]
fn wrong_second_factor_codes_are_under_the_throttle() {
    for (_, store) in stores() {
        let f = Fixture::tuned(store, |b| b.throttle_attempts(4).unwrap());
        let (acct, _, _, carol) = setup(&f);
        enroll_totp(&f, acct, carol);
        f.clock.advance(Duration::minutes(1));
        // Each password check is one attempt and each wrong code one more;
        // while the second factor is due, the right password does not
        // start the count again, so signing in anew buys no guesses.
        let first = sign(&f, "carol", PW);
        let SignInOutcome::SecondFactorRequired { session, .. } = first else {
            panic!("a second factor is due")
        };
        let e = f
            .dir
            .complete_second_factor(&session.token, "000000")
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Unauthenticated);
        let SignInOutcome::SecondFactorRequired { session, .. } = sign(&f, "carol", PW) else {
            panic!("a second factor is due")
        };
        let e = f
            .dir
            .complete_second_factor(&session.token, "000000")
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Unauthenticated);
        // Four attempts: the bound is spent, the next guess locks the
        // login, and its session ends.
        f.dir
            .complete_second_factor(&session.token, "000000")
            .unwrap_err();
        assert!(f.dir.authenticate(&session.token).is_err());
        assert!(is_locked(&sign(&f, "carol", PW), LockKind::Automatic));
    }
}
