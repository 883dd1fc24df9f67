//! Unit tests of the contacts' rules: no store, no Directory.

use super::*;
use crate::roles::tests::member;
use crate::roles::{access_of, Actor, Role};

// rule B3
#[test]
fn logins_compare_case_insensitively_and_are_checked() {
    assert_eq!(login_key(" Alice ").ok(), login_key("alice").ok());
    assert_eq!(
        login_key("ALICE@acme.example").ok().as_deref(),
        Some("alice@acme.example")
    );
    for bad in ["", "   ", "al ice", "al\u{202e}ice", "al\nice"] {
        assert!(login_key(bad).is_err(), "{bad:?}");
    }
}

// rule B6
#[test]
fn a_shared_profile_is_changed_only_by_the_host_or_its_contact() {
    let cm = member(&[Role::ContactManager], false);
    assert!(guard_shared_profile(&cm, 1).is_ok());
    assert!(matches!(
        guard_shared_profile(&cm, 2),
        Err(Error::RuleViolation {
            rule: Rule::B6SharedProfile
        })
    ));
    let host = access_of(&Actor::System, ContactId(1), None, false, None);
    assert!(guard_shared_profile(&host, 2).is_ok());
}
