//! Property test of the lock policy (SPEC D5, D9, E1–E6) against a small
//! reference model, on a manual clock: random sequences of right and wrong
//! attempts by known and unknown logins, clock jumps around the 30-minute
//! edge, password resets, manual locks and unlocks, and policy changes.
//! After every step the sign-in outcome equals the model's.

mod common;

use common::*;
use contactkeeper::*;
use proptest::prelude::*;
use time::{Duration, OffsetDateTime};

const LOGINS: [&str; 3] = ["carol", "dave", "ghost"];
const UNKNOWN_LIMIT: u32 = 5;

#[derive(Debug, Clone)]
enum Op {
    Attempt { who: usize, right: bool },
    Advance(i64),
    SetPolicy(Option<u32>),
    ManualLock(usize),
    Unlock(usize),
    Reset(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..3usize, any::<bool>()).prop_map(|(who, right)| Op::Attempt { who, right }),
        2 => prop::sample::select(vec![1i64, 60, 29 * 60, 30 * 60 - 1, 30 * 60, 30 * 60 + 1, 3600])
            .prop_map(Op::Advance),
        1 => prop::option::of(1..5u32).prop_map(Op::SetPolicy),
        1 => (0..2usize).prop_map(Op::ManualLock),
        1 => (0..2usize).prop_map(Op::Unlock),
        1 => (0..2usize).prop_map(Op::Reset),
    ]
}

/// What the model says one login's state is.
#[derive(Debug, Clone, Default)]
struct Login {
    failed: u32,
    locked: Option<(OffsetDateTime, OffsetDateTime)>,
    manual: bool,
    password: u32,
}

#[derive(Debug, PartialEq, Eq)]
enum Seen {
    SignedIn,
    Invalid,
    Auto(OffsetDateTime, OffsetDateTime),
    Manual,
}

struct Model {
    now: OffsetDateTime,
    policy: Option<u32>,
    logins: [Login; 3],
}

impl Model {
    fn attempt(&mut self, who: usize, right: bool) -> Seen {
        let now = self.now;
        let limit = if who == 2 {
            Some(UNKNOWN_LIMIT)
        } else {
            self.policy
        };
        let l = &mut self.logins[who];
        if l.manual {
            return Seen::Manual;
        }
        if let Some((since, until)) = l.locked {
            if now < until {
                return Seen::Auto(since, until);
            }
            l.locked = None;
            l.failed = 0;
        }
        if let Some(limit) = limit {
            if l.failed >= limit {
                l.locked = Some((now, now + Duration::minutes(30)));
                return Seen::Auto(now, now + Duration::minutes(30));
            }
        }
        l.failed += 1;
        if right && who != 2 {
            l.failed = 0;
            return Seen::SignedIn;
        }
        if let Some(limit) = limit {
            if l.failed >= limit && l.locked.is_none() {
                l.locked = Some((now, now + Duration::minutes(30)));
            }
        }
        Seen::Invalid
    }
}

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
    fn lock_policy_matches_the_model(ops in prop::collection::vec(op(), 1..40)) {
        // rule D5, D9, E1, E2, E3, E4, E5, E6
        let f = Fixture::new();
        let (acct, owner) = f.account("owner");
        let mut ids = Vec::new();
        for login in &LOGINS[..2] {
            let nc = new_contact(login).with_password(password(0));
            ids.push(f.dir.create_contact(&Actor::System, acct, &nc).unwrap().contact);
        }
        let mut model = Model { now: f.clock.now(), policy: None, logins: Default::default() };
        for op in ops {
            match op {
                Op::Attempt { who, right } => {
                    let pw = if right { password(model.logins[who].password) } else { Password::new("wrong-password-x") };
                    let o = f.dir.sign_in(&SignInRequest { login: LOGINS[who], password: &pw, ip: "192.0.2.1".parse().unwrap(), account: None }).unwrap();
                    let expected = model.attempt(who, right);
                    prop_assert_eq!(seen(&o), expected, "attempt by {} ({})", LOGINS[who], right);
                }
                Op::Advance(secs) => {
                    f.clock.advance(Duration::seconds(secs));
                    model.now += Duration::seconds(secs);
                }
                Op::SetPolicy(p) => {
                    f.dir.set_lock_policy(&Actor::contact(owner), acct, p.map(|max_attempts| LockPolicy { max_attempts })).unwrap();
                    model.policy = p;
                }
                Op::ManualLock(who) => {
                    f.dir.lock_contact(&Actor::System, acct, ids[who]).unwrap();
                    model.logins[who].manual = true;
                }
                Op::Unlock(who) => {
                    f.dir.unlock_contact(&Actor::System, acct, ids[who]).unwrap();
                    let l = &mut model.logins[who];
                    l.manual = false;
                    l.locked = None;
                    l.failed = 0;
                }
                Op::Reset(who) => {
                    f.dir.request_password_reset(LOGINS[who], RecoveryChannel::Email).unwrap();
                    let secret = f.notifier.take().into_iter().rev().find_map(|n| n.secret).unwrap();
                    let l = &mut model.logins[who];
                    f.dir.complete_password_reset(LOGINS[who], &secret, &password(l.password + 1)).unwrap();
                    // E4: an automatic lock ends, with a fresh count; a manual one stays.
                    l.password += 1;
                    l.locked = None;
                    l.failed = 0;
                }
            }
            let intact = matches!(f.dir.verify_audit(&Actor::System, acct).unwrap(), AuditVerification::Intact { .. });
            prop_assert!(intact, "audit chain broken");
        }
    }
}
