//! The reference model of the lock policy (SPEC D5, D9, E1–E6), shared by
//! the property test that drives the Directory (core/tests/lock_model.rs)
//! and the one that drives sign-in's pure rules (core/src/signin/tests.rs).
//! Logins 0 and 1 exist; login 2 does not. Every login is under D5's
//! directory-wide throttle, tightened to [`THROTTLE`] for the test, so that
//! its bound is reached within a run. Attempts may present a device token
//! (D10) that a login was given, of its own or of another login, and ask
//! for a new one.

use proptest::prelude::*;
use time::{Duration, OffsetDateTime};

pub const LOGINS: [&str; 3] = ["carol", "dave", "ghost"];
/// The directory-wide throttle's bound in these tests (D5).
pub const THROTTLE: u32 = 6;
/// How many device tokens (D10) the test keeps per login.
pub const SLOTS: usize = 2;

#[derive(Debug, Clone)]
pub enum Step {
    Attempt {
        who: usize,
        right: bool,
    },
    /// An attempt that presents the token in `token` (login, slot), if it
    /// holds one, and asks for a new one, kept in slot `keep` of `who`.
    Device {
        who: usize,
        right: bool,
        token: Option<(usize, usize)>,
        keep: usize,
    },
    Advance(i64),
    SetPolicy(Option<u32>),
    ManualLock(usize),
    Unlock(usize),
    Reset(usize),
}

pub fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0..3usize, any::<bool>()).prop_map(|(who, right)| Step::Attempt { who, right }),
        4 => (0..3usize, any::<bool>(), prop::option::of((0..3usize, 0..SLOTS)), 0..SLOTS)
            .prop_map(|(who, right, token, keep)| Step::Device { who, right, token, keep }),
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
    /// D10: the failures counted against each token the test keeps, by
    /// login and slot; `None` where it keeps none that is valid.
    pub devices: [[Option<u32>; SLOTS]; 3],
}

impl Model {
    /// A model with no attempt made yet.
    pub fn new(now: OffsetDateTime) -> Model {
        Model {
            now,
            policy: None,
            logins: Default::default(),
            devices: Default::default(),
        }
    }

    /// What an attempt that presents a device token (D10) sees: a valid
    /// token of this login is not held up by the automatic lock and counts
    /// its own failures, up to the policy's number (the throttle's under
    /// none), which disables it; any other goes on as no token. A
    /// successful attempt without a valid token gets a new one.
    pub fn device_attempt(
        &mut self,
        who: usize,
        right: bool,
        token: Option<(usize, usize)>,
        keep: usize,
    ) -> Seen {
        let bound = self.policy.map_or(THROTTLE, |p| p.min(THROTTLE));
        if let Some((owner, slot)) = token.filter(|(owner, _)| *owner == who) {
            if let Some(failures) = self.devices[owner][slot] {
                if self.logins[who].manual {
                    return Seen::Manual;
                }
                if failures < bound {
                    if right {
                        self.devices[owner][slot] = Some(0);
                        return Seen::SignedIn;
                    }
                    self.devices[owner][slot] = Some(failures + 1);
                    return Seen::Invalid;
                }
                self.devices[owner][slot] = None;
            }
        }
        let seen = self.attempt(who, right);
        if seen == Seen::SignedIn {
            self.devices[who][keep] = Some(0);
        }
        seen
    }

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
