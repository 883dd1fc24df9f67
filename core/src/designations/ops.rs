//! The operations of `designations`: the `impl Directory` methods of its SPEC section,
//! each loading its facts, applying the rules of `mod.rs` and committing
//! through the Directory's runner.

use crate::accounts::{ContactAdded, Money};
use crate::audit::Operation;
use crate::contacts::{new_contact_fields, NewContact, ProfileUpdate};
use crate::designations::{
    check_pair, check_resource_text, missing_for_duty, BillingContacts, Duty, DutyInfo, DutyTarget,
    Milestone, NewResource, Rank, ResourceAdded,
};
use crate::error::{Entity, Error, Field, Problem, Rule};
use crate::ids::{AccountId, ContactId, ResourceId};
use crate::notify::{NotificationDraft, NotificationKind};
use crate::op::{Done, Op};
use crate::roles::{Access, Actor, Permission};
use crate::store::ResourceRecord;
use crate::tx::Tx;
use crate::Directory;

impl Directory {
    /// Adds a resource with its primary technical contact (H1) and an
    /// optional secondary (H2); both must be members holding what the
    /// duty needs (H4). Technical administrators and the owner.
    pub fn add_resource(
        &self,
        actor: &Actor,
        account: AccountId,
        new: &NewResource,
    ) -> Result<ResourceId, Error> {
        let op = Op::new(Operation::ResourceAdd, account).needs(Permission::TechnicalAdmin);
        self.write(actor, op, |tx, _| {
            let (kind, name) = check_resource_text(&new.kind, &new.name)?;
            check_pair(new.primary, new.secondary)?;
            check_eligible(tx, account, new.primary)?;
            if let Some(s) = new.secondary {
                check_eligible(tx, account, s)?;
            }
            let id = ResourceId::random()?;
            tx.put_resource(ResourceRecord {
                id,
                account,
                kind,
                name,
                primary: new.primary,
                secondary: new.secondary,
                created_at: tx.now,
            });
            Ok(Done::new(id).target(id).fields(["primary"]))
        })
    }

    /// Sets a resource's technical contacts (H1–H3): assigned resource
    /// by resource; the secondary is optional and not the primary.
    pub fn set_technical_contacts(
        &self,
        actor: &Actor,
        account: AccountId,
        resource: ResourceId,
        primary: ContactId,
        secondary: Option<ContactId>,
    ) -> Result<(), Error> {
        let op = Op::new(Operation::TechnicalContacts, account)
            .on(resource)
            .needs(Permission::TechnicalAdmin);
        self.write(actor, op, |tx, _| {
            let mut r = resource_in(tx, account, resource)?;
            check_pair(primary, secondary)?;
            check_eligible(tx, account, primary)?;
            if let Some(s) = secondary {
                check_eligible(tx, account, s)?;
            }
            let mut fields = Vec::new();
            if r.primary != primary {
                fields.push("primary".to_owned());
            }
            if r.secondary != secondary {
                fields.push("secondary".to_owned());
            }
            r.primary = primary;
            r.secondary = secondary;
            tx.put_resource(r);
            Ok(Done::new(()).fields(fields))
        })
    }

    /// Removes a resource.
    pub fn remove_resource(
        &self,
        actor: &Actor,
        account: AccountId,
        resource: ResourceId,
    ) -> Result<(), Error> {
        let op = Op::new(Operation::ResourceRemove, account)
            .on(resource)
            .needs(Permission::TechnicalAdmin);
        self.write(actor, op, |tx, _| {
            resource_in(tx, account, resource)?;
            tx.delete_resource(resource);
            Ok(Done::new(()))
        })
    }

    /// A resource of the account.
    pub fn resource(
        &self,
        actor: &Actor,
        account: AccountId,
        resource: ResourceId,
    ) -> Result<ResourceRecord, Error> {
        self.read(
            actor,
            Op::read(account, Permission::ViewAccount),
            |tx, _| resource_in(tx, account, resource),
        )
    }

    /// A page of the account's resources, by id.
    pub fn resources(
        &self,
        actor: &Actor,
        account: AccountId,
        after: Option<ResourceId>,
        limit: usize,
    ) -> Result<Vec<ResourceRecord>, Error> {
        self.read(
            actor,
            Op::read(account, Permission::ViewAccount),
            |tx, _| {
                if limit == 0 || limit > crate::MAX_PAGE {
                    return Err(Error::invalid(Field::Limit, Problem::OutOfRange));
                }
                Ok(tx.store().resources(account, after, limit)?)
            },
        )
    }

    /// The duties a contact holds in the account (H3).
    pub fn duties(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
    ) -> Result<Vec<Duty>, Error> {
        self.read(
            actor,
            Op::read(account, Permission::ViewAccount),
            |tx, _| {
                tx.member(account, contact)?;
                duties_in(tx, account, contact)
            },
        )
    }

    /// Moves every duty of one contact to another in one atomic step
    /// (H3): primaries and secondaries alike. Needs the permissions of
    /// the duties moved (technical administration, billing).
    pub fn reassign_duties(
        &self,
        actor: &Actor,
        account: AccountId,
        from: ContactId,
        to: ContactId,
    ) -> Result<usize, Error> {
        let op = Op::new(Operation::DutiesReassign, account).on(from);
        self.write(actor, op, |tx, access| {
            let duties = duties_in(tx, account, from)?;
            let technical = duties.iter().any(|d| matches!(d, Duty::Technical { .. }));
            let billing = duties.iter().any(|d| matches!(d, Duty::Billing { .. }));
            if technical {
                access.require(Permission::TechnicalAdmin)?;
            }
            if billing {
                access.require(Permission::ManageBilling)?;
            }
            // C2: with no duty to move, still one who may move some.
            if !technical
                && !billing
                && !access.allows(Permission::TechnicalAdmin)
                && !access.allows(Permission::ManageBilling)
            {
                return Err(Error::denied(Permission::TechnicalAdmin));
            }
            tx.member(account, from)?;
            if from == to {
                return Err(Error::refused(Rule::H2SecondaryIsPrimary));
            }
            check_eligible(tx, account, to)?;
            let moved = move_duties(tx, account, from, Some(to), true)?;
            Ok(Done::new(moved)
                .fields(["duties"])
                .detail(Some(format!("{moved} duties to {to}"))))
        })
    }

    /// Sets the account's billing contacts (H7): a primary and an
    /// optional secondary that differs from it, both eligible (H4).
    /// Billing managers and the owner.
    pub fn set_billing_contacts(
        &self,
        actor: &Actor,
        account: AccountId,
        primary: ContactId,
        secondary: Option<ContactId>,
    ) -> Result<(), Error> {
        let op = Op::new(Operation::BillingContacts, account).needs(Permission::ManageBilling);
        self.write(actor, op, |tx, _| {
            check_pair(primary, secondary)?;
            check_eligible(tx, account, primary)?;
            if let Some(s) = secondary {
                check_eligible(tx, account, s)?;
            }
            tx.account_mut(account)?.billing = BillingContacts {
                primary: Some(primary),
                secondary,
            };
            Ok(Done::new(()).target(primary).fields(["billing_contacts"]))
        })
    }

    /// The account's billing contacts (H7).
    pub fn billing_contacts(
        &self,
        actor: &Actor,
        account: AccountId,
    ) -> Result<BillingContacts, Error> {
        self.read(
            actor,
            Op::read(account, Permission::ViewAccount),
            |tx, _| Ok(tx.account(account)?.billing),
        )
    }

    /// Creates a new contact and gives it a duty in one atomic step (H5,
    /// seed 000's New User button): open to whoever may assign the duty
    /// (technical administration, billing), and the new contact gets no
    /// role (`new.roles` not empty: `Refused{H5}`). It must hold what the
    /// duty needs (H4). If either half is refused, neither happens.
    pub fn create_contact_with_duty(
        &self,
        actor: &Actor,
        account: AccountId,
        new: &NewContact,
        duty: DutyTarget,
    ) -> Result<ContactAdded, Error> {
        let op = Op::new(Operation::ContactCreate, account).needs(duty.permission());
        self.write(actor, op, |tx, access| {
            // The duty first: a login is looked up only for a duty that
            // can be given (B1 counts only answers that are recorded).
            check_target(tx, account, duty)?;
            let (id, charge) = self.new_designee(tx, actor, &access, account, new)?;
            let replaced = assign(tx, account, id, duty)?;
            let mut fields = new_contact_fields(new);
            fields.push("duty".into());
            let detail = with_charge(duty_detail(duty, replaced), &charge);
            Ok(crate::accounts::contact_added(id, charge, false, fields).detail(Some(detail)))
        })
    }

    /// Adds a resource with a new contact as its primary technical contact
    /// in one atomic step (H5): whoever may add resources may, and the new
    /// contact gets no role (`Refused{H5}` otherwise) and must hold what the
    /// duty needs (H4). `secondary`, if any, is an eligible member (H2,
    /// H4). The audit log has both: the resource's addition and the
    /// contact's creation with its duty.
    pub fn add_resource_with_new_primary(
        &self,
        actor: &Actor,
        account: AccountId,
        kind: &str,
        name: &str,
        new: &NewContact,
        secondary: Option<ContactId>,
    ) -> Result<ResourceAdded, Error> {
        let op = Op::new(Operation::ResourceAdd, account).needs(Permission::TechnicalAdmin);
        self.write(actor, op, |tx, access| {
            let (kind, name) = check_resource_text(kind, name)?;
            if let Some(s) = secondary {
                check_eligible(tx, account, s)?;
            }
            let (contact, charge) = self.new_designee(tx, actor, &access, account, new)?;
            let resource = ResourceId::random()?;
            tx.put_resource(ResourceRecord {
                id: resource,
                account,
                kind,
                name,
                primary: contact,
                secondary,
                created_at: tx.now,
            });
            let mut fields = new_contact_fields(new);
            fields.push("duty".into());
            let duty = DutyTarget::Technical(resource, Rank::Primary);
            let detail = with_charge(duty_detail(duty, None), &charge);
            tx.audit(
                account,
                Operation::ContactCreate,
                Some(contact.to_string()),
                fields,
                Some(detail),
            );
            let added = ResourceAdded {
                resource,
                contact: ContactAdded {
                    contact,
                    charge,
                    pending: false,
                },
            };
            let mut fields = vec!["primary"];
            if secondary.is_some() {
                fields.push("secondary");
            }
            Ok(Done::new(added).target(resource).fields(fields))
        })
    }

    /// Gives an existing contact of the account one duty (H1, H2, H7),
    /// supplying in the same atomic step the information the duty needs
    /// and the contact lacks (H4, seed 000's User Information form). Only
    /// the fields [`missing_for_duty`] names may be given
    /// (`Refused{H4}` otherwise), and as for any edit of another contact's
    /// profile, not the owner's (A6), not a profile shared with other
    /// accounts (B6), and a recovery channel (the email) not of a contact
    /// holding a role the actor lacks (C7). Still lacking something after
    /// that: `NotEligible` naming it. The contact is told what changed (I2).
    /// A primary replaces the duty's current primary; the secondary is
    /// never the primary (H2), and a billing secondary needs a primary.
    /// Whoever may assign the duty may (technical administration, billing).
    pub fn designate(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
        duty: DutyTarget,
        info: &DutyInfo,
    ) -> Result<(), Error> {
        let op = Op::new(Operation::Designate, account)
            .on(contact)
            .needs(duty.permission());
        self.write(actor, op, |tx, access| {
            tx.member(account, contact)?;
            let mut fields = vec!["duty".to_owned()];
            if !info.is_empty() {
                fields.extend(supply_missing(tx, &access, actor, account, contact, info)?);
            }
            check_eligible(tx, account, contact)?;
            let replaced = assign(tx, account, contact, duty)?;
            Ok(Done::new(())
                .fields(fields)
                .detail(Some(duty_detail(duty, replaced))))
        })
    }

    /// H5's new contact: no role, created as [`Directory::create_contact`]
    /// would (C3's charge, B1's budget, D2's password policy), holding what
    /// a duty needs (H4).
    fn new_designee(
        &self,
        tx: &mut Tx<'_>,
        actor: &Actor,
        access: &Access,
        account: AccountId,
        new: &NewContact,
    ) -> Result<(ContactId, Option<Money>), Error> {
        if !new.roles.is_empty() {
            return Err(Error::refused(Rule::H5NoRoles));
        }
        let missing = missing_for_duty(&new.profile.clone().validated()?);
        if !missing.is_empty() {
            return Err(Error::NotEligible { missing });
        }
        self.add_new_contact(tx, actor, access, account, new)
    }

    /// Reports a resource milestone (H6): the notification goes to the
    /// primary technical contact; the secondary (if it wants milestones)
    /// gets it only when the notifier reports the primary undeliverable. A
    /// primary that turned milestone notices off is not unreachable: nobody
    /// is told, and the audit entry says so. The host reports milestones.
    pub fn report_milestone(
        &self,
        actor: &Actor,
        account: AccountId,
        resource: ResourceId,
        milestone: &Milestone,
    ) -> Result<(), Error> {
        let op = Op::new(Operation::Milestone, account)
            .on(resource)
            .needs(Permission::ReportMilestones);
        self.write(actor, op, |tx, _| {
            let what = milestone.describe()?;
            let r = resource_in(tx, account, resource)?;
            let wants =
                |tx: &mut Tx<'_>, c| crate::notify::ops::wants(tx, account, c, |p| p.milestones);
            if !wants(tx, r.primary)? {
                let why = format!(
                    "{what}; not sent: the primary technical contact {} turned milestone notices off",
                    r.primary
                );
                return Ok(Done::new(()).detail(Some(why)));
            }
            let fallback = match r.secondary {
                Some(s) if wants(tx, s)? => Some(s),
                _ => None,
            };
            let zone = tx.contact(r.primary)?.profile.time_zone.clone();
            let when = crate::notify::contact_time(tx.now, &zone);
            tx.notify(NotificationDraft {
                account: Some(account),
                fields: vec!["milestone".into()],
                resource: Some(resource),
                fallback,
                ..NotificationDraft::new(
                    NotificationKind::Milestone,
                    r.primary,
                    format!("{}: {what}", r.name),
                    format!("{} {} ({}): {what}, at {when}.", r.kind, r.name, r.id),
                )
            })?;
            Ok(Done::new(()).detail(Some(what)))
        })
    }
}

/// Checks that a contact may take a duty in the account: a member (not of
/// another account only), holding what the duty needs (H4).
pub(crate) fn check_eligible(
    tx: &mut Tx<'_>,
    account: AccountId,
    contact: ContactId,
) -> Result<(), Error> {
    tx.member(account, contact)?;
    let missing = missing_for_duty(&tx.contact(contact)?.profile);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::NotEligible { missing })
    }
}

/// That the duty can be given at all: the resource is the account's; a
/// billing secondary has a primary to back (H7).
fn check_target(tx: &mut Tx<'_>, account: AccountId, duty: DutyTarget) -> Result<(), Error> {
    match duty {
        DutyTarget::Technical(resource, _) => resource_in(tx, account, resource).map(|_| ()),
        DutyTarget::Billing(Rank::Secondary) if tx.account(account)?.billing.primary.is_none() => {
            Err(Error::refused(Rule::H7NoPrimary))
        }
        DutyTarget::Billing(_) => Ok(()),
    }
}

/// Gives `contact` the duty: a primary replaces the current one (returned,
/// when it was another contact); a secondary is never the primary (H2),
/// so the current secondary is not made primary here (that is a swap:
/// [`Directory::set_technical_contacts`], [`Directory::set_billing_contacts`]);
/// a billing secondary needs a primary (H7).
fn assign(
    tx: &mut Tx<'_>,
    account: AccountId,
    contact: ContactId,
    duty: DutyTarget,
) -> Result<Option<ContactId>, Error> {
    check_target(tx, account, duty)?;
    let h2 = || Error::refused(Rule::H2SecondaryIsPrimary);
    let mut replaced = None;
    match duty {
        DutyTarget::Technical(resource, rank) => {
            let mut r = resource_in(tx, account, resource)?;
            match rank {
                Rank::Primary if r.secondary == Some(contact) => return Err(h2()),
                Rank::Primary => {
                    replaced = Some(r.primary).filter(|p| *p != contact);
                    r.primary = contact;
                }
                Rank::Secondary if r.primary == contact => return Err(h2()),
                Rank::Secondary => r.secondary = Some(contact),
            }
            tx.put_resource(r);
        }
        DutyTarget::Billing(rank) => {
            let b = &mut tx.account_mut(account)?.billing;
            match rank {
                Rank::Primary if b.secondary == Some(contact) => return Err(h2()),
                Rank::Primary => {
                    replaced = b.primary.filter(|p| *p != contact);
                    b.primary = Some(contact);
                }
                Rank::Secondary if b.primary == Some(contact) => return Err(h2()),
                Rank::Secondary => b.secondary = Some(contact),
            }
        }
    }
    Ok(replaced)
}

/// An audit detail and, after it, what the addition costs (A7), if anything.
fn with_charge(detail: String, charge: &Option<Money>) -> String {
    match crate::accounts::charge_detail(charge) {
        Some(c) => format!("{detail}; {c}"),
        None => detail,
    }
}

/// An audit detail for a duty given: which, and whom it replaced.
fn duty_detail(duty: DutyTarget, replaced: Option<ContactId>) -> String {
    let what = match duty {
        DutyTarget::Technical(resource, rank) => Duty::Technical { resource, rank },
        DutyTarget::Billing(rank) => Duty::Billing { rank },
    };
    match replaced {
        Some(c) => format!("{what}, replacing {c}"),
        None => what.to_string(),
    }
}

/// H4's User Information form: writes the fields a duty needs that the
/// contact lacks, under the guards of editing another's profile (A6, B6,
/// C7 for the email), and tells the contact (I2). Returns the names of the
/// fields written.
fn supply_missing(
    tx: &mut Tx<'_>,
    access: &Access,
    actor: &Actor,
    account: AccountId,
    contact: ContactId,
    info: &DutyInfo,
) -> Result<Vec<String>, Error> {
    let before = tx.contact(contact)?.profile.clone();
    let missing = missing_for_duty(&before);
    let given = [
        (Field::Email, info.email.is_some()),
        (Field::BusinessPhone, info.business_phone.is_some()),
    ];
    if given.iter().any(|(f, g)| *g && !missing.contains(f)) {
        return Err(Error::refused(Rule::H4OnlyMissingFields));
    }
    if actor.contact_id() != Some(contact) {
        tx.guard_owner(access, account, contact)?;
        tx.guard_shared_profile(access, contact)?;
    } else if info.email.is_some() {
        // D8: one's own email (a recovery channel) changes with the
        // current password, through update_contact.
        return Err(Error::InvalidCredentials);
    }
    if info.email.is_some() {
        tx.guard_takeover(access, account, contact)?;
    }
    let update = ProfileUpdate {
        email: info.email.clone(),
        business_phone: info.business_phone.clone().map(Some),
        ..ProfileUpdate::default()
    };
    let (profile, changed) = update.apply(&before)?;
    let c = tx.contact_mut(contact)?;
    c.profile = profile;
    if changed.contains(&Field::Email) {
        // D8: a new email ends every session.
        c.credentials.session_epoch = c.credentials.session_epoch.wrapping_add(1);
    }
    let names: Vec<String> = changed.iter().map(|f| f.name().to_owned()).collect();
    crate::notify::ops::security_notice_to(tx, contact, account, names.clone(), None)?;
    Ok(names)
}

/// Every duty a contact holds in the account.
pub(crate) fn duties_in(
    tx: &mut Tx<'_>,
    account: AccountId,
    contact: ContactId,
) -> Result<Vec<Duty>, Error> {
    let mut duties: Vec<Duty> = tx
        .store()
        .duties_of(account, contact)?
        .iter()
        .map(|r| Duty::Technical {
            resource: r.id,
            rank: if r.primary == contact {
                Rank::Primary
            } else {
                Rank::Secondary
            },
        })
        .collect();
    let billing = tx.account(account)?.billing;
    if billing.primary == Some(contact) {
        duties.push(Duty::Billing {
            rank: Rank::Primary,
        });
    }
    if billing.secondary == Some(contact) {
        duties.push(Duty::Billing {
            rank: Rank::Secondary,
        });
    }
    Ok(duties)
}

/// Moves every duty of `from` in the account: primaries to `to` (or
/// refused with the list when `to` is `None`), secondaries to `to` when
/// `keep_secondaries`, else cleared. A resource never ends with its
/// secondary equal to its primary. Returns how many duties moved.
pub(crate) fn move_duties(
    tx: &mut Tx<'_>,
    account: AccountId,
    from: ContactId,
    to: Option<ContactId>,
    keep_secondaries: bool,
) -> Result<usize, Error> {
    let resources = tx.store().duties_of(account, from)?;
    let billing = tx.account(account)?.billing;
    if to.is_none() {
        let held: Vec<Duty> = duties_in(tx, account, from)?
            .into_iter()
            .filter(|d| {
                matches!(
                    d,
                    Duty::Technical {
                        rank: Rank::Primary,
                        ..
                    } | Duty::Billing {
                        rank: Rank::Primary
                    }
                )
            })
            .collect();
        if !held.is_empty() {
            return Err(Error::DutiesHeld { duties: held });
        }
    }
    let mut moved = 0;
    for mut r in resources {
        if r.primary == from {
            let Some(to) = to else { continue };
            r.primary = to;
            if r.secondary == Some(to) {
                r.secondary = None;
            }
        } else if r.secondary == Some(from) {
            r.secondary = match to {
                Some(to) if keep_secondaries && to != r.primary => Some(to),
                _ => None,
            };
        }
        moved += 1;
        tx.put_resource(r);
    }
    let mut b = billing;
    if b.primary == Some(from) {
        if let Some(to) = to {
            b.primary = Some(to);
            moved += 1;
        }
    }
    if b.secondary == Some(from) {
        b.secondary = match to {
            Some(to) if keep_secondaries => Some(to),
            _ => None,
        };
        moved += 1;
    }
    if b.secondary == b.primary {
        b.secondary = None;
    }
    if b != billing {
        tx.account_mut(account)?.billing = b;
    }
    Ok(moved)
}

/// The resource, if it belongs to the account.
pub(crate) fn resource_in(
    tx: &mut Tx<'_>,
    account: AccountId,
    id: ResourceId,
) -> Result<ResourceRecord, Error> {
    match tx.store().resource(id)? {
        Some(r) if r.account == account => Ok(r),
        _ => Err(Error::not_found(Entity::Resource)),
    }
}
