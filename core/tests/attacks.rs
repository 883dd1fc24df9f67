//! The attack suite (SPEC A3, A6, C6, C7, D7, D8, E5): each test is a path
//! a contact with one role in one account tries, through the public API,
//! to gain another role, sign in as someone else or reach another account.
//! Each test names its rule and checks both that the attack fails (a typed
//! refusal that changes nothing but its audit entry) and that the honest
//! use beside it still works.
//!
//! Paths tried that were closed before this suite was written, and stay
//! tested in the section tests: granting oneself a role one lacks (C6,
//! roles.rs), editing or locking the owner (A6, contacts.rs), acting in an
//! account one is not a member of (C2, roles.rs), a session of one account
//! used in another (D8, signin.rs), a reset secret used twice or after a
//! newer one (D6, signin.rs), a partner seeing procurement before it is
//! enabled (C3, roles.rs), widening one's own technical scope (C4,
//! roles.rs), and moving a duty to a contact of another account (H4,
//! designations.rs).
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
use common::*;
use contactkeeper::*;

const PASSWORD: &str = "correct horse battery";

fn ip() -> std::net::IpAddr {
    "192.0.2.10".parse().unwrap()
}

/// A contact of `account` with a password and these roles.
fn member(f: &Fixture, account: AccountId, login: &str, roles: RoleSet) -> ContactId {
    let nc = new_contact(login)
        .with_roles(roles)
        .with_password(Password::new(PASSWORD));
    f.dir
        .create_contact(&Actor::System, account, &nc)
        .unwrap()
        .contact
}

fn sign_in(f: &Fixture, login: &str, password: &str) -> SignInOutcome {
    f.dir
        .sign_in(&SignInRequest {
            login,
            password: &Password::new(password),
            ip: ip(),
            account: None,
            device_token: None,
            remember_device: false,
        })
        .unwrap()
}

fn session(f: &Fixture, login: &str) -> Secret {
    match sign_in(f, login, PASSWORD) {
        SignInOutcome::SignedIn(g) => g.token,
        other => panic!("{login} did not sign in: {}", other.name()),
    }
}

fn rule_of(e: &Error) -> Option<Rule> {
    match e {
        Error::RuleViolation { rule } => Some(*rule),
        _ => None,
    }
}

const CM: RoleSet = RoleSet::EMPTY.with(Role::ContactManager);
const SM: RoleSet = RoleSet::EMPTY.with(Role::SecurityManager);

// rule C7: the contact manager resets the security manager's password (a
// temporary one, or a secret after changing its email) to sign in as it.
#[test]
fn a_contact_manager_cannot_take_over_a_security_manager() {
    for_each_store(|f| {
        let (acct, _) = f.account("olga");
        let cm = member(&f, acct, "carl", CM);
        let sm = member(&f, acct, "sara", SM);
        let code = ErrorCode::RuleViolation;
        let e = f.refused(acct, &[], code, "C7", || {
            f.dir
                .reset_password(&c(cm), acct, sm, ManagerReset::TemporaryPassword)
        });
        assert_eq!(rule_of(&e), Some(Rule::C7MoreRoles));
        f.refused(acct, &[], code, "C7", || {
            f.dir.reset_password(
                &c(cm),
                acct,
                sm,
                ManagerReset::SendSecret(RecoveryChannel::Email),
            )
        });
        for update in [
            ProfileUpdate {
                email: Some("carl-owns-this@example.com".into()),
                ..Default::default()
            },
            ProfileUpdate {
                alternate_email: Some(Some("carl@example.com".into())),
                ..Default::default()
            },
            ProfileUpdate {
                cell_phone: Some(Some("+1 555 0100".into())),
                ..Default::default()
            },
        ] {
            f.refused(acct, &[], code, "C7", || {
                f.dir.update_contact(&c(cm), acct, sm, &update)
            });
        }
        f.refused(acct, &[], code, "C7", || {
            f.dir.reset_two_factor(&c(cm), acct, sm)
        });
        f.refused(acct, &[], code, "C7", || {
            f.dir.set_must_change_password(&c(cm), acct, sm, true)
        });
        // The security manager still signs in with its own password.
        session(&f, "sara");
        // Honest use: its profile's other fields, and contacts with no role
        // it lacks, stay the contact manager's to manage.
        f.dir
            .update_contact(&c(cm), acct, sm, &rename("Sara S."))
            .unwrap();
        let plain = member(&f, acct, "pat", RoleSet::EMPTY);
        let temporary = f
            .dir
            .reset_password(&c(cm), acct, plain, ManagerReset::TemporaryPassword)
            .unwrap()
            .unwrap();
        assert!(matches!(
            sign_in(&f, "pat", temporary.expose()),
            SignInOutcome::PasswordChangeRequired(_)
        ));
        // A manager holding both roles may act on either.
        let both = member(&f, acct, "bea", CM.union(SM));
        f.dir
            .reset_password(&c(both), acct, sm, ManagerReset::TemporaryPassword)
            .unwrap();
    });
}

// rule C7, E5: the manager of account B ends the automatic lock that
// protects a login shared with account A, or resets its password.
#[test]
fn a_manager_of_one_account_cannot_reach_a_shared_logins_credentials() {
    for_each_store(|f| {
        let (a, _) = f.account("alice");
        let (b, bob) = f.account("bob");
        let shared = member(&f, a, "sam", RoleSet::EMPTY);
        f.dir
            .add_existing_contact(&Actor::System, b, "sam", RoleSet::EMPTY, &TechScope::All)
            .unwrap();
        f.dir
            .set_lock_policy(&Actor::System, a, Some(LockPolicy { max_attempts: 3 }))
            .unwrap();
        for _ in 0..4 {
            sign_in(&f, "sam", "guessing-wrong");
        }
        assert!(matches!(
            sign_in(&f, "sam", PASSWORD),
            SignInOutcome::Locked(_)
        ));
        let code = ErrorCode::RuleViolation;
        let e = f.refused(b, &[a], code, "C7", || {
            f.dir.unlock_contact(&c(bob), b, shared)
        });
        assert_eq!(rule_of(&e), Some(Rule::C7SharedLogin));
        assert!(matches!(
            sign_in(&f, "sam", PASSWORD),
            SignInOutcome::Locked(_)
        ));
        f.refused(b, &[a], code, "C7", || {
            f.dir
                .reset_password(&c(bob), b, shared, ManagerReset::TemporaryPassword)
        });
        f.refused(b, &[a], code, "C7", || {
            f.dir.reset_two_factor(&c(bob), b, shared)
        });
        // B's manual lock is B's own: B sets and ends it, and the automatic
        // lock stays.
        f.dir.lock_contact(&c(bob), b, shared).unwrap();
        f.dir.unlock_contact(&c(bob), b, shared).unwrap();
        assert!(matches!(
            sign_in(&f, "sam", PASSWORD),
            SignInOutcome::Locked(_)
        ));
        // The host ends it.
        f.dir.unlock_contact(&Actor::System, a, shared).unwrap();
        assert!(matches!(
            sign_in(&f, "sam", PASSWORD),
            SignInOutcome::AccountRequired(_)
        ));
        // Unlocked, B's unlock is refused just the same: its answer does not
        // tell B whether someone is guessing at the login.
        let e = f.refused(b, &[a], code, "C7", || {
            f.dir.unlock_contact(&c(bob), b, shared)
        });
        assert_eq!(rule_of(&e), Some(Rule::C7SharedLogin));
    });
}

// rule A3: a contact locked by hand is made owner, after which nobody but
// the host could unlock it (A6).
#[test]
fn ownership_never_goes_to_a_contact_locked_by_hand() {
    for_each_store(|f| {
        let (acct, owner) = f.account("olga");
        let bob = member(&f, acct, "bob", CM);
        f.dir.lock_contact(&c(owner), acct, bob).unwrap();
        let e = f.refused(acct, &[], ErrorCode::RuleViolation, "A3", || {
            f.dir.transfer_ownership(&c(owner), acct, bob)
        });
        assert_eq!(rule_of(&e), Some(Rule::A3LockedOrPending));
        let desk = Actor::support_desk("jo", "ticket 7: owner left the company");
        f.refused(acct, &[], ErrorCode::RuleViolation, "A3", || {
            f.dir.transfer_ownership(&desk, acct, bob)
        });
        f.dir.unlock_contact(&c(owner), acct, bob).unwrap();
        f.dir.transfer_ownership(&c(owner), acct, bob).unwrap();
    });
}

// rule D8: a stolen session (signed in, no password) replaces the
// contact's second factor, or resets it.
#[test]
fn a_session_alone_never_replaces_a_second_factor() {
    for_each_store(|f| {
        let (acct, _) = f.account("olga");
        let sm = member(&f, acct, "sara", SM);
        let token = session(&f, "sara");
        let e = f
            .dir
            .begin_enrollment_with_session(&token, TwoFactorMethod::Email, None)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Unauthenticated);
        let e = f
            .dir
            .confirm_enrollment_with_session(&token, "000000")
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Unauthenticated);
        let actor = f.dir.session_actor(&token).unwrap();
        let e = f.refused(acct, &[], ErrorCode::RuleViolation, "D8", || {
            f.dir.reset_two_factor(&actor, acct, sm)
        });
        assert_eq!(rule_of(&e), Some(Rule::D8OwnSecondFactor));
        // With the password, the contact enrolls.
        let wrong = f.dir.begin_two_factor_enrollment(
            &actor,
            acct,
            TwoFactorMethod::Email,
            None,
            &Password::new("not-the-password"),
        );
        assert_eq!(wrong.unwrap_err().code(), ErrorCode::InvalidCredentials);
        f.dir
            .begin_two_factor_enrollment(
                &actor,
                acct,
                TwoFactorMethod::Email,
                None,
                &Password::new(PASSWORD),
            )
            .unwrap();
    });
}

// rule D8: a stolen session changes the contact's recovery channels (its
// alternate email, its cell phone), then resets the password through them.
#[test]
fn a_session_alone_never_changes_a_recovery_channel() {
    for_each_store(|f| {
        let (acct, _) = f.account("olga");
        let pat = member(&f, acct, "pat", RoleSet::EMPTY);
        let actor = f.dir.session_actor(&session(&f, "pat")).unwrap();
        for update in [
            ProfileUpdate {
                alternate_email: Some(Some("thief@example.com".into())),
                ..Default::default()
            },
            ProfileUpdate {
                cell_phone: Some(Some("+1 555 0199".into())),
                ..Default::default()
            },
            ProfileUpdate {
                email: Some("thief@example.com".into()),
                ..Default::default()
            },
        ] {
            let e = f
                .dir
                .update_contact(&actor, acct, pat, &update)
                .unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidCredentials);
            let with_password = ProfileUpdate {
                current_password: Some(Password::new(PASSWORD)),
                ..update
            };
            f.dir
                .update_contact(&actor, acct, pat, &with_password)
                .unwrap();
        }
        // Fields that are not channels need no password.
        f.dir
            .update_contact(&actor, acct, pat, &rename("Pat P."))
            .unwrap();
    });
}

// rule D8: once the password, the email or the second factor changes, a
// session stolen before keeps no access.
#[test]
fn a_new_email_or_second_factor_ends_every_session() {
    for_each_store(|f| {
        let (acct, owner) = f.account("olga");
        let pat = member(&f, acct, "pat", RoleSet::EMPTY);
        let stolen = session(&f, "pat");
        let actor = c(pat);
        f.dir
            .update_contact(
                &actor,
                acct,
                pat,
                &ProfileUpdate {
                    email: Some("pat.new@example.com".into()),
                    current_password: Some(Password::new(PASSWORD)),
                    ..Default::default()
                },
            )
            .unwrap();
        let e = f.dir.authenticate(&stolen).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Unauthenticated);
        // A reset of the second factor by a manager ends them too.
        let stolen = session(&f, "pat");
        f.dir.reset_two_factor(&c(owner), acct, pat).unwrap();
        assert!(f.dir.authenticate(&stolen).is_err());
    });
}

// rule D7: a contact manager resets its own password: a secret to its own
// channels, never a temporary password it would then know.
#[test]
fn a_contact_manager_resets_its_own_password_only_by_a_secret() {
    for_each_store(|f| {
        let (acct, _) = f.account("olga");
        let cm = member(&f, acct, "carl", CM);
        let e = f.refused(acct, &[], ErrorCode::RuleViolation, "D8", || {
            f.dir
                .reset_password(&c(cm), acct, cm, ManagerReset::TemporaryPassword)
        });
        assert_eq!(rule_of(&e), Some(Rule::D8OwnPassword));
        f.notifier.take();
        let sent = f
            .dir
            .reset_password(
                &c(cm),
                acct,
                cm,
                ManagerReset::SendSecret(RecoveryChannel::Email),
            )
            .unwrap();
        assert!(sent.is_none());
        let notes = f.notifier.take();
        let note = notes.iter().find(|n| n.secret.is_some()).unwrap();
        assert_eq!(note.recipient, cm);
        assert_eq!(note.to, vec!["carl@example.com".to_owned()]);
    });
}

// rule B1: a manager enumerates logins with "check login" to find the
// accounts' contacts, then targets them.
#[test]
fn check_login_is_audited_and_bounded_per_actor() {
    for_each_store(|f| {
        let (acct, _) = f.account("olga");
        let (other, _) = f.account("victor");
        let cm = member(&f, acct, "carl", CM);
        assert!(f.dir.check_login(&c(cm), acct, "victor").unwrap());
        let entry = f.last_audit(acct);
        assert_eq!(entry.operation, Operation::LoginCheck);
        assert_eq!(entry.outcome, Outcome::Success);
        let text = format!("{:?} {:?}", entry.target, entry.detail);
        assert!(
            !text.contains("victor"),
            "the login typed is not logged: {text}"
        );
        for i in 1..contacts::LOGIN_CHECKS_PER_HOUR {
            f.dir
                .check_login(&c(cm), acct, &format!("guess{i}"))
                .unwrap();
        }
        let e = f.refused(acct, &[other], ErrorCode::RuleViolation, "B1", || {
            f.dir.check_login(&c(cm), acct, "victor")
        });
        assert_eq!(rule_of(&e), Some(Rule::B1CheckLimit));
        // The bound is the actor's: another manager still checks.
        let sm = member(&f, acct, "sara", SM);
        assert!(!f.dir.check_login(&c(sm), acct, "nobody-here").unwrap());
        // An hour later the actor checks again.
        f.clock.advance(time::Duration::minutes(61));
        assert!(f.dir.check_login(&c(cm), acct, "victor").unwrap());
    });
}

// rule B7, E2: the owner of account B adopts a login of account A without
// its consent, reads its details, and with a lock policy of one attempt
// locks it out of every account it has.
#[test]
fn a_login_joins_another_account_only_by_accepting() {
    for_each_store(|f| {
        let (a, _) = f.account("alice");
        let (b, bob) = f.account("bob");
        let victim = member(&f, a, "vera", SM);
        f.notifier.take();
        let added = f
            .dir
            .add_existing_contact(&c(bob), b, "vera", CM, &TechScope::All)
            .unwrap();
        assert!(added.pending && added.contact == victim);
        // The contact is told, and nothing else changed for it.
        let told = f.notifier.take();
        assert!(told
            .iter()
            .any(|n| n.recipient == victim && n.fields == vec!["invitation".to_owned()]));
        // B sees only the login and the roles offered.
        let pending = f.dir.pending_invitations(&c(bob), b).unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!((pending[0].login.as_str(), pending[0].roles), ("vera", CM));
        let e = f.dir.contact(&c(bob), b, victim).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound);
        assert!(f
            .dir
            .list_contacts(&c(bob), b, None, 100)
            .unwrap()
            .iter()
            .all(|v| v.id != victim));
        // B's policies do not reach it (E2: accepted memberships only).
        f.dir
            .set_lock_policy(&c(bob), b, Some(LockPolicy { max_attempts: 1 }))
            .unwrap();
        for _ in 0..2 {
            sign_in(&f, "vera", "guessing wrong");
        }
        session(&f, "vera");
        // Nor can B act on it, nor make it its owner (A3).
        let code = ErrorCode::RuleViolation;
        f.refused(b, &[a], code, "A3", || {
            f.dir.transfer_ownership(&c(bob), b, victim)
        });
        let desk = Actor::support_desk("jo", "ticket 12: new owner");
        f.refused(b, &[a], code, "A3", || {
            f.dir.transfer_ownership(&desk, b, victim)
        });
        assert_eq!(
            f.dir
                .reset_password(&c(bob), b, victim, ManagerReset::TemporaryPassword)
                .unwrap_err()
                .code(),
            ErrorCode::NotFound
        );
        // Only the contact answers, once.
        let e = f.refused(b, &[a], code, "B7", || f.dir.accept_invitation(&c(bob), b));
        assert_eq!(rule_of(&e), Some(Rule::B7NotInvited));
        let mine = f.dir.invitations(&c(victim)).unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!((mine[0].account, mine[0].roles), (b, CM));
        f.dir.decline_invitation(&c(victim), b).unwrap();
        f.refused(b, &[a], code, "B7", || {
            f.dir.accept_invitation(&c(victim), b)
        });
        assert!(f.dir.pending_invitations(&c(bob), b).unwrap().is_empty());
        // Invited again, it lets the invitation expire (14 days).
        f.dir
            .add_existing_contact(&c(bob), b, "vera", CM, &TechScope::All)
            .unwrap();
        f.clock.advance(INVITATION_LIFETIME);
        let e = f.refused(b, &[a], code, "B7", || {
            f.dir.accept_invitation(&c(victim), b)
        });
        assert_eq!(rule_of(&e), Some(Rule::B7Expired));
        assert!(f.dir.invitations(&c(victim)).unwrap().is_empty());
        // A fresh one, accepted: now a member of both, with B's roles.
        f.dir
            .add_existing_contact(&c(bob), b, "vera", CM, &TechScope::All)
            .unwrap();
        f.dir.accept_invitation(&c(victim), b).unwrap();
        assert_eq!(roles_of(&f, b, victim), CM);
        assert_eq!(f.dir.contact(&c(bob), b, victim).unwrap().accounts, 2);
        f.refused(b, &[a], code, "B7", || {
            f.dir.accept_invitation(&c(victim), b)
        });
    });
}

// rule B7, B1: invitations answer as check login does, and count against
// the same per-actor bound, so they cannot enumerate logins either.
#[test]
fn invitations_count_against_the_login_checks() {
    for_each_store(|f| {
        let (b, bob) = f.account("bob");
        let e = f.refused(b, &[], ErrorCode::NotFound, "K1", || {
            f.dir
                .add_existing_contact(&c(bob), b, "nobody", RoleSet::EMPTY, &TechScope::All)
        });
        assert_eq!(
            e,
            Error::NotFound {
                entity: Entity::Login
            }
        );
        for i in 0..contacts::LOGIN_CHECKS_PER_HOUR - 1 {
            f.dir.check_login(&c(bob), b, &format!("guess{i}")).unwrap();
        }
        f.refused(b, &[], ErrorCode::RuleViolation, "B1", || {
            f.dir
                .add_existing_contact(&c(bob), b, "nobody", RoleSet::EMPTY, &TechScope::All)
        });
        // A pending invitation withdrawn by the account is gone for both.
        f.clock.advance(time::Duration::hours(2));
        let (a, _) = f.account("alice");
        let pat = member(&f, a, "pat", RoleSet::EMPTY);
        f.dir
            .add_existing_contact(&c(bob), b, "pat", RoleSet::EMPTY, &TechScope::All)
            .unwrap();
        f.dir.delete_contact(&c(bob), b, pat).unwrap();
        assert!(f.dir.invitations(&c(pat)).unwrap().is_empty());
        f.refused(b, &[a], ErrorCode::RuleViolation, "B7", || {
            f.dir.accept_invitation(&c(pat), b)
        });
    });
}

// rule F1, C7: a manager sets another contact's 2FA method and phone (the
// seed's Login options) to take over its second factor: only within C7,
// and the contact still enrolls the factor itself.
#[test]
fn a_manager_sets_another_contacts_second_factor_only_within_c7() {
    for_each_store(|f| {
        let (acct, owner) = f.account("olga");
        let cm = member(&f, acct, "carl", CM);
        let sm = member(&f, acct, "sara", SM);
        let pat = member(&f, acct, "pat", RoleSet::EMPTY);
        let code = ErrorCode::RuleViolation;
        let sms = TwoFactorMethod::Sms;
        f.refused(acct, &[], code, "C7", || {
            f.dir
                .set_two_factor_method(&c(cm), acct, sm, sms, Some("+1 555 0100"))
        });
        f.refused(acct, &[], code, "A6", || {
            f.dir
                .set_two_factor_method(&c(cm), acct, owner, sms, Some("+1 555 0100"))
        });
        f.refused(acct, &[], code, "D8", || {
            f.dir
                .set_two_factor_method(&c(cm), acct, cm, sms, Some("+1 555 0100"))
        });
        let e = f.refused(acct, &[], ErrorCode::InvalidInput, "F1", || {
            f.dir.set_two_factor_method(&c(cm), acct, pat, sms, None)
        });
        assert_eq!(
            e,
            Error::InvalidInput {
                field: Field::TwoFactorPhone,
                problem: Problem::Missing
            }
        );
        let stolen = session(&f, "pat");
        f.dir
            .set_two_factor_method(&c(cm), acct, pat, sms, Some("+1 555 0142"))
            .unwrap();
        assert!(
            f.dir.authenticate(&stolen).is_err(),
            "its sessions end (D8)"
        );
        // The contact enrolls that method, at that phone, at its next sign-in.
        let SignInOutcome::EnrollmentRequired(g) = sign_in(&f, "pat", PASSWORD) else {
            panic!("pat enrolls first")
        };
        let e = f
            .dir
            .begin_enrollment_with_session(&g.token, TwoFactorMethod::Email, None)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        f.notifier.take();
        f.dir
            .begin_enrollment_with_session(&g.token, sms, Some("+1 555 0199"))
            .unwrap();
        let sent = f.notifier.take();
        let note = sent.iter().find(|n| n.secret.is_some()).unwrap();
        assert_eq!(note.to, vec!["+1 555 0142".to_owned()]);
        let code = note.secret.clone().unwrap();
        let o = f
            .dir
            .confirm_enrollment_with_session(&g.token, code.expose())
            .unwrap();
        assert!(matches!(o, SignInOutcome::SignedIn(_)));
        // Enrolled, it signs in with its second factor.
        assert!(matches!(
            sign_in(&f, "pat", PASSWORD),
            SignInOutcome::SecondFactorRequired { .. }
        ));
        // A method set at a phone the contact cannot reach would hold it in
        // enrollment: a reset undoes the assignment, and it signs in again.
        let vic = member(&f, acct, "vic", RoleSet::EMPTY);
        f.dir
            .set_two_factor_method(&c(cm), acct, vic, sms, Some("+1 555 0666"))
            .unwrap();
        assert!(matches!(
            sign_in(&f, "vic", PASSWORD),
            SignInOutcome::EnrollmentRequired(_)
        ));
        f.dir.reset_two_factor(&c(sm), acct, vic).unwrap();
        session(&f, "vic");
    });
}

// rule C7, B7: account B invites a plain contact of account A as a
// contact manager; before the contact answers, A's contact manager resets
// its password, signs in as it, and accepts B's invitation for itself.
#[test]
fn a_manager_cannot_reach_a_contact_another_account_has_invited() {
    for_each_store(|f| {
        let (a, _) = f.account("alice");
        let (b, bob) = f.account("bob");
        let cm = member(&f, a, "carl", CM);
        let pat = member(&f, a, "pat", RoleSet::EMPTY);
        f.dir
            .add_existing_contact(&c(bob), b, "pat", CM, &TechScope::All)
            .unwrap();
        let code = ErrorCode::RuleViolation;
        let e = f.refused(a, &[b], code, "C7", || {
            f.dir
                .reset_password(&c(cm), a, pat, ManagerReset::TemporaryPassword)
        });
        assert_eq!(rule_of(&e), Some(Rule::C7SharedLogin));
        f.refused(a, &[b], code, "C7", || {
            f.dir.update_contact(
                &c(cm),
                a,
                pat,
                &ProfileUpdate {
                    email: Some("carl-again@example.com".into()),
                    ..Default::default()
                },
            )
        });
        f.refused(a, &[b], code, "C7", || {
            f.dir.reset_two_factor(&c(cm), a, pat)
        });
        // The contact itself answers the invitation, with its own password.
        session(&f, "pat");
        // Once the invitation is declined or has expired, pat is A's alone again.
        f.clock.advance(INVITATION_LIFETIME);
        f.dir
            .reset_password(&c(cm), a, pat, ManagerReset::TemporaryPassword)
            .unwrap();
    });
}

// rule C7, C4: a contact manager that administers only some of the plan's
// options takes over a technical administrator of all of them.
#[test]
fn a_narrow_technical_administrator_cannot_take_over_a_wider_one() {
    for_each_store(|f| {
        let (acct, olga) = f.account("olga");
        let ta = RoleSet::EMPTY.with(Role::TechnicalAdmin);
        let narrow = member(&f, acct, "nina", CM.union(ta));
        f.dir
            .set_roles(
                &c(olga),
                acct,
                narrow,
                CM.union(ta),
                &TechScope::only(["users"]),
            )
            .unwrap();
        let wide = member(&f, acct, "walt", ta);
        let code = ErrorCode::RuleViolation;
        let e = f.refused(acct, &[], code, "C7", || {
            f.dir
                .reset_password(&c(narrow), acct, wide, ManagerReset::TemporaryPassword)
        });
        assert_eq!(rule_of(&e), Some(Rule::C7MoreRoles));
        f.refused(acct, &[], code, "C7", || {
            f.dir.reset_two_factor(&c(narrow), acct, wide)
        });
        // Within its scope, it still manages technical administrators.
        let peer = member(&f, acct, "pia", ta);
        f.dir
            .set_roles(&c(olga), acct, peer, ta, &TechScope::only(["users"]))
            .unwrap();
        f.dir
            .reset_password(&c(narrow), acct, peer, ManagerReset::TemporaryPassword)
            .unwrap();
    });
}

// rule B1: a contact manager enumerates logins by creating contacts with
// them: "login taken" answers a check as surely as check login does.
#[test]
fn creating_contacts_cannot_enumerate_logins_past_the_bound() {
    for_each_store(|f| {
        let (a, _) = f.account("alice");
        member(&f, a, "vera", RoleSet::EMPTY);
        let (b, bob) = f.account("bob");
        let cm = member(&f, b, "carl", CM);
        let e = f.refused(b, &[a], ErrorCode::AlreadyExists, "K1", || {
            f.dir.create_contact(&c(cm), b, &new_contact("vera"))
        });
        assert_eq!(
            e,
            Error::AlreadyExists {
                entity: Entity::Login
            }
        );
        // New contacts do not spend the bound; taken logins do.
        f.dir
            .create_contact(&c(cm), b, &new_contact("fresh"))
            .unwrap();
        for i in 0..contacts::LOGIN_CHECKS_PER_HOUR - 2 {
            f.dir.check_login(&c(cm), b, &format!("guess{i}")).unwrap();
        }
        f.refused(b, &[a], ErrorCode::AlreadyExists, "K1", || {
            f.dir.create_contact(&c(cm), b, &new_contact("vera"))
        });
        // Spent: whether the login is taken or free, the answer is the same.
        for login in ["vera", "nobody-has-this"] {
            f.refused(b, &[a], ErrorCode::RuleViolation, "B1", || {
                f.dir.create_contact(&c(cm), b, &new_contact(login))
            });
        }
        // Another actor, and the host, are not bound by carl's checks.
        f.dir
            .create_contact(&c(bob), b, &new_contact("fresh2"))
            .unwrap();
        f.clock.advance(time::Duration::minutes(61));
        f.dir
            .create_contact(&c(cm), b, &new_contact("fresh3"))
            .unwrap();
    });
}

// rule B1, H5: a technical administrator (and billing manager), who may
// not check logins,
// enumerates them through New User: a resource with a new primary whose
// login is taken answers a check, and a duty that cannot be given must not
// answer one for free.
#[test]
fn new_user_for_a_duty_cannot_enumerate_logins_either() {
    for_each_store(|f| {
        let (a, _) = f.account("alice");
        member(&f, a, "vera", RoleSet::EMPTY);
        let (b, _) = f.account("bob");
        let ta = member(
            &f,
            b,
            "tina",
            RoleSet::of(&[Role::TechnicalAdmin, Role::BillingManager]),
        );
        let phone = |login: &str| {
            let mut n = new_contact(login);
            n.profile.business_phone = Some("+1 555 0100".into());
            n
        };
        // A duty that cannot be given answers alike for a taken and a free
        // login: no lookup happens.
        for login in ["vera", "nobody-has-this"] {
            let e = f.refused(b, &[a], ErrorCode::NotFound, "K1", || {
                f.dir.create_contact_with_duty(
                    &c(ta),
                    b,
                    &phone(login),
                    DutyTarget::Technical(ResourceId(7), Rank::Primary),
                )
            });
            assert_eq!(
                e,
                Error::NotFound {
                    entity: Entity::Resource
                }
            );
            f.refused(b, &[a], ErrorCode::RuleViolation, "H7", || {
                f.dir.create_contact_with_duty(
                    &c(ta),
                    b,
                    &phone(login),
                    DutyTarget::Billing(Rank::Secondary),
                )
            });
        }
        // Taken logins through add_resource_with_new_primary spend the
        // bound like check login does.
        for _ in 0..contacts::LOGIN_CHECKS_PER_HOUR {
            f.refused(b, &[a], ErrorCode::AlreadyExists, "K1", || {
                f.dir.add_resource_with_new_primary(
                    &c(ta),
                    b,
                    "computer",
                    "pc",
                    &phone("vera"),
                    None,
                )
            });
        }
        for login in ["vera", "nobody-has-this"] {
            f.refused(b, &[a], ErrorCode::RuleViolation, "B1", || {
                f.dir.add_resource_with_new_primary(
                    &c(ta),
                    b,
                    "computer",
                    "pc",
                    &phone(login),
                    None,
                )
            });
            f.refused(b, &[a], ErrorCode::RuleViolation, "B1", || {
                f.dir.create_contact_with_duty(
                    &c(ta),
                    b,
                    &phone(login),
                    DutyTarget::Billing(Rank::Primary),
                )
            });
        }
    });
}

// rule B7, C6, C3: an invitation outlives the power of the one who sent
// it. A contact manager invites a login as contact manager, is demoted (or
// removed), and the invited login, or whoever holds it, accepts anyway; or
// the account fills its plan meanwhile, and the acceptance is a charge no
// procurement manager approved.
#[test]
fn an_invitation_stands_only_while_its_sender_could_still_send_it() {
    for_each_store(|f| {
        let (a, _) = f.account("alice");
        let mut new = NewAccount::new("Bobco", new_contact("bob"));
        new.plan.included_contacts = 3;
        new.plan.additional_contact_price = Money::new(900, "EUR");
        let created = f.dir.create_account(&Actor::System, &new).unwrap();
        let (b, bob) = (created.account, created.owner);
        let cm = member(&f, b, "carl", CM);
        let pat = member(&f, a, "pat", RoleSet::EMPTY);
        let vic = member(&f, a, "vic", RoleSet::EMPTY);
        for login in ["pat", "vic"] {
            f.dir
                .add_existing_contact(&c(cm), b, login, CM, &TechScope::All)
                .unwrap();
        }
        // Demoted: its invitations no longer stand.
        f.dir
            .set_roles(&c(bob), b, cm, RoleSet::EMPTY, &TechScope::All)
            .unwrap();
        let code = ErrorCode::RuleViolation;
        let e = f.refused(b, &[a], code, "B7", || f.dir.accept_invitation(&c(pat), b));
        assert_eq!(rule_of(&e), Some(Rule::B7Withdrawn));
        // Restored, the invitation stands again until it expires.
        f.dir
            .set_roles(&c(bob), b, cm, CM, &TechScope::All)
            .unwrap();
        f.dir.accept_invitation(&c(pat), b).unwrap();
        assert_eq!(roles_of(&f, b, pat), CM);
        // The plan is full now (bob, carl, pat), and procurement mode asks a
        // procurement manager for the fourth contact: carl's invitation of
        // vic no longer suffices, while the owner's would.
        f.dir.set_procurement(&Actor::System, b, true).unwrap();
        let e = f.refused(b, &[a], code, "B7", || f.dir.accept_invitation(&c(vic), b));
        assert_eq!(rule_of(&e), Some(Rule::B7Withdrawn));
        f.dir.decline_invitation(&c(vic), b).unwrap();
        f.dir
            .add_existing_contact(&c(bob), b, "vic", CM, &TechScope::All)
            .unwrap();
        f.dir.accept_invitation(&c(vic), b).unwrap();
        // Removed from the account: nothing it sent stands.
        let (d, dora) = f.account("dora");
        let dm = member(&f, d, "dan", CM);
        let wes = member(&f, a, "wes", RoleSet::EMPTY);
        f.dir
            .add_existing_contact(&c(dm), d, "wes", CM, &TechScope::All)
            .unwrap();
        f.dir.delete_contact(&c(dora), d, dm).unwrap();
        let e = f.refused(d, &[a], code, "B7", || f.dir.accept_invitation(&c(wes), d));
        assert_eq!(rule_of(&e), Some(Rule::B7Withdrawn));
    });
}

// rule B7: invitations are bounded on both sides, so that neither a login
// nor an account grows without bound; the bound is a typed refusal, and the
// invited contact frees its side by declining.
#[test]
fn invitations_are_bounded_for_the_login_and_for_the_account() {
    for_each_store(|f| {
        let (home, _) = f.account("home");
        let pat = member(&f, home, "pat", RoleSet::EMPTY);
        let mut owners = Vec::new();
        for i in 0..=contacts::MAX_INVITATIONS {
            owners.push(f.account(&format!("owner{i}")));
        }
        for (acct, owner) in &owners[..contacts::MAX_INVITATIONS] {
            f.dir
                .add_existing_contact(&c(*owner), *acct, "pat", RoleSet::EMPTY, &TechScope::All)
                .unwrap();
        }
        let (last, last_owner) = owners[contacts::MAX_INVITATIONS];
        let invite = || {
            f.dir
                .add_existing_contact(&c(last_owner), last, "pat", RoleSet::EMPTY, &TechScope::All)
        };
        let e = f.refused(last, &[home], ErrorCode::RuleViolation, "B7", invite);
        assert_eq!(rule_of(&e), Some(Rule::B7InvitationLimit));
        f.dir.decline_invitation(&c(pat), owners[0].0).unwrap();
        invite().unwrap();
        // One account sends at most as many, its checks' bound aside.
        let (b, bob) = f.account("bob");
        for i in 0..contacts::MAX_INVITATIONS {
            if i > 0 && i % (contacts::LOGIN_CHECKS_PER_HOUR - 1) == 0 {
                f.clock.advance(time::Duration::minutes(61));
            }
            let login = format!("guest{i}");
            member(&f, home, &login, RoleSet::EMPTY);
            f.dir
                .add_existing_contact(&c(bob), b, &login, RoleSet::EMPTY, &TechScope::All)
                .unwrap();
        }
        member(&f, home, "one-more", RoleSet::EMPTY);
        let e = f.refused(b, &[home], ErrorCode::RuleViolation, "B7", || {
            f.dir
                .add_existing_contact(&c(bob), b, "one-more", RoleSet::EMPTY, &TechScope::All)
        });
        assert_eq!(rule_of(&e), Some(Rule::B7InvitationLimit));
    });
}

// rule C7, C6, C4: a contact manager and billing manager administering one
// option narrows the plan to that option, so that a wider scope looks like
// its own, takes over the wider administrator, widens its own scope, and
// puts the plan back.
#[test]
fn narrowing_the_plan_for_a_moment_widens_no_scope() {
    for_each_store(|f| {
        let (acct, olga) = f.account("olga");
        let ta = RoleSet::EMPTY.with(Role::TechnicalAdmin);
        let mine = CM.union(ta).with(Role::BillingManager);
        let nina = member(&f, acct, "nina", mine);
        let only_users = TechScope::only(["users"]);
        f.dir
            .set_roles(&c(olga), acct, nina, mine, &only_users)
            .unwrap();
        let walt = member(&f, acct, "walt", ta);
        let full = f.dir.account(&Actor::System, acct).unwrap().plan;
        let mut narrow = full.clone();
        narrow.tech_options = vec!["users".into()];
        f.dir.set_plan(&c(nina), acct, &narrow).unwrap();
        let code = ErrorCode::RuleViolation;
        let e = f.refused(acct, &[], code, "C7", || {
            f.dir
                .reset_password(&c(nina), acct, walt, ManagerReset::TemporaryPassword)
        });
        assert_eq!(rule_of(&e), Some(Rule::C7MoreRoles));
        f.refused(acct, &[], code, "C6", || {
            f.dir.set_roles(&c(nina), acct, nina, mine, &TechScope::All)
        });
        f.dir.set_plan(&c(nina), acct, &full).unwrap();
        assert_eq!(
            f.dir
                .contact(&Actor::System, acct, nina)
                .unwrap()
                .tech_scope,
            only_users
        );
    });
}

// rule C7: a partner holds no role, so it reaches the credentials only of
// contacts that hold none: it does not become the security manager by
// resetting its password or moving its email.
#[test]
fn a_partner_reaches_no_contact_holding_a_role() {
    for_each_store(|f| {
        let mut new = NewAccount::new("Acme", new_contact("olga"));
        new.plan = Plan::default();
        let created = f
            .dir
            .create_account(&Actor::partner("resel"), &new)
            .unwrap();
        let acct = created.account;
        let sm = member(&f, acct, "sara", SM);
        let pat = member(&f, acct, "pat", RoleSet::EMPTY);
        let partner = Actor::partner("resel");
        let code = ErrorCode::RuleViolation;
        let e = f.refused(acct, &[], code, "C7", || {
            f.dir
                .reset_password(&partner, acct, sm, ManagerReset::TemporaryPassword)
        });
        assert_eq!(rule_of(&e), Some(Rule::C7MoreRoles));
        f.refused(acct, &[], code, "C7", || {
            f.dir.update_contact(
                &partner,
                acct,
                sm,
                &ProfileUpdate {
                    email: Some("reseller@example.com".into()),
                    ..Default::default()
                },
            )
        });
        f.dir
            .reset_password(&partner, acct, pat, ManagerReset::TemporaryPassword)
            .unwrap();
    });
}

// rule B7, B1, E2: a partner or the support desk makes an existing login
// the owner of an account of its own, without its consent, to read its
// profile and lock it out of every account with a one-attempt policy; or
// to learn, without bound, which logins exist.
#[test]
fn only_the_host_makes_an_existing_login_the_owner_of_a_new_account() {
    for_each_store(|f| {
        let (a, _) = f.account("alice");
        let vera = member(&f, a, "vera", SM);
        for actor in [
            Actor::partner("resel"),
            Actor::support_desk("jo", "ticket 3"),
        ] {
            for login in ["vera", "nobody-has-this"] {
                let e = f
                    .dir
                    .create_account(
                        &actor,
                        &NewAccount {
                            name: "Trap".into(),
                            plan: Plan::default(),
                            owner: NewOwner::Existing(login.into()),
                        },
                    )
                    .unwrap_err();
                // The same answer whether the login exists or not.
                assert_eq!(rule_of(&e), Some(Rule::B7ExistingOwner), "{login}");
            }
        }
        assert_eq!(f.dir.contact(&Actor::System, a, vera).unwrap().accounts, 1);
        // The host may, as when it migrates accounts.
        let created = f
            .dir
            .create_account(
                &Actor::System,
                &NewAccount {
                    name: "Migrated".into(),
                    plan: Plan::default(),
                    owner: NewOwner::Existing("vera".into()),
                },
            )
            .unwrap();
        assert_eq!(created.owner, vera);
    });
}
