"""The shared scenarios of tests/scenarios/*.json, from Python. The Rust
runner (tests/scenarios/run.rs) runs the same files; both must see the same
outcomes, error kinds, rules and fields."""

from __future__ import annotations

import datetime
import json
import pathlib
from typing import Any, Optional

import pytest

import contactkeeper as ck

SCENARIOS = pathlib.Path(__file__).resolve().parents[2] / "tests" / "scenarios"
FILES = sorted(SCENARIOS.glob("*.json"))


class Runner:
    def __init__(self) -> None:
        self.clock = ck.ManualClock(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.timezone.utc))
        self.dir = ck.Directory(clock=self.clock, hash_cost=ck.HashCost(m_kib=256, t=1, p=1))
        self.names: dict[str, Any] = {}

    def actor(self, name: str) -> ck.Actor:
        if name == "system":
            return ck.Actor.SYSTEM
        if name.startswith("support:"):
            _, agent, reason = name.split(":", 2)
            return ck.Actor.support_desk(agent, reason)
        if name.startswith("partner:"):
            return ck.Actor.partner(name.split(":", 1)[1])
        return ck.Actor.contact(self.names[name])

    def contact(self, spec: dict[str, Any]) -> ck.NewContact:
        return ck.NewContact(
            login=spec["login"],
            profile=ck.Profile(name=spec["name"], email=spec["email"], business_phone=spec.get("business_phone")),
            roles=frozenset(ck.Role(r) for r in spec.get("roles", [])),
            password=spec.get("password"),
        )

    def opt(self, step: dict[str, Any], key: str) -> Optional[Any]:
        return self.names[step[key]] if key in step else None

    def run(self, step: dict[str, Any]) -> Any:
        d, op = self.dir, step["op"]
        a = self.actor(step["actor"]) if "actor" in step else None
        acct = self.names.get(step.get("account", ""))
        c = self.names.get(step.get("contact", "")) if isinstance(step.get("contact"), str) else None
        if op == "create_account":
            owner = step["owner"]
            created = d.create_account(a, name=step["name"], owner=owner if isinstance(owner, str) else self.contact(owner))
            return [created.account, created.owner]
        if op == "create_contact":
            return d.create_contact(a, acct, self.contact(step["contact"])).contact
        if op == "add_existing_contact":
            roles = [ck.Role(r) for r in step.get("roles", [])]
            return d.add_existing_contact(a, acct, step["login"], roles=roles).contact
        if op == "update_contact":
            return [f.value for f in d.update_contact(a, acct, c, **step["changes"])]
        if op == "delete_contact":
            return d.delete_contact(a, acct, c, replacement=self.opt(step, "replacement"))
        if op == "set_roles":
            return d.set_roles(a, acct, c, [ck.Role(r) for r in step["roles"]])
        if op == "transfer_ownership":
            return d.transfer_ownership(a, acct, c)
        if op == "authorize":
            return d.authorize(a, acct, ck.Permission(step["permission"]))
        if op == "allows":
            return d.allows(a, acct, ck.Permission(step["permission"]))
        if op == "sign_in":
            return d.sign_in(step["login"], step["password"], ip=step.get("ip", "192.0.2.1"), account=self.opt(step, "account"))
        if op == "set_lock_policy":
            n = step.get("max_attempts")
            return d.set_lock_policy(a, acct, None if n is None else ck.LockPolicy(n))
        if op == "reset_password":
            d.reset_password(a, acct, c, channel=step.get("channel"))
            return None
        if op == "accept_invitation":
            return d.accept_invitation(a, acct)
        if op == "decline_invitation":
            return d.decline_invitation(a, acct)
        if op == "reset_two_factor":
            return d.reset_two_factor(a, acct, c)
        if op == "check_login":
            return d.check_login(a, acct, step["login"])
        if op == "lock_contact":
            return d.lock_contact(a, acct, c)
        if op == "unlock_contact":
            return d.unlock_contact(a, acct, c)
        if op == "set_ip_allowlist":
            return d.set_ip_allowlist(a, acct, step["ranges"], current_ip=step["current_ip"])
        if op == "add_resource":
            return d.add_resource(
                a, acct, kind=step["kind"], name=step["name"], primary=self.names[step["primary"]],
                secondary=self.opt(step, "secondary"),
            )
        if op == "remove_resource":
            return d.remove_resource(a, acct, self.names[step["resource"]])
        if op == "set_billing_contacts":
            return d.set_billing_contacts(a, acct, primary=self.names[step["primary"]], secondary=self.opt(step, "secondary"))
        if op == "duties":
            return [duty_name(x) for x in d.duties(a, acct, c)]
        if op == "reassign_duties":
            return d.reassign_duties(a, acct, from_contact=self.names[step["from"]], to_contact=self.names[step["to"]])
        if op == "advance":
            return self.clock.advance(step["seconds"])
        if op == "verify_audit":
            return d.verify_audit(a, acct).intact
        if op == "audit_count":
            operation = ck.Operation(step["operation"]) if "operation" in step else None
            entries = d.iter_audit(a, acct, operation=operation)
            wanted = step.get("outcome")
            return sum(1 for e in entries if wanted is None or (e.ok == (wanted == "ok")))
        if op == "set_technical_contacts":
            return d.set_technical_contacts(
                a, acct, self.names[step["resource"]], primary=self.names[step["primary"]],
                secondary=self.opt(step, "secondary"),
            )
        if op == "resource":
            r = d.resource(a, acct, self.names[step["resource"]])
            return {"name": r.name, "primary": self.name_of(r.primary), "secondary": self.name_of(r.secondary)}
        if op == "designate":
            info = step.get("info", {})
            return d.designate(a, acct, c, self.duty(step["duty"]), ck.DutyInfo(**info))
        if op == "create_contact_with_duty":
            return d.create_contact_with_duty(a, acct, self.contact(step["contact"]), self.duty(step["duty"])).contact
        if op == "add_resource_with_new_primary":
            made = d.add_resource_with_new_primary(
                a, acct, kind=step["kind"], name=step["name"], contact=self.contact(step["contact"]),
                secondary=self.opt(step, "secondary"),
            )
            return [made.resource, made.contact.contact]
        if op == "search_contacts":
            locked = step.get("locked")
            page = d.search_contacts(
                a, acct, sort=step.get("sort"), role=step.get("role"), text=step.get("text"),
                locked=None if locked is None else locked == "locked", limit=ck.MAX_PAGE,
            )
            return [
                {"login": v.login, "owner": v.is_owner, "lock": None if v.lock is None else v.lock.kind.value}
                for v in page.contacts
            ]
        if op == "password_status":
            p = d.password_status(a, acct, c)
            days = None if p.expires_at is None else int((p.expires_at - self.clock.now()).total_seconds() // 86400)
            return {"set": p.set, "expires_in_days": days, "must_change": p.must_change, "change_required": p.change_required}
        if op == "two_factor_status":
            t = d.two_factor_status(a, acct, c)
            assigned = None
            if t.assigned_method is not None:
                assigned = {"method": t.assigned_method.value, "phone": t.assigned_phone}
            return {
                "method": None if t.method is None else t.method.value, "phone": t.phone, "assigned": assigned,
                "enrollment_pending": t.enrollment_pending, "required": t.required,
            }
        if op == "set_two_factor_method":
            return d.set_two_factor_method(a, acct, c, step["method"], phone=step.get("phone"))
        if op == "set_require_two_factor":
            return d.set_require_two_factor(a, acct, step["required"])
        if op == "security_questions":
            return d.security_questions(a, acct, c)
        if op == "set_security_answers":
            answers = {q: text for q, text in step["answers"]}
            return d.set_security_answers(a, acct, answers, current_password=step["password"])
        if op == "check_security_answer":
            return d.check_security_answer(a, acct, c, question=step["question"], answer=step["answer"])
        if op == "assignable_roles":
            roles = d.access(a, acct).assignable_roles
            return [r.value for r in ck.Role if r in roles]
        if op == "set_procurement":
            return d.set_procurement(a, acct, step["enabled"])
        if op == "send_billing_notice":
            to = d.send_billing_notice(a, acct, subject=step["subject"], body=step.get("body", "Details inside."))
            return None if to is None else self.name_of(to)
        if op == "set_notification_prefs":
            return d.set_notification_prefs(a, acct, c, ck.NotificationPrefs(**step["prefs"]))
        raise AssertionError(f"unknown op {op}")

    def name_of(self, contact: Optional[ck.ContactId]) -> Optional[str]:
        if contact is None:
            return None
        return next(n for n, v in self.names.items() if isinstance(v, ck.ContactId) and v == contact)

    def duty(self, spec: dict[str, Any]) -> ck.Duty:
        rank = ck.Rank(spec.get("rank", "primary"))
        if "resource" in spec:
            return ck.TechnicalDuty(self.names[spec["resource"]], rank)
        return ck.BillingDuty(rank)


def duty_name(d: ck.Duty) -> str:
    return f"{d.rank.value} {'technical' if isinstance(d, ck.TechnicalDuty) else 'billing'}"


def check_error(e: ck.ContactKeeperError, want: dict[str, Any]) -> None:
    assert ck.ErrorCode(e.code).name.lower() == want["error"], e
    if "rule" in want:
        assert e.rule == want["rule"], e
    for key in ("field", "problem", "entity", "permission", "reason"):
        if key in want:
            assert getattr(e, key).value == want[key], e
    if "missing" in want:
        assert isinstance(e, ck.NotEligibleError) and [f.value for f in e.missing] == want["missing"]
    if "duties" in want:
        assert isinstance(e, ck.DutiesHeldError) and [duty_name(x) for x in e.duties] == want["duties"]


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_shared_scenario(path: pathlib.Path) -> None:
    scenario = json.loads(path.read_text(encoding="utf-8"))
    runner = Runner()
    for i, step in enumerate(scenario["steps"]):
        want = step.get("expect", {})
        where = f"{path.name} step {i} ({step['op']})"
        try:
            value = runner.run(step)
        except ck.ContactKeeperError as e:
            assert "error" in want, f"{where}: unexpected {e!r}"
            check_error(e, want)
            continue
        assert "error" not in want, f"{where}: expected {want['error']}, got success"
        if "outcome" in want:
            assert value.name == want["outcome"], f"{where}: {value}"
            if "lock" in want:
                assert value.lock.kind.value == want["lock"], where
        if "value" in want:
            assert value == want["value"], f"{where}: {value!r}"
        if "bind" in step:
            names = step["bind"] if isinstance(step["bind"], list) else [step["bind"]]
            values = value if isinstance(value, list) else [value]
            runner.names.update(zip(names, values))


def test_there_are_shared_scenarios() -> None:
    assert len(FILES) >= 3
