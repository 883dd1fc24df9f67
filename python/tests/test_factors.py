"""SPEC F and G: second factor, security questions, IP allowlists."""

from __future__ import annotations

import ipaddress

import pytest

import contactkeeper as ck
from conftest import PASSWORD, World


def enroll_totp(world: World, who: ck.ContactId) -> str:
    start = world.dir.begin_two_factor_enrollment(
        who, world.account, ck.TwoFactorMethod.TOTP, current_password=PASSWORD
    )
    assert start.method is ck.TwoFactorMethod.TOTP
    assert start.secret_base32 is not None and start.otpauth_uri is not None
    assert start.otpauth_uri.startswith("otpauth://totp/")
    assert start.secret_base32 not in repr(start)
    world.dir.confirm_two_factor_enrollment(who, world.account, ck.totp_code(start.secret_base32, world.clock.now()))
    return start.secret_base32


def test_totp_second_factor(world: World) -> None:
    # rule F1, E8
    carol = world.contact("carol")
    with pytest.raises(ck.InvalidCredentialsError):
        world.dir.begin_two_factor_enrollment(
            carol, world.account, ck.TwoFactorMethod.TOTP, current_password="wrong password 1"
        )
    secret = enroll_totp(world, carol)
    world.clock.advance(60)
    o = world.sign_in("carol")
    assert isinstance(o, ck.SecondFactorRequired) and o.method is ck.TwoFactorMethod.TOTP
    with pytest.raises(ck.UnauthenticatedError) as e:
        o.complete("000000")
    assert e.value.reason is ck.AuthFailure.INVALID_CODE and e.value.rule == "F1"
    done = o.complete(ck.totp_code(secret, world.clock.now()))
    assert isinstance(done, ck.SignedIn) and done.actor == ck.Actor.contact(carol)


def test_email_codes_and_resets(world: World) -> None:
    # rule F1, F2
    carol = world.contact("carol")
    world.dir.begin_two_factor_enrollment(carol, world.account, ck.TwoFactorMethod.EMAIL, current_password=PASSWORD)
    code = [n for n in world.notes() if n.kind is ck.NotificationKind.SIGN_IN_CODE][-1].secret
    assert code is not None
    world.dir.confirm_two_factor_enrollment(carol, world.account, code)
    o = world.sign_in("carol")
    assert isinstance(o, ck.SecondFactorRequired) and o.method is ck.TwoFactorMethod.EMAIL
    world.notes()
    o.resend_code()
    code = [n for n in world.notes() if n.kind is ck.NotificationKind.SIGN_IN_CODE][-1].secret
    assert code is not None
    assert isinstance(o.complete(code), ck.SignedIn)
    sec = world.contact("sec", ck.Role.SECURITY_MANAGER)
    world.dir.reset_two_factor(sec, world.account, carol)
    assert isinstance(world.sign_in("carol"), ck.SignedIn)
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.begin_two_factor_enrollment(carol, world.account, ck.TwoFactorMethod.SMS, current_password=PASSWORD)
    assert e.value.field is ck.Field.TWO_FACTOR_PHONE
    world.dir.begin_two_factor_enrollment(
        carol, world.account, ck.TwoFactorMethod.SMS, current_password=PASSWORD, phone="+1 555 0100 999"
    )
    sms = [n for n in world.notes() if n.kind is ck.NotificationKind.SIGN_IN_CODE][-1]
    assert sms.to == ("+1 555 0100 999",)
    assert sms.secret is not None and sms.secret not in repr(sms) and "redacted" in repr(sms)


def test_required_2fa_signs_in_only_into_enrollment(world: World) -> None:
    # rule F3
    carol = world.contact("carol")
    with pytest.raises(ck.PermissionDeniedError):
        world.dir.set_require_two_factor(carol, world.account, True)
    world.dir.set_require_two_factor(world.alice, world.account, True)
    o = world.sign_in("carol")
    assert isinstance(o, ck.EnrollmentRequired)
    start = o.begin_enrollment(ck.TwoFactorMethod.EMAIL)
    assert start.otpauth_uri is None
    code = [n for n in world.notes() if n.kind is ck.NotificationKind.SIGN_IN_CODE][-1].secret
    assert code is not None
    with pytest.raises(ck.UnauthenticatedError):
        o.confirm_enrollment("999999x")
    done = o.confirm_enrollment(code)
    assert isinstance(done, ck.SignedIn) and done.actor == ck.Actor.contact(carol)
    o2 = world.sign_in("carol")
    assert isinstance(o2, ck.SecondFactorRequired)


def test_security_questions(world: World) -> None:
    # rule F4
    carol = world.contact("carol")
    assert len(ck.SECURITY_QUESTIONS) == 12
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.set_security_answers(carol, world.account, {0: "Rex", 1: "Paris"}, current_password=PASSWORD)
    assert e.value.field in (ck.Field.SECURITY_QUESTION, ck.Field.SECURITY_ANSWER) and e.value.rule == "F4"
    world.dir.set_security_answers(
        carol, world.account, {0: "Rex", 1: "  New   York ", 4: "Volvo"}, current_password=PASSWORD
    )
    desk = ck.Actor.support_desk("jo", "caller verification")
    assert world.dir.security_questions(desk, world.account, carol) == [0, 1, 4]
    assert world.dir.check_security_answer(desk, world.account, carol, question=1, answer="new york")
    assert not world.dir.check_security_answer(desk, world.account, carol, question=1, answer="Boston")
    with pytest.raises(ck.PermissionDeniedError):
        world.dir.check_security_answer(world.alice, world.account, carol, question=1, answer="x")
    assert [e.operation for e in world.audit()[-2:]] == [ck.Operation.SECURITY_ANSWER_CHECK] * 2


def test_ip_allowlists(world: World) -> None:
    # rule G1, G2
    world.contact("bob")
    with pytest.raises(ck.RuleViolationError) as e:
        world.dir.set_ip_allowlist(world.alice, world.account, ["192.168.0.0/16"], current_ip="10.0.0.1")
    assert e.value.rule == "G2"
    world.dir.set_ip_allowlist(
        world.alice, world.account, ["10.0.0.0/8", "2001:db8::/32"], current_ip=ipaddress.ip_address("10.1.2.3")
    )
    assert isinstance(world.dir.sign_in("bob", PASSWORD, ip="192.168.1.1"), ck.IpNotAllowed)
    assert isinstance(world.dir.sign_in("bob", PASSWORD, ip="2001:db8::1"), ck.SignedIn)
    with pytest.raises(ck.InvalidInputError) as bad:
        world.dir.set_ip_allowlist(world.alice, world.account, ["10.0.0.0/33"], current_ip="10.0.0.1")
    assert bad.value.field is ck.Field.IP_ALLOWLIST and bad.value.rule == "G1"
    with pytest.raises(ck.InvalidInputError) as ip:
        world.dir.sign_in("bob", PASSWORD, ip="not an ip")
    assert ip.value.field is ck.Field.IP
    with pytest.raises(TypeError):
        world.dir.sign_in("bob", PASSWORD, ip=167772161)  # type: ignore[arg-type]
    world.dir.set_ip_allowlist(world.alice, world.account, [], current_ip="10.0.0.1")
