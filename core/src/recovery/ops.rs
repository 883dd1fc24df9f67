//! The operations of `recovery`: the `impl Directory` methods of its SPEC section,
//! each loading its facts, applying the rules of `mod.rs` and committing
//! through the Directory's runner.

use time::OffsetDateTime;

use crate::audit::Operation;
use crate::contacts::login_key;
use crate::credentials::{Password, PendingSecret, SecretHash, MAX_HISTORY};
use crate::error::{AuthFailure, Error};
use crate::ids::{ContactId, NotificationId};
use crate::notify::ops::security_notice;
use crate::notify::{Notification, NotificationKind};
use crate::recovery::{RecoveryChannel, PHONE_CODE_DIGITS, RESET_LIFETIME, RESET_TRIES};
use crate::roles::Actor;
use crate::secret::Secret;
use crate::signin::ops::anonymous_audit;
use crate::tx::Tx;
use crate::{lock, Directory};

impl Directory {
    /// Sends a one-time reset secret to the contact's chosen channel (D6).
    /// It answers the same whether or not the login exists or has that
    /// channel, so it tells nobody which logins exist. A new secret voids
    /// the old one. It does not change the failure count (D9).
    pub fn request_password_reset(
        &self,
        login: &str,
        channel: RecoveryChannel,
    ) -> Result<(), Error> {
        let found = match login_key(login) {
            Ok(key) => self.store.contact_by_login(&key)?,
            Err(_) => None,
        };
        let Some(c) = found else {
            // D5: the same work as for a known login: a secret made and
            // hashed, and one unit of work committed.
            let secret = Secret::random_hex(16)?;
            SecretHash::new(secret.expose())?;
            return self.transact("anonymous", |tx| {
                anonymous_audit(tx, Operation::PasswordResetRequest, "unknown login");
                Ok(())
            });
        };
        let id = c.id;
        let sent = self.transact(&Actor::Contact(id).audit_label(), |tx| {
            let sent = issue_reset_secret(tx, id, channel)?;
            let to = format!(
                "to {}{}",
                channel.name(),
                if sent { "" } else { " (not set)" }
            );
            tx.audit_everywhere(id, Operation::PasswordResetRequest, Vec::new(), Some(to))?;
            Ok(sent)
        });
        // Whatever happened, the caller learns nothing about the login.
        match sent {
            Ok(_) => Ok(()),
            Err(Error::Store(e)) => Err(Error::Store(e)),
            Err(_) => Ok(()),
        }
    }

    /// Sets a new password with a reset secret (D6): the secret must be the
    /// latest one, unexpired, unused, with tries left. A successful reset
    /// ends an automatic lock at once (E4), but not a manual one (E6), and
    /// every session (D8). A new password the policy refuses leaves the
    /// secret usable.
    pub fn complete_password_reset(
        &self,
        login: &str,
        secret: &Secret,
        new: &Password,
    ) -> Result<(), Error> {
        let invalid = || Error::unauthenticated(AuthFailure::InvalidSecret);
        let found = match login_key(login) {
            Ok(key) => self.store.contact_by_login(&key)?,
            Err(_) => None,
        };
        let Some(c) = found else {
            // D5: the same work as a wrong secret for a known login: the
            // secret compared, one unit of work committed, refused.
            let decoy = SecretHash::new("")?;
            let _ = decoy.matches(secret.expose().trim());
            self.transact("anonymous", |tx| {
                anonymous_audit(tx, Operation::PasswordReset, "unknown login");
                Ok(())
            })?;
            return Err(invalid());
        };
        let id = c.id;
        let label = Actor::Contact(id).audit_label();
        // Check the secret without using it up, so that a refused new
        // password does not cost the contact its secret.
        let valid = self.transact(&label, |tx| {
            let now = tx.now;
            let c = tx.contact_mut(id)?;
            Ok(check_reset(
                &mut c.credentials.reset,
                secret.expose(),
                now,
                false,
            ))
        })?;
        if !valid {
            return Err(invalid());
        }
        let hash = self.hash_new_password(id, new)?;
        self.transact(&label, |tx| {
            let now = tx.now;
            let c = tx.contact_mut(id)?;
            if !check_reset(&mut c.credentials.reset, secret.expose(), now, true) {
                return Err(invalid());
            }
            lock::clear(&mut c.credentials);
            install_password(tx, id, &hash, false, "reset with a secret")?;
            tx.audit_everywhere(id, Operation::PasswordReset, vec!["password".into()], None)?;
            Ok(())
        })
    }
}

/// Makes a reset secret for the channel, remembers its hash (voiding any
/// earlier one) and sends it. Returns whether the contact has the channel.
pub(crate) fn issue_reset_secret(
    tx: &mut Tx<'_>,
    id: ContactId,
    channel: RecoveryChannel,
) -> Result<bool, Error> {
    let now = tx.now;
    let c = tx.contact_mut(id)?;
    let to = match channel {
        RecoveryChannel::Email => Some(c.profile.email.clone()),
        RecoveryChannel::AlternateEmail => c.profile.alternate_email.clone(),
        RecoveryChannel::CellPhone => c.profile.cell_phone.clone(),
    };
    let Some(to) = to else {
        return Ok(false);
    };
    let secret = match channel {
        RecoveryChannel::CellPhone => Secret::random_digits(PHONE_CODE_DIGITS)?,
        _ => Secret::random_hex(16)?,
    };
    c.credentials.reset = Some(PendingSecret {
        hash: SecretHash::new(secret.expose())?,
        purpose: channel.name().to_owned(),
        expires_at: now.saturating_add(RESET_LIFETIME),
        tries_left: RESET_TRIES,
    });
    let body = match channel {
        RecoveryChannel::CellPhone => format!(
            "Your password reset code is {}. It works once, for 30 minutes.",
            secret.expose()
        ),
        _ => format!(
            "Use this secret to reset your password: {}\nIt works once, for 30 minutes. \
             If you did not ask for it, ignore this message.",
            secret.expose()
        ),
    };
    tx.notify_secret(Notification {
        id: NotificationId::random()?,
        kind: NotificationKind::PasswordReset,
        account: None,
        recipient: id,
        to: vec![to],
        subject: "Password reset".to_owned(),
        body,
        fields: vec![channel.name().to_owned()],
        at: now,
        resource: None,
        fallback: None,
        secret: Some(secret),
    });
    Ok(true)
}

/// Whether `secret` is the pending reset secret, unexpired with tries left.
/// A wrong try uses one up (the last voids it); with `consume`, a right one
/// is used up.
fn check_reset(
    pending: &mut Option<PendingSecret>,
    secret: &str,
    now: OffsetDateTime,
    consume: bool,
) -> bool {
    let Some(p) = pending.as_mut() else {
        return false;
    };
    if now >= p.expires_at || p.tries_left == 0 {
        *pending = None;
        return false;
    }
    if p.hash.matches(secret.trim()) {
        if consume {
            *pending = None;
        }
        return true;
    }
    p.tries_left -= 1;
    if p.tries_left == 0 {
        *pending = None;
    }
    false
}

/// Installs a new password hash (D2, D3): the old one joins the history,
/// the change time is now, every session of the contact ends (D8), a
/// pending reset secret is void. Audited in each of the contact's accounts,
/// with a security notification (I2).
pub(crate) fn install_password(
    tx: &mut Tx<'_>,
    id: ContactId,
    hash: &str,
    must_change: bool,
    detail: &str,
) -> Result<(), Error> {
    let now = tx.now;
    let c = tx.contact_mut(id)?;
    let creds = &mut c.credentials;
    if let Some(old) = creds.password_hash.take() {
        creds.password_history.insert(0, old);
        creds.password_history.truncate(MAX_HISTORY as usize);
    }
    creds.password_hash = Some(hash.to_owned());
    creds.password_changed_at = Some(now);
    creds.must_change = must_change;
    creds.reset = None;
    creds.session_epoch = creds.session_epoch.wrapping_add(1);
    // D10: a new password ends the login's device tokens too, so that
    // one a thief got with the old password is no use.
    creds.device_tokens.clear();
    let accounts = tx.audit_everywhere(
        id,
        Operation::PasswordChange,
        vec!["password".into()],
        Some(detail.to_owned()),
    )?;
    // One notice (one email address), under the first account that wants it.
    for a in accounts {
        if tx
            .membership(a, id)?
            .is_some_and(|m| m.notifications.security)
        {
            return security_notice(tx, id, a, "password");
        }
    }
    Ok(())
}
