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

use crate::error::named_enum;
use crate::ids::{AccountId, ContactId, NotificationId};

named_enum! {
    /// What a notification is about.
    NotificationKind {
        /// The recipient became the account's owner (A3, A4).
        OwnershipReceived => "ownership_received",
        /// The recipient is no longer the account's owner (A3, A4).
        OwnershipLost => "ownership_lost",
    }
}

/// A message to one contact. Hosts may send `subject` and `body` as they
/// are, or build their own from the structured fields. It never holds a
/// secret value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// When the change it reports happened (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
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
