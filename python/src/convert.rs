//! Conversions between Python values and the core's types.
//!
//! Inputs become owned Rust values here, while attached to the interpreter;
//! the core then runs detached. A value of the wrong type raises
//! `TypeError`; a `str` that is not valid Unicode (lone surrogates) raises
//! the core's `InvalidInputError` for the field it was meant for, except
//! where the value is *presented for verification* (a token, a code, a
//! sign-in password): there it becomes a value that never verifies, so
//! that the core answers, counts and audits it as it would any wrong value.
//! An enumeration argument takes a member or a member's name (its value, a
//! `str`); an unknown name raises `InvalidInputError` (problem
//! `not_offered`) for the field the enumeration belongs to.

use std::net::IpAddr;

use contactkeeper::{
    AccountCreated, AccountId, AccountView, AuditEntry, AuditVerification, AuthFailure,
    BillingContacts, ChainProblem, ContactAdded, ContactId, ContactView, Delivery, DeliveryReport,
    Duty, DutyInfo, DutyTarget, EnrollmentStart, Entity, Error, Field, HashCost, LockKind,
    LockMark, LockPolicy, Milestone, Money, NewContact, Notification, NotificationKind,
    NotificationPrefs, Operation, OutboxItem, Password, PasswordPolicy, Permission, Plan, Problem,
    Profile, Rank, RecoveryChannel, ResourceAdded, ResourceId, ResourceRecord, Role, RoleSet,
    Service, SessionGrant, SessionInfo, SessionLifetimes, SessionStage, Standing, TechScope,
    TwoFactorMethod,
};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFrozenSet, PyString, PyTuple};
use time::OffsetDateTime;

use crate::errors;
use crate::handles::{PyAccountId, PyContactId, PyNotificationId, PyResourceId};
use crate::names;

/// A Python enumeration whose values are the core's stable names, mapped to
/// the core's values. Python to Rust is a scan of identities (no string
/// work); loading checks that the two sides have the same values. An
/// enumeration that the API takes as an argument also takes a member's
/// name (a `str`, [`EnumMap::by_name`]).
pub(crate) struct EnumMap<T: 'static> {
    name: &'static str,
    members: Vec<Py<PyAny>>,
    values: Vec<T>,
    names: Vec<&'static str>,
    /// The field an unknown name is reported for; `None` when names are not
    /// taken.
    field: Option<Field>,
}

impl<T: Copy + PartialEq + 'static> EnumMap<T> {
    fn load(
        module: &Bound<'_, PyModule>,
        name: &'static str,
        values: &[T],
        stable: impl Fn(T) -> &'static str,
    ) -> PyResult<EnumMap<T>> {
        let class = module.getattr(name)?;
        let count = class.len()?;
        if count != values.len() {
            return Err(PyRuntimeError::new_err(format!(
                "contactkeeper.{name} has {count} members; the core has {}",
                values.len()
            )));
        }
        let members = values
            .iter()
            .map(|v| class.call1((stable(*v),)).map(Bound::unbind))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(EnumMap {
            name,
            members,
            values: values.to_vec(),
            names: values.iter().map(|v| stable(*v)).collect(),
            field: None,
        })
    }

    /// Takes a member's name (its value, a `str`) as well as the member;
    /// an unknown name is `InvalidInputError` for `field`, problem
    /// `not_offered`.
    fn by_name(mut self, field: Field) -> EnumMap<T> {
        self.field = Some(field);
        self
    }

    /// The Python member of `v`.
    pub(crate) fn py<'py>(&self, py: Python<'py>, v: T) -> PyResult<Bound<'py, PyAny>> {
        match self.values.iter().position(|x| *x == v) {
            Some(i) => Ok(self.members[i].bind(py).clone()),
            None => Err(PyRuntimeError::new_err(format!(
                "a core value has no member in contactkeeper.{}",
                self.name
            ))),
        }
    }

    /// The core value of a Python member (or, when names are taken, of a
    /// member's name).
    pub(crate) fn rust(&self, obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<T> {
        for (m, v) in self.members.iter().zip(&self.values) {
            if obj.is(m) {
                return Ok(*v);
            }
        }
        let Some(field) = self.field else {
            return Err(type_error(arg, self.name, obj));
        };
        let Ok(s) = obj.cast::<PyString>() else {
            return Err(type_error(arg, &format!("{} or str", self.name), obj));
        };
        let py = obj.py();
        let Ok(given) = s.to_cow() else {
            return Err(invalid(py, field, Problem::Malformed));
        };
        match self.names.iter().position(|n| *n == given) {
            Some(i) => Ok(self.values[i]),
            None => Err(errors::unknown_name(py, field, arg, self.name)),
        }
    }
}

/// The classes of the Python side, looked up once.
pub(crate) struct Types {
    pub role: EnumMap<Role>,
    pub permission: EnumMap<Permission>,
    pub operation: EnumMap<Operation>,
    pub field: EnumMap<Field>,
    pub entity: EnumMap<Entity>,
    pub auth_failure: EnumMap<AuthFailure>,
    pub recovery_channel: EnumMap<RecoveryChannel>,
    pub two_factor_method: EnumMap<TwoFactorMethod>,
    pub notification_kind: EnumMap<NotificationKind>,
    pub rank: EnumMap<Rank>,
    pub contact_sort: EnumMap<contactkeeper::ContactSort>,
    pub standing: EnumMap<Standing>,
    pub lock_kind: EnumMap<LockKind>,
    pub session_stage: EnumMap<SessionStage>,
    pub chain_problem: EnumMap<ChainProblem>,
    pub delivery: EnumMap<Delivery>,
    pub problem: EnumMap<&'static str>,
    pub milestone: EnumMap<&'static str>,

    pub money: Py<PyAny>,
    pub plan: Py<PyAny>,
    pub service: Py<PyAny>,
    pub account_created: Py<PyAny>,
    pub account_view: Py<PyAny>,
    pub profile: Py<PyAny>,
    pub new_contact: Py<PyAny>,
    pub contact_added: Py<PyAny>,
    pub invitation: Py<PyAny>,
    pub pending_member: Py<PyAny>,
    pub contact_page: Py<PyAny>,
    pub membership: Py<PyAny>,
    pub security_policy: Py<PyAny>,
    pub password_status: Py<PyAny>,
    pub two_factor_status: Py<PyAny>,
    pub lock_mark: Py<PyAny>,
    pub contact_view: Py<PyAny>,
    pub password_policy: Py<PyAny>,
    pub lock_policy: Py<PyAny>,
    pub hash_cost: Py<PyAny>,
    pub sqlite_options: Py<PyAny>,
    pub session_lifetimes: Py<PyAny>,
    pub notification_prefs: Py<PyAny>,
    pub enrollment_start: Py<PyAny>,
    pub session_grant: Py<PyAny>,
    pub session_info: Py<PyAny>,
    pub signed_in: Py<PyAny>,
    pub password_change_required: Py<PyAny>,
    pub second_factor_required: Py<PyAny>,
    pub enrollment_required: Py<PyAny>,
    pub locked: Py<PyAny>,
    pub ip_not_allowed: Py<PyAny>,
    pub invalid_credentials: Py<PyAny>,
    pub account_required: Py<PyAny>,
    pub bind_outcome: Py<PyAny>,
    pub audit_entry: Py<PyAny>,
    pub audit_intact: Py<PyAny>,
    pub audit_broken: Py<PyAny>,
    pub resource: Py<PyAny>,
    pub billing_contacts: Py<PyAny>,
    pub duty_info: Py<PyAny>,
    pub resource_added: Py<PyAny>,
    pub technical_duty: Py<PyAny>,
    pub billing_duty: Py<PyAny>,
    pub notification: Py<PyAny>,
    pub outbox_item: Py<PyAny>,
    pub delivery_report: Py<PyAny>,

    pub errors: errors::Classes,

    pub datetime: Py<PyAny>,
    pub timedelta: Py<PyAny>,
    pub utc: Py<PyAny>,
    pub ip_address: Py<PyAny>,
    pub text_io: Py<PyAny>,
    pub logger: Py<PyAny>,
}

static TYPES: PyOnceLock<Types> = PyOnceLock::new();

/// The Python side's classes (imported at first use).
pub(crate) fn types(py: Python<'_>) -> PyResult<&'static Types> {
    TYPES.get_or_try_init(py, || Types::load(py))
}

/// The value of `Problem`'s member (the core's stable name), and its limit
/// (for length problems).
pub(crate) fn problem_name(p: &Problem) -> (&'static str, Option<usize>) {
    let limit = match p {
        Problem::TooLong { max } => Some(*max),
        Problem::TooShort { min } => Some(*min),
        _ => None,
    };
    (p.name(), limit)
}

impl Types {
    fn load(py: Python<'_>) -> PyResult<Types> {
        let e = py.import("contactkeeper._enums")?;
        let m = py.import("contactkeeper._types")?;
        let get = |name: &str| m.getattr(name).map(Bound::unbind);
        let datetime = py.import("datetime")?;
        Ok(Types {
            role: EnumMap::load(&e, "Role", Role::ALL, Role::name)?.by_name(Field::Roles),
            permission: EnumMap::load(&e, "Permission", Permission::ALL, Permission::name)?
                .by_name(Field::Roles),
            operation: EnumMap::load(&e, "Operation", Operation::ALL, Operation::name)?
                .by_name(Field::ActorFilter),
            field: EnumMap::load(&e, "Field", Field::ALL, Field::name)?,
            entity: EnumMap::load(&e, "Entity", Entity::ALL, Entity::name)?,
            auth_failure: EnumMap::load(&e, "AuthFailure", AuthFailure::ALL, AuthFailure::name)?,
            recovery_channel: EnumMap::load(
                &e,
                "RecoveryChannel",
                RecoveryChannel::ALL,
                RecoveryChannel::name,
            )?
            .by_name(Field::Channel),
            two_factor_method: EnumMap::load(
                &e,
                "TwoFactorMethod",
                TwoFactorMethod::ALL,
                TwoFactorMethod::name,
            )?
            .by_name(Field::TwoFactorMethod),
            notification_kind: EnumMap::load(
                &e,
                "NotificationKind",
                NotificationKind::ALL,
                NotificationKind::name,
            )?,
            rank: EnumMap::load(&e, "Rank", Rank::ALL, Rank::name)?.by_name(Field::Secondary),
            contact_sort: EnumMap::load(
                &e,
                "ContactSort",
                contactkeeper::ContactSort::ALL,
                contactkeeper::ContactSort::name,
            )?
            .by_name(Field::Sort),
            standing: EnumMap::load(&e, "Standing", names::STANDINGS, names::standing_name)?,
            lock_kind: EnumMap::load(&e, "LockKind", names::LOCK_KINDS, names::lock_kind_name)?,
            session_stage: EnumMap::load(
                &e,
                "SessionStage",
                names::SESSION_STAGES,
                SessionStage::name,
            )?,
            chain_problem: EnumMap::load(
                &e,
                "ChainProblem",
                names::CHAIN_PROBLEMS,
                names::chain_problem_name,
            )?,
            delivery: EnumMap::load(&e, "Delivery", names::DELIVERIES, names::delivery_name)?,
            problem: EnumMap::load(&e, "Problem", &names::problem_names(), |s| s)?,
            milestone: EnumMap::load(&e, "Milestone", &names::milestone_names(), |s| s)?,
            money: get("Money")?,
            plan: get("Plan")?,
            service: get("Service")?,
            account_created: get("AccountCreated")?,
            account_view: get("AccountView")?,
            profile: get("Profile")?,
            new_contact: get("NewContact")?,
            contact_added: get("ContactAdded")?,
            invitation: get("Invitation")?,
            pending_member: get("PendingMember")?,
            contact_page: get("ContactPage")?,
            membership: get("Membership")?,
            security_policy: get("SecurityPolicy")?,
            password_status: get("PasswordStatus")?,
            two_factor_status: get("TwoFactorStatus")?,
            lock_mark: get("LockMark")?,
            contact_view: get("ContactView")?,
            password_policy: get("PasswordPolicy")?,
            lock_policy: get("LockPolicy")?,
            hash_cost: get("HashCost")?,
            sqlite_options: get("SqliteOptions")?,
            session_lifetimes: get("SessionLifetimes")?,
            notification_prefs: get("NotificationPrefs")?,
            enrollment_start: get("EnrollmentStart")?,
            session_grant: get("SessionGrant")?,
            session_info: get("SessionInfo")?,
            signed_in: get("SignedIn")?,
            password_change_required: get("PasswordChangeRequired")?,
            second_factor_required: get("SecondFactorRequired")?,
            enrollment_required: get("EnrollmentRequired")?,
            locked: get("Locked")?,
            ip_not_allowed: get("IpNotAllowed")?,
            invalid_credentials: get("InvalidCredentials")?,
            account_required: get("AccountRequired")?,
            bind_outcome: get("_bind")?,
            audit_entry: get("AuditEntry")?,
            audit_intact: get("AuditIntact")?,
            audit_broken: get("AuditBroken")?,
            resource: get("Resource")?,
            billing_contacts: get("BillingContacts")?,
            duty_info: get("DutyInfo")?,
            resource_added: get("ResourceAdded")?,
            technical_duty: get("TechnicalDuty")?,
            billing_duty: get("BillingDuty")?,
            notification: get("Notification")?,
            outbox_item: get("OutboxItem")?,
            delivery_report: get("DeliveryReport")?,
            errors: errors::Classes::load(&py.import("contactkeeper._errors")?)?,
            datetime: datetime.getattr("datetime")?.unbind(),
            timedelta: datetime.getattr("timedelta")?.unbind(),
            utc: datetime.getattr("timezone")?.getattr("utc")?.unbind(),
            ip_address: py.import("ipaddress")?.getattr("ip_address")?.unbind(),
            text_io: py.import("io")?.getattr("TextIOBase")?.unbind(),
            logger: py
                .import("logging")?
                .call_method1("getLogger", ("contactkeeper",))?
                .unbind(),
        })
    }
}

// ----- errors of the call itself -----

/// `TypeError: <arg>: expected <expected>, not <type>`.
pub(crate) fn type_error(arg: &str, expected: &str, obj: &Bound<'_, PyAny>) -> PyErr {
    let got = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned());
    if arg.is_empty() {
        PyTypeError::new_err(format!("expected {expected}, not {got}"))
    } else {
        PyTypeError::new_err(format!("{arg}: expected {expected}, not {got}"))
    }
}

fn invalid(py: Python<'_>, field: Field, problem: Problem) -> PyErr {
    errors::to_py(py, Error::InvalidInput { field, problem })
}

// ----- scalars -----

/// A `str` for `field`.
pub(crate) fn text(obj: &Bound<'_, PyAny>, field: Field, arg: &str) -> PyResult<String> {
    let s = obj
        .cast::<PyString>()
        .map_err(|_| type_error(arg, "str", obj))?;
    match s.to_cow() {
        Ok(c) => Ok(c.into_owned()),
        Err(_) => Err(invalid(obj.py(), field, Problem::Malformed)),
    }
}

/// A `str` or `None` for `field`.
pub(crate) fn opt_text(
    obj: &Bound<'_, PyAny>,
    field: Field,
    arg: &str,
) -> PyResult<Option<String>> {
    if obj.is_none() {
        Ok(None)
    } else {
        text(obj, field, arg).map(Some)
    }
}

/// A value presented for verification (a token, a code, a secret): a `str`
/// that is not valid Unicode becomes one that never verifies.
pub(crate) fn presented(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<String> {
    let s = obj
        .cast::<PyString>()
        .map_err(|_| type_error(arg, "str", obj))?;
    Ok(match s.to_cow() {
        Ok(c) => c.into_owned(),
        Err(_) => "\0".to_owned(),
    })
}

/// A password (`str` or UTF-8 `bytes`) that is being set.
pub(crate) fn password(obj: &Bound<'_, PyAny>, field: Field, arg: &str) -> PyResult<Password> {
    if let Ok(s) = obj.cast::<PyString>() {
        return match s.to_cow() {
            Ok(c) => Ok(Password::new(c.into_owned())),
            Err(_) => Err(invalid(obj.py(), field, Problem::Malformed)),
        };
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Password::from_bytes(b.as_bytes()).map_err(|e| errors::to_py(obj.py(), e));
    }
    Err(type_error(arg, "str or bytes", obj))
}

/// A password presented for verification: one that is not valid text never
/// verifies (the core answers as for any wrong password).
pub(crate) fn presented_password(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Password> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Password::new(
            s.to_cow()
                .map(|c| c.into_owned())
                .unwrap_or_else(|_| "\0".into()),
        ));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Password::from_bytes(b.as_bytes()).unwrap_or_else(|_| Password::new("\0")));
    }
    Err(type_error(arg, "str or bytes", obj))
}

/// A `bool`, strictly.
pub(crate) fn boolean(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<bool> {
    obj.cast::<PyBool>()
        .map(|b| b.is_true())
        .map_err(|_| type_error(arg, "bool", obj))
}

/// An `int` in the range of `T`.
pub(crate) fn int<T>(obj: &Bound<'_, PyAny>, field: Field, arg: &str) -> PyResult<T>
where
    T: for<'a, 'py> FromPyObject<'a, 'py>,
{
    if obj.is_instance_of::<PyBool>() {
        return Err(type_error(arg, "int", obj));
    }
    obj.extract::<T>().map_err(|_| {
        if obj.is_instance_of::<pyo3::types::PyInt>() {
            invalid(obj.py(), field, Problem::OutOfRange)
        } else {
            type_error(arg, "int", obj)
        }
    })
}

/// An integer argument of `field`: an `int` in range, else the library's
/// `InvalidInputError` (problem `out_of_range`), never `OverflowError`.
macro_rules! int_arg {
    ($(#[$m:meta])* $name:ident($t:ty), $field:expr, $arg:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy)]
        pub(crate) struct $name(pub(crate) $t);

        impl<'a, 'py> FromPyObject<'a, 'py> for $name {
            type Error = PyErr;

            fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
                int(&obj, $field, $arg).map($name)
            }
        }
    };
}

int_arg!(
    /// A page's size (`limit`, `page_size`).
    Limit(usize),
    Field::Limit,
    "limit"
);
int_arg!(
    /// Where an audit page starts.
    AfterSeq(u64),
    Field::AfterSeq,
    "after_seq"
);
int_arg!(
    /// The number behind an id.
    IdNumber(u64),
    Field::Id,
    "value"
);
int_arg!(
    /// A count of attempts (E1, D5).
    Attempts(u32),
    Field::LockPolicy,
    "attempts"
);

/// An aware `datetime`, in UTC.
pub(crate) fn datetime(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<OffsetDateTime> {
    let py = obj.py();
    let t = types(py)?;
    if !obj.is_instance(t.datetime.bind(py))? {
        return Err(type_error(arg, "datetime", obj));
    }
    if obj.call_method0("utcoffset")?.is_none() {
        return Err(PyTypeError::new_err(format!(
            "{arg}: expected an aware datetime (with a tzinfo), not a naive one"
        )));
    }
    obj.call_method1("astimezone", (t.utc.bind(py),))?
        .extract::<OffsetDateTime>()
        .map_err(|e| PyTypeError::new_err(format!("{arg}: {e}")))
}

/// An optional aware `datetime`.
pub(crate) fn opt_datetime(
    obj: Option<&Bound<'_, PyAny>>,
    arg: &str,
) -> PyResult<Option<OffsetDateTime>> {
    match obj {
        Some(o) if !o.is_none() => datetime(o, arg).map(Some),
        _ => Ok(None),
    }
}

/// A `timedelta`, or a number of seconds.
pub(crate) fn duration(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<time::Duration> {
    let py = obj.py();
    let t = types(py)?;
    if obj.is_instance(t.timedelta.bind(py))? {
        return obj.extract::<time::Duration>();
    }
    if obj.is_instance_of::<PyBool>() {
        return Err(type_error(arg, "timedelta or seconds", obj));
    }
    let secs: f64 = obj
        .extract()
        .map_err(|_| type_error(arg, "timedelta or seconds", obj))?;
    if !secs.is_finite() || secs.abs() > 1e12 {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "{arg}: out of range"
        )));
    }
    Ok(time::Duration::seconds_f64(secs))
}

/// An IP address: a `str` or an `ipaddress` address.
pub(crate) fn ip(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<IpAddr> {
    let py = obj.py();
    let s = if obj.is_instance_of::<PyString>() {
        text(obj, Field::Ip, arg)?
    } else {
        let name = obj.get_type().name()?;
        let n = name.to_cow()?;
        if n != "IPv4Address" && n != "IPv6Address" {
            return Err(type_error(arg, "str or ipaddress address", obj));
        }
        obj.str()?.to_cow()?.into_owned()
    };
    contactkeeper::ip_access::parse_ip(&s).map_err(|e| errors::to_py(py, e))
}

/// An iterable of `str` (not a `str` itself).
pub(crate) fn strings(obj: &Bound<'_, PyAny>, field: Field, arg: &str) -> PyResult<Vec<String>> {
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(type_error(arg, "an iterable of str", obj));
    }
    let it = obj
        .try_iter()
        .map_err(|_| type_error(arg, "an iterable of str", obj))?;
    let mut out = Vec::new();
    for item in it {
        out.push(text(&item?, field, arg)?);
    }
    Ok(out)
}

// ----- roles, scopes -----

/// An iterable of `Role`.
pub(crate) fn roles(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<RoleSet> {
    let t = types(obj.py())?;
    if obj.is_instance_of::<PyString>() {
        return Err(type_error(arg, "an iterable of Role", obj));
    }
    let it = obj
        .try_iter()
        .map_err(|_| type_error(arg, "an iterable of Role", obj))?;
    let mut set = RoleSet::EMPTY;
    for item in it {
        set = set.with(t.role.rust(&item?, arg)?);
    }
    Ok(set)
}

/// `frozenset[Role]`.
pub(crate) fn roles_py<'py>(py: Python<'py>, set: RoleSet) -> PyResult<Bound<'py, PyAny>> {
    let t = types(py)?;
    let members = set
        .iter()
        .map(|r| t.role.py(py, r))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyFrozenSet::new(py, &members)?.into_any())
}

/// `None` (every option) or an iterable of option names (C4).
pub(crate) fn tech_scope(obj: Option<&Bound<'_, PyAny>>, arg: &str) -> PyResult<TechScope> {
    match obj {
        None => Ok(TechScope::All),
        Some(o) if o.is_none() => Ok(TechScope::All),
        Some(o) => Ok(TechScope::Only(
            strings(o, Field::TechScope, arg)?.into_iter().collect(),
        )),
    }
}

/// `None` or `frozenset[str]`.
pub(crate) fn tech_scope_py<'py>(
    py: Python<'py>,
    scope: &TechScope,
) -> PyResult<Bound<'py, PyAny>> {
    match scope {
        TechScope::All => Ok(py.None().into_bound(py)),
        TechScope::Only(set) => Ok(PyFrozenSet::new(py, set)?.into_any()),
    }
}

// ----- ids -----

pub(crate) fn account_py(py: Python<'_>, id: AccountId) -> PyResult<Bound<'_, PyAny>> {
    Ok(Bound::new(py, PyAccountId(id))?.into_any())
}

pub(crate) fn contact_py(py: Python<'_>, id: ContactId) -> PyResult<Bound<'_, PyAny>> {
    Ok(Bound::new(py, PyContactId(id))?.into_any())
}

pub(crate) fn resource_py(py: Python<'_>, id: ResourceId) -> PyResult<Bound<'_, PyAny>> {
    Ok(Bound::new(py, PyResourceId(id))?.into_any())
}

fn opt<'py, T>(
    py: Python<'py>,
    v: Option<T>,
    f: impl FnOnce(Python<'py>, T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    match v {
        Some(v) => f(py, v),
        None => Ok(py.None().into_bound(py)),
    }
}

fn time_py(py: Python<'_>, at: OffsetDateTime) -> PyResult<Bound<'_, PyAny>> {
    Ok(at.into_pyobject(py)?.into_any())
}

fn opt_time_py(py: Python<'_>, at: Option<OffsetDateTime>) -> PyResult<Bound<'_, PyAny>> {
    opt(py, at, time_py)
}

fn str_tuple<'py, S: AsRef<str>>(py: Python<'py>, items: &[S]) -> PyResult<Bound<'py, PyAny>> {
    Ok(PyTuple::new(py, items.iter().map(AsRef::as_ref))?.into_any())
}

// ----- value types out -----

/// Keyword arguments, for building a value type of `_types.py` by name:
/// `kwargs!(py, "name" => value, …)` (each value anything `set_item`
/// takes). Value types are never built positionally, so that the order of
/// their fields in `_types.py` does not matter here.
macro_rules! kwargs {
    ($py:expr $(, $key:literal => $value:expr)* $(,)?) => {{
        let kwargs = ::pyo3::types::PyDict::new($py);
        $(kwargs.set_item($key, $value)?;)*
        kwargs
    }};
}
pub(crate) use kwargs;

/// An instance of the value type `class`, built by keyword only.
pub(crate) fn build<'py>(
    py: Python<'py>,
    class: &Py<PyAny>,
    kwargs: Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    class.bind(py).call((), Some(&kwargs))
}

pub(crate) fn money_py<'py>(py: Python<'py>, m: &Money) -> PyResult<Bound<'py, PyAny>> {
    let kw = kwargs!(py,
        "minor_units" => m.minor_units,
        "currency" => m.currency.as_str(),
    );
    build(py, &types(py)?.money, kw)
}

pub(crate) fn plan_py<'py>(py: Python<'py>, p: &Plan) -> PyResult<Bound<'py, PyAny>> {
    let kw = kwargs!(py,
        "name" => p.name.as_str(),
        "included_contacts" => p.included_contacts,
        "additional_contact_price" => money_py(py, &p.additional_contact_price)?,
        "tech_options" => str_tuple(py, &p.tech_options)?,
    );
    build(py, &types(py)?.plan, kw)
}

pub(crate) fn service_py<'py>(py: Python<'py>, s: &Service) -> PyResult<Bound<'py, PyAny>> {
    let kw = kwargs!(py,
        "key" => s.key.as_str(),
        "name" => s.name.as_str(),
        "enabled" => s.enabled,
        "option" => s.option.as_str(),
    );
    build(py, &types(py)?.service, kw)
}

pub(crate) fn account_created_py(py: Python<'_>, c: AccountCreated) -> PyResult<Bound<'_, PyAny>> {
    let kw = kwargs!(py,
        "account" => account_py(py, c.account)?,
        "owner" => contact_py(py, c.owner)?,
    );
    build(py, &types(py)?.account_created, kw)
}

pub(crate) fn account_view_py<'py>(
    py: Python<'py>,
    a: &AccountView,
) -> PyResult<Bound<'py, PyAny>> {
    let kw = kwargs!(py,
        "id" => account_py(py, a.id)?,
        "name" => a.name.as_str(),
        "plan" => plan_py(py, &a.plan)?,
        "procurement_enabled" => a.procurement_enabled,
        "partner" => a.partner.as_deref(),
        "owner" => contact_py(py, a.owner)?,
        "contacts" => a.contacts,
        "created_at" => time_py(py, a.created_at)?,
    );
    build(py, &types(py)?.account_view, kw)
}

pub(crate) fn profile_py<'py>(py: Python<'py>, p: &Profile) -> PyResult<Bound<'py, PyAny>> {
    let kw = kwargs!(py,
        "name" => p.name.as_str(),
        "email" => p.email.as_str(),
        "job_title" => p.job_title.as_deref(),
        "business_phone" => p.business_phone.as_deref(),
        "time_zone" => p.time_zone.as_str(),
        "alternate_email" => p.alternate_email.as_deref(),
        "cell_phone" => p.cell_phone.as_deref(),
    );
    build(py, &types(py)?.profile, kw)
}

pub(crate) fn contact_added_py(py: Python<'_>, c: ContactAdded) -> PyResult<Bound<'_, PyAny>> {
    let kw = kwargs!(py,
        "contact" => contact_py(py, c.contact)?,
        "charge" => opt(py, c.charge.as_ref(), money_py)?,
        "pending" => c.pending,
    );
    build(py, &types(py)?.contact_added, kw)
}

pub(crate) fn invitation_py<'py>(
    py: Python<'py>,
    i: &contactkeeper::InvitationView,
) -> PyResult<Bound<'py, PyAny>> {
    let kw = kwargs!(py,
        "account" => account_py(py, i.account)?,
        "account_name" => i.account_name.as_str(),
        "roles" => roles_py(py, i.roles)?,
        "invited_at" => time_py(py, i.invited_at)?,
        "expires_at" => time_py(py, i.expires_at)?,
    );
    build(py, &types(py)?.invitation, kw)
}

pub(crate) fn pending_member_py<'py>(
    py: Python<'py>,
    p: &contactkeeper::PendingMember,
) -> PyResult<Bound<'py, PyAny>> {
    let kw = kwargs!(py,
        "contact" => contact_py(py, p.contact)?,
        "login" => p.login.as_str(),
        "roles" => roles_py(py, p.roles)?,
        "expires_at" => time_py(py, p.expires_at)?,
    );
    build(py, &types(py)?.pending_member, kw)
}

pub(crate) fn membership_py<'py>(
    py: Python<'py>,
    m: &contactkeeper::Membership,
) -> PyResult<Bound<'py, PyAny>> {
    let kw = kwargs!(py,
        "account" => account_py(py, m.account)?,
        "account_name" => m.account_name.as_str(),
        "is_owner" => m.owner,
        "roles" => roles_py(py, m.roles)?,
        "since" => time_py(py, m.since)?,
        "locked" => m.locked,
    );
    build(py, &types(py)?.membership, kw)
}

pub(crate) fn security_policy_py<'py>(
    py: Python<'py>,
    p: &contactkeeper::SecurityPolicy,
) -> PyResult<Bound<'py, PyAny>> {
    let t = types(py)?;
    let lock = match p.lock {
        Some(l) => build(
            py,
            &t.lock_policy,
            kwargs!(py, "max_attempts" => l.max_attempts),
        )?,
        None => py.None().into_bound(py),
    };
    let password = build(
        py,
        &t.password_policy,
        kwargs!(py,
            "min_length" => p.password.min_length,
            "history" => p.password.history,
        ),
    )?;
    let ranges: Vec<String> = p.ip_allowlist.iter().map(ToString::to_string).collect();
    let kw = kwargs!(py,
        "lock" => lock,
        "password" => password,
        "require_two_factor" => p.require_two_factor,
        "ip_allowlist" => PyTuple::new(py, ranges)?,
        "force_change_before" => opt_time_py(py, p.force_change_before)?,
    );
    build(py, &t.security_policy, kw)
}

pub(crate) fn password_status_py(
    py: Python<'_>,
    s: contactkeeper::PasswordStatus,
) -> PyResult<Bound<'_, PyAny>> {
    let kw = kwargs!(py,
        "set" => s.set,
        "changed_at" => opt_time_py(py, s.changed_at)?,
        "expires_at" => opt_time_py(py, s.expires_at)?,
        "must_change" => s.must_change,
        "change_required" => s.change_required,
    );
    build(py, &types(py)?.password_status, kw)
}

pub(crate) fn two_factor_status_py<'py>(
    py: Python<'py>,
    s: &contactkeeper::TwoFactorStatus,
) -> PyResult<Bound<'py, PyAny>> {
    let t = types(py)?;
    let method = |m: Option<TwoFactorMethod>| -> PyResult<Bound<'py, PyAny>> {
        opt(py, m, |py, m| t.two_factor_method.py(py, m))
    };
    let kw = kwargs!(py,
        "method" => method(s.method)?,
        "phone" => s.phone.as_deref(),
        "assigned_method" => method(s.assigned.as_ref().map(|a| a.method))?,
        "assigned_phone" => s.assigned.as_ref().and_then(|a| a.phone.as_deref()),
        "enrollment_pending" => s.enrollment_pending,
        "required" => s.required,
    );
    build(py, &t.two_factor_status, kw)
}

pub(crate) fn lock_mark_py(py: Python<'_>, l: LockMark) -> PyResult<Bound<'_, PyAny>> {
    let t = types(py)?;
    let kw = kwargs!(py,
        "kind" => t.lock_kind.py(py, l.kind)?,
        "since" => time_py(py, l.since)?,
        "until" => opt_time_py(py, l.until)?,
    );
    build(py, &t.lock_mark, kw)
}

pub(crate) fn contact_view_py<'py>(
    py: Python<'py>,
    c: &ContactView,
) -> PyResult<Bound<'py, PyAny>> {
    let kw = kwargs!(py,
        "id" => contact_py(py, c.id)?,
        "login" => c.login.as_str(),
        "profile" => profile_py(py, &c.profile)?,
        "is_owner" => c.owner,
        "roles" => roles_py(py, c.roles)?,
        "tech_scope" => tech_scope_py(py, &c.tech_scope)?,
        "accounts" => c.accounts,
        "member_since" => time_py(py, c.member_since)?,
        "lock" => opt(py, c.lock, lock_mark_py)?,
        "locked_by" => c.locked_by.as_deref(),
        "notifications" => notification_prefs_py(py, c.notifications)?,
    );
    build(py, &types(py)?.contact_view, kw)
}

pub(crate) fn notification_prefs_py(
    py: Python<'_>,
    p: NotificationPrefs,
) -> PyResult<Bound<'_, PyAny>> {
    let kw = kwargs!(py,
        "security" => p.security,
        "maintenance" => p.maintenance,
        "billing" => p.billing,
        "milestones" => p.milestones,
    );
    build(py, &types(py)?.notification_prefs, kw)
}

pub(crate) fn enrollment_start_py(
    py: Python<'_>,
    e: EnrollmentStart,
) -> PyResult<Bound<'_, PyAny>> {
    let t = types(py)?;
    let kw = kwargs!(py,
        "method" => t.two_factor_method.py(py, e.method)?,
        "otpauth_uri" => e.otpauth_uri.as_ref().map(|s| s.expose()),
        "secret_base32" => e.secret_base32.as_ref().map(|s| s.expose()),
    );
    build(py, &t.enrollment_start, kw)
}

pub(crate) fn session_grant_py<'py>(
    py: Python<'py>,
    g: &SessionGrant,
) -> PyResult<Bound<'py, PyAny>> {
    let t = types(py)?;
    let kw = kwargs!(py,
        "token" => g.token.expose(),
        "contact" => contact_py(py, g.contact)?,
        "account" => account_py(py, g.account)?,
        "stage" => t.session_stage.py(py, g.stage)?,
        "expires_at" => time_py(py, g.expires_at)?,
        "device_token" => g.device_token.as_ref().map(|s| s.expose()),
    );
    build(py, &t.session_grant, kw)
}

pub(crate) fn ip_py(py: Python<'_>, ip: IpAddr) -> PyResult<Bound<'_, PyAny>> {
    types(py)?.ip_address.bind(py).call1((ip.to_string(),))
}

pub(crate) fn session_info_py(py: Python<'_>, s: SessionInfo) -> PyResult<Bound<'_, PyAny>> {
    let t = types(py)?;
    let kw = kwargs!(py,
        "contact" => contact_py(py, s.contact)?,
        "account" => account_py(py, s.account)?,
        "stage" => t.session_stage.py(py, s.stage)?,
        "ip" => ip_py(py, s.ip)?,
        "created_at" => time_py(py, s.created_at)?,
        "expires_at" => time_py(py, s.expires_at)?,
    );
    build(py, &t.session_info, kw)
}

fn hash_py<'py>(py: Python<'py>, h: &[u8; 32]) -> Bound<'py, PyAny> {
    PyBytes::new(py, h).into_any()
}

pub(crate) fn audit_entry_py<'py>(py: Python<'py>, e: &AuditEntry) -> PyResult<Bound<'py, PyAny>> {
    let t = types(py)?;
    let kw = kwargs!(py,
        "account" => opt(py, e.account, account_py)?,
        "seq" => e.seq,
        "at" => time_py(py, e.at)?,
        "at_local" => e.at_local.as_str(),
        "actor" => e.actor.as_str(),
        "operation" => t.operation.py(py, e.operation)?,
        "target" => e.target.as_deref(),
        "outcome" => e.outcome.label(),
        "fields" => str_tuple(py, &e.fields)?,
        "detail" => e.detail.as_deref(),
        "prev_hash" => hash_py(py, &e.prev_hash),
        "hash" => hash_py(py, &e.hash),
    );
    build(py, &t.audit_entry, kw)
}

pub(crate) fn verification_py(py: Python<'_>, v: AuditVerification) -> PyResult<Bound<'_, PyAny>> {
    let t = types(py)?;
    match v {
        AuditVerification::Intact { entries } => {
            build(py, &t.audit_intact, kwargs!(py, "entries" => entries))
        }
        AuditVerification::Broken { seq, problem } => {
            let kw = kwargs!(py,
                "seq" => seq,
                "problem" => t.chain_problem.py(py, problem)?,
            );
            build(py, &t.audit_broken, kw)
        }
    }
}

pub(crate) fn resource_record_py<'py>(
    py: Python<'py>,
    r: &ResourceRecord,
) -> PyResult<Bound<'py, PyAny>> {
    let kw = kwargs!(py,
        "id" => resource_py(py, r.id)?,
        "account" => account_py(py, r.account)?,
        "kind" => r.kind.as_str(),
        "name" => r.name.as_str(),
        "primary" => contact_py(py, r.primary)?,
        "secondary" => opt(py, r.secondary, contact_py)?,
        "created_at" => time_py(py, r.created_at)?,
    );
    build(py, &types(py)?.resource, kw)
}

pub(crate) fn billing_contacts_py(
    py: Python<'_>,
    b: BillingContacts,
) -> PyResult<Bound<'_, PyAny>> {
    let kw = kwargs!(py,
        "primary" => opt(py, b.primary, contact_py)?,
        "secondary" => opt(py, b.secondary, contact_py)?,
    );
    build(py, &types(py)?.billing_contacts, kw)
}

pub(crate) fn duty_py(py: Python<'_>, d: Duty) -> PyResult<Bound<'_, PyAny>> {
    let t = types(py)?;
    match d {
        Duty::Technical { resource, rank } => {
            let kw = kwargs!(py,
                "resource" => resource_py(py, resource)?,
                "rank" => t.rank.py(py, rank)?,
            );
            build(py, &t.technical_duty, kw)
        }
        Duty::Billing { rank } => build(
            py,
            &t.billing_duty,
            kwargs!(py, "rank" => t.rank.py(py, rank)?),
        ),
    }
}

pub(crate) fn notification_py<'py>(
    py: Python<'py>,
    n: &Notification,
) -> PyResult<Bound<'py, PyAny>> {
    let t = types(py)?;
    let kw = kwargs!(py,
        "id" => Bound::new(py, PyNotificationId(n.id))?,
        "kind" => t.notification_kind.py(py, n.kind)?,
        "account" => opt(py, n.account, account_py)?,
        "recipient" => contact_py(py, n.recipient)?,
        "to" => str_tuple(py, &n.to)?,
        "subject" => n.subject.as_str(),
        "body" => n.body.as_str(),
        "fields" => str_tuple(py, &n.fields)?,
        "resource" => opt(py, n.resource, resource_py)?,
        "fallback" => opt(py, n.fallback, contact_py)?,
        "at" => time_py(py, n.at)?,
        "secret" => n.secret.as_ref().map(|s| s.expose()),
    );
    build(py, &t.notification, kw)
}

pub(crate) fn outbox_item_py<'py>(py: Python<'py>, i: &OutboxItem) -> PyResult<Bound<'py, PyAny>> {
    let kw = kwargs!(py,
        "notification" => notification_py(py, &i.notification)?,
        "attempts" => i.attempts,
        "next_attempt_at" => time_py(py, i.next_attempt_at)?,
    );
    build(py, &types(py)?.outbox_item, kw)
}

pub(crate) fn delivery_report_py(py: Python<'_>, r: DeliveryReport) -> PyResult<Bound<'_, PyAny>> {
    let kw = kwargs!(py,
        "delivered" => r.delivered,
        "undeliverable" => r.undeliverable,
        "retry_later" => r.retry_later,
    );
    build(py, &types(py)?.delivery_report, kw)
}

pub(crate) fn list<'py, T>(
    py: Python<'py>,
    items: &[T],
    f: impl Fn(Python<'py>, &T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let out = items
        .iter()
        .map(|i| f(py, i))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(pyo3::types::PyList::new(py, out)?.into_any())
}

// ----- value types in -----

fn instance(obj: &Bound<'_, PyAny>, class: &Py<PyAny>, name: &str, arg: &str) -> PyResult<()> {
    if obj.is_instance(class.bind(obj.py()))? {
        Ok(())
    } else {
        Err(type_error(arg, name, obj))
    }
}

/// A `Money`: an amount that is negative or beyond what the library keeps
/// (an `int`, but not a `u64`) is the library's typed error on the price,
/// as an amount over [`contactkeeper::MAX_MINOR_UNITS`] is.
pub(crate) fn money_in(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Money> {
    let py = obj.py();
    instance(obj, &types(py)?.money, "Money", arg)?;
    let units = obj.getattr("minor_units")?;
    let minor_units = match int::<u64>(&units, Field::Price, "Money.minor_units") {
        Ok(v) => v,
        Err(_)
            if units.is_instance_of::<pyo3::types::PyInt>()
                && !units.is_instance_of::<PyBool>() =>
        {
            return Err(invalid(py, Field::Price, Problem::OutOfRange));
        }
        Err(e) => return Err(e),
    };
    Ok(Money::new(
        minor_units,
        text(&obj.getattr("currency")?, Field::Currency, "Money.currency")?,
    ))
}

pub(crate) fn plan_in(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Plan> {
    instance(obj, &types(obj.py())?.plan, "Plan", arg)?;
    Ok(Plan {
        name: text(&obj.getattr("name")?, Field::PlanName, "Plan.name")?,
        included_contacts: int(
            &obj.getattr("included_contacts")?,
            Field::PlanName,
            "Plan.included_contacts",
        )?,
        additional_contact_price: money_in(
            &obj.getattr("additional_contact_price")?,
            "Plan.additional_contact_price",
        )?,
        tech_options: strings(
            &obj.getattr("tech_options")?,
            Field::TechOptions,
            "Plan.tech_options",
        )?,
    })
}

pub(crate) fn service_in(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Service> {
    instance(obj, &types(obj.py())?.service, "Service", arg)?;
    Ok(Service {
        key: text(&obj.getattr("key")?, Field::ServiceKey, "Service.key")?,
        name: text(&obj.getattr("name")?, Field::ServiceName, "Service.name")?,
        enabled: boolean(&obj.getattr("enabled")?, "Service.enabled")?,
        option: text(
            &obj.getattr("option")?,
            Field::TechOptions,
            "Service.option",
        )?,
    })
}

pub(crate) fn profile_in(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Profile> {
    instance(obj, &types(obj.py())?.profile, "Profile", arg)?;
    let get = |name: &str| obj.getattr(name);
    Ok(Profile {
        name: text(&get("name")?, Field::Name, "Profile.name")?,
        job_title: opt_text(&get("job_title")?, Field::JobTitle, "Profile.job_title")?,
        business_phone: opt_text(
            &get("business_phone")?,
            Field::BusinessPhone,
            "Profile.business_phone",
        )?,
        email: text(&get("email")?, Field::Email, "Profile.email")?,
        time_zone: text(&get("time_zone")?, Field::TimeZone, "Profile.time_zone")?,
        alternate_email: opt_text(
            &get("alternate_email")?,
            Field::AlternateEmail,
            "Profile.alternate_email",
        )?,
        cell_phone: opt_text(&get("cell_phone")?, Field::CellPhone, "Profile.cell_phone")?,
    })
}

pub(crate) fn new_contact_in(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<NewContact> {
    instance(obj, &types(obj.py())?.new_contact, "NewContact", arg)?;
    let get = |name: &str| obj.getattr(name);
    let mut nc = NewContact::new(
        text(&get("login")?, Field::Login, "NewContact.login")?,
        profile_in(&get("profile")?, "NewContact.profile")?,
    );
    nc.roles = roles(&get("roles")?, "NewContact.roles")?;
    nc.tech_scope = tech_scope(Some(&get("tech_scope")?), "NewContact.tech_scope")?;
    let pw = get("password")?;
    if !pw.is_none() {
        nc.password = Some(password(&pw, Field::Password, "NewContact.password")?);
    }
    nc.password_hash = opt_text(
        &get("password_hash")?,
        Field::PasswordHash,
        "NewContact.password_hash",
    )?;
    nc.must_change_password = boolean(
        &get("must_change_password")?,
        "NewContact.must_change_password",
    )?;
    Ok(nc)
}

pub(crate) fn password_policy_in(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<PasswordPolicy> {
    instance(
        obj,
        &types(obj.py())?.password_policy,
        "PasswordPolicy",
        arg,
    )?;
    Ok(PasswordPolicy {
        min_length: int(
            &obj.getattr("min_length")?,
            Field::PasswordPolicy,
            "PasswordPolicy.min_length",
        )?,
        history: int(
            &obj.getattr("history")?,
            Field::PasswordPolicy,
            "PasswordPolicy.history",
        )?,
    })
}

pub(crate) fn lock_policy_in(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<LockPolicy> {
    instance(obj, &types(obj.py())?.lock_policy, "LockPolicy", arg)?;
    Ok(LockPolicy {
        max_attempts: int(
            &obj.getattr("max_attempts")?,
            Field::LockPolicy,
            "LockPolicy.max_attempts",
        )?,
    })
}

pub(crate) fn sqlite_options_in(
    obj: &Bound<'_, PyAny>,
    arg: &str,
) -> PyResult<contactkeeper::SqliteOptions> {
    instance(obj, &types(obj.py())?.sqlite_options, "SqliteOptions", arg)?;
    let busy = duration(&obj.getattr("busy_timeout")?, "SqliteOptions.busy_timeout")?;
    let busy = std::time::Duration::try_from(busy).map_err(|_| {
        pyo3::exceptions::PyValueError::new_err("SqliteOptions.busy_timeout: out of range")
    })?;
    let max = obj.getattr("max_size")?;
    let mut options = contactkeeper::SqliteOptions::default()
        .busy_timeout(busy)
        .durable_commits(boolean(
            &obj.getattr("durable_commits")?,
            "SqliteOptions.durable_commits",
        )?);
    if !max.is_none() {
        options = options.max_size(int(&max, Field::Limit, "SqliteOptions.max_size")?);
    }
    Ok(options)
}

pub(crate) fn hash_cost_in(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<HashCost> {
    instance(obj, &types(obj.py())?.hash_cost, "HashCost", arg)?;
    Ok(HashCost {
        m_kib: int(&obj.getattr("m_kib")?, Field::HashCost, "HashCost.m_kib")?,
        t: int(&obj.getattr("t")?, Field::HashCost, "HashCost.t")?,
        p: int(&obj.getattr("p")?, Field::HashCost, "HashCost.p")?,
    })
}

pub(crate) fn session_lifetimes_in(
    obj: &Bound<'_, PyAny>,
    arg: &str,
) -> PyResult<SessionLifetimes> {
    instance(
        obj,
        &types(obj.py())?.session_lifetimes,
        "SessionLifetimes",
        arg,
    )?;
    Ok(SessionLifetimes {
        idle: duration(&obj.getattr("idle")?, "SessionLifetimes.idle")?,
        absolute: duration(&obj.getattr("absolute")?, "SessionLifetimes.absolute")?,
    })
}

pub(crate) fn notification_prefs_in(
    obj: &Bound<'_, PyAny>,
    arg: &str,
) -> PyResult<NotificationPrefs> {
    instance(
        obj,
        &types(obj.py())?.notification_prefs,
        "NotificationPrefs",
        arg,
    )?;
    Ok(NotificationPrefs {
        security: boolean(&obj.getattr("security")?, "NotificationPrefs.security")?,
        maintenance: boolean(
            &obj.getattr("maintenance")?,
            "NotificationPrefs.maintenance",
        )?,
        billing: boolean(&obj.getattr("billing")?, "NotificationPrefs.billing")?,
        milestones: boolean(&obj.getattr("milestones")?, "NotificationPrefs.milestones")?,
    })
}

/// `TechnicalDuty` or `BillingDuty`.
pub(crate) fn duty_target_in(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<DutyTarget> {
    let py = obj.py();
    let t = types(py)?;
    if obj.is_instance(t.technical_duty.bind(py))? {
        let resource: PyResourceId = obj
            .getattr("resource")?
            .extract()
            .map_err(|_| type_error("TechnicalDuty.resource", "ResourceId", obj))?;
        let rank = t.rank.rust(&obj.getattr("rank")?, "TechnicalDuty.rank")?;
        return Ok(DutyTarget::Technical(resource.0, rank));
    }
    if obj.is_instance(t.billing_duty.bind(py))? {
        let rank = t.rank.rust(&obj.getattr("rank")?, "BillingDuty.rank")?;
        return Ok(DutyTarget::Billing(rank));
    }
    Err(type_error(arg, "TechnicalDuty or BillingDuty", obj))
}

/// A `DutyInfo`, or `None` for nothing supplied (H4).
pub(crate) fn duty_info_in(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<DutyInfo> {
    if obj.is_none() {
        return Ok(DutyInfo::default());
    }
    let t = types(obj.py())?;
    if !obj.is_instance(t.duty_info.bind(obj.py()))? {
        return Err(type_error(arg, "DutyInfo or None", obj));
    }
    Ok(DutyInfo {
        email: opt_text(&obj.getattr("email")?, Field::Email, "DutyInfo.email")?,
        business_phone: opt_text(
            &obj.getattr("business_phone")?,
            Field::BusinessPhone,
            "DutyInfo.business_phone",
        )?,
    })
}

pub(crate) fn resource_added_py(py: Python<'_>, r: ResourceAdded) -> PyResult<Bound<'_, PyAny>> {
    let kw = kwargs!(py,
        "resource" => resource_py(py, r.resource)?,
        "contact" => contact_added_py(py, r.contact)?,
    );
    build(py, &types(py)?.resource_added, kw)
}

/// A `Milestone` member, or a `str` naming one the host defines (H6).
pub(crate) fn milestone_in(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Milestone> {
    let t = types(obj.py())?;
    if obj.is_instance_of::<PyString>() {
        return Ok(Milestone::Other(text(obj, Field::Milestone, arg)?));
    }
    let name = t
        .milestone
        .rust(obj, arg)
        .map_err(|_| type_error(arg, "Milestone or str", obj))?;
    names::milestones()
        .into_iter()
        .find(|m| names::milestone_name(m) == Some(name))
        .ok_or_else(|| PyRuntimeError::new_err("a Milestone member has no core value"))
}
