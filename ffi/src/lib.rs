//! The C ABI of contactkeeper: `libcontactkeeper.so` / `libcontactkeeper.a`
//! and `include/contactkeeper.h` (generated from this crate by cbindgen).
//!
//! The bindings are thin: they translate types and errors and call the
//! core's `Directory`; no rule lives here. The conventions follow
//! rustls-ffi:
//!
//! - **Handles**: a directory (`ck_directory`) and a manual clock are
//!   opaque, with `_new`/`_free` pairs; `_free(NULL)` is a no-op. A handle
//!   is a number (a type, a slot, the slot's generation), so a later use or
//!   a second free gives `CK_INVALID_HANDLE` instead of corrupting memory,
//!   and a freed handle keeps no memory.
//! - **Results**: every fallible call returns a `ck_result`: `CK_OK` (0),
//!   the core's error kinds with their stable numbers (1–13), or a failure
//!   of the boundary (100+). Out-parameters are written only on success
//!   (the one exception: `CK_BUFFER_TOO_SMALL` writes the size needed).
//!   The calling thread's last error (`ck_last_error_message()`, `_rule()`,
//!   `_field()` …) explains a failure; it lives until the thread's next
//!   call.
//! - **Strings in**: NUL-terminated UTF-8, borrowed for the call; NULL
//!   where one is required gives `CK_NULL_POINTER`, invalid UTF-8
//!   `CK_INVALID_UTF8`, no terminator within `CK_MAX_STRING` bytes
//!   `CK_UNTERMINATED_STRING`. Enum parameters are plain integers: an
//!   unknown value gives `CK_INVALID_ARGUMENT`.
//! - **Results out**: read-only views (`ck_contact`, `ck_contact_list`,
//!   `ck_sign_in_result` …) and strings that the library allocates, each
//!   freed by its own function (which wipes it: views and strings may hold
//!   secrets). Every free refuses, with `CK_INVALID_HANDLE`, a pointer the
//!   library did not hand out or has freed already.
//! - **Panics** never cross the boundary: every `extern "C"` body runs
//!   behind one guard (`catch_unwind`) that turns a panic into
//!   `CK_INTERNAL`.
//! - **Threads**: a directory is shared by any number of threads; views are
//!   owned by whoever received them (no internal sharing; free them on any
//!   thread); a notifier callback may be called from any thread at once.
//!
//! Ids are `uint64_t` (never 0: 0 means "none" where an id is optional);
//! times are unix seconds (`int64_t`).
//!
//! **Design note.** ARCHITECTURE asks for one opaque struct per C type.
//! Objects with identity and behaviour (the directory, the manual clock)
//! are opaque; *results* are read-only `repr(C)` views whose fields C reads
//! directly (`contact->profile.email`, `list->items[i].lock.kind`), each
//! with one `_free`. Opaque results would need an accessor per field (some
//! 150 more functions) for no gain in safety: the library never reads a
//! view back, so C cannot corrupt it, and fields are only ever appended.
//! Inputs are plain structs the caller fills and lends for one call.
//!
//! **What cannot be detected.** A freed handle or view used again is
//! caught for handles, not for views: reading a freed view is the caller's
//! use-after-free. Handles (directories, clocks) are numbers, not
//! addresses: a type tag, a slot and the slot's generation, so a freed one
//! or a foreign pointer is refused without being read, and the memory freed
//! handles keep does not grow with how many were opened. A double free of a
//! view or string is caught unless the library has since handed out a new
//! one at the same address. Freeing a directory while another thread still
//! uses it, or lying about an array's length, cannot be detected.

#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
// The C names are the ABI: `ck_directory`, `CK_OK`.
#![expect(non_camel_case_types, reason = "the C names are the ABI")]
// Every function takes raw pointers from C; the safety contract is the
// same for all and documented once, above and in the header's preamble.
#![expect(
    clippy::missing_safety_doc,
    reason = "one safety contract for every function, documented once"
)]

mod accounts;
mod audit;
mod contacts;
mod conv;
mod designations;
mod error;
mod handles;
mod signin;
mod types;

pub use accounts::*;
pub use audit::*;
pub use contacts::*;
pub use conv::ck_string_free;
pub use designations::*;
pub use error::*;
pub use handles::*;
pub use signin::*;
pub use types::*;

/// The library's major version (matches Cargo.toml; a test checks it).
pub const CK_VERSION_MAJOR: u32 = 0;
/// The library's minor version.
pub const CK_VERSION_MINOR: u32 = 1;
/// The library's patch version.
pub const CK_VERSION_PATCH: u32 = 0;

/// The version of the library actually linked ("0.1.0"), to compare with
/// the header's `CK_VERSION_*` macros. Static: never freed.
#[no_mangle]
pub extern "C" fn ck_version() -> *const std::ffi::c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The version of the library actually linked as one number: major times
/// 10,000, plus minor times 100, plus patch (0.1.0 is 100), to compare with the header's
/// `CK_VERSION_NUMBER` at run time: `if (ck_version_number() <
/// CK_VERSION_NUMBER)` the program was built against a newer header than
/// the library it runs with.
#[no_mangle]
pub extern "C" fn ck_version_number() -> u32 {
    CK_VERSION_NUMBER
}

/// The header's version as one number (see `ck_version_number()`).
pub const CK_VERSION_NUMBER: u32 =
    CK_VERSION_MAJOR * 10_000 + CK_VERSION_MINOR * 100 + CK_VERSION_PATCH;

#[cfg(test)]
mod tests {
    use super::*;
    use contactkeeper_core::error::ALL_CODES;

    #[test]
    fn the_version_number_is_the_three_parts() {
        assert_eq!(
            ck_version_number(),
            CK_VERSION_MAJOR * 10_000 + CK_VERSION_MINOR * 100 + CK_VERSION_PATCH
        );
    }

    #[test]
    fn version_macros_match_cargo_toml() {
        assert_eq!(
            CK_VERSION_MAJOR.to_string(),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            CK_VERSION_MINOR.to_string(),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            CK_VERSION_PATCH.to_string(),
            env!("CARGO_PKG_VERSION_PATCH")
        );
    }

    #[test]
    fn result_codes_are_the_core_error_codes() {
        // rule K1: the same numbers reach Rust and C.
        for c in ALL_CODES {
            let r = ck_result::of(c);
            assert_eq!(r as u32, u32::from(c.as_u16()));
            assert_eq!(r.name().to_str().unwrap(), c.name());
        }
        assert_eq!(ck_result::ALL.len(), 1 + ALL_CODES.len() + 7);
    }
}
