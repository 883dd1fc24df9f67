//! D5's directory-wide throttle: every login, known or not, gets at most
//! [`THROTTLE_ATTEMPTS`] failed attempts in a window of [`THROTTLE_WINDOW`];
//! one more locks it for the cool-off ([`COOL_OFF`]). Its state is a
//! [`ThrottleRecord`] in the store, so every process and every restart
//! sees the same counts, and a record is removed only once it is as good
//! as absent (its window and its lock have ended).
//!
//! These functions are pure; sign-in reserves an attempt here before any
//! password is checked and commits the record with a version check, so the
//! count is atomic across processes (D9), like the lock policy's.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::credentials::AutoLock;
use crate::lock::COOL_OFF;

/// Failed attempts any login may have within [`THROTTLE_WINDOW`] (D5); the
/// host may set fewer ([`DirectoryBuilder::throttle_attempts`](crate::DirectoryBuilder::throttle_attempts)).
pub const THROTTLE_ATTEMPTS: u32 = 100;
/// The window failed attempts are counted in (D5).
pub const THROTTLE_WINDOW: Duration = Duration::minutes(30);

/// One login's throttle, as stored: found by [`throttle_key`], never by the
/// login typed (it may be a password typed in the wrong field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottleRecord {
    /// The hash of the login ([`throttle_key`]).
    pub key: [u8; 32],
    /// Failed attempts in the current window, reserved ones included.
    pub failures: u32,
    /// When the current window began.
    #[serde(with = "time::serde::rfc3339")]
    pub window_start: OffsetDateTime,
    /// The lock, for a login no contact has; a known login's lock is its
    /// contact's (E2).
    pub lock: Option<AutoLock>,
    /// The version read (0: not stored yet); the store keeps it one higher.
    pub version: u64,
}

impl ThrottleRecord {
    /// A login's first record.
    pub fn new(key: [u8; 32], now: OffsetDateTime) -> ThrottleRecord {
        ThrottleRecord {
            key,
            failures: 0,
            window_start: now,
            lock: None,
            version: 0,
        }
    }

    /// When the record is as good as absent: its window and any lock have
    /// ended. A store may remove it from then on, never before.
    pub fn expires_at(&self) -> OffsetDateTime {
        let window = self.window_start.saturating_add(THROTTLE_WINDOW);
        match self.lock {
            Some(l) if l.until > window => l.until,
            _ => window,
        }
    }
}

/// The key of a login's throttle record: SHA-256 of its normalized form,
/// under a label of its own.
pub fn throttle_key(login_key: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"contactkeeper throttle v1\0");
    h.update(login_key.as_bytes());
    h.finalize().into()
}

/// What the throttle lets an attempt do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Throttled {
    /// The attempt is counted; check the password.
    Check,
    /// Past the bound in this window: a known login's contact is locked
    /// now (the count starts again); an unknown login's record holds the
    /// lock.
    Trip,
    /// An unknown login under a lock in force.
    Locked(AutoLock),
}

/// Reserves one attempt (D5, D9): a window or lock that ended starts a
/// fresh count; past `limit` the attempt trips the throttle.
pub(crate) fn reserve(r: &mut ThrottleRecord, limit: u32, now: OffsetDateTime) -> Throttled {
    if let Some(l) = r.lock {
        if now < l.until {
            return Throttled::Locked(l);
        }
        r.lock = None;
        r.failures = 0;
        r.window_start = now;
    }
    if now >= r.window_start.saturating_add(THROTTLE_WINDOW) {
        r.failures = 0;
        r.window_start = now;
    }
    if r.failures >= limit {
        r.failures = 0;
        r.window_start = now;
        return Throttled::Trip;
    }
    r.failures = r.failures.saturating_add(1);
    Throttled::Check
}

/// The lock a trip puts on a login no contact has.
pub(crate) fn lock_unknown(r: &mut ThrottleRecord, now: OffsetDateTime) -> AutoLock {
    let l = AutoLock {
        since: now,
        until: now.saturating_add(COOL_OFF),
    };
    r.lock = Some(l);
    l
}

/// After a successful check: the count starts again, as E2's does.
pub(crate) fn after_success(r: &mut ThrottleRecord, now: OffsetDateTime) {
    r.failures = 0;
    r.window_start = now;
}

#[cfg(test)]
mod tests;
