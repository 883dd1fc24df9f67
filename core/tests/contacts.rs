//! SPEC section B: contacts (B1–B6), through the public API. B4's recovery
//! and B5's designation clause belong to later issues and are not tested
//! here.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
use common::*;
use contactkeeper::*;

fn full_profile() -> Profile {
    Profile {
        name: "  Dana Doe  ".into(),
        job_title: Some("Head of IT".into()),
        business_phone: Some("+1 (555) 010-0199".into()),
        email: " dana@example.com ".into(),
        time_zone: "America/New_York".into(),
        alternate_email: Some("dana.private@example.org".into()),
        cell_phone: Some("+44 7700 900123".into()),
    }
}

// rule B1
#[test]
fn the_owner_and_contact_or_security_managers_create_new_contacts() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let cm = f.contact(acct, "cm", RoleSet::of(&[Role::ContactManager]));
        let sm = f.contact(acct, "sm", RoleSet::of(&[Role::SecurityManager]));
        for (i, actor) in [c(alice), c(cm), c(sm)].into_iter().enumerate() {
            let login = format!("new{i}");
            let added = f
                .dir
                .create_contact(&actor, acct, &new_contact(&login))
                .unwrap();
            let v = f.dir.contact(&Actor::System, acct, added.contact).unwrap();
            assert_eq!(v.login, login);
            assert!(!v.owner);
            assert_eq!(v.roles, RoleSet::EMPTY);
            assert_eq!(v.accounts, 1);
            let e = f.last_audit(acct);
            assert_eq!(e.operation, Operation::ContactCreate);
            assert_eq!(e.actor, actor.audit_label());
            assert_eq!(e.target, Some(added.contact.to_string()));
        }
        f.dir.set_procurement(&Actor::System, acct, true).unwrap();
        for role in [
            Role::BillingManager,
            Role::ProcurementManager,
            Role::TechnicalAdmin,
        ] {
            let who = f.contact(acct, &format!("r-{}", role.name()), RoleSet::of(&[role]));
            let err = f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
                f.dir.create_contact(&c(who), acct, &new_contact("never"))
            });
            assert_eq!(
                err,
                Error::PermissionDenied {
                    permission: Permission::ManageContacts
                }
            );
        }
        let plain = f.contact(acct, "plain", RoleSet::EMPTY);
        f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
            f.dir.create_contact(&c(plain), acct, &new_contact("never"))
        });
        f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
            f.dir.check_login(&c(plain), acct, "alice")
        });
    });
}

// rule B1
#[test]
fn a_new_contact_needs_a_login_no_contact_has() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let (other, _) = f.account("olga");
        for login in ["alice", "olga", "OLGA", " Alice "] {
            let nc = NewContact::new(login, Profile::new("Dup", "dup@example.com"));
            let err = f.refused(acct, &[other], ErrorCode::AlreadyExists, "K1", || {
                f.dir.create_contact(&c(alice), acct, &nc)
            });
            assert_eq!(
                err,
                Error::AlreadyExists {
                    entity: Entity::Login
                }
            );
        }
    });
}

// rule B1
#[test]
fn a_contact_used_on_another_account_is_added_by_its_login() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let (other, _) = f.account("olga");
        let mut nc = new_contact("Shared.One");
        nc.profile = full_profile();
        let shared = f
            .dir
            .create_contact(&Actor::System, other, &nc)
            .unwrap()
            .contact;
        // "Check login" first.
        assert!(f.dir.check_login(&c(alice), acct, "shared.one").unwrap());
        assert!(!f.dir.check_login(&c(alice), acct, "nobody").unwrap());
        let added = f
            .dir
            .add_existing_contact(
                &c(alice),
                acct,
                "SHARED.ONE",
                RoleSet::of(&[Role::BillingManager]),
                &TechScope::All,
            )
            .map(|added| f.accepted(acct, added))
            .unwrap();
        assert_eq!(added.contact, shared);
        let here = f.dir.contact(&Actor::System, acct, shared).unwrap();
        let there = f.dir.contact(&Actor::System, other, shared).unwrap();
        // The profile stays the existing one; the roles are this account's.
        assert_eq!(here.profile, there.profile);
        assert_eq!(here.login, "Shared.One");
        assert_eq!(here.roles, RoleSet::of(&[Role::BillingManager]));
        assert_eq!(there.roles, RoleSet::EMPTY);
        assert_eq!(here.accounts, 2);
        assert_eq!(there.accounts, 2);
        // B7: the invitation, then the contact's acceptance, both audited.
        let e = f.last_audit(acct);
        assert_eq!(e.operation, Operation::InvitationAccept);
        assert_eq!(e.target, Some(shared.to_string()));
        let log = f
            .dir
            .audit_entries(&Actor::System, acct, &AuditQuery::default())
            .unwrap();
        let invited = &log[log.len() - 2];
        assert_eq!(invited.operation, Operation::ContactAddExisting);
        assert_eq!(invited.target, Some(shared.to_string()));
        // Twice is refused, and an unknown login is not found.
        let err = f.refused(acct, &[other], ErrorCode::AlreadyExists, "K1", || {
            f.dir.add_existing_contact(
                &c(alice),
                acct,
                "shared.one",
                RoleSet::EMPTY,
                &TechScope::All,
            )
        });
        assert_eq!(
            err,
            Error::AlreadyExists {
                entity: Entity::Contact
            }
        );
        let err = f.refused(acct, &[other], ErrorCode::NotFound, "K1", || {
            f.dir
                .add_existing_contact(&c(alice), acct, "nobody", RoleSet::EMPTY, &TechScope::All)
        });
        assert_eq!(
            err,
            Error::NotFound {
                entity: Entity::Login
            }
        );
    });
}

// rule B2
#[test]
fn every_field_of_the_general_information_is_kept_trimmed() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let mut nc = new_contact("dana");
        nc.profile = full_profile();
        nc.profile.job_title = Some("  Head of IT ".into());
        let id = f.dir.create_contact(&c(alice), acct, &nc).unwrap().contact;
        let v = f.dir.contact(&c(alice), acct, id).unwrap();
        let mut expected = full_profile();
        expected.name = "Dana Doe".into();
        expected.email = "dana@example.com".into();
        assert_eq!(v.profile, expected);
        // The audit entry names the fields set, never their values (J1).
        let e = f.last_audit(acct);
        for field in [
            "login",
            "name",
            "email",
            "time_zone",
            "job_title",
            "cell_phone",
        ] {
            assert!(
                e.fields.iter().any(|x| x == field),
                "{field} in {:?}",
                e.fields
            );
        }
        assert!(e.fields.iter().all(|x| Field::from_name(x).is_some()));
        assert_eq!(e.detail, None);
        // Optional fields left blank are cleared; the time zone defaults to UTC.
        let mut sparse = new_contact("erin");
        sparse.profile.job_title = Some("   ".into());
        sparse.profile.cell_phone = Some(String::new());
        let id = f
            .dir
            .create_contact(&c(alice), acct, &sparse)
            .unwrap()
            .contact;
        let p = f.dir.contact(&c(alice), acct, id).unwrap().profile;
        assert_eq!(p.job_title, None);
        assert_eq!(p.cell_phone, None);
        assert_eq!(p.time_zone, "UTC");
    });
}

/// A profile with one field replaced, and the field and problem expected.
fn bad_profiles() -> Vec<(&'static str, Profile, Field, Problem)> {
    let base = || Profile::new("Valid Name", "valid@example.com");
    let with = |f: &dyn Fn(&mut Profile)| {
        let mut p = base();
        f(&mut p);
        p
    };
    vec![
        (
            "empty name",
            with(&|p| p.name = String::new()),
            Field::Name,
            Problem::Empty,
        ),
        (
            "blank name",
            with(&|p| p.name = " \t ".into()),
            Field::Name,
            Problem::Empty,
        ),
        (
            "overlong name",
            with(&|p| p.name = "é".repeat(201)),
            Field::Name,
            Problem::TooLong { max: 200 },
        ),
        (
            "name with NUL",
            with(&|p| p.name = "Eve\0Evil".into()),
            Field::Name,
            Problem::ControlCharacter,
        ),
        (
            "name with a newline",
            with(&|p| p.name = "Eve\nSet-Cookie: x".into()),
            Field::Name,
            Problem::ControlCharacter,
        ),
        (
            "overlong job title",
            with(&|p| p.job_title = Some("x".repeat(201))),
            Field::JobTitle,
            Problem::TooLong { max: 200 },
        ),
        (
            "job title with escape",
            with(&|p| p.job_title = Some("Boss\u{1b}[31m".into())),
            Field::JobTitle,
            Problem::ControlCharacter,
        ),
        (
            "phone with letters",
            with(&|p| p.business_phone = Some("555-CALL-NOW".into())),
            Field::BusinessPhone,
            Problem::Malformed,
        ),
        (
            "phone too short",
            with(&|p| p.business_phone = Some("123".into())),
            Field::BusinessPhone,
            Problem::Malformed,
        ),
        (
            "phone with 16 digits",
            with(&|p| p.business_phone = Some("+1234567890123456".into())),
            Field::BusinessPhone,
            Problem::Malformed,
        ),
        (
            "overlong phone",
            with(&|p| p.cell_phone = Some(format!("+1 {}", "5 ".repeat(20)))),
            Field::CellPhone,
            Problem::TooLong { max: 32 },
        ),
        (
            "cell phone with a plus inside",
            with(&|p| p.cell_phone = Some("0044+7700900123".into())),
            Field::CellPhone,
            Problem::Malformed,
        ),
        (
            "empty email",
            with(&|p| p.email = String::new()),
            Field::Email,
            Problem::Empty,
        ),
        (
            "email without @",
            with(&|p| p.email = "valid.example.com".into()),
            Field::Email,
            Problem::Malformed,
        ),
        (
            "email without a local part",
            with(&|p| p.email = "@example.com".into()),
            Field::Email,
            Problem::Malformed,
        ),
        (
            "email without a dot in the domain",
            with(&|p| p.email = "a@localhost".into()),
            Field::Email,
            Problem::Malformed,
        ),
        (
            "email with two @",
            with(&|p| p.email = "a@b@example.com".into()),
            Field::Email,
            Problem::Malformed,
        ),
        (
            "email with a space",
            with(&|p| p.email = "a b@example.com".into()),
            Field::Email,
            Problem::Malformed,
        ),
        (
            "email with an empty label",
            with(&|p| p.email = "a@example..com".into()),
            Field::Email,
            Problem::Malformed,
        ),
        (
            "email with a leading hyphen label",
            with(&|p| p.email = "a@-example.com".into()),
            Field::Email,
            Problem::Malformed,
        ),
        (
            "email with a double dot",
            with(&|p| p.email = "a..b@example.com".into()),
            Field::Email,
            Problem::Malformed,
        ),
        (
            "email with angle brackets",
            with(&|p| p.email = "<a>@example.com".into()),
            Field::Email,
            Problem::Malformed,
        ),
        (
            "overlong email",
            with(&|p| p.email = format!("{}@{}.com", "a".repeat(60), "b".repeat(200))),
            Field::Email,
            Problem::TooLong { max: 254 },
        ),
        (
            "overlong local part",
            with(&|p| p.email = format!("{}@example.com", "a".repeat(65))),
            Field::Email,
            Problem::Malformed,
        ),
        (
            "email with a control character",
            with(&|p| p.email = "a\u{7f}@example.com".into()),
            Field::Email,
            Problem::ControlCharacter,
        ),
        (
            "malformed alternate email",
            with(&|p| p.alternate_email = Some("nope".into())),
            Field::AlternateEmail,
            Problem::Malformed,
        ),
        (
            "unknown time zone",
            with(&|p| p.time_zone = "Mars/Olympus_Mons".into()),
            Field::TimeZone,
            Problem::UnknownTimeZone,
        ),
        (
            "offset instead of a zone",
            with(&|p| p.time_zone = "+05:00".into()),
            Field::TimeZone,
            Problem::UnknownTimeZone,
        ),
        (
            "empty time zone",
            with(&|p| p.time_zone = String::new()),
            Field::TimeZone,
            Problem::Empty,
        ),
    ]
}

// rule B2
#[test]
fn each_field_is_validated_on_creation() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        for (what, profile, field, problem) in bad_profiles() {
            let nc = NewContact::new("newbie", profile);
            let err = f.refused(acct, &[], ErrorCode::InvalidInput, "B2", || {
                f.dir.create_contact(&c(alice), acct, &nc)
            });
            assert_eq!(err, Error::InvalidInput { field, problem }, "{what}");
        }
        // None of them took the login.
        assert!(!f.dir.check_login(&c(alice), acct, "newbie").unwrap());
    });
}

// rule B2
#[test]
fn each_field_is_validated_on_update() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        for (what, bad, field, problem) in bad_profiles() {
            let update = ProfileUpdate {
                name: Some(bad.name),
                job_title: Some(bad.job_title),
                business_phone: Some(bad.business_phone),
                email: Some(bad.email),
                time_zone: Some(bad.time_zone),
                alternate_email: Some(bad.alternate_email),
                cell_phone: Some(bad.cell_phone),
                current_password: None,
            };
            // By a manager and by the contact itself.
            for actor in [c(alice), c(bob)] {
                let err = f.refused(acct, &[], ErrorCode::InvalidInput, "B2", || {
                    f.dir.update_contact(&actor, acct, bob, &update)
                });
                let problem = problem.clone();
                assert_eq!(err, Error::InvalidInput { field, problem }, "{what}");
            }
        }
    });
}

// rule B2
#[test]
fn bounds_are_counted_in_characters() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        let changed = f
            .dir
            .update_contact(&c(alice), acct, bob, &rename(&"é".repeat(200)))
            .unwrap();
        assert_eq!(changed, vec![Field::Name]);
        // An email of exactly 254 characters, labels of 63.
        let email = format!(
            "{}@{}.{}.{}.com",
            "l".repeat(64),
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(57)
        );
        assert_eq!(email.len(), 254);
        let update = ProfileUpdate {
            email: Some(email.clone()),
            business_phone: Some(Some("+123456789012345".into())),
            ..Default::default()
        };
        f.dir.update_contact(&c(alice), acct, bob, &update).unwrap();
        let p = f.dir.contact(&c(alice), acct, bob).unwrap().profile;
        assert_eq!(p.email, email);
        assert_eq!(p.business_phone.as_deref(), Some("+123456789012345"));
    });
}

// rule B2
#[test]
fn an_update_changes_only_what_it_names_and_reports_it() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let mut nc = new_contact("dana");
        nc.profile = full_profile();
        let dana = f.dir.create_contact(&c(alice), acct, &nc).unwrap().contact;
        let before = f.dir.contact(&c(alice), acct, dana).unwrap().profile;
        let update = ProfileUpdate {
            job_title: Some(None),
            time_zone: Some("Europe/Paris".into()),
            email: Some(before.email.clone()),
            ..Default::default()
        };
        let mut changed = f.dir.update_contact(&c(dana), acct, dana, &update).unwrap();
        changed.sort();
        let mut expected = vec![Field::JobTitle, Field::TimeZone];
        expected.sort();
        assert_eq!(changed, expected);
        let after = f.dir.contact(&c(alice), acct, dana).unwrap().profile;
        assert_eq!(after.job_title, None);
        assert_eq!(after.time_zone, "Europe/Paris");
        assert_eq!(
            (after.name, after.email, after.cell_phone),
            (before.name, before.email, before.cell_phone)
        );
        let e = f.last_audit(acct);
        assert_eq!(e.operation, Operation::ContactUpdate);
        let mut fields = e.fields.clone();
        fields.sort();
        assert_eq!(fields, vec!["job_title".to_owned(), "time_zone".to_owned()]);
    });
}

// rule B3
#[test]
fn logins_are_validated() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let cases = [
            ("", Problem::Empty),
            ("   ", Problem::Empty),
            ("with space", Problem::Malformed),
            ("émile", Problem::Malformed),
            ("semi;colon", Problem::Malformed),
            ("tab\there", Problem::ControlCharacter),
        ];
        let long = "x".repeat(129);
        let cases = cases
            .iter()
            .map(|(l, p)| (l.to_string(), p.clone()))
            .chain([(long, Problem::TooLong { max: 128 })]);
        for (login, problem) in cases {
            let err = f.refused(acct, &[], ErrorCode::InvalidInput, "B3", || {
                f.dir.create_contact(&c(alice), acct, &new_contact(&login))
            });
            assert_eq!(
                err,
                Error::InvalidInput {
                    field: Field::Login,
                    problem
                },
                "{login:?}"
            );
        }
        // The characters allowed, and the longest login.
        for login in ["A.b-c_d@e+f".to_owned(), "y".repeat(128)] {
            let nc = NewContact::new(&login, Profile::new("Fine", "fine@example.com"));
            let id = f.dir.create_contact(&c(alice), acct, &nc).unwrap().contact;
            assert_eq!(f.dir.contact(&c(alice), acct, id).unwrap().login, login);
        }
    });
}

// rule B3
#[test]
fn a_login_never_changes_and_compares_case_insensitively() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let (other, olga) = f.account("olga");
        let bob = f
            .dir
            .create_contact(&c(alice), acct, &new_contact("Bob.Smith"))
            .unwrap()
            .contact;
        assert_eq!(login_key("Bob.Smith").unwrap(), "bob.smith");
        assert_eq!(login_key("  BOB.SMITH ").unwrap(), "bob.smith");
        assert!(f.dir.check_login(&c(alice), acct, "BOB.SMITH").unwrap());
        f.refused(other, &[acct], ErrorCode::AlreadyExists, "K1", || {
            f.dir
                .create_contact(&c(olga), other, &new_contact("bob.smith"))
        });
        f.dir
            .add_existing_contact(
                &c(olga),
                other,
                "bOB.sMITH",
                RoleSet::EMPTY,
                &TechScope::All,
            )
            .map(|added| f.accepted(other, added))
            .unwrap();
        // Profile updates, sharing and ownership leave the login alone.
        let update = ProfileUpdate {
            name: Some("Robert Smith".into()),
            email: Some("robert@example.com".into()),
            ..Default::default()
        };
        f.dir.update_contact(&c(bob), acct, bob, &update).unwrap();
        f.dir.transfer_ownership(&c(alice), acct, bob).unwrap();
        for a in [acct, other] {
            assert_eq!(
                f.dir.contact(&Actor::System, a, bob).unwrap().login,
                "Bob.Smith"
            );
        }
    });
}

// rule B4
#[test]
fn the_alternate_email_is_never_a_login() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let mut nc = new_contact("dana");
        nc.profile = full_profile();
        f.dir.create_contact(&c(alice), acct, &nc).unwrap();
        let (other, olga) = f.account("olga");
        let alternate = "dana.private@example.org";
        assert!(!f.dir.check_login(&c(olga), other, alternate).unwrap());
        let err = f.refused(other, &[acct], ErrorCode::NotFound, "K1", || {
            f.dir
                .add_existing_contact(&c(olga), other, alternate, RoleSet::EMPTY, &TechScope::All)
        });
        assert_eq!(
            err,
            Error::NotFound {
                entity: Entity::Login
            }
        );
        // Nor is the contact's email, unless it was chosen as the login.
        assert!(!f
            .dir
            .check_login(&c(olga), other, "dana@example.com")
            .unwrap());
    });
}

// rule B5
#[test]
fn the_owner_and_contact_or_security_managers_delete_contacts() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let cm = f.contact(acct, "cm", RoleSet::of(&[Role::ContactManager]));
        let sm = f.contact(acct, "sm", RoleSet::of(&[Role::SecurityManager]));
        for actor in [c(alice), c(cm), c(sm)] {
            let victim = f.contact(acct, "victim", RoleSet::EMPTY);
            let count = f.dir.account(&Actor::System, acct).unwrap().contacts;
            f.dir.delete_contact(&actor, acct, victim).unwrap();
            assert_eq!(
                f.dir.account(&Actor::System, acct).unwrap().contacts,
                count - 1
            );
            let e = f.last_audit(acct);
            assert_eq!(e.operation, Operation::ContactDelete);
            assert_eq!(e.outcome, Outcome::Success);
            assert_eq!(e.target, Some(victim.to_string()));
            let err = f.dir.contact(&Actor::System, acct, victim).unwrap_err();
            assert_eq!(
                err,
                Error::NotFound {
                    entity: Entity::Contact
                }
            );
            // Its login is free again: it belonged to no other account.
            assert!(!f.dir.check_login(&c(alice), acct, "victim").unwrap());
        }
        let victim = f.contact(acct, "victim", RoleSet::EMPTY);
        f.dir.set_procurement(&Actor::System, acct, true).unwrap();
        for role in [
            Role::BillingManager,
            Role::ProcurementManager,
            Role::TechnicalAdmin,
        ] {
            let who = f.contact(acct, &format!("r-{}", role.name()), RoleSet::of(&[role]));
            let err = f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
                f.dir.delete_contact(&c(who), acct, victim)
            });
            assert_eq!(
                err,
                Error::PermissionDenied {
                    permission: Permission::ManageContacts
                }
            );
        }
        // A contact without roles cannot delete itself either.
        f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
            f.dir.delete_contact(&c(victim), acct, victim)
        });
    });
}

// rule B5
#[test]
fn a_deleted_contact_keeps_its_login_while_other_accounts_have_it() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let (other, olga) = f.account("olga");
        let shared = f.contact(acct, "shared", RoleSet::of(&[Role::TechnicalAdmin]));
        f.dir
            .add_existing_contact(&c(olga), other, "shared", RoleSet::EMPTY, &TechScope::All)
            .map(|added| f.accepted(other, added))
            .unwrap();
        f.dir.delete_contact(&c(alice), acct, shared).unwrap();
        let there = f.dir.contact(&c(olga), other, shared).unwrap();
        assert_eq!(there.accounts, 1);
        assert_eq!(there.login, "shared");
        assert_eq!(there.profile.email, "shared@example.com");
        assert!(f.dir.check_login(&c(alice), acct, "shared").unwrap());
        f.refused(acct, &[other], ErrorCode::AlreadyExists, "K1", || {
            f.dir
                .create_contact(&c(alice), acct, &new_contact("shared"))
        });
        // It can come back, with fresh roles in this account.
        f.dir
            .add_existing_contact(&c(alice), acct, "shared", RoleSet::EMPTY, &TechScope::All)
            .map(|added| f.accepted(acct, added))
            .unwrap();
        assert_eq!(roles_of(&f, acct, shared), RoleSet::EMPTY);
        // Gone from its last account, the login is free for a new contact.
        f.dir.delete_contact(&c(alice), acct, shared).unwrap();
        f.dir.delete_contact(&c(olga), other, shared).unwrap();
        assert!(!f.dir.check_login(&c(alice), acct, "shared").unwrap());
        let again = f
            .dir
            .create_contact(&c(alice), acct, &new_contact("SHARED"))
            .unwrap()
            .contact;
        assert_ne!(again, shared);
    });
}

// rule B5
#[test]
fn deleting_a_contact_of_another_account_or_nobody_is_not_found() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let (other, _) = f.account("olga");
        let foreign = f.contact(other, "foreign", RoleSet::EMPTY);
        for target in [foreign, ContactId(42)] {
            let err = f.refused(acct, &[other], ErrorCode::NotFound, "K1", || {
                f.dir.delete_contact(&c(alice), acct, target)
            });
            assert_eq!(
                err,
                Error::NotFound {
                    entity: Entity::Contact
                }
            );
        }
        // Twice: the second one finds nothing.
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        f.dir.delete_contact(&c(alice), acct, bob).unwrap();
        f.refused(acct, &[other], ErrorCode::NotFound, "K1", || {
            f.dir.delete_contact(&c(alice), acct, bob)
        });
    });
}

// rule B6
#[test]
fn a_shared_contact_has_one_profile_and_roles_per_account() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let (other, olga) = f.account("olga");
        let shared = f.contact(acct, "shared", RoleSet::of(&[Role::ContactManager]));
        f.dir
            .add_existing_contact(
                &c(olga),
                other,
                "shared",
                RoleSet::of(&[Role::BillingManager]),
                &TechScope::All,
            )
            .map(|added| f.accepted(other, added))
            .unwrap();
        // One profile: the contact changes it in one account, both see it.
        f.dir
            .update_contact(&c(shared), other, shared, &rename("Shared Renamed"))
            .unwrap();
        for a in [acct, other] {
            assert_eq!(
                f.dir
                    .contact(&Actor::System, a, shared)
                    .unwrap()
                    .profile
                    .name,
                "Shared Renamed"
            );
        }
        // Roles are per account.
        f.dir
            .set_roles(&c(alice), acct, shared, RoleSet::EMPTY, &TechScope::All)
            .unwrap();
        assert_eq!(roles_of(&f, acct, shared), RoleSet::EMPTY);
        assert_eq!(
            roles_of(&f, other, shared),
            RoleSet::of(&[Role::BillingManager])
        );
        let access = f.dir.access(&c(shared), other).unwrap();
        assert!(access.allows(Permission::ManageBilling));
        assert!(!f
            .dir
            .access(&c(shared), acct)
            .unwrap()
            .allows(Permission::ManageBilling));
        // A manager of one account cannot change what the other relies on.
        let err = f.refused(acct, &[other], ErrorCode::RuleViolation, "B6", || {
            f.dir
                .update_contact(&c(alice), acct, shared, &rename("Hijacked"))
        });
        assert_eq!(
            err,
            Error::RuleViolation {
                rule: Rule::B6SharedProfile
            }
        );
        f.refused(other, &[acct], ErrorCode::RuleViolation, "B6", || {
            f.dir
                .update_contact(&c(olga), other, shared, &rename("Hijacked"))
        });
    });
}

// rule B1
#[test]
fn contacts_are_listed_page_by_page_in_id_order() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        for i in 0..11 {
            f.contact(acct, &format!("p{i}"), RoleSet::EMPTY);
        }
        let all = f
            .dir
            .list_contacts(&c(alice), acct, None, MAX_PAGE)
            .unwrap();
        assert_eq!(all.len(), 12);
        assert!(all.windows(2).all(|w| w[0].id < w[1].id));
        let mut paged = Vec::new();
        let mut after = None;
        loop {
            let page = f.dir.list_contacts(&c(alice), acct, after, 5).unwrap();
            assert!(page.len() <= 5);
            match page.last() {
                Some(last) => after = Some(last.id),
                None => break,
            }
            paged.extend(page);
        }
        assert_eq!(paged, all);
        assert_eq!(
            all.iter()
                .filter(|v| v.owner)
                .map(|v| v.id)
                .collect::<Vec<_>>(),
            vec![alice]
        );
    });
}

// rule B2: invisible formatting characters that make one name look like
// another (bidirectional overrides, zero-width characters) are refused
// like control characters.
#[test]
fn invisible_formatting_characters_are_refused() {
    for_each_store(|f| {
        let (acct, _) = f.account("alice");
        for bad in [
            "Ev\u{202E}il",
            "Zero\u{200B}Width",
            "\u{FEFF}Bom",
            "Iso\u{2067}late",
        ] {
            let nc = NewContact::new("mallory", Profile::new(bad, "m@example.com"));
            let e = f.dir.create_contact(&Actor::System, acct, &nc).unwrap_err();
            assert_eq!(
                e,
                Error::InvalidInput {
                    field: Field::Name,
                    problem: Problem::ControlCharacter
                },
                "{bad:?}"
            );
        }
        // Letters of any script are fine.
        let nc = NewContact::new("dmitri", Profile::new("Дмитрий Ünal 李", "d@example.com"));
        f.dir.create_contact(&Actor::System, acct, &nc).unwrap();
    });
}
