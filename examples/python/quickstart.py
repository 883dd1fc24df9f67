"""A portal's day with contactkeeper, from Python, kept in a SQLite file.

The same day as examples/rust/quickstart.rs and examples/c/quickstart.c:
the portal creates an account, adds contacts with roles, sees what each may
do, signs them in (one gets locked out and unlocked), transfers ownership,
names technical contacts and reads the audit log. Run it twice: the second
run finds the account the first one made and carries on.

Run it after installing the package (``pip install ./python``):

    python examples/python/quickstart.py [FILE]

(by default ``contactkeeper-quickstart-py.db`` in the temporary directory).
"""

from __future__ import annotations

import pathlib
import sys
import tempfile

import contactkeeper as ck

BOB_PASSWORD = "tr0ub4dor&3 horse"


class PrintingNotifier:
    """The portal's notifier: here it only prints. A real one sends email or
    SMS, and returns ``Delivery.RETRY_LATER`` (or raises) when it cannot right
    now; the notification then waits in the outbox. It may be called from a
    thread of the library's own."""

    def deliver(self, n: ck.Notification) -> ck.Delivery:
        print(f"   [notify {n.kind.value}] to {', '.join(n.to)}: {n.subject}")
        return ck.Delivery.DELIVERED


def sign_in(
    d: ck.Directory, login: str, password: str, device: str | None = None, remember: bool = False
) -> str | None:
    """Signs in, presenting a device token (D10) if given; returns a new
    one when asked to remember the device."""
    outcome = d.sign_in(login, password, ip="192.0.2.10", device_token=device, remember_device=remember)
    detail = ""
    if isinstance(outcome, ck.Locked):
        detail = f" ({outcome.lock.kind.value} lock until {outcome.lock.until})"
    print(f"   {login}: {outcome.name}{detail}")
    if isinstance(outcome, ck.SignedIn):
        outcome.sign_out()
        return outcome.session.device_token
    return None


def main() -> None:
    if len(sys.argv) > 1:
        path = pathlib.Path(sys.argv[1])
    else:
        path = pathlib.Path(tempfile.gettempdir()) / "contactkeeper-quickstart-py.db"
    print(f"== The directory is kept in {path}")
    # One directory for the whole portal, shared by all its threads.
    with ck.Directory(path, notifier=PrintingNotifier()) as d:
        # The first run ends with bob owning the account; a later run finds
        # it by signing him in.
        outcome = d.sign_in("bob", BOB_PASSWORD, ip="192.0.2.10")
        if isinstance(outcome, ck.SignedIn):
            later_run(d, outcome)
        else:
            first_run(d)
    print("== Run it again to carry on; delete the file to start over")


def later_run(d: ck.Directory, session: ck.SignedIn) -> None:
    """The account, its contacts and its audit log are as the earlier runs
    left them; the owner adds one more contact."""
    bob, account = session.session.contact, session.session.account
    view = d.account(bob, account)
    print(f"== Found {view.name} ({account}) from an earlier run: {view.contacts} contacts, owned by bob")
    login = f"visitor{view.contacts}"
    d.create_contact(bob, account, ck.NewContact(login, ck.Profile("A Visitor", f"{login}@acme.example")))
    print(f"   bob adds {login}; the contacts now:")
    for c in d.iter_contacts(bob, account):
        print(f"   {c.login:<10} {'owner' if c.is_owner else 'contact':<8} {c.profile.email}")
    entries = list(d.iter_audit(bob, account))
    print(f"== The audit log kept every run's entries ({len(entries)}):")
    for e in entries[-4:]:
        print(f"   #{e.seq} {e.operation.value} by {e.actor}")
    print(f"   chain intact: {d.verify_audit(bob, account).intact}")
    session.sign_out()


def first_run(d: ck.Directory) -> None:
    """A portal's day from an empty directory."""
    print("== The host creates an account and its owner in one step (A1)")
    acme = d.create_account(
        ck.Actor.SYSTEM,
        name="Acme Corp",
        owner=ck.NewContact(
            login="alice",
            profile=ck.Profile(name="Alice Owner", email="alice@acme.example", business_phone="+1 555 0100"),
            password="correct horse battery",
        ),
        plan=ck.Plan(included_contacts=3, additional_contact_price=ck.Money(500, "USD")),
    )
    account, alice = acme.account, acme.owner
    print(f"   {account}, owner {alice}")

    print("== The owner adds contacts with roles (B1, C1)")
    bob = d.create_contact(
        alice,
        account,
        ck.NewContact(
            login="bob",
            profile=ck.Profile(name="Bob Manager", email="bob@acme.example"),
            roles=frozenset({ck.Role.CONTACT_MANAGER}),
            password=BOB_PASSWORD,
        ),
    ).contact
    carol = d.create_contact(
        bob,
        account,
        ck.NewContact(
            login="carol",
            profile=ck.Profile(name="Carol Tech", email="carol@acme.example", business_phone="+1 555 0102"),
            password="tech lead passphrase",
        ),
    ).contact
    dave = d.create_contact(
        bob, account, ck.NewContact(login="dave", profile=ck.Profile(name="Dave", email="dave@acme.example"))
    )
    print(f"   bob {bob}, carol {carol}, dave {dave.contact} (beyond the plan: costs {dave.charge}, A7)")

    print("== Bob manages contacts, but cannot grant a role he lacks (C6)")
    try:
        d.set_roles(bob, account, carol, {ck.Role.TECHNICAL_ADMIN})
    except ck.RuleViolationError as e:
        print(f"   refused: {e} (rule {e.rule}, code {e.code})")
    d.set_roles(alice, account, carol, {ck.Role.TECHNICAL_ADMIN}, tech_scope={"users", "reports"})
    menu = sorted(p.value for p in d.access(carol, account).permissions)
    print(f"   carol may: {', '.join(menu)}")

    print("== Nobody but the owner touches the owner (A6)")
    try:
        d.update_contact(bob, account, alice, email="bob-again@acme.example")
    except ck.ContactKeeperError as e:
        print(f"   refused: {e} (rule {e.rule})")

    print("== Sign-in, a lock after too many failures, and an unlock (D5, E1-E5, D10)")
    d.set_lock_policy(alice, account, ck.LockPolicy(max_attempts=3))
    laptop = sign_in(d, "bob", BOB_PASSWORD, remember=True)  # bob's laptop keeps a device token
    for _ in range(4):
        sign_in(d, "bob", "wrong guess")
    sign_in(d, "bob", BOB_PASSWORD)  # locked: no password is checked (E3)
    print("   from bob's laptop, with its device token:")
    sign_in(d, "bob", BOB_PASSWORD, device=laptop)  # signed in (D10)
    for c in d.iter_contacts(alice, account):
        print(f"   {c.login:<6} {'(locked)' if c.locked else ''}")
    d.unlock_contact(alice, account, bob)
    sign_in(d, "bob", BOB_PASSWORD)

    print("== Ownership moves to Bob (A3); both are told")
    d.transfer_ownership(alice, account, bob)
    print(f"   owner of {d.account(bob, account).name} is now {d.account(bob, account).owner}")
    d.delete_contact(bob, account, alice)
    print("   the former owner can now be deleted (A5)")

    print("== Carol is the technical contact of a computer (H1)")
    pc = d.add_resource(bob, account, kind="computer", name="backup-server-1", primary=carol)
    d.report_milestone(ck.Actor.SYSTEM, account, pc, ck.Milestone.INITIAL_BACKUP_COMPLETED)

    print("== The audit log, verified and exported as CSV (J2, J3)")
    verification = d.verify_audit(carol, account)
    if isinstance(verification, ck.AuditIntact):
        print(f"   chain intact: {verification.entries} entries")
    else:
        print(f"   chain BROKEN: {verification}")
    csv = d.audit_csv(carol, account)
    for line in csv.splitlines()[:4]:
        print(f"   {line}")
    refused = [e for e in d.iter_audit(carol, account) if not e.ok]
    print(f"   ... {len(csv.splitlines()) - 1} rows; {len(refused)} refusals, e.g. {refused[0].operation.value}")


if __name__ == "__main__":
    main()
