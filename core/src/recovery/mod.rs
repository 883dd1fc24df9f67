//! Forgotten passwords (SPEC D6, E4): one-time reset secrets sent to the
//! email, the alternate email or the cell phone.

use time::Duration;

use crate::names::named_enum;

/// How long a reset secret works (D6).
pub const RESET_LIFETIME: Duration = Duration::minutes(30);
/// Wrong tries a reset secret allows before it is voided (D6).
pub const RESET_TRIES: u32 = 5;
/// Digits of a reset code sent to a phone (D6).
pub const PHONE_CODE_DIGITS: u32 = 8;

named_enum! {
    /// Where a reset secret goes (D6, B4).
    RecoveryChannel {
        /// The email: a 128-bit secret for a link.
        Email => "email",
        /// The alternate email (never a login, B4): a 128-bit secret.
        AlternateEmail => "alternate_email",
        /// The cell phone: an 8-digit code.
        CellPhone => "cell_phone",
    }
}

pub(crate) mod ops;
