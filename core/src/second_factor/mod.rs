//! Second factor (SPEC F1–F3): authenticator apps (TOTP, RFC 6238) and
//! one-time codes sent by SMS, voice call or email.

use std::fmt;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::names::named_enum;

/// Seconds per TOTP step (F1).
pub const TOTP_STEP: u64 = 30;
/// Digits of a TOTP or sent code (F1).
pub const CODE_DIGITS: u32 = 6;

named_enum! {
    /// How a contact proves the second factor (F1).
    TwoFactorMethod {
        /// An authenticator app (TOTP: SHA-1, 6 digits, 30 seconds).
        Totp => "totp",
        /// A code by SMS to the 2FA phone.
        Sms => "sms",
        /// A code by voice call to the 2FA phone.
        Voice => "voice",
        /// A code by email.
        Email => "email",
    }
}

/// A contact's enrolled (or pending) second factor. The TOTP secret must be
/// kept to check codes; it never appears in `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// The method.
    pub method: TwoFactorMethod,
    /// The TOTP secret (method `totp`), sealed (F1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_secret: Option<sealing::Sealed>,
    /// A TOTP secret stored in the clear by an earlier version: read, and
    /// sealed at its next use; never written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<Vec<u8>>,
    /// The 2FA phone (methods `sms` and `voice`), which may differ from the
    /// cell phone.
    pub phone: Option<String>,
    /// The last TOTP step accepted: a code is never accepted twice (F1).
    pub last_step: Option<u64>,
    /// When it was enrolled.
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
}

impl fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Enrollment")
            .field("method", &self.method)
            .field("phone", &self.phone)
            .field("since", &self.since)
            .finish_non_exhaustive()
    }
}

/// HOTP (RFC 4226) with HMAC-SHA-1: the code for `counter`, `digits` long.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return 0;
    };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[19] & 0x0f);
    let bin = (u32::from(h[offset]) & 0x7f) << 24
        | u32::from(h[offset + 1]) << 16
        | u32::from(h[offset + 2]) << 8
        | u32::from(h[offset + 3]);
    bin % 10u32.pow(digits)
}

/// TOTP (RFC 6238) with HMAC-SHA-1 and 30-second steps: the code at
/// `unix_time`, `digits` long.
pub fn totp(secret: &[u8], unix_time: u64, digits: u32) -> u32 {
    hotp(secret, unix_time / TOTP_STEP, digits)
}

/// Checks a TOTP code at `now`, one step either side (F1); a step at or
/// before the last accepted one is refused, so a code is never accepted
/// twice. On success the step is remembered.
pub(crate) fn check_totp(
    secret: &[u8],
    e: &mut Enrollment,
    code: &str,
    now: OffsetDateTime,
) -> bool {
    let Ok(t) = u64::try_from(now.unix_timestamp()) else {
        return false;
    };
    let step = t / TOTP_STEP;
    for s in [step.saturating_sub(1), step, step + 1] {
        if e.last_step.is_some_and(|last| s <= last) {
            continue;
        }
        let expected = format!("{:06}", hotp(secret, s, CODE_DIGITS));
        if bool::from(expected.as_bytes().ct_eq(code.trim().as_bytes())) {
            e.last_step = Some(s);
            return true;
        }
    }
    false
}

/// The `otpauth://` URI an authenticator app scans, for `login`.
pub(crate) fn otpauth_uri(issuer: &str, login: &str, secret: &[u8]) -> String {
    let b32 = data_encoding::BASE32_NOPAD.encode(secret);
    format!(
        "otpauth://totp/{issuer}:{login}?secret={b32}&issuer={issuer}&algorithm=SHA1&digits={CODE_DIGITS}&period={TOTP_STEP}"
    )
}

/// What starting an enrollment gives (F1): for an authenticator app, the
/// secret to scan (shown once); for SMS, voice and email, a code was sent.
#[derive(Debug, Clone)]
pub struct EnrollmentStart {
    /// The method being enrolled.
    pub method: TwoFactorMethod,
    /// The `otpauth://` URI for an authenticator app (TOTP only).
    pub otpauth_uri: Option<crate::secret::Secret>,
    /// The TOTP secret in base32, for typing in by hand (TOTP only).
    pub secret_base32: Option<crate::secret::Secret>,
}

/// The method (and 2FA phone) a manager set for a contact (F1): the
/// contact enrolls it at its next sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignedFactor {
    /// The method to enroll.
    pub method: TwoFactorMethod,
    /// The 2FA phone (methods `sms` and `voice`).
    pub phone: Option<String>,
}

/// What the Login options tab shows of a contact's second factor (I5, F1,
/// F3): the method and 2FA phone, never a secret or a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TwoFactorStatus {
    /// The method enrolled, if any.
    pub method: Option<TwoFactorMethod>,
    /// The enrolled 2FA phone (methods `sms` and `voice`).
    pub phone: Option<String>,
    /// The method (and phone) a manager set, to be enrolled at the next
    /// sign-in.
    pub assigned: Option<AssignedFactor>,
    /// Whether an enrollment was started and not yet confirmed.
    pub enrollment_pending: bool,
    /// Whether the account requires a second factor (F3).
    pub required: bool,
}

pub(crate) mod ops;
pub mod sealing;
