//! SPEC section A: accounts and ownership (A1–A8), through the public API.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
use common::*;
use contactkeeper::*;

fn owners_in(f: &Fixture, acct: AccountId) -> Vec<ContactId> {
    f.dir
        .list_contacts(&Actor::System, acct, None, 1000)
        .unwrap()
        .into_iter()
        .filter(|v| v.owner)
        .map(|v| v.id)
        .collect()
}

/// Exactly one owner, who is a member and is the account's owner (A1).
fn assert_one_owner(f: &Fixture, acct: AccountId) -> ContactId {
    let view = f.dir.account(&Actor::System, acct).unwrap();
    assert_eq!(owners_in(f, acct), vec![view.owner]);
    view.owner
}

fn support(reason: &str) -> Actor {
    Actor::support_desk("jo", reason)
}

// rule A1
#[test]
fn creating_an_account_creates_its_owner_in_the_same_step() {
    for_each_store(|f| {
        let created = f
            .dir
            .create_account(
                &Actor::System,
                &NewAccount::new("Acme Corp", new_contact("alice")),
            )
            .unwrap();
        let view = f.dir.account(&Actor::System, created.account).unwrap();
        assert_eq!(view.owner, created.owner);
        assert_eq!(view.name, "Acme Corp");
        assert_eq!(view.contacts, 1);
        assert_eq!(view.partner, None);
        let owner = f
            .dir
            .contact(&Actor::System, created.account, created.owner)
            .unwrap();
        assert!(owner.owner);
        assert_eq!(owner.login, "alice");
        assert_eq!(owner.accounts, 1);
        assert_eq!(assert_one_owner(&f, created.account), created.owner);
        let first = f.last_audit(created.account);
        assert_eq!(first.operation, Operation::AccountCreate);
        assert_eq!(first.outcome, Outcome::Success);
        assert_eq!(first.target, Some(created.owner.to_string()));
    });
}

// rule A1
#[test]
fn the_support_desk_and_partners_create_accounts_contacts_do_not() {
    for_each_store(|f| {
        let by_desk = f
            .dir
            .create_account(&support(""), &NewAccount::new("A", new_contact("a1")))
            .unwrap();
        assert_eq!(
            f.dir
                .account(&Actor::System, by_desk.account)
                .unwrap()
                .partner,
            None
        );
        let by_partner = f
            .dir
            .create_account(
                &Actor::partner("resel"),
                &NewAccount::new("B", new_contact("b1")),
            )
            .unwrap();
        assert_eq!(
            f.dir
                .account(&Actor::System, by_partner.account)
                .unwrap()
                .partner
                .as_deref(),
            Some("resel")
        );
        // A contact cannot create accounts; the refusal is audited in the
        // directory's chain (there is no account to hold it).
        let q = AuditQuery {
            limit: 10_000,
            ..Default::default()
        };
        let before = f.dir.directory_audit_entries(&Actor::System, &q).unwrap();
        let err = f
            .dir
            .create_account(&c(by_desk.owner), &NewAccount::new("C", new_contact("c1")))
            .unwrap_err();
        assert_eq!(
            err,
            Error::PermissionDenied {
                permission: Permission::CreateAccounts
            }
        );
        assert!(!f
            .dir
            .check_login(&Actor::System, by_desk.account, "c1")
            .unwrap());
        let after = f.dir.directory_audit_entries(&Actor::System, &q).unwrap();
        assert_eq!(after.len(), before.len() + 1);
        let last = after.last().unwrap();
        assert_eq!(last.operation, Operation::AccountCreate);
        assert_eq!(last.outcome, Outcome::Refused(ErrorCode::PermissionDenied));
        assert_eq!(last.actor, by_desk.owner.to_string());
    });
}

// rule A1
#[test]
fn a_refused_account_creation_leaves_no_owner_behind() {
    for_each_store(|f| {
        let (probe, _) = f.account("probe");
        let mut bad_plan = NewAccount::new("Acme", new_contact("alice"));
        bad_plan.plan.additional_contact_price = Money::new(100, "usd");
        let err = f.dir.create_account(&Actor::System, &bad_plan).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert_eq!(err.rule(), Some("A7"));
        let mut bad_owner = NewAccount::new("Acme", new_contact("alice"));
        if let NewOwner::New(nc) = &mut bad_owner.owner {
            nc.profile.email = "not-an-email".into();
        }
        let err = f
            .dir
            .create_account(&Actor::System, &bad_owner)
            .unwrap_err();
        assert_eq!(err.rule(), Some("B2"));
        let err = f
            .dir
            .create_account(&Actor::System, &NewAccount::new("  ", new_contact("alice")))
            .unwrap_err();
        assert_eq!(
            err,
            Error::InvalidInput {
                field: Field::AccountName,
                problem: Problem::Empty
            }
        );
        // Nothing was half-created: the owner's login is still free.
        assert!(!f.dir.check_login(&Actor::System, probe, "alice").unwrap());
        f.account("alice");
        assert!(f.dir.check_login(&Actor::System, probe, "alice").unwrap());
    });
}

// rule A1
#[test]
fn an_existing_contact_can_own_a_new_account() {
    for_each_store(|f| {
        let (first, alice) = f.account("alice");
        let second = f
            .dir
            .create_account(
                &Actor::System,
                &NewAccount {
                    name: "Second".into(),
                    plan: Plan::default(),
                    owner: NewOwner::Existing("ALICE".into()),
                },
            )
            .unwrap();
        assert_eq!(second.owner, alice);
        assert_eq!(assert_one_owner(&f, second.account), alice);
        assert_eq!(
            f.dir
                .contact(&Actor::System, first, alice)
                .unwrap()
                .accounts,
            2
        );
        let err = f
            .dir
            .create_account(
                &Actor::System,
                &NewAccount {
                    name: "Third".into(),
                    plan: Plan::default(),
                    owner: NewOwner::Existing("nobody".into()),
                },
            )
            .unwrap_err();
        assert_eq!(
            err,
            Error::NotFound {
                entity: Entity::Login
            }
        );
        assert_eq!(
            f.dir
                .contact(&Actor::System, first, alice)
                .unwrap()
                .accounts,
            2
        );
    });
}

// rule A1
#[test]
fn there_is_exactly_one_owner_through_transfers() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        let carol = f.contact(acct, "carol", RoleSet::EMPTY);
        assert_eq!(assert_one_owner(&f, acct), alice);
        f.dir.transfer_ownership(&c(alice), acct, bob).unwrap();
        assert_eq!(assert_one_owner(&f, acct), bob);
        f.dir
            .transfer_ownership(&support("owner left"), acct, carol)
            .unwrap();
        assert_eq!(assert_one_owner(&f, acct), carol);
        f.dir.transfer_ownership(&c(carol), acct, alice).unwrap();
        assert_eq!(assert_one_owner(&f, acct), alice);
    });
}

// rule A2
#[test]
fn the_owner_holds_every_role_and_none_can_be_removed() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let bob = f.contact(
            acct,
            "bob",
            RoleSet::of(&[Role::ContactManager, Role::SecurityManager]),
        );
        assert_eq!(roles_of(&f, acct, alice), RoleSet::ALL);
        assert_eq!(f.dir.access(&c(alice), acct).unwrap().roles(), RoleSet::ALL);
        for actor in [c(alice), c(bob), Actor::System, Actor::partner("p")] {
            let code = if actor == Actor::partner("p") {
                // Not the account's partner: an outsider.
                ErrorCode::PermissionDenied
            } else {
                ErrorCode::RuleViolation
            };
            let rule = if code == ErrorCode::RuleViolation {
                "A2"
            } else {
                "C2"
            };
            f.refused(acct, &[], code, rule, || {
                f.dir
                    .set_roles(&actor, acct, alice, RoleSet::EMPTY, &TechScope::All)
            });
        }
        // Not even a no-op on the owner's roles passes, and its scope stays.
        f.refused(acct, &[], ErrorCode::RuleViolation, "A2", || {
            f.dir.set_roles(
                &c(alice),
                acct,
                alice,
                RoleSet::ALL,
                &TechScope::only(["users"]),
            )
        });
        assert_eq!(
            f.dir
                .contact(&Actor::System, acct, alice)
                .unwrap()
                .tech_scope,
            TechScope::All
        );
        // A new owner holds every role at once.
        f.dir.transfer_ownership(&c(alice), acct, bob).unwrap();
        assert_eq!(roles_of(&f, acct, bob), RoleSet::ALL);
        assert_eq!(f.dir.access(&c(bob), acct).unwrap().roles(), RoleSet::ALL);
    });
}

// rule A3
#[test]
fn the_owner_transfers_ownership_and_keeps_every_standard_role() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let bob = f.contact(acct, "bob", RoleSet::of(&[Role::BillingManager]));
        f.notifier.take();
        f.dir.transfer_ownership(&c(alice), acct, bob).unwrap();
        assert_eq!(f.dir.account(&Actor::System, acct).unwrap().owner, bob);
        let former = f.dir.contact(&Actor::System, acct, alice).unwrap();
        assert!(!former.owner);
        // Every standard role (procurement is off, so not that one: C3).
        assert_eq!(former.roles, RoleSet::ALL.without(Role::ProcurementManager));
        assert_eq!(
            f.dir.access(&c(alice), acct).unwrap().standing(),
            Standing::Member
        );
        let new = f.dir.contact(&Actor::System, acct, bob).unwrap();
        assert!(new.owner);
        assert_eq!(new.roles, RoleSet::ALL);
        // Both are told.
        let mut sent: Vec<_> = f
            .notifier
            .take()
            .into_iter()
            .map(|n| (n.kind, n.recipient, n.to))
            .collect();
        sent.sort_by_key(|s| s.0.name());
        assert_eq!(
            sent,
            vec![
                (
                    NotificationKind::OwnershipLost,
                    alice,
                    vec!["alice@example.com".to_owned()]
                ),
                (
                    NotificationKind::OwnershipReceived,
                    bob,
                    vec!["bob@example.com".to_owned()]
                ),
            ]
        );
        let entry = f.last_audit(acct);
        assert_eq!(entry.operation, Operation::OwnershipTransfer);
        assert_eq!(entry.actor, alice.to_string());
        assert_eq!(entry.target, Some(bob.to_string()));
        assert_eq!(entry.fields, vec!["owner".to_owned()]);
        // The new owner may trim the former owner's roles afterwards.
        f.dir
            .set_roles(
                &c(bob),
                acct,
                alice,
                RoleSet::of(&[Role::TechnicalAdmin]),
                &TechScope::All,
            )
            .unwrap();
        assert_eq!(
            roles_of(&f, acct, alice),
            RoleSet::of(&[Role::TechnicalAdmin])
        );
    });
}

// rule A3
#[test]
fn with_procurement_on_the_former_owner_keeps_the_procurement_role_too() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        f.dir.set_procurement(&support(""), acct, true).unwrap();
        f.dir.transfer_ownership(&c(alice), acct, bob).unwrap();
        assert_eq!(roles_of(&f, acct, alice), RoleSet::ALL);
        assert!(!f.dir.contact(&Actor::System, acct, alice).unwrap().owner);
    });
}

// rule A3
#[test]
fn ownership_goes_only_to_another_contact_of_the_same_account() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let bob = f.contact(acct, "bob", RoleSet::ALL.without(Role::ProcurementManager));
        let (other, olga) = f.account("olga");
        // To the owner itself.
        f.refused(acct, &[other], ErrorCode::RuleViolation, "A3", || {
            f.dir.transfer_ownership(&c(alice), acct, alice)
        });
        // To a contact of another account, and to nobody at all.
        for target in [olga, ContactId(1)] {
            let err = f.refused(acct, &[other], ErrorCode::InvalidInput, "A3", || {
                f.dir.transfer_ownership(&c(alice), acct, target)
            });
            assert_eq!(
                err,
                Error::InvalidInput {
                    field: Field::NewOwner,
                    problem: Problem::NotOffered
                }
            );
        }
        // A standard contact, however many roles it holds, cannot transfer.
        let err = f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
            f.dir.transfer_ownership(&c(bob), acct, bob)
        });
        assert_eq!(
            err,
            Error::PermissionDenied {
                permission: Permission::TransferOwnership
            }
        );
        // Nor can the owner of another account.
        f.refused(acct, &[other], ErrorCode::PermissionDenied, "C2", || {
            f.dir.transfer_ownership(&c(olga), acct, bob)
        });
    });
}

// rule A4
#[test]
fn the_support_desk_transfers_ownership_with_a_reason_that_is_audited() {
    for_each_store(|f| {
        let (acct, _alice) = f.account("alice");
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        let desk = Actor::support_desk("jo", "Owner left the company; ticket 4711");
        f.dir.transfer_ownership(&desk, acct, bob).unwrap();
        assert_eq!(assert_one_owner(&f, acct), bob);
        let entry = f.last_audit(acct);
        assert_eq!(entry.operation, Operation::OwnershipTransfer);
        assert_eq!(entry.outcome, Outcome::Success);
        assert_eq!(entry.actor, "support:jo");
        assert_eq!(
            entry.detail.as_deref(),
            Some("Owner left the company; ticket 4711")
        );
    });
}

// rule A4
#[test]
fn a_support_desk_transfer_without_a_reason_is_refused() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        for reason in ["", "   "] {
            let err = f.refused(acct, &[], ErrorCode::InvalidInput, "A4", || {
                f.dir.transfer_ownership(&support(reason), acct, bob)
            });
            assert_eq!(
                err,
                Error::InvalidInput {
                    field: Field::Reason,
                    problem: Problem::Empty
                }
            );
        }
        assert_eq!(assert_one_owner(&f, acct), alice);
    });
}

// rule A4
#[test]
fn neither_partners_nor_the_host_transfer_ownership() {
    for_each_store(|f| {
        let created = f
            .dir
            .create_account(
                &Actor::partner("resel"),
                &NewAccount::new("Acme", new_contact("alice")),
            )
            .unwrap();
        let acct = created.account;
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        for actor in [Actor::partner("resel"), Actor::System] {
            let err = f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
                f.dir.transfer_ownership(&actor, acct, bob)
            });
            assert_eq!(
                err,
                Error::PermissionDenied {
                    permission: Permission::TransferOwnership
                }
            );
        }
    });
}

// rule A5
#[test]
fn the_owner_cannot_be_deleted_until_ownership_moves() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let bob = f.contact(acct, "bob", RoleSet::of(&[Role::ContactManager]));
        let sec = f.contact(acct, "sec", RoleSet::of(&[Role::SecurityManager]));
        for actor in [c(alice), c(bob), c(sec), Actor::System] {
            let err = f.refused(acct, &[], ErrorCode::RuleViolation, "A5", || {
                f.dir.delete_contact(&actor, acct, alice)
            });
            assert_eq!(
                err,
                Error::RuleViolation {
                    rule: Rule::A5OwnerNotDeletable
                }
            );
        }
        f.dir.transfer_ownership(&c(alice), acct, bob).unwrap();
        f.dir.delete_contact(&c(sec), acct, alice).unwrap();
        assert!(f.dir.contact(&Actor::System, acct, alice).is_err());
        assert_eq!(f.dir.account(&Actor::System, acct).unwrap().contacts, 2);
        // And the new owner is protected in turn.
        f.refused(acct, &[], ErrorCode::RuleViolation, "A5", || {
            f.dir.delete_contact(&c(sec), acct, bob)
        });
    });
}

// rule A6
#[test]
fn managers_cannot_change_the_owners_details() {
    for_each_store(|f| {
        let created = f
            .dir
            .create_account(
                &Actor::partner("resel"),
                &NewAccount::new("Acme", new_contact("alice")),
            )
            .unwrap();
        let (acct, alice) = (created.account, created.owner);
        let cm = f.contact(acct, "cm", RoleSet::of(&[Role::ContactManager]));
        let sm = f.contact(acct, "sm", RoleSet::of(&[Role::SecurityManager]));
        let evil = ProfileUpdate {
            email: Some("mallory@evil.example".into()),
            ..Default::default()
        };
        for actor in [c(cm), c(sm), Actor::partner("resel")] {
            let err = f.refused(acct, &[], ErrorCode::RuleViolation, "A6", || {
                f.dir.update_contact(&actor, acct, alice, &evil)
            });
            assert_eq!(
                err,
                Error::RuleViolation {
                    rule: Rule::A6OwnerOnly
                }
            );
            // Nor its roles (A2), its membership (A5) or its ownership.
            f.refused(acct, &[], ErrorCode::RuleViolation, "A2", || {
                f.dir
                    .set_roles(&actor, acct, alice, RoleSet::EMPTY, &TechScope::All)
            });
            f.refused(acct, &[], ErrorCode::RuleViolation, "A5", || {
                f.dir.delete_contact(&actor, acct, alice)
            });
            f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
                f.dir.transfer_ownership(&actor, acct, cm)
            });
        }
        // The same managers do edit standard contacts, and the owner edits
        // its own details.
        let plain = f.contact(acct, "plain", RoleSet::EMPTY);
        assert_eq!(
            f.dir
                .update_contact(&c(cm), acct, plain, &rename("Plain Renamed"))
                .unwrap(),
            vec![Field::Name]
        );
        assert_eq!(
            f.dir.update_contact(&c(alice), acct, alice, &evil).unwrap(),
            vec![Field::Email]
        );
    });
}

fn priced_plan(included: u32) -> Plan {
    Plan {
        name: "small".into(),
        included_contacts: included,
        additional_contact_price: Money::new(500, "USD"),
        tech_options: vec!["users".into(), "services".into(), "reports".into()],
    }
}

// rule A7
#[test]
fn adding_a_contact_beyond_the_plan_says_what_it_costs() {
    for_each_store(|f| {
        let mut new = NewAccount::new("Acme", new_contact("alice"));
        new.plan = priced_plan(3);
        let created = f.dir.create_account(&Actor::System, &new).unwrap();
        let (acct, alice) = (created.account, created.owner);
        let (other, _) = f.account("olga");
        let shared = f.contact(other, "shared", RoleSet::EMPTY);
        assert_eq!(f.dir.contact_charge(&c(alice), acct).unwrap(), None);
        let second = f
            .dir
            .create_contact(&c(alice), acct, &new_contact("b"))
            .unwrap();
        assert_eq!(second.charge, None);
        let third = f
            .dir
            .create_contact(&c(alice), acct, &new_contact("c"))
            .unwrap();
        assert_eq!(third.charge, None);
        assert_eq!(f.last_audit(acct).detail, None);
        // The plan includes 3 contacts; the fourth costs 5.00 USD.
        assert_eq!(
            f.dir.contact_charge(&c(alice), acct).unwrap(),
            Some(Money::new(500, "USD"))
        );
        let fourth = f
            .dir
            .create_contact(&c(alice), acct, &new_contact("d"))
            .unwrap();
        assert_eq!(fourth.charge, Some(Money::new(500, "USD")));
        let detail = f.last_audit(acct).detail.unwrap();
        assert!(
            detail.contains("chargeable") && detail.contains("500"),
            "{detail}"
        );
        // The second way of adding a contact is charged alike.
        let fifth = f
            .dir
            .add_existing_contact(&c(alice), acct, "shared", RoleSet::EMPTY, &TechScope::All)
            .map(|added| f.accepted(acct, added))
            .unwrap();
        assert_eq!(fifth.contact, shared);
        assert_eq!(fifth.charge, Some(Money::new(500, "USD")));
        assert_eq!(f.dir.account(&Actor::System, acct).unwrap().contacts, 5);
        // Back within the plan after deletions: with 3 contacts the next
        // one costs, with 2 it does not.
        f.dir.delete_contact(&c(alice), acct, shared).unwrap();
        f.dir
            .delete_contact(&c(alice), acct, fourth.contact)
            .unwrap();
        assert_eq!(
            f.dir.contact_charge(&c(alice), acct).unwrap(),
            Some(Money::new(500, "USD"))
        );
        f.dir
            .delete_contact(&c(alice), acct, third.contact)
            .unwrap();
        assert_eq!(f.dir.contact_charge(&c(alice), acct).unwrap(), None);
    });
}

// rule A7
#[test]
fn billing_managers_change_the_plan_with_valid_values() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let bm = f.contact(acct, "bm", RoleSet::of(&[Role::BillingManager]));
        let cm = f.contact(acct, "cm", RoleSet::of(&[Role::ContactManager]));
        f.dir.set_plan(&c(bm), acct, &priced_plan(10)).unwrap();
        assert_eq!(
            f.dir.account(&Actor::System, acct).unwrap().plan,
            priced_plan(10)
        );
        assert_eq!(f.last_audit(acct).operation, Operation::PlanUpdate);
        f.dir.set_plan(&c(alice), acct, &priced_plan(3)).unwrap();
        let err = f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
            f.dir.set_plan(&c(cm), acct, &priced_plan(20))
        });
        assert_eq!(
            err,
            Error::PermissionDenied {
                permission: Permission::ManageBilling
            }
        );
        let mut bad = priced_plan(3);
        bad.additional_contact_price.currency = "dollars".into();
        let err = f.refused(acct, &[], ErrorCode::InvalidInput, "A7", || {
            f.dir.set_plan(&c(bm), acct, &bad)
        });
        assert_eq!(
            err,
            Error::InvalidInput {
                field: Field::Currency,
                problem: Problem::Malformed
            }
        );
        let mut bad = priced_plan(3);
        bad.name = String::new();
        f.refused(acct, &[], ErrorCode::InvalidInput, "A7", || {
            f.dir.set_plan(&c(bm), acct, &bad)
        });
        let mut bad = priced_plan(3);
        bad.tech_options = vec!["users".into(), "users".into()];
        let err = f.refused(acct, &[], ErrorCode::InvalidInput, "C4", || {
            f.dir.set_plan(&c(bm), acct, &bad)
        });
        assert_eq!(
            err,
            Error::InvalidInput {
                field: Field::TechOptions,
                problem: Problem::Duplicate
            }
        );
    });
}

fn service(key: &str, enabled: bool, option: &str) -> Service {
    Service {
        key: key.into(),
        name: format!("The {key} service"),
        enabled,
        option: option.into(),
    }
}

fn keys(services: Vec<Service>) -> Vec<String> {
    let mut k: Vec<String> = services.into_iter().map(|s| s.key).collect();
    k.sort();
    k
}

// rule A8
#[test]
fn the_owner_sees_every_service_other_contacts_the_enabled_ones_they_reach() {
    for_each_store(|f| {
        let created = f
            .dir
            .create_account(
                &Actor::partner("resel"),
                &NewAccount::new("Acme", new_contact("alice")),
            )
            .unwrap();
        let (acct, alice) = (created.account, created.owner);
        for s in [
            service("backup", true, "services"),
            service("mailbox", false, "services"),
            service("user-admin", true, "users"),
            service("insights", true, "reports"),
        ] {
            f.dir.register_service(&Actor::System, acct, &s).unwrap();
        }
        let all = vec!["backup", "insights", "mailbox", "user-admin"];
        assert_eq!(keys(f.dir.services(&c(alice), acct).unwrap()), all);
        let ta = f.contact(acct, "ta", RoleSet::of(&[Role::TechnicalAdmin]));
        assert_eq!(
            keys(f.dir.services(&c(ta), acct).unwrap()),
            vec!["backup", "insights", "user-admin"]
        );
        f.dir
            .set_roles(
                &c(alice),
                acct,
                ta,
                RoleSet::of(&[Role::TechnicalAdmin]),
                &TechScope::only(["users"]),
            )
            .unwrap();
        assert_eq!(
            keys(f.dir.services(&c(ta), acct).unwrap()),
            vec!["user-admin"]
        );
        // A contact whose permissions reach no option sees none.
        let cm = f.contact(acct, "cm", RoleSet::of(&[Role::ContactManager]));
        assert!(f.dir.services(&c(cm), acct).unwrap().is_empty());
        // The provider's side sees them all; outsiders nothing.
        assert_eq!(
            keys(f.dir.services(&Actor::partner("resel"), acct).unwrap()),
            all
        );
        assert_eq!(keys(f.dir.services(&support(""), acct).unwrap()), all);
        f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
            f.dir.services(&Actor::partner("other"), acct)
        });
        // Registering again replaces; after the owner moves, the former
        // owner sees what a standard contact with its roles sees.
        f.dir
            .register_service(&Actor::System, acct, &service("mailbox", true, "services"))
            .unwrap();
        assert_eq!(f.dir.services(&c(alice), acct).unwrap().len(), 4);
        f.dir.transfer_ownership(&c(alice), acct, cm).unwrap();
        assert_eq!(keys(f.dir.services(&c(alice), acct).unwrap()), all);
        assert_eq!(keys(f.dir.services(&c(cm), acct).unwrap()), all);
    });
}

// rule A8
#[test]
fn only_the_host_registers_valid_services() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let err = f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
            f.dir
                .register_service(&c(alice), acct, &service("backup", true, "services"))
        });
        assert_eq!(
            err,
            Error::PermissionDenied {
                permission: Permission::RegisterServices
            }
        );
        let err = f.refused(acct, &[], ErrorCode::InvalidInput, "C4", || {
            f.dir
                .register_service(&Actor::System, acct, &service("backup", true, "telepathy"))
        });
        assert_eq!(
            err,
            Error::InvalidInput {
                field: Field::TechOptions,
                problem: Problem::NotOffered
            }
        );
        let err = f.refused(acct, &[], ErrorCode::InvalidInput, "A8", || {
            f.dir
                .register_service(&Actor::System, acct, &service("Back Up", true, "services"))
        });
        assert_eq!(
            err,
            Error::InvalidInput {
                field: Field::ServiceKey,
                problem: Problem::Malformed
            }
        );
        let mut nameless = service("backup", true, "services");
        nameless.name = "\u{7}".into();
        f.refused(acct, &[], ErrorCode::InvalidInput, "A8", || {
            f.dir.register_service(&Actor::System, acct, &nameless)
        });
        // A plan cannot drop an option a registered service needs.
        f.dir
            .register_service(&Actor::System, acct, &service("backup", true, "services"))
            .unwrap();
        let mut plan = Plan::default();
        plan.tech_options.retain(|o| o != "services");
        f.refused(acct, &[], ErrorCode::InvalidInput, "C4", || {
            f.dir.set_plan(&c(alice), acct, &plan)
        });
    });
}

// rule J1, A4: every support-desk action records the desk's reason.
#[test]
fn support_desk_actions_record_their_reason() {
    for_each_store(|f| {
        let (acct, _) = f.account("alice");
        let desk = Actor::support_desk("sam", "partner ticket 4711");
        f.dir.set_procurement(&desk, acct, true).unwrap();
        let last = f.last_audit(acct);
        assert_eq!(last.operation, Operation::ProcurementEnable);
        assert_eq!(last.actor, "support:sam");
        assert!(last.detail.unwrap().contains("enabled"));
        // An operation without a detail of its own gets the reason.
        let created = f
            .dir
            .create_account(&desk, &NewAccount::new("Desk Corp", new_contact("dora")))
            .unwrap();
        let q = AuditQuery {
            actor: Some("support:sam".into()),
            operation: Some(Operation::AccountCreate),
            ..Default::default()
        };
        let entries = f
            .dir
            .audit_entries(&Actor::System, created.account, &q)
            .unwrap();
        assert_eq!(
            entries[0].detail.as_deref(),
            Some("reason: partner ticket 4711")
        );
    });
}
