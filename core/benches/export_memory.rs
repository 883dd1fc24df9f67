//! Peak heap memory of an audit CSV export, for logs of 10,000 and
//! 100,000 entries (J2: the export streams, so memory must not grow with
//! the log). Not a timing: it counts bytes with a tracking allocator.
//!
//! Run with `cargo bench --bench export_memory`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use contactkeeper::*;

struct Tracking;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call forwards to the system allocator unchanged; the
// counters only observe sizes.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Tracking = Tracking;

fn peak_during_export(entries: u32) -> (usize, u64) {
    let dir = Directory::builder(Arc::new(MemoryStore::new())).build();
    let created = dir
        .create_account(
            &Actor::System,
            &NewAccount::new(
                "Bench",
                NewContact::new("owner", Profile::new("Owner", "owner@example.com")),
            ),
        )
        .unwrap();
    let actor = Actor::contact(created.owner);
    for i in 1..entries {
        let update = ProfileUpdate {
            job_title: Some(Some(format!("title {}", i % 2))),
            ..Default::default()
        };
        dir.update_contact(&actor, created.account, created.owner, &update)
            .unwrap();
    }
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let rows = dir
        .export_audit_csv(
            &actor,
            created.account,
            &AuditQuery::default(),
            std::io::sink(),
        )
        .unwrap();
    (PEAK.load(Ordering::Relaxed) - base, rows)
}

fn main() {
    // `cargo bench` passes `--bench`; there is nothing to filter.
    for n in [10_000u32, 100_000] {
        let (peak, rows) = peak_during_export(n);
        println!(
            "export of {rows} entries: peak extra heap {} KiB",
            peak / 1024
        );
    }
}
