//! The operations of `notify`: the `impl Directory` methods of its SPEC section,
//! each loading its facts, applying the rules of `mod.rs` and committing
//! through the Directory's runner.

use super::{NotificationKind, NotificationPrefs};
use crate::audit::Operation;
use crate::error::{Error, Field, Problem};
use crate::ids::{AccountId, ContactId};
use crate::notify::NotificationDraft;
use crate::op::{Done, Op};
use crate::roles::{Actor, Permission};
use crate::text::check_text;
use crate::tx::Tx;
use crate::Directory;

impl Directory {
    /// Sets what a contact wants to be told in the account (I2, I4, H6):
    /// its own, or another's by a contact manager (never the owner's,
    /// A6). The change itself is a security notification (I2), sent if
    /// security notifications were on.
    pub fn set_notification_prefs(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
        prefs: NotificationPrefs,
    ) -> Result<(), Error> {
        let op = Op::new(Operation::NotificationPrefs, account).on_contact(
            actor,
            contact,
            Permission::ManageContacts,
        );
        self.write(actor, op, |tx, access| {
            let own = actor.contact_id() == Some(contact);
            let mut m = tx.member(account, contact)?;
            if !own {
                tx.guard_owner(&access, account, contact)?;
            }
            let before = m.notifications;
            let mut fields = Vec::new();
            for (name, old, new) in [
                ("security_notifications", before.security, prefs.security),
                (
                    "maintenance_notifications",
                    before.maintenance,
                    prefs.maintenance,
                ),
                ("billing_notifications", before.billing, prefs.billing),
                (
                    "milestone_notifications",
                    before.milestones,
                    prefs.milestones,
                ),
            ] {
                if old != new {
                    fields.push(name.to_owned());
                }
            }
            // Told under the preferences as they were.
            security_notice_fields(tx, contact, account, fields.clone())?;
            m.notifications = prefs;
            tx.put_membership(m);
            Ok(Done::new(()).fields(fields))
        })
    }

    /// Sends a maintenance or global-issue notice to every contact of
    /// the account that wants them, at its email and its alternate
    /// email (I4). The host sends notices. Returns how many contacts
    /// it was sent to.
    pub fn send_maintenance_notice(
        &self,
        actor: &Actor,
        account: AccountId,
        subject: &str,
        body: &str,
    ) -> Result<usize, Error> {
        let op = Op::new(Operation::Notice, account).needs(Permission::SendNotices);
        self.write(actor, op, |tx, _| {
            let subject = check_notice(subject, body)?;
            let mut sent = 0;
            let mut after = None;
            loop {
                let page = tx.store().members(account, after, crate::MAX_PAGE)?;
                for (m, c) in &page {
                    if !m.notifications.maintenance {
                        continue;
                    }
                    let mut to = vec![c.profile.email.clone()];
                    to.extend(c.profile.alternate_email.clone());
                    tx.notify(NotificationDraft {
                        account: Some(account),
                        to: Some(to),
                        ..NotificationDraft::new(
                            NotificationKind::Maintenance,
                            c.id,
                            subject.clone(),
                            body.to_owned(),
                        )
                    })?;
                    sent += 1;
                }
                match page.last() {
                    Some((m, _)) if page.len() == crate::MAX_PAGE => after = Some(m.contact),
                    _ => break,
                }
            }
            Ok(Done::new(sent).detail(Some(format!("{sent} contacts: {subject}"))))
        })
    }

    /// Sends a billing notice the host defines (invoice ready, payment
    /// failed…) to the account's primary billing contact, and to the
    /// secondary only when the notifier reports the primary undeliverable;
    /// an account without a billing contact sends it to its owner (H7). A
    /// recipient that turned billing notices off is not unreachable: nobody
    /// is told, and the audit entry says so. The host sends notices.
    /// Returns who it was sent to, if anyone.
    pub fn send_billing_notice(
        &self,
        actor: &Actor,
        account: AccountId,
        subject: &str,
        body: &str,
    ) -> Result<Option<ContactId>, Error> {
        let op = Op::new(Operation::BillingNotice, account).needs(Permission::SendNotices);
        self.write(actor, op, |tx, _| {
            let subject = check_notice(subject, body)?;
            let a = tx.account(account)?;
            let (billing, owner) = (a.billing, a.owner);
            let wants = |tx: &mut Tx<'_>, c| wants(tx, account, c, |p| p.billing);
            let (to, who) = match billing.primary {
                Some(p) => (p, "the primary billing contact"),
                None => (owner, "the owner (no billing contact is set)"),
            };
            if !wants(tx, to)? {
                let why = format!("{subject}; not sent: {who} {to} turned billing notices off");
                return Ok(Done::new(None).detail(Some(why)));
            }
            let fallback = match billing.secondary {
                Some(s) if billing.primary.is_some() && wants(tx, s)? => Some(s),
                _ => None,
            };
            tx.notify(NotificationDraft {
                account: Some(account),
                fallback,
                ..NotificationDraft::new(
                    NotificationKind::Billing,
                    to,
                    subject.clone(),
                    body.to_owned(),
                )
            })?;
            Ok(Done::new(Some(to))
                .target(to)
                .detail(Some(format!("to {who} {to}: {subject}"))))
        })
    }
}

/// Whether a member of the account wants the notices `pick` names (H6,
/// H7); one who is not a member wants none.
pub(crate) fn wants(
    tx: &mut Tx<'_>,
    account: AccountId,
    contact: ContactId,
    pick: fn(&NotificationPrefs) -> bool,
) -> Result<bool, Error> {
    Ok(tx
        .membership(account, contact)?
        .is_some_and(|m| pick(&m.notifications)))
}

/// A host's notice (I4, H7): a subject of one line, at most 200 characters,
/// and a body of at most 100,000 bytes whose only control characters are
/// line feeds and tabs. Returns the subject, trimmed.
fn check_notice(subject: &str, body: &str) -> Result<String, Error> {
    let subject = check_text(Field::Notice, subject, 200, true)?;
    if body.len() > 100_000
        || body
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::invalid(Field::Notice, Problem::Malformed));
    }
    Ok(subject)
}

/// I2: a security notification to the contact naming the changed fields,
/// never their values, when its security notifications are on in the
/// account; the time is in the contact's zone (I3).
pub(crate) fn security_notice(
    tx: &mut Tx<'_>,
    id: ContactId,
    account: AccountId,
    field: &str,
) -> Result<(), Error> {
    security_notice_fields(tx, id, account, vec![field.to_owned()])
}

/// [`security_notice`] for several fields.
pub(crate) fn security_notice_fields(
    tx: &mut Tx<'_>,
    id: ContactId,
    account: AccountId,
    fields: Vec<String>,
) -> Result<(), Error> {
    security_notice_to(tx, id, account, fields, None)
}

/// [`security_notice_fields`], also sent to `also` (the old address of an
/// email change, so that its owner learns of it).
pub(crate) fn security_notice_to(
    tx: &mut Tx<'_>,
    id: ContactId,
    account: AccountId,
    fields: Vec<String>,
    also: Option<String>,
) -> Result<(), Error> {
    let wants = tx
        .membership(account, id)?
        .is_none_or(|m| m.notifications.security);
    if !wants || fields.is_empty() {
        return Ok(());
    }
    let name = tx.account(account)?.name.clone();
    let zone = tx.contact(id)?.profile.time_zone.clone();
    let when = crate::notify::contact_time(tx.now, &zone);
    let mut to = vec![tx.contact(id)?.profile.email.clone()];
    to.extend(also.filter(|a| !to.contains(a)));
    let body = format!(
        "These settings of your contact changed at {when}: {}. \
         If you did not expect this, contact your account's owner.",
        fields.join(", ")
    );
    tx.notify(NotificationDraft {
        account: Some(account),
        to: Some(to),
        fields,
        ..NotificationDraft::new(
            NotificationKind::Security,
            id,
            format!("Security notice from {name}"),
            body,
        )
    })
}
