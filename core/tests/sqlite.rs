//! The SQLite store: the conformance suite, bad input, concurrency across
//! threads and processes, crash safety.
#![cfg(feature = "sqlite")]

mod common;
use common::*;
use contactkeeper::store::conformance;

#[test]
fn sqlite_store_passes_the_conformance_suite() {
    let failures = conformance::run_all(&|| Box::new(TempSqlite::new()));
    assert!(failures.is_empty(), "{failures:#?}");
}
