//! SPEC H1–H5, H7 and B5's clause on duties: resources and their technical
//! contacts, eligibility, creating and designating a contact in one step,
//! billing contacts, bulk reassignment and deleting a contact that holds
//! duties, through the public API, on every kind of store. Milestones (H6)
//! are in `notifications.rs`, with the notifier they need.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
use common::*;
use contactkeeper::*;

use std::collections::HashSet;
use std::sync::atomic::Ordering;

const PHONE: &str = "+1 555 0100";

/// A new contact holding what a duty needs (H4): email and business phone.
fn with_phone(login: &str) -> NewContact {
    let mut n = new_contact(login);
    n.profile.business_phone = Some(PHONE.into());
    n
}

/// The cast: an account `acct` owned by `alice`, with `tess` (technical
/// administrator), `bill` (billing manager), `cm` (contact manager), `carl`
/// and `dan` (no role; `dan` lacks a business phone), and another account
/// owned by `olga` with `oscar`. Everyone but `dan` is eligible for duties.
struct Cast {
    acct: AccountId,
    other: AccountId,
    alice: ContactId,
    tess: ContactId,
    bill: ContactId,
    cm: ContactId,
    carl: ContactId,
    dan: ContactId,
    olga: ContactId,
    oscar: ContactId,
}

fn account_with(f: &Fixture, name: &str, owner: &str) -> (AccountId, ContactId) {
    let mut new = NewAccount::new(name, with_phone(owner));
    new.plan.included_contacts = 100;
    let created = f.dir.create_account(&Actor::System, &new).unwrap();
    (created.account, created.owner)
}

fn member(f: &Fixture, acct: AccountId, nc: NewContact, roles: &[Role]) -> ContactId {
    f.dir
        .create_contact(&Actor::System, acct, &nc.with_roles(RoleSet::of(roles)))
        .unwrap()
        .contact
}

fn cast(f: &Fixture) -> Cast {
    let (acct, alice) = account_with(f, "Acme Corp", "alice");
    let (other, olga) = account_with(f, "Other Corp", "olga");
    Cast {
        acct,
        other,
        alice,
        tess: member(f, acct, with_phone("tess"), &[Role::TechnicalAdmin]),
        bill: member(f, acct, with_phone("bill"), &[Role::BillingManager]),
        cm: member(f, acct, with_phone("cm"), &[Role::ContactManager]),
        carl: member(f, acct, with_phone("carl"), &[]),
        dan: member(f, acct, new_contact("dan"), &[]),
        oscar: member(f, other, with_phone("oscar"), &[]),
        olga,
    }
}

fn resource(name: &str, primary: ContactId, secondary: Option<ContactId>) -> NewResource {
    NewResource {
        kind: "computer".into(),
        name: name.into(),
        primary,
        secondary,
    }
}

/// Adds a resource as the technical administrator `tess`.
fn add(
    f: &Fixture,
    k: &Cast,
    name: &str,
    primary: ContactId,
    secondary: Option<ContactId>,
) -> ResourceId {
    f.dir
        .add_resource(&c(k.tess), k.acct, &resource(name, primary, secondary))
        .unwrap()
}

fn res(f: &Fixture, acct: AccountId, id: ResourceId) -> ResourceRecord {
    f.dir.resource(&Actor::System, acct, id).unwrap()
}

fn duties(f: &Fixture, acct: AccountId, contact: ContactId) -> HashSet<Duty> {
    f.dir
        .duties(&Actor::System, acct, contact)
        .unwrap()
        .into_iter()
        .collect()
}

fn tech(resource: ResourceId, rank: Rank) -> Duty {
    Duty::Technical { resource, rank }
}

fn billing(rank: Rank) -> Duty {
    Duty::Billing { rank }
}

fn set<const N: usize>(duties: [Duty; N]) -> HashSet<Duty> {
    duties.into_iter().collect()
}

fn fill_phone(f: &Fixture, acct: AccountId, contact: ContactId) {
    f.dir
        .update_contact(
            &Actor::System,
            acct,
            contact,
            &ProfileUpdate {
                business_phone: Some(Some(PHONE.into())),
                ..Default::default()
            },
        )
        .unwrap();
}

/// Everything about duties in these accounts: every resource, the billing
/// contacts, and the duties of every member.
#[derive(Debug, PartialEq)]
struct Designations {
    resources: Vec<Vec<ResourceRecord>>,
    billing: Vec<BillingContacts>,
    duties: Vec<Vec<(ContactId, Vec<Duty>)>>,
}

fn designations(f: &Fixture, accounts: &[AccountId]) -> Designations {
    let sys = Actor::System;
    Designations {
        resources: accounts
            .iter()
            .map(|a| f.dir.resources(&sys, *a, None, MAX_PAGE).unwrap())
            .collect(),
        billing: accounts
            .iter()
            .map(|a| f.dir.billing_contacts(&sys, *a).unwrap())
            .collect(),
        duties: accounts
            .iter()
            .map(|a| {
                f.dir
                    .list_contacts(&sys, *a, None, MAX_PAGE)
                    .unwrap()
                    .into_iter()
                    .map(|v| (v.id, f.dir.duties(&sys, *a, v.id).unwrap()))
                    .collect()
            })
            .collect(),
    }
}

/// `op` in the cast's account must be refused with `code` naming `rule`,
/// change nothing (contacts, accounts, outbox, resources, duties, billing
/// contacts, in both accounts) and be audited once as refused (K1, J1).
fn refused<T: std::fmt::Debug>(
    f: &Fixture,
    k: &Cast,
    code: ErrorCode,
    rule: &str,
    op: impl FnOnce() -> Result<T, Error>,
) -> Error {
    let before = designations(f, &[k.acct, k.other]);
    let err = f.refused(k.acct, &[k.other], code, rule, op);
    assert_eq!(
        designations(f, &[k.acct, k.other]),
        before,
        "a refusal changed a designation: {err:?}"
    );
    err
}

fn not_eligible(missing: &[Field]) -> Error {
    Error::NotEligible {
        missing: missing.to_vec(),
    }
}

fn not_found(entity: Entity) -> Error {
    Error::NotFound { entity }
}

fn denied(permission: Permission) -> Error {
    Error::PermissionDenied { permission }
}

fn h2() -> Error {
    Error::RuleViolation {
        rule: Rule::H2SecondaryIsPrimary,
    }
}

/// An id no resource has.
fn unknown_resource() -> ResourceId {
    ResourceId(7)
}

// ----- H1: a resource and its primary technical contact -----

// rule H1
#[test]
fn a_resource_is_added_with_its_primary_technical_contact() {
    for_each_store(|f| {
        let k = cast(&f);
        let r = f
            .dir
            .add_resource(&c(k.tess), k.acct, &resource(" web-01 ", k.carl, None))
            .unwrap();
        let rec = res(&f, k.acct, r);
        assert_eq!(rec.id, r);
        assert_eq!(rec.account, k.acct);
        assert_eq!(rec.kind, "computer");
        assert_eq!(rec.name, "web-01", "the name is trimmed");
        assert_eq!(rec.primary, k.carl);
        assert_eq!(rec.secondary, None);
        assert_eq!(rec.created_at, f.clock.now());
        assert_eq!(duties(&f, k.acct, k.carl), set([tech(r, Rank::Primary)]));
        let last = f.last_audit(k.acct);
        assert_eq!(last.operation, Operation::ResourceAdd);
        assert_eq!(last.outcome, Outcome::Success);
        assert_eq!(last.target, Some(r.to_string()));
        assert_eq!(last.actor, k.tess.to_string());
        // The owner adds resources too; every member reads them.
        let r2 = f
            .dir
            .add_resource(&c(k.alice), k.acct, &resource("web-02", k.tess, None))
            .unwrap();
        let listed = f.dir.resources(&c(k.dan), k.acct, None, MAX_PAGE).unwrap();
        let ids: Vec<ResourceId> = listed.iter().map(|r| r.id).collect();
        let mut want = vec![r, r2];
        want.sort();
        assert_eq!(ids, want, "listed by id");
        assert_eq!(f.dir.resource(&c(k.dan), k.acct, r).unwrap(), rec);
        // The other account sees none of them.
        assert!(f
            .dir
            .resources(&Actor::System, k.other, None, MAX_PAGE)
            .unwrap()
            .is_empty());
    });
}

// rule H1
// rule K1
#[test]
fn a_resource_cannot_be_added_without_a_primary_that_is_a_member() {
    // "A resource without a primary" cannot be written in the Rust API:
    // `NewResource::primary` is a `ContactId`, not an `Option`. The nearest
    // things are a primary that is not a member of the account: a contact
    // of another account, a contact deleted from this one, or an id no
    // contact has.
    for_each_store(|f| {
        let k = cast(&f);
        let gone = member(&f, k.acct, with_phone("gone"), &[]);
        f.dir.delete_contact(&c(k.alice), k.acct, gone).unwrap();
        for primary in [k.oscar, k.olga, gone, ContactId(3)] {
            let err = refused(&f, &k, ErrorCode::NotFound, "K1", || {
                f.dir
                    .add_resource(&c(k.tess), k.acct, &resource("web", primary, None))
            });
            assert_eq!(err, not_found(Entity::Contact));
        }
        // Nor a secondary that is not a member.
        for secondary in [k.oscar, ContactId(3)] {
            let err = refused(&f, &k, ErrorCode::NotFound, "K1", || {
                f.dir.add_resource(
                    &c(k.tess),
                    k.acct,
                    &resource("web", k.carl, Some(secondary)),
                )
            });
            assert_eq!(err, not_found(Entity::Contact));
        }
        assert!(f
            .dir
            .resources(&Actor::System, k.acct, None, MAX_PAGE)
            .unwrap()
            .is_empty());
    });
}

// rule H1
// rule K2
#[test]
fn a_resource_needs_a_kind_and_a_name() {
    for_each_store(|f| {
        let k = cast(&f);
        let cases = [
            ("", "web", Field::ResourceKind, Problem::Empty),
            ("computer", "  ", Field::ResourceName, Problem::Empty),
            (
                "computer",
                "bad\u{7}name",
                Field::ResourceName,
                Problem::ControlCharacter,
            ),
            (
                &*"k".repeat(65),
                "web",
                Field::ResourceKind,
                Problem::TooLong { max: 64 },
            ),
            (
                "computer",
                &*"n".repeat(201),
                Field::ResourceName,
                Problem::TooLong { max: 200 },
            ),
        ];
        for (kind, name, field, problem) in cases {
            let new = NewResource {
                kind: kind.into(),
                name: name.into(),
                primary: k.carl,
                secondary: None,
            };
            let err = refused(&f, &k, ErrorCode::InvalidInput, "H1", || {
                f.dir.add_resource(&c(k.tess), k.acct, &new)
            });
            assert_eq!(err, Error::InvalidInput { field, problem });
        }
    });
}

// rule H1
// rule C2
#[test]
fn only_technical_administrators_and_the_owner_manage_resources() {
    for_each_store(|f| {
        let k = cast(&f);
        let r = add(&f, &k, "web", k.carl, None);
        let outsiders = [
            c(k.bill),
            c(k.cm),
            c(k.carl),
            c(k.olga),
            Actor::support_desk("desk", "ticket 1"),
            Actor::partner("nobody"),
        ];
        for actor in &outsiders {
            let rule = "C2";
            let err = refused(&f, &k, ErrorCode::PermissionDenied, rule, || {
                f.dir
                    .add_resource(actor, k.acct, &resource("db", k.carl, None))
            });
            assert_eq!(err, denied(Permission::TechnicalAdmin), "{actor:?}");
            let err = refused(&f, &k, ErrorCode::PermissionDenied, rule, || {
                f.dir.set_technical_contacts(actor, k.acct, r, k.tess, None)
            });
            assert_eq!(err, denied(Permission::TechnicalAdmin), "{actor:?}");
            let err = refused(&f, &k, ErrorCode::PermissionDenied, rule, || {
                f.dir.remove_resource(actor, k.acct, r)
            });
            assert_eq!(err, denied(Permission::TechnicalAdmin), "{actor:?}");
        }
        // The host may.
        f.dir
            .add_resource(&Actor::System, k.acct, &resource("db", k.carl, None))
            .unwrap();
    });
}

// rule H1
// rule K1
#[test]
fn an_unknown_resource_or_one_of_another_account_is_not_found() {
    for_each_store(|f| {
        let k = cast(&f);
        let theirs = f
            .dir
            .add_resource(&c(k.olga), k.other, &resource("theirs", k.oscar, None))
            .unwrap();
        for r in [unknown_resource(), theirs] {
            let nf = not_found(Entity::Resource);
            let e = refused(&f, &k, ErrorCode::NotFound, "K1", || {
                f.dir.resource(&c(k.tess), k.acct, r)
            });
            assert_eq!(e, nf);
            let e = refused(&f, &k, ErrorCode::NotFound, "K1", || {
                f.dir
                    .set_technical_contacts(&c(k.tess), k.acct, r, k.carl, None)
            });
            assert_eq!(e, nf);
            let e = refused(&f, &k, ErrorCode::NotFound, "K1", || {
                f.dir.remove_resource(&c(k.tess), k.acct, r)
            });
            assert_eq!(e, nf);
            let e = refused(&f, &k, ErrorCode::NotFound, "K1", || {
                f.dir.create_contact_with_duty(
                    &c(k.alice),
                    k.acct,
                    &with_phone("newbie"),
                    DutyTarget::Technical(r, Rank::Primary),
                )
            });
            assert_eq!(e, nf);
        }
        assert_eq!(res(&f, k.other, theirs).primary, k.oscar);
    });
}

// rule H1
// rule K2
#[test]
fn resource_pages_are_bounded_and_follow_ids() {
    for_each_store(|f| {
        let k = cast(&f);
        let mut ids: Vec<ResourceId> = (0..5)
            .map(|i| add(&f, &k, &format!("r{i}"), k.carl, None))
            .collect();
        ids.sort();
        let page = |after, limit| -> Vec<ResourceId> {
            f.dir
                .resources(&Actor::System, k.acct, after, limit)
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect()
        };
        assert_eq!(page(None, 2), ids[..2]);
        assert_eq!(page(Some(ids[1]), 2), ids[2..4]);
        assert_eq!(page(Some(ids[3]), 2), ids[4..]);
        assert!(page(Some(ids[4]), 2).is_empty());
        for limit in [0, MAX_PAGE + 1] {
            let err = refused(&f, &k, ErrorCode::InvalidInput, "K2", || {
                f.dir.resources(&Actor::System, k.acct, None, limit)
            });
            assert_eq!(
                err,
                Error::InvalidInput {
                    field: Field::Limit,
                    problem: Problem::OutOfRange
                }
            );
        }
    });
}

// rule H1
#[test]
fn a_removed_resource_leaves_no_duty_behind() {
    for_each_store(|f| {
        let k = cast(&f);
        let r = add(&f, &k, "web", k.carl, Some(k.tess));
        f.dir.remove_resource(&c(k.tess), k.acct, r).unwrap();
        let last = f.last_audit(k.acct);
        assert_eq!(last.operation, Operation::ResourceRemove);
        assert_eq!(last.outcome, Outcome::Success);
        assert!(duties(&f, k.acct, k.carl).is_empty());
        assert!(duties(&f, k.acct, k.tess).is_empty());
        assert_eq!(
            f.dir.resource(&Actor::System, k.acct, r).unwrap_err(),
            not_found(Entity::Resource)
        );
        // So its former primary can be deleted.
        f.dir.delete_contact(&c(k.alice), k.acct, k.carl).unwrap();
    });
}

// ----- H2: an optional secondary, never the primary -----

// rule H2
#[test]
fn the_secondary_is_optional_and_differs_from_the_primary() {
    for_each_store(|f| {
        let k = cast(&f);
        let err = refused(&f, &k, ErrorCode::RuleViolation, "H2", || {
            f.dir
                .add_resource(&c(k.tess), k.acct, &resource("web", k.carl, Some(k.carl)))
        });
        assert_eq!(err, h2());
        let r = add(&f, &k, "web", k.carl, Some(k.tess));
        let rec = res(&f, k.acct, r);
        assert_eq!((rec.primary, rec.secondary), (k.carl, Some(k.tess)));
        assert_eq!(duties(&f, k.acct, k.tess), set([tech(r, Rank::Secondary)]));
        let err = refused(&f, &k, ErrorCode::RuleViolation, "H2", || {
            f.dir
                .set_technical_contacts(&c(k.tess), k.acct, r, k.tess, Some(k.tess))
        });
        assert_eq!(err, h2());
        // Swapped, then the secondary cleared: each audited with what changed.
        f.dir
            .set_technical_contacts(&c(k.tess), k.acct, r, k.tess, Some(k.carl))
            .unwrap();
        let last = f.last_audit(k.acct);
        assert_eq!(last.operation, Operation::TechnicalContacts);
        assert_eq!(last.fields, vec!["primary", "secondary"]);
        f.dir
            .set_technical_contacts(&c(k.tess), k.acct, r, k.tess, None)
            .unwrap();
        assert_eq!(f.last_audit(k.acct).fields, vec!["secondary"]);
        let rec = res(&f, k.acct, r);
        assert_eq!((rec.primary, rec.secondary), (k.tess, None));
        assert!(duties(&f, k.acct, k.carl).is_empty());
    });
}

// ----- H3: many resources per contact; bulk reassignment -----

// rule H3
#[test]
fn one_contact_serves_many_resources_assigned_one_by_one() {
    for_each_store(|f| {
        let k = cast(&f);
        let r1 = add(&f, &k, "r1", k.carl, None);
        let r2 = add(&f, &k, "r2", k.carl, Some(k.tess));
        let r3 = add(&f, &k, "r3", k.tess, Some(k.carl));
        let r4 = add(&f, &k, "r4", k.tess, None);
        assert_eq!(
            duties(&f, k.acct, k.carl),
            set([
                tech(r1, Rank::Primary),
                tech(r2, Rank::Primary),
                tech(r3, Rank::Secondary)
            ])
        );
        assert_eq!(
            duties(&f, k.acct, k.tess),
            set([
                tech(r2, Rank::Secondary),
                tech(r3, Rank::Primary),
                tech(r4, Rank::Primary)
            ])
        );
        // Contacts by resource.
        let rec = res(&f, k.acct, r3);
        assert_eq!((rec.primary, rec.secondary), (k.tess, Some(k.carl)));
        // Moving one resource moves that one only.
        f.dir
            .set_technical_contacts(&c(k.tess), k.acct, r1, k.alice, Some(k.carl))
            .unwrap();
        assert_eq!(
            duties(&f, k.acct, k.carl),
            set([
                tech(r1, Rank::Secondary),
                tech(r2, Rank::Primary),
                tech(r3, Rank::Secondary)
            ])
        );
        assert_eq!(duties(&f, k.acct, k.alice), set([tech(r1, Rank::Primary)]));
        // A member without duties has none; a non-member is not found.
        assert!(duties(&f, k.acct, k.dan).is_empty());
        let err = refused(&f, &k, ErrorCode::NotFound, "K1", || {
            f.dir.duties(&Actor::System, k.acct, k.oscar)
        });
        assert_eq!(err, not_found(Entity::Contact));
        // Every member may list them (a contact without any role included).
        assert_eq!(f.dir.duties(&c(k.dan), k.acct, k.carl).unwrap().len(), 3);
    });
}

// rule H3
#[test]
fn a_bulk_reassignment_moves_every_duty_in_one_commit() {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let wrapped = Wrapped::new(store);
        let f = Fixture::on(wrapped.clone());
        let k = cast(&f);
        let mut mine = Vec::new();
        for i in 0..20 {
            mine.push(add(&f, &k, &format!("p{i}"), k.carl, None));
        }
        let sec = add(&f, &k, "sec", k.tess, Some(k.carl));
        // carl primary, alice (the target) secondary: alice becomes the
        // primary and the secondary is cleared, never equal to it.
        let clash = add(&f, &k, "clash", k.carl, Some(k.alice));
        // carl secondary of a resource alice is primary of: cleared.
        let clash2 = add(&f, &k, "clash2", k.alice, Some(k.carl));
        f.dir
            .set_billing_contacts(&c(k.bill), k.acct, k.carl, Some(k.tess))
            .unwrap();
        let untouched = add(&f, &k, "untouched", k.tess, None);
        let commits = wrapped.commits.load(Ordering::SeqCst);
        let moved = f
            .dir
            .reassign_duties(&c(k.alice), k.acct, k.carl, k.alice)
            .unwrap();
        assert_eq!(
            wrapped.commits.load(Ordering::SeqCst),
            commits + 1,
            "one atomic commit"
        );
        assert_eq!(moved, 20 + 3 + 1);
        assert!(duties(&f, k.acct, k.carl).is_empty());
        for r in &mine {
            assert_eq!(res(&f, k.acct, *r).primary, k.alice);
        }
        let rec = res(&f, k.acct, sec);
        assert_eq!((rec.primary, rec.secondary), (k.tess, Some(k.alice)));
        let rec = res(&f, k.acct, clash);
        assert_eq!((rec.primary, rec.secondary), (k.alice, None));
        let rec = res(&f, k.acct, clash2);
        assert_eq!((rec.primary, rec.secondary), (k.alice, None));
        assert_eq!(res(&f, k.acct, untouched).primary, k.tess);
        assert_eq!(
            f.dir.billing_contacts(&Actor::System, k.acct).unwrap(),
            BillingContacts {
                primary: Some(k.alice),
                secondary: Some(k.tess)
            }
        );
        let last = f.last_audit(k.acct);
        assert_eq!(last.operation, Operation::DutiesReassign);
        assert_eq!(last.outcome, Outcome::Success);
        assert_eq!(last.target, Some(k.carl.to_string()));
        // carl, without duties, can now go.
        f.dir.delete_contact(&c(k.alice), k.acct, k.carl).unwrap();
    }
}

// rule H3
// rule H7
#[test]
fn a_bulk_reassignment_of_billing_duties_never_leaves_the_secondary_equal_to_the_primary() {
    for_each_store(|f| {
        let k = cast(&f);
        f.dir
            .set_billing_contacts(&c(k.bill), k.acct, k.carl, Some(k.tess))
            .unwrap();
        // The secondary takes the primary's duties: it becomes the primary
        // and the secondary is cleared.
        assert_eq!(
            f.dir
                .reassign_duties(&c(k.alice), k.acct, k.carl, k.tess)
                .unwrap(),
            1
        );
        assert_eq!(
            f.dir.billing_contacts(&Actor::System, k.acct).unwrap(),
            BillingContacts {
                primary: Some(k.tess),
                secondary: None
            }
        );
        // A secondary's duty moves to another contact as a secondary.
        f.dir
            .set_billing_contacts(&c(k.bill), k.acct, k.tess, Some(k.carl))
            .unwrap();
        f.dir
            .reassign_duties(&c(k.alice), k.acct, k.carl, k.bill)
            .unwrap();
        assert_eq!(
            f.dir.billing_contacts(&Actor::System, k.acct).unwrap(),
            BillingContacts {
                primary: Some(k.tess),
                secondary: Some(k.bill)
            }
        );
    });
}

// rule H3
// rule H4
// rule C2
#[test]
fn a_refused_bulk_reassignment_changes_nothing() {
    for_each_store(|f| {
        let k = cast(&f);
        let r1 = add(&f, &k, "r1", k.carl, None);
        add(&f, &k, "r2", k.tess, Some(k.carl));
        // Ineligible target (H4).
        let err = refused(&f, &k, ErrorCode::NotEligible, "H4", || {
            f.dir.reassign_duties(&c(k.alice), k.acct, k.carl, k.dan)
        });
        assert_eq!(err, not_eligible(&[Field::BusinessPhone]));
        // A target of another account, or no contact at all.
        for to in [k.oscar, ContactId(3)] {
            let err = refused(&f, &k, ErrorCode::NotFound, "K1", || {
                f.dir.reassign_duties(&c(k.alice), k.acct, k.carl, to)
            });
            assert_eq!(err, not_found(Entity::Contact));
        }
        // A source that is not a member.
        let err = refused(&f, &k, ErrorCode::NotFound, "K1", || {
            f.dir.reassign_duties(&c(k.alice), k.acct, k.oscar, k.carl)
        });
        assert_eq!(err, not_found(Entity::Contact));
        // To itself (H2).
        let err = refused(&f, &k, ErrorCode::RuleViolation, "H2", || {
            f.dir.reassign_duties(&c(k.alice), k.acct, k.carl, k.carl)
        });
        assert_eq!(err, h2());
        // Technical duties need technical administration; billing duties
        // need billing management.
        for actor in [c(k.bill), c(k.cm), c(k.carl)] {
            let err = refused(&f, &k, ErrorCode::PermissionDenied, "C2", || {
                f.dir.reassign_duties(&actor, k.acct, k.carl, k.alice)
            });
            assert_eq!(err, denied(Permission::TechnicalAdmin));
        }
        f.dir
            .set_billing_contacts(&c(k.bill), k.acct, k.carl, None)
            .unwrap();
        let err = refused(&f, &k, ErrorCode::PermissionDenied, "C2", || {
            f.dir.reassign_duties(&c(k.tess), k.acct, k.carl, k.alice)
        });
        assert_eq!(err, denied(Permission::ManageBilling));
        assert_eq!(res(&f, k.acct, r1).primary, k.carl);
        // Moving the duties of a contact that holds none still needs one of
        // those permissions: the operation is not open to anyone (C2).
        for actor in [c(k.cm), c(k.carl), c(k.dan)] {
            let err = refused(&f, &k, ErrorCode::PermissionDenied, "C2", || {
                f.dir.reassign_duties(&actor, k.acct, k.dan, k.carl)
            });
            assert_eq!(err, denied(Permission::TechnicalAdmin));
        }
        for actor in [c(k.tess), c(k.bill)] {
            assert_eq!(
                f.dir
                    .reassign_duties(&actor, k.acct, k.dan, k.carl)
                    .unwrap(),
                0
            );
        }
        // The owner holds both.
        assert_eq!(
            f.dir
                .reassign_duties(&c(k.alice), k.acct, k.carl, k.alice)
                .unwrap(),
            3
        );
    });
}

// ----- H4: eligibility -----

// rule H4
#[test]
fn a_duty_needs_an_email_and_a_business_phone() {
    let mut p = Profile::new("Nobody", "");
    assert_eq!(
        designations::missing_for_duty(&p),
        vec![Field::Email, Field::BusinessPhone]
    );
    p.email = "n@example.com".into();
    p.business_phone = Some("  ".into());
    assert_eq!(
        designations::missing_for_duty(&p),
        vec![Field::BusinessPhone]
    );
    p.business_phone = Some(PHONE.into());
    assert!(designations::missing_for_duty(&p).is_empty());
}

/// One way to give a duty, to try before and after the fields are filled.
type Attempt<'a> = Box<dyn Fn() -> Result<(), Error> + 'a>;

// rule H4
#[test]
fn an_ineligible_contact_is_refused_naming_the_missing_fields_then_accepted_once_filled() {
    for_each_store(|f| {
        let k = cast(&f);
        let r = add(&f, &k, "web", k.carl, None);
        let want = not_eligible(&[Field::BusinessPhone]);
        let attempts: Vec<(&str, Attempt)> = vec![
            (
                "add as primary",
                Box::new(|| {
                    f.dir
                        .add_resource(&c(k.tess), k.acct, &resource("db", k.dan, None))
                        .map(|_| ())
                }),
            ),
            (
                "add as secondary",
                Box::new(|| {
                    f.dir
                        .add_resource(&c(k.tess), k.acct, &resource("db", k.carl, Some(k.dan)))
                        .map(|_| ())
                }),
            ),
            (
                "set as primary",
                Box::new(|| {
                    f.dir
                        .set_technical_contacts(&c(k.tess), k.acct, r, k.dan, None)
                }),
            ),
            (
                "set as secondary",
                Box::new(|| {
                    f.dir
                        .set_technical_contacts(&c(k.tess), k.acct, r, k.carl, Some(k.dan))
                }),
            ),
            (
                "billing primary",
                Box::new(|| f.dir.set_billing_contacts(&c(k.bill), k.acct, k.dan, None)),
            ),
            (
                "billing secondary",
                Box::new(|| {
                    f.dir
                        .set_billing_contacts(&c(k.bill), k.acct, k.carl, Some(k.dan))
                }),
            ),
        ];
        for (what, op) in &attempts {
            let err = refused(&f, &k, ErrorCode::NotEligible, "H4", op);
            assert_eq!(err, want, "{what}");
            // The refusal names the field, so a host can ask for it.
            assert!(err.to_string().contains("business_phone"), "{what}: {err}");
        }
        // Filled in, the very same assignments succeed.
        fill_phone(&f, k.acct, k.dan);
        for (what, op) in &attempts {
            op().unwrap_or_else(|e| panic!("{what}: {e:?}"));
        }
        let rec = res(&f, k.acct, r);
        assert_eq!((rec.primary, rec.secondary), (k.carl, Some(k.dan)));
    });
}

// rule H4
#[test]
fn a_contact_of_another_account_cannot_take_a_duty() {
    for_each_store(|f| {
        let k = cast(&f);
        let r = add(&f, &k, "web", k.carl, None);
        let nf = not_found(Entity::Contact);
        let e = refused(&f, &k, ErrorCode::NotFound, "K1", || {
            f.dir
                .set_technical_contacts(&c(k.tess), k.acct, r, k.oscar, None)
        });
        assert_eq!(e, nf);
        let e = refused(&f, &k, ErrorCode::NotFound, "K1", || {
            f.dir
                .set_technical_contacts(&c(k.tess), k.acct, r, k.carl, Some(k.olga))
        });
        assert_eq!(e, nf);
        let e = refused(&f, &k, ErrorCode::NotFound, "K1", || {
            f.dir
                .set_billing_contacts(&c(k.bill), k.acct, k.oscar, None)
        });
        assert_eq!(e, nf);
        let e = refused(&f, &k, ErrorCode::NotFound, "K1", || {
            f.dir
                .set_billing_contacts(&c(k.bill), k.acct, k.carl, Some(k.oscar))
        });
        assert_eq!(e, nf);
        // Once the contact is added to this account too (B6), it may.
        f.dir
            .add_existing_contact(
                &c(k.alice),
                k.acct,
                "oscar",
                RoleSet::EMPTY,
                &TechScope::All,
            )
            .map(|added| f.accepted(k.acct, added))
            .unwrap();
        f.dir
            .set_technical_contacts(&c(k.tess), k.acct, r, k.oscar, None)
            .unwrap();
        assert_eq!(duties(&f, k.acct, k.oscar), set([tech(r, Rank::Primary)]));
        assert!(duties(&f, k.other, k.oscar).is_empty());
    });
}

// ----- H5: create and designate in one step -----

// rule H5
#[test]
fn creating_a_contact_and_designating_it_is_one_step() {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let wrapped = Wrapped::new(store);
        let f = Fixture::on(wrapped.clone());
        let k = cast(&f);
        let r = add(&f, &k, "web", k.carl, Some(k.tess));
        let commits = wrapped.commits.load(Ordering::SeqCst);
        let added = f
            .dir
            .create_contact_with_duty(
                &c(k.alice),
                k.acct,
                &with_phone("newbie"),
                DutyTarget::Technical(r, Rank::Primary),
            )
            .unwrap();
        assert_eq!(wrapped.commits.load(Ordering::SeqCst), commits + 1);
        assert_eq!(added.charge, None);
        let id = added.contact;
        let view = f.dir.contact(&Actor::System, k.acct, id).unwrap();
        assert_eq!(view.login, "newbie");
        assert_eq!(view.profile.business_phone.as_deref(), Some(PHONE));
        let rec = res(&f, k.acct, r);
        assert_eq!((rec.primary, rec.secondary), (id, Some(k.tess)));
        assert!(duties(&f, k.acct, k.carl).is_empty());
        assert_eq!(duties(&f, k.acct, id), set([tech(r, Rank::Primary)]));
        let last = f.last_audit(k.acct);
        assert_eq!(last.operation, Operation::ContactCreate);
        assert_eq!(last.outcome, Outcome::Success);
        assert_eq!(last.target, Some(id.to_string()));
        assert!(
            last.fields.contains(&"duty".to_owned()),
            "{:?}",
            last.fields
        );
        // As a secondary, by a technical administrator, who does not manage
        // contacts: whoever may assign the duty may (seed 000's New User).
        let second = f
            .dir
            .create_contact_with_duty(
                &c(k.tess),
                k.acct,
                &with_phone("second"),
                DutyTarget::Technical(r, Rank::Secondary),
            )
            .unwrap()
            .contact;
        let rec = res(&f, k.acct, r);
        assert_eq!((rec.primary, rec.secondary), (id, Some(second)));
        assert!(duties(&f, k.acct, k.tess).is_empty());
    }
}

// rule H5
// rule H7
#[test]
fn creating_a_billing_contact_is_one_step() {
    for_each_store(|f| {
        let k = cast(&f);
        // No primary yet: a secondary alone is refused, and nobody is
        // created.
        let err = refused(&f, &k, ErrorCode::RuleViolation, "H7", || {
            f.dir.create_contact_with_duty(
                &c(k.alice),
                k.acct,
                &with_phone("second"),
                DutyTarget::Billing(Rank::Secondary),
            )
        });
        assert_eq!(
            err,
            Error::RuleViolation {
                rule: Rule::H7NoPrimary
            }
        );
        assert!(!f.dir.check_login(&Actor::System, k.acct, "second").unwrap());
        let first = f
            .dir
            .create_contact_with_duty(
                &c(k.alice),
                k.acct,
                &with_phone("first"),
                DutyTarget::Billing(Rank::Primary),
            )
            .unwrap()
            .contact;
        let second = f
            .dir
            .create_contact_with_duty(
                &c(k.alice),
                k.acct,
                &with_phone("second"),
                DutyTarget::Billing(Rank::Secondary),
            )
            .unwrap()
            .contact;
        assert_eq!(
            f.dir.billing_contacts(&Actor::System, k.acct).unwrap(),
            BillingContacts {
                primary: Some(first),
                secondary: Some(second)
            }
        );
        assert_eq!(duties(&f, k.acct, first), set([billing(Rank::Primary)]));
        assert_eq!(duties(&f, k.acct, second), set([billing(Rank::Secondary)]));
    });
}

// rule H5
#[test]
fn if_either_half_is_refused_neither_happens() {
    for_each_store(|f| {
        let k = cast(&f);
        let r = add(&f, &k, "web", k.carl, None);
        let primary = DutyTarget::Technical(r, Rank::Primary);
        let exists = |login: &str| f.dir.check_login(&Actor::System, k.acct, login).unwrap();
        // The duty half: the new contact lacks a business phone (H4).
        let err = refused(&f, &k, ErrorCode::NotEligible, "H4", || {
            f.dir
                .create_contact_with_duty(&c(k.alice), k.acct, &new_contact("newbie"), primary)
        });
        assert_eq!(err, not_eligible(&[Field::BusinessPhone]));
        assert!(!exists("newbie"));
        // The duty half: an unknown resource (see
        // `an_unknown_resource_or_one_of_another_account_is_not_found`) or
        // the actor may create contacts but not manage resources.
        let err = refused(&f, &k, ErrorCode::PermissionDenied, "C2", || {
            f.dir
                .create_contact_with_duty(&c(k.cm), k.acct, &with_phone("newbie"), primary)
        });
        assert_eq!(err, denied(Permission::TechnicalAdmin));
        let err = refused(&f, &k, ErrorCode::PermissionDenied, "C2", || {
            f.dir.create_contact_with_duty(
                &c(k.cm),
                k.acct,
                &with_phone("newbie"),
                DutyTarget::Billing(Rank::Primary),
            )
        });
        assert_eq!(err, denied(Permission::ManageBilling));
        assert!(!exists("newbie"));
        // The contact half: a role for the new contact (H5: none, even
        // from the owner); a login in use; an invalid profile.
        let mut with_role = with_phone("newbie");
        with_role.roles = RoleSet::of(&[Role::ContactManager]);
        let err = refused(&f, &k, ErrorCode::RuleViolation, "H5", || {
            f.dir
                .create_contact_with_duty(&c(k.alice), k.acct, &with_role, primary)
        });
        assert_eq!(
            err,
            Error::RuleViolation {
                rule: Rule::H5NoRoles
            }
        );
        let err = refused(&f, &k, ErrorCode::AlreadyExists, "K1", || {
            f.dir
                .create_contact_with_duty(&c(k.alice), k.acct, &with_phone("OSCAR"), primary)
        });
        assert_eq!(
            err,
            Error::AlreadyExists {
                entity: Entity::Login
            }
        );
        let mut bad = with_phone("newbie");
        bad.profile.time_zone = "Nowhere/Land".into();
        let err = refused(&f, &k, ErrorCode::InvalidInput, "B2", || {
            f.dir
                .create_contact_with_duty(&c(k.alice), k.acct, &bad, primary)
        });
        assert_eq!(
            err,
            Error::InvalidInput {
                field: Field::TimeZone,
                problem: Problem::UnknownTimeZone
            }
        );
        assert!(!exists("newbie"));
        assert_eq!(res(&f, k.acct, r).primary, k.carl);
    });
}

// rule H5
#[test]
fn whoever_may_assign_the_duty_may_create_its_contact() {
    for_each_store(|f| {
        let k = cast(&f);
        let r = add(&f, &k, "web", k.carl, None);
        // A billing manager, who manages no contact, creates the billing
        // contact; a technical administrator the resource's primary.
        let payer = f
            .dir
            .create_contact_with_duty(
                &c(k.bill),
                k.acct,
                &with_phone("payer"),
                DutyTarget::Billing(Rank::Primary),
            )
            .unwrap()
            .contact;
        let admin = f
            .dir
            .create_contact_with_duty(
                &c(k.tess),
                k.acct,
                &with_phone("admin"),
                DutyTarget::Technical(r, Rank::Primary),
            )
            .unwrap()
            .contact;
        for id in [payer, admin] {
            let view = f.dir.contact(&Actor::System, k.acct, id).unwrap();
            assert!(view.roles.is_empty(), "{view:?}");
        }
        assert_eq!(res(&f, k.acct, r).primary, admin);
        // Each only its own duty (C2): the billing manager no technical one,
        // the technical administrator no billing one.
        let err = refused(&f, &k, ErrorCode::PermissionDenied, "C2", || {
            f.dir.create_contact_with_duty(
                &c(k.bill),
                k.acct,
                &with_phone("newbie"),
                DutyTarget::Technical(r, Rank::Secondary),
            )
        });
        assert_eq!(err, denied(Permission::TechnicalAdmin));
        let err = refused(&f, &k, ErrorCode::PermissionDenied, "C2", || {
            f.dir.create_contact_with_duty(
                &c(k.tess),
                k.acct,
                &with_phone("newbie"),
                DutyTarget::Billing(Rank::Secondary),
            )
        });
        assert_eq!(err, denied(Permission::ManageBilling));
        // Attacker's path: a technical administrator gives the new contact
        // a role it could not grant through create_contact (C6, H5).
        let mut owner_like = with_phone("newbie");
        owner_like.roles = RoleSet::of(&[Role::TechnicalAdmin]);
        let err = refused(&f, &k, ErrorCode::RuleViolation, "H5", || {
            f.dir.create_contact_with_duty(
                &c(k.tess),
                k.acct,
                &owner_like,
                DutyTarget::Technical(r, Rank::Secondary),
            )
        });
        assert_eq!(
            err,
            Error::RuleViolation {
                rule: Rule::H5NoRoles
            }
        );
    });
}

// rule H5
#[test]
fn a_resource_is_added_with_a_new_primary_in_one_step() {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let wrapped = Wrapped::new(store);
        let f = Fixture::on(wrapped.clone());
        let k = cast(&f);
        let commits = wrapped.commits.load(Ordering::SeqCst);
        let added = f
            .dir
            .add_resource_with_new_primary(
                &c(k.tess),
                k.acct,
                "computer",
                " web-02 ",
                &with_phone("newbie"),
                Some(k.carl),
            )
            .unwrap();
        assert_eq!(wrapped.commits.load(Ordering::SeqCst), commits + 1);
        let rec = res(&f, k.acct, added.resource);
        assert_eq!(rec.name, "web-02");
        assert_eq!(
            (rec.primary, rec.secondary),
            (added.contact.contact, Some(k.carl))
        );
        assert_eq!(added.contact.charge, None);
        assert!(!added.contact.pending);
        let view = f
            .dir
            .contact(&Actor::System, k.acct, added.contact.contact)
            .unwrap();
        assert_eq!(view.login, "newbie");
        assert!(view.roles.is_empty());
        assert_eq!(
            duties(&f, k.acct, added.contact.contact),
            set([tech(added.resource, Rank::Primary)])
        );
        // Both halves in the audit log: the contact's creation and the
        // resource's addition, last.
        let q = AuditQuery {
            limit: 10_000,
            ..Default::default()
        };
        let log = f.store.audit(Some(k.acct), &q).unwrap();
        let last = &log[log.len() - 1];
        let before = &log[log.len() - 2];
        assert_eq!(
            (last.operation, last.target.clone()),
            (Operation::ResourceAdd, Some(added.resource.to_string()))
        );
        assert_eq!(
            (before.operation, before.target.clone()),
            (
                Operation::ContactCreate,
                Some(added.contact.contact.to_string())
            )
        );
        assert!(before.fields.contains(&"duty".to_owned()));
    }
}

// rule H5
#[test]
fn a_resource_with_a_new_primary_is_all_or_nothing() {
    for_each_store(|f| {
        let k = cast(&f);
        let exists = |login: &str| f.dir.check_login(&Actor::System, k.acct, login).unwrap();
        let try_add = |actor: ContactId, new: &NewContact, secondary| {
            f.dir.add_resource_with_new_primary(
                &c(actor),
                k.acct,
                "computer",
                "web",
                new,
                secondary,
            )
        };
        let err = refused(&f, &k, ErrorCode::PermissionDenied, "C2", || {
            try_add(k.cm, &with_phone("newbie"), None)
        });
        assert_eq!(err, denied(Permission::TechnicalAdmin));
        // The contact half: lacking a business phone (H4), a role (H5), a
        // login in use (K1).
        let err = refused(&f, &k, ErrorCode::NotEligible, "H4", || {
            try_add(k.tess, &new_contact("newbie"), None)
        });
        assert_eq!(err, not_eligible(&[Field::BusinessPhone]));
        let mut with_role = with_phone("newbie");
        with_role.roles = RoleSet::of(&[Role::TechnicalAdmin]);
        refused(&f, &k, ErrorCode::RuleViolation, "H5", || {
            try_add(k.tess, &with_role, None)
        });
        refused(&f, &k, ErrorCode::AlreadyExists, "K1", || {
            try_add(k.tess, &with_phone("carl"), None)
        });
        // The resource half: an ineligible secondary (H4), one of another
        // account, a blank name.
        let err = refused(&f, &k, ErrorCode::NotEligible, "H4", || {
            try_add(k.tess, &with_phone("newbie"), Some(k.dan))
        });
        assert_eq!(err, not_eligible(&[Field::BusinessPhone]));
        let err = refused(&f, &k, ErrorCode::NotFound, "K1", || {
            try_add(k.tess, &with_phone("newbie"), Some(k.oscar))
        });
        assert_eq!(err, not_found(Entity::Contact));
        let err = refused(&f, &k, ErrorCode::InvalidInput, "H1", || {
            f.dir.add_resource_with_new_primary(
                &c(k.tess),
                k.acct,
                "computer",
                "  ",
                &with_phone("newbie"),
                None,
            )
        });
        assert_eq!(
            err,
            Error::InvalidInput {
                field: Field::ResourceName,
                problem: Problem::Empty
            }
        );
        assert!(!exists("newbie"));
    });
}

// ----- H4: supplying what a designee lacks -----

/// Designates `contact` as the primary of `r` as `actor`, supplying `info`.
fn designate(
    f: &Fixture,
    k: &Cast,
    actor: ContactId,
    contact: ContactId,
    duty: DutyTarget,
    info: DutyInfo,
) -> Result<(), Error> {
    f.dir.designate(&c(actor), k.acct, contact, duty, &info)
}

fn phone_only() -> DutyInfo {
    DutyInfo {
        business_phone: Some(PHONE.into()),
        ..DutyInfo::default()
    }
}

// rule H4
#[test]
fn the_designator_supplies_what_the_designee_lacks_in_the_same_step() {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let wrapped = Wrapped::new(store);
        let f = Fixture::on(wrapped.clone());
        let k = cast(&f);
        let r = add(&f, &k, "web", k.carl, None);
        let primary = DutyTarget::Technical(r, Rank::Primary);
        // Without the missing field: refused, naming it, so the host can
        // open its User Information form.
        let err = refused(&f, &k, ErrorCode::NotEligible, "H4", || {
            designate(&f, &k, k.tess, k.dan, primary, DutyInfo::default())
        });
        assert_eq!(err, not_eligible(&[Field::BusinessPhone]));
        f.notifier.take();
        let commits = wrapped.commits.load(Ordering::SeqCst);
        designate(&f, &k, k.tess, k.dan, primary, phone_only()).unwrap();
        assert_eq!(wrapped.commits.load(Ordering::SeqCst), commits + 1);
        let view = f.dir.contact(&Actor::System, k.acct, k.dan).unwrap();
        assert_eq!(view.profile.business_phone.as_deref(), Some(PHONE));
        assert_eq!(res(&f, k.acct, r).primary, k.dan);
        assert_eq!(duties(&f, k.acct, k.dan), set([tech(r, Rank::Primary)]));
        assert!(duties(&f, k.acct, k.carl).is_empty());
        let last = f.last_audit(k.acct);
        assert_eq!(last.operation, Operation::Designate);
        assert_eq!(last.target, Some(k.dan.to_string()));
        assert_eq!(last.fields, vec!["duty", "business_phone"]);
        assert_eq!(
            last.detail.as_deref(),
            Some(format!("primary technical contact of {r}, replacing {}", k.carl).as_str())
        );
        // The contact is told its profile changed (I2).
        let told: Vec<_> = f
            .notifier
            .take()
            .into_iter()
            .filter(|n| n.recipient == k.dan)
            .map(|n| n.kind)
            .collect();
        assert_eq!(told, vec![NotificationKind::Security]);
        // A contact that lacks nothing is designated with no info at all.
        designate(
            &f,
            &k,
            k.tess,
            k.carl,
            DutyTarget::Technical(r, Rank::Secondary),
            DutyInfo::default(),
        )
        .unwrap();
        assert_eq!(res(&f, k.acct, r).secondary, Some(k.carl));
    }
}

// rule H4
#[test]
fn only_the_missing_fields_may_be_supplied() {
    for_each_store(|f| {
        let k = cast(&f);
        let r = add(&f, &k, "web", k.carl, None);
        let primary = DutyTarget::Technical(r, Rank::Primary);
        // Attacker's path: a technical administrator uses a designation to
        // rewrite the email (a recovery channel) of a contact that has one,
        // or a phone it has already.
        let err = refused(&f, &k, ErrorCode::RuleViolation, "H4", || {
            let info = DutyInfo {
                email: Some("attacker@example.net".into()),
                ..phone_only()
            };
            designate(&f, &k, k.tess, k.dan, primary, info)
        });
        assert_eq!(
            err,
            Error::RuleViolation {
                rule: Rule::H4OnlyMissingFields
            }
        );
        refused(&f, &k, ErrorCode::RuleViolation, "H4", || {
            designate(&f, &k, k.tess, k.carl, primary, phone_only())
        });
        // A malformed phone is bad input.
        let err = refused(&f, &k, ErrorCode::InvalidInput, "B2", || {
            let info = DutyInfo {
                business_phone: Some("call\u{7}me".into()),
                ..DutyInfo::default()
            };
            designate(&f, &k, k.tess, k.dan, primary, info)
        });
        assert!(
            matches!(
                err,
                Error::InvalidInput {
                    field: Field::BusinessPhone,
                    ..
                }
            ),
            "{err:?}"
        );
        // Not the owner's details (A6): an owner lacking a phone fills it in.
        let mut owner = new_contact("owen");
        owner.profile.email = "owen@example.com".into();
        let mut new = NewAccount::new("Owen Ltd", owner);
        new.plan.included_contacts = 10;
        let owen = f.dir.create_account(&Actor::System, &new).unwrap();
        let tina = member(
            &f,
            owen.account,
            with_phone("tina"),
            &[Role::TechnicalAdmin],
        );
        let rr = f
            .dir
            .add_resource(&c(tina), owen.account, &resource("db", tina, None))
            .unwrap();
        let err = f.refused(
            owen.account,
            &[k.acct],
            ErrorCode::RuleViolation,
            "A6",
            || {
                f.dir.designate(
                    &c(tina),
                    owen.account,
                    owen.owner,
                    DutyTarget::Technical(rr, Rank::Primary),
                    &phone_only(),
                )
            },
        );
        assert_eq!(
            err,
            Error::RuleViolation {
                rule: Rule::A6OwnerOnly
            }
        );
        // Not a profile shared with another account (B6).
        f.dir
            .add_existing_contact(
                &Actor::System,
                k.other,
                "dan",
                RoleSet::EMPTY,
                &TechScope::All,
            )
            .unwrap();
        let err = refused(&f, &k, ErrorCode::RuleViolation, "B6", || {
            designate(&f, &k, k.tess, k.dan, primary, phone_only())
        });
        assert_eq!(
            err,
            Error::RuleViolation {
                rule: Rule::B6SharedProfile
            }
        );
        assert_eq!(res(&f, k.acct, r).primary, k.carl);
    });
}

// rule H4
// rule H2
// rule H7
#[test]
fn designate_keeps_every_duty_rule() {
    for_each_store(|f| {
        let k = cast(&f);
        let r = add(&f, &k, "web", k.carl, Some(k.tess));
        let none = DutyInfo::default;
        // H2: the secondary is never the primary, either way round.
        refused(&f, &k, ErrorCode::RuleViolation, "H2", || {
            designate(
                &f,
                &k,
                k.tess,
                k.tess,
                DutyTarget::Technical(r, Rank::Primary),
                none(),
            )
        });
        refused(&f, &k, ErrorCode::RuleViolation, "H2", || {
            designate(
                &f,
                &k,
                k.tess,
                k.carl,
                DutyTarget::Technical(r, Rank::Secondary),
                none(),
            )
        });
        // H7: a billing secondary needs a primary.
        let err = refused(&f, &k, ErrorCode::RuleViolation, "H7", || {
            designate(
                &f,
                &k,
                k.bill,
                k.carl,
                DutyTarget::Billing(Rank::Secondary),
                none(),
            )
        });
        assert_eq!(
            err,
            Error::RuleViolation {
                rule: Rule::H7NoPrimary
            }
        );
        // C2: the duty's own permission.
        let err = refused(&f, &k, ErrorCode::PermissionDenied, "C2", || {
            designate(
                &f,
                &k,
                k.tess,
                k.carl,
                DutyTarget::Billing(Rank::Primary),
                none(),
            )
        });
        assert_eq!(err, denied(Permission::ManageBilling));
        let err = refused(&f, &k, ErrorCode::PermissionDenied, "C2", || {
            designate(
                &f,
                &k,
                k.cm,
                k.dan,
                DutyTarget::Technical(r, Rank::Primary),
                phone_only(),
            )
        });
        assert_eq!(err, denied(Permission::TechnicalAdmin));
        // Another account's contact or resource is not found (K1).
        let err = refused(&f, &k, ErrorCode::NotFound, "K1", || {
            designate(
                &f,
                &k,
                k.tess,
                k.oscar,
                DutyTarget::Technical(r, Rank::Primary),
                none(),
            )
        });
        assert_eq!(err, not_found(Entity::Contact));
        let theirs = f
            .dir
            .add_resource(&c(k.olga), k.other, &resource("theirs", k.oscar, None))
            .unwrap();
        let err = refused(&f, &k, ErrorCode::NotFound, "K1", || {
            designate(
                &f,
                &k,
                k.tess,
                k.carl,
                DutyTarget::Technical(theirs, Rank::Primary),
                none(),
            )
        });
        assert_eq!(err, not_found(Entity::Resource));
        // Billing, by a billing manager, with the missing phone.
        designate(
            &f,
            &k,
            k.bill,
            k.dan,
            DutyTarget::Billing(Rank::Primary),
            phone_only(),
        )
        .unwrap();
        designate(
            &f,
            &k,
            k.bill,
            k.carl,
            DutyTarget::Billing(Rank::Secondary),
            none(),
        )
        .unwrap();
        assert_eq!(
            f.dir.billing_contacts(&Actor::System, k.acct).unwrap(),
            BillingContacts {
                primary: Some(k.dan),
                secondary: Some(k.carl)
            }
        );
    });
}

// ----- H7: billing contacts -----

// rule H7
#[test]
fn the_owner_or_a_billing_manager_sets_the_billing_contacts() {
    for_each_store(|f| {
        let k = cast(&f);
        // None until set (billing matters go to the owner meanwhile).
        assert_eq!(
            f.dir.billing_contacts(&c(k.dan), k.acct).unwrap(),
            BillingContacts::default()
        );
        f.dir
            .set_billing_contacts(&c(k.bill), k.acct, k.carl, Some(k.tess))
            .unwrap();
        let last = f.last_audit(k.acct);
        assert_eq!(last.operation, Operation::BillingContacts);
        assert_eq!(last.outcome, Outcome::Success);
        assert_eq!(
            f.dir.billing_contacts(&c(k.dan), k.acct).unwrap(),
            BillingContacts {
                primary: Some(k.carl),
                secondary: Some(k.tess)
            }
        );
        assert_eq!(duties(&f, k.acct, k.carl), set([billing(Rank::Primary)]));
        assert_eq!(duties(&f, k.acct, k.tess), set([billing(Rank::Secondary)]));
        f.dir
            .set_billing_contacts(&c(k.alice), k.acct, k.bill, None)
            .unwrap();
        assert_eq!(
            f.dir.billing_contacts(&Actor::System, k.acct).unwrap(),
            BillingContacts {
                primary: Some(k.bill),
                secondary: None
            }
        );
        assert!(duties(&f, k.acct, k.carl).is_empty());
        // The same rules as technical contacts: a secondary that is the
        // primary (H2), an ineligible contact (H4, above), another account's.
        let err = refused(&f, &k, ErrorCode::RuleViolation, "H2", || {
            f.dir
                .set_billing_contacts(&c(k.bill), k.acct, k.carl, Some(k.carl))
        });
        assert_eq!(err, h2());
        // Nobody else.
        for actor in [
            c(k.tess),
            c(k.cm),
            c(k.carl),
            c(k.olga),
            Actor::support_desk("desk", "ticket"),
        ] {
            let err = refused(&f, &k, ErrorCode::PermissionDenied, "C2", || {
                f.dir.set_billing_contacts(&actor, k.acct, k.carl, None)
            });
            assert_eq!(err, denied(Permission::ManageBilling), "{actor:?}");
        }
    });
}

// ----- B5: deleting a contact that holds duties -----

// rule B5
#[test]
fn a_primary_contact_cannot_be_deleted_and_the_refusal_lists_its_duties() {
    for_each_store(|f| {
        let k = cast(&f);
        let r1 = add(&f, &k, "r1", k.carl, None);
        let r2 = add(&f, &k, "r2", k.carl, Some(k.tess));
        let r3 = add(&f, &k, "r3", k.tess, Some(k.carl));
        f.dir
            .set_billing_contacts(&c(k.bill), k.acct, k.carl, None)
            .unwrap();
        let err = refused(&f, &k, ErrorCode::DutiesHeld, "B5", || {
            f.dir.delete_contact(&c(k.alice), k.acct, k.carl)
        });
        let Error::DutiesHeld { duties: held } = &err else {
            panic!("{err:?}")
        };
        // The primary duties, not the secondary one.
        let held: HashSet<Duty> = held.iter().copied().collect();
        assert_eq!(
            held,
            set([
                tech(r1, Rank::Primary),
                tech(r2, Rank::Primary),
                billing(Rank::Primary)
            ])
        );
        let msg = err.to_string();
        for r in [r1, r2] {
            assert!(msg.contains(&r.to_string()), "{msg}");
        }
        assert!(msg.contains("primary billing contact"), "{msg}");
        assert!(!msg.contains(&r3.to_string()), "{msg}");
        // Reassigned one by one, the delete goes through.
        f.dir
            .set_technical_contacts(&c(k.tess), k.acct, r1, k.tess, None)
            .unwrap();
        let err = refused(&f, &k, ErrorCode::DutiesHeld, "B5", || {
            f.dir.delete_contact(&c(k.alice), k.acct, k.carl)
        });
        assert_eq!(
            err,
            Error::DutiesHeld {
                duties: vec![tech(r2, Rank::Primary), billing(Rank::Primary)]
            }
        );
        f.dir
            .set_technical_contacts(&c(k.tess), k.acct, r2, k.tess, None)
            .unwrap();
        f.dir
            .set_billing_contacts(&c(k.bill), k.acct, k.bill, None)
            .unwrap();
        f.dir.delete_contact(&c(k.cm), k.acct, k.carl).unwrap();
        // Its secondary duty on r3 went with it.
        let rec = res(&f, k.acct, r3);
        assert_eq!((rec.primary, rec.secondary), (k.tess, None));
    });
}

// rule B5
#[test]
fn deleting_a_secondary_contact_clears_its_secondary_duties() {
    for_each_store(|f| {
        let k = cast(&f);
        let r1 = add(&f, &k, "r1", k.tess, Some(k.carl));
        let r2 = add(&f, &k, "r2", k.alice, Some(k.carl));
        f.dir
            .set_billing_contacts(&c(k.bill), k.acct, k.bill, Some(k.carl))
            .unwrap();
        f.dir.delete_contact(&c(k.cm), k.acct, k.carl).unwrap();
        for (r, primary) in [(r1, k.tess), (r2, k.alice)] {
            let rec = res(&f, k.acct, r);
            assert_eq!((rec.primary, rec.secondary), (primary, None));
        }
        assert_eq!(
            f.dir.billing_contacts(&Actor::System, k.acct).unwrap(),
            BillingContacts {
                primary: Some(k.bill),
                secondary: None
            }
        );
        let last = f.last_audit(k.acct);
        assert_eq!(last.operation, Operation::ContactDelete);
        assert_eq!(last.outcome, Outcome::Success);
    });
}

// rule B5
// rule H3
#[test]
fn a_delete_naming_a_replacement_moves_the_duties_and_removes_the_contact_in_one_step() {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let wrapped = Wrapped::new(store);
        let f = Fixture::on(wrapped.clone());
        let k = cast(&f);
        let r1 = add(&f, &k, "r1", k.carl, None);
        // The replacement is r2's secondary: it becomes the primary, and
        // the secondary is cleared.
        let r2 = add(&f, &k, "r2", k.carl, Some(k.tess));
        // carl's secondary duty is cleared, not handed over.
        let r3 = add(&f, &k, "r3", k.alice, Some(k.carl));
        f.dir
            .set_billing_contacts(&c(k.bill), k.acct, k.carl, Some(k.bill))
            .unwrap();
        let commits = wrapped.commits.load(Ordering::SeqCst);
        f.dir
            .delete_contact_with_replacement(&c(k.alice), k.acct, k.carl, k.tess)
            .unwrap();
        assert_eq!(wrapped.commits.load(Ordering::SeqCst), commits + 1);
        let last = f.last_audit(k.acct);
        assert_eq!(last.operation, Operation::ContactDelete);
        assert_eq!(last.outcome, Outcome::Success);
        assert_eq!(last.target, Some(k.carl.to_string()));
        assert_eq!(
            f.dir.contact(&Actor::System, k.acct, k.carl).unwrap_err(),
            not_found(Entity::Contact)
        );
        assert!(!f.dir.check_login(&Actor::System, k.acct, "carl").unwrap());
        assert_eq!(
            (res(&f, k.acct, r1).primary, res(&f, k.acct, r1).secondary),
            (k.tess, None)
        );
        assert_eq!(
            (res(&f, k.acct, r2).primary, res(&f, k.acct, r2).secondary),
            (k.tess, None)
        );
        assert_eq!(
            (res(&f, k.acct, r3).primary, res(&f, k.acct, r3).secondary),
            (k.alice, None)
        );
        assert_eq!(
            f.dir.billing_contacts(&Actor::System, k.acct).unwrap(),
            BillingContacts {
                primary: Some(k.tess),
                secondary: Some(k.bill)
            }
        );
        assert_eq!(
            duties(&f, k.acct, k.tess),
            set([
                tech(r1, Rank::Primary),
                tech(r2, Rank::Primary),
                billing(Rank::Primary)
            ])
        );
    }
}

// rule B5
#[test]
fn a_refused_delete_with_replacement_changes_nothing() {
    for_each_store(|f| {
        let k = cast(&f);
        add(&f, &k, "r1", k.carl, None);
        f.dir
            .set_billing_contacts(&c(k.bill), k.acct, k.carl, None)
            .unwrap();
        let del = |actor: &Actor, contact, replacement| {
            f.dir
                .delete_contact_with_replacement(actor, k.acct, contact, replacement)
        };
        // An ineligible replacement (H4).
        let err = refused(&f, &k, ErrorCode::NotEligible, "H4", || {
            del(&c(k.alice), k.carl, k.dan)
        });
        assert_eq!(err, not_eligible(&[Field::BusinessPhone]));
        // A replacement of another account.
        let err = refused(&f, &k, ErrorCode::NotFound, "K1", || {
            del(&c(k.alice), k.carl, k.oscar)
        });
        assert_eq!(err, not_found(Entity::Contact));
        // Itself.
        let err = refused(&f, &k, ErrorCode::InvalidInput, "H2", || {
            del(&c(k.alice), k.carl, k.carl)
        });
        assert_eq!(
            err,
            Error::InvalidInput {
                field: Field::Secondary,
                problem: Problem::Duplicate
            }
        );
        // The owner (A5), even with a replacement.
        let err = refused(&f, &k, ErrorCode::RuleViolation, "A5", || {
            del(&c(k.alice), k.alice, k.tess)
        });
        assert_eq!(
            err,
            Error::RuleViolation {
                rule: Rule::A5OwnerNotDeletable
            }
        );
        // A contact manager may delete contacts but not hand over their
        // technical or billing duties; a technical administrator may not
        // delete contacts.
        let err = refused(&f, &k, ErrorCode::PermissionDenied, "C2", || {
            del(&c(k.cm), k.carl, k.tess)
        });
        assert_eq!(err, denied(Permission::TechnicalAdmin));
        let err = refused(&f, &k, ErrorCode::PermissionDenied, "C2", || {
            del(&c(k.tess), k.carl, k.alice)
        });
        // Deleting needs ManageContacts before any duty is looked at.
        assert_eq!(err, denied(Permission::ManageContacts));
        let err = refused(&f, &k, ErrorCode::PermissionDenied, "C2", || {
            del(&c(k.tess), k.dan, k.alice)
        });
        assert_eq!(err, denied(Permission::ManageContacts));
        // A contact that is not a member.
        let err = refused(&f, &k, ErrorCode::NotFound, "K1", || {
            del(&c(k.alice), k.oscar, k.tess)
        });
        assert_eq!(err, not_found(Entity::Contact));
        // The owner holds every permission.
        del(&c(k.alice), k.carl, k.tess).unwrap();
    });
}

// rule B5
// rule B6
#[test]
fn deleting_a_shared_contact_from_one_account_keeps_its_duties_in_the_other() {
    for_each_store(|f| {
        let k = cast(&f);
        let theirs = f
            .dir
            .add_resource(&c(k.olga), k.other, &resource("theirs", k.oscar, None))
            .unwrap();
        f.dir
            .add_existing_contact(
                &c(k.alice),
                k.acct,
                "oscar",
                RoleSet::EMPTY,
                &TechScope::All,
            )
            .map(|added| f.accepted(k.acct, added))
            .unwrap();
        let ours = add(&f, &k, "ours", k.tess, Some(k.oscar));
        f.dir.delete_contact(&c(k.alice), k.acct, k.oscar).unwrap();
        assert_eq!(res(&f, k.acct, ours).secondary, None);
        assert_eq!(res(&f, k.other, theirs).primary, k.oscar);
        assert_eq!(
            duties(&f, k.other, k.oscar),
            set([tech(theirs, Rank::Primary)])
        );
        // And in the other account it is still refused.
        let before = designations(&f, &[k.other]);
        let err = f
            .dir
            .delete_contact(&c(k.olga), k.other, k.oscar)
            .unwrap_err();
        assert_eq!(
            err,
            Error::DutiesHeld {
                duties: vec![tech(theirs, Rank::Primary)]
            }
        );
        assert_eq!(designations(&f, &[k.other]), before);
    });
}

// rule H4
#[test]
fn a_duty_holder_cannot_clear_what_the_duty_needs() {
    for_each_store(|f| {
        let k = cast(&f);
        add(&f, &k, "web", k.carl, None);
        let clear = ProfileUpdate {
            business_phone: Some(None),
            ..Default::default()
        };
        // Refused, listing the duties that need it: reassign them first.
        let result = f.dir.update_contact(&c(k.carl), k.acct, k.carl, &clear);
        assert!(
            matches!(&result, Err(Error::DutiesHeld { duties }) if !duties.is_empty()),
            "cleared: {result:?}"
        );
        let p = f.dir.contact(&Actor::System, k.acct, k.carl).unwrap();
        assert!(designations::missing_for_duty(&p.profile).is_empty());
    });
}

// ----- invariants under a sequence of changes -----

// rule H1
// rule H2
// rule H4
#[test]
fn every_resource_keeps_an_eligible_member_primary_and_a_distinct_secondary() {
    for_each_store(|f| {
        let k = cast(&f);
        let check = |f: &Fixture| {
            let members: HashSet<ContactId> = f
                .dir
                .list_contacts(&Actor::System, k.acct, None, MAX_PAGE)
                .unwrap()
                .into_iter()
                .map(|v| v.id)
                .collect();
            for r in f
                .dir
                .resources(&Actor::System, k.acct, None, MAX_PAGE)
                .unwrap()
            {
                assert!(members.contains(&r.primary), "{r:?}");
                let p = f.dir.contact(&Actor::System, k.acct, r.primary).unwrap();
                assert!(designations::missing_for_duty(&p.profile).is_empty());
                assert_ne!(r.secondary, Some(r.primary), "{r:?}");
                if let Some(s) = r.secondary {
                    assert!(members.contains(&s), "{r:?}");
                }
            }
        };
        let r1 = add(&f, &k, "r1", k.carl, Some(k.tess));
        let r2 = add(&f, &k, "r2", k.tess, Some(k.carl));
        check(&f);
        f.dir
            .reassign_duties(&c(k.alice), k.acct, k.carl, k.tess)
            .unwrap();
        check(&f);
        f.dir
            .set_technical_contacts(&c(k.tess), k.acct, r1, k.alice, Some(k.tess))
            .unwrap();
        f.dir
            .delete_contact_with_replacement(&c(k.alice), k.acct, k.tess, k.bill)
            .unwrap();
        check(&f);
        let rec = res(&f, k.acct, r2);
        assert_eq!((rec.primary, rec.secondary), (k.bill, None));
    });
}
