//! F1: authenticator secrets are sealed (XChaCha20-Poly1305, a random
//! 24-byte nonce each time) under a key the host gives the directory, and
//! bound to their contact, so that a store's rows, or a backup of them,
//! never hold one in the clear and one contact's sealed secret cannot be
//! moved to another. Every sealed value names the id of its key: older keys
//! still open what they sealed, new seals use the current key, and a value
//! is sealed again under the current key whenever it is used
//! ([`Directory::reseal_secrets`](crate::Directory::reseal_secrets) does it
//! for a whole account).

use std::fmt;
use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::Enrollment;
use crate::error::{Error, Field, Problem, StoreError};
use crate::ids::ContactId;

/// The length of a sealing key, in bytes.
pub const SEALING_KEY_LEN: usize = 32;

/// A key secrets are sealed under, with the id sealed values name it by.
/// Its bytes are wiped when it is dropped and never printed.
#[derive(Clone)]
pub struct SealingKey {
    id: u32,
    key: Zeroizing<[u8; SEALING_KEY_LEN]>,
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealingKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl SealingKey {
    /// A key of exactly [`SEALING_KEY_LEN`] random bytes (from a key
    /// manager, say), known by `id`.
    pub fn new(id: u32, key: &[u8]) -> Result<SealingKey, Error> {
        let key: [u8; SEALING_KEY_LEN] = key
            .try_into()
            .map_err(|_| Error::invalid(Field::SealingKey, Problem::Malformed))?;
        Ok(SealingKey {
            id,
            key: Zeroizing::new(key),
        })
    }

    /// A new random key.
    pub fn random(id: u32) -> Result<SealingKey, Error> {
        let mut key = Zeroizing::new([0u8; SEALING_KEY_LEN]);
        getrandom::fill(&mut key[..]).map_err(|_| Error::RandomUnavailable)?;
        Ok(SealingKey { id, key })
    }

    /// The key kept in the file at `path`, created (readable by its owner
    /// only) with a new random key when there is none: the embedded
    /// default beside a SQLite database. The file holds the id and the key,
    /// as `<id>:<64 hex digits>`.
    pub fn from_file(path: &Path) -> Result<SealingKey, Error> {
        let bad = |what: String| Error::Store(StoreError::Backend(what));
        // A new key is written whole to a file of its own, then linked into
        // place, which fails if another process got there first: then its
        // key is the one read.
        for _ in 0..50 {
            match read_key_file(path)? {
                Some(key) => return Ok(key),
                None => {
                    let key = SealingKey::random(1)?;
                    let text = Zeroizing::new(format!(
                        "{}:{}\n",
                        key.id,
                        data_encoding::HEXLOWER.encode(&key.key[..])
                    ));
                    match publish_private(path, text.as_bytes()) {
                        Ok(()) => return Ok(key),
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                            std::thread::sleep(std::time::Duration::from_millis(10));
                        }
                        Err(e) => {
                            return Err(bad(format!(
                                "cannot create the key file {}: {e}",
                                path.display()
                            )))
                        }
                    }
                }
            }
        }
        Err(bad(format!(
            "the key file {} cannot be read",
            path.display()
        )))
    }

    /// The id sealed values name this key by.
    pub fn id(&self) -> u32 {
        self.id
    }
}

/// The key in the file at `path`, or `None` when there is no file. A file
/// that others than its owner may read, or that does not hold a key, is an
/// error, never replaced.
fn read_key_file(path: &Path) -> Result<Option<SealingKey>, Error> {
    let bad = |what: &str| {
        Error::Store(StoreError::Backend(format!(
            "the key file {} {what}",
            path.display()
        )))
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => Zeroizing::new(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(bad(&format!("cannot be read: {e}"))),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| bad(&format!("cannot be read: {e}")))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(bad("may be read by others than its owner (make it 0600)"));
        }
    }
    let (id, hex) = text
        .trim()
        .split_once(':')
        .ok_or_else(|| bad("is malformed"))?;
    let id: u32 = id.parse().map_err(|_| bad("is malformed"))?;
    let bytes = Zeroizing::new(
        data_encoding::HEXLOWER_PERMISSIVE
            .decode(hex.as_bytes())
            .map_err(|_| bad("is malformed"))?,
    );
    SealingKey::new(id, &bytes)
        .map(Some)
        .map_err(|_| bad("is malformed"))
}

/// Writes `bytes` to a new file readable by its owner alone, on the disk,
/// then links it in at `path`: failing with `AlreadyExists` if another
/// process published first, and never leaving a partial file at `path`.
fn publish_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|_| std::io::Error::other("no randomness"))?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        data_encoding::HEXLOWER.encode(&nonce)
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&temp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&temp, path));
    let _ = std::fs::remove_file(&temp);
    linked?;
    // The new name is on the disk too.
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

/// A secret sealed under a key: the key's id, the nonce, the ciphertext
/// with its tag.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    /// The id of the key it is sealed under.
    pub key_id: u32,
    /// The 24-byte nonce.
    pub nonce: Vec<u8>,
    /// The ciphertext and its 16-byte tag.
    pub ciphertext: Vec<u8>,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// The keys a directory seals with (the current one) and opens with (any).
#[derive(Clone)]
pub(crate) struct Keyring {
    current: SealingKey,
    older: Vec<SealingKey>,
}

impl Keyring {
    pub(crate) fn new(current: SealingKey, older: Vec<SealingKey>) -> Keyring {
        Keyring { current, older }
    }

    /// The data the seal is bound to: what it is, and whose.
    fn aad(contact: ContactId, purpose: &str) -> Vec<u8> {
        format!("contactkeeper {purpose} {}", contact.get()).into_bytes()
    }

    pub(crate) fn seal(
        &self,
        contact: ContactId,
        purpose: &str,
        plain: &[u8],
    ) -> Result<Sealed, Error> {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|_| Error::RandomUnavailable)?;
        let cipher = XChaCha20Poly1305::new(self.current.key[..].into());
        let aad = Keyring::aad(contact, purpose);
        let ciphertext = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .map_err(|_| Error::RandomUnavailable)?;
        Ok(Sealed {
            key_id: self.current.id,
            nonce: nonce.to_vec(),
            ciphertext,
        })
    }

    /// Opens a sealed value: a typed error when its key is not held or it
    /// does not open (altered, or another contact's); never its content.
    pub(crate) fn open(
        &self,
        contact: ContactId,
        purpose: &str,
        sealed: &Sealed,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let key = std::iter::once(&self.current)
            .chain(&self.older)
            .find(|k| k.id == sealed.key_id)
            .ok_or_else(|| {
                Error::Store(StoreError::Corrupt(format!(
                    "a sealed {purpose} is under key id {}, which this directory does not hold",
                    sealed.key_id
                )))
            })?;
        if sealed.nonce.len() != 24 {
            return Err(Error::Store(StoreError::Corrupt(format!(
                "a sealed {purpose} is malformed"
            ))));
        }
        let cipher = XChaCha20Poly1305::new(key.key[..].into());
        let aad = Keyring::aad(contact, purpose);
        cipher
            .decrypt(
                XNonce::from_slice(&sealed.nonce),
                Payload {
                    msg: &sealed.ciphertext,
                    aad: &aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| {
                Error::Store(StoreError::Corrupt(format!(
                    "a sealed {purpose} does not open under key id {}",
                    sealed.key_id
                )))
            })
    }

    /// Whether a sealed value should be sealed again under the current key.
    pub(crate) fn is_stale(&self, sealed: &Sealed) -> bool {
        sealed.key_id != self.current.id
    }

    /// The TOTP secret of a contact's enrollment, opened. One stored in the
    /// clear by an earlier version, or sealed under an older key, is sealed
    /// under the current key on the way (the caller writes the enrollment
    /// back). `None` for a method without a secret.
    pub(crate) fn totp_secret(
        &self,
        contact: ContactId,
        e: &mut Enrollment,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        if let Some(clear) = e.totp_secret.take() {
            let clear = Zeroizing::new(clear);
            e.sealed_secret = Some(self.seal(contact, TOTP, &clear)?);
            return Ok(Some(clear));
        }
        let Some(sealed) = &e.sealed_secret else {
            return Ok(None);
        };
        let plain = self.open(contact, TOTP, sealed)?;
        if self.is_stale(sealed) {
            e.sealed_secret = Some(self.seal(contact, TOTP, &plain)?);
        }
        Ok(Some(plain))
    }

    /// Seals a new TOTP secret for a contact.
    pub(crate) fn seal_totp(&self, contact: ContactId, plain: &[u8]) -> Result<Sealed, Error> {
        self.seal(contact, TOTP, plain)
    }
}

/// What a sealed TOTP secret is bound to, beside its contact.
const TOTP: &str = "totp secret";

#[cfg(test)]
mod tests;
