//! The values of every enumeration the package exposes, with their stable
//! names, in the core's order: the single source that the Python
//! enumerations of `contactkeeper/_enums.py` are loaded against
//! ([`crate::convert::types`]) and compared with by the drift test
//! (`_enum_names()`, `python/tests/test_enum_drift.py`).
//!
//! Most enumerations are the core's `named_enum!`s, which list their values
//! (`ALL`) and names themselves. For those that are not, the list is made
//! here by [`listed!`] from one table, together with an exhaustive `match`
//! (no wildcard): a value added in the core fails to compile here until it
//! is named. `SessionStage`, `Problem` and `ErrorCode` are
//! `#[non_exhaustive]` in the core, so no `match` outside it can be
//! exhaustive: their lists are written out, and their names are the core's.

use contactkeeper::{
    AuthFailure, ChainProblem, Delivery, Entity, ErrorCode, Field, LockKind, Milestone,
    NotificationKind, Operation, Permission, Problem, Rank, RecoveryChannel, Role, SessionStage,
    Standing, TwoFactorMethod,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// `listed!(ALL, name_fn, Type { Variant => "name", … })`: the constant
/// `ALL` (every value, in this order) and `name_fn` (each value's stable
/// name), from one table, for an enumeration of the core that gives
/// neither. The `match` has no wildcard, so the table must name every
/// variant.
macro_rules! listed {
    ($all:ident, $name_fn:ident, $t:ident { $($v:ident => $s:literal),+ $(,)? }) => {
        #[doc = concat!("Every `", stringify!($t), "`, in the core's order.")]
        pub(crate) const $all: &[$t] = &[$($t::$v),+];

        #[doc = concat!("The stable name of a `", stringify!($t), "`.")]
        pub(crate) fn $name_fn(v: $t) -> &'static str {
            match v {
                $($t::$v => $s),+
            }
        }
    };
}

listed!(STANDINGS, standing_name, Standing {
    Owner => "owner",
    Member => "member",
    SupportDesk => "support_desk",
    Partner => "partner",
    System => "system",
    Outsider => "outsider",
});

listed!(LOCK_KINDS, lock_kind_name, LockKind {
    Automatic => "automatic",
    Manual => "manual",
});

listed!(CHAIN_PROBLEMS, chain_problem_name, ChainProblem {
    Edited => "edited",
    Missing => "missing",
    Relinked => "relinked",
    Truncated => "truncated",
});

listed!(DELIVERIES, delivery_name, Delivery {
    Delivered => "delivered",
    Undeliverable => "undeliverable",
    RetryLater => "retry_later",
});

/// Every `SessionStage` (named by the core's `SessionStage::name`). The
/// core marks it `#[non_exhaustive]`, so this list cannot be checked here
/// by the compiler.
pub(crate) const SESSION_STAGES: &[SessionStage] = &[
    SessionStage::Full,
    SessionStage::PasswordChange,
    SessionStage::SecondFactor,
    SessionStage::Enrollment,
];

/// Every problem (named by the core's `Problem::name`), a length problem
/// with a placeholder limit. The core marks `Problem` `#[non_exhaustive]`.
const PROBLEMS: &[Problem] = &[
    Problem::Empty,
    Problem::TooLong { max: 0 },
    Problem::ControlCharacter,
    Problem::Malformed,
    Problem::UnknownTimeZone,
    Problem::NotOffered,
    Problem::Duplicate,
    Problem::OutOfRange,
    Problem::TooShort { min: 0 },
    Problem::CommonPassword,
    Problem::ContainsLogin,
    Problem::RecentlyUsed,
    Problem::Missing,
];

/// The names of every problem, in the core's order.
pub(crate) fn problem_names() -> Vec<&'static str> {
    PROBLEMS.iter().map(Problem::name).collect()
}

/// The stable name of a milestone the library names; `None` for one the
/// host names (the `match` has no wildcard).
pub(crate) fn milestone_name(m: &Milestone) -> Option<&'static str> {
    match m {
        Milestone::SoftwareReady => Some("software_ready"),
        Milestone::InitialBackupCompleted => Some("initial_backup_completed"),
        Milestone::Other(_) => None,
    }
}

/// The milestones the library names, in the core's order.
pub(crate) fn milestones() -> [Milestone; 2] {
    [Milestone::SoftwareReady, Milestone::InitialBackupCompleted]
}

/// The names of the milestones the library names, in the core's order.
pub(crate) fn milestone_names() -> Vec<&'static str> {
    milestones().iter().filter_map(milestone_name).collect()
}

/// `PlanUpdate` → `PLAN_UPDATE`: a Rust variant's name as the Python
/// member's.
fn member_name(variant: &str) -> String {
    let mut out = String::with_capacity(variant.len() + 4);
    for (i, c) in variant.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// The Python member name of a value: its Rust variant's name (from
/// `Debug`, without any fields).
fn member_of(v: &impl std::fmt::Debug) -> String {
    let debug = format!("{v:?}");
    let variant = debug.split([' ', '(', '{']).next().unwrap_or_default();
    member_name(variant)
}

/// `[(member name, value name), …]`.
fn pairs<'py, T: std::fmt::Debug>(
    py: Python<'py>,
    values: &[T],
    name: impl Fn(&T) -> &'static str,
) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, values.iter().map(|v| (member_of(v), name(v))))
}

/// For every enumeration the package exposes, by class name, the core's
/// `[(member name, value), …]` in order: what `_enums.py` must define (the
/// drift test compares the two, and prints the lines to paste on a
/// mismatch).
#[pyfunction]
pub(crate) fn _enum_names(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("Rank", pairs(py, Rank::ALL, |v| v.name())?)?;
    d.set_item(
        "ContactSort",
        pairs(py, contactkeeper::ContactSort::ALL, |v| v.name())?,
    )?;
    d.set_item(
        "TwoFactorMethod",
        pairs(py, TwoFactorMethod::ALL, |v| v.name())?,
    )?;
    d.set_item("Operation", pairs(py, Operation::ALL, |v| v.name())?)?;
    d.set_item("Field", pairs(py, Field::ALL, |v| v.name())?)?;
    d.set_item("Entity", pairs(py, Entity::ALL, |v| v.name())?)?;
    d.set_item("AuthFailure", pairs(py, AuthFailure::ALL, |v| v.name())?)?;
    d.set_item(
        "RecoveryChannel",
        pairs(py, RecoveryChannel::ALL, |v| v.name())?,
    )?;
    d.set_item(
        "NotificationKind",
        pairs(py, NotificationKind::ALL, |v| v.name())?,
    )?;
    d.set_item("Role", pairs(py, Role::ALL, |v| v.name())?)?;
    d.set_item("Permission", pairs(py, Permission::ALL, |v| v.name())?)?;
    d.set_item("Standing", pairs(py, STANDINGS, |v| standing_name(*v))?)?;
    d.set_item("LockKind", pairs(py, LOCK_KINDS, |v| lock_kind_name(*v))?)?;
    d.set_item("SessionStage", pairs(py, SESSION_STAGES, |v| v.name())?)?;
    d.set_item(
        "ChainProblem",
        pairs(py, CHAIN_PROBLEMS, |v| chain_problem_name(*v))?,
    )?;
    d.set_item("Delivery", pairs(py, DELIVERIES, |v| delivery_name(*v))?)?;
    let milestones: Vec<(String, &str)> = milestone_names()
        .into_iter()
        .map(|n| (n.to_ascii_uppercase(), n))
        .collect();
    d.set_item("Milestone", milestones)?;
    d.set_item("Problem", pairs(py, PROBLEMS, Problem::name)?)?;
    let codes: Vec<(String, u16)> = contactkeeper::error::ALL_CODES
        .iter()
        .map(|c: &ErrorCode| (c.name().to_ascii_uppercase(), c.as_u16()))
        .collect();
    d.set_item("ErrorCode", codes)?;
    Ok(d)
}
