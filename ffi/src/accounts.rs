//! Accounts, plans, procurement, services, ownership (SPEC A, C3).

use std::ffi::c_char;

use contactkeeper_core as core;
use core::{AccountId, ContactId, NewAccount, NewOwner, Plan, Service};

use crate::contacts::new_contact_from;
use crate::conv::{opt_str, publish, release, req_str, strings, Arena, Out};
use crate::error::{ck_result, guard, Fail};
use crate::handles::{ck_directory, directory};
use crate::types::{
    actor_from, ck_account_created, ck_actor, ck_money, ck_new_contact, ck_plan, ck_service, money,
    permission_from,
};

/// An account as the actor sees it. Read-only; free with `ck_account_free()`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_account {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: *const c_char,
    /// Its plan.
    pub plan: ck_plan,
    /// Whether procurement mode is on (C3).
    pub procurement_enabled: bool,
    /// The partner that resells it, or NULL.
    pub partner: *const c_char,
    /// Its owner.
    pub owner: u64,
    /// How many contacts it has.
    pub contacts: u32,
    /// When it was created (unix seconds).
    pub created_at: i64,
}

/// The services an actor sees (A8). Read-only; free with
/// `ck_service_list_free()`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_service_list {
    /// The services.
    pub items: *const ck_service,
    /// How many.
    pub len: usize,
}

/// # Safety
/// `p` is NULL or a valid plan whose strings follow the string rules.
pub(crate) unsafe fn plan_from(p: *const ck_plan) -> Result<Plan, Fail> {
    if p.is_null() {
        return Ok(Plan::default());
    }
    // SAFETY: lent by the caller.
    let p = unsafe { &*p };
    Ok(Plan {
        name: unsafe { req_str(p.name, "plan.name") }?.to_owned(),
        included_contacts: p.included_contacts,
        additional_contact_price: core::Money::new(p.additional_contact_price, unsafe {
            req_str(p.currency, "plan.currency")
        }?),
        tech_options: unsafe { strings(p.tech_options, p.tech_options_len, "plan.tech_options") }?,
    })
}

pub(crate) fn plan_view(p: &Plan, arena: &mut Arena) -> ck_plan {
    let (tech_options, tech_options_len) = arena.strs(p.tech_options.iter().map(String::as_str));
    ck_plan {
        name: arena.str(&p.name),
        included_contacts: p.included_contacts,
        additional_contact_price: p.additional_contact_price.minor_units,
        currency: arena.str(&p.additional_contact_price.currency),
        tech_options,
        tech_options_len,
    }
}

/// Creates an account with a new owner contact in one step (A1). The
/// support desk, a partner or the host may do it. `plan` may be NULL for
/// the default plan. On success the ids are written to `*out`.
#[no_mangle]
pub unsafe extern "C" fn ck_create_account(
    dir: *const ck_directory,
    actor: *const ck_actor,
    name: *const c_char,
    plan: *const ck_plan,
    owner: *const ck_new_contact,
    out: *mut ck_account_created,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        let new = NewAccount {
            name: unsafe { req_str(name, "name") }?.to_owned(),
            plan: unsafe { plan_from(plan) }?,
            owner: NewOwner::New(unsafe { new_contact_from(owner) }?),
        };
        let c = d.create_account(&a, &new)?;
        out.set(ck_account_created {
            account: c.account.get(),
            owner: c.owner.get(),
        });
        Ok(())
    })
}

/// Creates an account whose owner is an existing contact (B6), found by
/// `owner_login`. As `ck_create_account()` otherwise.
#[no_mangle]
pub unsafe extern "C" fn ck_create_account_existing_owner(
    dir: *const ck_directory,
    actor: *const ck_actor,
    name: *const c_char,
    plan: *const ck_plan,
    owner_login: *const c_char,
    out: *mut ck_account_created,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        let new = NewAccount {
            name: unsafe { req_str(name, "name") }?.to_owned(),
            plan: unsafe { plan_from(plan) }?,
            owner: NewOwner::Existing(unsafe { req_str(owner_login, "owner_login") }?.to_owned()),
        };
        let c = d.create_account(&a, &new)?;
        out.set(ck_account_created {
            account: c.account.get(),
            owner: c.owner.get(),
        });
        Ok(())
    })
}

/// An account, for anyone who may see it. On success `*out` is a view to
/// free with `ck_account_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_account_get(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    out: *mut *mut ck_account,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        let v = d.account(&a, AccountId(account))?;
        let mut arena = Arena::default();
        let view = ck_account {
            id: v.id.get(),
            name: arena.str(&v.name),
            plan: plan_view(&v.plan, &mut arena),
            procurement_enabled: v.procurement_enabled,
            partner: arena.opt_str(v.partner.as_deref()),
            owner: v.owner.get(),
            contacts: v.contacts,
            created_at: v.created_at.unix_timestamp(),
        };
        out.set(publish(view, arena, "ck_account"));
        Ok(())
    })
}

/// Frees an account view. NULL is a no-op; a freed or foreign pointer
/// gives `CK_INVALID_HANDLE`.
#[no_mangle]
pub unsafe extern "C" fn ck_account_free(account: *mut ck_account) -> ck_result {
    guard(|| unsafe { release(account, "ck_account") })
}

/// Changes an account's plan (A7): billing managers and the owner.
#[no_mangle]
pub unsafe extern "C" fn ck_set_plan(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    plan: *const ck_plan,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        if plan.is_null() {
            return Err(Fail::null("plan"));
        }
        let p = unsafe { plan_from(plan) }?;
        d.set_plan(&a, AccountId(account), &p)?;
        Ok(())
    })
}

/// Turns procurement mode on or off (C3): the support desk or the host.
#[no_mangle]
pub unsafe extern "C" fn ck_set_procurement(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    enabled: bool,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        d.set_procurement(&a, AccountId(account), enabled)?;
        Ok(())
    })
}

/// Gates a chargeable action the host declares (C3): `CK_OK` when the
/// actor holds `permission` (a `ck_permission`: what the action itself
/// needs) and, while procurement mode is on and `amount` (minor units of
/// `currency`, at most `INT64_MAX`) is not zero, completes chargeable
/// actions; otherwise `CK_PERMISSION_DENIED` naming what is missing. Each
/// authorization is audited under `action` (a key: `[a-z0-9_.-]`, at most
/// 64 bytes) with its amount.
#[no_mangle]
pub unsafe extern "C" fn ck_authorize_charge(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    action: *const c_char,
    permission: u32,
    amount: u64,
    currency: *const c_char,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let action = unsafe { req_str(action, "action") }?;
        let p = permission_from(permission)?;
        let m = core::Money::new(amount, unsafe { req_str(currency, "currency") }?);
        d.authorize_charge(&a, AccountId(account), action, p, &m)?;
        Ok(())
    })
}

/// Registers a service of an account, or replaces the one with its key
/// (A8). The host does this.
#[no_mangle]
pub unsafe extern "C" fn ck_register_service(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    service: *const ck_service,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        if service.is_null() {
            return Err(Fail::null("service"));
        }
        // SAFETY: lent by the caller.
        let s = unsafe { &*service };
        let svc = Service {
            key: unsafe { req_str(s.key, "service.key") }?.to_owned(),
            name: unsafe { req_str(s.name, "service.name") }?.to_owned(),
            enabled: s.enabled,
            option: unsafe { req_str(s.option, "service.option") }?.to_owned(),
        };
        d.register_service(&a, AccountId(account), &svc)?;
        Ok(())
    })
}

/// The services the actor sees (A8): the owner every one, others the
/// enabled ones their scope reaches. Free with `ck_service_list_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_services(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    out: *mut *mut ck_service_list,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        let list = d.services(&a, AccountId(account))?;
        let mut arena = Arena::default();
        let items: Vec<ck_service> = list
            .iter()
            .map(|s| ck_service {
                key: arena.str(&s.key),
                name: arena.str(&s.name),
                enabled: s.enabled,
                option: arena.str(&s.option),
            })
            .collect();
        let (items, len) = arena.vec(items);
        out.set(publish(
            ck_service_list { items, len },
            arena,
            "ck_service_list",
        ));
        Ok(())
    })
}

/// Frees a service list. NULL is a no-op; a freed or foreign pointer gives
/// `CK_INVALID_HANDLE`.
#[no_mangle]
pub unsafe extern "C" fn ck_service_list_free(list: *mut ck_service_list) -> ck_result {
    guard(|| unsafe { release(list, "ck_service_list") })
}

/// What adding one more contact would cost (A7): `*charged` false when it
/// is within the plan; otherwise `*charge` is the price.
#[no_mangle]
pub unsafe extern "C" fn ck_contact_charge(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    charged: *mut bool,
    charge: *mut ck_money,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let charged = Out::new(charged, "charged")?;
        let charge = Out::new(charge, "charge")?;
        let c = d.contact_charge(&a, AccountId(account))?;
        charged.set(c.is_some());
        charge.set(c.as_ref().map_or(
            ck_money {
                minor_units: 0,
                currency: [0; 4],
            },
            money,
        ));
        Ok(())
    })
}

/// Transfers ownership to another contact of the account: by the owner
/// (A3), or by the support desk with a non-empty reason (A4). The former
/// owner keeps every standard role; both are notified.
#[no_mangle]
pub unsafe extern "C" fn ck_transfer_ownership(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    new_owner: u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        d.transfer_ownership(&a, AccountId(account), ContactId(new_owner))?;
        Ok(())
    })
}

/// Sends a billing notice the host defines (invoice ready, payment failed…)
/// to the account's primary billing contact, and to the secondary only when
/// the notifier reports the primary undeliverable; without a billing contact,
/// to the owner (H7). A recipient that turned billing notices off is not
/// told, nor anyone else. `*to` (may be NULL) is who it went to, or 0.
#[no_mangle]
pub unsafe extern "C" fn ck_send_billing_notice(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    subject: *const c_char,
    body: *const c_char,
    to: *mut u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let subject = unsafe { req_str(subject, "subject") }?;
        let body = unsafe { opt_str(body, "body") }?.ok_or_else(|| Fail::null("body"))?;
        let sent = d.send_billing_notice(&a, AccountId(account), subject, body)?;
        if !to.is_null() {
            Out::new(to, "to")?.set(sent.map_or(0, |c| c.get()));
        }
        Ok(())
    })
}

/// Sends a maintenance or global-issue notice to every contact of the
/// account that wants them, at its email and alternate email (I4). The host
/// sends notices. `*sent` (may be NULL) is how many contacts it went to.
#[no_mangle]
pub unsafe extern "C" fn ck_send_maintenance_notice(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    subject: *const c_char,
    body: *const c_char,
    sent: *mut usize,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let subject = unsafe { req_str(subject, "subject") }?;
        let body = unsafe { opt_str(body, "body") }?.ok_or_else(|| Fail::null("body"))?;
        let n = d.send_maintenance_notice(&a, AccountId(account), subject, body)?;
        if !sent.is_null() {
            Out::new(sent, "sent")?.set(n);
        }
        Ok(())
    })
}
