"""SPEC K2 from Python: wrong types, None, surrogates, huge strings, a
notifier that raises or is not callable, a closed directory, a revoked
session. Each raises a documented exception, and nothing changes (but the
audit entry that records a refusal)."""

from __future__ import annotations

import datetime
from typing import Any, Callable

import pytest

import contactkeeper as ck
from conftest import PASSWORD, World, new_contact

HUGE = "x" * 10_000_000


def snapshot(world: World) -> tuple[list[ck.ContactView], int]:
    contacts = world.dir.list_contacts(ck.Actor.SYSTEM, world.account, limit=ck.MAX_PAGE)
    return contacts, len(world.audit())


def unchanged(world: World, before: tuple[list[ck.ContactView], int], refusals: int = 0) -> None:
    contacts, entries = snapshot(world)
    assert contacts == before[0]
    assert entries - before[1] <= refusals
    # The snapshot itself reads; the chain stays intact.
    assert world.dir.verify_audit(ck.Actor.SYSTEM, world.account).intact


def test_wrong_types_raise_type_error_and_change_nothing(world: World) -> None:
    before = snapshot(world)
    calls: list[Callable[[], Any]] = [
        lambda: world.dir.check_login(world.alice, world.account, 42),
        lambda: world.dir.check_login(world.alice, world.account, b"alice"),
        lambda: world.dir.check_login(42, world.account, "alice"),
        lambda: world.dir.check_login("alice", world.account, "alice"),
        lambda: world.dir.check_login(world.alice, 42, "alice"),
        lambda: world.dir.check_login(world.alice, world.alice, "alice"),
        lambda: world.dir.create_contact(world.alice, world.account, {"login": "bob"}),
        lambda: world.dir.create_contact(world.alice, world.account, ck.NewContact(login=7, profile=ck.Profile("B", "b@x.example"))),
        lambda: world.dir.create_contact(world.alice, world.account, new_contact("bob", roles=[42])),
        lambda: world.dir.create_contact(world.alice, world.account, new_contact("bob", roles="contact_manager")),
        lambda: world.dir.create_contact(world.alice, world.account, new_contact("bob", password=12345678)),
        lambda: world.dir.create_contact(world.alice, world.account, new_contact("bob", must_change_password=1)),
        lambda: world.dir.set_roles(world.alice, world.account, world.alice, [ck.Permission.READ_AUDIT]),
        lambda: world.dir.set_procurement(ck.Actor.SYSTEM, world.account, "yes"),
        lambda: world.dir.set_plan(world.alice, world.account, ck.Plan(included_contacts="5")),
        lambda: world.dir.set_plan(world.alice, world.account, ck.Plan(tech_options="users")),
        lambda: world.dir.list_contacts(world.alice, world.account, limit="10"),
        lambda: world.dir.sign_in(42, PASSWORD, ip="10.0.0.1"),
        lambda: world.dir.sign_in("alice", 42, ip="10.0.0.1"),
        lambda: world.dir.sign_in("alice", PASSWORD, ip="10.0.0.1", device_token=42),
        lambda: world.dir.sign_in("alice", PASSWORD, ip="10.0.0.1", remember_device="yes"),
        lambda: world.dir.authenticate(b"token"),
        lambda: world.dir.set_security_answers(world.alice, world.account, [(0, "a")], current_password=PASSWORD),
        lambda: world.dir.set_lock_policy(world.alice, world.account, 5),
        lambda: world.dir.reset_password(world.alice, world.account, world.alice, channel=3),
        lambda: ck.ManualClock(1234567890),
    ]
    for call in calls:
        with pytest.raises(TypeError):
            call()
    unchanged(world, before)


def test_none_where_not_allowed_raises_type_error(world: World) -> None:
    before = snapshot(world)
    calls: list[Callable[[], Any]] = [
        lambda: world.dir.account(None, world.account),
        lambda: world.dir.account(world.alice, None),
        lambda: world.dir.check_login(world.alice, world.account, None),
        lambda: world.dir.create_contact(world.alice, world.account, None),
        lambda: world.dir.create_contact(world.alice, world.account, ck.NewContact("bob", None)),
        lambda: world.dir.create_contact(world.alice, world.account, ck.NewContact("bob", ck.Profile(None, "b@x.example"))),
        lambda: world.dir.sign_in("alice", None, ip="10.0.0.1"),
        lambda: world.dir.sign_in("alice", PASSWORD, ip=None),
        lambda: world.dir.update_contact(world.alice, world.account, world.alice, email=None),
        lambda: world.dir.set_roles(world.alice, world.account, world.alice, None),
        lambda: world.dir.transfer_ownership(world.alice, world.account, None),
        lambda: world.dir.authenticate(None),
    ]
    for call in calls:
        with pytest.raises(TypeError):
            call()
    unchanged(world, before)


def test_surrogates_are_invalid_input_for_the_field_they_were_meant_for(world: World) -> None:
    before = snapshot(world)
    cases: list[tuple[Callable[[], Any], ck.Field]] = [
        (lambda: world.dir.check_login(world.alice, world.account, "al\ud800ice"), ck.Field.LOGIN),
        (lambda: world.dir.create_contact(world.alice, world.account, new_contact("bob\udfff")), ck.Field.LOGIN),
        (
            lambda: world.dir.create_contact(
                world.alice, world.account, ck.NewContact("bob", ck.Profile("B\ud800", "b@x.example"))
            ),
            ck.Field.NAME,
        ),
        (lambda: world.dir.create_contact(world.alice, world.account, new_contact("bob", password="pass\ud800word!")), ck.Field.PASSWORD),
        (lambda: world.dir.update_contact(world.alice, world.account, world.alice, job_title="\udc80"), ck.Field.JOB_TITLE),
        (lambda: world.dir.create_account(ck.Actor.SYSTEM, name="\ud800", owner=new_contact("zed")), ck.Field.ACCOUNT_NAME),
        (lambda: ck.Actor.support_desk("jo\ud800"), ck.Field.AGENT),
    ]
    for call, field in cases:
        with pytest.raises(ck.InvalidInputError) as e:
            call()
        assert e.value.field is field and e.value.problem is ck.Problem.MALFORMED
    # Values presented for verification answer as any wrong value would.
    assert isinstance(world.dir.sign_in("\ud800", PASSWORD, ip="10.0.0.1"), ck.InvalidCredentials)
    assert isinstance(world.dir.sign_in("alice", "\ud800", ip="10.0.0.1"), ck.InvalidCredentials)
    assert isinstance(world.dir.sign_in("alice", PASSWORD, ip="10.0.0.1", device_token="\ud800"), ck.SignedIn)
    with pytest.raises(ck.UnauthenticatedError) as u:
        world.dir.authenticate("\ud800")
    assert u.value.reason is ck.AuthFailure.INVALID_TOKEN
    contacts, _ = snapshot(world)
    assert contacts == before[0]


def test_huge_strings_are_refused_without_a_crash(world: World) -> None:
    before = snapshot(world)
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.create_contact(world.alice, world.account, ck.NewContact("bob", ck.Profile(HUGE, "b@x.example")))
    assert e.value.problem is ck.Problem.TOO_LONG and e.value.limit == 200
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.check_login(world.alice, world.account, HUGE)
    assert e.value.field is ck.Field.LOGIN and e.value.problem is ck.Problem.TOO_LONG
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.create_contact(world.alice, world.account, new_contact("bob", password=HUGE))
    assert e.value.field is ck.Field.PASSWORD
    assert isinstance(world.dir.sign_in("alice", HUGE, ip="10.0.0.1"), ck.InvalidCredentials)
    assert isinstance(world.dir.sign_in(HUGE, PASSWORD, ip="10.0.0.1"), ck.InvalidCredentials)
    with pytest.raises(ck.UnauthenticatedError):
        world.dir.authenticate(HUGE)
    with pytest.raises(ck.InvalidInputError):
        world.dir.audit_entries(world.alice, world.account, by=HUGE)
    contacts, _ = snapshot(world)
    assert contacts == before[0]
    assert isinstance(world.sign_in("alice"), ck.SignedIn)


def test_out_of_range_numbers_raise_the_librarys_typed_error(world: World) -> None:
    # rule K2: a number out of its range is bad input, typed and naming its
    # field: an InvalidInputError (a ValueError), never an OverflowError.
    support = ck.Actor.support_desk("jo", "a caller")
    cases: list[tuple[Callable[[], Any], ck.Field]] = [
        (lambda: ck.ContactId(-1), ck.Field.ID),
        (lambda: ck.ContactId(2**64), ck.Field.ID),
        (lambda: ck.AccountId(-5), ck.Field.ID),
        (lambda: ck.ResourceId(2**70), ck.Field.ID),
        (lambda: world.dir.list_contacts(world.alice, world.account, limit=-1), ck.Field.LIMIT),
        (lambda: world.dir.search_contacts(world.alice, world.account, limit=2**70), ck.Field.LIMIT),
        (lambda: world.dir.resources(world.alice, world.account, limit=-1), ck.Field.LIMIT),
        (lambda: world.dir.audit_entries(world.alice, world.account, limit=-1), ck.Field.LIMIT),
        (lambda: world.dir.audit_entries(world.alice, world.account, after_seq=-1), ck.Field.AFTER_SEQ),
        (lambda: world.dir.pending_notifications(limit=-1), ck.Field.LIMIT),
        (lambda: list(world.dir.iter_contacts(world.alice, world.account, page_size=-1)), ck.Field.LIMIT),
        (
            lambda: world.dir.set_lock_policy(world.alice, world.account, ck.LockPolicy(max_attempts=2**40)),
            ck.Field.LOCK_POLICY,
        ),
        (
            lambda: world.dir.check_security_answer(support, world.account, world.alice, question=-1, answer="x"),
            ck.Field.SECURITY_QUESTION,
        ),
        (lambda: ck.Directory(max_attempts=-3), ck.Field.LOCK_POLICY),
    ]
    for call, field in cases:
        with pytest.raises(ck.InvalidInputError) as e:
            call()
        assert e.value.field is field and e.value.problem is ck.Problem.OUT_OF_RANGE, (field, e.value)
        assert isinstance(e.value, ValueError)


def test_a_notifier_that_raises_or_is_not_callable() -> None:
    with pytest.raises(TypeError):
        ck.Directory(notifier=42)  # type: ignore[arg-type]

    def boom(n: ck.Notification) -> None:
        raise KeyError("boom")

    d = ck.Directory(notifier=boom, hash_cost=ck.HashCost(m_kib=256, t=1, p=1))
    acme = d.create_account(ck.Actor.SYSTEM, name="Acme", owner=new_contact("alice"))
    bob = d.create_contact(ck.Actor.SYSTEM, acme.account, new_contact("bob")).contact
    d.transfer_ownership(acme.owner, acme.account, bob)
    assert d.account(bob, acme.account).owner == bob


def every_call(d: ck.Directory, w: dict[str, Any]) -> list[Callable[[], Any]]:
    """One call of every Directory method, with valid arguments."""
    a, acct, c, r = ck.Actor.SYSTEM, w["account"], w["contact"], w["resource"]
    now = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
    return [
        lambda: d.now(),
        lambda: d.create_account(a, name="N", owner=new_contact("n1")),
        lambda: d.account(a, acct),
        lambda: d.set_plan(a, acct, ck.Plan()),
        lambda: d.set_procurement(a, acct, True),
        lambda: d.register_service(a, acct, ck.Service("k", "K", True, "users")),
        lambda: d.services(a, acct),
        lambda: d.transfer_ownership(a, acct, c),
        lambda: d.contact_charge(a, acct),
        lambda: d.check_login(a, acct, "x"),
        lambda: d.create_contact(a, acct, new_contact("n2")),
        lambda: d.add_existing_contact(a, acct, "x"),
        lambda: d.invitations(a),
        lambda: d.set_two_factor_method(a, acct, c, "sms", phone="+1 555 0100"),
        lambda: d.accept_invitation(a, acct),
        lambda: d.decline_invitation(a, acct),
        lambda: d.pending_invitations(a, acct),
        lambda: d.update_contact(a, acct, c, name="N"),
        lambda: d.delete_contact(a, acct, c),
        lambda: d.set_roles(a, acct, c, []),
        lambda: d.contact(a, acct, c),
        lambda: d.find_contact(a, acct, "x"),
        lambda: d.search_contacts(a, acct),
        lambda: d.my_accounts(a),
        lambda: d.password_status(a, acct, c),
        lambda: d.two_factor_status(a, acct, c),
        lambda: d.security_policy(a, acct),
        lambda: d.list_contacts(a, acct),
        lambda: d.iter_contacts(a, acct),
        lambda: d.access(a, acct),
        lambda: d.authorize(a, acct, ck.Permission.READ_AUDIT),
        lambda: d.authorize_charge(a, acct, "disk", ck.Permission.MANAGE_BILLING, ck.Money(1, "USD")),
        lambda: d.allows(a, acct, ck.Permission.READ_AUDIT),
        lambda: d.audit_entries(a, acct, since=now),
        lambda: d.iter_audit(a, acct),
        lambda: d.export_audit_csv(a, acct, "/nonexistent/never.csv"),
        lambda: d.audit_csv(a, acct),
        lambda: d.verify_audit(a, acct),
        lambda: d.verify_directory_audit(a),
        lambda: d.directory_audit_entries(a),
        lambda: d.prune_directory_audit(a),
        lambda: d.pending_notifications(),
        lambda: d.deliver_pending(),
        lambda: d.set_notification_prefs(a, acct, c, ck.NotificationPrefs()),
        lambda: d.send_maintenance_notice(a, acct, subject="s", body="b"),
        lambda: d.send_billing_notice(a, acct, subject="s", body="b"),
        lambda: d.sign_in("x", "y", ip="10.0.0.1"),
        lambda: d.authenticate("t"),
        lambda: d.session_actor("t"),
        lambda: d.sign_out("t"),
        lambda: d.purge_expired_sessions(),
        lambda: d.purge_throttle(),
        lambda: d.reseal_secrets(ck.AccountId(1)),
        lambda: d.complete_second_factor("t", "123456"),
        lambda: d.resend_second_factor_code("t"),
        lambda: d.change_password_with_session("t", current="a", new="b"),
        lambda: d.begin_enrollment_with_session("t", ck.TwoFactorMethod.EMAIL),
        lambda: d.confirm_enrollment_with_session("t", "123456"),
        lambda: d.change_password(a, acct, current="a", new="b"),
        lambda: d.reset_password(a, acct, c),
        lambda: d.set_must_change_password(a, acct, c, True),
        lambda: d.set_password_policy(a, acct, ck.PasswordPolicy()),
        lambda: d.require_password_change(a, acct),
        lambda: d.request_password_reset("x", ck.RecoveryChannel.EMAIL),
        lambda: d.complete_password_reset("x", "s", new="p"),
        lambda: d.set_lock_policy(a, acct, None),
        lambda: d.lock_contact(a, acct, c),
        lambda: d.unlock_contact(a, acct, c),
        lambda: d.begin_two_factor_enrollment(a, acct, ck.TwoFactorMethod.TOTP, current_password="p"),
        lambda: d.confirm_two_factor_enrollment(a, acct, "123456"),
        lambda: d.reset_two_factor(a, acct, c),
        lambda: d.set_require_two_factor(a, acct, True),
        lambda: d.set_security_answers(a, acct, {0: "a"}, current_password="p"),
        lambda: d.security_questions(a, acct, c),
        lambda: d.check_security_answer(a, acct, c, question=0, answer="a"),
        lambda: d.set_ip_allowlist(a, acct, [], current_ip="10.0.0.1"),
        lambda: d.add_resource(a, acct, kind="k", name="n", primary=c),
        lambda: d.set_technical_contacts(a, acct, r, primary=c),
        lambda: d.remove_resource(a, acct, r),
        lambda: d.resource(a, acct, r),
        lambda: d.resources(a, acct),
        lambda: d.duties(a, acct, c),
        lambda: d.reassign_duties(a, acct, from_contact=c, to_contact=c),
        lambda: d.set_billing_contacts(a, acct, primary=c),
        lambda: d.billing_contacts(a, acct),
        lambda: d.create_contact_with_duty(a, acct, new_contact("n3"), ck.BillingDuty()),
        lambda: list(d.iter_resources(a, acct)),
        lambda: d.add_resource_with_new_primary(a, acct, kind="k", name="n4", contact=new_contact("n4")),
        lambda: d.designate(a, acct, c, ck.BillingDuty(), ck.DutyInfo()),
        lambda: d.report_milestone(a, acct, r, ck.Milestone.SOFTWARE_READY),
    ]


def test_a_closed_directory_refuses_every_call(world: World) -> None:
    bob = world.contact("bob")
    pc = world.dir.add_resource(world.alice, world.account, kind="computer", name="pc", primary=bob)
    iterator = world.dir.iter_audit(world.alice, world.account)
    with world.dir as d:
        assert not d.closed
    assert world.dir.closed and "closed" in repr(world.dir)
    world.dir.close()  # twice is fine
    calls = every_call(world.dir, {"account": world.account, "contact": bob, "resource": pc})
    public = {n for n in dir(ck.Directory) if not n.startswith("_")} - {"close", "closed", "open", "path"}
    assert len(calls) == len(public), sorted(public)
    for call in calls:
        with pytest.raises(ck.DirectoryClosedError):
            call()
    with pytest.raises(ck.DirectoryClosedError):
        next(iterator)


def test_a_session_used_after_its_revocation(world: World) -> None:
    bob = world.contact("bob")
    o = world.sign_in("bob")
    assert isinstance(o, ck.SignedIn)
    world.dir.delete_contact(world.alice, world.account, bob)
    for call in (
        lambda: world.dir.authenticate(o.token),
        lambda: world.dir.session_actor(o.token),
        lambda: world.dir.complete_second_factor(o.token, "123456"),
        lambda: world.dir.change_password_with_session(o.token, current=PASSWORD, new="another passphrase 1"),
        lambda: world.dir.begin_enrollment_with_session(o.token, ck.TwoFactorMethod.EMAIL),
    ):
        with pytest.raises(ck.UnauthenticatedError) as e:
            call()
        assert e.value.reason is ck.AuthFailure.REVOKED
    world.dir.sign_out(o.token)
