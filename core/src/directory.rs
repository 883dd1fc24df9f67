//! The `Directory`: the one facade that does I/O (ARCHITECTURE).
//!
//! Every operation: load what it needs from the store, decide (the pure
//! checks of the section modules), commit the decision with its audit
//! entries and notifications in one atomic changeset (retrying when a
//! concurrent commit got there first), then deliver the notifications.
//! A refused operation changes nothing and appends the refusal to the audit
//! log (K1, J1).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use crate::audit::{check_limit, AuditDraft, Operation, Outcome};
use crate::clock::{Clock, SystemClock};
use crate::contacts::MAX_PAGE;
use crate::credentials::{HashCost, Hasher};
use crate::error::{Entity, Error, Field, Problem, StoreError};
use crate::ids::ContactId;
use crate::notify::{
    Delivery, DeliveryReport, Notification, NotificationDraft, Notifier, OutboxItem,
};
use crate::op::{Done, Op};
use crate::roles::{Access, Actor};
use crate::second_factor::sealing::SealingKey;
use crate::signin::SessionLifetimes;
use crate::store::{MemoryStore, Settlement, Store};
use crate::tx::{access_in, Tx};

/// How many times an operation is tried when concurrent commits invalidate
/// what it read.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 32;
/// How long one delivery may take by default (see
/// [`DirectoryBuilder::delivery_timeout`]).
pub const DEFAULT_DELIVERY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Entries read from the store at a time by exports and verification.
pub(crate) const SCAN_PAGE: usize = 1000;

/// The contactkeeper directory: every operation a host performs goes here.
///
/// A `Directory` is `Send + Sync`; share one (in an `Arc`) between threads.
/// Several directories, in several processes, may share one persistent
/// store: commits are optimistic and retried.
pub struct Directory {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) notifier: Option<Arc<dyn Notifier>>,
    pub(crate) clock: Arc<dyn Clock>,
    max_attempts: u32,
    pub(crate) hasher: Arc<Hasher>,
    pub(crate) sessions: SessionLifetimes,
    /// D5's bound, for every login.
    pub(crate) throttle_attempts: u32,
    /// F1: the keys authenticator secrets are sealed under: the host's, or
    /// the store's default, fetched at first use ([`Directory::keyring`]).
    keyring: std::sync::OnceLock<crate::second_factor::sealing::Keyring>,
    delivery_timeout: Option<std::time::Duration>,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory")
            .field("notifier", &self.notifier.is_some())
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Directory`] from its parts.
pub struct DirectoryBuilder {
    store: Arc<dyn Store>,
    notifier: Option<Arc<dyn Notifier>>,
    clock: Arc<dyn Clock>,
    max_attempts: u32,
    cost: HashCost,
    sessions: SessionLifetimes,
    delivery_timeout: Option<std::time::Duration>,
    throttle_attempts: u32,
    sealing: Option<(SealingKey, Vec<SealingKey>)>,
}

impl DirectoryBuilder {
    /// Uses this notifier. Without one, notifications stay in the outbox
    /// (see [`Directory::pending_notifications`]).
    #[must_use]
    pub fn notifier(mut self, notifier: Arc<dyn Notifier>) -> DirectoryBuilder {
        self.notifier = Some(notifier);
        self
    }

    /// Uses this clock (the system clock by default).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> DirectoryBuilder {
        self.clock = clock;
        self
    }

    /// Tries an operation at most this many times (at least once) when
    /// concurrent commits conflict with it.
    #[must_use]
    pub fn max_attempts(mut self, n: u32) -> DirectoryBuilder {
        self.max_attempts = n.max(1);
        self
    }

    /// Hashes new passwords and answers with this argon2id cost (D1); the
    /// default is m=19456 KiB, t=2, p=1. Hashes made with another cost are
    /// upgraded at the next successful sign-in.
    pub fn hash_cost(mut self, cost: HashCost) -> Result<DirectoryBuilder, Error> {
        Hasher::new(cost)?;
        self.cost = cost;
        Ok(self)
    }

    /// Tightens the directory-wide sign-in throttle (D5): every login, known
    /// or not, gets at most `n` failed attempts (1 to
    /// [`THROTTLE_ATTEMPTS`](crate::signin::throttle::THROTTLE_ATTEMPTS),
    /// the default) in a window of
    /// [`THROTTLE_WINDOW`](crate::signin::throttle::THROTTLE_WINDOW); the
    /// next one locks it for the cool-off. An account's lock policy (E1)
    /// tightens it further for its contacts.
    pub fn throttle_attempts(mut self, n: u32) -> Result<DirectoryBuilder, Error> {
        if !(1..=crate::signin::throttle::THROTTLE_ATTEMPTS).contains(&n) {
            return Err(Error::invalid(Field::LockPolicy, Problem::OutOfRange));
        }
        self.throttle_attempts = n;
        Ok(self)
    }

    /// The key authenticator secrets are sealed under (F1), and the older
    /// keys that still open what they sealed (key rotation: give the new
    /// key as `current` and the old ones here, then
    /// [`Directory::reseal_secrets`]). Key ids must differ.
    ///
    /// Without keys, the directory asks its store for one
    /// ([`Store::sealing_key`]): a [`SqliteStore`](crate::SqliteStore)
    /// keeps one in a file beside its database, a
    /// [`MemoryStore`](crate::MemoryStore) lets the directory use a random
    /// key, and any other store refuses, so that no persistent store loses
    /// its secrets to a key that dies with the process.
    pub fn sealing_keys(
        mut self,
        current: SealingKey,
        older: Vec<SealingKey>,
    ) -> Result<DirectoryBuilder, Error> {
        let mut ids: Vec<u32> = older.iter().map(SealingKey::id).collect();
        ids.push(current.id());
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::invalid(Field::SealingKey, Problem::Duplicate));
        }
        self.sealing = Some((current, older));
        Ok(self)
    }

    /// Sets the session lifetimes (D8): each between one minute and 30 days,
    /// the idle one no longer than the absolute one.
    pub fn session_lifetimes(
        mut self,
        lifetimes: SessionLifetimes,
    ) -> Result<DirectoryBuilder, Error> {
        let ok = |d: Duration| d >= Duration::minutes(1) && d <= Duration::days(30);
        if !ok(lifetimes.idle) || !ok(lifetimes.absolute) || lifetimes.idle > lifetimes.absolute {
            return Err(Error::invalid(Field::SessionLifetime, Problem::OutOfRange));
        }
        self.sessions = lifetimes;
        Ok(self)
    }

    /// How long one delivery may take before it counts as "retry later"
    /// (default 10 seconds). With a timeout, the notifier is called on a
    /// thread of its own, so a notifier that hangs cannot hang the
    /// directory; `None` calls it on the caller's thread, without a limit.
    #[must_use]
    pub fn delivery_timeout(mut self, timeout: Option<std::time::Duration>) -> DirectoryBuilder {
        self.delivery_timeout = timeout;
        self
    }

    /// The directory.
    pub fn build(self) -> Directory {
        // The cost was validated by `hash_cost`, or is the default.
        let hasher = Hasher::new(self.cost).unwrap_or_default();
        let keyring = std::sync::OnceLock::new();
        if let Some((current, older)) = self.sealing {
            let _ = keyring.set(crate::second_factor::sealing::Keyring::new(current, older));
        }
        Directory {
            store: self.store,
            notifier: self.notifier,
            clock: self.clock,
            max_attempts: self.max_attempts,
            hasher: Arc::new(hasher),
            sessions: self.sessions,
            throttle_attempts: self.throttle_attempts,
            keyring,
            delivery_timeout: self.delivery_timeout,
        }
    }
}

impl Directory {
    /// A directory on a new in-memory store, with the system clock and no
    /// notifier.
    pub fn in_memory() -> Directory {
        Directory::builder(Arc::new(MemoryStore::new())).build()
    }

    /// A builder for a directory on `store`.
    pub fn builder(store: Arc<dyn Store>) -> DirectoryBuilder {
        DirectoryBuilder {
            store,
            notifier: None,
            clock: Arc::new(SystemClock),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            cost: HashCost::default(),
            sessions: SessionLifetimes::default(),
            delivery_timeout: Some(DEFAULT_DELIVERY_TIMEOUT),
            throttle_attempts: crate::signin::throttle::THROTTLE_ATTEMPTS,
            sealing: None,
        }
    }

    /// The keys to seal and open authenticator secrets with (F1): the
    /// host's, or else the store's ([`Store::sealing_key`]), or else, for a
    /// store whose contents end with the process, a random key. A store
    /// that refuses is a typed error at the first secret sealed or opened,
    /// and is asked again at the next.
    pub(crate) fn keyring(&self) -> Result<&crate::second_factor::sealing::Keyring, Error> {
        if let Some(k) = self.keyring.get() {
            return Ok(k);
        }
        let current = match self.store.sealing_key()? {
            Some(k) => k,
            None => SealingKey::random(0)?,
        };
        // Two threads may race here: the first key set is the one both use.
        let _ = self
            .keyring
            .set(crate::second_factor::sealing::Keyring::new(
                current,
                Vec::new(),
            ));
        self.keyring.get().ok_or(Error::RandomUnavailable)
    }

    /// The store behind this directory.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The time now, by this directory's clock.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    // ----- accounts and ownership (A) -----

    // ----- contacts (B) -----

    // ----- roles and permissions (C) -----

    // ----- audit log (J) -----

    // ----- notifications (I1) -----

    /// Notifications not yet delivered, by due time (at most `limit`).
    pub fn pending_notifications(&self, limit: usize) -> Result<Vec<OutboxItem>, Error> {
        check_limit(limit, MAX_PAGE)?;
        Ok(self.store.outbox(None, limit)?)
    }

    /// Tries again every pending notification that is due. A notification
    /// the notifier accepts (or finds undeliverable) leaves the outbox; one
    /// it cannot send now is tried later, waiting twice as long each time
    /// (30 seconds, then 1, 2, 4 … minutes, at most an hour).
    pub fn deliver_pending(&self) -> Result<DeliveryReport, Error> {
        let mut report = DeliveryReport::default();
        let Some(notifier) = &self.notifier else {
            report.retry_later = self.store.outbox(None, usize::MAX)?.len();
            return Ok(report);
        };
        let now = self.clock.now();
        let mut seen = std::collections::HashSet::new();
        loop {
            let due = self.store.outbox(Some(now), SCAN_PAGE)?;
            let fresh: Vec<_> = due
                .into_iter()
                .filter(|i| seen.insert(i.notification.id))
                .collect();
            if fresh.is_empty() {
                break;
            }
            for item in fresh {
                match self.deliver_one(notifier, &item.notification, item.attempts, now) {
                    Delivery::Delivered => report.delivered += 1,
                    Delivery::Undeliverable => report.undeliverable += 1,
                    Delivery::RetryLater => report.retry_later += 1,
                }
            }
        }
        Ok(report)
    }

    fn deliver_one(
        &self,
        notifier: &Arc<dyn Notifier>,
        n: &Notification,
        attempts: u32,
        now: OffsetDateTime,
    ) -> Delivery {
        let outcome = self.call_notifier(notifier, n);
        let settlement = match outcome {
            Delivery::Delivered | Delivery::Undeliverable => Settlement::Remove,
            Delivery::RetryLater => {
                let attempts = attempts.saturating_add(1);
                Settlement::Retry {
                    attempts,
                    next_attempt_at: now.saturating_add(backoff(attempts)),
                }
            }
        };
        // The change is committed already; if recording the attempt fails,
        // the item stays pending and is delivered again (at least once).
        let _ = self.store.settle(n.id, settlement);
        if outcome == Delivery::Undeliverable {
            if let Some(fallback) = n.fallback {
                self.redirect(n, fallback);
            }
        }
        outcome
    }

    /// Calls the notifier, catching a panic (it counts as "retry later")
    /// and, with a delivery timeout, giving up on a notifier that hangs:
    /// the call runs on its own thread, and the notification stays pending.
    fn call_notifier(&self, notifier: &Arc<dyn Notifier>, n: &Notification) -> Delivery {
        let inline = |n: &Notification| {
            catch_unwind(AssertUnwindSafe(|| notifier.deliver(n))).unwrap_or(Delivery::RetryLater)
        };
        let Some(timeout) = self.delivery_timeout else {
            return inline(n);
        };
        let (send, receive) = std::sync::mpsc::channel();
        let (notifier2, n2) = (notifier.clone(), n.clone());
        let spawned = std::thread::Builder::new()
            .name("contactkeeper-notify".into())
            .spawn(move || {
                let r = catch_unwind(AssertUnwindSafe(|| notifier2.deliver(&n2)))
                    .unwrap_or(Delivery::RetryLater);
                let _ = send.send(r);
            });
        match spawned {
            Ok(_) => receive
                .recv_timeout(timeout)
                .unwrap_or(Delivery::RetryLater),
            Err(_) => inline(n),
        }
    }

    /// H6: the notifier found the recipient undeliverable; the fallback
    /// contact (the secondary technical contact) gets the notification once.
    fn redirect(&self, n: &Notification, fallback: ContactId) {
        let _ = self.transact("system", |tx| {
            tx.contact(fallback)?;
            // Only to a contact still in the account: one removed since
            // must not hear about the account's resources.
            if let Some(a) = n.account {
                tx.member(a, fallback)?;
            }
            tx.notify(NotificationDraft {
                account: n.account,
                fields: n.fields.clone(),
                resource: n.resource,
                ..NotificationDraft::new(n.kind, fallback, n.subject.clone(), n.body.clone())
            })?;
            if let Some(a) = n.account {
                tx.audit(
                    a,
                    Operation::NotificationRedirect,
                    n.resource.map(|r| r.to_string()),
                    Vec::new(),
                    Some(format!("{} undeliverable; sent to {fallback}", n.recipient)),
                );
            }
            Ok(())
        });
    }

    // ----- the machinery -----

    /// Runs a changing operation declared by `op` on its account: resolves
    /// the actor's access, checks the permission `op` needs, runs `body`
    /// with the access, and audits the success under `op`.
    pub(crate) fn write<T>(
        &self,
        actor: &Actor,
        op: Op,
        body: impl Fn(&mut Tx<'_>, Access) -> Result<Done<T>, Error>,
    ) -> Result<T, Error> {
        let Some(account) = op.account else {
            return Err(Error::not_found(Entity::Account));
        };
        self.run(actor, &op, |tx| {
            let access = access_in(tx, actor, account)?;
            if let Some(p) = op.needs {
                access.require(p)?;
            }
            body(tx, access)
        })
    }

    /// Runs a reading operation: the actor's access, the permission `op`
    /// needs, then `body`; a refusal is audited.
    pub(crate) fn read<T>(
        &self,
        actor: &Actor,
        op: Op,
        body: impl FnOnce(&mut Tx<'_>, Access) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut tx = Tx::new(self.store.as_ref(), self.clock.now());
        let result = actor
            .validate()
            .and_then(|()| {
                let account = op.account.ok_or(Error::not_found(Entity::Account))?;
                access_in(&mut tx, actor, account)
            })
            .and_then(|access| {
                if let Some(p) = op.needs {
                    access.require(p)?;
                }
                body(&mut tx, access)
            });
        if let Err(e) = &result {
            self.record_refusal(actor, &op, e);
        }
        result
    }

    /// The retry loop: decide, audit the success under `op`, commit,
    /// deliver; audit a refusal under `op`.
    pub(crate) fn run<T>(
        &self,
        actor: &Actor,
        op: &Op,
        body: impl Fn(&mut Tx<'_>) -> Result<Done<T>, Error>,
    ) -> Result<T, Error> {
        if let Err(e) = actor.validate() {
            self.record_refusal(actor, op, &e);
            return Err(e);
        }
        // A support-desk action records its reason (J1).
        let reason = match actor {
            Actor::SupportDesk { reason, .. } if !reason.trim().is_empty() => {
                Some(format!("reason: {}", reason.trim()))
            }
            _ => None,
        };
        let result = self.transact_with(&actor.audit_label(), reason.as_deref(), |tx| {
            let done = body(tx)?;
            if let Some(entry) = done.audit {
                if let Some(account) = entry.account.or(op.account) {
                    tx.audit(
                        account,
                        op.operation,
                        entry.target.or_else(|| op.target.clone()),
                        entry.fields,
                        entry.detail,
                    );
                }
            }
            Ok(done.value)
        });
        if let Err(e) = &result {
            self.record_refusal(actor, op, e);
        }
        result
    }

    /// The retry loop without the refusal audit: decide, commit, deliver.
    /// A commit that conflicts with a concurrent one decides again from
    /// fresh reads.
    pub(crate) fn transact<T>(
        &self,
        actor_label: &str,
        body: impl Fn(&mut Tx<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.transact_with(actor_label, None, body)
    }

    /// [`Self::transact`], with a detail for audit entries that have none.
    fn transact_with<T>(
        &self,
        actor_label: &str,
        default_detail: Option<&str>,
        body: impl Fn(&mut Tx<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        for _ in 0..self.max_attempts {
            let mut tx = Tx::new(self.store.as_ref(), self.clock.now());
            let value = body(&mut tx)?;
            let (changes, notes) = tx.finish(actor_label, default_detail)?;
            match self.store.commit(&changes) {
                Ok(()) => {
                    self.deliver_now(&notes);
                    return Ok(value);
                }
                Err(StoreError::Conflict) => continue,
                Err(StoreError::Duplicate(entity)) => return Err(Error::AlreadyExists { entity }),
                Err(e) => return Err(Error::Store(e)),
            }
        }
        Err(Error::Conflict {
            attempts: self.max_attempts,
        })
    }

    /// Hands notifications of a commit to the notifier: stored ones are
    /// settled in the outbox; those carrying a secret are tried once.
    fn deliver_now(&self, notes: &[Notification]) {
        let Some(notifier) = &self.notifier else {
            return;
        };
        for n in notes {
            if n.secret.is_some() {
                self.call_notifier(notifier, n);
            } else {
                self.deliver_one(notifier, n, 0, n.at);
            }
        }
    }

    /// Appends a refusal to the account's chain (the directory's when the
    /// account does not exist). Best effort: the refusal is returned to the
    /// caller whether or not it could be recorded.
    pub(crate) fn record_refusal(&self, actor: &Actor, op: &Op, error: &Error) {
        if matches!(
            error,
            Error::Store(_) | Error::Conflict { .. } | Error::RandomUnavailable
        ) {
            return;
        }
        let label = match actor.validate() {
            Ok(()) => actor.audit_label(),
            Err(_) => "invalid-actor".to_owned(),
        };
        for _ in 0..self.max_attempts {
            let mut tx = Tx::new(self.store.as_ref(), self.clock.now());
            let chain = op.account.filter(|id| tx.account(*id).is_ok());
            tx.audit_draft(AuditDraft {
                account: chain,
                operation: op.operation,
                target: op.target.clone(),
                outcome: Outcome::Refused(error.code()),
                fields: Vec::new(),
                detail: Some(error.to_string()),
            });
            let Ok((changes, _)) = tx.finish(&label, None) else {
                return;
            };
            match self.store.commit(&changes) {
                Err(StoreError::Conflict) => continue,
                _ => return,
            }
        }
    }
}

fn backoff(attempts: u32) -> Duration {
    let secs = 30i64.saturating_mul(1i64 << attempts.saturating_sub(1).min(7));
    Duration::seconds(secs.min(3600))
}
