//! D5's throttle, without a store.
#![expect(clippy::unwrap_used, reason = "test code")]

use super::*;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);

fn fresh() -> ThrottleRecord {
    ThrottleRecord::new(throttle_key("pat"), NOW)
}

// rule D5
#[test]
fn the_bound_is_per_window_and_the_next_attempt_trips() {
    let mut r = fresh();
    for i in 0..3 {
        let at = NOW + Duration::minutes(i);
        assert_eq!(reserve(&mut r, 3, at), Throttled::Check);
    }
    assert_eq!(
        reserve(&mut r, 3, NOW + Duration::minutes(4)),
        Throttled::Trip
    );
    // The trip starts a fresh count: the lock it causes is the contact's
    // (or, for an unknown login, the record's).
    assert_eq!(r.failures, 0);
    let l = lock_unknown(&mut r, NOW + Duration::minutes(4));
    assert_eq!(l.until, NOW + Duration::minutes(34));
    assert_eq!(
        reserve(&mut r, 3, NOW + Duration::minutes(33)),
        Throttled::Locked(l)
    );
    assert_eq!(reserve(&mut r, 3, l.until), Throttled::Check);
    assert_eq!((r.failures, r.lock), (1, None));
}

// rule D5
#[test]
fn failures_older_than_the_window_are_forgotten() {
    let mut r = fresh();
    for _ in 0..3 {
        assert_eq!(reserve(&mut r, 3, NOW), Throttled::Check);
    }
    let later = NOW + THROTTLE_WINDOW;
    assert_eq!(reserve(&mut r, 3, later), Throttled::Check);
    assert_eq!((r.failures, r.window_start), (1, later));
    after_success(&mut r, later);
    assert_eq!(r.failures, 0);
}

// rule D5: a record expires only once it is as good as absent.
#[test]
fn a_record_expires_with_its_window_or_its_lock() {
    let mut r = fresh();
    assert_eq!(r.expires_at(), NOW + THROTTLE_WINDOW);
    let l = lock_unknown(&mut r, NOW + Duration::minutes(20));
    assert_eq!(r.expires_at(), l.until);
    // The end of time saturates.
    let end = time::Date::MAX.with_hms(23, 59, 59).unwrap().assume_utc();
    let mut r = ThrottleRecord::new([0; 32], end);
    assert!(r.expires_at() >= end);
    assert_eq!(reserve(&mut r, 1, end), Throttled::Check);
    assert!(lock_unknown(&mut r, end).until >= end);
}

// rule D5: the store never sees the login typed.
#[test]
fn the_key_is_a_labelled_hash_of_the_login() {
    assert_eq!(throttle_key("pat"), throttle_key("pat"));
    assert_ne!(throttle_key("pat"), throttle_key("pat2"));
    let plain: [u8; 32] = Sha256::digest(b"pat").into();
    assert_ne!(throttle_key("pat"), plain);
}
