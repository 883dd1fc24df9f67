//! Sign-in and sessions (SPEC D3–D5, D8, D9, E2–E4, E8, E9, G1).
//!
//! A sign-in never holds a store lock while it hashes. It runs in three
//! steps: reserve an attempt (a committed, version-checked increment of the
//! failure count, so parallel attempts never get more password checks than
//! the lock policy allows: D9), check the password with no lock held, then
//! commit the result (a reset count and a session, or a failure that may
//! lock the login).

use std::net::IpAddr;

use time::{Duration, OffsetDateTime};

use crate::accounts::SecurityPolicy;
use crate::credentials::{Credentials, Password, PendingSecret, SessionStage};
use crate::error::{AuthFailure, Error};
use crate::ids::{AccountId, ContactId};
use crate::lock;
use crate::lock::LockMark;
use crate::roles::Actor;
use crate::second_factor::TwoFactorMethod;
use crate::secret::Secret;

/// How long a code sent for sign-in stays valid, and how many wrong tries
/// it allows (F1, with D6's rules).
const CODE_LIFETIME: time::Duration = time::Duration::minutes(10);
const CODE_TRIES: u32 = 3;
/// A session is marked used at most this often (D8's idle lifetime).
const TOUCH_EVERY: time::Duration = time::Duration::seconds(60);

/// How long sessions live (D8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetimes {
    /// A session unused this long ends (default 30 minutes).
    pub idle: Duration,
    /// A session ends this long after sign-in, used or not (default 12 hours).
    pub absolute: Duration,
}

impl Default for SessionLifetimes {
    fn default() -> SessionLifetimes {
        SessionLifetimes {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

/// A sign-in attempt (D5).
#[derive(Debug, Clone, Copy)]
pub struct SignInRequest<'a> {
    /// The login as typed.
    pub login: &'a str,
    /// The password as typed.
    pub password: &'a Password,
    /// The client's address (G1).
    pub ip: IpAddr,
    /// The account to sign in to; may be omitted for a contact of one
    /// account.
    pub account: Option<AccountId>,
    /// The device token this client was given at an earlier sign-in to
    /// this login, if any (D10). A valid one lets the attempt through an
    /// automatic lock that attempts without it caused; a token of another
    /// login, expired or evicted counts as none.
    pub device_token: Option<&'a Secret>,
    /// Issue a device token once this sign-in succeeds (the password and
    /// any second factor given), unless a valid one was presented
    /// ([`SessionGrant::device_token`]).
    pub remember_device: bool,
}

impl<'a> SignInRequest<'a> {
    /// An attempt naming no account, presenting no device token and
    /// asking for none.
    pub fn new(login: &'a str, password: &'a Password, ip: IpAddr) -> SignInRequest<'a> {
        SignInRequest {
            login,
            password,
            ip,
            account: None,
            device_token: None,
            remember_device: false,
        }
    }
}

/// A new session, and its token, shown once (D8).
#[derive(Debug, Clone)]
pub struct SessionGrant {
    /// The token the client presents from now on.
    pub token: Secret,
    /// The contact signed in.
    pub contact: ContactId,
    /// The account signed in to.
    pub account: AccountId,
    /// What the session may do.
    pub stage: SessionStage,
    /// When it ends at the latest.
    pub expires_at: OffsetDateTime,
    /// A new device token (D10), when the sign-in asked for one
    /// ([`SignInRequest::remember_device`]) and is complete: shown once;
    /// the client keeps it (say, in a long-lived cookie) and presents it
    /// at its next sign-ins to this login.
    pub device_token: Option<Secret>,
}

/// The result of a sign-in (D5). Only `SignedIn` gives a session that acts;
/// the next three give one that can only complete the step named.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SignInOutcome {
    /// Signed in.
    SignedIn(SessionGrant),
    /// The password expired or must be changed (D3, D4): the session can
    /// only change it ([`Directory::change_password_with_session`]).
    PasswordChangeRequired(SessionGrant),
    /// The second factor is next ([`Directory::complete_second_factor`]);
    /// for SMS, voice and email a code was just sent.
    SecondFactorRequired {
        /// The session, which can only present the code.
        session: SessionGrant,
        /// How the code is to be had.
        method: TwoFactorMethod,
    },
    /// The account requires a second factor the contact has not enrolled
    /// (F3): the session can only enroll one.
    EnrollmentRequired(SessionGrant),
    /// Locked (E3, E6): no password was checked.
    Locked(LockMark),
    /// The client's address is outside the account's allowlist (G1).
    IpNotAllowed,
    /// The login or the password is wrong; which one is not said (D5).
    InvalidCredentials,
    /// The contact belongs to several accounts: sign in again naming one.
    AccountRequired(Vec<AccountId>),
}

impl SignInOutcome {
    /// The session granted, if any.
    pub fn session(&self) -> Option<&SessionGrant> {
        match self {
            SignInOutcome::SignedIn(s)
            | SignInOutcome::PasswordChangeRequired(s)
            | SignInOutcome::EnrollmentRequired(s)
            | SignInOutcome::SecondFactorRequired { session: s, .. } => Some(s),
            _ => None,
        }
    }

    /// A stable snake_case name of the outcome.
    pub fn name(&self) -> &'static str {
        match self {
            SignInOutcome::SignedIn(_) => "signed_in",
            SignInOutcome::PasswordChangeRequired(_) => "password_change_required",
            SignInOutcome::SecondFactorRequired { .. } => "second_factor_required",
            SignInOutcome::EnrollmentRequired(_) => "enrollment_required",
            SignInOutcome::Locked(_) => "locked",
            SignInOutcome::IpNotAllowed => "ip_not_allowed",
            SignInOutcome::InvalidCredentials => "invalid_credentials",
            SignInOutcome::AccountRequired(_) => "account_required",
        }
    }
}

/// A valid session, read from the current state (D8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The contact.
    pub contact: ContactId,
    /// The account it is signed in to.
    pub account: AccountId,
    /// What it may do.
    pub stage: SessionStage,
    /// The client's address at sign-in.
    pub ip: IpAddr,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it ends at the latest.
    pub expires_at: OffsetDateTime,
}

impl SessionInfo {
    /// The actor this session acts as, for a fully signed-in session; a
    /// session that must complete a step first acts as nobody (D4).
    pub fn actor(&self) -> Result<Actor, Error> {
        match self.stage {
            SessionStage::Full => Ok(Actor::Contact(self.contact)),
            _ => Err(Error::unauthenticated(AuthFailure::StepRequired)),
        }
    }
}

/// One of a login's memberships, as sign-in sees it.
#[derive(Debug, Clone)]
pub(crate) struct MembershipFact {
    pub(crate) account: AccountId,
    /// Its manual lock (E6), if any.
    pub(crate) manual: Option<LockMark>,
    /// The account's IP allowlist (G1).
    pub(crate) allowlist: Vec<ipnet::IpNet>,
}

/// What sign-in knows of a login, loaded before its password is checked.
#[derive(Debug, Clone)]
pub(crate) struct LoginFacts {
    /// The login's memberships, in accounts that exist.
    pub(crate) memberships: Vec<MembershipFact>,
    /// The strictest lock limit among them (E2).
    pub(crate) limit: Option<u32>,
    /// The account the attempt names, if any.
    pub(crate) named: Option<AccountId>,
}

impl LoginFacts {
    /// The chains an attempt is audited in (J1): the named account's, or
    /// every account's of the login.
    pub(crate) fn chains(&self) -> Vec<AccountId> {
        match self.named {
            Some(a) => vec![a],
            None => self.memberships.iter().map(|m| m.account).collect(),
        }
    }

    /// The membership the attempt is for, when it is known without the
    /// password: the named account's, or the login's only one.
    fn chosen(&self) -> Option<&MembershipFact> {
        match (self.named, self.memberships.as_slice()) {
            (Some(a), _) => self.memberships.iter().find(|m| m.account == a),
            (None, [only]) => Some(only),
            (None, _) => None,
        }
    }
}

/// What sign-in decides before it reserves an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Before {
    /// The named account is not one of the login's: answered as a login
    /// nobody has, after the same work (D5).
    NotMember,
    /// A manual lock where the attempt goes: answered without a check (E3,
    /// E6).
    Locked(LockMark),
    /// Reserve the attempt (D9), then check the password.
    Check,
}

/// Sign-in's first phase (D5, E3, E6).
pub(crate) fn decide_before(facts: &LoginFacts) -> Before {
    if let Some(a) = facts.named {
        if !facts.memberships.iter().any(|m| m.account == a) {
            return Before::NotMember;
        }
    }
    match facts.chosen().and_then(|m| m.manual) {
        Some(mark) => Before::Locked(mark),
        None => Before::Check,
    }
}

/// What sign-in decides once the password is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum After {
    /// A wrong password: a failed attempt (E2).
    Invalid,
    /// The right password for a login of several accounts, none named.
    AccountRequired(Vec<AccountId>),
    /// The right password, but the account it goes to is locked by hand
    /// (E6).
    Locked(AccountId, LockMark),
    /// The right password from an address the account does not allow (G1).
    IpNotAllowed(AccountId),
    /// A session in this account.
    Grant(AccountId),
}

/// Sign-in's second phase (D5, E2, E6, G1).
pub(crate) fn decide_after(facts: &LoginFacts, password_ok: bool, ip: IpAddr) -> After {
    if !password_ok {
        return After::Invalid;
    }
    let Some(m) = facts.chosen() else {
        return After::AccountRequired(facts.memberships.iter().map(|m| m.account).collect());
    };
    if let Some(mark) = m.manual {
        return After::Locked(m.account, mark);
    }
    if !crate::ip_access::allows(&m.allowlist, ip) {
        return After::IpNotAllowed(m.account);
    }
    After::Grant(m.account)
}

impl After {
    /// The attempt's effect on the login's failure count (E2): a failure
    /// may lock it (the new lock is returned); anything else starts the
    /// count again.
    pub(crate) fn settle(
        &self,
        c: &mut Credentials,
        limit: Option<u32>,
        now: OffsetDateTime,
    ) -> Option<crate::credentials::AutoLock> {
        match self {
            After::Invalid => lock::after_failure(c, limit, now),
            _ => {
                lock::after_success(c);
                None
            }
        }
    }

    /// Where the attempt is audited, whether it succeeded, and the detail.
    pub(crate) fn audit(&self, facts: &LoginFacts) -> (Vec<AccountId>, bool, &'static str) {
        match self {
            After::Invalid => (facts.chains(), false, "invalid credentials"),
            After::AccountRequired(_) => (facts.chains(), true, "account required"),
            After::Locked(a, _) => (vec![*a], false, "locked (manual)"),
            After::IpNotAllowed(a) => (vec![*a], false, "ip address not allowed"),
            After::Grant(a) => (vec![*a], true, "signed in"),
        }
    }
}

/// What a successful check of a password leads to.
pub(crate) fn next_stage(
    c: &Credentials,
    security: &SecurityPolicy,
    now: OffsetDateTime,
    factor_done: bool,
) -> SessionStage {
    if c.second_factor.is_some() && !factor_done {
        SessionStage::SecondFactor
    } else if crate::passwords::change_due(c, security, now) {
        SessionStage::PasswordChange
    } else if (security.require_two_factor || c.assigned_factor.is_some())
        && c.second_factor.is_none()
    {
        SessionStage::Enrollment
    } else {
        SessionStage::Full
    }
}

/// Checks the code a contact gives for its enrolled second factor (F1):
/// a TOTP code for its current step (each step once), or the one-time code
/// sent for sign-in. Uses the step or the code up.
/// A TOTP secret is opened with `keyring` (F1), and sealed again under its
/// current key on the way.
pub(crate) fn check_factor<'k>(
    keyring: impl FnOnce() -> Result<&'k crate::second_factor::sealing::Keyring, Error>,
    contact: ContactId,
    c: &mut Credentials,
    code: &str,
    now: OffsetDateTime,
) -> Result<bool, Error> {
    Ok(match c.second_factor.as_mut() {
        Some(e) if e.method == TwoFactorMethod::Totp => match keyring()?.totp_secret(contact, e)? {
            Some(secret) => crate::second_factor::check_totp(&secret, e, code, now),
            None => false,
        },
        Some(_) => take_code(&mut c.pending_code, code, now, "sign_in"),
        None => false,
    })
}

/// Checks and uses a pending one-time code: right, unexpired, for this
/// purpose, with tries left. A wrong try uses one up; the last voids it.
pub(crate) fn take_code(
    pending: &mut Option<PendingSecret>,
    code: &str,
    now: OffsetDateTime,
    purpose: &str,
) -> bool {
    let Some(p) = pending.as_mut() else {
        return false;
    };
    if p.purpose != purpose || now >= p.expires_at || p.tries_left == 0 {
        *pending = None;
        return false;
    }
    if p.hash.matches(code.trim()) {
        *pending = None;
        return true;
    }
    p.tries_left -= 1;
    if p.tries_left == 0 {
        *pending = None;
    }
    false
}

pub mod device;
pub(crate) mod ops;
pub mod throttle;

#[cfg(test)]
mod tests;
