//! Unit tests of the lock policy's rules: no store, no Directory.

use time::macros::datetime;

use super::*;

const T0: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);

// rule D9
#[test]
fn an_attempt_is_counted_before_its_check_so_the_limit_is_exact() {
    let mut c = Credentials::default();
    for n in 1..=5 {
        assert_eq!(reserve(&mut c, Some(5), T0), Reservation::Check);
        assert_eq!(c.failed_attempts, n);
    }
    // The sixth reservation gets no check: the login locks now.
    assert!(matches!(
        reserve(&mut c, Some(5), T0),
        Reservation::Locked(_, true)
    ));
}

// rule E2
#[test]
fn the_strictest_policy_applies_and_a_lock_runs_out_with_a_fresh_count() {
    assert_eq!(
        strictest([
            None,
            Some(LockPolicy { max_attempts: 7 }),
            Some(LockPolicy { max_attempts: 3 })
        ]),
        Some(3)
    );
    assert_eq!(strictest([None, None]), None);
    let mut c = Credentials::default();
    for _ in 0..3 {
        reserve(&mut c, Some(3), T0);
    }
    let lock = after_failure(&mut c, Some(3), T0);
    let Some(lock) = lock else {
        panic!("no lock after 3 failures")
    };
    assert_eq!(lock.until - lock.since, COOL_OFF);
    assert_eq!(
        active(&c, lock.until - time::Duration::seconds(1)),
        Some(lock)
    );
    assert_eq!(active(&c, lock.until), None);
    assert_eq!(reserve(&mut c, Some(3), lock.until), Reservation::Check);
    assert_eq!(c.failed_attempts, 1);
    // A success starts the count again.
    after_success(&mut c);
    assert_eq!(c.failed_attempts, 0);
}

// rule E3
#[test]
fn while_locked_nothing_is_checked_nor_counted() {
    let mut c = Credentials::default();
    for _ in 0..6 {
        reserve(&mut c, Some(5), T0);
    }
    let count = c.failed_attempts;
    let later = T0 + time::Duration::minutes(10);
    assert!(matches!(
        reserve(&mut c, Some(5), later),
        Reservation::Locked(_, false)
    ));
    assert_eq!(c.failed_attempts, count);
}

// rule D8, D10
#[test]
fn a_lock_ends_every_session_but_a_device_tokens() {
    let mut c = Credentials::default();
    let (epoch, locks) = (c.session_epoch, c.lock_epoch);
    for _ in 0..2 {
        reserve(&mut c, Some(1), T0);
    }
    // The lock epoch ends the sessions no device token made; the session
    // epoch, which would end them all, is left alone.
    assert_ne!(c.lock_epoch, locks);
    assert_eq!(c.session_epoch, epoch);
}

// rule E4
#[test]
fn clearing_ends_an_automatic_lock_and_its_count() {
    let mut c = Credentials::default();
    for _ in 0..2 {
        reserve(&mut c, Some(1), T0);
    }
    assert!(active(&c, T0).is_some());
    clear(&mut c);
    assert!(active(&c, T0).is_none());
    assert_eq!(c.failed_attempts, 0);
}
