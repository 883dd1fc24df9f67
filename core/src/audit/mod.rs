//! The audit log (SPEC J1–J3, C5).
//!
//! Each account has its own append-only chain of entries, so accounts
//! never wait on each other (J4); entries that belong to no account
//! (attempts on unknown logins, an operation on an account that does not
//! exist) go to the directory's chain, which no account operation waits
//! on. Every entry carries the SHA-256 hash of its content and of the entry
//! before it, and the chain's head (last sequence number and hash) is
//! stored with the account, so [`verify`] detects an edited entry, a
//! removed one, and a removed tail (J3).
//!
//! The directory chain is the one that junk attempts grow: the host prunes
//! it to a retention period ([`prune_directory_audit`]). A prune removes
//! the oldest entries, keeps the last one removed as the chain's base, and
//! appends a checkpoint entry that names it, so verify still holds over
//! what is left (J4).
//!
//! [`verify`]: crate::Directory::verify_audit
//! [`prune_directory_audit`]: crate::Directory::prune_directory_audit

use std::io::Write;

use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::error::{Error, ErrorCode, Field, Problem};
use crate::ids::AccountId;
use crate::names::named_enum;
use crate::text::check_text;

named_enum! {
    /// An audited operation; the stable name is what filters and exports use.
    Operation {
        /// Creating an account with its owner (A1).
        AccountCreate => "account.create",
        /// Changing an account's plan (A7).
        PlanUpdate => "account.plan",
        /// Enabling procurement mode (C3).
        ProcurementEnable => "account.procurement",
        /// Registering or changing a service (A8).
        ServiceRegister => "account.service",
        /// Creating a new contact (B1).
        ContactCreate => "contact.create",
        /// Adding a contact used on another account (B1, B6).
        ContactAddExisting => "contact.add_existing",
        /// Editing a contact's profile (B2).
        ContactUpdate => "contact.update",
        /// Deleting a contact from an account (B5).
        ContactDelete => "contact.delete",
        /// Changing a contact's roles or technical scope (C6).
        RolesUpdate => "contact.roles",
        /// Transferring ownership (A3, A4).
        OwnershipTransfer => "ownership.transfer",
        /// Reading the audit log (C5).
        AuditRead => "audit.read",
        /// Exporting the audit log (C5, J2).
        AuditExport => "audit.export",
        /// Reading contacts or the account.
        Read => "read",
        /// A sign-in attempt (D5).
        SignIn => "auth.sign_in",
        /// A sign-out (D8).
        SignOut => "auth.sign_out",
        /// A second-factor code presented (F1, E8).
        SecondFactor => "auth.second_factor",
        /// An automatic lock after too many failed attempts (E2, E9).
        AutoLock => "auth.auto_lock",
        /// A password changed or set (D2, D7).
        PasswordChange => "credentials.password",
        /// A password-reset secret requested (D6).
        PasswordResetRequest => "credentials.reset_request",
        /// A password reset with a secret (D6, E4).
        PasswordReset => "credentials.reset",
        /// A second factor enrolled (F1).
        TwoFactorEnroll => "credentials.two_factor",
        /// A second factor reset (F2).
        TwoFactorReset => "credentials.two_factor_reset",
        /// Security questions set (F4).
        SecurityAnswers => "credentials.security_answers",
        /// The support desk checked a security answer (F4).
        SecurityAnswerCheck => "support.security_answer_check",
        /// A contact locked by hand (E6).
        ContactLock => "contact.lock",
        /// A contact unlocked by hand (E5).
        ContactUnlock => "contact.unlock",
        /// An account's security policy changed (D2, E1, F3, G1).
        SecurityPolicy => "account.security",
        /// A resource added (H1).
        ResourceAdd => "resource.add",
        /// A resource removed.
        ResourceRemove => "resource.remove",
        /// A resource's technical contacts changed (H1–H3).
        TechnicalContacts => "resource.contacts",
        /// Every duty of a contact moved to another (H3).
        DutiesReassign => "duties.reassign",
        /// A contact given one duty, with the information it lacked (H4).
        Designate => "duties.designate",
        /// The billing contacts changed (H7).
        BillingContacts => "account.billing_contacts",
        /// A resource milestone reported (H6).
        Milestone => "resource.milestone",
        /// A maintenance or global-issue notice sent (I4).
        Notice => "account.notice",
        /// A billing notice sent (H7).
        BillingNotice => "account.billing_notice",
        /// Notification preferences changed (I2).
        NotificationPrefs => "contact.notifications",
        /// A "check login" (B1): whether a login exists.
        LoginCheck => "contact.check_login",
        /// An invitation accepted: the login joins the account (B7).
        InvitationAccept => "contact.invitation_accept",
        /// An invitation declined, or withdrawn by the account (B7).
        InvitationDecline => "contact.invitation_decline",
        /// A manager set another contact's 2FA method and phone (F1, C7).
        TwoFactorAssign => "credentials.two_factor_assign",
        /// A notification redirected to the secondary contact (H6).
        NotificationRedirect => "notification.redirect",
        /// The directory chain pruned behind a checkpoint (J4).
        AuditPrune => "audit.prune",
        /// A chargeable action the host declared, authorized (C3).
        ChargeAuthorize => "account.charge_authorize",
    }
}

/// How an operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Outcome {
    /// It took effect.
    Success,
    /// It was refused with an error of this kind; nothing else changed.
    Refused(#[serde(serialize_with = "ser_code")] ErrorCode),
}

fn ser_code<S: serde::Serializer>(c: &ErrorCode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.name())
}

impl Outcome {
    /// `ok`, or `refused:<error kind>`.
    pub fn label(self) -> String {
        match self {
            Outcome::Success => "ok".to_owned(),
            Outcome::Refused(c) => format!("refused:{}", c.name()),
        }
    }

    /// The outcome with this label.
    pub fn from_label(s: &str) -> Option<Outcome> {
        if s == "ok" {
            return Some(Outcome::Success);
        }
        let name = s.strip_prefix("refused:")?;
        crate::error::ALL_CODES
            .iter()
            .copied()
            .find(|c| c.name() == name)
            .map(Outcome::Refused)
    }
}

/// A 32-byte SHA-256 hash.
pub type Hash = [u8; 32];

/// One entry of the audit log (J1). It never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// The account whose chain holds it; `None` for the directory's chain.
    pub account: Option<AccountId>,
    /// Its position in the chain, from 1.
    pub seq: u64,
    /// When it happened (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// When it happened as its reader reads it (I3): in the zone of the
    /// contact that read the log, daylight saving included, with the
    /// offset (`2026-03-08 03:30 EDT (UTC-04:00)`); in UTC for the host, the
    /// support desk and partners. The Directory writes it as it hands the
    /// entry out; a [`Store`](crate::Store) leaves it empty. Not part of the
    /// entry's hash.
    #[serde(skip)]
    pub at_local: String,
    /// Who acted (see [`Actor::audit_label`](crate::Actor::audit_label)).
    pub actor: String,
    /// What was done.
    pub operation: Operation,
    /// What it was done to (`contact:<id>`, `account:<id>`), if anything.
    pub target: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// The names of the fields that changed; never their values.
    pub fields: Vec<String>,
    /// A support-desk reason, or why the operation was refused.
    pub detail: Option<String>,
    /// The hash of the entry before it (zeros for the first).
    #[serde(skip)]
    pub prev_hash: Hash,
    /// The hash of this entry's content and `prev_hash`.
    #[serde(skip)]
    pub hash: Hash,
}

impl AuditEntry {
    /// Computes the hash this entry should carry.
    pub fn compute_hash(&self) -> Hash {
        let mut h = Sha256::new();
        h.update(b"contactkeeper-audit-v1");
        h.update(self.prev_hash);
        h.update(self.seq.to_be_bytes());
        h.update(self.account.map_or(0, AccountId::get).to_be_bytes());
        h.update(self.at.unix_timestamp_nanos().to_be_bytes());
        let mut field = |s: &str| {
            h.update((s.len() as u64).to_be_bytes());
            h.update(s.as_bytes());
        };
        field(&self.actor);
        field(self.operation.name());
        field(self.target.as_deref().unwrap_or(""));
        field(&self.outcome.label());
        field(self.detail.as_deref().unwrap_or(""));
        h.update((self.fields.len() as u64).to_be_bytes());
        for f in &self.fields {
            h.update((f.len() as u64).to_be_bytes());
            h.update(f.as_bytes());
        }
        h.finalize().into()
    }
}

/// The last entry of a chain: what the next entry links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ChainHead {
    /// The last entry's sequence number (0 for an empty chain).
    pub seq: u64,
    /// The last entry's hash (zeros for an empty chain).
    #[serde(skip)]
    pub hash: Hash,
}

/// An entry not yet placed in its chain.
#[derive(Debug, Clone)]
pub(crate) struct AuditDraft {
    pub account: Option<AccountId>,
    pub operation: Operation,
    pub target: Option<String>,
    pub outcome: Outcome,
    pub fields: Vec<String>,
    pub detail: Option<String>,
}

impl AuditDraft {
    /// Places the draft after `head`, advancing it.
    pub(crate) fn seal(self, actor: &str, at: OffsetDateTime, head: &mut ChainHead) -> AuditEntry {
        let mut e = AuditEntry {
            account: self.account,
            seq: head.seq + 1,
            at,
            at_local: String::new(),
            actor: actor.to_owned(),
            operation: self.operation,
            target: self.target,
            outcome: self.outcome,
            fields: self.fields,
            detail: self.detail,
            prev_hash: head.hash,
            hash: [0; 32],
        };
        e.hash = e.compute_hash();
        *head = ChainHead {
            seq: e.seq,
            hash: e.hash,
        };
        e
    }
}

/// Which entries an audit query returns (J2): filters, then a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    /// Entries at or after this time.
    pub from: Option<OffsetDateTime>,
    /// Entries before this time.
    pub until: Option<OffsetDateTime>,
    /// Entries by this actor (its audit label).
    pub actor: Option<String>,
    /// Entries of this operation.
    pub operation: Option<Operation>,
    /// Entries after this sequence number: pass the last `seq` of a page to
    /// get the next one.
    pub after_seq: u64,
    /// The most entries to return (1 to [`AuditQuery::MAX_LIMIT`]).
    pub limit: usize,
}

impl Default for AuditQuery {
    fn default() -> AuditQuery {
        AuditQuery {
            from: None,
            until: None,
            actor: None,
            operation: None,
            after_seq: 0,
            limit: 100,
        }
    }
}

impl AuditQuery {
    /// The largest page.
    pub const MAX_LIMIT: usize = 10_000;

    /// Whether `e` passes the filters (not the paging).
    pub fn matches(&self, e: &AuditEntry) -> bool {
        self.from.is_none_or(|t| e.at >= t)
            && self.until.is_none_or(|t| e.at < t)
            && self.actor.as_deref().is_none_or(|a| e.actor == a)
            && self.operation.is_none_or(|o| e.operation == o)
    }
}

/// What [`verify_audit`](crate::Directory::verify_audit) found (J3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AuditVerification {
    /// Every entry is as written, and none is missing.
    Intact {
        /// How many entries the chain holds.
        entries: u64,
    },
    /// The chain was altered at or after entry `seq`.
    Broken {
        /// The first entry found altered or missing.
        seq: u64,
        /// What was found.
        problem: ChainProblem,
    },
}

/// How a chain was found altered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ChainProblem {
    /// An entry's content does not match its hash: it was edited.
    Edited,
    /// An entry is missing (a gap in the sequence), or one was inserted.
    Missing,
    /// An entry does not link to the one before it.
    Relinked,
    /// Entries at the end were removed, or the head does not match.
    Truncated,
}

/// Checks a chain entry by entry, in order.
#[derive(Debug, Default)]
pub(crate) struct ChainVerifier {
    head: ChainHead,
    /// Entries up to this one were pruned (J4).
    base_seq: u64,
}

impl ChainVerifier {
    /// A verifier of a chain whose entries up to `base` were pruned (J4).
    pub(crate) fn after(base: ChainHead) -> ChainVerifier {
        ChainVerifier {
            head: base,
            base_seq: base.seq,
        }
    }

    pub(crate) fn last_seq(&self) -> u64 {
        self.head.seq
    }

    pub(crate) fn feed(&mut self, e: &AuditEntry) -> Result<(), AuditVerification> {
        let broken = |problem| AuditVerification::Broken {
            seq: self.head.seq + 1,
            problem,
        };
        if e.seq != self.head.seq + 1 {
            return Err(broken(ChainProblem::Missing));
        }
        if e.prev_hash != self.head.hash {
            return Err(broken(ChainProblem::Relinked));
        }
        if e.compute_hash() != e.hash {
            return Err(broken(ChainProblem::Edited));
        }
        self.head = ChainHead {
            seq: e.seq,
            hash: e.hash,
        };
        Ok(())
    }

    pub(crate) fn finish(self, stored_head: ChainHead) -> AuditVerification {
        if self.head != stored_head {
            return AuditVerification::Broken {
                seq: self.head.seq + 1,
                problem: ChainProblem::Truncated,
            };
        }
        AuditVerification::Intact {
            entries: self.head.seq - self.base_seq,
        }
    }
}

/// The CSV columns of an export (J2).
pub const CSV_HEADER: [&str; 10] = [
    "seq",
    "time_utc",
    "time_local",
    "account",
    "actor",
    "operation",
    "target",
    "outcome",
    "fields",
    "detail",
];

/// Writes entries as RFC 4180 CSV, one page at a time, with cells a
/// spreadsheet would run as a formula neutralised.
pub(crate) struct CsvExport<W: Write> {
    out: csv::Writer<W>,
    tz: &'static time_tz::Tz,
}

impl<W: Write> CsvExport<W> {
    pub(crate) fn new(w: W, tz: &'static time_tz::Tz) -> Result<CsvExport<W>, csv::Error> {
        let mut out = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(w);
        out.write_record(CSV_HEADER)?;
        Ok(CsvExport { out, tz })
    }

    pub(crate) fn write(&mut self, e: &AuditEntry) -> Result<(), csv::Error> {
        use time::format_description::well_known::Rfc3339;
        use time_tz::OffsetDateTimeExt;
        let utc = e.at.format(&Rfc3339).unwrap_or_default();
        let local =
            e.at.to_timezone(self.tz)
                .format(&Rfc3339)
                .unwrap_or_default();
        let cells: [String; 10] = [
            e.seq.to_string(),
            utc,
            local,
            e.account.map(|a| a.to_string()).unwrap_or_default(),
            e.actor.clone(),
            e.operation.name().to_owned(),
            e.target.clone().unwrap_or_default(),
            e.outcome.label(),
            e.fields.join(" "),
            e.detail.clone().unwrap_or_default(),
        ];
        for c in &cells {
            self.out.write_field(neutralise_formula(c).as_bytes())?;
        }
        self.out.write_record(None::<&[u8]>)
    }

    pub(crate) fn finish(mut self) -> Result<(), csv::Error> {
        self.out.flush()?;
        Ok(())
    }
}

/// A cell that a spreadsheet would run as a formula (it starts with `=`,
/// `+`, `-`, `@`, a tab or a carriage return) gets a leading apostrophe
/// (J2, after OWASP's advice on CSV injection).
pub fn neutralise_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

pub(crate) fn check_limit(limit: usize, max: usize) -> Result<(), Error> {
    if limit == 0 || limit > max {
        return Err(Error::invalid(Field::Limit, Problem::OutOfRange));
    }
    Ok(())
}

pub(crate) fn check_range(q: &AuditQuery) -> Result<(), Error> {
    if let (Some(from), Some(until)) = (q.from, q.until) {
        if from > until {
            return Err(Error::invalid(Field::TimeRange, Problem::OutOfRange));
        }
    }
    if let Some(actor) = &q.actor {
        check_text(Field::ActorFilter, actor, 300, false)?;
    }
    Ok(())
}

pub(crate) mod ops;
pub use ops::{DIRECTORY_AUDIT_RETENTION, PRUNE_BATCH};
