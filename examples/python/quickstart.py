"""A portal's day with contactkeeper, from Python, kept in a SQLite file.

The same day as examples/rust/quickstart.rs and examples/c/quickstart.c,
through the Directory's public operations only: the portal creates an
account, adds contacts with roles, fills in a computer's properties (a new
user as its primary, an existing one lacking a phone as its secondary),
signs contacts in (one gets locked out), draws the Account Contacts page,
transfers ownership and reads the audit log in the reader's time zone. Run
it twice: the second run signs the new owner in, finds the account in his
account switcher and carries on.

Run it after installing the package (``pip install ./python``):

    python examples/python/quickstart.py [FILE]

(by default ``contactkeeper-quickstart-py.db`` in the temporary directory).
"""

from __future__ import annotations

import pathlib
import sys
import tempfile
from typing import Optional

import contactkeeper as ck

# The demo's passwords (a real portal never has one in its code).
BOB_PASSWORD = "account manager passphrase 4"
CAROL_PASSWORD = "tech lead passphrase 9"


class PrintingNotifier:
    """The portal's notifier: here it only prints. A real one sends email or
    SMS, and returns ``Delivery.RETRY_LATER`` (or raises) when it cannot right
    now; the notification then waits in the outbox. It may be called from a
    thread of the library's own."""

    def deliver(self, n: ck.Notification) -> ck.Delivery:
        print(f"   [notify {n.kind.value}] to {', '.join(n.to)}: {n.subject}")
        return ck.Delivery.DELIVERED


def main() -> None:
    if len(sys.argv) > 1:
        path = pathlib.Path(sys.argv[1])
    else:
        path = pathlib.Path(tempfile.gettempdir()) / "contactkeeper-quickstart-py.db"
    print(f"== The directory is kept in {path}")
    # One directory for the whole portal, shared by all its threads.
    with ck.Directory(path, notifier=PrintingNotifier()) as d:
        # The first run ends with bob owning the account; a later run signs
        # him in and finds it in his account switcher.
        outcome = d.sign_in("bob", BOB_PASSWORD, ip="192.0.2.20")
        if isinstance(outcome, ck.SignedIn):
            bob = outcome.session.contact
            outcome.sign_out()
            later_run(d, bob)
        else:
            first_run(d)
    print("== Run it again to carry on; delete the file to start over")


def cost(charge: Optional[ck.Money]) -> str:
    """What adding a contact costs, as a person reads it."""
    return f" (beyond the plan: {charge})" if charge is not None else ""


def contacts_page(d: ck.Directory, actor: ck.ContactId, account: ck.AccountId) -> None:
    """Seed 004's Account Contacts page: the contacts by name, the owner and
    the padlocks (E7)."""
    print("   the Account Contacts page:")
    for c in d.search_contacts(actor, account, sort=ck.ContactSort.NAME).contacts:
        padlock = ""
        if c.lock is not None:
            padlock = "locked by hand" if c.lock.kind is ck.LockKind.MANUAL else "locked (too many failures)"
        print(f"   {c.login:<12} {c.profile.email:<24} {'owner' if c.is_owner else '':<6} {padlock}")


def audit_tail(d: ck.Directory, actor: ck.ContactId, account: ck.AccountId, n: int) -> None:
    """The last entries of the audit log, at the reader's local time (I3),
    and the state of its hash chain (J3)."""
    for e in d.audit_entries(actor, account)[-n:]:
        print(f"   #{e.seq} {e.at_local} {e.operation.value} by {e.actor}")
    verification = d.verify_audit(actor, account)
    if isinstance(verification, ck.AuditIntact):
        print(f"   chain intact: {verification.entries} entries")
    else:
        print(f"   chain BROKEN: {verification}")


def later_run(d: ck.Directory, bob: ck.ContactId) -> None:
    """Bob's account switcher shows the account he owns; its contacts and its
    audit log are as the earlier runs left them."""
    print("== Bob, the owner from an earlier run, signs in; his account switcher (I5):")
    owned = None
    for m in d.my_accounts(bob):
        print(f"   {m.account_name:<12} {'owner' if m.is_owner else 'contact'}")
        if m.is_owner:
            owned = m.account
    if owned is None:
        raise SystemExit("bob owns no account: delete the file to start over")
    login = f"visitor{d.account(bob, owned).contacts}"
    added = d.create_contact(bob, owned, ck.NewContact(login, ck.Profile("A Visitor", f"{login}@acme.example")))
    print(f"   bob adds {login}{cost(added.charge)}")
    contacts_page(d, bob, owned)
    audit_tail(d, bob, owned, 4)


def sign_in(d: ck.Directory, login: str, password: str, ip: str = "192.0.2.10", device: Optional[str] = None) -> ck.SignInOutcome:
    outcome = d.sign_in(login, password, ip=ip, device_token=device)
    if isinstance(outcome, ck.SignedIn):
        outcome.sign_out()
    return outcome


def first_run(d: ck.Directory) -> None:
    """A portal's day from an empty directory."""
    print("== The host creates an account and its owner in one step (A1)")
    plan = ck.Plan(included_contacts=3, additional_contact_price=ck.Money(500, "USD"))
    acme = d.create_account(
        ck.Actor.SYSTEM,
        name="Acme Corp",
        owner=ck.NewContact("alice", ck.Profile("Alice Owner", "alice@acme.example", time_zone="Europe/Paris")),
        plan=plan,
    )
    account, alice = acme.account, acme.owner
    print(f"   Acme Corp, owned by alice; 3 contacts included, then {plan.additional_contact_price} each (A7)")

    print("== The owner adds contacts with roles (B1, C1)")
    bob = d.create_contact(
        alice,
        account,
        ck.NewContact(
            "bob",
            ck.Profile("Bob Manager", "bob@acme.example", time_zone="America/New_York"),
            roles=frozenset({ck.Role.CONTACT_MANAGER}),
            password=BOB_PASSWORD,
        ),
    ).contact
    carol = d.create_contact(
        bob,
        account,
        ck.NewContact(
            "carol",
            ck.Profile("Carol Tech", "carol@acme.example", business_phone="+1 555 0102", time_zone="Asia/Kolkata"),
            password=CAROL_PASSWORD,
        ),
    ).contact
    dave = d.create_contact(bob, account, ck.NewContact("dave", ck.Profile("Dave", "dave@acme.example")))
    print(f"   bob (contact manager), carol, dave{cost(dave.charge)}")

    print("== Bob manages contacts, but cannot grant a role he lacks (C6)")
    try:
        d.set_roles(bob, account, carol, {ck.Role.TECHNICAL_ADMIN})
    except ck.RuleViolationError as e:
        print(f"   refused: {e} (rule {e.rule})")
    d.set_roles(alice, account, carol, {ck.Role.TECHNICAL_ADMIN}, tech_scope={"users", "reports"})
    menu = [p.value for p in ck.Permission if p in d.access(carol, account).permissions]
    print(f"   alice makes carol a technical administrator: {', '.join(menu)}")

    print("== Carol fills in a computer's properties (seed 000: H1, H4, H5)")
    erin = ck.NewContact("erin", ck.Profile("Erin Ops", "erin@acme.example", business_phone="+1 555 0105"))
    made = d.add_resource_with_new_primary(carol, account, kind="computer", name="pc-1", contact=erin)
    print("   New User: erin is created as pc-1's primary technical contact, in one step")
    secondary = ck.TechnicalDuty(made.resource, ck.Rank.SECONDARY)
    try:
        d.designate(carol, account, dave.contact, secondary)
    except ck.NotEligibleError as e:
        print(f"   dave as secondary: {e}: the form asks for it")
    d.designate(carol, account, dave.contact, secondary, ck.DutyInfo(business_phone="+1 555 0104"))
    print("   with his business phone supplied, dave is pc-1's secondary")

    print("== Sign-in, a lock that others cause, and a device token (D5, E2, D10)")
    d.set_lock_policy(alice, account, ck.LockPolicy(max_attempts=3))
    first = d.sign_in("carol", CAROL_PASSWORD, ip="192.0.2.10", remember_device=True)
    if not isinstance(first, ck.SignedIn):
        raise SystemExit(f"carol could not sign in: {first.name}")
    laptop = first.session.device_token
    first.sign_out()
    print("   carol signs in from her laptop, which keeps a device token")
    for _ in range(4):
        print(f"   someone else guesses: {sign_in(d, 'carol', 'a wrong guess', ip='198.51.100.7').name}")
    print(f"   carol, from a new browser: {sign_in(d, 'carol', CAROL_PASSWORD).name}")
    print(f"   carol, from her laptop: {sign_in(d, 'carol', CAROL_PASSWORD, device=laptop).name}")
    d.lock_contact(bob, account, dave.contact)
    print("   bob locks dave by hand (E6)")
    contacts_page(d, bob, account)
    d.unlock_contact(alice, account, carol)
    print("   the owner ends carol's lock (E5)")

    print("== Nobody but the owner touches the owner (A6)")
    try:
        d.update_contact(bob, account, alice, email="bob-again@acme.example")
    except ck.ContactKeeperError as e:
        print(f"   refused: {e} (rule {e.rule})")

    print("== Ownership moves to Bob (A3); both are told")
    d.transfer_ownership(alice, account, bob)
    d.delete_contact(bob, account, alice)
    print("   the former owner can now be deleted (A5)")
    if d.send_billing_notice(ck.Actor.SYSTEM, account, subject="Your invoice is ready", body="5.00 USD") == bob:
        print("   billing notices go to the owner until a billing contact is set (H7)")

    print("== The audit log, as carol reads it (in her zone, I3), and as CSV (J2)")
    audit_tail(d, carol, account, 3)
    csv = d.audit_csv(carol, account)
    for line in csv.splitlines()[:3]:
        print(f"   {line}")
    print(f"   ... {len(csv.splitlines()) - 1} entries")


if __name__ == "__main__":
    main()
