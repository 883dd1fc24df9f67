//! The PostgreSQL store against a real server: the store conformance suite
//! (each check on a database of its own) and a Directory's day on it.
//!
//! The server is `CONTACTKEEPER_POSTGRES_URL` (a role that may create
//! databases, in libpq's `key=value` form or as a `postgres://` URL);
//! `tests/postgres/server.sh` starts a throwaway one for `tests/run-all.sh`.
//! Without it these tests say so and pass, unless `CI=true`: then they fail.
#![cfg(feature = "postgres")]
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use contactkeeper::store::conformance;
use contactkeeper::*;

/// The server's URL, or `None` (and why) when there is none to use.
fn server() -> Option<String> {
    match std::env::var("CONTACTKEEPER_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true and CONTACTKEEPER_POSTGRES_URL is not set: the PostgreSQL tests must run"
            );
            eprintln!("CONTACTKEEPER_POSTGRES_URL is not set: the PostgreSQL tests did not run");
            None
        }
    }
}

/// `url` pointing at database `db` instead.
fn with_database(url: &str, db: &str) -> String {
    if let Some(rest) = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
    {
        let (authority, query) = match rest.split_once('/') {
            Some((a, path)) => (a, path.split_once('?').map(|(_, q)| q)),
            None => (rest, None),
        };
        match query {
            Some(q) => format!("postgres://{authority}/{db}?{q}"),
            None => format!("postgres://{authority}/{db}"),
        }
    } else {
        format!("{url} dbname={db}")
    }
}

static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// A new, empty database on the server, a store on it, and its URL.
fn fresh(url: &str) -> (PostgresStore, String) {
    let name = format!(
        "ck_test_{}_{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let db = with_database(url, &name);
    (PostgresStore::connect(&db).unwrap(), db)
}

#[test]
fn the_postgres_store_passes_the_conformance_suite() {
    let Some(url) = server() else { return };
    let failures = conformance::run_all(&|| Box::new(fresh(&url).0));
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_directory_runs_on_postgres() {
    let Some(url) = server() else { return };
    let (store, db) = fresh(&url);
    let f = common::Fixture::on(std::sync::Arc::new(store));
    let (acct, owner) = f.account("alice");
    let bob = f.contact(acct, "bob", RoleSet::of(&[Role::ContactManager]));
    let page = f
        .dir
        .search_contacts(
            &Actor::contact(bob),
            acct,
            &ContactQuery {
                sort: ContactSort::Login,
                ..ContactQuery::default()
            },
        )
        .unwrap();
    let logins: Vec<&str> = page.contacts.iter().map(|c| c.login.as_str()).collect();
    assert_eq!(logins, ["alice", "bob"]);
    f.dir
        .transfer_ownership(&Actor::contact(owner), acct, bob)
        .unwrap();
    assert_eq!(f.dir.account(&Actor::System, acct).unwrap().owner, bob);
    assert!(matches!(
        f.dir.verify_audit(&Actor::System, acct).unwrap(),
        AuditVerification::Intact { .. }
    ));
    // The same database, opened again (another server, or a restart).
    drop(f);
    let again = PostgresStore::connect(&db).unwrap();
    assert_eq!(again.account(acct).unwrap().unwrap().owner, bob);
}

// rule K2: bad URLs and unreachable servers are typed errors that never
// print the password.
#[test]
fn a_bad_url_or_an_unreachable_server_is_a_typed_error_without_the_password() {
    for url in [
        "postgres://ck:s3cret-pw@/nowhere?host=/nonexistent-dir",
        "not a url at all ===",
        "host=/nonexistent-dir user=ck password=s3cret-pw dbname=x connect_timeout=1",
    ] {
        let err = PostgresStore::connect(url).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(matches!(err, StoreError::CannotOpen(_)), "{url}: {err:?}");
        assert!(!text.contains("s3cret-pw"), "{text}");
    }
}
