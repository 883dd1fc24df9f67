//! [`Secret`]: a random secret the library made, shown once to the person
//! it is for. Never in `Debug`; compared in constant time; wiped on drop.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::Error;

/// A random secret the library made and shows once: a session token, a
/// reset secret, a one-time code. Wiped on drop; never in `Debug`.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// A secret a host received back from a person or a client.
    pub fn new(text: impl Into<String>) -> Secret {
        Secret(Zeroizing::new(text.into()))
    }

    /// The secret's text, to hand to the person it is for.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A random secret of `bytes` random bytes, as lower-case hex.
    pub(crate) fn random_hex(bytes: usize) -> Result<Secret, Error> {
        let mut raw = Zeroizing::new(vec![0u8; bytes]);
        getrandom::fill(&mut raw).map_err(|_| Error::RandomUnavailable)?;
        let mut s = String::with_capacity(bytes * 2);
        for b in raw.iter() {
            s.push_str(&format!("{b:02x}"));
        }
        Ok(Secret::new(s))
    }

    /// A random code of `digits` decimal digits.
    pub(crate) fn random_digits(digits: u32) -> Result<Secret, Error> {
        let modulus = 10u64.pow(digits);
        // Rejection sampling keeps every code equally likely.
        let limit = u64::MAX - u64::MAX % modulus;
        loop {
            let n = getrandom::u64().map_err(|_| Error::RandomUnavailable)?;
            if n < limit {
                return Ok(Secret::new(format!(
                    "{:0width$}",
                    n % modulus,
                    width = digits as usize
                )));
            }
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Compared in constant time, so that comparing a secret a client sent with
/// the one expected reveals nothing by its duration.
impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for Secret {}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn secrets_compare_by_value_in_constant_time_and_never_print() {
        assert_eq!(Secret::new("abc123"), Secret::new("abc123"));
        assert_ne!(Secret::new("abc123"), Secret::new("abc124"));
        assert_ne!(Secret::new("abc"), Secret::new("abc123"));
        assert_eq!(format!("{:?}", Secret::new("abc123")), "Secret(<redacted>)");
    }
}
