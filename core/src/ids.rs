//! Identifiers. Ids are random 63-bit numbers: they fit a signed 64-bit SQL
//! integer, need no coordination between processes, and cannot be guessed
//! by counting.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident, $prefix:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// The number behind the id.
            pub fn get(self) -> u64 {
                self.0
            }

            pub(crate) fn random() -> Result<$name, RandomUnavailable> {
                random_u63().map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, ":{}"), self.0)
            }
        }
    };
}

id_type!(
    /// An account (a tenant of the host portal).
    AccountId,
    "account"
);
id_type!(
    /// A contact (a login with one profile, possibly shared by accounts).
    ContactId,
    "contact"
);
id_type!(
    /// A notification in the outbox.
    NotificationId,
    "notification"
);

/// The system's random number generator failed (it becomes
/// [`crate::Error::RandomUnavailable`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RandomUnavailable;

/// A random number in `1..2^63`.
pub(crate) fn random_u63() -> Result<u64, RandomUnavailable> {
    loop {
        let n = getrandom::u64().map_err(|_| RandomUnavailable)? >> 1;
        if n != 0 {
            return Ok(n);
        }
    }
}
id_type!(
    /// A resource an account manages: a computer, a site, a phone system.
    ResourceId,
    "resource"
);
