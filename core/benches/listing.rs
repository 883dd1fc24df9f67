//! Criterion benchmarks of the Account Contacts page (SPEC I5): a sorted,
//! filtered page of an account of 10,000 contacts beside one of an account
//! of 10, on the in-memory and the SQLite store. The store walks the order
//! from an index, so a page costs what it returns and walks, not what the
//! account holds. Its peer, in the same run: the same pages from a store
//! that keeps no such index (`Store::members_in_order`'s default, which
//! reads and sorts the whole account: a host's own store until it indexes
//! the orders, and what the library did before). Figures go to
//! BENCHMARKS.md with the command that produced them.

use std::hint::black_box;
use std::sync::Arc;

use contactkeeper::*;
use criterion::{BenchmarkId, Criterion};

// The tests' store wrapper: it delegates every method it defines and
// leaves `members_in_order` to the trait's default.
#[path = "../tests/common/mod.rs"]
mod common;

/// An account of `n` contacts (the owner included), created by the host;
/// every fifth is a technical administrator. Names run in an order that is
/// not the order of creation.
fn account_of(dir: &Directory, n: usize) -> AccountId {
    let mut new = NewAccount::new(
        "Bench Corp",
        NewContact::new(
            format!("owner{n}"),
            Profile::new("Owner", "owner@example.com"),
        ),
    );
    new.plan.included_contacts = u32::MAX;
    let acct = dir.create_account(&Actor::System, &new).unwrap().account;
    for i in 1..n {
        let name = format!("Person {:05}", (i * 7919) % 100_000);
        let roles = if i % 5 == 0 {
            RoleSet::of(&[Role::TechnicalAdmin])
        } else {
            RoleSet::EMPTY
        };
        let login = format!("c{n}-{i}");
        let profile = Profile::new(name, format!("{login}@example.com"));
        dir.create_contact(
            &Actor::System,
            acct,
            &NewContact::new(login, profile).with_roles(roles),
        )
        .unwrap();
    }
    acct
}

fn listing(c: &mut Criterion, name: &str, store: Arc<dyn Store>) {
    let dir = Directory::builder(store).build();
    let mut g = c.benchmark_group(format!("contacts_page_{name}"));
    for n in [10usize, 10_000] {
        let acct = account_of(&dir, n);
        let page = |q: &ContactQuery| dir.search_contacts(&Actor::System, acct, q).unwrap();
        let by_name = ContactQuery {
            sort: ContactSort::Name,
            limit: 50,
            ..ContactQuery::default()
        };
        let unlocked = ContactQuery {
            locked: Some(false),
            ..by_name.clone()
        };
        let admins = ContactQuery {
            role: Some(Role::TechnicalAdmin),
            ..by_name.clone()
        };
        let ten = ContactQuery {
            limit: 10,
            ..unlocked.clone()
        };
        let second = ContactQuery {
            cursor: page(&unlocked).next,
            ..unlocked.clone()
        };
        assert_eq!(page(&unlocked).contacts.len(), n.min(50));
        g.bench_with_input(BenchmarkId::new("name_unlocked_50", n), &n, |b, _| {
            b.iter(|| black_box(page(&unlocked)))
        });
        g.bench_with_input(BenchmarkId::new("name_unlocked_10", n), &n, |b, _| {
            b.iter(|| black_box(page(&ten)))
        });
        g.bench_with_input(BenchmarkId::new("name_admins_50", n), &n, |b, _| {
            b.iter(|| black_box(page(&admins)))
        });
        if second.cursor.is_some() {
            g.bench_with_input(BenchmarkId::new("name_unlocked_50_page2", n), &n, |b, _| {
                b.iter(|| black_box(page(&second)))
            });
        }
    }
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    listing(&mut c, "memory", Arc::new(MemoryStore::new()));
    let unindexed = common::Wrapped::new(Arc::new(MemoryStore::new()));
    listing(&mut c, "memory_unindexed", unindexed);
    let dir = tempfile::tempdir().unwrap();
    // Setting up 10,010 contacts commit by commit: no fsync for each.
    let options = SqliteOptions::default().durable_commits(false);
    let sqlite = SqliteStore::open_with(dir.path().join("listing.db"), &options).unwrap();
    listing(&mut c, "sqlite", Arc::new(sqlite));
    c.final_summary();
}
