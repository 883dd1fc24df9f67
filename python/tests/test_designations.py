"""SPEC H: resources, technical and billing contacts, milestones."""

from __future__ import annotations

import pytest

import contactkeeper as ck
from conftest import World, make_directory, new_contact


def test_resources_need_an_eligible_primary_technical_contact(world: World) -> None:
    # rule H1, H2, H4
    tom = world.contact("tom", ck.Role.TECHNICAL_ADMIN)
    sue = world.contact("sue")
    nophone = world.dir.create_contact(
        world.alice, world.account, ck.NewContact("nophone", ck.Profile(name="No Phone", email="np@acme.example"))
    ).contact
    with pytest.raises(ck.NotEligibleError) as e:
        world.dir.add_resource(tom, world.account, kind="computer", name="pc-1", primary=nophone)
    assert e.value.missing == (ck.Field.BUSINESS_PHONE,) and e.value.rule == "H4" and e.value.code == 12
    with pytest.raises(ck.RuleViolationError) as h2:
        world.dir.add_resource(tom, world.account, kind="computer", name="pc-1", primary=sue, secondary=sue)
    assert h2.value.rule == "H2"
    with pytest.raises(ck.PermissionDeniedError):
        world.dir.add_resource(sue, world.account, kind="computer", name="pc-1", primary=sue)
    pc = world.dir.add_resource(tom, world.account, kind="computer", name="pc-1", primary=sue, secondary=tom)
    assert isinstance(pc, ck.ResourceId)
    r = world.dir.resource(sue, world.account, pc)
    assert (r.id, r.kind, r.name, r.primary, r.secondary) == (pc, "computer", "pc-1", sue, tom)
    assert world.dir.duties(sue, world.account, sue) == [ck.TechnicalDuty(pc, ck.Rank.PRIMARY)]
    world.dir.set_technical_contacts(tom, world.account, pc, primary=tom)
    assert world.dir.resource(sue, world.account, pc).secondary is None
    more = [world.dir.add_resource(tom, world.account, kind="site", name=f"s{i}", primary=tom) for i in range(4)]
    page = world.dir.resources(tom, world.account, limit=2)
    rest = world.dir.resources(tom, world.account, after=page[-1].id)
    assert {x.id for x in page + rest} == {pc, *more}
    every = list(world.dir.iter_resources(tom, world.account, page_size=2))
    assert [x.id for x in every] == sorted({pc, *more}, key=lambda r: r.value)
    world.dir.remove_resource(tom, world.account, pc)
    with pytest.raises(ck.NotFoundError) as nf:
        world.dir.resource(tom, world.account, pc)
    assert nf.value.entity is ck.Entity.RESOURCE


def test_a_primary_contact_is_deleted_only_with_a_replacement(world: World) -> None:
    # rule B5, H3
    sue = world.contact("sue")
    tom = world.contact("tom")
    pc = world.dir.add_resource(world.alice, world.account, kind="computer", name="pc", primary=sue)
    world.dir.set_billing_contacts(world.alice, world.account, primary=sue, secondary=tom)
    with pytest.raises(ck.DutiesHeldError) as e:
        world.dir.delete_contact(world.alice, world.account, sue)
    assert set(e.value.duties) == {ck.TechnicalDuty(pc), ck.BillingDuty(ck.Rank.PRIMARY)}
    assert e.value.rule == "B5" and e.value.code == ck.ErrorCode.DUTIES_HELD
    world.dir.delete_contact(world.alice, world.account, sue, replacement=tom)
    assert world.dir.resource(world.alice, world.account, pc).primary == tom
    assert world.dir.billing_contacts(world.alice, world.account) == ck.BillingContacts(primary=tom, secondary=None)


def test_duties_move_in_bulk(world: World) -> None:
    # rule H3, H7
    sue = world.contact("sue")
    tom = world.contact("tom")
    for i in range(3):
        world.dir.add_resource(world.alice, world.account, kind="computer", name=f"pc{i}", primary=sue)
    world.dir.set_billing_contacts(world.alice, world.account, primary=sue)
    assert world.dir.reassign_duties(world.alice, world.account, from_contact=sue, to_contact=tom) == 4
    assert world.dir.duties(world.alice, world.account, sue) == []
    assert len(world.dir.duties(world.alice, world.account, tom)) == 4
    assert world.dir.billing_contacts(world.alice, world.account).primary == tom


def test_creating_a_contact_with_a_duty_is_one_step(world: World) -> None:
    # rule H5
    sue = world.contact("sue")
    pc = world.dir.add_resource(world.alice, world.account, kind="computer", name="pc", primary=sue)
    added = world.dir.create_contact_with_duty(
        world.alice, world.account, new_contact("nick"), ck.TechnicalDuty(pc, ck.Rank.SECONDARY)
    )
    assert world.dir.resource(world.alice, world.account, pc).secondary == added.contact
    nophone = ck.NewContact("nophone", ck.Profile(name="N", email="n@acme.example"))
    with pytest.raises(ck.NotEligibleError):
        world.dir.create_contact_with_duty(world.alice, world.account, nophone, ck.BillingDuty())
    assert not world.dir.check_login(world.alice, world.account, "nophone")
    with pytest.raises(TypeError):
        world.dir.create_contact_with_duty(world.alice, world.account, nophone, ck.Rank.PRIMARY)  # type: ignore[arg-type]


def test_whoever_may_assign_the_duty_may_create_its_contact(world: World) -> None:
    # rule H5
    tess = world.contact("tess", ck.Role.TECHNICAL_ADMIN)
    bill = world.contact("bill", ck.Role.BILLING_MANAGER)
    sue = world.contact("sue")
    pc = world.dir.add_resource(tess, world.account, kind="computer", name="pc", primary=sue)
    payer = world.dir.create_contact_with_duty(bill, world.account, new_contact("payer"), ck.BillingDuty())
    assert world.dir.billing_contacts(bill, world.account).primary == payer.contact
    assert world.dir.contact(bill, world.account, payer.contact).roles == frozenset()
    with pytest.raises(ck.PermissionDeniedError) as denied:
        world.dir.create_contact_with_duty(bill, world.account, new_contact("x"), ck.TechnicalDuty(pc))
    assert denied.value.permission is ck.Permission.TECHNICAL_ADMIN
    # The new contact gets no role, whoever asks (H5).
    with pytest.raises(ck.RuleViolationError) as h5:
        world.dir.create_contact_with_duty(
            world.alice, world.account, new_contact("x", roles=frozenset({ck.Role.CONTACT_MANAGER})), ck.TechnicalDuty(pc)
        )
    assert h5.value.rule == "H5"
    assert not world.dir.check_login(world.alice, world.account, "x")


def test_a_resource_is_added_with_a_new_primary_in_one_step(world: World) -> None:
    # rule H5
    tess = world.contact("tess", ck.Role.TECHNICAL_ADMIN)
    sue = world.contact("sue")
    made = world.dir.add_resource_with_new_primary(
        tess, world.account, kind="computer", name="pc-2", contact=new_contact("newbie"), secondary=sue
    )
    assert isinstance(made, ck.ResourceAdded) and isinstance(made.contact, ck.ContactAdded)
    r = world.dir.resource(tess, world.account, made.resource)
    assert (r.name, r.primary, r.secondary) == ("pc-2", made.contact.contact, sue)
    assert world.dir.contact(tess, world.account, made.contact.contact).login == "newbie"
    nophone = ck.NewContact("nophone", ck.Profile(name="N", email="n@acme.example"))
    with pytest.raises(ck.NotEligibleError) as e:
        world.dir.add_resource_with_new_primary(tess, world.account, kind="computer", name="pc-3", contact=nophone)
    assert e.value.missing == (ck.Field.BUSINESS_PHONE,)
    assert not world.dir.check_login(world.alice, world.account, "nophone")
    assert len(world.dir.resources(tess, world.account)) == 1


def test_the_designator_supplies_only_what_the_designee_lacks(world: World) -> None:
    # rule H4
    tess = world.contact("tess", ck.Role.TECHNICAL_ADMIN)
    sue = world.contact("sue")
    dan = world.dir.create_contact(
        world.alice, world.account, ck.NewContact("dan", ck.Profile(name="Dan", email="dan@acme.example"))
    ).contact
    pc = world.dir.add_resource(tess, world.account, kind="computer", name="pc", primary=sue)
    with pytest.raises(ck.NotEligibleError) as e:
        world.dir.designate(tess, world.account, dan, ck.TechnicalDuty(pc))
    assert e.value.missing == (ck.Field.BUSINESS_PHONE,)
    # Attacker's path: rewriting an email the contact has (a recovery channel).
    with pytest.raises(ck.RuleViolationError) as h4:
        world.dir.designate(
            tess, world.account, dan, ck.TechnicalDuty(pc), ck.DutyInfo(email="me@evil.example", business_phone="+1 555 0100")
        )
    assert h4.value.rule == "H4"
    with pytest.raises(ck.InvalidInputError) as bad:
        world.dir.designate(tess, world.account, dan, ck.TechnicalDuty(pc), ck.DutyInfo(business_phone="\x07"))
    assert bad.value.field is ck.Field.BUSINESS_PHONE
    with pytest.raises(TypeError):
        world.dir.designate(tess, world.account, dan, ck.TechnicalDuty(pc), "+1 555 0100")  # type: ignore[arg-type]
    world.dir.designate(tess, world.account, dan, ck.TechnicalDuty(pc), ck.DutyInfo(business_phone="+1 555 0100"))
    assert world.dir.resource(tess, world.account, pc).primary == dan
    assert world.dir.contact(tess, world.account, dan).profile.business_phone == "+1 555 0100"
    entry = world.dir.audit_entries(world.alice, world.account)[-1]
    assert entry.operation is ck.Operation.DESIGNATE and entry.fields == ("duty", "business_phone")
    with pytest.raises(ck.RuleViolationError) as h2:
        world.dir.designate(tess, world.account, dan, ck.TechnicalDuty(pc, ck.Rank.SECONDARY))
    assert h2.value.rule == "H2"


def test_milestones_go_to_the_secondary_only_when_the_primary_is_undeliverable() -> None:
    # rule H6
    received: list[ck.Notification] = []

    class Mailer:
        def deliver(self, n: ck.Notification) -> ck.Delivery:
            received.append(n)
            if n.kind is ck.NotificationKind.MILESTONE and n.to == ("sue@acme.example",):
                return ck.Delivery.UNDELIVERABLE
            return ck.Delivery.DELIVERED

    d, _, _ = make_directory(notifier=Mailer())
    acme = d.create_account(ck.Actor.SYSTEM, name="Acme", owner=new_contact("alice"))
    sue = d.create_contact(ck.Actor.SYSTEM, acme.account, new_contact("sue")).contact
    tom = d.create_contact(ck.Actor.SYSTEM, acme.account, new_contact("tom")).contact
    pc = d.add_resource(ck.Actor.SYSTEM, acme.account, kind="computer", name="pc", primary=sue, secondary=tom)
    received.clear()
    d.report_milestone(ck.Actor.SYSTEM, acme.account, pc, ck.Milestone.INITIAL_BACKUP_COMPLETED)
    milestones = [n for n in received if n.kind is ck.NotificationKind.MILESTONE]
    assert [n.recipient for n in milestones] == [sue, tom]
    assert milestones[0].fallback == tom and milestones[0].resource == pc
    received.clear()
    d.report_milestone(ck.Actor.SYSTEM, acme.account, pc, "firmware updated")
    assert "firmware updated" in received[0].subject
    # A primary that turned milestones off is not unreachable: nobody is
    # told, and the audit says why.
    d.set_notification_prefs(ck.Actor.SYSTEM, acme.account, sue, ck.NotificationPrefs(milestones=False))
    received.clear()
    d.report_milestone(ck.Actor.SYSTEM, acme.account, pc, ck.Milestone.SOFTWARE_READY)
    assert [n for n in received if n.kind is ck.NotificationKind.MILESTONE] == []
    last = d.audit_entries(ck.Actor.SYSTEM, acme.account, operation=ck.Operation.MILESTONE)[-1]
    assert last.ok and last.detail is not None and "not sent" in last.detail
    with pytest.raises(ck.PermissionDeniedError):
        d.report_milestone(acme.owner, acme.account, pc, ck.Milestone.SOFTWARE_READY)
    with pytest.raises(ck.InvalidInputError) as e:
        d.report_milestone(ck.Actor.SYSTEM, acme.account, pc, "")
    assert e.value.field is ck.Field.MILESTONE
