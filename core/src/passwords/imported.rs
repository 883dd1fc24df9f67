//! D1: password hashes a host imports from another system. Each is checked
//! against the directory's bounds before it is stored (a hash that takes
//! seconds to verify is a denial of service), verified as it is, and
//! replaced by argon2id at the first successful sign-in.
//!
//! Accepted: argon2id, argon2i and argon2d PHC strings; bcrypt (`$2a$`,
//! `$2b$`, `$2y$`); PBKDF2-SHA256 in Django's format
//! (`pbkdf2_sha256$<iterations>$<salt>$<base64 digest>`).

use argon2::password_hash::PasswordHash;
use argon2::Params;
use subtle::ConstantTimeEq;

use crate::error::{Error, Field, Problem};

/// The most memory an imported argon2 hash may ask for, in KiB (256 MiB).
pub const MAX_IMPORT_ARGON2_M_KIB: u32 = 256 * 1024;
/// The most iterations of an imported argon2 hash.
pub const MAX_IMPORT_ARGON2_T: u32 = 10;
/// The most lanes of an imported argon2 hash.
pub const MAX_IMPORT_ARGON2_P: u32 = 8;
/// The highest cost of an imported bcrypt hash.
pub const MAX_IMPORT_BCRYPT_COST: u32 = 14;
/// The most iterations of an imported PBKDF2-SHA256 hash.
pub const MAX_IMPORT_PBKDF2_ITERATIONS: u32 = 2_000_000;

/// The longest hash string accepted.
const MAX_LEN: usize = 512;

/// The families of hashes the library verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Argon2,
    Bcrypt,
    Pbkdf2Sha256,
}

/// The family a stored hash belongs to, by its prefix.
pub(crate) fn family(hash: &str) -> Option<Family> {
    if hash.starts_with("$argon2") {
        Some(Family::Argon2)
    } else if ["$2a$", "$2b$", "$2y$"].iter().any(|p| hash.starts_with(p)) {
        Some(Family::Bcrypt)
    } else if hash.starts_with("pbkdf2_sha256$") {
        Some(Family::Pbkdf2Sha256)
    } else {
        None
    }
}

fn malformed() -> Error {
    Error::invalid(Field::PasswordHash, Problem::Malformed)
}

fn too_costly() -> Error {
    Error::invalid(Field::PasswordHash, Problem::OutOfRange)
}

/// Checks an imported hash (D1): well formed, of a family the library
/// verifies, and within the bounds; it is returned as it will be stored.
/// Only parsing: no hash is computed, so a refusal costs microseconds.
pub(crate) fn check_import(hash: &str) -> Result<String, Error> {
    if hash.len() > MAX_LEN || !hash.is_ascii() {
        return Err(malformed());
    }
    match family(hash).ok_or_else(malformed)? {
        Family::Argon2 => check_argon2(hash)?,
        Family::Bcrypt => check_bcrypt(hash)?,
        Family::Pbkdf2Sha256 => check_pbkdf2(hash)?,
    }
    Ok(hash.to_owned())
}

fn check_argon2(hash: &str) -> Result<(), Error> {
    let h = PasswordHash::new(hash).map_err(|_| malformed())?;
    if !matches!(h.algorithm.as_str(), "argon2id" | "argon2i" | "argon2d")
        || h.hash.is_none()
        || !matches!(h.version, None | Some(0x10) | Some(0x13))
    {
        return Err(malformed());
    }
    // Exactly m, t and p, each once (a repeated or unknown key is refused).
    let mut keys: Vec<&str> = h.params.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    if keys != ["m", "p", "t"] {
        return Err(malformed());
    }
    let p = Params::try_from(&h).map_err(|_| malformed())?;
    if p.m_cost() > MAX_IMPORT_ARGON2_M_KIB
        || p.t_cost() > MAX_IMPORT_ARGON2_T
        || p.p_cost() > MAX_IMPORT_ARGON2_P
    {
        return Err(too_costly());
    }
    Ok(())
}

/// `$2b$` + two-digit cost + `$` + 53 characters of bcrypt's base64.
fn check_bcrypt(hash: &str) -> Result<(), Error> {
    let b = hash.as_bytes();
    if b.len() != 60 || b[6] != b'$' {
        return Err(malformed());
    }
    let cost: u32 = std::str::from_utf8(&b[4..6])
        .ok()
        .filter(|c| c.bytes().all(|d| d.is_ascii_digit()))
        .and_then(|c| c.parse().ok())
        .ok_or_else(malformed)?;
    let alphabet = |c: &u8| c.is_ascii_alphanumeric() || *c == b'.' || *c == b'/';
    if !b[7..].iter().all(alphabet) || cost < 4 {
        return Err(malformed());
    }
    if cost > MAX_IMPORT_BCRYPT_COST {
        return Err(too_costly());
    }
    Ok(())
}

/// Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 of 32 bytes>`.
fn pbkdf2_parts(hash: &str) -> Result<(u32, &str, Vec<u8>), Error> {
    let mut parts = hash.split('$');
    let (Some("pbkdf2_sha256"), Some(iterations), Some(salt), Some(digest), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(malformed());
    };
    if iterations.is_empty()
        || iterations.len() > 10
        || !iterations.bytes().all(|d| d.is_ascii_digit())
        || iterations.starts_with('0')
        || salt.is_empty()
    {
        return Err(malformed());
    }
    let iterations: u64 = iterations.parse().map_err(|_| malformed())?;
    let digest = data_encoding::BASE64
        .decode(digest.as_bytes())
        .map_err(|_| malformed())?;
    if digest.len() != 32 {
        return Err(malformed());
    }
    let iterations = u32::try_from(iterations)
        .ok()
        .filter(|n| *n <= MAX_IMPORT_PBKDF2_ITERATIONS)
        .ok_or_else(too_costly)?;
    Ok((iterations, salt, digest))
}

fn check_pbkdf2(hash: &str) -> Result<(), Error> {
    pbkdf2_parts(hash).map(|_| ())
}

/// Verifies a password against a bcrypt or PBKDF2-SHA256 hash (argon2 is
/// the hasher's own). A hash that does not parse matches nothing.
pub(crate) fn verify_legacy(family: Family, text: &str, hash: &str) -> bool {
    match family {
        Family::Argon2 => false,
        Family::Bcrypt => check_bcrypt(hash).is_ok() && bcrypt::verify(text, hash).unwrap_or(false),
        Family::Pbkdf2Sha256 => {
            let Ok((iterations, salt, digest)) = pbkdf2_parts(hash) else {
                return false;
            };
            let mut out = [0u8; 32];
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
                text.as_bytes(),
                salt.as_bytes(),
                iterations,
                &mut out,
            );
            out.ct_eq(&digest[..]).into()
        }
    }
}

#[cfg(test)]
mod tests;
