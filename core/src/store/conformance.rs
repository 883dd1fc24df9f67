//! The store conformance suite: what every [`Store`] must do.
//!
//! A store implementation proves itself by running [`run_all`] in its tests,
//! with a function that makes a new, empty store each time:
//!
//! ```
//! use contactkeeper::store::{conformance, MemoryStore};
//! let failures = conformance::run_all(&|| Box::new(MemoryStore::new()));
//! assert!(failures.is_empty(), "{failures:#?}");
//! ```
//!
//! Each check returns `Err` with what went wrong instead of panicking, so
//! that a host's test harness can report every failure at once.

use time::{Duration, OffsetDateTime};

use super::{
    AccountRecord, AccountWrite, Changeset, Check, ContactRecord, ContactSort, ContactWrite,
    DirectoryHead, MembershipRecord, MembershipWrite, Settlement, Store, StoreError,
};
use crate::accounts::{Money, Plan, Service};
use crate::audit::{AuditDraft, AuditEntry, AuditQuery, ChainHead, Operation, Outcome};
use crate::contacts::Profile;
use crate::error::{Entity, ErrorCode};
use crate::ids::{AccountId, ContactId, NotificationId};
use crate::notify::{Notification, NotificationKind, OutboxItem};
use crate::roles::{Role, RoleSet, TechScope};

/// The result of one check.
pub type CheckResult = Result<(), String>;

/// A check of the suite.
pub type CheckFn = fn(&dyn Store) -> CheckResult;

/// Every check, by name.
pub const CHECKS: &[(&str, CheckFn)] = &[
    ("insert_and_read_back", insert_and_read_back),
    ("records_round_trip", records_round_trip),
    (
        "stale_update_conflicts_and_applies_nothing",
        stale_update_conflicts_and_applies_nothing,
    ),
    ("failed_check_conflicts", failed_check_conflicts),
    (
        "duplicate_login_refused_whole",
        duplicate_login_refused_whole,
    ),
    ("duplicate_ids_refused", duplicate_ids_refused),
    ("delete_contact_frees_login", delete_contact_frees_login),
    (
        "memberships_by_account_and_contact",
        memberships_by_account_and_contact,
    ),
    ("members_page_in_id_order", members_page_in_id_order),
    ("members_in_each_order", members_in_each_order),
    ("audit_appends_in_sequence", audit_appends_in_sequence),
    (
        "audit_query_filters_and_pages",
        audit_query_filters_and_pages,
    ),
    ("directory_chain_is_versioned", directory_chain_is_versioned),
    (
        "directory_chain_prunes_behind_its_base",
        directory_chain_prunes_behind_its_base,
    ),
    ("outbox_keeps_until_settled", outbox_keeps_until_settled),
    (
        "sessions_round_trip_touch_and_delete",
        sessions_round_trip_touch_and_delete,
    ),
    ("expired_sessions_are_purged", expired_sessions_are_purged),
    (
        "throttle_is_versioned_and_purged_only_when_expired",
        throttle_is_versioned_and_purged_only_when_expired,
    ),
    (
        "resources_by_account_and_holder",
        resources_by_account_and_holder,
    ),
];

/// Runs every check, each on a new store from `make`; returns the failures
/// as `(check, what went wrong)`.
pub fn run_all(make: &dyn Fn() -> Box<dyn Store>) -> Vec<(&'static str, String)> {
    CHECKS
        .iter()
        .filter_map(|(name, check)| check(make().as_ref()).err().map(|e| (*name, e)))
        .collect()
}

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

fn t0() -> OffsetDateTime {
    time::macros::datetime!(2026-01-01 00:00 UTC)
}

fn ok<T>(r: Result<T, StoreError>, what: &str) -> Result<T, String> {
    r.map_err(|e| format!("{what}: unexpected error {e:?}"))
}

fn account(id: u64, owner: u64) -> AccountRecord {
    AccountRecord {
        id: AccountId(id),
        name: format!("Account {id}"),
        plan: Plan::default(),
        procurement_enabled: false,
        partner: None,
        services: Vec::new(),
        security: Default::default(),
        billing: Default::default(),
        owner: ContactId(owner),
        contact_count: 1,
        invited: Vec::new(),
        audit_head: ChainHead::default(),
        created_at: t0(),
        version: 0,
    }
}

fn contact(id: u64, login: &str) -> ContactRecord {
    ContactRecord {
        id: ContactId(id),
        login: login.to_owned(),
        login_key: login.to_ascii_lowercase(),
        profile: Profile::new(format!("Contact {id}"), format!("{login}@example.com")),
        account_count: 1,
        credentials: Default::default(),
        invitations: Vec::new(),
        created_at: t0(),
        version: 0,
    }
}

fn member(account: u64, contact: u64, roles: RoleSet) -> MembershipRecord {
    MembershipRecord {
        account: AccountId(account),
        contact: ContactId(contact),
        roles,
        tech_scope: TechScope::All,
        manual_lock: None,
        session_epoch: 0,
        notifications: Default::default(),
        since: t0(),
    }
}

/// An account 1 owned by contact 10 (login `owner`), committed.
fn seed(store: &dyn Store) -> Result<(), String> {
    ok(
        store.commit(&Changeset {
            accounts: vec![AccountWrite::Insert(account(1, 10))],
            contacts: vec![ContactWrite::Insert(contact(10, "Owner"))],
            memberships: vec![MembershipWrite::Put(member(1, 10, RoleSet::ALL))],
            ..Changeset::default()
        }),
        "seeding",
    )
}

fn entries(
    chain: Option<AccountId>,
    head: &mut ChainHead,
    n: u64,
    start: OffsetDateTime,
) -> Vec<AuditEntry> {
    (0..n)
        .map(|i| {
            AuditDraft {
                account: chain,
                operation: if i % 2 == 0 {
                    Operation::ContactUpdate
                } else {
                    Operation::RolesUpdate
                },
                target: Some(format!("contact:{i}")),
                outcome: if i % 3 == 0 {
                    Outcome::Refused(ErrorCode::PermissionDenied)
                } else {
                    Outcome::Success
                },
                fields: vec!["email".into(), "name".into()],
                detail: (i % 5 == 0).then(|| "a, \"quoted\" detail\nover lines".to_owned()),
            }
            .seal(
                if i % 2 == 0 { "system" } else { "contact:10" },
                start + Duration::seconds(i as i64),
                head,
            )
        })
        .collect()
}

fn insert_and_read_back(store: &dyn Store) -> CheckResult {
    seed(store)?;
    let a = ok(store.account(AccountId(1)), "account")?.ok_or("account 1 missing")?;
    ensure!(
        a.version == 1,
        "a new account is at version 1, found {}",
        a.version
    );
    ensure!(a.owner == ContactId(10), "owner not kept");
    let c = ok(store.contact(ContactId(10)), "contact")?.ok_or("contact 10 missing")?;
    ensure!(
        c.version == 1,
        "a new contact is at version 1, found {}",
        c.version
    );
    let by_login = ok(store.contact_by_login("owner"), "contact_by_login")?;
    ensure!(
        by_login.map(|c| c.id) == Some(ContactId(10)),
        "contact_by_login(owner) did not find contact 10"
    );
    ensure!(
        ok(store.contact_by_login("nobody"), "contact_by_login")?.is_none(),
        "found a login nobody has"
    );
    ensure!(
        ok(store.account(AccountId(2)), "account")?.is_none(),
        "found an account never stored"
    );
    let m = ok(store.membership(AccountId(1), ContactId(10)), "membership")?;
    ensure!(
        m.map(|m| m.roles) == Some(RoleSet::ALL),
        "membership not kept"
    );
    Ok(())
}

fn records_round_trip(store: &dyn Store) -> CheckResult {
    let mut a = account(7, 70);
    a.name = "Ünïcödé, \"quoted\"; DROP TABLE".into();
    a.plan = Plan {
        name: "gold".into(),
        included_contacts: 3,
        additional_contact_price: Money::new(1250, "EUR"),
        tech_options: vec!["users".into(), "reports".into()],
    };
    a.procurement_enabled = true;
    a.partner = Some("acme".into());
    a.services = vec![Service {
        key: "voice".into(),
        name: "Voice".into(),
        enabled: false,
        option: "users".into(),
    }];
    let mut c = contact(70, "Round.Trip+x@example.com");
    c.profile.job_title = Some("CTO".into());
    c.profile.business_phone = Some("+1 (555) 010-0000".into());
    c.profile.time_zone = "Europe/Berlin".into();
    c.profile.alternate_email = Some("alt@example.org".into());
    c.profile.cell_phone = Some("+49 151 0000000".into());
    c.created_at = t0() + Duration::nanoseconds(123_456_789);
    let mut m = member(
        7,
        70,
        RoleSet::of(&[Role::TechnicalAdmin, Role::BillingManager]),
    );
    m.tech_scope = TechScope::only(["reports"]);
    let mut head = ChainHead::default();
    let audit = entries(Some(AccountId(7)), &mut head, 1, t0());
    a.audit_head = head;
    ok(
        store.commit(&Changeset {
            accounts: vec![AccountWrite::Insert(a.clone())],
            contacts: vec![ContactWrite::Insert(c.clone())],
            memberships: vec![MembershipWrite::Put(m.clone())],
            audit: audit.clone(),
            ..Changeset::default()
        }),
        "commit",
    )?;
    let got = ok(store.account(AccountId(7)), "account")?.ok_or("account missing")?;
    a.version = 1;
    ensure!(
        got == a,
        "account changed on the way through: {got:?} != {a:?}"
    );
    let got = ok(store.contact(ContactId(70)), "contact")?.ok_or("contact missing")?;
    c.version = 1;
    ensure!(
        got == c,
        "contact changed on the way through: {got:?} != {c:?}"
    );
    let got = ok(store.membership(AccountId(7), ContactId(70)), "membership")?;
    ensure!(
        got.as_ref() == Some(&m),
        "membership changed on the way through: {got:?}"
    );
    let got = ok(
        store.audit(Some(AccountId(7)), &AuditQuery::default()),
        "audit",
    )?;
    ensure!(
        got == audit,
        "audit entry changed on the way through: {got:?}"
    );
    Ok(())
}

fn stale_update_conflicts_and_applies_nothing(store: &dyn Store) -> CheckResult {
    seed(store)?;
    let mut a = ok(store.account(AccountId(1)), "account")?.ok_or("missing")?;
    a.name = "Renamed".into();
    ok(
        store.commit(&Changeset {
            accounts: vec![AccountWrite::Update(a.clone())],
            ..Changeset::default()
        }),
        "first update",
    )?;
    let now = ok(store.account(AccountId(1)), "account")?.ok_or("missing")?;
    ensure!(
        now.version == 2 && now.name == "Renamed",
        "update not applied with version + 1"
    );
    // The same version again is stale; with it, a new contact and an audit
    // entry that must not be applied either.
    a.name = "Lost".into();
    let mut head = ChainHead::default();
    let r = store.commit(&Changeset {
        accounts: vec![AccountWrite::Update(a)],
        contacts: vec![ContactWrite::Insert(contact(11, "other"))],
        audit: entries(Some(AccountId(1)), &mut head, 1, t0()),
        ..Changeset::default()
    });
    ensure!(
        r == Err(StoreError::Conflict),
        "a stale update gave {r:?}, not Conflict"
    );
    let now = ok(store.account(AccountId(1)), "account")?.ok_or("missing")?;
    ensure!(
        now.name == "Renamed" && now.version == 2,
        "a refused commit changed the account"
    );
    ensure!(
        ok(store.contact(ContactId(11)), "contact")?.is_none(),
        "a refused commit inserted a contact"
    );
    ensure!(
        ok(
            store.audit(Some(AccountId(1)), &AuditQuery::default()),
            "audit"
        )?
        .is_empty(),
        "a refused commit appended audit entries"
    );
    Ok(())
}

fn failed_check_conflicts(store: &dyn Store) -> CheckResult {
    seed(store)?;
    for check in [
        Check::Contact(ContactId(10), 5),
        Check::Account(AccountId(1), 9),
        Check::Contact(ContactId(99), 1),
    ] {
        let r = store.commit(&Changeset {
            checks: vec![check],
            contacts: vec![ContactWrite::Insert(contact(12, "x"))],
            ..Changeset::default()
        });
        ensure!(
            r == Err(StoreError::Conflict),
            "{check:?} gave {r:?}, not Conflict"
        );
    }
    ensure!(
        ok(store.contact(ContactId(12)), "contact")?.is_none(),
        "a refused commit inserted a contact"
    );
    let r = store.commit(&Changeset {
        checks: vec![
            Check::Contact(ContactId(10), 1),
            Check::Account(AccountId(1), 1),
        ],
        ..Changeset::default()
    });
    ensure!(r.is_ok(), "current versions were refused: {r:?}");
    let c = ok(store.contact(ContactId(10)), "contact")?.ok_or("missing")?;
    ensure!(c.version == 1, "a check changed a version");
    Ok(())
}

fn duplicate_login_refused_whole(store: &dyn Store) -> CheckResult {
    seed(store)?;
    let mut a = ok(store.account(AccountId(1)), "account")?.ok_or("missing")?;
    a.contact_count = 2;
    let r = store.commit(&Changeset {
        accounts: vec![AccountWrite::Update(a)],
        contacts: vec![ContactWrite::Insert(contact(11, "OWNER"))],
        memberships: vec![MembershipWrite::Put(member(1, 11, RoleSet::EMPTY))],
        ..Changeset::default()
    });
    ensure!(
        r == Err(StoreError::Duplicate(Entity::Login)),
        "a login in use gave {r:?}"
    );
    let a = ok(store.account(AccountId(1)), "account")?.ok_or("missing")?;
    ensure!(
        a.contact_count == 1 && a.version == 1,
        "a refused commit changed the account"
    );
    ensure!(
        ok(store.membership(AccountId(1), ContactId(11)), "membership")?.is_none(),
        "a refused commit added a membership"
    );
    Ok(())
}

fn duplicate_ids_refused(store: &dyn Store) -> CheckResult {
    seed(store)?;
    let r = store.commit(&Changeset {
        contacts: vec![ContactWrite::Insert(contact(10, "fresh"))],
        ..Changeset::default()
    });
    ensure!(
        matches!(r, Err(StoreError::Duplicate(_))),
        "a repeated contact id gave {r:?}"
    );
    let r = store.commit(&Changeset {
        accounts: vec![AccountWrite::Insert(account(1, 10))],
        ..Changeset::default()
    });
    ensure!(
        matches!(r, Err(StoreError::Duplicate(_))),
        "a repeated account id gave {r:?}"
    );
    Ok(())
}

fn delete_contact_frees_login(store: &dyn Store) -> CheckResult {
    seed(store)?;
    ok(
        store.commit(&Changeset {
            contacts: vec![ContactWrite::Insert(contact(11, "leaver"))],
            ..Changeset::default()
        }),
        "insert",
    )?;
    let r = store.commit(&Changeset {
        contacts: vec![ContactWrite::Delete(ContactId(11), 7)],
        ..Changeset::default()
    });
    ensure!(r == Err(StoreError::Conflict), "a stale delete gave {r:?}");
    ok(
        store.commit(&Changeset {
            contacts: vec![ContactWrite::Delete(ContactId(11), 1)],
            ..Changeset::default()
        }),
        "delete",
    )?;
    ensure!(
        ok(store.contact(ContactId(11)), "contact")?.is_none(),
        "deleted contact still there"
    );
    ensure!(
        ok(store.contact_by_login("leaver"), "login")?.is_none(),
        "deleted contact's login still found"
    );
    ok(
        store.commit(&Changeset {
            contacts: vec![ContactWrite::Insert(contact(12, "leaver"))],
            ..Changeset::default()
        }),
        "login reuse after delete",
    )?;
    Ok(())
}

fn memberships_by_account_and_contact(store: &dyn Store) -> CheckResult {
    seed(store)?;
    ok(
        store.commit(&Changeset {
            accounts: vec![
                AccountWrite::Insert(account(2, 10)),
                AccountWrite::Insert(account(3, 20)),
            ],
            contacts: vec![ContactWrite::Insert(contact(20, "second"))],
            memberships: vec![
                MembershipWrite::Put(member(2, 10, RoleSet::ALL)),
                MembershipWrite::Put(member(3, 20, RoleSet::ALL)),
                MembershipWrite::Put(member(3, 10, RoleSet::of(&[Role::BillingManager]))),
            ],
            ..Changeset::default()
        }),
        "commit",
    )?;
    let of10: Vec<AccountId> = ok(store.memberships_of(ContactId(10)), "memberships_of")?
        .iter()
        .map(|m| m.account)
        .collect();
    ensure!(
        of10 == vec![AccountId(1), AccountId(2), AccountId(3)],
        "memberships_of(10) = {of10:?}"
    );
    ok(
        store.commit(&Changeset {
            memberships: vec![MembershipWrite::Delete(AccountId(3), ContactId(10))],
            ..Changeset::default()
        }),
        "delete",
    )?;
    let of10 = ok(store.memberships_of(ContactId(10)), "memberships_of")?.len();
    ensure!(of10 == 2, "a deleted membership is still listed");
    let mut m = member(1, 10, RoleSet::EMPTY);
    m.roles = RoleSet::of(&[Role::ContactManager]);
    ok(
        store.commit(&Changeset {
            memberships: vec![MembershipWrite::Put(m.clone())],
            ..Changeset::default()
        }),
        "replace",
    )?;
    let got = ok(store.membership(AccountId(1), ContactId(10)), "membership")?;
    ensure!(got == Some(m), "Put did not replace the membership");
    Ok(())
}

fn members_page_in_id_order(store: &dyn Store) -> CheckResult {
    seed(store)?;
    let ids: Vec<u64> = (0..25u64).map(|i| 1000 + (i * 7919) % 997).collect();
    ok(
        store.commit(&Changeset {
            contacts: ids
                .iter()
                .map(|i| ContactWrite::Insert(contact(*i, &format!("m{i}"))))
                .collect(),
            memberships: ids
                .iter()
                .map(|i| MembershipWrite::Put(member(1, *i, RoleSet::EMPTY)))
                .collect(),
            ..Changeset::default()
        }),
        "commit",
    )?;
    let mut expected: Vec<u64> = ids.clone();
    expected.push(10);
    expected.sort_unstable();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = ok(store.members(AccountId(1), after, 10), "members")?;
        ensure!(page.len() <= 10, "a page exceeded its limit");
        for (m, c) in &page {
            ensure!(m.contact == c.id, "a member came with another contact");
        }
        seen.extend(page.iter().map(|(m, _)| m.contact.0));
        match page.last() {
            Some((m, _)) => after = Some(m.contact),
            None => break,
        }
    }
    ensure!(
        seen == expected,
        "members pages gave {seen:?}, expected {expected:?}"
    );
    ensure!(
        ok(store.members(AccountId(2), None, 10), "members")?.is_empty(),
        "members of an unknown account"
    );
    Ok(())
}

/// I5: `members_in_order` pages an account's members by each order's key
/// and then id, across renames, removals and another account's members.
fn members_in_each_order(store: &dyn Store) -> CheckResult {
    seed(store)?;
    ok(
        store.commit(&Changeset {
            accounts: vec![AccountWrite::Insert(account(2, 10))],
            memberships: vec![MembershipWrite::Put(member(2, 10, RoleSet::ALL))],
            ..Changeset::default()
        }),
        "second account",
    )?;
    let names = [
        "Zoë", "adam", "Émile", "zoë", "Bob", "bob", "Ábel", "Chloé", "adam", "Ωmega", "eve",
    ];
    let people: Vec<ContactRecord> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let id = 2000 + (i as u64 * 7919) % 101;
            let mut c = contact(id, &format!("U{}x{id}", names.len() - i));
            c.profile = Profile::new(*n, format!("{}{id}@Example.com", n.to_uppercase()));
            c
        })
        .collect();
    ok(
        store.commit(&Changeset {
            contacts: people.iter().cloned().map(ContactWrite::Insert).collect(),
            memberships: people
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    MembershipWrite::Put(member(
                        1 + (i as u64 % 4 == 3) as u64,
                        c.id.0,
                        RoleSet::EMPTY,
                    ))
                })
                .collect(),
            ..Changeset::default()
        }),
        "members",
    )?;
    // A rename, a removal from the account, a contact deleted.
    let mut renamed = ok(store.contact(people[1].id), "contact")?.ok_or("contact missing")?;
    renamed.profile.name = "Zed".into();
    renamed.profile.email = "zed@example.com".into();
    let gone = &people[4];
    let gone_record = ok(store.contact(gone.id), "contact")?.ok_or("contact missing")?;
    ok(
        store.commit(&Changeset {
            contacts: vec![
                ContactWrite::Update(renamed),
                ContactWrite::Delete(gone.id, gone_record.version),
            ],
            memberships: vec![
                MembershipWrite::Delete(AccountId(1), people[5].id),
                MembershipWrite::Delete(AccountId(1), gone.id),
            ],
            ..Changeset::default()
        }),
        "changes",
    )?;
    for account in [AccountId(1), AccountId(2)] {
        let mut expected = Vec::new();
        let mut after = None;
        loop {
            let page = ok(store.members(account, after, 100), "members")?;
            after = page.last().map(|(_, c)| c.id);
            expected.extend(page.into_iter().map(|(_, c)| c));
            if after.is_none() {
                break;
            }
        }
        for order in ContactSort::ALL {
            let mut want: Vec<(String, u64)> =
                expected.iter().map(|c| (order.key_of(c), c.id.0)).collect();
            want.sort();
            let mut seen: Vec<(String, u64)> = Vec::new();
            let mut from: Option<(String, ContactId)> = None;
            loop {
                let at = from.as_ref().map(|(k, id)| (k.as_str(), *id));
                let page = ok(store.members_in_order(account, *order, at, 3), "in order")?;
                ensure!(page.len() <= 3, "a page exceeded its limit");
                for (m, c) in &page {
                    ensure!(
                        m.contact == c.id && m.account == account,
                        "a member came with another contact or account"
                    );
                }
                let Some((_, last)) = page.last() else { break };
                from = Some((order.key_of(last), last.id));
                seen.extend(page.iter().map(|(_, c)| (order.key_of(c), c.id.0)));
            }
            ensure!(
                seen == want,
                "{account} by {}: pages gave {seen:?}, expected {want:?}",
                order.name()
            );
        }
    }
    Ok(())
}

fn audit_appends_in_sequence(store: &dyn Store) -> CheckResult {
    seed(store)?;
    let mut a = ok(store.account(AccountId(1)), "account")?.ok_or("missing")?;
    let mut head = a.audit_head;
    let first = entries(Some(AccountId(1)), &mut head, 3, t0());
    a.audit_head = head;
    ok(
        store.commit(&Changeset {
            accounts: vec![AccountWrite::Update(a.clone())],
            audit: first.clone(),
            ..Changeset::default()
        }),
        "append",
    )?;
    let a2 = ok(store.account(AccountId(1)), "account")?.ok_or("missing")?;
    ensure!(
        a2.audit_head == head,
        "the account's chain head was not kept"
    );
    // Entries that do not continue the chain are refused.
    let mut wrong = ChainHead {
        seq: 7,
        hash: head.hash,
    };
    let gap = entries(Some(AccountId(1)), &mut wrong, 1, t0());
    let mut a3 = a2.clone();
    a3.audit_head = wrong;
    let r = store.commit(&Changeset {
        accounts: vec![AccountWrite::Update(a3)],
        audit: gap,
        ..Changeset::default()
    });
    ensure!(
        r.is_err(),
        "an entry with a gap in its sequence was accepted"
    );
    let all = ok(
        store.audit(Some(AccountId(1)), &AuditQuery::default()),
        "audit",
    )?;
    ensure!(all == first, "the chain is not what was appended");
    ensure!(
        ok(store.audit(None, &AuditQuery::default()), "audit")?.is_empty(),
        "entries leaked into the directory chain"
    );
    Ok(())
}

fn audit_query_filters_and_pages(store: &dyn Store) -> CheckResult {
    seed(store)?;
    let mut a = ok(store.account(AccountId(1)), "account")?.ok_or("missing")?;
    let mut head = a.audit_head;
    let all = entries(Some(AccountId(1)), &mut head, 40, t0());
    a.audit_head = head;
    ok(
        store.commit(&Changeset {
            accounts: vec![AccountWrite::Update(a)],
            audit: all.clone(),
            ..Changeset::default()
        }),
        "append",
    )?;
    let q = |f: &dyn Fn(&mut AuditQuery)| {
        let mut q = AuditQuery {
            limit: 1000,
            ..AuditQuery::default()
        };
        f(&mut q);
        let want: Vec<AuditEntry> = all
            .iter()
            .filter(|e| e.seq > q.after_seq && q.matches(e))
            .take(q.limit)
            .cloned()
            .collect();
        store.audit(Some(AccountId(1)), &q).map(|got| (got, want))
    };
    type Case<'a> = (&'a str, &'a dyn Fn(&mut AuditQuery));
    let cases: [Case<'_>; 7] = [
        ("no filter", &|_| {}),
        ("after_seq", &|q| q.after_seq = 17),
        ("limit", &|q| q.limit = 5),
        ("actor", &|q| q.actor = Some("contact:10".into())),
        ("operation", &|q| q.operation = Some(Operation::RolesUpdate)),
        ("time range", &|q| {
            q.from = Some(t0() + Duration::seconds(5));
            q.until = Some(t0() + Duration::seconds(9));
        }),
        ("everything", &|q| {
            q.actor = Some("system".into());
            q.operation = Some(Operation::ContactUpdate);
            q.after_seq = 4;
            q.limit = 3;
        }),
    ];
    for (name, f) in cases {
        let (got, want) = ok(q(f), name)?;
        ensure!(
            got == want,
            "query '{name}' gave seqs {:?}, expected {:?}",
            got.iter().map(|e| e.seq).collect::<Vec<_>>(),
            want.iter().map(|e| e.seq).collect::<Vec<_>>()
        );
    }
    Ok(())
}

fn directory_chain_is_versioned(store: &dyn Store) -> CheckResult {
    let start = ok(store.directory_head(), "directory_head")?;
    ensure!(
        start == DirectoryHead::default(),
        "a new store's directory head is not empty"
    );
    let mut head = start.head;
    let e = entries(None, &mut head, 2, t0());
    ok(
        store.commit(&Changeset {
            directory_head: Some(DirectoryHead {
                head,
                version: start.version,
                ..start
            }),
            audit: e.clone(),
            ..Changeset::default()
        }),
        "append",
    )?;
    let now = ok(store.directory_head(), "directory_head")?;
    ensure!(
        now.head == head && now.version == start.version + 1,
        "directory head not advanced: {now:?}"
    );
    let mut stale = head;
    let more = entries(None, &mut stale, 1, t0());
    let r = store.commit(&Changeset {
        directory_head: Some(DirectoryHead {
            head: stale,
            version: start.version,
            ..start
        }),
        audit: more,
        ..Changeset::default()
    });
    ensure!(
        r == Err(StoreError::Conflict),
        "a stale directory head gave {r:?}"
    );
    let got = ok(store.audit(None, &AuditQuery::default()), "audit")?;
    ensure!(got == e, "directory chain is not what was appended");
    Ok(())
}

fn directory_chain_prunes_behind_its_base(store: &dyn Store) -> CheckResult {
    // J4: entries 1-3, then a commit that appends 4 and prunes 1-2.
    let start = ok(store.directory_head(), "directory_head")?;
    let mut head = start.head;
    let first = entries(None, &mut head, 3, t0());
    ok(
        store.commit(&Changeset {
            directory_head: Some(DirectoryHead { head, ..start }),
            audit: first.clone(),
            ..Changeset::default()
        }),
        "append",
    )?;
    let read = ok(store.directory_head(), "directory_head")?;
    let base = ChainHead {
        seq: first[1].seq,
        hash: first[1].hash,
    };
    let checkpoint = entries(None, &mut head, 1, t0());
    ok(
        store.commit(&Changeset {
            directory_head: Some(DirectoryHead { head, base, ..read }),
            audit: checkpoint.clone(),
            prune_directory_audit: Some(base.seq),
            ..Changeset::default()
        }),
        "prune",
    )?;
    let now = ok(store.directory_head(), "directory_head")?;
    ensure!(
        now.base == base && now.head == head,
        "the base is not kept: {now:?}"
    );
    let got = ok(store.audit(None, &AuditQuery::default()), "audit")?;
    let want = vec![first[2].clone(), checkpoint[0].clone()];
    ensure!(
        got == want,
        "after a prune the chain holds seqs {:?}",
        got.iter().map(|e| e.seq).collect::<Vec<_>>()
    );
    let paged = AuditQuery {
        after_seq: 3,
        ..AuditQuery::default()
    };
    let got = ok(store.audit(None, &paged), "audit after 3")?;
    ensure!(got == checkpoint, "paging after a prune is off");
    // The chain goes on from its head, not from what is left of it.
    let more = entries(None, &mut head, 1, t0());
    ok(
        store.commit(&Changeset {
            directory_head: Some(DirectoryHead { head, ..now }),
            audit: more,
            ..Changeset::default()
        }),
        "append after a prune",
    )?;
    // A prune of everything but the head also leaves the chain going on.
    let read = ok(store.directory_head(), "directory_head")?;
    let all = read.head;
    let last = entries(None, &mut head, 1, t0());
    ok(
        store.commit(&Changeset {
            directory_head: Some(DirectoryHead {
                head,
                base: all,
                ..read
            }),
            audit: last.clone(),
            prune_directory_audit: Some(all.seq),
            ..Changeset::default()
        }),
        "prune all",
    )?;
    let got = ok(store.audit(None, &AuditQuery::default()), "audit")?;
    ensure!(
        got == last,
        "a prune of all but the checkpoint left {got:?}"
    );
    Ok(())
}

fn outbox_keeps_until_settled(store: &dyn Store) -> CheckResult {
    seed(store)?;
    let item = |id: u64, due: i64| OutboxItem {
        notification: Notification {
            id: NotificationId(id),
            kind: NotificationKind::OwnershipReceived,
            account: Some(AccountId(1)),
            recipient: ContactId(10),
            to: vec!["owner@example.com".into()],
            subject: "Subject".into(),
            body: "Body\nwith lines".into(),
            fields: vec!["owner".into()],
            at: t0(),
            resource: None,
            fallback: None,
            secret: None,
        },
        attempts: 0,
        next_attempt_at: t0() + Duration::seconds(due),
    };
    let items = vec![item(1, 10), item(2, 0), item(3, 20)];
    ok(
        store.commit(&Changeset {
            outbox: items.clone(),
            ..Changeset::default()
        }),
        "commit",
    )?;
    let all = ok(store.outbox(None, 100), "outbox")?;
    let ids: Vec<u64> = all.iter().map(|i| i.notification.id.0).collect();
    ensure!(ids == vec![2, 1, 3], "outbox not by due time: {ids:?}");
    ensure!(all[1] == items[0], "outbox item changed on the way through");
    let due: Vec<u64> = ok(store.outbox(Some(t0() + Duration::seconds(10)), 100), "due")?
        .iter()
        .map(|i| i.notification.id.0)
        .collect();
    ensure!(due == vec![2, 1], "due items: {due:?}");
    ok(
        store.settle(
            NotificationId(2),
            Settlement::Retry {
                attempts: 1,
                next_attempt_at: t0() + Duration::seconds(30),
            },
        ),
        "retry",
    )?;
    ok(
        store.settle(NotificationId(1), Settlement::Remove),
        "remove",
    )?;
    ok(
        store.settle(NotificationId(1), Settlement::Remove),
        "removing twice",
    )?;
    let all = ok(store.outbox(None, 100), "outbox")?;
    let ids: Vec<(u64, u32)> = all
        .iter()
        .map(|i| (i.notification.id.0, i.attempts))
        .collect();
    ensure!(ids == vec![(3, 0), (2, 1)], "after settling: {ids:?}");
    ensure!(
        ok(store.outbox(None, 1), "limit")?.len() == 1,
        "outbox limit ignored"
    );
    Ok(())
}

fn sessions_round_trip_touch_and_delete(store: &dyn Store) -> CheckResult {
    seed(store)?;
    let session = |k: u8| crate::credentials::SessionRecord {
        key: [k; 32],
        contact: ContactId(10),
        account: AccountId(1),
        stage: crate::credentials::SessionStage::Full,
        ip: std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        created_at: t0() + Duration::nanoseconds(7),
        last_seen_at: t0() + Duration::nanoseconds(7),
        contact_epoch: 3,
        membership_epoch: 4,
        lock_epoch: 5,
        device: Some([k.wrapping_add(1); 32]),
        remember_device: true,
    };
    ok(
        store.commit(&Changeset {
            sessions: vec![
                super::SessionWrite::Put(session(1)),
                super::SessionWrite::Put(session(2)),
            ],
            ..Changeset::default()
        }),
        "commit",
    )?;
    let got = ok(store.session(&[1; 32]), "session")?;
    ensure!(
        got.as_ref() == Some(&session(1)),
        "session changed on the way through: {got:?}"
    );
    ensure!(
        ok(store.session(&[9; 32]), "session")?.is_none(),
        "found a session never stored"
    );
    let later = t0() + Duration::minutes(5) + Duration::nanoseconds(1);
    ok(store.touch_session(&[1; 32], later), "touch")?;
    ok(
        store.touch_session(&[9; 32], later),
        "touching a missing session",
    )?;
    let got = ok(store.session(&[1; 32]), "session")?.ok_or("session 1 missing")?;
    ensure!(
        got.last_seen_at == later && got.created_at == session(1).created_at,
        "touch did not move only last_seen_at: {got:?}"
    );
    let mut next = session(2);
    next.stage = crate::credentials::SessionStage::PasswordChange;
    ok(
        store.commit(&Changeset {
            sessions: vec![
                super::SessionWrite::Put(next.clone()),
                super::SessionWrite::Delete([1; 32]),
            ],
            ..Changeset::default()
        }),
        "replace and delete",
    )?;
    ensure!(
        ok(store.session(&[1; 32]), "session")?.is_none(),
        "a deleted session is still there"
    );
    ensure!(
        ok(store.session(&[2; 32]), "session")? == Some(next),
        "Put did not replace the session"
    );
    Ok(())
}

fn resources_by_account_and_holder(store: &dyn Store) -> CheckResult {
    seed(store)?;
    ok(
        store.commit(&Changeset {
            accounts: vec![AccountWrite::Insert(account(2, 20))],
            contacts: vec![
                ContactWrite::Insert(contact(20, "second")),
                ContactWrite::Insert(contact(30, "third")),
            ],
            ..Changeset::default()
        }),
        "seeding",
    )?;
    let resource =
        |id: u64, acct: u64, primary: u64, secondary: Option<u64>| super::ResourceRecord {
            id: crate::ids::ResourceId(id),
            account: AccountId(acct),
            kind: "computer".into(),
            name: format!("Host \"{id}\""),
            primary: ContactId(primary),
            secondary: secondary.map(ContactId),
            created_at: t0() + Duration::nanoseconds(id as i64),
        };
    let all = [
        resource(500, 1, 10, Some(30)),
        resource(40, 1, 30, None),
        resource(7, 1, 30, Some(10)),
        resource(900, 2, 10, None),
        resource(60, 1, 20, None),
    ];
    ok(
        store.commit(&Changeset {
            resources: all.iter().cloned().map(super::ResourceWrite::Put).collect(),
            ..Changeset::default()
        }),
        "commit",
    )?;
    let got = ok(store.resource(crate::ids::ResourceId(500)), "resource")?;
    ensure!(
        got.as_ref() == Some(&all[0]),
        "resource changed on the way through: {got:?}"
    );
    let ids = |v: Vec<super::ResourceRecord>| v.iter().map(|r| r.id.0).collect::<Vec<_>>();
    let duties = ids(ok(
        store.duties_of(AccountId(1), ContactId(10)),
        "duties_of",
    )?);
    ensure!(duties == vec![7, 500], "duties_of(1, 10) = {duties:?}");
    let duties = ids(ok(
        store.duties_of(AccountId(1), ContactId(30)),
        "duties_of",
    )?);
    ensure!(duties == vec![7, 40, 500], "duties_of(1, 30) = {duties:?}");
    let page = ids(ok(store.resources(AccountId(1), None, 2), "resources")?);
    ensure!(page == vec![7, 40], "first page: {page:?}");
    let page = ids(ok(
        store.resources(AccountId(1), Some(crate::ids::ResourceId(40)), 10),
        "resources",
    )?);
    ensure!(page == vec![60, 500], "second page: {page:?}");
    // Reassigning the secondary and deleting a resource update both
    // lookups.
    let mut moved = all[0].clone();
    moved.secondary = Some(ContactId(20));
    ok(
        store.commit(&Changeset {
            resources: vec![
                super::ResourceWrite::Put(moved),
                super::ResourceWrite::Delete(crate::ids::ResourceId(7)),
                super::ResourceWrite::Delete(crate::ids::ResourceId(12345)),
            ],
            ..Changeset::default()
        }),
        "update",
    )?;
    let duties = ids(ok(
        store.duties_of(AccountId(1), ContactId(30)),
        "duties_of",
    )?);
    ensure!(
        duties == vec![40],
        "after the update, duties_of(1, 30) = {duties:?}"
    );
    let duties = ids(ok(
        store.duties_of(AccountId(1), ContactId(20)),
        "duties_of",
    )?);
    ensure!(
        duties == vec![60, 500],
        "after the update, duties_of(1, 20) = {duties:?}"
    );
    ensure!(
        ok(store.resource(crate::ids::ResourceId(7)), "resource")?.is_none(),
        "a deleted resource is still there"
    );
    Ok(())
}

fn expired_sessions_are_purged(store: &dyn Store) -> CheckResult {
    seed(store)?;
    let minutes = |m: i64| t0() + Duration::minutes(m);
    let session = |k: u8, created: i64, seen: i64| crate::credentials::SessionRecord {
        key: [k; 32],
        contact: ContactId(10),
        account: AccountId(1),
        stage: crate::credentials::SessionStage::Full,
        ip: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        created_at: minutes(created),
        last_seen_at: minutes(seen),
        contact_epoch: 0,
        membership_epoch: 0,
        lock_epoch: 0,
        device: None,
        remember_device: false,
    };
    // 1: idle too long; 2: too old though used lately; 3: fine.
    ok(
        store.commit(&Changeset {
            sessions: vec![
                super::SessionWrite::Put(session(1, 100, 100)),
                super::SessionWrite::Put(session(2, 0, 150)),
                super::SessionWrite::Put(session(3, 100, 150)),
            ],
            ..Changeset::default()
        }),
        "commit",
    )?;
    let purged = ok(store.purge_sessions(minutes(120), minutes(60)), "purge")?;
    ensure!(purged == 2, "purged {purged} sessions, expected 2");
    for (k, kept) in [(1u8, false), (2, false), (3, true)] {
        let found = ok(store.session(&[k; 32]), "session")?.is_some();
        ensure!(found == kept, "session {k}: kept {found}, expected {kept}");
    }
    let again = ok(store.purge_sessions(minutes(120), minutes(60)), "purge")?;
    ensure!(again == 0, "a second purge removed {again}");
    Ok(())
}

/// D5, D9: a throttle record is written at the version read, so two
/// processes counting one login never both win; a purge removes only the
/// records whose window and lock have ended.
fn throttle_is_versioned_and_purged_only_when_expired(store: &dyn Store) -> CheckResult {
    use crate::signin::throttle::{ThrottleRecord, THROTTLE_WINDOW};
    let put = |r: &ThrottleRecord| {
        store.commit(&Changeset {
            throttle: vec![r.clone()],
            ..Changeset::default()
        })
    };
    let key = [7u8; 32];
    ensure!(
        ok(store.throttle(&key), "throttle")?.is_none(),
        "a record before any write"
    );
    let mut r = ThrottleRecord::new(key, t0());
    r.failures = 3;
    ok(put(&r), "first write")?;
    ensure!(
        put(&r) == Err(StoreError::Conflict),
        "a second first write of one key was not a conflict"
    );
    let stored = ok(store.throttle(&key), "throttle")?;
    let Some(mut stored) = stored else {
        return Err("the record written is gone".into());
    };
    ensure!(
        stored.version == 1 && stored.failures == 3 && stored.window_start == t0(),
        "read back {stored:?}"
    );
    stored.failures = 4;
    let mut stale = stored.clone();
    ok(put(&stored), "update")?;
    stale.failures = 9;
    ensure!(
        put(&stale) == Err(StoreError::Conflict),
        "a write at a version no longer current was not a conflict"
    );
    let now = ok(store.throttle(&key), "throttle")?.map(|r| (r.version, r.failures));
    ensure!(now == Some((2, 4)), "after a conflict: {now:?}");
    // A second record, locked past its window.
    let mut locked = ThrottleRecord::new([8u8; 32], t0());
    locked.lock = Some(crate::credentials::AutoLock {
        since: t0(),
        until: t0() + THROTTLE_WINDOW + Duration::minutes(10),
    });
    ok(put(&locked), "locked write")?;
    let purged = ok(store.purge_throttle(t0() + THROTTLE_WINDOW), "purge")?;
    ensure!(purged == 0, "a purge at the window's end removed {purged}");
    let purged = ok(
        store.purge_throttle(t0() + THROTTLE_WINDOW + Duration::seconds(1)),
        "purge",
    )?;
    ensure!(purged == 1, "purged {purged}, expected the unlocked record");
    ensure!(
        ok(store.throttle(&[8u8; 32]), "throttle")?.is_some(),
        "a record under a lock was purged"
    );
    let purged = ok(
        store.purge_throttle(t0() + THROTTLE_WINDOW + Duration::minutes(11)),
        "purge",
    )?;
    ensure!(purged == 1, "purged {purged} after the lock ended");
    Ok(())
}
