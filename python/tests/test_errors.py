"""SPEC K1: one exception class per error kind of the core, each carrying the
stable code and the rule it enforces."""

from __future__ import annotations

import pickle

import pytest

import contactkeeper as ck
from contactkeeper import _native

CLASSES: dict[str, tuple[type[ck.ContactKeeperError], int]] = {
    "invalid_input": (ck.InvalidInputError, 1),
    "permission_denied": (ck.PermissionDeniedError, 2),
    "not_found": (ck.NotFoundError, 3),
    "already_exists": (ck.AlreadyExistsError, 4),
    "rule_violation": (ck.RuleViolationError, 5),
    "conflict": (ck.ConflictError, 6),
    "store": (ck.StoreError, 7),
    "random_unavailable": (ck.RandomUnavailableError, 8),
    "output": (ck.OutputError, 9),
    "unauthenticated": (ck.UnauthenticatedError, 10),
    "invalid_credentials": (ck.InvalidCredentialsError, 11),
    "not_eligible": (ck.NotEligibleError, 12),
    "duties_held": (ck.DutiesHeldError, 13),
}


def test_one_class_per_kind_with_the_stable_code() -> None:
    assert sorted(code for _, code in CLASSES.values()) == [c.value for c in ck.ErrorCode]
    for name, (cls, code) in CLASSES.items():
        assert issubclass(cls, ck.ContactKeeperError)
        assert cls.code == code == ck.ErrorCode[name.upper()]
        assert cls.__name__ in ck.__all__
    assert issubclass(ck.LockedError, ck.UnauthenticatedError)
    assert issubclass(ck.InvalidInputError, ValueError)
    assert issubclass(ck.NotFoundError, LookupError)
    assert not issubclass(ck.DirectoryClosedError, ck.ContactKeeperError)
    assert issubclass(ck.DirectoryClosedError, ValueError)


@pytest.mark.parametrize("kind", sorted(CLASSES))
def test_every_kind_translates_with_its_code_rule_and_details(kind: str) -> None:
    cls, code = CLASSES[kind]
    e = _native._core_error(kind)
    assert type(e) is cls and e.code == code and isinstance(e.code, ck.ErrorCode)
    assert str(e) == e.message and e.message
    expected_rule = {
        "invalid_input": "B3",
        "permission_denied": "C2",
        "not_found": "K1",
        "already_exists": "K1",
        "rule_violation": "A5",
        "unauthenticated": "D8",
        "invalid_credentials": "D8",
        "not_eligible": "H4",
        "duties_held": "B5",
    }.get(kind)
    assert e.rule == expected_rule
    assert repr(e).startswith(cls.__name__)
    clone = pickle.loads(pickle.dumps(e))
    assert type(clone) is cls and clone.__dict__ == e.__dict__ and str(clone) == str(e)


def test_the_details_of_each_kind() -> None:
    e = _native._core_error("invalid_input")
    assert isinstance(e, ck.InvalidInputError)
    assert (e.field, e.problem, e.limit) == (ck.Field.LOGIN, ck.Problem.TOO_LONG, 128)
    p = _native._core_error("permission_denied")
    assert isinstance(p, ck.PermissionDeniedError) and p.permission is ck.Permission.MANAGE_BILLING
    n = _native._core_error("not_found")
    assert isinstance(n, ck.NotFoundError) and n.entity is ck.Entity.ACCOUNT
    r = _native._core_error("rule_violation")
    assert isinstance(r, ck.RuleViolationError) and "transfer ownership" in r.explanation
    c = _native._core_error("conflict")
    assert isinstance(c, ck.ConflictError) and c.attempts == 32
    u = _native._core_error("unauthenticated")
    assert isinstance(u, ck.UnauthenticatedError) and u.reason is ck.AuthFailure.EXPIRED
    locked = _native._core_error("locked")
    assert type(locked) is ck.LockedError and locked.reason is ck.AuthFailure.LOCKED and locked.rule == "E3"
    m = _native._core_error("not_eligible")
    assert isinstance(m, ck.NotEligibleError) and m.missing == (ck.Field.EMAIL, ck.Field.BUSINESS_PHONE)
    d = _native._core_error("duties_held")
    assert isinstance(d, ck.DutiesHeldError)
    assert d.duties == (ck.TechnicalDuty(ck.ResourceId(7), ck.Rank.PRIMARY), ck.BillingDuty(ck.Rank.PRIMARY))
    s = _native._core_error("store")
    assert isinstance(s, ck.StoreError) and "disk full" in str(s) and s.rule is None
    with pytest.raises(ValueError):
        _native._core_error("nonsense")


def test_errors_can_be_raised_and_caught_by_the_base_class(world: object) -> None:
    from conftest import World

    assert isinstance(world, World)
    with pytest.raises(ck.ContactKeeperError) as e:
        world.dir.delete_contact(ck.Actor.SYSTEM, world.account, world.alice)
    assert e.value.code == ck.ErrorCode.RULE_VIOLATION


def test_users_can_build_errors_for_their_own_tests() -> None:
    e = ck.PermissionDeniedError("permission denied", permission=ck.Permission.READ_AUDIT)
    assert e.rule == "C2" and e.code == 2
    base = ck.ContactKeeperError("future kind", code=99)
    assert base.code == 99
