//! The operations of `second_factor`: the `impl Directory` methods of its SPEC section,
//! each loading its facts, applying the rules of `mod.rs` and committing
//! through the Directory's runner.

use super::{check_totp, otpauth_uri, Enrollment, EnrollmentStart, TwoFactorMethod};
use crate::audit::Operation;
use crate::contacts::check_phone;
use crate::credentials::{Password, SessionStage};
use crate::error::{AuthFailure, Entity, Error, Field, Rule};
use crate::ids::{AccountId, ContactId};
use crate::notify::ops::security_notice;
use crate::op::{Done, Op};
use crate::roles::{Access, Actor, Permission};
use crate::secret::Secret;
use crate::signin::ops::{auto_locked, device_for_stage, send_code};
use crate::signin::{next_stage, SessionGrant, SignInOutcome};
use crate::tx::Tx;
use crate::{lock, Directory};

impl Directory {
    /// Starts enrolling a second factor for oneself (F1); the current
    /// password is asked for again (D8). SMS and voice need the 2FA
    /// phone, which may differ from the cell phone. Finish with
    /// [`Directory::confirm_two_factor_enrollment`].
    pub fn begin_two_factor_enrollment(
        &self,
        actor: &Actor,
        account: AccountId,
        method: TwoFactorMethod,
        phone: Option<&str>,
        current_password: &Password,
    ) -> Result<EnrollmentStart, Error> {
        let op = Op::new(Operation::TwoFactorEnroll, account);
        let id = self.own_contact(actor, &op)?;
        let r = self
            .check_current_password(id, Some(current_password), None)
            .and_then(|()| self.start_enrollment(id, account, method, phone));
        if let Err(e) = &r {
            self.record_refusal(actor, &op.on(id), e);
        }
        r
    }

    /// Confirms an enrollment with a code from the new factor (F1).
    pub fn confirm_two_factor_enrollment(
        &self,
        actor: &Actor,
        account: AccountId,
        code: &str,
    ) -> Result<(), Error> {
        let op = Op::new(Operation::TwoFactorEnroll, account);
        let id = self.own_contact(actor, &op)?;
        self.finish_enrollment(id, account, code)
    }

    /// Starts enrolling from a session that must enroll (F3).
    pub fn begin_enrollment_with_session(
        &self,
        token: &Secret,
        method: TwoFactorMethod,
        phone: Option<&str>,
    ) -> Result<EnrollmentStart, Error> {
        let info = self.authenticate(token)?;
        // D8: a session alone never replaces a factor; a signed-in contact
        // enrolls with its password (begin_two_factor_enrollment).
        if info.stage != SessionStage::Enrollment {
            return Err(Error::unauthenticated(AuthFailure::StepRequired));
        }
        self.start_enrollment(info.contact, info.account, method, phone)
    }

    /// Confirms the enrollment of a session that had to enroll (F3); the
    /// session moves on to the next step, or is signed in.
    pub fn confirm_enrollment_with_session(
        &self,
        token: &Secret,
        code: &str,
    ) -> Result<SignInOutcome, Error> {
        let info = self.authenticate(token)?;
        if info.stage != SessionStage::Enrollment {
            return Err(Error::unauthenticated(AuthFailure::StepRequired));
        }
        self.finish_enrollment(info.contact, info.account, code)?;
        let key = crate::credentials::token_key(token.expose());
        let new_device = Secret::random_hex(32)?;
        let (stage, device_token) =
            self.transact(&Actor::Contact(info.contact).audit_label(), |tx| {
                let acc = tx.account(info.account)?.clone();
                let now = tx.now;
                let stage = next_stage(
                    &tx.contact(info.contact)?.credentials,
                    &acc.security,
                    now,
                    true,
                );
                let s = tx
                    .store()
                    .session(&key)?
                    .ok_or(Error::unauthenticated(AuthFailure::InvalidToken))?;
                // The enrolling session lives on; the contact's others ended
                // with the new factor (D8). Signed in now, it gets the device
                // token it asked for at sign-in (D10).
                let c = tx.contact_mut(info.contact)?;
                let contact_epoch = c.credentials.session_epoch;
                let (issued, device, remember_device) = device_for_stage(
                    &mut c.credentials,
                    stage,
                    s.device,
                    s.remember_device,
                    &new_device,
                    now,
                );
                tx.put_session(crate::credentials::SessionRecord {
                    stage,
                    contact_epoch,
                    device,
                    remember_device,
                    ..s
                });
                Ok((stage, issued))
            })?;
        let grant = SessionGrant {
            token: token.clone(),
            contact: info.contact,
            account: info.account,
            stage,
            expires_at: info.expires_at,
            device_token,
        };
        Ok(match stage {
            SessionStage::PasswordChange => SignInOutcome::PasswordChangeRequired(grant),
            SessionStage::Enrollment => SignInOutcome::EnrollmentRequired(grant),
            _ => SignInOutcome::SignedIn(grant),
        })
    }

    /// Sends a new code to a session waiting for its second factor
    /// (SMS, voice or email); the old code stops working.
    pub fn resend_second_factor_code(&self, token: &Secret) -> Result<(), Error> {
        let info = self.authenticate(token)?;
        if info.stage != SessionStage::SecondFactor {
            return Err(Error::unauthenticated(AuthFailure::StepRequired));
        }
        let code = Secret::random_digits(super::CODE_DIGITS)?;
        self.transact(&Actor::Contact(info.contact).audit_label(), |tx| {
            send_code(tx, info.contact, Some(info.account), "sign_in", &code)
        })
    }

    /// Resets another contact's second factor (F2): its enrollment, and
    /// any method a manager set for it, are cleared, audited and notified,
    /// and its sessions end (D8). The owner,
    /// contact managers and security managers; never the owner's (A6), nor
    /// that of a contact holding a role the manager lacks or shared with
    /// other accounts (C7). One's own is replaced by enrolling again, with
    /// the password (D8).
    pub fn reset_two_factor(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
    ) -> Result<(), Error> {
        let op = Op::new(Operation::TwoFactorReset, account)
            .on(contact)
            .needs(Permission::ResetTwoFactor);
        self.write(actor, op, |tx, access| {
            clear_others_factor(tx, &access, actor, account, contact)?;
            security_notice(tx, contact, account, "two_factor")?;
            Ok(Done::new(()).fields(["two_factor"]))
        })
    }

    /// Sets another contact's 2FA method and 2FA phone (F1, seed 004's Login
    /// options): its enrollment is cleared and it enrolls that method at
    /// its next sign-in (an authenticator secret is only ever shown to the
    /// contact itself); its sessions end (D8). The owner, contact managers
    /// and security managers, within C7 and never on the owner (A6); one's
    /// own factor is changed by enrolling again, with the password (D8).
    pub fn set_two_factor_method(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
        method: TwoFactorMethod,
        phone: Option<&str>,
    ) -> Result<(), Error> {
        let op = Op::new(Operation::TwoFactorAssign, account)
            .on(contact)
            .needs(Permission::ResetTwoFactor);
        self.write(actor, op, |tx, access| {
            clear_others_factor(tx, &access, actor, account, contact)?;
            let phone = factor_phone(method, phone)?;
            let mut fields = vec!["two_factor_method".to_owned()];
            if phone.is_some() {
                fields.push("two_factor_phone".to_owned());
            }
            let c = tx.contact_mut(contact)?;
            c.credentials.assigned_factor = Some(super::AssignedFactor { method, phone });
            crate::notify::ops::security_notice_fields(tx, contact, account, fields.clone())?;
            Ok(Done::new(()).fields(fields))
        })
    }

    /// What a contact's Login options tab shows of its second factor (I5):
    /// the method enrolled and its phone, a method a manager set, whether an
    /// enrollment is under way, whether the account requires one. One's
    /// own, or another contact's for those who may set it
    /// ([`Permission::ResetTwoFactor`]).
    pub fn two_factor_status(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
    ) -> Result<super::TwoFactorStatus, Error> {
        let op = Op::new(Operation::Read, account).on_contact(
            actor,
            contact,
            Permission::ResetTwoFactor,
        );
        self.read(actor, op, |tx, _| {
            tx.member(account, contact)?;
            let required = tx.account(account)?.security.require_two_factor;
            let c = tx.contact(contact)?;
            Ok(status_of(&c.credentials, required))
        })
    }

    /// Seals every authenticator secret of the account's contacts under the
    /// current sealing key (F1, key rotation), and any an earlier version
    /// stored in the clear; returns how many were sealed again. A host's
    /// maintenance call, like [`Directory::purge_throttle`]: after it has
    /// run for every account, the older keys may be dropped. Secrets are
    /// also sealed again whenever they are used.
    pub fn reseal_secrets(&self, account: AccountId) -> Result<usize, Error> {
        let keyring = self.keyring()?;
        let stale = |e: &Option<Enrollment>| {
            e.as_ref().is_some_and(|e| {
                e.totp_secret.is_some()
                    || e.sealed_secret
                        .as_ref()
                        .is_some_and(|s| keyring.is_stale(s))
            })
        };
        let mut resealed = 0;
        let mut after = None;
        loop {
            let page = self
                .store
                .members(account, after, crate::contacts::MAX_PAGE)?;
            let Some((last, _)) = page.last() else {
                break;
            };
            after = Some(last.contact);
            for (_, c) in &page {
                let creds = &c.credentials;
                if !stale(&creds.second_factor) && !stale(&creds.pending_enrollment) {
                    continue;
                }
                let id = c.id;
                self.transact("system", |tx| {
                    let c = &mut tx.contact_mut(id)?.credentials;
                    for e in [&mut c.second_factor, &mut c.pending_enrollment]
                        .into_iter()
                        .flatten()
                    {
                        keyring.totp_secret(id, e)?;
                    }
                    Ok(())
                })?;
                resealed += 1;
            }
        }
        Ok(resealed)
    }

    /// Requires (or stops requiring) a second factor of every contact
    /// of the account (F3). Security managers and the owner.
    pub fn set_require_two_factor(
        &self,
        actor: &Actor,
        account: AccountId,
        required: bool,
    ) -> Result<(), Error> {
        self.set_security_policy(actor, account, "require_two_factor", |security, _| {
            security.require_two_factor = required;
            Ok(Some(format!("required: {required}")))
        })
    }

    fn start_enrollment(
        &self,
        id: ContactId,
        account: AccountId,
        method: TwoFactorMethod,
        phone: Option<&str>,
    ) -> Result<EnrollmentStart, Error> {
        let c = self
            .store
            .contact(id)?
            .ok_or(Error::not_found(Entity::Contact))?;
        // F1: a method a manager set is the one enrolled, at its phone.
        let phone = match &c.credentials.assigned_factor {
            Some(a) if a.method != method => {
                return Err(Error::invalid(
                    Field::TwoFactorMethod,
                    crate::error::Problem::NotOffered,
                ))
            }
            Some(a) => a.phone.clone(),
            None => factor_phone(method, phone)?,
        };
        let mut secret = None;
        if method == TwoFactorMethod::Totp {
            let mut raw = vec![0u8; 20];
            getrandom::fill(&mut raw).map_err(|_| Error::RandomUnavailable)?;
            secret = Some(raw);
        }
        let code = Secret::random_digits(super::CODE_DIGITS)?;
        // F1: the secret is stored only sealed.
        let sealed = match &secret {
            Some(raw) => Some(self.keyring()?.seal_totp(id, raw)?),
            None => None,
        };
        self.transact(&Actor::Contact(id).audit_label(), |tx| {
            let now = tx.now;
            tx.contact_mut(id)?.credentials.pending_enrollment = Some(Enrollment {
                method,
                sealed_secret: sealed.clone(),
                totp_secret: None,
                phone: phone.clone(),
                last_step: None,
                since: now,
            });
            send_code(tx, id, Some(account), "enroll", &code)
        })?;
        Ok(EnrollmentStart {
            method,
            otpauth_uri: secret
                .as_ref()
                .map(|s| Secret::new(otpauth_uri("contactkeeper", &c.login, s))),
            secret_base32: secret
                .as_ref()
                .map(|s| Secret::new(data_encoding::BASE32_NOPAD.encode(s))),
        })
    }

    fn finish_enrollment(
        &self,
        id: ContactId,
        account: AccountId,
        code: &str,
    ) -> Result<(), Error> {
        let limit = self.lock_limit(id)?;
        let actor = Actor::Contact(id);
        let op = Op::new(Operation::TwoFactorEnroll, account).on(id);
        let ok = self.run(&actor, &op, |tx| {
            let now = tx.now;
            let c = tx.contact_mut(id)?;
            let Some(mut e) = c.credentials.pending_enrollment.clone() else {
                return Err(Error::refused(Rule::F1NotEnrolled));
            };
            let ok = match e.method {
                TwoFactorMethod::Totp => match self.keyring()?.totp_secret(id, &mut e)? {
                    Some(secret) => check_totp(&secret, &mut e, code, now),
                    None => false,
                },
                _ => crate::signin::take_code(&mut c.credentials.pending_code, code, now, "enroll"),
            };
            if !ok {
                // E8: a wrong code counts as a failed attempt (and D5's).
                if let Some(l) = lock::count_failure(&mut c.credentials, limit, now) {
                    auto_locked(tx, id, l)?;
                }
                crate::signin::ops::throttle_code_failure(tx, id, self.throttle_attempts)?;
                return Ok(Done::unrecorded(false));
            }
            e.since = now;
            c.credentials.second_factor = Some(e);
            c.credentials.pending_enrollment = None;
            c.credentials.assigned_factor = None;
            // D8: a new factor ends every session.
            c.credentials.session_epoch = c.credentials.session_epoch.wrapping_add(1);
            security_notice(tx, id, account, "two_factor")?;
            Ok(Done::new(true).fields(["two_factor"]))
        })?;
        if ok {
            Ok(())
        } else {
            let e = Error::unauthenticated(AuthFailure::InvalidCode);
            self.record_refusal(&actor, &op, &e);
            Err(e)
        }
    }
}

/// The 2FA phone a method needs (F1): SMS and voice need one, validated;
/// the other methods none.
fn factor_phone(method: TwoFactorMethod, phone: Option<&str>) -> Result<Option<String>, Error> {
    match method {
        TwoFactorMethod::Sms | TwoFactorMethod::Voice => Ok(Some(check_phone(
            Field::TwoFactorPhone,
            phone.ok_or(Error::invalid(
                Field::TwoFactorPhone,
                crate::error::Problem::Missing,
            ))?,
        )?)),
        _ => Ok(None),
    }
}

/// What a manager's change of another contact's second factor checks and
/// does first (F1, F2): a member, not oneself (D8), not the owner (A6),
/// within C7; then its enrollment is cleared and its sessions end (D8).
/// What the Login options tab shows of these credentials (I5).
fn status_of(c: &crate::credentials::Credentials, required: bool) -> super::TwoFactorStatus {
    super::TwoFactorStatus {
        method: c.second_factor.as_ref().map(|e| e.method),
        phone: c.second_factor.as_ref().and_then(|e| e.phone.clone()),
        assigned: c.assigned_factor.clone(),
        enrollment_pending: c.pending_enrollment.is_some(),
        required,
    }
}

fn clear_others_factor(
    tx: &mut Tx<'_>,
    access: &Access,
    actor: &Actor,
    account: AccountId,
    contact: ContactId,
) -> Result<(), Error> {
    tx.member(account, contact)?;
    if actor.contact_id() == Some(contact) {
        return Err(Error::refused(Rule::D8OwnSecondFactor));
    }
    tx.guard_owner(access, account, contact)?;
    tx.guard_takeover(access, account, contact)?;
    let c = &mut tx.contact_mut(contact)?.credentials;
    c.second_factor = None;
    c.pending_enrollment = None;
    c.pending_code = None;
    c.assigned_factor = None;
    c.session_epoch = c.session_epoch.wrapping_add(1);
    Ok(())
}
