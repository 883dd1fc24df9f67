//! The operations of `passwords`: the `impl Directory` methods of its SPEC section,
//! each loading its facts, applying the rules of `mod.rs` and committing
//! through the Directory's runner.

use zeroize::Zeroizing;

use crate::audit::Operation;
use crate::credentials::{
    check_new_password, Password, PasswordPolicy, SessionRecord, SessionStage,
};
use crate::error::{AuthFailure, Entity, Error, Field, Problem, Rule};
use crate::ids::{AccountId, ContactId};
use crate::lock::Reservation;
use crate::notify::ops::security_notice;
use crate::op::{Done, Op};
use crate::passwords::{ManagerReset, TEMPORARY_PASSWORD_LENGTH};
use crate::recovery::ops::install_password;
use crate::roles::{Actor, Permission};
use crate::secret::Secret;
use crate::signin::device;
use crate::signin::ops::{auto_locked, device_for_stage};
use crate::signin::{next_stage, SessionGrant, SignInOutcome};
use crate::tx::Tx;
use crate::{lock, Directory};

impl Directory {
    /// Checks a contact's current password again before a sensitive change
    /// (D8). It is a real credential check: a wrong one counts as a failed
    /// attempt and may lock the login (D9, E2); a locked login is refused
    /// without a check (E3). A contact with no password passes. From a
    /// session a valid device token made (`device`, D10), the attempt
    /// counts against that token instead, and the login's automatic lock
    /// does not refuse it, as at sign-in.
    pub(crate) fn check_current_password(
        &self,
        id: ContactId,
        password: Option<&Password>,
        device: Option<[u8; 32]>,
    ) -> Result<(), Error> {
        let Some(c) = self.store.contact(id)? else {
            return Err(Error::not_found(Entity::Contact));
        };
        if c.credentials.password_hash.is_none() {
            return Ok(());
        }
        let Some(password) = password else {
            return Err(Error::InvalidCredentials);
        };
        let label = Actor::Contact(id).audit_label();
        let limit = self.lock_limit(id)?;
        let bound = device::bound(limit, self.throttle_attempts);
        let (r, hash, via) = self.transact(&label, |tx| {
            let now = tx.now;
            let c = tx.contact_mut(id)?;
            let hash = c.credentials.password_hash.clone();
            let tokens = &mut c.credentials.device_tokens;
            let via = device.filter(|k| {
                device::find(tokens, k, now).is_some_and(|i| device::reserve(tokens, i, bound))
            });
            if via.is_some() {
                return Ok((Reservation::Check, hash, via));
            }
            let r = lock::reserve(&mut c.credentials, limit, now);
            if let Reservation::Locked(l, true) = r {
                auto_locked(tx, id, l)?;
            }
            Ok((r, hash, None))
        })?;
        if let Reservation::Locked(..) = r {
            return Err(Error::unauthenticated(AuthFailure::Locked));
        }
        let ok = match (password.normalized(0), hash) {
            (Ok(n), Some(h)) => self.hasher.verify(&n, &h),
            _ => false,
        };
        self.transact(&label, |tx| {
            let now = tx.now;
            let c = tx.contact_mut(id)?;
            if let Some(k) = via {
                // The token's reservation stays a failure, or is given back.
                if ok {
                    device::release(&mut c.credentials.device_tokens, &k);
                }
            } else if ok {
                lock::after_success(&mut c.credentials);
            } else if let Some(l) = lock::after_failure(&mut c.credentials, limit, now) {
                auto_locked(tx, id, l)?;
            }
            Ok(())
        })?;
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidCredentials)
        }
    }

    /// The strictest password policy among a contact's accounts (D2).
    pub(crate) fn password_policy_of(&self, id: ContactId) -> Result<PasswordPolicy, Error> {
        let mut policy = PasswordPolicy::default();
        for m in self.store.memberships_of(id)? {
            if let Some(a) = self.store.account(m.account)? {
                policy = policy.strictest(a.security.password);
            }
        }
        Ok(policy)
    }

    /// Checks a new password against the contact's policy and its recent
    /// passwords (D2), and hashes it, holding no store lock.
    pub(crate) fn hash_new_password(&self, id: ContactId, new: &Password) -> Result<String, Error> {
        let c = self
            .store
            .contact(id)?
            .ok_or(Error::not_found(Entity::Contact))?;
        let policy = self.password_policy_of(id)?;
        let n: Zeroizing<String> = check_new_password(new, &policy, &c.login_key)?;
        // "Not one of the last N passwords": the current one and N - 1 before it.
        let recent = c
            .credentials
            .password_hash
            .iter()
            .chain(c.credentials.password_history.iter())
            .take(policy.history as usize);
        for h in recent {
            if self.hasher.verify(&n, h) {
                return Err(Error::invalid(Field::Password, Problem::RecentlyUsed));
            }
        }
        self.hasher.hash(&n)
    }

    /// Changes one's own password (D2, D8): the current one is asked for
    /// again. Every session of the contact ends (D8).
    pub fn change_password(
        &self,
        actor: &Actor,
        account: AccountId,
        current: &Password,
        new: &Password,
    ) -> Result<(), Error> {
        let op = Op::new(Operation::PasswordChange, account);
        let prepare = |id| {
            self.check_current_password(id, Some(current), None)
                .and_then(|()| self.hash_new_password(id, new))
        };
        self.own_change(actor, op, prepare, |tx, id, hash| {
            install_password(tx, id, hash, false, "changed by the contact").map(Done::unrecorded)
        })
    }

    /// Changes the password from a session that must change it (D3, D4),
    /// or any session of the contact. Every session ends, and a new one
    /// starts at the next step.
    pub fn change_password_with_session(
        &self,
        token: &Secret,
        current: &Password,
        new: &Password,
    ) -> Result<SignInOutcome, Error> {
        let (info, old) = self.authenticate_record(token)?;
        if !matches!(
            info.stage,
            SessionStage::Full | SessionStage::PasswordChange
        ) {
            return Err(Error::unauthenticated(AuthFailure::StepRequired));
        }
        let id = info.contact;
        let actor = Actor::Contact(id);
        let hash = self
            .check_current_password(id, Some(current), old.device)
            .and_then(|()| self.hash_new_password(id, new));
        let hash = match hash {
            Ok(h) => h,
            Err(e) => {
                let op = Op::new(Operation::PasswordChange, info.account).on(id);
                self.record_refusal(&actor, &op, &e);
                return Err(e);
            }
        };
        let new_token = Secret::random_hex(32)?;
        let new_device = Secret::random_hex(32)?;
        let grant = self.transact(&actor.audit_label(), |tx| {
            // D10: the old session's device token, if it made it, ended
            // with the new password as every other did; the client gets a
            // new one once signed in, as it would have asked.
            let had_device = old.device.is_some() || old.remember_device;
            install_password(tx, id, &hash, false, "changed at sign-in")?;
            let now = tx.now;
            let acc = tx.account(info.account)?.clone();
            let c = tx.contact_mut(id)?;
            let stage = next_stage(&c.credentials, &acc.security, now, true);
            let (issued, device, remember_device) = device_for_stage(
                &mut c.credentials,
                stage,
                None,
                had_device,
                &new_device,
                now,
            );
            let epoch = c.credentials.session_epoch;
            let lock_epoch = c.credentials.lock_epoch;
            let m = tx
                .membership(info.account, id)?
                .ok_or(Error::unauthenticated(AuthFailure::Revoked))?;
            tx.put_session(SessionRecord {
                key: crate::credentials::token_key(new_token.expose()),
                contact: id,
                account: info.account,
                stage,
                ip: info.ip,
                created_at: now,
                last_seen_at: now,
                contact_epoch: epoch,
                membership_epoch: m.session_epoch,
                lock_epoch,
                device,
                remember_device,
            });
            Ok(SessionGrant {
                token: new_token.clone(),
                contact: id,
                account: info.account,
                stage,
                expires_at: now.saturating_add(self.sessions.absolute),
                device_token: issued,
            })
        })?;
        Ok(match grant.stage {
            SessionStage::Enrollment => SignInOutcome::EnrollmentRequired(grant),
            SessionStage::PasswordChange => SignInOutcome::PasswordChangeRequired(grant),
            _ => SignInOutcome::SignedIn(grant),
        })
    }

    /// A manager resets another contact's password (D7): by sending it a
    /// reset secret, or by setting a temporary password that the library
    /// generates and returns once, with "reset at next login" set (D4). The
    /// owner's password is the owner's alone (A6); a contact holding a role
    /// the manager lacks, or shared with other accounts, is refused (C7). A
    /// manager resetting its own password gets a reset secret at its own
    /// channels, never a temporary password (D7).
    pub fn reset_password(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
        how: ManagerReset,
    ) -> Result<Option<Password>, Error> {
        let temporary = match how {
            ManagerReset::TemporaryPassword => {
                let pw = Password::random(TEMPORARY_PASSWORD_LENGTH)?;
                let hash = self.hasher.hash(pw.expose())?;
                Some((pw, hash))
            }
            ManagerReset::SendSecret(_) => None,
        };
        let operation = match how {
            ManagerReset::TemporaryPassword => Operation::PasswordChange,
            ManagerReset::SendSecret(_) => Operation::PasswordResetRequest,
        };
        let op = Op::new(operation, account)
            .on(contact)
            .needs(Permission::ManageContacts);
        self.write(actor, op, |tx, access| {
            tx.member(account, contact)?;
            if actor.contact_id() == Some(contact) {
                if let ManagerReset::TemporaryPassword = how {
                    return Err(Error::refused(Rule::D8OwnPassword));
                }
            } else {
                tx.guard_owner(&access, account, contact)?;
                tx.guard_takeover(&access, account, contact)?;
            }
            match (&how, &temporary) {
                (ManagerReset::TemporaryPassword, Some((pw, hash))) => {
                    install_password(
                        tx,
                        contact,
                        hash,
                        true,
                        "temporary password set by a manager",
                    )?;
                    Ok(Done::unrecorded(Some(pw.clone())))
                }
                (ManagerReset::SendSecret(channel), _) => {
                    crate::recovery::ops::issue_reset_secret(tx, contact, *channel)?;
                    let by = match actor.contact_id() {
                        Some(id) if id == contact => "the contact",
                        _ => "a manager",
                    };
                    let detail = format!("sent by {by} to {}", channel.name());
                    Ok(Done::new(None).detail(Some(detail)))
                }
                _ => Ok(Done::unrecorded(None)),
            }
        })
    }

    /// Sets or clears a contact's "reset password at next login" flag (D4):
    /// a credential setting, so within C7 and never on the owner (A6).
    pub fn set_must_change_password(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
        must_change: bool,
    ) -> Result<(), Error> {
        let op = Op::new(Operation::PasswordChange, account)
            .on(contact)
            .needs(Permission::ManageContacts);
        self.write(actor, op, |tx, access| {
            tx.member(account, contact)?;
            tx.guard_owner(&access, account, contact)?;
            tx.guard_shared_profile(&access, contact)?;
            tx.guard_takeover(&access, account, contact)?;
            tx.contact_mut(contact)?.credentials.must_change = must_change;
            security_notice(tx, contact, account, "must_change_password")?;
            Ok(Done::new(())
                .fields(["must_change_password"])
                .detail(Some(format!("reset at next login: {must_change}"))))
        })
    }

    /// Tightens the account's password requirements (D2): they apply at
    /// each contact's next change. Security managers and the owner.
    pub fn set_password_policy(
        &self,
        actor: &Actor,
        account: AccountId,
        policy: PasswordPolicy,
    ) -> Result<(), Error> {
        self.set_security_policy(actor, account, "password_policy", |security, _| {
            let policy = policy.validated()?;
            security.password = policy;
            Ok(Some(format!(
                "min_length {}, history {}",
                policy.min_length, policy.history
            )))
        })
    }

    /// What a contact's General tab shows of its password (I5): when it
    /// expires, and whether it must be changed at the next sign-in. One's
    /// own, or another contact's for a contact manager.
    pub fn password_status(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
    ) -> Result<crate::passwords::PasswordStatus, Error> {
        let op = Op::new(Operation::Read, account).on_contact(
            actor,
            contact,
            Permission::ManageContacts,
        );
        self.read(actor, op, |tx, _| {
            tx.member(account, contact)?;
            let now = tx.now;
            let security = tx.account(account)?.security.clone();
            let c = tx.contact(contact)?;
            Ok(crate::passwords::PasswordStatus::of(
                &c.credentials,
                &security,
                now,
            ))
        })
    }

    /// The account's security policies (D2, E1, F3, G1), for anyone who
    /// may see the account.
    pub fn security_policy(
        &self,
        actor: &Actor,
        account: AccountId,
    ) -> Result<crate::accounts::SecurityPolicy, Error> {
        self.read(
            actor,
            Op::read(account, Permission::ViewAccount),
            |tx, _| Ok(tx.account(account)?.security.clone()),
        )
    }

    /// Requires every contact of the account to change its password at its
    /// next sign-in (D2). Security managers and the owner.
    pub fn require_password_change(&self, actor: &Actor, account: AccountId) -> Result<(), Error> {
        self.set_security_policy(actor, account, "force_password_change", |security, now| {
            security.force_change_before = Some(now);
            Ok(None)
        })
    }

    /// The contact behind an actor acting on its own settings in `account`,
    /// or the refusal (audited on that contact, when the actor is one).
    pub(crate) fn own_contact(&self, actor: &Actor, op: &Op) -> Result<ContactId, Error> {
        let result = match (actor, op.account) {
            (Actor::Contact(id), Some(account)) => self
                .access(actor, account)
                .and_then(|a| a.require(Permission::ManageOwnSettings))
                .map(|()| *id),
            _ => Err(Error::denied(Permission::ManageOwnSettings)),
        };
        if let Err(e) = &result {
            match actor.contact_id() {
                Some(id) => self.record_refusal(actor, &op.clone().on(id), e),
                None => self.record_refusal(actor, op, e),
            }
        }
        result
    }

    /// A change to one's own settings (D8): the actor is a contact of the
    /// account managing its own settings; `prepare` does the slow checks
    /// (the current password again, hashing) holding no store lock; then
    /// `body` commits with what it prepared. A refusal at any step is
    /// audited under `op`, on the contact.
    pub(crate) fn own_change<P, T>(
        &self,
        actor: &Actor,
        op: Op,
        prepare: impl FnOnce(ContactId) -> Result<P, Error>,
        body: impl Fn(&mut Tx<'_>, ContactId, &P) -> Result<Done<T>, Error>,
    ) -> Result<T, Error> {
        let id = self.own_contact(actor, &op)?;
        let op = op.on(id);
        let prepared = match prepare(id) {
            Ok(p) => p,
            Err(e) => {
                self.record_refusal(actor, &op, &e);
                return Err(e);
            }
        };
        self.write(actor, op, |tx, _| body(tx, id, &prepared))
    }
}
