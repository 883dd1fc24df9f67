"""A directory on the SQLite store: opened by path, kept across reopening,
its failures raised as StoreError with their kind."""

from __future__ import annotations

import datetime
import pathlib

import pytest

import contactkeeper as ck
from conftest import FAST, PASSWORD, new_contact


def test_a_directory_on_a_sqlite_file_keeps_its_data(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "contacts.sqlite3"
    with ck.Directory(path, hash_cost=FAST) as d:
        assert pathlib.Path(d.path or "") == path and "SQLite" in repr(d)
        acme = d.create_account(ck.Actor.SYSTEM, name="Acme", owner=new_contact("alice", password=PASSWORD))
        bob = d.create_contact(acme.owner, acme.account, new_contact("bob", roles=frozenset({ck.Role.CONTACT_MANAGER})))
        assert d.allows(bob.contact, acme.account, ck.Permission.MANAGE_CONTACTS)
    assert path.exists()
    with ck.Directory.open(str(path), hash_cost=FAST, notifier=ck.MemoryNotifier()) as again:
        assert again.account(acme.owner, acme.account).contacts == 2
        assert [c.login for c in again.iter_contacts(acme.owner, acme.account)] != []
        assert isinstance(again.sign_in("alice", PASSWORD, ip="192.0.2.1"), ck.SignedIn)
        again.authorize(bob.contact, acme.account, ck.Permission.MANAGE_CONTACTS)
        assert again.access(bob.contact, acme.account).roles == {ck.Role.CONTACT_MANAGER}
        assert again.verify_audit(acme.owner, acme.account).intact


def test_two_directories_share_one_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "shared.sqlite3"
    one = ck.Directory(path, hash_cost=FAST)
    two = ck.Directory(path, hash_cost=FAST, sqlite_options=ck.SqliteOptions(durable_commits=False))
    acme = one.create_account(ck.Actor.SYSTEM, name="Acme", owner=new_contact("alice"))
    two.create_contact(acme.owner, acme.account, new_contact("bob"))
    assert one.account(acme.owner, acme.account).contacts == 2
    one.close()
    two.close()


def test_store_failures_raise_store_error_with_their_kind(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ck.StoreError) as e:
        ck.Directory(tmp_path / "missing" / "dir" / "x.sqlite3")
    assert e.value.kind == "cannot_open" and e.value.code == ck.ErrorCode.STORE
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database, not at all" * 100)
    with pytest.raises(ck.StoreError) as e:
        ck.Directory(junk)
    assert e.value.kind == "not_a_database"
    assert junk.read_bytes().startswith(b"this is not")  # not written to


def test_a_size_limit_refuses_commits_that_would_pass_it(tmp_path: pathlib.Path) -> None:
    d = ck.Directory(
        tmp_path / "small.sqlite3", hash_cost=FAST, sqlite_options=ck.SqliteOptions(max_size=200_000)
    )
    acme = d.create_account(ck.Actor.SYSTEM, name="Acme", owner=new_contact("alice"))
    with pytest.raises(ck.StoreError) as e:
        for i in range(5000):
            d.update_contact(acme.owner, acme.account, acme.owner, job_title=f"title {i} " + "x" * 150)
    assert e.value.kind == "full"
    assert d.verify_audit(acme.owner, acme.account).intact


def test_sqlite_options_are_checked() -> None:
    with pytest.raises(ValueError):
        ck.Directory(sqlite_options=ck.SqliteOptions())
    with pytest.raises(TypeError):
        ck.Directory(42)  # type: ignore[arg-type]
    assert ck.SqliteOptions().busy_timeout == datetime.timedelta(seconds=5)
    assert ck.SqliteOptions().durable_commits and ck.SqliteOptions().max_size is None
