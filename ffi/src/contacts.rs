//! Contacts, roles and permissions (SPEC B, C).

use std::ffi::c_char;

use contactkeeper_core as core;
use core::{AccountId, ContactId, ContactView, NewContact, Password, Profile, ProfileUpdate};

use crate::conv::{opt_str, publish, release, req_str, update_field, Arena, Out};
use crate::error::{ck_result, guard, Fail};
use crate::handles::{ck_directory, directory, opt_id};
use crate::types::{
    actor_from, ck_actor, ck_contact_added, ck_lock_mark, ck_new_contact, ck_notification_prefs,
    ck_profile, ck_profile_update, ck_standing, ck_tech_scope, contact_added, lock_mark,
    permission_from, permission_number, roles_from, scope_from, scope_view, standing_of,
};

/// A contact of an account, with its lock mark (E7). Read-only; inside a
/// `ck_contact_list` or alone (free with `ck_contact_free()`).
#[repr(C)]
#[derive(Debug)]
pub struct ck_contact {
    /// Its id.
    pub id: u64,
    /// Its login.
    pub login: *const c_char,
    /// Its general information (NULL fields are unset).
    pub profile: ck_profile,
    /// Whether it is the account's owner.
    pub owner: bool,
    /// Its roles in the account (`ck_role` flags; every role for the owner).
    pub roles: u32,
    /// Its technical-administrator scope.
    pub tech_scope: ck_tech_scope,
    /// How many accounts it belongs to (B6).
    pub accounts: u32,
    /// Member of the account since (unix seconds).
    pub member_since: i64,
    /// The padlock: `lock.kind == CK_LOCK_NONE` when not locked.
    pub lock: ck_lock_mark,
    /// Who locked it by hand in this account (an audit label such as
    /// `contact:7`), or NULL when no manual lock is on (E6, I5).
    pub locked_by: *const c_char,
}

/// A page of contacts. Read-only; free with `ck_contact_list_free()`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_contact_list {
    /// The contacts, by id.
    pub items: *const ck_contact,
    /// How many.
    pub len: usize,
}

/// A list of strings. Read-only; free with `ck_string_list_free()`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_string_list {
    /// The strings.
    pub items: *const *const c_char,
    /// How many.
    pub len: usize,
}

/// What an actor may do in an account (C2): for menus and checks.
/// Read-only; free with `ck_access_free()`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_access {
    /// How the actor stands in the account.
    pub standing: ck_standing,
    /// Its roles (`ck_role` flags).
    pub roles: u32,
    /// Its technical-administrator scope.
    pub tech_scope: ck_tech_scope,
    /// Whether procurement mode is on (C3).
    pub procurement_enabled: bool,
    /// The permissions held: bit `1u << p` for each `ck_permission` p.
    pub permissions: u32,
    /// The roles it may grant or revoke (C3, C6), as `ck_role` flags.
    pub assignable_roles: u32,
}

/// # Safety
/// `p` is NULL or a valid profile whose strings follow the string rules.
unsafe fn profile_from(p: &ck_profile) -> Result<Profile, Fail> {
    let o = |s, w| unsafe { opt_str(s, w) }.map(|v| v.map(str::to_owned));
    let mut profile = Profile::new(unsafe { req_str(p.name, "profile.name") }?, unsafe {
        req_str(p.email, "profile.email")
    }?);
    profile.job_title = o(p.job_title, "profile.job_title")?;
    profile.business_phone = o(p.business_phone, "profile.business_phone")?;
    if let Some(tz) = o(p.time_zone, "profile.time_zone")? {
        profile.time_zone = tz;
    }
    profile.alternate_email = o(p.alternate_email, "profile.alternate_email")?;
    profile.cell_phone = o(p.cell_phone, "profile.cell_phone")?;
    Ok(profile)
}

/// # Safety
/// `p` is NULL or a valid new contact whose strings follow the string rules.
pub(crate) unsafe fn new_contact_from(p: *const ck_new_contact) -> Result<NewContact, Fail> {
    if p.is_null() {
        return Err(Fail::null("new contact"));
    }
    // SAFETY: lent by the caller.
    let p = unsafe { &*p };
    let mut c = NewContact::new(unsafe { req_str(p.login, "login") }?, unsafe {
        profile_from(&p.profile)
    }?);
    c.roles = roles_from(p.roles)?;
    c.tech_scope = unsafe { scope_from(&p.tech_scope) }?;
    c.password = unsafe { opt_str(p.password, "password") }?.map(Password::new);
    c.password_hash = unsafe { opt_str(p.password_hash, "password_hash") }?.map(str::to_owned);
    c.must_change_password = p.must_change_password;
    Ok(c)
}

fn profile_view(p: &Profile, arena: &mut Arena) -> ck_profile {
    ck_profile {
        name: arena.str(&p.name),
        job_title: arena.opt_str(p.job_title.as_deref()),
        business_phone: arena.opt_str(p.business_phone.as_deref()),
        email: arena.str(&p.email),
        time_zone: arena.str(&p.time_zone),
        alternate_email: arena.opt_str(p.alternate_email.as_deref()),
        cell_phone: arena.opt_str(p.cell_phone.as_deref()),
    }
}

fn contact_view(c: &ContactView, arena: &mut Arena) -> ck_contact {
    ck_contact {
        id: c.id.get(),
        login: arena.str(&c.login),
        profile: profile_view(&c.profile, arena),
        owner: c.owner,
        roles: u32::from(c.roles.bits()),
        tech_scope: scope_view(&c.tech_scope, arena),
        accounts: c.accounts,
        member_since: c.member_since.unix_timestamp(),
        lock: lock_mark(c.lock.as_ref()),
        locked_by: arena.opt_str(c.locked_by.as_deref()),
    }
}

pub(crate) fn string_list(items: &[String]) -> *mut ck_string_list {
    let mut arena = Arena::default();
    let (items, len) = arena.strs(items.iter().map(String::as_str));
    publish(ck_string_list { items, len }, arena, "ck_string_list")
}

/// "Check login" (B1): `*exists` tells whether a contact with this login
/// exists, before adding it with `ck_add_existing_contact()`. Audited; an
/// actor checks at most 30 logins an hour in an account (then
/// `CK_RULE_VIOLATION`, rule B1).
#[no_mangle]
pub unsafe extern "C" fn ck_check_login(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    login: *const c_char,
    exists: *mut bool,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let login = unsafe { req_str(login, "login") }?;
        let out = Out::new(exists, "exists")?;
        out.set(d.check_login(&a, AccountId(account), login)?);
        Ok(())
    })
}

/// Creates a new contact in an account (B1, first way): its login must be
/// unused. `*out` says what it costs beyond the plan (A7).
#[no_mangle]
pub unsafe extern "C" fn ck_create_contact(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: *const ck_new_contact,
    out: *mut ck_contact_added,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let new = unsafe { new_contact_from(contact) }?;
        let out = Out::new(out, "out")?;
        let added = d.create_contact(&a, AccountId(account), &new)?;
        out.set(contact_added(&added));
        Ok(())
    })
}

/// Adds a contact used on another account (B1, second way; B6): its
/// profile and password stay its own; `roles` (`ck_role` flags) and
/// `tech_scope` (NULL: every option) are this account's. The login joins
/// only when its contact accepts (B7): `out->pending` is then true, the
/// contact is told, and answers with `ck_accept_invitation()` or
/// `ck_decline_invitation()` within 14 days. The host (system actor) adds
/// it at once. An invitation counts against the actor's login checks (B1).
#[no_mangle]
pub unsafe extern "C" fn ck_add_existing_contact(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    login: *const c_char,
    roles: u32,
    tech_scope: *const ck_tech_scope,
    out: *mut ck_contact_added,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let login = unsafe { req_str(login, "login") }?;
        let roles = roles_from(roles)?;
        let scope = if tech_scope.is_null() {
            core::TechScope::All
        } else {
            unsafe { scope_from(&*tech_scope) }?
        };
        let out = Out::new(out, "out")?;
        let added = d.add_existing_contact(&a, AccountId(account), login, roles, &scope)?;
        out.set(contact_added(&added));
        Ok(())
    })
}

/// Edits a contact's profile (B2; the login never changes). A contact
/// edits its own (its own email, alternate email or cell phone with
/// `current_password`, D8); managers edit others' but not the owner's (A6),
/// nor a shared contact's (B6), nor the recovery channels of a contact
/// holding a role they lack (C7). A new email ends the contact's sessions. On
/// success, if `changed` is not NULL, `*changed` lists the fields whose
/// value changed (free with `ck_string_list_free()`).
#[no_mangle]
pub unsafe extern "C" fn ck_update_contact(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
    update: *const ck_profile_update,
    changed: *mut *mut ck_string_list,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        if update.is_null() {
            return Err(Fail::null("update"));
        }
        // SAFETY: lent by the caller.
        let u = unsafe { &*update };
        let o = |s, w| unsafe { opt_str(s, w) }.map(|v| v.map(str::to_owned));
        let upd = ProfileUpdate {
            current_password: unsafe { opt_str(u.current_password, "current_password") }?
                .map(Password::new),
            name: o(u.name, "name")?,
            job_title: unsafe { update_field(u.job_title, "job_title") }?,
            business_phone: unsafe { update_field(u.business_phone, "business_phone") }?,
            email: o(u.email, "email")?,
            time_zone: o(u.time_zone, "time_zone")?,
            alternate_email: unsafe { update_field(u.alternate_email, "alternate_email") }?,
            cell_phone: unsafe { update_field(u.cell_phone, "cell_phone") }?,
        };
        let fields = d.update_contact(&a, AccountId(account), ContactId(contact), &upd)?;
        if !changed.is_null() {
            let names: Vec<String> = fields.iter().map(|f| f.name().to_owned()).collect();
            Out::new(changed, "changed")?.set(string_list(&names));
        }
        Ok(())
    })
}

/// Deletes a contact from an account (A5, B5). Refused with
/// `CK_DUTIES_HELD` while it is a primary technical or billing contact:
/// reassign, or use `ck_delete_contact_with_replacement()`.
#[no_mangle]
pub unsafe extern "C" fn ck_delete_contact(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        d.delete_contact(&a, AccountId(account), ContactId(contact))?;
        Ok(())
    })
}

/// Deletes a contact, handing its primary duties to `replacement` and
/// clearing its secondary ones, in one atomic step (B5, H3).
#[no_mangle]
pub unsafe extern "C" fn ck_delete_contact_with_replacement(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
    replacement: u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        d.delete_contact_with_replacement(
            &a,
            AccountId(account),
            ContactId(contact),
            ContactId(replacement),
        )?;
        Ok(())
    })
}

/// Sets a standard contact's roles (`ck_role` flags) and technical scope
/// (NULL: every option) (C1, C4, C6). The owner's roles never change (A2).
#[no_mangle]
pub unsafe extern "C" fn ck_set_roles(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
    roles: u32,
    tech_scope: *const ck_tech_scope,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let roles = roles_from(roles)?;
        let scope = if tech_scope.is_null() {
            core::TechScope::All
        } else {
            unsafe { scope_from(&*tech_scope) }?
        };
        d.set_roles(&a, AccountId(account), ContactId(contact), roles, &scope)?;
        Ok(())
    })
}

/// A contact of the account. Free `*out` with `ck_contact_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_contact_get(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
    out: *mut *mut ck_contact,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        let c = d.contact(&a, AccountId(account), ContactId(contact))?;
        let mut arena = Arena::default();
        let view = contact_view(&c, &mut arena);
        out.set(publish(view, arena, "ck_contact"));
        Ok(())
    })
}

/// The contact of the account with this login (I5), compared
/// case-insensitively (B3). A login that is not a member of this account
/// gives `CK_NOT_FOUND`, whether or not it exists elsewhere. On success
/// `*out` is the contact (free with `ck_contact_free()`).
#[no_mangle]
pub unsafe extern "C" fn ck_find_contact(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    login: *const c_char,
    out: *mut *mut ck_contact,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let login = unsafe { req_str(login, "login") }?;
        let out = Out::new(out, "out")?;
        let c = d.find_contact(&a, AccountId(account), login)?;
        let mut arena = Arena::default();
        let view = contact_view(&c, &mut arena);
        out.set(publish(view, arena, "ck_contact"));
        Ok(())
    })
}

/// An account the signed-in contact belongs to (B6, I5). Inside a
/// `ck_membership_list`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_membership {
    /// The account.
    pub account: u64,
    /// Its name.
    pub account_name: *const c_char,
    /// Whether the contact owns it.
    pub owner: bool,
    /// Its roles there (`ck_role` flags; every role for the owner).
    pub roles: u32,
    /// Member since (unix seconds).
    pub since: i64,
    /// Whether a manual lock keeps it out of that account (E6).
    pub locked: bool,
}

/// The accounts of a login, by account id. Read-only; free with
/// `ck_membership_list_free()`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_membership_list {
    /// The accounts.
    pub items: *const ck_membership,
    /// How many.
    pub len: usize,
}

/// The accounts the signed-in contact `actor` belongs to (B6, I5): for the
/// account switcher after sign-in. Invitations not yet accepted are
/// `ck_invitations()`. Any actor but a contact gets
/// `CK_PERMISSION_DENIED`. Free `*out` with `ck_membership_list_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_my_accounts(
    dir: *const ck_directory,
    actor: *const ck_actor,
    out: *mut *mut ck_membership_list,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        let list = d.my_accounts(&a)?;
        let mut arena = Arena::default();
        let items: Vec<ck_membership> = list
            .iter()
            .map(|m| ck_membership {
                account: m.account.get(),
                account_name: arena.str(&m.account_name),
                owner: m.owner,
                roles: u32::from(m.roles.bits()),
                since: m.since.unix_timestamp(),
                locked: m.locked,
            })
            .collect();
        let (items, len) = arena.vec(items);
        out.set(publish(
            ck_membership_list { items, len },
            arena,
            "ck_membership_list",
        ));
        Ok(())
    })
}

/// Frees a list from `ck_my_accounts()` (NULL is fine).
#[no_mangle]
pub unsafe extern "C" fn ck_membership_list_free(list: *mut ck_membership_list) -> ck_result {
    guard(|| unsafe { release(list, "ck_membership_list") })
}

/// Frees a contact view. NULL is a no-op; a freed or foreign pointer gives
/// `CK_INVALID_HANDLE`.
#[no_mangle]
pub unsafe extern "C" fn ck_contact_free(contact: *mut ck_contact) -> ck_result {
    guard(|| unsafe { release(contact, "ck_contact") })
}

/// A page of the account's contacts by id, with their lock marks (E7):
/// those with an id above `after` (0: from the start), at most `limit`
/// (1 to 1000). Free `*out` with `ck_contact_list_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_list_contacts(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    after: u64,
    limit: usize,
    out: *mut *mut ck_contact_list,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        let list = d.list_contacts(&a, AccountId(account), opt_id(after).map(ContactId), limit)?;
        let mut arena = Arena::default();
        let items: Vec<ck_contact> = list.iter().map(|c| contact_view(c, &mut arena)).collect();
        let (items, len) = arena.vec(items);
        out.set(publish(
            ck_contact_list { items, len },
            arena,
            "ck_contact_list",
        ));
        Ok(())
    })
}

/// The order of a contact listing (I5); ties go by contact id. Passed as
/// a `uint32_t` in `ck_contact_query.sort`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_contact_sort {
    /// By contact id: the order contacts were added in.
    CK_SORT_ID = 0,
    /// By name, ignoring case.
    CK_SORT_NAME = 1,
    /// By login, ignoring case.
    CK_SORT_LOGIN = 2,
    /// By email, ignoring case.
    CK_SORT_EMAIL = 3,
}

/// A contact listing's padlock filter (I5, E7). Passed as a `uint32_t` in
/// `ck_contact_query.locked`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_lock_filter {
    /// Locked or not.
    CK_LOCK_FILTER_ANY = 0,
    /// Only contacts with a padlock.
    CK_LOCK_FILTER_LOCKED = 1,
    /// Only contacts without one.
    CK_LOCK_FILTER_UNLOCKED = 2,
}

/// Which contacts `ck_search_contacts()` lists, in what order, from where
/// (I5). Zeroed, it asks for the first page by id, unfiltered (set
/// `limit`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ck_contact_query {
    /// A `ck_contact_sort`.
    pub sort: u32,
    /// One `ck_role` flag: only contacts holding it (the owner holds
    /// every role); 0 for any.
    pub role: u32,
    /// A `ck_lock_filter`.
    pub locked: u32,
    /// Only contacts whose name, login or email contains this text,
    /// ignoring case; NULL or empty for any.
    pub text: *const c_char,
    /// `next` of the previous page, or NULL for the first.
    pub cursor: *const c_char,
    /// At most this many contacts (1 to 1000).
    pub limit: usize,
}

/// A page of a contact listing. Read-only; free with
/// `ck_contact_page_free()`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_contact_page {
    /// The contacts, in the query's order.
    pub items: *const ck_contact,
    /// How many.
    pub len: usize,
    /// The cursor of the next page (pass it as `ck_contact_query.cursor`),
    /// or NULL on the last page. It stays valid when the contact it ended
    /// on is deleted; a cursor of another account or another order gives
    /// `CK_INVALID_INPUT` (field "cursor").
    pub next: *const c_char,
}

unsafe fn query_from(q: *const ck_contact_query) -> Result<core::ContactQuery, Fail> {
    if q.is_null() {
        return Err(Fail::null("query"));
    }
    // SAFETY: lent by the caller for the call.
    let q = unsafe { &*q };
    let sort = match q.sort {
        0 => core::ContactSort::Id,
        1 => core::ContactSort::Name,
        2 => core::ContactSort::Login,
        3 => core::ContactSort::Email,
        v => return Err(Fail::arg("query.sort", v)),
    };
    let role = match q.role {
        0 => None,
        bits => Some(crate::types::role_name(bits).ok_or_else(|| Fail::arg("query.role", bits))?),
    };
    let locked = match q.locked {
        0 => None,
        1 => Some(true),
        2 => Some(false),
        v => return Err(Fail::arg("query.locked", v)),
    };
    Ok(core::ContactQuery {
        sort,
        role,
        locked,
        text: unsafe { opt_str(q.text, "query.text") }?.map(str::to_owned),
        cursor: unsafe { opt_str(q.cursor, "query.cursor") }?.map(str::to_owned),
        limit: q.limit,
    })
}

/// A page of the account's contacts, sorted, filtered and paged by a
/// stable cursor (I5): the Account Contacts page. For whoever may see the
/// account. Free `*out` with `ck_contact_page_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_search_contacts(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    query: *const ck_contact_query,
    out: *mut *mut ck_contact_page,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let q = unsafe { query_from(query) }?;
        let out = Out::new(out, "out")?;
        let page = d.search_contacts(&a, AccountId(account), &q)?;
        let mut arena = Arena::default();
        let items: Vec<ck_contact> = page
            .contacts
            .iter()
            .map(|c| contact_view(c, &mut arena))
            .collect();
        let (items, len) = arena.vec(items);
        let next = arena.opt_str(page.next.as_deref());
        out.set(publish(
            ck_contact_page { items, len, next },
            arena,
            "ck_contact_page",
        ));
        Ok(())
    })
}

/// Frees a page from `ck_search_contacts()` (NULL is fine).
#[no_mangle]
pub unsafe extern "C" fn ck_contact_page_free(page: *mut ck_contact_page) -> ck_result {
    guard(|| unsafe { release(page, "ck_contact_page") })
}

/// Frees a contact list. NULL is a no-op; a freed or foreign pointer gives
/// `CK_INVALID_HANDLE`.
#[no_mangle]
pub unsafe extern "C" fn ck_contact_list_free(list: *mut ck_contact_list) -> ck_result {
    guard(|| unsafe { release(list, "ck_contact_list") })
}

/// Frees a string list. NULL is a no-op; a freed or foreign pointer gives
/// `CK_INVALID_HANDLE`.
#[no_mangle]
pub unsafe extern "C" fn ck_string_list_free(list: *mut ck_string_list) -> ck_result {
    guard(|| unsafe { release(list, "ck_string_list") })
}

/// What the actor may do in the account (C2): its permissions for a menu,
/// the roles it may grant (C3, C6). Free `*out` with `ck_access_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_access_get(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    out: *mut *mut ck_access,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        let acc = d.access(&a, AccountId(account))?;
        let mut arena = Arena::default();
        let permissions = acc
            .permissions()
            .iter()
            .filter_map(permission_number)
            .fold(0u32, |m, p| m | (1 << p));
        let view = ck_access {
            standing: standing_of(acc.standing()),
            roles: u32::from(acc.roles().bits()),
            tech_scope: scope_view(acc.tech_scope(), &mut arena),
            procurement_enabled: acc.procurement_enabled(),
            permissions,
            assignable_roles: u32::from(acc.assignable_roles().bits()),
        };
        out.set(publish(view, arena, "ck_access"));
        Ok(())
    })
}

/// Frees an access view. NULL is a no-op; a freed or foreign pointer gives
/// `CK_INVALID_HANDLE`.
#[no_mangle]
pub unsafe extern "C" fn ck_access_free(access: *mut ck_access) -> ck_result {
    guard(|| unsafe { release(access, "ck_access") })
}

/// `CK_OK` when the actor holds `permission` (a `ck_permission`) in the
/// account; otherwise `CK_PERMISSION_DENIED`, naming it (C2). The cheapest
/// authorization query: it allocates nothing for a contact or the host.
#[no_mangle]
pub unsafe extern "C" fn ck_authorize(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    permission: u32,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let p = permission_from(permission)?;
        d.authorize(&a, AccountId(account), p)?;
        Ok(())
    })
}

/// The stable name of a `ck_permission` ("manage_contacts" …), or NULL
/// for an unknown value. Static: never freed.
#[no_mangle]
pub extern "C" fn ck_permission_name(permission: u32) -> *const c_char {
    permission_from(permission).map_or(std::ptr::null(), |p| static_name(p.name()))
}

/// The stable name of one `ck_role` flag ("contact_manager" …), or NULL
/// for anything else. Static: never freed.
#[no_mangle]
pub extern "C" fn ck_role_name(role: u32) -> *const c_char {
    crate::types::role_name(role).map_or(std::ptr::null(), |r| static_name(r.name()))
}

/// A NUL-terminated copy of a static name, made once.
pub(crate) fn static_name(name: &'static str) -> *const c_char {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<HashMap<&'static str, std::ffi::CString>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    names
        .entry(name)
        .or_insert_with(|| crate::conv::to_cstring(name))
        .as_ptr()
}

/// Sets what a contact wants to be told in the account (I2, I4, H6): its
/// own, or another's by a contact manager (never the owner's, A6).
#[no_mangle]
pub unsafe extern "C" fn ck_set_notification_prefs(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
    prefs: *const ck_notification_prefs,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        if prefs.is_null() {
            return Err(Fail::null("prefs"));
        }
        // SAFETY: lent by the caller.
        let p = unsafe { *prefs };
        let prefs = core::NotificationPrefs {
            security: p.security,
            maintenance: p.maintenance,
            billing: p.billing,
            milestones: p.milestones,
        };
        d.set_notification_prefs(&a, AccountId(account), ContactId(contact), prefs)?;
        Ok(())
    })
}

/// An invitation, as the invited contact sees it (B7). Inside a
/// `ck_invitation_list`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_invitation {
    /// The account that invites.
    pub account: u64,
    /// Its name.
    pub account_name: *const c_char,
    /// The roles offered (`ck_role` flags).
    pub roles: u32,
    /// When it was sent (unix seconds).
    pub invited_at: i64,
    /// When it expires (unix seconds).
    pub expires_at: i64,
}

/// Invitations. Read-only; free with `ck_invitation_list_free()`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_invitation_list {
    /// The invitations.
    pub items: *const ck_invitation,
    /// How many.
    pub len: usize,
}

/// A pending member, as the inviting account's managers see it (B7): the
/// login and the roles offered only. Inside a `ck_pending_member_list`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_pending_member {
    /// The contact invited.
    pub contact: u64,
    /// Its login.
    pub login: *const c_char,
    /// The roles offered (`ck_role` flags).
    pub roles: u32,
    /// When the invitation expires (unix seconds).
    pub expires_at: i64,
}

/// Pending members. Read-only; free with `ck_pending_member_list_free()`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_pending_member_list {
    /// The pending members.
    pub items: *const ck_pending_member,
    /// How many.
    pub len: usize,
}

/// The invitations waiting for the signed-in contact `actor` (B7). On
/// success `*out` is the list (free with `ck_invitation_list_free()`).
#[no_mangle]
pub unsafe extern "C" fn ck_invitations(
    dir: *const ck_directory,
    actor: *const ck_actor,
    out: *mut *mut ck_invitation_list,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        let list = d.invitations(&a)?;
        let mut arena = Arena::default();
        let items: Vec<ck_invitation> = list
            .iter()
            .map(|i| ck_invitation {
                account: i.account.get(),
                account_name: arena.str(&i.account_name),
                roles: u32::from(i.roles.bits()),
                invited_at: i.invited_at.unix_timestamp(),
                expires_at: i.expires_at.unix_timestamp(),
            })
            .collect();
        let (items, len) = arena.vec(items);
        out.set(publish(
            ck_invitation_list { items, len },
            arena,
            "ck_invitation_list",
        ));
        Ok(())
    })
}

/// Frees a list from `ck_invitations()` (NULL is fine).
#[no_mangle]
pub unsafe extern "C" fn ck_invitation_list_free(list: *mut ck_invitation_list) -> ck_result {
    guard(|| unsafe { release(list, "ck_invitation_list") })
}

/// The contact `actor` accepts its invitation to `account` (B7): it
/// becomes a member with the roles offered. Refused (`CK_RULE_VIOLATION`,
/// rule B7) after 14 days, when answered already, and for anyone but the
/// contact invited.
#[no_mangle]
pub unsafe extern "C" fn ck_accept_invitation(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        d.accept_invitation(&a, AccountId(account))?;
        Ok(())
    })
}

/// The contact `actor` declines its invitation to `account` (B7).
#[no_mangle]
pub unsafe extern "C" fn ck_decline_invitation(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        d.decline_invitation(&a, AccountId(account))?;
        Ok(())
    })
}

/// The contacts invited to `account` and not yet answered (B7), for its
/// contact managers. On success `*out` is the list (free with
/// `ck_pending_member_list_free()`).
#[no_mangle]
pub unsafe extern "C" fn ck_pending_invitations(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    out: *mut *mut ck_pending_member_list,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        let list = d.pending_invitations(&a, AccountId(account))?;
        let mut arena = Arena::default();
        let items: Vec<ck_pending_member> = list
            .iter()
            .map(|p| ck_pending_member {
                contact: p.contact.get(),
                login: arena.str(&p.login),
                roles: u32::from(p.roles.bits()),
                expires_at: p.expires_at.unix_timestamp(),
            })
            .collect();
        let (items, len) = arena.vec(items);
        out.set(publish(
            ck_pending_member_list { items, len },
            arena,
            "ck_pending_member_list",
        ));
        Ok(())
    })
}

/// Frees a list from `ck_pending_invitations()` (NULL is fine).
#[no_mangle]
pub unsafe extern "C" fn ck_pending_member_list_free(
    list: *mut ck_pending_member_list,
) -> ck_result {
    guard(|| unsafe { release(list, "ck_pending_member_list") })
}
