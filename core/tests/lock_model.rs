//! Property test of the lock policy (SPEC D5, D9, E1–E6) against a small
//! reference model, on a manual clock: random sequences of right and wrong
//! attempts by known and unknown logins, clock jumps around the 30-minute
//! edge, password resets, manual locks and unlocks, policy changes, and
//! attempts with and without device tokens (D10), the logins' own and each
//! other's.
//! After every step the sign-in outcome equals the model's.

mod common;

use common::*;
use contactkeeper::*;
use proptest::prelude::*;
use time::Duration;

#[path = "lock_model/model.rs"]
mod model;
use model::*;

fn password(n: u32) -> Password {
    Password::new(format!("rotating-{n}-Quartz-zebra"))
}

fn seen(o: &SignInOutcome) -> Seen {
    match o {
        SignInOutcome::SignedIn(_) => Seen::SignedIn,
        SignInOutcome::InvalidCredentials => Seen::Invalid,
        SignInOutcome::Locked(m) if m.kind == LockKind::Manual => Seen::Manual,
        SignInOutcome::Locked(m) => Seen::Auto(m.since, m.until.unwrap_or(m.since)),
        other => panic!("unexpected outcome {}", other.name()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn lock_policy_matches_the_model(steps in prop::collection::vec(step(), 1..40)) {
        // rule D5, D9, D10, E1, E2, E3, E4, E5, E6
        let f = Fixture::tuned(std::sync::Arc::new(MemoryStore::new()), |b| b.throttle_attempts(THROTTLE).unwrap());
        let (acct, owner) = f.account("owner");
        let mut ids = Vec::new();
        for login in &LOGINS[..2] {
            let nc = new_contact(login).with_password(password(0));
            ids.push(f.dir.create_contact(&Actor::System, acct, &nc).unwrap().contact);
        }
        let mut model = Model::new(f.clock.now());
        // The device tokens the test was given, by login and slot (D10).
        let mut tokens: [[Option<Secret>; SLOTS]; 3] = Default::default();
        for step in steps {
            match step {
                Step::Attempt { who, right } => {
                    let pw = if right { password(model.logins[who].password) } else { Password::new("wrong-password-x") };
                    let o = f.dir.sign_in(&SignInRequest::new(LOGINS[who], &pw, "192.0.2.1".parse().unwrap())).unwrap();
                    let expected = model.attempt(who, right);
                    prop_assert_eq!(seen(&o), expected, "attempt by {} ({})", LOGINS[who], right);
                }
                Step::Device { who, right, token, keep } => {
                    let pw = if right { password(model.logins[who].password) } else { Password::new("wrong-password-x") };
                    let presented = token.and_then(|(owner, slot)| tokens[owner][slot].clone());
                    let req = SignInRequest {
                        device_token: presented.as_ref(),
                        remember_device: true,
                        ..SignInRequest::new(LOGINS[who], &pw, "192.0.2.1".parse().unwrap())
                    };
                    let o = f.dir.sign_in(&req).unwrap();
                    let token = token.filter(|(owner, slot)| tokens[*owner][*slot].is_some());
                    let expected = model.device_attempt(who, right, token, keep);
                    prop_assert_eq!(seen(&o), expected, "attempt by {} ({}) with {:?}", LOGINS[who], right, token);
                    if let Some(new) = o.session().and_then(|s| s.device_token.clone()) {
                        tokens[who][keep] = Some(new);
                    }
                }
                Step::Advance(secs) => {
                    f.clock.advance(Duration::seconds(secs));
                    model.now += Duration::seconds(secs);
                }
                Step::SetPolicy(p) => {
                    f.dir.set_lock_policy(&Actor::contact(owner), acct, p.map(|max_attempts| LockPolicy { max_attempts })).unwrap();
                    model.policy = p;
                }
                Step::ManualLock(who) => {
                    f.dir.lock_contact(&Actor::System, acct, ids[who]).unwrap();
                    model.logins[who].manual = true;
                }
                Step::Unlock(who) => {
                    f.dir.unlock_contact(&Actor::System, acct, ids[who]).unwrap();
                    let l = &mut model.logins[who];
                    l.manual = false;
                    l.locked = None;
                    l.failed = 0;
                }
                Step::Reset(who) => {
                    f.dir.request_password_reset(LOGINS[who], RecoveryChannel::Email).unwrap();
                    let secret = f.notifier.take().into_iter().rev().find_map(|n| n.secret).unwrap();
                    let l = &mut model.logins[who];
                    f.dir.complete_password_reset(LOGINS[who], &secret, &password(l.password + 1)).unwrap();
                    // E4: an automatic lock ends, with a fresh count; a manual one stays.
                    l.password += 1;
                    l.locked = None;
                    l.failed = 0;
                    // D10: a new password ends the login's device tokens.
                    model.devices[who] = Default::default();
                }
            }
            let intact = matches!(f.dir.verify_audit(&Actor::System, acct).unwrap(), AuditVerification::Intact { .. });
            prop_assert!(intact, "audit chain broken");
        }
    }
}
