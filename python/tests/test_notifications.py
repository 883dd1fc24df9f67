"""SPEC I: notifiers written in Python, the outbox, preferences, notices."""

from __future__ import annotations

import datetime
import logging
import threading

import pytest

import contactkeeper as ck
from conftest import World, make_directory, new_contact


def account(d: ck.Directory) -> ck.AccountCreated:
    return d.create_account(ck.Actor.SYSTEM, name="Acme", owner=new_contact("alice"))


def test_any_object_with_deliver_or_a_callable_is_a_notifier() -> None:
    # rule I1
    got: list[ck.Notification] = []

    class Mailer:
        def deliver(self, n: ck.Notification) -> None:
            got.append(n)

    for notifier in (Mailer(), got.append, lambda n: got.append(n) or True):
        got.clear()
        d, _, _ = make_directory(notifier=notifier)
        acme = account(d)
        bob = d.create_contact(ck.Actor.SYSTEM, acme.account, new_contact("bob")).contact
        d.transfer_ownership(acme.owner, acme.account, bob)
        assert got, notifier
        assert d.pending_notifications() == []
        n = got[0]
        assert isinstance(n, ck.Notification) and isinstance(n.id, ck.NotificationId)
        assert n.at.tzinfo is not None and n.account == acme.account


@pytest.mark.parametrize("answer", [ck.Delivery.RETRY_LATER, False, "nonsense", 42])
def test_retry_later_keeps_it_pending_and_deliver_pending_retries(
    answer: object, caplog: pytest.LogCaptureFixture
) -> None:
    # rule I1
    replies = [answer]

    def deliver(n: ck.Notification) -> object:
        return replies[0]

    d, clock, _ = make_directory(notifier=deliver)
    acme = account(d)
    bob = d.create_contact(ck.Actor.SYSTEM, acme.account, new_contact("bob")).contact
    with caplog.at_level(logging.WARNING, logger="contactkeeper"):
        d.transfer_ownership(acme.owner, acme.account, bob)
    pending = d.pending_notifications()
    assert len(pending) == 2 and all(p.attempts == 1 for p in pending)
    assert pending[0].next_attempt_at == clock.now() + datetime.timedelta(seconds=30)
    if not isinstance(answer, (ck.Delivery, bool)):
        assert "notifier" in caplog.text
    assert d.deliver_pending() == ck.DeliveryReport(delivered=0, undeliverable=0, retry_later=0)
    clock.advance(datetime.timedelta(seconds=31))
    replies[0] = None
    assert d.deliver_pending() == ck.DeliveryReport(delivered=2, undeliverable=0, retry_later=0)
    assert d.pending_notifications() == []


def test_a_notifier_that_raises_never_breaks_the_directory(caplog: pytest.LogCaptureFixture) -> None:
    # rule I1, K2
    class Broken:
        calls = 0

        def deliver(self, n: ck.Notification) -> None:
            Broken.calls += 1
            raise RuntimeError("smtp down")

    d, _, _ = make_directory(notifier=Broken())
    acme = account(d)
    bob = d.create_contact(ck.Actor.SYSTEM, acme.account, new_contact("bob")).contact
    with caplog.at_level(logging.WARNING, logger="contactkeeper"):
        d.transfer_ownership(acme.owner, acme.account, bob)
    assert d.account(bob, acme.account).owner == bob
    assert Broken.calls == 2 and len(d.pending_notifications()) == 2
    assert "smtp down" in caplog.text
    assert d.verify_audit(bob, acme.account).intact


def test_a_notifier_that_is_not_callable_is_refused() -> None:
    for bad in (42, "mailer", object()):
        with pytest.raises(TypeError, match="notifier"):
            ck.Directory(notifier=bad)  # type: ignore[arg-type]


def test_without_a_notifier_notifications_wait_in_the_outbox() -> None:
    d = ck.Directory(hash_cost=ck.HashCost(m_kib=256, t=1, p=1))
    acme = account(d)
    bob = d.create_contact(ck.Actor.SYSTEM, acme.account, new_contact("bob")).contact
    d.transfer_ownership(acme.owner, acme.account, bob)
    items = d.pending_notifications(limit=1)
    assert len(items) == 1 and items[0].attempts == 0
    assert d.deliver_pending().retry_later == 2
    with pytest.raises(ck.InvalidInputError):
        d.pending_notifications(limit=0)


def test_the_notifier_runs_on_a_delivery_thread_or_inline() -> None:
    threads: list[int] = []

    def deliver(n: ck.Notification) -> None:
        threads.append(threading.get_ident())

    for timeout, same in ((10.0, False), (None, True), (datetime.timedelta(seconds=5), False)):
        threads.clear()
        d, _, _ = make_directory(notifier=deliver, delivery_timeout=timeout)
        acme = account(d)
        bob = d.create_contact(ck.Actor.SYSTEM, acme.account, new_contact("bob")).contact
        d.transfer_ownership(acme.owner, acme.account, bob)
        assert threads and all((t == threading.get_ident()) == same for t in threads)
    with pytest.raises(ValueError):
        ck.Directory(delivery_timeout=0)


def test_a_slow_notifier_times_out_into_the_outbox() -> None:
    release = threading.Event()

    def deliver(n: ck.Notification) -> None:
        release.wait(5)

    d, _, _ = make_directory(notifier=deliver, delivery_timeout=0.05)
    acme = account(d)
    bob = d.create_contact(ck.Actor.SYSTEM, acme.account, new_contact("bob")).contact
    d.transfer_ownership(acme.owner, acme.account, bob)
    release.set()
    assert len(d.pending_notifications()) == 2


def test_preferences_and_maintenance_notices(world: World) -> None:
    # rule I2, I4
    bob = world.contact("bob")
    world.dir.update_contact(world.alice, world.account, bob, alternate_email="bob@home.example")
    world.notes()
    world.dir.set_notification_prefs(bob, world.account, bob, ck.NotificationPrefs(maintenance=False))
    security = world.notes()
    assert [n.kind for n in security] == [ck.NotificationKind.SECURITY]
    view = world.dir.contact(world.alice, world.account, bob)
    assert view.notifications == ck.NotificationPrefs(maintenance=False)
    sent = world.dir.send_maintenance_notice(
        ck.Actor.SYSTEM, world.account, subject="Maintenance tonight", body="From 22:00 UTC.\nThanks."
    )
    assert sent == 1
    notes = world.notes()
    assert [n.recipient for n in notes] == [world.alice]
    world.dir.set_notification_prefs(bob, world.account, bob, ck.NotificationPrefs())
    world.notes()
    world.dir.send_maintenance_notice(ck.Actor.SYSTEM, world.account, subject="Again", body="x")
    to = {a for n in world.notes() if n.recipient == bob for a in n.to}
    assert to == {"bob@acme.example", "bob@home.example"}
    with pytest.raises(ck.PermissionDeniedError):
        world.dir.send_maintenance_notice(world.alice, world.account, subject="x", body="y")
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.send_maintenance_notice(ck.Actor.SYSTEM, world.account, subject="", body="y")
    assert e.value.field is ck.Field.NOTICE and e.value.rule == "I4"


def test_local_time_is_in_the_contacts_zone() -> None:
    # rule I3
    at = datetime.datetime(2026, 3, 8, 7, 30, tzinfo=datetime.timezone.utc)
    assert ck.local_time(at, "America/New_York") == "2026-03-08 03:30 EDT (UTC-04:00)"
    with pytest.raises(ck.InvalidInputError) as e:
        ck.local_time(at, "Nowhere/Else")
    assert e.value.field is ck.Field.TIME_ZONE and e.value.problem is ck.Problem.UNKNOWN_TIME_ZONE


def test_the_audit_log_reads_in_its_readers_zone(world: World) -> None:
    # rule I3
    bob = world.contact("bob")
    world.dir.update_contact(ck.Actor.SYSTEM, world.account, bob, time_zone="Asia/Kolkata")
    entries = world.dir.audit_entries(bob, world.account)
    assert entries and all(e.at_local == ck.local_time(e.at, "Asia/Kolkata") for e in entries)
    assert all(e.at_local.endswith("IST (UTC+05:30)") for e in entries)
    host = world.dir.audit_entries(ck.Actor.SYSTEM, world.account)
    assert all(e.at_local.endswith("UTC (UTC+00:00)") for e in host)


def test_billing_notices_go_to_the_billing_contact_or_the_owner(world: World) -> None:
    # rule H7
    bob = world.contact("bob")
    sue = world.contact("sue")
    world.notes()
    to = world.dir.send_billing_notice(ck.Actor.SYSTEM, world.account, subject="Invoice ready", body="5.00 USD")
    assert to == world.alice
    notes = world.notes()
    assert [(n.kind, n.recipient, n.fallback) for n in notes] == [(ck.NotificationKind.BILLING, world.alice, None)]
    world.dir.set_billing_contacts(world.alice, world.account, primary=bob, secondary=sue)
    world.notes()
    assert world.dir.send_billing_notice(ck.Actor.SYSTEM, world.account, subject="Payment failed", body="x") == bob
    notes = world.notes()
    assert [(n.recipient, n.fallback) for n in notes] == [(bob, sue)]
    world.dir.set_notification_prefs(bob, world.account, bob, ck.NotificationPrefs(billing=False))
    world.notes()
    assert world.dir.send_billing_notice(ck.Actor.SYSTEM, world.account, subject="Invoice", body="x") is None
    assert world.notes() == []
    assert world.dir.audit_entries(world.alice, world.account)[-1].operation is ck.Operation.BILLING_NOTICE
    with pytest.raises(ck.PermissionDeniedError):
        world.dir.send_billing_notice(world.alice, world.account, subject="x", body="y")
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.send_billing_notice(ck.Actor.SYSTEM, world.account, subject="", body="y")
    assert e.value.field is ck.Field.NOTICE
