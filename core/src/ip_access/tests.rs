//! Unit tests of the IP rules: no store, no Directory.

use super::*;

// rule G2
#[test]
fn a_contact_cannot_set_a_list_that_shuts_itself_out() {
    let list = parse_allowlist(&["192.0.2.0/24", "2001:db8::/32"]).unwrap_or_default();
    assert_eq!(list.len(), 2);
    let inside: IpAddr = [192, 0, 2, 7].into();
    let outside: IpAddr = [198, 51, 100, 7].into();
    assert!(check_setter_inside(&list, true, inside).is_ok());
    assert!(matches!(
        check_setter_inside(&list, true, outside),
        Err(Error::RuleViolation {
            rule: Rule::G2ShutsOutSetter
        })
    ));
    // The host sets any list; an empty list allows every address (G1).
    assert!(check_setter_inside(&list, false, outside).is_ok());
    assert!(check_setter_inside(&[], true, outside).is_ok());
}
