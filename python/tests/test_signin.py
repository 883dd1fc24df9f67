"""SPEC D and E: sign-in outcomes, sessions, passwords, recovery, locks."""

from __future__ import annotations

import datetime
import ipaddress

import pytest

import contactkeeper as ck
from conftest import IP, PASSWORD, World, make_directory, new_contact

PW2 = "second Passphrase 77"


def secret_sent(world: World, kind: ck.NotificationKind) -> str:
    sent = [n for n in world.notes() if n.kind is kind and n.secret is not None]
    assert sent, f"no {kind} notification with a secret"
    secret = sent[-1].secret
    assert secret is not None
    return secret


def test_signed_in_gives_a_session_that_acts(world: World) -> None:
    # rule D5, D8
    o = world.sign_in("alice")
    assert isinstance(o, ck.SignedIn) and o.name == "signed_in"
    assert o.session is not None and o.session.stage is ck.SessionStage.FULL
    assert o.actor == ck.Actor.contact(world.alice)
    assert o.token not in repr(o)
    info = world.dir.authenticate(o.token)
    assert info.contact == world.alice and info.account == world.account
    assert info.ip == ipaddress.ip_address(IP)
    assert info.expires_at - info.created_at == datetime.timedelta(hours=12)
    assert world.dir.session_actor(o.token) == ck.Actor.contact(world.alice)
    o.sign_out()
    with pytest.raises(ck.UnauthenticatedError) as e:
        world.dir.authenticate(o.token)
    assert e.value.reason is ck.AuthFailure.INVALID_TOKEN and e.value.rule == "D8"
    world.dir.sign_out(o.token)  # twice is fine


def test_wrong_password_and_unknown_login_answer_alike(world: World) -> None:
    # rule D5
    for login, password in [("alice", "wrong password 1"), ("nobody", PASSWORD), ("\ud800", PASSWORD)]:
        o = world.dir.sign_in(login, password, ip=IP)
        assert isinstance(o, ck.InvalidCredentials) and o.session is None
    assert isinstance(world.dir.sign_in("alice", b"\xff\xfe", ip=IP), ck.InvalidCredentials)
    assert isinstance(world.dir.sign_in("alice", "\udcff", ip=IP), ck.InvalidCredentials)
    assert isinstance(world.dir.sign_in("alice", PASSWORD.encode(), ip=ipaddress.ip_address(IP)), ck.SignedIn)


def test_the_lock_policy_locks_for_thirty_minutes(world: World) -> None:
    # rule E1, E2, E3, E9
    bob = world.contact("bob")
    world.dir.set_lock_policy(world.alice, world.account, ck.LockPolicy(max_attempts=3))
    for _ in range(3):
        assert isinstance(world.sign_in("bob", "wrong password 1"), ck.InvalidCredentials)
    o = world.sign_in("bob")
    assert isinstance(o, ck.Locked) and o.lock.kind is ck.LockKind.AUTOMATIC
    assert o.lock.until is not None and o.lock.until - o.lock.since == datetime.timedelta(minutes=30)
    view = world.dir.contact(world.alice, world.account, bob)
    assert view.locked and view.lock == o.lock
    assert any(n.kind is ck.NotificationKind.SECURITY for n in world.notes())
    assert world.audit(operation=ck.Operation.AUTO_LOCK)
    world.clock.advance(datetime.timedelta(minutes=31))
    assert isinstance(world.sign_in("bob"), ck.SignedIn)
    world.dir.set_lock_policy(world.alice, world.account, None)
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.set_lock_policy(world.alice, world.account, ck.LockPolicy(max_attempts=0))
    assert e.value.field is ck.Field.LOCK_POLICY and e.value.rule == "E1"


def test_managers_lock_and_unlock_by_hand(world: World) -> None:
    # rule E5, E6, D8
    bob = world.contact("bob")
    session = world.sign_in("bob")
    assert isinstance(session, ck.SignedIn)
    world.dir.lock_contact(world.alice, world.account, bob)
    with pytest.raises(ck.UnauthenticatedError) as e:
        world.dir.authenticate(session.token)
    assert e.value.reason in (ck.AuthFailure.LOCKED, ck.AuthFailure.REVOKED)
    o = world.sign_in("bob")
    assert isinstance(o, ck.Locked) and o.lock.kind is ck.LockKind.MANUAL and o.lock.until is None
    world.dir.unlock_contact(world.alice, world.account, bob)
    assert isinstance(world.sign_in("bob"), ck.SignedIn)


def test_a_locked_login_raises_locked_error_when_the_password_is_asked_again(world: World) -> None:
    # rule E3, D8
    world.dir.set_lock_policy(world.alice, world.account, ck.LockPolicy(max_attempts=1))
    assert isinstance(world.sign_in("alice", "wrong password 1"), ck.InvalidCredentials)
    with pytest.raises(ck.LockedError) as e:
        world.dir.change_password(world.alice, world.account, current=PASSWORD, new=PW2)
    assert isinstance(e.value, ck.UnauthenticatedError)
    assert e.value.reason is ck.AuthFailure.LOCKED and e.value.rule == "E3" and e.value.code == 10


def test_a_session_ends_with_a_password_change(world: World) -> None:
    # rule D8
    o = world.sign_in("alice")
    assert isinstance(o, ck.SignedIn)
    world.dir.change_password(world.alice, world.account, current=PASSWORD, new=PW2)
    with pytest.raises(ck.UnauthenticatedError) as e:
        world.dir.session_actor(o.token)
    assert e.value.reason is ck.AuthFailure.REVOKED
    with pytest.raises(ck.InvalidInputError) as p:
        world.dir.change_password(world.alice, world.account, current=PW2, new=PASSWORD)
    assert p.value.problem is ck.Problem.RECENTLY_USED
    assert isinstance(world.sign_in("alice", PW2), ck.SignedIn)


def test_sessions_expire_when_idle(world: World) -> None:
    # rule D8
    o = world.sign_in("alice")
    assert isinstance(o, ck.SignedIn)
    world.clock.advance(datetime.timedelta(minutes=31))
    with pytest.raises(ck.UnauthenticatedError) as e:
        world.dir.authenticate(o.token)
    assert e.value.reason is ck.AuthFailure.EXPIRED


def test_expired_sessions_are_purged(world: World) -> None:
    # rule D8
    o = world.sign_in("alice")
    assert isinstance(o, ck.SignedIn)
    assert world.dir.purge_expired_sessions() == 0
    world.clock.advance(datetime.timedelta(minutes=31))
    assert world.dir.purge_expired_sessions() == 1
    with pytest.raises(ck.UnauthenticatedError) as e:
        world.dir.authenticate(o.token)
    assert e.value.reason is ck.AuthFailure.INVALID_TOKEN


def test_session_lifetimes_are_configurable() -> None:
    with pytest.raises(ck.InvalidInputError) as e:
        ck.Directory(session_lifetimes=ck.SessionLifetimes(idle=datetime.timedelta(seconds=1)))
    assert e.value.field is ck.Field.SESSION_LIFETIME
    with pytest.raises(ck.InvalidInputError) as e:
        ck.Directory(hash_cost=ck.HashCost(m_kib=1))
    assert e.value.field is ck.Field.HASH_COST


def test_reset_at_next_login_gives_a_session_that_only_changes_the_password(world: World) -> None:
    # rule D4
    bob = world.contact("bob")
    world.dir.set_must_change_password(world.alice, world.account, bob, True)
    o = world.sign_in("bob")
    assert isinstance(o, ck.PasswordChangeRequired)
    with pytest.raises(ck.UnauthenticatedError) as e:
        world.dir.session_actor(o.token)
    assert e.value.reason is ck.AuthFailure.STEP_REQUIRED and e.value.rule == "D4"
    with pytest.raises(ck.InvalidInputError):
        o.change_password(current=PASSWORD, new="short")
    nxt = o.change_password(current=PASSWORD, new=PW2)
    assert isinstance(nxt, ck.SignedIn) and nxt.actor == ck.Actor.contact(bob)


def test_everyone_can_be_made_to_change_and_policies_tightened(world: World) -> None:
    # rule D2
    world.contact("bob")
    world.dir.set_password_policy(world.alice, world.account, ck.PasswordPolicy(min_length=24, history=5))
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.set_password_policy(world.alice, world.account, ck.PasswordPolicy(min_length=4))
    assert e.value.field is ck.Field.PASSWORD_POLICY
    world.clock.advance(1)
    world.dir.require_password_change(world.alice, world.account)
    o = world.sign_in("bob")
    assert isinstance(o, ck.PasswordChangeRequired)
    with pytest.raises(ck.InvalidInputError) as t:
        o.change_password(current=PASSWORD, new=PW2)
    assert t.value.problem is ck.Problem.TOO_SHORT and t.value.limit == 24
    assert isinstance(o.change_password(current=PASSWORD, new="a much longer passphrase 1234"), ck.SignedIn)


def test_a_shared_contact_names_the_account(world: World) -> None:
    other = world.dir.create_account(ck.Actor.SYSTEM, name="Other", owner="alice")
    o = world.sign_in("alice")
    assert isinstance(o, ck.AccountRequired)
    assert set(o.accounts) == {world.account, other.account}
    assert isinstance(world.sign_in("alice", account=other.account), ck.SignedIn)


def test_managers_reset_passwords(world: World) -> None:
    # rule D7
    bob = world.contact("bob", ck.Role.CONTACT_MANAGER)
    carol = world.contact("carol")
    temporary = world.dir.reset_password(bob, world.account, carol)
    assert temporary is not None and len(temporary) == 16
    assert isinstance(world.sign_in("carol", temporary), ck.PasswordChangeRequired)
    assert world.dir.reset_password(bob, world.account, carol, channel=ck.RecoveryChannel.EMAIL) is None
    secret = secret_sent(world, ck.NotificationKind.PASSWORD_RESET)
    world.dir.complete_password_reset("carol", secret, new=PW2)
    assert isinstance(world.sign_in("carol", PW2), ck.SignedIn)
    with pytest.raises(ck.RuleViolationError) as e:
        world.dir.reset_password(bob, world.account, bob)
    assert e.value.rule == "D8"


def test_forgotten_passwords_are_reset_with_a_one_time_secret(world: World) -> None:
    # rule D6, E4
    world.dir.set_lock_policy(world.alice, world.account, ck.LockPolicy(max_attempts=1))
    world.sign_in("alice", "wrong password 1")
    assert isinstance(world.sign_in("alice"), ck.Locked)
    world.dir.request_password_reset("nobody", ck.RecoveryChannel.EMAIL)  # says nothing
    world.dir.request_password_reset("alice", ck.RecoveryChannel.EMAIL)
    secret = secret_sent(world, ck.NotificationKind.PASSWORD_RESET)
    with pytest.raises(ck.UnauthenticatedError) as e:
        world.dir.complete_password_reset("alice", "0" * 32, new=PW2)
    assert e.value.reason is ck.AuthFailure.INVALID_SECRET and e.value.rule == "D6"
    world.dir.complete_password_reset("alice", secret, new=PW2)
    assert isinstance(world.sign_in("alice", PW2), ck.SignedIn)
    with pytest.raises(ck.UnauthenticatedError):
        world.dir.complete_password_reset("alice", secret, new="third Passphrase 99")
    assert not [e for e in world.audit() if e.detail and secret in e.detail]


def test_sign_in_attempts_are_audited_without_secrets(world: World) -> None:
    # rule J1
    world.sign_in("alice", "wrong password 1")
    o = world.sign_in("alice")
    assert isinstance(o, ck.SignedIn)
    attempts = world.audit(operation=ck.Operation.SIGN_IN)
    assert [a.ok for a in attempts] == [False, True]
    csv = world.dir.audit_csv(ck.Actor.SYSTEM, world.account)
    assert "wrong password" not in csv and o.token not in csv and PASSWORD not in csv
    assert world.dir.now() == world.clock.now()
    assert new_contact  # the helper is shared


def test_every_login_is_under_the_directory_wide_throttle() -> None:
    # rule D5: an unknown login answers as a real one with no lock policy.
    d, clock, _ = make_directory(throttle_attempts=2)
    d.create_account(ck.Actor.SYSTEM, name="Acme", owner=new_contact("zed", password=PASSWORD))
    for _ in range(2):
        for login in ("zed", "nobody-here"):
            assert isinstance(d.sign_in(login, "guessing wrong", ip=IP), ck.InvalidCredentials)
    for login in ("zed", "nobody-here"):
        assert isinstance(d.sign_in(login, PASSWORD, ip=IP), ck.Locked)
    assert d.purge_throttle() == 0
    clock.advance(datetime.timedelta(minutes=31))
    assert isinstance(d.sign_in("zed", PASSWORD, ip=IP), ck.SignedIn)
    clock.advance(datetime.timedelta(minutes=61))
    assert d.purge_throttle() == 2
    for bad in (0, 101):
        with pytest.raises(ck.InvalidInputError):
            make_directory(throttle_attempts=bad)
    d.close()


def test_a_device_token_passes_a_lock_that_others_caused(world: World) -> None:
    # rule D10, D8, E2
    world.contact("pat")
    plain = world.sign_in("pat")
    assert isinstance(plain, ck.SignedIn) and plain.session.device_token is None
    first = world.sign_in("pat", remember_device=True)
    assert isinstance(first, ck.SignedIn)
    token = first.session.device_token
    assert token is not None and len(token) == 64 and token not in repr(first)
    world.dir.set_lock_policy(ck.Actor.SYSTEM, world.account, ck.LockPolicy(2))
    for _ in range(2):
        assert isinstance(world.sign_in("pat", "guessing wrong"), ck.InvalidCredentials)
    assert isinstance(world.sign_in("pat"), ck.Locked)
    # The lock ends the session no device token made, not the other.
    with pytest.raises(ck.UnauthenticatedError):
        world.dir.authenticate(plain.session.token)
    assert world.dir.authenticate(first.session.token).contact == first.session.contact
    again = world.sign_in("pat", device_token=token)
    assert isinstance(again, ck.SignedIn) and again.session.device_token is None
    # Another login's token, or none, or a made-up one, is no way through.
    assert isinstance(world.sign_in("pat", device_token="f" * 64), ck.Locked)
    assert isinstance(world.sign_in("pat", device_token=None), ck.Locked)
    world.contact("quinn")
    quinns = world.sign_in("quinn", remember_device=True)
    assert isinstance(quinns, ck.SignedIn) and quinns.session.device_token is not None
    assert isinstance(world.sign_in("pat", device_token=quinns.session.device_token), ck.Locked)
    # The token's own failures disable it at the policy's number.
    for _ in range(2):
        assert isinstance(world.sign_in("pat", "guessing wrong", device_token=token), ck.InvalidCredentials)
    assert isinstance(world.sign_in("pat", device_token=token), ck.Locked)
    with pytest.raises(TypeError):
        world.sign_in("pat", device_token=b"bytes are no token")  # type: ignore[arg-type]


def test_a_device_session_changes_the_password_through_a_lock(world: World) -> None:
    # rule D10, D8: the current password counts against the session's
    # token; the new password ends every token and the session gets a new one.
    world.contact("pat")
    first = world.sign_in("pat", remember_device=True)
    assert isinstance(first, ck.SignedIn) and first.session.device_token is not None
    world.dir.set_lock_policy(ck.Actor.SYSTEM, world.account, ck.LockPolicy(2))
    for _ in range(2):
        world.sign_in("pat", "guessing wrong")
    assert isinstance(world.sign_in("pat"), ck.Locked)
    new = "a new one, long and fresh"
    with pytest.raises(ck.InvalidCredentialsError):
        world.dir.change_password_with_session(first.session.token, current="guessing wrong", new=new)
    changed = world.dir.change_password_with_session(first.session.token, current=PASSWORD, new=new)
    assert isinstance(changed, ck.SignedIn)
    fresh = changed.session.device_token
    assert fresh is not None and fresh != first.session.device_token
    assert isinstance(world.sign_in("pat", new, device_token=first.session.device_token), ck.Locked)
    assert isinstance(world.sign_in("pat", new, device_token=fresh), ck.SignedIn)


def test_legacy_hashes_are_imported_and_upgraded(world: World) -> None:
    # rule D1: bcrypt and Django's PBKDF2-SHA256, made by the reference
    # implementations (core/tests/fixtures/legacy_hashes.json).
    cases = [
        ("$2b$04$wSJyXzsSX2GgBvdc9L35muwFU0kZqnjjSahY1Iwfd8CeJRmlxDdPK", "correct horse battery"),
        ("pbkdf2_sha256$1000$saltsalt0$7XXVUS/P72Ldk1WnkbSk+N2FTA6qKHapYLmjhMp6ZR0=", "correct horse battery"),
    ]
    for i, (h, pw) in enumerate(cases):
        nc = ck.NewContact(login=f"old{i}", profile=ck.Profile(name="Old", email=f"old{i}@example.com"), password_hash=h)
        world.dir.create_contact(ck.Actor.SYSTEM, world.account, nc)
        assert isinstance(world.sign_in(f"old{i}", "wrong password here"), ck.InvalidCredentials)
        assert isinstance(world.sign_in(f"old{i}", pw), ck.SignedIn)
    with pytest.raises(ck.InvalidInputError) as e:
        world.dir.create_contact(
            ck.Actor.SYSTEM,
            world.account,
            ck.NewContact(
                login="costly",
                profile=ck.Profile(name="C", email="c@example.com"),
                password_hash="$2b$31$wSJyXzsSX2GgBvdc9L35muwFU0kZqnjjSahY1Iwfd8CeJRmlxDdPK",
            ),
        )
    assert e.value.field is ck.Field.PASSWORD_HASH


def test_authenticator_secrets_are_sealed_under_the_keys_given(tmp_path: object) -> None:
    # rule F1: a directory on a file keeps its key beside it; keys given
    # instead must be 32 bytes with distinct ids.
    import pathlib
    import stat

    path = pathlib.Path(str(tmp_path)) / "d.db"
    d = ck.Directory(path, hash_cost=ck.HashCost(m_kib=256, t=1, p=1))
    created = d.create_account(ck.Actor.SYSTEM, name="Acme", owner=new_contact("tess", password=PASSWORD))
    assert d.reseal_secrets(created.account) == 0
    d.close()
    key_file = pathlib.Path(str(path) + ".key")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with ck.Directory(sealing_keys=[(2, bytes(32)), (1, bytes([1]) * 32)]) as keyed:
        assert keyed.reseal_secrets(ck.AccountId(1)) == 0
    for bad in ([(1, bytes(16))], [(1, bytes(32)), (1, bytes(32))]):
        with pytest.raises(ck.InvalidInputError) as e:
            ck.Directory(sealing_keys=bad)
        assert e.value.field is ck.Field.SEALING_KEY
