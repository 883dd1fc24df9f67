//! The opaque handles (directory, manual clock), the notifier adapter and
//! the small helpers every call uses.

use std::ffi::{c_char, c_void};
use std::sync::{Arc, Mutex};

use contactkeeper_core as core;
use core::{Delivery, Directory, HashCost, ManualClock, Notifier, SessionLifetimes};
use time::OffsetDateTime;

use crate::conv::{req_str, Arena, Out};
use crate::error::{ck_result, guard, Fail};
use crate::types::{ck_actor, ck_delivery, ck_directory_options, ck_notification};

/// A directory: every operation of a portal goes through one.
///
/// Thread safety: a `ck_directory` is shared by any number of threads at
/// once (all operations take it `const`); only `ck_directory_free()` must
/// not run while another thread uses it. A handle is a number, not an
/// address: a freed handle's number is never handed out again while its
/// slot's generation lasts (2^24 reuses of one slot), so a later use or a
/// second free gives `CK_INVALID_HANDLE`, and the memory kept for freed
/// handles does not grow with how many were opened (a slot per handle
/// live at once).
pub struct ck_directory {
    _opaque: [u8; 0],
}

/// A manual clock for tests and demos: the directory's time is what it is
/// set to. Thread safety: any number of threads may use one at once; only
/// `ck_manual_clock_free()` must not run while another thread uses it.
/// Handles as for `ck_directory`.
pub struct ck_manual_clock {
    _opaque: [u8; 0],
}

/// Opaque handles as numbers: a type tag (the top byte), a slot (32 bits,
/// from 1) and the slot's generation (24 bits). A freed slot is reused
/// under the next generation, so a stale handle never reaches the value
/// that took its slot, and a foreign pointer is told apart without being
/// read.
struct Slots<T> {
    tag: u64,
    entries: Vec<(u32, Option<Box<T>>)>,
    free: Vec<usize>,
}

// A handle's 64 bits travel as a pointer: the C library is for 64-bit
// targets (as every platform the portals run on).
const _: () = assert!(
    usize::BITS == 64,
    "libcontactkeeper's handles need 64-bit pointers"
);

const GENERATION_BITS: u32 = 24;
const GENERATION_MASK: u64 = (1 << GENERATION_BITS) - 1;

impl<T> Slots<T> {
    const fn new(tag: u64) -> Slots<T> {
        Slots {
            tag,
            entries: Vec::new(),
            free: Vec::new(),
        }
    }

    fn insert(&mut self, value: T) -> Result<u64, Fail> {
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                self.entries.push((0, None));
                self.entries.len() - 1
            }
        };
        let slot = u64::try_from(index + 1)
            .ok()
            .filter(|s| *s < (1 << 32))
            .ok_or_else(|| Fail::Ffi(ck_result::CK_INTERNAL, "too many live handles".into()))?;
        let entry = &mut self.entries[index];
        entry.1 = Some(Box::new(value));
        Ok(self.tag << 56 | slot << GENERATION_BITS | u64::from(entry.0))
    }

    /// The slot a handle names, if it is live.
    fn index(&self, handle: u64) -> Option<usize> {
        if handle >> 56 != self.tag {
            return None;
        }
        let slot = usize::try_from((handle >> GENERATION_BITS) & 0xFFFF_FFFF).ok()?;
        let index = slot.checked_sub(1)?;
        let (generation, value) = self.entries.get(index)?;
        (u64::from(*generation) == handle & GENERATION_MASK && value.is_some()).then_some(index)
    }

    fn get(&self, handle: u64) -> Option<*const T> {
        let index = self.index(handle)?;
        self.entries[index].1.as_deref().map(|v| v as *const T)
    }

    fn remove(&mut self, handle: u64) -> Option<Box<T>> {
        let index = self.index(handle)?;
        let entry = &mut self.entries[index];
        let value = entry.1.take();
        // A generation that would wrap retires its slot instead.
        if u64::from(entry.0) < GENERATION_MASK {
            entry.0 += 1;
            self.free.push(index);
        }
        value
    }
}

static DIRECTORIES: Mutex<Slots<Directory>> = Mutex::new(Slots::new(0xD1));
static CLOCKS: Mutex<Slots<Arc<ManualClock>>> = Mutex::new(Slots::new(0xC1));

fn slots<T>(m: &'static Mutex<Slots<T>>) -> std::sync::MutexGuard<'static, Slots<T>> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The directory behind a handle.
///
/// # Safety
/// No other thread frees the handle while the reference is in use (the
/// handle's documented contract).
pub(crate) unsafe fn directory<'a>(p: *const ck_directory) -> Result<&'a Directory, Fail> {
    if p.is_null() {
        return Err(Fail::null("directory"));
    }
    let d = slots(&DIRECTORIES)
        .get(p.addr() as u64)
        .ok_or_else(|| Fail::handle("ck_directory"))?;
    // SAFETY: boxed, so its address is stable until `ck_directory_free`
    // takes it out, which the caller's contract keeps from running now.
    Ok(unsafe { &*d })
}

unsafe fn clock<'a>(p: *const ck_manual_clock) -> Result<&'a Arc<ManualClock>, Fail> {
    if p.is_null() {
        return Err(Fail::null("clock"));
    }
    let c = slots(&CLOCKS)
        .get(p.addr() as u64)
        .ok_or_else(|| Fail::handle("ck_manual_clock"))?;
    // SAFETY: as `directory`.
    Ok(unsafe { &*c })
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

pub(crate) fn publish_directory(dir: Directory) -> Result<*mut ck_directory, Fail> {
    let handle = slots(&DIRECTORIES).insert(dir)?;
    Ok(std::ptr::without_provenance_mut(handle as usize))
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
        out.set(publish_directory(dir)?);
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
        out.set(publish_directory(dir)?);
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
        let taken = slots(&DIRECTORIES).remove(dir.addr() as u64);
        // Dropped outside the table's lock: closing a store may take time.
        match taken {
            Some(d) => {
                drop(d);
                Ok(())
            }
            None => Err(Fail::handle("ck_directory")),
        }
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
        let handle = slots(&CLOCKS).insert(Arc::new(ManualClock::new(at)))?;
        out.set(std::ptr::without_provenance_mut(handle as usize));
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
        match slots(&CLOCKS).remove(clock_.addr() as u64) {
            Some(_) => Ok(()),
            None => Err(Fail::handle("ck_manual_clock")),
        }
    })
}

/// An optional id: 0 is none (ids are never 0).
pub(crate) fn opt_id(v: u64) -> Option<u64> {
    (v != 0).then_some(v)
}
