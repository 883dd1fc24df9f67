"""Per-call overhead of an authorization query from Python (issue 7).

Times `Directory.authorize` (and `allows`, and `Access.allows` on a value
already read) from Python, next to the same core call timed in Rust on the
same directory (`_bench_authorize`); the difference is what crossing into
Python costs. Build the package in release mode first:

    (cd python && maturin develop --release)
    python python/bench/overhead.py
"""

from __future__ import annotations

import timeit

import contactkeeper as ck
from contactkeeper import _native

N = 200_000


def best(stmt: str, env: dict[str, object], number: int = N, repeat: int = 15) -> float:
    """Seconds per call, best of `repeat` runs."""
    return min(timeit.repeat(stmt, globals=env, number=number, repeat=repeat)) / number


def main() -> None:
    d = ck.Directory()
    acme = d.create_account(
        ck.Actor.SYSTEM, name="Bench", owner=ck.NewContact("owner", ck.Profile("Owner", "o@bench.example"))
    )
    member = d.create_contact(
        ck.Actor.SYSTEM,
        acme.account,
        ck.NewContact("m", ck.Profile("M", "m@bench.example"), roles=frozenset({ck.Role.BILLING_MANAGER})),
    ).contact
    actor = ck.Actor.contact(member)
    p = ck.Permission.READ_AUDIT
    env: dict[str, object] = {
        "d": d, "actor": actor, "member": member, "acct": acme.account, "p": p,
        "access": d.access(actor, acme.account), "n": 0,
    }
    rust = min(_native._bench_authorize(d, actor, acme.account, p, N) for _ in range(15))
    rows = [
        ("core authorize, timed in Rust", rust),
        ("d.authorize(actor, acct, p)", best("d.authorize(actor, acct, p)", env)),
        ("d.authorize(contact_id, acct, p)", best("d.authorize(member, acct, p)", env)),
        ("d.allows(actor, acct, p)", best("d.allows(actor, acct, p)", env)),
        ("access.allows(p)  (no store read)", best("access.allows(p)", env)),
        ("a Python no-op call, for scale", best("int(n)", env)),
    ]
    print(f"{'call':<40} {'ns/call':>8} {'over Rust':>10}")
    for name, secs in rows:
        over = "" if name.startswith(("core", "access", "a Python")) else f"{(secs - rust) * 1e9:+8.0f}"
        print(f"{name:<40} {secs * 1e9:8.0f} {over:>10}")


if __name__ == "__main__":
    main()
