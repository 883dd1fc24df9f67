//! Passwords, secrets and sessions (SPEC D1–D9).
//!
//! Passwords and security answers are stored only as argon2id PHC strings
//! (D1, F4). Random secrets (session tokens, reset secrets, one-time codes)
//! are stored only as salted SHA-256 hashes and compared in constant time.
//! No secret type prints its value in `Debug`, and none is serialisable.

use std::fmt;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};
use unicode_normalization::UnicodeNormalization;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Field, Problem};
pub use crate::secret::Secret;

/// The longest password, in characters after NFKC (D2). Longer ones are
/// refused, never truncated.
pub const MAX_PASSWORD: usize = 128;
/// The shortest password any policy allows (D2).
pub const MIN_PASSWORD: usize = 8;
/// How many earlier passwords may not be reused, by default (D2).
pub const DEFAULT_HISTORY: u32 = 5;
/// The most earlier passwords a policy may remember.
pub const MAX_HISTORY: u32 = 24;
/// A password expires this long after it was last changed (D3; fixed).
pub const PASSWORD_LIFETIME: Duration = Duration::days(365);

/// A password as a person typed it. Its value is wiped from memory when it
/// is dropped and never appears in `Debug` output.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// A password from text.
    pub fn new(text: impl Into<String>) -> Password {
        Password(Zeroizing::new(text.into()))
    }

    /// A password from bytes, as a C or Python host may hold it: refused
    /// when it is not UTF-8 or contains a NUL byte.
    pub fn from_bytes(bytes: &[u8]) -> Result<Password, Error> {
        if bytes.contains(&0) {
            return Err(Error::invalid(Field::Password, Problem::ControlCharacter));
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(Password::new(s)),
            Err(_) => Err(Error::invalid(Field::Password, Problem::Malformed)),
        }
    }

    /// The password in Unicode NFKC, the form that is hashed (D2), after
    /// checking its length: refused when longer than [`MAX_PASSWORD`]
    /// characters (never truncated) or shorter than `min`.
    pub(crate) fn normalized(&self, min: usize) -> Result<Zeroizing<String>, Error> {
        // Bound the work on hostile input before normalising.
        if self.0.len() > MAX_PASSWORD * 4 * 18 {
            return Err(Error::invalid(
                Field::Password,
                Problem::TooLong { max: MAX_PASSWORD },
            ));
        }
        let n: Zeroizing<String> = Zeroizing::new(self.0.nfkc().collect());
        let chars = n.chars().count();
        if chars > MAX_PASSWORD {
            return Err(Error::invalid(
                Field::Password,
                Problem::TooLong { max: MAX_PASSWORD },
            ));
        }
        if chars < min {
            return Err(Error::invalid(Field::Password, Problem::TooShort { min }));
        }
        if n.chars().any(|c| c == '\0') {
            return Err(Error::invalid(Field::Password, Problem::ControlCharacter));
        }
        Ok(n)
    }

    /// The text, for a host that shows a generated password once (D7).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// The salted SHA-256 hash of a random secret, as stored.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretHash {
    salt: [u8; 16],
    hash: [u8; 32],
}

impl SecretHash {
    /// Hashes `secret` with a new random salt.
    pub(crate) fn new(secret: &str) -> Result<SecretHash, Error> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|_| Error::RandomUnavailable)?;
        Ok(SecretHash {
            salt,
            hash: salted(&salt, secret),
        })
    }

    /// Whether `secret` is the one hashed, compared in constant time.
    pub(crate) fn matches(&self, secret: &str) -> bool {
        bool::from(salted(&self.salt, secret).ct_eq(&self.hash))
    }
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretHash(<redacted>)")
    }
}

fn salted(salt: &[u8], secret: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(secret.as_bytes());
    h.finalize().into()
}

/// The unsalted SHA-256 of a session token: the key a session is stored
/// and found under. Tokens carry 256 random bits, so no salt is needed.
pub(crate) fn token_key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The argon2id cost (D1). The default is OWASP's m=19456 KiB, t=2, p=1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Iterations.
    pub t: u32,
    /// Parallelism.
    pub p: u32,
}

impl Default for HashCost {
    fn default() -> HashCost {
        HashCost {
            m_kib: 19_456,
            t: 2,
            p: 1,
        }
    }
}

/// Hashes and verifies passwords and security answers (argon2id, D1).
#[derive(Debug)]
pub(crate) struct Hasher {
    cost: HashCost,
    argon: Argon2<'static>,
    /// A hash of nothing anyone knows, verified for unknown logins so that
    /// they cost what a wrong password costs (D5). Made at first use.
    dummy: std::sync::OnceLock<String>,
}

impl Default for Hasher {
    fn default() -> Hasher {
        Hasher {
            cost: HashCost::default(),
            argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT),
            dummy: std::sync::OnceLock::new(),
        }
    }
}

impl Hasher {
    pub(crate) fn new(cost: HashCost) -> Result<Hasher, Error> {
        let params = Params::new(cost.m_kib, cost.t, cost.p, None)
            .map_err(|_| Error::invalid(Field::HashCost, Problem::OutOfRange))?;
        Ok(Hasher {
            cost,
            argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
            dummy: std::sync::OnceLock::new(),
        })
    }

    /// The PHC string of `text` with a new random salt.
    pub(crate) fn hash(&self, text: &str) -> Result<String, Error> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|_| Error::RandomUnavailable)?;
        let salt = SaltString::encode_b64(&salt).map_err(|_| Error::RandomUnavailable)?;
        self.argon
            .hash_password(text.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| Error::invalid(Field::Password, Problem::Malformed))
    }

    /// Whether `text` matches the PHC string, with the cost written in it.
    /// A malformed stored hash never matches.
    pub(crate) fn verify(&self, text: &str, phc: &str) -> bool {
        use crate::passwords::imported::{family, verify_legacy, Family};
        match family(phc) {
            Some(Family::Argon2) => match PasswordHash::new(phc) {
                Ok(h) => Argon2::default()
                    .verify_password(text.as_bytes(), &h)
                    .is_ok(),
                Err(_) => false,
            },
            // D1: an imported hash, verified as it is (and upgraded).
            Some(f) => verify_legacy(f, text, phc),
            None => false,
        }
    }

    /// Spends the time of one verification, for an unknown login (D5).
    pub(crate) fn verify_dummy(&self, text: &str) {
        let dummy = self.dummy.get_or_init(|| {
            let mut seed = [0u8; 32];
            // Without randomness the dummy is still a hash nobody can match
            // by accident; only its cost matters.
            let _ = getrandom::fill(&mut seed);
            self.hash(&format!("{seed:?}")).unwrap_or_default()
        });
        let _ = self.verify(text, dummy);
    }

    /// Whether a stored hash was made with another algorithm or cost than
    /// the configured one, and should be remade at the next sign-in (D1).
    pub(crate) fn needs_upgrade(&self, phc: &str) -> bool {
        let Ok(h) = PasswordHash::new(phc) else {
            return true;
        };
        let Ok(p) = Params::try_from(&h) else {
            return true;
        };
        h.algorithm.as_str() != "argon2id"
            || p.m_cost() != self.cost.m_kib
            || p.t_cost() != self.cost.t
            || p.p_cost() != self.cost.p
    }
}

/// Checks a hash a host imports (D1): see [`crate::passwords::imported`].
pub(crate) fn check_phc(phc: &str) -> Result<String, Error> {
    crate::passwords::imported::check_import(phc)
}

/// An account's password requirements (D2). Security managers tighten the
/// defaults; they cannot loosen them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    /// Fewest characters ([`MIN_PASSWORD`] to [`MAX_PASSWORD`]).
    pub min_length: u32,
    /// How many earlier passwords may not be reused ([`DEFAULT_HISTORY`] to
    /// [`MAX_HISTORY`]).
    pub history: u32,
}

impl Default for PasswordPolicy {
    fn default() -> PasswordPolicy {
        PasswordPolicy {
            min_length: MIN_PASSWORD as u32,
            history: DEFAULT_HISTORY,
        }
    }
}

impl PasswordPolicy {
    pub(crate) fn validated(self) -> Result<PasswordPolicy, Error> {
        if !(MIN_PASSWORD as u32..=MAX_PASSWORD as u32).contains(&self.min_length)
            || !(DEFAULT_HISTORY..=MAX_HISTORY).contains(&self.history)
        {
            return Err(Error::invalid(Field::PasswordPolicy, Problem::OutOfRange));
        }
        Ok(self)
    }

    /// The stricter of two policies (a shared contact meets every one of its
    /// accounts').
    #[must_use]
    pub fn strictest(self, other: PasswordPolicy) -> PasswordPolicy {
        PasswordPolicy {
            min_length: self.min_length.max(other.min_length),
            history: self.history.max(other.history),
        }
    }
}

/// Checks a new password against a policy (D2) and returns its NFKC form:
/// long enough and not too long, not a common password, not containing
/// the login. (Reuse is checked against the stored history by the caller.)
pub(crate) fn check_new_password(
    password: &Password,
    policy: &PasswordPolicy,
    login: &str,
) -> Result<Zeroizing<String>, Error> {
    let n = password.normalized(policy.min_length as usize)?;
    let lower = n.to_lowercase();
    if login.len() >= 3 && lower.contains(&login.to_ascii_lowercase()) {
        return Err(Error::invalid(Field::Password, Problem::ContainsLogin));
    }
    if is_common_password(&n) {
        return Err(Error::invalid(Field::Password, Problem::CommonPassword));
    }
    Ok(n)
}

/// Whether the whole password is one of zxcvbn's 30,000 common passwords
/// (in any case, reversed or with l33t substitutions).
pub fn is_common_password(password: &str) -> bool {
    use zxcvbn::matching::patterns::MatchPattern;
    let entropy = zxcvbn::zxcvbn(password, &[]);
    let chars = password.chars().count();
    entropy.sequence().iter().any(|m| {
        // zxcvbn does not export its dictionary type; its default variant
        // is the common-passwords dictionary.
        m.i == 0
            && m.j + 1 == chars
            && matches!(&m.pattern, MatchPattern::Dictionary(d) if d.dictionary_name == Default::default())
    })
}

/// What a contact's credentials are, as stored with the contact (one set
/// per login, B6). Hashes only; never printed.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Credentials {
    /// The argon2 PHC string of the password, if one is set.
    #[serde(skip_serializing_if = "crate::names::is_default")]
    pub password_hash: Option<String>,
    /// When the password was last changed (D3).
    #[serde(
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub password_changed_at: Option<OffsetDateTime>,
    /// Earlier password hashes, newest first (D2).
    #[serde(skip_serializing_if = "crate::names::is_default")]
    pub password_history: Vec<String>,
    /// "Reset password at next login" (D4).
    #[serde(skip_serializing_if = "crate::names::is_default")]
    pub must_change: bool,
    /// Failed sign-in attempts since the last success (E2).
    #[serde(skip_serializing_if = "crate::names::is_default")]
    pub failed_attempts: u32,
    /// The automatic lock, if one is or was set (E2).
    #[serde(skip_serializing_if = "crate::names::is_default")]
    pub lock: Option<AutoLock>,
    /// Bumped to end every session of the contact at once (D8).
    #[serde(skip_serializing_if = "crate::names::is_default")]
    pub session_epoch: u64,
    /// Bumped by every automatic lock (E2), to end the sessions that no
    /// device token made (D8, D10).
    #[serde(default, skip_serializing_if = "crate::names::is_default")]
    pub lock_epoch: u64,
    /// The login's device tokens, by their hashes (D10).
    #[serde(default, skip_serializing_if = "crate::names::is_default")]
    pub device_tokens: Vec<DeviceRecord>,
    /// A pending password-reset secret (D6).
    #[serde(skip_serializing_if = "crate::names::is_default")]
    pub reset: Option<PendingSecret>,
    /// The second factor the contact enrolled (F1).
    #[serde(skip_serializing_if = "crate::names::is_default")]
    pub second_factor: Option<crate::second_factor::Enrollment>,
    /// The method a manager set, to enroll at the next sign-in (F1).
    #[serde(skip_serializing_if = "crate::names::is_default")]
    pub assigned_factor: Option<crate::second_factor::AssignedFactor>,
    /// An enrollment started and not yet confirmed (F1).
    #[serde(skip_serializing_if = "crate::names::is_default")]
    pub pending_enrollment: Option<crate::second_factor::Enrollment>,
    /// A one-time code sent for sign-in or enrollment (F1).
    #[serde(skip_serializing_if = "crate::names::is_default")]
    pub pending_code: Option<PendingSecret>,
    /// The security questions and hashed answers (F4).
    #[serde(skip_serializing_if = "crate::names::is_default")]
    pub security_answers: Vec<crate::security_questions::StoredAnswer>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("password_set", &self.password_hash.is_some())
            .field("password_changed_at", &self.password_changed_at)
            .field("must_change", &self.must_change)
            .field("failed_attempts", &self.failed_attempts)
            .field("lock", &self.lock)
            .field("device_tokens", &self.device_tokens.len())
            .field(
                "second_factor",
                &self.second_factor.as_ref().map(|e| e.method),
            )
            .field("security_answers", &self.security_answers.len())
            .finish_non_exhaustive()
    }
}

/// An automatic lock after too many failed attempts (E2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoLock {
    /// When it started.
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    /// When it ends (a 30-minute cool-off).
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
}

/// A device token as stored (D10): only the hash of the token, when it
/// was issued and last used, and the failed attempts made with it since
/// its last success.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRecord {
    /// SHA-256 of the token (it carries 256 random bits).
    pub key: [u8; 32],
    /// When it was issued.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// When a sign-in last presented it (its 180 days run from here).
    #[serde(with = "time::serde::rfc3339")]
    pub last_used_at: OffsetDateTime,
    /// Failed attempts made with it since its last success.
    #[serde(default, skip_serializing_if = "crate::names::is_default")]
    pub failures: u32,
}

impl fmt::Debug for DeviceRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceRecord")
            .field("issued_at", &self.issued_at)
            .field("last_used_at", &self.last_used_at)
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }
}

/// A one-time secret waiting to be used: its hash, where it was sent, when
/// it expires, how many wrong tries are left (D6, F1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSecret {
    /// The salted hash of the secret.
    pub hash: SecretHash,
    /// What it is for and where it went.
    pub purpose: String,
    /// When it stops working.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Wrong tries left before it is voided.
    pub tries_left: u32,
}

/// How a session may be used (D4, D5, F1, F3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SessionStage {
    /// Signed in: every operation the contact's permissions allow.
    Full,
    /// Only changing the password (D4: expired, flagged, or required).
    PasswordChange,
    /// Only presenting the second factor (F1).
    SecondFactor,
    /// Only enrolling a second factor (F3).
    Enrollment,
}

impl SessionStage {
    /// A stable snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            SessionStage::Full => "full",
            SessionStage::PasswordChange => "password_change",
            SessionStage::SecondFactor => "second_factor",
            SessionStage::Enrollment => "enrollment",
        }
    }
}

/// A session as stored: found by the hash of its token (D8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// SHA-256 of the token.
    pub key: [u8; 32],
    /// The contact signed in.
    pub contact: crate::ids::ContactId,
    /// The account signed in to.
    pub account: crate::ids::AccountId,
    /// What it may do.
    pub stage: SessionStage,
    /// The client's address at sign-in (G1).
    pub ip: std::net::IpAddr,
    /// When it was created (absolute lifetime).
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was last used (idle lifetime).
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    /// The contact's session epoch at creation (D8).
    pub contact_epoch: u64,
    /// The membership's session epoch at creation (D8).
    pub membership_epoch: u64,
    /// The contact's lock epoch at creation: an automatic lock ends a
    /// session that no device token made (D8, D10).
    #[serde(default, skip_serializing_if = "crate::names::is_default")]
    pub lock_epoch: u64,
    /// The hash of the device token the sign-in presented, if a valid one
    /// (D10): such a session outlives an automatic lock, and its wrong
    /// second-factor codes count against that token.
    #[serde(default, skip_serializing_if = "crate::names::is_default")]
    pub device: Option<[u8; 32]>,
    /// Whether to issue a device token once the second factor is given
    /// (D10).
    #[serde(default, skip_serializing_if = "crate::names::is_default")]
    pub remember_device: bool,
}

impl Password {
    /// A readable random password of `len` characters for D7: letters and
    /// digits without look-alikes (no 0 O 1 l I).
    pub(crate) fn random(len: usize) -> Result<Password, Error> {
        const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let mut out = Zeroizing::new(String::with_capacity(len));
        let limit = 256 - 256 % ALPHABET.len();
        while out.len() < len {
            let mut b = [0u8; 32];
            getrandom::fill(&mut b).map_err(|_| Error::RandomUnavailable)?;
            for x in b {
                if (x as usize) < limit && out.len() < len {
                    out.push(ALPHABET[x as usize % ALPHABET.len()] as char);
                }
            }
            b.zeroize();
        }
        Ok(Password::new(out.as_str()))
    }
}
