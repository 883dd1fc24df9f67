//! Sign-in and sessions (SPEC D3–D5, D8, D9, E2–E4, E8, E9, G1).
//!
//! A sign-in never holds a store lock while it hashes. It runs in three
//! steps: reserve an attempt (a committed, version-checked increment of the
//! failure count, so parallel attempts never get more password checks than
//! the lock policy allows: D9), check the password with no lock held, then
//! commit the result (a reset count and a session, or a failure that may
//! lock the login).

use std::collections::HashMap;
use std::net::IpAddr;

use time::OffsetDateTime;

use crate::accounts::SecurityPolicy;
use crate::credentials::{Credentials, Password, SessionStage, PASSWORD_LIFETIME};
use crate::error::{AuthFailure, Error};
use crate::ids::{AccountId, ContactId};
use crate::lock;
use crate::lock::LockMark;
use crate::roles::Actor;
use crate::second_factor::TwoFactorMethod;
use crate::secret::Secret;

/// How many unknown logins' failure counts are remembered (D5: bounded).
const UNKNOWN_CAPACITY: usize = 65_536;
/// How long a code sent for sign-in stays valid, and how many wrong tries
/// it allows (F1, with D6's rules).
const CODE_LIFETIME: time::Duration = time::Duration::minutes(10);
const CODE_TRIES: u32 = 3;
/// A session is marked used at most this often (D8's idle lifetime).
const TOUCH_EVERY: time::Duration = time::Duration::seconds(60);

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

/// Failure counts of logins no contact has, so that they lock like real
/// ones (D5), in bounded memory.
#[derive(Debug, Default)]
pub(crate) struct UnknownLogins {
    map: HashMap<String, Credentials>,
}

impl UnknownLogins {
    fn entry(&mut self, key: &str, now: OffsetDateTime) -> &mut Credentials {
        if !self.map.contains_key(key) && self.map.len() >= UNKNOWN_CAPACITY {
            self.map
                .retain(|_, c| lock::active(c, now).is_some() || c.failed_attempts > 1);
            if self.map.len() >= UNKNOWN_CAPACITY {
                self.map.clear();
            }
        }
        self.map.entry(key.to_owned()).or_default()
    }
}

/// What a successful check of a password leads to.
pub(crate) fn next_stage(
    c: &Credentials,
    security: &SecurityPolicy,
    now: OffsetDateTime,
    factor_done: bool,
) -> SessionStage {
    let changed = c.password_changed_at;
    let expired = changed.is_some_and(|t| now >= t + PASSWORD_LIFETIME);
    let forced = security
        .force_change_before
        .is_some_and(|f| changed.is_none_or(|t| t < f));
    if c.second_factor.is_some() && !factor_done {
        SessionStage::SecondFactor
    } else if c.must_change || expired || forced {
        SessionStage::PasswordChange
    } else if security.require_two_factor && c.second_factor.is_none() {
        SessionStage::Enrollment
    } else {
        SessionStage::Full
    }
}

pub(crate) mod ops;

#[cfg(test)]
mod tests;
