//! Password changes and policies (SPEC D2–D4, D7, D8).

/// Characters of a temporary password a manager's reset generates (D7).
pub const TEMPORARY_PASSWORD_LENGTH: usize = 16;

/// How a manager resets another contact's password (D7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagerReset {
    /// Send the contact a reset secret (D6) by this channel.
    SendSecret(crate::recovery::RecoveryChannel),
    /// Set a temporary password the library generates, shown once to the
    /// manager; the contact must change it at next sign-in (D4).
    TemporaryPassword,
}

pub mod imported;
pub(crate) mod ops;
