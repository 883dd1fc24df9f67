"""Sign-in throughput from Python threads (issue 7, item 6).

Each sign-in hashes with the default argon2id cost (m=19456 KiB, t=2, p=1),
with the GIL released, so two Python threads should reach close to twice
the throughput of one on two cores. Prints sign-ins per second for 1, 2
(and more, if asked) threads.

    python python/bench/threads.py [--seconds 3] [--threads 1 2]
"""

from __future__ import annotations

import argparse
import os
import threading
import time

import contactkeeper as ck

PASSWORD = "correct horse battery staple"


def run(d: ck.Directory, logins: list[str], seconds: float) -> float:
    """Sign-ins per second with one thread per login."""
    count = [0] * len(logins)
    start = threading.Barrier(len(logins) + 1)
    deadline = 0.0

    def work(i: int) -> None:
        start.wait()
        while time.perf_counter() < deadline:
            outcome = d.sign_in(logins[i], PASSWORD, ip="192.0.2.1")
            assert isinstance(outcome, ck.SignedIn), outcome
            count[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(logins))]
    for t in threads:
        t.start()
    began = time.perf_counter()
    deadline = began + seconds
    start.wait()
    for t in threads:
        t.join()
    return sum(count) / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    d = ck.Directory()
    acme = d.create_account(
        ck.Actor.SYSTEM,
        name="Bench",
        owner=ck.NewContact("owner", ck.Profile("Owner", "owner@bench.example")),
        plan=ck.Plan(included_contacts=1000),
    )
    most = max(args.threads)
    logins = [f"user{i}" for i in range(most)]
    for login in logins:
        d.create_contact(
            ck.Actor.SYSTEM,
            acme.account,
            ck.NewContact(login, ck.Profile(login, f"{login}@bench.example"), password=PASSWORD),
        )
    print(f"cpus: {os.cpu_count()}, default argon2id cost, {args.seconds:.0f} s per run")
    base = None
    for n in args.threads:
        rate = run(d, logins[:n], args.seconds)
        base = base or rate
        print(f"{n} thread(s): {rate:7.1f} sign-ins/s  ({rate / base:.2f}x one thread)")


if __name__ == "__main__":
    main()
