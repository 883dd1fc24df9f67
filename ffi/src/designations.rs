//! Resources, technical and billing contacts, milestones (SPEC H).

use std::ffi::c_char;

use contactkeeper_core as core;
use core::{AccountId, ContactId, DutyTarget, Milestone, NewResource, ResourceId};

use crate::contacts::new_contact_from;
use crate::conv::{opt_str, publish, release, req_str, Arena, Out};
use crate::error::{ck_result, guard, Fail};
use crate::handles::{ck_directory, directory, opt_id};
use crate::types::{
    actor_from, ck_actor, ck_contact_added, ck_duty, ck_new_contact, contact_added, duty_of,
    rank_from,
};

/// A resource of an account (H1). Read-only; alone (free with
/// `ck_resource_free()`) or in a `ck_resource_list`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_resource {
    /// Its id.
    pub id: u64,
    /// The account that manages it.
    pub account: u64,
    /// What it is, in the host's words ("computer", "site" …).
    pub kind: *const c_char,
    /// Its name.
    pub name: *const c_char,
    /// The primary technical contact.
    pub primary: u64,
    /// The secondary technical contact, or 0.
    pub secondary: u64,
    /// When it was added (unix seconds).
    pub created_at: i64,
}

/// A page of resources. Read-only; free with `ck_resource_list_free()`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_resource_list {
    /// The resources, by id.
    pub items: *const ck_resource,
    /// How many.
    pub len: usize,
}

/// The duties a contact holds. Read-only; free with `ck_duty_list_free()`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_duty_list {
    /// The duties.
    pub items: *const ck_duty,
    /// How many.
    pub len: usize,
}

fn resource_view(r: &core::ResourceRecord, arena: &mut Arena) -> ck_resource {
    ck_resource {
        id: r.id.get(),
        account: r.account.get(),
        kind: arena.str(&r.kind),
        name: arena.str(&r.name),
        primary: r.primary.get(),
        secondary: r.secondary.map_or(0, |c| c.get()),
        created_at: r.created_at.unix_timestamp(),
    }
}

/// Adds a resource with its primary technical contact (H1) and an optional
/// secondary (0: none; H2); both must hold what the duty needs (H4), else
/// `CK_NOT_ELIGIBLE` naming the missing fields. `*out` is its id.
#[no_mangle]
pub unsafe extern "C" fn ck_add_resource(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    kind: *const c_char,
    name: *const c_char,
    primary: u64,
    secondary: u64,
    out: *mut u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let new = NewResource {
            kind: unsafe { req_str(kind, "kind") }?.to_owned(),
            name: unsafe { req_str(name, "name") }?.to_owned(),
            primary: ContactId(primary),
            secondary: opt_id(secondary).map(ContactId),
        };
        let out = Out::new(out, "out")?;
        out.set(d.add_resource(&a, AccountId(account), &new)?.get());
        Ok(())
    })
}

/// Sets a resource's technical contacts (H1–H3); `secondary` 0 for none.
#[no_mangle]
pub unsafe extern "C" fn ck_set_technical_contacts(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    resource: u64,
    primary: u64,
    secondary: u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        d.set_technical_contacts(
            &a,
            AccountId(account),
            ResourceId(resource),
            ContactId(primary),
            opt_id(secondary).map(ContactId),
        )?;
        Ok(())
    })
}

/// Removes a resource.
#[no_mangle]
pub unsafe extern "C" fn ck_remove_resource(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    resource: u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        d.remove_resource(&a, AccountId(account), ResourceId(resource))?;
        Ok(())
    })
}

/// A resource of the account. Free `*out` with `ck_resource_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_resource_get(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    resource: u64,
    out: *mut *mut ck_resource,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        let r = d.resource(&a, AccountId(account), ResourceId(resource))?;
        let mut arena = Arena::default();
        let view = resource_view(&r, &mut arena);
        out.set(publish(view, arena, "ck_resource"));
        Ok(())
    })
}

/// Frees a resource view. NULL is a no-op; a freed or foreign pointer
/// gives `CK_INVALID_HANDLE`.
#[no_mangle]
pub unsafe extern "C" fn ck_resource_free(resource: *mut ck_resource) -> ck_result {
    guard(|| unsafe { release(resource, "ck_resource") })
}

/// A page of the account's resources by id: those above `after` (0: from
/// the start), at most `limit` (1 to 1000). Free `*out` with
/// `ck_resource_list_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_resources(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    after: u64,
    limit: usize,
    out: *mut *mut ck_resource_list,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        let list = d.resources(&a, AccountId(account), opt_id(after).map(ResourceId), limit)?;
        let mut arena = Arena::default();
        let items: Vec<ck_resource> = list.iter().map(|r| resource_view(r, &mut arena)).collect();
        let (items, len) = arena.vec(items);
        out.set(publish(
            ck_resource_list { items, len },
            arena,
            "ck_resource_list",
        ));
        Ok(())
    })
}

/// Frees a resource list. NULL is a no-op; a freed or foreign pointer
/// gives `CK_INVALID_HANDLE`.
#[no_mangle]
pub unsafe extern "C" fn ck_resource_list_free(list: *mut ck_resource_list) -> ck_result {
    guard(|| unsafe { release(list, "ck_resource_list") })
}

/// The duties a contact holds in the account (H3). Free `*out` with
/// `ck_duty_list_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_duties(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
    out: *mut *mut ck_duty_list,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        let list = d.duties(&a, AccountId(account), ContactId(contact))?;
        let mut arena = Arena::default();
        let (items, len) = arena.vec(list.iter().map(duty_of).collect());
        out.set(publish(ck_duty_list { items, len }, arena, "ck_duty_list"));
        Ok(())
    })
}

/// Frees a duty list. NULL is a no-op; a freed or foreign pointer gives
/// `CK_INVALID_HANDLE`.
#[no_mangle]
pub unsafe extern "C" fn ck_duty_list_free(list: *mut ck_duty_list) -> ck_result {
    guard(|| unsafe { release(list, "ck_duty_list") })
}

/// Moves every duty of contact `from` to contact `to` in one atomic step
/// (H3). `*moved` (may be NULL) is how many duties moved.
#[no_mangle]
pub unsafe extern "C" fn ck_reassign_duties(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    from: u64,
    to: u64,
    moved: *mut usize,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let n = d.reassign_duties(&a, AccountId(account), ContactId(from), ContactId(to))?;
        if !moved.is_null() {
            Out::new(moved, "moved")?.set(n);
        }
        Ok(())
    })
}

/// Sets the account's billing contacts (H7): a primary and an optional
/// secondary (0: none) that differs from it, both eligible (H4).
#[no_mangle]
pub unsafe extern "C" fn ck_set_billing_contacts(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    primary: u64,
    secondary: u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        d.set_billing_contacts(
            &a,
            AccountId(account),
            ContactId(primary),
            opt_id(secondary).map(ContactId),
        )?;
        Ok(())
    })
}

/// The account's billing contacts (H7): `*primary` and `*secondary`, 0
/// where none is set.
#[no_mangle]
pub unsafe extern "C" fn ck_billing_contacts(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    primary: *mut u64,
    secondary: *mut u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let p = Out::new(primary, "primary")?;
        let s = Out::new(secondary, "secondary")?;
        let b = d.billing_contacts(&a, AccountId(account))?;
        p.set(b.primary.map_or(0, |c| c.get()));
        s.set(b.secondary.map_or(0, |c| c.get()));
        Ok(())
    })
}

/// Creates a new contact and gives it `duty` in one atomic step (H5, seed
/// 000's New User): whoever may assign the duty may, and the new contact
/// gets no role (`CK_RULE_VIOLATION`, H5, otherwise). If either half is
/// refused, neither happens.
#[no_mangle]
pub unsafe extern "C" fn ck_create_contact_with_duty(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: *const ck_new_contact,
    duty: *const ck_duty,
    out: *mut ck_contact_added,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let new = unsafe { new_contact_from(contact) }?;
        let target = unsafe { duty_target(duty) }?;
        let out = Out::new(out, "out")?;
        let added = d.create_contact_with_duty(&a, AccountId(account), &new, target)?;
        out.set(contact_added(&added));
        Ok(())
    })
}

/// The duty a `ck_duty` names.
///
/// # Safety
/// `duty` is NULL or a valid `ck_duty`.
unsafe fn duty_target(duty: *const ck_duty) -> Result<DutyTarget, Fail> {
    if duty.is_null() {
        return Err(Fail::null("duty"));
    }
    // SAFETY: lent by the caller.
    let duty = unsafe { *duty };
    let rank = rank_from(duty.rank)?;
    match duty.kind {
        0 => Ok(DutyTarget::Technical(ResourceId(duty.resource), rank)),
        1 => Ok(DutyTarget::Billing(rank)),
        k => Err(Fail::arg("duty.kind", k)),
    }
}

/// The information a designee lacks, supplied with its designation (H4,
/// seed 000's User Information form): NULL leaves a field alone. Only the
/// fields the duty needs and the contact lacks may be given.
#[repr(C)]
#[derive(Debug)]
pub struct ck_duty_info {
    /// The email, if the contact has none; or NULL.
    pub email: *const c_char,
    /// The business phone, if the contact has none; or NULL.
    pub business_phone: *const c_char,
}

/// Gives an existing contact of the account one duty, supplying in the same
/// atomic step what the duty needs and the contact lacks (H4; `info` may be
/// NULL for nothing). A field it has already: `CK_RULE_VIOLATION` (H4);
/// still lacking one: `CK_NOT_ELIGIBLE`. Whoever may assign the duty may;
/// not the owner's details (A6), not a profile shared with other accounts
/// (B6). A primary replaces the current one; a secondary is never the
/// primary (H2).
#[no_mangle]
pub unsafe extern "C" fn ck_designate(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
    duty: *const ck_duty,
    info: *const ck_duty_info,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let target = unsafe { duty_target(duty) }?;
        let info = if info.is_null() {
            core::DutyInfo::default()
        } else {
            // SAFETY: lent by the caller.
            let i = unsafe { &*info };
            core::DutyInfo {
                email: unsafe { opt_str(i.email, "info.email") }?.map(str::to_owned),
                business_phone: unsafe { opt_str(i.business_phone, "info.business_phone") }?
                    .map(str::to_owned),
            }
        };
        d.designate(&a, AccountId(account), ContactId(contact), target, &info)?;
        Ok(())
    })
}

/// What `ck_add_resource_with_new_primary()` made (written into the
/// caller's struct).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ck_resource_added {
    /// The new resource.
    pub resource: u64,
    /// Its new primary technical contact.
    pub contact: ck_contact_added,
}

/// Adds a resource with a new contact as its primary technical contact in
/// one atomic step (H5, seed 000's New User): whoever may add resources
/// may; the new contact gets no role (`CK_RULE_VIOLATION`, H5, otherwise)
/// and must hold what the duty needs (H4). `secondary` 0 for none.
#[no_mangle]
pub unsafe extern "C" fn ck_add_resource_with_new_primary(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    kind: *const c_char,
    name: *const c_char,
    contact: *const ck_new_contact,
    secondary: u64,
    out: *mut ck_resource_added,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let kind = unsafe { req_str(kind, "kind") }?;
        let name = unsafe { req_str(name, "name") }?;
        let new = unsafe { new_contact_from(contact) }?;
        let out = Out::new(out, "out")?;
        let added = d.add_resource_with_new_primary(
            &a,
            AccountId(account),
            kind,
            name,
            &new,
            opt_id(secondary).map(ContactId),
        )?;
        out.set(ck_resource_added {
            resource: added.resource.get(),
            contact: contact_added(&added.contact),
        });
        Ok(())
    })
}

/// Reports a resource milestone (H6), a `ck_milestone` (`other` names a
/// `CK_MILESTONE_OTHER`, else NULL): it goes to the primary technical
/// contact, and to the secondary only when the primary is undeliverable.
#[no_mangle]
pub unsafe extern "C" fn ck_report_milestone(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    resource: u64,
    milestone: u32,
    other: *const c_char,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let m = match milestone {
            0 => Milestone::SoftwareReady,
            1 => Milestone::InitialBackupCompleted,
            2 => Milestone::Other(
                unsafe { opt_str(other, "other") }?
                    .ok_or_else(|| Fail::null("other"))?
                    .to_owned(),
            ),
            m => return Err(Fail::arg("milestone", m)),
        };
        d.report_milestone(&a, AccountId(account), ResourceId(resource), &m)?;
        Ok(())
    })
}
