//! The audit log (SPEC J) and the outbox (I1).

use std::ffi::c_char;
use std::io::Write;

use contactkeeper_core as core;
use core::{AccountId, AuditQuery, AuditVerification, ChainProblem, Operation, Outcome};
use time::OffsetDateTime;

use crate::conv::{opt_str, publish, publish_string, release, req_str, Arena, Out};
use crate::error::{ck_result, guard, Fail};
use crate::handles::{ck_directory, directory};
use crate::types::{
    actor_from, ck_actor, ck_audit_query, ck_audit_verification, ck_chain_problem,
    ck_delivery_report, ck_notification, notification,
};

/// One audit entry (J1). Read-only, inside a `ck_audit_entry_list`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_audit_entry {
    /// The account whose chain holds it; 0 for the directory's own chain.
    pub account: u64,
    /// Its sequence number in the chain, from 1.
    pub seq: u64,
    /// When (unix seconds, UTC).
    pub at: i64,
    /// When, as its reader reads it (I3): in the reading contact's zone,
    /// with the offset ("2026-03-08 03:30 EDT (UTC-04:00)"); UTC for the
    /// host, the support desk and partners.
    pub at_local: *const c_char,
    /// Who: "contact:42", "support:agent", "partner:p", "system".
    pub actor: *const c_char,
    /// The operation's stable name ("contact.create" …).
    pub operation: *const c_char,
    /// The target ("contact:7" …), or NULL.
    pub target: *const c_char,
    /// "ok" or "refused:<error kind>".
    pub outcome: *const c_char,
    /// `CK_OK`, or the code of the refusal.
    pub outcome_code: ck_result,
    /// The names of the fields changed.
    pub fields: *const *const c_char,
    /// How many.
    pub fields_len: usize,
    /// A detail, or NULL.
    pub detail: *const c_char,
    /// SHA-256 of the entry before it.
    pub prev_hash: [u8; 32],
    /// SHA-256 of this entry and `prev_hash` (J3).
    pub hash: [u8; 32],
}

/// A page of audit entries. Read-only; free with
/// `ck_audit_entry_list_free()`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_audit_entry_list {
    /// The entries, by sequence number.
    pub items: *const ck_audit_entry,
    /// How many.
    pub len: usize,
}

/// A notification waiting in the outbox (I1).
#[repr(C)]
#[derive(Debug)]
pub struct ck_outbox_item {
    /// The notification.
    pub notification: ck_notification,
    /// How many deliveries were tried.
    pub attempts: u32,
    /// Not tried again before this time (unix seconds).
    pub next_attempt_at: i64,
}

/// Pending notifications. Read-only; free with `ck_outbox_list_free()`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_outbox_list {
    /// The items, by due time.
    pub items: *const ck_outbox_item,
    /// How many.
    pub len: usize,
}

fn time_of(secs: i64, what: &str) -> Result<OffsetDateTime, Fail> {
    OffsetDateTime::from_unix_timestamp(secs).map_err(|_| Fail::arg(what, secs))
}

/// # Safety
/// `q` is NULL or a valid query whose strings follow the string rules.
unsafe fn query_from(q: *const ck_audit_query) -> Result<AuditQuery, Fail> {
    if q.is_null() {
        return Ok(AuditQuery::default());
    }
    // SAFETY: lent by the caller.
    let q = unsafe { &*q };
    let operation = match unsafe { opt_str(q.operation, "query.operation") }? {
        None => None,
        Some(name) => {
            Some(Operation::from_name(name).ok_or_else(|| Fail::arg("query.operation", name))?)
        }
    };
    Ok(AuditQuery {
        from: if q.has_from {
            Some(time_of(q.from, "query.from")?)
        } else {
            None
        },
        until: if q.has_until {
            Some(time_of(q.until, "query.until")?)
        } else {
            None
        },
        actor: unsafe { opt_str(q.actor, "query.actor") }?.map(str::to_owned),
        operation,
        after_seq: q.after_seq,
        limit: q.limit,
    })
}

fn entries_view(list: &[core::AuditEntry]) -> *mut ck_audit_entry_list {
    let mut arena = Arena::default();
    let items: Vec<ck_audit_entry> = list
        .iter()
        .map(|e| {
            let (fields, fields_len) = arena.strs(e.fields.iter().map(String::as_str));
            ck_audit_entry {
                account: e.account.map_or(0, |a| a.get()),
                seq: e.seq,
                at: e.at.unix_timestamp(),
                at_local: arena.str(&e.at_local),
                actor: arena.str(&e.actor),
                operation: arena.str(e.operation.name()),
                target: arena.opt_str(e.target.as_deref()),
                outcome: arena.str(&e.outcome.label()),
                outcome_code: match e.outcome {
                    Outcome::Success => ck_result::CK_OK,
                    Outcome::Refused(c) => ck_result::of(c),
                },
                fields,
                fields_len,
                detail: arena.opt_str(e.detail.as_deref()),
                prev_hash: e.prev_hash,
                hash: e.hash,
            }
        })
        .collect();
    let (items, len) = arena.vec(items);
    publish(
        ck_audit_entry_list { items, len },
        arena,
        "ck_audit_entry_list",
    )
}

/// A page of the account's audit log, filtered (J2); `query` NULL for the
/// defaults. Every contact of the account may read it (C5). Free `*out`
/// with `ck_audit_entry_list_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_audit_entries(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    query: *const ck_audit_query,
    out: *mut *mut ck_audit_entry_list,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let q = unsafe { query_from(query) }?;
        let out = Out::new(out, "out")?;
        let list = d.audit_entries(&a, AccountId(account), &q)?;
        out.set(entries_view(&list));
        Ok(())
    })
}

/// A page of the directory's own chain (entries about no account), for
/// the host or the support desk.
#[no_mangle]
pub unsafe extern "C" fn ck_directory_audit_entries(
    dir: *const ck_directory,
    actor: *const ck_actor,
    query: *const ck_audit_query,
    out: *mut *mut ck_audit_entry_list,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let q = unsafe { query_from(query) }?;
        let out = Out::new(out, "out")?;
        let list = d.directory_audit_entries(&a, &q)?;
        out.set(entries_view(&list));
        Ok(())
    })
}

/// Frees an audit entry list. NULL is a no-op; a freed or foreign pointer
/// gives `CK_INVALID_HANDLE`.
#[no_mangle]
pub unsafe extern "C" fn ck_audit_entry_list_free(list: *mut ck_audit_entry_list) -> ck_result {
    guard(|| unsafe { release(list, "ck_audit_entry_list") })
}

/// A writer into the caller's buffer that counts what did not fit.
struct BufWriter {
    buf: *mut u8,
    cap: usize,
    len: usize,
}

impl Write for BufWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let end = self.len.saturating_add(data.len());
        if end <= self.cap {
            // SAFETY: the caller provides `cap` writable bytes at `buf`.
            unsafe {
                std::ptr::copy_nonoverlapping(data.as_ptr(), self.buf.add(self.len), data.len())
            };
        }
        self.len = end;
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Exports the account's audit log, filtered by `query` (NULL: all; its
/// paging is ignored), as RFC 4180 CSV with formula cells neutralised (J2),
/// into the caller's `buf` of `capacity` bytes, followed by a NUL when it
/// fits. `*len` is the CSV's length (NUL excluded), `*rows` (may be NULL)
/// the entries written. When `capacity` is less than the length plus one:
/// `CK_BUFFER_TOO_SMALL`, `*len` is the length needed (plus one for the
/// NUL) and the buffer's content is unspecified. The export is itself
/// audited, so the log grows by one entry per call: retry with room to
/// spare, fix `query->until`, or use `ck_audit_export_csv_alloc()`.
#[no_mangle]
pub unsafe extern "C" fn ck_audit_export_csv(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    query: *const ck_audit_query,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
    rows: *mut u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let q = unsafe { query_from(query) }?;
        let len = Out::new(len, "len")?;
        if buf.is_null() && capacity > 0 {
            return Err(Fail::null("buf"));
        }
        let mut w = BufWriter {
            buf: buf.cast::<u8>(),
            cap: capacity,
            len: 0,
        };
        let n = d.export_audit_csv(&a, AccountId(account), &q, &mut w)?;
        if w.len >= capacity {
            len.set(w.len + 1);
            return Err(Fail::Ffi(
                ck_result::CK_BUFFER_TOO_SMALL,
                format!(
                    "the CSV needs {} bytes with its terminator; the buffer has {capacity}",
                    w.len + 1
                ),
            ));
        }
        // SAFETY: w.len < capacity.
        unsafe { buf.add(w.len).write(0) };
        len.set(w.len);
        if !rows.is_null() {
            Out::new(rows, "rows")?.set(n);
        }
        Ok(())
    })
}

/// As `ck_audit_export_csv()`, into a string the library allocates:
/// `*csv` (NUL-terminated, free with `ck_string_free()`), `*len` its
/// length, `*rows` (may be NULL) the entries written.
#[no_mangle]
pub unsafe extern "C" fn ck_audit_export_csv_alloc(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    query: *const ck_audit_query,
    csv: *mut *mut c_char,
    len: *mut usize,
    rows: *mut u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let q = unsafe { query_from(query) }?;
        let csv = Out::new(csv, "csv")?;
        let len = Out::new(len, "len")?;
        let mut out = Vec::new();
        let n = d.export_audit_csv(&a, AccountId(account), &q, &mut out)?;
        let text = String::from_utf8(out)
            .map_err(|_| Fail::Ffi(ck_result::CK_INTERNAL, "the CSV is not UTF-8".into()))?;
        len.set(text.len());
        csv.set(publish_string(&text));
        if !rows.is_null() {
            Out::new(rows, "rows")?.set(n);
        }
        Ok(())
    })
}

/// As `ck_audit_export_csv()`, into the file at `path` (created, or
/// truncated). A file that cannot be created or written gives
/// `CK_OUTPUT`. `*rows` (may be NULL) is the entries written.
#[no_mangle]
pub unsafe extern "C" fn ck_audit_export_csv_file(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    query: *const ck_audit_query,
    path: *const c_char,
    rows: *mut u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let q = unsafe { query_from(query) }?;
        let path = unsafe { req_str(path, "path") }?;
        let file = std::fs::File::create(path)
            .map_err(|e| Fail::Core(core::Error::Output(format!("cannot create the file: {e}"))))?;
        let mut w = std::io::BufWriter::new(file);
        let n = d.export_audit_csv(&a, AccountId(account), &q, &mut w)?;
        w.flush()
            .map_err(|e| Fail::Core(core::Error::Output(e.to_string())))?;
        if !rows.is_null() {
            Out::new(rows, "rows")?.set(n);
        }
        Ok(())
    })
}

fn verification(v: AuditVerification) -> ck_audit_verification {
    match v {
        AuditVerification::Intact { entries } => ck_audit_verification {
            intact: true,
            entries,
            broken_seq: 0,
            problem: ck_chain_problem::CK_CHAIN_OK,
        },
        AuditVerification::Broken { seq, problem } => ck_audit_verification {
            intact: false,
            entries: 0,
            broken_seq: seq,
            problem: match problem {
                ChainProblem::Edited => ck_chain_problem::CK_CHAIN_EDITED,
                ChainProblem::Missing => ck_chain_problem::CK_CHAIN_MISSING,
                ChainProblem::Relinked => ck_chain_problem::CK_CHAIN_RELINKED,
                ChainProblem::Truncated => ck_chain_problem::CK_CHAIN_TRUNCATED,
            },
        },
    }
}

/// Verifies the account's audit chain (J3): every entry as written, none
/// removed, none inserted. A broken chain is `CK_OK` with
/// `out->intact == false`.
#[no_mangle]
pub unsafe extern "C" fn ck_audit_verify(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    out: *mut ck_audit_verification,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        out.set(verification(d.verify_audit(&a, AccountId(account))?));
        Ok(())
    })
}

/// Verifies the directory's own chain, for the host or the support desk.
#[no_mangle]
pub unsafe extern "C" fn ck_directory_audit_verify(
    dir: *const ck_directory,
    actor: *const ck_actor,
    out: *mut ck_audit_verification,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        out.set(verification(d.verify_directory_audit(&a)?));
        Ok(())
    })
}

/// Prunes the directory's own chain (J4): its entries older than
/// `retention_days` days (90 is the library's advice), at most 10,000 per
/// call, behind a checkpoint entry that names the last one removed, so
/// that `ck_directory_audit_verify()` still holds. `*out` (may be NULL)
/// receives how many went; call again while it is 10,000. Only the host
/// (`CK_ACTOR_SYSTEM`) prunes; account chains are never pruned.
#[no_mangle]
pub unsafe extern "C" fn ck_prune_directory_audit(
    dir: *const ck_directory,
    actor: *const ck_actor,
    retention_days: i64,
    out: *mut u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        // Saturating: a negative count is refused below, a huge one keeps all.
        let retention = time::Duration::seconds(retention_days.saturating_mul(86_400));
        let n = d.prune_directory_audit(&a, retention)?;
        if !out.is_null() {
            Out::new(out, "out")?.set(n);
        }
        Ok(())
    })
}

/// Notifications not yet delivered, by due time, at most `limit` (1 to
/// 1000). Free `*out` with `ck_outbox_list_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_pending_notifications(
    dir: *const ck_directory,
    limit: usize,
    out: *mut *mut ck_outbox_list,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let out = Out::new(out, "out")?;
        let list = d.pending_notifications(limit)?;
        let mut arena = Arena::default();
        let items: Vec<ck_outbox_item> = list
            .iter()
            .map(|i| ck_outbox_item {
                notification: notification(&i.notification, &mut arena),
                attempts: i.attempts,
                next_attempt_at: i.next_attempt_at.unix_timestamp(),
            })
            .collect();
        let (items, len) = arena.vec(items);
        out.set(publish(
            ck_outbox_list { items, len },
            arena,
            "ck_outbox_list",
        ));
        Ok(())
    })
}

/// Frees an outbox list. NULL is a no-op; a freed or foreign pointer gives
/// `CK_INVALID_HANDLE`.
#[no_mangle]
pub unsafe extern "C" fn ck_outbox_list_free(list: *mut ck_outbox_list) -> ck_result {
    guard(|| unsafe { release(list, "ck_outbox_list") })
}

/// Tries again every pending notification that is due, through the
/// notifier callback; `*report` (may be NULL) says what happened. Without a
/// notifier, everything stays pending.
#[no_mangle]
pub unsafe extern "C" fn ck_deliver_pending(
    dir: *const ck_directory,
    report: *mut ck_delivery_report,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let r = d.deliver_pending()?;
        if !report.is_null() {
            Out::new(report, "report")?.set(ck_delivery_report {
                delivered: r.delivered,
                undeliverable: r.undeliverable,
                retry_later: r.retry_later,
            });
        }
        Ok(())
    })
}
