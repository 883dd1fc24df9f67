//! A first walk through the main operations.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
use common::*;
use contactkeeper::*;

#[test]
fn a_portal_day() {
    for_each_store(a_portal_day_on);
}

fn a_portal_day_on(f: Fixture) {
    let (acct, owner) = f.account("alice");
    let bob = f
        .dir
        .create_contact(
            &c(owner),
            acct,
            &new_contact("bob").with_roles(RoleSet::of(&[Role::ContactManager])),
        )
        .unwrap()
        .contact;
    let list = f.dir.list_contacts(&c(bob), acct, None, 100).unwrap();
    assert_eq!(list.len(), 2);
    f.dir.transfer_ownership(&c(owner), acct, bob).unwrap();
    assert_eq!(f.dir.account(&c(bob), acct).unwrap().owner, bob);
    assert_eq!(f.notifier.take().len(), 2);
    assert!(matches!(
        f.dir.verify_audit(&c(owner), acct).unwrap(),
        AuditVerification::Intact { .. }
    ));
}
