"""SPEC A: accounts and ownership, from Python."""

from __future__ import annotations

import pytest

import contactkeeper as ck
from conftest import World, new_contact


def test_creating_an_account_creates_its_owner(directory: ck.Directory) -> None:
    # rule A1
    created = directory.create_account(ck.Actor.SYSTEM, name="Acme Corp", owner=new_contact("alice"))
    view = directory.account(ck.Actor.SYSTEM, created.account)
    assert isinstance(view, ck.AccountView)
    assert view.owner == created.owner
    assert view.name == "Acme Corp"
    assert view.contacts == 1
    assert view.partner is None
    assert view.plan == ck.Plan()
    assert view.created_at.tzinfo is not None
    owner = directory.contact(ck.Actor.SYSTEM, created.account, created.owner)
    assert owner.is_owner and owner.login == "alice" and owner.roles == frozenset(ck.Role)


def test_partners_resell_the_accounts_they_create(directory: ck.Directory) -> None:
    # rule A1
    created = directory.create_account(ck.Actor.partner("resel"), name="B", owner=new_contact("b1"))
    assert directory.account(ck.Actor.SYSTEM, created.account).partner == "resel"
    with pytest.raises(ck.PermissionDeniedError) as e:
        directory.create_account(created.owner, name="C", owner=new_contact("c1"))
    assert e.value.permission is ck.Permission.CREATE_ACCOUNTS


def test_an_existing_contact_can_own_a_new_account(world: World) -> None:
    # rule A1, B6
    other = world.dir.create_account(ck.Actor.SYSTEM, name="Other", owner="ALICE")
    assert other.owner == world.alice
    assert world.dir.contact(ck.Actor.SYSTEM, other.account, world.alice).accounts == 2
    with pytest.raises(ck.NotFoundError) as e:
        world.dir.create_account(ck.Actor.SYSTEM, name="X", owner="nobody")
    assert e.value.entity is ck.Entity.LOGIN


def test_the_owner_transfers_ownership_and_keeps_every_standard_role(world: World) -> None:
    # rule A2, A3
    bob = world.contact("bob")
    with pytest.raises(ck.RuleViolationError) as e:
        world.dir.set_roles(world.alice, world.account, world.alice, [])
    assert e.value.rule == "A2"
    world.dir.transfer_ownership(world.alice, world.account, bob)
    assert world.dir.account(bob, world.account).owner == bob
    former = world.dir.contact(bob, world.account, world.alice)
    assert not former.is_owner
    assert former.roles == frozenset(ck.Role) - {ck.Role.PROCUREMENT_MANAGER}
    kinds = {n.kind for n in world.notes()}
    assert {ck.NotificationKind.OWNERSHIP_RECEIVED, ck.NotificationKind.OWNERSHIP_LOST} <= kinds
    with pytest.raises(ck.RuleViolationError) as e:
        world.dir.transfer_ownership(bob, world.account, bob)
    assert e.value.rule == "A3"
    assert e.value.explanation


def test_the_support_desk_transfers_ownership_with_a_reason(world: World) -> None:
    # rule A4
    bob = world.contact("bob")
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.transfer_ownership(ck.Actor.support_desk("jo"), world.account, bob)
    assert e.value.field is ck.Field.REASON and e.value.problem is ck.Problem.EMPTY
    assert e.value.rule == "A4"
    desk = ck.Actor.support_desk("jo", reason="owner left the company")
    world.dir.transfer_ownership(desk, world.account, bob)
    last = world.audit(operation=ck.Operation.OWNERSHIP_TRANSFER)[-1]
    assert last.actor == "support:jo" and last.ok
    assert last.detail is not None and "owner left the company" in last.detail


def test_the_owner_cannot_be_deleted_until_ownership_moves(world: World) -> None:
    # rule A5
    bob = world.contact("bob", ck.Role.CONTACT_MANAGER)
    with pytest.raises(ck.RuleViolationError) as e:
        world.dir.delete_contact(ck.Actor.SYSTEM, world.account, world.alice)
    assert e.value.rule == "A5" and e.value.code == ck.ErrorCode.RULE_VIOLATION
    world.dir.transfer_ownership(world.alice, world.account, bob)
    world.dir.delete_contact(bob, world.account, world.alice)
    with pytest.raises(ck.NotFoundError):
        world.dir.contact(bob, world.account, world.alice)


def test_managers_cannot_change_the_owners_details(world: World) -> None:
    # rule A6
    bob = world.contact("bob", ck.Role.CONTACT_MANAGER, ck.Role.SECURITY_MANAGER)
    with pytest.raises(ck.RuleViolationError) as e:
        world.dir.update_contact(bob, world.account, world.alice, email="mallory@evil.example")
    assert e.value.rule == "A6"
    for op in (world.dir.lock_contact, world.dir.reset_two_factor):
        with pytest.raises(ck.RuleViolationError):
            op(bob, world.account, world.alice)
    assert world.dir.contact(bob, world.account, world.alice).profile.email == "alice@acme.example"


def test_adding_a_contact_beyond_the_plan_says_what_it_costs(world: World) -> None:
    # rule A7
    plan = ck.Plan(name="small", included_contacts=2, additional_contact_price=ck.Money(500, "EUR"))
    world.dir.set_plan(world.alice, world.account, plan)
    assert world.dir.account(world.alice, world.account).plan == plan
    assert world.dir.contact_charge(world.alice, world.account) is None
    first = world.dir.create_contact(world.alice, world.account, new_contact("bob"))
    assert first.charge is None
    assert world.dir.contact_charge(world.alice, world.account) == ck.Money(500, "EUR")
    second = world.dir.create_contact(world.alice, world.account, new_contact("carol"))
    assert second.charge == ck.Money(minor_units=500, currency="EUR")
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.set_plan(world.alice, world.account, ck.Plan(additional_contact_price=ck.Money(1, "eur")))
    assert e.value.field is ck.Field.CURRENCY


def test_procurement_mode_is_for_the_support_desk(world: World) -> None:
    # rule C3
    with pytest.raises(ck.PermissionDeniedError):
        world.dir.set_procurement(world.alice, world.account, True)
    world.dir.set_procurement(ck.Actor.support_desk("jo", "partner asked"), world.account, True)
    assert world.dir.account(world.alice, world.account).procurement_enabled
    assert ck.Role.PROCUREMENT_MANAGER in world.dir.access(world.alice, world.account).assignable_roles


def test_services_are_listed_per_permission(world: World) -> None:
    # rule A8
    world.dir.register_service(ck.Actor.SYSTEM, world.account, ck.Service("mail", "Mail", True, "services"))
    world.dir.register_service(ck.Actor.SYSTEM, world.account, ck.Service("fax", "Fax", False, "services"))
    world.dir.register_service(ck.Actor.SYSTEM, world.account, ck.Service("stats", "Stats", True, "reports"))
    with pytest.raises(ck.PermissionDeniedError):
        world.dir.register_service(world.alice, world.account, ck.Service("x", "X", True, "users"))
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.register_service(ck.Actor.SYSTEM, world.account, ck.Service("x", "X", True, "nope"))
    assert e.value.problem is ck.Problem.NOT_OFFERED
    assert {s.key for s in world.dir.services(world.alice, world.account)} == {"mail", "fax", "stats"}
    tech = world.contact("tech", ck.Role.TECHNICAL_ADMIN)
    world.dir.set_roles(world.alice, world.account, tech, [ck.Role.TECHNICAL_ADMIN], tech_scope=["services"])
    assert [s.key for s in world.dir.services(tech, world.account)] == ["mail"]
    assert world.dir.services(world.contact("plain"), world.account) == []


def test_money_reads_as_a_person_reads_it() -> None:
    # rule A7
    assert str(ck.Money(500, "USD")) == "5.00 USD"
    assert str(ck.Money(5, "EUR")) == "0.05 EUR"
    assert str(ck.Money(500, "JPY")) == "500 JPY"
    assert str(ck.Money(1250, "KWD")) == "1.250 KWD"
    assert str(ck.Money(-1, "USD")) == "-1 minor units of 'USD'"
