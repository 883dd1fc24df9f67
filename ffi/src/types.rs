//! The C types: enums with explicit values, input structs the caller fills
//! and lends for one call, and read-only views the library allocates.
//!
//! Enum *parameters* are passed as `uint32_t` (a C caller can pass any
//! number; an unknown one gives `CK_INVALID_ARGUMENT`), enum *fields of
//! views* have the enum type (the library writes only known values).

use std::ffi::{c_char, c_void};

use contactkeeper_core as core;
use core::{
    Actor, LockKind, LockMark, NotificationKind, Permission, RecoveryChannel, Role, RoleSet,
    SessionStage, Standing, TechScope, TwoFactorMethod,
};

use crate::conv::{req_str, strings, Arena};
use crate::error::Fail;

/// Who performs an operation (see `ck_actor_contact()` and its siblings).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_actor_kind {
    /// A contact (`contact` is its id), acting in the account named by the call.
    CK_ACTOR_CONTACT = 0,
    /// The provider's support desk: `name` is the agent, `reason` why.
    CK_ACTOR_SUPPORT_DESK = 1,
    /// A partner (reseller): `name` is the partner's id.
    CK_ACTOR_PARTNER = 2,
    /// The host portal itself.
    CK_ACTOR_SYSTEM = 3,
}

/// An actor, lent for one call. Build it with `ck_actor_contact()`,
/// `ck_actor_support_desk()`, `ck_actor_partner()` or `ck_actor_system()`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ck_actor {
    /// A `ck_actor_kind` value.
    pub kind: u32,
    /// The contact's id (`CK_ACTOR_CONTACT`).
    pub contact: u64,
    /// The agent (`CK_ACTOR_SUPPORT_DESK`) or partner id (`CK_ACTOR_PARTNER`).
    pub name: *const c_char,
    /// The support desk's reason (may be NULL or "", except where an
    /// operation requires one, like an ownership transfer).
    pub reason: *const c_char,
}

/// A standard contact's roles, as bit flags (C1); combine with `|`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_role {
    /// Creates, edits, deletes, locks and unlocks other contacts.
    CK_ROLE_CONTACT_MANAGER = 1,
    /// Plan and pricing, logo, billing contacts.
    CK_ROLE_BILLING_MANAGER = 2,
    /// Security policies, 2FA resets, and managing other contacts.
    CK_ROLE_SECURITY_MANAGER = 4,
    /// Completes chargeable actions once procurement mode is on (C3).
    CK_ROLE_PROCUREMENT_MANAGER = 8,
    /// Users, services, reports, resources and technical contacts (C4).
    CK_ROLE_TECHNICAL_ADMIN = 16,
}

/// Every role: what the owner holds.
pub const CK_ROLES_ALL: u32 = 31;

/// A permission of SPEC C's table. In a `ck_access`, permission `p` is held
/// when `permissions & (1u << p)`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_permission {
    /// Create, delete, edit, lock, unlock other contacts; reset passwords.
    CK_PERMISSION_MANAGE_CONTACTS = 0,
    /// Assign roles (C6).
    CK_PERMISSION_ASSIGN_ROLES = 1,
    /// Reset another contact's 2FA.
    CK_PERMISSION_RESET_TWO_FACTOR = 2,
    /// Password, lock, IP and 2FA policies.
    CK_PERMISSION_MANAGE_SECURITY_POLICIES = 3,
    /// Plan and pricing, logo, billing contacts.
    CK_PERMISSION_MANAGE_BILLING = 4,
    /// Complete chargeable actions (C3).
    CK_PERMISSION_COMPLETE_CHARGEABLE = 5,
    /// Users, services, reports; resources and their technical contacts.
    CK_PERMISSION_TECHNICAL_ADMIN = 6,
    /// Transfer ownership.
    CK_PERMISSION_TRANSFER_OWNERSHIP = 7,
    /// Read and export the audit log.
    CK_PERMISSION_READ_AUDIT = 8,
    /// Edit one's own profile, password, 2FA, questions, notifications.
    CK_PERMISSION_MANAGE_OWN_SETTINGS = 9,
    /// See the account and its contacts.
    CK_PERMISSION_VIEW_ACCOUNT = 10,
    /// Create accounts (support desk, partners, host).
    CK_PERMISSION_CREATE_ACCOUNTS = 11,
    /// Register services (host).
    CK_PERMISSION_REGISTER_SERVICES = 12,
    /// Turn procurement mode on or off (support desk, host).
    CK_PERMISSION_ENABLE_PROCUREMENT = 13,
    /// Check a security answer (support desk).
    CK_PERMISSION_CHECK_SECURITY_ANSWERS = 14,
    /// Report resource milestones (host).
    CK_PERMISSION_REPORT_MILESTONES = 15,
    /// Send maintenance notices (host).
    CK_PERMISSION_SEND_NOTICES = 16,
}

const PERMISSIONS: [(Permission, u32); 17] = [
    (Permission::ManageContacts, 0),
    (Permission::AssignRoles, 1),
    (Permission::ResetTwoFactor, 2),
    (Permission::ManageSecurityPolicies, 3),
    (Permission::ManageBilling, 4),
    (Permission::CompleteChargeable, 5),
    (Permission::TechnicalAdmin, 6),
    (Permission::TransferOwnership, 7),
    (Permission::ReadAudit, 8),
    (Permission::ManageOwnSettings, 9),
    (Permission::ViewAccount, 10),
    (Permission::CreateAccounts, 11),
    (Permission::RegisterServices, 12),
    (Permission::EnableProcurement, 13),
    (Permission::CheckSecurityAnswers, 14),
    (Permission::ReportMilestones, 15),
    (Permission::SendNotices, 16),
];

pub(crate) fn permission_from(v: u32) -> Result<Permission, Fail> {
    PERMISSIONS
        .iter()
        .find(|(_, n)| *n == v)
        .map(|(p, _)| *p)
        .ok_or_else(|| Fail::arg("permission", v))
}

pub(crate) fn permission_number(p: Permission) -> Option<u32> {
    PERMISSIONS.iter().find(|(q, _)| *q == p).map(|(_, n)| *n)
}

pub(crate) fn roles_from(bits: u32) -> Result<RoleSet, Fail> {
    u8::try_from(bits)
        .ok()
        .and_then(RoleSet::from_bits)
        .ok_or_else(|| Fail::arg("roles", bits))
}

/// The name of a role flag ("contact_manager" …), or NULL. Static.
pub(crate) fn role_name(bit: u32) -> Option<Role> {
    Role::ALL
        .iter()
        .copied()
        .find(|r| u32::from(RoleSet::of(&[*r]).bits()) == bit)
}

/// How an actor stands in an account.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_standing {
    /// The account's owner.
    CK_STANDING_OWNER = 0,
    /// A standard contact of the account.
    CK_STANDING_MEMBER = 1,
    /// The support desk.
    CK_STANDING_SUPPORT_DESK = 2,
    /// The account's own partner.
    CK_STANDING_PARTNER = 3,
    /// The host.
    CK_STANDING_SYSTEM = 4,
    /// Anyone else.
    CK_STANDING_OUTSIDER = 5,
}

pub(crate) fn standing_of(s: Standing) -> ck_standing {
    use ck_standing::*;
    match s {
        Standing::Owner => CK_STANDING_OWNER,
        Standing::Member => CK_STANDING_MEMBER,
        Standing::SupportDesk => CK_STANDING_SUPPORT_DESK,
        Standing::Partner => CK_STANDING_PARTNER,
        Standing::System => CK_STANDING_SYSTEM,
        Standing::Outsider => CK_STANDING_OUTSIDER,
    }
}

/// What a session may do (D4, F1, F3).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_session_stage {
    /// Signed in: everything the contact's permissions allow.
    CK_STAGE_FULL = 0,
    /// Only changing the password.
    CK_STAGE_PASSWORD_CHANGE = 1,
    /// Only presenting the second factor.
    CK_STAGE_SECOND_FACTOR = 2,
    /// Only enrolling a second factor.
    CK_STAGE_ENROLLMENT = 3,
}

pub(crate) fn stage_of(s: SessionStage) -> ck_session_stage {
    use ck_session_stage::*;
    match s {
        SessionStage::Full => CK_STAGE_FULL,
        SessionStage::PasswordChange => CK_STAGE_PASSWORD_CHANGE,
        SessionStage::SecondFactor => CK_STAGE_SECOND_FACTOR,
        _ => CK_STAGE_ENROLLMENT,
    }
}

/// A second-factor method (F1).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_two_factor_method {
    /// An authenticator app (TOTP).
    CK_2FA_TOTP = 0,
    /// A code by SMS to the 2FA phone.
    CK_2FA_SMS = 1,
    /// A code by voice call to the 2FA phone.
    CK_2FA_VOICE = 2,
    /// A code by email.
    CK_2FA_EMAIL = 3,
}

pub(crate) fn method_of(m: TwoFactorMethod) -> ck_two_factor_method {
    use ck_two_factor_method::*;
    match m {
        TwoFactorMethod::Totp => CK_2FA_TOTP,
        TwoFactorMethod::Sms => CK_2FA_SMS,
        TwoFactorMethod::Voice => CK_2FA_VOICE,
        _ => CK_2FA_EMAIL,
    }
}

pub(crate) fn method_from(v: u32) -> Result<TwoFactorMethod, Fail> {
    Ok(match v {
        0 => TwoFactorMethod::Totp,
        1 => TwoFactorMethod::Sms,
        2 => TwoFactorMethod::Voice,
        3 => TwoFactorMethod::Email,
        _ => return Err(Fail::arg("method", v)),
    })
}

/// Where a reset secret goes (D6).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_recovery_channel {
    /// The email: a secret for a link.
    CK_RECOVERY_EMAIL = 0,
    /// The alternate email.
    CK_RECOVERY_ALTERNATE_EMAIL = 1,
    /// The cell phone: an 8-digit code.
    CK_RECOVERY_CELL_PHONE = 2,
}

pub(crate) fn channel_from(v: u32) -> Result<RecoveryChannel, Fail> {
    Ok(match v {
        0 => RecoveryChannel::Email,
        1 => RecoveryChannel::AlternateEmail,
        2 => RecoveryChannel::CellPhone,
        _ => return Err(Fail::arg("channel", v)),
    })
}

/// How a manager resets another contact's password (D7).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_manager_reset {
    /// A temporary password the library generates, shown once.
    CK_RESET_TEMPORARY_PASSWORD = 0,
    /// A reset secret sent to the contact's email.
    CK_RESET_SEND_EMAIL = 1,
    /// A reset secret sent to the alternate email.
    CK_RESET_SEND_ALTERNATE_EMAIL = 2,
    /// A reset code sent to the cell phone.
    CK_RESET_SEND_CELL_PHONE = 3,
}

/// The kind of a lock (E7); `CK_LOCK_NONE` when not locked.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_lock_kind {
    /// Not locked.
    CK_LOCK_NONE = 0,
    /// Too many failed attempts: ends by itself (E2).
    CK_LOCK_AUTOMATIC = 1,
    /// Set by a manager: only a manual unlock ends it (E6).
    CK_LOCK_MANUAL = 2,
}

/// The padlock of a listing (E7).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ck_lock_mark {
    /// `CK_LOCK_NONE` when not locked.
    pub kind: ck_lock_kind,
    /// Since when (unix seconds); 0 when not locked.
    pub since: i64,
    /// Until when (unix seconds, automatic locks); 0 otherwise.
    pub until: i64,
}

pub(crate) fn lock_mark(l: Option<&LockMark>) -> ck_lock_mark {
    match l {
        None => ck_lock_mark {
            kind: ck_lock_kind::CK_LOCK_NONE,
            since: 0,
            until: 0,
        },
        Some(l) => ck_lock_mark {
            kind: match l.kind {
                LockKind::Automatic => ck_lock_kind::CK_LOCK_AUTOMATIC,
                LockKind::Manual => ck_lock_kind::CK_LOCK_MANUAL,
            },
            since: l.since.unix_timestamp(),
            until: l.until.map_or(0, |t| t.unix_timestamp()),
        },
    }
}

/// A duty's kind (H).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_duty_kind {
    /// Technical contact of a resource.
    CK_DUTY_TECHNICAL = 0,
    /// Billing contact of the account.
    CK_DUTY_BILLING = 1,
}

/// Primary or secondary (H1, H2, H7).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_rank {
    /// Contacted first; required.
    CK_RANK_PRIMARY = 0,
    /// Contacted when the primary cannot be reached.
    CK_RANK_SECONDARY = 1,
}

/// A duty: given as input (`kind` and `rank` are `ck_duty_kind` and
/// `ck_rank` values) and returned in duty lists.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ck_duty {
    /// A `ck_duty_kind` value.
    pub kind: u32,
    /// The resource (technical duties); 0 for billing.
    pub resource: u64,
    /// A `ck_rank` value.
    pub rank: u32,
}

pub(crate) fn rank_from(v: u32) -> Result<core::Rank, Fail> {
    match v {
        0 => Ok(core::Rank::Primary),
        1 => Ok(core::Rank::Secondary),
        _ => Err(Fail::arg("rank", v)),
    }
}

pub(crate) fn duty_of(d: &core::Duty) -> ck_duty {
    let rank = |r: &core::Rank| u32::from(*r == core::Rank::Secondary);
    match d {
        core::Duty::Technical { resource, rank: r } => ck_duty {
            kind: ck_duty_kind::CK_DUTY_TECHNICAL as u32,
            resource: resource.get(),
            rank: rank(r),
        },
        core::Duty::Billing { rank: r } => ck_duty {
            kind: ck_duty_kind::CK_DUTY_BILLING as u32,
            resource: 0,
            rank: rank(r),
        },
    }
}

/// A resource milestone (H6).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_milestone {
    /// The resource's software is ready to download.
    CK_MILESTONE_SOFTWARE_READY = 0,
    /// Its initial backup completed.
    CK_MILESTONE_INITIAL_BACKUP_COMPLETED = 1,
    /// A milestone the host names (its text is a parameter).
    CK_MILESTONE_OTHER = 2,
}

/// What a notifier callback did with a notification.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_delivery {
    /// Sent: it leaves the outbox.
    CK_DELIVERED = 0,
    /// It can never be delivered: it leaves the outbox (and a milestone
    /// goes to the secondary technical contact, H6).
    CK_UNDELIVERABLE = 1,
    /// Not sent now: it stays pending and is tried again later. Any value
    /// the library does not know counts as this.
    CK_RETRY_LATER = 2,
}

/// What a notification is about.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_notification_kind {
    /// The recipient became the owner (A3, A4).
    CK_NOTIFY_OWNERSHIP_RECEIVED = 0,
    /// The recipient is no longer the owner.
    CK_NOTIFY_OWNERSHIP_LOST = 1,
    /// A security notice (I2, E9, F2).
    CK_NOTIFY_SECURITY = 2,
    /// A password-reset secret (D6, D7): carries `secret`.
    CK_NOTIFY_PASSWORD_RESET = 3,
    /// A one-time sign-in or enrollment code (F1): carries `secret`.
    CK_NOTIFY_SIGN_IN_CODE = 4,
    /// A resource milestone (H6).
    CK_NOTIFY_MILESTONE = 5,
    /// A maintenance or global-issue notice (I4).
    CK_NOTIFY_MAINTENANCE = 6,
    /// A billing notice the host sends (H7).
    CK_NOTIFY_BILLING = 7,
    /// A kind this version of the header does not name.
    CK_NOTIFY_OTHER = 8,
}

pub(crate) fn notification_kind(k: NotificationKind) -> ck_notification_kind {
    use ck_notification_kind::*;
    match k {
        NotificationKind::OwnershipReceived => CK_NOTIFY_OWNERSHIP_RECEIVED,
        NotificationKind::OwnershipLost => CK_NOTIFY_OWNERSHIP_LOST,
        NotificationKind::Security => CK_NOTIFY_SECURITY,
        NotificationKind::PasswordReset => CK_NOTIFY_PASSWORD_RESET,
        NotificationKind::SignInCode => CK_NOTIFY_SIGN_IN_CODE,
        NotificationKind::Milestone => CK_NOTIFY_MILESTONE,
        NotificationKind::Maintenance => CK_NOTIFY_MAINTENANCE,
        NotificationKind::Billing => CK_NOTIFY_BILLING,
        _ => CK_NOTIFY_OTHER,
    }
}

/// A contact's general information (B2). As input, NULL leaves an optional
/// field unset (`time_zone` NULL is "UTC"); in a view, NULL means unset.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ck_profile {
    /// Name (required).
    pub name: *const c_char,
    /// Job title, or NULL.
    pub job_title: *const c_char,
    /// Business phone, or NULL.
    pub business_phone: *const c_char,
    /// Email (required): where notifications go.
    pub email: *const c_char,
    /// IANA time zone ("Europe/Paris"); NULL as input is "UTC".
    pub time_zone: *const c_char,
    /// Alternate email, or NULL.
    pub alternate_email: *const c_char,
    /// Cell phone, or NULL.
    pub cell_phone: *const c_char,
}

/// A technical administrator's scope (C4): every option of the plan, or
/// only those listed.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ck_tech_scope {
    /// true: every option (then `options` is ignored as input).
    pub all: bool,
    /// The options ("users", "reports" …) when `all` is false.
    pub options: *const *const c_char,
    /// How many.
    pub options_len: usize,
}

/// A new contact (B1, B2).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ck_new_contact {
    /// Login: unique, immutable (B3).
    pub login: *const c_char,
    /// General information.
    pub profile: ck_profile,
    /// `ck_role` flags.
    pub roles: u32,
    /// Technical-administrator scope (with `CK_ROLE_TECHNICAL_ADMIN`).
    pub tech_scope: ck_tech_scope,
    /// Initial password (D2), or NULL.
    pub password: *const c_char,
    /// A hash to import instead of a password (D1: argon2id/i/d PHC, bcrypt
    /// or Django's pbkdf2_sha256), or NULL; replaced by argon2id at the
    /// first successful sign-in.
    pub password_hash: *const c_char,
    /// Must change the password at next sign-in (D4).
    pub must_change_password: bool,
}

/// An account's plan (A7, C4). As input, NULL for the whole plan gives the
/// default plan ("standard": 5 contacts, 0 USD, users/services/reports).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ck_plan {
    /// The plan's name.
    pub name: *const c_char,
    /// Contacts included (the owner too).
    pub included_contacts: u32,
    /// Price of each additional contact, in minor units.
    pub additional_contact_price: u64,
    /// ISO 4217 currency ("USD").
    pub currency: *const c_char,
    /// Technical-administrator options offered.
    pub tech_options: *const *const c_char,
    /// How many.
    pub tech_options_len: usize,
}

/// A service of an account (A8).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ck_service {
    /// Its key.
    pub key: *const c_char,
    /// Its display name.
    pub name: *const c_char,
    /// Whether it is enabled.
    pub enabled: bool,
    /// The technical-administrator option that reaches it.
    pub option: *const c_char,
}

/// A change to a profile: NULL keeps a field; "" clears an optional one.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ck_profile_update {
    /// The current password: needed when a contact changes its own email,
    /// alternate email or cell phone (D8).
    pub current_password: *const c_char,
    /// New name.
    pub name: *const c_char,
    /// New job title ("" clears).
    pub job_title: *const c_char,
    /// New business phone ("" clears).
    pub business_phone: *const c_char,
    /// New email.
    pub email: *const c_char,
    /// New time zone.
    pub time_zone: *const c_char,
    /// New alternate email ("" clears).
    pub alternate_email: *const c_char,
    /// New cell phone ("" clears).
    pub cell_phone: *const c_char,
}

/// Which audit entries a query returns (J2). NULL for the whole query
/// gives the defaults (everything, first 100).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ck_audit_query {
    /// Whether `from` applies.
    pub has_from: bool,
    /// Entries at or after this time (unix seconds).
    pub from: i64,
    /// Whether `until` applies.
    pub has_until: bool,
    /// Entries before this time (unix seconds).
    pub until: i64,
    /// Entries by this actor (its audit label, "contact:42"), or NULL.
    pub actor: *const c_char,
    /// Entries of this operation ("contact.create" …), or NULL.
    pub operation: *const c_char,
    /// Entries after this sequence number (paging).
    pub after_seq: u64,
    /// The most entries (1 to 10000); ignored by exports.
    pub limit: usize,
}

/// A security question and its answer (F4).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ck_security_answer {
    /// The question's index in the catalogue (`ck_security_question_text()`).
    pub question: u16,
    /// The answer.
    pub answer: *const c_char,
}

/// What a contact wants to be told in an account (I2, I4, H6).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ck_notification_prefs {
    /// Security notifications.
    pub security: bool,
    /// Maintenance and global-issue notices.
    pub maintenance: bool,
    /// Billing notices.
    pub billing: bool,
    /// Resource milestones.
    pub milestones: bool,
}

/// An amount of money (A7).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ck_money {
    /// Minor units (cents for USD).
    pub minor_units: u64,
    /// ISO 4217 code, NUL-terminated.
    pub currency: [c_char; 4],
}

/// A `ck_money` as a person reads it ("5.00 USD", "500 JPY"): `*out` is a
/// string the library allocates (free with `ck_string_free()`).
#[no_mangle]
pub unsafe extern "C" fn ck_money_text(
    money: *const ck_money,
    out: *mut *mut c_char,
) -> crate::error::ck_result {
    crate::error::guard(|| {
        if money.is_null() {
            return Err(crate::error::Fail::null("money"));
        }
        // SAFETY: lent by the caller.
        let m = unsafe { &*money };
        let out = crate::conv::Out::new(out, "out")?;
        let bytes: Vec<u8> = m
            .currency
            .iter()
            .take_while(|c| **c != 0)
            .map(|c| *c as u8)
            .collect();
        let currency = String::from_utf8(bytes)
            .map_err(|_| crate::error::Fail::arg("money.currency", "(not UTF-8)"))?;
        let text = core::Money::new(m.minor_units, currency).to_string();
        out.set(crate::conv::publish_string(&text));
        Ok(())
    })
}

pub(crate) fn money(m: &core::Money) -> ck_money {
    let mut currency = [0 as c_char; 4];
    for (d, s) in currency.iter_mut().zip(m.currency.bytes().take(3)) {
        *d = s as c_char;
    }
    ck_money {
        minor_units: m.minor_units,
        currency,
    }
}

/// A contact added to an account (written into the caller's struct).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ck_contact_added {
    /// The contact.
    pub contact: u64,
    /// Whether the addition is charged beyond the plan (A7).
    pub charged: bool,
    /// What it costs, when `charged`.
    pub charge: ck_money,
    /// Whether the contact is only invited: it joins when it accepts (B7,
    /// `ck_accept_invitation()`).
    pub pending: bool,
}

pub(crate) fn contact_added(a: &core::ContactAdded) -> ck_contact_added {
    ck_contact_added {
        contact: a.contact.get(),
        charged: a.charge.is_some(),
        charge: a.charge.as_ref().map_or(
            ck_money {
                minor_units: 0,
                currency: [0; 4],
            },
            money,
        ),
        pending: a.pending,
    }
}

/// An account and its owner, just created (written into the caller's struct).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ck_account_created {
    /// The account.
    pub account: u64,
    /// Its owner.
    pub owner: u64,
}

/// The result of a verification of an audit chain (J3).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ck_audit_verification {
    /// Every entry as written, none missing.
    pub intact: bool,
    /// How many entries the chain holds (when intact).
    pub entries: u64,
    /// The first entry found altered or missing (when broken).
    pub broken_seq: u64,
    /// What was found (when broken).
    pub problem: ck_chain_problem,
}

/// How a chain was found altered.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ck_chain_problem {
    /// Intact.
    CK_CHAIN_OK = 0,
    /// An entry was edited.
    CK_CHAIN_EDITED = 1,
    /// An entry is missing, or one was inserted.
    CK_CHAIN_MISSING = 2,
    /// An entry does not link to the one before.
    CK_CHAIN_RELINKED = 3,
    /// Entries at the end were removed.
    CK_CHAIN_TRUNCATED = 4,
}

/// What `ck_deliver_pending()` did.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ck_delivery_report {
    /// Delivered now.
    pub delivered: usize,
    /// Found undeliverable now.
    pub undeliverable: usize,
    /// Still pending.
    pub retry_later: usize,
}

/// A read-only notification. Passed to a notifier callback (valid only
/// during the call) and inside outbox items.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ck_notification {
    /// Its id in the outbox.
    pub id: u64,
    /// What it is about.
    pub kind: ck_notification_kind,
    /// The kind's stable name ("security" …).
    pub kind_name: *const c_char,
    /// The account it concerns, or 0.
    pub account: u64,
    /// The contact it is for.
    pub recipient: u64,
    /// The addresses to send it to.
    pub to: *const *const c_char,
    /// How many.
    pub to_len: usize,
    /// A default plain-text subject.
    pub subject: *const c_char,
    /// A default plain-text body.
    pub body: *const c_char,
    /// The names of the fields it reports changed.
    pub fields: *const *const c_char,
    /// How many.
    pub fields_len: usize,
    /// The resource it concerns, or 0.
    pub resource: u64,
    /// Who gets it if the recipient is undeliverable, or 0 (H6).
    pub fallback: u64,
    /// When the change happened (unix seconds).
    pub at: i64,
    /// The secret it delivers (a reset secret, a one-time code; also in
    /// `body`), or NULL. Such a notification is delivered once and never
    /// stored: wipe your copies.
    pub secret: *const c_char,
}

pub(crate) fn notification(n: &core::Notification, arena: &mut Arena) -> ck_notification {
    let (to, to_len) = arena.strs(n.to.iter().map(String::as_str));
    let (fields, fields_len) = arena.strs(n.fields.iter().map(String::as_str));
    ck_notification {
        id: n.id.get(),
        kind: notification_kind(n.kind),
        kind_name: arena.str(n.kind.name()),
        account: n.account.map_or(0, |a| a.get()),
        recipient: n.recipient.get(),
        to,
        to_len,
        subject: arena.str(&n.subject),
        body: arena.str(&n.body),
        fields,
        fields_len,
        resource: n.resource.map_or(0, |r| r.get()),
        fallback: n.fallback.map_or(0, |c| c.get()),
        at: n.at.unix_timestamp(),
        secret: arena.opt_str(n.secret.as_ref().map(|s| s.expose())),
    }
}

/// A notifier callback: sends one notification and returns a `ck_delivery`
/// value (any other value counts as `CK_RETRY_LATER`). `notification` and
/// everything it points to is valid only during the call. It may be called
/// from any thread, and from several at once: `userdata` must be safe to
/// use so. It must not unwind (no C++ exception, no longjmp out of it).
pub type ck_notify_fn = Option<
    unsafe extern "C" fn(userdata: *mut c_void, notification: *const ck_notification) -> i32,
>;

/// Options of a directory; start from `ck_directory_options_default()`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ck_directory_options {
    /// argon2id memory cost in KiB (D1; default 19456).
    pub hash_m_kib: u32,
    /// argon2id iterations (default 2).
    pub hash_t: u32,
    /// argon2id parallelism (default 1).
    pub hash_p: u32,
    /// Idle session lifetime in seconds (default 1800).
    pub session_idle_seconds: i64,
    /// Absolute session lifetime in seconds (default 43200).
    pub session_absolute_seconds: i64,
    /// Tries of an operation when concurrent commits conflict (default 32).
    pub max_attempts: u32,
    /// How long one delivery may take, in milliseconds, before it counts as
    /// retry-later (default 10000): the callback then runs on a thread of
    /// its own. 0 calls it on the caller's thread, without a limit.
    pub delivery_timeout_ms: u64,
    /// The notifier callback, or NULL: notifications then stay in the
    /// outbox (`ck_pending_notifications()`).
    pub notify: ck_notify_fn,
    /// Passed to every call of `notify`.
    pub notify_userdata: *mut c_void,
    /// A manual clock (tests, demos), or NULL for the system clock. The
    /// directory keeps its own reference: the clock may be freed before it.
    pub clock: *const crate::handles::ck_manual_clock,
    /// The directory-wide sign-in throttle (D5): failed attempts any login,
    /// known or not, may have in 30 minutes before the next one locks it;
    /// 1 to 100 (default 100).
    pub throttle_attempts: u32,
    /// The keys authenticator secrets are sealed under (F1): the first is
    /// the current one, the others older ones that still open what they
    /// sealed. NULL (with 0) for the default: `ck_directory_open()` keeps a
    /// key in a file beside the database; an in-memory directory uses a
    /// random key of its own.
    pub sealing_keys: *const ck_sealing_key,
    /// How many keys `sealing_keys` holds.
    pub sealing_keys_len: usize,
}

/// A key authenticator secrets are sealed under (F1): 32 random bytes
/// (from a key manager, say), known by `id`. The library copies it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ck_sealing_key {
    /// The id sealed values name the key by; ids must differ.
    pub id: u32,
    /// The key's bytes.
    pub key: *const u8,
    /// Their number: 32.
    pub key_len: usize,
}

/// The core's actor for a C actor.
///
/// # Safety
/// `a` is NULL or points to a valid `ck_actor` whose strings follow the
/// string rules.
pub(crate) unsafe fn actor_from(a: *const ck_actor) -> Result<Actor, Fail> {
    if a.is_null() {
        return Err(Fail::null("actor"));
    }
    // SAFETY: non-NULL; the caller lends a valid struct.
    let a = unsafe { &*a };
    Ok(match a.kind {
        0 => Actor::Contact(core::ContactId(a.contact)),
        1 => Actor::support_desk(
            unsafe { req_str(a.name, "actor.name") }?,
            unsafe { crate::conv::opt_str(a.reason, "actor.reason") }?.unwrap_or(""),
        ),
        2 => Actor::partner(unsafe { req_str(a.name, "actor.name") }?),
        3 => Actor::System,
        k => return Err(Fail::arg("actor.kind", k)),
    })
}

/// # Safety
/// As [`actor_from`], for a `ck_tech_scope`.
pub(crate) unsafe fn scope_from(s: &ck_tech_scope) -> Result<TechScope, Fail> {
    if s.all {
        return Ok(TechScope::All);
    }
    Ok(TechScope::only(unsafe {
        strings(s.options, s.options_len, "tech_scope.options")
    }?))
}

pub(crate) fn scope_view(s: &TechScope, arena: &mut Arena) -> ck_tech_scope {
    match s {
        TechScope::All => ck_tech_scope {
            all: true,
            options: std::ptr::null(),
            options_len: 0,
        },
        TechScope::Only(set) => {
            let (options, options_len) = arena.strs(set.iter().map(String::as_str));
            ck_tech_scope {
                all: false,
                options,
                options_len,
            }
        }
    }
}
