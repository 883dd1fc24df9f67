//! SPEC I1: notifications go through an outbox, stored with the change that
//! causes them, delivered after, retried on failure, never lost, never sent
//! twice once delivered.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
use common::*;
use contactkeeper::*;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);

/// A notifier that answers what the test tells it to, and counts calls.
struct Scripted {
    answer: Mutex<Delivery>,
    calls: Mutex<Vec<NotificationId>>,
}

impl Scripted {
    fn new(answer: Delivery) -> Arc<Scripted> {
        Arc::new(Scripted {
            answer: Mutex::new(answer),
            calls: Mutex::new(Vec::new()),
        })
    }
    fn answer(&self, d: Delivery) {
        *self.answer.lock().unwrap() = d;
    }
    fn calls(&self) -> usize {
        self.calls.lock().unwrap().len()
    }
}

impl Notifier for Scripted {
    fn deliver(&self, n: &Notification) -> Delivery {
        self.calls.lock().unwrap().push(n.id);
        *self.answer.lock().unwrap()
    }
}

/// A notifier that panics, and counts how often it was asked.
#[derive(Default)]
struct Panicking {
    calls: AtomicUsize,
}

impl Notifier for Panicking {
    fn deliver(&self, _: &Notification) -> Delivery {
        self.calls.fetch_add(1, Ordering::SeqCst);
        panic!("the mail server is on fire (a test notifier panicking on purpose)");
    }
}

struct Env {
    dir: Directory,
    clock: Arc<ManualClock>,
    store: Arc<dyn Store>,
    acct: AccountId,
    alice: ContactId,
    bob: ContactId,
}

fn env(store: Arc<dyn Store>, notifier: Option<Arc<dyn Notifier>>) -> Env {
    let clock = Arc::new(ManualClock::new(T0));
    let mut b = Directory::builder(store.clone()).clock(clock.clone());
    if let Some(n) = notifier {
        b = b.notifier(n);
    }
    let dir = b.build();
    let created = dir
        .create_account(
            &Actor::System,
            &NewAccount::new("Acme Corp", new_contact("alice")),
        )
        .unwrap();
    let bob = dir
        .create_contact(&Actor::System, created.account, &new_contact("bob"))
        .unwrap()
        .contact;
    Env {
        dir,
        clock,
        store,
        acct: created.account,
        alice: created.owner,
        bob,
    }
}

/// Another directory on the same store and clock: another process.
fn reopen(e: &Env, notifier: Arc<dyn Notifier>) -> Directory {
    Directory::builder(e.store.clone())
        .clock(e.clock.clone())
        .notifier(notifier)
        .build()
}

fn pending(dir: &Directory) -> Vec<OutboxItem> {
    dir.pending_notifications(MAX_PAGE).unwrap()
}

fn each_store(body: impl Fn(Arc<dyn Store>)) {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        body(store);
    }
}

// rule I1
#[test]
fn a_notification_is_stored_with_the_change_that_causes_it() {
    each_store(|store| {
        let e = env(store, None);
        assert!(pending(&e.dir).is_empty());
        e.dir
            .transfer_ownership(&c(e.alice), e.acct, e.bob)
            .unwrap();
        let mut items = pending(&e.dir);
        items.sort_by_key(|i| i.notification.kind.name());
        assert_eq!(items.len(), 2);
        let (lost, received) = (&items[0], &items[1]);
        assert_eq!(lost.notification.kind, NotificationKind::OwnershipLost);
        assert_eq!(lost.notification.recipient, e.alice);
        assert_eq!(lost.notification.to, vec!["alice@example.com".to_owned()]);
        assert_eq!(
            received.notification.kind,
            NotificationKind::OwnershipReceived
        );
        assert_eq!(received.notification.recipient, e.bob);
        for i in &items {
            assert_eq!(i.attempts, 0);
            assert_eq!(i.next_attempt_at, T0);
            assert_eq!(i.notification.at, T0);
            assert_eq!(i.notification.account, Some(e.acct));
            assert_eq!(i.notification.fields, vec!["owner".to_owned()]);
            assert!(!i.notification.subject.is_empty());
        }
        // A refused operation stores none.
        e.dir
            .transfer_ownership(&c(e.alice), e.acct, e.bob)
            .unwrap_err();
        assert_eq!(pending(&e.dir).len(), 2);
        // Without a notifier nothing is delivered; everything stays.
        let report = e.dir.deliver_pending().unwrap();
        assert_eq!(
            report,
            DeliveryReport {
                delivered: 0,
                undeliverable: 0,
                retry_later: 2
            }
        );
        assert_eq!(pending(&e.dir).len(), 2);
    });
}

// rule I1
#[test]
fn a_failed_commit_stores_neither_the_change_nor_its_notifications() {
    each_store(|store| {
        let wrapped = Wrapped::new(store);
        let notifier = Scripted::new(Delivery::Delivered);
        let e = env(wrapped.clone(), Some(notifier.clone()));
        wrapped.fail_commits.store(true, Ordering::SeqCst);
        let err = e
            .dir
            .transfer_ownership(&c(e.alice), e.acct, e.bob)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Store);
        wrapped.fail_commits.store(false, Ordering::SeqCst);
        assert_eq!(notifier.calls(), 0, "nothing is sent for a change not made");
        assert!(pending(&e.dir).is_empty());
        assert_eq!(
            e.dir.account(&Actor::System, e.acct).unwrap().owner,
            e.alice
        );
    });
}

/// A notifier that looks at the store when it is called.
struct Observer {
    store: Arc<dyn Store>,
    account: AccountId,
    owners_seen: Mutex<Vec<ContactId>>,
}

impl Notifier for Observer {
    fn deliver(&self, _: &Notification) -> Delivery {
        let owner = self.store.account(self.account).unwrap().unwrap().owner;
        self.owners_seen.lock().unwrap().push(owner);
        Delivery::Delivered
    }
}

// rule I1
#[test]
fn a_notification_is_delivered_after_its_change_is_committed() {
    each_store(|store| {
        let e = env(store.clone(), None);
        let observer = Arc::new(Observer {
            store,
            account: e.acct,
            owners_seen: Mutex::new(Vec::new()),
        });
        let dir = reopen(&e, observer.clone());
        dir.transfer_ownership(&c(e.alice), e.acct, e.bob).unwrap();
        assert_eq!(*observer.owners_seen.lock().unwrap(), vec![e.bob, e.bob]);
        assert!(pending(&dir).is_empty());
    });
}

// rule I1
#[test]
fn none_is_lost_when_the_process_stops_before_delivery() {
    each_store(|store| {
        // The first process commits the change and stops before sending.
        let e = env(store, None);
        e.dir
            .transfer_ownership(&c(e.alice), e.acct, e.bob)
            .unwrap();
        let ids: Vec<_> = pending(&e.dir)
            .into_iter()
            .map(|i| i.notification.id)
            .collect();
        drop(e.dir);
        // The next one delivers what was pending, once.
        let notifier = Arc::new(MemoryNotifier::new());
        let e2 = Env {
            dir: Directory::builder(e.store.clone())
                .clock(e.clock.clone())
                .notifier(notifier.clone())
                .build(),
            ..e
        };
        let report = e2.dir.deliver_pending().unwrap();
        assert_eq!(report.delivered, 2);
        let mut sent: Vec<_> = notifier.take().into_iter().map(|n| n.id).collect();
        let mut want = ids.clone();
        sent.sort();
        want.sort();
        assert_eq!(sent, want);
        assert!(pending(&e2.dir).is_empty());
    });
}

// rule I1
#[test]
fn retry_later_keeps_it_pending_and_it_is_retried_after_the_backoff() {
    each_store(|store| {
        let notifier = Scripted::new(Delivery::RetryLater);
        let e = env(store, Some(notifier.clone()));
        e.dir
            .transfer_ownership(&c(e.alice), e.acct, e.bob)
            .unwrap();
        // Tried once, right after the commit.
        assert_eq!(notifier.calls(), 2);
        let items = pending(&e.dir);
        assert_eq!(items.len(), 2);
        for i in &items {
            assert_eq!(i.attempts, 1);
            assert_eq!(i.next_attempt_at, T0 + Duration::seconds(30));
        }
        // Not due yet: not tried.
        e.clock.set(T0 + Duration::seconds(29));
        assert_eq!(e.dir.deliver_pending().unwrap(), DeliveryReport::default());
        assert_eq!(notifier.calls(), 2);
        // Due: tried, fails again, waits twice as long.
        e.clock.set(T0 + Duration::seconds(30));
        let report = e.dir.deliver_pending().unwrap();
        assert_eq!(report.retry_later, 2);
        assert_eq!(notifier.calls(), 4);
        for i in pending(&e.dir) {
            assert_eq!(i.attempts, 2);
            assert_eq!(i.next_attempt_at, T0 + Duration::seconds(90));
        }
        e.clock.set(T0 + Duration::seconds(89));
        e.dir.deliver_pending().unwrap();
        assert_eq!(notifier.calls(), 4);
        // Now it goes through, and leaves the outbox.
        notifier.answer(Delivery::Delivered);
        e.clock.set(T0 + Duration::seconds(90));
        let report = e.dir.deliver_pending().unwrap();
        assert_eq!(
            report,
            DeliveryReport {
                delivered: 2,
                undeliverable: 0,
                retry_later: 0
            }
        );
        assert_eq!(notifier.calls(), 6);
        assert!(pending(&e.dir).is_empty());
    });
}

// rule I1
#[test]
fn the_backoff_doubles_from_thirty_seconds_up_to_an_hour() {
    each_store(|store| {
        let notifier = Scripted::new(Delivery::RetryLater);
        let e = env(store, Some(notifier.clone()));
        e.dir
            .transfer_ownership(&c(e.alice), e.acct, e.bob)
            .unwrap();
        let mut gaps = Vec::new();
        let mut last = T0;
        for _ in 0..10 {
            let next = pending(&e.dir)[0].next_attempt_at;
            gaps.push((next - last).whole_seconds());
            e.clock.set(next);
            last = next;
            e.dir.deliver_pending().unwrap();
        }
        assert_eq!(
            gaps,
            vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
        );
        assert_eq!(pending(&e.dir)[0].attempts, 11);
    });
}

// rule I1
#[test]
fn a_panicking_notifier_does_not_break_the_directory() {
    each_store(|store| {
        let notifier = Arc::new(Panicking::default());
        let e = env(store, Some(notifier.clone()));
        e.dir
            .transfer_ownership(&c(e.alice), e.acct, e.bob)
            .unwrap();
        assert_eq!(notifier.calls.load(Ordering::SeqCst), 2);
        assert_eq!(e.dir.account(&Actor::System, e.acct).unwrap().owner, e.bob);
        let items = pending(&e.dir);
        assert_eq!(items.len(), 2);
        assert!(items.iter().all(|i| i.attempts == 1));
        // The directory goes on working, and retrying.
        e.dir
            .create_contact(&c(e.bob), e.acct, &new_contact("carol"))
            .unwrap();
        e.clock.advance(Duration::minutes(1));
        let report = e.dir.deliver_pending().unwrap();
        assert_eq!(report.retry_later, 2);
        assert_eq!(notifier.calls.load(Ordering::SeqCst), 4);
        assert!(matches!(
            e.dir.verify_audit(&Actor::System, e.acct).unwrap(),
            AuditVerification::Intact { .. }
        ));
        // A working notifier later delivers them.
        let good = Arc::new(MemoryNotifier::new());
        let dir = reopen(&e, good.clone());
        e.clock.advance(Duration::hours(1));
        assert_eq!(dir.deliver_pending().unwrap().delivered, 2);
        assert_eq!(good.take().len(), 2);
        assert!(pending(&dir).is_empty());
    });
}

// rule I1
#[test]
fn an_undeliverable_notification_leaves_the_outbox_and_is_not_retried() {
    each_store(|store| {
        let notifier = Scripted::new(Delivery::RetryLater);
        let e = env(store, Some(notifier.clone()));
        e.dir
            .transfer_ownership(&c(e.alice), e.acct, e.bob)
            .unwrap();
        notifier.answer(Delivery::Undeliverable);
        e.clock.advance(Duration::minutes(1));
        let report = e.dir.deliver_pending().unwrap();
        assert_eq!(report.undeliverable, 2);
        assert!(pending(&e.dir).is_empty());
        e.clock.advance(Duration::days(1));
        e.dir.deliver_pending().unwrap();
        assert_eq!(notifier.calls(), 4);
    });
}

// rule I1
#[test]
fn a_delivered_notification_is_never_sent_again() {
    each_store(|store| {
        let notifier = Scripted::new(Delivery::Delivered);
        let e = env(store, Some(notifier.clone()));
        e.dir
            .transfer_ownership(&c(e.alice), e.acct, e.bob)
            .unwrap();
        assert_eq!(notifier.calls(), 2);
        assert!(pending(&e.dir).is_empty());
        for minutes in [0, 1, 60, 60 * 24] {
            e.clock.set(T0 + Duration::minutes(minutes));
            assert_eq!(e.dir.deliver_pending().unwrap(), DeliveryReport::default());
            // Nor by another process on the same store.
            let other = Scripted::new(Delivery::Delivered);
            reopen(&e, other.clone()).deliver_pending().unwrap();
            assert_eq!(other.calls(), 0);
        }
        assert_eq!(notifier.calls(), 2);
        // Each notification was sent once.
        let mut ids = notifier.calls.lock().unwrap().clone();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 2);
    });
}

// rule I1
#[test]
fn pending_notifications_pages_are_bounded() {
    each_store(|store| {
        let e = env(store, None);
        for limit in [0, MAX_PAGE + 1] {
            let err = e.dir.pending_notifications(limit).unwrap_err();
            assert_eq!(
                err,
                Error::InvalidInput {
                    field: Field::Limit,
                    problem: Problem::OutOfRange
                }
            );
        }
        e.dir
            .transfer_ownership(&c(e.alice), e.acct, e.bob)
            .unwrap();
        assert_eq!(e.dir.pending_notifications(1).unwrap().len(), 1);
    });
}
