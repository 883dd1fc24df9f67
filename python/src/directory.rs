//! `contactkeeper.Directory`: the core's facade, method for method.
//!
//! Every method converts its arguments to owned Rust values, then calls the
//! core detached from the interpreter (the GIL released): hashing, store
//! I/O and deliveries run while other Python threads run, and a Python
//! notifier called from the core's delivery thread can attach at once. The
//! authorization queries (`access`, `authorize`, `allows`) stay attached:
//! they hash nothing, deliver nothing, and are the calls whose overhead
//! matters most.

use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use contactkeeper::{
    AccountId, Actor, AuditEntry, AuditQuery, ContactId, ContactView, Directory, Error, Field,
    ManagerReset, MemoryStore, NewAccount, NewOwner, NewResource, Password, ProfileUpdate, Secret,
    SecurityAnswer, SignInOutcome, SignInRequest,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::convert::{self, build, kwargs, types};
use crate::errors;
use crate::handles::{ActorArg, PyAccess, PyAccountId, PyActor, PyContactId, PyResourceId};
use crate::notifier::{PyManualClock, PyNotifier};

/// How long a delivery may take (see `DirectoryBuilder::delivery_timeout`).
pub(crate) enum Timeout {
    /// The core's default.
    Default,
    /// No limit: the notifier runs on the caller's thread.
    Never,
    /// This long.
    After(std::time::Duration),
}

impl<'a, 'py> FromPyObject<'a, 'py> for Timeout {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_none() {
            return Ok(Timeout::Never);
        }
        let d = convert::duration(&obj, "delivery_timeout")?;
        if d <= time::Duration::ZERO {
            return Err(PyValueError::new_err("delivery_timeout: must be positive"));
        }
        std::time::Duration::try_from(d)
            .map(Timeout::After)
            .map_err(|_| PyValueError::new_err("delivery_timeout: out of range"))
    }
}

/// The contactkeeper directory: every operation a host performs goes here.
///
/// `Directory()` is a directory on a new in-memory store; `Directory(path)`
/// keeps its data in the SQLite file at `path` (created when missing). A
/// directory may be shared between threads; `close()` (or leaving a `with`
/// block) ends it, releasing its store and its notifier, and every later
/// call raises `DirectoryClosedError`.
#[pyclass(frozen, name = "Directory", module = "contactkeeper")]
pub(crate) struct PyDirectory {
    inner: RwLock<Option<Arc<Directory>>>,
    /// Where it keeps its data, for `repr`: `None` in memory.
    path: Option<PathBuf>,
}

impl PyDirectory {
    fn dir(&self, py: Python<'_>) -> PyResult<Arc<Directory>> {
        let guard = self.inner.read().unwrap_or_else(|e| e.into_inner());
        guard.clone().ok_or_else(|| errors::closed(py))
    }

    /// Runs a cheap read (an authorization query): attached to the
    /// interpreter on the in-memory store, where it takes a few hundred
    /// nanoseconds; detached on a persistent store, which may wait for the
    /// disk or another connection's lock.
    fn read<T, F>(&self, py: Python<'_>, f: F) -> PyResult<T>
    where
        F: FnOnce(&Directory) -> Result<T, Error> + Send,
        T: Send,
    {
        if self.path.is_some() {
            return self.call(py, f);
        }
        f(&*self.dir(py)?).map_err(|e| errors::to_py(py, e))
    }

    /// Runs `f` on the core, detached from the interpreter.
    fn call<T, F>(&self, py: Python<'_>, f: F) -> PyResult<T>
    where
        F: FnOnce(&Directory) -> Result<T, Error> + Send,
        T: Send,
    {
        let d = self.dir(py)?;
        py.detach(move || f(&d)).map_err(|e| errors::to_py(py, e))
    }
}

fn outcome<'py>(slf: &Bound<'py, PyDirectory>, o: SignInOutcome) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let t = types(py)?;
    let session = |g: &contactkeeper::SessionGrant| -> PyResult<_> {
        Ok(kwargs!(py, "session" => convert::session_grant_py(py, g)?))
    };
    let made = match &o {
        SignInOutcome::SignedIn(g) => build(py, &t.signed_in, session(g)?)?,
        SignInOutcome::PasswordChangeRequired(g) => {
            build(py, &t.password_change_required, session(g)?)?
        }
        SignInOutcome::SecondFactorRequired { session: g, method } => {
            let kw = kwargs!(py,
                "session" => convert::session_grant_py(py, g)?,
                "method" => t.two_factor_method.py(py, *method)?,
            );
            build(py, &t.second_factor_required, kw)?
        }
        SignInOutcome::EnrollmentRequired(g) => build(py, &t.enrollment_required, session(g)?)?,
        SignInOutcome::Locked(mark) => {
            let kw = kwargs!(py, "lock" => convert::lock_mark_py(py, *mark)?);
            build(py, &t.locked, kw)?
        }
        SignInOutcome::IpNotAllowed => t.ip_not_allowed.bind(py).call0()?,
        SignInOutcome::AccountRequired(accounts) => {
            let ids = accounts
                .iter()
                .map(|a| convert::account_py(py, *a))
                .collect::<PyResult<Vec<_>>>()?;
            let kw = kwargs!(py, "accounts" => PyTuple::new(py, ids)?);
            build(py, &t.account_required, kw)?
        }
        // InvalidCredentials, and any outcome newer than these bindings
        // (which gives no session): refused.
        _ => t.invalid_credentials.bind(py).call0()?,
    };
    t.bind_outcome.bind(py).call1((made, slf))
}

/// The audit filters shared by the audit methods (J2).
fn audit_query(
    since: Option<&Bound<'_, PyAny>>,
    until: Option<&Bound<'_, PyAny>>,
    by: Option<&Bound<'_, PyAny>>,
    operation: Option<&Bound<'_, PyAny>>,
    after_seq: u64,
    limit: usize,
) -> PyResult<AuditQuery> {
    let actor = match by {
        None => None,
        Some(b) if b.is_none() => None,
        Some(b) => {
            if let Ok(a) = b.extract::<ActorArg>() {
                Some(a.0.audit_label())
            } else {
                Some(convert::text(b, Field::ActorFilter, "by").map_err(|e| {
                    if e.is_instance_of::<PyTypeError>(b.py()) {
                        convert::type_error("by", "str, Actor or ContactId", b)
                    } else {
                        e
                    }
                })?)
            }
        }
    };
    let operation = match operation {
        Some(o) if !o.is_none() => Some(types(o.py())?.operation.rust(o, "operation")?),
        _ => None,
    };
    Ok(AuditQuery {
        from: convert::opt_datetime(since, "since")?,
        until: convert::opt_datetime(until, "until")?,
        actor,
        operation,
        after_seq,
        limit,
    })
}

const PROFILE_KEYS: [&str; 7] = [
    "name",
    "job_title",
    "business_phone",
    "email",
    "time_zone",
    "alternate_email",
    "cell_phone",
];

#[pymethods]
impl PyDirectory {
    #[new]
    #[pyo3(signature = (path = None, *, notifier = None, clock = None, hash_cost = None, session_lifetimes = None, delivery_timeout = Timeout::Default, max_attempts = None, sqlite_options = None, throttle_attempts = None, sealing_keys = None))]
    #[expect(
        clippy::too_many_arguments,
        reason = "one keyword argument of the Python API each"
    )]
    fn new(
        py: Python<'_>,
        path: Option<&Bound<'_, PyAny>>,
        notifier: Option<&Bound<'_, PyAny>>,
        clock: Option<&Bound<'_, PyAny>>,
        hash_cost: Option<&Bound<'_, PyAny>>,
        session_lifetimes: Option<&Bound<'_, PyAny>>,
        delivery_timeout: Timeout,
        max_attempts: Option<convert::Attempts>,
        sqlite_options: Option<&Bound<'_, PyAny>>,
        throttle_attempts: Option<convert::Attempts>,
        sealing_keys: Option<Vec<(u32, Vec<u8>)>>,
    ) -> PyResult<Self> {
        let max_attempts = max_attempts.map(|n| n.0);
        let throttle_attempts = throttle_attempts.map(|n| n.0);
        let to_py = |e| errors::to_py(py, e);
        let path: Option<PathBuf> = match path.filter(|p| !p.is_none()) {
            Some(p) => Some(
                p.extract()
                    .map_err(|_| convert::type_error("path", "str or os.PathLike", p))?,
            ),
            None => None,
        };
        let options = match sqlite_options.filter(|o| !o.is_none()) {
            Some(_) if path.is_none() => {
                return Err(PyValueError::new_err(
                    "sqlite_options: only for a directory on a SQLite file (a path)",
                ))
            }
            Some(o) => convert::sqlite_options_in(o, "sqlite_options")?,
            None => contactkeeper::SqliteOptions::default(),
        };
        let mut keys = Vec::new();
        for (id, bytes) in sealing_keys.unwrap_or_default() {
            keys.push(contactkeeper::SealingKey::new(id, &bytes).map_err(to_py)?);
        }
        let mut keys = keys.into_iter();
        let current = keys.next();
        let store: Arc<dyn contactkeeper::Store> = match &path {
            None => Arc::new(MemoryStore::new()),
            Some(p) => {
                let p = p.clone();
                let opened = py.detach(move || {
                    let store = contactkeeper::SqliteStore::open_with(p, &options)?;
                    // F1: the key file beside it, made or read now.
                    contactkeeper::Store::sealing_key(&store)?;
                    Ok(store)
                });
                Arc::new(opened.map_err(|e| to_py(Error::Store(e)))?)
            }
        };
        let mut b = Directory::builder(store);
        // Without keys, the store's own (F1: beside a SQLite file).
        if let Some(k) = current {
            b = b.sealing_keys(k, keys.collect()).map_err(to_py)?;
        }
        if let Some(n) = notifier.filter(|n| !n.is_none()) {
            b = b.notifier(PyNotifier::from_object(n)?);
        }
        if let Some(c) = clock.filter(|c| !c.is_none()) {
            let c = c
                .cast::<PyManualClock>()
                .map_err(|_| convert::type_error("clock", "ManualClock", c))?;
            b = b.clock(c.get().inner.clone());
        }
        if let Some(h) = hash_cost.filter(|h| !h.is_none()) {
            b = b
                .hash_cost(convert::hash_cost_in(h, "hash_cost")?)
                .map_err(to_py)?;
        }
        if let Some(s) = session_lifetimes.filter(|s| !s.is_none()) {
            b = b
                .session_lifetimes(convert::session_lifetimes_in(s, "session_lifetimes")?)
                .map_err(to_py)?;
        }
        match delivery_timeout {
            Timeout::Default => {}
            Timeout::Never => b = b.delivery_timeout(None),
            Timeout::After(d) => b = b.delivery_timeout(Some(d)),
        }
        if let Some(n) = max_attempts {
            b = b.max_attempts(n);
        }
        if let Some(n) = throttle_attempts {
            b = b.throttle_attempts(n).map_err(to_py)?;
        }
        Ok(PyDirectory {
            inner: RwLock::new(Some(Arc::new(b.build()))),
            path,
        })
    }

    /// A directory kept in the SQLite database at `path` (created when
    /// there is no file there): `Directory(path, ...)`.
    #[classmethod]
    #[pyo3(signature = (path, **options))]
    fn open<'py>(
        cls: &Bound<'py, pyo3::types::PyType>,
        path: &Bound<'py, PyAny>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        cls.call((path,), options)
    }

    /// Ends the directory: every later call raises `DirectoryClosedError`.
    /// Calls running in other threads finish first. Closing twice is not an
    /// error.
    fn close(&self) {
        let mut guard = self.inner.write().unwrap_or_else(|e| e.into_inner());
        *guard = None;
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_none()
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, PyTuple>) -> bool {
        self.close();
        false
    }

    fn __repr__(&self) -> String {
        let store = match &self.path {
            Some(p) => format!("the SQLite file {:?}", p.display().to_string()),
            None => "a memory store".to_owned(),
        };
        let closed = if self.closed() { ", closed" } else { "" };
        format!("<Directory on {store}{closed}>")
    }

    /// The SQLite file the directory keeps its data in; `None` in memory.
    #[getter]
    fn path(&self) -> Option<PathBuf> {
        self.path.clone()
    }

    /// The time now, by this directory's clock (UTC).
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.dir(py)?.now().into_pyobject(py)?.into_any())
    }

    // ----- accounts and ownership (A) -----

    /// Creates an account with its owner in one step (A1): a new contact
    /// (`NewContact`), or an existing contact's login (`str`, B6).
    #[pyo3(signature = (actor, *, name, owner, plan = None))]
    fn create_account<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        name: &Bound<'py, PyAny>,
        owner: &Bound<'py, PyAny>,
        plan: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let name = convert::text(name, Field::AccountName, "name")?;
        let owner = if owner.is_instance_of::<PyString>() {
            NewOwner::Existing(convert::text(owner, Field::Login, "owner")?)
        } else if owner.is_instance(types(py)?.new_contact.bind(py))? {
            NewOwner::New(convert::new_contact_in(owner, "owner")?)
        } else {
            return Err(convert::type_error("owner", "NewContact or str", owner));
        };
        let plan = match plan.filter(|p| !p.is_none()) {
            Some(p) => convert::plan_in(p, "plan")?,
            None => contactkeeper::Plan::default(),
        };
        let new = NewAccount { name, plan, owner };
        let created = self.call(py, move |d| d.create_account(&actor.0, &new))?;
        convert::account_created_py(py, created)
    }

    /// An account, for anyone who may see it.
    fn account<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = self.call(py, move |d| d.account(&actor.0, account.0))?;
        convert::account_view_py(py, &v)
    }

    /// Changes an account's plan (A7; billing managers and the owner).
    fn set_plan(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        plan: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let plan = convert::plan_in(plan, "plan")?;
        self.call(py, move |d| d.set_plan(&actor.0, account.0, &plan))
    }

    /// Turns procurement mode on or off (C3): the support desk or the host.
    fn set_procurement(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        enabled: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let enabled = convert::boolean(enabled, "enabled")?;
        self.call(py, move |d| d.set_procurement(&actor.0, account.0, enabled))
    }

    /// Registers a service of an account, or replaces the one with the same
    /// key (A8). The host does this.
    fn register_service(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        service: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let service = convert::service_in(service, "service")?;
        self.call(py, move |d| {
            d.register_service(&actor.0, account.0, &service)
        })
    }

    /// The services the actor sees (A8).
    fn services<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = self.call(py, move |d| d.services(&actor.0, account.0))?;
        convert::list(py, &v, convert::service_py)
    }

    /// Transfers ownership (A3; the support desk with a reason, A4).
    fn transfer_ownership(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        new_owner: PyContactId,
    ) -> PyResult<()> {
        self.call(py, move |d| {
            d.transfer_ownership(&actor.0, account.0, new_owner.0)
        })
    }

    /// What adding one more contact would cost (A7), or `None`.
    fn contact_charge<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
    ) -> PyResult<Bound<'py, PyAny>> {
        match self.call(py, move |d| d.contact_charge(&actor.0, account.0))? {
            Some(m) => convert::money_py(py, &m),
            None => Ok(py.None().into_bound(py)),
        }
    }

    // ----- contacts (B) -----

    /// "Check login" (B1): whether a contact with this login exists.
    fn check_login(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        login: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let login = convert::text(login, Field::Login, "login")?;
        self.call(py, move |d| d.check_login(&actor.0, account.0, &login))
    }

    /// Creates a new contact in an account (B1, first way).
    fn create_contact<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        contact: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let new = convert::new_contact_in(contact, "contact")?;
        let added = self.call(py, move |d| d.create_contact(&actor.0, account.0, &new))?;
        convert::contact_added_py(py, added)
    }

    /// Adds a contact used on another account (B1, second way; B6). The
    /// login joins when its contact accepts (B7): the result is `pending`
    /// until then; the host (`Actor.SYSTEM`) adds it at once.
    #[pyo3(signature = (actor, account, login, *, roles = None, tech_scope = None))]
    fn add_existing_contact<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        login: &Bound<'py, PyAny>,
        roles: Option<&Bound<'py, PyAny>>,
        tech_scope: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let login = convert::text(login, Field::Login, "login")?;
        let roles = match roles {
            Some(r) => convert::roles(r, "roles")?,
            None => contactkeeper::RoleSet::EMPTY,
        };
        let scope = convert::tech_scope(tech_scope, "tech_scope")?;
        let added = self.call(py, move |d| {
            d.add_existing_contact(&actor.0, account.0, &login, roles, &scope)
        })?;
        convert::contact_added_py(py, added)
    }

    /// The invitations waiting for the signed-in contact (B7).
    fn invitations<'py>(&self, py: Python<'py>, actor: ActorArg) -> PyResult<Bound<'py, PyAny>> {
        let v = self.call(py, move |d| d.invitations(&actor.0))?;
        convert::list(py, &v, convert::invitation_py)
    }

    /// The contact accepts its invitation to the account (B7).
    fn accept_invitation(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
    ) -> PyResult<()> {
        self.call(py, move |d| d.accept_invitation(&actor.0, account.0))
    }

    /// The contact declines its invitation to the account (B7).
    fn decline_invitation(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
    ) -> PyResult<()> {
        self.call(py, move |d| d.decline_invitation(&actor.0, account.0))
    }

    /// The contacts invited to the account and not yet answered (B7), for
    /// its contact managers: the login and the roles offered only.
    fn pending_invitations<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = self.call(py, move |d| d.pending_invitations(&actor.0, account.0))?;
        convert::list(py, &v, convert::pending_member_py)
    }

    /// Edits a contact's profile (B2): pass the fields to change; `None`
    /// clears an optional one. A contact changing its own email gives its
    /// `current_password` (D8). Returns the fields whose value changed.
    #[pyo3(signature = (actor, account, contact, *, current_password = None, **changes))]
    fn update_contact<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
        current_password: Option<&Bound<'py, PyAny>>,
        changes: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut u = ProfileUpdate::default();
        if let Some(p) = current_password.filter(|p| !p.is_none()) {
            u.current_password = Some(convert::presented_password(p, "current_password")?);
        }
        if let Some(changes) = changes {
            for (k, v) in changes.iter() {
                let key = k.cast::<PyString>()?.to_cow()?.into_owned();
                let required = |field: Field| -> PyResult<Option<String>> {
                    if v.is_none() {
                        return Err(PyTypeError::new_err(format!(
                            "{key}: required, cannot be cleared"
                        )));
                    }
                    convert::text(&v, field, &key).map(Some)
                };
                let optional = |field: Field| convert::opt_text(&v, field, &key).map(Some);
                match key.as_str() {
                    "name" => u.name = required(Field::Name)?,
                    "email" => u.email = required(Field::Email)?,
                    "time_zone" => u.time_zone = required(Field::TimeZone)?,
                    "job_title" => u.job_title = optional(Field::JobTitle)?,
                    "business_phone" => u.business_phone = optional(Field::BusinessPhone)?,
                    "alternate_email" => u.alternate_email = optional(Field::AlternateEmail)?,
                    "cell_phone" => u.cell_phone = optional(Field::CellPhone)?,
                    other => {
                        return Err(PyTypeError::new_err(format!(
                            "update_contact() got an unexpected keyword argument '{other}' \
                             (profile fields: {})",
                            PROFILE_KEYS.join(", ")
                        )))
                    }
                }
            }
        }
        let changed = self.call(py, move |d| {
            d.update_contact(&actor.0, account.0, contact.0, &u)
        })?;
        let t = types(py)?;
        let fields = changed
            .iter()
            .map(|f| t.field.py(py, *f))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, fields)?.into_any())
    }

    /// Deletes a contact from an account (A5, B5). A contact holding primary
    /// duties is refused (`DutiesHeldError`) unless a `replacement` takes
    /// them over in the same step.
    #[pyo3(signature = (actor, account, contact, *, replacement = None))]
    fn delete_contact(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
        replacement: Option<PyContactId>,
    ) -> PyResult<()> {
        self.call(py, move |d| match replacement {
            Some(r) => d.delete_contact_with_replacement(&actor.0, account.0, contact.0, r.0),
            None => d.delete_contact(&actor.0, account.0, contact.0),
        })
    }

    /// Sets a standard contact's roles and technical-administrator scope
    /// (C1, C4, C6); `tech_scope=None` reaches every option.
    #[pyo3(signature = (actor, account, contact, roles, *, tech_scope = None))]
    fn set_roles(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
        roles: &Bound<'_, PyAny>,
        tech_scope: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let roles = convert::roles(roles, "roles")?;
        let scope = convert::tech_scope(tech_scope, "tech_scope")?;
        self.call(py, move |d| {
            d.set_roles(&actor.0, account.0, contact.0, roles, &scope)
        })
    }

    /// A contact of the account.
    fn contact<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = self.call(py, move |d| d.contact(&actor.0, account.0, contact.0))?;
        convert::contact_view_py(py, &v)
    }

    /// The contact of the account with this login (I5), compared
    /// case-insensitively (B3). A login that is not a member of this account
    /// raises `NotFoundError`, whether or not it exists elsewhere.
    fn find_contact<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        login: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let login = convert::text(login, Field::Login, "login")?;
        let v = self.call(py, move |d| d.find_contact(&actor.0, account.0, &login))?;
        convert::contact_view_py(py, &v)
    }

    /// The accounts the signed-in contact belongs to (B6, I5), by account
    /// id: for the account switcher. Invitations not yet accepted are
    /// `invitations()`.
    fn my_accounts<'py>(&self, py: Python<'py>, actor: ActorArg) -> PyResult<Bound<'py, PyAny>> {
        let v = self.call(py, move |d| d.my_accounts(&actor.0))?;
        convert::list(py, &v, convert::membership_py)
    }

    /// What a contact's General tab shows of its password (I5): its expiry
    /// date and whether it must be changed at the next sign-in. One's own,
    /// or another contact's for a contact manager.
    fn password_status<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = self.call(py, move |d| {
            d.password_status(&actor.0, account.0, contact.0)
        })?;
        convert::password_status_py(py, v)
    }

    /// What a contact's Login options tab shows of its second factor (I5):
    /// the method and phone, a method a manager set, an enrollment under
    /// way. One's own, or another's for those who may reset it.
    fn two_factor_status<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = self.call(py, move |d| {
            d.two_factor_status(&actor.0, account.0, contact.0)
        })?;
        convert::two_factor_status_py(py, &v)
    }

    /// The account's security policies (D2, E1, F3, G1), for anyone who
    /// may see the account.
    fn security_policy<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = self.call(py, move |d| d.security_policy(&actor.0, account.0))?;
        convert::security_policy_py(py, &v)
    }

    /// A page of the account's contacts, by id: those after `after`, at most
    /// `limit` (1 to `MAX_PAGE`).
    #[pyo3(signature = (actor, account, *, after = None, limit = convert::Limit(100)), text_signature = "($self, actor, account, *, after=None, limit=100)")]
    fn list_contacts<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        after: Option<PyContactId>,
        limit: convert::Limit,
    ) -> PyResult<Bound<'py, PyAny>> {
        let limit = limit.0;
        let v = self.call(py, move |d| {
            d.list_contacts(&actor.0, account.0, after.map(|a| a.0), limit)
        })?;
        convert::list(py, &v, convert::contact_view_py)
    }

    /// A page of the account's contacts, sorted, filtered and paged by a
    /// stable cursor (I5): the Account Contacts page.
    #[pyo3(signature = (actor, account, *, sort = None, role = None, locked = None, text = None, cursor = None, limit = convert::Limit(100)), text_signature = "($self, actor, account, *, sort=None, role=None, locked=None, text=None, cursor=None, limit=100)")]
    #[allow(clippy::too_many_arguments)]
    fn search_contacts<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        sort: Option<&Bound<'py, PyAny>>,
        role: Option<&Bound<'py, PyAny>>,
        locked: Option<&Bound<'py, PyAny>>,
        text: Option<&Bound<'py, PyAny>>,
        cursor: Option<&Bound<'py, PyAny>>,
        limit: convert::Limit,
    ) -> PyResult<Bound<'py, PyAny>> {
        let limit = limit.0;
        let t = types(py)?;
        let q = contactkeeper::ContactQuery {
            sort: match sort {
                Some(s) => t.contact_sort.rust(s, "sort")?,
                None => contactkeeper::ContactSort::Id,
            },
            role: role.map(|r| t.role.rust(r, "role")).transpose()?,
            locked: locked.map(|l| convert::boolean(l, "locked")).transpose()?,
            text: text
                .map(|s| convert::text(s, Field::Filter, "text"))
                .transpose()?,
            cursor: cursor
                .map(|s| convert::text(s, Field::Cursor, "cursor"))
                .transpose()?,
            limit,
        };
        let page = self.call(py, move |d| d.search_contacts(&actor.0, account.0, &q))?;
        let contacts = page
            .contacts
            .iter()
            .map(|c| convert::contact_view_py(py, c))
            .collect::<PyResult<Vec<_>>>()?;
        let kw = kwargs!(py,
            "contacts" => pyo3::types::PyTuple::new(py, contacts)?,
            "next" => page.next.as_deref(),
        );
        build(py, &t.contact_page, kw)
    }

    /// Every contact of the account, fetched a page at a time.
    #[pyo3(signature = (actor, account, *, page_size = convert::Limit(contactkeeper::MAX_PAGE)), text_signature = "($self, actor, account, *, page_size=1000)")]
    fn iter_contacts(
        slf: &Bound<'_, Self>,
        actor: ActorArg,
        account: PyAccountId,
        page_size: convert::Limit,
    ) -> PyResult<Pages> {
        let page_size = page_size.0;
        slf.get().dir(slf.py())?;
        Ok(Pages::new(
            slf,
            PageKind::Contacts {
                actor: actor.0,
                account: account.0,
                after: None,
                limit: page_size,
            },
        ))
    }

    // ----- roles and permissions (C) -----

    /// What the actor may do in the account (C2), from the current state.
    fn access(&self, py: Python<'_>, actor: ActorArg, account: PyAccountId) -> PyResult<PyAccess> {
        self.read(py, move |d| d.access(&actor.0, account.0))
            .map(PyAccess)
    }

    /// Raises `PermissionDeniedError` (naming the permission) unless the
    /// actor holds `permission` in the account (C2).
    fn authorize(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        permission: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let p = types(py)?.permission.rust(permission, "permission")?;
        self.read(py, move |d| d.authorize(&actor.0, account.0, p))
    }

    /// Gates a chargeable action the host declares (C3): returns when the
    /// actor holds `permission` (what the action itself needs) and, while
    /// procurement mode is on and `amount` is not zero, completes
    /// chargeable actions; otherwise raises `PermissionDeniedError` naming
    /// what is missing. Each authorization is audited under `action` (a key:
    /// `[a-z0-9_.-]`, at most 64 bytes) with its amount.
    fn authorize_charge(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        action: &Bound<'_, PyAny>,
        permission: &Bound<'_, PyAny>,
        amount: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let action = convert::text(action, Field::ChargeAction, "action")?;
        let p = types(py)?.permission.rust(permission, "permission")?;
        let amount = convert::money_in(amount, "amount")?;
        self.call(py, move |d| {
            d.authorize_charge(&actor.0, account.0, &action, p, &amount)
        })
    }

    /// Whether the actor holds `permission` in the account (C2).
    fn allows(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        permission: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let p = types(py)?.permission.rust(permission, "permission")?;
        self.read(py, move |d| {
            d.access(&actor.0, account.0).map(|a| a.allows(p))
        })
    }

    // ----- audit log (J) -----

    /// A page of the account's audit log, filtered (J2): entries at or
    /// after `since`, before `until`, by the actor `by`, of `operation`,
    /// after the sequence number `after_seq`, at most `limit`.
    #[pyo3(signature = (actor, account, *, since = None, until = None, by = None, operation = None, after_seq = convert::AfterSeq(0), limit = convert::Limit(100)), text_signature = "($self, actor, account, *, since=None, until=None, by=None, operation=None, after_seq=0, limit=100)")]
    #[expect(
        clippy::too_many_arguments,
        reason = "one keyword argument of the Python API each"
    )]
    fn audit_entries<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        since: Option<&Bound<'py, PyAny>>,
        until: Option<&Bound<'py, PyAny>>,
        by: Option<&Bound<'py, PyAny>>,
        operation: Option<&Bound<'py, PyAny>>,
        after_seq: convert::AfterSeq,
        limit: convert::Limit,
    ) -> PyResult<Bound<'py, PyAny>> {
        let after_seq = after_seq.0;
        let limit = limit.0;
        let q = audit_query(since, until, by, operation, after_seq, limit)?;
        let v = self.call(py, move |d| d.audit_entries(&actor.0, account.0, &q))?;
        convert::list(py, &v, convert::audit_entry_py)
    }

    /// The account's audit log, filtered, fetched a page at a time.
    #[pyo3(signature = (actor, account, *, since = None, until = None, by = None, operation = None, page_size = convert::Limit(1000)), text_signature = "($self, actor, account, *, since=None, until=None, by=None, operation=None, page_size=1000)")]
    #[expect(
        clippy::too_many_arguments,
        reason = "one keyword argument of the Python API each"
    )]
    fn iter_audit(
        slf: &Bound<'_, Self>,
        actor: ActorArg,
        account: PyAccountId,
        since: Option<&Bound<'_, PyAny>>,
        until: Option<&Bound<'_, PyAny>>,
        by: Option<&Bound<'_, PyAny>>,
        operation: Option<&Bound<'_, PyAny>>,
        page_size: convert::Limit,
    ) -> PyResult<Pages> {
        let page_size = page_size.0;
        slf.get().dir(slf.py())?;
        let query = audit_query(since, until, by, operation, 0, page_size)?;
        Ok(Pages::new(
            slf,
            PageKind::Audit {
                actor: actor.0,
                account: account.0,
                query,
            },
        ))
    }

    /// Writes the account's audit log, filtered, as RFC 4180 CSV with
    /// formula cells neutralised (J2), to `file`: a path (created or
    /// replaced), or a file object open for writing (binary, or text opened
    /// with `newline=""`). It streams. Returns the number of entries.
    #[pyo3(signature = (actor, account, file, *, since = None, until = None, by = None, operation = None))]
    #[expect(
        clippy::too_many_arguments,
        reason = "one keyword argument of the Python API each"
    )]
    fn export_audit_csv(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        file: &Bound<'_, PyAny>,
        since: Option<&Bound<'_, PyAny>>,
        until: Option<&Bound<'_, PyAny>>,
        by: Option<&Bound<'_, PyAny>>,
        operation: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        let q = audit_query(since, until, by, operation, 0, AuditQuery::MAX_LIMIT)?;
        let is_path = file.is_instance_of::<PyString>()
            || file.is_instance_of::<PyBytes>()
            || file.hasattr("__fspath__")?;
        if is_path {
            let path: PathBuf = file.extract()?;
            let out = std::io::BufWriter::with_capacity(1 << 16, LazyFile::new(path));
            return self.call(py, move |d| {
                d.export_audit_csv(&actor.0, account.0, &q, out)
            });
        }
        let write = file
            .getattr("write")
            .ok()
            .filter(|w| w.is_callable())
            .ok_or_else(|| convert::type_error("file", "a path or a writable file", file))?;
        let text = file.is_instance(types(py)?.text_io.bind(py))?;
        let failure: Arc<Mutex<Option<PyErr>>> = Arc::new(Mutex::new(None));
        let writer = PyWriter {
            write: write.unbind(),
            text,
            pending: Vec::new(),
            failure: failure.clone(),
        };
        let out = std::io::BufWriter::with_capacity(1 << 16, writer);
        let r = self.call(py, move |d| {
            d.export_audit_csv(&actor.0, account.0, &q, out)
        });
        let cause = failure.lock().unwrap_or_else(|e| e.into_inner()).take();
        match (r, cause) {
            (Err(e), Some(cause)) => {
                e.set_cause(py, Some(cause));
                Err(e)
            }
            (r, _) => r,
        }
    }

    /// The account's audit log, filtered, as RFC 4180 CSV text (J2).
    #[pyo3(signature = (actor, account, *, since = None, until = None, by = None, operation = None))]
    #[expect(
        clippy::too_many_arguments,
        reason = "one keyword argument of the Python API each"
    )]
    fn audit_csv(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        since: Option<&Bound<'_, PyAny>>,
        until: Option<&Bound<'_, PyAny>>,
        by: Option<&Bound<'_, PyAny>>,
        operation: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let q = audit_query(since, until, by, operation, 0, AuditQuery::MAX_LIMIT)?;
        let bytes = self.call(py, move |d| {
            let mut out = Vec::new();
            d.export_audit_csv(&actor.0, account.0, &q, &mut out)?;
            Ok(out)
        })?;
        String::from_utf8(bytes).map_err(|_| PyValueError::new_err("the export is not UTF-8"))
    }

    /// Verifies the account's audit chain (J3).
    fn verify_audit<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = self.call(py, move |d| d.verify_audit(&actor.0, account.0))?;
        convert::verification_py(py, v)
    }

    /// Verifies the directory's own chain (entries about no account), for
    /// the host or the support desk.
    fn verify_directory_audit<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = self.call(py, move |d| d.verify_directory_audit(&actor.0))?;
        convert::verification_py(py, v)
    }

    /// Prunes the directory's own chain (J4) behind a checkpoint: entries
    /// older than `retention` (90 days unless given), at most 10,000 per
    /// call; returns how many went. Only the host (`Actor.SYSTEM`) prunes.
    #[pyo3(signature = (actor, *, retention = None))]
    fn prune_directory_audit(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        retention: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        let retention = match retention {
            None => contactkeeper::audit::DIRECTORY_AUDIT_RETENTION,
            Some(r) => convert::duration(r, "retention")?,
        };
        self.call(py, move |d| d.prune_directory_audit(&actor.0, retention))
    }

    /// A page of the directory's own chain, for the host or the support desk.
    #[pyo3(signature = (actor, *, since = None, until = None, by = None, operation = None, after_seq = convert::AfterSeq(0), limit = convert::Limit(100)), text_signature = "($self, actor, *, since=None, until=None, by=None, operation=None, after_seq=0, limit=100)")]
    #[expect(
        clippy::too_many_arguments,
        reason = "one keyword argument of the Python API each"
    )]
    fn directory_audit_entries<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        since: Option<&Bound<'py, PyAny>>,
        until: Option<&Bound<'py, PyAny>>,
        by: Option<&Bound<'py, PyAny>>,
        operation: Option<&Bound<'py, PyAny>>,
        after_seq: convert::AfterSeq,
        limit: convert::Limit,
    ) -> PyResult<Bound<'py, PyAny>> {
        let after_seq = after_seq.0;
        let limit = limit.0;
        let q = audit_query(since, until, by, operation, after_seq, limit)?;
        let v = self.call(py, move |d| d.directory_audit_entries(&actor.0, &q))?;
        convert::list(py, &v, convert::audit_entry_py)
    }

    // ----- notifications (I) -----

    /// Notifications not yet delivered, by due time (at most `limit`).
    #[pyo3(signature = (*, limit = convert::Limit(100)), text_signature = "($self, *, limit=100)")]
    fn pending_notifications<'py>(
        &self,
        py: Python<'py>,
        limit: convert::Limit,
    ) -> PyResult<Bound<'py, PyAny>> {
        let limit = limit.0;
        let v = self.call(py, move |d| d.pending_notifications(limit))?;
        convert::list(py, &v, convert::outbox_item_py)
    }

    /// Tries again every pending notification that is due (I1).
    fn deliver_pending<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let r = self.call(py, |d| d.deliver_pending())?;
        convert::delivery_report_py(py, r)
    }

    /// Sets what a contact wants to be told in the account (I2, I4, H6).
    fn set_notification_prefs(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
        prefs: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let prefs = convert::notification_prefs_in(prefs, "prefs")?;
        self.call(py, move |d| {
            d.set_notification_prefs(&actor.0, account.0, contact.0, prefs)
        })
    }

    /// Sends a maintenance or global-issue notice to every contact of the
    /// account that wants them (I4). Returns how many contacts.
    #[pyo3(signature = (actor, account, *, subject, body))]
    fn send_maintenance_notice(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        subject: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<usize> {
        let subject = convert::text(subject, Field::Notice, "subject")?;
        let body = convert::text(body, Field::Notice, "body")?;
        self.call(py, move |d| {
            d.send_maintenance_notice(&actor.0, account.0, &subject, &body)
        })
    }

    /// Sends a billing notice the host defines to the account's billing
    /// contact, or its owner when none is set (H7). Returns who it went
    /// to, or `None`.
    #[pyo3(signature = (actor, account, *, subject, body))]
    fn send_billing_notice(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        subject: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<Option<PyContactId>> {
        let subject = convert::text(subject, Field::Notice, "subject")?;
        let body = convert::text(body, Field::Notice, "body")?;
        let to = self.call(py, move |d| {
            d.send_billing_notice(&actor.0, account.0, &subject, &body)
        })?;
        Ok(to.map(PyContactId))
    }

    // ----- sign-in and sessions (D) -----

    /// Signs in (D5): one of the `SignInOutcome` types. An unknown login and
    /// a wrong password give the same answer; errors are only for a failing
    /// store. `device_token` is the one this client was given at an earlier
    /// sign-in to this login (D10): a valid one passes an automatic lock
    /// that attempts without it caused. With `remember_device`, a complete
    /// sign-in gives a new one in its session's `device_token`.
    #[pyo3(signature = (login, password, *, ip, account = None, device_token = None, remember_device = false))]
    fn sign_in<'py>(
        slf: &Bound<'py, Self>,
        login: &Bound<'py, PyAny>,
        password: &Bound<'py, PyAny>,
        ip: &Bound<'py, PyAny>,
        account: Option<PyAccountId>,
        device_token: Option<&Bound<'py, PyAny>>,
        remember_device: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let login = convert::presented(login, "login")?;
        let password = convert::presented_password(password, "password")?;
        let ip = convert::ip(ip, "ip")?;
        let device = match device_token.filter(|t| !t.is_none()) {
            Some(t) => Some(Secret::new(convert::presented(t, "device_token")?)),
            None => None,
        };
        let o = slf.get().call(py, move |d| {
            d.sign_in(&SignInRequest {
                account: account.map(|a| a.0),
                device_token: device.as_ref(),
                remember_device,
                ..SignInRequest::new(&login, &password, ip)
            })
        })?;
        outcome(slf, o)
    }

    /// The session behind a token, checked against the current state (D8).
    fn authenticate<'py>(
        &self,
        py: Python<'py>,
        token: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let token = Secret::new(convert::presented(token, "token")?);
        let info = self.call(py, move |d| d.authenticate(&token))?;
        convert::session_info_py(py, info)
    }

    /// The actor of a fully signed-in session.
    fn session_actor(&self, py: Python<'_>, token: &Bound<'_, PyAny>) -> PyResult<PyActor> {
        let token = Secret::new(convert::presented(token, "token")?);
        self.call(py, move |d| d.session_actor(&token)).map(PyActor)
    }

    /// Removes the sessions past their idle or absolute lifetime (D8) from
    /// the store; returns how many.
    fn purge_expired_sessions(&self, py: Python<'_>) -> PyResult<usize> {
        self.call(py, move |d| d.purge_expired_sessions())
    }

    /// Seals the account's authenticator secrets under the current sealing
    /// key (F1); returns how many were sealed again.
    fn reseal_secrets(&self, py: Python<'_>, account: PyAccountId) -> PyResult<usize> {
        self.call(py, move |d| d.reseal_secrets(account.0))
    }

    /// Removes the sign-in throttle's records that are as good as absent
    /// (D5); returns how many.
    fn purge_throttle(&self, py: Python<'_>) -> PyResult<usize> {
        self.call(py, move |d| d.purge_throttle())
    }

    /// Ends a session; ending one that is already gone is not an error.
    fn sign_out(&self, py: Python<'_>, token: &Bound<'_, PyAny>) -> PyResult<()> {
        let token = Secret::new(convert::presented(token, "token")?);
        self.call(py, move |d| d.sign_out(&token))
    }

    /// Presents the second factor for a session that requires it (F1). A
    /// wrong code counts as a failed attempt (E8).
    fn complete_second_factor<'py>(
        slf: &Bound<'py, Self>,
        token: &Bound<'py, PyAny>,
        code: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let token = Secret::new(convert::presented(token, "token")?);
        let code = convert::presented(code, "code")?;
        let o = slf
            .get()
            .call(slf.py(), move |d| d.complete_second_factor(&token, &code))?;
        outcome(slf, o)
    }

    /// Sends a new code to a session waiting for its second factor.
    fn resend_second_factor_code(&self, py: Python<'_>, token: &Bound<'_, PyAny>) -> PyResult<()> {
        let token = Secret::new(convert::presented(token, "token")?);
        self.call(py, move |d| d.resend_second_factor_code(&token))
    }

    /// Changes the password from a session (D3, D4); a new session starts.
    #[pyo3(signature = (token, *, current, new))]
    fn change_password_with_session<'py>(
        slf: &Bound<'py, Self>,
        token: &Bound<'py, PyAny>,
        current: &Bound<'py, PyAny>,
        new: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let token = Secret::new(convert::presented(token, "token")?);
        let current = convert::presented_password(current, "current")?;
        let new = convert::password(new, Field::Password, "new")?;
        let o = slf.get().call(slf.py(), move |d| {
            d.change_password_with_session(&token, &current, &new)
        })?;
        outcome(slf, o)
    }

    /// Starts enrolling a second factor from a session that must enroll
    /// (F3).
    #[pyo3(signature = (token, method, *, phone = None))]
    fn begin_enrollment_with_session<'py>(
        &self,
        py: Python<'py>,
        token: &Bound<'py, PyAny>,
        method: &Bound<'py, PyAny>,
        phone: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let token = Secret::new(convert::presented(token, "token")?);
        let method = types(py)?.two_factor_method.rust(method, "method")?;
        let phone = match phone {
            Some(p) => convert::opt_text(p, Field::TwoFactorPhone, "phone")?,
            None => None,
        };
        let e = self.call(py, move |d| {
            d.begin_enrollment_with_session(&token, method, phone.as_deref())
        })?;
        convert::enrollment_start_py(py, e)
    }

    /// Confirms the enrollment of a session that had to enroll (F3).
    fn confirm_enrollment_with_session<'py>(
        slf: &Bound<'py, Self>,
        token: &Bound<'py, PyAny>,
        code: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let token = Secret::new(convert::presented(token, "token")?);
        let code = convert::presented(code, "code")?;
        let o = slf.get().call(slf.py(), move |d| {
            d.confirm_enrollment_with_session(&token, &code)
        })?;
        outcome(slf, o)
    }

    // ----- passwords (D2–D4, D7) -----

    /// Changes one's own password (D2, D8).
    #[pyo3(signature = (actor, account, *, current, new))]
    fn change_password(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        current: &Bound<'_, PyAny>,
        new: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let current = convert::presented_password(current, "current")?;
        let new = convert::password(new, Field::Password, "new")?;
        self.call(py, move |d| {
            d.change_password(&actor.0, account.0, &current, &new)
        })
    }

    /// A manager resets another contact's password (D7): sends it a reset
    /// secret by `channel`, or, with no channel, sets a temporary password
    /// that the library generates and returns once (D4's flag set).
    #[pyo3(signature = (actor, account, contact, *, channel = None))]
    fn reset_password(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
        channel: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<String>> {
        let how = match channel.filter(|c| !c.is_none()) {
            Some(c) => ManagerReset::SendSecret(types(py)?.recovery_channel.rust(c, "channel")?),
            None => ManagerReset::TemporaryPassword,
        };
        let pw = self.call(py, move |d| {
            d.reset_password(&actor.0, account.0, contact.0, how)
        })?;
        Ok(pw.map(|p: Password| p.expose().to_owned()))
    }

    /// Sets or clears a contact's "reset password at next login" flag (D4).
    fn set_must_change_password(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
        must_change: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let must = convert::boolean(must_change, "must_change")?;
        self.call(py, move |d| {
            d.set_must_change_password(&actor.0, account.0, contact.0, must)
        })
    }

    /// Tightens the account's password requirements (D2).
    fn set_password_policy(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        policy: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let policy = convert::password_policy_in(policy, "policy")?;
        self.call(py, move |d| {
            d.set_password_policy(&actor.0, account.0, policy)
        })
    }

    /// Requires every contact of the account to change its password at its
    /// next sign-in (D2).
    fn require_password_change(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
    ) -> PyResult<()> {
        self.call(py, move |d| d.require_password_change(&actor.0, account.0))
    }

    // ----- recovery (D6, E4) -----

    /// Sends a one-time reset secret to the contact's chosen channel (D6).
    /// It answers the same whether or not the login exists.
    fn request_password_reset(
        &self,
        py: Python<'_>,
        login: &Bound<'_, PyAny>,
        channel: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let login = convert::presented(login, "login")?;
        let channel = types(py)?.recovery_channel.rust(channel, "channel")?;
        self.call(py, move |d| d.request_password_reset(&login, channel))
    }

    /// Sets a new password with a reset secret (D6); ends an automatic lock
    /// (E4).
    #[pyo3(signature = (login, secret, *, new))]
    fn complete_password_reset(
        &self,
        py: Python<'_>,
        login: &Bound<'_, PyAny>,
        secret: &Bound<'_, PyAny>,
        new: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let login = convert::presented(login, "login")?;
        let secret = Secret::new(convert::presented(secret, "secret")?);
        let new = convert::password(new, Field::Password, "new")?;
        self.call(py, move |d| {
            d.complete_password_reset(&login, &secret, &new)
        })
    }

    // ----- locks (E) -----

    /// Enables the locked-account policy (E1), or disables it with `None`.
    fn set_lock_policy(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        policy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let policy = match policy.filter(|p| !p.is_none()) {
            Some(p) => Some(convert::lock_policy_in(p, "policy")?),
            None => None,
        };
        self.call(py, move |d| d.set_lock_policy(&actor.0, account.0, policy))
    }

    /// Locks a contact by hand in this account (E6).
    fn lock_contact(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
    ) -> PyResult<()> {
        self.call(py, move |d| d.lock_contact(&actor.0, account.0, contact.0))
    }

    /// Unlocks a contact by hand (E5).
    fn unlock_contact(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
    ) -> PyResult<()> {
        self.call(py, move |d| {
            d.unlock_contact(&actor.0, account.0, contact.0)
        })
    }

    // ----- second factor (F1–F3) -----

    /// Starts enrolling a second factor for oneself (F1); the current
    /// password is asked for again (D8).
    #[pyo3(signature = (actor, account, method, *, current_password, phone = None))]
    fn begin_two_factor_enrollment<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        method: &Bound<'py, PyAny>,
        current_password: &Bound<'py, PyAny>,
        phone: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let method = types(py)?.two_factor_method.rust(method, "method")?;
        let current = convert::presented_password(current_password, "current_password")?;
        let phone = match phone {
            Some(p) => convert::opt_text(p, Field::TwoFactorPhone, "phone")?,
            None => None,
        };
        let e = self.call(py, move |d| {
            d.begin_two_factor_enrollment(&actor.0, account.0, method, phone.as_deref(), &current)
        })?;
        convert::enrollment_start_py(py, e)
    }

    /// Confirms an enrollment with a code from the new factor (F1).
    fn confirm_two_factor_enrollment(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        code: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let code = convert::presented(code, "code")?;
        self.call(py, move |d| {
            d.confirm_two_factor_enrollment(&actor.0, account.0, &code)
        })
    }

    /// Sets another contact's 2FA method and 2FA phone (F1, within C7): it
    /// enrolls that method at its next sign-in.
    #[pyo3(signature = (actor, account, contact, method, *, phone = None))]
    fn set_two_factor_method<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
        method: &Bound<'py, PyAny>,
        phone: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<()> {
        let method = types(py)?.two_factor_method.rust(method, "method")?;
        let phone = match phone {
            Some(p) => convert::opt_text(p, Field::TwoFactorPhone, "phone")?,
            None => None,
        };
        self.call(py, move |d| {
            d.set_two_factor_method(&actor.0, account.0, contact.0, method, phone.as_deref())
        })
    }

    /// Resets another contact's second factor (F2).
    fn reset_two_factor(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
    ) -> PyResult<()> {
        self.call(py, move |d| {
            d.reset_two_factor(&actor.0, account.0, contact.0)
        })
    }

    /// Requires (or stops requiring) a second factor of every contact (F3).
    fn set_require_two_factor(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        required: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let required = convert::boolean(required, "required")?;
        self.call(py, move |d| {
            d.set_require_two_factor(&actor.0, account.0, required)
        })
    }

    // ----- security questions (F4) -----

    /// Sets one's three security questions and answers (F4): a mapping of
    /// question index (into `SECURITY_QUESTIONS`) to answer.
    #[pyo3(signature = (actor, account, answers, *, current_password))]
    fn set_security_answers(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        answers: &Bound<'_, PyAny>,
        current_password: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let items = answers
            .call_method0("items")
            .map_err(|_| convert::type_error("answers", "a mapping of int to str", answers))?;
        let mut list = Vec::new();
        for item in items.try_iter()? {
            let item = item?;
            let (q, a): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            list.push(SecurityAnswer {
                question: convert::int(&q, Field::SecurityQuestion, "answers")?,
                answer: Secret::new(convert::text(&a, Field::SecurityAnswer, "answers")?),
            });
        }
        let current = convert::presented_password(current_password, "current_password")?;
        self.call(py, move |d| {
            d.set_security_answers(&actor.0, account.0, &list, &current)
        })
    }

    /// The questions a contact chose (indexes into `SECURITY_QUESTIONS`),
    /// never the answers (F4).
    fn security_questions(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
    ) -> PyResult<Vec<u16>> {
        self.call(py, move |d| {
            d.security_questions(&actor.0, account.0, contact.0)
        })
    }

    /// The support desk checks one answer a caller gives (F4).
    #[pyo3(signature = (actor, account, contact, *, question, answer))]
    fn check_security_answer(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
        question: &Bound<'_, PyAny>,
        answer: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let question: u16 = convert::int(question, Field::SecurityQuestion, "question")?;
        let answer = Secret::new(convert::text(answer, Field::SecurityAnswer, "answer")?);
        self.call(py, move |d| {
            d.check_security_answer(&actor.0, account.0, contact.0, question, &answer)
        })
    }

    // ----- IP allowlist (G) -----

    /// Sets the account's IP allowlist (G1): CIDR ranges; empty allows
    /// every address. `current_ip` is where the actor acts from (G2).
    #[pyo3(signature = (actor, account, ranges, *, current_ip))]
    fn set_ip_allowlist(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        ranges: &Bound<'_, PyAny>,
        current_ip: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let ranges = convert::strings(ranges, Field::IpAllowlist, "ranges")?;
        let ip = convert::ip(current_ip, "current_ip")?;
        self.call(py, move |d| {
            d.set_ip_allowlist(&actor.0, account.0, &ranges, ip)
        })
    }

    // ----- resources and designations (H) -----

    /// Adds a resource with its primary technical contact (H1) and an
    /// optional secondary (H2).
    #[pyo3(signature = (actor, account, *, kind, name, primary, secondary = None))]
    #[expect(
        clippy::too_many_arguments,
        reason = "one keyword argument of the Python API each"
    )]
    fn add_resource(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        kind: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        primary: PyContactId,
        secondary: Option<PyContactId>,
    ) -> PyResult<PyResourceId> {
        let new = NewResource {
            kind: convert::text(kind, Field::ResourceKind, "kind")?,
            name: convert::text(name, Field::ResourceName, "name")?,
            primary: primary.0,
            secondary: secondary.map(|s| s.0),
        };
        self.call(py, move |d| d.add_resource(&actor.0, account.0, &new))
            .map(PyResourceId)
    }

    /// Sets a resource's technical contacts (H1–H3).
    #[pyo3(signature = (actor, account, resource, *, primary, secondary = None))]
    fn set_technical_contacts(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        resource: PyResourceId,
        primary: PyContactId,
        secondary: Option<PyContactId>,
    ) -> PyResult<()> {
        self.call(py, move |d| {
            d.set_technical_contacts(
                &actor.0,
                account.0,
                resource.0,
                primary.0,
                secondary.map(|s| s.0),
            )
        })
    }

    /// Removes a resource.
    fn remove_resource(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        resource: PyResourceId,
    ) -> PyResult<()> {
        self.call(py, move |d| {
            d.remove_resource(&actor.0, account.0, resource.0)
        })
    }

    /// A resource of the account.
    fn resource<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        resource: PyResourceId,
    ) -> PyResult<Bound<'py, PyAny>> {
        let r = self.call(py, move |d| d.resource(&actor.0, account.0, resource.0))?;
        convert::resource_record_py(py, &r)
    }

    /// A page of the account's resources, by id.
    #[pyo3(signature = (actor, account, *, after = None, limit = convert::Limit(100)), text_signature = "($self, actor, account, *, after=None, limit=100)")]
    fn resources<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        after: Option<PyResourceId>,
        limit: convert::Limit,
    ) -> PyResult<Bound<'py, PyAny>> {
        let limit = limit.0;
        let v = self.call(py, move |d| {
            d.resources(&actor.0, account.0, after.map(|a| a.0), limit)
        })?;
        convert::list(py, &v, convert::resource_record_py)
    }

    /// Every resource of the account, fetched a page at a time.
    #[pyo3(signature = (actor, account, *, page_size = convert::Limit(contactkeeper::MAX_PAGE)), text_signature = "($self, actor, account, *, page_size=1000)")]
    fn iter_resources(
        slf: &Bound<'_, Self>,
        actor: ActorArg,
        account: PyAccountId,
        page_size: convert::Limit,
    ) -> PyResult<Pages> {
        let page_size = page_size.0;
        slf.get().dir(slf.py())?;
        Ok(Pages::new(
            slf,
            PageKind::Resources {
                actor: actor.0,
                account: account.0,
                after: None,
                limit: page_size,
            },
        ))
    }

    /// The duties a contact holds in the account (H3).
    fn duties<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = self.call(py, move |d| d.duties(&actor.0, account.0, contact.0))?;
        convert::list(py, &v, |py, d| convert::duty_py(py, *d))
    }

    /// Moves every duty of one contact to another in one step (H3).
    /// Returns how many moved.
    #[pyo3(signature = (actor, account, *, from_contact, to_contact))]
    fn reassign_duties(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        from_contact: PyContactId,
        to_contact: PyContactId,
    ) -> PyResult<usize> {
        self.call(py, move |d| {
            d.reassign_duties(&actor.0, account.0, from_contact.0, to_contact.0)
        })
    }

    /// Sets the account's billing contacts (H7).
    #[pyo3(signature = (actor, account, *, primary, secondary = None))]
    fn set_billing_contacts(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        primary: PyContactId,
        secondary: Option<PyContactId>,
    ) -> PyResult<()> {
        self.call(py, move |d| {
            d.set_billing_contacts(&actor.0, account.0, primary.0, secondary.map(|s| s.0))
        })
    }

    /// The account's billing contacts (H7).
    fn billing_contacts<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
    ) -> PyResult<Bound<'py, PyAny>> {
        let b = self.call(py, move |d| d.billing_contacts(&actor.0, account.0))?;
        convert::billing_contacts_py(py, b)
    }

    /// Creates a new contact and gives it a duty in one step (H5).
    fn create_contact_with_duty<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        contact: &Bound<'py, PyAny>,
        duty: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let new = convert::new_contact_in(contact, "contact")?;
        let duty = convert::duty_target_in(duty, "duty")?;
        let added = self.call(py, move |d| {
            d.create_contact_with_duty(&actor.0, account.0, &new, duty)
        })?;
        convert::contact_added_py(py, added)
    }

    /// Adds a resource with a new contact as its primary technical contact
    /// in one step (H5).
    #[pyo3(signature = (actor, account, *, kind, name, contact, secondary = None))]
    #[expect(
        clippy::too_many_arguments,
        reason = "one keyword argument of the Python API each"
    )]
    fn add_resource_with_new_primary<'py>(
        &self,
        py: Python<'py>,
        actor: ActorArg,
        account: PyAccountId,
        kind: &Bound<'py, PyAny>,
        name: &Bound<'py, PyAny>,
        contact: &Bound<'py, PyAny>,
        secondary: Option<PyContactId>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kind = convert::text(kind, Field::ResourceKind, "kind")?;
        let name = convert::text(name, Field::ResourceName, "name")?;
        let new = convert::new_contact_in(contact, "contact")?;
        let added = self.call(py, move |d| {
            d.add_resource_with_new_primary(
                &actor.0,
                account.0,
                &kind,
                &name,
                &new,
                secondary.map(|s| s.0),
            )
        })?;
        convert::resource_added_py(py, added)
    }

    /// Gives an existing contact one duty, supplying in the same step what
    /// the duty needs and the contact lacks (H4): a `DutyInfo`, or `None`.
    #[pyo3(signature = (actor, account, contact, duty, info = None))]
    fn designate(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        contact: PyContactId,
        duty: &Bound<'_, PyAny>,
        info: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let duty = convert::duty_target_in(duty, "duty")?;
        let info = match info {
            Some(i) => convert::duty_info_in(i, "info")?,
            None => contactkeeper::DutyInfo::default(),
        };
        self.call(py, move |d| {
            d.designate(&actor.0, account.0, contact.0, duty, &info)
        })
    }

    /// Reports a resource milestone (H6): a `Milestone`, or a `str` naming
    /// one the host defines.
    fn report_milestone(
        &self,
        py: Python<'_>,
        actor: ActorArg,
        account: PyAccountId,
        resource: PyResourceId,
        milestone: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let m = convert::milestone_in(milestone, "milestone")?;
        self.call(py, move |d| {
            d.report_milestone(&actor.0, account.0, resource.0, &m)
        })
    }
}

// ----- paging iterators -----

enum PageKind {
    Audit {
        actor: Actor,
        account: AccountId,
        query: AuditQuery,
    },
    Contacts {
        actor: Actor,
        account: AccountId,
        after: Option<ContactId>,
        limit: usize,
    },
    Resources {
        actor: Actor,
        account: AccountId,
        after: Option<contactkeeper::ResourceId>,
        limit: usize,
    },
}

enum Item {
    Audit(AuditEntry),
    Contact(ContactView),
    Resource(contactkeeper::ResourceRecord),
}

struct PageState {
    kind: PageKind,
    buffer: VecDeque<Item>,
    done: bool,
}

/// An iterator over pages of a listing, fetched as it goes.
#[pyclass(frozen, module = "contactkeeper")]
pub(crate) struct Pages {
    dir: Py<PyDirectory>,
    state: Mutex<PageState>,
}

impl Pages {
    fn new(dir: &Bound<'_, PyDirectory>, kind: PageKind) -> Pages {
        Pages {
            dir: dir.clone().unbind(),
            state: Mutex::new(PageState {
                kind,
                buffer: VecDeque::new(),
                done: false,
            }),
        }
    }
}

#[pymethods]
impl Pages {
    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Ok(mut state) = self.state.try_lock() else {
            return Err(PyValueError::new_err("iterator already executing"));
        };
        if state.buffer.is_empty() && !state.done {
            let d = self.dir.get().dir(py)?;
            let st = &mut *state;
            let fetched: Result<Vec<Item>, Error> = match &st.kind {
                PageKind::Audit {
                    actor,
                    account,
                    query,
                } => py
                    .detach(|| d.audit_entries(actor, *account, query))
                    .map(|v| v.into_iter().map(Item::Audit).collect()),
                PageKind::Contacts {
                    actor,
                    account,
                    after,
                    limit,
                } => py
                    .detach(|| d.list_contacts(actor, *account, *after, *limit))
                    .map(|v| v.into_iter().map(Item::Contact).collect()),
                PageKind::Resources {
                    actor,
                    account,
                    after,
                    limit,
                } => py
                    .detach(|| d.resources(actor, *account, *after, *limit))
                    .map(|v| v.into_iter().map(Item::Resource).collect()),
            };
            let page = fetched.map_err(|e| errors::to_py(py, e))?;
            let full = match &mut st.kind {
                PageKind::Audit { query, .. } => {
                    if let Some(Item::Audit(last)) = page.last() {
                        query.after_seq = last.seq;
                    }
                    page.len() >= query.limit
                }
                PageKind::Contacts { after, limit, .. } => {
                    if let Some(Item::Contact(last)) = page.last() {
                        *after = Some(last.id);
                    }
                    page.len() >= *limit
                }
                PageKind::Resources { after, limit, .. } => {
                    if let Some(Item::Resource(last)) = page.last() {
                        *after = Some(last.id);
                    }
                    page.len() >= *limit
                }
            };
            st.done = !full;
            st.buffer.extend(page);
        }
        match state.buffer.pop_front() {
            Some(Item::Audit(e)) => convert::audit_entry_py(py, &e).map(Some),
            Some(Item::Contact(c)) => convert::contact_view_py(py, &c).map(Some),
            Some(Item::Resource(r)) => convert::resource_record_py(py, &r).map(Some),
            None => Ok(None),
        }
    }
}

// ----- writers for exports -----

/// A file created at the first write, so that a refused export leaves no
/// file behind.
struct LazyFile {
    path: PathBuf,
    file: Option<std::fs::File>,
}

impl LazyFile {
    fn new(path: PathBuf) -> LazyFile {
        LazyFile { path, file: None }
    }

    fn file(&mut self) -> std::io::Result<&mut std::fs::File> {
        if self.file.is_none() {
            self.file = Some(std::fs::File::create(&self.path)?);
        }
        self.file
            .as_mut()
            .ok_or_else(|| std::io::Error::other("no file"))
    }
}

impl Write for LazyFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file()?.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

/// A Python file object's `write`, called attached to the interpreter; the
/// first exception it raises is kept as the export error's cause.
struct PyWriter {
    write: Py<PyAny>,
    text: bool,
    pending: Vec<u8>,
    failure: Arc<Mutex<Option<PyErr>>>,
}

impl Write for PyWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Python::attach(|py| {
            let r = if self.text {
                // Text files take whole characters: keep an incomplete
                // UTF-8 sequence for the next write.
                self.pending.extend_from_slice(buf);
                let valid = match std::str::from_utf8(&self.pending) {
                    Ok(s) => s.len(),
                    Err(e) => e.valid_up_to(),
                };
                let chunk: Vec<u8> = self.pending.drain(..valid).collect();
                let s = String::from_utf8_lossy(&chunk).into_owned();
                self.write.bind(py).call1((s,))
            } else {
                self.write.bind(py).call1((PyBytes::new(py, buf),))
            };
            match r {
                Ok(_) => Ok(buf.len()),
                Err(e) => {
                    let msg = e.to_string();
                    let mut slot = self.failure.lock().unwrap_or_else(|p| p.into_inner());
                    if slot.is_none() {
                        *slot = Some(e);
                    }
                    Err(std::io::Error::other(msg))
                }
            }
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The core's own cost of `authorize`, timed in Rust on the same directory
/// and state (seconds per call, over `iterations` calls): the baseline that
/// `python/bench/overhead.py` compares a call from Python with.
#[pyfunction]
pub(crate) fn _bench_authorize(
    py: Python<'_>,
    directory: &Bound<'_, PyDirectory>,
    actor: ActorArg,
    account: PyAccountId,
    permission: &Bound<'_, PyAny>,
    iterations: u32,
) -> PyResult<f64> {
    let p = types(py)?.permission.rust(permission, "permission")?;
    let d = directory.get().dir(py)?;
    let iterations = iterations.max(1);
    let elapsed = py.detach(|| {
        let start = std::time::Instant::now();
        for _ in 0..iterations {
            let r = d.authorize(std::hint::black_box(&actor.0), account.0, p);
            std::hint::black_box(r.is_ok());
        }
        start.elapsed()
    });
    Ok(elapsed.as_secs_f64() / f64::from(iterations))
}
