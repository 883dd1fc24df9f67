//! Device tokens (SPEC D10) through the public API: a client that signed
//! in to a login before keeps signing in while attempts from elsewhere
//! have it locked; its own failures spend only its token.

mod common;

use std::net::IpAddr;

use common::*;
use contactkeeper::signin::device::{DEVICE_TOKENS_PER_LOGIN, DEVICE_TOKEN_LIFETIME};
use contactkeeper::*;
use time::Duration;

const PW: &str = "Tr0ub4dor&3-zebra";
const WRONG: &str = "wrong-password-x";

fn ip() -> IpAddr {
    "203.0.113.7".parse().unwrap()
}

/// An account owned by `olga` with the lock policy at 3 attempts, and
/// `carol` and `dave` (no role), all with password [`PW`].
fn setup(f: &Fixture) -> (AccountId, ContactId, ContactId) {
    let created = f
        .dir
        .create_account(
            &Actor::System,
            &NewAccount::new("Acme", new_contact("olga").with_password(Password::new(PW))),
        )
        .unwrap();
    let acct = created.account;
    f.dir
        .set_lock_policy(
            &c(created.owner),
            acct,
            Some(LockPolicy { max_attempts: 3 }),
        )
        .unwrap();
    let mut ids = Vec::new();
    for login in ["carol", "dave"] {
        let nc = new_contact(login).with_password(Password::new(PW));
        ids.push(
            f.dir
                .create_contact(&Actor::System, acct, &nc)
                .unwrap()
                .contact,
        );
    }
    (acct, ids[0], ids[1])
}

/// A sign-in presenting `token`, asking for a new one when `remember`.
fn sign(
    f: &Fixture,
    login: &str,
    password: &str,
    token: Option<&Secret>,
    remember: bool,
) -> SignInOutcome {
    f.dir
        .sign_in(&SignInRequest {
            device_token: token,
            remember_device: remember,
            ..SignInRequest::new(login, &Password::new(password), ip())
        })
        .unwrap()
}

/// Signs in asking for a device token, and returns it with the session.
fn remembered(f: &Fixture, login: &str) -> (Secret, Secret) {
    match sign(f, login, PW, None, true) {
        SignInOutcome::SignedIn(g) => (g.device_token.expect("a device token"), g.token),
        other => panic!("expected signed in, got {}", other.name()),
    }
}

fn locked(o: &SignInOutcome) -> bool {
    matches!(o, SignInOutcome::Locked(m) if m.kind == LockKind::Automatic)
}

/// Attempts without a token lock `login` (policy: 3).
fn lock_out(f: &Fixture, login: &str) {
    for _ in 0..3 {
        sign(f, login, WRONG, None, false);
    }
    assert!(locked(&sign(f, login, PW, None, false)));
}

#[test]
fn a_device_token_signs_in_through_a_lock_that_others_caused() {
    // rule D10, D8, E2
    for_each_store(|f| {
        let (_, _, _) = setup(&f);
        // Only asked for, a token is given once, at a complete sign-in.
        let SignInOutcome::SignedIn(plain) = sign(&f, "carol", PW, None, false) else {
            panic!("signed in")
        };
        assert!(plain.device_token.is_none());
        let (token, by_device) = remembered(&f, "carol");
        assert!(!format!("{:?}", token).contains(token.expose()));

        // Someone who knows the login locks it.
        lock_out(&f, "carol");
        // D8: the lock ends the session no device token made; the one
        // that got the token lives on.
        assert_eq!(
            f.dir.authenticate(&plain.token).unwrap_err(),
            Error::Unauthenticated {
                reason: AuthFailure::Revoked
            }
        );
        assert!(f.dir.authenticate(&by_device).is_ok());

        // The client with the token signs in; it is given no second one.
        let SignInOutcome::SignedIn(g) = sign(&f, "carol", PW, Some(&token), true) else {
            panic!("the device token's client signs in")
        };
        assert!(g.device_token.is_none());
        assert!(f.dir.authenticate(&g.token).is_ok());
        // Its success does not end the lock for others.
        assert!(locked(&sign(&f, "carol", PW, None, false)));

        // Its own failures count against the token, and a success starts
        // that count again.
        for _ in 0..2 {
            let o = sign(&f, "carol", WRONG, Some(&token), false);
            assert!(matches!(o, SignInOutcome::InvalidCredentials));
        }
        assert!(sign(&f, "carol", PW, Some(&token), false)
            .session()
            .is_some());
        // The policy's number of failures disables it: the next attempt
        // with it is one without a token, and the login is locked.
        for _ in 0..3 {
            let o = sign(&f, "carol", WRONG, Some(&token), false);
            assert!(matches!(o, SignInOutcome::InvalidCredentials));
        }
        assert!(locked(&sign(&f, "carol", PW, Some(&token), false)));
        f.clock.advance(Duration::minutes(30));
        assert!(sign(&f, "carol", PW, Some(&token), false)
            .session()
            .is_some());
        assert!(sign(&f, "carol", PW, None, false).session().is_some());
    });
}

#[test]
fn a_token_of_another_login_an_expired_or_an_evicted_one_counts_as_none() {
    // rule D10
    for_each_store(|f| {
        setup(&f);
        let (daves, _) = remembered(&f, "dave");
        let (first, _) = remembered(&f, "carol");
        lock_out(&f, "carol");
        assert!(locked(&sign(&f, "carol", PW, Some(&daves), false)));
        let never = Secret::new("f".repeat(64));
        assert!(locked(&sign(&f, "carol", PW, Some(&never), false)));

        // Evicted: the 21st token pushes out the least recently used.
        f.clock.advance(Duration::minutes(30));
        let mut tokens = vec![first.clone()];
        for _ in 1..=DEVICE_TOKENS_PER_LOGIN {
            f.clock.advance(Duration::seconds(1));
            tokens.push(remembered(&f, "carol").0);
        }
        lock_out(&f, "carol");
        assert!(locked(&sign(&f, "carol", PW, Some(&first), false)));
        assert!(sign(&f, "carol", PW, Some(&tokens[1]), false)
            .session()
            .is_some());
        assert!(sign(&f, "carol", PW, Some(&tokens[20]), false)
            .session()
            .is_some());

        // Expired: 180 days unused. (Used one day earlier, it would live.)
        f.clock.advance(DEVICE_TOKEN_LIFETIME - Duration::days(1));
        lock_out(&f, "carol");
        assert!(sign(&f, "carol", PW, Some(&tokens[2]), false)
            .session()
            .is_some());
        f.clock.advance(Duration::days(1));
        lock_out(&f, "carol");
        assert!(locked(&sign(&f, "carol", PW, Some(&tokens[3]), false)));
        assert!(sign(&f, "carol", PW, Some(&tokens[2]), false)
            .session()
            .is_some());
    });
}

#[test]
fn under_no_lock_policy_the_throttle_is_what_a_token_passes_and_bounds() {
    // rule D10, D5
    for_each_store(|f| {
        let f = Fixture::tuned(f.store.clone(), |b| b.throttle_attempts(4).unwrap());
        let (acct, owner) = f.account("olga");
        let nc = new_contact("carol").with_password(Password::new(PW));
        f.dir.create_contact(&Actor::System, acct, &nc).unwrap();
        assert!(f.dir.set_lock_policy(&c(owner), acct, None).is_ok());
        let (token, _) = remembered(&f, "carol");
        for _ in 0..4 {
            sign(&f, "carol", WRONG, None, false);
        }
        assert!(locked(&sign(&f, "carol", PW, None, false)));
        assert!(sign(&f, "carol", PW, Some(&token), false)
            .session()
            .is_some());
        // The throttle's bound is the token's, too.
        for _ in 0..4 {
            sign(&f, "carol", WRONG, Some(&token), false);
        }
        assert!(locked(&sign(&f, "carol", PW, Some(&token), false)));
    });
}

#[test]
fn a_manual_lock_and_the_ip_rules_hold_against_a_token() {
    // rule D10, E6, G1
    for_each_store(|f| {
        let (acct, carol, _) = setup(&f);
        let (token, by_device) = remembered(&f, "carol");
        f.dir.lock_contact(&Actor::System, acct, carol).unwrap();
        let o = sign(&f, "carol", PW, Some(&token), false);
        assert!(matches!(o, SignInOutcome::Locked(m) if m.kind == LockKind::Manual));
        assert!(f.dir.authenticate(&by_device).is_err());
        f.dir.unlock_contact(&Actor::System, acct, carol).unwrap();
        f.dir
            .set_ip_allowlist(&Actor::System, acct, &["198.51.100.0/24"], ip())
            .unwrap();
        assert!(matches!(
            sign(&f, "carol", PW, Some(&token), false),
            SignInOutcome::IpNotAllowed
        ));
    });
}

/// Enrolls `carol` in TOTP; returns a code maker (each call moves the
/// clock on to the next 30-second step).
fn with_totp(f: &Fixture, acct: AccountId, carol: ContactId) -> impl Fn(&Fixture) -> String {
    let start = f
        .dir
        .begin_two_factor_enrollment(
            &c(carol),
            acct,
            TwoFactorMethod::Totp,
            None,
            &Password::new(PW),
        )
        .unwrap();
    let secret = data_encoding::BASE32_NOPAD
        .decode(start.secret_base32.unwrap().expose().as_bytes())
        .unwrap();
    let code = move |f: &Fixture| {
        f.clock.advance(Duration::seconds(30));
        let now = f.clock.now().unix_timestamp() as u64;
        format!("{:06}", second_factor::totp(&secret, now, 6))
    };
    f.dir
        .confirm_two_factor_enrollment(&c(carol), acct, &code(f))
        .unwrap();
    code
}

fn second(o: SignInOutcome) -> SessionGrant {
    match o {
        SignInOutcome::SecondFactorRequired { session, .. } => session,
        other => panic!("expected a second factor, got {}", other.name()),
    }
}

/// `n` wrong codes for the session `s`, each refused as a wrong code.
fn wrong_codes(f: &Fixture, s: &SessionGrant, n: usize) {
    for _ in 0..n {
        assert_eq!(
            f.dir
                .complete_second_factor(&s.token, "000000")
                .unwrap_err(),
            Error::Unauthenticated {
                reason: AuthFailure::InvalidCode
            }
        );
    }
}

#[test]
fn with_a_second_factor_the_token_comes_with_the_code_and_wrong_codes_spend_it() {
    // rule D10, E8, F1
    for_each_store(|f| {
        let (acct, carol, _) = setup(&f);
        let code = with_totp(&f, acct, carol);
        // The password alone earns no token; the code does.
        let s = second(sign(&f, "carol", PW, None, true));
        assert!(s.device_token.is_none());
        let done = f.dir.complete_second_factor(&s.token, &code(&f)).unwrap();
        let token = done.session().unwrap().device_token.clone().expect("token");
        lock_out(&f, "carol");
        // Through the lock, the code is asked for; wrong codes count
        // against the token, and two of them leave the third try.
        let s = second(sign(&f, "carol", PW, Some(&token), false));
        wrong_codes(&f, &s, 2);
        let o = f.dir.complete_second_factor(&s.token, &code(&f)).unwrap();
        assert!(matches!(o, SignInOutcome::SignedIn(ref g) if g.device_token.is_none()));
        // Three wrong codes spend it.
        let s = second(sign(&f, "carol", PW, Some(&token), false));
        for _ in 0..3 {
            assert!(f.dir.complete_second_factor(&s.token, "000000").is_err());
        }
        f.clock.advance(Duration::seconds(1));
        assert!(locked(&sign(&f, "carol", PW, Some(&token), false)));
    });
}

#[test]
fn a_token_is_audited_by_name_only() {
    // rule D10, J1
    for_each_store(|f| {
        let (acct, _, _) = setup(&f);
        let (token, _) = remembered(&f, "carol");
        let e = f.last_audit(acct);
        assert_eq!(e.operation, Operation::SignIn);
        assert!(e.fields.iter().any(|x| x == "device_token"));
        let mut csv = Vec::new();
        f.dir
            .export_audit_csv(&Actor::System, acct, &AuditQuery::default(), &mut csv)
            .unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.contains("device_token"));
        assert!(!csv.contains(token.expose()));
    });
}

// rule D10, E8: a session waiting for its code that a device token made
// is under the lock again once its token is spent: no more guesses.
#[test]
fn a_session_whose_token_is_spent_gets_no_more_codes_through_the_lock() {
    for_each_store(|f| {
        let (acct, carol, _) = setup(&f);
        let code = with_totp(&f, acct, carol);
        let s = second(sign(&f, "carol", PW, None, true));
        let token = f
            .dir
            .complete_second_factor(&s.token, &code(&f))
            .unwrap()
            .session()
            .unwrap()
            .device_token
            .clone()
            .unwrap();
        lock_out(&f, "carol");
        let s = second(sign(&f, "carol", PW, Some(&token), false));
        wrong_codes(&f, &s, 3);
        // The token is gone: the session is one no token made, made while
        // the lock holds, and it is held up, the right code included.
        let held = Error::Unauthenticated {
            reason: AuthFailure::Locked,
        };
        assert_eq!(
            f.dir
                .complete_second_factor(&s.token, "000000")
                .unwrap_err(),
            held
        );
        assert_eq!(
            f.dir
                .complete_second_factor(&s.token, &code(&f))
                .unwrap_err(),
            held
        );
        assert_eq!(f.dir.authenticate(&s.token).unwrap_err(), held);
    });
}

// rule D10, D8: the current password asked for again from a session a
// device token made counts against the token, so the lock an attacker
// caused does not keep the contact from changing its password; the new
// password ends every token, and the session gets a new one.
#[test]
fn a_device_session_changes_the_password_through_a_lock_and_gets_a_new_token() {
    for_each_store(|f| {
        let (acct, _, _) = setup(&f);
        let (token, by_device) = remembered(&f, "carol");
        let (other, _) = remembered(&f, "carol");
        lock_out(&f, "carol");
        // Two wrong current passwords spend the token, not the login.
        for _ in 0..2 {
            assert_eq!(
                f.dir
                    .change_password_with_session(
                        &by_device,
                        &Password::new(WRONG),
                        &Password::new("a new one, long and fresh"),
                    )
                    .unwrap_err(),
                Error::InvalidCredentials
            );
        }
        let o = f
            .dir
            .change_password_with_session(
                &by_device,
                &Password::new(PW),
                &Password::new("a new one, long and fresh"),
            )
            .unwrap();
        let SignInOutcome::SignedIn(g) = o else {
            panic!("signed in, got {}", o.name())
        };
        let fresh = g.device_token.clone().expect("a new device token");
        assert_ne!(fresh.expose(), token.expose());
        assert!(f.dir.authenticate(&g.token).is_ok());
        assert_eq!(f.last_audit(acct).operation, Operation::PasswordChange);
        // The lock still holds for others; the old tokens are no use.
        let new_pw = "a new one, long and fresh";
        assert!(locked(&sign(&f, "carol", new_pw, None, false)));
        assert!(locked(&sign(&f, "carol", new_pw, Some(&token), false)));
        assert!(locked(&sign(&f, "carol", new_pw, Some(&other), false)));
        assert!(sign(&f, "carol", new_pw, Some(&fresh), false)
            .session()
            .is_some());
    });
}

// rule D10, D7, D4: a temporary password alone earns no device token;
// the sign-in that changed it, complete, does.
#[test]
fn a_token_waits_for_the_password_change_a_temporary_password_requires() {
    for_each_store(|f| {
        let (acct, carol, _) = setup(&f);
        let olga = f.dir.store().contact_by_login("olga").unwrap().unwrap().id;
        let temp = f
            .dir
            .reset_password(&c(olga), acct, carol, ManagerReset::TemporaryPassword)
            .unwrap()
            .unwrap();
        let o = sign(&f, "carol", temp.expose(), None, true);
        let SignInOutcome::PasswordChangeRequired(g) = o else {
            panic!("a password change, got {}", o.name())
        };
        assert!(g.device_token.is_none());
        let o = f
            .dir
            .change_password_with_session(
                &g.token,
                &temp,
                &Password::new("her own, long and fresh"),
            )
            .unwrap();
        let SignInOutcome::SignedIn(g) = o else {
            panic!("signed in, got {}", o.name())
        };
        let token = g.device_token.expect("the token asked for at sign-in");
        lock_out(&f, "carol");
        assert!(
            sign(&f, "carol", "her own, long and fresh", Some(&token), false)
                .session()
                .is_some()
        );
    });
}
