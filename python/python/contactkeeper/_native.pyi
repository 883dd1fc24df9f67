"""Type stubs of the native module ``contactkeeper._native``."""

import datetime
import os
import pathlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Final, Literal, final

from ._enums import (
    ContactSort,
    Field,
    Milestone,
    Operation,
    Permission,
    RecoveryChannel,
    Role,
    Standing,
    TwoFactorMethod,
)
from ._errors import ContactKeeperError
from ._types import PasswordLike as Password
from ._types import (
    AccountCreated,
    ActorLike,
    AuditActorFilter,
    IPLike,
    NotifierLike,
    Writable,
    AccountView,
    AuditEntry,
    AuditVerification,
    BillingContacts,
    ContactAdded,
    DutyInfo,
    ResourceAdded,
    Invitation,
    PendingMember,
    ContactPage,
    Membership,
    PasswordStatus,
    SecurityPolicy,
    TwoFactorStatus,
    ContactView,
    DeliveryReport,
    Duty,
    EnrollmentStart,
    HashCost,
    LockPolicy,
    Money,
    NewContact,
    Notification,
    NotificationPrefs,
    OutboxItem,
    PasswordPolicy,
    Plan,
    Resource,
    Service,
    SessionInfo,
    SessionLifetimes,
    SignInOutcome,
    SqliteOptions,
)

__all__ = [
    "Directory",
    "AccountId",
    "ContactId",
    "ResourceId",
    "NotificationId",
    "Actor",
    "Access",
    "ManualClock",
    "MemoryNotifier",
    "local_time",
    "__version__",
    "totp_code",
    "_defaults",
    "_money_text",
    "_core_error",
    "_enum_names",
    "_bench_authorize",
    "SECURITY_QUESTIONS",
    "MAX_PAGE",
    "MAX_AUDIT_PAGE",
]

SECURITY_QUESTIONS: Final[tuple[str, ...]]
"""The catalogue of security questions a contact chooses from, by index (F4)."""
MAX_PAGE: Final[int]
"""The most contacts or resources one page returns."""
MAX_AUDIT_PAGE: Final[int]
"""The most audit entries one page returns."""

@final
class AccountId:
    """An account (a tenant of the host portal)."""

    def __new__(cls, value: int) -> AccountId: ...
    @property
    def value(self) -> int:
        """The number behind the id."""
    def __int__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __lt__(self, other: AccountId, /) -> bool: ...
    def __le__(self, other: AccountId, /) -> bool: ...
    def __gt__(self, other: AccountId, /) -> bool: ...
    def __ge__(self, other: AccountId, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[AccountId], tuple[int]]: ...
    @classmethod
    def parse(cls, text: str) -> AccountId:
        """The id written as the audit log writes it (``account:<n>``)."""

@final
class ContactId:
    """A contact (a login with one profile, possibly shared by accounts)."""

    def __new__(cls, value: int) -> ContactId: ...
    @property
    def value(self) -> int:
        """The number behind the id."""
    def __int__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __lt__(self, other: ContactId, /) -> bool: ...
    def __le__(self, other: ContactId, /) -> bool: ...
    def __gt__(self, other: ContactId, /) -> bool: ...
    def __ge__(self, other: ContactId, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[ContactId], tuple[int]]: ...
    @classmethod
    def parse(cls, text: str) -> ContactId:
        """The id written as the audit log writes it (``contact:<n>``)."""

@final
class ResourceId:
    """A resource an account manages: a computer, a site, a phone system."""

    def __new__(cls, value: int) -> ResourceId: ...
    @property
    def value(self) -> int:
        """The number behind the id."""
    def __int__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __lt__(self, other: ResourceId, /) -> bool: ...
    def __le__(self, other: ResourceId, /) -> bool: ...
    def __gt__(self, other: ResourceId, /) -> bool: ...
    def __ge__(self, other: ResourceId, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[ResourceId], tuple[int]]: ...
    @classmethod
    def parse(cls, text: str) -> ResourceId:
        """The id written as the audit log writes it (``resource:<n>``)."""

@final
class NotificationId:
    """A notification in the outbox."""

    def __new__(cls, value: int) -> NotificationId: ...
    @property
    def value(self) -> int:
        """The number behind the id."""
    def __int__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __lt__(self, other: NotificationId, /) -> bool: ...
    def __le__(self, other: NotificationId, /) -> bool: ...
    def __gt__(self, other: NotificationId, /) -> bool: ...
    def __ge__(self, other: NotificationId, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[NotificationId], tuple[int]]: ...
    @classmethod
    def parse(cls, text: str) -> NotificationId:
        """The id written as the audit log writes it (``notification:<n>``)."""

@final
class Actor:
    """Who performs an operation: a contact, the provider's support desk, a
    partner, or the host itself. Every operation that takes an actor also
    takes a ``ContactId``, meaning that contact."""

    SYSTEM: Final[Actor]
    """The host portal itself (provisioning, imports, automation)."""

    @staticmethod
    def contact(id: ContactId) -> Actor:
        """A contact acting in whichever account the operation names."""
    @staticmethod
    def support_desk(agent: str, reason: str | None = None) -> Actor:
        """The provider's support desk: ``agent`` is who acts, ``reason`` why
        (an ownership transfer needs one, A4); both go to the audit log."""
    @staticmethod
    def partner(id: str) -> Actor:
        """A partner (reseller), acting on the accounts it resells."""
    @property
    def kind(self) -> str:
        """``"contact"``, ``"support_desk"``, ``"partner"`` or ``"system"``."""
    @property
    def contact_id(self) -> ContactId | None:
        """The contact behind this actor, if it is one."""
    @property
    def agent(self) -> str | None:
        """The support-desk agent, for a support-desk actor."""
    @property
    def reason(self) -> str | None:
        """The support desk's reason, for a support-desk actor."""
    @property
    def partner_id(self) -> str | None:
        """The partner's id, for a partner actor."""
    @property
    def audit_label(self) -> str:
        """How the audit log names this actor."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Access:
    """What an actor may do in one account (C2), read from the current state
    when it was made."""

    def allows(self, permission: Permission | str) -> bool:
        """Whether the actor holds ``permission`` in the account."""
    def require(self, permission: Permission | str) -> None:
        """Raises ``PermissionDeniedError`` unless the actor holds ``permission``."""
    def allows_option(self, option: str) -> bool:
        """Whether the actor may use the technical-administration option (C4)."""
    def may_complete_charge(self) -> bool:
        """Whether the actor may complete a chargeable action (C3)."""
    @property
    def permissions(self) -> frozenset[Permission]:
        """Every permission the actor holds, for a host's menus."""
    @property
    def roles(self) -> frozenset[Role]:
        """The roles the actor holds in the account (every role for the owner)."""
    @property
    def assignable_roles(self) -> frozenset[Role]:
        """The roles the actor may grant or revoke (C3, C6)."""
    @property
    def standing(self) -> Standing:
        """How the actor stands in the account."""
    @property
    def tech_scope(self) -> frozenset[str] | None:
        """The technical-administrator options reached (C4); ``None`` for all."""
    @property
    def procurement_enabled(self) -> bool:
        """Whether procurement mode (C3) is on for the account."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...

@final
class MemoryNotifier:
    """A notifier that keeps what it is given, in native code: for tests,
    demos and hosts that poll."""

    def __new__(cls) -> MemoryNotifier: ...
    def take(self) -> list[Notification]:
        """The notifications delivered since the last call, oldest first."""

@final
class ManualClock:
    """A clock that moves only when told to: for tests and simulations."""

    def __new__(cls, start: datetime.datetime) -> ManualClock: ...
    def now(self) -> datetime.datetime:
        """The time now, by this clock (UTC)."""
    def set(self, to: datetime.datetime) -> None:
        """Sets the time."""
    def advance(self, by: datetime.timedelta | float) -> None:
        """Moves the time by ``by`` (may be negative)."""

@final
class Directory:
    """The contactkeeper directory: every operation a host performs goes here.

    ``Directory()`` is a directory on a new in-memory store; ``Directory(path)``
    keeps its data in the SQLite file at ``path`` (created when missing). A
    directory may be shared between threads; ``close()`` (or leaving a
    ``with`` block) ends it, releasing its store and its notifier, and every
    later call raises ``DirectoryClosedError``."""

    def __new__(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        notifier: NotifierLike | None = None,
        clock: ManualClock | None = None,
        hash_cost: HashCost | None = None,
        session_lifetimes: SessionLifetimes | None = None,
        delivery_timeout: datetime.timedelta | float | None = ...,
        max_attempts: int | None = None,
        sqlite_options: SqliteOptions | None = None,
        throttle_attempts: int | None = None,
        sealing_keys: Sequence[tuple[int, bytes]] | None = None,
    ) -> Directory: ...
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        notifier: NotifierLike | None = ...,
        clock: ManualClock | None = ...,
        hash_cost: HashCost | None = ...,
        session_lifetimes: SessionLifetimes | None = ...,
        delivery_timeout: datetime.timedelta | float | None = ...,
        max_attempts: int | None = ...,
        sqlite_options: SqliteOptions | None = ...,
        throttle_attempts: int | None = ...,
        sealing_keys: Sequence[tuple[int, bytes]] | None = ...,
    ) -> Directory:
        """A directory kept in the SQLite file at ``path``: ``Directory(path, ...)``."""
    @property
    def path(self) -> pathlib.Path | None:
        """The SQLite file the directory keeps its data in; ``None`` in memory."""
    def close(self) -> None:
        """Ends the directory; closing twice is not an error."""
    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called."""
    def __enter__(self) -> Directory: ...
    def __exit__(self, *_args: object) -> Literal[False]: ...
    def now(self) -> datetime.datetime:
        """The time now, by this directory's clock (UTC)."""

    # ----- accounts and ownership (A) -----
    def create_account(
        self, actor: ActorLike, *, name: str, owner: NewContact | str, plan: Plan | None = None
    ) -> AccountCreated:
        """Creates an account with its owner in one step (A1)."""
    def account(self, actor: ActorLike, account: AccountId) -> AccountView:
        """An account, for anyone who may see it."""
    def set_plan(self, actor: ActorLike, account: AccountId, plan: Plan) -> None:
        """Changes an account's plan (A7)."""
    def set_procurement(self, actor: ActorLike, account: AccountId, enabled: bool) -> None:
        """Turns procurement mode on or off (C3)."""
    def register_service(self, actor: ActorLike, account: AccountId, service: Service) -> None:
        """Registers a service of an account (A8)."""
    def services(self, actor: ActorLike, account: AccountId) -> list[Service]:
        """The services the actor sees (A8)."""
    def transfer_ownership(self, actor: ActorLike, account: AccountId, new_owner: ContactId) -> None:
        """Transfers ownership (A3; the support desk with a reason, A4)."""
    def contact_charge(self, actor: ActorLike, account: AccountId) -> Money | None:
        """What adding one more contact would cost (A7), or ``None``."""

    # ----- contacts (B) -----
    def invitations(self, actor: ActorLike) -> list[Invitation]:
        """The invitations waiting for the signed-in contact (B7)."""
    def accept_invitation(self, actor: ActorLike, account: AccountId) -> None:
        """The contact accepts its invitation to the account (B7)."""
    def decline_invitation(self, actor: ActorLike, account: AccountId) -> None:
        """The contact declines its invitation to the account (B7)."""
    def pending_invitations(self, actor: ActorLike, account: AccountId) -> list[PendingMember]:
        """The contacts invited to the account and not yet answered (B7): login and roles only."""
    def check_login(self, actor: ActorLike, account: AccountId, login: str) -> bool:
        """"Check login" (B1): whether a contact with this login exists; audited,
        at most 30 an hour per actor."""
    def create_contact(self, actor: ActorLike, account: AccountId, contact: NewContact) -> ContactAdded:
        """Creates a new contact in an account (B1, first way)."""
    def add_existing_contact(
        self,
        actor: ActorLike,
        account: AccountId,
        login: str,
        *,
        roles: Iterable[Role | str] | None = None,
        tech_scope: Iterable[str] | None = None,
    ) -> ContactAdded:
        """Adds a contact used on another account (B1, second way; B6)."""
    def update_contact(
        self,
        actor: ActorLike,
        account: AccountId,
        contact: ContactId,
        *,
        current_password: Password | None = None,
        name: str = ...,
        job_title: str | None = ...,
        business_phone: str | None = ...,
        email: str = ...,
        time_zone: str = ...,
        alternate_email: str | None = ...,
        cell_phone: str | None = ...,
    ) -> list[Field]:
        """Edits a contact's profile (B2); returns the fields that changed. One's
        own email, alternate email or cell phone needs ``current_password``
        (D8); a manager changes another's only within C7."""
    def delete_contact(
        self, actor: ActorLike, account: AccountId, contact: ContactId, *, replacement: ContactId | None = None
    ) -> None:
        """Deletes a contact from an account (A5, B5)."""
    def set_roles(
        self,
        actor: ActorLike,
        account: AccountId,
        contact: ContactId,
        roles: Iterable[Role | str],
        *,
        tech_scope: Iterable[str] | None = None,
    ) -> None:
        """Sets a standard contact's roles and scope (C1, C4, C6)."""
    def contact(self, actor: ActorLike, account: AccountId, contact: ContactId) -> ContactView:
        """A contact of the account."""
    def search_contacts(
        self,
        actor: ActorLike,
        account: AccountId,
        *,
        sort: ContactSort | str | None = None,
        role: Role | str | None = None,
        locked: bool | None = None,
        text: str | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> ContactPage:
        """A page of the account's contacts, sorted, filtered and paged by a
        stable cursor (I5): the Account Contacts page."""
    def find_contact(self, actor: ActorLike, account: AccountId, login: str) -> ContactView:
        """The contact of the account with this login (I5), compared
        case-insensitively (B3). A login that is not a member of this account
        raises ``NotFoundError``, whether or not it exists elsewhere."""
    def my_accounts(self, actor: ActorLike) -> list[Membership]:
        """The accounts the signed-in contact belongs to (B6, I5), by account
        id: for the account switcher. Invitations not yet accepted are
        ``invitations()``."""
    def password_status(self, actor: ActorLike, account: AccountId, contact: ContactId) -> PasswordStatus:
        """What a contact's General tab shows of its password (I5): its expiry
        date and whether it must be changed at the next sign-in. One's own,
        or another contact's for a contact manager."""
    def two_factor_status(self, actor: ActorLike, account: AccountId, contact: ContactId) -> TwoFactorStatus:
        """What a contact's Login options tab shows of its second factor (I5):
        the method and phone, a method a manager set, an enrollment under
        way. One's own, or another's for those who may reset it."""
    def security_policy(self, actor: ActorLike, account: AccountId) -> SecurityPolicy:
        """The account's security policies (D2, E1, F3, G1), for anyone who
        may see the account."""
    def list_contacts(
        self, actor: ActorLike, account: AccountId, *, after: ContactId | None = None, limit: int = 100
    ) -> list[ContactView]:
        """A page of the account's contacts, by id."""
    def iter_contacts(self, actor: ActorLike, account: AccountId, *, page_size: int = ...) -> Iterator[ContactView]:
        """Every contact of the account, fetched a page at a time."""

    # ----- roles and permissions (C) -----
    def access(self, actor: ActorLike, account: AccountId) -> Access:
        """What the actor may do in the account (C2)."""
    def authorize(self, actor: ActorLike, account: AccountId, permission: Permission | str) -> None:
        """Raises ``PermissionDeniedError`` unless the actor holds ``permission``."""
    def authorize_charge(
        self,
        actor: ActorLike,
        account: AccountId,
        action: str,
        permission: Permission | str,
        amount: Money,
    ) -> None:
        """Gates a chargeable action the host declares (C3): returns when the
        actor holds ``permission`` (what the action itself needs) and, while
        procurement mode is on and ``amount`` is not zero, completes
        chargeable actions; otherwise raises ``PermissionDeniedError`` naming
        what is missing. Each authorization is audited under ``action`` (a key:
        ``[a-z0-9_.-]``, at most 64 bytes) with its amount."""
    def allows(self, actor: ActorLike, account: AccountId, permission: Permission | str) -> bool:
        """Whether the actor holds ``permission`` in the account (C2)."""

    # ----- audit log (J) -----
    def audit_entries(
        self,
        actor: ActorLike,
        account: AccountId,
        *,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
        by: AuditActorFilter = None,
        operation: Operation | str | None = None,
        after_seq: int = 0,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """A page of the account's audit log, filtered (J2)."""
    def iter_audit(
        self,
        actor: ActorLike,
        account: AccountId,
        *,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
        by: AuditActorFilter = None,
        operation: Operation | str | None = None,
        page_size: int = 1000,
    ) -> Iterator[AuditEntry]:
        """The account's audit log, filtered, fetched a page at a time."""
    def export_audit_csv(
        self,
        actor: ActorLike,
        account: AccountId,
        file: Writable,
        *,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
        by: AuditActorFilter = None,
        operation: Operation | str | None = None,
    ) -> int:
        """Writes the audit log as RFC 4180 CSV to a path or a file (J2)."""
    def audit_csv(
        self,
        actor: ActorLike,
        account: AccountId,
        *,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
        by: AuditActorFilter = None,
        operation: Operation | str | None = None,
    ) -> str:
        """The audit log as RFC 4180 CSV text (J2)."""
    def verify_audit(self, actor: ActorLike, account: AccountId) -> AuditVerification:
        """Verifies the account's audit chain (J3)."""
    def verify_directory_audit(self, actor: ActorLike) -> AuditVerification:
        """Verifies the directory's own chain."""
    def prune_directory_audit(
        self, actor: ActorLike, *, retention: datetime.timedelta | float | None = None
    ) -> int:
        """Prunes the directory's own chain behind a checkpoint (J4); returns how many entries went."""
    def directory_audit_entries(
        self,
        actor: ActorLike,
        *,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
        by: AuditActorFilter = None,
        operation: Operation | str | None = None,
        after_seq: int = 0,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """A page of the directory's own chain."""

    # ----- notifications (I) -----
    def pending_notifications(self, *, limit: int = 100) -> list[OutboxItem]:
        """Notifications not yet delivered, by due time."""
    def deliver_pending(self) -> DeliveryReport:
        """Tries again every pending notification that is due (I1)."""
    def set_notification_prefs(
        self, actor: ActorLike, account: AccountId, contact: ContactId, prefs: NotificationPrefs
    ) -> None:
        """Sets what a contact wants to be told in the account (I2, I4, H6)."""
    def send_maintenance_notice(self, actor: ActorLike, account: AccountId, *, subject: str, body: str) -> int:
        """Sends a maintenance notice (I4); returns how many contacts."""
    def send_billing_notice(self, actor: ActorLike, account: AccountId, *, subject: str, body: str) -> ContactId | None:
        """Sends a billing notice to the billing contact, or the owner (H7)."""

    # ----- sign-in and sessions (D) -----
    def sign_in(
        self,
        login: str,
        password: Password,
        *,
        ip: IPLike,
        account: AccountId | None = None,
        device_token: str | None = None,
        remember_device: bool = False,
    ) -> SignInOutcome:
        """Signs in (D5): one of the ``SignInOutcome`` types; a valid
        ``device_token`` passes an automatic lock others caused (D10)."""
    def authenticate(self, token: str) -> SessionInfo:
        """The session behind a token, checked against the current state (D8)."""
    def session_actor(self, token: str) -> Actor:
        """The actor of a fully signed-in session."""
    def sign_out(self, token: str) -> None:
        """Ends a session."""
    def purge_expired_sessions(self) -> int:
        """Removes the sessions past their lifetime from the store (D8); returns how many."""
    def reseal_secrets(self, account: AccountId) -> int:
        """Seals the account's authenticator secrets under the current key (F1); returns how many."""
    def purge_throttle(self) -> int:
        """Removes the sign-in throttle's expired records (D5); returns how many."""
    def complete_second_factor(self, token: str, code: str) -> SignInOutcome:
        """Presents the second factor (F1)."""
    def resend_second_factor_code(self, token: str) -> None:
        """Sends a new code to a session waiting for its second factor."""
    def change_password_with_session(self, token: str, *, current: Password, new: Password) -> SignInOutcome:
        """Changes the password from a session (D3, D4)."""
    def begin_enrollment_with_session(
        self, token: str, method: TwoFactorMethod | str, *, phone: str | None = None
    ) -> EnrollmentStart:
        """Starts enrolling from a session that must enroll (F3)."""
    def confirm_enrollment_with_session(self, token: str, code: str) -> SignInOutcome:
        """Confirms the enrollment of a session that had to enroll (F3)."""

    # ----- passwords (D2–D4, D7) -----
    def change_password(self, actor: ActorLike, account: AccountId, *, current: Password, new: Password) -> None:
        """Changes one's own password (D2, D8)."""
    def reset_password(
        self, actor: ActorLike, account: AccountId, contact: ContactId, *, channel: RecoveryChannel | str | None = None
    ) -> str | None:
        """A manager's reset (D7): a secret sent by ``channel``, or a temporary
        password returned once; within C7. One's own: a secret only."""
    def set_must_change_password(
        self, actor: ActorLike, account: AccountId, contact: ContactId, must_change: bool
    ) -> None:
        """Sets or clears "reset password at next login" (D4)."""
    def set_password_policy(self, actor: ActorLike, account: AccountId, policy: PasswordPolicy) -> None:
        """Tightens the account's password requirements (D2)."""
    def require_password_change(self, actor: ActorLike, account: AccountId) -> None:
        """Every contact changes its password at next sign-in (D2)."""

    # ----- recovery (D6, E4) -----
    def request_password_reset(self, login: str, channel: RecoveryChannel | str) -> None:
        """Sends a one-time reset secret (D6)."""
    def complete_password_reset(self, login: str, secret: str, *, new: Password) -> None:
        """Sets a new password with a reset secret (D6, E4)."""

    # ----- locks (E) -----
    def set_lock_policy(self, actor: ActorLike, account: AccountId, policy: LockPolicy | None) -> None:
        """Enables the locked-account policy (E1), or disables it with ``None``."""
    def lock_contact(self, actor: ActorLike, account: AccountId, contact: ContactId) -> None:
        """Locks a contact by hand in this account (E6)."""
    def unlock_contact(self, actor: ActorLike, account: AccountId, contact: ContactId) -> None:
        """Unlocks a contact by hand (E5)."""

    # ----- second factor (F1–F3) -----
    def begin_two_factor_enrollment(
        self,
        actor: ActorLike,
        account: AccountId,
        method: TwoFactorMethod | str,
        *,
        current_password: Password,
        phone: str | None = None,
    ) -> EnrollmentStart:
        """Starts enrolling a second factor for oneself (F1, D8)."""
    def confirm_two_factor_enrollment(self, actor: ActorLike, account: AccountId, code: str) -> None:
        """Confirms an enrollment with a code from the new factor (F1)."""
    def set_two_factor_method(
        self,
        actor: ActorLike,
        account: AccountId,
        contact: ContactId,
        method: TwoFactorMethod | str,
        *,
        phone: str | None = None,
    ) -> None:
        """Sets another contact's 2FA method and phone (F1, within C7): it
        enrolls that method at its next sign-in."""
    def reset_two_factor(self, actor: ActorLike, account: AccountId, contact: ContactId) -> None:
        """Resets another contact's second factor (F2), within C7; its sessions end."""
    def set_require_two_factor(self, actor: ActorLike, account: AccountId, required: bool) -> None:
        """Requires a second factor of every contact (F3)."""

    # ----- security questions (F4) -----
    def set_security_answers(
        self, actor: ActorLike, account: AccountId, answers: Mapping[int, str], *, current_password: Password
    ) -> None:
        """Sets one's three security questions and answers (F4)."""
    def security_questions(self, actor: ActorLike, account: AccountId, contact: ContactId) -> list[int]:
        """The questions a contact chose, never the answers (F4)."""
    def check_security_answer(
        self, actor: ActorLike, account: AccountId, contact: ContactId, *, question: int, answer: str
    ) -> bool:
        """The support desk checks one answer (F4)."""

    # ----- IP allowlist (G) -----
    def set_ip_allowlist(
        self, actor: ActorLike, account: AccountId, ranges: Iterable[str], *, current_ip: IPLike
    ) -> None:
        """Sets the account's IP allowlist (G1, G2)."""

    # ----- resources and designations (H) -----
    def add_resource(
        self,
        actor: ActorLike,
        account: AccountId,
        *,
        kind: str,
        name: str,
        primary: ContactId,
        secondary: ContactId | None = None,
    ) -> ResourceId:
        """Adds a resource with its technical contacts (H1, H2)."""
    def set_technical_contacts(
        self,
        actor: ActorLike,
        account: AccountId,
        resource: ResourceId,
        *,
        primary: ContactId,
        secondary: ContactId | None = None,
    ) -> None:
        """Sets a resource's technical contacts (H1–H3)."""
    def remove_resource(self, actor: ActorLike, account: AccountId, resource: ResourceId) -> None:
        """Removes a resource."""
    def resource(self, actor: ActorLike, account: AccountId, resource: ResourceId) -> Resource:
        """A resource of the account."""
    def resources(
        self, actor: ActorLike, account: AccountId, *, after: ResourceId | None = None, limit: int = 100
    ) -> list[Resource]:
        """A page of the account's resources, by id."""
    def iter_resources(self, actor: ActorLike, account: AccountId, *, page_size: int = ...) -> Iterator[Resource]:
        """Every resource of the account, fetched a page at a time."""
    def duties(self, actor: ActorLike, account: AccountId, contact: ContactId) -> list[Duty]:
        """The duties a contact holds in the account (H3)."""
    def reassign_duties(
        self, actor: ActorLike, account: AccountId, *, from_contact: ContactId, to_contact: ContactId
    ) -> int:
        """Moves every duty of one contact to another (H3)."""
    def set_billing_contacts(
        self, actor: ActorLike, account: AccountId, *, primary: ContactId, secondary: ContactId | None = None
    ) -> None:
        """Sets the account's billing contacts (H7)."""
    def billing_contacts(self, actor: ActorLike, account: AccountId) -> BillingContacts:
        """The account's billing contacts (H7)."""
    def create_contact_with_duty(
        self, actor: ActorLike, account: AccountId, contact: NewContact, duty: Duty
    ) -> ContactAdded:
        """Creates a contact and gives it a duty in one step (H5); whoever may
        assign the duty may, and the new contact gets no role."""
    def add_resource_with_new_primary(
        self,
        actor: ActorLike,
        account: AccountId,
        *,
        kind: str,
        name: str,
        contact: NewContact,
        secondary: ContactId | None = None,
    ) -> ResourceAdded:
        """Adds a resource with a new contact as its primary, in one step (H5)."""
    def designate(
        self,
        actor: ActorLike,
        account: AccountId,
        contact: ContactId,
        duty: Duty,
        info: DutyInfo | None = None,
    ) -> None:
        """Gives a contact one duty, supplying what it lacks for it (H4)."""
    def report_milestone(
        self, actor: ActorLike, account: AccountId, resource: ResourceId, milestone: Milestone | str
    ) -> None:
        """Reports a resource milestone (H6)."""

__version__: str
"""The library's version ("0.1.0")."""

def local_time(at: datetime.datetime, zone: str) -> str:
    """A time as a contact reads it (I3), e.g. ``2026-03-08 03:30 EDT (UTC-04:00)``;
    an unknown zone raises InvalidInputError."""

def totp_code(secret_base32: str, at: datetime.datetime | None = None) -> str:
    """The TOTP code (RFC 6238) of a base32 secret at a time (now by default)."""

def _defaults() -> dict[str, object]: ...
def _money_text(minor_units: int, currency: str) -> str: ...
def _core_error(kind: str) -> ContactKeeperError: ...
def _enum_names() -> dict[str, list[tuple[str, str | int]]]: ...
def _bench_authorize(
    directory: Directory, actor: ActorLike, account: AccountId, permission: Permission | str, iterations: int
) -> float: ...
