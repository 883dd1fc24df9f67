//! Notifications and the outbox (SPEC I1).
//!
//! A decision carries its notifications; the `Directory` stores them with the
//! change in one commit and hands them to the host's [`Notifier`] after. A
//! delivery that fails stays pending until
//! [`deliver_pending`](crate::Directory::deliver_pending) succeeds with it,
//! so none is lost when the process stops in between.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{AccountId, ContactId, NotificationId, ResourceId};
use crate::names::named_enum;

named_enum! {
    /// What a notification is about.
    NotificationKind {
        /// The recipient became the account's owner (A3, A4).
        OwnershipReceived => "ownership_received",
        /// The recipient is no longer the account's owner (A3, A4).
        OwnershipLost => "ownership_lost",
        /// A security notice: a credential or setting changed, or a lock (I2, E9, F2).
        Security => "security",
        /// A password-reset secret (D6, D7).
        PasswordReset => "password_reset",
        /// A one-time sign-in or enrollment code (F1).
        SignInCode => "sign_in_code",
        /// A resource's milestone, for its technical contact (H6).
        Milestone => "milestone",
        /// A maintenance or global-issue notice (I4).
        Maintenance => "maintenance",
        /// A billing notice the host sends (invoice ready, payment failed…),
        /// for the account's billing contact (H7).
        Billing => "billing",
    }
}

/// A message to one contact. Hosts may send `subject` and `body` as they
/// are, or build their own from the structured fields. Only the two kinds
/// whose purpose is to deliver a secret (a reset secret, a one-time code)
/// carry one, and those are never stored; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Its id in the outbox.
    pub id: NotificationId,
    /// What it is about.
    pub kind: NotificationKind,
    /// The account it concerns.
    pub account: Option<AccountId>,
    /// The contact it is for.
    pub recipient: ContactId,
    /// The addresses to send it to.
    pub to: Vec<String>,
    /// A default plain-text subject.
    pub subject: String,
    /// A default plain-text body.
    pub body: String,
    /// The names of fields it reports changed, if any.
    pub fields: Vec<String>,
    /// The resource it concerns, if any (H6).
    pub resource: Option<ResourceId>,
    /// Who gets it instead if the notifier reports the recipient
    /// undeliverable (H6: the secondary technical contact).
    pub fallback: Option<ContactId>,
    /// When the change it reports happened (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// A secret to deliver (a reset secret, a one-time code), also written
    /// in `body`. Such a notification is delivered once, right after the
    /// change, and never stored in the outbox (D6).
    #[serde(skip)]
    pub secret: Option<crate::secret::Secret>,
}

impl std::fmt::Debug for Notification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body: &str = if self.secret.is_some() {
            "<redacted: carries a secret>"
        } else {
            &self.body
        };
        f.debug_struct("Notification")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("account", &self.account)
            .field("recipient", &self.recipient)
            .field("to", &self.to)
            .field("subject", &self.subject)
            .field("body", &body)
            .field("fields", &self.fields)
            .field("resource", &self.resource)
            .field("fallback", &self.fallback)
            .field("at", &self.at)
            .finish()
    }
}

/// What a notifier did with a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// Sent; it is removed from the outbox.
    Delivered,
    /// It can never be delivered (a permanent failure); it is removed.
    Undeliverable,
    /// Not sent this time; it stays pending for a later retry.
    RetryLater,
}

/// The host's way to send notifications (email, SMS, a queue).
///
/// `deliver` is called after the change that caused the notification has
/// been committed. A panic in it counts as [`Delivery::RetryLater`].
pub trait Notifier: Send + Sync {
    /// Sends one notification.
    fn deliver(&self, notification: &Notification) -> Delivery;
}

/// A notification waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxItem {
    /// The notification.
    pub notification: Notification,
    /// How many deliveries have been tried.
    pub attempts: u32,
    /// Not to be tried again before this time.
    #[serde(with = "time::serde::rfc3339")]
    pub next_attempt_at: OffsetDateTime,
}

/// What [`deliver_pending`](crate::Directory::deliver_pending) did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Delivered now.
    pub delivered: usize,
    /// Found undeliverable now.
    pub undeliverable: usize,
    /// Still pending.
    pub retry_later: usize,
}

/// A notifier that keeps what it is given, for tests, demos and hosts that
/// poll: [`MemoryNotifier::take`] returns and forgets what was delivered.
#[derive(Debug, Default)]
pub struct MemoryNotifier {
    sent: Mutex<Vec<Notification>>,
}

impl MemoryNotifier {
    /// An empty notifier.
    pub fn new() -> MemoryNotifier {
        MemoryNotifier::default()
    }

    /// What was delivered since the last call.
    pub fn take(&self) -> Vec<Notification> {
        std::mem::take(&mut *self.sent.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Notifier for MemoryNotifier {
    fn deliver(&self, n: &Notification) -> Delivery {
        self.sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(n.clone());
        Delivery::Delivered
    }
}

/// What a contact wants to be told, per account (I2, I4, H6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct NotificationPrefs {
    /// Security notifications: any change to the contact's settings (I2).
    pub security: bool,
    /// Maintenance and global-issue notices (I4).
    pub maintenance: bool,
    /// Billing notices, for billing contacts (H7).
    pub billing: bool,
    /// Resource milestones, for technical contacts (H6).
    pub milestones: bool,
}

impl Default for NotificationPrefs {
    /// Everything on.
    fn default() -> NotificationPrefs {
        NotificationPrefs {
            security: true,
            maintenance: true,
            billing: true,
            milestones: true,
        }
    }
}

/// A time as a contact reads it (I3): in its IANA zone, daylight saving
/// included, with the zone's abbreviation and offset, e.g.
/// `2026-03-08 03:30 EDT (UTC-04:00)`. A zone the tz database does not
/// know is `InvalidInput{time_zone, unknown_time_zone}`, never a silent UTC.
pub fn local_time(at: OffsetDateTime, zone: &str) -> Result<String, crate::Error> {
    let tz = time_tz::timezones::get_by_name(zone).ok_or(crate::Error::invalid(
        crate::Field::TimeZone,
        crate::Problem::UnknownTimeZone,
    ))?;
    Ok(in_zone(at, tz))
}

/// [`local_time`] in a contact's stored zone (B2 checked it when it was
/// stored). Should a host's own store hold one the tz database no longer
/// knows, the time is written in UTC, and says so (`UTC (UTC+00:00)`),
/// rather than the notice or the export failing.
pub(crate) fn contact_time(at: OffsetDateTime, zone: &str) -> String {
    let tz = time_tz::timezones::get_by_name(zone).unwrap_or(time_tz::timezones::db::UTC);
    in_zone(at, tz)
}

fn in_zone(at: OffsetDateTime, tz: &'static time_tz::Tz) -> String {
    use time_tz::{Offset, OffsetDateTimeExt, TimeZone};
    let offset = tz.get_offset_utc(&at);
    let local = at.to_timezone(tz);
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    let (h, m, _) = offset.to_utc().as_hms();
    format!(
        "{} {} (UTC{}{:02}:{:02})",
        local.format(&fmt).unwrap_or_default(),
        offset.name(),
        if h < 0 || m < 0 { '-' } else { '+' },
        h.unsigned_abs(),
        m.unsigned_abs()
    )
}

/// A notification to queue with the change that causes it (I1): its
/// fields named, the rest defaulted by [`NotificationDraft::new`] (no
/// account, the recipient's email, no fields, no resource, no fallback).
#[derive(Debug, Clone)]
pub(crate) struct NotificationDraft {
    /// What it is about.
    pub(crate) kind: NotificationKind,
    /// The account it concerns.
    pub(crate) account: Option<AccountId>,
    /// The contact it is for.
    pub(crate) recipient: ContactId,
    /// The addresses; `None` sends it to the recipient's email.
    pub(crate) to: Option<Vec<String>>,
    /// The plain-text subject.
    pub(crate) subject: String,
    /// The plain-text body.
    pub(crate) body: String,
    /// The names of the fields it reports changed.
    pub(crate) fields: Vec<String>,
    /// The resource it concerns (H6).
    pub(crate) resource: Option<ResourceId>,
    /// Who gets it if the recipient is undeliverable (H6, H7).
    pub(crate) fallback: Option<ContactId>,
}

impl NotificationDraft {
    /// A draft of `kind` for `recipient`, with everything else defaulted.
    pub(crate) fn new(
        kind: NotificationKind,
        recipient: ContactId,
        subject: String,
        body: String,
    ) -> NotificationDraft {
        NotificationDraft {
            kind,
            account: None,
            recipient,
            to: None,
            subject,
            body,
            fields: Vec::new(),
            resource: None,
            fallback: None,
        }
    }
}

pub(crate) mod ops;
