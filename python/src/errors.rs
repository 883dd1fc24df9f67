//! The core's errors as Python exceptions (SPEC K1): one class per error
//! kind, defined in `contactkeeper/_errors.py`, each carrying the kind's
//! stable code and the rule it enforces.

use contactkeeper::{AuthFailure, Error, ErrorCode, Field, Problem, StoreError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::{self, problem_name, types};

/// The exception classes, looked up once.
pub(crate) struct Classes {
    base: Py<PyAny>,
    by_code: Vec<(ErrorCode, Py<PyAny>)>,
    locked: Py<PyAny>,
    pub(crate) closed: Py<PyAny>,
}

impl Classes {
    pub(crate) fn load(m: &Bound<'_, PyModule>) -> PyResult<Classes> {
        let get = |name: &str| m.getattr(name).map(Bound::unbind);
        let by_code = vec![
            (ErrorCode::InvalidInput, get("InvalidInputError")?),
            (ErrorCode::PermissionDenied, get("PermissionDeniedError")?),
            (ErrorCode::NotFound, get("NotFoundError")?),
            (ErrorCode::AlreadyExists, get("AlreadyExistsError")?),
            (ErrorCode::RuleViolation, get("RuleViolationError")?),
            (ErrorCode::Conflict, get("ConflictError")?),
            (ErrorCode::Store, get("StoreError")?),
            (ErrorCode::RandomUnavailable, get("RandomUnavailableError")?),
            (ErrorCode::Output, get("OutputError")?),
            (ErrorCode::Unauthenticated, get("UnauthenticatedError")?),
            (
                ErrorCode::InvalidCredentials,
                get("InvalidCredentialsError")?,
            ),
            (ErrorCode::NotEligible, get("NotEligibleError")?),
            (ErrorCode::DutiesHeld, get("DutiesHeldError")?),
        ];
        Ok(Classes {
            base: get("ContactKeeperError")?,
            by_code,
            locked: get("LockedError")?,
            closed: get("DirectoryClosedError")?,
        })
    }
}

/// The Python exception for a core error.
pub(crate) fn to_py(py: Python<'_>, e: Error) -> PyErr {
    match build(py, &e) {
        Ok(err) => err,
        Err(failed) => failed,
    }
}

fn build(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let t = types(py)?;
    let kw = PyDict::new(py);
    kw.set_item("rule", e.rule())?;
    let code = e.code();
    let mut class = t
        .errors
        .by_code
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, class)| class);
    match e {
        Error::InvalidInput { field, problem } => {
            let (name, limit) = problem_name(problem);
            kw.set_item("field", t.field.py(py, *field)?)?;
            kw.set_item("problem", t.problem.py(py, name)?)?;
            kw.set_item("limit", limit)?;
        }
        Error::PermissionDenied { permission } => {
            kw.set_item("permission", t.permission.py(py, *permission)?)?;
        }
        Error::NotFound { entity } | Error::AlreadyExists { entity } => {
            kw.set_item("entity", t.entity.py(py, *entity)?)?;
        }
        Error::RuleViolation { rule } => {
            kw.set_item("explanation", rule.explain())?;
        }
        Error::Store(store) => {
            kw.set_item("kind", store_kind(store))?;
        }
        Error::Conflict { attempts } => {
            kw.set_item("attempts", attempts)?;
        }
        Error::Unauthenticated { reason } => {
            kw.set_item("reason", t.auth_failure.py(py, *reason)?)?;
            if *reason == AuthFailure::Locked {
                class = Some(&t.errors.locked);
            }
        }
        Error::NotEligible { missing } => {
            let fields = missing
                .iter()
                .map(|f| t.field.py(py, *f))
                .collect::<PyResult<Vec<_>>>()?;
            kw.set_item("missing", PyTuple::new(py, fields)?)?;
        }
        Error::DutiesHeld { duties } => {
            let duties = duties
                .iter()
                .map(|d| convert::duty_py(py, *d))
                .collect::<PyResult<Vec<_>>>()?;
            kw.set_item("duties", PyTuple::new(py, duties)?)?;
        }
        _ => {}
    }
    let class = match class {
        Some(c) => c,
        None => {
            // A kind newer than these bindings: the base class, with its code.
            kw.set_item("code", code.as_u16())?;
            &t.errors.base
        }
    };
    let exc = class.bind(py).call((e.to_string(),), Some(&kw))?;
    Ok(PyErr::from_value(exc))
}

/// What kind of store failure: `StoreError.kind`.
fn store_kind(e: &StoreError) -> &'static str {
    match e {
        StoreError::Conflict => "conflict",
        StoreError::Duplicate(_) => "duplicate",
        StoreError::Corrupt(_) => "corrupt",
        StoreError::Busy => "busy",
        StoreError::Full => "full",
        StoreError::SchemaTooNew { .. } => "schema_too_new",
        StoreError::NotADatabase(_) => "not_a_database",
        StoreError::CannotOpen(_) => "cannot_open",
        // Backend, and any failure newer than these bindings.
        _ => "backend",
    }
}

/// `DirectoryClosedError`.
pub(crate) fn closed(py: Python<'_>) -> PyErr {
    match types(py).and_then(|t| t.errors.closed.bind(py).call1(("the directory is closed",))) {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

/// `InvalidInputError` for `field` (problem `not_offered`): the `str` given
/// for the argument `arg` is not the name of a member of `enumeration`. As
/// the core's messages do, the message does not repeat the value.
pub(crate) fn unknown_name(py: Python<'_>, field: Field, arg: &str, enumeration: &str) -> PyErr {
    let made = types(py).and_then(|t| {
        let class = t
            .errors
            .by_code
            .iter()
            .find(|(c, _)| *c == ErrorCode::InvalidInput)
            .map(|(_, class)| class)
            .unwrap_or(&t.errors.base);
        let kw = PyDict::new(py);
        kw.set_item("field", t.field.py(py, field)?)?;
        kw.set_item("problem", t.problem.py(py, Problem::NotOffered.name())?)?;
        kw.set_item("rule", field.rule())?;
        let message = format!("{arg}: not the name of a {enumeration}");
        class.bind(py).call((message,), Some(&kw))
    });
    match made {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}
