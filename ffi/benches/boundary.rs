//! The cost of the C boundary: one trivial call (an authorization query)
//! made in Rust on a `Directory`, and the same call through `ck_authorize`
//! (the extern "C" function, with its guard, handle check, actor and
//! permission translation and result code). Figures go to BENCHMARKS.md.
//!
//! cargo bench -p contactkeeper-ffi --bench boundary

use std::hint::black_box;
use std::ptr;

use contactkeeper as ffi;
use contactkeeper_core::{
    AccountId, Actor, Directory, NewAccount, NewContact, Permission, Profile,
};
use criterion::{criterion_group, criterion_main, Criterion};

fn new_contact(login: &str) -> NewContact {
    NewContact::new(
        login,
        Profile::new("Bench Person", format!("{login}@example.com")),
    )
}

fn boundary(c: &mut Criterion) {
    // Rust: a directory and an account.
    let dir = Directory::in_memory();
    let created = dir
        .create_account(
            &Actor::System,
            &NewAccount::new("Bench", new_contact("owner")),
        )
        .unwrap();
    let owner = Actor::contact(created.owner);

    // C: the same through the C API.
    let mut handle: *mut ffi::ck_directory = ptr::null_mut();
    // SAFETY: valid out-pointer; NULL options are the defaults.
    assert_eq!(
        unsafe { ffi::ck_directory_new(ptr::null(), &mut handle) },
        ffi::ck_result::CK_OK
    );
    let system = ffi::ck_actor_system();
    let name = c"Bench".as_ptr();
    let login = c"owner".as_ptr();
    let email = c"owner@example.com".as_ptr();
    let c_contact = ffi::ck_new_contact {
        login,
        profile: ffi::ck_profile {
            name: c"Bench Person".as_ptr(),
            job_title: ptr::null(),
            business_phone: ptr::null(),
            email,
            time_zone: ptr::null(),
            alternate_email: ptr::null(),
            cell_phone: ptr::null(),
        },
        roles: 0,
        tech_scope: ffi::ck_tech_scope {
            all: true,
            options: ptr::null(),
            options_len: 0,
        },
        password: ptr::null(),
        password_hash: ptr::null(),
        must_change_password: false,
    };
    let mut out = ffi::ck_account_created {
        account: 0,
        owner: 0,
    };
    // SAFETY: every pointer is valid for the call.
    let r =
        unsafe { ffi::ck_create_account(handle, &system, name, ptr::null(), &c_contact, &mut out) };
    assert_eq!(r, ffi::ck_result::CK_OK);
    let c_owner = ffi::ck_actor_contact(out.owner);
    let read_audit = ffi::ck_permission::CK_PERMISSION_READ_AUDIT as u32;

    let mut g = c.benchmark_group("boundary");
    g.bench_function("authorize/rust", |b| {
        b.iter(|| {
            black_box(dir.authorize(
                black_box(&owner),
                black_box(created.account),
                black_box(Permission::ReadAudit),
            ))
        })
    });
    g.bench_function("authorize/c_abi", |b| {
        b.iter(|| {
            // SAFETY: a live handle and a valid actor.
            black_box(unsafe {
                ffi::ck_authorize(
                    black_box(handle),
                    black_box(&c_owner),
                    black_box(out.account),
                    black_box(read_audit),
                )
            })
        })
    });
    // A refusal: the C side also records the last error (message, rule).
    let stranger = ffi::ck_actor_contact(42);
    g.bench_function("authorize_denied/rust", |b| {
        b.iter(|| {
            black_box(dir.authorize(
                black_box(&Actor::contact(contactkeeper_core::ContactId(42))),
                black_box(AccountId(created.account.get())),
                black_box(Permission::ReadAudit),
            ))
        })
    });
    g.bench_function("authorize_denied/c_abi", |b| {
        b.iter(|| {
            // SAFETY: as above.
            black_box(unsafe {
                ffi::ck_authorize(handle, black_box(&stranger), out.account, read_audit)
            })
        })
    });
    g.finish();
    // SAFETY: the handle is live and no longer used.
    unsafe { ffi::ck_directory_free(handle) };
}

criterion_group!(benches, boundary);
criterion_main!(benches);
