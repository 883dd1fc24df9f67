//! Notifiers and clocks from Python.
//!
//! The core calls a notifier after a commit, on a delivery thread of its
//! own (or on the caller's thread when the directory has no delivery
//! timeout). Either way the caller has detached from the interpreter before
//! calling the core, so the notifier attaches here without waiting for it.
//! Whatever the Python notifier does (raise, return nonsense, take too long)
//! the directory carries on: an exception counts as "retry later" and is
//! logged to the `contactkeeper` logger.

use std::sync::Arc;

use contactkeeper::{Delivery, Notification, Notifier};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict};

use crate::convert::{self, types};

/// A Python notifier: a callable that takes a `Notification`.
pub(crate) struct PyNotifier {
    target: Py<PyAny>,
}

impl PyNotifier {
    /// A notifier from an object with a `deliver(notification)` method, or
    /// from a callable; `TypeError` otherwise.
    pub(crate) fn from_object(obj: &Bound<'_, PyAny>) -> PyResult<Arc<dyn Notifier>> {
        if let Ok(m) = obj.cast::<PyMemoryNotifier>() {
            return Ok(m.get().inner.clone());
        }
        if let Ok(deliver) = obj.getattr("deliver") {
            if deliver.is_callable() {
                return Ok(Arc::new(PyNotifier {
                    target: deliver.unbind(),
                }));
            }
        }
        if obj.is_callable() {
            return Ok(Arc::new(PyNotifier {
                target: obj.clone().unbind(),
            }));
        }
        Err(convert::type_error(
            "notifier",
            "an object with a deliver(notification) method, or a callable",
            obj,
        ))
    }
}

impl Notifier for PyNotifier {
    fn deliver(&self, n: &Notification) -> Delivery {
        Python::attach(|py| {
            let outcome = convert::notification_py(py, n)
                .and_then(|note| self.target.bind(py).call1((note,)))
                .and_then(|r| delivery(py, &r));
            match outcome {
                Ok(d) => d,
                Err(e) => {
                    log(py, "the notifier raised; the notification stays pending", e);
                    Delivery::RetryLater
                }
            }
        })
    }
}

/// What a notifier's return value means: `None` or `True` delivered,
/// `False` retry later, or a `Delivery`.
fn delivery(py: Python<'_>, r: &Bound<'_, PyAny>) -> PyResult<Delivery> {
    if r.is_none() {
        return Ok(Delivery::Delivered);
    }
    if let Ok(b) = r.cast::<PyBool>() {
        return Ok(if b.is_true() {
            Delivery::Delivered
        } else {
            Delivery::RetryLater
        });
    }
    types(py)?.delivery.rust(r, "the notifier's return value")
}

/// Logs an exception of a callback to the `contactkeeper` logger.
fn log(py: Python<'_>, message: &str, e: PyErr) {
    let logged = types(py).and_then(|t| {
        let kw = PyDict::new(py);
        kw.set_item("exc_info", e.value(py))?;
        t.logger
            .bind(py)
            .call_method("warning", (message,), Some(&kw))
            .map(drop)
    });
    if let Err(failed) = logged {
        failed.write_unraisable(py, None);
    }
}

/// A notifier that keeps what it is given, in native code: for tests, demos
/// and hosts that poll. `take()` returns and forgets what was delivered.
#[pyclass(frozen, name = "MemoryNotifier", module = "contactkeeper")]
pub(crate) struct PyMemoryNotifier {
    inner: Arc<contactkeeper::MemoryNotifier>,
}

#[pymethods]
impl PyMemoryNotifier {
    #[new]
    fn new() -> Self {
        PyMemoryNotifier {
            inner: Arc::new(contactkeeper::MemoryNotifier::new()),
        }
    }

    /// The notifications delivered since the last call, oldest first.
    fn take<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let taken = self.inner.take();
        convert::list(py, &taken, convert::notification_py)
    }

    fn __repr__(&self) -> String {
        "MemoryNotifier()".to_owned()
    }
}

/// A clock that moves only when told to: for tests and simulations.
#[pyclass(frozen, name = "ManualClock", module = "contactkeeper")]
pub(crate) struct PyManualClock {
    pub(crate) inner: Arc<contactkeeper::ManualClock>,
}

#[pymethods]
impl PyManualClock {
    /// A clock standing at `start` (an aware `datetime`).
    #[new]
    fn new(start: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyManualClock {
            inner: Arc::new(contactkeeper::ManualClock::new(convert::datetime(
                start, "start",
            )?)),
        })
    }

    /// The time now, by this clock (UTC).
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        use contactkeeper::Clock;
        Ok(self.inner.now().into_pyobject(py)?.into_any())
    }

    /// Sets the time.
    fn set(&self, to: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set(convert::datetime(to, "to")?);
        Ok(())
    }

    /// Moves the time by `by` (a `timedelta` or seconds; may be negative).
    fn advance(&self, by: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.advance(convert::duration(by, "by")?);
        Ok(())
    }

    fn __repr__(&self) -> String {
        use contactkeeper::Clock;
        format!("ManualClock({})", self.inner.now())
    }
}
