//! Crossing the boundary: strings and slices in, out-parameters, and the
//! registry of everything the library hands out (so that a double free or a
//! foreign pointer is refused instead of corrupting memory).

use std::any::Any;
use std::collections::HashMap;
use std::ffi::{c_char, CString};
use std::sync::{Mutex, OnceLock};

use zeroize::Zeroize;

use crate::error::{ck_result, Fail, CK_MAX_STRING};

/// Reads a NUL-terminated string of at most [`CK_MAX_STRING`] bytes.
///
/// # Safety
/// `p` is NULL or points to readable memory up to its terminator or
/// `CK_MAX_STRING` bytes, whichever comes first.
pub(crate) unsafe fn opt_str<'a>(p: *const c_char, what: &str) -> Result<Option<&'a str>, Fail> {
    if p.is_null() {
        return Ok(None);
    }
    let mut len = 0usize;
    // SAFETY: the caller guarantees readability up to the terminator or the
    // limit; we never read past either.
    while unsafe { *p.add(len) } != 0 {
        len += 1;
        if len > CK_MAX_STRING {
            return Err(Fail::Ffi(
                ck_result::CK_UNTERMINATED_STRING,
                format!("{what} has no NUL terminator within {CK_MAX_STRING} bytes"),
            ));
        }
    }
    // SAFETY: `len` bytes were just read.
    let bytes = unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len) };
    std::str::from_utf8(bytes).map(Some).map_err(|_| {
        Fail::Ffi(
            ck_result::CK_INVALID_UTF8,
            format!("{what} is not valid UTF-8"),
        )
    })
}

/// Like [`opt_str`], but NULL is refused.
///
/// # Safety
/// As [`opt_str`].
pub(crate) unsafe fn req_str<'a>(p: *const c_char, what: &str) -> Result<&'a str, Fail> {
    unsafe { opt_str(p, what) }?.ok_or_else(|| Fail::null(what))
}

/// An optional field of an update: NULL keeps it, "" clears it.
///
/// # Safety
/// As [`opt_str`].
pub(crate) unsafe fn update_field(
    p: *const c_char,
    what: &str,
) -> Result<Option<Option<String>>, Fail> {
    Ok(unsafe { opt_str(p, what) }?.map(|s| (!s.is_empty()).then(|| s.to_owned())))
}

/// A C array; NULL is allowed for an empty one.
///
/// # Safety
/// `p` is NULL with `len == 0`, or points to `len` readable `T`.
pub(crate) unsafe fn slice<'a, T>(p: *const T, len: usize, what: &str) -> Result<&'a [T], Fail> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Fail::null(what));
    }
    // SAFETY: the caller guarantees `len` readable elements.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// An array of strings, each checked.
///
/// # Safety
/// As [`slice`] and [`req_str`] for each element.
pub(crate) unsafe fn strings(
    p: *const *const c_char,
    len: usize,
    what: &str,
) -> Result<Vec<String>, Fail> {
    let items = unsafe { slice(p, len, what) }?;
    items
        .iter()
        .map(|s| unsafe { req_str(*s, what) }.map(str::to_owned))
        .collect()
}

/// A checked pointer to the caller's out-parameter, written only on success.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    /// Refuses NULL.
    pub(crate) fn new(p: *mut T, what: &str) -> Result<Out<T>, Fail> {
        if p.is_null() {
            return Err(Fail::null(what));
        }
        Ok(Out(p))
    }

    /// Writes the value (the old one is not dropped: it is the caller's
    /// uninitialised or plain memory).
    pub(crate) fn set(self, v: T) {
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { self.0.write(v) }
    }
}

/// What a registered address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A live view or string of the named type.
    Live(&'static str),
}

fn registry() -> &'static Mutex<HashMap<usize, Kind>> {
    static REG: OnceLock<Mutex<HashMap<usize, Kind>>> = OnceLock::new();
    REG.get_or_init(|| Mutex::new(HashMap::new()))
}

pub(crate) fn register(addr: usize, kind: Kind) {
    registry()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(addr, kind);
}

/// Whether `addr` was live as `ty`; if it was, it becomes `then` (or is
/// forgotten with `None`).
pub(crate) fn retire(addr: usize, ty: &'static str, then: Option<Kind>) -> bool {
    let mut reg = registry().lock().unwrap_or_else(|e| e.into_inner());
    if reg.get(&addr) != Some(&Kind::Live(ty)) {
        return false;
    }
    match then {
        Some(k) => reg.insert(addr, k),
        None => reg.remove(&addr),
    };
    true
}

/// Memory a view's pointers point into; wiped and freed with the view.
#[derive(Default)]
pub(crate) struct Arena {
    strings: Vec<CString>,
    arrays: Vec<Box<dyn Any>>,
}

pub(crate) fn to_cstring(s: &str) -> CString {
    CString::new(s).unwrap_or_else(|e| {
        let mut v = e.into_vec();
        v.retain(|b| *b != 0);
        CString::new(v).unwrap_or_default()
    })
}

impl Arena {
    /// A NUL-terminated copy of `s`, owned by the arena.
    pub(crate) fn str(&mut self, s: &str) -> *const c_char {
        let c = to_cstring(s);
        let p = c.as_ptr();
        self.strings.push(c);
        p
    }

    /// NULL for `None`.
    pub(crate) fn opt_str(&mut self, s: Option<&str>) -> *const c_char {
        s.map_or(std::ptr::null(), |s| self.str(s))
    }

    /// An array of strings: (pointer, length); NULL when empty.
    pub(crate) fn strs<'s>(
        &mut self,
        items: impl IntoIterator<Item = &'s str>,
    ) -> (*const *const c_char, usize) {
        let ptrs: Vec<*const c_char> = items.into_iter().map(|s| self.str(s)).collect();
        self.vec(ptrs)
    }

    /// An array of `T`: (pointer, length); NULL when empty.
    pub(crate) fn vec<T: 'static>(&mut self, v: Vec<T>) -> (*const T, usize) {
        if v.is_empty() {
            return (std::ptr::null(), 0);
        }
        let b = Box::new(v);
        let out = (b.as_ptr(), b.len());
        self.arrays.push(b);
        out
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        // Views may carry secrets (tokens, URIs): wipe every string.
        for s in self.strings.drain(..) {
            let mut bytes = s.into_bytes();
            bytes.zeroize();
        }
    }
}

/// A view and the memory its pointers point into. `repr(C)` with the view
/// first: a pointer to the box is a pointer to the view.
#[repr(C)]
struct Boxed<V> {
    view: V,
    arena: Arena,
}

/// Hands a view to C: allocated, registered, freed by [`release`].
pub(crate) fn publish<V: 'static>(view: V, arena: Arena, ty: &'static str) -> *mut V {
    let p = Box::into_raw(Box::new(Boxed { view, arena }));
    register(p as usize, Kind::Live(ty));
    p.cast::<V>()
}

/// Frees a view [`publish`] made; NULL is a no-op; anything else is refused.
///
/// # Safety
/// `p` is NULL or any pointer; only a registered one is dereferenced.
pub(crate) unsafe fn release<V: 'static>(p: *mut V, ty: &'static str) -> Result<(), Fail> {
    if p.is_null() {
        return Ok(());
    }
    if !retire(p as usize, ty, None) {
        return Err(Fail::handle(ty));
    }
    // SAFETY: registered by `publish` with this type, and unregistered now,
    // so it is freed once.
    drop(unsafe { Box::from_raw(p.cast::<Boxed<V>>()) });
    Ok(())
}

/// Hands a string to C, registered; freed (and wiped) by `ck_string_free`.
pub(crate) fn publish_string(s: &str) -> *mut c_char {
    let p = to_cstring(s).into_raw();
    register(p as usize, Kind::Live("string"));
    p
}

/// Frees (and wipes) any string the library returned. NULL is a no-op; a
/// pointer the library did not return, or returned and freed already,
/// gives `CK_INVALID_HANDLE` and is left alone (a double free is detected
/// unless the library has since returned a new string at the same address).
#[no_mangle]
pub unsafe extern "C" fn ck_string_free(s: *mut c_char) -> ck_result {
    crate::error::guard(|| {
        if s.is_null() {
            return Ok(());
        }
        if !retire(s as usize, "string", None) {
            return Err(Fail::handle("string"));
        }
        // SAFETY: made by `publish_string` with `CString::into_raw`.
        let mut bytes = unsafe { CString::from_raw(s) }.into_bytes();
        bytes.zeroize();
        Ok(())
    })
}
