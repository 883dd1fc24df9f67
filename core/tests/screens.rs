//! SPEC I5: what a host's screens read back (the General tab's password
//! dates, the Login options tab, the padlock's author, finding a contact by
//! login, the account switcher), each authorised like the screen it serves.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
use common::*;
use contactkeeper::*;
use time::Duration;

const PW: &str = "Tr0ub4dor&3-zebra";

/// A contact with a password, created by the host.
fn with_password(f: &Fixture, acct: AccountId, login: &str) -> ContactId {
    f.dir
        .create_contact(
            &Actor::System,
            acct,
            &new_contact(login).with_password(Password::new(PW)),
        )
        .unwrap()
        .contact
}

// rule I5
// rule D3
// rule D4
#[test]
fn the_general_tab_reads_the_password_expiry_and_the_reset_flag() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let carol = with_password(&f, acct, "carol");
        let made = f.clock.now();
        let s = f.dir.password_status(&c(carol), acct, carol).unwrap();
        assert!(s.set);
        assert_eq!(s.changed_at, Some(made));
        assert_eq!(s.expires_at, Some(made + Duration::days(365)));
        assert!(!s.must_change && !s.change_required);
        // A manager ticks "Reset password at next login".
        f.dir
            .set_must_change_password(&c(alice), acct, carol, true)
            .unwrap();
        let s = f.dir.password_status(&c(alice), acct, carol).unwrap();
        assert!(s.must_change && s.change_required);
        f.dir
            .set_must_change_password(&c(alice), acct, carol, false)
            .unwrap();
        // Expiry alone requires a change (D3), the flag stays off.
        f.clock.advance(Duration::days(365));
        let s = f.dir.password_status(&c(carol), acct, carol).unwrap();
        assert!(!s.must_change && s.change_required);
        // A contact with no password has no dates and nothing to change.
        let nopw = f.contact(acct, "nopw", RoleSet::EMPTY);
        let s = f.dir.password_status(&Actor::System, acct, nopw).unwrap();
        assert_eq!((s.set, s.changed_at, s.expires_at), (false, None, None));
        assert!(!s.change_required);
    });
}

// rule I5
// rule D2
#[test]
fn a_forced_change_of_the_account_shows_on_the_general_tab() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let carol = with_password(&f, acct, "carol");
        f.clock.advance(Duration::minutes(1));
        f.dir.require_password_change(&c(alice), acct).unwrap();
        let s = f.dir.password_status(&c(carol), acct, carol).unwrap();
        assert!(!s.must_change && s.change_required);
    });
}

// rule I5
// rule C2
#[test]
fn only_the_contact_and_its_managers_read_its_password_status() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let carol = with_password(&f, acct, "carol");
        let cm = f.contact(acct, "cm", RoleSet::of(&[Role::ContactManager]));
        let bm = f.contact(acct, "bm", RoleSet::of(&[Role::BillingManager]));
        let (other, olga) = f.account("olga");
        f.dir.password_status(&c(cm), acct, carol).unwrap();
        f.dir.password_status(&c(alice), acct, carol).unwrap();
        for actor in [c(bm), c(olga)] {
            let err = f.refused(acct, &[other], ErrorCode::PermissionDenied, "C2", || {
                f.dir.password_status(&actor, acct, carol)
            });
            assert_eq!(
                err,
                Error::PermissionDenied {
                    permission: Permission::ManageContacts
                }
            );
        }
        // Another account's contact is not found here, even by the host.
        f.refused(acct, &[other], ErrorCode::NotFound, "K1", || {
            f.dir.password_status(&Actor::System, acct, olga)
        });
    });
}

// rule I5
// rule F1
// rule F3
#[test]
fn the_login_options_tab_reads_the_method_the_phone_and_the_enrollment() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let carol = with_password(&f, acct, "carol");
        let sm = f.contact(acct, "sm", RoleSet::of(&[Role::SecurityManager]));
        let bm = f.contact(acct, "bm", RoleSet::of(&[Role::BillingManager]));
        let none = f.dir.two_factor_status(&c(carol), acct, carol).unwrap();
        assert_eq!(none.method, None);
        assert_eq!(none.assigned, None);
        assert!(!none.enrollment_pending && !none.required);
        // carol starts enrolling an authenticator app, then confirms it.
        let start = f
            .dir
            .begin_two_factor_enrollment(
                &c(carol),
                acct,
                TwoFactorMethod::Totp,
                None,
                &Password::new(PW),
            )
            .unwrap();
        assert!(
            f.dir
                .two_factor_status(&c(carol), acct, carol)
                .unwrap()
                .enrollment_pending
        );
        let secret = data_encoding::BASE32_NOPAD
            .decode(start.secret_base32.unwrap().expose().as_bytes())
            .unwrap();
        let now = f.clock.now().unix_timestamp() as u64;
        let code = format!("{:06}", second_factor::totp(&secret, now, 6));
        f.dir
            .confirm_two_factor_enrollment(&c(carol), acct, &code)
            .unwrap();
        let s = f.dir.two_factor_status(&c(alice), acct, carol).unwrap();
        assert_eq!(s.method, Some(TwoFactorMethod::Totp));
        assert_eq!(s.phone, None);
        assert!(!s.enrollment_pending);
        // Nothing of the secret reaches the status, even in Debug.
        assert!(!format!("{s:?}").to_lowercase().contains("secret"));
        // A manager sets SMS to a phone instead: to be enrolled at the
        // next sign-in; the account now requires a second factor.
        f.dir
            .set_two_factor_method(
                &c(sm),
                acct,
                carol,
                TwoFactorMethod::Sms,
                Some("+1 555 0199"),
            )
            .unwrap();
        f.dir.set_require_two_factor(&c(alice), acct, true).unwrap();
        let s = f.dir.two_factor_status(&c(sm), acct, carol).unwrap();
        assert_eq!(
            s.assigned,
            Some(AssignedFactor {
                method: TwoFactorMethod::Sms,
                phone: Some("+1 555 0199".into())
            })
        );
        assert!(s.required && s.method.is_none());
        // A billing manager has no Login options tab of others.
        let err = f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
            f.dir.two_factor_status(&c(bm), acct, carol)
        });
        assert_eq!(
            err,
            Error::PermissionDenied {
                permission: Permission::ResetTwoFactor
            }
        );
        // One's own is always readable.
        f.dir.two_factor_status(&c(bm), acct, bm).unwrap();
    });
}

// rule I5
// rule E6
#[test]
fn the_padlock_says_who_locked_a_contact_by_hand() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let carol = f.contact(acct, "carol", RoleSet::EMPTY);
        assert_eq!(
            f.dir.contact(&c(alice), acct, carol).unwrap().locked_by,
            None
        );
        f.dir.lock_contact(&c(alice), acct, carol).unwrap();
        let v = f.dir.contact(&c(alice), acct, carol).unwrap();
        assert_eq!(v.lock.map(|l| l.kind), Some(LockKind::Manual));
        assert_eq!(v.locked_by, Some(c(alice).audit_label()));
        let listed = f.dir.list_contacts(&c(alice), acct, None, 10).unwrap();
        let row = listed.iter().find(|v| v.id == carol).unwrap();
        assert_eq!(row.locked_by, Some(c(alice).audit_label()));
        f.dir.unlock_contact(&c(alice), acct, carol).unwrap();
        let cm = f.contact(acct, "cm", RoleSet::of(&[Role::ContactManager]));
        f.dir.lock_contact(&c(cm), acct, carol).unwrap();
        assert_eq!(
            f.dir.contact(&c(alice), acct, carol).unwrap().locked_by,
            Some(c(cm).audit_label())
        );
        f.dir.unlock_contact(&c(alice), acct, carol).unwrap();
        assert_eq!(
            f.dir.contact(&c(alice), acct, carol).unwrap().locked_by,
            None
        );
    });
}

// rule I5
// rule B3
#[test]
fn a_contact_is_found_by_login_in_its_account_only() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let carol = f.contact(acct, "Carol.Smith", RoleSet::EMPTY);
        let plain = f.contact(acct, "plain", RoleSet::EMPTY);
        let (other, olga) = f.account("olga");
        for login in ["carol.smith", "CAROL.SMITH", " Carol.Smith "] {
            let v = f.dir.find_contact(&c(alice), acct, login).unwrap();
            assert_eq!((v.id, v.login.as_str()), (carol, "Carol.Smith"));
        }
        // Any contact of the account may (the listing is open to them).
        assert_eq!(
            f.dir
                .find_contact(&c(plain), acct, "carol.smith")
                .unwrap()
                .id,
            carol
        );
        // A login of another account, and one that does not exist, answer
        // alike: not found.
        for login in ["olga", "nobody"] {
            let err = f.refused(acct, &[other], ErrorCode::NotFound, "K1", || {
                f.dir.find_contact(&c(alice), acct, login)
            });
            assert_eq!(
                err,
                Error::NotFound {
                    entity: Entity::Contact
                }
            );
        }
        // An outsider reads nothing of the account.
        f.refused(acct, &[other], ErrorCode::PermissionDenied, "C2", || {
            f.dir.find_contact(&c(olga), acct, "carol.smith")
        });
        let err = f.refused(acct, &[], ErrorCode::InvalidInput, "B3", || {
            f.dir.find_contact(&c(alice), acct, "bad login\n")
        });
        assert!(matches!(
            err,
            Error::InvalidInput {
                field: Field::Login,
                ..
            }
        ));
    });
}

// rule I5
// rule B6
// rule B7
#[test]
fn the_account_switcher_lists_the_accounts_of_the_signed_in_login() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let (other, olga) = f.account("olga");
        let (third, tina) = f.account("tina");
        let sam = f.contact(acct, "sam", RoleSet::of(&[Role::BillingManager]));
        f.dir
            .add_existing_contact(
                &c(olga),
                other,
                "sam",
                RoleSet::of(&[Role::ContactManager]),
                &TechScope::All,
            )
            .map(|added| f.accepted(other, added))
            .unwrap();
        // An invitation not yet accepted is no membership.
        f.dir
            .add_existing_contact(&c(tina), third, "sam", RoleSet::EMPTY, &TechScope::All)
            .unwrap();
        f.dir.lock_contact(&c(alice), acct, sam).unwrap();
        let mine = f.dir.my_accounts(&c(sam)).unwrap();
        let seen: Vec<_> = mine
            .iter()
            .map(|m| (m.account, m.owner, m.roles, m.locked))
            .collect();
        let mut want = vec![
            (acct, false, RoleSet::of(&[Role::BillingManager]), true),
            (other, false, RoleSet::of(&[Role::ContactManager]), false),
        ];
        want.sort_by_key(|w| w.0);
        assert_eq!(seen, want);
        assert!(mine.iter().all(|m| m.account_name == "Acme Corp"));
        assert_eq!(f.dir.invitations(&c(sam)).unwrap().len(), 1);
        let owner = f.dir.my_accounts(&c(alice)).unwrap();
        assert_eq!(owner.len(), 1);
        assert!(owner[0].owner && owner[0].roles == RoleSet::ALL);
        // Only a contact has accounts of its own.
        for actor in [Actor::System, Actor::partner("resel")] {
            assert_eq!(
                f.dir.my_accounts(&actor).unwrap_err(),
                Error::PermissionDenied {
                    permission: Permission::ManageOwnSettings
                }
            );
        }
    });
}

/// Pages through a whole listing with `q`, page size `q.limit`.
fn all_pages(f: &Fixture, acct: AccountId, q: &ContactQuery) -> Vec<String> {
    let mut q = q.clone();
    let mut seen = Vec::new();
    loop {
        let page = f.dir.search_contacts(&Actor::System, acct, &q).unwrap();
        assert!(page.contacts.len() <= q.limit);
        seen.extend(page.contacts.iter().map(|v| v.login.clone()));
        assert!(seen.len() <= 1_000, "the cursor does not advance");
        match page.next {
            Some(n) => q.cursor = Some(n),
            None => return seen,
        }
    }
}

/// An account of contacts whose names, logins and emails sort differently.
fn roster(f: &Fixture) -> (AccountId, ContactId) {
    let (acct, alice) = f.account("alice");
    for (login, name, email, roles) in [
        (
            "bob",
            "Zed Bob",
            "a-bob@x.example",
            RoleSet::of(&[Role::ContactManager]),
        ),
        ("carol", "carol Young", "c@x.example", RoleSet::EMPTY),
        (
            "Dave",
            "Adam Dave",
            "zz@x.example",
            RoleSet::of(&[Role::BillingManager]),
        ),
        (
            "erin",
            "Erin",
            "b-erin@x.example",
            RoleSet::of(&[Role::ContactManager]),
        ),
    ] {
        f.dir
            .create_contact(
                &Actor::System,
                acct,
                &NewContact::new(login, Profile::new(name, email)).with_roles(roles),
            )
            .unwrap();
    }
    (acct, alice)
}

// rule I5
#[test]
fn the_contact_listing_sorts_by_name_login_and_email() {
    for_each_store(|f| {
        let (acct, _) = roster(&f);
        let q = |sort| ContactQuery {
            sort,
            limit: 2,
            ..ContactQuery::default()
        };
        // Names: "Adam Dave", "alice Person", "carol Young", "Erin", "Zed Bob".
        assert_eq!(
            all_pages(&f, acct, &q(ContactSort::Name)),
            ["Dave", "alice", "carol", "erin", "bob"]
        );
        assert_eq!(
            all_pages(&f, acct, &q(ContactSort::Login)),
            ["alice", "bob", "carol", "Dave", "erin"]
        );
        assert_eq!(
            all_pages(&f, acct, &q(ContactSort::Email)),
            ["bob", "alice", "erin", "carol", "Dave"]
        );
        assert_eq!(all_pages(&f, acct, &q(ContactSort::Id)).len(), 5);
        for limit in 1..=6 {
            let q = ContactQuery {
                sort: ContactSort::Name,
                limit,
                ..ContactQuery::default()
            };
            assert_eq!(
                all_pages(&f, acct, &q),
                ["Dave", "alice", "carol", "erin", "bob"],
                "pages of {limit}"
            );
        }
    });
}

// rule I5
// rule E7
#[test]
fn the_contact_listing_filters_by_role_padlock_and_text() {
    for_each_store(|f| {
        let (acct, alice) = roster(&f);
        let find = |q: ContactQuery| {
            let mut v = all_pages(&f, acct, &ContactQuery { limit: 2, ..q });
            v.sort();
            v
        };
        // The owner holds every role (A2).
        assert_eq!(
            find(ContactQuery {
                role: Some(Role::ContactManager),
                ..ContactQuery::default()
            }),
            ["alice", "bob", "erin"]
        );
        let carol = f.dir.find_contact(&c(alice), acct, "carol").unwrap().id;
        f.dir.lock_contact(&c(alice), acct, carol).unwrap();
        assert_eq!(
            find(ContactQuery {
                locked: Some(true),
                ..ContactQuery::default()
            }),
            ["carol"]
        );
        assert_eq!(
            find(ContactQuery {
                locked: Some(false),
                ..ContactQuery::default()
            })
            .len(),
            4
        );
        // Text in any of name, login or email, ignoring case.
        for (text, want) in [
            ("DAVE", vec!["Dave"]),
            ("young", vec!["carol"]),
            ("b-", vec!["erin"]),
            ("  e  ", vec!["Dave", "alice", "bob", "carol", "erin"]),
            ("nobody", vec![]),
        ] {
            assert_eq!(
                find(ContactQuery {
                    text: Some(text.into()),
                    ..ContactQuery::default()
                }),
                want,
                "{text:?}"
            );
        }
        assert_eq!(
            find(ContactQuery {
                role: Some(Role::ContactManager),
                text: Some("erin".into()),
                locked: Some(false),
                ..ContactQuery::default()
            }),
            ["erin"]
        );
    });
}

// rule I5
#[test]
fn a_cursor_survives_the_deletion_of_the_contact_it_ended_on() {
    for_each_store(|f| {
        let (acct, alice) = roster(&f);
        let q = ContactQuery {
            sort: ContactSort::Login,
            limit: 2,
            ..ContactQuery::default()
        };
        let first = f.dir.search_contacts(&c(alice), acct, &q).unwrap();
        let logins: Vec<_> = first.contacts.iter().map(|v| v.login.as_str()).collect();
        assert_eq!(logins, ["alice", "bob"]);
        let bob = first.contacts[1].id;
        f.dir.delete_contact(&c(alice), acct, bob).unwrap();
        let rest = all_pages(
            &f,
            acct,
            &ContactQuery {
                cursor: first.next,
                ..q
            },
        );
        assert_eq!(rest, ["carol", "Dave", "erin"]);
    });
}

// rule I5
// rule K2
#[test]
fn a_bad_listing_query_is_a_typed_error() {
    for_each_store(|f| {
        let (acct, alice) = roster(&f);
        let (other, olga) = f.account("olga");
        f.contact(other, "zack", RoleSet::EMPTY);
        let by_name = ContactQuery {
            sort: ContactSort::Name,
            limit: 1,
            ..ContactQuery::default()
        };
        let theirs = f
            .dir
            .search_contacts(&c(olga), other, &by_name)
            .unwrap()
            .next
            .unwrap();
        let ours = f
            .dir
            .search_contacts(&c(alice), acct, &by_name)
            .unwrap()
            .next
            .unwrap();
        let cases: Vec<(ContactQuery, Field, Problem)> = vec![
            (
                ContactQuery {
                    cursor: Some(theirs),
                    ..by_name.clone()
                },
                Field::Cursor,
                Problem::NotOffered,
            ),
            (
                ContactQuery {
                    sort: ContactSort::Email,
                    cursor: Some(ours),
                    ..by_name.clone()
                },
                Field::Cursor,
                Problem::NotOffered,
            ),
            (
                ContactQuery {
                    cursor: Some("not a cursor".into()),
                    ..by_name.clone()
                },
                Field::Cursor,
                Problem::Malformed,
            ),
            (
                ContactQuery {
                    text: Some("x".repeat(201)),
                    ..by_name.clone()
                },
                Field::Filter,
                Problem::TooLong { max: 200 },
            ),
            (
                ContactQuery {
                    text: Some("a\u{0}b".into()),
                    ..by_name.clone()
                },
                Field::Filter,
                Problem::ControlCharacter,
            ),
        ];
        for (q, field, problem) in cases {
            let err = f.refused(acct, &[other], ErrorCode::InvalidInput, "I5", || {
                f.dir.search_contacts(&c(alice), acct, &q)
            });
            assert_eq!(err, Error::InvalidInput { field, problem }, "{q:?}");
        }
        for limit in [0, MAX_PAGE + 1] {
            f.refused(acct, &[], ErrorCode::InvalidInput, "K2", || {
                f.dir.search_contacts(
                    &c(alice),
                    acct,
                    &ContactQuery {
                        limit,
                        ..ContactQuery::default()
                    },
                )
            });
        }
        // An outsider lists nothing of the account.
        f.refused(acct, &[other], ErrorCode::PermissionDenied, "C2", || {
            f.dir
                .search_contacts(&c(olga), acct, &ContactQuery::default())
        });
    });
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    // rule I5: paging through any listing gives each matching contact once,
    // in the order a plain sort gives, whatever the page size; contacts
    // deleted between pages simply drop out.
    #[test]
    fn paging_gives_every_matching_contact_once_in_order(
        names in proptest::collection::vec("[a-cA-C]{1,3}", 1..14),
        sort in proptest::sample::select(vec![
            ContactSort::Id, ContactSort::Name, ContactSort::Login, ContactSort::Email,
        ]),
        text in proptest::option::of("[abc]"),
        limit in 1usize..5,
        delete_every in 2usize..5,
    ) {
        let f = Fixture::new();
        let (acct, alice) = f.account("owner");
        let mut people = vec![];
        for (i, n) in names.iter().enumerate() {
            let login = format!("{n}{i}");
            let added = f.dir.create_contact(
                &Actor::System,
                acct,
                &NewContact::new(&login, Profile::new(n.clone(), format!("{}{i}@x.example", n.to_lowercase()))),
            ).unwrap();
            people.push((added.contact, login, n.clone()));
        }
        let owner_view = f.dir.contact(&Actor::System, acct, alice).unwrap();
        let mut reference: Vec<(String, ContactId, String)> = people
            .iter()
            .map(|(id, login, name)| (id, login.clone(), name.clone(), format!("{}{}", name.to_lowercase(), &login[name.len()..]) + "@x.example"))
            .map(|(id, login, name, email)| {
                let key = match sort {
                    ContactSort::Id => String::new(),
                    ContactSort::Name => name.to_lowercase(),
                    ContactSort::Login => login.to_ascii_lowercase(),
                    ContactSort::Email => email.clone(),
                    _ => unreachable!(),
                };
                let hay = format!("{} {} {}", name.to_lowercase(), login.to_lowercase(), email);
                (key, *id, hay)
            })
            .collect();
        let owner_key = match sort {
            ContactSort::Id => String::new(),
            ContactSort::Name => owner_view.profile.name.to_lowercase(),
            ContactSort::Login => "owner".into(),
            ContactSort::Email => owner_view.profile.email.to_lowercase(),
            _ => unreachable!(),
        };
        reference.push((owner_key, alice, format!("{} owner {}", owner_view.profile.name.to_lowercase(), owner_view.profile.email.to_lowercase())));
        if let Some(t) = &text {
            reference.retain(|(_, _, hay)| hay.contains(t.as_str()));
        }
        reference.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let mut q = ContactQuery { sort, text: text.clone(), limit, ..ContactQuery::default() };
        let mut got: Vec<ContactId> = vec![];
        let mut deleted: Vec<ContactId> = vec![];
        let mut pages = 0;
        loop {
            let page = f.dir.search_contacts(&Actor::System, acct, &q).unwrap();
            got.extend(page.contacts.iter().map(|v| v.id));
            pages += 1;
            proptest::prop_assert!(pages <= 100, "the cursor does not advance");
            // Now and then delete a contact not yet shown.
            if pages % delete_every == 0 {
                if let Some((_, id, _)) = reference.iter().find(|(_, id, _)| !got.contains(id) && !deleted.contains(id) && *id != alice) {
                    f.dir.delete_contact(&Actor::System, acct, *id).unwrap();
                    deleted.push(*id);
                }
            }
            match page.next {
                Some(n) => q.cursor = Some(n),
                None => break,
            }
        }
        let want: Vec<ContactId> = reference.iter().map(|r| r.1).filter(|id| !deleted.contains(id)).collect();
        proptest::prop_assert_eq!(got, want);
    }
}
