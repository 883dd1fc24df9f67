//! Lock policy (SPEC E1–E9, D9): failure counting, automatic locks with a
//! 30-minute cool-off, manual locks per membership.
//!
//! These functions are pure: the sign-in flow calls them on the stored
//! credentials and commits the result with a version check, so counting is
//! atomic across threads and processes (D9).

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::credentials::{AutoLock, Credentials};
use crate::error::{Error, Field, Problem};

/// How long an automatic lock lasts (E2).
pub const COOL_OFF: Duration = Duration::minutes(30);
/// The default allowed number of failed attempts (E1).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;
/// The largest allowed number of failed attempts a policy may set.
pub const MAX_ATTEMPTS_LIMIT: u32 = 100;

/// An account's locked-account policy (E1): after `max_attempts` failed
/// attempts the login is locked for [`COOL_OFF`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockPolicy {
    /// Failed attempts allowed before the lock (1 to 100; default 5).
    pub max_attempts: u32,
}

impl Default for LockPolicy {
    fn default() -> LockPolicy {
        LockPolicy {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }
}

impl LockPolicy {
    pub(crate) fn validated(self) -> Result<LockPolicy, Error> {
        if !(1..=MAX_ATTEMPTS_LIMIT).contains(&self.max_attempts) {
            return Err(Error::invalid(Field::LockPolicy, Problem::OutOfRange));
        }
        Ok(self)
    }
}

/// A manual lock of one membership (E6): no cool-off; only a manual unlock
/// ends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualLock {
    /// When it was set.
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    /// Who set it (an audit label).
    pub by: String,
}

/// The kind of a lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LockKind {
    /// Too many failed attempts: ends by itself after the cool-off (E2).
    Automatic,
    /// Set by a manager: only a manual unlock ends it (E6).
    Manual,
}

/// The padlock of a listing (E7): kind, since when, until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LockMark {
    /// Automatic or manual.
    pub kind: LockKind,
    /// Since when.
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    /// Until when (automatic locks only).
    #[serde(with = "time::serde::rfc3339::option")]
    pub until: Option<OffsetDateTime>,
}

/// The strictest limit among a contact's accounts with the policy on (E2);
/// `None` when no account has it.
pub(crate) fn strictest(limits: impl IntoIterator<Item = Option<LockPolicy>>) -> Option<u32> {
    limits.into_iter().flatten().map(|p| p.max_attempts).min()
}

/// The automatic lock in force at `now`, if any (E2, E3).
pub(crate) fn active(c: &Credentials, now: OffsetDateTime) -> Option<AutoLock> {
    c.lock.filter(|l| now < l.until)
}

/// What a sign-in attempt may do before any password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reservation {
    /// Checking is allowed; the attempt is counted already.
    Check,
    /// The login is locked: no check (E3). `true` when this attempt set the
    /// lock (it is audited and notified once, E9).
    Locked(AutoLock, bool),
}

/// Reserves one attempt (D9): a lock that has run out is cleared with a
/// fresh count (E2); a lock in force answers locked; a count that reached
/// the limit locks now; otherwise the attempt is counted before the
/// password is checked, so parallel attempts never get more checks than
/// the limit.
pub(crate) fn reserve(c: &mut Credentials, limit: Option<u32>, now: OffsetDateTime) -> Reservation {
    if let Some(l) = c.lock {
        if now < l.until {
            return Reservation::Locked(l, false);
        }
        c.lock = None;
        c.failed_attempts = 0;
    }
    if let Some(limit) = limit {
        if c.failed_attempts >= limit {
            let l = lock_now(c, now);
            return Reservation::Locked(l, true);
        }
    }
    c.failed_attempts = c.failed_attempts.saturating_add(1);
    Reservation::Check
}

/// After a failed check: locks the login when the count has reached the
/// limit; returns the new lock.
pub(crate) fn after_failure(
    c: &mut Credentials,
    limit: Option<u32>,
    now: OffsetDateTime,
) -> Option<AutoLock> {
    match limit {
        Some(limit) if c.failed_attempts >= limit && active(c, now).is_none() => {
            Some(lock_now(c, now))
        }
        _ => None,
    }
}

/// A failed check that had no reservation (a wrong second-factor code,
/// E8): counts it, and locks the login when the count reached the limit.
pub(crate) fn count_failure(
    c: &mut Credentials,
    limit: Option<u32>,
    now: OffsetDateTime,
) -> Option<AutoLock> {
    c.failed_attempts = c.failed_attempts.saturating_add(1);
    after_failure(c, limit, now)
}

/// After a successful check: the count starts again (E2).
pub(crate) fn after_success(c: &mut Credentials) {
    c.failed_attempts = 0;
}

/// Ends an automatic lock (E4 after a reset, E5 by hand).
pub(crate) fn clear(c: &mut Credentials) {
    c.lock = None;
    c.failed_attempts = 0;
}

/// Locks the login now for the cool-off (E2; D5's throttle too).
pub(crate) fn lock_now(c: &mut Credentials, now: OffsetDateTime) -> AutoLock {
    let l = AutoLock {
        since: now,
        until: now.saturating_add(COOL_OFF),
    };
    c.lock = Some(l);
    // A lock ends every session at once (D8), but those a device token
    // made (D10): the lock is the doing of attempts without one.
    c.lock_epoch = c.lock_epoch.wrapping_add(1);
    l
}

pub(crate) mod ops;

#[cfg(test)]
mod tests;
