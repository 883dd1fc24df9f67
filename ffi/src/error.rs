//! Result codes, the per-thread last error, and the guard every `extern "C"`
//! body runs behind.

use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use contactkeeper_core::{Error, ErrorCode, Problem};

/// The result of every fallible call. `CK_OK` is 0; 1 to 13 are exactly the
/// core's error kinds (`ErrorCode`), so the same numbers reach Rust, C and
/// Python; 100 and above are failures of the C boundary itself. Numbers are
/// stable and never reused.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_result {
    /// Success.
    CK_OK = 0,
    /// A value is malformed, oversized or otherwise unusable (B2, K2); see
    /// `ck_last_error_field()`.
    CK_INVALID_INPUT = 1,
    /// The actor lacks the permission the operation needs (C2).
    CK_PERMISSION_DENIED = 2,
    /// The account, contact, login, resource … does not exist (there).
    CK_NOT_FOUND = 3,
    /// It exists already (a login in use, a contact already a member).
    CK_ALREADY_EXISTS = 4,
    /// A SPEC rule refuses the operation; see `ck_last_error_rule()`.
    CK_RULE_VIOLATION = 5,
    /// Concurrent changes kept invalidating the operation; nothing changed.
    CK_CONFLICT = 6,
    /// The store failed (or could not be opened); nothing was committed.
    CK_STORE = 7,
    /// The system's random source failed.
    CK_RANDOM_UNAVAILABLE = 8,
    /// Writing the output (an export) failed.
    CK_OUTPUT = 9,
    /// A session token, reset secret or code is not valid (D6, D8).
    CK_UNAUTHENTICATED = 10,
    /// The current password, asked for again, is wrong or missing (D8).
    CK_INVALID_CREDENTIALS = 11,
    /// The contact lacks what a duty needs (H4); the missing fields are
    /// `ck_last_error_field_at(0 … count-1)`.
    CK_NOT_ELIGIBLE = 12,
    /// The contact still holds primary duties (B5).
    CK_DUTIES_HELD = 13,
    /// A pointer parameter that may not be NULL was NULL.
    CK_NULL_POINTER = 100,
    /// A string parameter is not valid UTF-8.
    CK_INVALID_UTF8 = 101,
    /// The caller's buffer is too small; the size needed was written to the
    /// length out-parameter.
    CK_BUFFER_TOO_SMALL = 102,
    /// An internal fault (a panic inside the library) was caught at the
    /// boundary; the operation may or may not have taken effect.
    CK_INTERNAL = 103,
    /// A handle or library-owned pointer that is not live: freed already,
    /// or not one the library returned (or of another type).
    CK_INVALID_HANDLE = 104,
    /// A string parameter has no NUL terminator within `CK_MAX_STRING`
    /// bytes.
    CK_UNTERMINATED_STRING = 105,
    /// An enum or flag parameter has a value the library does not know.
    CK_INVALID_ARGUMENT = 106,
}

/// The most bytes (terminator excluded) the library reads from one string
/// parameter looking for its NUL terminator.
pub const CK_MAX_STRING: usize = 1 << 20;

impl ck_result {
    /// The code of a core error kind.
    pub(crate) fn of(code: ErrorCode) -> ck_result {
        use ck_result::*;
        match code {
            ErrorCode::InvalidInput => CK_INVALID_INPUT,
            ErrorCode::PermissionDenied => CK_PERMISSION_DENIED,
            ErrorCode::NotFound => CK_NOT_FOUND,
            ErrorCode::AlreadyExists => CK_ALREADY_EXISTS,
            ErrorCode::RuleViolation => CK_RULE_VIOLATION,
            ErrorCode::Conflict => CK_CONFLICT,
            ErrorCode::Store => CK_STORE,
            ErrorCode::RandomUnavailable => CK_RANDOM_UNAVAILABLE,
            ErrorCode::Output => CK_OUTPUT,
            ErrorCode::Unauthenticated => CK_UNAUTHENTICATED,
            ErrorCode::InvalidCredentials => CK_INVALID_CREDENTIALS,
            ErrorCode::NotEligible => CK_NOT_ELIGIBLE,
            ErrorCode::DutiesHeld => CK_DUTIES_HELD,
            // A kind newer than this binding: report it as internal rather
            // than guess a number.
            _ => CK_INTERNAL,
        }
    }

    /// Every code, in numeric order.
    pub const ALL: [ck_result; 21] = {
        use ck_result::*;
        [
            CK_OK,
            CK_INVALID_INPUT,
            CK_PERMISSION_DENIED,
            CK_NOT_FOUND,
            CK_ALREADY_EXISTS,
            CK_RULE_VIOLATION,
            CK_CONFLICT,
            CK_STORE,
            CK_RANDOM_UNAVAILABLE,
            CK_OUTPUT,
            CK_UNAUTHENTICATED,
            CK_INVALID_CREDENTIALS,
            CK_NOT_ELIGIBLE,
            CK_DUTIES_HELD,
            CK_NULL_POINTER,
            CK_INVALID_UTF8,
            CK_BUFFER_TOO_SMALL,
            CK_INTERNAL,
            CK_INVALID_HANDLE,
            CK_UNTERMINATED_STRING,
            CK_INVALID_ARGUMENT,
        ]
    };

    /// A stable snake_case name, NUL-terminated.
    pub(crate) fn name(self) -> &'static CStr {
        use ck_result::*;
        match self {
            CK_OK => c"ok",
            CK_INVALID_INPUT => c"invalid_input",
            CK_PERMISSION_DENIED => c"permission_denied",
            CK_NOT_FOUND => c"not_found",
            CK_ALREADY_EXISTS => c"already_exists",
            CK_RULE_VIOLATION => c"rule_violation",
            CK_CONFLICT => c"conflict",
            CK_STORE => c"store",
            CK_RANDOM_UNAVAILABLE => c"random_unavailable",
            CK_OUTPUT => c"output",
            CK_UNAUTHENTICATED => c"unauthenticated",
            CK_INVALID_CREDENTIALS => c"invalid_credentials",
            CK_NOT_ELIGIBLE => c"not_eligible",
            CK_DUTIES_HELD => c"duties_held",
            CK_NULL_POINTER => c"null_pointer",
            CK_INVALID_UTF8 => c"invalid_utf8",
            CK_BUFFER_TOO_SMALL => c"buffer_too_small",
            CK_INTERNAL => c"internal",
            CK_INVALID_HANDLE => c"invalid_handle",
            CK_UNTERMINATED_STRING => c"unterminated_string",
            CK_INVALID_ARGUMENT => c"invalid_argument",
        }
    }
}

/// Why a call failed, before it becomes a code and a last error.
#[derive(Debug)]
pub(crate) enum Fail {
    /// A core error: its kind, message, rule and fields.
    Core(Error),
    /// A failure of the boundary: a code and a message.
    Ffi(ck_result, String),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Core(e)
    }
}

impl Fail {
    pub(crate) fn null(what: &str) -> Fail {
        Fail::Ffi(ck_result::CK_NULL_POINTER, format!("{what} is NULL"))
    }

    pub(crate) fn arg(what: &str, value: impl std::fmt::Display) -> Fail {
        Fail::Ffi(
            ck_result::CK_INVALID_ARGUMENT,
            format!("{what}: unknown value {value}"),
        )
    }

    pub(crate) fn handle(what: &str) -> Fail {
        Fail::Ffi(
            ck_result::CK_INVALID_HANDLE,
            format!("{what} is not a live handle of its type (freed already, or foreign)"),
        )
    }
}

/// The last error of the calling thread.
#[derive(Default)]
struct LastError {
    code: Option<ck_result>,
    message: CString,
    rule: Option<CString>,
    problem: Option<CString>,
    fields: Vec<CString>,
    /// The permission lacking (`CK_PERMISSION_DENIED`), the entity not
    /// found or existing already (`CK_NOT_FOUND`, `CK_ALREADY_EXISTS`), or
    /// why a session, secret or code was refused (`CK_UNAUTHENTICATED`).
    permission: Option<CString>,
    entity: Option<CString>,
    reason: Option<CString>,
}

thread_local! {
    static LAST: RefCell<LastError> = RefCell::new(LastError::default());
}

fn cstring(s: String) -> CString {
    CString::new(s).unwrap_or_else(|e| {
        let mut v = e.into_vec();
        v.retain(|b| *b != 0);
        CString::new(v).unwrap_or_default()
    })
}

fn problem_name(p: &Problem) -> &'static str {
    p.name()
}

/// Records `fail` as the thread's last error and returns its code.
pub(crate) fn set_last(fail: Fail) -> ck_result {
    let (code, message, rule, problem, fields, names) = match fail {
        Fail::Core(e) => {
            let (permission, entity, reason) = match &e {
                Error::PermissionDenied { permission } => (Some(permission.name()), None, None),
                Error::NotFound { entity } | Error::AlreadyExists { entity } => {
                    (None, Some(entity.name()), None)
                }
                Error::Unauthenticated { reason } => (None, None, Some(reason.name())),
                _ => (None, None, None),
            };
            let (problem, fields) = match &e {
                Error::InvalidInput { field, problem } => {
                    (Some(problem_name(problem)), vec![field.name()])
                }
                Error::NotEligible { missing } => {
                    (None, missing.iter().map(|f| f.name()).collect())
                }
                _ => (None, Vec::new()),
            };
            (
                ck_result::of(e.code()),
                e.to_string(),
                e.rule(),
                problem,
                fields,
                [permission, entity, reason],
            )
        }
        Fail::Ffi(code, message) => (code, message, None, None, Vec::new(), [None; 3]),
    };
    let [permission, entity, reason] = names.map(|n| n.map(|n: &str| cstring(n.to_owned())));
    // A thread being torn down has no last error to keep.
    let _ = LAST.try_with(|l| {
        if let Ok(mut l) = l.try_borrow_mut() {
            *l = LastError {
                code: Some(code),
                message: cstring(message),
                rule: rule.map(|r| cstring(r.to_owned())),
                problem: problem.map(|p| cstring(p.to_owned())),
                fields: fields.into_iter().map(|f| cstring(f.to_owned())).collect(),
                permission,
                entity,
                reason,
            };
        }
    });
    code
}

fn clear_last() {
    let _ = LAST.try_with(|l| {
        if let Ok(mut l) = l.try_borrow_mut() {
            l.code = None;
        }
    });
}

/// A host's log callback: `level` a `ck_log_level`, `message` NUL-terminated
/// UTF-8 valid for the call.
pub type ck_log_fn = Option<
    unsafe extern "C" fn(userdata: *mut std::ffi::c_void, level: u32, message: *const c_char),
>;

/// How serious a library message is.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_log_level {
    /// A fault inside the library, caught at the boundary (a panic): the
    /// call returned `CK_INTERNAL`.
    CK_LOG_ERROR = 0,
}

struct Log {
    f: ck_log_fn,
    userdata: usize,
}

fn log_sink() -> &'static std::sync::RwLock<Log> {
    static LOG: std::sync::OnceLock<std::sync::RwLock<Log>> = std::sync::OnceLock::new();
    LOG.get_or_init(|| {
        std::sync::RwLock::new(Log {
            f: None,
            userdata: 0,
        })
    })
}

/// Sends the library's messages (today: a panic caught at the boundary,
/// with where it happened) to `log`, with `userdata`, instead of nowhere;
/// NULL stops them. By default the library writes nothing, to stderr or
/// anywhere: a fault is a `CK_INTERNAL` result and
/// `ck_last_error_message()`. The callback may run on any thread calling
/// into the library, and must not call back into it. Process-wide.
#[no_mangle]
pub extern "C" fn ck_set_log(log: ck_log_fn, userdata: *mut std::ffi::c_void) {
    quiet_panics();
    let mut l = log_sink().write().unwrap_or_else(|e| e.into_inner());
    *l = Log {
        f: log,
        userdata: userdata as usize,
    };
}

thread_local! {
    /// How deep this thread is inside the library's guards.
    static IN_GUARD: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Installs, once, a panic hook that keeps panics inside the library's
/// guards off stderr (they go to the host's log callback, if any) and
/// leaves every other panic of the process to the hook it had.
fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_GUARD.try_with(|g| g.get() > 0).unwrap_or(false) {
                let l = log_sink().read().unwrap_or_else(|e| e.into_inner());
                if let Some(f) = l.f {
                    let text = cstring(format!("contactkeeper: internal error: {info}"));
                    // SAFETY: the host's callback, with its own userdata.
                    unsafe { f(l.userdata as *mut std::ffi::c_void, 0, text.as_ptr()) };
                }
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `body`: a panic becomes `CK_INTERNAL`, an error its code; both set
/// the thread's last error. Success clears it. A panic prints nothing: it
/// goes to the host's log callback ([`ck_set_log`]), if any.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), Fail>) -> ck_result {
    quiet_panics();
    let _ = IN_GUARD.try_with(|g| g.set(g.get().saturating_add(1)));
    let outcome = catch_unwind(AssertUnwindSafe(body));
    let _ = IN_GUARD.try_with(|g| g.set(g.get().saturating_sub(1)));
    match outcome {
        Ok(Ok(())) => {
            clear_last();
            ck_result::CK_OK
        }
        Ok(Err(fail)) => set_last(fail),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".to_owned());
            set_last(Fail::Ffi(
                ck_result::CK_INTERNAL,
                format!("internal error (a panic was caught at the C boundary): {what}"),
            ))
        }
    }
}

/// Reads the last error with `f`, or gives `default` when there is none.
fn with_last<T: Copy>(default: T, f: impl FnOnce(&LastError) -> T) -> T {
    LAST.try_with(|l| match l.try_borrow() {
        Ok(l) if l.code.is_some() => f(&l),
        _ => default,
    })
    .unwrap_or(default)
}

/// The code of the calling thread's last failed call, or `CK_OK` when its
/// last call succeeded (or it made none). Reading the last error does not
/// change it. Thread-safe: each thread has its own.
#[no_mangle]
pub extern "C" fn ck_last_error_code() -> ck_result {
    with_last(ck_result::CK_OK, |l| l.code.unwrap_or(ck_result::CK_OK))
}

/// The message of the calling thread's last error ("" when there is none).
/// Owned by the library: valid until this thread's next call into the
/// library other than a `ck_last_error_*` function. Messages never contain
/// the refused value (it may be a secret).
#[no_mangle]
pub extern "C" fn ck_last_error_message() -> *const c_char {
    with_last(c"".as_ptr(), |l| l.message.as_ptr())
}

/// The SPEC rule the last error enforces ("A5", "C2", "D8" …), or NULL.
/// Same lifetime as `ck_last_error_message()`.
#[no_mangle]
pub extern "C" fn ck_last_error_rule() -> *const c_char {
    with_last(std::ptr::null(), |l| {
        l.rule.as_ref().map_or(std::ptr::null(), |r| r.as_ptr())
    })
}

/// For `CK_INVALID_INPUT`, what is wrong with the field ("empty",
/// "too_long", "malformed", "common_password" …), or NULL. Same lifetime as
/// `ck_last_error_message()`.
#[no_mangle]
pub extern "C" fn ck_last_error_problem() -> *const c_char {
    with_last(std::ptr::null(), |l| {
        l.problem.as_ref().map_or(std::ptr::null(), |r| r.as_ptr())
    })
}

/// How many field names the last error names: 1 for `CK_INVALID_INPUT`,
/// the missing ones for `CK_NOT_ELIGIBLE`, otherwise 0.
#[no_mangle]
pub extern "C" fn ck_last_error_field_count() -> usize {
    with_last(0, |l| l.fields.len())
}

/// The `index`th field name of the last error ("email", "business_phone"
/// …), or NULL past the end. Same lifetime as `ck_last_error_message()`.
#[no_mangle]
pub extern "C" fn ck_last_error_field_at(index: usize) -> *const c_char {
    with_last(std::ptr::null(), |l| {
        l.fields.get(index).map_or(std::ptr::null(), |f| f.as_ptr())
    })
}

/// The first field name of the last error, or NULL: shorthand for
/// `ck_last_error_field_at(0)`.
#[no_mangle]
pub extern "C" fn ck_last_error_field() -> *const c_char {
    ck_last_error_field_at(0)
}

/// For `CK_PERMISSION_DENIED`, the permission the actor lacks
/// ("manage_contacts", "technical_admin" …), or NULL. Same lifetime as
/// `ck_last_error_message()`.
#[no_mangle]
pub extern "C" fn ck_last_error_permission() -> *const c_char {
    with_last(std::ptr::null(), |l| {
        l.permission
            .as_ref()
            .map_or(std::ptr::null(), |r| r.as_ptr())
    })
}

/// For `CK_NOT_FOUND` and `CK_ALREADY_EXISTS`, the kind of thing
/// ("account", "contact", "login", "resource" …), or NULL. Same lifetime as
/// `ck_last_error_message()`.
#[no_mangle]
pub extern "C" fn ck_last_error_entity() -> *const c_char {
    with_last(std::ptr::null(), |l| {
        l.entity.as_ref().map_or(std::ptr::null(), |r| r.as_ptr())
    })
}

/// For `CK_UNAUTHENTICATED`, why the session, secret or code was refused
/// ("invalid_token", "expired", "revoked", "locked" …), or NULL. Same
/// lifetime as `ck_last_error_message()`.
#[no_mangle]
pub extern "C" fn ck_last_error_reason() -> *const c_char {
    with_last(std::ptr::null(), |l| {
        l.reason.as_ref().map_or(std::ptr::null(), |r| r.as_ptr())
    })
}

/// The stable snake_case name of a result code ("ok", "invalid_input",
/// "null_pointer" …), or "unknown" for a number that is not one. Static:
/// never freed.
#[no_mangle]
pub extern "C" fn ck_result_name(code: u32) -> *const c_char {
    ck_result::ALL
        .iter()
        .find(|c| **c as u32 == code)
        .map_or(c"unknown".as_ptr(), |c| c.name().as_ptr())
}

/// Deliberately panics inside the library, behind the same guard as every
/// other call, so a host can check that no panic crosses the boundary:
/// returns `CK_INTERNAL` and sets the last error. Changes nothing.
#[no_mangle]
pub extern "C" fn ck_selftest_panic() -> ck_result {
    guard(|| {
        let v: Vec<u8> = Vec::new();
        // An index out of bounds: a real panic, not a simulated one.
        let i = std::hint::black_box(3);
        let _ = v[i];
        Ok(())
    })
}
