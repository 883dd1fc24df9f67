//! The in-memory store passes the store conformance suite.

use contactkeeper::store::{conformance, MemoryStore};

#[test]
fn memory_store_passes_the_conformance_suite() {
    let failures = conformance::run_all(&|| Box::new(MemoryStore::new()));
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(conformance::CHECKS.len() >= 13);
}
