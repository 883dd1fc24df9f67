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
