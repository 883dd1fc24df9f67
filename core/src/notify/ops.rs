use super::{NotificationKind, NotificationPrefs};
use crate::audit::Operation;
use crate::contacts::{check_text, guard_owner};
use crate::error::{Error, Field};
use crate::ids::{AccountId, ContactId};
use crate::passwords::security_notice_fields;
use crate::roles::{Actor, Permission};
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
        self.write_op(
            actor,
            Operation::NotificationPrefs,
            account,
            Some(contact.to_string()),
            |tx, access| {
                let own = actor.contact_id() == Some(contact);
                access.require(if own {
                    Permission::ManageOwnSettings
                } else {
                    Permission::ManageContacts
                })?;
                let mut m = tx.member(account, contact)?;
                if !own {
                    guard_owner(tx, &access, account, contact)?;
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
                tx.audit(
                    account,
                    Operation::NotificationPrefs,
                    Some(contact.to_string()),
                    fields,
                    None,
                );
                Ok(())
            },
        )
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
        self.write_op(actor, Operation::Notice, account, None, |tx, access| {
            access.require(Permission::SendNotices)?;
            let subject = check_text(Field::Notice, subject, 200, true)?;
            if body.len() > 100_000
                || body
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t')
            {
                return Err(Error::invalid(
                    Field::Notice,
                    crate::error::Problem::Malformed,
                ));
            }
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
                    tx.notify_to(
                        NotificationKind::Maintenance,
                        Some(account),
                        c.id,
                        to,
                        subject.clone(),
                        body.to_owned(),
                        Vec::new(),
                        None,
                        None,
                    )?;
                    sent += 1;
                }
                match page.last() {
                    Some((m, _)) if page.len() == crate::MAX_PAGE => after = Some(m.contact),
                    _ => break,
                }
            }
            tx.audit(
                account,
                Operation::Notice,
                None,
                Vec::new(),
                Some(format!("{sent} contacts: {subject}")),
            );
            Ok(sent)
        })
    }
}
