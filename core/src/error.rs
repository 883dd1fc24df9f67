//! Errors (SPEC K1, K2).
//!
//! Every refused operation returns an [`Error`]. Each variant has a stable
//! numeric [`ErrorCode`] (the same numbers reach C's result enum and Python's
//! exception classes) and, where one applies, the SPEC rule it enforces.
//! Messages never contain the value that was refused: a bad value may be a
//! secret, hostile, or huge.

use std::fmt;

use crate::roles::table::Permission;

/// A refused or failed operation. A refusal changes nothing but the audit
/// entry that records it (K1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value from the host is malformed, oversized or otherwise unusable
    /// (B2, K2).
    #[error("invalid {field}: {problem}")]
    InvalidInput {
        /// The input field at fault.
        field: Field,
        /// What is wrong with it.
        problem: Problem,
    },
    /// The actor lacks the permission the operation needs (C2).
    #[error("permission denied: {permission} is required")]
    PermissionDenied {
        /// The missing permission.
        permission: Permission,
    },
    /// The account, contact or other entity does not exist, or not where the
    /// operation looked for it (a contact of another account is not found).
    #[error("{entity} not found")]
    NotFound {
        /// What was looked for.
        entity: Entity,
    },
    /// The entity exists already (a login in use, a contact already member).
    #[error("{entity} already exists")]
    AlreadyExists {
        /// What exists already.
        entity: Entity,
    },
    /// A SPEC rule refuses the operation in the current state.
    #[error("refused by rule {}: {}", .rule.id(), .rule.explain())]
    RuleViolation {
        /// The rule that refuses it.
        rule: Rule,
    },
    /// Concurrent changes kept invalidating the operation; nothing changed.
    #[error("the account kept changing concurrently; gave up after {attempts} attempts")]
    Conflict {
        /// How many times the operation was tried.
        attempts: u32,
    },
    /// The store failed; nothing was committed.
    #[error("store failure: {0}")]
    Store(#[from] StoreError),
    /// The operating system's random source failed.
    #[error("the system random source is unavailable")]
    RandomUnavailable,
    /// Writing to the host's output (an export's writer) failed.
    #[error("writing the output failed: {0}")]
    Output(String),
    /// A session token, reset secret or one-time code is not valid (D6, D8).
    #[error("not authenticated: {reason}")]
    Unauthenticated {
        /// Why.
        reason: AuthFailure,
    },
    /// The current password, asked for again before a sensitive change, is
    /// wrong or missing (D8).
    #[error("the current password is required and was not given correctly")]
    InvalidCredentials,
    /// The contact lacks information a duty needs (H4); fill these fields
    /// and try again.
    #[error("the contact lacks what the duty needs: {}", crate::error::join_names(.missing))]
    NotEligible {
        /// The fields to fill.
        missing: Vec<Field>,
    },
    /// The contact holds primary duties: reassign them, or name a
    /// replacement (B5).
    #[error("the contact is still {}", crate::error::join_duties(.duties))]
    DutiesHeld {
        /// The primary duties it holds.
        duties: Vec<crate::designations::duty::Duty>,
    },
}

pub(crate) fn join_names(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn join_duties(duties: &[crate::designations::duty::Duty]) -> String {
    duties
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The stable numeric code of an error kind. Numbers are never reused once
/// retired; 0 is success in the C API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u16)]
#[non_exhaustive]
pub enum ErrorCode {
    /// [`Error::InvalidInput`].
    InvalidInput = 1,
    /// [`Error::PermissionDenied`].
    PermissionDenied = 2,
    /// [`Error::NotFound`].
    NotFound = 3,
    /// [`Error::AlreadyExists`].
    AlreadyExists = 4,
    /// [`Error::RuleViolation`].
    RuleViolation = 5,
    /// [`Error::Conflict`].
    Conflict = 6,
    /// [`Error::Store`].
    Store = 7,
    /// [`Error::RandomUnavailable`].
    RandomUnavailable = 8,
    /// [`Error::Output`].
    Output = 9,
    /// [`Error::Unauthenticated`].
    Unauthenticated = 10,
    /// [`Error::InvalidCredentials`].
    InvalidCredentials = 11,
    /// [`Error::NotEligible`].
    NotEligible = 12,
    /// [`Error::DutiesHeld`].
    DutiesHeld = 13,
}

impl ErrorCode {
    /// The stable number of this kind.
    pub fn as_u16(self) -> u16 {
        self as u16
    }

    /// A stable snake_case name of this kind.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::PermissionDenied => "permission_denied",
            ErrorCode::NotFound => "not_found",
            ErrorCode::AlreadyExists => "already_exists",
            ErrorCode::RuleViolation => "rule_violation",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Store => "store",
            ErrorCode::RandomUnavailable => "random_unavailable",
            ErrorCode::Output => "output",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::NotEligible => "not_eligible",
            ErrorCode::DutiesHeld => "duties_held",
        }
    }

    /// The kind with this number, if any.
    pub fn from_u16(n: u16) -> Option<ErrorCode> {
        ALL_CODES.iter().copied().find(|c| c.as_u16() == n)
    }
}

/// Every error code, in numeric order.
pub const ALL_CODES: [ErrorCode; 13] = [
    ErrorCode::InvalidInput,
    ErrorCode::PermissionDenied,
    ErrorCode::NotFound,
    ErrorCode::AlreadyExists,
    ErrorCode::RuleViolation,
    ErrorCode::Conflict,
    ErrorCode::Store,
    ErrorCode::RandomUnavailable,
    ErrorCode::Output,
    ErrorCode::Unauthenticated,
    ErrorCode::InvalidCredentials,
    ErrorCode::NotEligible,
    ErrorCode::DutiesHeld,
];

impl Error {
    pub(crate) fn unauthenticated(reason: AuthFailure) -> Error {
        Error::Unauthenticated { reason }
    }

    /// The stable code of this error's kind.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidInput { .. } => ErrorCode::InvalidInput,
            Error::PermissionDenied { .. } => ErrorCode::PermissionDenied,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::AlreadyExists { .. } => ErrorCode::AlreadyExists,
            Error::RuleViolation { .. } => ErrorCode::RuleViolation,
            Error::Conflict { .. } => ErrorCode::Conflict,
            Error::Store(_) => ErrorCode::Store,
            Error::RandomUnavailable => ErrorCode::RandomUnavailable,
            Error::Output(_) => ErrorCode::Output,
            Error::Unauthenticated { .. } => ErrorCode::Unauthenticated,
            Error::InvalidCredentials => ErrorCode::InvalidCredentials,
            Error::NotEligible { .. } => ErrorCode::NotEligible,
            Error::DutiesHeld { .. } => ErrorCode::DutiesHeld,
        }
    }

    /// The SPEC rule this error enforces, where one applies (`"A5"`, `"C2"`…).
    pub fn rule(&self) -> Option<&'static str> {
        match self {
            Error::InvalidInput { field, .. } => Some(field.rule()),
            Error::PermissionDenied { .. } => Some("C2"),
            Error::RuleViolation { rule } => Some(rule.id()),
            Error::NotFound { .. } | Error::AlreadyExists { .. } => Some("K1"),
            Error::Unauthenticated { reason } => Some(reason.rule()),
            Error::InvalidCredentials => Some("D8"),
            Error::NotEligible { .. } => Some("H4"),
            Error::DutiesHeld { .. } => Some("B5"),
            Error::Conflict { .. }
            | Error::Store(_)
            | Error::RandomUnavailable
            | Error::Output(_) => None,
        }
    }

    pub(crate) fn invalid(field: Field, problem: Problem) -> Error {
        Error::InvalidInput { field, problem }
    }

    pub(crate) fn not_found(entity: Entity) -> Error {
        Error::NotFound { entity }
    }

    pub(crate) fn refused(rule: Rule) -> Error {
        Error::RuleViolation { rule }
    }

    pub(crate) fn denied(permission: Permission) -> Error {
        Error::PermissionDenied { permission }
    }
}

pub(crate) use crate::names::named_enum;

named_enum! {
    /// An input field that a host supplies.
    Field {
        /// An account's name.
        AccountName => "account_name",
        /// A plan's name.
        PlanName => "plan_name",
        /// An amount of money: a plan's price of an additional contact, or
        /// a chargeable action's amount (C3).
        Price => "price",
        /// A currency code (ISO 4217).
        Currency => "currency",
        /// A plan's technical-administrator options (C4).
        TechOptions => "tech_options",
        /// A technical administrator's scope (C4).
        TechScope => "tech_scope",
        /// A service's key (A8).
        ServiceKey => "service_key",
        /// A service's display name (A8).
        ServiceName => "service_name",
        /// A partner's identifier.
        Partner => "partner",
        /// A support-desk agent's identifier.
        Agent => "agent",
        /// The reason a support-desk action is taken (A4).
        Reason => "reason",
        /// A contact's name (B2).
        Name => "name",
        /// A contact's job title (B2).
        JobTitle => "job_title",
        /// A contact's business phone (B2).
        BusinessPhone => "business_phone",
        /// A contact's email (B2).
        Email => "email",
        /// A contact's login (B2, B3).
        Login => "login",
        /// A contact's time zone (B2).
        TimeZone => "time_zone",
        /// A contact's alternate email (B2, B4).
        AlternateEmail => "alternate_email",
        /// A contact's cell phone (B2, B4).
        CellPhone => "cell_phone",
        /// A set of roles (C1, C6).
        Roles => "roles",
        /// The contact to become owner (A3).
        NewOwner => "new_owner",
        /// A page size.
        Limit => "limit",
        /// A time range of an audit query.
        TimeRange => "time_range",
        /// A password (D2).
        Password => "password",
        /// An existing hash imported by a host (D1).
        PasswordHash => "password_hash",
        /// An account's password policy (D2).
        PasswordPolicy => "password_policy",
        /// The argon2 cost (D1).
        HashCost => "hash_cost",
        /// An account's lock policy (E1).
        LockPolicy => "lock_policy",
        /// A client's IP address (G1).
        Ip => "ip",
        /// An IP allowlist (G1).
        IpAllowlist => "ip_allowlist",
        /// The account to sign in to.
        Account => "account",
        /// A session lifetime.
        SessionLifetime => "session_lifetime",
        /// A security question (F4).
        SecurityQuestion => "security_question",
        /// A security answer (F4).
        SecurityAnswer => "security_answer",
        /// Where a reset secret or code goes (D6).
        Channel => "channel",
        /// The 2FA phone (F1).
        TwoFactorPhone => "two_factor_phone",
        /// A second-factor method (F1).
        TwoFactorMethod => "two_factor_method",
        /// A resource's kind (H1).
        ResourceKind => "resource_kind",
        /// A resource's name (H1).
        ResourceName => "resource_name",
        /// A secondary contact (H2, H7).
        Secondary => "secondary",
        /// A milestone (H6).
        Milestone => "milestone",
        /// A notice's subject or body (I4).
        Notice => "notice",
        /// The actor filter of an audit query (J2).
        ActorFilter => "actor_filter",
        /// A key authenticator secrets are sealed under (F1).
        SealingKey => "sealing_key",
        /// A chargeable action a host declares (C3).
        ChargeAction => "charge_action",
        /// The order of a contact listing (I5).
        Sort => "sort",
        /// A listing's text filter (I5).
        Filter => "filter",
        /// A listing's cursor (I5).
        Cursor => "cursor",
        /// An id (of an account, a contact, a resource, a notification)
        /// given as a number out of its range.
        Id => "id",
        /// Where an audit page starts: the sequence number after which it
        /// reads.
        AfterSeq => "after_seq",
    }
}

impl Field {
    /// The SPEC rule that governs this field.
    pub fn rule(self) -> &'static str {
        match self {
            Field::AccountName
            | Field::Partner
            | Field::Agent
            | Field::Limit
            | Field::TimeRange
            | Field::ActorFilter
            | Field::Account
            | Field::Id => "K2",
            Field::AfterSeq => "J2",
            Field::Password | Field::PasswordPolicy => "D2",
            Field::PasswordHash | Field::HashCost => "D1",
            Field::SealingKey => "F1",
            Field::ChargeAction => "C3",
            Field::Sort | Field::Filter | Field::Cursor => "I5",
            Field::SessionLifetime => "D8",
            Field::Channel => "D6",
            Field::LockPolicy => "E1",
            Field::Ip | Field::IpAllowlist => "G1",
            Field::SecurityQuestion | Field::SecurityAnswer => "F4",
            Field::TwoFactorPhone | Field::TwoFactorMethod => "F1",
            Field::ResourceKind | Field::ResourceName => "H1",
            Field::Secondary => "H2",
            Field::Milestone => "H6",
            Field::Notice => "I4",
            Field::PlanName | Field::Price | Field::Currency => "A7",
            Field::TechOptions | Field::TechScope => "C4",
            Field::ServiceKey | Field::ServiceName => "A8",
            Field::Reason => "A4",
            Field::Login => "B3",
            Field::Roles => "C1",
            Field::NewOwner => "A3",
            Field::Name
            | Field::JobTitle
            | Field::BusinessPhone
            | Field::Email
            | Field::TimeZone
            | Field::AlternateEmail
            | Field::CellPhone => "B2",
        }
    }
}

/// What is wrong with an input value. It never repeats the value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// Required and missing or blank.
    Empty,
    /// Longer than allowed (in characters).
    TooLong {
        /// The maximum.
        max: usize,
    },
    /// Contains a control character.
    ControlCharacter,
    /// Not of the expected form.
    Malformed,
    /// Not an IANA time zone name.
    UnknownTimeZone,
    /// Not one of the values allowed here.
    NotOffered,
    /// The same value appears twice.
    Duplicate,
    /// Out of the allowed range.
    OutOfRange,
    /// Shorter than allowed (in characters).
    TooShort {
        /// The minimum.
        min: usize,
    },
    /// A commonly used password (D2).
    CommonPassword,
    /// A password containing the login (D2).
    ContainsLogin,
    /// One of the contact's recent passwords (D2).
    RecentlyUsed,
    /// Missing, where this operation needs it.
    Missing,
}

impl Problem {
    /// A stable snake_case name, the same in every binding.
    pub fn name(&self) -> &'static str {
        match self {
            Problem::Empty => "empty",
            Problem::TooLong { .. } => "too_long",
            Problem::ControlCharacter => "control_character",
            Problem::Malformed => "malformed",
            Problem::UnknownTimeZone => "unknown_time_zone",
            Problem::NotOffered => "not_offered",
            Problem::Duplicate => "duplicate",
            Problem::OutOfRange => "out_of_range",
            Problem::TooShort { .. } => "too_short",
            Problem::CommonPassword => "common_password",
            Problem::ContainsLogin => "contains_login",
            Problem::RecentlyUsed => "recently_used",
            Problem::Missing => "missing",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Empty => f.write_str("required and empty"),
            Problem::TooLong { max } => write!(f, "longer than {max} characters"),
            Problem::ControlCharacter => f.write_str("contains a control character"),
            Problem::Malformed => f.write_str("malformed"),
            Problem::UnknownTimeZone => f.write_str("not an IANA time zone"),
            Problem::NotOffered => f.write_str("not offered here"),
            Problem::Duplicate => f.write_str("repeats a value"),
            Problem::OutOfRange => f.write_str("out of range"),
            Problem::TooShort { min } => write!(f, "shorter than {min} characters"),
            Problem::CommonPassword => f.write_str("a commonly used password"),
            Problem::ContainsLogin => f.write_str("contains the login"),
            Problem::RecentlyUsed => f.write_str("one of the recent passwords"),
            Problem::Missing => f.write_str("needed here and not set"),
        }
    }
}

named_enum! {
    /// The kind of entity an error refers to.
    Entity {
        /// An account.
        Account => "account",
        /// A contact (or a contact's membership of the account at hand).
        Contact => "contact",
        /// A login.
        Login => "login",
        /// A service of an account.
        Service => "service",
        /// A pending notification.
        Notification => "notification",
        /// A resource of an account.
        Resource => "resource",
    }
}

/// A SPEC rule that refuses an operation in the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// A2: no operation removes a role from the owner.
    A2OwnerHoldsEveryRole,
    /// A3: ownership goes to another contact of the same account.
    A3AlreadyOwner,
    /// A3: ownership never goes to a contact locked by hand in the account,
    /// nor to one whose membership is pending (B7).
    A3LockedOrPending,
    /// A5: the owner cannot be deleted.
    A5OwnerNotDeletable,
    /// A6: only the owner changes the owner's details and ownership.
    A6OwnerOnly,
    /// B1: the actor checked as many logins this hour as it may.
    B1CheckLimit,
    /// B7: no open invitation to this account for this contact.
    B7NotInvited,
    /// B7: the invitation expired (after 14 days).
    B7Expired,
    /// B7: the invitation no longer stands: the one who sent it may no
    /// longer give what it offers (its roles, its scope, the plan's limit).
    B7Withdrawn,
    /// B7: the login holds, or the account has sent, as many open
    /// invitations as it may ([`MAX_INVITATIONS`](crate::contacts::MAX_INVITATIONS)).
    B7InvitationLimit,
    /// B7: only the host makes an existing login the owner of a new
    /// account; anyone else creates it with a new owner and invites the
    /// login.
    B7ExistingOwner,
    /// B6: a contact shared with other accounts has one profile, changed only
    /// by that contact (a manager of one account must not change what another
    /// account relies on).
    B6SharedProfile,
    /// C3: the procurement manager role is not enabled for the account.
    C3ProcurementDisabled,
    /// C6: a contact grants or revokes only roles it holds itself.
    C6NoEscalation,
    /// C7: the contact holds a role the manager lacks, so the manager does
    /// not act on its credentials or recovery channels.
    C7MoreRoles,
    /// C7: the contact's login belongs to other accounts too; only the
    /// contact itself and the support desk change its credentials.
    C7SharedLogin,
    /// D8: one's own password is changed with the current one, not reset.
    D8OwnPassword,
    /// D8: one's own second factor is changed by enrolling again, with the
    /// current password, not reset.
    D8OwnSecondFactor,
    /// F1: the contact has no second factor enrolled (or pending) for this.
    F1NotEnrolled,
    /// G2: the allowlist would shut out the contact who sets it.
    G2ShutsOutSetter,
    /// H2: the secondary contact differs from the primary.
    H2SecondaryIsPrimary,
    /// H4: with a designation, only the fields the duty needs and the
    /// contact lacks may be supplied.
    H4OnlyMissingFields,
    /// H5: a contact created to take a duty gets no role.
    H5NoRoles,
    /// H7: a secondary billing contact needs a primary.
    H7NoPrimary,
}

impl Rule {
    /// The rule's SPEC id.
    pub fn id(self) -> &'static str {
        match self {
            Rule::A2OwnerHoldsEveryRole => "A2",
            Rule::A3AlreadyOwner | Rule::A3LockedOrPending => "A3",
            Rule::A5OwnerNotDeletable => "A5",
            Rule::A6OwnerOnly => "A6",
            Rule::B1CheckLimit => "B1",
            Rule::B6SharedProfile => "B6",
            Rule::B7NotInvited
            | Rule::B7Expired
            | Rule::B7Withdrawn
            | Rule::B7InvitationLimit
            | Rule::B7ExistingOwner => "B7",
            Rule::C3ProcurementDisabled => "C3",
            Rule::C6NoEscalation => "C6",
            Rule::C7MoreRoles | Rule::C7SharedLogin => "C7",
            Rule::D8OwnPassword | Rule::D8OwnSecondFactor => "D8",
            Rule::F1NotEnrolled => "F1",
            Rule::G2ShutsOutSetter => "G2",
            Rule::H2SecondaryIsPrimary => "H2",
            Rule::H4OnlyMissingFields => "H4",
            Rule::H5NoRoles => "H5",
            Rule::H7NoPrimary => "H7",
        }
    }

    /// One sentence a host may show.
    pub fn explain(self) -> &'static str {
        match self {
            Rule::A2OwnerHoldsEveryRole => "the owner holds every role, always",
            Rule::A3AlreadyOwner => "that contact is the owner already",
            Rule::A3LockedOrPending => {
                "ownership goes only to a contact that is neither locked by hand nor pending"
            }
            Rule::A5OwnerNotDeletable => "the owner cannot be deleted; transfer ownership first",
            Rule::A6OwnerOnly => "only the owner changes the owner's details",
            Rule::B1CheckLimit => "too many login checks in the last hour; try again later",
            Rule::B7NotInvited => "there is no invitation to this account for this contact",
            Rule::B7Expired => "the invitation expired; ask the account to invite you again",
            Rule::B7ExistingOwner => {
                "only the host makes an existing login the owner of a new account; create it \
                 with a new owner and invite the login"
            }
            Rule::B7InvitationLimit => {
                "too many open invitations: they must be answered, withdrawn or expire first"
            }
            Rule::B7Withdrawn => {
                "the invitation no longer stands: whoever sent it may no longer offer it; ask \
                 the account to invite you again"
            }
            Rule::B6SharedProfile => {
                "the contact is shared with other accounts; only the contact changes its profile"
            }
            Rule::C3ProcurementDisabled => {
                "the procurement manager role is not enabled for this account"
            }
            Rule::C6NoEscalation => "a contact grants or revokes only roles it holds itself",
            Rule::C7MoreRoles => {
                "the contact holds a role you lack; you cannot change its credentials"
            }
            Rule::C7SharedLogin => {
                "the contact's login is used on other accounts; only the contact changes its \
                 credentials"
            }
            Rule::D8OwnPassword => {
                "a contact changes its own password with the current one, not by a reset"
            }
            Rule::D8OwnSecondFactor => {
                "a contact replaces its own second factor by enrolling again, with its password"
            }
            Rule::F1NotEnrolled => "no second factor is enrolled for this",
            Rule::G2ShutsOutSetter => "the allowlist would shut out the contact who sets it",
            Rule::H2SecondaryIsPrimary => "the secondary contact must differ from the primary",
            Rule::H4OnlyMissingFields => {
                "only the information the duty needs and the contact lacks can be supplied here"
            }
            Rule::H5NoRoles => {
                "a contact created to take a duty gets no role; give it roles afterwards"
            }
            Rule::H7NoPrimary => "a secondary billing contact needs a primary one first",
        }
    }
}

named_enum! {
    /// Why a session, secret or code was not accepted.
    AuthFailure {
        /// Unknown, malformed, or ended by sign-out.
        InvalidToken => "invalid_token",
        /// Past its idle or absolute lifetime (D8).
        Expired => "expired",
        /// Ended by a password change, a lock, a deletion or a removal (D8).
        Revoked => "revoked",
        /// The session may only complete a step first (D4, F1, F3).
        StepRequired => "step_required",
        /// The contact is locked (E3, E6).
        Locked => "locked",
        /// The client's address is outside the account's allowlist (G1).
        IpNotAllowed => "ip_not_allowed",
        /// A reset secret or code that is wrong, used, voided or expired (D6).
        InvalidSecret => "invalid_secret",
        /// A second-factor code that is wrong or used already (F1).
        InvalidCode => "invalid_code",
    }
}

impl AuthFailure {
    /// The SPEC rule behind this failure.
    pub fn rule(self) -> &'static str {
        match self {
            AuthFailure::InvalidToken | AuthFailure::Expired | AuthFailure::Revoked => "D8",
            AuthFailure::StepRequired => "D4",
            AuthFailure::Locked => "E3",
            AuthFailure::IpNotAllowed => "G1",
            AuthFailure::InvalidSecret => "D6",
            AuthFailure::InvalidCode => "F1",
        }
    }
}

/// A store failed or refused a commit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A version named by the changeset is no longer current.
    #[error("a record changed since it was read")]
    Conflict,
    /// An insert would repeat a unique value.
    #[error("{0} already exists")]
    Duplicate(Entity),
    /// The backend failed (I/O, a database error).
    #[error("{0}")]
    Backend(String),
    /// Stored data cannot be read back.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// Another connection (in this process or another) held the database
    /// locked for longer than the store waits (its busy timeout). Nothing
    /// was written; the operation may succeed if tried again later.
    #[error("the database is locked by another connection for longer than the busy timeout")]
    Busy,
    /// The disk, or the size limit set for the database, is full. Nothing
    /// was written.
    #[error("the database is full (its disk or its size limit)")]
    Full,
    /// The database was written by a newer version of the library: its
    /// schema version is above the newest this one knows. It was not
    /// changed.
    #[error(
        "the database has schema version {found}, newer than {supported}, the newest this \
         version of contactkeeper knows; open it with a newer contactkeeper"
    )]
    SchemaTooNew {
        /// The schema version of the database.
        found: u32,
        /// The newest schema version this library knows.
        supported: u32,
    },
    /// The file is not a database of this library: not a database at all,
    /// or another application's. It was not changed.
    #[error("not a contactkeeper database: {0}")]
    NotADatabase(String),
    /// The database cannot be opened or created (a directory that does not
    /// exist, no permission).
    #[error("cannot open the database: {0}")]
    CannotOpen(String),
}

impl From<crate::ids::RandomUnavailable> for Error {
    fn from(_: crate::ids::RandomUnavailable) -> Error {
        Error::RandomUnavailable
    }
}
