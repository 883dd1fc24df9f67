"""SPEC I5: what a portal's screens read back, from Python."""

from __future__ import annotations

import datetime

import pytest

import contactkeeper as ck
from conftest import IP, PASSWORD, World, new_contact


def test_the_general_tab_reads_the_password_dates_and_the_reset_flag(world: World) -> None:
    # rule I5, D3, D4
    carol = world.contact("carol")
    made = world.dir.now()
    s = world.dir.password_status(carol, world.account, carol)
    assert isinstance(s, ck.PasswordStatus)
    assert s.set and s.changed_at == made
    assert s.expires_at == made + datetime.timedelta(days=365)
    assert not s.must_change and not s.change_required
    world.dir.set_must_change_password(world.alice, world.account, carol, True)
    s = world.dir.password_status(world.alice, world.account, carol)
    assert s.must_change and s.change_required
    billing = world.contact("bill", ck.Role.BILLING_MANAGER)
    with pytest.raises(ck.PermissionDeniedError) as e:
        world.dir.password_status(billing, world.account, carol)
    assert e.value.permission is ck.Permission.MANAGE_CONTACTS and e.value.rule == "C2"
    nopw = world.contact("nopw", password=None)
    s = world.dir.password_status(ck.Actor.SYSTEM, world.account, nopw)
    assert (s.set, s.changed_at, s.expires_at, s.change_required) == (False, None, None, False)


def test_the_login_options_tab_reads_the_method_and_phone(world: World) -> None:
    # rule I5, F1, F3
    carol = world.contact("carol")
    sm = world.contact("sm", ck.Role.SECURITY_MANAGER)
    s = world.dir.two_factor_status(carol, world.account, carol)
    assert isinstance(s, ck.TwoFactorStatus)
    assert s.method is None and s.assigned_method is None and not s.required
    world.dir.set_two_factor_method(sm, world.account, carol, ck.TwoFactorMethod.SMS, phone="+1 555 0199")
    world.dir.set_require_two_factor(world.alice, world.account, True)
    s = world.dir.two_factor_status(sm, world.account, carol)
    assert s.assigned_method is ck.TwoFactorMethod.SMS and s.assigned_phone == "+1 555 0199"
    assert s.required and s.method is None and not s.enrollment_pending
    world.dir.begin_two_factor_enrollment(
        carol, world.account, "sms", current_password=PASSWORD, phone="+1 555 0199"
    )
    assert world.dir.two_factor_status(carol, world.account, carol).enrollment_pending
    billing = world.contact("bill", ck.Role.BILLING_MANAGER)
    with pytest.raises(ck.PermissionDeniedError) as e:
        world.dir.two_factor_status(billing, world.account, carol)
    assert e.value.permission is ck.Permission.RESET_TWO_FACTOR


def test_the_account_policies_read_back(world: World) -> None:
    # rule I5, D2, E1, G1
    world.dir.set_lock_policy(world.alice, world.account, ck.LockPolicy(max_attempts=4))
    world.dir.set_password_policy(world.alice, world.account, ck.PasswordPolicy(min_length=12, history=6))
    world.dir.set_ip_allowlist(world.alice, world.account, ["10.0.0.0/8"], current_ip=IP)
    plain = world.contact("plain")
    p = world.dir.security_policy(plain, world.account)
    assert isinstance(p, ck.SecurityPolicy)
    assert p.lock == ck.LockPolicy(max_attempts=4)
    assert p.password == ck.PasswordPolicy(min_length=12, history=6)
    assert p.ip_allowlist == ("10.0.0.0/8",)
    assert not p.require_two_factor and p.force_change_before is None
    world.dir.require_password_change(world.alice, world.account)
    assert world.dir.security_policy(plain, world.account).force_change_before == world.dir.now()


def test_the_padlock_names_who_locked_by_hand(world: World) -> None:
    # rule I5, E6
    carol = world.contact("carol")
    assert world.dir.contact(world.alice, world.account, carol).locked_by is None
    world.dir.lock_contact(world.alice, world.account, carol)
    view = world.dir.contact(world.alice, world.account, carol)
    assert view.locked and view.locked_by == f"contact:{int(world.alice)}"


def test_find_contact_by_login_in_the_account_only(world: World) -> None:
    # rule I5, B3
    carol = world.contact("Carol.Smith")
    assert world.dir.find_contact(world.alice, world.account, "CAROL.smith").id == carol
    other = world.dir.create_account(ck.Actor.SYSTEM, name="Beta", owner=new_contact("olga"))
    for login in ("olga", "nobody"):
        with pytest.raises(ck.NotFoundError):
            world.dir.find_contact(world.alice, world.account, login)
    with pytest.raises(ck.PermissionDeniedError):
        world.dir.find_contact(other.owner, world.account, "carol.smith")
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.find_contact(world.alice, world.account, "bad\nlogin")
    assert e.value.field is ck.Field.LOGIN
    with pytest.raises(TypeError):
        world.dir.find_contact(world.alice, world.account, 5)  # type: ignore[arg-type]


def test_the_account_switcher(world: World) -> None:
    # rule I5, B6, B7
    sam = world.contact("sam", ck.Role.BILLING_MANAGER)
    beta = world.dir.create_account(ck.Actor.SYSTEM, name="Beta", owner=new_contact("olga"))
    added = world.dir.add_existing_contact(beta.owner, beta.account, "sam", roles=[ck.Role.CONTACT_MANAGER])
    assert added.pending
    # Invited only: not yet an account of sam's.
    assert [m.account for m in world.dir.my_accounts(sam)] == [world.account]
    world.dir.accept_invitation(sam, beta.account)
    mine = {m.account: m for m in world.dir.my_accounts(sam)}
    assert set(mine) == {world.account, beta.account}
    assert isinstance(mine[beta.account], ck.Membership)
    assert mine[beta.account].account_name == "Beta" and mine[beta.account].roles == {ck.Role.CONTACT_MANAGER}
    assert not mine[world.account].is_owner and not mine[world.account].locked
    with pytest.raises(ck.PermissionDeniedError):
        world.dir.my_accounts(ck.Actor.SYSTEM)


def test_the_account_contacts_page_sorts_filters_and_pages(world: World) -> None:
    # rule I5
    for login, name in (("bob", "Zed Bob"), ("carol", "carol Young"), ("dave", "Adam Dave")):
        world.dir.create_contact(
            ck.Actor.SYSTEM,
            world.account,
            ck.NewContact(login=login, profile=ck.Profile(name=name, email=f"{login}@acme.example")),
        )
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = world.dir.search_contacts(world.alice, world.account, sort=ck.ContactSort.NAME, limit=1, cursor=cursor)
        assert isinstance(page, ck.ContactPage) and len(page.contacts) <= 1
        seen += [c.login for c in page.contacts]
        if page.next is None:
            break
        cursor = page.next
    assert seen == ["dave", "alice", "carol", "bob"]
    by_text = world.dir.search_contacts(world.alice, world.account, sort="login", text="YOUNG", locked=False)
    assert [c.login for c in by_text.contacts] == ["carol"] and by_text.next is None
    managers = world.dir.search_contacts(world.alice, world.account, role=ck.Role.CONTACT_MANAGER)
    assert [c.login for c in managers.contacts] == ["alice"]  # the owner holds every role
    first = world.dir.search_contacts(world.alice, world.account, sort="name", limit=1)
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.search_contacts(world.alice, world.account, sort="email", cursor=first.next)
    assert e.value.field is ck.Field.CURSOR and e.value.problem is ck.Problem.NOT_OFFERED and e.value.rule == "I5"
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.search_contacts(world.alice, world.account, sort="size")
    assert e.value.field is ck.Field.SORT
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.search_contacts(world.alice, world.account, cursor="junk")
    assert e.value.field is ck.Field.CURSOR and e.value.problem is ck.Problem.MALFORMED
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.search_contacts(world.alice, world.account, text="x" * 201)
    assert e.value.field is ck.Field.FILTER
