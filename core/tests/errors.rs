//! SPEC section K: errors and bad input (K1, K2). Every refusal is a typed
//! error with a stable code naming its rule or permission; it changes
//! nothing but the audit entry that records it; hostile input never panics.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
use common::*;
use contactkeeper::error::ALL_CODES;
use contactkeeper::*;

use proptest::prelude::*;
use std::sync::atomic::Ordering;

// rule K1
#[test]
fn error_codes_are_stable() {
    let table = [
        (ErrorCode::InvalidInput, 1, "invalid_input"),
        (ErrorCode::PermissionDenied, 2, "permission_denied"),
        (ErrorCode::NotFound, 3, "not_found"),
        (ErrorCode::AlreadyExists, 4, "already_exists"),
        (ErrorCode::RuleViolation, 5, "rule_violation"),
        (ErrorCode::Conflict, 6, "conflict"),
        (ErrorCode::Store, 7, "store"),
        (ErrorCode::RandomUnavailable, 8, "random_unavailable"),
        (ErrorCode::Output, 9, "output"),
        (ErrorCode::Unauthenticated, 10, "unauthenticated"),
        (ErrorCode::InvalidCredentials, 11, "invalid_credentials"),
        (ErrorCode::NotEligible, 12, "not_eligible"),
        (ErrorCode::DutiesHeld, 13, "duties_held"),
    ];
    assert_eq!(ALL_CODES.len(), table.len());
    for (code, n, name) in table {
        assert_eq!(code.as_u16(), n);
        assert_eq!(code.name(), name);
        assert_eq!(ErrorCode::from_u16(n), Some(code));
        // The audit log's outcome label round-trips every kind (J1).
        let outcome = Outcome::Refused(code);
        assert_eq!(outcome.label(), format!("refused:{name}"));
        assert_eq!(Outcome::from_label(&outcome.label()), Some(outcome));
    }
    assert_eq!(ErrorCode::from_u16(0), None);
    assert_eq!(ErrorCode::from_u16(14), None);
    assert_eq!(Outcome::from_label("ok"), Some(Outcome::Success));
    assert_eq!(Outcome::from_label("refused:nonsense"), None);
}

// rule K1
#[test]
fn every_error_names_its_rule_or_permission() {
    let cases: Vec<(Error, ErrorCode, Option<&str>)> = vec![
        (
            Error::InvalidInput {
                field: Field::Email,
                problem: Problem::Malformed,
            },
            ErrorCode::InvalidInput,
            Some("B2"),
        ),
        (
            Error::InvalidInput {
                field: Field::Login,
                problem: Problem::Empty,
            },
            ErrorCode::InvalidInput,
            Some("B3"),
        ),
        (
            Error::InvalidInput {
                field: Field::Reason,
                problem: Problem::Empty,
            },
            ErrorCode::InvalidInput,
            Some("A4"),
        ),
        (
            Error::PermissionDenied {
                permission: Permission::AssignRoles,
            },
            ErrorCode::PermissionDenied,
            Some("C2"),
        ),
        (
            Error::NotFound {
                entity: Entity::Contact,
            },
            ErrorCode::NotFound,
            Some("K1"),
        ),
        (
            Error::AlreadyExists {
                entity: Entity::Login,
            },
            ErrorCode::AlreadyExists,
            Some("K1"),
        ),
        (Error::Conflict { attempts: 3 }, ErrorCode::Conflict, None),
        (
            Error::Store(StoreError::Backend("down".into())),
            ErrorCode::Store,
            None,
        ),
        (Error::RandomUnavailable, ErrorCode::RandomUnavailable, None),
        (Error::Output("full".into()), ErrorCode::Output, None),
    ];
    for (e, code, rule) in cases {
        assert_eq!(e.code(), code, "{e:?}");
        assert_eq!(e.rule(), rule, "{e:?}");
    }
    let rules = [
        (Rule::A2OwnerHoldsEveryRole, "A2"),
        (Rule::A3AlreadyOwner, "A3"),
        (Rule::A5OwnerNotDeletable, "A5"),
        (Rule::A6OwnerOnly, "A6"),
        (Rule::B6SharedProfile, "B6"),
        (Rule::C3ProcurementDisabled, "C3"),
        (Rule::C6NoEscalation, "C6"),
        (Rule::D8OwnPassword, "D8"),
        (Rule::F1NotEnrolled, "F1"),
        (Rule::G2ShutsOutSetter, "G2"),
        (Rule::H2SecondaryIsPrimary, "H2"),
    ];
    for (rule, id) in rules {
        let e = Error::RuleViolation { rule };
        assert_eq!(e.code(), ErrorCode::RuleViolation);
        assert_eq!(e.rule(), Some(id));
        assert_eq!(rule.id(), id);
        let msg = e.to_string();
        assert!(msg.contains(id) && msg.contains(rule.explain()), "{msg}");
    }
    // Every field names a rule of the SPEC, and messages name the field.
    for field in Field::ALL {
        let rule = field.rule();
        assert!(
            rule.len() == 2 && "ABCDEFGHIJK".contains(&rule[..1]),
            "{field}: {rule}"
        );
        let e = Error::InvalidInput {
            field: *field,
            problem: Problem::Empty,
        };
        assert!(e.to_string().contains(field.name()));
    }
    for p in Permission::ALL {
        let e = Error::PermissionDenied { permission: *p };
        assert!(e.to_string().contains(p.name()));
    }
}

/// An account with a contact of each kind, and another account.
struct Scene {
    acct: AccountId,
    alice: ContactId,
    cm: ContactId,
    sm: ContactId,
    bob: ContactId,
    other: AccountId,
    olga: ContactId,
    foreign: ContactId,
}

fn scene(f: &Fixture) -> Scene {
    let (acct, alice) = f.account("alice");
    let cm = f.contact(acct, "cm", RoleSet::of(&[Role::ContactManager]));
    let sm = f.contact(acct, "sm", RoleSet::of(&[Role::SecurityManager]));
    let bob = f.contact(acct, "bob", RoleSet::EMPTY);
    let (other, olga) = f.account("olga");
    let foreign = f.contact(other, "foreign", RoleSet::EMPTY);
    Scene {
        acct,
        alice,
        cm,
        sm,
        bob,
        other,
        olga,
        foreign,
    }
}

fn profile_with(edit: impl FnOnce(&mut Profile)) -> NewContact {
    let mut nc = new_contact("newbie");
    edit(&mut nc.profile);
    nc
}

// rule K1
// rule K2
#[test]
fn bad_input_gets_a_typed_error_changes_nothing_and_is_audited() {
    for_each_store(|f| {
        let f = &f;
        let s = scene(f);
        let (acct, other) = (s.acct, s.other);
        let owner_actor = c(s.alice);
        let owner = &owner_actor;
        let check =
            |what: &str, code: ErrorCode, rule: &str, op: &dyn Fn() -> Result<(), Error>| {
                eprintln!("   {what}");
                f.refused(acct, &[other], code, rule, op);
            };
        use ErrorCode::*;
        let create = |nc: NewContact| move || f.dir.create_contact(owner, acct, &nc).map(drop);
        let update =
            |u: ProfileUpdate| move || f.dir.update_contact(owner, acct, s.bob, &u).map(drop);

        // Overlong fields.
        check(
            "overlong name",
            InvalidInput,
            "B2",
            &create(profile_with(|p| p.name = "n".repeat(201))),
        );
        check(
            "overlong job title",
            InvalidInput,
            "B2",
            &create(profile_with(|p| p.job_title = Some("j".repeat(201)))),
        );
        check(
            "overlong email",
            InvalidInput,
            "B2",
            &create(profile_with(|p| {
                p.email = format!("{}@example.com", "e".repeat(250))
            })),
        );
        check(
            "overlong phone",
            InvalidInput,
            "B2",
            &create(profile_with(|p| p.business_phone = Some("1".repeat(33)))),
        );
        check(
            "overlong login",
            InvalidInput,
            "B3",
            &create(NewContact::new(
                "l".repeat(129),
                Profile::new("N", "n@example.com"),
            )),
        );
        check("overlong reason", InvalidInput, "A4", &|| {
            f.dir
                .transfer_ownership(&Actor::support_desk("jo", "r".repeat(1001)), acct, s.bob)
        });
        check("overlong agent", InvalidInput, "K2", &|| {
            f.dir
                .transfer_ownership(&Actor::support_desk("a".repeat(129), "why"), acct, s.bob)
        });
        check("overlong partner", InvalidInput, "K2", &|| {
            f.dir
                .set_plan(&Actor::partner("p".repeat(129)), acct, &Plan::default())
        });
        check(
            "overlong name in an update",
            InvalidInput,
            "B2",
            &update(rename(&"n".repeat(201))),
        );

        // Empty fields.
        check(
            "empty name",
            InvalidInput,
            "B2",
            &create(profile_with(|p| p.name = String::new())),
        );
        check(
            "empty email",
            InvalidInput,
            "B2",
            &create(profile_with(|p| p.email = "  ".into())),
        );
        check(
            "empty login",
            InvalidInput,
            "B3",
            &create(NewContact::new("", Profile::new("N", "n@example.com"))),
        );
        check(
            "empty name in an update",
            InvalidInput,
            "B2",
            &update(rename("")),
        );
        check("empty partner", InvalidInput, "K2", &|| {
            f.dir.set_plan(&Actor::partner(""), acct, &Plan::default())
        });
        check("empty agent", InvalidInput, "K2", &|| {
            f.dir
                .transfer_ownership(&Actor::support_desk("", "why"), acct, s.bob)
        });

        // Control characters.
        check(
            "NUL in a name",
            InvalidInput,
            "B2",
            &create(profile_with(|p| p.name = "a\0b".into())),
        );
        check(
            "newline in a job title",
            InvalidInput,
            "B2",
            &update(ProfileUpdate {
                job_title: Some(Some("CEO\r\nX-Evil: 1".into())),
                ..Default::default()
            }),
        );
        check(
            "escape in a login",
            InvalidInput,
            "B3",
            &create(NewContact::new(
                "bad\u{1b}login",
                Profile::new("N", "n@example.com"),
            )),
        );
        check("control character in a reason", InvalidInput, "A4", &|| {
            f.dir
                .transfer_ownership(&Actor::support_desk("jo", "a\u{0}b"), acct, s.bob)
        });
        check(
            "colon in an agent (forges audit labels)",
            InvalidInput,
            "K2",
            &|| {
                f.dir
                    .transfer_ownership(&Actor::support_desk("jo:x", "why"), acct, s.bob)
            },
        );

        // Malformed emails and phone numbers.
        for email in [
            "plainaddress",
            "a@b",
            "a@@example.com",
            "a b@example.com",
            "a@exa_mple.com",
            "a@example.com.",
        ] {
            check(
                email,
                InvalidInput,
                "B2",
                &update(ProfileUpdate {
                    email: Some(email.into()),
                    ..Default::default()
                }),
            );
        }
        for phone in ["12", "phone", "+1 555 0100 ext. 4", "1234567890123456"] {
            check(
                phone,
                InvalidInput,
                "B2",
                &update(ProfileUpdate {
                    cell_phone: Some(Some(phone.into())),
                    ..Default::default()
                }),
            );
        }

        // Unknown time zones.
        for tz in ["Mars/Olympus_Mons", "EST5", "Europe/Pariss", "UTC+1"] {
            check(
                tz,
                InvalidInput,
                "B2",
                &update(ProfileUpdate {
                    time_zone: Some(tz.into()),
                    ..Default::default()
                }),
            );
        }

        // Unknown and foreign ids: a contact of another account is not
        // found here, and cannot be acted on.
        for target in [s.foreign, s.olga, ContactId(12345)] {
            check("update foreign", NotFound, "K1", &|| {
                f.dir
                    .update_contact(owner, acct, target, &rename("X"))
                    .map(drop)
            });
            check("delete foreign", NotFound, "K1", &|| {
                f.dir.delete_contact(owner, acct, target)
            });
            check("roles of foreign", NotFound, "K1", &|| {
                f.dir
                    .set_roles(owner, acct, target, RoleSet::EMPTY, &TechScope::All)
            });
            check("read foreign", NotFound, "K1", &|| {
                f.dir.contact(owner, acct, target).map(drop)
            });
        }
        // A contact of another account acting here is an outsider.
        check("outsider deletes", PermissionDenied, "C2", &|| {
            f.dir.delete_contact(&c(s.olga), acct, s.bob)
        });
        check("outsider lists", PermissionDenied, "C2", &|| {
            f.dir.list_contacts(&c(s.olga), acct, None, 10).map(drop)
        });
        check("unknown contact acts", PermissionDenied, "C2", &|| {
            f.dir
                .update_contact(&c(ContactId(777)), acct, ContactId(777), &rename("X"))
                .map(drop)
        });
        check("another partner acts", PermissionDenied, "C2", &|| {
            f.dir
                .create_contact(&Actor::partner("stranger"), acct, &new_contact("x"))
                .map(drop)
        });

        // Deleting the owner; a manager editing the owner.
        check("delete the owner", RuleViolation, "A5", &|| {
            f.dir.delete_contact(&c(s.cm), acct, s.alice)
        });
        check("manager edits the owner", RuleViolation, "A6", &|| {
            f.dir
                .update_contact(&c(s.sm), acct, s.alice, &rename("Mallory"))
                .map(drop)
        });
        // Transferring to a non-member; a support transfer without reason.
        check("transfer to a non-member", InvalidInput, "A3", &|| {
            f.dir.transfer_ownership(owner, acct, s.foreign)
        });
        check(
            "support transfer without reason",
            InvalidInput,
            "A4",
            &|| {
                f.dir
                    .transfer_ownership(&Actor::support_desk("jo", ""), acct, s.bob)
            },
        );
        // Granting a role the granter lacks; procurement before it is on.
        check("escalation", RuleViolation, "C6", &|| {
            f.dir.set_roles(
                &c(s.cm),
                acct,
                s.bob,
                RoleSet::of(&[Role::SecurityManager]),
                &TechScope::All,
            )
        });
        check("procurement role too early", RuleViolation, "C3", &|| {
            f.dir.set_roles(
                owner,
                acct,
                s.bob,
                RoleSet::of(&[Role::ProcurementManager]),
                &TechScope::All,
            )
        });
        // Out-of-range pages.
        check("page of 0", InvalidInput, "K2", &|| {
            f.dir.list_contacts(owner, acct, None, 0).map(drop)
        });
        check("page too big", InvalidInput, "K2", &|| {
            f.dir
                .list_contacts(owner, acct, None, MAX_PAGE + 1)
                .map(drop)
        });
    });
}

// rule K1
#[test]
fn an_unknown_account_is_not_found_and_audited_in_the_directory_chain() {
    for_each_store(|f| {
        let s = scene(&f);
        let before = f.world(&[s.acct, s.other]);
        let q = AuditQuery {
            limit: AuditQuery::MAX_LIMIT,
            ..Default::default()
        };
        let chain = |f: &Fixture| f.dir.directory_audit_entries(&Actor::System, &q).unwrap();
        let nowhere = AccountId(4242);
        type Op<'a> = Box<dyn Fn() -> Result<(), Error> + 'a>;
        let ops: Vec<(&str, Op<'_>)> = vec![
            (
                "create",
                Box::new(|| {
                    f.dir
                        .create_contact(&Actor::System, nowhere, &new_contact("z"))
                        .map(drop)
                }),
            ),
            (
                "delete",
                Box::new(|| f.dir.delete_contact(&Actor::System, nowhere, s.bob)),
            ),
            (
                "transfer",
                Box::new(|| f.dir.transfer_ownership(&c(s.alice), nowhere, s.bob)),
            ),
            (
                "read",
                Box::new(|| f.dir.account(&c(s.alice), nowhere).map(drop)),
            ),
            (
                "audit",
                Box::new(|| f.dir.audit_entries(&c(s.alice), nowhere, &q).map(drop)),
            ),
        ];
        for (what, op) in ops {
            let n = chain(&f).len();
            let err = op().unwrap_err();
            assert_eq!(
                err,
                Error::NotFound {
                    entity: Entity::Account
                },
                "{what}"
            );
            assert_eq!(err.rule(), Some("K1"));
            let after = chain(&f);
            assert_eq!(after.len(), n + 1, "{what}");
            assert_eq!(
                after.last().unwrap().outcome,
                Outcome::Refused(ErrorCode::NotFound)
            );
        }
        assert_eq!(f.world(&[s.acct, s.other]), before);
        // `access` is a question, not an operation: it answers NotFound.
        assert_eq!(
            f.dir.access(&Actor::System, nowhere).unwrap_err(),
            Error::NotFound {
                entity: Entity::Account
            }
        );
    });
}

// rule K1
// rule K2
#[test]
fn messages_and_audit_entries_never_repeat_the_refused_value() {
    for_each_store(|f| {
        let s = scene(&f);
        let hostile = [
            "=cmd|' /C calc'!A0@evil.example",
            "<script>alert(1)</script>",
            "robert'); DROP TABLE contacts;--",
        ];
        for value in hostile {
            let update = ProfileUpdate {
                email: Some(value.into()),
                ..Default::default()
            };
            let err = f
                .dir
                .update_contact(&c(s.alice), s.acct, s.bob, &update)
                .unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput);
            assert!(!err.to_string().contains(value), "{err}");
            assert!(!format!("{err:?}").contains(value));
            let e = f.last_audit(s.acct);
            let text = format!("{:?} {:?} {:?}", e.target, e.fields, e.detail);
            assert!(!text.contains(value), "{text}");
        }
        let err = f
            .dir
            .create_contact(
                &c(s.alice),
                s.acct,
                &NewContact::new("secret-login\u{0}", Profile::new("N", "n@example.com")),
            )
            .unwrap_err();
        assert!(!err.to_string().contains("secret-login"));
    });
}

// rule K2
#[test]
fn huge_input_is_refused_without_harm() {
    for_each_store(|f| {
        let s = scene(&f);
        let huge = "x".repeat(1 << 20);
        let before = f.world(&[s.acct, s.other]);
        let mut nc = NewContact::new(huge.clone(), Profile::new(huge.clone(), huge.clone()));
        nc.profile.time_zone = huge.clone();
        let err = f.dir.create_contact(&c(s.alice), s.acct, &nc).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        let update = ProfileUpdate {
            name: Some(huge.clone()),
            job_title: Some(Some(huge.clone())),
            business_phone: Some(Some(huge.clone())),
            email: Some(huge.clone()),
            time_zone: Some(huge.clone()),
            alternate_email: Some(Some(huge.clone())),
            cell_phone: Some(Some(huge.clone())),
            current_password: None,
        };
        let err = f
            .dir
            .update_contact(&c(s.bob), s.acct, s.bob, &update)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(!f
            .dir
            .check_login(&c(s.alice), s.acct, &huge)
            .unwrap_or(false));
        f.dir
            .transfer_ownership(
                &Actor::support_desk(huge.clone(), huge.clone()),
                s.acct,
                s.bob,
            )
            .unwrap_err();
        let plan = Plan {
            name: huge.clone(),
            tech_options: (0..100).map(|i| format!("o{i}")).collect(),
            ..Plan::default()
        };
        f.dir.set_plan(&c(s.alice), s.acct, &plan).unwrap_err();
        assert_eq!(f.world(&[s.acct, s.other]), before);
        // The audit log holds none of it.
        let q = AuditQuery {
            limit: AuditQuery::MAX_LIMIT,
            ..Default::default()
        };
        for e in f.dir.audit_entries(&Actor::System, s.acct, &q).unwrap() {
            let size = e.actor.len()
                + e.target.as_ref().map_or(0, String::len)
                + e.detail.as_ref().map_or(0, String::len)
                + e.fields.iter().map(String::len).sum::<usize>();
            assert!(size < 2000, "an audit entry of {size} bytes");
        }
    });
}

/// Any text: printable, control characters, line breaks, combining marks,
/// right-to-left, emoji; sometimes long.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[ -~]{0,300}",
        "[a-z0-9.@+-]{0,20}",
        "[a-z]{1,10}@[a-z]{1,10}\\.[a-z]{2,3}",
        "\\+?[0-9 ()-]{0,20}",
        prop::sample::select(vec![
            "UTC".to_owned(),
            "Europe/Berlin".to_owned(),
            "Asia/Kolkata".to_owned(),
            "\u{202e}evil".to_owned(),
            "e\u{301}".to_owned(),
            "\u{1F600}".repeat(201),
        ]),
    ]
}

fn any_update() -> impl Strategy<Value = ProfileUpdate> {
    (
        prop::option::of(any_text()),
        prop::option::of(prop::option::of(any_text())),
        prop::option::of(any_text()),
        prop::option::of(any_text()),
        prop::option::of(prop::option::of(any_text())),
    )
        .prop_map(
            |(name, job_title, email, time_zone, cell_phone)| ProfileUpdate {
                name,
                job_title,
                email,
                time_zone,
                cell_phone,
                ..Default::default()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    // rule K2
    #[test]
    fn any_new_contact_is_kept_valid_or_refused_whole(
        login in any_text(),
        name in any_text(),
        email in any_text(),
        tz in any_text(),
        phone in prop::option::of(any_text()),
    ) {
        for (_, store) in stores() {
            let f = Fixture::on(store);
            let (acct, alice) = f.account("alice");
            let before = f.world(&[acct]);
            let len = f.audit_len(acct);
            let mut profile = Profile::new(name.clone(), email.clone());
            profile.time_zone = tz.clone();
            profile.business_phone = phone.clone();
            let nc = NewContact::new(login.clone(), profile);
            match f.dir.create_contact(&c(alice), acct, &nc) {
                Ok(added) => {
                    let v = f.dir.contact(&c(alice), acct, added.contact).unwrap();
                    // What was stored is what validation returns.
                    prop_assert_eq!(&v.profile, &nc.profile.validated().unwrap());
                    prop_assert_eq!(v.login.as_str(), nc.login.trim());
                    prop_assert!(!v.profile.name.chars().any(char::is_control));
                    prop_assert!(v.profile.name.chars().count() <= 200);
                    prop_assert_eq!(f.audit_len(acct), len + 1);
                }
                Err(e) => {
                    prop_assert!(
                        matches!(e.code(), ErrorCode::InvalidInput | ErrorCode::AlreadyExists),
                        "{:?}", e
                    );
                    prop_assert_eq!(f.world(&[acct]), before.clone());
                    prop_assert_eq!(f.audit_len(acct), len + 1);
                    prop_assert_eq!(f.last_audit(acct).outcome, Outcome::Refused(e.code()));
                }
            }
        }
    }

    // rule K2
    #[test]
    fn any_profile_update_is_applied_valid_or_refused_whole(update in any_update()) {
        for (_, store) in stores() {
            let f = Fixture::on(store);
            let (acct, alice) = f.account("alice");
            let bob = f.contact(acct, "bob", RoleSet::EMPTY);
            let before = f.world(&[acct]);
            let old = f.dir.contact(&c(alice), acct, bob).unwrap().profile;
            match f.dir.update_contact(&c(bob), acct, bob, &update) {
                Ok(changed) => {
                    let new = f.dir.contact(&c(alice), acct, bob).unwrap().profile;
                    prop_assert_eq!(&new, &new.validated().unwrap());
                    prop_assert_eq!(changed.contains(&Field::Name), new.name != old.name);
                    prop_assert_eq!(changed.contains(&Field::Email), new.email != old.email);
                    prop_assert_eq!(changed.contains(&Field::TimeZone), new.time_zone != old.time_zone);
                    prop_assert_eq!(changed.contains(&Field::CellPhone), new.cell_phone != old.cell_phone);
                    prop_assert_eq!(changed.contains(&Field::JobTitle), new.job_title != old.job_title);
                    prop_assert!(!changed.contains(&Field::AlternateEmail));
                    prop_assert_eq!(new.alternate_email, old.alternate_email);
                }
                Err(e) => {
                    prop_assert_eq!(e.code(), ErrorCode::InvalidInput, "{:?}", e);
                    prop_assert_eq!(f.world(&[acct]), before);
                    prop_assert_eq!(f.last_audit(acct).outcome, Outcome::Refused(ErrorCode::InvalidInput));
                }
            }
        }
    }
}

// rule K1
#[test]
fn a_conflicting_commit_is_retried_and_audited_once() {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let wrapped = Wrapped::new(store);
        let f = Fixture::on(wrapped.clone());
        let (acct, alice) = f.account("alice");
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        let len = f.audit_len(acct);
        // Two commits refused as conflicting: the third attempt succeeds.
        wrapped.conflicts.store(2, Ordering::SeqCst);
        wrapped.commits.store(0, Ordering::SeqCst);
        f.dir
            .update_contact(&c(alice), acct, bob, &rename("Bob Two"))
            .unwrap();
        assert_eq!(wrapped.commits.load(Ordering::SeqCst), 3);
        assert_eq!(f.audit_len(acct), len + 1);
        assert_eq!(
            f.dir.contact(&c(alice), acct, bob).unwrap().profile.name,
            "Bob Two"
        );
        assert!(matches!(
            f.dir.verify_audit(&c(alice), acct).unwrap(),
            AuditVerification::Intact { .. }
        ));
    }
}

// rule K1
#[test]
fn an_operation_that_keeps_conflicting_gives_up_and_changes_nothing() {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let wrapped = Wrapped::new(store);
        let clock = std::sync::Arc::new(ManualClock::new(
            time::macros::datetime!(2026-03-01 12:00 UTC),
        ));
        let dir = Directory::builder(wrapped.clone())
            .clock(clock)
            .max_attempts(3)
            .build();
        let created = dir
            .create_account(
                &Actor::System,
                &NewAccount::new("Acme", new_contact("alice")),
            )
            .unwrap();
        let (acct, alice) = (created.account, created.owner);
        let before = dir.list_contacts(&Actor::System, acct, None, 10).unwrap();
        let len = wrapped.account(acct).unwrap().unwrap().audit_head.seq;
        wrapped.conflicts.store(usize::MAX, Ordering::SeqCst);
        wrapped.commits.store(0, Ordering::SeqCst);
        let err = dir
            .update_contact(&c(alice), acct, alice, &rename("Alice Two"))
            .unwrap_err();
        wrapped.conflicts.store(0, Ordering::SeqCst);
        assert_eq!(err, Error::Conflict { attempts: 3 });
        assert_eq!(err.code(), ErrorCode::Conflict);
        assert_eq!(err.rule(), None);
        assert_eq!(wrapped.commits.load(Ordering::SeqCst), 3);
        assert_eq!(
            dir.list_contacts(&Actor::System, acct, None, 10).unwrap(),
            before
        );
        assert_eq!(wrapped.account(acct).unwrap().unwrap().audit_head.seq, len);
        // A backend that fails: the error says so, and nothing changed.
        wrapped.fail_commits.store(true, Ordering::SeqCst);
        let err = dir
            .create_contact(&c(alice), acct, &new_contact("bob"))
            .unwrap_err();
        wrapped.fail_commits.store(false, Ordering::SeqCst);
        assert!(
            matches!(err, Error::Store(StoreError::Backend(_))),
            "{err:?}"
        );
        assert_eq!(err.code(), ErrorCode::Store);
        assert_eq!(
            dir.list_contacts(&Actor::System, acct, None, 10).unwrap(),
            before
        );
        assert!(!dir.check_login(&Actor::System, acct, "bob").unwrap());
        // The check itself is the one entry added (B1).
        assert_eq!(
            dir.verify_audit(&Actor::System, acct).unwrap(),
            AuditVerification::Intact { entries: len + 1 }
        );
    }
}

// rule K2
#[test]
fn extreme_ids_sequence_numbers_and_times_are_handled() {
    for_each_store(|f| {
        let s = scene(&f);
        for id in [ContactId(0), ContactId(u64::MAX), ContactId(1 << 63)] {
            f.refused(s.acct, &[s.other], ErrorCode::NotFound, "K1", || {
                f.dir.delete_contact(&c(s.alice), s.acct, id)
            });
            f.refused(
                s.acct,
                &[s.other],
                ErrorCode::PermissionDenied,
                "C2",
                || f.dir.update_contact(&c(id), s.acct, id, &rename("X")),
            );
        }
        for id in [AccountId(0), AccountId(u64::MAX), AccountId(1 << 63)] {
            assert_eq!(
                f.dir.account(&Actor::System, id).unwrap_err(),
                Error::NotFound {
                    entity: Entity::Account
                }
            );
        }
        let page = f
            .dir
            .list_contacts(&Actor::System, s.acct, Some(ContactId(u64::MAX)), 10)
            .unwrap();
        assert!(page.is_empty());
        let all = AuditQuery {
            limit: AuditQuery::MAX_LIMIT,
            ..Default::default()
        };
        let n = f
            .dir
            .audit_entries(&Actor::System, s.acct, &all)
            .unwrap()
            .len();
        let beyond = AuditQuery {
            after_seq: u64::MAX,
            ..all.clone()
        };
        assert!(f
            .dir
            .audit_entries(&Actor::System, s.acct, &beyond)
            .unwrap()
            .is_empty());
        // The widest time range the time crate can hold: every entry, or a
        // clear refusal, never a panic.
        let wide = AuditQuery {
            from: Some(time::Date::MIN.midnight().assume_utc()),
            until: Some(time::Date::MAX.midnight().assume_utc()),
            ..all
        };
        match f.dir.audit_entries(&Actor::System, s.acct, &wide) {
            Ok(entries) => assert_eq!(entries.len(), n),
            Err(e) => assert_eq!(e.code(), ErrorCode::InvalidInput, "{e:?}"),
        }
        let mut out = Vec::new();
        match f
            .dir
            .export_audit_csv(&Actor::System, s.acct, &wide, &mut out)
        {
            Ok(rows) => assert_eq!(rows as usize, n),
            Err(e) => assert_eq!(e.code(), ErrorCode::InvalidInput, "{e:?}"),
        }
    });
}

// rule K1: every problem has a stable name, the same in every binding.
#[test]
fn problems_have_stable_names() {
    let names = [
        (Problem::Empty, "empty"),
        (Problem::TooLong { max: 3 }, "too_long"),
        (Problem::ControlCharacter, "control_character"),
        (Problem::Malformed, "malformed"),
        (Problem::UnknownTimeZone, "unknown_time_zone"),
        (Problem::NotOffered, "not_offered"),
        (Problem::Duplicate, "duplicate"),
        (Problem::OutOfRange, "out_of_range"),
        (Problem::TooShort { min: 8 }, "too_short"),
        (Problem::CommonPassword, "common_password"),
        (Problem::ContainsLogin, "contains_login"),
        (Problem::RecentlyUsed, "recently_used"),
        (Problem::Missing, "missing"),
    ];
    for (p, n) in names {
        assert_eq!(p.name(), n);
    }
}

// rule K1: time arithmetic never panics. A host's clock standing at the
// last moment the time crate can hold: every deadline the library computes
// (sessions, cool-offs, reset secrets, codes, password age) saturates, and
// each operation answers, in the memory store at least, as it would today.
#[test]
fn a_clock_at_the_end_of_time_panics_nowhere() {
    for (store, kind) in stores() {
        let f = Fixture::on(kind);
        let (acct, owner) = f.account("olga");
        let pat = f.contact(acct, "pat", RoleSet::EMPTY);
        f.dir
            .set_lock_policy(&Actor::System, acct, Some(LockPolicy { max_attempts: 2 }))
            .unwrap();
        f.clock
            .set(time::Date::MAX.with_hms(23, 59, 59).unwrap().assume_utc());
        let attempt = |password: &str| {
            f.dir.sign_in(&SignInRequest {
                login: "olga",
                password: &Password::new(password),
                ip: "192.0.2.1".parse().unwrap(),
                account: None,
                device_token: None,
                remember_device: false,
            })
        };
        let results = [
            attempt("wrong one").map(|o| o.name()),
            attempt("wrong two").map(|o| o.name()),
            attempt("wrong three").map(|o| o.name()),
            f.dir
                .reset_password(
                    &c(owner),
                    acct,
                    pat,
                    ManagerReset::SendSecret(RecoveryChannel::Email),
                )
                .map(|_| "reset"),
            f.dir
                .reset_password(&c(owner), acct, pat, ManagerReset::TemporaryPassword)
                .and_then(|temporary| {
                    let temporary = temporary.ok_or(Error::RandomUnavailable)?;
                    let o = f.dir.sign_in(&SignInRequest {
                        login: "pat",
                        password: &Password::new(temporary.expose()),
                        ip: "192.0.2.1".parse().unwrap(),
                        account: None,
                        device_token: None,
                        remember_device: false,
                    })?;
                    Ok(o.name())
                }),
            f.dir.lock_contact(&c(owner), acct, pat).map(|()| "lock"),
        ];
        for r in &results {
            if let Err(e) = r {
                assert_eq!(e.code(), ErrorCode::Store, "{e:?}");
            }
        }
        if store == "memory" {
            let names: Vec<&str> = results.iter().map(|r| *r.as_ref().unwrap()).collect();
            assert_eq!(
                names,
                [
                    "invalid_credentials",
                    "invalid_credentials",
                    "locked",
                    "reset",
                    "password_change_required",
                    "lock"
                ]
            );
        }
    }
}
