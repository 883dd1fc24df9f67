"""The exceptions of contactkeeper (SPEC K1).

Every refused or failed operation raises a subclass of
:class:`ContactKeeperError`, one per error kind of the core, each carrying
the kind's stable numeric ``code`` (the same numbers as the C header's
result codes) and the SPEC ``rule`` it enforces, where one applies. A
refused operation changes nothing but the audit entry that records it.

Mistakes in the call itself are Python's own exceptions: ``TypeError`` for
an argument of the wrong type (an ``int`` for a login, ``None`` where a value
is required), and :class:`DirectoryClosedError` (a ``ValueError``) for a
directory used after :meth:`Directory.close`.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, Type

from ._enums import AuthFailure, Entity, ErrorCode, Field, Permission, Problem
from ._types import Duty

__all__ = [
    "AlreadyExistsError",
    "ConflictError",
    "ContactKeeperError",
    "DirectoryClosedError",
    "DutiesHeldError",
    "InvalidCredentialsError",
    "InvalidInputError",
    "LockedError",
    "NotEligibleError",
    "NotFoundError",
    "OutputError",
    "PermissionDeniedError",
    "RandomUnavailableError",
    "RuleViolationError",
    "StoreError",
    "UnauthenticatedError",
]


class ContactKeeperError(Exception):
    """A refused or failed operation. ``str(error)`` is the core's message,
    which never repeats the refused value."""

    code: int
    """The stable numeric code of the error kind: an :class:`ErrorCode`, also
    a class attribute of each subclass."""
    rule: Optional[str]
    """The SPEC rule (``"A5"``, ``"C2"``…) the error enforces, if any."""

    def __init__(self, message: str, *, rule: Optional[str] = None, code: Optional[int] = None) -> None:
        super().__init__(message)
        if code is not None:
            # A kind newer than this package: keep the number.
            self.code = ErrorCode(code) if code in ErrorCode._value2member_map_ else code
        self.rule = rule

    @property
    def message(self) -> str:
        """The core's message."""
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> Tuple[Any, ...]:
        # Keyword-only attributes: pickle (for multiprocessing) by state.
        return (_restore, (type(self), self.args, dict(self.__dict__)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={int(self.code)}, rule={self.rule!r})"


def _restore(cls: Type[ContactKeeperError], args: Tuple[Any, ...], state: Dict[str, Any]) -> ContactKeeperError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class InvalidInputError(ContactKeeperError, ValueError):
    """A value from the host is malformed, oversized or otherwise unusable
    (B2, K2): ``field`` names it, ``problem`` says what is wrong, and
    ``limit`` is the maximum or minimum for a length problem."""

    code = ErrorCode.INVALID_INPUT
    field: Field
    problem: Problem
    limit: Optional[int]

    def __init__(
        self,
        message: str,
        *,
        field: Field,
        problem: Problem,
        limit: Optional[int] = None,
        rule: Optional[str] = None,
    ) -> None:
        super().__init__(message, rule=rule)
        self.field = field
        self.problem = problem
        self.limit = limit


class PermissionDeniedError(ContactKeeperError):
    """The actor lacks ``permission`` in the account (C2)."""

    code = ErrorCode.PERMISSION_DENIED
    permission: Permission

    def __init__(self, message: str, *, permission: Permission, rule: Optional[str] = "C2") -> None:
        super().__init__(message, rule=rule)
        self.permission = permission


class NotFoundError(ContactKeeperError, LookupError):
    """The account, contact or other ``entity`` does not exist, or not where
    the operation looked for it."""

    code = ErrorCode.NOT_FOUND
    entity: Entity

    def __init__(self, message: str, *, entity: Entity, rule: Optional[str] = "K1") -> None:
        super().__init__(message, rule=rule)
        self.entity = entity


class AlreadyExistsError(ContactKeeperError):
    """The ``entity`` exists already (a login in use, a contact already a
    member)."""

    code = ErrorCode.ALREADY_EXISTS
    entity: Entity

    def __init__(self, message: str, *, entity: Entity, rule: Optional[str] = "K1") -> None:
        super().__init__(message, rule=rule)
        self.entity = entity


class RuleViolationError(ContactKeeperError):
    """A SPEC rule (``rule``) refuses the operation in the current state;
    ``explanation`` is one sentence a host may show."""

    code = ErrorCode.RULE_VIOLATION
    explanation: str

    def __init__(self, message: str, *, rule: Optional[str] = None, explanation: str = "") -> None:
        super().__init__(message, rule=rule)
        self.explanation = explanation


class ConflictError(ContactKeeperError):
    """Concurrent changes kept invalidating the operation, ``attempts``
    times; nothing changed. Trying again later may succeed."""

    code = ErrorCode.CONFLICT
    attempts: int

    def __init__(self, message: str, *, attempts: int = 0, rule: Optional[str] = None) -> None:
        super().__init__(message, rule=rule)
        self.attempts = attempts


class StoreError(ContactKeeperError):
    """The store failed; nothing was committed. ``kind`` says how: ``busy``
    (another connection held the database longer than the busy timeout: try
    again later), ``full`` (the disk or the size limit), ``cannot_open``,
    ``not_a_database``, ``schema_too_new``, ``corrupt``, ``conflict``,
    ``duplicate`` or ``backend`` (any other failure of the database)."""

    code = ErrorCode.STORE
    kind: str

    def __init__(self, message: str, *, kind: str = "backend", rule: Optional[str] = None) -> None:
        super().__init__(message, rule=rule)
        self.kind = kind


class RandomUnavailableError(ContactKeeperError):
    """The operating system's random source failed."""

    code = ErrorCode.RANDOM_UNAVAILABLE


class OutputError(ContactKeeperError):
    """Writing an export failed; the file's own exception, if any, is the
    ``__cause__``."""

    code = ErrorCode.OUTPUT


class UnauthenticatedError(ContactKeeperError):
    """A session token, reset secret or one-time code is not valid (D6, D8):
    ``reason`` says why (expired, revoked, locked…)."""

    code = ErrorCode.UNAUTHENTICATED
    reason: AuthFailure

    def __init__(self, message: str, *, reason: AuthFailure, rule: Optional[str] = None) -> None:
        super().__init__(message, rule=rule)
        self.reason = reason


class LockedError(UnauthenticatedError):
    """An :class:`UnauthenticatedError` whose reason is that the contact is
    locked (E3, E6): the session ended with the lock, or the current password
    was asked for while the login is locked."""


class InvalidCredentialsError(ContactKeeperError):
    """The current password, asked for again before a sensitive change, is
    wrong or missing (D8)."""

    code = ErrorCode.INVALID_CREDENTIALS


class NotEligibleError(ContactKeeperError):
    """The contact lacks what a duty needs (H4): fill the ``missing`` fields
    and try again."""

    code = ErrorCode.NOT_ELIGIBLE
    missing: Tuple[Field, ...]

    def __init__(self, message: str, *, missing: Tuple[Field, ...] = (), rule: Optional[str] = "H4") -> None:
        super().__init__(message, rule=rule)
        self.missing = tuple(missing)


class DutiesHeldError(ContactKeeperError):
    """The contact holds primary ``duties`` (B5): reassign them, or delete it
    naming a replacement."""

    code = ErrorCode.DUTIES_HELD
    duties: Tuple[Duty, ...]

    def __init__(self, message: str, *, duties: Tuple[Duty, ...] = (), rule: Optional[str] = "B5") -> None:
        super().__init__(message, rule=rule)
        self.duties = tuple(duties)


class DirectoryClosedError(ValueError):
    """The directory was closed (:meth:`Directory.close`); like a closed
    file, it refuses every operation."""
