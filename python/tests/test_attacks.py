"""The attack suite from Python (SPEC B7, C7, D7, D8, F1): the paths of
core/tests/attacks.rs that go through calls of their own here; the rest run
as the shared scenario tests/scenarios/takeover.json."""

from __future__ import annotations

import pytest

import contactkeeper as ck
from conftest import World, new_contact


def test_a_manager_sets_another_contacts_second_factor_only_within_c7(world: World) -> None:
    # rule F1, C7, D8
    cm = world.contact("carl", ck.Role.CONTACT_MANAGER)
    sm = world.contact("sara", ck.Role.SECURITY_MANAGER)
    pat = world.contact("pat")
    with pytest.raises(ck.RuleViolationError) as e:
        world.dir.set_two_factor_method(cm, world.account, sm, ck.TwoFactorMethod.SMS, phone="+1 555 0100")
    assert e.value.rule == "C7"
    with pytest.raises(ck.RuleViolationError) as own:
        world.dir.set_two_factor_method(cm, world.account, cm, "sms", phone="+1 555 0100")
    assert own.value.rule == "D8"
    with pytest.raises(ck.InvalidInputError) as bad:
        world.dir.set_two_factor_method(cm, world.account, pat, "sms")
    assert bad.value.field is ck.Field.TWO_FACTOR_PHONE
    world.dir.set_two_factor_method(cm, world.account, pat, "sms", phone="+1 555 0142")
    outcome = world.sign_in("pat")
    assert isinstance(outcome, ck.EnrollmentRequired)


def test_a_login_joins_another_account_only_by_accepting(world: World) -> None:
    # rule B7, E2
    other = world.dir.create_account(ck.Actor.SYSTEM, name="Other", owner=new_contact("olga"))
    vera = world.contact("vera", ck.Role.SECURITY_MANAGER)
    added = world.dir.add_existing_contact(other.owner, other.account, "vera", roles=["contact_manager"])
    assert added.pending
    world.dir.set_lock_policy(other.owner, other.account, ck.LockPolicy(1))
    world.sign_in("vera", "guessing wrong")
    assert isinstance(world.sign_in("vera"), ck.SignedIn)
    with pytest.raises(ck.RuleViolationError) as e:
        world.dir.transfer_ownership(other.owner, other.account, vera)
    assert e.value.rule == "A3"
    world.dir.decline_invitation(vera, other.account)
    with pytest.raises(ck.RuleViolationError) as twice:
        world.dir.accept_invitation(vera, other.account)
    assert twice.value.rule == "B7"


def test_a_narrow_technical_administrator_cannot_take_over_a_wider_one(world: World) -> None:
    # rule C7, C4
    nina = world.contact("nina", ck.Role.CONTACT_MANAGER, ck.Role.TECHNICAL_ADMIN)
    world.dir.set_roles(
        world.alice, world.account, nina, ["contact_manager", "technical_admin"], tech_scope=["users"]
    )
    walt = world.contact("walt", ck.Role.TECHNICAL_ADMIN)
    with pytest.raises(ck.RuleViolationError) as e:
        world.dir.reset_password(nina, world.account, walt)
    assert e.value.rule == "C7"
    pia = world.contact("pia", ck.Role.TECHNICAL_ADMIN)
    world.dir.set_roles(world.alice, world.account, pia, ["technical_admin"], tech_scope=["users"])
    assert world.dir.reset_password(nina, world.account, pia) is not None


def test_an_invitation_stands_only_while_its_sender_could_still_send_it(world: World) -> None:
    # rule B7, C6
    other = world.dir.create_account(ck.Actor.SYSTEM, name="Other", owner=new_contact("olga"))
    carl = world.contact("carl", ck.Role.CONTACT_MANAGER)
    world.dir.add_existing_contact(carl, world.account, "olga", roles=["contact_manager"])
    world.dir.set_roles(world.alice, world.account, carl, [])
    with pytest.raises(ck.RuleViolationError) as e:
        world.dir.accept_invitation(other.owner, world.account)
    assert e.value.rule == "B7"
    # A manager of the account the invited login belongs to cannot reach it either.
    world.dir.set_roles(world.alice, world.account, carl, ["contact_manager"])
    world.dir.accept_invitation(other.owner, world.account)
    with pytest.raises(ck.RuleViolationError) as shared:
        world.dir.reset_password(carl, world.account, other.owner)
    assert shared.value.rule == "C7"
