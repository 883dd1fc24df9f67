"""Threads: the GIL is released while the core works (hashing above all), a
Python notifier runs from the core's delivery thread without deadlock, and
one directory serves many threads. (Throughput figures are in
BENCHMARKS.md, from python/bench/threads.py; tests assert no timings.)"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import contactkeeper as ck
from conftest import IP, PASSWORD, new_contact


def test_other_threads_run_while_a_password_is_hashed() -> None:
    # The default argon2id cost: a sign-in takes tens of milliseconds.
    d = ck.Directory()
    d.create_account(ck.Actor.SYSTEM, name="Acme", owner=new_contact("alice", password=PASSWORD))
    ticks = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        before = ticks
        for _ in range(3):
            assert isinstance(d.sign_in("alice", PASSWORD, ip=IP), ck.SignedIn)
        during = ticks - before
    finally:
        stop.set()
        t.join()
    # With the GIL held for the whole hash, the spinning thread could not
    # count at all during the sign-ins.
    assert during > 1000


def test_many_threads_share_one_directory() -> None:
    d = ck.Directory(hash_cost=ck.HashCost(m_kib=256, t=1, p=1), notifier=ck.MemoryNotifier())
    acme = d.create_account(ck.Actor.SYSTEM, name="Acme", owner=new_contact("alice", password=PASSWORD))

    def work(i: int) -> bool:
        c = d.create_contact(ck.Actor.SYSTEM, acme.account, new_contact(f"user{i}", password=PASSWORD)).contact
        d.update_contact(acme.owner, acme.account, c, job_title=f"job {i}")
        return isinstance(d.sign_in(f"user{i}", PASSWORD, ip=IP), ck.SignedIn)

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(work, range(40)))
    assert len(list(d.iter_contacts(acme.owner, acme.account))) == 41
    assert d.verify_audit(acme.owner, acme.account).intact


def test_a_notifier_may_call_back_into_the_directory() -> None:
    seen: list[str] = []
    holder: list[ck.Directory] = []

    def deliver(n: ck.Notification) -> None:
        assert n.account is not None
        seen.append(holder[0].account(ck.Actor.SYSTEM, n.account).name)

    for timeout in (10.0, None):
        seen.clear()
        d = ck.Directory(notifier=deliver, delivery_timeout=timeout, hash_cost=ck.HashCost(m_kib=256, t=1, p=1))
        holder[:] = [d]
        acme = d.create_account(ck.Actor.SYSTEM, name="Acme", owner=new_contact("alice"))
        bob = d.create_contact(ck.Actor.SYSTEM, acme.account, new_contact("bob")).contact
        d.transfer_ownership(acme.owner, acme.account, bob)
        assert seen == ["Acme", "Acme"]
        d.close()


def test_notifications_from_many_threads_reach_a_python_notifier() -> None:
    got: list[ck.Notification] = []
    lock = threading.Lock()

    def deliver(n: ck.Notification) -> ck.Delivery:
        with lock:
            got.append(n)
        return ck.Delivery.DELIVERED

    d = ck.Directory(notifier=deliver, hash_cost=ck.HashCost(m_kib=256, t=1, p=1))
    acme = d.create_account(ck.Actor.SYSTEM, name="Acme", owner=new_contact("alice"))
    ids = [d.create_contact(ck.Actor.SYSTEM, acme.account, new_contact(f"u{i}")).contact for i in range(16)]

    def notify(c: ck.ContactId) -> None:
        d.set_notification_prefs(c, acme.account, c, ck.NotificationPrefs(billing=False))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(notify, ids))
    assert sorted(n.recipient for n in got) == sorted(ids)
    assert d.pending_notifications() == []
