"""The value types of contactkeeper: what a host passes in and gets back.

These are plain frozen dataclasses: no rule lives here (every check is the
core's, made when a value reaches the :class:`Directory`). Defaults are read
from the core, so they cannot drift from it. Times are aware ``datetime``
objects in UTC; secrets never appear in a ``repr``.
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, FrozenSet, Optional, Protocol, Tuple, Union

from . import _native
from ._enums import (
    ChainProblem,
    Delivery,
    LockKind,
    NotificationKind,
    Operation,
    Rank,
    Role,
    SessionStage,
    TwoFactorMethod,
)
from ._native import AccountId, Actor, ContactId, MemoryNotifier, NotificationId, ResourceId

if TYPE_CHECKING:
    from ._native import Directory

__all__ = [
    "ActorLike",
    "AuditActorFilter",
    "IPLike",
    "NotifierLike",
    "Notifier",
    "PasswordLike",
    "SupportsWrite",
    "SupportsWriteText",
    "Writable",
    "AccountCreated",
    "AccountRequired",
    "AccountView",
    "AuditBroken",
    "AuditEntry",
    "AuditIntact",
    "AuditVerification",
    "BillingContacts",
    "BillingDuty",
    "ContactAdded",
    "ContactPage",
    "ContactView",
    "Invitation",
    "Membership",
    "PendingMember",
    "DeliveryReport",
    "Duty",
    "DutyInfo",
    "EnrollmentRequired",
    "EnrollmentStart",
    "HashCost",
    "IPAddress",
    "InvalidCredentials",
    "IpNotAllowed",
    "LockMark",
    "LockPolicy",
    "Locked",
    "Money",
    "NewContact",
    "Notification",
    "NotificationPrefs",
    "OutboxItem",
    "PasswordChangeRequired",
    "PasswordPolicy",
    "PasswordStatus",
    "Plan",
    "Profile",
    "Resource",
    "ResourceAdded",
    "SecondFactorRequired",
    "SecurityPolicy",
    "Service",
    "SessionGrant",
    "SessionInfo",
    "SessionLifetimes",
    "SqliteOptions",
    "SignInOutcome",
    "SignedIn",
    "TechnicalDuty",
    "TwoFactorStatus",
]

_D: dict[str, Any] = _native._defaults()

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
"""A client's address, as the ``ipaddress`` module gives it."""
IPLike = Union[str, ipaddress.IPv4Address, ipaddress.IPv6Address]
"""An IP address argument: a ``str`` or an ``ipaddress`` address."""
ActorLike = Union[Actor, ContactId]
"""An actor argument: an :class:`Actor`, or a :class:`ContactId` for that contact."""
PasswordLike = Union[str, bytes]
"""A password argument: ``str``, or UTF-8 ``bytes``."""
AuditActorFilter = Union[str, Actor, ContactId, None]
"""An audit query's actor filter: an audit label, an actor or a contact."""


class SupportsWrite(Protocol):
    """A binary file object open for writing."""

    def write(self, data: bytes, /) -> object: ...


class SupportsWriteText(Protocol):
    """A text file object open for writing (opened with ``newline=""``)."""

    def write(self, data: str, /) -> object: ...


Writable = Union[str, bytes, "os.PathLike[str]", SupportsWrite, SupportsWriteText]
"""Where an export goes: a path, or a file object open for writing, binary
or text."""


# ----- accounts (A) -----


@dataclass(frozen=True)
class Money:
    """An amount in a currency's minor unit (cents for USD) (A7)."""

    minor_units: int
    currency: str
    """ISO 4217 code, three upper-case letters."""

    def __str__(self) -> str:
        """As a person reads it: ``5.00 USD``, ``500 JPY``."""
        if isinstance(self.minor_units, int) and 0 <= self.minor_units < 2**64 and isinstance(self.currency, str):
            return _native._money_text(self.minor_units, self.currency)
        return f"{self.minor_units!r} minor units of {self.currency!r}"


@dataclass(frozen=True)
class Plan:
    """What an account's plan includes (A7) and offers technical
    administrators (C4). The defaults are the core's ``standard`` plan."""

    name: str = _D["plan_name"]
    included_contacts: int = _D["plan_included_contacts"]
    """Contacts included, the owner among them."""
    additional_contact_price: Money = Money(minor_units=_D["plan_price"][0], currency=_D["plan_price"][1])
    """The price of each contact beyond those included."""
    tech_options: Tuple[str, ...] = _D["plan_tech_options"]
    """Technical-administrator options (``users``, ``services``, ``reports``…)."""


@dataclass(frozen=True)
class Service:
    """A service the host registers for an account (A8)."""

    key: str
    """A stable key: lower-case letters, digits, ``_``, ``-``, ``.``."""
    name: str
    enabled: bool
    option: str
    """The plan's technical-administrator option that reaches it (C4)."""


@dataclass(frozen=True)
class AccountCreated:
    """The result of :meth:`Directory.create_account` (A1)."""

    account: AccountId
    owner: ContactId


@dataclass(frozen=True)
class AccountView:
    """An account as a host sees it."""

    id: AccountId
    name: str
    plan: Plan
    procurement_enabled: bool
    """Whether procurement mode (C3) is on."""
    partner: Optional[str]
    """The partner that resells it, if any."""
    owner: ContactId
    contacts: int
    """How many contacts it has, the owner included."""
    created_at: datetime.datetime


# ----- contacts (B) -----


@dataclass(frozen=True)
class Profile:
    """A contact's general information (B2), shared by every account the
    contact belongs to (B6)."""

    name: str
    email: str
    """Where notifications go."""
    job_title: Optional[str] = None
    business_phone: Optional[str] = None
    """Needed for technical and billing duties (H4)."""
    time_zone: str = _D["time_zone"]
    """IANA time zone name for times shown to the contact (I3)."""
    alternate_email: Optional[str] = None
    """Maintenance notices and recovery; never a login (B4)."""
    cell_phone: Optional[str] = None
    """Usable for recovery (B4)."""


@dataclass(frozen=True)
class NewContact:
    """A new contact (B1): a login no contact has, its profile, its roles in
    the account, and optionally an initial password or an imported hash
    (D1: argon2id/i/d PHC, bcrypt, or Django's PBKDF2-SHA256)."""

    login: str
    profile: Profile
    roles: FrozenSet[Role] = frozenset()
    tech_scope: Optional[FrozenSet[str]] = None
    """Technical-administrator options (C4); ``None`` for all of them."""
    password: Union[str, bytes, None] = field(default=None, repr=False)
    password_hash: Optional[str] = field(default=None, repr=False)
    must_change_password: bool = False
    """"Reset password at next login" (D4)."""


@dataclass(frozen=True)
class ContactAdded:
    """The result of adding a contact to an account (B1, A7)."""

    contact: ContactId
    charge: Optional[Money]
    """What the addition costs, when it is beyond the plan (A7)."""
    pending: bool = False
    """Whether the contact is only invited, and joins when it accepts (B7)."""


@dataclass(frozen=True)
class Invitation:
    """An invitation, as the invited contact sees it (B7)."""

    account: AccountId
    account_name: str
    roles: FrozenSet[Role]
    invited_at: datetime.datetime
    expires_at: datetime.datetime


@dataclass(frozen=True)
class Membership:
    """An account the signed-in contact belongs to (B6, I5): for an account
    switcher."""

    account: AccountId
    account_name: str
    is_owner: bool
    roles: FrozenSet[Role]
    """Every role for the owner (A2)."""
    since: datetime.datetime
    locked: bool
    """Whether a manual lock keeps the contact out of that account (E6)."""


@dataclass(frozen=True)
class ContactPage:
    """A page of a contact listing (I5)."""

    contacts: Tuple[ContactView, ...]
    """The contacts, in the query's order."""
    next: Optional[str]
    """The cursor of the next page, or ``None`` on the last one. It stays
    valid when the contact it ended on is deleted; one of another account or
    another order raises ``InvalidInputError`` (field ``CURSOR``)."""


@dataclass(frozen=True)
class PendingMember:
    """A pending member, as the inviting account's managers see it (B7): the
    login and the roles offered only."""

    contact: ContactId
    login: str
    roles: FrozenSet[Role]
    expires_at: datetime.datetime


@dataclass(frozen=True)
class LockMark:
    """The padlock of a listing (E7)."""

    kind: LockKind
    since: datetime.datetime
    until: Optional[datetime.datetime]
    """When an automatic lock ends; ``None`` for a manual one."""


@dataclass(frozen=True)
class SqliteOptions:
    """How a directory on a SQLite file uses it (``Directory(path,
    sqlite_options=...)``)."""

    busy_timeout: datetime.timedelta = datetime.timedelta(seconds=_D["sqlite_busy_timeout"])
    """How long an operation waits for another connection's write to end
    before it fails with :class:`StoreError` (kind ``busy``)."""
    max_size: Optional[int] = _D["sqlite_max_size"]
    """The most bytes the file may hold; a commit needing more fails with
    :class:`StoreError` (kind ``full``) and writes nothing."""
    durable_commits: bool = _D["sqlite_durable_commits"]
    """Whether a commit waits until its log is on the disk (survives a power
    cut); ``False`` is several times faster and survives a process crash."""


@dataclass(frozen=True)
class NotificationPrefs:
    """What a contact wants to be told in one account (I2, I4, H6)."""

    security: bool = True
    maintenance: bool = True
    billing: bool = True
    milestones: bool = True


@dataclass(frozen=True)
class ContactView:
    """A contact of an account, as listings show it."""

    id: ContactId
    login: str
    profile: Profile
    is_owner: bool
    roles: FrozenSet[Role]
    """Every role for the owner (A2)."""
    tech_scope: Optional[FrozenSet[str]]
    """Technical-administrator options; ``None`` for all of them (C4)."""
    accounts: int
    """How many accounts share this contact (B6)."""
    member_since: datetime.datetime
    lock: Optional[LockMark]
    """The padlock, when locked (E7)."""
    locked_by: Optional[str]
    """Who locked the contact by hand in this account (an audit label such
    as ``contact:7``), while a manual lock is on (E6, I5)."""
    notifications: NotificationPrefs
    """What the contact wants to be told in this account (I2, I4, H6)."""

    @property
    def locked(self) -> bool:
        """Whether the contact is locked in this account."""
        return self.lock is not None


# ----- credentials and policies (D, E, F) -----


@dataclass(frozen=True)
class PasswordPolicy:
    """An account's password requirements (D2): security managers tighten the
    defaults, never loosen them."""

    min_length: int = _D["password_min_length"]
    history: int = _D["password_history"]
    """How many earlier passwords may not be reused."""


@dataclass(frozen=True)
class LockPolicy:
    """The locked-account policy (E1)."""

    max_attempts: int = _D["lock_max_attempts"]
    """Failed attempts allowed before a 30-minute lock."""


@dataclass(frozen=True)
class SecurityPolicy:
    """An account's security policies, read back (D2, E1, F3, G1)."""

    lock: Optional[LockPolicy]
    """The locked-account policy, when enabled (E1)."""
    password: PasswordPolicy
    require_two_factor: bool
    """Whether every contact must use a second factor (F3)."""
    ip_allowlist: Tuple[str, ...]
    """CIDR ranges sign-in is allowed from; empty allows all (G1)."""
    force_change_before: Optional[datetime.datetime]
    """Passwords changed before this time must change at next sign-in (D2)."""


@dataclass(frozen=True)
class PasswordStatus:
    """What a contact's General tab shows of its password (I5, D3, D4):
    never the password or its hash."""

    set: bool
    """Whether the contact has a password."""
    changed_at: Optional[datetime.datetime]
    expires_at: Optional[datetime.datetime]
    """365 days after the last change (D3)."""
    must_change: bool
    """"Reset password at next login", as a manager set it (D4)."""
    change_required: bool
    """Whether the next sign-in must change it, for any reason: the flag,
    expiry (D3) or the account's forced change (D2)."""


@dataclass(frozen=True)
class TwoFactorStatus:
    """What a contact's Login options tab shows of its second factor (I5,
    F1, F3): never a secret or a code."""

    method: Optional[TwoFactorMethod]
    """The method enrolled, if any."""
    phone: Optional[str]
    """The enrolled 2FA phone (SMS and voice)."""
    assigned_method: Optional[TwoFactorMethod]
    """A method a manager set, to be enrolled at the next sign-in."""
    assigned_phone: Optional[str]
    enrollment_pending: bool
    """Whether an enrollment was started and not yet confirmed."""
    required: bool
    """Whether the account requires a second factor (F3)."""


@dataclass(frozen=True)
class HashCost:
    """The argon2id cost (D1); the default is m=19456 KiB, t=2, p=1."""

    m_kib: int = _D["hash_cost"][0]
    t: int = _D["hash_cost"][1]
    p: int = _D["hash_cost"][2]


@dataclass(frozen=True)
class SessionLifetimes:
    """How long sessions live (D8)."""

    idle: datetime.timedelta = datetime.timedelta(seconds=_D["session_idle"])
    absolute: datetime.timedelta = datetime.timedelta(seconds=_D["session_absolute"])


@dataclass(frozen=True)
class EnrollmentStart:
    """What starting a second-factor enrollment gives (F1): for an
    authenticator app, the secret to scan (shown once); for SMS, voice and
    email, a code was sent."""

    method: TwoFactorMethod
    otpauth_uri: Optional[str] = field(repr=False)
    secret_base32: Optional[str] = field(repr=False)


# ----- sessions and sign-in outcomes (D5) -----


@dataclass(frozen=True)
class SessionGrant:
    """A new session; its token is shown once (D8) and never in a ``repr``."""

    token: str = field(repr=False)
    contact: ContactId
    account: AccountId
    stage: SessionStage
    expires_at: datetime.datetime
    device_token: Optional[str] = field(default=None, repr=False)
    """A new device token (D10), when the sign-in asked for one
    (``remember_device=True``) and is complete; shown once."""


@dataclass(frozen=True)
class SessionInfo:
    """A valid session, read from the current state (D8)."""

    contact: ContactId
    account: AccountId
    stage: SessionStage
    ip: IPAddress
    created_at: datetime.datetime
    expires_at: datetime.datetime


class SignInOutcome:
    """The result of a sign-in (D5). Only :class:`SignedIn` gives a session
    that acts; :class:`PasswordChangeRequired`, :class:`SecondFactorRequired`
    and :class:`EnrollmentRequired` give one that can only complete the step
    they name, with a method for it."""

    __slots__ = ()

    name: ClassVar[str] = ""
    """A stable snake_case name of the outcome."""
    session: Optional[SessionGrant]
    """The session granted, if any."""


@dataclass(frozen=True)
class _WithSession(SignInOutcome):
    session: SessionGrant
    _directory: Optional[Directory] = field(default=None, init=False, repr=False, compare=False)

    def _dir(self) -> Directory:
        if self._directory is None:
            raise ValueError("this outcome is not bound to a directory")
        return self._directory

    @property
    def token(self) -> str:
        """The session's token."""
        return self.session.token


@dataclass(frozen=True)
class SignedIn(_WithSession):
    """Signed in."""

    name = "signed_in"

    @property
    def actor(self) -> Actor:
        """The actor the session acts as."""
        return _native.Actor.contact(self.session.contact)

    def sign_out(self) -> None:
        """Ends the session."""
        self._dir().sign_out(self.session.token)


@dataclass(frozen=True)
class PasswordChangeRequired(_WithSession):
    """The password expired or must be changed (D3, D4): the session can only
    change it."""

    name = "password_change_required"

    def change_password(self, *, current: Union[str, bytes], new: Union[str, bytes]) -> SignInOutcome:
        """Changes the password; the next outcome starts a new session."""
        return self._dir().change_password_with_session(self.session.token, current=current, new=new)


@dataclass(frozen=True)
class SecondFactorRequired(_WithSession):
    """The second factor is next; for SMS, voice and email a code was sent."""

    method: TwoFactorMethod
    """How the code is to be had."""
    name = "second_factor_required"

    def complete(self, code: str) -> SignInOutcome:
        """Presents the code. A wrong code counts as a failed attempt (E8) and
        raises :class:`UnauthenticatedError`."""
        return self._dir().complete_second_factor(self.session.token, code)

    def resend_code(self) -> None:
        """Sends a new code (SMS, voice, email); the old one stops working."""
        self._dir().resend_second_factor_code(self.session.token)


@dataclass(frozen=True)
class EnrollmentRequired(_WithSession):
    """The account requires a second factor the contact has not enrolled (F3):
    the session can only enroll one."""

    name = "enrollment_required"

    def begin_enrollment(self, method: Union[TwoFactorMethod, str], *, phone: Optional[str] = None) -> EnrollmentStart:
        """Starts enrolling ``method``."""
        return self._dir().begin_enrollment_with_session(self.session.token, method, phone=phone)

    def confirm_enrollment(self, code: str) -> SignInOutcome:
        """Confirms the enrollment with a code from the new factor."""
        return self._dir().confirm_enrollment_with_session(self.session.token, code)


@dataclass(frozen=True)
class Locked(SignInOutcome):
    """Locked (E3, E6): no password was checked."""

    lock: LockMark
    name = "locked"
    session = None


@dataclass(frozen=True)
class IpNotAllowed(SignInOutcome):
    """The client's address is outside the account's allowlist (G1)."""

    name = "ip_not_allowed"
    session = None


@dataclass(frozen=True)
class InvalidCredentials(SignInOutcome):
    """The login or the password is wrong; which one is not said (D5)."""

    name = "invalid_credentials"
    session = None


@dataclass(frozen=True)
class AccountRequired(SignInOutcome):
    """The contact belongs to several accounts: sign in again naming one."""

    accounts: Tuple[AccountId, ...]
    name = "account_required"
    session = None


# ----- audit log (J) -----


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the audit log (J1). It never holds a secret."""

    account: Optional[AccountId]
    """The account whose chain holds it; ``None`` for the directory's chain."""
    seq: int
    at: datetime.datetime
    at_local: str
    """When, as its reader reads it (I3): in the reading contact's zone, with
    the offset (``2026-03-08 03:30 EDT (UTC-04:00)``); UTC for the host, the
    support desk and partners."""
    actor: str
    """Who acted: ``contact:<id>``, ``support:<agent>``, ``partner:<id>`` or ``system``."""
    operation: Operation
    target: Optional[str]
    outcome: str
    """``ok``, or ``refused:<error kind>``."""
    fields: Tuple[str, ...]
    """The names of the fields that changed; never their values."""
    detail: Optional[str]
    prev_hash: bytes = field(repr=False)
    hash: bytes = field(repr=False)

    @property
    def ok(self) -> bool:
        """Whether the operation took effect."""
        return self.outcome == "ok"


class AuditVerification:
    """What :meth:`Directory.verify_audit` found (J3)."""

    __slots__ = ()

    @property
    def intact(self) -> bool:
        """Whether the chain is intact."""
        return isinstance(self, AuditIntact)


@dataclass(frozen=True)
class AuditIntact(AuditVerification):
    """Every entry is as written, and none is missing."""

    entries: int


@dataclass(frozen=True)
class AuditBroken(AuditVerification):
    """The chain was altered at or after entry ``seq``."""

    seq: int
    problem: ChainProblem


# ----- designations (H) -----


@dataclass(frozen=True)
class Resource:
    """Something an account manages that needs technical contacts (H1)."""

    id: ResourceId
    account: AccountId
    kind: str
    name: str
    primary: ContactId
    secondary: Optional[ContactId]
    created_at: datetime.datetime


@dataclass(frozen=True)
class BillingContacts:
    """An account's billing contacts (H7); billing matters go to the owner
    until a primary is set."""

    primary: Optional[ContactId]
    secondary: Optional[ContactId]


@dataclass(frozen=True)
class TechnicalDuty:
    """Technical contact of a resource (H1, H2)."""

    resource: ResourceId
    rank: Rank = Rank.PRIMARY


@dataclass(frozen=True)
class BillingDuty:
    """Billing contact of the account (H7)."""

    rank: Rank = Rank.PRIMARY


Duty = Union[TechnicalDuty, BillingDuty]
"""A duty a contact holds, or is to take (H3, H5)."""


@dataclass(frozen=True)
class DutyInfo:
    """The information a contact lacks for a duty, supplied by whoever
    designates it (H4, seed 000's User Information form). Only the fields
    the duty needs and the contact lacks may be given; ``None`` leaves a
    field alone."""

    email: Optional[str] = None
    business_phone: Optional[str] = None


@dataclass(frozen=True)
class ResourceAdded:
    """A resource added with a new primary technical contact (H5)."""

    resource: ResourceId
    contact: ContactAdded


# ----- notifications (I) -----


@dataclass(frozen=True)
class Notification:
    """A message to one contact, handed to the notifier (I1). Only the kinds
    that deliver a secret (a reset secret, a one-time code) carry one, in
    ``secret`` and in ``body``; those are never stored, and their body never
    appears in a ``repr``."""

    id: NotificationId
    kind: NotificationKind
    account: Optional[AccountId]
    recipient: ContactId
    to: Tuple[str, ...]
    """The addresses (or phone number) to send it to."""
    subject: str
    body: str
    fields: Tuple[str, ...]
    """The names of the fields it reports changed."""
    resource: Optional[ResourceId]
    fallback: Optional[ContactId]
    """Who gets it if the recipient is undeliverable (H6)."""
    at: datetime.datetime
    secret: Optional[str] = field(default=None, repr=False)

    def __repr__(self) -> str:
        shown = dataclasses.replace(self, body="<redacted: carries a secret>") if self.secret else self
        parts = ", ".join(
            f"{f.name}={getattr(shown, f.name)!r}" for f in dataclasses.fields(self) if f.repr
        )
        return f"Notification({parts})"


class Notifier(Protocol):
    """A host's notifier: ``deliver`` returns ``None`` or ``True`` (delivered),
    ``False`` (retry later) or a :class:`Delivery`. An exception counts as
    retry later and is logged to the ``contactkeeper`` logger; it never
    breaks the directory."""

    def deliver(self, notification: Notification, /) -> Union[Delivery, bool, None]: ...


NotifierLike = Union[Notifier, MemoryNotifier, Callable[[Notification], Union[Delivery, bool, None]]]
"""A notifier argument: a :class:`Notifier`, a :class:`MemoryNotifier`, or a callable."""


@dataclass(frozen=True)
class OutboxItem:
    """A notification waiting in the outbox (I1)."""

    notification: Notification
    attempts: int
    next_attempt_at: datetime.datetime


@dataclass(frozen=True)
class DeliveryReport:
    """What :meth:`Directory.deliver_pending` did."""

    delivered: int
    undeliverable: int
    retry_later: int
    """Still pending."""


def _bind(outcome: SignInOutcome, directory: Directory) -> SignInOutcome:
    """Binds an outcome's follow-up steps to the directory that gave it."""
    if isinstance(outcome, _WithSession):
        object.__setattr__(outcome, "_directory", directory)
    return outcome
