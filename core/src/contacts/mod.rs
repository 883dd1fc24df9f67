//! Contacts (SPEC B1–B6): profiles, logins and their validation.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::credentials::Password;
use crate::error::{Error, Field, Problem, Rule};
use crate::ids::ContactId;
use crate::lock::LockMark;
use crate::roles::{Access, RoleSet, Standing, TechScope};
use crate::text::{check_text, forbidden_char};

/// Longest login, in characters.
pub const MAX_LOGIN: usize = 128;
/// Longest name or job title, in characters.
pub const MAX_NAME: usize = 200;
/// Longest email address (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;
/// Longest phone number as written, in characters.
pub const MAX_PHONE: usize = 32;

/// A contact's general information (B2). One profile per login, shared by
/// every account the contact belongs to (B6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The name that identifies the contact (required).
    pub name: String,
    /// Job title.
    pub job_title: Option<String>,
    /// Business phone: for support call-backs; needed for technical and
    /// billing duties (H4).
    pub business_phone: Option<String>,
    /// Where notifications go (required).
    pub email: String,
    /// IANA time zone name for times shown to the contact (I3).
    pub time_zone: String,
    /// Receives maintenance and global-issue notices; recovery only, never a
    /// login (B4).
    pub alternate_email: Option<String>,
    /// Cell phone, usable for recovery (B4).
    pub cell_phone: Option<String>,
}

impl Profile {
    /// A profile with the two required fields; time zone UTC, the rest empty.
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Profile {
        Profile {
            name: name.into(),
            job_title: None,
            business_phone: None,
            email: email.into(),
            time_zone: "UTC".to_owned(),
            alternate_email: None,
            cell_phone: None,
        }
    }

    /// Checks every field (B2) and returns the profile with surrounding
    /// white space trimmed and empty optional fields cleared.
    pub fn validated(&self) -> Result<Profile, Error> {
        Ok(Profile {
            name: check_text(Field::Name, &self.name, MAX_NAME, true)?,
            job_title: check_optional(&self.job_title, |v| {
                check_text(Field::JobTitle, v, MAX_NAME, false)
            })?,
            business_phone: check_optional(&self.business_phone, |v| {
                check_phone(Field::BusinessPhone, v)
            })?,
            email: check_email(Field::Email, &self.email)?,
            time_zone: check_time_zone(&self.time_zone)?,
            alternate_email: check_optional(&self.alternate_email, |v| {
                check_email(Field::AlternateEmail, v)
            })?,
            cell_phone: check_optional(&self.cell_phone, |v| check_phone(Field::CellPhone, v))?,
        })
    }
}

/// A new contact (B1, first way): a login no contact has, its profile and
/// its roles in the account. `Debug` shows neither the password nor the
/// imported hash.
#[derive(Clone)]
pub struct NewContact {
    /// The login (unique in the directory, compared case-insensitively, never
    /// changed after creation: B3).
    pub login: String,
    /// General information.
    pub profile: Profile,
    /// Roles in the account (C1).
    pub roles: RoleSet,
    /// Technical-administrator scope (C4); all options by default.
    pub tech_scope: TechScope,
    /// The initial password (B1), checked against the account's policy (D2).
    pub password: Option<Password>,
    /// Or an existing hash, for a host migrating its contacts (D1): an
    /// argon2id, argon2i or argon2d PHC string, bcrypt (`$2a$`, `$2b$`,
    /// `$2y$`) or Django's `pbkdf2_sha256$…`, within the bounds of
    /// [`passwords::imported`](crate::passwords::imported); it is replaced
    /// by argon2id at the first successful sign-in.
    pub password_hash: Option<String>,
    /// "Reset password at next login" (D4).
    pub must_change_password: bool,
}

impl std::fmt::Debug for NewContact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |set: bool| if set { "Some(<redacted>)" } else { "None" };
        f.debug_struct("NewContact")
            .field("login", &self.login)
            .field("profile", &self.profile)
            .field("roles", &self.roles)
            .field("tech_scope", &self.tech_scope)
            .field(
                "password",
                &format_args!("{}", redact(self.password.is_some())),
            )
            .field(
                "password_hash",
                &format_args!("{}", redact(self.password_hash.is_some())),
            )
            .field("must_change_password", &self.must_change_password)
            .finish()
    }
}

impl NewContact {
    /// A new contact with no role and no password.
    pub fn new(login: impl Into<String>, profile: Profile) -> NewContact {
        NewContact {
            login: login.into(),
            profile,
            roles: RoleSet::EMPTY,
            tech_scope: TechScope::All,
            password: None,
            password_hash: None,
            must_change_password: false,
        }
    }

    /// The same contact with this initial password.
    #[must_use]
    pub fn with_password(mut self, password: Password) -> NewContact {
        self.password = Some(password);
        self
    }

    /// The same contact with these roles.
    #[must_use]
    pub fn with_roles(mut self, roles: RoleSet) -> NewContact {
        self.roles = roles;
        self
    }
}

/// The result of [`Directory::update_contact`](crate::Directory::update_contact):
/// which fields changed.
pub type ChangedFields = Vec<Field>;

/// A change to a profile: `None` keeps a field; for optional fields
/// `Some(None)` clears it. The login is not here: it never changes (B3).
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    /// The contact's current password: needed when a contact changes its
    /// own email, alternate email or cell phone (D8).
    pub current_password: Option<Password>,
    /// New name.
    pub name: Option<String>,
    /// New job title, or `Some(None)` to clear it.
    pub job_title: Option<Option<String>>,
    /// New business phone, or `Some(None)` to clear it.
    pub business_phone: Option<Option<String>>,
    /// New email.
    pub email: Option<String>,
    /// New time zone.
    pub time_zone: Option<String>,
    /// New alternate email, or `Some(None)` to clear it.
    pub alternate_email: Option<Option<String>>,
    /// New cell phone, or `Some(None)` to clear it.
    pub cell_phone: Option<Option<String>>,
}

impl ProfileUpdate {
    /// Applies the update to `p`, validating the result; returns it with the
    /// names of the fields whose value changed.
    pub(crate) fn apply(&self, p: &Profile) -> Result<(Profile, Vec<Field>), Error> {
        let mut next = p.clone();
        if let Some(v) = &self.name {
            next.name.clone_from(v);
        }
        if let Some(v) = &self.job_title {
            next.job_title.clone_from(v);
        }
        if let Some(v) = &self.business_phone {
            next.business_phone.clone_from(v);
        }
        if let Some(v) = &self.email {
            next.email.clone_from(v);
        }
        if let Some(v) = &self.time_zone {
            next.time_zone.clone_from(v);
        }
        if let Some(v) = &self.alternate_email {
            next.alternate_email.clone_from(v);
        }
        if let Some(v) = &self.cell_phone {
            next.cell_phone.clone_from(v);
        }
        let next = next.validated()?;
        let mut changed = Vec::new();
        let mut note = |f: Field, differs: bool| {
            if differs {
                changed.push(f);
            }
        };
        note(Field::Name, next.name != p.name);
        note(Field::JobTitle, next.job_title != p.job_title);
        note(
            Field::BusinessPhone,
            next.business_phone != p.business_phone,
        );
        note(Field::Email, next.email != p.email);
        note(Field::TimeZone, next.time_zone != p.time_zone);
        note(
            Field::AlternateEmail,
            next.alternate_email != p.alternate_email,
        );
        note(Field::CellPhone, next.cell_phone != p.cell_phone);
        Ok((next, changed))
    }
}

/// How long an invitation waits for its contact's answer (B7).
pub const INVITATION_LIFETIME: time::Duration = time::Duration::days(14);
/// The most open invitations a contact holds, and an account has out (B7).
pub const MAX_INVITATIONS: usize = 50;

/// A membership offered to a login used on another account, waiting for
/// its contact to accept it, signed in (B7). Until then the login is no
/// member of the account: none of its policies apply to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// The account that invites.
    pub account: crate::ids::AccountId,
    /// The roles offered.
    pub roles: RoleSet,
    /// The technical-administrator scope offered.
    pub tech_scope: TechScope,
    /// Who invited (its [`Actor::audit_label`](crate::Actor::audit_label)):
    /// what it may give is weighed again when the contact accepts.
    pub by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// When it expires, unanswered.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// An invitation, as the invited contact sees it (B7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvitationView {
    /// The account that invites.
    pub account: crate::ids::AccountId,
    /// Its name.
    pub account_name: String,
    /// The roles offered.
    pub roles: RoleSet,
    /// When it was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub invited_at: OffsetDateTime,
    /// When it expires.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// An account a login belongs to, as the signed-in contact sees it (B6,
/// I5): for an account switcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Membership {
    /// The account.
    pub account: crate::ids::AccountId,
    /// Its name.
    pub account_name: String,
    /// Whether the contact owns it.
    pub owner: bool,
    /// Its roles there (every role for the owner, A2).
    pub roles: RoleSet,
    /// When it joined.
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    /// Whether a manual lock keeps it out of that account (E6).
    pub locked: bool,
}

/// A pending member, as the inviting account's managers see it (B7): the
/// login and the roles offered, nothing of its profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingMember {
    /// The contact invited.
    pub contact: ContactId,
    /// Its login.
    pub login: String,
    /// The roles offered.
    pub roles: RoleSet,
    /// When the invitation expires.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// B7: the open invitation of `account` among a contact's, or why not.
pub(crate) fn open_invitation(
    invitations: &[Invitation],
    account: crate::ids::AccountId,
    now: OffsetDateTime,
) -> Result<&Invitation, Error> {
    match invitations.iter().find(|i| i.account == account) {
        None => Err(Error::refused(Rule::B7NotInvited)),
        Some(i) if now >= i.expires_at => Err(Error::refused(Rule::B7Expired)),
        Some(i) => Ok(i),
    }
}

/// How many logins an actor checks per hour in an account (B1).
pub const LOGIN_CHECKS_PER_HOUR: usize = 30;

/// B1: an actor that checked `recent` logins in the last hour may check
/// another only below [`LOGIN_CHECKS_PER_HOUR`].
pub(crate) fn check_login_budget(recent: usize) -> Result<(), Error> {
    if recent >= LOGIN_CHECKS_PER_HOUR {
        return Err(Error::refused(Rule::B1CheckLimit));
    }
    Ok(())
}

/// The profile fields that are recovery channels (C7, D8): a contact
/// changing its own gives its password again; a manager changes another's
/// only within C7.
pub(crate) const RECOVERY_CHANNELS: [Field; 3] =
    [Field::Email, Field::AlternateEmail, Field::CellPhone];

/// Whether any of `changed` is a recovery channel.
pub(crate) fn changes_channel(changed: &[Field]) -> bool {
    changed.iter().any(|f| RECOVERY_CHANNELS.contains(f))
}

/// A contact as seen in one account: its profile and its membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactView {
    /// The contact.
    pub id: ContactId,
    /// Its login as first written (compare with [`login_key`]).
    pub login: String,
    /// Its general information.
    pub profile: Profile,
    /// Whether it owns the account.
    pub owner: bool,
    /// Its roles in the account (every role for the owner, A2).
    pub roles: RoleSet,
    /// Its technical-administrator scope in the account (C4).
    pub tech_scope: TechScope,
    /// How many accounts share this contact (B6).
    pub accounts: u32,
    /// When it joined the account.
    #[serde(with = "time::serde::rfc3339")]
    pub member_since: OffsetDateTime,
    /// The padlock (E7): a lock in force, manual in this account or
    /// automatic for the login.
    pub lock: Option<LockMark>,
    /// Who locked the contact by hand in this account (an audit label:
    /// `contact:7`, `support:jo` …), while a manual lock is on (E6, I5).
    pub locked_by: Option<String>,
    /// What the contact wants to be told in this account (I2, I4, H6).
    pub notifications: crate::notify::NotificationPrefs,
}

/// The form logins are compared in (B3: case-insensitive), after validation.
///
/// Logins are ASCII letters, digits and `. _ - @ +`, so that no two logins
/// look alike and an email address can serve as one.
pub fn login_key(login: &str) -> Result<String, Error> {
    let login = login.trim();
    if login.is_empty() {
        return Err(Error::invalid(Field::Login, Problem::Empty));
    }
    if login.chars().count() > MAX_LOGIN {
        return Err(Error::invalid(
            Field::Login,
            Problem::TooLong { max: MAX_LOGIN },
        ));
    }
    if login.chars().any(forbidden_char) {
        return Err(Error::invalid(Field::Login, Problem::ControlCharacter));
    }
    let ok = login
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b".-_@+".contains(&b));
    if !ok {
        return Err(Error::invalid(Field::Login, Problem::Malformed));
    }
    Ok(login.to_ascii_lowercase())
}

fn check_optional(
    value: &Option<String>,
    check: impl Fn(&str) -> Result<String, Error>,
) -> Result<Option<String>, Error> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => check(v).map(Some),
    }
}

/// An email address: `local@domain`, at most 254 characters, a local part
/// of at most 64 printable ASCII characters without spaces, quotes or
/// brackets, and a domain of dot-separated letter-digit-hyphen labels with
/// at least one dot.
pub(crate) fn check_email(field: Field, value: &str) -> Result<String, Error> {
    let v = check_text(field, value, MAX_EMAIL, true)?;
    let malformed = || Error::invalid(field, Problem::Malformed);
    let (local, domain) = v.rsplit_once('@').ok_or_else(malformed)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"\"(),:;<>@[\\]".contains(&b));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if local_ok && domain_ok {
        Ok(v)
    } else {
        Err(malformed())
    }
}

/// A phone number as people write it: an optional leading `+`, digits,
/// spaces, dots, hyphens and parentheses, with 4 to 15 digits (E.164's
/// limit).
pub(crate) fn check_phone(field: Field, value: &str) -> Result<String, Error> {
    let v = check_text(field, value, MAX_PHONE, true)?;
    let body = v.strip_prefix('+').unwrap_or(&v);
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    let chars_ok = body
        .bytes()
        .all(|b| b.is_ascii_digit() || b" .-()".contains(&b));
    if chars_ok && (4..=15).contains(&digits) {
        Ok(v)
    } else {
        Err(Error::invalid(field, Problem::Malformed))
    }
}

/// An IANA time zone name known to the bundled tz database.
pub(crate) fn check_time_zone(value: &str) -> Result<String, Error> {
    let v = check_text(Field::TimeZone, value, 64, true)?;
    if time_tz::timezones::get_by_name(&v).is_some() {
        Ok(v)
    } else {
        Err(Error::invalid(Field::TimeZone, Problem::UnknownTimeZone))
    }
}

/// The fields a new contact's audit entry names (J1: names, never values).
pub(crate) fn new_contact_fields(new: &NewContact) -> Vec<String> {
    let mut fields: Vec<String> = ["login", "name", "email", "time_zone", "roles"]
        .map(String::from)
        .to_vec();
    let p = &new.profile;
    for (f, set) in [
        (Field::JobTitle, p.job_title.is_some()),
        (Field::BusinessPhone, p.business_phone.is_some()),
        (Field::AlternateEmail, p.alternate_email.is_some()),
        (Field::CellPhone, p.cell_phone.is_some()),
    ] {
        if set {
            fields.push(f.name().into());
        }
    }
    if new.password.is_some() || new.password_hash.is_some() {
        fields.push("password".into());
    }
    fields
}

/// B6: a profile shared with other accounts is changed only by its contact
/// (and the host), so that no manager of one account changes what another
/// account relies on (its owner's email, say).
pub(crate) fn guard_shared_profile(access: &Access, account_count: u32) -> Result<(), Error> {
    if access.standing() != Standing::System && account_count > 1 {
        return Err(Error::refused(Rule::B6SharedProfile));
    }
    Ok(())
}

pub(crate) mod invitations;
pub mod listing;
pub(crate) mod ops;

/// The most contacts one page of [`Directory::list_contacts`] returns.
pub const MAX_PAGE: usize = 1000;

#[cfg(test)]
mod tests;
