"""SPEC C: roles and permissions, from Python."""

from __future__ import annotations

import pytest

import contactkeeper as ck
from conftest import World, new_contact


def test_access_follows_the_table(world: World) -> None:
    # rule C1, C2
    bob = world.contact("bob", ck.Role.CONTACT_MANAGER)
    access = world.dir.access(bob, world.account)
    assert isinstance(access, ck.Access)
    assert access.standing is ck.Standing.MEMBER
    assert access.roles == {ck.Role.CONTACT_MANAGER}
    assert access.allows(ck.Permission.MANAGE_CONTACTS)
    assert not access.allows(ck.Permission.MANAGE_BILLING)
    assert access.permissions == {
        ck.Permission.MANAGE_CONTACTS,
        ck.Permission.ASSIGN_ROLES,
        ck.Permission.RESET_TWO_FACTOR,
        ck.Permission.READ_AUDIT,
        ck.Permission.MANAGE_OWN_SETTINGS,
        ck.Permission.VIEW_ACCOUNT,
    }
    assert access.assignable_roles == {ck.Role.CONTACT_MANAGER}
    assert access.tech_scope is None and not access.procurement_enabled
    assert "Standing.MEMBER" in repr(access)
    with pytest.raises(ck.PermissionDeniedError) as e:
        access.require(ck.Permission.MANAGE_BILLING)
    assert e.value.permission is ck.Permission.MANAGE_BILLING and e.value.rule == "C2"
    assert access == world.dir.access(bob, world.account)
    owner = world.dir.access(world.alice, world.account)
    assert owner.standing is ck.Standing.OWNER and owner.roles == frozenset(ck.Role)
    assert world.dir.access(ck.Actor.SYSTEM, world.account).standing is ck.Standing.SYSTEM
    assert world.dir.access(ck.Actor.partner("else"), world.account).standing is ck.Standing.OUTSIDER


def test_authorize_and_allows(world: World) -> None:
    # rule C2
    bob = world.contact("bob")
    assert world.dir.allows(bob, world.account, ck.Permission.READ_AUDIT)
    assert not world.dir.allows(bob, world.account, ck.Permission.MANAGE_CONTACTS)
    world.dir.authorize(bob, world.account, ck.Permission.READ_AUDIT)
    with pytest.raises(ck.PermissionDeniedError) as e:
        world.dir.authorize(bob, world.account, ck.Permission.MANAGE_CONTACTS)
    assert "manage_contacts" in str(e.value)
    with pytest.raises(TypeError):
        world.dir.authorize(bob, world.account, ck.Role.CONTACT_MANAGER)  # type: ignore[arg-type]
    world.dir.authorize(bob, world.account, "read_audit")  # a member's name works too
    with pytest.raises(TypeError):
        world.dir.authorize(bob, world.account, 3)  # type: ignore[arg-type]
    with pytest.raises(ck.NotFoundError):
        world.dir.authorize(bob, ck.AccountId(12345), ck.Permission.READ_AUDIT)


def test_a_contact_grants_only_roles_it_holds(world: World) -> None:
    # rule C6
    bob = world.contact("bob", ck.Role.CONTACT_MANAGER)
    carol = world.contact("carol")
    with pytest.raises(ck.RuleViolationError) as e:
        world.dir.set_roles(bob, world.account, carol, [ck.Role.TECHNICAL_ADMIN])
    assert e.value.rule == "C6"
    world.dir.set_roles(bob, world.account, carol, {ck.Role.CONTACT_MANAGER})
    assert world.dir.contact(bob, world.account, carol).roles == {ck.Role.CONTACT_MANAGER}
    with pytest.raises(ck.RuleViolationError) as e:
        world.dir.set_roles(world.alice, world.account, carol, [ck.Role.PROCUREMENT_MANAGER])
    assert e.value.rule == "C3"


def test_a_technical_administrator_may_be_narrowed(world: World) -> None:
    # rule C4
    tech = world.contact("tech")
    world.dir.set_roles(world.alice, world.account, tech, [ck.Role.TECHNICAL_ADMIN], tech_scope=("users", "reports"))
    view = world.dir.contact(world.alice, world.account, tech)
    assert view.tech_scope == {"users", "reports"}
    access = world.dir.access(tech, world.account)
    assert access.allows_option("users") and not access.allows_option("services")
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.set_roles(world.alice, world.account, tech, [ck.Role.TECHNICAL_ADMIN], tech_scope=["warp"])
    assert e.value.field is ck.Field.TECH_SCOPE and e.value.rule == "C4"
    with pytest.raises(TypeError):
        world.dir.set_roles(world.alice, world.account, tech, [ck.Role.TECHNICAL_ADMIN], tech_scope="users")


def test_procurement_managers_complete_chargeable_actions(world: World) -> None:
    # rule C3, A7
    world.dir.set_plan(world.alice, world.account, ck.Plan(included_contacts=1))
    world.dir.set_procurement(ck.Actor.support_desk("jo", "partner request"), world.account, True)
    bob = world.contact("bob", ck.Role.CONTACT_MANAGER)
    assert not world.dir.access(bob, world.account).may_complete_charge()
    # Additional contacts cost nothing on this plan: nothing to complete.
    assert world.dir.contact_charge(world.alice, world.account) is None
    free = world.dir.create_contact(bob, world.account, new_contact("carol"))
    assert free.charge is None
    priced = ck.Plan(included_contacts=1, additional_contact_price=ck.Money(500, "EUR"))
    world.dir.set_plan(world.alice, world.account, priced)
    assert world.dir.contact_charge(world.alice, world.account) == ck.Money(500, "EUR")
    with pytest.raises(ck.PermissionDeniedError) as e:
        world.dir.create_contact(bob, world.account, new_contact("dave"))
    assert e.value.permission is ck.Permission.COMPLETE_CHARGEABLE
    second = world.dir.create_contact(world.alice, world.account, new_contact("dave"))
    assert second.charge == ck.Money(minor_units=500, currency="EUR")
    with pytest.raises(ck.InvalidInputError) as ie:
        world.dir.set_plan(world.alice, world.account, ck.Plan(additional_contact_price=ck.Money(1, "eur")))
    assert ie.value.field is ck.Field.CURRENCY


def test_with_procurement_on_changing_the_plan_is_chargeable(world: World) -> None:
    # rule C3
    world.dir.set_procurement(ck.Actor.SYSTEM, world.account, True)
    billing = world.contact("bill", ck.Role.BILLING_MANAGER)
    current = world.dir.account(world.alice, world.account).plan
    world.dir.set_plan(billing, world.account, current)  # no change, nothing charged
    dearer = ck.Plan(included_contacts=2, additional_contact_price=ck.Money(900, "USD"))
    with pytest.raises(ck.PermissionDeniedError) as e:
        world.dir.set_plan(billing, world.account, dearer)
    assert e.value.permission is ck.Permission.COMPLETE_CHARGEABLE and e.value.rule == "C2"
    assert world.dir.account(world.alice, world.account).plan == current
    world.dir.set_plan(world.alice, world.account, dearer)


def test_a_host_declared_chargeable_action_is_gated(world: World) -> None:
    # rule C3
    billing = world.contact("bill", ck.Role.BILLING_MANAGER)
    price = ck.Money(1250, "EUR")

    def authorized() -> list[ck.AuditEntry]:
        entries = world.dir.audit_entries(ck.Actor.SYSTEM, world.account, operation=ck.Operation.CHARGE_AUTHORIZE)
        return [e for e in entries if e.ok]

    world.dir.authorize_charge(billing, world.account, "disk.upgrade", ck.Permission.MANAGE_BILLING, price)
    detail = authorized()[-1].detail
    assert detail is not None and "disk.upgrade" in detail and "1250" in detail
    world.dir.set_procurement(ck.Actor.SYSTEM, world.account, True)
    with pytest.raises(ck.PermissionDeniedError) as e:
        world.dir.authorize_charge(billing, world.account, "disk.upgrade", "manage_billing", price)
    assert e.value.permission is ck.Permission.COMPLETE_CHARGEABLE
    world.dir.authorize_charge(billing, world.account, "disk.upgrade", "manage_billing", ck.Money(0, "EUR"))
    world.dir.authorize_charge(world.alice, world.account, "disk.upgrade", "manage_billing", price)
    assert len(authorized()) == 3
    bad: list[tuple[str, ck.Money, ck.Field]] = [
        ("Disk Upgrade", price, ck.Field.CHARGE_ACTION),
        ("disk", ck.Money(-1, "EUR"), ck.Field.PRICE),
        ("disk", ck.Money(2**63, "EUR"), ck.Field.PRICE),
        ("disk", ck.Money(2**80, "EUR"), ck.Field.PRICE),
    ]
    for action, amount, field in bad:
        with pytest.raises(ck.InvalidInputError) as ie:
            world.dir.authorize_charge(world.alice, world.account, action, "manage_billing", amount)
        assert ie.value.field is field, (action, amount)
    assert len(authorized()) == 3
    with pytest.raises(TypeError):
        world.dir.authorize_charge(world.alice, world.account, "disk", "manage_billing", 5)  # type: ignore[arg-type]
