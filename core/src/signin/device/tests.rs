//! D10's device tokens, without a store.

use super::*;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);

fn key(n: u8) -> [u8; 32] {
    [n; 32]
}

// rule D10
#[test]
fn a_token_allows_the_policys_failures_then_is_disabled() {
    let mut tokens = Vec::new();
    issue(&mut tokens, key(1), NOW);
    let b = bound(Some(3), 100);
    assert_eq!(b, 3);
    for _ in 0..3 {
        let i = find(&tokens, &key(1), NOW).expect("valid");
        assert!(reserve(&mut tokens, i, b));
    }
    // The fourth attempt finds the token spent: it goes on without one.
    let i = find(&tokens, &key(1), NOW).expect("still stored");
    assert!(!reserve(&mut tokens, i, b));
    assert!(tokens.is_empty());
    assert_eq!(find(&tokens, &key(1), NOW), None);
}

// rule D10
#[test]
fn under_no_policy_the_throttle_bounds_a_token() {
    assert_eq!(bound(None, 100), 100);
    assert_eq!(bound(Some(200), 7), 7);
}

// rule D10
#[test]
fn a_success_starts_the_count_again_and_the_lifetime_too() {
    let mut tokens = Vec::new();
    issue(&mut tokens, key(1), NOW);
    assert!(reserve(&mut tokens, 0, 2));
    let later = NOW + Duration::days(179);
    after_success(&mut tokens, &key(1), later);
    assert_eq!(tokens[0].failures, 0);
    // 180 days from the last use, not from the issue.
    assert_eq!(find(&tokens, &key(1), later + Duration::days(179)), Some(0));
    assert_eq!(find(&tokens, &key(1), later + Duration::days(180)), None);
    prune(&mut tokens, later + Duration::days(180));
    assert!(tokens.is_empty());
}

// rule D10
#[test]
fn only_the_token_presented_is_found() {
    let mut tokens = Vec::new();
    issue(&mut tokens, key(1), NOW);
    issue(&mut tokens, key(2), NOW);
    assert_eq!(find(&tokens, &key(2), NOW), Some(1));
    assert_eq!(find(&tokens, &key(3), NOW), None);
}

// rule D10
#[test]
fn the_twenty_first_token_evicts_the_least_recently_used() {
    let mut tokens = Vec::new();
    for n in 0..20u8 {
        issue(&mut tokens, key(n), NOW + Duration::minutes(i64::from(n)));
    }
    // Token 0 was used last; token 1 is now the least recently used.
    after_success(&mut tokens, &key(0), NOW + Duration::hours(1));
    issue(&mut tokens, key(20), NOW + Duration::hours(2));
    assert_eq!(tokens.len(), DEVICE_TOKENS_PER_LOGIN);
    let at = NOW + Duration::hours(2);
    assert!(find(&tokens, &key(0), at).is_some());
    assert_eq!(find(&tokens, &key(1), at), None);
    assert!(find(&tokens, &key(20), at).is_some());
}

// rule D10
#[test]
fn wrong_codes_count_against_the_token() {
    let mut tokens = Vec::new();
    issue(&mut tokens, key(1), NOW);
    assert!(count_failure(&mut tokens, &key(1), 2));
    assert_eq!(tokens[0].failures, 1);
    assert!(count_failure(&mut tokens, &key(1), 2));
    assert!(tokens.is_empty());
    // Gone: the next failure is the login's to count.
    assert!(!count_failure(&mut tokens, &key(1), 2));
}

// rule D10
#[test]
fn time_at_the_end_of_the_calendar_does_not_panic() {
    let mut tokens = Vec::new();
    let end = time::PrimitiveDateTime::MAX.assume_utc();
    issue(&mut tokens, key(1), end);
    assert_eq!(find(&tokens, &key(1), end), None);
}

// rule D10
#[test]
fn a_right_password_gives_its_reservation_back() {
    let mut tokens = Vec::new();
    issue(&mut tokens, key(1), NOW);
    assert!(reserve(&mut tokens, 0, 3));
    release(&mut tokens, &key(1));
    assert_eq!(tokens[0].failures, 0);
    release(&mut tokens, &key(1));
    assert_eq!(tokens[0].failures, 0, "never below none");
}
