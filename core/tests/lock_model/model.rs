//! The reference model of the lock policy (SPEC D5, D9, E1–E6), shared by
//! the property test that drives the Directory (core/tests/lock_model.rs)
//! and the one that drives sign-in's pure rules (core/src/signin/tests.rs).
//! Logins 0 and 1 exist; login 2 does not.

use proptest::prelude::*;
use time::{Duration, OffsetDateTime};

pub const LOGINS: [&str; 3] = ["carol", "dave", "ghost"];
pub const UNKNOWN_LIMIT: u32 = 5;

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
