"""Fixtures shared by the Python tests.

Every test runs on a directory with a manual clock, a recording notifier and
a cheap argon2id cost, like the Rust tests' fixture.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Iterator

import pytest

import contactkeeper as ck

FAST = ck.HashCost(m_kib=256, t=1, p=1)
START = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.timezone.utc)
PASSWORD = "correct horse battery staple"
IP = "10.0.0.1"


def new_contact(login: str, **kw: object) -> ck.NewContact:
    """A new contact with a profile that can take duties (H4)."""
    profile = ck.Profile(
        name=f"{login.title()} Person",
        email=f"{login}@acme.example",
        business_phone="+1 555 0100",
    )
    return ck.NewContact(login=login, profile=profile, **kw)  # type: ignore[arg-type]


@dataclass
class World:
    """A directory with one account owned by ``alice`` (password PASSWORD)."""

    dir: ck.Directory
    clock: ck.ManualClock
    notifier: ck.MemoryNotifier
    account: ck.AccountId
    alice: ck.ContactId

    def contact(self, login: str, *roles: ck.Role, password: str | None = PASSWORD) -> ck.ContactId:
        """A new contact of the account, created by the host."""
        return self.dir.create_contact(
            ck.Actor.SYSTEM,
            self.account,
            new_contact(login, roles=frozenset(roles), password=password),
        ).contact

    def sign_in(self, login: str, password: str = PASSWORD, **kw: object) -> ck.SignInOutcome:
        return self.dir.sign_in(login, password, ip=IP, **kw)  # type: ignore[arg-type]

    def audit(self, **kw: object) -> list[ck.AuditEntry]:
        return list(self.dir.iter_audit(ck.Actor.SYSTEM, self.account, **kw))  # type: ignore[arg-type]

    def notes(self) -> list[ck.Notification]:
        return self.notifier.take()


def make_directory(**kw: object) -> tuple[ck.Directory, ck.ManualClock, ck.MemoryNotifier]:
    clock = ck.ManualClock(START)
    notifier = ck.MemoryNotifier()
    options: dict[str, object] = {"clock": clock, "notifier": notifier, "hash_cost": FAST}
    options.update(kw)
    return ck.Directory(**options), clock, notifier  # type: ignore[arg-type]


@pytest.fixture
def world() -> Iterator[World]:
    d, clock, notifier = make_directory()
    created = d.create_account(
        ck.Actor.SYSTEM,
        name="Acme Corp",
        owner=new_contact("alice", password=PASSWORD),
    )
    notifier.take()
    w = World(d, clock, notifier, created.account, created.owner)
    yield w
    d.close()


@pytest.fixture
def directory() -> Iterator[ck.Directory]:
    d, _, _ = make_directory()
    yield d
    d.close()
