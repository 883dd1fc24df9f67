//! Unit tests of sign-in's rules: no store, no Directory.

use time::macros::datetime;

use crate::accounts::SecurityPolicy;

use super::*;

const NOW: OffsetDateTime = datetime!(2026-06-01 00:00 UTC);

fn changed(days_ago: i64) -> Credentials {
    Credentials {
        password_changed_at: Some(NOW - time::Duration::days(days_ago)),
        ..Credentials::default()
    }
}

// rule D4
#[test]
fn a_flag_or_an_expired_password_signs_in_only_to_change_it() {
    let policy = SecurityPolicy::default();
    assert_eq!(
        next_stage(&changed(10), &policy, NOW, false),
        SessionStage::Full
    );
    let flagged = Credentials {
        must_change: true,
        ..changed(10)
    };
    assert_eq!(
        next_stage(&flagged, &policy, NOW, false),
        SessionStage::PasswordChange
    );
    // rule D3: 365 days after the last change.
    assert_eq!(
        next_stage(&changed(364), &policy, NOW, false),
        SessionStage::Full
    );
    assert_eq!(
        next_stage(&changed(365), &policy, NOW, false),
        SessionStage::PasswordChange
    );
}

// rule D2
#[test]
fn a_required_change_applies_to_passwords_set_before_it() {
    let policy = SecurityPolicy {
        force_change_before: Some(NOW - time::Duration::days(5)),
        ..SecurityPolicy::default()
    };
    assert_eq!(
        next_stage(&changed(10), &policy, NOW, false),
        SessionStage::PasswordChange
    );
    assert_eq!(
        next_stage(&changed(1), &policy, NOW, false),
        SessionStage::Full
    );
}

// rule F3
#[test]
fn required_2fa_without_enrollment_signs_in_only_to_enroll() {
    let policy = SecurityPolicy {
        require_two_factor: true,
        ..SecurityPolicy::default()
    };
    assert_eq!(
        next_stage(&changed(1), &policy, NOW, false),
        SessionStage::Enrollment
    );
}

const A: AccountId = AccountId(0xa);
const B: AccountId = AccountId(0xb);
const IP: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

fn manual(since: OffsetDateTime) -> LockMark {
    LockMark {
        kind: crate::lock::LockKind::Manual,
        since,
        until: None,
    }
}

fn facts(memberships: &[(AccountId, Option<LockMark>)], named: Option<AccountId>) -> LoginFacts {
    LoginFacts {
        memberships: memberships
            .iter()
            .map(|&(account, manual)| MembershipFact {
                account,
                manual,
                allowlist: Vec::new(),
            })
            .collect(),
        limit: Some(5),
        named,
    }
}

// rule D5
#[test]
fn naming_an_account_the_login_is_not_in_answers_as_an_unknown_login() {
    let f = facts(&[(A, None)], Some(B));
    assert_eq!(decide_before(&f), Before::NotMember);
    // Named or not, a member goes on to the check.
    assert_eq!(decide_before(&facts(&[(A, None)], Some(A))), Before::Check);
    assert_eq!(decide_before(&facts(&[(A, None)], None)), Before::Check);
}

// rule D5
#[test]
fn a_wrong_password_is_a_failed_attempt_whatever_the_accounts() {
    for f in [
        facts(&[(A, None)], None),
        facts(&[(A, None), (B, None)], None),
        facts(&[(A, Some(manual(NOW)))], Some(A)),
    ] {
        let after = decide_after(&f, false, IP);
        assert_eq!(after, After::Invalid);
        let (chains, ok, detail) = after.audit(&f);
        assert_eq!((ok, detail), (false, "invalid credentials"));
        assert_eq!(chains, f.chains());
    }
}

// rule E6
#[test]
fn a_manual_lock_answers_before_the_check_when_the_account_is_known() {
    let mark = manual(NOW);
    // The only account, or the named one: no password check at all (E3).
    assert_eq!(
        decide_before(&facts(&[(A, Some(mark))], None)),
        Before::Locked(mark)
    );
    assert_eq!(
        decide_before(&facts(&[(A, Some(mark)), (B, None)], Some(A))),
        Before::Locked(mark)
    );
    // A lock in another account does not stop this one.
    let f = facts(&[(A, Some(mark)), (B, None)], Some(B));
    assert_eq!(decide_before(&f), Before::Check);
    assert_eq!(decide_after(&f, true, IP), After::Grant(B));
}

// rule E6
#[test]
fn a_manual_lock_holds_against_the_right_password_and_has_no_cool_off() {
    let mark = manual(NOW);
    let f = facts(&[(A, Some(mark)), (B, None)], None);
    // With several accounts the lock is only known once one is chosen.
    assert_eq!(decide_before(&f), Before::Check);
    let f = facts(&[(A, Some(mark)), (B, None)], Some(A));
    assert_eq!(decide_after(&f, true, IP), After::Locked(A, mark));
    assert_eq!(mark.until, None);
    // The right password still resets the failure count (E2).
    let mut c = Credentials {
        failed_attempts: 3,
        ..Credentials::default()
    };
    assert_eq!(After::Locked(A, mark).settle(&mut c, Some(5), NOW), None);
    assert_eq!(c.failed_attempts, 0);
}

// rule G1
#[test]
fn the_right_password_from_outside_the_allowlist_is_refused() {
    let mut f = facts(&[(A, None)], None);
    f.memberships[0].allowlist = vec!["198.51.100.0/24".parse().unwrap()];
    assert_eq!(decide_after(&f, true, IP), After::IpNotAllowed(A));
    let inside = std::net::IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 7));
    assert_eq!(decide_after(&f, true, inside), After::Grant(A));
}

// rule E2
#[test]
fn a_failed_attempt_locks_at_the_limit_and_a_success_starts_the_count_again() {
    let mut c = Credentials::default();
    for _ in 0..4 {
        assert_eq!(
            crate::lock::reserve(&mut c, Some(5), NOW),
            crate::lock::Reservation::Check
        );
        assert_eq!(After::Invalid.settle(&mut c, Some(5), NOW), None);
    }
    crate::lock::reserve(&mut c, Some(5), NOW);
    let l = After::Invalid.settle(&mut c, Some(5), NOW).unwrap();
    assert_eq!((l.since, l.until), (NOW, NOW + time::Duration::minutes(30)));
    let mut c = Credentials {
        failed_attempts: 4,
        ..Credentials::default()
    };
    After::Grant(A).settle(&mut c, Some(5), NOW);
    assert_eq!(c.failed_attempts, 0);
}

#[path = "../../tests/lock_model/model.rs"]
#[expect(
    dead_code,
    reason = "the model's logins list is for the Directory's test"
)]
mod model;

/// Sign-in's pure rules, composed as `Directory::sign_in` composes them:
/// the same model the Directory's property test is held to.
mod pure_model {
    use proptest::prelude::*;

    use super::model::{step, Model, Seen, Step, SLOTS, THROTTLE};
    use super::*;
    use crate::lock::{self, Reservation};
    use crate::signin::device;
    use crate::signin::throttle::{self, ThrottleRecord, Throttled};

    struct Login {
        credentials: Credentials,
        manual: Option<LockMark>,
        /// Made at the first attempt, as the store's is.
        throttle: Option<ThrottleRecord>,
    }

    impl Login {
        fn new() -> Login {
            Login {
                credentials: Credentials::default(),
                manual: None,
                throttle: None,
            }
        }
    }

    fn attempt(
        l: &mut Login,
        who: usize,
        limit: Option<u32>,
        right: bool,
        now: OffsetDateTime,
    ) -> Seen {
        let auto = |a: crate::credentials::AutoLock| Seen::Auto(a.since, a.until);
        if who == 2 {
            // An unknown login: the throttle alone, holding its lock (D5).
            let t = l
                .throttle
                .get_or_insert_with(|| ThrottleRecord::new([0; 32], now));
            return match throttle::reserve(t, THROTTLE, now) {
                Throttled::Check => Seen::Invalid,
                Throttled::Trip => auto(throttle::lock_unknown(t, now)),
                Throttled::Locked(a) => auto(a),
            };
        }
        let f = LoginFacts {
            memberships: vec![MembershipFact {
                account: A,
                manual: l.manual,
                allowlist: Vec::new(),
            }],
            limit,
            named: None,
        };
        match decide_before(&f) {
            Before::Locked(_) => return Seen::Manual,
            Before::NotMember => return Seen::Invalid,
            Before::Check => {}
        }
        if let Reservation::Locked(a, _) = lock::reserve(&mut l.credentials, limit, now) {
            return auto(a);
        }
        let t = l
            .throttle
            .get_or_insert_with(|| ThrottleRecord::new([0; 32], now));
        if throttle::reserve(t, THROTTLE, now) != Throttled::Check {
            return auto(lock::lock_now(&mut l.credentials, now));
        }
        let after = decide_after(&f, right, IP);
        after.settle(&mut l.credentials, limit, now);
        if after != After::Invalid {
            if let Some(t) = &mut l.throttle {
                throttle::after_success(t, now);
            }
        }
        match after {
            After::Grant(_) => Seen::SignedIn,
            After::Locked(..) => Seen::Manual,
            _ => Seen::Invalid,
        }
    }

    /// An attempt that presents a device token (D10) and asks for a new
    /// one (`new`, stored when it is given): the token's reservation comes
    /// first, after the manual lock; without a valid token the attempt is
    /// [`attempt`]'s.
    fn device_attempt(
        l: &mut Login,
        who: usize,
        limit: Option<u32>,
        right: bool,
        presented: Option<[u8; 32]>,
        new: [u8; 32],
        now: OffsetDateTime,
    ) -> (Seen, bool) {
        if l.manual.is_some() {
            return (Seen::Manual, false);
        }
        let tokens = &mut l.credentials.device_tokens;
        device::prune(tokens, now);
        let bound = device::bound(limit, THROTTLE);
        let via = presented.filter(|k| {
            device::find(tokens, k, now).is_some_and(|i| device::reserve(tokens, i, bound))
        });
        if let Some(k) = via {
            if !right {
                return (Seen::Invalid, false);
            }
            device::after_success(tokens, &k, now);
            return (Seen::SignedIn, false);
        }
        let seen = attempt(l, who, limit, right, now);
        let issued = seen == Seen::SignedIn;
        if issued {
            device::issue(&mut l.credentials.device_tokens, new, now);
        }
        (seen, issued)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        // rule D5, D9, D10, E1, E2, E3, E4, E5, E6
        #[test]
        fn the_lock_rules_match_the_model(steps in prop::collection::vec(step(), 1..60)) {
            let mut model = Model::new(NOW);
            let mut logins: [Login; 3] = [Login::new(), Login::new(), Login::new()];
            let mut policy = None;
            let mut keys: [[Option<[u8; 32]>; SLOTS]; 3] = Default::default();
            let mut issued = 0u8;
            for step in steps {
                match step {
                    Step::Device { who, right, token, keep } => {
                        issued = issued.wrapping_add(1);
                        let presented = token.and_then(|(o, s)| keys[o][s]);
                        let (seen, new) = device_attempt(&mut logins[who], who, policy, right, presented, [issued; 32], model.now);
                        let token = token.filter(|(o, s)| keys[*o][*s].is_some());
                        prop_assert_eq!(seen, model.device_attempt(who, right, token, keep));
                        if new {
                            keys[who][keep] = Some([issued; 32]);
                        }
                    }
                    Step::Attempt { who, right } => {
                        let seen = attempt(&mut logins[who], who, policy, right, model.now);
                        prop_assert_eq!(seen, model.attempt(who, right));
                    }
                    Step::Advance(secs) => model.now += time::Duration::seconds(secs),
                    Step::SetPolicy(p) => {
                        policy = p;
                        model.policy = p;
                    }
                    Step::ManualLock(who) => {
                        logins[who].manual.get_or_insert(manual(model.now));
                        model.logins[who].manual = true;
                    }
                    Step::Unlock(who) => {
                        logins[who].manual = None;
                        lock::clear(&mut logins[who].credentials);
                        let l = &mut model.logins[who];
                        l.manual = false;
                        l.locked = None;
                        l.failed = 0;
                    }
                    Step::Reset(who) => {
                        // E4: a reset ends an automatic lock with a fresh
                        // count; D10: and the login's device tokens.
                        lock::clear(&mut logins[who].credentials);
                        logins[who].credentials.device_tokens.clear();
                        let l = &mut model.logins[who];
                        l.password += 1;
                        l.locked = None;
                        l.failed = 0;
                        model.devices[who] = Default::default();
                    }
                }
            }
        }
    }
}
