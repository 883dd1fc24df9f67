//! SPEC section C: roles and permissions (C1–C6), with SPEC C's whole
//! permission table, through the public API.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
use common::*;
use contactkeeper::*;

/// A column of the permission table, as the tests name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Owner,
    Held(Role),
    /// What any contact of the account holds, whatever its roles.
    AnyContact,
    SupportDesk,
    /// The account's own partner.
    Partner,
    System,
}

use Col::*;
const CM: Col = Held(Role::ContactManager);
const SM: Col = Held(Role::SecurityManager);
const BM: Col = Held(Role::BillingManager);
const PM: Col = Held(Role::ProcurementManager);
const TA: Col = Held(Role::TechnicalAdmin);

/// SPEC C's table, row by row, written out independently of the library.
/// The last rows and the support desk, partner and host columns are the
/// design's provider-side additions: A4 (the desk transfers ownership), C3
/// (the desk enables procurement), A8 (the host registers services), A1
/// (who creates accounts), C5 (every contact reads the audit log).
const TABLE: &[(Permission, &[Col])] = &[
    (
        Permission::ManageContacts,
        &[Owner, CM, SM, Partner, System],
    ),
    (Permission::AssignRoles, &[Owner, CM, SM, Partner, System]),
    // Version 2: "set another contact's 2FA method and phone, reset its 2FA".
    (Permission::ResetTwoFactor, &[Owner, CM, SM, System]),
    (Permission::ManageSecurityPolicies, &[Owner, SM, System]),
    (Permission::ManageBilling, &[Owner, BM, Partner, System]),
    (Permission::CompleteChargeable, &[Owner, PM, System]),
    (Permission::TechnicalAdmin, &[Owner, TA, System]),
    (Permission::TransferOwnership, &[Owner, SupportDesk]),
    (
        Permission::ReadAudit,
        &[Owner, AnyContact, SupportDesk, Partner, System],
    ),
    (Permission::ManageOwnSettings, &[Owner, AnyContact]),
    (
        Permission::ViewAccount,
        &[Owner, AnyContact, SupportDesk, Partner, System],
    ),
    (Permission::CreateAccounts, &[SupportDesk, Partner, System]),
    (Permission::RegisterServices, &[System]),
    (Permission::EnableProcurement, &[SupportDesk, System]),
    // F4: the support desk checks a caller's security answer.
    (Permission::CheckSecurityAnswers, &[SupportDesk, System]),
    // H6, I4: the host reports milestones and sends notices.
    (Permission::ReportMilestones, &[System]),
    (Permission::SendNotices, &[System]),
];

fn row(p: Permission) -> &'static [Col] {
    TABLE
        .iter()
        .find(|(q, _)| *q == p)
        .map(|(_, cols)| *cols)
        .unwrap_or_else(|| panic!("{p} is not in the test's table"))
}

/// What the table says a standing (with these roles, for a member) holds.
fn expected(standing: Standing, roles: RoleSet, p: Permission) -> bool {
    let cols = row(p);
    match standing {
        Standing::Owner => cols.contains(&Owner),
        Standing::Member => {
            cols.contains(&AnyContact) || roles.iter().any(|r| cols.contains(&Held(r)))
        }
        Standing::SupportDesk => cols.contains(&SupportDesk),
        Standing::Partner => cols.contains(&Partner),
        Standing::System => cols.contains(&System),
        Standing::Outsider => false,
    }
}

fn every_role_set() -> impl Iterator<Item = RoleSet> {
    (0..32u8).map(|b| RoleSet::from_bits(b).unwrap())
}

// rule C2
#[test]
fn the_table_covers_every_permission() {
    assert_eq!(TABLE.len(), Permission::ALL.len());
    for p in Permission::ALL {
        row(*p);
    }
}

// rule C2
#[test]
fn access_allows_exactly_what_the_table_grants() {
    let standings = [
        Standing::Owner,
        Standing::Member,
        Standing::SupportDesk,
        Standing::Partner,
        Standing::System,
        Standing::Outsider,
    ];
    for standing in standings {
        // Roles matter only for members; the others get every set to show
        // it makes no difference.
        for roles in every_role_set() {
            for procurement in [false, true] {
                for scope in [TechScope::All, TechScope::only(["users"])] {
                    let access = Access::new(standing, roles, scope, procurement);
                    for p in Permission::ALL {
                        let want = expected(standing, roles, *p);
                        assert_eq!(
                            access.allows(*p),
                            want,
                            "{standing:?} with {roles:?} (procurement {procurement}): {p}"
                        );
                        assert_eq!(access.permissions().contains(*p), want);
                        match access.require(*p) {
                            Ok(()) => assert!(want),
                            Err(e) => {
                                assert!(!want);
                                assert_eq!(e, Error::PermissionDenied { permission: *p });
                                assert_eq!(e.rule(), Some("C2"));
                                assert!(e.to_string().contains(p.name()), "{e}");
                            }
                        }
                    }
                }
            }
        }
    }
}

// rule C2
#[test]
fn each_role_column_grants_its_rows_and_nothing_else() {
    // The single-role members, column by column, against the SPEC's table
    // as printed: a member with one role holds that column plus "any
    // contact".
    let printed: [(Role, &[Permission]); 5] = [
        (
            Role::ContactManager,
            &[
                Permission::ManageContacts,
                Permission::AssignRoles,
                Permission::ResetTwoFactor,
            ],
        ),
        (
            Role::SecurityManager,
            &[
                Permission::ManageContacts,
                Permission::AssignRoles,
                Permission::ResetTwoFactor,
                Permission::ManageSecurityPolicies,
            ],
        ),
        (Role::BillingManager, &[Permission::ManageBilling]),
        (Role::ProcurementManager, &[Permission::CompleteChargeable]),
        (Role::TechnicalAdmin, &[Permission::TechnicalAdmin]),
    ];
    let any_contact = [
        Permission::ReadAudit,
        Permission::ManageOwnSettings,
        Permission::ViewAccount,
    ];
    for (role, grants) in printed {
        let access = Access::new(Standing::Member, RoleSet::of(&[role]), TechScope::All, true);
        let mut held: Vec<Permission> = access.permissions().iter().collect();
        let mut want: Vec<Permission> = grants.iter().chain(&any_contact).copied().collect();
        held.sort();
        want.sort();
        assert_eq!(held, want, "{role}");
        for p in grants {
            assert!(p.granted_by().contains(role), "{p} granted by {role}");
        }
    }
    let plain = Access::new(Standing::Member, RoleSet::EMPTY, TechScope::All, true);
    let mut held: Vec<Permission> = plain.permissions().iter().collect();
    held.sort();
    let mut want = any_contact.to_vec();
    want.sort();
    assert_eq!(held, want);
    // The owner column holds every row of the printed table.
    let owner = Access::new(Standing::Owner, RoleSet::EMPTY, TechScope::All, false);
    assert_eq!(owner.roles(), RoleSet::ALL);
    for p in [
        Permission::ManageContacts,
        Permission::AssignRoles,
        Permission::ResetTwoFactor,
        Permission::ManageSecurityPolicies,
        Permission::ManageBilling,
        Permission::CompleteChargeable,
        Permission::TechnicalAdmin,
        Permission::TransferOwnership,
        Permission::ReadAudit,
        Permission::ManageOwnSettings,
    ] {
        assert!(owner.allows(p), "owner: {p}");
    }
}

/// An account where every kind of actor exists, on a plan large enough that
/// no addition is chargeable, with procurement on so every role exists.
struct Cast {
    acct: AccountId,
    owner: ContactId,
    members: Vec<(RoleSet, ContactId)>,
    target: ContactId,
    outsider: ContactId,
}

fn cast(f: &Fixture, tag: &str) -> Cast {
    let mut new = NewAccount::new("Cast", new_contact(&format!("{tag}-owner")));
    new.plan.included_contacts = 100;
    let created = f
        .dir
        .create_account(&Actor::partner("resel"), &new)
        .unwrap();
    let acct = created.account;
    f.dir.set_procurement(&Actor::System, acct, true).unwrap();
    let mut members = vec![];
    for (i, roles) in [
        RoleSet::EMPTY,
        RoleSet::of(&[Role::ContactManager]),
        RoleSet::of(&[Role::SecurityManager]),
        RoleSet::of(&[Role::BillingManager]),
        RoleSet::of(&[Role::ProcurementManager]),
        RoleSet::of(&[Role::TechnicalAdmin]),
    ]
    .into_iter()
    .enumerate()
    {
        members.push((roles, f.contact(acct, &format!("{tag}-m{i}"), roles)));
    }
    let target = f.contact(acct, &format!("{tag}-target"), RoleSet::EMPTY);
    let (_, outsider) = f.account(&format!("{tag}-outsider"));
    Cast {
        acct,
        owner: created.owner,
        members,
        target,
        outsider,
    }
}

/// Every kind of actor of a cast, with its standing and roles.
fn actors(k: &Cast) -> Vec<(Actor, Standing, RoleSet)> {
    let mut v = vec![(c(k.owner), Standing::Owner, RoleSet::ALL)];
    for (roles, id) in &k.members {
        v.push((c(*id), Standing::Member, *roles));
    }
    v.extend([
        (
            Actor::support_desk("jo", "ticket 1"),
            Standing::SupportDesk,
            RoleSet::EMPTY,
        ),
        (Actor::partner("resel"), Standing::Partner, RoleSet::EMPTY),
        (Actor::partner("other"), Standing::Outsider, RoleSet::EMPTY),
        (Actor::System, Standing::System, RoleSet::ALL),
        (c(k.outsider), Standing::Outsider, RoleSet::EMPTY),
        (c(ContactId(7)), Standing::Outsider, RoleSet::EMPTY),
    ]);
    v
}

// rule C2
#[test]
fn the_directory_resolves_each_actor_to_its_column() {
    for_each_store(|f| {
        let k = cast(&f, "k");
        for (actor, standing, roles) in actors(&k) {
            let access = f.dir.access(&actor, k.acct).unwrap();
            assert_eq!(access.standing(), standing, "{actor:?}");
            if standing == Standing::Member || standing == Standing::Owner {
                assert_eq!(access.roles(), roles, "{actor:?}");
            }
            for p in Permission::ALL {
                let r = f.dir.authorize(&actor, k.acct, *p);
                assert_eq!(r.is_ok(), expected(standing, roles, *p), "{actor:?}: {p}");
            }
        }
        // A former owner becomes a member; the new owner the owner.
        f.dir
            .transfer_ownership(&c(k.owner), k.acct, k.target)
            .unwrap();
        let former = f.dir.access(&c(k.owner), k.acct).unwrap();
        assert_eq!(former.standing(), Standing::Member);
        assert!(!former.allows(Permission::TransferOwnership));
        assert_eq!(
            f.dir.access(&c(k.target), k.acct).unwrap().standing(),
            Standing::Owner
        );
        // A deleted contact is an outsider at once (permissions are read
        // from the current state, never cached).
        let (_, ta) = k.members[5];
        f.dir.delete_contact(&c(k.target), k.acct, ta).unwrap();
        assert_eq!(
            f.dir.access(&c(ta), k.acct).unwrap().standing(),
            Standing::Outsider
        );
    });
}

/// An operation of the Directory and the permission it needs (C2).
#[derive(Debug, Clone, Copy)]
enum Op {
    CreateContact,
    UpdateOther,
    DeleteOther,
    SetRoles,
    SetPlan,
    Transfer,
    ReadAudit,
    ExportAudit,
    UpdateOwn,
    EnableProcurement,
    RegisterService,
    ViewAccount,
    ListContacts,
    CreateAccount,
}

impl Op {
    const ALL: [Op; 14] = [
        Op::CreateContact,
        Op::UpdateOther,
        Op::DeleteOther,
        Op::SetRoles,
        Op::SetPlan,
        Op::Transfer,
        Op::ReadAudit,
        Op::ExportAudit,
        Op::UpdateOwn,
        Op::EnableProcurement,
        Op::RegisterService,
        Op::ViewAccount,
        Op::ListContacts,
        Op::CreateAccount,
    ];

    fn permission(self) -> Permission {
        match self {
            Op::CreateContact | Op::UpdateOther | Op::DeleteOther => Permission::ManageContacts,
            Op::SetRoles => Permission::AssignRoles,
            Op::SetPlan => Permission::ManageBilling,
            Op::Transfer => Permission::TransferOwnership,
            Op::ReadAudit | Op::ExportAudit => Permission::ReadAudit,
            Op::UpdateOwn => Permission::ManageOwnSettings,
            Op::EnableProcurement => Permission::EnableProcurement,
            Op::RegisterService => Permission::RegisterServices,
            Op::ViewAccount | Op::ListContacts => Permission::ViewAccount,
            Op::CreateAccount => Permission::CreateAccounts,
        }
    }

    /// Runs the operation; `None` when it does not apply to this actor.
    fn run(self, f: &Fixture, k: &Cast, actor: &Actor, n: usize) -> Option<Result<(), Error>> {
        let acct = k.acct;
        Some(match self {
            Op::CreateContact => f
                .dir
                .create_contact(actor, acct, &new_contact(&format!("made{n}")))
                .map(drop),
            Op::UpdateOther => f
                .dir
                .update_contact(actor, acct, k.target, &rename(&format!("T{n}")))
                .map(drop),
            Op::DeleteOther => f.dir.delete_contact(actor, acct, k.target),
            Op::SetRoles => f
                .dir
                .set_roles(actor, acct, k.target, RoleSet::EMPTY, &TechScope::All),
            // The plan the account has: with procurement on, changing it is
            // a chargeable action too (C3, tested on its own).
            Op::SetPlan => {
                let plan = f.dir.account(&Actor::System, acct).ok()?.plan;
                f.dir.set_plan(actor, acct, &plan)
            }
            Op::Transfer => f.dir.transfer_ownership(actor, acct, k.target),
            Op::ReadAudit => f
                .dir
                .audit_entries(actor, acct, &AuditQuery::default())
                .map(drop),
            Op::ExportAudit => f
                .dir
                .export_audit_csv(actor, acct, &AuditQuery::default(), Vec::new())
                .map(drop),
            // Only a contact has settings of its own.
            Op::UpdateOwn => f
                .dir
                .update_contact(actor, acct, actor.contact_id()?, &rename(&format!("Me{n}")))
                .map(drop),
            Op::EnableProcurement => f.dir.set_procurement(actor, acct, true),
            Op::RegisterService => f.dir.register_service(
                actor,
                acct,
                &Service {
                    key: "backup".into(),
                    name: "Backup".into(),
                    enabled: true,
                    option: "services".into(),
                },
            ),
            Op::ViewAccount => f.dir.account(actor, acct).map(drop),
            Op::ListContacts => f.dir.list_contacts(actor, acct, None, 10).map(drop),
            Op::CreateAccount => f
                .dir
                .create_account(
                    actor,
                    &NewAccount::new("New", new_contact(&format!("acc{n}"))),
                )
                .map(drop),
        })
    }
}

// rule C2
#[test]
fn every_operation_follows_the_table_for_every_actor() {
    for_each_store(|f| {
        let (mut n, mut tried, mut refused) = (0, 0, 0);
        for op in Op::ALL {
            for i in 0.. {
                n += 1;
                // A fresh account per attempt: a success must not change
                // who the next actor is.
                let k = cast(&f, &format!("c{n}"));
                let Some((actor, mut standing, roles)) = actors(&k).into_iter().nth(i) else {
                    break;
                };
                if matches!(op, Op::CreateAccount) && matches!(actor, Actor::Partner(_)) {
                    // Creating an account names no account: any partner
                    // creates (and then resells) its own.
                    standing = Standing::Partner;
                }
                let p = op.permission();
                let allowed = expected(standing, roles, p);
                let before = f.audit_len(k.acct);
                let Some(result) = op.run(&f, &k, &actor, n) else {
                    continue;
                };
                tried += 1;
                match result {
                    Ok(()) => assert!(allowed, "{op:?} by {actor:?} passed"),
                    Err(e) => {
                        refused += 1;
                        assert!(!allowed, "{op:?} by {actor:?} refused: {e:?}");
                        assert_eq!(e, Error::PermissionDenied { permission: p }, "{op:?}");
                        if !matches!(op, Op::CreateAccount) {
                            assert_eq!(f.audit_len(k.acct), before + 1, "{op:?} audited");
                            assert_eq!(
                                f.last_audit(k.acct).outcome,
                                Outcome::Refused(ErrorCode::PermissionDenied)
                            );
                        }
                    }
                }
            }
        }
        assert!(
            tried > 150 && refused > 50,
            "{tried} tried, {refused} refused"
        );
    });
}

// rule C1
#[test]
fn a_standard_contact_holds_any_set_of_the_five_roles() {
    assert_eq!(Role::ALL.len(), 5);
    assert_eq!(RoleSet::ALL.iter().count(), 5);
    assert_eq!(RoleSet::from_bits(32), None);
    assert_eq!(RoleSet::from_bits(255), None);
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        f.dir.set_procurement(&Actor::System, acct, true).unwrap();
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        for roles in every_role_set() {
            assert_eq!(RoleSet::from_bits(roles.bits()), Some(roles));
            f.dir
                .set_roles(&c(alice), acct, bob, roles, &TechScope::All)
                .unwrap();
            assert_eq!(roles_of(&f, acct, bob), roles);
            assert_eq!(f.dir.access(&c(bob), acct).unwrap().roles(), roles);
            assert!(!f.dir.contact(&Actor::System, acct, bob).unwrap().owner);
            let e = f.last_audit(acct);
            assert_eq!(e.operation, Operation::RolesUpdate);
            assert_eq!(e.target, Some(bob.to_string()));
        }
    });
}

// rule C3
#[test]
fn the_procurement_role_is_offered_to_nobody_until_the_desk_enables_it() {
    for_each_store(|f| {
        let created = f
            .dir
            .create_account(
                &Actor::partner("resel"),
                &NewAccount::new("Acme", new_contact("alice")),
            )
            .unwrap();
        let (acct, alice) = (created.account, created.owner);
        let cm = f.contact(
            acct,
            "cm",
            RoleSet::of(&[Role::ContactManager, Role::SecurityManager]),
        );
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        let pm = RoleSet::of(&[Role::ProcurementManager]);
        for actor in [c(alice), c(cm), Actor::partner("resel"), Actor::System] {
            let access = f.dir.access(&actor, acct).unwrap();
            assert!(!access.procurement_enabled());
            assert!(
                !access.assignable_roles().contains(Role::ProcurementManager),
                "{actor:?}"
            );
            let err = f.refused(acct, &[], ErrorCode::RuleViolation, "C3", || {
                f.dir.set_roles(&actor, acct, bob, pm, &TechScope::All)
            });
            assert_eq!(
                err,
                Error::RuleViolation {
                    rule: Rule::C3ProcurementDisabled
                }
            );
        }
        f.refused(acct, &[], ErrorCode::RuleViolation, "C3", || {
            f.dir
                .create_contact(&c(alice), acct, &new_contact("buyer").with_roles(pm))
        });
        // Only the support desk (or the host) turns it on.
        for actor in [c(alice), c(cm), Actor::partner("resel")] {
            let err = f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
                f.dir.set_procurement(&actor, acct, true)
            });
            assert_eq!(
                err,
                Error::PermissionDenied {
                    permission: Permission::EnableProcurement
                }
            );
        }
        f.dir
            .set_procurement(&Actor::support_desk("jo", "partner asked"), acct, true)
            .unwrap();
        let e = f.last_audit(acct);
        assert_eq!(e.operation, Operation::ProcurementEnable);
        assert_eq!(e.actor, "support:jo");
        assert!(f.dir.account(&c(alice), acct).unwrap().procurement_enabled);
        // Now partners see it and it can be assigned.
        for actor in [c(alice), Actor::partner("resel")] {
            let access = f.dir.access(&actor, acct).unwrap();
            assert!(access.procurement_enabled());
            assert_eq!(access.assignable_roles(), RoleSet::ALL, "{actor:?}");
        }
        // A member still offers only what it holds (C6).
        assert_eq!(
            f.dir.access(&c(cm), acct).unwrap().assignable_roles(),
            RoleSet::of(&[Role::ContactManager, Role::SecurityManager])
        );
        f.dir
            .set_roles(&Actor::partner("resel"), acct, bob, pm, &TechScope::All)
            .unwrap();
        assert_eq!(roles_of(&f, acct, bob), pm);
        f.dir
            .create_contact(&c(alice), acct, &new_contact("buyer").with_roles(pm))
            .unwrap();
    });
}

// rule C3
#[test]
fn with_procurement_on_only_procurement_managers_complete_chargeable_actions() {
    for_each_store(|f| {
        let mut new = NewAccount::new("Acme", new_contact("alice"));
        new.plan.included_contacts = 3;
        new.plan.additional_contact_price = Money::new(900, "EUR");
        let created = f
            .dir
            .create_account(&Actor::partner("resel"), &new)
            .unwrap();
        let (acct, alice) = (created.account, created.owner);
        let cm = f.contact(acct, "cm", RoleSet::of(&[Role::ContactManager]));
        f.dir.set_procurement(&Actor::System, acct, true).unwrap();
        // Within the plan, no charge, so any contact manager may add.
        f.dir
            .create_contact(&c(cm), acct, &new_contact("third"))
            .unwrap();
        let buyer = f.contact(
            acct,
            "buyer",
            RoleSet::of(&[Role::ContactManager, Role::ProcurementManager]),
        );
        // Beyond the plan: only procurement managers, the owner included.
        for actor in [c(cm), Actor::partner("resel")] {
            let err = f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
                f.dir.create_contact(&actor, acct, &new_contact("extra"))
            });
            assert_eq!(
                err,
                Error::PermissionDenied {
                    permission: Permission::CompleteChargeable
                }
            );
        }
        let (other, _) = f.account("olga");
        f.contact(other, "shared", RoleSet::EMPTY);
        f.refused(acct, &[other], ErrorCode::PermissionDenied, "C2", || {
            f.dir
                .add_existing_contact(&c(cm), acct, "shared", RoleSet::EMPTY, &TechScope::All)
        });
        let by_buyer = f
            .dir
            .create_contact(&c(buyer), acct, &new_contact("extra1"))
            .unwrap();
        assert_eq!(by_buyer.charge, Some(Money::new(900, "EUR")));
        let by_owner = f
            .dir
            .add_existing_contact(&c(alice), acct, "shared", RoleSet::EMPTY, &TechScope::All)
            .map(|added| f.accepted(acct, added))
            .unwrap();
        assert_eq!(by_owner.charge, Some(Money::new(900, "EUR")));
        // Procurement off again: the contact manager may complete it.
        f.dir.set_procurement(&Actor::System, acct, false).unwrap();
        let by_cm = f
            .dir
            .create_contact(&c(cm), acct, &new_contact("extra2"))
            .unwrap();
        assert_eq!(by_cm.charge, Some(Money::new(900, "EUR")));
    });
}

// rule C3
#[test]
fn with_procurement_on_a_billing_manager_cannot_rewrite_the_plan() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let bm = f.contact(acct, "bm", RoleSet::of(&[Role::BillingManager]));
        f.dir.set_procurement(&Actor::System, acct, true).unwrap();
        let buyer = f.contact(
            acct,
            "buyer",
            RoleSet::of(&[Role::BillingManager, Role::ProcurementManager]),
        );
        let mut dearer = f.dir.account(&c(alice), acct).unwrap().plan;
        dearer.additional_contact_price = Money::new(9_900, "USD");
        // Procurement off: billing is enough.
        f.dir.set_procurement(&Actor::System, acct, false).unwrap();
        f.dir.set_plan(&c(bm), acct, &dearer).unwrap();
        f.dir.set_procurement(&Actor::System, acct, true).unwrap();
        let mut cheaper = dearer.clone();
        cheaper.additional_contact_price = Money::new(100, "USD");
        let bm_cm = f.contact(
            acct,
            "bm-cm",
            RoleSet::of(&[Role::BillingManager, Role::ContactManager]),
        );
        for actor in [c(bm), c(bm_cm)] {
            let err = f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
                f.dir.set_plan(&actor, acct, &cheaper)
            });
            assert_eq!(
                err,
                Error::PermissionDenied {
                    permission: Permission::CompleteChargeable
                }
            );
        }
        // Setting the plan the account has changes nothing it pays.
        f.dir.set_plan(&c(bm), acct, &dearer).unwrap();
        f.dir.set_plan(&c(buyer), acct, &cheaper).unwrap();
        assert_eq!(f.dir.account(&c(alice), acct).unwrap().plan, cheaper);
        f.dir.set_plan(&c(alice), acct, &dearer).unwrap();
        assert_eq!(f.last_audit(acct).operation, Operation::PlanUpdate);
    });
}

// rule C3
#[test]
fn a_contact_that_costs_nothing_is_no_charge_to_complete() {
    for_each_store(|f| {
        let mut new = NewAccount::new("Acme", new_contact("alice"));
        new.plan.included_contacts = 1;
        new.plan.additional_contact_price = Money::new(0, "USD");
        let created = f.dir.create_account(&Actor::System, &new).unwrap();
        let acct = created.account;
        let cm = f.contact(acct, "cm", RoleSet::of(&[Role::ContactManager]));
        f.dir.set_procurement(&Actor::System, acct, true).unwrap();
        let added = f
            .dir
            .create_contact(&c(cm), acct, &new_contact("free"))
            .unwrap();
        assert_eq!(added.charge, None);
        assert_eq!(f.last_audit(acct).detail, None);
    });
}

// rule C3
#[test]
fn a_host_declared_chargeable_action_is_gated_and_audited() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let bm = f.contact(acct, "bm", RoleSet::of(&[Role::BillingManager]));
        let plain = f.contact(acct, "plain", RoleSet::EMPTY);
        f.dir.set_procurement(&Actor::System, acct, true).unwrap();
        let buyer = f.contact(
            acct,
            "buyer",
            RoleSet::of(&[Role::BillingManager, Role::ProcurementManager]),
        );
        let price = Money::new(1_250, "EUR");
        let buy = |actor: &Actor, amount: &Money| {
            f.dir.authorize_charge(
                actor,
                acct,
                "disk.upgrade",
                Permission::ManageBilling,
                amount,
            )
        };
        // Procurement off: whoever the action needs.
        f.dir.set_procurement(&Actor::System, acct, false).unwrap();
        buy(&c(bm), &price).unwrap();
        let e = f.last_audit(acct);
        assert_eq!(e.operation, Operation::ChargeAuthorize);
        assert_eq!(e.actor, c(bm).audit_label());
        let detail = e.detail.unwrap();
        assert!(
            detail.contains("disk.upgrade") && detail.contains("1250"),
            "{detail}"
        );
        // The action's own permission comes first.
        let err = f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
            buy(&c(plain), &price)
        });
        assert_eq!(
            err,
            Error::PermissionDenied {
                permission: Permission::ManageBilling
            }
        );
        f.dir.set_procurement(&Actor::System, acct, true).unwrap();
        let err = f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
            buy(&c(bm), &price)
        });
        assert_eq!(
            err,
            Error::PermissionDenied {
                permission: Permission::CompleteChargeable
            }
        );
        // What costs nothing is not chargeable.
        buy(&c(bm), &Money::new(0, "EUR")).unwrap();
        assert!(f.last_audit(acct).detail.unwrap().contains("free"));
        buy(&c(buyer), &price).unwrap();
        buy(&c(alice), &price).unwrap();
        buy(&Actor::System, &price).unwrap();
        // Bad input: a typed error naming the field, nothing changed.
        for (action, amount, field, rule) in [
            ("Disk Upgrade", price.clone(), Field::ChargeAction, "C3"),
            ("", price.clone(), Field::ChargeAction, "C3"),
            (
                "disk",
                Money::new(MAX_MINOR_UNITS + 1, "EUR"),
                Field::Price,
                "A7",
            ),
            ("disk", Money::new(u64::MAX, "EUR"), Field::Price, "A7"),
            ("disk", Money::new(5, "euro"), Field::Currency, "A7"),
        ] {
            let err = f.refused(acct, &[], ErrorCode::InvalidInput, rule, || {
                f.dir
                    .authorize_charge(&c(buyer), acct, action, Permission::ManageBilling, &amount)
            });
            assert!(
                matches!(err, Error::InvalidInput { field: got, .. } if got == field),
                "{action:?} {amount:?}: {err:?}"
            );
        }
        // Another account's owner holds nothing here.
        let (other, olga) = f.account("olga");
        f.refused(acct, &[other], ErrorCode::PermissionDenied, "C2", || {
            buy(&c(olga), &price)
        });
    });
}

// rule C4
#[test]
fn a_technical_administrator_gets_every_plan_option_unless_narrowed() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let ta = f.contact(acct, "ta", RoleSet::of(&[Role::TechnicalAdmin]));
        let v = f.dir.contact(&Actor::System, acct, ta).unwrap();
        assert_eq!(v.tech_scope, TechScope::All);
        let access = f.dir.access(&c(ta), acct).unwrap();
        for option in ["users", "services", "reports"] {
            assert!(access.allows_option(option), "{option}");
        }
        f.dir
            .set_roles(
                &c(alice),
                acct,
                ta,
                RoleSet::of(&[Role::TechnicalAdmin]),
                &TechScope::only(["users", "reports"]),
            )
            .unwrap();
        assert_eq!(
            f.dir.contact(&Actor::System, acct, ta).unwrap().tech_scope,
            TechScope::only(["users", "reports"])
        );
        let e = f.last_audit(acct);
        assert_eq!(e.fields, vec!["tech_scope".to_owned()]);
        let access = f.dir.access(&c(ta), acct).unwrap();
        assert!(access.allows_option("users"));
        assert!(access.allows_option("reports"));
        assert!(!access.allows_option("services"));
        // Options without the role reach nothing.
        let cm = f.contact(acct, "cm", RoleSet::of(&[Role::ContactManager]));
        assert!(!f.dir.access(&c(cm), acct).unwrap().allows_option("users"));
        // An option the plan does not offer is refused.
        let err = f.refused(acct, &[], ErrorCode::InvalidInput, "C4", || {
            f.dir.set_roles(
                &c(alice),
                acct,
                ta,
                RoleSet::of(&[Role::TechnicalAdmin]),
                &TechScope::only(["users", "telepathy"]),
            )
        });
        assert_eq!(
            err,
            Error::InvalidInput {
                field: Field::TechScope,
                problem: Problem::NotOffered
            }
        );
        let mut nc = new_contact("ta2").with_roles(RoleSet::of(&[Role::TechnicalAdmin]));
        nc.tech_scope = TechScope::only(["telepathy"]);
        f.refused(acct, &[], ErrorCode::InvalidInput, "C4", || {
            f.dir.create_contact(&c(alice), acct, &nc)
        });
    });
}

// rule C4
#[test]
fn a_scope_changes_only_within_the_granters_own_scope() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let ta_role = RoleSet::of(&[Role::TechnicalAdmin]);
        let target = f.contact(acct, "target", ta_role);
        // A contact manager without the role touches no scope.
        let cm = f.contact(acct, "cm", RoleSet::of(&[Role::ContactManager]));
        f.refused(acct, &[], ErrorCode::RuleViolation, "C6", || {
            f.dir
                .set_roles(&c(cm), acct, target, ta_role, &TechScope::only(["users"]))
        });
        // A contact manager and technical admin narrowed to users and
        // services grants within that.
        let both = RoleSet::of(&[Role::ContactManager, Role::TechnicalAdmin]);
        let lead = f.contact(acct, "lead", both);
        f.dir
            .set_roles(
                &c(alice),
                acct,
                lead,
                both,
                &TechScope::only(["users", "services"]),
            )
            .unwrap();
        // Narrowing a full scope would revoke "reports", which it lacks.
        f.refused(acct, &[], ErrorCode::RuleViolation, "C6", || {
            f.dir
                .set_roles(&c(lead), acct, target, ta_role, &TechScope::only(["users"]))
        });
        f.dir
            .set_roles(
                &c(alice),
                acct,
                target,
                ta_role,
                &TechScope::only(["users"]),
            )
            .unwrap();
        f.dir
            .set_roles(
                &c(lead),
                acct,
                target,
                ta_role,
                &TechScope::only(["users", "services"]),
            )
            .unwrap();
        f.refused(acct, &[], ErrorCode::RuleViolation, "C6", || {
            f.dir.set_roles(
                &c(lead),
                acct,
                target,
                ta_role,
                &TechScope::only(["users", "reports"]),
            )
        });
        f.refused(acct, &[], ErrorCode::RuleViolation, "C6", || {
            f.dir
                .set_roles(&c(lead), acct, target, ta_role, &TechScope::All)
        });
        // New contacts alike.
        let mut nc = new_contact("ta-new").with_roles(ta_role);
        nc.tech_scope = TechScope::All;
        f.refused(acct, &[], ErrorCode::RuleViolation, "C6", || {
            f.dir.create_contact(&c(lead), acct, &nc)
        });
        nc.tech_scope = TechScope::only(["services"]);
        f.dir.create_contact(&c(lead), acct, &nc).unwrap();
    });
}

// rule C5
#[test]
fn every_contact_reads_and_exports_the_audit_log() {
    for_each_store(|f| {
        let created = f
            .dir
            .create_account(
                &Actor::partner("resel"),
                &NewAccount::new("Acme", new_contact("alice")),
            )
            .unwrap();
        let (acct, alice) = (created.account, created.owner);
        let plain = f.contact(acct, "plain", RoleSet::EMPTY);
        let nobody = f.contact(acct, "nobody", RoleSet::EMPTY);
        let (other, olga) = f.account("olga");
        f.dir.transfer_ownership(&c(alice), acct, plain).unwrap();
        for actor in [
            c(nobody),
            c(plain),
            c(alice),
            Actor::partner("resel"),
            Actor::support_desk("jo", ""),
            Actor::System,
        ] {
            let entries = f
                .dir
                .audit_entries(&actor, acct, &AuditQuery::default())
                .unwrap();
            assert!(entries.len() >= 3, "{actor:?}");
            let mut out = Vec::new();
            let rows = f
                .dir
                .export_audit_csv(&actor, acct, &AuditQuery::default(), &mut out)
                .unwrap();
            assert!(rows >= 3);
            assert!(String::from_utf8(out).unwrap().starts_with("seq,time_utc"));
            assert!(matches!(
                f.dir.verify_audit(&actor, acct).unwrap(),
                AuditVerification::Intact { .. }
            ));
        }
        for actor in [c(olga), Actor::partner("other")] {
            let err = f.refused(acct, &[other], ErrorCode::PermissionDenied, "C2", || {
                f.dir.audit_entries(&actor, acct, &AuditQuery::default())
            });
            assert_eq!(
                err,
                Error::PermissionDenied {
                    permission: Permission::ReadAudit
                }
            );
            let mut out = Vec::new();
            f.refused(acct, &[other], ErrorCode::PermissionDenied, "C2", || {
                f.dir
                    .export_audit_csv(&actor, acct, &AuditQuery::default(), &mut out)
            });
            assert!(out.is_empty(), "nothing written for an outsider");
            f.refused(acct, &[other], ErrorCode::PermissionDenied, "C2", || {
                f.dir.verify_audit(&actor, acct)
            });
        }
    });
}

// rule C6
#[test]
fn a_contact_grants_and_revokes_only_roles_it_holds() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let (other, _) = f.account("olga");
        f.contact(other, "shared", RoleSet::EMPTY);
        let cm = f.contact(acct, "cm", RoleSet::of(&[Role::ContactManager]));
        let sm = f.contact(acct, "sm", RoleSet::of(&[Role::SecurityManager]));
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        assert_eq!(
            f.dir.access(&c(cm), acct).unwrap().assignable_roles(),
            RoleSet::of(&[Role::ContactManager])
        );
        // Within its own roles: fine.
        f.dir
            .set_roles(
                &c(cm),
                acct,
                bob,
                RoleSet::of(&[Role::ContactManager]),
                &TechScope::All,
            )
            .unwrap();
        // Beyond: refused, granting or revoking.
        for roles in [
            RoleSet::of(&[Role::ContactManager, Role::BillingManager]),
            RoleSet::of(&[Role::SecurityManager]),
            RoleSet::of(&[Role::TechnicalAdmin]),
        ] {
            let err = f.refused(acct, &[], ErrorCode::RuleViolation, "C6", || {
                f.dir.set_roles(&c(cm), acct, bob, roles, &TechScope::All)
            });
            assert_eq!(
                err,
                Error::RuleViolation {
                    rule: Rule::C6NoEscalation
                }
            );
        }
        f.dir
            .set_roles(
                &c(alice),
                acct,
                bob,
                RoleSet::of(&[Role::ContactManager, Role::BillingManager]),
                &TechScope::All,
            )
            .unwrap();
        f.refused(acct, &[], ErrorCode::RuleViolation, "C6", || {
            f.dir
                .set_roles(&c(cm), acct, bob, RoleSet::EMPTY, &TechScope::All)
        });
        f.dir
            .set_roles(
                &c(cm),
                acct,
                bob,
                RoleSet::of(&[Role::BillingManager]),
                &TechScope::All,
            )
            .unwrap();
        // Nor to itself.
        f.refused(acct, &[], ErrorCode::RuleViolation, "C6", || {
            f.dir.set_roles(
                &c(cm),
                acct,
                cm,
                RoleSet::of(&[Role::ContactManager, Role::SecurityManager]),
                &TechScope::All,
            )
        });
        // Nor by creating or adding a contact with more.
        f.refused(acct, &[], ErrorCode::RuleViolation, "C6", || {
            f.dir.create_contact(
                &c(sm),
                acct,
                &new_contact("x").with_roles(RoleSet::of(&[Role::ContactManager])),
            )
        });
        f.refused(acct, &[other], ErrorCode::RuleViolation, "C6", || {
            f.dir.add_existing_contact(
                &c(sm),
                acct,
                "shared",
                RoleSet::of(&[Role::BillingManager]),
                &TechScope::All,
            )
        });
        f.dir
            .add_existing_contact(
                &c(sm),
                acct,
                "shared",
                RoleSet::of(&[Role::SecurityManager]),
                &TechScope::All,
            )
            .map(|added| f.accepted(acct, added))
            .unwrap();
        // The owner grants any (procurement aside, C3).
        f.dir
            .set_roles(
                &c(alice),
                acct,
                bob,
                RoleSet::ALL.without(Role::ProcurementManager),
                &TechScope::All,
            )
            .unwrap();
        // A member without the assign-roles permission grants nothing.
        let bm = f.contact(acct, "bm", RoleSet::of(&[Role::BillingManager]));
        let err = f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
            f.dir.set_roles(
                &c(bm),
                acct,
                bob,
                RoleSet::of(&[Role::BillingManager]),
                &TechScope::All,
            )
        });
        assert_eq!(
            err,
            Error::PermissionDenied {
                permission: Permission::AssignRoles
            }
        );
        assert_eq!(
            f.dir.access(&c(bm), acct).unwrap().assignable_roles(),
            RoleSet::EMPTY
        );
    });
}
