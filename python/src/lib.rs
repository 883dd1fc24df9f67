//! `contactkeeper._native`: the Python bindings of contactkeeper.
//!
//! Thin by design (ARCHITECTURE): this crate translates Python values to
//! the core's types and back, and the core's errors to Python exceptions;
//! no rule lives here. Inputs are converted to owned Rust values while the
//! interpreter is attached, then the core runs detached from it (the GIL
//! released), so password hashing and store I/O never block other Python
//! threads, and a notifier that the core calls from its delivery thread can
//! attach without waiting for the caller.
//!
//! The value types, enumerations and exception classes are defined in
//! Python (`contactkeeper/_types.py`, `_enums.py`, `_errors.py`); this
//! module looks them up once ([`convert::types`]).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pyo3::prelude::*;

mod convert;
mod directory;
mod errors;
mod handles;
mod names;
mod notifier;

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // The library's version, as its C header and Cargo.toml give it.
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<directory::PyDirectory>()?;
    m.add_class::<handles::PyAccountId>()?;
    m.add_class::<handles::PyContactId>()?;
    m.add_class::<handles::PyResourceId>()?;
    m.add_class::<handles::PyNotificationId>()?;
    m.add_class::<handles::PyActor>()?;
    m.add_class::<handles::PyAccess>()?;
    m.add_class::<notifier::PyManualClock>()?;
    m.add_class::<notifier::PyMemoryNotifier>()?;
    m.add_function(wrap_pyfunction!(handles::local_time, m)?)?;
    m.add_function(wrap_pyfunction!(handles::totp_code, m)?)?;
    m.add_function(wrap_pyfunction!(handles::_defaults, m)?)?;
    m.add_function(wrap_pyfunction!(handles::_money_text, m)?)?;
    m.add_function(wrap_pyfunction!(handles::_core_error, m)?)?;
    m.add_function(wrap_pyfunction!(names::_enum_names, m)?)?;
    m.add_function(wrap_pyfunction!(directory::_bench_authorize, m)?)?;
    let catalogue =
        pyo3::types::PyTuple::new(m.py(), contactkeeper::security_questions::CATALOGUE.iter())?;
    m.add("SECURITY_QUESTIONS", catalogue)?;
    m.add("MAX_PAGE", contactkeeper::MAX_PAGE)?;
    m.add("MAX_AUDIT_PAGE", contactkeeper::AuditQuery::MAX_LIMIT)?;
    Ok(())
}
