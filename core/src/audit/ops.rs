//! The operations of `audit`: the `impl Directory` methods of its SPEC section,
//! each loading its facts, applying the rules of `mod.rs` and committing
//! through the Directory's runner.

use std::io::Write;

use crate::audit::{
    check_limit, check_range, AuditDraft, AuditEntry, AuditQuery, AuditVerification, ChainHead,
    ChainVerifier, CsvExport, Operation, Outcome,
};
use crate::directory::SCAN_PAGE;
use crate::error::{Error, Field, Problem};
use crate::ids::AccountId;
use crate::op::{Done, Op};
use crate::roles::{Actor, Permission};
use crate::store::Store;
use crate::tx::Tx;
use crate::Directory;

/// How long the directory's own chain keeps its entries, by default (J4).
pub const DIRECTORY_AUDIT_RETENTION: time::Duration = time::Duration::days(90);

/// The most entries one [`Directory::prune_directory_audit`] removes.
pub const PRUNE_BATCH: usize = 10_000;

impl Directory {
    /// A page of the account's audit log, filtered (J2). Every contact of
    /// the account may read it (C5).
    pub fn audit_entries(
        &self,
        actor: &Actor,
        account: AccountId,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEntry>, Error> {
        let op = Op::new(Operation::AuditRead, account).needs(Permission::ReadAudit);
        self.read(actor, op, |tx, _| {
            check_limit(query.limit, AuditQuery::MAX_LIMIT)?;
            check_range(query)?;
            let zone = reader_zone(tx, actor)?;
            let mut entries = tx.store().audit(Some(account), query)?;
            for e in &mut entries {
                e.at_local = crate::notify::contact_time(e.at, &zone);
            }
            Ok(entries)
        })
    }

    /// Writes the account's audit log, filtered by `query` (its paging is
    /// ignored), to `out` as RFC 4180 CSV with formula cells neutralised
    /// (J2). It streams: memory does not grow with the log. Times are in
    /// UTC and in the reader's time zone (I3). The export itself is
    /// audited. Returns the number of entries written.
    pub fn export_audit_csv<W: Write>(
        &self,
        actor: &Actor,
        account: AccountId,
        query: &AuditQuery,
        out: W,
    ) -> Result<u64, Error> {
        let op = Op::new(Operation::AuditExport, account).needs(Permission::ReadAudit);
        let rows = self.read(actor, op.clone(), |tx, _| {
            check_range(query)?;
            let zone = reader_zone(tx, actor)?;
            let tz = time_tz::timezones::get_by_name(&zone).unwrap_or(time_tz::timezones::db::UTC);
            let io = |e: csv::Error| Error::Output(e.to_string());
            let mut csv = CsvExport::new(out, tz).map_err(io)?;
            let mut q = query.clone();
            q.limit = SCAN_PAGE;
            q.after_seq = 0;
            let mut rows = 0u64;
            loop {
                let page = tx.store().audit(Some(account), &q)?;
                for e in &page {
                    csv.write(e).map_err(io)?;
                }
                rows += page.len() as u64;
                match page.last() {
                    Some(last) if page.len() == SCAN_PAGE => q.after_seq = last.seq,
                    _ => break,
                }
            }
            csv.finish().map_err(io)?;
            Ok(rows)
        })?;
        self.run(actor, &op, |_| {
            Ok(Done::new(()).detail(Some(format!("{rows} entries"))))
        })?;
        Ok(rows)
    }

    /// Verifies the account's audit chain (J3): every entry as written, none
    /// removed, none inserted.
    pub fn verify_audit(
        &self,
        actor: &Actor,
        account: AccountId,
    ) -> Result<AuditVerification, Error> {
        let op = Op::new(Operation::AuditRead, account).needs(Permission::ReadAudit);
        self.read(actor, op, |tx, _| {
            let head = tx.account(account)?.audit_head;
            verify_chain(tx.store(), Some(account), head)
        })
    }

    /// Verifies the directory's own chain (entries about no account), for
    /// the host or the support desk.
    pub fn verify_directory_audit(&self, actor: &Actor) -> Result<AuditVerification, Error> {
        match actor {
            Actor::System | Actor::SupportDesk { .. } => {}
            _ => return Err(Error::denied(Permission::ReadAudit)),
        }
        let head = self.store.directory_head()?;
        verify_chain_after(self.store.as_ref(), None, head.base, head.head)
    }

    /// Prunes the directory's own chain (J4) to `retention` (say
    /// [`DIRECTORY_AUDIT_RETENTION`], 90 days): its oldest entries, as far
    /// as the first one that is not older, at most
    /// [`PRUNE_BATCH`] of them per call. The last one removed becomes the
    /// chain's base, and a checkpoint entry (`audit.prune`) that names it
    /// is appended, so [`Self::verify_directory_audit`] still holds over
    /// what is left. Returns how many entries went: a host calls it from
    /// time to time, again while it returns [`PRUNE_BATCH`]. Only the host
    /// (`Actor::System`) prunes; account chains are never pruned.
    pub fn prune_directory_audit(
        &self,
        actor: &Actor,
        retention: time::Duration,
    ) -> Result<u64, Error> {
        if *actor != Actor::System {
            return Err(Error::denied(Permission::ReadAudit));
        }
        if retention.is_negative() {
            return Err(Error::invalid(Field::TimeRange, Problem::OutOfRange));
        }
        self.transact(&actor.audit_label(), |tx| {
            let cutoff = tx.now.saturating_sub(retention);
            let head = tx.directory_head()?;
            let page = tx.store().audit(
                None,
                &AuditQuery {
                    after_seq: head.base.seq,
                    limit: PRUNE_BATCH,
                    ..AuditQuery::default()
                },
            )?;
            let old = page.iter().take_while(|e| e.at < cutoff);
            let (count, last) = old.fold((0u64, None), |(n, _), e| (n + 1, Some(e)));
            let Some(last) = last else {
                return Ok(0);
            };
            let base = ChainHead {
                seq: last.seq,
                hash: last.hash,
            };
            tx.prune_directory_audit(base)?;
            let first = head.base.seq + 1;
            tx.audit_draft(AuditDraft {
                account: None,
                operation: Operation::AuditPrune,
                target: None,
                outcome: Outcome::Success,
                fields: Vec::new(),
                detail: Some(format!(
                    "entries {first} to {} pruned; the chain continues from entry {} with hash {}",
                    base.seq,
                    base.seq,
                    data_encoding::HEXLOWER.encode(&base.hash)
                )),
            });
            Ok(count)
        })
    }

    /// A page of the directory's own chain, for the host or the support desk.
    pub fn directory_audit_entries(
        &self,
        actor: &Actor,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEntry>, Error> {
        match actor {
            Actor::System | Actor::SupportDesk { .. } => {}
            _ => return Err(Error::denied(Permission::ReadAudit)),
        }
        check_limit(query.limit, AuditQuery::MAX_LIMIT)?;
        let mut entries = self.store.audit(None, query)?;
        for e in &mut entries {
            e.at_local = crate::notify::contact_time(e.at, "UTC");
        }
        Ok(entries)
    }
}

/// The zone a reader of the audit log reads its times in (I3): a contact's
/// own; UTC for the host, the support desk and partners.
fn reader_zone(tx: &mut Tx<'_>, actor: &Actor) -> Result<String, Error> {
    Ok(match actor.contact_id() {
        Some(id) => tx.contact(id)?.profile.time_zone.clone(),
        None => "UTC".to_owned(),
    })
}

pub(crate) fn verify_chain(
    store: &dyn Store,
    chain: Option<AccountId>,
    head: ChainHead,
) -> Result<AuditVerification, Error> {
    verify_chain_after(store, chain, ChainHead::default(), head)
}

/// Verifies a chain whose entries up to `base` were pruned (J4).
fn verify_chain_after(
    store: &dyn Store,
    chain: Option<AccountId>,
    base: ChainHead,
    head: ChainHead,
) -> Result<AuditVerification, Error> {
    let mut verifier = ChainVerifier::after(base);
    let mut q = AuditQuery {
        after_seq: base.seq,
        limit: SCAN_PAGE,
        ..AuditQuery::default()
    };
    loop {
        let page = store.audit(chain, &q)?;
        for e in &page {
            if let Err(broken) = verifier.feed(e) {
                return Ok(broken);
            }
        }
        if page.len() < SCAN_PAGE {
            break;
        }
        q.after_seq = verifier.last_seq();
    }
    Ok(verifier.finish(head))
}
