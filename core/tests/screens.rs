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
