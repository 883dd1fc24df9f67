//! Unit tests of the designations' rules: no store, no Directory.

use super::*;

// rule H2
#[test]
fn the_secondary_differs_from_the_primary() {
    let (a, b) = (ContactId(1), ContactId(2));
    assert!(check_pair(a, None).is_ok());
    assert!(check_pair(a, Some(b)).is_ok());
    assert!(matches!(
        check_pair(a, Some(a)),
        Err(Error::RuleViolation {
            rule: Rule::H2SecondaryIsPrimary
        })
    ));
}

// rule H4
#[test]
fn a_duty_names_the_fields_its_holder_lacks() {
    let mut p = Profile::new("Bob", "bob@acme.example");
    assert_eq!(missing_for_duty(&p), vec![Field::BusinessPhone]);
    p.business_phone = Some("  ".into());
    assert_eq!(missing_for_duty(&p), vec![Field::BusinessPhone]);
    p.business_phone = Some("+1 555 0100".into());
    assert!(missing_for_duty(&p).is_empty());
    p.email = " ".into();
    assert_eq!(missing_for_duty(&p), vec![Field::Email]);
}
