//! Unit tests of the accounts' rules: no store, no Directory.

use super::*;
use crate::roles::tests::{member, OWNER_ID};
use crate::roles::{access_of, Actor, Role};

fn plan(included: u32, price: u64) -> Plan {
    Plan {
        included_contacts: included,
        additional_contact_price: Money {
            minor_units: price,
            currency: "USD".into(),
        },
        ..Plan::default()
    }
}

// rule A6
#[test]
fn managers_never_touch_the_owner_the_host_may() {
    let cm = member(&[Role::ContactManager, Role::SecurityManager], false);
    assert!(matches!(
        guard_owner(&cm, OWNER_ID, OWNER_ID),
        Err(Error::RuleViolation {
            rule: Rule::A6OwnerOnly
        })
    ));
    assert!(guard_owner(&cm, OWNER_ID, ContactId(3)).is_ok());
    let host = access_of(&Actor::System, OWNER_ID, None, false, None);
    assert!(guard_owner(&host, OWNER_ID, OWNER_ID).is_ok());
}

// rule A7
#[test]
fn a_contact_beyond_the_plan_costs_its_price() {
    let cm = member(&[Role::ContactManager], false);
    assert_eq!(charge_for_addition(&cm, &plan(5, 500), 4).ok(), Some(None));
    let charge = charge_for_addition(&cm, &plan(5, 500), 5).ok().flatten();
    assert_eq!(charge.map(|m| m.minor_units), Some(500));
}

// rule C3
#[test]
fn in_procurement_mode_only_a_procurement_manager_completes_a_charge() {
    let cm = member(&[Role::ContactManager], true);
    assert!(matches!(
        charge_for_addition(&cm, &plan(5, 500), 5),
        Err(Error::PermissionDenied {
            permission: Permission::CompleteChargeable
        })
    ));
    // Within the plan nothing is charged, so nothing needs completing.
    assert!(charge_for_addition(&cm, &plan(5, 500), 1).is_ok());
    let pm = member(&[Role::ContactManager, Role::ProcurementManager], true);
    assert!(charge_for_addition(&pm, &plan(5, 500), 5).is_ok());
}
