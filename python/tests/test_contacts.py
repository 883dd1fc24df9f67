"""SPEC B: contacts, from Python."""

from __future__ import annotations

import datetime

import pytest

import contactkeeper as ck
from conftest import PASSWORD, World, new_contact


def test_managers_create_new_contacts_with_a_login_no_contact_has(world: World) -> None:
    # rule B1, B3
    bob = world.contact("bob", ck.Role.CONTACT_MANAGER)
    carol = world.dir.create_contact(bob, world.account, new_contact("carol")).contact
    assert world.dir.contact(bob, world.account, carol).login == "carol"
    with pytest.raises(ck.AlreadyExistsError) as e:
        world.dir.create_contact(bob, world.account, new_contact("CAROL"))
    assert e.value.entity is ck.Entity.LOGIN and e.value.rule == "K1"
    plain = world.contact("plain")
    with pytest.raises(ck.PermissionDeniedError) as d:
        world.dir.create_contact(plain, world.account, new_contact("dave"))
    assert d.value.permission is ck.Permission.MANAGE_CONTACTS


def test_check_login_then_add_a_contact_used_on_another_account(world: World) -> None:
    # rule B1, B6
    other = world.dir.create_account(ck.Actor.SYSTEM, name="Other", owner=new_contact("olga"))
    assert world.dir.check_login(other.owner, other.account, "Alice")
    assert not world.dir.check_login(other.owner, other.account, "nobody")
    added = world.dir.add_existing_contact(
        other.owner, other.account, "alice", roles=[ck.Role.BILLING_MANAGER]
    )
    assert added.contact == world.alice and added.pending
    # rule B7: the account sees the login and the roles offered; the contact
    # sees the invitation, and joins by accepting it.
    [pending] = world.dir.pending_invitations(other.owner, other.account)
    assert isinstance(pending, ck.PendingMember)
    assert (pending.contact, pending.login, pending.roles) == (world.alice, "alice", {ck.Role.BILLING_MANAGER})
    with pytest.raises(ck.NotFoundError):
        world.dir.contact(other.owner, other.account, world.alice)
    [invitation] = world.dir.invitations(world.alice)
    assert isinstance(invitation, ck.Invitation)
    assert invitation.account == other.account and invitation.account_name == "Other"
    assert invitation.expires_at - invitation.invited_at == datetime.timedelta(days=14)
    with pytest.raises(ck.RuleViolationError) as b7:
        world.dir.accept_invitation(other.owner, other.account)
    assert b7.value.rule == "B7"
    world.dir.accept_invitation(world.alice, other.account)
    with pytest.raises(ck.RuleViolationError):
        world.dir.decline_invitation(world.alice, other.account)
    assert world.dir.pending_invitations(other.owner, other.account) == []
    shared = world.dir.contact(other.owner, other.account, world.alice)
    assert shared.roles == {ck.Role.BILLING_MANAGER} and shared.accounts == 2
    with pytest.raises(ck.AlreadyExistsError) as e:
        world.dir.add_existing_contact(other.owner, other.account, "alice")
    assert e.value.entity is ck.Entity.CONTACT
    with pytest.raises(ck.RuleViolationError) as r:
        world.dir.update_contact(other.owner, other.account, world.alice, name="Not Alice")
    assert r.value.rule == "B6"


def test_every_field_is_kept_trimmed_and_validated(world: World) -> None:
    # rule B2
    profile = ck.Profile(
        name="  Bob Builder ",
        email="bob@acme.example",
        job_title="Engineer",
        business_phone="+1 555 0100",
        time_zone="Europe/Paris",
        alternate_email="bob@home.example",
        cell_phone="+1 555 0199",
    )
    bob = world.dir.create_contact(world.alice, world.account, ck.NewContact("bob", profile)).contact
    view = world.dir.contact(world.alice, world.account, bob)
    assert view.profile.name == "Bob Builder"
    assert view.profile.time_zone == "Europe/Paris"
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.update_contact(world.alice, world.account, bob, time_zone="Mars/Base")
    assert e.value.field is ck.Field.TIME_ZONE and e.value.problem is ck.Problem.UNKNOWN_TIME_ZONE
    assert e.value.rule == "B2"
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.update_contact(world.alice, world.account, bob, name="x" * 201)
    assert e.value.problem is ck.Problem.TOO_LONG and e.value.limit == 200
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.update_contact(world.alice, world.account, bob, job_title="a\u202eb")
    assert e.value.problem is ck.Problem.CONTROL_CHARACTER


def test_an_update_changes_only_what_it_names_and_reports_it(world: World) -> None:
    # rule B2, I2
    bob = world.contact("bob")
    changed = world.dir.update_contact(
        world.alice, world.account, bob, name="Robert", cell_phone="+1 555 0111", job_title=None
    )
    assert changed == [ck.Field.NAME, ck.Field.CELL_PHONE]
    view = world.dir.contact(world.alice, world.account, bob)
    assert (view.profile.name, view.profile.cell_phone) == ("Robert", "+1 555 0111")
    assert world.dir.update_contact(world.alice, world.account, bob, cell_phone=None) == [ck.Field.CELL_PHONE]
    assert world.dir.contact(world.alice, world.account, bob).profile.cell_phone is None
    assert world.dir.update_contact(world.alice, world.account, bob) == []
    notices = [n for n in world.notes() if n.kind is ck.NotificationKind.SECURITY]
    assert notices and all("name" not in n.fields for n in notices)


def test_changing_ones_own_email_asks_for_the_password(world: World) -> None:
    # rule D8
    with pytest.raises(ck.InvalidCredentialsError) as e:
        world.dir.update_contact(world.alice, world.account, world.alice, email="new@acme.example")
    assert e.value.rule == "D8" and e.value.code == 11
    with pytest.raises(ck.InvalidCredentialsError):
        world.dir.update_contact(
            world.alice, world.account, world.alice, email="new@acme.example", current_password="wrong password!"
        )
    world.dir.update_contact(
        world.alice, world.account, world.alice, email="new@acme.example", current_password=PASSWORD
    )
    assert world.dir.contact(world.alice, world.account, world.alice).profile.email == "new@acme.example"


def test_update_contact_refuses_unknown_and_cleared_required_fields(world: World) -> None:
    bob = world.contact("bob")
    with pytest.raises(TypeError, match="login"):
        world.dir.update_contact(world.alice, world.account, bob, login="robert")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="name"):
        world.dir.update_contact(world.alice, world.account, bob, name=None)  # type: ignore[arg-type]


def test_managers_delete_contacts(world: World) -> None:
    # rule B5
    bob = world.contact("bob")
    world.dir.delete_contact(world.alice, world.account, bob)
    with pytest.raises(ck.NotFoundError) as e:
        world.dir.contact(world.alice, world.account, bob)
    assert e.value.entity is ck.Entity.CONTACT
    with pytest.raises(ck.NotFoundError):
        world.dir.delete_contact(world.alice, world.account, bob)
    assert not world.dir.check_login(world.alice, world.account, "bob")


def test_contacts_are_listed_page_by_page_in_id_order(world: World) -> None:
    for i in range(7):
        world.contact(f"c{i}")
    first = world.dir.list_contacts(world.alice, world.account, limit=3)
    assert len(first) == 3
    rest = world.dir.list_contacts(world.alice, world.account, after=first[-1].id, limit=100)
    everyone = first + rest
    assert len(everyone) == 8
    assert [c.id for c in everyone] == sorted(c.id for c in everyone)
    assert [c.id for c in world.dir.iter_contacts(world.alice, world.account, page_size=2)] == [
        c.id for c in everyone
    ]
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.list_contacts(world.alice, world.account, limit=0)
    assert e.value.field is ck.Field.LIMIT and e.value.problem is ck.Problem.OUT_OF_RANGE


def test_passwords_and_hashes_are_imported_once(world: World) -> None:
    # rule D1, D2
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.create_contact(
            world.alice, world.account, new_contact("bob", password="password")
        )
    assert e.value.field is ck.Field.PASSWORD and e.value.problem is ck.Problem.COMMON_PASSWORD
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.create_contact(
            world.alice, world.account, new_contact("bob", password=PASSWORD, password_hash="$argon2id$x")
        )
    assert e.value.field is ck.Field.PASSWORD_HASH
    bob = world.dir.create_contact(
        world.alice, world.account, new_contact("bob", password=PASSWORD.encode(), must_change_password=True)
    ).contact
    assert isinstance(world.sign_in("bob"), ck.PasswordChangeRequired)
    assert bob
