//! The reference model of the lock policy (SPEC D5, D9, E1–E6), shared by
//! the property test that drives the Directory (core/tests/lock_model.rs)
//! and the one that drives sign-in's pure rules (core/src/signin/tests.rs).
//! Logins 0 and 1 exist; login 2 does not. Every login is under D5's
//! directory-wide throttle, tightened to [`THROTTLE`] for the test, so that
//! its bound is reached within a run.

use proptest::prelude::*;
use time::{Duration, OffsetDateTime};

pub const LOGINS: [&str; 3] = ["carol", "dave", "ghost"];
/// The directory-wide throttle's bound in these tests (D5).
pub const THROTTLE: u32 = 6;

#[derive(Debug, Clone)]
pub enum Step {
    Attempt { who: usize, right: bool },
    Advance(i64),
    SetPolicy(Option<u32>),
    ManualLock(usize),
    Unlock(usize),
    Reset(usize),
}

pub fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0..3usize, any::<bool>()).prop_map(|(who, right)| Step::Attempt { who, right }),
        2 => prop::sample::select(vec![1i64, 60, 29 * 60, 30 * 60 - 1, 30 * 60, 30 * 60 + 1, 3600])
            .prop_map(Step::Advance),
        1 => prop::option::of(1..5u32).prop_map(Step::SetPolicy),
        1 => (0..2usize).prop_map(Step::ManualLock),
        1 => (0..2usize).prop_map(Step::Unlock),
        1 => (0..2usize).prop_map(Step::Reset),
    ]
}

/// What the model says one login's state is.
#[derive(Debug, Clone, Default)]
pub struct Login {
    pub failed: u32,
    /// D5: failed attempts in the throttle's window, and when it began.
    pub throttled: u32,
    pub window: Option<OffsetDateTime>,
    pub locked: Option<(OffsetDateTime, OffsetDateTime)>,
    pub manual: bool,
    pub password: u32,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    SignedIn,
    Invalid,
    Auto(OffsetDateTime, OffsetDateTime),
    Manual,
}

pub struct Model {
    pub now: OffsetDateTime,
    pub policy: Option<u32>,
    pub logins: [Login; 3],
}

impl Model {
    /// What an attempt by login `who`, with the right password or not, sees.
    pub fn attempt(&mut self, who: usize, right: bool) -> Seen {
        let now = self.now;
        let cool_off = Duration::minutes(30);
        let policy = self.policy;
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
            if who == 2 {
                // An unknown login's lock is its throttle's.
                l.throttled = 0;
                l.window = Some(now);
            }
        }
        if who != 2 {
            // E2: the account's policy.
            if let Some(limit) = policy {
                if l.failed >= limit {
                    l.locked = Some((now, now + cool_off));
                    return Seen::Auto(now, now + cool_off);
                }
            }
            l.failed += 1;
        }
        // D5: the throttle, for every login.
        if l.window.is_none_or(|w| now >= w + cool_off) {
            l.throttled = 0;
            l.window = Some(now);
        }
        if l.throttled >= THROTTLE {
            l.throttled = 0;
            l.window = Some(now);
            l.locked = Some((now, now + cool_off));
            return Seen::Auto(now, now + cool_off);
        }
        l.throttled += 1;
        if who == 2 {
            return Seen::Invalid;
        }
        if right {
            l.failed = 0;
            l.throttled = 0;
            l.window = Some(now);
            return Seen::SignedIn;
        }
        if let Some(limit) = policy {
            if l.failed >= limit && l.locked.is_none() {
                l.locked = Some((now, now + cool_off));
            }
        }
        Seen::Invalid
    }
}
