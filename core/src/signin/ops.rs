//! The operations of `signin`: the `impl Directory` methods of its SPEC section,
//! each loading its facts, applying the rules of `mod.rs` and committing
//! through the Directory's runner.

use time::OffsetDateTime;

use crate::audit::{AuditDraft, Operation, Outcome};
use crate::contacts::login_key;
use crate::credentials::{AutoLock, PendingSecret, SecretHash, SessionRecord, SessionStage};
use crate::error::{AuthFailure, Error, ErrorCode, Field, Problem};
use crate::ids::{AccountId, ContactId, NotificationId};
use crate::lock::{LockKind, LockMark, Reservation};
use crate::notify::{Notification, NotificationDraft, NotificationKind};
use crate::op::{Done, Op};
use crate::roles::Actor;
use crate::second_factor::TwoFactorMethod;
use crate::secret::Secret;
use crate::signin::device;
use crate::signin::throttle::{self, Throttled};
use crate::signin::{
    decide_after, decide_before, next_stage, After, Before, LoginFacts, MembershipFact,
    SessionGrant, SessionInfo, SignInOutcome, SignInRequest, CODE_LIFETIME, CODE_TRIES,
    TOUCH_EVERY,
};
use crate::store::MembershipRecord;
use crate::tx::Tx;
use crate::{ip_access, lock, second_factor, Directory};

impl Directory {
    /// Signs in (D5): one of the outcomes of [`SignInOutcome`]. An unknown
    /// login and a wrong password give the same answer after the same work;
    /// an unknown login tried too often answers locked as a real one would.
    /// Errors are only for a failing store.
    ///
    /// Every login, known or not, is under one directory-wide throttle whose
    /// state is in the store:
    /// [`THROTTLE_ATTEMPTS`](throttle::THROTTLE_ATTEMPTS) failed attempts
    /// (or fewer, [`DirectoryBuilder::throttle_attempts`](crate::DirectoryBuilder::throttle_attempts))
    /// within [`THROTTLE_WINDOW`](throttle::THROTTLE_WINDOW), and the next
    /// attempt locks the login for the cool-off, in every process. An
    /// account's lock policy (E1) tightens it for its contacts. So an
    /// unknown login answers exactly as a real login whose accounts have no
    /// lock policy.
    pub fn sign_in(&self, req: &SignInRequest<'_>) -> Result<SignInOutcome, Error> {
        let key = login_key(req.login).ok();
        let found = match &key {
            Some(k) => self.store.contact_by_login(k)?,
            None => None,
        };
        let Some(contact) = found else {
            return self.unknown_sign_in(key.as_deref().unwrap_or(""), req);
        };
        let id = contact.id;
        let facts = self.login_facts(id, req.account)?;
        let label = Actor::Contact(id).audit_label();
        match decide_before(&facts) {
            Before::NotMember => {
                let named = facts.named.map(|a| a.to_string()).unwrap_or_default();
                let key = format!("{}@{named}", key.as_deref().unwrap_or(""));
                return self.unknown_sign_in(&key, req);
            }
            Before::Locked(mark) => {
                self.transact(&label, |tx| {
                    attempt_audit(tx, &facts.chains(), false, "locked (manual)");
                    Ok(())
                })?;
                return Ok(SignInOutcome::Locked(mark));
            }
            Before::Check => {}
        }

        // 1. Reserve the attempt (D9): against the device token presented,
        // if it is a valid one of this login (D10); otherwise under the
        // login's lock policy (E2) and the directory-wide throttle (D5).
        let tkey = throttle::throttle_key(key.as_deref().unwrap_or(""));
        let presented = req
            .device_token
            .map(|t| crate::credentials::token_key(t.expose()));
        let bound = device::bound(facts.limit, self.throttle_attempts);
        let reserved = self.transact(&label, |tx| {
            let now = tx.now;
            let c = tx.contact_mut(id)?;
            device::prune(&mut c.credentials.device_tokens, now);
            let tokens = &mut c.credentials.device_tokens;
            let via = presented.filter(|k| {
                device::find(tokens, k, now).is_some_and(|i| device::reserve(tokens, i, bound))
            });
            let hash = c.credentials.password_hash.clone();
            if via.is_some() {
                return Ok((Reservation::Check, hash, via));
            }
            let mut r = lock::reserve(&mut c.credentials, facts.limit, now);
            if r == Reservation::Check {
                let t = tx.throttle_mut(tkey)?;
                // A known login's lock is its contact's: one the record
                // took while no contact had the login does not count.
                t.lock = None;
                if throttle::reserve(t, self.throttle_attempts, now) != Throttled::Check {
                    // Past the bound: the login locks as E2's lock would.
                    let c = tx.contact_mut(id)?;
                    r = Reservation::Locked(lock::lock_now(&mut c.credentials, now), true);
                }
            }
            if let Reservation::Locked(l, new) = r {
                if new {
                    auto_locked(tx, id, l)?;
                }
                attempt_audit(tx, &facts.chains(), false, "locked");
            }
            Ok((r, hash, None))
        })?;
        let (hash, via) = match reserved {
            (Reservation::Locked(l, _), _, _) => return Ok(SignInOutcome::Locked(auto_mark(l))),
            (Reservation::Check, hash, via) => (hash, via),
        };

        // 2. Check the password, holding nothing.
        let ok = match (req.password.normalized(0), &hash) {
            (Ok(n), Some(h)) => self.hasher.verify(&n, h),
            (Ok(n), None) => {
                self.hasher.verify_dummy(&n);
                false
            }
            (Err(_), _) => {
                self.hasher.verify_dummy("");
                false
            }
        };

        // 3. Decide, and commit the attempt.
        let after = decide_after(&facts, ok, req.ip);
        // D1: a hash of another cost is remade now, while the password is at hand.
        let upgraded = match (&after, &hash, req.password.normalized(0)) {
            (After::Grant(_), Some(h), Ok(n)) if self.hasher.needs_upgrade(h) => {
                Some(self.hasher.hash(&n)?)
            }
            _ => None,
        };
        let attempt = Attempt {
            id,
            tkey,
            ip: req.ip,
            device: via,
            remember: req.remember_device,
        };
        self.commit_attempt(&attempt, &facts, &after, upgraded.as_deref())
    }

    /// What sign-in needs to know of a login's accounts (D5, E2, E6, G1).
    fn login_facts(&self, id: ContactId, named: Option<AccountId>) -> Result<LoginFacts, Error> {
        let mut memberships = Vec::new();
        let mut policies = Vec::new();
        // A membership whose account went away since is no account to sign in to.
        for m in self.store.memberships_of(id)? {
            if let Some(a) = self.store.account(m.account)? {
                policies.push(a.security.lock);
                memberships.push(MembershipFact {
                    account: m.account,
                    manual: m.manual_lock.is_some().then(|| manual_mark(&m)),
                    allowlist: a.security.ip_allowlist,
                });
            }
        }
        Ok(LoginFacts {
            memberships,
            limit: lock::strictest(policies),
            named,
        })
    }

    /// Commits what a checked attempt decided, in one unit of work: the
    /// failure count (and a new lock, E2, E9) or the device token's (D10),
    /// the attempt's audit entries (J1) and, for a grant, the upgraded hash
    /// (D1), the session (D8), a code for its second factor (F1) and a new
    /// device token (D10).
    fn commit_attempt(
        &self,
        at: &Attempt,
        facts: &LoginFacts,
        after: &After,
        upgraded: Option<&str>,
    ) -> Result<SignInOutcome, Error> {
        let id = at.id;
        let label = Actor::Contact(id).audit_label();
        // A session's token, a code in case it needs a second factor, and
        // a device token in case one is asked for.
        let fresh = match after {
            After::Grant(_) => Some((
                Secret::random_hex(32)?,
                Secret::random_digits(second_factor::CODE_DIGITS)?,
                Secret::random_hex(32)?,
            )),
            _ => None,
        };
        let (chains, ok, detail) = after.audit(facts);
        self.transact(&label, |tx| {
            let now = tx.now;
            let c = tx.contact_mut(id)?;
            match at.device {
                // D10: the token's count was taken at the reservation, and
                // a right password gives it back; the login's count and the
                // throttle are the doing of attempts without it, and are
                // left alone.
                Some(k) => {
                    if *after != After::Invalid {
                        device::release(&mut c.credentials.device_tokens, &k);
                    }
                }
                None => {
                    if let Some(l) = after.settle(&mut c.credentials, facts.limit, now) {
                        auto_locked(tx, id, l)?;
                    }
                    // D5: the right password starts the throttle's count
                    // again, unless a second factor is still due (then its
                    // success does): so that the password alone does not
                    // buy unbounded guesses.
                    if !matches!(after, After::Invalid | After::Grant(_)) {
                        throttle::after_success(tx.throttle_mut(at.tkey)?, now);
                    }
                }
            }
            let account = match after {
                After::Invalid => {
                    attempt_audit(tx, &chains, ok, detail);
                    return Ok(SignInOutcome::InvalidCredentials);
                }
                After::AccountRequired(accounts) => {
                    attempt_audit(tx, &chains, ok, detail);
                    return Ok(SignInOutcome::AccountRequired(accounts.clone()));
                }
                After::Locked(_, mark) => {
                    attempt_audit(tx, &chains, ok, detail);
                    return Ok(SignInOutcome::Locked(*mark));
                }
                After::IpNotAllowed(_) => {
                    attempt_audit(tx, &chains, ok, detail);
                    return Ok(SignInOutcome::IpNotAllowed);
                }
                After::Grant(account) => *account,
            };
            let Some((token, code, new_device)) = &fresh else {
                return Err(Error::RandomUnavailable);
            };
            let security = tx.account(account)?.security.clone();
            let c = tx.contact_mut(id)?;
            if let Some(h) = upgraded {
                c.credentials.password_hash = Some(h.to_owned());
            }
            let stage = next_stage(&c.credentials, &security, now, false);
            let epoch = c.credentials.session_epoch;
            let lock_epoch = c.credentials.lock_epoch;
            let method = c.credentials.second_factor.as_ref().map(|e| e.method);
            // D10: a device token is issued, or the one presented starts
            // again, only once the sign-in is complete; until then the
            // session carries the request (a second factor, a password to
            // change, a factor to enroll come first).
            let c = tx.contact_mut(id)?;
            let (issued, device, remember_device) = device_for_stage(
                &mut c.credentials,
                stage,
                at.device,
                at.remember,
                new_device,
                now,
            );
            if stage == SessionStage::SecondFactor {
                send_code(tx, id, Some(account), "sign_in", code)?;
            } else if at.device.is_none() {
                throttle::after_success(tx.throttle_mut(at.tkey)?, now);
            }
            let m = tx
                .membership(account, id)?
                .ok_or(Error::unauthenticated(AuthFailure::Revoked))?;
            tx.put_session(SessionRecord {
                key: crate::credentials::token_key(token.expose()),
                contact: id,
                account,
                stage,
                ip: at.ip,
                created_at: now,
                last_seen_at: now,
                contact_epoch: epoch,
                membership_epoch: m.session_epoch,
                lock_epoch,
                // The client that now holds a device token holds the session.
                device,
                remember_device,
            });
            let mut d = attempt_draft(account, true, stage.name());
            d.fields = vec!["session".into()];
            if issued.is_some() {
                d.fields.push("device_token".into());
            }
            tx.audit_draft(d);
            let grant = SessionGrant {
                token: token.clone(),
                contact: id,
                account,
                stage,
                expires_at: now.saturating_add(self.sessions.absolute),
                device_token: issued,
            };
            Ok(outcome_for(grant, method))
        })
    }

    /// An attempt on a login no contact has (D5): counted by the same
    /// directory-wide throttle, in the store, as every login's, so it
    /// answers as a real login whose accounts have no lock policy would,
    /// after the same work: a reservation committed, a password hashed,
    /// the attempt committed.
    fn unknown_sign_in(&self, key: &str, req: &SignInRequest<'_>) -> Result<SignInOutcome, Error> {
        let tkey = throttle::throttle_key(key);
        let locked = self.transact("anonymous", |tx| {
            let now = tx.now;
            let t = tx.throttle_mut(tkey)?;
            let lock = match throttle::reserve(t, self.throttle_attempts, now) {
                Throttled::Check => return Ok(None),
                Throttled::Trip => throttle::lock_unknown(t, now),
                Throttled::Locked(l) => l,
            };
            anonymous_audit(tx, Operation::SignIn, "locked");
            Ok(Some(lock))
        })?;
        if let Some(l) = locked {
            return Ok(SignInOutcome::Locked(auto_mark(l)));
        }
        match req.password.normalized(0) {
            Ok(n) => self.hasher.verify_dummy(&n),
            Err(_) => self.hasher.verify_dummy(""),
        }
        self.transact("anonymous", |tx| {
            anonymous_audit(tx, Operation::SignIn, "invalid credentials");
            Ok(())
        })?;
        Ok(SignInOutcome::InvalidCredentials)
    }

    /// Removes the throttle records that are as good as absent (D5): their
    /// window and lock ended at least a window ago. Returns how many; a
    /// host calls it from time to time, as it does
    /// [`Directory::purge_expired_sessions`].
    pub fn purge_throttle(&self) -> Result<usize, Error> {
        // A whole window of grace, so that no unit of work still holding a
        // record it read loses to one that made the record anew.
        let before = self.clock.now().saturating_sub(throttle::THROTTLE_WINDOW);
        Ok(self.store.purge_throttle(before)?)
    }

    /// The session behind a token, checked against the current state
    /// (D8): not expired, not revoked by a password change, lock, deletion
    /// or removal, not locked, and still within the account's IP
    /// allowlist (G1). Marks it used.
    pub fn authenticate(&self, token: &Secret) -> Result<SessionInfo, Error> {
        self.authenticate_record(token).map(|(info, _)| info)
    }

    /// [`Self::authenticate`], with the session's record as read.
    pub(crate) fn authenticate_record(
        &self,
        token: &Secret,
    ) -> Result<(SessionInfo, SessionRecord), Error> {
        let now = self.clock.now();
        let key = crate::credentials::token_key(token.expose());
        let fail = Error::unauthenticated;
        let s = self
            .store
            .session(&key)?
            .ok_or(fail(AuthFailure::InvalidToken))?;
        if now >= s.created_at.saturating_add(self.sessions.absolute)
            || now >= s.last_seen_at.saturating_add(self.sessions.idle)
        {
            return Err(fail(AuthFailure::Expired));
        }
        let c = self
            .store
            .contact(s.contact)?
            .ok_or(fail(AuthFailure::Revoked))?;
        let m = self
            .store
            .membership(s.account, s.contact)?
            .ok_or(fail(AuthFailure::Revoked))?;
        if c.credentials.session_epoch != s.contact_epoch || m.session_epoch != s.membership_epoch {
            return Err(fail(AuthFailure::Revoked));
        }
        if m.manual_lock.is_some() {
            return Err(fail(AuthFailure::Locked));
        }
        if let Some(why) = auto_lock_refusal(&c.credentials, &s, now) {
            return Err(fail(why));
        }
        let a = self
            .store
            .account(s.account)?
            .ok_or(fail(AuthFailure::Revoked))?;
        if !ip_access::allows(&a.security.ip_allowlist, s.ip) {
            return Err(fail(AuthFailure::IpNotAllowed));
        }
        if now >= s.last_seen_at.saturating_add(TOUCH_EVERY) {
            self.store.touch_session(&key, now)?;
        }
        let info = SessionInfo {
            contact: s.contact,
            account: s.account,
            stage: s.stage,
            ip: s.ip,
            created_at: s.created_at,
            expires_at: s.created_at.saturating_add(self.sessions.absolute),
        };
        Ok((info, s))
    }

    /// Removes the sessions past their idle or absolute lifetime (D8) from
    /// the store, and returns how many. An expired session is refused
    /// whether or not it is purged; a host calls this now and then (say,
    /// hourly) so the store does not grow with every sign-in.
    pub fn purge_expired_sessions(&self) -> Result<usize, Error> {
        let now = self.clock.now();
        Ok(self.store.purge_sessions(
            now.saturating_sub(self.sessions.idle),
            now.saturating_sub(self.sessions.absolute),
        )?)
    }

    /// The actor of a fully signed-in session (see [`Self::authenticate`]).
    pub fn session_actor(&self, token: &Secret) -> Result<Actor, Error> {
        self.authenticate(token)?.actor()
    }

    /// Ends a session. Ending one that is already gone is not an error.
    pub fn sign_out(&self, token: &Secret) -> Result<(), Error> {
        let key = crate::credentials::token_key(token.expose());
        let Some(s) = self.store.session(&key)? else {
            return Ok(());
        };
        let op = Op::new(Operation::SignOut, s.account);
        self.run(&Actor::Contact(s.contact), &op, |tx| {
            tx.delete_session(key);
            Ok(if tx.account(s.account).is_ok() {
                Done::new(())
            } else {
                Done::unrecorded(())
            })
        })
    }

    /// Presents the second factor for a session that requires it (F1): a
    /// TOTP code, or the code just sent. A wrong code counts as a failed
    /// sign-in attempt (E8) and may lock the login.
    pub fn complete_second_factor(
        &self,
        token: &Secret,
        code: &str,
    ) -> Result<SignInOutcome, Error> {
        let info = self.authenticate(token)?;
        if info.stage != SessionStage::SecondFactor {
            return Err(Error::unauthenticated(AuthFailure::StepRequired));
        }
        let id = info.contact;
        let label = Actor::Contact(id).audit_label();
        let limit = self.lock_limit(id)?;
        let bound = device::bound(limit, self.throttle_attempts);
        let key = crate::credentials::token_key(token.expose());
        let fresh_device = Secret::random_hex(32)?;
        let result = self.transact(&label, |tx| {
            let now = tx.now;
            let s = tx
                .store()
                .session(&key)?
                .ok_or(Error::unauthenticated(AuthFailure::InvalidToken))?;
            let security = tx.account(info.account)?.security.clone();
            let c = tx.contact_mut(id)?;
            // As authenticate did, under the version this commit checks:
            // a session whose device token is gone is under the lock again.
            if let Some(why) = auto_lock_refusal(&c.credentials, &s, now) {
                return Err(Error::unauthenticated(why));
            }
            let via = valid_device(&c.credentials, &s, now);
            if !crate::signin::check_factor(|| self.keyring(), id, &mut c.credentials, code, now)? {
                // E8: a wrong code counts as a failed attempt: against the
                // device token the sign-in presented (D10), while it is
                // valid, or the login's (and D5's).
                let counted = via.is_some_and(|k| {
                    device::count_failure(&mut c.credentials.device_tokens, &k, bound)
                });
                if !counted {
                    if let Some(l) = lock::count_failure(&mut c.credentials, limit, now) {
                        auto_locked(tx, id, l)?;
                    }
                    throttle_code_failure(tx, id, self.throttle_attempts)?;
                }
                let mut d = attempt_draft(info.account, false, "invalid second factor");
                d.operation = Operation::SecondFactor;
                tx.audit_draft(d);
                return Ok(None);
            }
            let tkey = throttle::throttle_key(&tx.contact(id)?.login_key);
            let c = tx.contact_mut(id)?;
            if via.is_none() {
                lock::after_success(&mut c.credentials);
                throttle::after_success(tx.throttle_mut(tkey)?, now);
            }
            let c = tx.contact_mut(id)?;
            let stage = next_stage(&c.credentials, &security, now, true);
            let (issued, device, remember_device) = device_for_stage(
                &mut c.credentials,
                stage,
                via,
                s.remember_device,
                &fresh_device,
                now,
            );
            tx.put_session(SessionRecord {
                stage,
                device,
                remember_device,
                ..s
            });
            let mut d = attempt_draft(info.account, true, stage.name());
            d.operation = Operation::SecondFactor;
            if issued.is_some() {
                d.fields = vec!["device_token".into()];
            }
            tx.audit_draft(d);
            Ok(Some((stage, issued)))
        })?;
        let Some((stage, device_token)) = result else {
            return Err(Error::unauthenticated(AuthFailure::InvalidCode));
        };
        let grant = SessionGrant {
            token: token.clone(),
            contact: id,
            account: info.account,
            stage,
            expires_at: info.expires_at,
            device_token,
        };
        Ok(outcome_for(grant, None))
    }

    /// The strictest lock limit among a contact's accounts (E2).
    pub(crate) fn lock_limit(&self, id: ContactId) -> Result<Option<u32>, Error> {
        let mut policies = Vec::new();
        for m in self.store.memberships_of(id)? {
            if let Some(a) = self.store.account(m.account)? {
                policies.push(a.security.lock);
            }
        }
        Ok(lock::strictest(policies))
    }
}

/// A password attempt on a known login, as sign-in's last step commits it.
struct Attempt {
    id: ContactId,
    /// The login's throttle record (D5).
    tkey: [u8; 32],
    ip: std::net::IpAddr,
    /// The hash of the valid device token presented, if any (D10).
    device: Option<[u8; 32]>,
    /// Whether a device token is asked for (D10).
    remember: bool,
}

/// What a session that reached `stage` holds of device tokens (D10), as
/// (the token issued, to be shown once; the hash of the token the session
/// is made with; whether one is still asked for). Only a complete sign-in
/// settles: the token it was made with (`device`), if still valid, starts
/// its count again; otherwise, when one is asked for (`remember`), a new
/// one is stored by its hash. Until then the session keeps both as they
/// are (a second factor, a password to change, a factor to enroll come
/// first).
pub(crate) fn device_for_stage(
    c: &mut crate::credentials::Credentials,
    stage: SessionStage,
    device: Option<[u8; 32]>,
    remember: bool,
    new: &Secret,
    now: OffsetDateTime,
) -> (Option<Secret>, Option<[u8; 32]>, bool) {
    if stage != SessionStage::Full {
        return (None, device, remember);
    }
    let valid = device.filter(|k| device::find(&c.device_tokens, k, now).is_some());
    match valid {
        Some(k) => {
            device::after_success(&mut c.device_tokens, &k, now);
            (None, Some(k), false)
        }
        None if remember => {
            let key = crate::credentials::token_key(new.expose());
            device::issue(&mut c.device_tokens, key, now);
            (Some(new.clone()), Some(key), false)
        }
        None => (None, None, false),
    }
}

/// The device token a session was made with (D10), while it is still one
/// of the login's valid tokens: disabled, evicted or expired, it no longer
/// counts.
fn valid_device(
    c: &crate::credentials::Credentials,
    s: &SessionRecord,
    now: OffsetDateTime,
) -> Option<[u8; 32]> {
    s.device
        .filter(|k| device::find(&c.device_tokens, k, now).is_some())
}

/// Why an automatic lock refuses a session (D8, E2), if it does: a lock
/// since the session began ends it, and a lock in force holds up one made
/// since. A session a still-valid device token made lives on (D10).
fn auto_lock_refusal(
    c: &crate::credentials::Credentials,
    s: &SessionRecord,
    now: OffsetDateTime,
) -> Option<AuthFailure> {
    if valid_device(c, s, now).is_some() {
        None
    } else if c.lock_epoch != s.lock_epoch {
        Some(AuthFailure::Revoked)
    } else if lock::active(c, now).is_some() {
        Some(AuthFailure::Locked)
    } else {
        None
    }
}

/// The outcome a new or advanced session grant means.
fn outcome_for(grant: SessionGrant, method: Option<TwoFactorMethod>) -> SignInOutcome {
    match grant.stage {
        SessionStage::Full => SignInOutcome::SignedIn(grant),
        SessionStage::PasswordChange => SignInOutcome::PasswordChangeRequired(grant),
        SessionStage::Enrollment => SignInOutcome::EnrollmentRequired(grant),
        SessionStage::SecondFactor => SignInOutcome::SecondFactorRequired {
            session: grant,
            method: method.unwrap_or(TwoFactorMethod::Totp),
        },
    }
}

fn manual_mark(m: &MembershipRecord) -> LockMark {
    LockMark {
        kind: LockKind::Manual,
        since: m.manual_lock.as_ref().map_or(m.since, |l| l.since),
        until: None,
    }
}

fn auto_mark(l: AutoLock) -> LockMark {
    LockMark {
        kind: LockKind::Automatic,
        since: l.since,
        until: Some(l.until),
    }
}

fn attempt_draft(account: AccountId, ok: bool, detail: &str) -> AuditDraft {
    AuditDraft {
        account: Some(account),
        operation: Operation::SignIn,
        target: None,
        outcome: if ok {
            Outcome::Success
        } else {
            Outcome::Refused(ErrorCode::Unauthenticated)
        },
        fields: Vec::new(),
        detail: Some(detail.to_owned()),
    }
}

/// Audits a sign-in attempt in each of these accounts (J1).
fn attempt_audit(tx: &mut Tx<'_>, chains: &[AccountId], ok: bool, detail: &str) {
    for a in chains {
        tx.audit_draft(attempt_draft(*a, ok, detail));
    }
}

/// E9: an automatic lock is audited in each of the contact's accounts and
/// the contact is sent a security notification.
/// A wrong second-factor code counted by D5's throttle too (E8): codes are
/// not guessed without bound by someone who has the password, under an
/// account with no lock policy. Past the bound the login locks.
pub(crate) fn throttle_code_failure(
    tx: &mut Tx<'_>,
    id: ContactId,
    bound: u32,
) -> Result<(), Error> {
    let now = tx.now;
    let key = throttle::throttle_key(&tx.contact(id)?.login_key);
    if throttle::reserve(tx.throttle_mut(key)?, bound, now) != Throttled::Check {
        let c = &mut tx.contact_mut(id)?.credentials;
        if lock::active(c, now).is_none() {
            let l = lock::lock_now(c, now);
            auto_locked(tx, id, l)?;
        }
    }
    Ok(())
}

pub(crate) fn auto_locked(tx: &mut Tx<'_>, id: ContactId, l: AutoLock) -> Result<(), Error> {
    let accounts = tx.audit_everywhere(
        id,
        Operation::AutoLock,
        vec!["lock".into()],
        Some(format!("locked until {}", rfc3339(l.until))),
    )?;
    // I3: the lock's end in the contact's zone, with its offset.
    let zone = tx.contact(id)?.profile.time_zone.clone();
    let until = crate::notify::contact_time(l.until, &zone);
    tx.notify(NotificationDraft {
        account: accounts.first().copied(),
        fields: vec!["lock".into()],
        ..NotificationDraft::new(
            NotificationKind::Security,
            id,
            "Your login was locked".to_owned(),
            format!(
                "Too many failed sign-in attempts: your login is locked until {until}. \
                 Reset your password to end the lock now."
            ),
        )
    })
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Sends a one-time code (F1) by the contact's enrolled (or pending)
/// method, remembering only its hash.
pub(crate) fn send_code(
    tx: &mut Tx<'_>,
    id: ContactId,
    account: Option<AccountId>,
    purpose: &str,
    code: &Secret,
) -> Result<(), Error> {
    let now = tx.now;
    let c = tx.contact_mut(id)?;
    let enrollment = c
        .credentials
        .pending_enrollment
        .as_ref()
        .filter(|_| purpose == "enroll")
        .or(c.credentials.second_factor.as_ref())
        .cloned();
    let Some(e) = enrollment else {
        return Err(Error::refused(crate::error::Rule::F1NotEnrolled));
    };
    if e.method == TwoFactorMethod::Totp {
        return Ok(());
    }
    c.credentials.pending_code = Some(PendingSecret {
        hash: SecretHash::new(code.expose())?,
        purpose: purpose.to_owned(),
        expires_at: now.saturating_add(CODE_LIFETIME),
        tries_left: CODE_TRIES,
    });
    let to = match e.method {
        TwoFactorMethod::Email => c.profile.email.clone(),
        _ => e
            .phone
            .clone()
            .ok_or(Error::invalid(Field::TwoFactorPhone, Problem::Missing))?,
    };
    tx.notify_secret(Notification {
        id: NotificationId::random()?,
        kind: NotificationKind::SignInCode,
        account,
        recipient: id,
        to: vec![to],
        subject: "Your sign-in code".to_owned(),
        body: format!(
            "Your code is {}. It works once, for 10 minutes. Nobody from support will ask for it.",
            code.expose()
        ),
        fields: vec![e.method.name().to_owned()],
        at: now,
        resource: None,
        fallback: None,
        secret: Some(code.clone()),
    });
    Ok(())
}

/// Audits an attempt on no known login in the directory's chain, without
/// the login typed (it may be a mistyped password): a sign-in, or a
/// password reset's request or completion (D5).
pub(crate) fn anonymous_audit(tx: &mut Tx<'_>, operation: Operation, detail: &str) {
    tx.audit_draft(AuditDraft {
        account: None,
        operation,
        target: None,
        outcome: Outcome::Refused(ErrorCode::Unauthenticated),
        fields: Vec::new(),
        detail: Some(detail.to_owned()),
    });
}
