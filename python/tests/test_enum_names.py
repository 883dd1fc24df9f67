"""Enum arguments take a member or its name (the member's value): a role as
``ck.Role.CONTACT_MANAGER`` or ``"contact_manager"``. An unknown name is
``InvalidInputError`` (a ``ValueError``) with problem ``NOT_OFFERED``, and
changes nothing; a value of another type is still ``TypeError``."""

from __future__ import annotations

from typing import Any, Callable

import pytest

import contactkeeper as ck
from conftest import PASSWORD, World, new_contact


def test_roles_by_name(world: World) -> None:
    bob = world.dir.create_contact(
        world.alice, world.account, new_contact("bob", roles=frozenset({"contact_manager", ck.Role.BILLING_MANAGER}))
    ).contact
    view = world.dir.contact(world.alice, world.account, bob)
    assert view.roles == {ck.Role.CONTACT_MANAGER, ck.Role.BILLING_MANAGER}
    world.dir.set_roles(world.alice, world.account, bob, ["security_manager"])
    assert world.dir.contact(world.alice, world.account, bob).roles == {ck.Role.SECURITY_MANAGER}


def test_permissions_by_name(world: World) -> None:
    assert world.dir.allows(world.alice, world.account, "transfer_ownership")
    world.dir.authorize(world.alice, world.account, "read_audit")
    access = world.dir.access(world.alice, world.account)
    assert access.allows("view_account") is access.allows(ck.Permission.VIEW_ACCOUNT) is True
    access.require("manage_contacts")
    bob = world.contact("bob")
    assert not world.dir.allows(bob, world.account, "manage_contacts")
    with pytest.raises(ck.PermissionDeniedError) as e:
        world.dir.authorize(bob, world.account, "manage_contacts")
    assert e.value.permission is ck.Permission.MANAGE_CONTACTS


def test_operations_by_name(world: World) -> None:
    world.contact("bob")
    by_name = world.dir.audit_entries(ck.Actor.SYSTEM, world.account, operation="contact.create")
    by_member = world.dir.audit_entries(ck.Actor.SYSTEM, world.account, operation=ck.Operation.CONTACT_CREATE)
    assert by_name == by_member and len(by_name) == 1
    assert by_name[0].operation is ck.Operation.CONTACT_CREATE


def test_methods_channels_and_ranks_by_name(world: World) -> None:
    start = world.dir.begin_two_factor_enrollment(world.alice, world.account, "totp", current_password=PASSWORD)
    assert start.method is ck.TwoFactorMethod.TOTP and start.secret_base32
    world.dir.request_password_reset("alice", "email")
    assert [n.kind for n in world.notes()] == [ck.NotificationKind.PASSWORD_RESET]
    sue = world.contact("sue")
    pc = world.dir.add_resource(world.alice, world.account, kind="computer", name="pc", primary=sue)
    added = world.dir.create_contact_with_duty(
        world.alice, world.account, new_contact("nick"), ck.TechnicalDuty(pc, "secondary")  # type: ignore[arg-type]
    )
    assert world.dir.duties(world.alice, world.account, added.contact) == [ck.TechnicalDuty(pc, ck.Rank.SECONDARY)]


def test_unknown_names_are_invalid_input_and_change_nothing(world: World) -> None:
    bob = world.contact("bob")
    before = world.dir.list_contacts(ck.Actor.SYSTEM, world.account)
    cases: list[tuple[Callable[[], Any], ck.Field]] = [
        (lambda: world.dir.create_contact(world.alice, world.account, new_contact("carol", roles=["owner"])), ck.Field.ROLES),
        (lambda: world.dir.set_roles(world.alice, world.account, bob, ["CONTACT_MANAGER"]), ck.Field.ROLES),
        (lambda: world.dir.add_existing_contact(world.alice, world.account, "bob", roles=["nobody"]), ck.Field.ROLES),
        (lambda: world.dir.allows(world.alice, world.account, "fly"), ck.Field.ROLES),
        (lambda: world.dir.authorize(world.alice, world.account, "fly"), ck.Field.ROLES),
        (lambda: world.dir.access(world.alice, world.account).allows("fly"), ck.Field.ROLES),
        (lambda: world.dir.audit_entries(world.alice, world.account, operation="contact.fly"), ck.Field.ACTOR_FILTER),
        (lambda: world.dir.begin_two_factor_enrollment(world.alice, world.account, "pigeon", current_password=PASSWORD), ck.Field.TWO_FACTOR_METHOD),
        (lambda: world.dir.request_password_reset("alice", "pigeon"), ck.Field.CHANNEL),
        (lambda: world.dir.reset_password(world.alice, world.account, bob, channel="pigeon"), ck.Field.CHANNEL),
        (lambda: world.dir.create_contact_with_duty(world.alice, world.account, new_contact("nick"), ck.BillingDuty("tertiary")), ck.Field.SECONDARY),  # type: ignore[arg-type]
    ]
    for call, field in cases:
        with pytest.raises(ck.InvalidInputError) as e:
            call()
        assert isinstance(e.value, ValueError)
        assert e.value.field is field and e.value.problem is ck.Problem.NOT_OFFERED
        assert e.value.rule is not None
        assert "pigeon" not in str(e.value) and "fly" not in str(e.value)
    # A name that is not valid Unicode (lone surrogates) is malformed.
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.allows(world.alice, world.account, "\ud800")
    assert e.value.problem is ck.Problem.MALFORMED
    assert world.dir.list_contacts(ck.Actor.SYSTEM, world.account) == before
    assert world.notes() == []


def test_other_types_are_still_type_errors(world: World) -> None:
    calls: list[Callable[[], Any]] = [
        lambda: world.dir.allows(world.alice, world.account, 3),  # type: ignore[arg-type]
        lambda: world.dir.allows(world.alice, world.account, ck.Role.CONTACT_MANAGER),  # type: ignore[arg-type]
        lambda: world.dir.set_roles(world.alice, world.account, world.alice, "contact_manager"),
        lambda: world.dir.set_roles(world.alice, world.account, world.alice, [b"contact_manager"]),  # type: ignore[list-item]
        lambda: world.dir.request_password_reset("alice", None),  # type: ignore[arg-type]
    ]
    for call in calls:
        with pytest.raises(TypeError):
            call()
    with pytest.raises(TypeError, match="expected Permission or str, not int"):
        world.dir.allows(world.alice, world.account, 3)  # type: ignore[arg-type]
