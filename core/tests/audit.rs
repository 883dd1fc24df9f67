//! SPEC section J: the audit log (J1–J3): every change and refusal is
//! recorded, filtered, paged, exported as RFC 4180 CSV without formula
//! injection, streamed, and chained so that edits and deletions are found.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
use common::*;
use contactkeeper::audit::{
    neutralise_formula, CSV_HEADER, DIRECTORY_AUDIT_RETENTION, PRUNE_BATCH,
};
use contactkeeper::*;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use time::format_description::well_known::Rfc3339;
use time::Duration;

fn all(f: &Fixture, acct: AccountId) -> Vec<AuditEntry> {
    f.dir
        .audit_entries(
            &Actor::System,
            acct,
            &AuditQuery {
                limit: AuditQuery::MAX_LIMIT,
                ..Default::default()
            },
        )
        .unwrap()
}

fn ops(entries: &[AuditEntry]) -> Vec<(Operation, Outcome)> {
    entries.iter().map(|e| (e.operation, e.outcome)).collect()
}

// rule J1
#[test]
fn every_change_is_appended_with_who_what_and_which_fields() {
    for_each_store(|f| {
        let desk = Actor::support_desk("jo", "partner request 12");
        let created = f
            .dir
            .create_account(
                &Actor::partner("resel"),
                &NewAccount::new("Acme", new_contact("alice")),
            )
            .unwrap();
        let (acct, alice) = (created.account, created.owner);
        let (other, _) = f.account("olga");
        f.contact(other, "shared", RoleSet::EMPTY);
        f.clock.advance(Duration::minutes(1));
        let plan = Plan {
            included_contacts: 9,
            ..Plan::default()
        };
        f.dir.set_plan(&c(alice), acct, &plan).unwrap();
        f.dir.set_procurement(&desk, acct, true).unwrap();
        f.dir
            .register_service(
                &Actor::System,
                acct,
                &Service {
                    key: "backup".into(),
                    name: "Backup".into(),
                    enabled: true,
                    option: "services".into(),
                },
            )
            .unwrap();
        let bob = f
            .dir
            .create_contact(&c(alice), acct, &new_contact("bob"))
            .unwrap()
            .contact;
        let shared = f
            .dir
            .add_existing_contact(&c(alice), acct, "shared", RoleSet::EMPTY, &TechScope::All)
            .map(|added| f.accepted(acct, added))
            .unwrap()
            .contact;
        f.dir
            .update_contact(
                &c(bob),
                acct,
                bob,
                &ProfileUpdate {
                    email: Some("bob.secret.address@example.net".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        f.dir
            .set_roles(
                &c(alice),
                acct,
                bob,
                RoleSet::of(&[Role::ContactManager]),
                &TechScope::All,
            )
            .unwrap();
        f.dir.delete_contact(&c(bob), acct, shared).unwrap();
        f.dir.transfer_ownership(&c(alice), acct, bob).unwrap();
        f.dir.transfer_ownership(&desk, acct, alice).unwrap();
        f.dir
            .export_audit_csv(&c(bob), acct, &AuditQuery::default(), Vec::new())
            .unwrap();
        let log = all(&f, acct);
        let ok = Outcome::Success;
        assert_eq!(
            ops(&log),
            vec![
                (Operation::AccountCreate, ok),
                (Operation::PlanUpdate, ok),
                (Operation::ProcurementEnable, ok),
                (Operation::ServiceRegister, ok),
                (Operation::ContactCreate, ok),
                (Operation::ContactAddExisting, ok),
                (Operation::InvitationAccept, ok),
                (Operation::ContactUpdate, ok),
                (Operation::RolesUpdate, ok),
                (Operation::ContactDelete, ok),
                (Operation::OwnershipTransfer, ok),
                (Operation::OwnershipTransfer, ok),
                (Operation::AuditExport, ok),
            ]
        );
        let actors: Vec<&str> = log.iter().map(|e| e.actor.as_str()).collect();
        let (a, b) = (alice.to_string(), bob.to_string());
        let (a, b) = (a.as_str(), b.as_str());
        // The invited contact accepts, as itself (B7).
        let shared_label = Actor::Contact(shared).audit_label();
        let shared_label = shared_label.as_str();
        assert_eq!(
            actors,
            vec![
                "partner:resel",
                a,
                "support:jo",
                "system",
                a,
                a,
                shared_label,
                b,
                a,
                b,
                a,
                "support:jo",
                b
            ]
        );
        // Sequence numbers from 1, times in UTC from the clock.
        for (i, e) in log.iter().enumerate() {
            assert_eq!(e.seq, i as u64 + 1);
            assert_eq!(e.account, Some(acct));
            assert!(e.at.offset().is_utc());
        }
        assert_eq!(log[0].at, time::macros::datetime!(2026-03-01 12:00 UTC));
        assert_eq!(log[1].at, time::macros::datetime!(2026-03-01 12:01 UTC));
        // Targets and the names of changed fields, never their values.
        assert_eq!(log[4].target, Some(bob.to_string()));
        assert_eq!(log[6].target, Some(shared.to_string()));
        assert_eq!(log[7].target, Some(bob.to_string()));
        assert_eq!(log[7].fields, vec!["email".to_owned()]);
        assert_eq!(log[8].fields, vec!["roles".to_owned()]);
        assert_eq!(log[9].target, Some(shared.to_string()));
        assert_eq!(log[10].target, Some(bob.to_string()));
        for e in &log {
            let text = format!("{:?} {:?} {:?}", e.target, e.fields, e.detail);
            assert!(!text.contains("bob.secret.address"), "{text}");
        }
        // A support-desk action records its reason.
        assert_eq!(log[2].detail.as_deref(), Some("enabled"));
        assert_eq!(log[11].detail.as_deref(), Some("partner request 12"));
        assert!(matches!(
            f.dir.verify_audit(&c(alice), acct).unwrap(),
            AuditVerification::Intact { entries: 13 }
        ));
    });
}

// rule J1
#[test]
fn every_refusal_is_appended_reads_included() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let (other, olga) = f.account("olga");
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        let q = AuditQuery::default();
        let before = f.audit_len(acct);
        // Changes refused for each kind of reason.
        f.dir.delete_contact(&c(alice), acct, alice).unwrap_err();
        f.dir.delete_contact(&c(bob), acct, alice).unwrap_err();
        f.dir
            .update_contact(&c(alice), acct, bob, &rename(""))
            .unwrap_err();
        f.dir
            .create_contact(&c(alice), acct, &new_contact("bob"))
            .unwrap_err();
        f.dir.delete_contact(&c(alice), acct, olga).unwrap_err();
        // Reads refused.
        f.dir.audit_entries(&c(olga), acct, &q).unwrap_err();
        f.dir.list_contacts(&c(olga), acct, None, 10).unwrap_err();
        f.dir.list_contacts(&c(alice), acct, None, 0).unwrap_err();
        f.dir
            .export_audit_csv(&c(olga), acct, &q, Vec::new())
            .unwrap_err();
        f.dir.check_login(&c(alice), acct, "bad login").unwrap_err();
        let log = all(&f, acct);
        let refusals: Vec<_> = log[before as usize..]
            .iter()
            .map(|e| (e.operation, e.outcome, e.actor.clone()))
            .collect();
        use ErrorCode::*;
        let r = Outcome::Refused;
        let (a, b, o) = (alice.to_string(), bob.to_string(), olga.to_string());
        assert_eq!(
            refusals,
            vec![
                (Operation::ContactDelete, r(RuleViolation), a.clone()),
                (Operation::ContactDelete, r(PermissionDenied), b),
                (Operation::ContactUpdate, r(InvalidInput), a.clone()),
                (Operation::ContactCreate, r(AlreadyExists), a.clone()),
                (Operation::ContactDelete, r(NotFound), a.clone()),
                (Operation::AuditRead, r(PermissionDenied), o.clone()),
                (Operation::Read, r(PermissionDenied), o.clone()),
                (Operation::Read, r(InvalidInput), a.clone()),
                (Operation::AuditExport, r(PermissionDenied), o),
                (Operation::LoginCheck, r(InvalidInput), a),
            ]
        );
        // The refusal says why, and names the target it was aimed at.
        let first = &log[before as usize];
        assert_eq!(first.target, Some(alice.to_string()));
        assert!(first.detail.as_deref().unwrap().contains("A5"));
        // Nothing was written to the other account's chain.
        assert_eq!(all(&f, other).len(), 1);
        // An operation on an account that does not exist is recorded in
        // the directory's own chain.
        let dq = AuditQuery {
            limit: AuditQuery::MAX_LIMIT,
            ..Default::default()
        };
        let n = f
            .dir
            .directory_audit_entries(&Actor::System, &dq)
            .unwrap()
            .len();
        f.dir
            .create_contact(&c(alice), AccountId(99), &new_contact("zed"))
            .unwrap_err();
        let dir_log = f.dir.directory_audit_entries(&Actor::System, &dq).unwrap();
        assert_eq!(dir_log.len(), n + 1);
        let last = dir_log.last().unwrap();
        assert_eq!(last.account, None);
        assert_eq!(last.outcome, Outcome::Refused(NotFound));
        assert!(matches!(
            f.dir.verify_directory_audit(&Actor::System).unwrap(),
            AuditVerification::Intact { .. }
        ));
        // Only the provider's side reads the directory's chain.
        let err = f.dir.directory_audit_entries(&c(alice), &dq).unwrap_err();
        assert_eq!(
            err,
            Error::PermissionDenied {
                permission: Permission::ReadAudit
            }
        );
        f.dir.verify_directory_audit(&c(alice)).unwrap_err();
    });
}

/// An account with entries at 12:00 (creation), 13:00, 14:00 and 15:00
/// by alice, bob, alice.
fn timeline(f: &Fixture) -> (AccountId, ContactId, ContactId) {
    let (acct, alice) = f.account("alice");
    let bob = f.contact(acct, "bob", RoleSet::of(&[Role::ContactManager]));
    f.clock.advance(Duration::hours(1));
    f.dir
        .update_contact(&c(alice), acct, alice, &rename("A1"))
        .unwrap();
    f.clock.advance(Duration::hours(1));
    f.dir
        .update_contact(&c(bob), acct, bob, &rename("B1"))
        .unwrap();
    f.clock.advance(Duration::hours(1));
    f.dir
        .update_contact(&c(alice), acct, alice, &rename("A2"))
        .unwrap();
    (acct, alice, bob)
}

fn seqs(entries: &[AuditEntry]) -> Vec<u64> {
    entries.iter().map(|e| e.seq).collect()
}

// rule J2
#[test]
fn the_log_is_filtered_by_time_actor_and_operation() {
    for_each_store(|f| {
        let (acct, alice, bob) = timeline(&f);
        let t = |h| time::macros::datetime!(2026-03-01 00:00 UTC) + Duration::hours(h);
        let q = |from, until, actor: Option<String>, operation| AuditQuery {
            from,
            until,
            actor,
            operation,
            ..Default::default()
        };
        let get = |query: AuditQuery| seqs(&f.dir.audit_entries(&c(bob), acct, &query).unwrap());
        // 1 create account, 2 create bob, 3 alice at 13h, 4 bob at 14h, 5 alice at 15h.
        assert_eq!(get(q(None, None, None, None)), vec![1, 2, 3, 4, 5]);
        // From is inclusive, until exclusive.
        assert_eq!(get(q(Some(t(13)), None, None, None)), vec![3, 4, 5]);
        assert_eq!(get(q(None, Some(t(14)), None, None)), vec![1, 2, 3]);
        assert_eq!(get(q(Some(t(13)), Some(t(15)), None, None)), vec![3, 4]);
        assert_eq!(get(q(Some(t(16)), None, None, None)), Vec::<u64>::new());
        assert_eq!(
            get(q(None, None, Some(alice.to_string()), None)),
            vec![3, 5]
        );
        assert_eq!(get(q(None, None, Some("system".into()), None)), vec![1, 2]);
        assert_eq!(
            get(q(None, None, Some(c(bob).audit_label()), None)),
            vec![4]
        );
        assert_eq!(
            get(q(None, None, None, Some(Operation::ContactUpdate))),
            vec![3, 4, 5]
        );
        assert_eq!(
            get(q(None, None, None, Some(Operation::ContactCreate))),
            vec![2]
        );
        assert_eq!(
            get(q(
                Some(t(14)),
                None,
                Some(alice.to_string()),
                Some(Operation::ContactUpdate)
            )),
            vec![5]
        );
        // A range that ends before it starts is refused.
        let err = f.refused(acct, &[], ErrorCode::InvalidInput, "K2", || {
            f.dir
                .audit_entries(&c(bob), acct, &q(Some(t(15)), Some(t(13)), None, None))
        });
        assert_eq!(
            err,
            Error::InvalidInput {
                field: Field::TimeRange,
                problem: Problem::OutOfRange
            }
        );
    });
}

// rule J2
#[test]
fn the_log_is_paged() {
    for_each_store(|f| {
        let (acct, alice, _) = timeline(&f);
        for i in 0..20 {
            f.dir
                .update_contact(&c(alice), acct, alice, &rename(&format!("N{i}")))
                .unwrap();
        }
        let mut got = Vec::new();
        let mut q = AuditQuery {
            limit: 7,
            ..Default::default()
        };
        let mut pages = 0;
        loop {
            let page = f.dir.audit_entries(&c(alice), acct, &q).unwrap();
            assert!(page.len() <= 7);
            pages += 1;
            match page.last() {
                Some(last) => q.after_seq = last.seq,
                None => break,
            }
            got.extend(seqs(&page));
        }
        assert_eq!(got, (1..=25).collect::<Vec<u64>>());
        assert_eq!(pages, 5);
        // Paging with a filter pages over the matching entries.
        let q = AuditQuery {
            actor: Some(alice.to_string()),
            after_seq: 10,
            limit: 3,
            ..Default::default()
        };
        assert_eq!(
            seqs(&f.dir.audit_entries(&c(alice), acct, &q).unwrap()),
            vec![11, 12, 13]
        );
        for limit in [0, AuditQuery::MAX_LIMIT + 1] {
            let err = f.refused(acct, &[], ErrorCode::InvalidInput, "K2", || {
                f.dir.audit_entries(
                    &c(alice),
                    acct,
                    &AuditQuery {
                        limit,
                        ..Default::default()
                    },
                )
            });
            assert_eq!(
                err,
                Error::InvalidInput {
                    field: Field::Limit,
                    problem: Problem::OutOfRange
                }
            );
        }
    });
}

fn parse_csv(bytes: &[u8]) -> Vec<csv::StringRecord> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .collect::<Result<_, _>>()
        .unwrap()
}

// rule J2
#[test]
fn the_export_is_rfc_4180_csv_that_parses_back() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        // A reason with a comma, quotes and a semicolon travels as one cell.
        let reason = "Owner \"Al\" left, per ticket; see notes";
        f.dir
            .transfer_ownership(&Actor::support_desk("jo", reason), acct, bob)
            .unwrap();
        f.dir.delete_contact(&c(bob), acct, bob).unwrap_err();
        let mut out = Vec::new();
        let rows = f
            .dir
            .export_audit_csv(&c(alice), acct, &AuditQuery::default(), &mut out)
            .unwrap();
        assert_eq!(rows, 4);
        let text = String::from_utf8(out.clone()).unwrap();
        // Records end with CRLF, and the quoted cell doubles its quotes.
        assert!(text.ends_with("\r\n"));
        assert_eq!(text.matches("\r\n").count(), 5);
        assert!(!text.replace("\r\n", "").contains('\n'));
        assert!(text.contains("\"Owner \"\"Al\"\" left, per ticket; see notes\""));
        let records = parse_csv(&out);
        assert_eq!(records.len(), 5);
        assert_eq!(records[0].iter().collect::<Vec<_>>(), CSV_HEADER.to_vec());
        let log = all(&f, acct);
        for (rec, e) in records[1..].iter().zip(&log) {
            assert_eq!(rec.len(), CSV_HEADER.len());
            assert_eq!(rec[0], e.seq.to_string());
            assert_eq!(
                time::OffsetDateTime::parse(&rec[1], &Rfc3339).unwrap(),
                e.at
            );
            assert_eq!(rec[3], acct.to_string());
            assert_eq!(rec[4], e.actor);
            assert_eq!(rec[5], *e.operation.name());
            assert_eq!(rec[6], e.target.clone().unwrap_or_default());
            assert_eq!(Outcome::from_label(&rec[7]), Some(e.outcome));
            assert_eq!(rec[8], e.fields.join(" "));
            assert_eq!(rec[9], e.detail.clone().unwrap_or_default());
        }
        assert_eq!(&records[3][9], reason);
        // Bob owns the account now: deleting himself is refused by A5.
        assert_eq!(&records[4][7], "refused:rule_violation");
        // The export filters like a query, ignoring its paging.
        let mut out = Vec::new();
        let q = AuditQuery {
            operation: Some(Operation::OwnershipTransfer),
            limit: 1,
            after_seq: 99,
            ..Default::default()
        };
        assert_eq!(
            f.dir
                .export_audit_csv(&c(alice), acct, &q, &mut out)
                .unwrap(),
            1
        );
        assert_eq!(parse_csv(&out).len(), 2);
        // The export itself is audited.
        let last = f.last_audit(acct);
        assert_eq!(last.operation, Operation::AuditExport);
        assert_eq!(last.actor, alice.to_string());
        assert_eq!(last.detail.as_deref(), Some("1 entries"));
    });
}

// rule J2
#[test]
fn export_times_are_also_shown_in_the_readers_time_zone() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        f.dir
            .update_contact(
                &c(alice),
                acct,
                alice,
                &ProfileUpdate {
                    time_zone: Some("America/New_York".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        let mut out = Vec::new();
        f.dir
            .export_audit_csv(&c(alice), acct, &AuditQuery::default(), &mut out)
            .unwrap();
        let records = parse_csv(&out);
        // 12:00 UTC on 1 March 2026 is 07:00 in New York (EST, UTC-5).
        assert_eq!(&records[1][1], "2026-03-01T12:00:00Z");
        assert_eq!(&records[1][2], "2026-03-01T07:00:00-05:00");
    });
}

// rule J2
#[test]
fn cells_a_spreadsheet_would_run_as_formulas_are_neutralised() {
    for cell in [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "=HYPERLINK(\"x\")",
    ] {
        assert_eq!(neutralise_formula(cell), format!("'{cell}"), "{cell:?}");
    }
    for cell in ["", "plain", "1-1", "a=b", " =1", "'=1", "contact:1", "ok"] {
        assert_eq!(neutralise_formula(cell), cell, "{cell:?}");
    }
    for_each_store(|f| {
        let (acct, _alice) = f.account("alice");
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        let carol = f.contact(acct, "carol", RoleSet::EMPTY);
        // Reasons and agents are free text that reach the log.
        let evil = [
            "=HYPERLINK(\"http://evil.example\",\"click\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(1,2)",
        ];
        for (i, reason) in evil.iter().enumerate() {
            let to = if i % 2 == 0 { bob } else { carol };
            f.dir
                .transfer_ownership(&Actor::support_desk("jo", *reason), acct, to)
                .unwrap();
        }
        f.dir
            .transfer_ownership(&Actor::support_desk("=jo", "ok"), acct, bob)
            .unwrap();
        let mut out = Vec::new();
        f.dir
            .export_audit_csv(&Actor::System, acct, &AuditQuery::default(), &mut out)
            .unwrap();
        let records = parse_csv(&out);
        let details: Vec<&str> = records.iter().map(|r| &r[9]).collect();
        for reason in evil {
            assert!(details.contains(&format!("'{reason}").as_str()), "{reason}");
        }
        let actors: Vec<&str> = records.iter().map(|r| &r[4]).collect();
        assert!(actors.contains(&"support:=jo"));
        // No cell of the export starts with a formula character.
        for rec in &records {
            for cell in rec {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?}"
                );
            }
        }
    });
}

/// A writer that records how many audit pages the store had served when
/// each write reached it.
struct Probe {
    store: Arc<Wrapped>,
    bytes: usize,
    calls_at_first_write: Option<usize>,
}

impl std::io::Write for Probe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.calls_at_first_write.is_none() {
            self.calls_at_first_write = Some(self.store.audit_calls.load(Ordering::SeqCst));
        }
        self.bytes += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A writer that fails after a number of bytes.
struct Full(usize);

impl std::io::Write for Full {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0 < buf.len() {
            return Err(std::io::Error::other("disk full"));
        }
        self.0 -= buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// rule J2
#[test]
fn the_export_streams_page_by_page() {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let wrapped = Wrapped::new(store);
        let f = Fixture::on(wrapped.clone());
        let (acct, alice) = f.account("alice");
        // Refusals are the cheapest entries to make: over two pages of them.
        for _ in 0..2050 {
            f.dir.delete_contact(&c(alice), acct, alice).unwrap_err();
        }
        let total = f.audit_len(acct);
        wrapped.audit_calls.store(0, Ordering::SeqCst);
        let mut probe = Probe {
            store: wrapped.clone(),
            bytes: 0,
            calls_at_first_write: None,
        };
        let rows = f
            .dir
            .export_audit_csv(&c(alice), acct, &AuditQuery::default(), &mut probe)
            .unwrap();
        assert_eq!(rows, total);
        // The log was read in several pages, and output reached the writer
        // before the second page was read: it was not collected first.
        assert!(wrapped.audit_calls.load(Ordering::SeqCst) >= 3);
        assert_eq!(probe.calls_at_first_write, Some(1));
        assert!(probe.bytes > 100_000);
        // A writer that fails is reported, and the failure is audited.
        let err = f
            .dir
            .export_audit_csv(&c(alice), acct, &AuditQuery::default(), Full(10_000))
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Output);
        assert_eq!(
            f.last_audit(acct).outcome,
            Outcome::Refused(ErrorCode::Output)
        );
    }
}

/// Builds a log of a few entries on a wrapped store of each kind and runs
/// `body` with the fixture, the store wrapper and the account.
fn with_log(body: impl Fn(&Fixture, &Wrapped, AccountId, ContactId)) {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let wrapped = Wrapped::new(store);
        let f = Fixture::on(wrapped.clone());
        let (acct, alice) = f.account("alice");
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        for i in 0..4 {
            f.dir
                .update_contact(&c(bob), acct, bob, &rename(&format!("Bob {i}")))
                .unwrap();
        }
        f.dir.delete_contact(&c(bob), acct, alice).unwrap_err();
        assert_eq!(
            f.dir.verify_audit(&c(alice), acct).unwrap(),
            AuditVerification::Intact { entries: 7 }
        );
        body(&f, &wrapped, acct, alice);
    }
}

fn verify(f: &Fixture, acct: AccountId, alice: ContactId) -> AuditVerification {
    f.dir.verify_audit(&c(alice), acct).unwrap()
}

fn broken(seq: u64, problem: ChainProblem) -> AuditVerification {
    AuditVerification::Broken { seq, problem }
}

// rule J3
#[test]
fn verify_detects_an_edited_entry() {
    with_log(|f, w, acct, alice| {
        type Edit = Box<dyn Fn(&mut AuditEntry) + Send + Sync>;
        let edits: Vec<(&str, Edit)> = vec![
            (
                "detail",
                Box::new(|e| e.detail = Some("nothing to see".into())),
            ),
            ("actor", Box::new(|e| e.actor = "system".into())),
            (
                "outcome",
                Box::new(|e| e.outcome = Outcome::Refused(ErrorCode::NotFound)),
            ),
            ("fields", Box::new(|e| e.fields.clear())),
            ("time", Box::new(|e| e.at += Duration::seconds(1))),
            ("operation", Box::new(|e| e.operation = Operation::Read)),
            ("target", Box::new(|e| e.target = None)),
        ];
        for (what, edit) in edits {
            w.set_alter(Some(Box::new(move |mut v: Vec<AuditEntry>| {
                for e in v.iter_mut().filter(|e| e.seq == 4) {
                    edit(e);
                }
                v
            })));
            assert_eq!(
                verify(f, acct, alice),
                broken(4, ChainProblem::Edited),
                "{what}"
            );
        }
        // The last entry too.
        w.set_alter(Some(Box::new(|mut v: Vec<AuditEntry>| {
            for e in v.iter_mut().filter(|e| e.seq == 7) {
                e.outcome = Outcome::Success;
            }
            v
        })));
        assert_eq!(verify(f, acct, alice), broken(7, ChainProblem::Edited));
        // Re-hashing the edited entry breaks the link to the next one.
        w.set_alter(Some(Box::new(|mut v: Vec<AuditEntry>| {
            for e in v.iter_mut().filter(|e| e.seq == 4) {
                e.detail = Some("forged".into());
                e.hash = e.compute_hash();
            }
            v
        })));
        assert_eq!(verify(f, acct, alice), broken(5, ChainProblem::Relinked));
        // Re-hashing the whole rest of the chain leaves the head unmatched.
        w.set_alter(Some(Box::new(|mut v: Vec<AuditEntry>| {
            let mut prev = None;
            for e in v.iter_mut() {
                if let Some(p) = prev {
                    e.prev_hash = p;
                }
                if e.seq == 4 {
                    e.detail = Some("forged".into());
                }
                if e.seq >= 4 {
                    e.hash = e.compute_hash();
                }
                prev = Some(e.hash);
            }
            v
        })));
        assert!(matches!(
            verify(f, acct, alice),
            AuditVerification::Broken {
                problem: ChainProblem::Truncated,
                ..
            }
        ));
        // Untouched, it verifies again.
        w.set_alter(None);
        assert_eq!(
            verify(f, acct, alice),
            AuditVerification::Intact { entries: 7 }
        );
    });
}

// rule J3
#[test]
fn verify_detects_a_removed_entry_in_the_middle() {
    with_log(|f, w, acct, alice| {
        for gone in [1, 3, 6] {
            w.set_alter(Some(Box::new(move |v: Vec<AuditEntry>| {
                v.into_iter().filter(|e| e.seq != gone).collect()
            })));
            assert_eq!(
                verify(f, acct, alice),
                broken(gone, ChainProblem::Missing),
                "entry {gone} removed"
            );
        }
        // Removed and renumbered: the links no longer hold.
        w.set_alter(Some(Box::new(|v: Vec<AuditEntry>| {
            v.into_iter()
                .filter(|e| e.seq != 3)
                .map(|mut e| {
                    if e.seq > 3 {
                        e.seq -= 1;
                    }
                    e
                })
                .collect()
        })));
        assert_eq!(verify(f, acct, alice), broken(3, ChainProblem::Relinked));
    });
}

// rule J3
#[test]
fn verify_detects_a_removed_tail() {
    with_log(|f, w, acct, alice| {
        for keep in [6, 3, 0] {
            w.set_alter(Some(Box::new(move |v: Vec<AuditEntry>| {
                v.into_iter().filter(|e| e.seq <= keep).collect()
            })));
            assert_eq!(
                verify(f, acct, alice),
                broken(keep + 1, ChainProblem::Truncated),
                "kept {keep}"
            );
        }
    });
}

// rule J3
#[test]
fn verify_detects_an_inserted_entry() {
    with_log(|f, w, acct, alice| {
        w.set_alter(Some(Box::new(|v: Vec<AuditEntry>| {
            let mut out = Vec::new();
            for e in v {
                if e.seq == 3 {
                    let mut fake = e.clone();
                    fake.actor = "system".into();
                    fake.hash = fake.compute_hash();
                    out.push(fake);
                }
                out.push(e);
            }
            out
        })));
        assert!(matches!(
            verify(f, acct, alice),
            AuditVerification::Broken { seq: 4, .. }
        ));
    });
}

// rule J2
#[test]
fn a_bad_actor_filter_is_refused_naming_its_field() {
    for_each_store(|f| {
        let (acct, alice) = f.account("alice");
        for actor in ["contact:\u{0}1", &"x".repeat(301)] {
            let q = AuditQuery {
                actor: Some(actor.to_owned()),
                ..Default::default()
            };
            let err = f.refused(acct, &[], ErrorCode::InvalidInput, "K2", || {
                f.dir.audit_entries(&c(alice), acct, &q)
            });
            // Not "time_range": the error names the field at fault (K1).
            assert!(
                matches!(
                    err,
                    Error::InvalidInput {
                        field: Field::ActorFilter,
                        ..
                    }
                ),
                "{err:?}"
            );
            let mut out = Vec::new();
            f.refused(acct, &[], ErrorCode::InvalidInput, "K2", || {
                f.dir.export_audit_csv(&c(alice), acct, &q, &mut out)
            });
        }
    });
}

// rule J1: an operation is declared once, so its refusal and its success are
// recorded under the same operation and target.
#[test]
fn a_refusal_and_a_success_are_audited_as_the_same_operation() {
    for_each_store(|f| {
        let (acct, owner) = f.account("olga");
        let member = f.contact(acct, "mia", RoleSet::EMPTY);
        let bob = f.contact(acct, "bob", RoleSet::EMPTY);
        type Attempt<'a> = Box<dyn Fn(&Actor) -> Result<(), Error> + 'a>;
        let attempts: Vec<(Operation, Attempt)> = vec![
            (
                Operation::PasswordResetRequest,
                Box::new(|a| {
                    f.dir
                        .reset_password(
                            a,
                            acct,
                            bob,
                            ManagerReset::SendSecret(RecoveryChannel::Email),
                        )
                        .map(|_| ())
                }),
            ),
            (
                Operation::PasswordChange,
                Box::new(|a| {
                    f.dir
                        .reset_password(a, acct, bob, ManagerReset::TemporaryPassword)
                        .map(|_| ())
                }),
            ),
            (
                Operation::ContactLock,
                Box::new(|a| f.dir.lock_contact(a, acct, bob)),
            ),
            (
                Operation::ContactUnlock,
                Box::new(|a| f.dir.unlock_contact(a, acct, bob)),
            ),
            (
                Operation::RolesUpdate,
                Box::new(|a| {
                    f.dir
                        .set_roles(a, acct, bob, RoleSet::EMPTY, &TechScope::All)
                }),
            ),
        ];
        for (operation, attempt) in attempts {
            let before = all(&f, acct).len();
            assert!(attempt(&c(member)).is_err(), "{operation:?}");
            attempt(&c(owner)).unwrap();
            let new: Vec<AuditEntry> = all(&f, acct)
                .into_iter()
                .filter(|e| e.operation == operation)
                .collect();
            let refused = new
                .iter()
                .rev()
                .find(|e| matches!(e.outcome, Outcome::Refused(_)))
                .unwrap();
            let succeeded = new
                .iter()
                .rev()
                .find(|e| e.outcome == Outcome::Success)
                .unwrap();
            assert!(all(&f, acct).len() >= before + 2);
            assert_eq!(refused.target.as_deref(), Some(bob.to_string().as_str()));
            assert_eq!(succeeded.target, refused.target, "{operation:?}");
        }
    });
}

// rule J1: a contact's change to its own settings is audited on that
// contact, refused or not, even when the contact is refused for not being a
// member of the account at all.
#[test]
fn a_refused_change_of_ones_own_settings_names_the_contact() {
    for_each_store(|f| {
        let (acct, _) = f.account("olga");
        let (_, outsider) = f.account("otto");
        let new = Password::new("a much better passphrase");
        let e = f.refused(acct, &[], ErrorCode::PermissionDenied, "C2", || {
            f.dir
                .change_password(&c(outsider), acct, &Password::new("whatever"), &new)
        });
        assert_eq!(
            e,
            Error::PermissionDenied {
                permission: Permission::ManageOwnSettings
            }
        );
        let last = f.last_audit(acct);
        assert_eq!(last.operation, Operation::PasswordChange);
        assert_eq!(last.target, Some(outsider.to_string()));
    });
}

// rule J4: attempts on unknown logins go to the directory chain, which no
// account operation, and no sign-in of a known login, writes; the host
// prunes it behind a checkpoint, and verify holds across it.
#[test]
fn the_directory_chain_is_pruned_behind_a_checkpoint() {
    for (name, store) in stores() {
        eprintln!("-- on the {name} store");
        let w = Wrapped::new(store);
        let f = Fixture::on(w.clone());
        let (acct, alice) = f.account("alice");
        let guess = |login: &str| {
            f.dir
                .sign_in(&SignInRequest::new(
                    login,
                    &Password::new("a wrong guess"),
                    "192.0.2.1".parse().unwrap(),
                ))
                .unwrap()
        };
        // Account work and a known login's attempts leave it alone.
        let before = w.directory_writes.load(Ordering::SeqCst);
        f.dir
            .update_contact(&c(alice), acct, alice, &rename("Alice A"))
            .unwrap();
        guess("alice");
        assert_eq!(w.directory_writes.load(Ordering::SeqCst), before);
        for _ in 0..5 {
            guess("nobody-here");
        }
        assert!(w.directory_writes.load(Ordering::SeqCst) > before);
        let account_entries = f.audit_len(acct);

        f.clock.advance(Duration::days(91));
        for _ in 0..3 {
            guess("nobody-either");
        }
        let all = f
            .dir
            .directory_audit_entries(&Actor::System, &AuditQuery::default())
            .unwrap();
        assert_eq!(all.len(), 8);
        // Only the host prunes, and not into the future.
        let desk = Actor::support_desk("agent", "ticket 7");
        assert!(f
            .dir
            .prune_directory_audit(&desk, DIRECTORY_AUDIT_RETENTION)
            .is_err());
        assert_eq!(
            f.dir
                .prune_directory_audit(&Actor::System, Duration::days(-1))
                .unwrap_err()
                .code(),
            ErrorCode::InvalidInput
        );
        let pruned = f
            .dir
            .prune_directory_audit(&Actor::System, DIRECTORY_AUDIT_RETENTION)
            .unwrap();
        assert_eq!(pruned, 5);
        let left = f
            .dir
            .directory_audit_entries(&Actor::System, &AuditQuery::default())
            .unwrap();
        assert_eq!(
            left.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![6, 7, 8, 9]
        );
        let checkpoint = left.last().unwrap();
        assert_eq!(checkpoint.operation, Operation::AuditPrune);
        let named = data_encoding::HEXLOWER.encode(&all[4].hash);
        let detail = checkpoint.detail.as_deref().unwrap();
        assert!(
            detail.contains("entry 5") && detail.contains(&named),
            "{detail}"
        );
        assert_eq!(
            f.dir.verify_directory_audit(&Actor::System).unwrap(),
            AuditVerification::Intact { entries: 4 }
        );
        // Nothing more is old enough, and nothing is written; the
        // account's chain is untouched.
        let writes = w.directory_writes.load(Ordering::SeqCst);
        assert_eq!(
            f.dir
                .prune_directory_audit(&Actor::System, DIRECTORY_AUDIT_RETENTION)
                .unwrap(),
            0
        );
        assert_eq!(w.directory_writes.load(Ordering::SeqCst), writes);
        assert_eq!(f.audit_len(acct), account_entries);
        assert!(matches!(
            f.dir.verify_audit(&c(alice), acct).unwrap(),
            AuditVerification::Intact { .. }
        ));
        // The chain goes on after the checkpoint.
        guess("nobody-here");
        assert_eq!(
            f.dir.verify_directory_audit(&Actor::System).unwrap(),
            AuditVerification::Intact { entries: 5 }
        );
        // An entry removed behind the checkpoint's back is found.
        w.set_alter(Some(Box::new(|mut v: Vec<AuditEntry>| {
            v.retain(|e| e.seq != 6);
            v
        })));
        assert_eq!(
            f.dir.verify_directory_audit(&Actor::System).unwrap(),
            broken(6, ChainProblem::Missing)
        );
        w.set_alter(None);
        // Everything older goes: the last checkpoint is all that is left
        // of what was pruned, and it still verifies.
        f.clock.advance(Duration::days(1));
        assert_eq!(
            f.dir
                .prune_directory_audit(&Actor::System, Duration::ZERO)
                .unwrap(),
            5
        );
        assert_eq!(
            f.dir.verify_directory_audit(&Actor::System).unwrap(),
            AuditVerification::Intact { entries: 1 }
        );
    }
}

// rule J4: one call prunes at most PRUNE_BATCH entries; the next goes on.
#[test]
fn a_prune_goes_in_batches() {
    let w = Wrapped::new(Arc::new(MemoryStore::new()));
    let f = Fixture::on(w.clone());
    for _ in 0..PRUNE_BATCH + 5 {
        f.dir
            .sign_in(&SignInRequest::new(
                "nobody-here",
                &Password::new("a wrong guess"),
                "192.0.2.1".parse().unwrap(),
            ))
            .unwrap();
        // Under the throttle's window, so that the attempts stay checks.
        f.clock.advance(Duration::seconds(20));
    }
    f.clock.advance(Duration::days(91));
    let prune = || {
        f.dir
            .prune_directory_audit(&Actor::System, DIRECTORY_AUDIT_RETENTION)
            .unwrap()
    };
    assert_eq!(prune(), PRUNE_BATCH as u64);
    assert!(prune() > 0);
    assert_eq!(prune(), 0);
    assert!(matches!(
        f.dir.verify_directory_audit(&Actor::System).unwrap(),
        AuditVerification::Intact { .. }
    ));
}
