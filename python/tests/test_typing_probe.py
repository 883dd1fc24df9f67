"""A typed probe, checked with ``mypy --strict`` (python/run-tests.sh) and
run as a test: the stubs say what a script may write, in the ways scripts
write it (a ``with`` block, a text file for the CSV export, a binary one)."""

from __future__ import annotations

import io
import tempfile

import contactkeeper as ck


def probe() -> int:
    with ck.Directory() as d:
        acme = d.create_account(
            ck.Actor.SYSTEM,
            name="Acme",
            owner=ck.NewContact("alice", ck.Profile("Alice", "alice@acme.example")),
        )
        text = io.StringIO(newline="")
        rows = d.export_audit_csv(acme.owner, acme.account, text)
        binary = io.BytesIO()
        rows += d.export_audit_csv(acme.owner, acme.account, binary)
        with tempfile.TemporaryFile("w+", newline="") as f:
            rows += d.export_audit_csv(acme.owner, acme.account, f)
        code: ck.ErrorCode = ck.ErrorCode.NOT_FOUND
        assert int(code) == 3
        assert str(ck.Money(500, "USD")) == "5.00 USD"
        assert ck.__version__
    return rows


def test_the_typed_probe_runs() -> None:
    assert probe() >= 3
