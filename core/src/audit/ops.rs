//! The operations of `audit`: the `impl Directory` methods of its SPEC section,
//! each loading its facts, applying the rules of `mod.rs` and committing
//! through the Directory's runner.

use std::io::Write;

use crate::audit::{
    check_limit, check_range, AuditEntry, AuditQuery, AuditVerification, ChainVerifier, CsvExport,
    Operation,
};
use crate::directory::SCAN_PAGE;
use crate::error::Error;
use crate::ids::AccountId;
use crate::op::{Done, Op};
use crate::roles::{Actor, Permission};
use crate::store::Store;
use crate::Directory;

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
            Ok(tx.store().audit(Some(account), query)?)
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
            let zone = match actor.contact_id() {
                Some(id) => tx.contact(id)?.profile.time_zone.clone(),
                None => "UTC".to_owned(),
            };
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
        let head = self.store.directory_head()?.head;
        verify_chain(self.store.as_ref(), None, head)
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
        Ok(self.store.audit(None, query)?)
    }
}

pub(crate) fn verify_chain(
    store: &dyn Store,
    chain: Option<AccountId>,
    head: crate::audit::ChainHead,
) -> Result<AuditVerification, Error> {
    let mut verifier = ChainVerifier::default();
    let mut q = AuditQuery {
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
