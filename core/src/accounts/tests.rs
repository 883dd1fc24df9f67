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

// rule C3
#[test]
fn what_costs_nothing_is_not_chargeable() {
    let cm = member(&[Role::ContactManager], true);
    assert_eq!(plan(5, 0).charge_for_contact(9), None);
    assert_eq!(charge_for_addition(&cm, &plan(5, 0), 9).ok(), Some(None));
    assert!(Money::new(0, "EUR").is_zero());
    assert!(!Money::new(1, "EUR").is_zero());
}

// rule C3
#[test]
fn a_chargeable_action_is_completed_by_a_procurement_manager_while_the_mode_is_on() {
    let bm = member(&[Role::BillingManager], true);
    assert!(matches!(
        require_charge(&bm),
        Err(Error::PermissionDenied {
            permission: Permission::CompleteChargeable
        })
    ));
    assert!(require_charge(&member(&[Role::BillingManager], false)).is_ok());
    assert!(require_charge(&member(&[Role::ProcurementManager], true)).is_ok());
}

// rule C3
#[test]
fn a_host_declared_action_has_a_key_and_a_bounded_amount() {
    assert_eq!(
        check_charge_action("upgrade.disk").ok().as_deref(),
        Some("upgrade.disk")
    );
    for bad in ["", "Upgrade", "a b", "ü", &"x".repeat(65)] {
        assert!(
            matches!(
                check_charge_action(bad),
                Err(Error::InvalidInput {
                    field: Field::ChargeAction,
                    ..
                })
            ),
            "{bad:?}"
        );
    }
    assert!(Money::new(MAX_MINOR_UNITS, "USD").validated().is_ok());
    assert!(matches!(
        Money::new(MAX_MINOR_UNITS + 1, "USD").validated(),
        Err(Error::InvalidInput {
            field: Field::Price,
            problem: Problem::OutOfRange
        })
    ));
}

// rule A7
#[test]
fn money_reads_with_its_currencys_decimals() {
    for (units, currency, text) in [
        (500, "USD", "5.00 USD"),
        (5, "EUR", "0.05 EUR"),
        (0, "USD", "0.00 USD"),
        (500, "JPY", "500 JPY"),
        (1250, "KWD", "1.250 KWD"),
        (u64::MAX, "USD", "184467440737095516.15 USD"),
    ] {
        assert_eq!(Money::new(units, currency).to_string(), text);
    }
}
