//! Sign-in and sessions, passwords and recovery, second factor, security
//! questions, lock and security policies (SPEC D, E, F, G).

use std::ffi::c_char;

use contactkeeper_core as core;
use core::{
    AccountId, ContactId, LockPolicy, ManagerReset, Password, PasswordPolicy, Secret,
    SecurityAnswer, SignInOutcome, SignInRequest,
};

use crate::conv::{opt_str, publish, publish_string, release, req_str, slice, strings, Arena, Out};
use crate::error::{ck_result, guard, Fail};
use crate::handles::{ck_directory, directory, opt_id};
use crate::types::{
    actor_from, channel_from, ck_actor, ck_lock_mark, ck_security_answer, ck_session_stage,
    ck_two_factor_method, lock_mark, method_from, method_of, stage_of,
};

/// The outcome of a sign-in (D5). Only `CK_SIGNED_IN` gives a session
/// that acts; the next three give one that can only complete the step.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_sign_in_outcome {
    /// Signed in.
    CK_SIGNED_IN = 0,
    /// The password must be changed (D3, D4): `ck_change_password_with_session()`.
    CK_PASSWORD_CHANGE_REQUIRED = 1,
    /// The second factor is next (`ck_complete_second_factor()`); for SMS,
    /// voice and email a code was just sent.
    CK_SECOND_FACTOR_REQUIRED = 2,
    /// The account requires a second factor the contact lacks (F3):
    /// `ck_begin_enrollment_with_session()`.
    CK_ENROLLMENT_REQUIRED = 3,
    /// Locked (E3, E6): no password was checked; see `lock`.
    CK_LOCKED = 4,
    /// The client's address is outside the account's allowlist (G1).
    CK_IP_NOT_ALLOWED = 5,
    /// The login or the password is wrong; which one is not said (D5).
    CK_INVALID_LOGIN = 6,
    /// The contact belongs to several accounts: sign in again naming one
    /// of `accounts`.
    CK_ACCOUNT_REQUIRED = 7,
}

/// A sign-in result. Read-only; free with `ck_sign_in_result_free()`,
/// which also wipes the token.
#[repr(C)]
#[derive(Debug)]
pub struct ck_sign_in_result {
    /// What happened.
    pub outcome: ck_sign_in_outcome,
    /// The session token (a secret, shown once), or NULL when no session
    /// was granted.
    pub token: *const c_char,
    /// The contact signed in (with a session), else 0.
    pub contact: u64,
    /// The account signed in to (with a session), else 0.
    pub account: u64,
    /// What the session may do (with a session).
    pub stage: ck_session_stage,
    /// When the session ends at the latest (unix seconds), else 0.
    pub expires_at: i64,
    /// How the second factor is to be had (`CK_SECOND_FACTOR_REQUIRED`).
    pub method: ck_two_factor_method,
    /// The lock (`CK_LOCKED`).
    pub lock: ck_lock_mark,
    /// The accounts to choose from (`CK_ACCOUNT_REQUIRED`).
    pub accounts: *const u64,
    /// How many.
    pub accounts_len: usize,
    /// A new device token (D10, a secret, shown once) when the sign-in
    /// asked for one (`ck_sign_in_device()`) and is complete, else NULL.
    /// Keep it (say, in a long-lived cookie) and present it at the
    /// client's next sign-ins to this login.
    pub device_token: *const c_char,
}

/// A valid session (D8). Read-only; free with `ck_session_free()`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_session {
    /// The contact.
    pub contact: u64,
    /// The account it is signed in to.
    pub account: u64,
    /// What it may do.
    pub stage: ck_session_stage,
    /// The client's address at sign-in.
    pub ip: *const c_char,
    /// When it was created (unix seconds).
    pub created_at: i64,
    /// When it ends at the latest (unix seconds).
    pub expires_at: i64,
}

/// The start of a second-factor enrollment (F1). Read-only; free with
/// `ck_enrollment_free()`, which also wipes the secrets.
#[repr(C)]
#[derive(Debug)]
pub struct ck_enrollment {
    /// The method being enrolled.
    pub method: ck_two_factor_method,
    /// The otpauth:// URI for an authenticator app (TOTP), or NULL.
    pub otpauth_uri: *const c_char,
    /// The TOTP secret in base32 for typing in (TOTP), or NULL.
    pub secret_base32: *const c_char,
}

fn outcome_view(o: &SignInOutcome) -> *mut ck_sign_in_result {
    use ck_sign_in_outcome::*;
    let mut arena = Arena::default();
    let mut r = ck_sign_in_result {
        outcome: CK_INVALID_LOGIN,
        token: std::ptr::null(),
        contact: 0,
        account: 0,
        stage: ck_session_stage::CK_STAGE_FULL,
        expires_at: 0,
        method: ck_two_factor_method::CK_2FA_TOTP,
        lock: lock_mark(None),
        accounts: std::ptr::null(),
        accounts_len: 0,
        device_token: std::ptr::null(),
    };
    if let Some(s) = o.session() {
        r.token = arena.str(s.token.expose());
        if let Some(t) = &s.device_token {
            r.device_token = arena.str(t.expose());
        }
        r.contact = s.contact.get();
        r.account = s.account.get();
        r.stage = stage_of(s.stage);
        r.expires_at = s.expires_at.unix_timestamp();
    }
    r.outcome = match o {
        SignInOutcome::SignedIn(_) => CK_SIGNED_IN,
        SignInOutcome::PasswordChangeRequired(_) => CK_PASSWORD_CHANGE_REQUIRED,
        SignInOutcome::SecondFactorRequired { method, .. } => {
            r.method = method_of(*method);
            CK_SECOND_FACTOR_REQUIRED
        }
        SignInOutcome::EnrollmentRequired(_) => CK_ENROLLMENT_REQUIRED,
        SignInOutcome::Locked(l) => {
            r.lock = lock_mark(Some(l));
            CK_LOCKED
        }
        SignInOutcome::IpNotAllowed => CK_IP_NOT_ALLOWED,
        SignInOutcome::AccountRequired(list) => {
            let (p, n) = arena.vec(list.iter().map(|a| a.get()).collect());
            r.accounts = p;
            r.accounts_len = n;
            CK_ACCOUNT_REQUIRED
        }
        _ => CK_INVALID_LOGIN,
    };
    publish(r, arena, "ck_sign_in_result")
}

unsafe fn secret(p: *const c_char, what: &str) -> Result<Secret, Fail> {
    unsafe { req_str(p, what) }.map(Secret::new)
}

unsafe fn password(p: *const c_char, what: &str) -> Result<Password, Fail> {
    unsafe { req_str(p, what) }.map(Password::new)
}

/// Signs in (D5) from the client address `ip` ("192.0.2.7", "2001:db8::1")
/// to `account` (0: the contact's only account). Every outcome, refusals
/// included, is `CK_OK` with `*out` telling which; an error code means the
/// attempt could not be made (bad input, store failure). Free `*out` with
/// `ck_sign_in_result_free()`. The same as `ck_sign_in_device()` with no
/// device token.
#[no_mangle]
pub unsafe extern "C" fn ck_sign_in(
    dir: *const ck_directory,
    login: *const c_char,
    password_: *const c_char,
    ip: *const c_char,
    account: u64,
    out: *mut *mut ck_sign_in_result,
) -> ck_result {
    unsafe {
        ck_sign_in_device(
            dir,
            login,
            password_,
            ip,
            account,
            std::ptr::null(),
            false,
            out,
        )
    }
}

/// Signs in as `ck_sign_in()` does, presenting `device_token` (D10: the
/// one this client was given at an earlier sign-in to this login, or
/// NULL) and, when `remember_device`, asking for a new one, given in
/// `device_token` of `*out` once the sign-in is complete. A valid device
/// token lets the attempt through an automatic lock that attempts without
/// it caused, and its own failures spend only it; a token of another
/// login, expired or evicted counts as none.
#[no_mangle]
pub unsafe extern "C" fn ck_sign_in_device(
    dir: *const ck_directory,
    login: *const c_char,
    password_: *const c_char,
    ip: *const c_char,
    account: u64,
    device_token: *const c_char,
    remember_device: bool,
    out: *mut *mut ck_sign_in_result,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let login = unsafe { req_str(login, "login") }?;
        let pw = unsafe { password(password_, "password") }?;
        let ip = core::ip_access::parse_ip(unsafe { req_str(ip, "ip") }?)?;
        let device = unsafe { opt_str(device_token, "device_token") }?.map(Secret::new);
        let out = Out::new(out, "out")?;
        let o = d.sign_in(&SignInRequest {
            account: opt_id(account).map(AccountId),
            device_token: device.as_ref(),
            remember_device,
            ..SignInRequest::new(login, &pw, ip)
        })?;
        out.set(outcome_view(&o));
        Ok(())
    })
}

/// Frees (and wipes) a sign-in result. NULL is a no-op; a freed or
/// foreign pointer gives `CK_INVALID_HANDLE`.
#[no_mangle]
pub unsafe extern "C" fn ck_sign_in_result_free(result: *mut ck_sign_in_result) -> ck_result {
    guard(|| unsafe { release(result, "ck_sign_in_result") })
}

/// Presents the second factor for a session that requires it (F1): a TOTP
/// code, or the code just sent. A wrong code gives `CK_UNAUTHENTICATED`
/// and counts as a failed attempt (E8). On success `*out` is the next step
/// (free with `ck_sign_in_result_free()`).
#[no_mangle]
pub unsafe extern "C" fn ck_complete_second_factor(
    dir: *const ck_directory,
    token: *const c_char,
    code: *const c_char,
    out: *mut *mut ck_sign_in_result,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let t = unsafe { secret(token, "token") }?;
        let code = unsafe { req_str(code, "code") }?;
        let out = Out::new(out, "out")?;
        let o = d.complete_second_factor(&t, code)?;
        out.set(outcome_view(&o));
        Ok(())
    })
}

/// Sends a new code to a session waiting for its second factor (SMS,
/// voice, email); the old code stops working.
#[no_mangle]
pub unsafe extern "C" fn ck_resend_second_factor_code(
    dir: *const ck_directory,
    token: *const c_char,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let t = unsafe { secret(token, "token") }?;
        d.resend_second_factor_code(&t)?;
        Ok(())
    })
}

/// The session behind a token, checked against the current state (D8):
/// not expired, revoked, locked, nor outside the allowlist. Free `*out`
/// with `ck_session_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_authenticate(
    dir: *const ck_directory,
    token: *const c_char,
    out: *mut *mut ck_session,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let t = unsafe { secret(token, "token") }?;
        let out = Out::new(out, "out")?;
        let s = d.authenticate(&t)?;
        let mut arena = Arena::default();
        let view = ck_session {
            contact: s.contact.get(),
            account: s.account.get(),
            stage: stage_of(s.stage),
            ip: arena.str(&s.ip.to_string()),
            created_at: s.created_at.unix_timestamp(),
            expires_at: s.expires_at.unix_timestamp(),
        };
        out.set(publish(view, arena, "ck_session"));
        Ok(())
    })
}

/// Frees a session view. NULL is a no-op; a freed or foreign pointer
/// gives `CK_INVALID_HANDLE`.
#[no_mangle]
pub unsafe extern "C" fn ck_session_free(session: *mut ck_session) -> ck_result {
    guard(|| unsafe { release(session, "ck_session") })
}

/// The contact of a fully signed-in session, to act as
/// (`ck_actor_contact(*contact)`); a session that must complete a step
/// first gives `CK_UNAUTHENTICATED` (D4).
#[no_mangle]
pub unsafe extern "C" fn ck_session_actor(
    dir: *const ck_directory,
    token: *const c_char,
    contact: *mut u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let t = unsafe { secret(token, "token") }?;
        let out = Out::new(contact, "contact")?;
        let a = d.session_actor(&t)?;
        out.set(a.contact_id().map_or(0, |c| c.get()));
        Ok(())
    })
}

/// Ends a session; ending one already gone is not an error.
#[no_mangle]
pub unsafe extern "C" fn ck_sign_out(dir: *const ck_directory, token: *const c_char) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let t = unsafe { secret(token, "token") }?;
        d.sign_out(&t)?;
        Ok(())
    })
}

/// Removes the sessions past their idle or absolute lifetime (D8) from the
/// store; `*out` (may be NULL) receives how many. Call it now and then (say,
/// hourly) so the store does not grow with every sign-in.
#[no_mangle]
pub unsafe extern "C" fn ck_purge_expired_sessions(
    dir: *const ck_directory,
    out: *mut u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let n = d.purge_expired_sessions()?;
        if !out.is_null() {
            Out::new(out, "out")?.set(n as u64);
        }
        Ok(())
    })
}

/// Removes the sign-in throttle's records that are as good as absent (D5):
/// their window and lock have ended; `*out` (may be NULL) receives how
/// many. Call it now and then, as `ck_purge_expired_sessions()`.
#[no_mangle]
pub unsafe extern "C" fn ck_purge_throttle(dir: *const ck_directory, out: *mut u64) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let n = d.purge_throttle()?;
        if !out.is_null() {
            Out::new(out, "out")?.set(n as u64);
        }
        Ok(())
    })
}

/// Seals every authenticator secret of the account's contacts under the
/// current sealing key (F1, after a key rotation); `*out` (may be NULL)
/// receives how many were sealed again.
#[no_mangle]
pub unsafe extern "C" fn ck_reseal_secrets(
    dir: *const ck_directory,
    account: u64,
    out: *mut u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let n = d.reseal_secrets(core::AccountId(account))?;
        if !out.is_null() {
            Out::new(out, "out")?.set(n as u64);
        }
        Ok(())
    })
}

/// Changes one's own password with the current one (D2, D8); ends the
/// contact's other sessions.
#[no_mangle]
pub unsafe extern "C" fn ck_change_password(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    current: *const c_char,
    new_password: *const c_char,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let cur = unsafe { password(current, "current") }?;
        let new = unsafe { password(new_password, "new_password") }?;
        d.change_password(&a, AccountId(account), &cur, &new)?;
        Ok(())
    })
}

/// Changes the password from a session (a full one, or one that must
/// change it, D4). On success `*out` is the session's next step (free with
/// `ck_sign_in_result_free()`).
#[no_mangle]
pub unsafe extern "C" fn ck_change_password_with_session(
    dir: *const ck_directory,
    token: *const c_char,
    current: *const c_char,
    new_password: *const c_char,
    out: *mut *mut ck_sign_in_result,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let t = unsafe { secret(token, "token") }?;
        let cur = unsafe { password(current, "current") }?;
        let new = unsafe { password(new_password, "new_password") }?;
        let out = Out::new(out, "out")?;
        let o = d.change_password_with_session(&t, &cur, &new)?;
        out.set(outcome_view(&o));
        Ok(())
    })
}

/// A manager resets another contact's password (D7): `how` is a
/// `ck_manager_reset`. For `CK_RESET_TEMPORARY_PASSWORD`, `*temporary` is
/// the generated password, shown once (free it with `ck_string_free()`,
/// which wipes it); otherwise a secret is sent and `*temporary` is NULL.
/// Refused (rule C7) for a contact holding a role the manager lacks or
/// shared with other accounts; a manager resetting its own gets a secret,
/// never a temporary password (D7).
#[no_mangle]
pub unsafe extern "C" fn ck_reset_password(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
    how: u32,
    temporary: *mut *mut c_char,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let how = match how {
            0 => ManagerReset::TemporaryPassword,
            1..=3 => ManagerReset::SendSecret(channel_from(how - 1)?),
            _ => return Err(Fail::arg("how", how)),
        };
        let out = Out::new(temporary, "temporary")?;
        let pw = d.reset_password(&a, AccountId(account), ContactId(contact), how)?;
        out.set(pw.map_or(std::ptr::null_mut(), |p| publish_string(p.expose())));
        Ok(())
    })
}

/// Sets or clears a contact's "change password at next sign-in" flag (D4).
#[no_mangle]
pub unsafe extern "C" fn ck_set_must_change_password(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
    must_change: bool,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        d.set_must_change_password(&a, AccountId(account), ContactId(contact), must_change)?;
        Ok(())
    })
}

/// Tightens the account's password policy (D2): `min_length` 8 to 128,
/// `history` 5 to 24. Security managers and the owner.
#[no_mangle]
pub unsafe extern "C" fn ck_set_password_policy(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    min_length: u32,
    history: u32,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        d.set_password_policy(
            &a,
            AccountId(account),
            PasswordPolicy {
                min_length,
                history,
            },
        )?;
        Ok(())
    })
}

/// Requires every contact of the account to change its password at next
/// sign-in (D2). Security managers and the owner.
#[no_mangle]
pub unsafe extern "C" fn ck_require_password_change(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        d.require_password_change(&a, AccountId(account))?;
        Ok(())
    })
}

/// Sends a one-time reset secret to the contact's chosen channel (a
/// `ck_recovery_channel`) (D6). It answers `CK_OK` whether or not the login
/// exists, so it tells nobody which logins do.
#[no_mangle]
pub unsafe extern "C" fn ck_request_password_reset(
    dir: *const ck_directory,
    login: *const c_char,
    channel: u32,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let login = unsafe { req_str(login, "login") }?;
        let ch = channel_from(channel)?;
        d.request_password_reset(login, ch)?;
        Ok(())
    })
}

/// Sets a new password with a reset secret (D6); ends an automatic lock
/// (E4). A wrong, used or expired secret gives `CK_UNAUTHENTICATED`.
#[no_mangle]
pub unsafe extern "C" fn ck_complete_password_reset(
    dir: *const ck_directory,
    login: *const c_char,
    reset_secret: *const c_char,
    new_password: *const c_char,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let login = unsafe { req_str(login, "login") }?;
        let s = unsafe { secret(reset_secret, "reset_secret") }?;
        let new = unsafe { password(new_password, "new_password") }?;
        d.complete_password_reset(login, &s, &new)?;
        Ok(())
    })
}

/// Enables the locked-account policy with `max_attempts` failed attempts
/// (1 to 100), or disables it with `enabled` false (E1).
#[no_mangle]
pub unsafe extern "C" fn ck_set_lock_policy(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    enabled: bool,
    max_attempts: u32,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let p = enabled.then_some(LockPolicy { max_attempts });
        d.set_lock_policy(&a, AccountId(account), p)?;
        Ok(())
    })
}

/// Locks a contact by hand in this account (E6): only a manual unlock ends
/// it; its sessions in the account end.
#[no_mangle]
pub unsafe extern "C" fn ck_lock_contact(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        d.lock_contact(&a, AccountId(account), ContactId(contact))?;
        Ok(())
    })
}

/// Unlocks a contact by hand (E5): its manual lock in this account and its
/// automatic lock end, with a fresh failure count. The automatic lock is
/// login-wide, so it ends only under C7; without a manual lock to end, the
/// unlock is then refused (`CK_RULE_VIOLATION`, rule C7).
#[no_mangle]
pub unsafe extern "C" fn ck_unlock_contact(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        d.unlock_contact(&a, AccountId(account), ContactId(contact))?;
        Ok(())
    })
}

/// Sets the account's IP allowlist (G1) to `ranges` (CIDR strings; none
/// allows every address). A contact gives the address it acts from,
/// `current_ip`, which the list must allow (G2); the host may pass NULL.
#[no_mangle]
pub unsafe extern "C" fn ck_set_ip_allowlist(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    ranges: *const *const c_char,
    ranges_len: usize,
    current_ip: *const c_char,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let list = unsafe { strings(ranges, ranges_len, "ranges") }?;
        let ip = match unsafe { opt_str(current_ip, "current_ip") }? {
            Some(s) => core::ip_access::parse_ip(s)?,
            None if a.contact_id().is_some() => return Err(Fail::null("current_ip")),
            None => std::net::IpAddr::from([0, 0, 0, 0]),
        };
        d.set_ip_allowlist(&a, AccountId(account), &list, ip)?;
        Ok(())
    })
}

/// What a contact's General tab shows of its password (I5, D3, D4).
/// Written into the caller's struct.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ck_password_status {
    /// Whether the contact has a password.
    pub set: bool,
    /// Whether `changed_at` and `expires_at` apply (a password is set).
    pub has_dates: bool,
    /// When it was last changed (unix seconds).
    pub changed_at: i64,
    /// When it expires (unix seconds; D3: 365 days after the change).
    pub expires_at: i64,
    /// "Reset password at next login", as a manager set it (D4).
    pub must_change: bool,
    /// Whether the next sign-in must change it, for any reason: the flag,
    /// expiry (D3) or the account's forced change (D2).
    pub change_required: bool,
}

/// Reads a contact's password status into `*out` (I5): one's own, or
/// another contact's for a contact manager.
#[no_mangle]
pub unsafe extern "C" fn ck_password_status_get(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
    out: *mut ck_password_status,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        let s = d.password_status(&a, AccountId(account), ContactId(contact))?;
        let (has_dates, changed_at, expires_at) = match (s.changed_at, s.expires_at) {
            (Some(c), Some(e)) => (true, c.unix_timestamp(), e.unix_timestamp()),
            _ => (false, 0, 0),
        };
        out.set(ck_password_status {
            set: s.set,
            has_dates,
            changed_at,
            expires_at,
            must_change: s.must_change,
            change_required: s.change_required,
        });
        Ok(())
    })
}

/// What a contact's Login options tab shows of its second factor (I5,
/// F1, F3). Read-only; free with `ck_two_factor_status_free()`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_two_factor_status {
    /// Whether a method is enrolled; then `method` and `phone` apply.
    pub enrolled: bool,
    /// The method enrolled.
    pub method: ck_two_factor_method,
    /// Its 2FA phone (SMS and voice), or NULL.
    pub phone: *const c_char,
    /// Whether a manager set a method to enroll at the next sign-in; then
    /// `assigned_method` and `assigned_phone` apply.
    pub assigned: bool,
    /// The method a manager set.
    pub assigned_method: ck_two_factor_method,
    /// Its 2FA phone, or NULL.
    pub assigned_phone: *const c_char,
    /// Whether an enrollment was started and not yet confirmed.
    pub enrollment_pending: bool,
    /// Whether the account requires a second factor (F3).
    pub required: bool,
}

/// Reads a contact's second-factor status (I5): one's own, or another
/// contact's for those who may set it (`CK_PERMISSION_RESET_TWO_FACTOR`).
/// Never a secret or a code. Free `*out` with `ck_two_factor_status_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_two_factor_status_get(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
    out: *mut *mut ck_two_factor_status,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        let s = d.two_factor_status(&a, AccountId(account), ContactId(contact))?;
        let mut arena = Arena::default();
        let none = method_of(core::TwoFactorMethod::Totp);
        let view = ck_two_factor_status {
            enrolled: s.method.is_some(),
            method: s.method.map_or(none, method_of),
            phone: arena.opt_str(s.phone.as_deref()),
            assigned: s.assigned.is_some(),
            assigned_method: s.assigned.as_ref().map_or(none, |f| method_of(f.method)),
            assigned_phone: arena.opt_str(s.assigned.as_ref().and_then(|f| f.phone.as_deref())),
            enrollment_pending: s.enrollment_pending,
            required: s.required,
        };
        out.set(publish(view, arena, "ck_two_factor_status"));
        Ok(())
    })
}

/// Frees a status from `ck_two_factor_status_get()` (NULL is fine).
#[no_mangle]
pub unsafe extern "C" fn ck_two_factor_status_free(status: *mut ck_two_factor_status) -> ck_result {
    guard(|| unsafe { release(status, "ck_two_factor_status") })
}

/// An account's security policies (D2, E1, F3, G1), as anyone who may see
/// the account reads them back. Read-only; free with
/// `ck_security_policy_free()`.
#[repr(C)]
#[derive(Debug)]
pub struct ck_security_policy {
    /// Whether the locked-account policy is on (E1); then `max_attempts`.
    pub lock_enabled: bool,
    /// Failed attempts before an automatic lock.
    pub max_attempts: u32,
    /// The password policy's minimum length (D2).
    pub password_min_length: u32,
    /// How many earlier passwords may not be reused (D2).
    pub password_history: u32,
    /// Whether every contact must use a second factor (F3).
    pub require_two_factor: bool,
    /// The IP allowlist as CIDR strings (G1); none allows every address.
    pub ip_allowlist: *const *const c_char,
    /// How many ranges.
    pub ip_allowlist_len: usize,
    /// Whether a forced password change applies (D2); then
    /// `force_change_before`.
    pub has_force_change_before: bool,
    /// Passwords changed before this time (unix seconds) must change.
    pub force_change_before: i64,
}

/// Reads an account's security policies (D2, E1, F3, G1). Free `*out` with
/// `ck_security_policy_free()`.
#[no_mangle]
pub unsafe extern "C" fn ck_security_policy_get(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    out: *mut *mut ck_security_policy,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let out = Out::new(out, "out")?;
        let p = d.security_policy(&a, AccountId(account))?;
        let mut arena = Arena::default();
        let ranges: Vec<String> = p.ip_allowlist.iter().map(ToString::to_string).collect();
        let (ip_allowlist, ip_allowlist_len) = arena.strs(ranges.iter().map(String::as_str));
        let view = ck_security_policy {
            lock_enabled: p.lock.is_some(),
            max_attempts: p.lock.map_or(0, |l| l.max_attempts),
            password_min_length: p.password.min_length,
            password_history: p.password.history,
            require_two_factor: p.require_two_factor,
            ip_allowlist,
            ip_allowlist_len,
            has_force_change_before: p.force_change_before.is_some(),
            force_change_before: p.force_change_before.map_or(0, |t| t.unix_timestamp()),
        };
        out.set(publish(view, arena, "ck_security_policy"));
        Ok(())
    })
}

/// Frees policies from `ck_security_policy_get()` (NULL is fine).
#[no_mangle]
pub unsafe extern "C" fn ck_security_policy_free(policy: *mut ck_security_policy) -> ck_result {
    guard(|| unsafe { release(policy, "ck_security_policy") })
}

/// Requires (or stops requiring) a second factor of every contact of the
/// account (F3). Security managers and the owner.
#[no_mangle]
pub unsafe extern "C" fn ck_set_require_two_factor(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    required: bool,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        d.set_require_two_factor(&a, AccountId(account), required)?;
        Ok(())
    })
}

fn enrollment_view(e: &core::EnrollmentStart) -> *mut ck_enrollment {
    let mut arena = Arena::default();
    let view = ck_enrollment {
        method: method_of(e.method),
        otpauth_uri: arena.opt_str(e.otpauth_uri.as_ref().map(|s| s.expose())),
        secret_base32: arena.opt_str(e.secret_base32.as_ref().map(|s| s.expose())),
    };
    publish(view, arena, "ck_enrollment")
}

/// Starts enrolling a second factor for oneself (F1), with the current
/// password (D8). `method` is a `ck_two_factor_method`; SMS and voice need
/// `phone` (else NULL). Free `*out` with `ck_enrollment_free()`; finish
/// with `ck_confirm_two_factor_enrollment()`.
#[no_mangle]
pub unsafe extern "C" fn ck_begin_two_factor_enrollment(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    method: u32,
    phone: *const c_char,
    current_password: *const c_char,
    out: *mut *mut ck_enrollment,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let m = method_from(method)?;
        let phone = unsafe { opt_str(phone, "phone") }?;
        let cur = unsafe { password(current_password, "current_password") }?;
        let out = Out::new(out, "out")?;
        let e = d.begin_two_factor_enrollment(&a, AccountId(account), m, phone, &cur)?;
        out.set(enrollment_view(&e));
        Ok(())
    })
}

/// Confirms one's enrollment with a code from the new factor (F1).
#[no_mangle]
pub unsafe extern "C" fn ck_confirm_two_factor_enrollment(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    code: *const c_char,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let code = unsafe { req_str(code, "code") }?;
        d.confirm_two_factor_enrollment(&a, AccountId(account), code)?;
        Ok(())
    })
}

/// Starts enrolling from a session that must enroll (F3). As
/// `ck_begin_two_factor_enrollment()` otherwise.
#[no_mangle]
pub unsafe extern "C" fn ck_begin_enrollment_with_session(
    dir: *const ck_directory,
    token: *const c_char,
    method: u32,
    phone: *const c_char,
    out: *mut *mut ck_enrollment,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let t = unsafe { secret(token, "token") }?;
        let m = method_from(method)?;
        let phone = unsafe { opt_str(phone, "phone") }?;
        let out = Out::new(out, "out")?;
        let e = d.begin_enrollment_with_session(&t, m, phone)?;
        out.set(enrollment_view(&e));
        Ok(())
    })
}

/// Confirms the enrollment of a session that had to enroll (F3); `*out`
/// is the session's next step (free with `ck_sign_in_result_free()`).
#[no_mangle]
pub unsafe extern "C" fn ck_confirm_enrollment_with_session(
    dir: *const ck_directory,
    token: *const c_char,
    code: *const c_char,
    out: *mut *mut ck_sign_in_result,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let t = unsafe { secret(token, "token") }?;
        let code = unsafe { req_str(code, "code") }?;
        let out = Out::new(out, "out")?;
        let o = d.confirm_enrollment_with_session(&t, code)?;
        out.set(outcome_view(&o));
        Ok(())
    })
}

/// Frees (and wipes) an enrollment view. NULL is a no-op; a freed or
/// foreign pointer gives `CK_INVALID_HANDLE`.
#[no_mangle]
pub unsafe extern "C" fn ck_enrollment_free(enrollment: *mut ck_enrollment) -> ck_result {
    guard(|| unsafe { release(enrollment, "ck_enrollment") })
}

/// Resets another contact's second factor (F2): the owner, contact and
/// security managers; never the owner's (A6), nor within C7's limits;
/// one's own is replaced by enrolling again (D8). Its sessions end.
#[no_mangle]
pub unsafe extern "C" fn ck_reset_two_factor(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        d.reset_two_factor(&a, AccountId(account), ContactId(contact))?;
        Ok(())
    })
}

/// Sets another contact's 2FA method (`ck_two_factor_method`) and 2FA
/// phone (SMS and voice; NULL otherwise) (F1): its enrollment is cleared
/// and it enrolls that method at its next sign-in; its sessions end. The
/// owner, contact and security managers, within C7, never on the owner
/// (A6) nor on oneself (D8).
#[no_mangle]
pub unsafe extern "C" fn ck_set_two_factor_method(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
    method: u32,
    phone: *const c_char,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let m = method_from(method)?;
        let phone = unsafe { opt_str(phone, "phone") }?;
        d.set_two_factor_method(&a, AccountId(account), ContactId(contact), m, phone)?;
        Ok(())
    })
}

/// The stable name of a `ck_sign_in_outcome` value ("signed_in",
/// "password_change_required", "locked", "invalid_credentials" …), the name
/// Rust's `SignInOutcome::name` and Python's outcomes give, or NULL for a
/// number that is not one. Static: never freed.
#[no_mangle]
pub extern "C" fn ck_sign_in_outcome_name(outcome: u32) -> *const c_char {
    use ck_sign_in_outcome::*;
    let name: &'static std::ffi::CStr = match outcome {
        o if o == CK_SIGNED_IN as u32 => c"signed_in",
        o if o == CK_PASSWORD_CHANGE_REQUIRED as u32 => c"password_change_required",
        o if o == CK_SECOND_FACTOR_REQUIRED as u32 => c"second_factor_required",
        o if o == CK_ENROLLMENT_REQUIRED as u32 => c"enrollment_required",
        o if o == CK_LOCKED as u32 => c"locked",
        o if o == CK_IP_NOT_ALLOWED as u32 => c"ip_not_allowed",
        o if o == CK_INVALID_LOGIN as u32 => c"invalid_credentials",
        o if o == CK_ACCOUNT_REQUIRED as u32 => c"account_required",
        _ => return std::ptr::null(),
    };
    name.as_ptr()
}

/// A time as a contact reads it (I3): `unix_time` in the IANA zone `zone`,
/// daylight saving included, with the zone's abbreviation and offset
/// ("2026-03-08 03:30 EDT (UTC-04:00)"). `*out` is a string the library
/// allocates (free with `ck_string_free()`). A zone the tz database does not
/// know is `CK_INVALID_INPUT` (field "time_zone"), never a silent UTC.
#[no_mangle]
pub unsafe extern "C" fn ck_local_time(
    unix_time: i64,
    zone: *const c_char,
    out: *mut *mut c_char,
) -> ck_result {
    guard(|| {
        let zone = unsafe { req_str(zone, "zone") }?;
        let out = Out::new(out, "out")?;
        let at = time::OffsetDateTime::from_unix_timestamp(unix_time)
            .map_err(|_| Fail::arg("unix_time", unix_time))?;
        out.set(crate::conv::publish_string(&core::local_time(at, zone)?));
        Ok(())
    })
}

/// The current TOTP code (6 digits) of a base32 secret at `unix_time`, as
/// an authenticator app shows it (F1: RFC 6238, SHA-1, 30 s). For hosts'
/// tests and demos; `*code` is written.
#[no_mangle]
pub unsafe extern "C" fn ck_totp_code(
    secret_base32: *const c_char,
    unix_time: u64,
    code: *mut u32,
) -> ck_result {
    guard(|| {
        let s = unsafe { req_str(secret_base32, "secret_base32") }?;
        let out = Out::new(code, "code")?;
        let raw = decode_base32(s).ok_or_else(|| Fail::arg("secret_base32", "(not base32)"))?;
        out.set(core::second_factor::totp(
            &raw,
            unix_time,
            core::second_factor::CODE_DIGITS,
        ));
        Ok(())
    })
}

fn decode_base32(s: &str) -> Option<Vec<u8>> {
    let mut bits = 0u64;
    let mut n = 0u32;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        bits = (bits << 5) | u64::from(v);
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    Some(out)
}

/// How many questions the catalogue has (F4).
#[no_mangle]
pub extern "C" fn ck_security_question_count() -> usize {
    core::security_questions::CATALOGUE.len()
}

/// The text of catalogue question `index`, or NULL past the end. Static.
#[no_mangle]
pub extern "C" fn ck_security_question_text(index: usize) -> *const c_char {
    core::security_questions::CATALOGUE
        .get(index)
        .map_or(std::ptr::null(), |q| crate::contacts::static_name(q))
}

/// Sets one's three security questions and answers (F4), with the current
/// password (D8).
#[no_mangle]
pub unsafe extern "C" fn ck_set_security_answers(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    answers: *const ck_security_answer,
    answers_len: usize,
    current_password: *const c_char,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let items = unsafe { slice(answers, answers_len, "answers") }?;
        let list = items
            .iter()
            .map(|x| {
                Ok(SecurityAnswer {
                    question: x.question,
                    answer: unsafe { secret(x.answer, "answer") }?,
                })
            })
            .collect::<Result<Vec<_>, Fail>>()?;
        let cur = unsafe { password(current_password, "current_password") }?;
        d.set_security_answers(&a, AccountId(account), &list, &cur)?;
        Ok(())
    })
}

/// The questions a contact chose (never the answers), into the caller's
/// `questions` array of `capacity` entries; `*len` is how many. When the
/// array is too small: `CK_BUFFER_TOO_SMALL`, with the count needed in
/// `*len`.
#[no_mangle]
pub unsafe extern "C" fn ck_security_questions(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
    questions: *mut u16,
    capacity: usize,
    len: *mut usize,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let len = Out::new(len, "len")?;
        if questions.is_null() && capacity > 0 {
            return Err(Fail::null("questions"));
        }
        let qs = d.security_questions(&a, AccountId(account), ContactId(contact))?;
        if qs.len() > capacity {
            len.set(qs.len());
            return Err(Fail::Ffi(
                ck_result::CK_BUFFER_TOO_SMALL,
                format!("{} questions do not fit in {capacity}", qs.len()),
            ));
        }
        for (i, q) in qs.iter().enumerate() {
            // SAFETY: i < qs.len() <= capacity, which the caller provides.
            unsafe { questions.add(i).write(*q) };
        }
        len.set(qs.len());
        Ok(())
    })
}

/// The support desk checks one answer of a contact (F4): `*matches` tells
/// whether it is right. No one can read an answer back.
#[no_mangle]
pub unsafe extern "C" fn ck_check_security_answer(
    dir: *const ck_directory,
    actor: *const ck_actor,
    account: u64,
    contact: u64,
    question: u16,
    answer: *const c_char,
    matches: *mut bool,
) -> ck_result {
    guard(|| {
        let d = unsafe { directory(dir) }?;
        let a = unsafe { actor_from(actor) }?;
        let ans = unsafe { secret(answer, "answer") }?;
        let out = Out::new(matches, "matches")?;
        out.set(d.check_security_answer(
            &a,
            AccountId(account),
            ContactId(contact),
            question,
            &ans,
        )?);
        Ok(())
    })
}
