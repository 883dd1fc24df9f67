//! Unit tests of the roles' rules: no store, no Directory.

use super::*;
use crate::ids::ContactId;

/// The owner of the accounts these tests imagine.
pub(crate) const OWNER_ID: ContactId = ContactId(1);
/// A standard contact of it.
pub(crate) const MEMBER_ID: ContactId = ContactId(2);

/// How [`MEMBER_ID`] stands with these roles.
pub(crate) fn member(roles: &[Role], procurement: bool) -> Access {
    access_of(
        &Actor::Contact(MEMBER_ID),
        OWNER_ID,
        None,
        procurement,
        Some((RoleSet::of(roles), &TechScope::All)),
    )
}

// rule A2
#[test]
fn the_owner_holds_every_role_whatever_its_membership_says() {
    let a = access_of(
        &Actor::Contact(OWNER_ID),
        OWNER_ID,
        None,
        false,
        Some((RoleSet::EMPTY, &TechScope::All)),
    );
    assert_eq!(a.standing(), Standing::Owner);
    assert_eq!(a.roles(), RoleSet::ALL);
    assert!(a.allows(Permission::TransferOwnership));
}

// rule A3
#[test]
fn a_former_owner_keeps_every_standard_role_offered() {
    assert_eq!(standard_roles(true), RoleSet::ALL);
    let without = standard_roles(false);
    assert!(!without.contains(Role::ProcurementManager));
    assert!(without.contains(Role::ContactManager) && without.contains(Role::SecurityManager));
}

// rule C2
#[test]
fn the_table_decides_and_a_refusal_names_the_permission() {
    let cm = member(&[Role::ContactManager], false);
    assert!(cm.allows(Permission::ManageContacts));
    assert!(!cm.allows(Permission::ManageBilling));
    assert!(matches!(
        cm.require(Permission::ManageBilling),
        Err(Error::PermissionDenied {
            permission: Permission::ManageBilling
        })
    ));
    let bm = member(&[Role::BillingManager], false);
    assert!(bm.allows(Permission::ManageBilling));
    assert!(!bm.allows(Permission::ManageContacts));
    let plain = member(&[], false);
    assert!(plain.allows(Permission::ReadAudit));
    assert!(!plain.allows(Permission::AssignRoles));
    let outsider = access_of(&Actor::Contact(ContactId(3)), OWNER_ID, None, false, None);
    assert_eq!(outsider.standing(), Standing::Outsider);
    assert!(!outsider.allows(Permission::ReadAudit));
}

// rule C2
#[test]
fn only_the_accounts_own_partner_stands_as_partner() {
    let mine = access_of(&Actor::partner("p1"), OWNER_ID, Some("p1"), false, None);
    assert_eq!(mine.standing(), Standing::Partner);
    let other = access_of(&Actor::partner("p2"), OWNER_ID, Some("p1"), false, None);
    assert_eq!(other.standing(), Standing::Outsider);
}

// rule C3
#[test]
fn procurement_manager_is_offered_only_once_enabled() {
    let owner_off = access_of(
        &Actor::Contact(OWNER_ID),
        OWNER_ID,
        None,
        false,
        Some((RoleSet::ALL, &TechScope::All)),
    );
    let grant = RoleSet::of(&[Role::ProcurementManager]);
    assert!(matches!(
        owner_off.check_role_change(RoleSet::EMPTY, grant),
        Err(Error::RuleViolation {
            rule: Rule::C3ProcurementDisabled
        })
    ));
    let owner_on = access_of(
        &Actor::Contact(OWNER_ID),
        OWNER_ID,
        None,
        true,
        Some((RoleSet::ALL, &TechScope::All)),
    );
    assert!(owner_on.check_role_change(RoleSet::EMPTY, grant).is_ok());
}

// rule C6
#[test]
fn a_manager_grants_and_revokes_only_roles_it_holds() {
    let cm = member(&[Role::ContactManager], false);
    assert!(cm
        .check_role_change(RoleSet::EMPTY, RoleSet::of(&[Role::ContactManager]))
        .is_ok());
    for (old, new) in [
        (RoleSet::EMPTY, RoleSet::of(&[Role::SecurityManager])),
        (RoleSet::of(&[Role::BillingManager]), RoleSet::EMPTY),
    ] {
        assert!(matches!(
            cm.check_role_change(old, new),
            Err(Error::RuleViolation {
                rule: Rule::C6NoEscalation
            })
        ));
    }
    let billing = member(&[Role::BillingManager], false);
    assert!(matches!(
        billing.check_role_change(RoleSet::EMPTY, RoleSet::of(&[Role::BillingManager])),
        Err(Error::PermissionDenied {
            permission: Permission::AssignRoles
        })
    ));
}

// rule C7
#[test]
fn a_manager_reaches_only_the_credentials_of_contacts_with_no_role_it_lacks() {
    let cm = member(&[Role::ContactManager], false);
    let sm = RoleSet::of(&[Role::SecurityManager]);
    let cm_roles = RoleSet::of(&[Role::ContactManager]);
    assert!(matches!(
        guard_takeover(&cm, sm, &TechScope::All, 1),
        Err(Error::RuleViolation {
            rule: Rule::C7MoreRoles
        })
    ));
    assert!(guard_takeover(&cm, cm_roles, &TechScope::All, 1).is_ok());
    assert!(guard_takeover(&cm, RoleSet::EMPTY, &TechScope::All, 1).is_ok());
    let both = member(&[Role::ContactManager, Role::SecurityManager], false);
    assert!(guard_takeover(&both, sm, &TechScope::All, 1).is_ok());
}

// rule C7 (scopes as stored: a plan narrowed for a moment hides nothing)
#[test]
fn a_technical_administrator_reaches_no_one_whose_scope_is_wider_than_its_own() {
    let only = |o: &[&str]| TechScope::Only(o.iter().map(|s| s.to_string()).collect());
    let ta = RoleSet::of(&[Role::ContactManager, Role::TechnicalAdmin]);
    let narrow = Access::new(Standing::Member, ta, only(&["dns"]), false);
    let ta_only = RoleSet::of(&[Role::TechnicalAdmin]);
    for wider in [TechScope::All, only(&["dns", "mail"]), only(&["mail"])] {
        assert!(matches!(
            guard_takeover(&narrow, ta_only, &wider, 1),
            Err(Error::RuleViolation {
                rule: Rule::C7MoreRoles
            })
        ));
    }
    assert!(guard_takeover(&narrow, ta_only, &only(&["dns"]), 1).is_ok());
    assert!(guard_takeover(&narrow, ta_only, &TechScope::Only(Default::default()), 1).is_ok());
    // A scope only matters with the role: a plain contact's stored scope is ignored.
    assert!(guard_takeover(&narrow, RoleSet::EMPTY, &TechScope::All, 1).is_ok());
    // Scopes count as stored: an option the plan offers no more may come
    // back, so it is not the manager's to give up for the target.
    assert!(guard_takeover(&narrow, ta_only, &only(&["dns", "gone"]), 1).is_err());
    let wide = Access::new(Standing::Member, ta, TechScope::All, false);
    assert!(guard_takeover(&wide, ta_only, &TechScope::All, 1).is_ok());
}

// rule C7
#[test]
fn a_shared_logins_credentials_are_the_contacts_and_the_providers_alone() {
    let owner = access_of(
        &Actor::Contact(OWNER_ID),
        OWNER_ID,
        None,
        false,
        Some((RoleSet::ALL, &TechScope::All)),
    );
    assert!(guard_takeover(&owner, RoleSet::EMPTY, &TechScope::All, 1).is_ok());
    assert!(matches!(
        guard_takeover(&owner, RoleSet::EMPTY, &TechScope::All, 2),
        Err(Error::RuleViolation {
            rule: Rule::C7SharedLogin
        })
    ));
    let partner = access_of(
        &Actor::partner("resel"),
        OWNER_ID,
        Some("resel"),
        false,
        None,
    );
    // A partner holds no role: only contacts holding none, alone on their login.
    assert!(matches!(
        guard_takeover(
            &partner,
            RoleSet::of(&[Role::BillingManager]),
            &TechScope::All,
            1
        ),
        Err(Error::RuleViolation {
            rule: Rule::C7MoreRoles
        })
    ));
    assert!(guard_takeover(&partner, RoleSet::EMPTY, &TechScope::All, 1).is_ok());
    assert!(guard_takeover(&partner, RoleSet::EMPTY, &TechScope::All, 2).is_err());
    for provider in [Actor::System, Actor::support_desk("jo", "ticket 9")] {
        let a = access_of(&provider, OWNER_ID, None, false, None);
        assert!(guard_takeover(&a, RoleSet::ALL, &TechScope::All, 5).is_ok());
    }
}

// rule B7: an invitation names its sender by audit label, and is weighed
// again as that actor when accepted.
#[test]
fn an_audit_label_names_its_actor_back() {
    for actor in [
        Actor::Contact(ContactId(42)),
        Actor::partner("resel:eu"),
        Actor::System,
    ] {
        assert_eq!(Actor::from_audit_label(&actor.audit_label()), Some(actor));
    }
    let desk = Actor::support_desk("jo", "ticket 9");
    assert!(matches!(
        Actor::from_audit_label(&desk.audit_label()),
        Some(Actor::SupportDesk { agent, .. }) if agent == "jo"
    ));
    for junk in [
        "",
        "contact:",
        "contact:x",
        "nobody",
        "account:1",
        "systemx",
    ] {
        assert_eq!(Actor::from_audit_label(junk), None, "{junk}");
    }
}
