"""SPEC J (and C5): the audit log from Python: pages, filters, iteration,
CSV export to a path, a file or a string, and verification."""

from __future__ import annotations

import csv
import datetime
import io
import pathlib

import pytest

import contactkeeper as ck
from conftest import World


def busy(world: World) -> ck.ContactId:
    bob = world.contact("bob")
    world.clock.advance(datetime.timedelta(hours=1))
    world.dir.update_contact(world.alice, world.account, bob, job_title="=HYPERLINK(\"x\")")
    world.clock.advance(datetime.timedelta(hours=1))
    try:
        world.dir.create_contact(bob, world.account, ck.NewContact("x", ck.Profile("X", "x@acme.example")))
    except ck.PermissionDeniedError:
        pass
    return bob


def test_every_contact_reads_the_log_filtered_and_paged(world: World) -> None:
    # rule C5, J1, J2
    bob = busy(world)
    entries = world.dir.audit_entries(bob, world.account)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert [e.operation for e in entries[:3]] == [
        ck.Operation.ACCOUNT_CREATE,
        ck.Operation.CONTACT_CREATE,
        ck.Operation.CONTACT_UPDATE,
    ]
    refused = [e for e in entries if not e.ok]
    assert refused and refused[0].outcome == "refused:permission_denied" and refused[0].actor == str(bob)
    assert entries[2].fields == ("job_title",) and entries[2].target == str(bob)
    assert ck.ContactId.parse(entries[2].target or "") == bob
    assert len(entries[0].hash) == 32 and entries[1].prev_hash == entries[0].hash
    page = world.dir.audit_entries(bob, world.account, limit=2)
    nxt = world.dir.audit_entries(bob, world.account, after_seq=page[-1].seq, limit=2)
    assert [e.seq for e in page + nxt] == [1, 2, 3, 4]
    by_bob = world.dir.audit_entries(bob, world.account, by=bob)
    assert by_bob and all(e.actor == bob.__str__() for e in by_bob)
    assert world.dir.audit_entries(bob, world.account, by=ck.Actor.SYSTEM)[0].seq == 1
    assert world.dir.audit_entries(bob, world.account, by="system") == world.dir.audit_entries(
        bob, world.account, by=ck.Actor.SYSTEM
    )
    updates = world.dir.audit_entries(bob, world.account, operation=ck.Operation.CONTACT_UPDATE)
    assert [e.seq for e in updates] == [3]
    start = world.clock.now() - datetime.timedelta(hours=1, minutes=30)
    window = world.dir.audit_entries(
        bob, world.account, since=start, until=start + datetime.timedelta(hours=1)
    )
    assert [e.operation for e in window] == [ck.Operation.CONTACT_UPDATE]
    paris = datetime.timezone(datetime.timedelta(hours=1))
    assert world.dir.audit_entries(bob, world.account, since=start.astimezone(paris)) == world.dir.audit_entries(
        bob, world.account, since=start
    )


def test_bad_queries_are_refused(world: World) -> None:
    # rule J2, K2
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.audit_entries(world.alice, world.account, limit=ck.MAX_AUDIT_PAGE + 1)
    assert e.value.field is ck.Field.LIMIT
    now = world.clock.now()
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.audit_entries(world.alice, world.account, since=now, until=now - datetime.timedelta(1))
    assert e.value.field is ck.Field.TIME_RANGE
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.audit_entries(world.alice, world.account, by="x\x00")
    assert e.value.field is ck.Field.ACTOR_FILTER
    with pytest.raises(TypeError, match="aware"):
        world.dir.audit_entries(world.alice, world.account, since=datetime.datetime(2026, 1, 1))
    with pytest.raises(TypeError):
        world.dir.audit_entries(world.alice, world.account, since="2026-01-01")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        world.dir.audit_entries(world.alice, world.account, operation=3)  # type: ignore[arg-type]
    with pytest.raises(ck.PermissionDeniedError):
        world.dir.audit_entries(ck.Actor.partner("other"), world.account)


def test_iteration_walks_every_page(world: World) -> None:
    for i in range(25):
        world.dir.update_contact(world.alice, world.account, world.alice, job_title=f"title {i}")
    all_entries = list(world.dir.iter_audit(world.alice, world.account, page_size=7))
    assert [e.seq for e in all_entries] == list(range(1, 27))
    it = world.dir.iter_audit(world.alice, world.account, operation=ck.Operation.CONTACT_UPDATE, page_size=10)
    assert iter(it) is it
    assert sum(1 for _ in it) == 25
    assert next(it, None) is None


def test_csv_export_to_a_string_a_path_and_files(world: World, tmp_path: pathlib.Path) -> None:
    # rule J2
    bob = busy(world)
    text = world.dir.audit_csv(bob, world.account)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "seq", "time_utc", "time_local", "account", "actor", "operation", "target", "outcome", "fields", "detail",
    ]
    assert "\r\n" in text
    assert not any(cell.startswith("=") for row in rows for cell in row)
    path = tmp_path / "audit.csv"
    n = world.dir.export_audit_csv(bob, world.account, path)
    written = path.read_bytes().decode("utf-8")
    assert written.startswith("seq,") and written.count("\r\n") == n + 1
    world.dir.export_audit_csv(bob, world.account, str(tmp_path / "b.csv"), operation=ck.Operation.CONTACT_UPDATE)
    assert (tmp_path / "b.csv").read_bytes().count(b"\r\n") == 2
    binary = io.BytesIO()
    world.dir.export_audit_csv(bob, world.account, binary)
    assert binary.getvalue().startswith(b"seq,")
    with open(tmp_path / "t.csv", "w", newline="", encoding="utf-8") as f:
        world.dir.export_audit_csv(bob, world.account, f)
    assert (tmp_path / "t.csv").read_bytes().startswith(b"seq,")
    with pytest.raises(TypeError):
        world.dir.export_audit_csv(bob, world.account, 42)  # type: ignore[arg-type]


def test_a_refused_export_writes_nothing(world: World, tmp_path: pathlib.Path) -> None:
    # rule K1
    path = tmp_path / "never.csv"
    with pytest.raises(ck.PermissionDeniedError):
        world.dir.export_audit_csv(ck.Actor.partner("other"), world.account, path)
    assert not path.exists()


def test_a_failing_file_raises_output_error_with_its_cause(world: World) -> None:
    class Full(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            raise OSError(28, "No space left on device")

    with pytest.raises(ck.OutputError) as e:
        world.dir.export_audit_csv(world.alice, world.account, Full())
    assert e.value.code == ck.ErrorCode.OUTPUT and e.value.rule is None
    assert isinstance(e.value.__cause__, OSError)


def test_verification(world: World) -> None:
    # rule J3
    busy(world)
    v = world.dir.verify_audit(world.alice, world.account)
    assert v == ck.AuditIntact(entries=len(world.audit())) and v.intact
    assert ck.AuditBroken(seq=3, problem=ck.ChainProblem.EDITED).intact is False
    desk = ck.Actor.support_desk("jo", "audit")
    with pytest.raises(ck.NotFoundError):
        world.dir.account(world.alice, ck.AccountId(1))
    assert world.dir.verify_directory_audit(desk).intact
    entries = world.dir.directory_audit_entries(ck.Actor.SYSTEM)
    assert entries and entries[0].account is None and not entries[0].ok
    with pytest.raises(ck.PermissionDeniedError):
        world.dir.verify_directory_audit(world.alice)
    with pytest.raises(ck.PermissionDeniedError):
        world.dir.directory_audit_entries(world.alice)


def test_the_directory_chain_is_pruned_behind_a_checkpoint(world: World) -> None:
    # rule J4
    for _ in range(3):
        assert isinstance(world.sign_in("nobody-here", "a wrong guess"), ck.InvalidCredentials)
    world.clock.advance(datetime.timedelta(days=91))
    assert isinstance(world.sign_in("nobody-either", "a wrong guess"), ck.InvalidCredentials)
    before = world.dir.directory_audit_entries(ck.Actor.SYSTEM)
    with pytest.raises(ck.PermissionDeniedError):
        world.dir.prune_directory_audit(world.alice)
    with pytest.raises(ck.PermissionDeniedError):
        world.dir.prune_directory_audit(ck.Actor.support_desk("jo", "tidy"))
    with pytest.raises(ck.InvalidInputError):
        world.dir.prune_directory_audit(ck.Actor.SYSTEM, retention=datetime.timedelta(days=-1))
    with pytest.raises(TypeError):
        world.dir.prune_directory_audit(ck.Actor.SYSTEM, retention="90 days")  # type: ignore[arg-type]
    assert world.dir.directory_audit_entries(ck.Actor.SYSTEM) == before
    assert world.dir.prune_directory_audit(ck.Actor.SYSTEM) == len(before) - 1
    left = world.dir.directory_audit_entries(ck.Actor.SYSTEM)
    assert [e.seq for e in left] == [len(before), len(before) + 1]
    assert left[-1].operation == ck.Operation.AUDIT_PRUNE
    assert left[-1].detail is not None and f"entry {len(before) - 1} " in left[-1].detail
    assert world.dir.verify_directory_audit(ck.Actor.SYSTEM) == ck.AuditIntact(entries=2)
    assert world.dir.prune_directory_audit(ck.Actor.SYSTEM, retention=0) == 0
    world.clock.advance(1)
    assert world.dir.prune_directory_audit(ck.Actor.SYSTEM, retention=0) == 2
    assert world.dir.verify_directory_audit(ck.Actor.SYSTEM).intact
