//! Small native value types: ids, actors, an actor's access, and a few
//! functions of the core.

use contactkeeper::{Access, AccountId, Actor, ContactId, NotificationId, Permission, ResourceId};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFrozenSet, PyTuple, PyType};

use crate::convert::{self, types};
use crate::errors;

macro_rules! id_class {
    ($rust:ident, $core:ident, $name:literal, $prefix:literal, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(frozen, eq, hash, ord, from_py_object, name = $name, module = "contactkeeper")]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub(crate) struct $rust(pub(crate) $core);

        #[pymethods]
        impl $rust {
            #[new]
            fn new(value: convert::IdNumber) -> Self {
                $rust($core(value.0))
            }

            /// The number behind the id.
            #[getter]
            fn value(&self) -> u64 {
                self.0.get()
            }

            fn __int__(&self) -> u64 {
                self.0.get()
            }

            fn __repr__(&self) -> String {
                format!(concat!($name, "({})"), self.0.get())
            }

            fn __str__(&self) -> String {
                self.0.to_string()
            }

            fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyType>, (u64,))> {
                Ok((slf.get_type(), (slf.get().0.get(),)))
            }

            /// The id written as the audit log writes it (`
            #[doc = $prefix]
            /// :<n>`).
            #[classmethod]
            fn parse(_cls: &Bound<'_, PyType>, text: &str) -> PyResult<Self> {
                text.strip_prefix(concat!($prefix, ":"))
                    .and_then(|n| n.parse::<u64>().ok())
                    .map(|n| $rust($core(n)))
                    .ok_or_else(|| {
                        PyValueError::new_err(concat!("expected '", $prefix, ":<number>'"))
                    })
            }
        }
    };
}

id_class!(
    PyAccountId,
    AccountId,
    "AccountId",
    "account",
    "An account (a tenant of the host portal)."
);
id_class!(
    PyContactId,
    ContactId,
    "ContactId",
    "contact",
    "A contact (a login with one profile, possibly shared by accounts)."
);
id_class!(
    PyResourceId,
    ResourceId,
    "ResourceId",
    "resource",
    "A resource an account manages: a computer, a site, a phone system."
);
id_class!(
    PyNotificationId,
    NotificationId,
    "NotificationId",
    "notification",
    "A notification in the outbox."
);

/// Who performs an operation: a contact, the provider's support desk, a
/// partner, or the host itself. Every operation that takes an actor also
/// takes a `ContactId`, meaning that contact.
#[pyclass(frozen, eq, hash, name = "Actor", module = "contactkeeper")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyActor(pub(crate) Actor);

#[pymethods]
impl PyActor {
    /// A contact acting in whichever account the operation names.
    #[staticmethod]
    fn contact(id: PyContactId) -> PyActor {
        PyActor(Actor::contact(id.0))
    }

    /// The provider's support desk: `agent` is who acts, `reason` why (an
    /// ownership transfer needs one, A4); both go to the audit log.
    #[staticmethod]
    #[pyo3(signature = (agent, reason = None))]
    fn support_desk(agent: &Bound<'_, PyAny>, reason: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let agent = convert::text(agent, contactkeeper::Field::Agent, "agent")?;
        let reason = match reason {
            Some(r) => convert::text(r, contactkeeper::Field::Reason, "reason")?,
            None => String::new(),
        };
        Ok(PyActor(Actor::support_desk(agent, reason)))
    }

    /// A partner (reseller), acting on the accounts it resells.
    #[staticmethod]
    fn partner(id: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyActor(Actor::partner(convert::text(
            id,
            contactkeeper::Field::Partner,
            "id",
        )?)))
    }

    /// The host portal itself (provisioning, imports, automation).
    #[classattr]
    #[expect(
        non_snake_case,
        reason = "a Python class constant, spelt as Python spells constants"
    )]
    fn SYSTEM() -> PyActor {
        PyActor(Actor::System)
    }

    /// `"contact"`, `"support_desk"`, `"partner"` or `"system"`.
    #[getter]
    fn kind(&self) -> &'static str {
        match &self.0 {
            Actor::Contact(_) => "contact",
            Actor::SupportDesk { .. } => "support_desk",
            Actor::Partner(_) => "partner",
            _ => "system",
        }
    }

    /// The contact behind this actor, if it is one.
    #[getter]
    fn contact_id(&self) -> Option<PyContactId> {
        self.0.contact_id().map(PyContactId)
    }

    /// The support-desk agent, for a support-desk actor.
    #[getter]
    fn agent(&self) -> Option<&str> {
        match &self.0 {
            Actor::SupportDesk { agent, .. } => Some(agent),
            _ => None,
        }
    }

    /// The support desk's reason, for a support-desk actor.
    #[getter]
    fn reason(&self) -> Option<&str> {
        match &self.0 {
            Actor::SupportDesk { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// The partner's id, for a partner actor.
    #[getter]
    fn partner_id(&self) -> Option<&str> {
        match &self.0 {
            Actor::Partner(p) => Some(p),
            _ => None,
        }
    }

    /// How the audit log names this actor.
    #[getter]
    fn audit_label(&self) -> String {
        self.0.audit_label()
    }

    fn __repr__(&self) -> String {
        match &self.0 {
            Actor::Contact(id) => format!("Actor.contact(ContactId({}))", id.get()),
            Actor::SupportDesk { agent, reason } => {
                format!("Actor.support_desk(agent={agent:?}, reason={reason:?})")
            }
            Actor::Partner(p) => format!("Actor.partner({p:?})"),
            _ => "Actor.SYSTEM".to_owned(),
        }
    }
}

/// An actor argument: an `Actor`, or a `ContactId` for that contact.
pub(crate) struct ActorArg(pub(crate) Actor);

impl<'a, 'py> FromPyObject<'a, 'py> for ActorArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(a) = obj.cast::<PyActor>() {
            return Ok(ActorArg(a.get().0.clone()));
        }
        if let Ok(c) = obj.cast::<PyContactId>() {
            return Ok(ActorArg(Actor::Contact(c.get().0)));
        }
        Err(convert::type_error("", "Actor or ContactId", &obj))
    }
}

/// What an actor may do in one account (C2): the single authorization
/// decision of SPEC C's table, read from the current state when it was
/// made.
#[pyclass(frozen, eq, name = "Access", module = "contactkeeper")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyAccess(pub(crate) Access);

#[pymethods]
impl PyAccess {
    /// Whether the actor holds `permission` in the account.
    fn allows(&self, py: Python<'_>, permission: &Bound<'_, PyAny>) -> PyResult<bool> {
        let p = types(py)?.permission.rust(permission, "permission")?;
        Ok(self.0.allows(p))
    }

    /// Raises `PermissionDeniedError` unless the actor holds `permission`.
    fn require(&self, py: Python<'_>, permission: &Bound<'_, PyAny>) -> PyResult<()> {
        let p = types(py)?.permission.rust(permission, "permission")?;
        self.0.require(p).map_err(|e| errors::to_py(py, e))
    }

    /// Whether the actor may use the technical-administration option
    /// `option` (C4).
    fn allows_option(&self, option: &str) -> bool {
        self.0.allows_option(option)
    }

    /// Whether the actor may complete a chargeable action (C3).
    fn may_complete_charge(&self) -> bool {
        self.0.may_complete_charge()
    }

    /// Every permission the actor holds, for a host's menus.
    #[getter]
    fn permissions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyFrozenSet>> {
        let t = types(py)?;
        let ps = self
            .0
            .permissions()
            .iter()
            .map(|p| t.permission.py(py, p))
            .collect::<PyResult<Vec<_>>>()?;
        PyFrozenSet::new(py, &ps)
    }

    /// The roles the actor holds in the account (every role for the owner).
    #[getter]
    fn roles<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::roles_py(py, self.0.roles())
    }

    /// The roles the actor may grant or revoke (C3, C6).
    #[getter]
    fn assignable_roles<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::roles_py(py, self.0.assignable_roles())
    }

    /// How the actor stands in the account.
    #[getter]
    fn standing<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        types(py)?.standing.py(py, self.0.standing())
    }

    /// The technical-administrator options reached (C4); `None` for all.
    #[getter]
    fn tech_scope<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::tech_scope_py(py, self.0.tech_scope())
    }

    /// Whether procurement mode (C3) is on for the account.
    #[getter]
    fn procurement_enabled(&self) -> bool {
        self.0.procurement_enabled()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let r = |o: Bound<'_, PyAny>| -> PyResult<String> { Ok(o.repr()?.to_cow()?.into_owned()) };
        let t = types(py)?;
        let perms: Vec<&str> = self.0.permissions().iter().map(Permission::name).collect();
        Ok(format!(
            "Access(standing={}, roles={}, permissions={{{}}}, tech_scope={}, procurement_enabled={})",
            r(t.standing.py(py, self.0.standing())?)?,
            r(convert::roles_py(py, self.0.roles())?)?,
            perms.join(", "),
            r(convert::tech_scope_py(py, self.0.tech_scope())?)?,
            if self.0.procurement_enabled() { "True" } else { "False" }
        ))
    }
}

/// A time as a contact reads it (I3): in its IANA zone, daylight saving
/// included, e.g. `2026-03-08 03:30 EDT (UTC-04:00)`. A zone the tz
/// database does not know raises `InvalidInputError` (field `time_zone`).
#[pyfunction]
pub(crate) fn local_time(at: &Bound<'_, PyAny>, zone: &Bound<'_, PyAny>) -> PyResult<String> {
    let py = zone.py();
    let at = convert::datetime(at, "at")?;
    let zone = convert::text(zone, contactkeeper::Field::TimeZone, "zone")?;
    contactkeeper::local_time(at, &zone).map_err(|e| crate::errors::to_py(py, e))
}

/// The TOTP code (RFC 6238: SHA-1, 6 digits, 30 s) of a base32 secret at a
/// time (now by default): what an authenticator app shows. For tests and
/// for hosts that provision devices.
#[pyfunction]
#[pyo3(signature = (secret_base32, at = None))]
pub(crate) fn totp_code(secret_base32: &str, at: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    let at = match convert::opt_datetime(at, "at")? {
        Some(t) => t,
        None => time::OffsetDateTime::now_utc(),
    };
    let cleaned: String = secret_base32
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let secret = data_encoding::BASE32_NOPAD
        .decode(cleaned.as_bytes())
        .map_err(|_| PyValueError::new_err("secret_base32: not base32"))?;
    let unix =
        u64::try_from(at.unix_timestamp()).map_err(|_| PyValueError::new_err("at: before 1970"))?;
    let code = contactkeeper::second_factor::totp(
        &secret,
        unix,
        contactkeeper::second_factor::CODE_DIGITS,
    );
    Ok(format!("{code:06}"))
}

/// An amount as a person reads it ("5.00 USD", "500 JPY"), for
/// `Money.__str__`.
#[pyfunction]
pub(crate) fn _money_text(minor_units: u64, currency: &str) -> String {
    contactkeeper::Money::new(minor_units, currency).to_string()
}

/// The core's defaults, for the Python dataclasses.
#[pyfunction]
pub(crate) fn _defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    let plan = contactkeeper::Plan::default();
    d.set_item("plan_name", &plan.name)?;
    d.set_item("plan_included_contacts", plan.included_contacts)?;
    d.set_item(
        "plan_price",
        (
            plan.additional_contact_price.minor_units,
            &plan.additional_contact_price.currency,
        ),
    )?;
    d.set_item("plan_tech_options", PyTuple::new(py, &plan.tech_options)?)?;
    d.set_item("time_zone", contactkeeper::Profile::new("", "").time_zone)?;
    let pw = contactkeeper::PasswordPolicy::default();
    d.set_item("password_min_length", pw.min_length)?;
    d.set_item("password_history", pw.history)?;
    d.set_item(
        "lock_max_attempts",
        contactkeeper::LockPolicy::default().max_attempts,
    )?;
    let cost = contactkeeper::HashCost::default();
    d.set_item("hash_cost", (cost.m_kib, cost.t, cost.p))?;
    let life = contactkeeper::SessionLifetimes::default();
    d.set_item("session_idle", life.idle.whole_seconds())?;
    d.set_item("session_absolute", life.absolute.whole_seconds())?;
    d.set_item(
        "delivery_timeout",
        contactkeeper::DEFAULT_DELIVERY_TIMEOUT.as_secs_f64(),
    )?;
    d.set_item("max_attempts", contactkeeper::DEFAULT_MAX_ATTEMPTS)?;
    let sqlite = contactkeeper::SqliteOptions::default();
    d.set_item("sqlite_busy_timeout", sqlite.busy_timeout.as_secs_f64())?;
    d.set_item("sqlite_max_size", sqlite.max_size)?;
    d.set_item("sqlite_durable_commits", sqlite.durable_commits)?;
    Ok(d)
}

/// The exception the bindings raise for a representative core error of each
/// kind (by its snake_case name), for tests of the translation of kinds a
/// test cannot provoke (a random source that fails, a store that fails).
#[pyfunction]
pub(crate) fn _core_error(py: Python<'_>, kind: &str) -> PyResult<Py<PyAny>> {
    use contactkeeper::{
        AuthFailure, Duty, Entity, Error, Field, Problem, Rank, ResourceId, Rule, StoreError,
    };
    let e = match kind {
        "invalid_input" => Error::InvalidInput {
            field: Field::Login,
            problem: Problem::TooLong { max: 128 },
        },
        "permission_denied" => Error::PermissionDenied {
            permission: Permission::ManageBilling,
        },
        "not_found" => Error::NotFound {
            entity: Entity::Account,
        },
        "already_exists" => Error::AlreadyExists {
            entity: Entity::Login,
        },
        "rule_violation" => Error::RuleViolation {
            rule: Rule::A5OwnerNotDeletable,
        },
        "conflict" => Error::Conflict { attempts: 32 },
        "store" => Error::Store(StoreError::Backend("disk full".into())),
        "random_unavailable" => Error::RandomUnavailable,
        "output" => Error::Output("broken pipe".into()),
        "unauthenticated" => Error::Unauthenticated {
            reason: AuthFailure::Expired,
        },
        "locked" => Error::Unauthenticated {
            reason: AuthFailure::Locked,
        },
        "invalid_credentials" => Error::InvalidCredentials,
        "not_eligible" => Error::NotEligible {
            missing: vec![Field::Email, Field::BusinessPhone],
        },
        "duties_held" => Error::DutiesHeld {
            duties: vec![
                Duty::Technical {
                    resource: ResourceId(7),
                    rank: Rank::Primary,
                },
                Duty::Billing {
                    rank: Rank::Primary,
                },
            ],
        },
        _ => return Err(PyValueError::new_err("unknown error kind")),
    };
    Ok(errors::to_py(py, e).into_value(py).into_any())
}
