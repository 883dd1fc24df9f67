"""The value types: ids, actors, dataclasses, enums; readable reprs, equality,
no secret in a repr."""

from __future__ import annotations

import dataclasses
import datetime
import pickle

import pytest

import contactkeeper as ck
from conftest import PASSWORD, World, new_contact


def test_ids_are_value_types() -> None:
    a, b = ck.ContactId(5), ck.ContactId(5)
    assert a == b and hash(a) == hash(b) and a is not b
    assert a != ck.ContactId(6) and a < ck.ContactId(6)
    assert a != ck.AccountId(5)  # ids of different kinds never compare equal
    assert int(a) == a.value == 5
    assert str(a) == "contact:5" and repr(a) == "ContactId(5)"
    assert ck.ContactId.parse("contact:5") == a
    assert ck.AccountId.parse(str(ck.AccountId(9))) == ck.AccountId(9)
    with pytest.raises(ValueError):
        ck.ContactId.parse("account:5")
    for cls in (ck.AccountId, ck.ContactId, ck.ResourceId, ck.NotificationId):
        x = cls(2**63 - 1)
        assert pickle.loads(pickle.dumps(x)) == x
        assert {x: 1}[cls(2**63 - 1)] == 1


def test_actors() -> None:
    c = ck.Actor.contact(ck.ContactId(7))
    assert c == ck.Actor.contact(ck.ContactId(7)) and hash(c) == hash(ck.Actor.contact(ck.ContactId(7)))
    assert (c.kind, c.contact_id, c.audit_label) == ("contact", ck.ContactId(7), "contact:7")
    assert repr(c) == "Actor.contact(ContactId(7))"
    desk = ck.Actor.support_desk("jo", reason="caller lost access")
    assert (desk.kind, desk.agent, desk.reason, desk.audit_label) == (
        "support_desk", "jo", "caller lost access", "support:jo",
    )
    assert desk.contact_id is None
    assert repr(desk) == "Actor.support_desk(agent=\"jo\", reason=\"caller lost access\")"
    p = ck.Actor.partner("resel")
    assert (p.kind, p.partner_id, p.audit_label) == ("partner", "resel", "partner:resel")
    assert ck.Actor.SYSTEM.kind == "system" and repr(ck.Actor.SYSTEM) == "Actor.SYSTEM"
    assert ck.Actor.SYSTEM != p
    with pytest.raises(TypeError):
        ck.Actor()  # type: ignore[call-arg]


def test_dataclasses_are_frozen_with_equality() -> None:
    p = ck.Profile(name="Bob", email="bob@acme.example")
    assert p == ck.Profile("Bob", "bob@acme.example") and p.time_zone == "UTC"
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.name = "Rob"  # type: ignore[misc]
    assert dataclasses.replace(p, name="Rob").name == "Rob"
    assert hash(ck.Money(1, "USD")) == hash(ck.Money(1, "USD"))
    assert ck.PasswordPolicy() == ck.PasswordPolicy(min_length=8, history=5)
    assert ck.LockPolicy().max_attempts == 5
    assert ck.HashCost() == ck.HashCost(m_kib=19456, t=2, p=1)
    assert ck.SessionLifetimes().idle == datetime.timedelta(minutes=30)
    assert ck.NotificationPrefs() == ck.NotificationPrefs(True, True, True, True)


def test_secrets_never_appear_in_a_repr(world: World) -> None:
    nc = new_contact("bob", password="hunter2 hunter2 hunter2", password_hash="$argon2id$v=19$secret")
    assert "hunter2" not in repr(nc) and "argon2" not in repr(nc)
    o = world.sign_in("alice")
    assert isinstance(o, ck.SignedIn) and o.token not in repr(o) and o.token not in repr(o.session)
    world.dir.request_password_reset("alice", ck.RecoveryChannel.EMAIL)
    reset = [n for n in world.notes() if n.kind is ck.NotificationKind.PASSWORD_RESET][-1]
    assert reset.secret and reset.secret not in repr(reset) and reset.secret in reset.body
    start = world.dir.begin_two_factor_enrollment(
        world.alice, world.account, ck.TwoFactorMethod.TOTP, current_password=PASSWORD
    )
    assert start.secret_base32 and start.secret_base32 not in repr(start)


def test_times_are_aware_utc_datetimes(world: World) -> None:
    view = world.dir.account(world.alice, world.account)
    assert view.created_at == datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.timezone.utc)
    assert view.created_at.utcoffset() == datetime.timedelta(0)
    world.clock.set(datetime.datetime(2026, 7, 1, 14, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))))
    assert world.dir.now() == datetime.datetime(2026, 7, 1, 12, tzinfo=datetime.timezone.utc)
    with pytest.raises(TypeError):
        world.clock.set(datetime.datetime(2026, 7, 1))
    world.clock.advance(datetime.timedelta(minutes=-5))
    assert world.clock.now().minute == 55


def test_enums_use_the_cores_stable_names() -> None:
    assert ck.Role("contact_manager") is ck.Role.CONTACT_MANAGER
    assert ck.Operation.ACCOUNT_CREATE.value == "account.create"
    assert ck.Permission("read_audit") is ck.Permission.READ_AUDIT
    assert [c.value for c in ck.ErrorCode] == list(range(1, 14))
    # The native side checks, at first use, that every core value has its member.
    d = ck.Directory()
    created = d.create_account(ck.Actor.SYSTEM, name="A", owner=new_contact("a"))
    assert d.access(created.owner, created.account).permissions == frozenset(ck.Permission) - {
        ck.Permission.CREATE_ACCOUNTS,
        ck.Permission.REGISTER_SERVICES,
        ck.Permission.ENABLE_PROCUREMENT,
        ck.Permission.CHECK_SECURITY_ANSWERS,
        ck.Permission.REPORT_MILESTONES,
        ck.Permission.SEND_NOTICES,
    }


def test_every_exported_name_exists() -> None:
    for name in ck.__all__:
        assert getattr(ck, name) is not None, name
    assert ck.Directory.__module__ == "contactkeeper"


def test_sign_in_outcomes_are_distinct_types(world: World) -> None:
    outcomes = {
        ck.SignedIn, ck.PasswordChangeRequired, ck.SecondFactorRequired, ck.EnrollmentRequired,
        ck.Locked, ck.IpNotAllowed, ck.InvalidCredentials, ck.AccountRequired,
    }
    assert all(issubclass(o, ck.SignInOutcome) for o in outcomes)
    assert len({o.name for o in outcomes}) == len(outcomes)
    o = world.sign_in("alice", "wrong password 1")
    assert isinstance(o, ck.InvalidCredentials)
    assert o == ck.InvalidCredentials() and o.session is None
    unbound = ck.SignedIn(ck.SessionGrant("t", world.alice, world.account, ck.SessionStage.FULL, world.clock.now()))
    with pytest.raises(ValueError):
        unbound.sign_out()


def test_value_types_come_back_field_by_field(world: World) -> None:
    """Every field distinct, each checked by name: the bindings build value
    types by keyword, so two fields of the same type can never swap."""
    profile = ck.Profile(
        name="Robert Example",
        email="bob@acme.example",
        job_title="Head of Operations",
        business_phone="+1 555 0101",
        time_zone="Europe/Paris",
        alternate_email="robert@home.example",
        cell_phone="+1 555 0102",
    )
    bob = world.dir.create_contact(
        ck.Actor.SYSTEM, world.account, ck.NewContact(login="bob", profile=profile)
    ).contact
    got = world.dir.contact(ck.Actor.SYSTEM, world.account, bob).profile
    assert got.name == "Robert Example"
    assert got.email == "bob@acme.example"
    assert got.job_title == "Head of Operations"
    assert got.business_phone == "+1 555 0101"
    assert got.time_zone == "Europe/Paris"
    assert got.alternate_email == "robert@home.example"
    assert got.cell_phone == "+1 555 0102"
    assert got == profile

    plan = ck.Plan(
        name="gold",
        included_contacts=7,
        additional_contact_price=ck.Money(minor_units=1234, currency="EUR"),
        tech_options=("users", "services"),
    )
    world.dir.set_plan(ck.Actor.SYSTEM, world.account, plan)
    view = world.dir.account(ck.Actor.SYSTEM, world.account)
    assert view.plan.name == "gold" and view.plan.included_contacts == 7
    assert view.plan.additional_contact_price.minor_units == 1234
    assert view.plan.additional_contact_price.currency == "EUR"
    assert view.plan.tech_options == ("users", "services")
    assert view.id == world.account and view.owner == world.alice and view.name == "Acme Corp"

    service = ck.Service(key="svc.key", name="Service Name", enabled=False, option="services")
    world.dir.register_service(ck.Actor.SYSTEM, world.account, service)
    (got_service,) = world.dir.services(ck.Actor.SYSTEM, world.account)
    assert got_service.key == "svc.key" and got_service.name == "Service Name"
    assert got_service.enabled is False and got_service.option == "services"


def test_the_package_says_its_version() -> None:
    import importlib.metadata

    assert ck.__version__ == importlib.metadata.version("contactkeeper")
    assert ck.__version__.count(".") == 2
