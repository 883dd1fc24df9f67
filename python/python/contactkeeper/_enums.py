"""The enumerations of contactkeeper: roles, permissions, operations, fields…

Each member's value is the core's stable snake_case name (the same names
appear in the audit log's CSV, in the C header and in error messages). The
native module checks at first use that every core value has its member here,
and the drift test (python/tests/test_enum_drift.py) compares each class with
the core's list (``_native._enum_names()``: members, values and order), so a
value added to the core and forgotten here fails the test suite with the
lines to paste.

Wherever the API takes a member as an argument, it also takes the member's
value (``Role.CONTACT_MANAGER`` or ``"contact_manager"``); an unknown name
raises :class:`InvalidInputError` with problem ``NOT_OFFERED``. Results
always carry members.
"""

from __future__ import annotations

import enum

__all__ = [
    "AuthFailure",
    "ChainProblem",
    "ContactSort",
    "Delivery",
    "Entity",
    "ErrorCode",
    "Field",
    "LockKind",
    "Milestone",
    "NotificationKind",
    "Operation",
    "Permission",
    "Problem",
    "Rank",
    "RecoveryChannel",
    "Role",
    "SessionStage",
    "Standing",
    "TwoFactorMethod",
]



class ContactSort(enum.Enum):
    """The order of a contact listing (I5); ties go by contact id."""
    ID = "id"
    """By contact id: the order contacts were added in."""
    NAME = "name"
    """By name, ignoring case."""
    LOGIN = "login"
    """By login, ignoring case (B3)."""
    EMAIL = "email"
    """By email, ignoring case."""

class Rank(enum.Enum):
    """Primary or secondary (H1, H2, H7)."""
    PRIMARY = "primary"
    """The one contacted first, required."""
    SECONDARY = "secondary"
    """Contacted only when the primary cannot be reached."""

class TwoFactorMethod(enum.Enum):
    """How a contact proves the second factor (F1)."""
    TOTP = "totp"
    """An authenticator app (TOTP: SHA-1, 6 digits, 30 seconds)."""
    SMS = "sms"
    """A code by SMS to the 2FA phone."""
    VOICE = "voice"
    """A code by voice call to the 2FA phone."""
    EMAIL = "email"
    """A code by email."""

class Operation(enum.Enum):
    """An audited operation; the stable name is what filters and exports use."""
    ACCOUNT_CREATE = "account.create"
    """Creating an account with its owner (A1)."""
    PLAN_UPDATE = "account.plan"
    """Changing an account's plan (A7)."""
    PROCUREMENT_ENABLE = "account.procurement"
    """Enabling procurement mode (C3)."""
    SERVICE_REGISTER = "account.service"
    """Registering or changing a service (A8)."""
    CONTACT_CREATE = "contact.create"
    """Creating a new contact (B1)."""
    CONTACT_ADD_EXISTING = "contact.add_existing"
    """Adding a contact used on another account (B1, B6)."""
    CONTACT_UPDATE = "contact.update"
    """Editing a contact's profile (B2)."""
    CONTACT_DELETE = "contact.delete"
    """Deleting a contact from an account (B5)."""
    ROLES_UPDATE = "contact.roles"
    """Changing a contact's roles or technical scope (C6)."""
    OWNERSHIP_TRANSFER = "ownership.transfer"
    """Transferring ownership (A3, A4)."""
    AUDIT_READ = "audit.read"
    """Reading the audit log (C5)."""
    AUDIT_EXPORT = "audit.export"
    """Exporting the audit log (C5, J2)."""
    READ = "read"
    """Reading contacts or the account."""
    SIGN_IN = "auth.sign_in"
    """A sign-in attempt (D5)."""
    SIGN_OUT = "auth.sign_out"
    """A sign-out (D8)."""
    SECOND_FACTOR = "auth.second_factor"
    """A second-factor code presented (F1, E8)."""
    AUTO_LOCK = "auth.auto_lock"
    """An automatic lock after too many failed attempts (E2, E9)."""
    PASSWORD_CHANGE = "credentials.password"
    """A password changed or set (D2, D7)."""
    PASSWORD_RESET_REQUEST = "credentials.reset_request"
    """A password-reset secret requested (D6)."""
    PASSWORD_RESET = "credentials.reset"
    """A password reset with a secret (D6, E4)."""
    TWO_FACTOR_ENROLL = "credentials.two_factor"
    """A second factor enrolled (F1)."""
    TWO_FACTOR_RESET = "credentials.two_factor_reset"
    """A second factor reset (F2)."""
    SECURITY_ANSWERS = "credentials.security_answers"
    """Security questions set (F4)."""
    SECURITY_ANSWER_CHECK = "support.security_answer_check"
    """The support desk checked a security answer (F4)."""
    CONTACT_LOCK = "contact.lock"
    """A contact locked by hand (E6)."""
    CONTACT_UNLOCK = "contact.unlock"
    """A contact unlocked by hand (E5)."""
    SECURITY_POLICY = "account.security"
    """An account's security policy changed (D2, E1, F3, G1)."""
    RESOURCE_ADD = "resource.add"
    """A resource added (H1)."""
    RESOURCE_REMOVE = "resource.remove"
    """A resource removed."""
    TECHNICAL_CONTACTS = "resource.contacts"
    """A resource's technical contacts changed (H1–H3)."""
    DUTIES_REASSIGN = "duties.reassign"
    """Every duty of a contact moved to another (H3)."""
    DESIGNATE = "duties.designate"
    """A contact given one duty, with the information it lacked (H4)."""
    BILLING_CONTACTS = "account.billing_contacts"
    """The billing contacts changed (H7)."""
    MILESTONE = "resource.milestone"
    """A resource milestone reported (H6)."""
    NOTICE = "account.notice"
    """A maintenance or global-issue notice sent (I4)."""
    BILLING_NOTICE = "account.billing_notice"
    """A billing notice sent (H7)."""
    NOTIFICATION_PREFS = "contact.notifications"
    """Notification preferences changed (I2)."""
    LOGIN_CHECK = "contact.check_login"
    """A "check login" (B1): whether a login exists."""
    INVITATION_ACCEPT = "contact.invitation_accept"
    """An invitation accepted: the login joins the account (B7)."""
    INVITATION_DECLINE = "contact.invitation_decline"
    """An invitation declined, or withdrawn by the account (B7)."""
    TWO_FACTOR_ASSIGN = "credentials.two_factor_assign"
    """A manager set another contact's 2FA method and phone (F1, C7)."""
    NOTIFICATION_REDIRECT = "notification.redirect"
    """A notification redirected to the secondary contact (H6)."""
    AUDIT_PRUNE = "audit.prune"
    """Pruning the directory's own chain behind a checkpoint (J4)."""
    CHARGE_AUTHORIZE = "account.charge_authorize"
    """A chargeable action the host declared, authorized (C3)."""

class Field(enum.Enum):
    """An input field that a host supplies."""
    ACCOUNT_NAME = "account_name"
    """An account's name."""
    PLAN_NAME = "plan_name"
    """A plan's name."""
    PRICE = "price"
    """An amount of money: a plan's price of an additional contact, or
    a chargeable action's amount (C3)."""
    CURRENCY = "currency"
    """A currency code (ISO 4217)."""
    TECH_OPTIONS = "tech_options"
    """A plan's technical-administrator options (C4)."""
    TECH_SCOPE = "tech_scope"
    """A technical administrator's scope (C4)."""
    SERVICE_KEY = "service_key"
    """A service's key (A8)."""
    SERVICE_NAME = "service_name"
    """A service's display name (A8)."""
    PARTNER = "partner"
    """A partner's identifier."""
    AGENT = "agent"
    """A support-desk agent's identifier."""
    REASON = "reason"
    """The reason a support-desk action is taken (A4)."""
    NAME = "name"
    """A contact's name (B2)."""
    JOB_TITLE = "job_title"
    """A contact's job title (B2)."""
    BUSINESS_PHONE = "business_phone"
    """A contact's business phone (B2)."""
    EMAIL = "email"
    """A contact's email (B2)."""
    LOGIN = "login"
    """A contact's login (B2, B3)."""
    TIME_ZONE = "time_zone"
    """A contact's time zone (B2)."""
    ALTERNATE_EMAIL = "alternate_email"
    """A contact's alternate email (B2, B4)."""
    CELL_PHONE = "cell_phone"
    """A contact's cell phone (B2, B4)."""
    ROLES = "roles"
    """A set of roles (C1, C6)."""
    NEW_OWNER = "new_owner"
    """The contact to become owner (A3)."""
    LIMIT = "limit"
    """A page size."""
    TIME_RANGE = "time_range"
    """A time range of an audit query."""
    PASSWORD = "password"
    """A password (D2)."""
    PASSWORD_HASH = "password_hash"
    """An existing hash imported by a host (D1)."""
    PASSWORD_POLICY = "password_policy"
    """An account's password policy (D2)."""
    HASH_COST = "hash_cost"
    """The argon2 cost (D1)."""
    LOCK_POLICY = "lock_policy"
    """An account's lock policy (E1)."""
    IP = "ip"
    """A client's IP address (G1)."""
    IP_ALLOWLIST = "ip_allowlist"
    """An IP allowlist (G1)."""
    ACCOUNT = "account"
    """The account to sign in to."""
    SESSION_LIFETIME = "session_lifetime"
    """A session lifetime."""
    SECURITY_QUESTION = "security_question"
    """A security question (F4)."""
    SECURITY_ANSWER = "security_answer"
    """A security answer (F4)."""
    CHANNEL = "channel"
    """Where a reset secret or code goes (D6)."""
    TWO_FACTOR_PHONE = "two_factor_phone"
    """The 2FA phone (F1)."""
    TWO_FACTOR_METHOD = "two_factor_method"
    """A second-factor method (F1)."""
    RESOURCE_KIND = "resource_kind"
    """A resource's kind (H1)."""
    RESOURCE_NAME = "resource_name"
    """A resource's name (H1)."""
    SECONDARY = "secondary"
    """A secondary contact (H2, H7)."""
    MILESTONE = "milestone"
    """A milestone (H6)."""
    NOTICE = "notice"
    """A notice's subject or body (I4)."""
    ACTOR_FILTER = "actor_filter"
    """The actor filter of an audit query (J2)."""
    SEALING_KEY = "sealing_key"
    """A key authenticator secrets are sealed under (F1)."""
    CHARGE_ACTION = "charge_action"
    """A chargeable action a host declares (C3)."""
    SORT = "sort"
    """The order of a contact listing (I5)."""
    FILTER = "filter"
    """A listing's text filter (I5)."""
    CURSOR = "cursor"
    """A listing's cursor (I5)."""
    ID = "id"
    """An id (of an account, a contact, a resource, a notification)
    given as a number out of its range."""
    AFTER_SEQ = "after_seq"
    """Where an audit page starts: the sequence number after which it
    reads."""

class Entity(enum.Enum):
    """The kind of entity an error refers to."""
    ACCOUNT = "account"
    """An account."""
    CONTACT = "contact"
    """A contact (or a contact's membership of the account at hand)."""
    LOGIN = "login"
    """A login."""
    SERVICE = "service"
    """A service of an account."""
    NOTIFICATION = "notification"
    """A pending notification."""
    RESOURCE = "resource"
    """A resource of an account."""

class AuthFailure(enum.Enum):
    """Why a session, secret or code was not accepted."""
    INVALID_TOKEN = "invalid_token"
    """Unknown, malformed, or ended by sign-out."""
    EXPIRED = "expired"
    """Past its idle or absolute lifetime (D8)."""
    REVOKED = "revoked"
    """Ended by a password change, a lock, a deletion or a removal (D8)."""
    STEP_REQUIRED = "step_required"
    """The session may only complete a step first (D4, F1, F3)."""
    LOCKED = "locked"
    """The contact is locked (E3, E6)."""
    IP_NOT_ALLOWED = "ip_not_allowed"
    """The client's address is outside the account's allowlist (G1)."""
    INVALID_SECRET = "invalid_secret"
    """A reset secret or code that is wrong, used, voided or expired (D6)."""
    INVALID_CODE = "invalid_code"
    """A second-factor code that is wrong or used already (F1)."""

class RecoveryChannel(enum.Enum):
    """Where a reset secret goes (D6, B4)."""
    EMAIL = "email"
    """The email: a 128-bit secret for a link."""
    ALTERNATE_EMAIL = "alternate_email"
    """The alternate email (never a login, B4): a 128-bit secret."""
    CELL_PHONE = "cell_phone"
    """The cell phone: an 8-digit code."""

class NotificationKind(enum.Enum):
    """What a notification is about."""
    OWNERSHIP_RECEIVED = "ownership_received"
    """The recipient became the account's owner (A3, A4)."""
    OWNERSHIP_LOST = "ownership_lost"
    """The recipient is no longer the account's owner (A3, A4)."""
    SECURITY = "security"
    """A security notice: a credential or setting changed, or a lock (I2, E9, F2)."""
    PASSWORD_RESET = "password_reset"
    """A password-reset secret (D6, D7)."""
    SIGN_IN_CODE = "sign_in_code"
    """A one-time sign-in or enrollment code (F1)."""
    MILESTONE = "milestone"
    """A resource's milestone, for its technical contact (H6)."""
    MAINTENANCE = "maintenance"
    """A maintenance or global-issue notice (I4)."""
    BILLING = "billing"
    """A billing notice the host sends (invoice ready, payment failed…),
    for the account's billing contact (H7)."""

class Role(enum.Enum):
    """A standard contact's role (C1). The owner holds every role (A2)."""
    CONTACT_MANAGER = "contact_manager"
    """Creates, edits, deletes, locks and unlocks other contacts."""
    BILLING_MANAGER = "billing_manager"
    """Plan and pricing, logo, billing contacts."""
    SECURITY_MANAGER = "security_manager"
    """Security policies, 2FA resets, and managing other contacts."""
    PROCUREMENT_MANAGER = "procurement_manager"
    """Completes chargeable actions once the support desk enables it (C3)."""
    TECHNICAL_ADMIN = "technical_admin"
    """Users, services, reports, resources and their technical contacts (C4)."""

class Permission(enum.Enum):
    """A permission of SPEC C's table (C2). Every operation needs one."""
    MANAGE_CONTACTS = "manage_contacts"
    """Create, delete, edit, lock, unlock other contacts; reset their password."""
    ASSIGN_ROLES = "assign_roles"
    """Assign and revoke roles (within C6)."""
    RESET_TWO_FACTOR = "reset_two_factor"
    """Reset another contact's 2FA."""
    MANAGE_SECURITY_POLICIES = "manage_security_policies"
    """Password, lock, IP and 2FA policies."""
    MANAGE_BILLING = "manage_billing"
    """Plan and pricing, logo, billing contacts."""
    COMPLETE_CHARGEABLE = "complete_chargeable"
    """Complete chargeable actions while procurement mode is on (C3)."""
    TECHNICAL_ADMIN = "technical_admin"
    """Users, services, reports (per C4 options); resources and their technical contacts."""
    TRANSFER_OWNERSHIP = "transfer_ownership"
    """Transfer ownership (the owner; the support desk with a reason, A4)."""
    READ_AUDIT = "read_audit"
    """Read and export the audit log (C5)."""
    MANAGE_OWN_SETTINGS = "manage_own_settings"
    """Edit one's own profile, password, 2FA, security questions, notifications."""
    VIEW_ACCOUNT = "view_account"
    """See the account and its contacts: every contact of it, its partner, the support desk, the host."""
    CREATE_ACCOUNTS = "create_accounts"
    """Provider operations: create accounts."""
    REGISTER_SERVICES = "register_services"
    """Provider operations: register an account's services (A8)."""
    ENABLE_PROCUREMENT = "enable_procurement"
    """Provider operations: enable procurement mode (C3)."""
    CHECK_SECURITY_ANSWERS = "check_security_answers"
    """The support desk checks a caller's security answer (F4)."""
    REPORT_MILESTONES = "report_milestones"
    """Provider operations: report resource milestones (H6)."""
    SEND_NOTICES = "send_notices"
    """Provider operations: send maintenance and global-issue notices (I4)."""


class Standing(enum.Enum):
    """How an actor stands in one account."""

    OWNER = "owner"
    """The account's owner."""
    MEMBER = "member"
    """A standard contact of the account."""
    SUPPORT_DESK = "support_desk"
    """The provider's support desk."""
    PARTNER = "partner"
    """The account's own partner."""
    SYSTEM = "system"
    """The host itself."""
    OUTSIDER = "outsider"
    """Anyone else: a contact of another account, another partner."""


class LockKind(enum.Enum):
    """The kind of a lock (E7)."""

    AUTOMATIC = "automatic"
    """Too many failed attempts: ends by itself after the cool-off (E2)."""
    MANUAL = "manual"
    """Set by a manager: only a manual unlock ends it (E6)."""


class SessionStage(enum.Enum):
    """What a session may do (D4, F1, F3)."""

    FULL = "full"
    """Signed in: every operation the contact's permissions allow."""
    PASSWORD_CHANGE = "password_change"
    """Only changing the password (D4: expired, flagged, or required)."""
    SECOND_FACTOR = "second_factor"
    """Only presenting the second factor (F1)."""
    ENROLLMENT = "enrollment"
    """Only enrolling a second factor (F3)."""


class ChainProblem(enum.Enum):
    """How an audit chain was found altered (J3)."""

    EDITED = "edited"
    """An entry's content does not match its hash: it was edited."""
    MISSING = "missing"
    """An entry is missing (a gap in the sequence), or one was inserted."""
    RELINKED = "relinked"
    """An entry does not link to the one before it."""
    TRUNCATED = "truncated"
    """Entries at the end were removed, or the head does not match."""


class Delivery(enum.Enum):
    """What a notifier did with a notification (I1)."""

    DELIVERED = "delivered"
    """Sent; it leaves the outbox."""
    UNDELIVERABLE = "undeliverable"
    """It can never be delivered (a permanent failure); it leaves the outbox,
    and a milestone goes to the secondary technical contact (H6)."""
    RETRY_LATER = "retry_later"
    """Not sent this time; it stays pending for a later retry."""


class Milestone(enum.Enum):
    """A resource milestone the library names (H6); a host names others with
    a plain string."""

    SOFTWARE_READY = "software_ready"
    """The resource's software is ready to download."""
    INITIAL_BACKUP_COMPLETED = "initial_backup_completed"
    """Its initial backup completed."""


class Problem(enum.Enum):
    """What is wrong with an input value (B2, K2). It never repeats the value."""

    EMPTY = "empty"
    """Required and missing or blank."""
    TOO_LONG = "too_long"
    """Longer than allowed (the limit is the error's ``limit``)."""
    CONTROL_CHARACTER = "control_character"
    """Contains a control or invisible formatting character."""
    MALFORMED = "malformed"
    """Not of the expected form (also: a ``str`` with lone surrogates)."""
    UNKNOWN_TIME_ZONE = "unknown_time_zone"
    """Not an IANA time zone name."""
    NOT_OFFERED = "not_offered"
    """Not one of the values allowed here."""
    DUPLICATE = "duplicate"
    """The same value appears twice."""
    OUT_OF_RANGE = "out_of_range"
    """Out of the allowed range."""
    TOO_SHORT = "too_short"
    """Shorter than allowed (the limit is the error's ``limit``)."""
    COMMON_PASSWORD = "common_password"
    """A commonly used password (D2)."""
    CONTAINS_LOGIN = "contains_login"
    """A password containing the login (D2)."""
    RECENTLY_USED = "recently_used"
    """One of the contact's recent passwords (D2)."""
    MISSING = "missing"
    """Needed here and not set."""


class ErrorCode(enum.IntEnum):
    """The stable numeric code of each error kind (K1): the same numbers as the
    C header's result codes. Never reused once retired."""

    INVALID_INPUT = 1
    PERMISSION_DENIED = 2
    NOT_FOUND = 3
    ALREADY_EXISTS = 4
    RULE_VIOLATION = 5
    CONFLICT = 6
    STORE = 7
    RANDOM_UNAVAILABLE = 8
    OUTPUT = 9
    UNAUTHENTICATED = 10
    INVALID_CREDENTIALS = 11
    NOT_ELIGIBLE = 12
    DUTIES_HELD = 13
