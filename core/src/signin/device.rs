//! Device tokens (SPEC D10), after OWASP's "Slow Down Online Guessing
//! Attacks with Device Cookies": a client that signed in to a login before
//! keeps signing in to it while attempts from elsewhere have it locked.
//!
//! A token is 256 random bits, shown once to the host and stored only as
//! its SHA-256 among the login's credentials, at most
//! [`DEVICE_TOKENS_PER_LOGIN`] of them (the least recently used goes
//! first), each ending [`DEVICE_TOKEN_LIFETIME`] after it was last used.
//! An attempt that presents a valid token is not refused by the login's
//! automatic lock (E2) nor by the directory-wide throttle (D5), and is not
//! counted by them: its failures count against the token, and the
//! policy's number of failures (the throttle's, under no policy) disables
//! it. A token is issued only once a sign-in is complete (its second
//! factor given, the password change or the enrollment it required done),
//! and a new password ends all of the login's tokens (the session that
//! changed it, if a token made it or asked for one, gets a new one). A
//! session a token made stays out of the automatic lock only while that
//! token is valid. These functions are pure; sign-in commits their results with the
//! contact's version check, so parallel attempts with one token never get
//! more checks than its bound (D9).

use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

use crate::credentials::DeviceRecord;

/// At most this many device tokens per login (D10).
pub const DEVICE_TOKENS_PER_LOGIN: usize = 20;
/// A device token unused this long ends (D10).
pub const DEVICE_TOKEN_LIFETIME: Duration = Duration::days(180);

/// How many failed attempts a token allows: the strictest lock policy of
/// the login's accounts (E2), or the throttle's bound under none (D5).
pub(crate) fn bound(limit: Option<u32>, throttle: u32) -> u32 {
    limit.map_or(throttle, |l| l.min(throttle))
}

/// Drops the tokens unused for [`DEVICE_TOKEN_LIFETIME`].
pub(crate) fn prune(tokens: &mut Vec<DeviceRecord>, now: OffsetDateTime) {
    tokens.retain(|t| now < t.last_used_at.saturating_add(DEVICE_TOKEN_LIFETIME));
}

/// The index of the valid token whose hash is `key`, compared in constant
/// time with every stored one.
pub(crate) fn find(tokens: &[DeviceRecord], key: &[u8; 32], now: OffsetDateTime) -> Option<usize> {
    let mut found = None;
    for (i, t) in tokens.iter().enumerate() {
        let fresh = now < t.last_used_at.saturating_add(DEVICE_TOKEN_LIFETIME);
        if bool::from(t.key.ct_eq(key)) && fresh {
            found = Some(i);
        }
    }
    found
}

/// Reserves one attempt with the token at `i` (D9, D10): counted before
/// the password is checked. A token whose failures reached `bound` is
/// disabled (removed) instead, and `false` says the attempt goes on as
/// one without a token.
pub(crate) fn reserve(tokens: &mut Vec<DeviceRecord>, i: usize, bound: u32) -> bool {
    let Some(t) = tokens.get_mut(i) else {
        return false;
    };
    if t.failures >= bound {
        tokens.remove(i);
        return false;
    }
    t.failures = t.failures.saturating_add(1);
    true
}

/// Gives back the reservation of an attempt whose password was right but
/// that is not complete yet (a second factor is due) or goes nowhere (no
/// account named, an address outside the allowlist): it was no failure.
pub(crate) fn release(tokens: &mut [DeviceRecord], key: &[u8; 32]) {
    if let Some(t) = tokens.iter_mut().find(|t| bool::from(t.key.ct_eq(key))) {
        t.failures = t.failures.saturating_sub(1);
    }
}

/// A failed check with the token whose hash is `key` that had no
/// reservation (a wrong second-factor code, E8): counts it, and disables
/// the token once its failures reach `bound`. `false` when no such token is
/// left to count it.
pub(crate) fn count_failure(tokens: &mut Vec<DeviceRecord>, key: &[u8; 32], bound: u32) -> bool {
    let Some(i) = tokens.iter().position(|t| bool::from(t.key.ct_eq(key))) else {
        return false;
    };
    tokens[i].failures = tokens[i].failures.saturating_add(1);
    if tokens[i].failures >= bound {
        tokens.remove(i);
    }
    true
}

/// A success with the token whose hash is `key`: its count starts again
/// and its lifetime runs from now.
pub(crate) fn after_success(tokens: &mut [DeviceRecord], key: &[u8; 32], now: OffsetDateTime) {
    if let Some(t) = tokens.iter_mut().find(|t| bool::from(t.key.ct_eq(key))) {
        t.failures = 0;
        t.last_used_at = now;
    }
}

/// Stores a new token's hash, dropping expired ones and, past
/// [`DEVICE_TOKENS_PER_LOGIN`], the least recently used.
pub(crate) fn issue(tokens: &mut Vec<DeviceRecord>, key: [u8; 32], now: OffsetDateTime) {
    prune(tokens, now);
    while tokens.len() >= DEVICE_TOKENS_PER_LOGIN {
        let oldest = tokens
            .iter()
            .enumerate()
            .min_by_key(|(_, t)| t.last_used_at)
            .map_or(0, |(i, _)| i);
        tokens.remove(oldest);
    }
    tokens.push(DeviceRecord {
        key,
        issued_at: now,
        last_used_at: now,
        failures: 0,
    });
}

#[cfg(test)]
#[path = "device/tests.rs"]
mod tests;
