//! SPEC H6 (milestones, and the secondary contact told only when the
//! primary is undeliverable) and I1–I4 (the outbox with a notifier that
//! fails, panics or hangs; security notifications; times in the contact's
//! zone; maintenance notices), through the public API, on every kind of
//! store.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
use common::*;
use contactkeeper::*;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);
const PHONE: &str = "+1 555 0100";
const PW: &str = "Tr0ub4dor&3-zebra";
const PW2: &str = "violet-Staple-Quartz-42";

// ----- notifiers -----

type Script = Box<dyn Fn(&Notification, u32) -> Delivery + Send + Sync>;

/// A notifier that answers what its script says, given the notification and
/// how many times that notification was offered before; it records every
/// call with its answer.
struct Scripted {
    script: Script,
    calls: Mutex<Vec<(Notification, Delivery)>>,
}

impl Scripted {
    fn new(script: impl Fn(&Notification, u32) -> Delivery + Send + Sync + 'static) -> Arc<Self> {
        Arc::new(Scripted {
            script: Box::new(script),
            calls: Mutex::new(Vec::new()),
        })
    }

    /// Answers by address: notifications to these logins' emails are
    /// undeliverable, the rest delivered.
    fn undeliverable(logins: &[&str]) -> Arc<Self> {
        let bad: Vec<String> = logins.iter().map(|l| email(l)).collect();
        Scripted::new(move |n, _| {
            if n.to.iter().any(|a| bad.contains(a)) {
                Delivery::Undeliverable
            } else {
                Delivery::Delivered
            }
        })
    }

    fn calls(&self) -> Vec<(Notification, Delivery)> {
        self.calls.lock().unwrap().clone()
    }

    /// The calls for this recipient.
    fn to(&self, contact: ContactId) -> Vec<(Notification, Delivery)> {
        self.calls()
            .into_iter()
            .filter(|(n, _)| n.recipient == contact)
            .collect()
    }

    /// How many notifications this recipient was delivered.
    fn delivered_to(&self, contact: ContactId) -> usize {
        self.to(contact)
            .iter()
            .filter(|(_, d)| *d == Delivery::Delivered)
            .count()
    }
}

impl Notifier for Scripted {
    fn deliver(&self, n: &Notification) -> Delivery {
        let mut calls = self.calls.lock().unwrap();
        let before = calls.iter().filter(|(m, _)| m.id == n.id).count() as u32;
        let answer = (self.script)(n, before);
        calls.push((n.clone(), answer));
        answer
    }
}

/// A notifier that panics, counting the calls.
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

/// A notifier that hangs for a few seconds, then says it delivered.
#[derive(Default)]
struct Hanging {
    calls: AtomicUsize,
}

impl Notifier for Hanging {
    fn deliver(&self, _: &Notification) -> Delivery {
        self.calls.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(std::time::Duration::from_secs(3));
        Delivery::Delivered
    }
}

// ----- the cast -----

fn with_phone(login: &str, zone: &str) -> NewContact {
    let mut n = new_contact(login);
    n.profile.business_phone = Some(PHONE.into());
    n.profile.time_zone = zone.into();
    n
}

/// An account `acct` owned by `alice` (UTC), with `tess` (technical
/// administrator), `cm` (contact manager), `pat` (Europe/Berlin) and `sam`
/// (America/New_York), `carl` (no role, a password and an alternate
/// email), and a resource `r` whose primary technical contact is `pat` and
/// secondary `sam`. Another account `other` owned by `olga`.
struct Env {
    f: Fixture,
    acct: AccountId,
    other: AccountId,
    alice: ContactId,
    tess: ContactId,
    cm: ContactId,
    pat: ContactId,
    sam: ContactId,
    carl: ContactId,
    olga: ContactId,
    r: ResourceId,
}

/// The cast on `store`, with this notifier (none: notifications stay in
/// the outbox) and delivery timeout.
fn env(
    store: Arc<dyn Store>,
    notifier: Option<Arc<dyn Notifier>>,
    timeout: Option<std::time::Duration>,
) -> Env {
    let clock = Arc::new(ManualClock::new(T0));
    let mut b = Directory::builder(store.clone())
        .clock(clock.clone())
        .hash_cost(FAST)
        .unwrap()
        .delivery_timeout(timeout);
    if let Some(n) = notifier {
        b = b.notifier(n);
    }
    let f = Fixture {
        dir: b.build(),
        clock,
        notifier: Arc::new(MemoryNotifier::new()),
        store,
    };
    let sys = Actor::System;
    let mut new = NewAccount::new("Acme Corp", with_phone("alice", "UTC"));
    new.plan.included_contacts = 100;
    let created = f.dir.create_account(&sys, &new).unwrap();
    let acct = created.account;
    let add = |nc: NewContact, roles: &[Role]| {
        f.dir
            .create_contact(&sys, acct, &nc.with_roles(RoleSet::of(roles)))
            .unwrap()
            .contact
    };
    let tess = add(with_phone("tess", "UTC"), &[Role::TechnicalAdmin]);
    let cm = add(with_phone("cm", "UTC"), &[Role::ContactManager]);
    let pat = add(with_phone("pat", "Europe/Berlin"), &[]);
    let sam = add(with_phone("sam", "America/New_York"), &[]);
    let mut carl = new_contact("carl").with_password(Password::new(PW));
    carl.profile.alternate_email = Some("carl.home@example.net".into());
    let carl = add(carl, &[]);
    let r = f
        .dir
        .add_resource(
            &c(tess),
            acct,
            &NewResource {
                kind: "computer".into(),
                name: "web-01".into(),
                primary: pat,
                secondary: Some(sam),
            },
        )
        .unwrap();
    let other = f
        .dir
        .create_account(
            &sys,
            &NewAccount::new("Other Corp", with_phone("olga", "UTC")),
        )
        .unwrap();
    Env {
        acct,
        other: other.account,
        alice: created.owner,
        tess,
        cm,
        pat,
        sam,
        carl,
        olga: other.owner,
        r,
        f,
    }
}

/// The cast on each kind of store, with a memory notifier.
fn each(body: impl Fn(Env, Arc<MemoryNotifier>)) {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let notifier = Arc::new(MemoryNotifier::new());
        let e = env(
            store,
            Some(notifier.clone()),
            Some(DEFAULT_DELIVERY_TIMEOUT),
        );
        assert!(notifier.take().is_empty(), "the set-up notifies nobody");
        body(e, notifier);
    }
}

/// The cast on each kind of store, with this notifier.
fn each_with<N: Notifier + 'static>(make: impl Fn() -> Arc<N>, body: impl Fn(Env, Arc<N>)) {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let notifier = make();
        let e = env(
            store,
            Some(notifier.clone()),
            Some(DEFAULT_DELIVERY_TIMEOUT),
        );
        body(e, notifier);
    }
}

fn pending(e: &Env) -> Vec<OutboxItem> {
    e.f.dir.pending_notifications(MAX_PAGE).unwrap()
}

fn milestone(e: &Env, m: &Milestone) {
    e.f.dir
        .report_milestone(&Actor::System, e.acct, e.r, m)
        .unwrap();
}

/// Every notification carries structured fields and a default plain-text
/// subject and body (I1).
fn well_formed(n: &Notification) {
    assert!(!n.subject.trim().is_empty(), "{n:?}");
    assert!(!n.body.trim().is_empty(), "{n:?}");
    assert!(!n.to.is_empty(), "{n:?}");
    assert!(n.to.iter().all(|a| a.contains('@')), "{n:?}");
    assert!(
        !n.subject.contains('\n') && !n.subject.contains('\r'),
        "{n:?}"
    );
    assert!(n.secret.is_none(), "{n:?}");
}

fn email(login: &str) -> String {
    format!("{login}@example.com")
}

// ----- H6: milestones -----

// rule H6
#[test]
fn a_milestone_goes_to_the_primary_technical_contact() {
    each(|e, notifier| {
        let cases = [
            (
                Milestone::SoftwareReady,
                "web-01: its software is ready to download",
            ),
            (
                Milestone::InitialBackupCompleted,
                "web-01: its initial backup completed",
            ),
            (
                Milestone::Other(" agent upgraded to 7.2 ".into()),
                "web-01: agent upgraded to 7.2",
            ),
        ];
        for (m, subject) in cases {
            milestone(&e, &m);
            let sent = notifier.take();
            assert_eq!(sent.len(), 1, "{m:?}: to the primary only");
            let n = &sent[0];
            well_formed(n);
            assert_eq!(n.kind, NotificationKind::Milestone);
            assert_eq!(n.account, Some(e.acct));
            assert_eq!(n.recipient, e.pat);
            assert_eq!(n.to, vec![email("pat")]);
            assert_eq!(n.resource, Some(e.r));
            assert_eq!(n.fallback, Some(e.sam));
            assert_eq!(n.fields, vec!["milestone".to_owned()]);
            assert_eq!(n.at, T0);
            assert_eq!(n.subject, subject);
            // The time in pat's zone (I3): Berlin is UTC+1 in winter.
            assert!(
                n.body.contains("2026-03-01 13:00 CET (UTC+01:00)"),
                "{}",
                n.body
            );
            assert!(n.body.contains(&e.r.to_string()), "{}", n.body);
            let last = e.f.last_audit(e.acct);
            assert_eq!(last.operation, Operation::Milestone);
            assert_eq!(last.outcome, Outcome::Success);
            assert_eq!(last.target, Some(e.r.to_string()));
            assert_eq!(last.actor, "system");
        }
        assert!(pending(&e).is_empty());
    });
}

// rule H6
// rule C2
#[test]
fn only_the_host_reports_milestones() {
    each(|e, notifier| {
        for actor in [
            c(e.alice),
            c(e.tess),
            c(e.pat),
            c(e.olga),
            Actor::support_desk("desk", "ticket 7"),
            Actor::partner("resel"),
        ] {
            let err = e.f.refused(
                e.acct,
                &[e.other],
                ErrorCode::PermissionDenied,
                "C2",
                || {
                    e.f.dir
                        .report_milestone(&actor, e.acct, e.r, &Milestone::SoftwareReady)
                },
            );
            assert_eq!(
                err,
                Error::PermissionDenied {
                    permission: Permission::ReportMilestones
                }
            );
        }
        assert!(notifier.take().is_empty());
    });
}

// rule H6
// rule K1
#[test]
fn a_milestone_for_an_unknown_or_deleted_resource_is_refused() {
    each(|e, notifier| {
        let theirs =
            e.f.dir
                .add_resource(
                    &Actor::System,
                    e.other,
                    &NewResource {
                        kind: "site".into(),
                        name: "theirs".into(),
                        primary: e.olga,
                        secondary: None,
                    },
                )
                .unwrap();
        notifier.take();
        e.f.dir.remove_resource(&c(e.tess), e.acct, e.r).unwrap();
        for r in [e.r, ResourceId(11), theirs] {
            let err =
                e.f.refused(e.acct, &[e.other], ErrorCode::NotFound, "K1", || {
                    e.f.dir.report_milestone(
                        &Actor::System,
                        e.acct,
                        r,
                        &Milestone::InitialBackupCompleted,
                    )
                });
            assert_eq!(
                err,
                Error::NotFound {
                    entity: Entity::Resource
                }
            );
        }
        assert!(notifier.take().is_empty());
        assert!(pending(&e).is_empty());
    });
}

// rule H6
// rule K2
#[test]
fn a_milestone_the_host_names_is_validated() {
    each(|e, notifier| {
        for (text, problem) in [
            ("", Problem::Empty),
            ("   ", Problem::Empty),
            ("line\nbreak", Problem::ControlCharacter),
            ("nul\u{0}", Problem::ControlCharacter),
            (&*"m".repeat(201), Problem::TooLong { max: 200 }),
        ] {
            let err = e.f.refused(e.acct, &[], ErrorCode::InvalidInput, "H6", || {
                e.f.dir.report_milestone(
                    &Actor::System,
                    e.acct,
                    e.r,
                    &Milestone::Other(text.into()),
                )
            });
            assert_eq!(
                err,
                Error::InvalidInput {
                    field: Field::Milestone,
                    problem
                }
            );
        }
        assert!(notifier.take().is_empty());
    });
}

// rule H6
#[test]
fn the_secondary_gets_the_milestone_only_when_the_primary_is_undeliverable() {
    each_with(
        || Scripted::new(|_, _| Delivery::Delivered),
        |e, notifier| {
            // Delivered to the primary: the secondary hears nothing.
            milestone(&e, &Milestone::SoftwareReady);
            assert_eq!(notifier.delivered_to(e.pat), 1);
            assert!(notifier.to(e.sam).is_empty());
            assert!(pending(&e).is_empty());
        },
    );
    each_with(
        || Scripted::undeliverable(&["pat"]),
        |e, notifier| {
            let dir = &e.f.dir;
            milestone(&e, &Milestone::SoftwareReady);
            let to_pat = notifier.to(e.pat);
            assert_eq!(to_pat.len(), 1);
            assert_eq!(to_pat[0].1, Delivery::Undeliverable);
            let to_sam = notifier.to(e.sam);
            assert_eq!(to_sam.len(), 1, "the secondary gets it exactly once");
            let (n, answer) = &to_sam[0];
            assert_eq!(*answer, Delivery::Delivered);
            well_formed(n);
            let original = &to_pat[0].0;
            assert_eq!(n.kind, NotificationKind::Milestone);
            assert_eq!(n.to, vec![email("sam")]);
            assert_eq!(n.account, Some(e.acct));
            assert_eq!(n.resource, Some(e.r));
            assert_eq!(n.fallback, None, "never redirected again");
            assert_eq!(n.subject, original.subject);
            assert_eq!(n.body, original.body);
            assert_ne!(n.id, original.id);
            assert!(dir.pending_notifications(MAX_PAGE).unwrap().is_empty());
            // The redirection is audited.
            let last = e.f.last_audit(e.acct);
            assert_eq!(last.operation, Operation::NotificationRedirect);
            assert_eq!(last.outcome, Outcome::Success);
            assert_eq!(last.target, Some(e.r.to_string()));
            // Nothing is sent again, however often pending ones are tried.
            for hours in [1, 2, 24, 24 * 7] {
                e.f.clock.set(T0 + Duration::hours(hours));
                assert_eq!(dir.deliver_pending().unwrap(), DeliveryReport::default());
            }
            assert_eq!(notifier.calls().len(), 2);
            assert_eq!(notifier.delivered_to(e.sam), 1);
        },
    );
}

// rule H6
// rule I1
#[test]
fn a_primary_that_fails_for_now_is_retried_and_the_secondary_is_not_told() {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        // The primary's server is down twice, then takes it.
        let notifier = Scripted::new(|_, before| {
            if before < 2 {
                Delivery::RetryLater
            } else {
                Delivery::Delivered
            }
        });
        let e = env(store, Some(notifier.clone()), None);
        milestone(&e, &Milestone::InitialBackupCompleted);
        assert_eq!(pending(&e).len(), 1);
        for s in [30, 90, 210, 3600] {
            e.f.clock.set(T0 + Duration::seconds(s));
            e.f.dir.deliver_pending().unwrap();
        }
        assert_eq!(notifier.to(e.pat).len(), 3);
        assert_eq!(notifier.delivered_to(e.pat), 1);
        assert!(notifier.to(e.sam).is_empty(), "the primary was reachable");
        assert!(pending(&e).is_empty());
    }
}

// rule H6
// rule I1
#[test]
fn a_primary_found_undeliverable_on_a_retry_hands_over_to_the_secondary_once() {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let notifier = Scripted::new(move |n, before| {
            if n.to == [email("pat")] {
                if before == 0 {
                    Delivery::RetryLater
                } else {
                    Delivery::Undeliverable
                }
            } else {
                Delivery::Delivered
            }
        });
        let e = env(store, Some(notifier.clone()), None);
        milestone(&e, &Milestone::SoftwareReady);
        assert!(notifier.to(e.sam).is_empty());
        assert_eq!(pending(&e).len(), 1);
        e.f.clock.set(T0 + Duration::seconds(30));
        let report = e.f.dir.deliver_pending().unwrap();
        assert_eq!(report.undeliverable, 1);
        assert_eq!(notifier.delivered_to(e.sam), 1);
        for hours in [1, 48] {
            e.f.clock.set(T0 + Duration::hours(hours));
            e.f.dir.deliver_pending().unwrap();
        }
        assert_eq!(notifier.to(e.pat).len(), 2);
        assert_eq!(notifier.to(e.sam).len(), 1);
        assert!(pending(&e).is_empty());
    }
}

// rule H6
// rule I1
#[test]
fn a_secondary_that_fails_for_now_still_receives_the_milestone_exactly_once() {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let notifier = Scripted::new(move |n, before| match n.to[0].as_str() {
            "pat@example.com" => Delivery::Undeliverable,
            "sam@example.com" if before < 2 => Delivery::RetryLater,
            _ => Delivery::Delivered,
        });
        let e = env(store, Some(notifier.clone()), None);
        milestone(&e, &Milestone::SoftwareReady);
        // The redirected one waits in the outbox for the secondary.
        let items = pending(&e);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].notification.recipient, e.sam);
        assert_eq!(items[0].attempts, 1);
        for s in [30, 90, 600, 86_400] {
            e.f.clock.set(T0 + Duration::seconds(s));
            e.f.dir.deliver_pending().unwrap();
        }
        assert_eq!(notifier.to(e.pat).len(), 1);
        assert_eq!(notifier.to(e.sam).len(), 3);
        assert_eq!(notifier.delivered_to(e.sam), 1);
        assert!(pending(&e).is_empty());
    }
}

// rule H6
#[test]
fn an_undeliverable_milestone_without_a_reachable_secondary_goes_nowhere_else() {
    each_with(
        || Scripted::new(|_, _| Delivery::Undeliverable),
        |e, notifier| {
            // Both undeliverable: the secondary is tried once, and that is all.
            milestone(&e, &Milestone::SoftwareReady);
            assert_eq!(notifier.to(e.pat).len(), 1);
            assert_eq!(notifier.to(e.sam).len(), 1);
            // No secondary: nobody else is tried.
            e.f.dir
                .set_technical_contacts(&c(e.tess), e.acct, e.r, e.pat, None)
                .unwrap();
            milestone(&e, &Milestone::InitialBackupCompleted);
            assert_eq!(notifier.to(e.pat).len(), 2);
            assert_eq!(notifier.calls().len(), 3);
            assert!(notifier.calls().iter().all(|(n, _)| n.recipient != e.tess));
            assert!(pending(&e).is_empty());
        },
    );
}

// rule H6
#[test]
fn the_fallback_is_the_secondary_at_the_time_of_the_milestone_and_must_still_exist() {
    each_with(
        || Scripted::new(|_, _| Delivery::RetryLater),
        |e, notifier| {
            milestone(&e, &Milestone::SoftwareReady);
            // sam leaves the account (and the directory) before the retry
            // finds the primary undeliverable: nobody gets it.
            e.f.dir.delete_contact(&c(e.alice), e.acct, e.sam).unwrap();
            let undeliverable = Scripted::undeliverable(&["pat"]);
            let dir = Directory::builder(e.f.store.clone())
                .clock(e.f.clock.clone())
                .notifier(undeliverable.clone())
                .build();
            e.f.clock.set(T0 + Duration::minutes(1));
            let report = dir.deliver_pending().unwrap();
            assert_eq!(report.undeliverable, 1);
            assert_eq!(undeliverable.calls().len(), 1);
            assert!(dir.pending_notifications(MAX_PAGE).unwrap().is_empty());
            assert_eq!(notifier.calls().len(), 1);
        },
    );
}

// rule H6
// rule B6
#[test]
fn a_fallback_removed_from_the_account_is_not_told_even_if_it_still_exists() {
    each_with(
        || Scripted::new(|_, _| Delivery::RetryLater),
        |e, _| {
            // sam is also a contact of the other account, so deleting it
            // from this one leaves the contact (and its address) in place.
            e.f.dir
                .add_existing_contact(
                    &Actor::System,
                    e.other,
                    "sam",
                    RoleSet::EMPTY,
                    &TechScope::All,
                )
                .map(|added| e.f.accepted(e.other, added))
                .unwrap();
            milestone(&e, &Milestone::SoftwareReady);
            e.f.dir.delete_contact(&c(e.alice), e.acct, e.sam).unwrap();
            let undeliverable = Scripted::undeliverable(&["pat"]);
            let dir = Directory::builder(e.f.store.clone())
                .clock(e.f.clock.clone())
                .notifier(undeliverable.clone())
                .build();
            e.f.clock.set(T0 + Duration::minutes(1));
            assert_eq!(dir.deliver_pending().unwrap().undeliverable, 1);
            assert!(
                undeliverable.to(e.sam).is_empty(),
                "a former contact of the account heard about its resource"
            );
            assert!(dir.pending_notifications(MAX_PAGE).unwrap().is_empty());
        },
    );
}

// rule H6
#[test]
fn milestone_preferences_decide_who_is_told() {
    each(|e, notifier| {
        let off = NotificationPrefs {
            milestones: false,
            ..NotificationPrefs::default()
        };
        // The primary does not want milestones: that is not being
        // unreachable, so the secondary gets nothing either, and the audit
        // entry says why.
        e.f.dir
            .set_notification_prefs(&c(e.pat), e.acct, e.pat, off)
            .unwrap();
        notifier.take();
        milestone(&e, &Milestone::SoftwareReady);
        assert!(notifier.take().is_empty());
        assert!(pending(&e).is_empty());
        let last = e.f.last_audit(e.acct);
        assert_eq!(last.operation, Operation::Milestone);
        assert_eq!(last.outcome, Outcome::Success);
        let why = last.detail.unwrap();
        assert!(
            why.contains("not sent") && why.contains(&e.pat.to_string()) && why.contains("off"),
            "{why}"
        );
        // Neither wants them: nobody is told; the milestone is still audited.
        e.f.dir
            .set_notification_prefs(&c(e.sam), e.acct, e.sam, off)
            .unwrap();
        notifier.take();
        let len = e.f.audit_len(e.acct);
        milestone(&e, &Milestone::SoftwareReady);
        assert!(notifier.take().is_empty());
        assert_eq!(e.f.audit_len(e.acct), len + 1);
        assert_eq!(e.f.last_audit(e.acct).operation, Operation::Milestone);
        // The primary wants them, the secondary not: no fallback.
        e.f.dir
            .set_notification_prefs(&c(e.pat), e.acct, e.pat, NotificationPrefs::default())
            .unwrap();
        notifier.take();
        milestone(&e, &Milestone::SoftwareReady);
        let sent = notifier.take();
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].recipient, sent[0].fallback), (e.pat, None));
    });
}

// ----- H7: billing notices -----

fn bill(e: &Env, subject: &str) -> Option<ContactId> {
    e.f.dir
        .send_billing_notice(&Actor::System, e.acct, subject, "Invoice 42: 5.00 USD.")
        .unwrap()
}

// rule H7
#[test]
fn a_billing_notice_goes_to_the_owner_until_a_billing_contact_is_set() {
    each(|e, notifier| {
        assert_eq!(bill(&e, "Your invoice is ready"), Some(e.alice));
        let sent = notifier.take();
        assert_eq!(sent.len(), 1);
        let n = &sent[0];
        well_formed(n);
        assert_eq!(
            (n.kind, n.recipient, n.fallback),
            (NotificationKind::Billing, e.alice, None)
        );
        assert_eq!(n.to, vec![email("alice")]);
        assert_eq!(n.subject, "Your invoice is ready");
        assert_eq!(n.body, "Invoice 42: 5.00 USD.");
        let last = e.f.last_audit(e.acct);
        assert_eq!(last.operation, Operation::BillingNotice);
        assert_eq!(last.target, Some(e.alice.to_string()));
        // With billing contacts set: the primary, the secondary as its
        // fallback.
        e.f.dir
            .set_billing_contacts(&Actor::System, e.acct, e.pat, Some(e.sam))
            .unwrap();
        assert_eq!(bill(&e, "Payment failed"), Some(e.pat));
        let sent = notifier.take();
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].recipient, sent[0].fallback), (e.pat, Some(e.sam)));
        assert_eq!(sent[0].to, vec![email("pat")]);
    });
}

// rule H7
#[test]
fn the_secondary_billing_contact_gets_it_only_when_the_primary_is_undeliverable() {
    each_with(
        || Scripted::undeliverable(&["pat"]),
        |e, notifier| {
            e.f.dir
                .set_billing_contacts(&Actor::System, e.acct, e.pat, Some(e.sam))
                .unwrap();
            bill(&e, "Payment failed");
            let to_sam = notifier.to(e.sam);
            assert_eq!(to_sam.len(), 1, "the secondary gets it exactly once");
            assert_eq!(to_sam[0].0.kind, NotificationKind::Billing);
            assert_eq!(to_sam[0].0.subject, "Payment failed");
            assert!(notifier.to(e.alice).is_empty(), "the owner is not told");
            assert_eq!(
                e.f.last_audit(e.acct).operation,
                Operation::NotificationRedirect
            );
        },
    );
    each_with(
        || Scripted::new(|_, _| Delivery::Delivered),
        |e, notifier| {
            e.f.dir
                .set_billing_contacts(&Actor::System, e.acct, e.pat, Some(e.sam))
                .unwrap();
            bill(&e, "Payment failed");
            assert_eq!(notifier.delivered_to(e.pat), 1);
            assert!(notifier.to(e.sam).is_empty());
        },
    );
}

// rule H7
#[test]
fn billing_preferences_decide_who_is_told() {
    each(|e, notifier| {
        let off = NotificationPrefs {
            billing: false,
            ..NotificationPrefs::default()
        };
        e.f.dir
            .set_billing_contacts(&Actor::System, e.acct, e.pat, Some(e.sam))
            .unwrap();
        // The primary turned billing notices off: not unreachable, so
        // nobody is told, and the audit entry says why.
        e.f.dir
            .set_notification_prefs(&c(e.pat), e.acct, e.pat, off)
            .unwrap();
        notifier.take();
        assert_eq!(bill(&e, "Invoice"), None);
        assert!(notifier.take().is_empty());
        let why = e.f.last_audit(e.acct).detail.unwrap();
        assert!(
            why.contains("not sent") && why.contains(&e.pat.to_string()),
            "{why}"
        );
        // The secondary turned them off: no fallback.
        e.f.dir
            .set_notification_prefs(&c(e.pat), e.acct, e.pat, NotificationPrefs::default())
            .unwrap();
        e.f.dir
            .set_notification_prefs(&c(e.sam), e.acct, e.sam, off)
            .unwrap();
        notifier.take();
        assert_eq!(bill(&e, "Invoice"), Some(e.pat));
        let sent = notifier.take();
        assert_eq!((sent[0].recipient, sent[0].fallback), (e.pat, None));
    });
}

// rule H7
#[test]
fn only_the_host_sends_billing_notices_and_bad_text_is_refused() {
    each(|e, notifier| {
        for actor in [e.alice, e.tess, e.cm, e.pat, e.olga] {
            let err = e.f.refused(
                e.acct,
                &[e.other],
                ErrorCode::PermissionDenied,
                "C2",
                || {
                    e.f.dir
                        .send_billing_notice(&c(actor), e.acct, "Invoice", "body")
                },
            );
            assert!(
                matches!(err, Error::PermissionDenied { .. } | Error::NotFound { .. }),
                "{err:?}"
            );
        }
        for (subject, body) in [("", "body"), ("a\nb", "body"), ("Invoice", "bell\u{7}")] {
            let err =
                e.f.refused(e.acct, &[e.other], ErrorCode::InvalidInput, "I4", || {
                    e.f.dir
                        .send_billing_notice(&Actor::System, e.acct, subject, body)
                });
            assert!(
                matches!(
                    err,
                    Error::InvalidInput {
                        field: Field::Notice,
                        ..
                    }
                ),
                "{err:?}"
            );
        }
        assert!(notifier.take().is_empty());
    });
}

// ----- I1: the outbox -----

// rule I1
#[test]
fn a_notifier_that_fails_three_times_then_succeeds_delivers_exactly_once() {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let notifier = Scripted::new(|_, before| {
            if before < 3 {
                Delivery::RetryLater
            } else {
                Delivery::Delivered
            }
        });
        let e = env(store, Some(notifier.clone()), None);
        milestone(&e, &Milestone::SoftwareReady);
        // Failure 1, right after the commit.
        let items = pending(&e);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].attempts, 1);
        assert_eq!(items[0].next_attempt_at, T0 + Duration::seconds(30));
        let id = items[0].notification.id;
        // Failures 2 and 3 at 30 s and 90 s, success at 210 s.
        let mut reports = Vec::new();
        for s in [10, 30, 60, 90, 200, 210] {
            e.f.clock.set(T0 + Duration::seconds(s));
            reports.push(e.f.dir.deliver_pending().unwrap().retry_later);
        }
        assert_eq!(reports, vec![0, 1, 0, 1, 0, 0]);
        assert!(pending(&e).is_empty());
        // Never again.
        for s in [211, 600, 86_400, 86_400 * 30] {
            e.f.clock.set(T0 + Duration::seconds(s));
            assert_eq!(
                e.f.dir.deliver_pending().unwrap(),
                DeliveryReport::default()
            );
        }
        let calls = notifier.calls();
        assert_eq!(calls.len(), 4);
        assert!(calls.iter().all(|(n, _)| n.id == id));
        assert_eq!(notifier.delivered_to(e.pat), 1);
        assert!(notifier.to(e.sam).is_empty());
    }
}

// rule I1
#[test]
fn a_host_lists_what_is_pending() {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        // No notifier: everything waits in the outbox.
        let e = env(store, None, None);
        milestone(&e, &Milestone::SoftwareReady);
        e.f.clock.advance(Duration::minutes(1));
        e.f.dir
            .update_contact(
                &Actor::System,
                e.acct,
                e.carl,
                &ProfileUpdate {
                    cell_phone: Some(Some("+1 555 0199".into())),
                    ..Default::default()
                },
            )
            .unwrap();
        let items = pending(&e);
        assert_eq!(items.len(), 2);
        let (m, s) = (&items[0].notification, &items[1].notification);
        assert_eq!(
            (m.kind, m.recipient, m.resource),
            (NotificationKind::Milestone, e.pat, Some(e.r))
        );
        assert_eq!(
            (s.kind, s.recipient, s.resource),
            (NotificationKind::Security, e.carl, None)
        );
        assert_eq!(s.fields, vec!["cell_phone".to_owned()]);
        for i in &items {
            well_formed(&i.notification);
            assert_eq!(i.attempts, 0);
            assert_eq!(i.next_attempt_at, i.notification.at);
        }
        assert_eq!(e.f.dir.pending_notifications(1).unwrap().len(), 1);
    }
}

// rule I1
// rule K2
#[test]
fn a_panicking_notifier_leaves_the_milestone_pending_and_the_directory_working() {
    each_with(
        || Arc::new(Panicking::default()),
        |e, notifier| {
            milestone(&e, &Milestone::SoftwareReady);
            assert_eq!(notifier.calls.load(Ordering::SeqCst), 1);
            let items = pending(&e);
            assert_eq!(items.len(), 1);
            assert_eq!(items[0].attempts, 1);
            // A panic is "retry later", never "undeliverable": the
            // secondary is not told.
            assert_eq!(items[0].notification.recipient, e.pat);
            e.f.clock.advance(Duration::minutes(1));
            assert_eq!(e.f.dir.deliver_pending().unwrap().retry_later, 1);
            // The directory goes on.
            e.f.dir
                .set_technical_contacts(&c(e.tess), e.acct, e.r, e.sam, Some(e.pat))
                .unwrap();
            assert!(matches!(
                e.f.dir.verify_audit(&Actor::System, e.acct).unwrap(),
                AuditVerification::Intact { .. }
            ));
            let good = Arc::new(MemoryNotifier::new());
            let dir = Directory::builder(e.f.store.clone())
                .clock(e.f.clock.clone())
                .notifier(good.clone())
                .build();
            e.f.clock.advance(Duration::hours(1));
            assert_eq!(dir.deliver_pending().unwrap().delivered, 1);
            assert_eq!(good.take()[0].recipient, e.pat);
        },
    );
}

// rule I1
// rule K2
#[test]
fn a_hanging_notifier_does_not_hang_the_directory() {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let notifier = Arc::new(Hanging::default());
        let timeout = std::time::Duration::from_millis(200);
        let e = env(store, Some(notifier.clone()), Some(timeout));
        let started = std::time::Instant::now();
        milestone(&e, &Milestone::SoftwareReady);
        let took = started.elapsed();
        assert!(
            took < std::time::Duration::from_millis(2500),
            "the operation waited for the notifier: {took:?}"
        );
        assert_eq!(notifier.calls.load(Ordering::SeqCst), 1);
        let items = pending(&e);
        assert_eq!(items.len(), 1, "the notification stays pending");
        assert_eq!(items[0].attempts, 1);
        assert_eq!(items[0].notification.recipient, e.pat);
        // Retrying does not hang either.
        e.f.clock.advance(Duration::minutes(1));
        let started = std::time::Instant::now();
        assert_eq!(e.f.dir.deliver_pending().unwrap().retry_later, 1);
        assert!(started.elapsed() < std::time::Duration::from_millis(2500));
        assert_eq!(pending(&e)[0].attempts, 2);
        // The directory still works.
        e.f.dir
            .create_contact(&c(e.alice), e.acct, &new_contact("newbie"))
            .unwrap();
    }
}

// ----- I2: security notifications -----

/// A profile update; a contact editing its own gives its password (D8).
fn update(e: &Env, actor: &Actor, contact: ContactId, u: &ProfileUpdate) -> Vec<Field> {
    let mut u = u.clone();
    if *actor == c(contact) && u.current_password.is_none() && contact == e.carl {
        u.current_password = Some(Password::new(PW));
    }
    e.f.dir.update_contact(actor, e.acct, contact, &u).unwrap()
}

fn security_notices(sent: &[Notification]) -> Vec<&Notification> {
    sent.iter()
        .filter(|n| n.kind == NotificationKind::Security)
        .collect()
}

// rule I2
#[test]
fn a_change_to_a_contacts_settings_sends_a_security_notice_naming_the_fields() {
    each(|e, notifier| {
        let u = ProfileUpdate {
            business_phone: Some(Some("+49 30 1234567".into())),
            time_zone: Some("Asia/Kolkata".into()),
            alternate_email: Some(Some("secret.alias@example.org".into())),
            cell_phone: Some(Some("+49 170 7654321".into())),
            ..Default::default()
        };
        update(&e, &c(e.cm), e.carl, &u);
        let sent = notifier.take();
        assert_eq!(sent.len(), 1);
        let n = &sent[0];
        well_formed(n);
        assert_eq!(n.kind, NotificationKind::Security);
        assert_eq!(n.account, Some(e.acct));
        assert_eq!(n.recipient, e.carl);
        assert_eq!(n.to, vec![email("carl")]);
        assert_eq!(
            n.fields,
            vec![
                "business_phone",
                "time_zone",
                "alternate_email",
                "cell_phone"
            ]
        );
        for f in &n.fields {
            assert!(n.body.contains(f.as_str()), "{}", n.body);
        }
        // Never the values.
        for value in ["1234567", "7654321", "secret.alias", "Kolkata"] {
            assert!(!n.body.contains(value), "{}", n.body);
            assert!(!n.subject.contains(value), "{}", n.subject);
            assert!(n.fields.iter().all(|f| !f.contains(value)));
        }
        assert!(n.subject.contains("Acme Corp"), "{}", n.subject);
        // The contact's own change too, and the email (with the password
        // asked again, D8).
        update(
            &e,
            &c(e.carl),
            e.carl,
            &ProfileUpdate {
                current_password: Some(Password::new(PW)),
                email: Some("carl.new@example.com".into()),
                ..Default::default()
            },
        );
        let sent = notifier.take();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].fields, vec!["email"]);
        assert!(!sent[0].body.contains("carl.new"), "{}", sent[0].body);
    });
}

// rule I2
#[test]
fn name_and_job_title_changes_send_no_security_notice() {
    each(|e, notifier| {
        let changed = update(
            &e,
            &c(e.carl),
            e.carl,
            &ProfileUpdate {
                name: Some("Carl Renamed".into()),
                job_title: Some(Some("CTO".into())),
                ..Default::default()
            },
        );
        assert_eq!(changed, vec![Field::Name, Field::JobTitle]);
        assert!(notifier.take().is_empty());
        // With another field: only that one is named.
        update(
            &e,
            &c(e.carl),
            e.carl,
            &ProfileUpdate {
                name: Some("Carl Again".into()),
                cell_phone: Some(Some("+1 555 0142".into())),
                ..Default::default()
            },
        );
        let sent = notifier.take();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].fields, vec!["cell_phone"]);
        // An update that changes nothing tells nothing.
        update(
            &e,
            &c(e.carl),
            e.carl,
            &ProfileUpdate {
                cell_phone: Some(Some("+1 555 0142".into())),
                ..Default::default()
            },
        );
        assert!(notifier.take().is_empty());
    });
}

// rule I2
#[test]
fn a_security_notice_never_carries_a_secret_value() {
    each(|e, notifier| {
        e.f.dir
            .change_password(&c(e.carl), e.acct, &Password::new(PW), &Password::new(PW2))
            .unwrap();
        let sent = notifier.take();
        let notices = security_notices(&sent);
        assert_eq!(notices.len(), 1, "{sent:?}");
        let n = notices[0];
        well_formed(n);
        assert_eq!(n.fields, vec!["password"]);
        for secret in [PW, PW2, "Tr0ub4dor", "Staple"] {
            assert!(!n.body.contains(secret) && !n.subject.contains(secret));
        }
        assert!(!format!("{n:?}").contains(PW2));
        // New security answers: named, never shown.
        let answers: Vec<SecurityAnswer> = [(1, "Rex the dog"), (4, "Springfield"), (7, "Maple")]
            .into_iter()
            .map(|(question, answer)| SecurityAnswer {
                question,
                answer: Secret::new(answer),
            })
            .collect();
        e.f.dir
            .set_security_answers(&c(e.carl), e.acct, &answers, &Password::new(PW2))
            .unwrap();
        let sent = notifier.take();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].fields, vec!["security_questions"]);
        for answer in ["Rex", "Springfield", "Maple"] {
            assert!(!sent[0].body.contains(answer) && !sent[0].subject.contains(answer));
        }
        // A change of roles is a change of settings too.
        e.f.dir
            .set_roles(
                &c(e.alice),
                e.acct,
                e.carl,
                RoleSet::of(&[Role::BillingManager]),
                &TechScope::All,
            )
            .unwrap();
        let sent = notifier.take();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].kind, NotificationKind::Security);
        assert_eq!(sent[0].fields, vec!["roles"]);
    });
}

fn prefs_of(e: &Env, acct: AccountId, contact: ContactId) -> NotificationPrefs {
    e.f.store
        .membership(acct, contact)
        .unwrap()
        .unwrap()
        .notifications
}

// rule I2
#[test]
fn security_notifications_are_on_by_default_and_can_be_turned_off() {
    each(|e, notifier| {
        let all_on = NotificationPrefs {
            security: true,
            maintenance: true,
            billing: true,
            milestones: true,
        };
        assert_eq!(NotificationPrefs::default(), all_on);
        for id in [e.alice, e.carl, e.pat] {
            assert_eq!(prefs_of(&e, e.acct, id), all_on);
        }
        let phone = |n: &str| ProfileUpdate {
            cell_phone: Some(Some(format!("+1 555 01{n}"))),
            ..Default::default()
        };
        // Turning security notifications off is itself told (they were on).
        let quiet = NotificationPrefs {
            security: false,
            maintenance: false,
            ..all_on
        };
        e.f.dir
            .set_notification_prefs(&c(e.carl), e.acct, e.carl, quiet)
            .unwrap();
        assert_eq!(prefs_of(&e, e.acct, e.carl), quiet);
        let sent = notifier.take();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].kind, NotificationKind::Security);
        assert_eq!(
            sent[0].fields,
            vec!["security_notifications", "maintenance_notifications"]
        );
        let last = e.f.last_audit(e.acct);
        assert_eq!(last.operation, Operation::NotificationPrefs);
        assert_eq!(last.fields, sent[0].fields);
        // From then on, changes are not told.
        update(&e, &c(e.carl), e.carl, &phone("10"));
        assert!(notifier.take().is_empty());
        // Turning them on again is not told either (they were off)...
        e.f.dir
            .set_notification_prefs(&c(e.carl), e.acct, e.carl, all_on)
            .unwrap();
        assert!(notifier.take().is_empty());
        // ... and from then on changes are.
        update(&e, &c(e.carl), e.carl, &phone("11"));
        assert_eq!(security_notices(&notifier.take()).len(), 1);
        // Setting the same preferences changes nothing and tells nothing.
        e.f.dir
            .set_notification_prefs(&c(e.carl), e.acct, e.carl, all_on)
            .unwrap();
        assert!(notifier.take().is_empty());
    });
}

// rule I2
// rule B6
#[test]
fn notification_preferences_are_per_membership() {
    each(|e, notifier| {
        // carl also joins the other account.
        e.f.dir
            .add_existing_contact(
                &Actor::System,
                e.other,
                "carl",
                RoleSet::EMPTY,
                &TechScope::All,
            )
            .map(|added| e.f.accepted(e.other, added))
            .unwrap();
        e.f.dir
            .set_notification_prefs(
                &c(e.carl),
                e.acct,
                e.carl,
                NotificationPrefs {
                    security: false,
                    ..NotificationPrefs::default()
                },
            )
            .unwrap();
        notifier.take();
        assert!(!prefs_of(&e, e.acct, e.carl).security);
        assert!(prefs_of(&e, e.other, e.carl).security);
        let u = ProfileUpdate {
            cell_phone: Some(Some("+1 555 0177".into())),
            current_password: Some(Password::new(PW)),
            ..Default::default()
        };
        e.f.dir
            .update_contact(&c(e.carl), e.acct, e.carl, &u)
            .unwrap();
        assert!(notifier.take().is_empty(), "off in this account");
        let u = ProfileUpdate {
            cell_phone: Some(Some("+1 555 0178".into())),
            current_password: Some(Password::new(PW)),
            ..Default::default()
        };
        e.f.dir
            .update_contact(&c(e.carl), e.other, e.carl, &u)
            .unwrap();
        let sent = notifier.take();
        assert_eq!(sent.len(), 1, "on in the other");
        assert_eq!(sent[0].account, Some(e.other));
        assert!(
            sent[0].subject.contains("Other Corp"),
            "{}",
            sent[0].subject
        );
    });
}

// rule I2
// rule A6
// rule C2
#[test]
fn who_sets_notification_preferences() {
    each(|e, notifier| {
        let off = NotificationPrefs {
            billing: false,
            ..NotificationPrefs::default()
        };
        // Its own; another's by a contact manager (the owner's by nobody
        // but the owner).
        e.f.dir
            .set_notification_prefs(&c(e.pat), e.acct, e.pat, off)
            .unwrap();
        e.f.dir
            .set_notification_prefs(&c(e.cm), e.acct, e.sam, off)
            .unwrap();
        e.f.dir
            .set_notification_prefs(&c(e.alice), e.acct, e.alice, off)
            .unwrap();
        let sent = notifier.take();
        assert_eq!(sent.len(), 3);
        assert!(sent
            .iter()
            .all(|n| n.fields == vec!["billing_notifications"]));
        let prefs = |target| {
            e.f.store
                .membership(e.acct, target)
                .unwrap()
                .map(|m| m.notifications)
        };
        let check = |actor: Actor, target: ContactId, code, rule: &str, want: Error| {
            let before = prefs(target);
            let err = e.f.refused(e.acct, &[e.other], code, rule, || {
                e.f.dir
                    .set_notification_prefs(&actor, e.acct, target, NotificationPrefs::default())
            });
            assert_eq!(err, want);
            assert_eq!(prefs(target), before);
        };
        check(
            c(e.cm),
            e.alice,
            ErrorCode::RuleViolation,
            "A6",
            Error::RuleViolation {
                rule: Rule::A6OwnerOnly,
            },
        );
        for actor in [c(e.tess), c(e.carl), Actor::support_desk("desk", "why")] {
            check(
                actor,
                e.pat,
                ErrorCode::PermissionDenied,
                "C2",
                Error::PermissionDenied {
                    permission: Permission::ManageContacts,
                },
            );
        }
        check(
            c(e.cm),
            e.olga,
            ErrorCode::NotFound,
            "K1",
            Error::NotFound {
                entity: Entity::Contact,
            },
        );
        assert!(notifier.take().is_empty());
    });
}

// ----- I3: times in the contact's zone -----

// rule I3
#[test]
fn times_follow_daylight_saving_in_new_york_and_berlin() {
    // 01:30 UTC on the days daylight saving starts and ends in each zone
    // (2026: New York on 8 March and 1 November, Berlin on 29 March and
    // 25 October), rendered in both zones; then the instants either side
    // of each change.
    let cases = [
        // New York's start: 01:30 UTC is still the evening before, EST.
        (
            datetime!(2026-03-08 01:30 UTC),
            "America/New_York",
            "2026-03-07 20:30 EST (UTC-05:00)",
        ),
        (
            datetime!(2026-03-08 01:30 UTC),
            "Europe/Berlin",
            "2026-03-08 02:30 CET (UTC+01:00)",
        ),
        // New York's end: still EDT.
        (
            datetime!(2026-11-01 01:30 UTC),
            "America/New_York",
            "2026-10-31 21:30 EDT (UTC-04:00)",
        ),
        (
            datetime!(2026-11-01 01:30 UTC),
            "Europe/Berlin",
            "2026-11-01 02:30 CET (UTC+01:00)",
        ),
        // Berlin's start (01:00 UTC): 01:30 UTC is 03:30 summer time.
        (
            datetime!(2026-03-29 01:30 UTC),
            "Europe/Berlin",
            "2026-03-29 03:30 CEST (UTC+02:00)",
        ),
        (
            datetime!(2026-03-29 01:30 UTC),
            "America/New_York",
            "2026-03-28 21:30 EDT (UTC-04:00)",
        ),
        // Berlin's end (01:00 UTC): 01:30 UTC is 02:30 winter time.
        (
            datetime!(2026-10-25 01:30 UTC),
            "Europe/Berlin",
            "2026-10-25 02:30 CET (UTC+01:00)",
        ),
        (
            datetime!(2026-10-25 01:30 UTC),
            "America/New_York",
            "2026-10-24 21:30 EDT (UTC-04:00)",
        ),
        // Either side of each change.
        (
            datetime!(2026-03-08 06:30 UTC),
            "America/New_York",
            "2026-03-08 01:30 EST (UTC-05:00)",
        ),
        (
            datetime!(2026-03-08 07:30 UTC),
            "America/New_York",
            "2026-03-08 03:30 EDT (UTC-04:00)",
        ),
        (
            datetime!(2026-11-01 05:30 UTC),
            "America/New_York",
            "2026-11-01 01:30 EDT (UTC-04:00)",
        ),
        (
            datetime!(2026-11-01 06:30 UTC),
            "America/New_York",
            "2026-11-01 01:30 EST (UTC-05:00)",
        ),
        (
            datetime!(2026-03-29 00:30 UTC),
            "Europe/Berlin",
            "2026-03-29 01:30 CET (UTC+01:00)",
        ),
        (
            datetime!(2026-10-25 00:30 UTC),
            "Europe/Berlin",
            "2026-10-25 02:30 CEST (UTC+02:00)",
        ),
        // Zones off the whole hour, and UTC.
        (
            datetime!(2026-03-08 01:30 UTC),
            "Asia/Kolkata",
            "2026-03-08 07:00 IST (UTC+05:30)",
        ),
        (
            datetime!(2026-03-08 01:30 UTC),
            "America/St_Johns",
            "2026-03-07 22:00 NST (UTC-03:30)",
        ),
        (
            datetime!(2026-03-08 01:30 UTC),
            "UTC",
            "2026-03-08 01:30 UTC (UTC+00:00)",
        ),
    ];
    for (at, zone, want) in cases {
        assert_eq!(local_time(at, zone).unwrap(), want, "{at} in {zone}");
    }
}

// rule I3
#[test]
fn a_change_at_the_daylight_saving_switch_is_told_in_each_contacts_zone() {
    each(|e, notifier| {
        let days = [
            datetime!(2026-03-08 01:30 UTC),
            datetime!(2026-11-01 01:30 UTC),
            datetime!(2026-03-29 01:30 UTC),
            datetime!(2026-10-25 01:30 UTC),
        ];
        let want = [
            (
                "2026-03-08 02:30 CET (UTC+01:00)",
                "2026-03-07 20:30 EST (UTC-05:00)",
            ),
            (
                "2026-11-01 02:30 CET (UTC+01:00)",
                "2026-10-31 21:30 EDT (UTC-04:00)",
            ),
            (
                "2026-03-29 03:30 CEST (UTC+02:00)",
                "2026-03-28 21:30 EDT (UTC-04:00)",
            ),
            (
                "2026-10-25 02:30 CET (UTC+01:00)",
                "2026-10-24 21:30 EDT (UTC-04:00)",
            ),
        ];
        for (i, (at, (berlin, new_york))) in days.iter().zip(want).enumerate() {
            e.f.clock.set(*at);
            for (who, local) in [(e.pat, berlin), (e.sam, new_york)] {
                let u = ProfileUpdate {
                    cell_phone: Some(Some(format!("+1 555 02{i}0"))),
                    ..Default::default()
                };
                e.f.dir
                    .update_contact(&Actor::System, e.acct, who, &u)
                    .unwrap();
                let sent = notifier.take();
                assert_eq!(sent.len(), 1);
                assert_eq!(sent[0].at, *at, "the structured time is UTC");
                assert!(sent[0].body.contains(local), "{local}: {}", sent[0].body);
            }
            // The milestone, in the primary's zone (Berlin).
            milestone(&e, &Milestone::SoftwareReady);
            let sent = notifier.take();
            assert!(sent[0].body.contains(berlin), "{berlin}: {}", sent[0].body);
        }
        // A change of zone: the notice is in the new zone.
        e.f.clock.set(datetime!(2026-03-29 01:30 UTC));
        e.f.dir
            .update_contact(
                &Actor::System,
                e.acct,
                e.pat,
                &ProfileUpdate {
                    time_zone: Some("America/New_York".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        let sent = notifier.take();
        assert!(
            sent[0].body.contains("2026-03-28 21:30 EDT (UTC-04:00)"),
            "{}",
            sent[0].body
        );
    });
}

// rule I3
// rule B2
// rule K2
#[test]
fn an_unknown_time_zone_is_refused_in_a_contacts_settings_and_never_rendered() {
    each(|e, notifier| {
        for zone in [
            "Nowhere/Land",
            "Mars/Olympus_Mons",
            "EST5EDT6",
            "../../etc/passwd",
        ] {
            let err = e.f.refused(e.acct, &[], ErrorCode::InvalidInput, "B2", || {
                e.f.dir.update_contact(
                    &c(e.pat),
                    e.acct,
                    e.pat,
                    &ProfileUpdate {
                        time_zone: Some(zone.into()),
                        ..Default::default()
                    },
                )
            });
            assert_eq!(
                err,
                Error::InvalidInput {
                    field: Field::TimeZone,
                    problem: Problem::UnknownTimeZone
                },
                "{zone}"
            );
        }
        for (zone, problem) in [
            ("", Problem::Empty),
            ("Europe/Ber\u{0}lin", Problem::ControlCharacter),
            (&*"Z".repeat(65), Problem::TooLong { max: 64 }),
        ] {
            let err = e.f.refused(e.acct, &[], ErrorCode::InvalidInput, "B2", || {
                e.f.dir.update_contact(
                    &c(e.pat),
                    e.acct,
                    e.pat,
                    &ProfileUpdate {
                        time_zone: Some(zone.into()),
                        ..Default::default()
                    },
                )
            });
            assert_eq!(
                err,
                Error::InvalidInput {
                    field: Field::TimeZone,
                    problem
                }
            );
        }
        // Nor for a new contact.
        let mut nc = with_phone("zed", "Nowhere/Land");
        nc.roles = RoleSet::EMPTY;
        let err = e.f.refused(e.acct, &[], ErrorCode::InvalidInput, "B2", || {
            e.f.dir.create_contact(&Actor::System, e.acct, &nc)
        });
        assert_eq!(
            err,
            Error::InvalidInput {
                field: Field::TimeZone,
                problem: Problem::UnknownTimeZone
            }
        );
        assert!(notifier.take().is_empty());
        assert_eq!(
            e.f.dir
                .contact(&Actor::System, e.acct, e.pat)
                .unwrap()
                .profile
                .time_zone,
            "Europe/Berlin"
        );
        // Nor does the library's clock render one: a typed error, never a
        // silent UTC.
        assert_eq!(
            local_time(datetime!(2026-03-29 01:30 UTC), "Nowhere/Land"),
            Err(Error::InvalidInput {
                field: Field::TimeZone,
                problem: Problem::UnknownTimeZone
            })
        );
    });
}

// rule I3
// rule E9
#[test]
fn the_lock_notice_gives_the_locks_end_in_the_contacts_zone() {
    each(|e, notifier| {
        let sys = Actor::System;
        let zone = "America/New_York";
        e.f.dir
            .update_contact(
                &sys,
                e.acct,
                e.carl,
                &ProfileUpdate {
                    time_zone: Some(zone.into()),
                    ..Default::default()
                },
            )
            .unwrap();
        e.f.dir
            .set_lock_policy(&sys, e.acct, Some(LockPolicy { max_attempts: 1 }))
            .unwrap();
        notifier.take();
        let outcome =
            e.f.dir
                .sign_in(&SignInRequest {
                    login: "carl",
                    password: &Password::new("not the password"),
                    ip: "192.0.2.1".parse().unwrap(),
                    account: None,
                    device_token: None,
                    remember_device: false,
                })
                .unwrap();
        assert!(
            matches!(outcome, SignInOutcome::InvalidCredentials),
            "{outcome:?}"
        );
        let until =
            e.f.dir
                .contact(&sys, e.acct, e.carl)
                .unwrap()
                .lock
                .and_then(|l| l.until)
                .expect("an automatic lock with its end");
        let lock = notifier
            .take()
            .into_iter()
            .find(|n| n.recipient == e.carl && n.fields == vec!["lock".to_owned()])
            .expect("a lock notice");
        let local = local_time(until, zone).unwrap();
        assert!(local.contains("EST (UTC-05:00)"), "{local}");
        assert!(lock.body.contains(&local), "{}", lock.body);
        assert!(!lock.body.contains("(UTC)"), "{}", lock.body);
    });
}

// rule I3
// rule J2
#[test]
fn the_audit_log_reads_in_its_readers_zone_on_screen_and_in_csv() {
    each(|e, _| {
        // Summer and winter entries, so that both of Berlin's offsets show.
        e.f.clock.set(datetime!(2026-07-01 12:00 UTC));
        e.f.dir
            .set_lock_policy(&Actor::System, e.acct, Some(LockPolicy::default()))
            .unwrap();
        let q = AuditQuery {
            limit: AuditQuery::MAX_LIMIT,
            ..Default::default()
        };
        // On screen: pat reads Berlin time, the host UTC.
        let as_pat = e.f.dir.audit_entries(&c(e.pat), e.acct, &q).unwrap();
        assert!(as_pat.len() > 2);
        for entry in &as_pat {
            assert_eq!(
                entry.at_local,
                local_time(entry.at, "Europe/Berlin").unwrap()
            );
        }
        let offsets: std::collections::BTreeSet<_> = as_pat
            .iter()
            .map(|e| e.at_local.rsplit('(').next().unwrap().to_owned())
            .collect();
        assert_eq!(
            offsets.into_iter().collect::<Vec<_>>(),
            vec!["UTC+01:00)", "UTC+02:00)"]
        );
        let as_host = e.f.dir.audit_entries(&Actor::System, e.acct, &q).unwrap();
        assert!(as_host
            .iter()
            .all(|e| e.at_local.ends_with("UTC (UTC+00:00)")));
        // The entry's hash does not depend on who read it.
        assert_eq!(as_pat[0].hash, as_host[0].hash);
        assert_eq!(as_pat[0].compute_hash(), as_pat[0].hash);
        // In the CSV: the local column carries the reader's offset.
        let mut out = Vec::new();
        e.f.dir
            .export_audit_csv(&c(e.pat), e.acct, &AuditQuery::default(), &mut out)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut rows = text.lines();
        let header: Vec<&str> = rows.next().unwrap().split(',').collect();
        assert_eq!(&header[1..3], &["time_utc", "time_local"]);
        let locals: Vec<String> = rows
            .map(|r| r.split(',').nth(2).unwrap().to_owned())
            .collect();
        assert!(locals.iter().any(|t| t.ends_with("+01:00")), "{locals:?}");
        assert!(locals.iter().any(|t| t.ends_with("+02:00")), "{locals:?}");
        assert!(!locals.iter().any(|t| t.ends_with('Z')), "{locals:?}");
    });
}

// rule I2
// rule E5
// rule E6
#[test]
fn locking_a_locked_contact_or_unlocking_an_unlocked_one_tells_nobody() {
    each(|e, notifier| {
        let dir = &e.f.dir;
        notifier.take();
        dir.unlock_contact(&c(e.cm), e.acct, e.carl).unwrap();
        assert!(notifier.take().is_empty(), "nothing changed: no notice");
        let last = e.f.last_audit(e.acct);
        assert_eq!(last.operation, Operation::ContactUnlock);
        assert!(last.fields.is_empty(), "{:?}", last.fields);
        assert_eq!(last.detail.as_deref(), Some("not locked"));
        dir.lock_contact(&c(e.cm), e.acct, e.carl).unwrap();
        let told = notifier.take();
        assert_eq!(told.len(), 1);
        assert_eq!(told[0].fields, vec!["lock".to_owned()]);
        dir.lock_contact(&c(e.cm), e.acct, e.carl).unwrap();
        assert!(notifier.take().is_empty(), "locked already: no notice");
        assert_eq!(
            e.f.last_audit(e.acct).detail.as_deref(),
            Some("already locked")
        );
        dir.unlock_contact(&c(e.cm), e.acct, e.carl).unwrap();
        assert_eq!(notifier.take().len(), 1);
        assert_eq!(e.f.last_audit(e.acct).fields, vec!["lock".to_owned()]);
    });
}

// ----- I4: maintenance and global-issue notices -----

// rule I4
#[test]
fn maintenance_notices_go_to_the_email_and_the_alternate_email() {
    each(|e, notifier| {
        // sam does not want them.
        e.f.dir
            .set_notification_prefs(
                &c(e.sam),
                e.acct,
                e.sam,
                NotificationPrefs {
                    maintenance: false,
                    ..NotificationPrefs::default()
                },
            )
            .unwrap();
        notifier.take();
        let body = "The backup service is down for maintenance\nfrom 02:00 to 03:00 UTC.\tSorry.";
        let sent_to =
            e.f.dir
                .send_maintenance_notice(&Actor::System, e.acct, " Planned maintenance ", body)
                .unwrap();
        // alice, tess, cm, pat, carl.
        assert_eq!(sent_to, 5);
        let sent = notifier.take();
        assert_eq!(sent.len(), 5);
        let by: HashMap<ContactId, &Notification> = sent.iter().map(|n| (n.recipient, n)).collect();
        assert!(!by.contains_key(&e.sam));
        assert_eq!(
            by[&e.carl].to,
            vec![email("carl"), "carl.home@example.net".to_owned()]
        );
        assert_eq!(by[&e.pat].to, vec![email("pat")]);
        for n in &sent {
            well_formed(n);
            assert_eq!(n.kind, NotificationKind::Maintenance);
            assert_eq!(n.account, Some(e.acct));
            assert_eq!(n.subject, "Planned maintenance");
            assert_eq!(n.body, body);
        }
        let last = e.f.last_audit(e.acct);
        assert_eq!(last.operation, Operation::Notice);
        assert_eq!(last.outcome, Outcome::Success);
        assert!(last.detail.unwrap().starts_with("5 contacts"));
        // Only this account's contacts.
        assert!(sent.iter().all(|n| n.recipient != e.olga));
    });
}

// rule I4
// rule C2
// rule K2
#[test]
fn only_the_host_sends_notices_and_they_are_validated() {
    each(|e, notifier| {
        for actor in [c(e.alice), c(e.cm), Actor::support_desk("desk", "outage")] {
            let err =
                e.f.refused(e.acct, &[], ErrorCode::PermissionDenied, "C2", || {
                    e.f.dir.send_maintenance_notice(&actor, e.acct, "s", "b")
                });
            assert_eq!(
                err,
                Error::PermissionDenied {
                    permission: Permission::SendNotices
                }
            );
        }
        let long = "b".repeat(100_001);
        for (subject, body, problem) in [
            ("", "body", Problem::Empty),
            ("two\nlines", "body", Problem::ControlCharacter),
            (&*"s".repeat(201), "body", Problem::TooLong { max: 200 }),
            ("subject", "bell\u{7}", Problem::Malformed),
            ("subject", "escape \u{1b}[31m", Problem::Malformed),
            ("subject", &*long, Problem::Malformed),
        ] {
            let err = e.f.refused(e.acct, &[], ErrorCode::InvalidInput, "I4", || {
                e.f.dir
                    .send_maintenance_notice(&Actor::System, e.acct, subject, body)
            });
            assert_eq!(
                err,
                Error::InvalidInput {
                    field: Field::Notice,
                    problem
                }
            );
        }
        assert!(notifier.take().is_empty());
        // An unknown account.
        let err =
            e.f.dir
                .send_maintenance_notice(&Actor::System, AccountId(5), "s", "b")
                .unwrap_err();
        assert_eq!(
            err,
            Error::NotFound {
                entity: Entity::Account
            }
        );
    });
}

// rule I4
#[test]
fn a_notice_reaches_every_contact_of_a_large_account() {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let e = env(store, None, None);
        // More than one page of contacts.
        for i in 0..MAX_PAGE {
            e.f.dir
                .create_contact(&Actor::System, e.acct, &new_contact(&format!("bulk{i}")))
                .unwrap();
        }
        let sent =
            e.f.dir
                .send_maintenance_notice(&Actor::System, e.acct, "Outage", "All systems down.")
                .unwrap();
        assert_eq!(sent, MAX_PAGE + 6);
        let items = e.f.store.outbox(None, usize::MAX).unwrap();
        assert_eq!(items.len(), MAX_PAGE + 6);
        let recipients: std::collections::HashSet<ContactId> =
            items.iter().map(|i| i.notification.recipient).collect();
        assert_eq!(recipients.len(), MAX_PAGE + 6, "each contact once");
    }
}

// rule I2: an email change is told at the old address too, so that the
// person who owned it learns of it; the listing shows the preferences.
#[test]
fn an_email_change_is_told_at_the_old_and_the_new_address() {
    for_each_store(|f| {
        let (acct, _) = f.account("alice");
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        f.notifier.take();
        let update = ProfileUpdate {
            email: Some("bob@new.example".into()),
            ..Default::default()
        };
        f.dir
            .update_contact(&Actor::System, acct, bob, &update)
            .unwrap();
        let sent = f.notifier.take();
        let notice = sent
            .iter()
            .find(|n| n.kind == NotificationKind::Security && n.recipient == bob)
            .unwrap();
        assert_eq!(
            notice.to,
            vec!["bob@new.example".to_string(), "bob@example.com".to_string()]
        );
        assert_eq!(notice.fields, vec!["email".to_string()]);
        let view = f.dir.contact(&Actor::System, acct, bob).unwrap();
        assert_eq!(view.notifications, NotificationPrefs::default());
    });
}
