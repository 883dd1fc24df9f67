//! The opaque handles (directory, manual clock), the notifier adapter and
//! the small helpers every call uses.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use contactkeeper_core as core;
use core::{Delivery, Directory, HashCost, ManualClock, Notifier, SessionLifetimes};
use time::OffsetDateTime;

use crate::conv::{register, req_str, retire, Arena, Kind, Out};
use crate::error::{ck_result, guard, Fail};
use crate::types::{ck_actor, ck_delivery, ck_directory_options, ck_notification};

const LIVE: u64 = 0x636b_6469_7220_6f6b; // "ckdir ok"
const DEAD: u64 = 0x636b_6469_7220_2020;

/// A directory: every operation of a portal goes through one.
///
/// Thread safety: a `ck_directory` is shared by any number of threads at
/// once (all operations take it `const`); only `ck_directory_free()` must
/// not run while another thread uses it. A freed handle is kept as a
/// tombstone (a few bytes), so a later use or a second free is detected
/// and gives `CK_INVALID_HANDLE`.
pub struct ck_directory {
    magic: u64,
    dir: Option<Directory>,
}

/// A manual clock for tests and demos: the directory's time is what it is
/// set to. Thread safety: any number of threads may use one at once; only
/// `ck_manual_clock_free()` must not run while another thread uses it.
pub struct ck_manual_clock {
    magic: u64,
    clock: Option<Arc<ManualClock>>,
}

/// The directory behind a handle.
///
/// # Safety
/// `p` is NULL or points to readable memory of at least a handle's size.
pub(crate) unsafe fn directory<'a>(p: *const ck_directory) -> Result<&'a Directory, Fail> {
    if p.is_null() {
        return Err(Fail::null("directory"));
    }
    // SAFETY: non-NULL; a live handle or a tombstone is readable, and the
    // magic tells them (and most foreign pointers) apart.
    let h = unsafe { &*p };
    match (h.magic, &h.dir) {
        (LIVE, Some(d)) => Ok(d),
        _ => Err(Fail::handle("ck_directory")),
    }
}

unsafe fn clock<'a>(p: *const ck_manual_clock) -> Result<&'a Arc<ManualClock>, Fail> {
    if p.is_null() {
        return Err(Fail::null("clock"));
    }
    // SAFETY: as `directory`.
    let h = unsafe { &*p };
    match (h.magic, &h.clock) {
        (LIVE, Some(c)) => Ok(c),
        _ => Err(Fail::handle("ck_manual_clock")),
    }
}

/// A contact acting (a signed-in contact, or one the host vouches for).
#[no_mangle]
pub extern "C" fn ck_actor_contact(contact: u64) -> ck_actor {
    ck_actor {
        kind: 0,
        contact,
        name: std::ptr::null(),
        reason: std::ptr::null(),
    }
}

/// The host portal itself (provisioning, imports, automation).
#[no_mangle]
pub extern "C" fn ck_actor_system() -> ck_actor {
    ck_actor {
        kind: 3,
        contact: 0,
        name: std::ptr::null(),
        reason: std::ptr::null(),
    }
}

/// The support desk: `agent` acts, for `reason` (recorded in the audit
/// log; required for an ownership transfer, A4). The strings are borrowed:
/// they must outlive the calls the actor is passed to.
#[no_mangle]
pub extern "C" fn ck_actor_support_desk(agent: *const c_char, reason: *const c_char) -> ck_actor {
    ck_actor {
        kind: 1,
        contact: 0,
        name: agent,
        reason,
    }
}

/// A partner (reseller) acting on the accounts it resells. `partner` is
/// borrowed, as for `ck_actor_support_desk()`.
#[no_mangle]
pub extern "C" fn ck_actor_partner(partner: *const c_char) -> ck_actor {
    ck_actor {
        kind: 2,
        contact: 0,
        name: partner,
        reason: std::ptr::null(),
    }
}

/// The default options: system clock, no notifier, the default hash cost,
/// session lifetimes, retries and delivery timeout.
#[no_mangle]
pub extern "C" fn ck_directory_options_default() -> ck_directory_options {
    let cost = HashCost::default();
    let s = SessionLifetimes::default();
    ck_directory_options {
        hash_m_kib: cost.m_kib,
        hash_t: cost.t,
        hash_p: cost.p,
        session_idle_seconds: s.idle.whole_seconds(),
        session_absolute_seconds: s.absolute.whole_seconds(),
        max_attempts: core::DEFAULT_MAX_ATTEMPTS,
        delivery_timeout_ms: u64::try_from(core::DEFAULT_DELIVERY_TIMEOUT.as_millis())
            .unwrap_or(10_000),
        notify: None,
        notify_userdata: std::ptr::null_mut(),
        clock: std::ptr::null(),
        throttle_attempts: core::signin::throttle::THROTTLE_ATTEMPTS,
        sealing_keys: std::ptr::null(),
        sealing_keys_len: 0,
    }
}

/// The C notifier: a callback and its userdata.
struct CNotifier {
    f: unsafe extern "C" fn(*mut c_void, *const ck_notification) -> i32,
    userdata: *mut c_void,
}

// SAFETY: the header requires the callback and its userdata to be usable
// from any thread, at once (documented on `ck_notify_fn`).
unsafe impl Send for CNotifier {}
// SAFETY: as above.
unsafe impl Sync for CNotifier {}

impl Notifier for CNotifier {
    fn deliver(&self, n: &core::Notification) -> Delivery {
        let mut arena = Arena::default();
        let view: ck_notification = crate::types::notification(n, &mut arena);
        // SAFETY: the host gave this callback for this use; the view and
        // its arena outlive the call.
        let r = unsafe { (self.f)(self.userdata, &view) };
        match r {
            x if x == ck_delivery::CK_DELIVERED as i32 => Delivery::Delivered,
            x if x == ck_delivery::CK_UNDELIVERABLE as i32 => Delivery::Undeliverable,
            // CK_RETRY_LATER, and any value we do not know: keep it pending.
            _ => Delivery::RetryLater,
        }
    }
}

/// # Safety
/// `opts` is NULL or a valid options struct.
pub(crate) unsafe fn build(
    store: Arc<dyn core::Store>,
    opts: *const ck_directory_options,
) -> Result<Directory, Fail> {
    let o = if opts.is_null() {
        ck_directory_options_default()
    } else {
        // SAFETY: non-NULL, lent by the caller.
        unsafe { *opts }
    };
    let mut b = Directory::builder(store)
        .hash_cost(HashCost {
            m_kib: o.hash_m_kib,
            t: o.hash_t,
            p: o.hash_p,
        })?
        .session_lifetimes(SessionLifetimes {
            idle: time::Duration::seconds(o.session_idle_seconds),
            absolute: time::Duration::seconds(o.session_absolute_seconds),
        })?
        .max_attempts(o.max_attempts)
        .throttle_attempts(o.throttle_attempts)?
        .delivery_timeout(
            (o.delivery_timeout_ms > 0)
                .then(|| std::time::Duration::from_millis(o.delivery_timeout_ms)),
        );
    // SAFETY: the caller lends `sealing_keys_len` keys, each with its bytes.
    let keys = unsafe { crate::conv::slice(o.sealing_keys, o.sealing_keys_len, "sealing_keys") }?;
    let mut sealing = Vec::with_capacity(keys.len());
    for k in keys {
        let bytes = unsafe { crate::conv::slice(k.key, k.key_len, "sealing_keys.key") }?;
        sealing.push(core::SealingKey::new(k.id, bytes)?);
    }
    // Without keys, the store's own (F1: beside a SQLite file).
    let mut sealing = sealing.into_iter();
    if let Some(current) = sealing.next() {
        b = b.sealing_keys(current, sealing.collect())?;
    }
    if let Some(f) = o.notify {
        b = b.notifier(Arc::new(CNotifier {
            f,
            userdata: o.notify_userdata,
        }));
    }
    if !o.clock.is_null() {
        let c: Arc<ManualClock> = unsafe { clock(o.clock) }?.clone();
        b = b.clock(c);
    }
    Ok(b.build())
}

pub(crate) fn publish_directory(dir: Directory) -> *mut ck_directory {
    let p = Box::into_raw(Box::new(ck_directory {
        magic: LIVE,
        dir: Some(dir),
    }));
    register(p as usize, Kind::Live("ck_directory"));
    p
}

/// Opens a directory on a new in-memory store (the embedded default for
/// tests and demos). `opts` may be NULL for the defaults. On success
/// `*out` is the handle, freed with `ck_directory_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_directory_new(
    opts: *const ck_directory_options,
    out: *mut *mut ck_directory,
) -> ck_result {
    guard(|| {
        let out = Out::new(out, "out")?;
        let dir = unsafe { build(Arc::new(core::MemoryStore::new()), opts) }?;
        out.set(publish_directory(dir));
        Ok(())
    })
}

/// Opens a directory on a SQLite database file (the persistent embedded
/// default): created when missing, migrated when older, refused with
/// `CK_STORE` (and the file left untouched) when it cannot be opened, is
/// not a database, or comes from a newer library. Several handles, in
/// several threads and processes, may share one file. `opts` may be NULL
/// for the defaults. On success `*out` is the handle, freed with
/// `ck_directory_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_directory_open(
    path: *const c_char,
    opts: *const ck_directory_options,
    out: *mut *mut ck_directory,
) -> ck_result {
    guard(|| {
        let path = unsafe { req_str(path, "path") }?;
        let out = Out::new(out, "out")?;
        let store = core::SqliteStore::open(path).map_err(core::Error::Store)?;
        // F1: the key file beside it, made or read now, as Directory::open does.
        core::Store::sealing_key(&store).map_err(core::Error::Store)?;
        let dir = unsafe { build(Arc::new(store), opts) }?;
        out.set(publish_directory(dir));
        Ok(())
    })
}

/// Frees a directory. NULL is a no-op. A handle freed already, or a
/// pointer that is not a directory handle, gives `CK_INVALID_HANDLE` and
/// changes nothing. No other thread may be using it. Notifications still
/// pending stay in the store's outbox (in memory: they go with it).
#[no_mangle]
pub unsafe extern "C" fn ck_directory_free(dir: *mut ck_directory) -> ck_result {
    guard(|| {
        if dir.is_null() {
            return Ok(());
        }
        if !retire(
            dir as usize,
            "ck_directory",
            Some(Kind::Dead("ck_directory")),
        ) {
            return Err(Fail::handle("ck_directory"));
        }
        // SAFETY: registered as a live directory handle; only this call
        // turns it into a tombstone (kept, never freed).
        let h = unsafe { &mut *dir };
        h.magic = DEAD;
        drop(h.dir.take());
        Ok(())
    })
}

/// The directory's time now (unix seconds), by its clock.
#[no_mangle]
pub unsafe extern "C" fn ck_directory_now(dir: *const ck_directory, out: *mut i64) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        Out::new(out, "out")?.set(d.now().unix_timestamp());
        Ok(())
    })
}

/// A manual clock set to `start` (unix seconds). Free with
/// `ck_manual_clock_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_manual_clock_new(
    start: i64,
    out: *mut *mut ck_manual_clock,
) -> ck_result {
    guard(|| {
        let out = Out::new(out, "out")?;
        let at =
            OffsetDateTime::from_unix_timestamp(start).map_err(|_| Fail::arg("start", start))?;
        let p = Box::into_raw(Box::new(ck_manual_clock {
            magic: LIVE,
            clock: Some(Arc::new(ManualClock::new(at))),
        }));
        register(p as usize, Kind::Live("ck_manual_clock"));
        out.set(p);
        Ok(())
    })
}

/// Sets a manual clock to `to` (unix seconds).
#[no_mangle]
pub unsafe extern "C" fn ck_manual_clock_set(clock_: *const ck_manual_clock, to: i64) -> ck_result {
    guard(|| {
        let c = unsafe { clock(clock_) }?;
        let at = OffsetDateTime::from_unix_timestamp(to).map_err(|_| Fail::arg("to", to))?;
        c.set(at);
        Ok(())
    })
}

/// Moves a manual clock forward by `seconds` (or back, when negative).
#[no_mangle]
pub unsafe extern "C" fn ck_manual_clock_advance(
    clock_: *const ck_manual_clock,
    seconds: i64,
) -> ck_result {
    guard(|| {
        let c = unsafe { clock(clock_) }?;
        c.advance(time::Duration::seconds(seconds));
        Ok(())
    })
}

/// Frees a manual clock (directories using it keep their own reference).
/// NULL is a no-op; a freed or foreign pointer gives `CK_INVALID_HANDLE`.
#[no_mangle]
pub unsafe extern "C" fn ck_manual_clock_free(clock_: *mut ck_manual_clock) -> ck_result {
    guard(|| {
        if clock_.is_null() {
            return Ok(());
        }
        if !retire(
            clock_ as usize,
            "ck_manual_clock",
            Some(Kind::Dead("ck_manual_clock")),
        ) {
            return Err(Fail::handle("ck_manual_clock"));
        }
        // SAFETY: registered as live; tombstoned now.
        let h = unsafe { &mut *clock_ };
        h.magic = DEAD;
        drop(h.clock.take());
        Ok(())
    })
}

/// An optional id: 0 is none (ids are never 0).
pub(crate) fn opt_id(v: u64) -> Option<u64> {
    (v != 0).then_some(v)
}
