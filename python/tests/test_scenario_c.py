"""The C tests' full scenario (tests/c/test_scenario.c), step for step from
Python: every Directory operation a portal needs, on the in-memory store,
with a manual clock and a notifier (SPEC A-J). Kept in the same order and
with the same values, so that the two bindings are seen to agree."""

from __future__ import annotations

import datetime
import os
import tempfile
from dataclasses import dataclass, field
from typing import Optional

import contactkeeper as ck

IP = "192.0.2.10"
BOB_PW = "tr0ub4dor&3 horse"
CAROL_PW = "tech lead passphrase"


@dataclass
class Seen:
    """What the notifier saw: the last secret and who got milestones."""

    secret: str = ""
    count: dict[ck.NotificationKind, int] = field(default_factory=dict)
    unreachable: Optional[ck.ContactId] = None
    milestone_to: list[ck.ContactId] = field(default_factory=list)
    calls: int = 0

    def deliver(self, n: ck.Notification) -> ck.Delivery:
        self.calls += 1
        assert n.subject and n.body and n.to
        self.count[n.kind] = self.count.get(n.kind, 0) + 1
        if n.secret is not None:
            self.secret = n.secret
            assert n.secret in n.body
        if n.kind is ck.NotificationKind.MILESTONE:
            self.milestone_to.append(n.recipient)
        return ck.Delivery.UNDELIVERABLE if n.recipient == self.unreachable else ck.Delivery.DELIVERED


def contact(login: str, name: str, email: str, password: Optional[str] = None, *roles: ck.Role,
            phone: Optional[str] = None, tz: str = "UTC", scope: Optional[frozenset[str]] = None) -> ck.NewContact:
    return ck.NewContact(
        login=login,
        profile=ck.Profile(name=name, email=email, business_phone=phone, time_zone=tz),
        roles=frozenset(roles),
        tech_scope=scope,
        password=password,
    )


def test_the_c_scenario_from_python() -> None:
    seen = Seen()
    clock = ck.ManualClock(datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc))
    d = ck.Directory(
        notifier=seen, clock=clock, hash_cost=ck.HashCost(m_kib=64, t=1, p=1), delivery_timeout=None
    )
    sys = ck.Actor.SYSTEM

    def sign_in(login: str, pw: str, account: Optional[ck.AccountId] = None) -> ck.SignInOutcome:
        return d.sign_in(login, pw, ip=IP, account=account)

    # ----- accounts -----
    plan = ck.Plan("business", 3, ck.Money(500, "EUR"), ("users", "services", "reports", "backups"))
    owner = contact("alice", "Alice Owner", "alice@acme.example", "correct horse battery",
                    phone="+1 555 0101", tz="Europe/Paris")
    created = d.create_account(sys, name="Acme Corp", owner=owner, plan=plan)
    acct, alice = created.account, created.owner
    view = d.account(alice, acct)
    assert (view.name, view.owner, view.contacts) == ("Acme Corp", alice, 1)
    assert view.plan.name == "business" and len(view.plan.tech_options) == 4
    assert view.plan.additional_contact_price.currency == "EUR" and view.partner is None
    d.set_plan(alice, acct, ck.Plan("business", 4, ck.Money(500, "EUR"), plan.tech_options))
    d.register_service(sys, acct, ck.Service("mail", "Mail", True, "services"))
    d.register_service(sys, acct, ck.Service("fax", "Fax", False, "services"))
    assert len(d.services(alice, acct)) == 2  # the owner sees every service (A8)
    d.set_procurement(sys, acct, True)
    d.set_procurement(sys, acct, False)
    try:
        d.set_procurement(alice, acct, True)
        raise AssertionError("refused")
    except ck.PermissionDeniedError:
        pass
    assert d.contact_charge(alice, acct) is None
    other = d.create_account(ck.Actor.partner("reseller-1"), name="Other Inc",
                             owner=contact("zed", "Zed", "zed@other.example"))
    assert d.account(other.owner, other.account).partner == "reseller-1"

    # ----- contacts -----
    bob = d.create_contact(alice, acct, contact("bob", "Bob Manager", "bob@acme.example", BOB_PW,
                                                ck.Role.CONTACT_MANAGER))
    assert bob.charge is None
    bob_id = bob.contact
    carol = d.create_contact(alice, acct, contact("carol", "Carol Tech", "carol@acme.example", CAROL_PW,
                                                  ck.Role.TECHNICAL_ADMIN, phone="+1 555 0102",
                                                  scope=frozenset({"users", "reports"}))).contact
    dave = d.create_contact(alice, acct, contact("dave", "Dave", "dave@acme.example", "quiet river stones",
                                                 phone="+1 555 0103")).contact
    assert d.contact_charge(alice, acct) == ck.Money(500, "EUR")  # beyond the plan's four (A7)
    assert d.check_login(bob_id, acct, "ZED")
    zed = d.add_existing_contact(alice, acct, "zed")
    assert zed.charge == ck.Money(500, "EUR") and zed.pending
    d.accept_invitation(zed.contact, acct)  # B7: zed joins by accepting
    assert d.update_contact(bob_id, acct, dave, job_title="Engineer", cell_phone="+1 555 0199") == [
        ck.Field.JOB_TITLE, ck.Field.CELL_PHONE,
    ]
    d.update_contact(bob_id, acct, dave, cell_phone=None)
    dv = d.contact(alice, acct, dave)
    assert dv.profile.job_title == "Engineer" and dv.profile.cell_phone is None
    assert dv.login == "dave" and dv.profile.time_zone == "UTC"
    assert dv.lock is None and not dv.is_owner and dv.accounts == 1
    for target, rule in ((alice, "A6"), (zed.contact, "B6")):
        try:
            d.update_contact(bob_id, acct, target, name="Mallory")
            raise AssertionError("refused")
        except ck.RuleViolationError as e:
            assert e.rule == rule
    try:
        d.set_roles(bob_id, acct, dave, [ck.Role.BILLING_MANAGER])
        raise AssertionError("refused")
    except ck.RuleViolationError as e:
        assert e.rule == "C6"
    d.set_roles(alice, acct, dave, [ck.Role.BILLING_MANAGER, ck.Role.SECURITY_MANAGER])
    access = d.access(bob_id, acct)
    assert access.standing is ck.Standing.MEMBER
    assert access.allows(ck.Permission.MANAGE_CONTACTS) and not access.allows(ck.Permission.MANAGE_BILLING)
    assert access.assignable_roles == {ck.Role.CONTACT_MANAGER}
    owner_access = d.access(alice, acct)
    assert owner_access.standing is ck.Standing.OWNER and owner_access.roles == frozenset(ck.Role)
    d.authorize(alice, acct, ck.Permission.TRANSFER_OWNERSHIP)
    page = d.list_contacts(alice, acct, limit=3)
    assert len(page) == 3
    assert len(d.list_contacts(alice, acct, after=page[2].id, limit=1000)) == 2
    d.set_notification_prefs(alice, acct, dave, ck.NotificationPrefs(True, False, True, True))
    d.delete_contact(bob_id, acct, zed.contact)

    # ----- sign-in and locks -----
    o = sign_in("bob", BOB_PW)
    assert isinstance(o, ck.SignedIn)
    assert (o.session.contact, o.session.account, o.session.stage) == (bob_id, acct, ck.SessionStage.FULL)
    s = d.authenticate(o.token)
    assert s.contact == bob_id and str(s.ip) == IP and s.stage is ck.SessionStage.FULL
    assert d.session_actor(o.token) == ck.Actor.contact(bob_id)
    d.sign_out(o.token)
    try:
        d.authenticate(o.token)
        raise AssertionError("signed out")
    except ck.UnauthenticatedError:
        pass
    assert isinstance(sign_in("bob", "wrong"), ck.InvalidCredentials)
    assert isinstance(sign_in("nobody", "wrong"), ck.InvalidCredentials)
    d.set_lock_policy(alice, acct, ck.LockPolicy(3))
    locked: ck.SignInOutcome = ck.InvalidCredentials()
    for _ in range(10):
        locked = sign_in("bob", "wrong")
        if isinstance(locked, ck.Locked):
            assert locked.lock.kind is ck.LockKind.AUTOMATIC and locked.lock.until is not None
            break
    assert isinstance(locked, ck.Locked)
    assert isinstance(sign_in("bob", BOB_PW), ck.Locked)  # no password is checked (E3)
    padlock = [c.lock for c in d.list_contacts(alice, acct) if c.id == bob_id][0]
    assert padlock is not None and padlock.kind is ck.LockKind.AUTOMATIC  # E7
    d.unlock_contact(alice, acct, bob_id)  # E5
    assert isinstance(sign_in("bob", BOB_PW), ck.SignedIn)
    for _ in range(10):
        if isinstance(sign_in("dave", "wrong"), ck.Locked):
            break
    clock.advance(31 * 60)
    assert isinstance(sign_in("dave", "quiet river stones"), ck.SignedIn)  # the cool-off ends (E2)
    d.lock_contact(alice, acct, dave)
    manual = sign_in("dave", "quiet river stones")
    assert isinstance(manual, ck.Locked) and manual.lock.kind is ck.LockKind.MANUAL
    d.unlock_contact(alice, acct, dave)
    try:
        d.set_ip_allowlist(alice, acct, ["10.0.0.0/8"], current_ip="192.0.2.1")
        raise AssertionError("refused")
    except ck.RuleViolationError as e:
        assert e.rule == "G2"
    d.set_ip_allowlist(alice, acct, ["10.0.0.0/8"], current_ip="10.1.2.3")
    assert isinstance(sign_in("dave", "quiet river stones"), ck.IpNotAllowed)
    d.set_ip_allowlist(alice, acct, [], current_ip="10.1.2.3")
    beta = d.create_account(sys, name="Beta", owner=contact("yuri", "Yuri", "yuri@b.example"))
    d.add_existing_contact(beta.owner, beta.account, "carol")
    d.accept_invitation(carol, beta.account)
    two = sign_in("carol", CAROL_PW)
    assert isinstance(two, ck.AccountRequired) and len(two.accounts) == 2 and two.session is None
    assert isinstance(sign_in("carol", CAROL_PW, beta.account), ck.SignedIn)

    # ----- passwords and recovery -----
    d.set_password_policy(alice, acct, ck.PasswordPolicy(12, 6))
    try:
        d.set_password_policy(alice, acct, ck.PasswordPolicy(4, 5))
        raise AssertionError("refused")
    except ck.InvalidInputError:
        pass
    d.change_password(dave, acct, current="quiet river stones", new="quiet river stones 2")
    try:
        d.change_password(dave, acct, current="quiet river stones 2", new="short")
        raise AssertionError("refused")
    except ck.InvalidInputError as e:
        assert e.field is ck.Field.PASSWORD
    temp = d.reset_password(alice, acct, dave)
    assert temp is not None and len(temp) == 16
    change = sign_in("dave", temp)
    assert isinstance(change, ck.PasswordChangeRequired)
    assert change.session.stage is ck.SessionStage.PASSWORD_CHANGE
    try:
        d.session_actor(change.token)  # D4: not yet
        raise AssertionError("refused")
    except ck.UnauthenticatedError:
        pass
    assert isinstance(change.change_password(current=temp, new="quiet river stones 3"), ck.SignedIn)
    assert d.reset_password(alice, acct, dave, channel=ck.RecoveryChannel.EMAIL) is None
    assert seen.secret
    d.set_must_change_password(alice, acct, dave, False)
    seen.secret = ""
    d.request_password_reset("dave", ck.RecoveryChannel.EMAIL)
    assert seen.secret
    try:
        d.complete_password_reset("dave", "000000", new="quiet river stones 4")
        raise AssertionError("refused")
    except ck.UnauthenticatedError:
        pass
    d.complete_password_reset("dave", seen.secret, new="quiet river stones 4")
    d.request_password_reset("nobody-at-all", ck.RecoveryChannel.CELL_PHONE)
    assert isinstance(sign_in("dave", "quiet river stones 4"), ck.SignedIn)
    d.change_password(dave, acct, current="quiet river stones 4", new="quiet river stones 5")

    # ----- second factor -----
    seen.secret = ""
    e = d.begin_two_factor_enrollment(bob_id, acct, ck.TwoFactorMethod.EMAIL, current_password=BOB_PW)
    assert e.method is ck.TwoFactorMethod.EMAIL and e.otpauth_uri is None and seen.secret
    d.confirm_two_factor_enrollment(bob_id, acct, seen.secret)
    seen.secret = ""
    second = sign_in("bob", BOB_PW)
    assert isinstance(second, ck.SecondFactorRequired) and second.method is ck.TwoFactorMethod.EMAIL
    assert second.session.stage is ck.SessionStage.SECOND_FACTOR
    second.resend_code()
    try:
        second.complete("nope")
        raise AssertionError("refused")
    except ck.UnauthenticatedError:
        pass
    assert isinstance(second.complete(seen.secret), ck.SignedIn)
    d.reset_two_factor(alice, acct, bob_id)  # F2
    e = d.begin_two_factor_enrollment(bob_id, acct, ck.TwoFactorMethod.TOTP, current_password=BOB_PW)
    assert e.otpauth_uri is not None and e.otpauth_uri.startswith("otpauth://totp/")
    assert e.secret_base32 is not None
    now = d.now()
    d.confirm_two_factor_enrollment(bob_id, acct, ck.totp_code(e.secret_base32, now))
    clock.advance(60)
    totp = sign_in("bob", BOB_PW)
    assert isinstance(totp, ck.SecondFactorRequired) and totp.method is ck.TwoFactorMethod.TOTP
    assert isinstance(totp.complete(ck.totp_code(e.secret_base32, now + datetime.timedelta(seconds=60))), ck.SignedIn)
    d.reset_two_factor(alice, acct, bob_id)
    d.set_require_two_factor(alice, acct, True)
    enroll = sign_in("carol", CAROL_PW, acct)
    assert isinstance(enroll, ck.EnrollmentRequired)
    seen.secret = ""
    enroll.begin_enrollment(ck.TwoFactorMethod.EMAIL)
    done = enroll.confirm_enrollment(seen.secret)
    assert isinstance(done, ck.SignedIn) and done.token
    d.set_require_two_factor(alice, acct, False)

    # ----- security questions -----
    assert len(ck.SECURITY_QUESTIONS) >= 3
    d.set_security_answers(dave, acct, {0: "Rex", 1: "Lyon", 4: "Citroen"}, current_password="quiet river stones 5")
    assert d.security_questions(dave, acct, dave) == [0, 1, 4]
    desk = ck.Actor.support_desk("agent-7", "caller verification")
    assert d.check_security_answer(desk, acct, dave, question=1, answer="  LYON ")
    assert not d.check_security_answer(desk, acct, dave, question=1, answer="Paris")

    # ----- designations -----
    pc = d.add_resource(alice, acct, kind="computer", name="pc-1", primary=carol, secondary=dave)
    nas = d.add_resource(alice, acct, kind="computer", name="nas-1", primary=carol)
    try:
        d.set_technical_contacts(alice, acct, nas, primary=carol, secondary=carol)
        raise AssertionError("refused")
    except ck.RuleViolationError as err:
        assert err.rule == "H2"
    res = d.resource(alice, acct, pc)
    assert (res.name, res.primary, res.secondary) == ("pc-1", carol, dave)
    assert len(d.resources(alice, acct, limit=10)) == 2
    duties = d.duties(alice, acct, carol)
    assert len(duties) == 2 and isinstance(duties[0], ck.TechnicalDuty)
    seen.milestone_to.clear()
    d.report_milestone(sys, acct, pc, ck.Milestone.SOFTWARE_READY)
    assert seen.milestone_to == [carol]
    seen.unreachable = carol
    d.report_milestone(sys, acct, pc, "agent upgraded")
    assert seen.milestone_to == [carol, carol, dave]
    seen.unreachable = None
    d.set_billing_contacts(alice, acct, primary=dave)
    assert d.billing_contacts(alice, acct) == ck.BillingContacts(dave, None)
    assert d.reassign_duties(alice, acct, from_contact=carol, to_contact=alice) == 2
    eve = contact("eve", "Eve", "eve@acme.example")
    duty = ck.TechnicalDuty(nas, ck.Rank.SECONDARY)
    try:
        d.create_contact_with_duty(alice, acct, eve, duty)
        raise AssertionError("refused")
    except ck.NotEligibleError:
        pass
    assert not d.check_login(alice, acct, "eve")  # neither half happened
    added = d.create_contact_with_duty(alice, acct, contact("eve", "Eve", "eve@acme.example", phone="+1 555 0104"), duty)
    try:
        d.delete_contact(alice, acct, dave)
        raise AssertionError("refused")
    except ck.DutiesHeldError:
        pass
    d.delete_contact(alice, acct, dave, replacement=added.contact)
    assert d.billing_contacts(alice, acct).primary == added.contact
    d.remove_resource(alice, acct, nas)

    # ----- ownership -----
    before = seen.count.get(ck.NotificationKind.OWNERSHIP_RECEIVED, 0)
    d.transfer_ownership(alice, acct, bob_id)  # A3
    assert seen.count[ck.NotificationKind.OWNERSHIP_RECEIVED] == before + 1
    try:
        d.transfer_ownership(alice, acct, alice)
        raise AssertionError("refused")
    except ck.PermissionDeniedError:
        pass
    try:
        d.transfer_ownership(ck.Actor.support_desk("agent-7", ""), acct, alice)  # A4
        raise AssertionError("refused")
    except ck.InvalidInputError as err:
        assert err.field is ck.Field.REASON
    d.transfer_ownership(ck.Actor.support_desk("agent-7", "owner left the company"), acct, alice)
    assert d.account(bob_id, acct).owner == alice
    try:
        d.send_maintenance_notice(alice, acct, subject="x", body="y")
        raise AssertionError("refused")
    except ck.PermissionDeniedError:
        pass

    # ----- forced change (D2) -----
    clock.advance(60)
    d.require_password_change(alice, acct)
    forced = sign_in("bob", BOB_PW)
    assert isinstance(forced, ck.PasswordChangeRequired)
    assert isinstance(forced.change_password(current=BOB_PW, new="a brand new passphrase"), ck.SignedIn)

    # ----- audit -----
    assert d.send_maintenance_notice(sys, acct, subject="Maintenance", body="Tonight 22:00 UTC") >= 3
    transfers = d.audit_entries(alice, acct, operation=ck.Operation.OWNERSHIP_TRANSFER, limit=1000)
    assert len(transfers) >= 3
    assert all(x.account == acct and x.seq > 0 for x in transfers)
    assert sum(1 for x in transfers if x.detail and "owner left the company" in x.detail) == 1
    assert 50 < len(d.audit_entries(alice, acct)) <= 100
    text = d.audit_csv(alice, acct)
    assert text.count("\r\n") > 50
    fd, path = tempfile.mkstemp(prefix="ck-audit-")
    os.close(fd)
    try:
        rows = d.export_audit_csv(alice, acct, path)
        with open(path, encoding="utf-8") as f:
            assert "operation" in f.readline()
        assert rows > 50
    finally:
        os.unlink(path)
    v = d.verify_audit(alice, acct)
    assert isinstance(v, ck.AuditIntact) and v.entries > 50
    assert d.verify_directory_audit(sys).intact
    try:
        d.verify_directory_audit(alice)
        raise AssertionError("refused")
    except ck.PermissionDeniedError:
        pass
    d.directory_audit_entries(sys)
    assert d.pending_notifications() == []  # everything was delivered inline
    assert d.deliver_pending() == ck.DeliveryReport(0, 0, 0)
    assert seen.calls > 20
    d.close()
