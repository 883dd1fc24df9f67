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

/// What the General tab shows of a contact's password (I5, D3, D4): never
/// the password or its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PasswordStatus {
    /// Whether the contact has a password.
    pub set: bool,
    /// When it was last changed.
    #[serde(with = "time::serde::rfc3339::option")]
    pub changed_at: Option<time::OffsetDateTime>,
    /// When it expires (D3: 365 days after the last change).
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<time::OffsetDateTime>,
    /// "Reset password at next login", as a manager set it (D4).
    pub must_change: bool,
    /// Whether the next sign-in must change the password, for any reason:
    /// the flag, expiry (D3), or the account's forced change (D2).
    pub change_required: bool,
}

/// When a password changed at `changed_at` expires (D3).
pub(crate) fn expires_at(changed_at: Option<time::OffsetDateTime>) -> Option<time::OffsetDateTime> {
    changed_at.map(|t| t.saturating_add(crate::credentials::PASSWORD_LIFETIME))
}

/// Whether the next sign-in must change the password: the flag (D4), its
/// expiry (D3), or the account's forced change (D2).
pub(crate) fn change_due(
    c: &crate::credentials::Credentials,
    security: &crate::accounts::SecurityPolicy,
    now: time::OffsetDateTime,
) -> bool {
    let changed = c.password_changed_at;
    let expired = expires_at(changed).is_some_and(|t| now >= t);
    let forced = security
        .force_change_before
        .is_some_and(|f| changed.is_none_or(|t| t < f));
    c.must_change || expired || forced
}

impl PasswordStatus {
    pub(crate) fn of(
        c: &crate::credentials::Credentials,
        security: &crate::accounts::SecurityPolicy,
        now: time::OffsetDateTime,
    ) -> PasswordStatus {
        let set = c.password_hash.is_some();
        PasswordStatus {
            set,
            changed_at: c.password_changed_at,
            expires_at: expires_at(c.password_changed_at),
            must_change: c.must_change,
            change_required: set && change_due(c, security, now),
        }
    }
}

pub mod imported;
pub(crate) mod ops;
