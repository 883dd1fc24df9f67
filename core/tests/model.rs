//! A state-machine property test: random sequences of operations by random
//! actors, run against the Directory and against a small reference model
//! written here, independently of the library. After every step the real
//! state must equal the model's, and the invariants of SPEC A, B, C, H, J
//! and K must hold: among them, every resource has a primary technical
//! contact that is a current member of its account and eligible for the
//! duty (H1, H4), and no secondary equals its primary (H2), nor for the
//! billing contacts (H7).
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
use common::*;
use contactkeeper::*;

use std::collections::BTreeMap;

use proptest::prelude::*;

/// Logins the commands draw from (the owners' too, so that they can be
/// added to the other account).
const LOGINS: [&str; 7] = ["ann", "ben", "cat", "dan", "eve", "own0", "own1"];
/// Contacts included in each account's plan; more are chargeable (A7).
const INCLUDED: u32 = 4;
const PARTNER: &str = "resel";
/// The business phone of contacts that have one (H4).
const PHONE: &str = "+1 555 0100";

fn price() -> Money {
    Money::new(700, "USD")
}

// ----- commands -----

/// Who acts, resolved against the model when the command runs.
#[derive(Debug, Clone)]
enum Who {
    Owner,
    /// A standard contact of the account (by index, wrapping).
    Member(usize),
    /// Any contact ever created, of any account, deleted or not.
    Anyone(usize),
    /// An id no contact has.
    Nobody,
    Support {
        reason: bool,
    },
    Partner {
        own: bool,
    },
    System,
}

/// Whom an operation targets.
#[derive(Debug, Clone)]
enum Target {
    Owner,
    Member(usize),
    Anyone(usize),
    Nobody,
}

/// A bad value slipped into a command (K2).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bad {
    None,
    EmptyName,
    LongName,
    ControlName,
    Email,
    Phone,
    Zone,
    Login,
}

#[derive(Debug, Clone)]
enum Cmd {
    Create {
        acct: usize,
        who: Who,
        login: usize,
        upper: bool,
        roles: u8,
        bad: Bad,
    },
    AddExisting {
        acct: usize,
        who: Who,
        login: usize,
        upper: bool,
        roles: u8,
    },
    Update {
        acct: usize,
        who: Who,
        target: Target,
        name: u8,
        bad: Bad,
    },
    Delete {
        acct: usize,
        who: Who,
        target: Target,
    },
    SetRoles {
        acct: usize,
        who: Who,
        target: Target,
        roles: u8,
    },
    Transfer {
        acct: usize,
        who: Who,
        target: Target,
    },
    EnableProcurement {
        acct: usize,
        who: Who,
    },
    AddResource {
        acct: usize,
        who: Who,
        primary: Target,
        secondary: Option<Target>,
    },
    SetTechnical {
        acct: usize,
        who: Who,
        resource: RTarget,
        primary: Target,
        secondary: Option<Target>,
    },
    RemoveResource {
        acct: usize,
        who: Who,
        resource: RTarget,
    },
    Reassign {
        acct: usize,
        who: Who,
        from: Target,
        to: Target,
    },
    DeleteWith {
        acct: usize,
        who: Who,
        target: Target,
        replacement: Target,
    },
    SetBilling {
        acct: usize,
        who: Who,
        primary: Target,
        secondary: Option<Target>,
    },
    FillPhone {
        acct: usize,
        who: Who,
        target: Target,
    },
}

/// Which resource an operation names.
#[derive(Debug, Clone)]
enum RTarget {
    /// One of the account's (by index, wrapping).
    Mine(usize),
    /// One of the other account's.
    Theirs(usize),
    /// An id no resource has.
    Unknown,
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        6 => Just(Who::Owner),
        5 => (0..8usize).prop_map(Who::Member),
        1 => (0..16usize).prop_map(Who::Anyone),
        1 => Just(Who::Nobody),
        1 => any::<bool>().prop_map(|reason| Who::Support { reason }),
        1 => any::<bool>().prop_map(|own| Who::Partner { own }),
        2 => Just(Who::System),
    ]
}

/// Actors of designation commands: mostly those who may (the owner, the
/// host), so that resources pile up; the rest as for contacts.
fn designation_who() -> impl Strategy<Value = Who> {
    prop_oneof![
        4 => Just(Who::Owner).boxed(),
        2 => Just(Who::System).boxed(),
        2 => who().boxed(),
    ]
}

/// Targets of designation commands: mostly members, so that duties are
/// often given; sometimes a contact of another account or none (H4's
/// "not a member").
fn designation_target() -> impl Strategy<Value = Target> {
    prop_oneof![
        1 => Just(Target::Owner),
        8 => (0..8usize).prop_map(Target::Member),
        1 => (0..16usize).prop_map(Target::Anyone),
        1 => Just(Target::Nobody),
    ]
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        1 => Just(Target::Owner),
        5 => (0..8usize).prop_map(Target::Member),
        2 => (0..16usize).prop_map(Target::Anyone),
        1 => Just(Target::Nobody),
    ]
}

fn bad() -> impl Strategy<Value = Bad> {
    prop_oneof![
        24 => Just(Bad::None),
        1 => Just(Bad::EmptyName),
        1 => Just(Bad::LongName),
        1 => Just(Bad::ControlName),
        1 => Just(Bad::Email),
        1 => Just(Bad::Phone),
        1 => Just(Bad::Zone),
        1 => Just(Bad::Login),
    ]
}

/// Role sets, mostly without the procurement manager role (refused until
/// procurement mode is on, C3), so that grants often succeed.
fn roles() -> impl Strategy<Value = u8> {
    let pm = Role::ProcurementManager.bits_for_test();
    prop_oneof![
        2 => Just(0u8),
        1 => Just(31u8 & !pm),
        6 => (0..32u8).prop_map(move |b| b & !pm),
        2 => 0..32u8,
    ]
}

trait Bits {
    fn bits_for_test(self) -> u8;
}

impl Bits for Role {
    fn bits_for_test(self) -> u8 {
        RoleSet::of(&[self]).bits()
    }
}

fn rtarget() -> impl Strategy<Value = RTarget> {
    prop_oneof![
        8 => (0..8usize).prop_map(RTarget::Mine),
        1 => (0..8usize).prop_map(RTarget::Theirs),
        1 => Just(RTarget::Unknown),
    ]
}

fn cmd() -> impl Strategy<Value = Cmd> {
    prop_oneof![
        18 => contact_cmd().boxed(),
        20 => designation_cmd().boxed(),
    ]
}

/// Resources, technical and billing contacts (H).
fn designation_cmd() -> impl Strategy<Value = Cmd> {
    let acct = 0..2usize;
    let secondary = || prop::option::of(designation_target());
    prop_oneof![
        4 => (acct.clone(), designation_who(), designation_target(), secondary()).prop_map(
            |(acct, who, primary, secondary)| Cmd::AddResource { acct, who, primary, secondary }
        ),
        3 => (acct.clone(), designation_who(), rtarget(), designation_target(), secondary()).prop_map(
            |(acct, who, resource, primary, secondary)| Cmd::SetTechnical {
                acct, who, resource, primary, secondary
            }
        ),
        1 => (acct.clone(), designation_who(), rtarget()).prop_map(
            |(acct, who, resource)| Cmd::RemoveResource { acct, who, resource }
        ),
        2 => (acct.clone(), designation_who(), designation_target(), designation_target()).prop_map(
            |(acct, who, from, to)| Cmd::Reassign { acct, who, from, to }
        ),
        2 => (acct.clone(), designation_who(), designation_target(), designation_target()).prop_map(
            |(acct, who, target, replacement)| Cmd::DeleteWith { acct, who, target, replacement }
        ),
        2 => (acct.clone(), designation_who(), designation_target(), secondary()).prop_map(
            |(acct, who, primary, secondary)| Cmd::SetBilling { acct, who, primary, secondary }
        ),
        3 => (acct, designation_who(), designation_target()).prop_map(
            |(acct, who, target)| Cmd::FillPhone { acct, who, target }
        ),
    ]
}

/// Contacts, roles, ownership (A, B, C).
fn contact_cmd() -> impl Strategy<Value = Cmd> {
    let acct = 0..2usize;
    let login = 0..LOGINS.len();
    prop_oneof![
        5 => (acct.clone(), who(), login.clone(), any::<bool>(), roles(), bad()).prop_map(
            |(acct, who, login, upper, roles, bad)| Cmd::Create { acct, who, login, upper, roles, bad }
        ),
        2 => (acct.clone(), who(), login, any::<bool>(), roles()).prop_map(
            |(acct, who, login, upper, roles)| Cmd::AddExisting { acct, who, login, upper, roles }
        ),
        3 => (acct.clone(), who(), target(), any::<u8>(), bad()).prop_map(
            |(acct, who, target, name, bad)| Cmd::Update { acct, who, target, name, bad }
        ),
        2 => (acct.clone(), who(), target()).prop_map(
            |(acct, who, target)| Cmd::Delete { acct, who, target }
        ),
        3 => (acct.clone(), who(), target(), roles()).prop_map(
            |(acct, who, target, roles)| Cmd::SetRoles { acct, who, target, roles }
        ),
        2 => (acct.clone(), who(), target()).prop_map(
            |(acct, who, target)| Cmd::Transfer { acct, who, target }
        ),
        1 => (acct, who()).prop_map(|(acct, who)| Cmd::EnableProcurement { acct, who }),
    ]
}

// ----- the reference model -----

#[derive(Debug, Clone, PartialEq)]
struct MContact {
    login: String,
    name: String,
    email: String,
    phone: Option<String>,
    accounts: u32,
}

#[derive(Debug, Clone)]
struct MAccount {
    id: AccountId,
    partner: Option<String>,
    owner: ContactId,
    /// Every member, the owner included, with its roles.
    members: BTreeMap<ContactId, RoleSet>,
    procurement: bool,
    /// Its resources, by id: primary and secondary technical contacts.
    resources: BTreeMap<ResourceId, (ContactId, Option<ContactId>)>,
    /// Its primary and secondary billing contacts.
    billing: (Option<ContactId>, Option<ContactId>),
}

#[derive(Debug, Clone)]
struct Model {
    accounts: Vec<MAccount>,
    contacts: BTreeMap<ContactId, MContact>,
    /// Every contact ever created, in order.
    seen: Vec<ContactId>,
}

/// How an actor stands in an account, in the model's terms.
#[derive(Debug, Clone, Copy, PartialEq)]
enum St {
    Owner,
    Member(RoleSet),
    Support,
    Partner,
    System,
    Outsider,
}

/// SPEC C's table, the rows the commands need, written out again.
fn allows(st: St, p: Permission) -> bool {
    use Permission as P;
    let has = |r: RoleSet, role| r.contains(role);
    match st {
        St::Owner => !matches!(
            p,
            P::CreateAccounts | P::RegisterServices | P::EnableProcurement
        ),
        St::Member(r) => match p {
            P::ReadAudit | P::ManageOwnSettings | P::ViewAccount => true,
            P::ManageContacts | P::AssignRoles => {
                has(r, Role::ContactManager) || has(r, Role::SecurityManager)
            }
            P::CompleteChargeable => has(r, Role::ProcurementManager),
            P::TechnicalAdmin => has(r, Role::TechnicalAdmin),
            P::ManageBilling => has(r, Role::BillingManager),
            _ => false,
        },
        St::Support => matches!(
            p,
            P::ViewAccount | P::TransferOwnership | P::ReadAudit | P::EnableProcurement
        ),
        St::Partner => matches!(
            p,
            P::ViewAccount | P::ManageContacts | P::AssignRoles | P::ManageBilling | P::ReadAudit
        ),
        St::System => !matches!(p, P::TransferOwnership | P::ManageOwnSettings),
        St::Outsider => false,
    }
}

/// The roles an actor holds for C6: its own for a member, all otherwise.
fn holds(st: St) -> RoleSet {
    match st {
        St::Member(r) => r,
        _ => RoleSet::ALL,
    }
}

fn denied(permission: Permission) -> Error {
    Error::PermissionDenied { permission }
}

fn rule(rule: Rule) -> Error {
    Error::RuleViolation { rule }
}

fn invalid(field: Field, problem: Problem) -> Error {
    Error::InvalidInput { field, problem }
}

fn require(st: St, p: Permission) -> Result<(), Error> {
    if allows(st, p) {
        Ok(())
    } else {
        Err(denied(p))
    }
}

/// What a successful command does to the model.
#[derive(Debug, Clone)]
enum Effect {
    Create {
        login: String,
        roles: RoleSet,
        name: String,
        email: String,
        phone: Option<String>,
        charge: Option<Money>,
    },
    Add {
        contact: ContactId,
        roles: RoleSet,
        charge: Option<Money>,
    },
    Rename {
        contact: ContactId,
        name: String,
    },
    Delete {
        contact: ContactId,
    },
    SetRoles {
        contact: ContactId,
        roles: RoleSet,
    },
    Transfer {
        to: ContactId,
    },
    Enable,
    AddResource {
        primary: ContactId,
        secondary: Option<ContactId>,
    },
    SetTechnical {
        resource: ResourceId,
        primary: ContactId,
        secondary: Option<ContactId>,
    },
    RemoveResource {
        resource: ResourceId,
    },
    Reassign {
        from: ContactId,
        to: ContactId,
        moved: usize,
    },
    DeleteWith {
        contact: ContactId,
        replacement: ContactId,
    },
    SetBilling {
        primary: ContactId,
        secondary: Option<ContactId>,
    },
    FillPhone {
        contact: ContactId,
    },
}

fn is_primary(d: &Duty) -> bool {
    matches!(
        d,
        Duty::Technical {
            rank: Rank::Primary,
            ..
        } | Duty::Billing {
            rank: Rank::Primary
        }
    )
}

/// The expected error of an invalid value (B2, B3), if any.
fn bad_value_error(bad: Bad) -> Option<Error> {
    Some(match bad {
        Bad::None => return None,
        Bad::EmptyName => invalid(Field::Name, Problem::Empty),
        Bad::LongName => invalid(Field::Name, Problem::TooLong { max: 200 }),
        Bad::ControlName => invalid(Field::Name, Problem::ControlCharacter),
        Bad::Email => invalid(Field::Email, Problem::Malformed),
        Bad::Phone => invalid(Field::BusinessPhone, Problem::Malformed),
        Bad::Zone => invalid(Field::TimeZone, Problem::UnknownTimeZone),
        Bad::Login => invalid(Field::Login, Problem::Malformed),
    })
}

impl Model {
    /// H4: a member of the account with an email (always there) and a
    /// business phone; otherwise the error naming what is missing.
    fn eligible(&self, a: usize, id: ContactId) -> Result<(), Error> {
        if !self.accounts[a].members.contains_key(&id) {
            return Err(Error::NotFound {
                entity: Entity::Contact,
            });
        }
        if self.contacts[&id].phone.is_none() {
            return Err(Error::NotEligible {
                missing: vec![Field::BusinessPhone],
            });
        }
        Ok(())
    }

    /// The duties a contact holds: technical ones by resource id, then
    /// billing ones (H3, H7).
    fn duties(&self, a: usize, id: ContactId) -> Vec<Duty> {
        let acct = &self.accounts[a];
        let mut duties: Vec<Duty> = acct
            .resources
            .iter()
            .filter_map(|(r, (p, s))| {
                let rank = if *p == id {
                    Rank::Primary
                } else if *s == Some(id) {
                    Rank::Secondary
                } else {
                    return None;
                };
                Some(Duty::Technical { resource: *r, rank })
            })
            .collect();
        if acct.billing.0 == Some(id) {
            duties.push(Duty::Billing {
                rank: Rank::Primary,
            });
        }
        if acct.billing.1 == Some(id) {
            duties.push(Duty::Billing {
                rank: Rank::Secondary,
            });
        }
        duties
    }

    /// Hands a contact's duties over (H3, B5): primaries to `to`;
    /// secondaries to `to` when `keep`, otherwise cleared; a secondary that
    /// would equal its primary is cleared (H2). Returns how many moved.
    fn move_duties(
        &mut self,
        a: usize,
        from: ContactId,
        to: Option<ContactId>,
        keep: bool,
    ) -> usize {
        let acct = &mut self.accounts[a];
        let mut moved = 0;
        for (p, s) in acct.resources.values_mut() {
            if *p == from {
                if let Some(to) = to {
                    *p = to;
                    if *s == Some(to) {
                        *s = None;
                    }
                    moved += 1;
                }
            } else if *s == Some(from) {
                *s = to.filter(|to| keep && to != p);
                moved += 1;
            }
        }
        let b = &mut acct.billing;
        if b.0 == Some(from) {
            if let Some(to) = to {
                b.0 = Some(to);
                moved += 1;
            }
        }
        if b.1 == Some(from) {
            b.1 = to.filter(|_| keep);
            moved += 1;
        }
        if b.1 == b.0 {
            b.1 = None;
        }
        moved
    }

    /// The contact goes from the account (and from the directory with its
    /// last account).
    fn remove(&mut self, a: usize, contact: ContactId) {
        self.accounts[a].members.remove(&contact);
        let m = self.contacts.get_mut(&contact).unwrap();
        m.accounts -= 1;
        if m.accounts == 0 {
            self.contacts.remove(&contact);
        }
    }

    fn resolve_resource(&self, a: usize, t: &RTarget) -> ResourceId {
        let pick = |acct: &MAccount, i: usize| {
            let n = acct.resources.len().max(1);
            acct.resources.keys().nth(i % n).copied()
        };
        match t {
            RTarget::Mine(i) => pick(&self.accounts[a], *i),
            RTarget::Theirs(i) => pick(&self.accounts[1 - a], *i),
            RTarget::Unknown => None,
        }
        .unwrap_or(ResourceId(5))
    }

    fn standing(&self, a: usize, actor: &Actor) -> St {
        let acct = &self.accounts[a];
        match actor {
            Actor::Contact(id) if *id == acct.owner => St::Owner,
            Actor::Contact(id) => match acct.members.get(id) {
                Some(r) => St::Member(*r),
                None => St::Outsider,
            },
            Actor::SupportDesk { .. } => St::Support,
            Actor::Partner(p) if acct.partner.as_ref() == Some(p) => St::Partner,
            Actor::Partner(_) => St::Outsider,
            Actor::System => St::System,
            _ => St::Outsider,
        }
    }

    fn standard_members(&self, a: usize) -> Vec<ContactId> {
        let acct = &self.accounts[a];
        acct.members
            .keys()
            .copied()
            .filter(|id| *id != acct.owner)
            .collect()
    }

    fn resolve_who(&self, a: usize, who: &Who) -> Actor {
        match who {
            Who::Owner => c(self.accounts[a].owner),
            Who::Member(i) => {
                let m = self.standard_members(a);
                if m.is_empty() {
                    c(self.accounts[a].owner)
                } else {
                    c(m[i % m.len()])
                }
            }
            Who::Anyone(i) => c(self.seen[i % self.seen.len()]),
            Who::Nobody => c(ContactId(3)),
            Who::Support { reason } => {
                Actor::support_desk("desk", if *reason { "ticket 99" } else { "" })
            }
            Who::Partner { own: true } => Actor::partner(PARTNER),
            Who::Partner { own: false } => Actor::partner("stranger"),
            Who::System => Actor::System,
        }
    }

    fn resolve_target(&self, a: usize, t: &Target) -> ContactId {
        match t {
            Target::Owner => self.accounts[a].owner,
            Target::Member(i) => {
                let m = self.standard_members(a);
                if m.is_empty() {
                    self.accounts[a].owner
                } else {
                    m[i % m.len()]
                }
            }
            Target::Anyone(i) => self.seen[i % self.seen.len()],
            Target::Nobody => ContactId(3),
        }
    }

    fn by_login(&self, login: &str) -> Option<ContactId> {
        let key = login.to_ascii_lowercase();
        self.contacts
            .iter()
            .find(|(_, c)| c.login.to_ascii_lowercase() == key)
            .map(|(id, _)| *id)
    }

    /// C3 and C6 for a change of roles from `old` to `new`.
    fn check_grant(&self, a: usize, st: St, old: RoleSet, new: RoleSet) -> Result<(), Error> {
        let changed = old.symmetric_difference(new);
        if changed.is_empty() {
            return Ok(());
        }
        require(st, Permission::AssignRoles)?;
        if new.contains(Role::ProcurementManager)
            && !old.contains(Role::ProcurementManager)
            && !self.accounts[a].procurement
        {
            return Err(rule(Rule::C3ProcurementDisabled));
        }
        if !changed.is_subset(holds(st)) {
            return Err(rule(Rule::C6NoEscalation));
        }
        Ok(())
    }

    /// A7 and C3: the charge of one more contact, refused when procurement
    /// mode is on and the actor does not complete chargeable actions.
    fn charge(&self, a: usize, st: St) -> Result<Option<Money>, Error> {
        let acct = &self.accounts[a];
        if (acct.members.len() as u32) < INCLUDED {
            return Ok(None);
        }
        if acct.procurement && !allows(st, Permission::CompleteChargeable) {
            return Err(denied(Permission::CompleteChargeable));
        }
        Ok(Some(price()))
    }

    /// What the command should do: its effect, or the exact error.
    fn predict(&self, a: usize, actor: &Actor, op: &Call) -> Result<Effect, Error> {
        let st = self.standing(a, actor);
        let acct = &self.accounts[a];
        match op {
            Call::Create { nc, bad } => {
                require(st, Permission::ManageContacts)?;
                self.check_grant(a, st, RoleSet::EMPTY, nc.roles)?;
                let charge = self.charge(a, st)?;
                if let Some(e) = bad_value_error(*bad) {
                    return Err(e);
                }
                if self.by_login(&nc.login).is_some() {
                    return Err(Error::AlreadyExists {
                        entity: Entity::Login,
                    });
                }
                Ok(Effect::Create {
                    login: nc.login.clone(),
                    roles: nc.roles,
                    name: nc.profile.name.trim().to_owned(),
                    email: nc.profile.email.clone(),
                    phone: nc.profile.business_phone.clone(),
                    charge,
                })
            }
            Call::AddExisting { login, roles } => {
                require(st, Permission::ManageContacts)?;
                self.check_grant(a, st, RoleSet::EMPTY, *roles)?;
                let contact = self.by_login(login).ok_or(Error::NotFound {
                    entity: Entity::Login,
                })?;
                if acct.members.contains_key(&contact) {
                    return Err(Error::AlreadyExists {
                        entity: Entity::Contact,
                    });
                }
                let charge = self.charge(a, st)?;
                Ok(Effect::Add {
                    contact,
                    roles: *roles,
                    charge,
                })
            }
            Call::Update { target, name, bad } => {
                let own = actor.contact_id() == Some(*target);
                require(
                    st,
                    if own {
                        Permission::ManageOwnSettings
                    } else {
                        Permission::ManageContacts
                    },
                )?;
                if !acct.members.contains_key(target) {
                    return Err(Error::NotFound {
                        entity: Entity::Contact,
                    });
                }
                if !own && st != St::System {
                    if *target == acct.owner {
                        return Err(rule(Rule::A6OwnerOnly));
                    }
                    if self.contacts[target].accounts > 1 {
                        return Err(rule(Rule::B6SharedProfile));
                    }
                }
                if let Some(e) = bad_value_error(*bad) {
                    return Err(e);
                }
                Ok(Effect::Rename {
                    contact: *target,
                    name: name.trim().to_owned(),
                })
            }
            Call::Delete { target } => {
                require(st, Permission::ManageContacts)?;
                if !acct.members.contains_key(target) {
                    return Err(Error::NotFound {
                        entity: Entity::Contact,
                    });
                }
                if *target == acct.owner {
                    return Err(rule(Rule::A5OwnerNotDeletable));
                }
                // B5: not while it holds primary duties; the refusal lists them.
                let held: Vec<Duty> = self
                    .duties(a, *target)
                    .into_iter()
                    .filter(is_primary)
                    .collect();
                if !held.is_empty() {
                    return Err(Error::DutiesHeld { duties: held });
                }
                Ok(Effect::Delete { contact: *target })
            }
            Call::SetRoles { target, roles } => {
                require(st, Permission::AssignRoles)?;
                let old = *acct.members.get(target).ok_or(Error::NotFound {
                    entity: Entity::Contact,
                })?;
                if *target == acct.owner {
                    return Err(rule(Rule::A2OwnerHoldsEveryRole));
                }
                self.check_grant(a, st, old, *roles)?;
                Ok(Effect::SetRoles {
                    contact: *target,
                    roles: *roles,
                })
            }
            Call::Transfer { target } => {
                require(st, Permission::TransferOwnership)?;
                if let Actor::SupportDesk { reason, .. } = actor {
                    if reason.trim().is_empty() {
                        return Err(invalid(Field::Reason, Problem::Empty));
                    }
                }
                if *target == acct.owner {
                    return Err(rule(Rule::A3AlreadyOwner));
                }
                if !acct.members.contains_key(target) {
                    return Err(invalid(Field::NewOwner, Problem::NotOffered));
                }
                Ok(Effect::Transfer { to: *target })
            }
            Call::Enable => {
                require(st, Permission::EnableProcurement)?;
                Ok(Effect::Enable)
            }
            Call::AddResource { primary, secondary } => {
                require(st, Permission::TechnicalAdmin)?;
                if *secondary == Some(*primary) {
                    return Err(rule(Rule::H2SecondaryIsPrimary));
                }
                self.eligible(a, *primary)?;
                if let Some(s) = secondary {
                    self.eligible(a, *s)?;
                }
                Ok(Effect::AddResource {
                    primary: *primary,
                    secondary: *secondary,
                })
            }
            Call::SetTechnical {
                resource,
                primary,
                secondary,
            } => {
                require(st, Permission::TechnicalAdmin)?;
                if !acct.resources.contains_key(resource) {
                    return Err(Error::NotFound {
                        entity: Entity::Resource,
                    });
                }
                if *secondary == Some(*primary) {
                    return Err(rule(Rule::H2SecondaryIsPrimary));
                }
                self.eligible(a, *primary)?;
                if let Some(s) = secondary {
                    self.eligible(a, *s)?;
                }
                Ok(Effect::SetTechnical {
                    resource: *resource,
                    primary: *primary,
                    secondary: *secondary,
                })
            }
            Call::RemoveResource { resource } => {
                require(st, Permission::TechnicalAdmin)?;
                if !acct.resources.contains_key(resource) {
                    return Err(Error::NotFound {
                        entity: Entity::Resource,
                    });
                }
                Ok(Effect::RemoveResource {
                    resource: *resource,
                })
            }
            Call::Reassign { from, to } => {
                // H3: the permissions of the duties moved; with none, one of
                // them still (C2).
                let duties = self.duties(a, *from);
                let technical = duties.iter().any(|d| matches!(d, Duty::Technical { .. }));
                let billing = duties.iter().any(|d| matches!(d, Duty::Billing { .. }));
                if technical {
                    require(st, Permission::TechnicalAdmin)?;
                }
                if billing {
                    require(st, Permission::ManageBilling)?;
                }
                if !technical
                    && !billing
                    && !allows(st, Permission::TechnicalAdmin)
                    && !allows(st, Permission::ManageBilling)
                {
                    return Err(denied(Permission::TechnicalAdmin));
                }
                if !acct.members.contains_key(from) {
                    return Err(Error::NotFound {
                        entity: Entity::Contact,
                    });
                }
                if from == to {
                    return Err(rule(Rule::H2SecondaryIsPrimary));
                }
                self.eligible(a, *to)?;
                let moved = self.clone().move_duties(a, *from, Some(*to), true);
                Ok(Effect::Reassign {
                    from: *from,
                    to: *to,
                    moved,
                })
            }
            Call::DeleteWith {
                target,
                replacement,
            } => {
                // Deleting needs ManageContacts before anything is looked at.
                require(st, Permission::ManageContacts)?;
                if target == replacement {
                    return Err(invalid(Field::Secondary, Problem::Duplicate));
                }
                let duties = self.duties(a, *target);
                if duties.iter().any(|d| matches!(d, Duty::Technical { .. })) {
                    require(st, Permission::TechnicalAdmin)?;
                }
                if duties.iter().any(|d| matches!(d, Duty::Billing { .. })) {
                    require(st, Permission::ManageBilling)?;
                }
                self.eligible(a, *replacement)?;
                if !acct.members.contains_key(target) {
                    return Err(Error::NotFound {
                        entity: Entity::Contact,
                    });
                }
                if *target == acct.owner {
                    return Err(rule(Rule::A5OwnerNotDeletable));
                }
                Ok(Effect::DeleteWith {
                    contact: *target,
                    replacement: *replacement,
                })
            }
            Call::SetBilling { primary, secondary } => {
                require(st, Permission::ManageBilling)?;
                if *secondary == Some(*primary) {
                    return Err(rule(Rule::H2SecondaryIsPrimary));
                }
                self.eligible(a, *primary)?;
                if let Some(s) = secondary {
                    self.eligible(a, *s)?;
                }
                Ok(Effect::SetBilling {
                    primary: *primary,
                    secondary: *secondary,
                })
            }
            Call::FillPhone { target } => {
                let own = actor.contact_id() == Some(*target);
                require(
                    st,
                    if own {
                        Permission::ManageOwnSettings
                    } else {
                        Permission::ManageContacts
                    },
                )?;
                if !acct.members.contains_key(target) {
                    return Err(Error::NotFound {
                        entity: Entity::Contact,
                    });
                }
                if !own && st != St::System {
                    if *target == acct.owner {
                        return Err(rule(Rule::A6OwnerOnly));
                    }
                    if self.contacts[target].accounts > 1 {
                        return Err(rule(Rule::B6SharedProfile));
                    }
                }
                Ok(Effect::FillPhone { contact: *target })
            }
        }
    }

    fn apply(&mut self, a: usize, effect: Effect, out: &Out) {
        let created = match out {
            Out::Added(added) => Some(added.contact),
            _ => None,
        };
        match effect {
            Effect::Create {
                login,
                roles,
                name,
                email,
                phone,
                ..
            } => {
                let id = created.expect("a created contact's id");
                self.contacts.insert(
                    id,
                    MContact {
                        login,
                        name,
                        email,
                        phone,
                        accounts: 1,
                    },
                );
                self.seen.push(id);
                self.accounts[a].members.insert(id, roles);
            }
            Effect::Add { contact, roles, .. } => {
                self.contacts.get_mut(&contact).unwrap().accounts += 1;
                self.accounts[a].members.insert(contact, roles);
            }
            Effect::Rename { contact, name } => {
                self.contacts.get_mut(&contact).unwrap().name = name;
            }
            Effect::Delete { contact } => {
                // B5: its secondary duties are cleared.
                self.move_duties(a, contact, None, false);
                self.remove(a, contact);
            }
            Effect::DeleteWith {
                contact,
                replacement,
            } => {
                self.move_duties(a, contact, Some(replacement), false);
                self.remove(a, contact);
            }
            Effect::AddResource { primary, secondary } => {
                let Out::Resource(id) = out else {
                    panic!("a new resource's id")
                };
                self.accounts[a].resources.insert(*id, (primary, secondary));
            }
            Effect::SetTechnical {
                resource,
                primary,
                secondary,
            } => {
                self.accounts[a]
                    .resources
                    .insert(resource, (primary, secondary));
            }
            Effect::RemoveResource { resource } => {
                self.accounts[a].resources.remove(&resource);
            }
            Effect::Reassign { from, to, .. } => {
                self.move_duties(a, from, Some(to), true);
            }
            Effect::SetBilling { primary, secondary } => {
                self.accounts[a].billing = (Some(primary), secondary);
            }
            Effect::FillPhone { contact } => {
                self.contacts.get_mut(&contact).unwrap().phone = Some(PHONE.to_owned());
            }
            Effect::SetRoles { contact, roles } => {
                self.accounts[a].members.insert(contact, roles);
            }
            Effect::Transfer { to } => {
                let acct = &mut self.accounts[a];
                let standard = if acct.procurement {
                    RoleSet::ALL
                } else {
                    RoleSet::ALL.without(Role::ProcurementManager)
                };
                acct.members.insert(acct.owner, standard);
                acct.members.insert(to, RoleSet::ALL);
                acct.owner = to;
            }
            Effect::Enable => self.accounts[a].procurement = true,
        }
    }
}

// ----- running a command for real -----

/// A command with its actor and targets resolved.
#[derive(Debug, Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "a test command, built once per step"
)]
enum Call {
    Create {
        nc: NewContact,
        bad: Bad,
    },
    AddExisting {
        login: String,
        roles: RoleSet,
    },
    Update {
        target: ContactId,
        name: String,
        bad: Bad,
    },
    Delete {
        target: ContactId,
    },
    SetRoles {
        target: ContactId,
        roles: RoleSet,
    },
    Transfer {
        target: ContactId,
    },
    Enable,
    AddResource {
        primary: ContactId,
        secondary: Option<ContactId>,
    },
    SetTechnical {
        resource: ResourceId,
        primary: ContactId,
        secondary: Option<ContactId>,
    },
    RemoveResource {
        resource: ResourceId,
    },
    Reassign {
        from: ContactId,
        to: ContactId,
    },
    DeleteWith {
        target: ContactId,
        replacement: ContactId,
    },
    SetBilling {
        primary: ContactId,
        secondary: Option<ContactId>,
    },
    FillPhone {
        target: ContactId,
    },
}

/// What a command returned.
#[derive(Debug, Clone)]
enum Out {
    Nothing,
    Added(ContactAdded),
    Resource(ResourceId),
    Moved(usize),
}

impl Call {
    fn operation(&self) -> Operation {
        match self {
            Call::Create { .. } => Operation::ContactCreate,
            Call::AddExisting { .. } => Operation::ContactAddExisting,
            Call::Update { .. } => Operation::ContactUpdate,
            Call::Delete { .. } => Operation::ContactDelete,
            Call::SetRoles { .. } => Operation::RolesUpdate,
            Call::Transfer { .. } => Operation::OwnershipTransfer,
            Call::Enable => Operation::ProcurementEnable,
            Call::AddResource { .. } => Operation::ResourceAdd,
            Call::SetTechnical { .. } => Operation::TechnicalContacts,
            Call::RemoveResource { .. } => Operation::ResourceRemove,
            Call::Reassign { .. } => Operation::DutiesReassign,
            Call::DeleteWith { .. } => Operation::ContactDelete,
            Call::SetBilling { .. } => Operation::BillingContacts,
            Call::FillPhone { .. } => Operation::ContactUpdate,
        }
    }

    /// Runs it: the contact added and its charge, for additions; the
    /// resource added; the number of duties moved.
    fn run(&self, dir: &Directory, actor: &Actor, acct: AccountId) -> Result<Out, Error> {
        match self {
            Call::Create { nc, .. } => dir.create_contact(actor, acct, nc).map(Out::Added),
            Call::AddExisting { login, roles } => dir
                .add_existing_contact(actor, acct, login, *roles, &TechScope::All)
                .map(Out::Added),
            Call::Update { target, name, bad } => {
                let mut u = ProfileUpdate {
                    name: Some(name.clone()),
                    ..Default::default()
                };
                match bad {
                    Bad::EmptyName => u.name = Some(" ".into()),
                    Bad::LongName => u.name = Some("n".repeat(201)),
                    Bad::ControlName => u.name = Some("a\u{7}b".into()),
                    Bad::Email => u.email = Some("nobody.example.com".into()),
                    Bad::Phone => u.business_phone = Some(Some("call me".into())),
                    Bad::Zone => u.time_zone = Some("Nowhere/Land".into()),
                    Bad::None | Bad::Login => {}
                }
                dir.update_contact(actor, acct, *target, &u)
                    .map(|_| Out::Nothing)
            }
            Call::Delete { target } => dir
                .delete_contact(actor, acct, *target)
                .map(|()| Out::Nothing),
            Call::SetRoles { target, roles } => dir
                .set_roles(actor, acct, *target, *roles, &TechScope::All)
                .map(|()| Out::Nothing),
            Call::Transfer { target } => dir
                .transfer_ownership(actor, acct, *target)
                .map(|()| Out::Nothing),
            Call::Enable => dir
                .set_procurement(actor, acct, true)
                .map(|()| Out::Nothing),
            Call::AddResource { primary, secondary } => dir
                .add_resource(
                    actor,
                    acct,
                    &NewResource {
                        kind: "computer".into(),
                        name: "web".into(),
                        primary: *primary,
                        secondary: *secondary,
                    },
                )
                .map(Out::Resource),
            Call::SetTechnical {
                resource,
                primary,
                secondary,
            } => dir
                .set_technical_contacts(actor, acct, *resource, *primary, *secondary)
                .map(|()| Out::Nothing),
            Call::RemoveResource { resource } => dir
                .remove_resource(actor, acct, *resource)
                .map(|()| Out::Nothing),
            Call::Reassign { from, to } => {
                dir.reassign_duties(actor, acct, *from, *to).map(Out::Moved)
            }
            Call::DeleteWith {
                target,
                replacement,
            } => dir
                .delete_contact_with_replacement(actor, acct, *target, *replacement)
                .map(|()| Out::Nothing),
            Call::SetBilling { primary, secondary } => dir
                .set_billing_contacts(actor, acct, *primary, *secondary)
                .map(|()| Out::Nothing),
            Call::FillPhone { target } => dir
                .update_contact(
                    actor,
                    acct,
                    *target,
                    &ProfileUpdate {
                        business_phone: Some(Some(PHONE.into())),
                        ..Default::default()
                    },
                )
                .map(|_| Out::Nothing),
        }
    }
}

fn new_profile(login: &str, bad: Bad) -> NewContact {
    let mut p = Profile::new(format!("  {login} Person "), format!("{login}@example.com"));
    p.business_phone = Some("+1 555 0100".into());
    match bad {
        Bad::EmptyName => p.name = "  ".into(),
        Bad::LongName => p.name = "x".repeat(201),
        Bad::ControlName => p.name = "a\u{7}b".into(),
        Bad::Email => p.email = "nobody.example.com".into(),
        Bad::Phone => p.business_phone = Some("call me".into()),
        Bad::Zone => p.time_zone = "Nowhere/Land".into(),
        Bad::None | Bad::Login => {}
    }
    let login = if bad == Bad::Login {
        "bad login".to_owned()
    } else {
        login.to_owned()
    };
    NewContact::new(login, p)
}

fn resolve(model: &Model, cmd: &Cmd) -> (usize, Actor, Call) {
    let login = |i: usize, upper: bool| {
        let l = LOGINS[i];
        if upper {
            l.to_ascii_uppercase()
        } else {
            l.to_owned()
        }
    };
    match cmd {
        Cmd::Create {
            acct,
            who,
            login: l,
            upper,
            roles,
            bad,
        } => {
            let nc = new_profile(&login(*l, *upper), *bad)
                .with_roles(RoleSet::from_bits(*roles).unwrap());
            (
                *acct,
                model.resolve_who(*acct, who),
                Call::Create { nc, bad: *bad },
            )
        }
        Cmd::AddExisting {
            acct,
            who,
            login: l,
            upper,
            roles,
        } => (
            *acct,
            model.resolve_who(*acct, who),
            Call::AddExisting {
                login: login(*l, *upper),
                roles: RoleSet::from_bits(*roles).unwrap(),
            },
        ),
        Cmd::Update {
            acct,
            who,
            target,
            name,
            bad,
        } => (
            *acct,
            model.resolve_who(*acct, who),
            Call::Update {
                target: model.resolve_target(*acct, target),
                name: format!(" Name {name} "),
                // A login is not part of an update.
                bad: if *bad == Bad::Login { Bad::None } else { *bad },
            },
        ),
        Cmd::Delete { acct, who, target } => (
            *acct,
            model.resolve_who(*acct, who),
            Call::Delete {
                target: model.resolve_target(*acct, target),
            },
        ),
        Cmd::SetRoles {
            acct,
            who,
            target,
            roles,
        } => (
            *acct,
            model.resolve_who(*acct, who),
            Call::SetRoles {
                target: model.resolve_target(*acct, target),
                roles: RoleSet::from_bits(*roles).unwrap(),
            },
        ),
        Cmd::Transfer { acct, who, target } => (
            *acct,
            model.resolve_who(*acct, who),
            Call::Transfer {
                target: model.resolve_target(*acct, target),
            },
        ),
        Cmd::EnableProcurement { acct, who } => {
            (*acct, model.resolve_who(*acct, who), Call::Enable)
        }
        Cmd::AddResource {
            acct,
            who,
            primary,
            secondary,
        } => (
            *acct,
            model.resolve_who(*acct, who),
            Call::AddResource {
                primary: model.resolve_target(*acct, primary),
                secondary: secondary.as_ref().map(|s| model.resolve_target(*acct, s)),
            },
        ),
        Cmd::SetTechnical {
            acct,
            who,
            resource,
            primary,
            secondary,
        } => (
            *acct,
            model.resolve_who(*acct, who),
            Call::SetTechnical {
                resource: model.resolve_resource(*acct, resource),
                primary: model.resolve_target(*acct, primary),
                secondary: secondary.as_ref().map(|s| model.resolve_target(*acct, s)),
            },
        ),
        Cmd::RemoveResource {
            acct,
            who,
            resource,
        } => (
            *acct,
            model.resolve_who(*acct, who),
            Call::RemoveResource {
                resource: model.resolve_resource(*acct, resource),
            },
        ),
        Cmd::Reassign {
            acct,
            who,
            from,
            to,
        } => (
            *acct,
            model.resolve_who(*acct, who),
            Call::Reassign {
                from: model.resolve_target(*acct, from),
                to: model.resolve_target(*acct, to),
            },
        ),
        Cmd::DeleteWith {
            acct,
            who,
            target,
            replacement,
        } => (
            *acct,
            model.resolve_who(*acct, who),
            Call::DeleteWith {
                target: model.resolve_target(*acct, target),
                replacement: model.resolve_target(*acct, replacement),
            },
        ),
        Cmd::SetBilling {
            acct,
            who,
            primary,
            secondary,
        } => (
            *acct,
            model.resolve_who(*acct, who),
            Call::SetBilling {
                primary: model.resolve_target(*acct, primary),
                secondary: secondary.as_ref().map(|s| model.resolve_target(*acct, s)),
            },
        ),
        Cmd::FillPhone { acct, who, target } => (
            *acct,
            model.resolve_who(*acct, who),
            Call::FillPhone {
                target: model.resolve_target(*acct, target),
            },
        ),
    }
}

// ----- the checks -----

/// A contact as the model and a listing both describe it.
type Row = (String, String, String, Option<String>, bool, RoleSet, u32);

fn expected_rows(model: &Model, a: usize) -> BTreeMap<ContactId, Row> {
    let acct = &model.accounts[a];
    acct.members
        .iter()
        .map(|(id, roles)| {
            let m = &model.contacts[id];
            let owner = *id == acct.owner;
            (
                *id,
                (
                    m.login.clone(),
                    m.name.clone(),
                    m.email.clone(),
                    m.phone.clone(),
                    owner,
                    if owner { RoleSet::ALL } else { *roles },
                    m.accounts,
                ),
            )
        })
        .collect()
}

fn real_rows(f: &Fixture, acct: AccountId) -> BTreeMap<ContactId, Row> {
    f.dir
        .list_contacts(&Actor::System, acct, None, MAX_PAGE)
        .unwrap()
        .into_iter()
        .map(|v| {
            (
                v.id,
                (
                    v.login,
                    v.profile.name,
                    v.profile.email,
                    v.profile.business_phone,
                    v.owner,
                    v.roles,
                    v.accounts,
                ),
            )
        })
        .collect()
}

/// The invariants, and the real state against the model's.
fn check_state(f: &Fixture, model: &Model, audit_lens: &[u64]) -> Result<(), TestCaseError> {
    for (a, m) in model.accounts.iter().enumerate() {
        let view = f.dir.account(&Actor::System, m.id).unwrap();
        let rows = real_rows(f, m.id);
        // A1: exactly one owner, a member of the account; A2: every role.
        let owners: Vec<ContactId> = rows
            .iter()
            .filter(|(_, r)| r.4)
            .map(|(id, _)| *id)
            .collect();
        prop_assert_eq!(&owners, &vec![view.owner]);
        prop_assert_eq!(rows[&view.owner].5, RoleSet::ALL);
        prop_assert_eq!(
            f.dir.access(&c(view.owner), m.id).unwrap().standing(),
            Standing::Owner
        );
        // The real state is the model's.
        prop_assert_eq!(view.owner, m.owner);
        prop_assert_eq!(view.contacts as usize, m.members.len());
        prop_assert_eq!(view.procurement_enabled, m.procurement);
        prop_assert_eq!(&view.partner, &m.partner);
        prop_assert_eq!(&rows, &expected_rows(model, a));
        // H: the resources, billing contacts and duties are the model's.
        let sys = Actor::System;
        let resources: BTreeMap<ResourceId, (ContactId, Option<ContactId>)> = f
            .dir
            .resources(&sys, m.id, None, MAX_PAGE)
            .unwrap()
            .into_iter()
            .map(|r| (r.id, (r.primary, r.secondary)))
            .collect();
        prop_assert_eq!(&resources, &m.resources);
        let billing = f.dir.billing_contacts(&sys, m.id).unwrap();
        prop_assert_eq!((billing.primary, billing.secondary), m.billing);
        for id in rows.keys() {
            prop_assert_eq!(
                f.dir.duties(&sys, m.id, *id).unwrap(),
                model.duties(a, *id),
                "duties of {}",
                id
            );
        }
        // H1, H4: every resource has a primary that is a current member of
        // its account and holds what the duty needs; H2: no secondary is its
        // primary (and a secondary too is an eligible member). H7: the same
        // of the billing contacts.
        let profiles: BTreeMap<ContactId, Profile> = f
            .dir
            .list_contacts(&sys, m.id, None, MAX_PAGE)
            .unwrap()
            .into_iter()
            .map(|v| (v.id, v.profile))
            .collect();
        let eligible_member = |id: &ContactId| {
            profiles
                .get(id)
                .is_some_and(|p| designations::missing_for_duty(p).is_empty())
        };
        let pairs = resources
            .values()
            .map(|(p, s)| (Some(*p), *s))
            .chain([(billing.primary, billing.secondary)]);
        for (p, s) in pairs {
            if let Some(p) = &p {
                prop_assert!(eligible_member(p), "primary {} of account {}", p, a);
            }
            if let Some(s) = &s {
                prop_assert!(p.is_some(), "a secondary without a primary");
                prop_assert!(eligible_member(s), "secondary {} of account {}", s, a);
            }
            prop_assert!(s.is_none() || s != p, "a secondary is its primary");
        }
        // J3: the chain verifies and holds every entry.
        prop_assert_eq!(
            f.dir.verify_audit(&Actor::System, m.id).unwrap(),
            AuditVerification::Intact {
                entries: audit_lens[a]
            }
        );
    }
    // B3, B5: a login exists exactly while a contact has it.
    for login in LOGINS {
        // Read from the store: "check login" is itself audited (B1).
        let key = login_key(&login.to_ascii_uppercase()).unwrap();
        let exists = f.store.contact_by_login(&key).unwrap().is_some();
        prop_assert_eq!(exists, model.by_login(login).is_some(), "login {}", login);
    }
    Ok(())
}

fn run_case(store: std::sync::Arc<dyn Store>, cmds: &[Cmd]) -> Result<(), TestCaseError> {
    let f = Fixture::on(store);
    let mut model = Model {
        accounts: Vec::new(),
        contacts: BTreeMap::new(),
        seen: Vec::new(),
    };
    for (a, creator) in [Actor::partner(PARTNER), Actor::System].iter().enumerate() {
        let login = format!("own{a}");
        let mut new = NewAccount::new(format!("Account {a}"), new_contact(&login));
        new.plan.included_contacts = INCLUDED;
        new.plan.additional_contact_price = price();
        let created = f.dir.create_account(creator, &new).unwrap();
        model.contacts.insert(
            created.owner,
            MContact {
                login: login.clone(),
                name: format!("{login} Person"),
                email: format!("{login}@example.com"),
                phone: None,
                accounts: 1,
            },
        );
        model.seen.push(created.owner);
        model.accounts.push(MAccount {
            id: created.account,
            partner: (a == 0).then(|| PARTNER.to_owned()),
            owner: created.owner,
            members: BTreeMap::from([(created.owner, RoleSet::ALL)]),
            procurement: false,
            resources: BTreeMap::new(),
            billing: (None, None),
        });
        // Two standard contacts to start with: a contact manager and one
        // without roles; only the second has a business phone (H4).
        for (suffix, roles, phone) in [
            ("cm", RoleSet::of(&[Role::ContactManager]), None),
            ("plain", RoleSet::EMPTY, Some(PHONE)),
        ] {
            let login = format!("a{a}{suffix}");
            let mut nc = new_contact(&login).with_roles(roles);
            nc.profile.business_phone = phone.map(str::to_owned);
            let id = f
                .dir
                .create_contact(&Actor::System, created.account, &nc)
                .unwrap()
                .contact;
            model.contacts.insert(
                id,
                MContact {
                    login: login.clone(),
                    name: format!("{login} Person"),
                    email: format!("{login}@example.com"),
                    phone: phone.map(str::to_owned),
                    accounts: 1,
                },
            );
            model.seen.push(id);
            model.accounts[a].members.insert(id, roles);
            // A resource to start with, the contact with a phone its
            // primary technical contact (H1, H4).
            if phone.is_some() {
                let r = f
                    .dir
                    .add_resource(
                        &Actor::System,
                        created.account,
                        &NewResource {
                            kind: "computer".into(),
                            name: "first".into(),
                            primary: id,
                            secondary: None,
                        },
                    )
                    .unwrap();
                model.accounts[a].resources.insert(r, (id, None));
            }
        }
    }
    let ids: Vec<AccountId> = model.accounts.iter().map(|m| m.id).collect();
    let mut lens = vec![4u64, 4];
    check_state(&f, &model, &lens)?;
    for (step, cmd) in cmds.iter().enumerate() {
        let (a, actor, call) = resolve(&model, cmd);
        let acct = ids[a];
        let predicted = model.predict(a, &actor, &call);
        let before = f.world(&ids);
        let result = call.run(&f.dir, &actor, acct);
        let ctx = format!("step {step}: {actor:?} {call:?} in account {a}");
        lens[a] += 1;
        let after_lens: Vec<u64> = ids.iter().map(|id| f.audit_len(*id)).collect();
        // J1: every operation, done or refused, appends exactly one entry,
        // to its own account's chain.
        prop_assert_eq!(&after_lens, &lens, "{}", ctx);
        let last = f.last_audit(acct);
        prop_assert_eq!(last.operation, call.operation(), "{}", ctx);
        prop_assert_eq!(&last.actor, &actor.audit_label(), "{}", ctx);
        match (predicted, result) {
            (Ok(effect), Ok(out)) => {
                let added = match &out {
                    Out::Added(added) => Some(added.clone()),
                    _ => None,
                };
                // H3: the result says how many duties moved.
                if let (Effect::Reassign { moved, .. }, Out::Moved(n)) = (&effect, &out) {
                    prop_assert_eq!(n, moved, "{}", ctx);
                }
                prop_assert_eq!(last.outcome, Outcome::Success, "{}", ctx);
                let st = model.standing(a, &actor);
                // C6 at grant time: the granter held every role it changed.
                let (old, new) = match (&effect, &call) {
                    (Effect::Create { roles, .. } | Effect::Add { roles, .. }, _) => {
                        (RoleSet::EMPTY, *roles)
                    }
                    (Effect::SetRoles { contact, roles }, _) => {
                        (model.accounts[a].members[contact], *roles)
                    }
                    _ => (RoleSet::EMPTY, RoleSet::EMPTY),
                };
                prop_assert!(
                    old.symmetric_difference(new).is_subset(holds(st)),
                    "{} granted roles it lacks",
                    ctx
                );
                // C3: the procurement role only once enabled.
                if new.contains(Role::ProcurementManager) && !old.contains(Role::ProcurementManager)
                {
                    prop_assert!(model.accounts[a].procurement, "{}", ctx);
                }
                // A7: the result says what the addition costs.
                if let Effect::Create { charge, .. } | Effect::Add { charge, .. } = &effect {
                    prop_assert_eq!(&added.as_ref().unwrap().charge, charge, "{}", ctx);
                }
                if let Effect::Add { contact, .. } = &effect {
                    prop_assert_eq!(added.as_ref().unwrap().contact, *contact, "{}", ctx);
                }
                // B7: the contact accepts the invitation, so the addition
                // is the membership the model expects.
                if let Some(added) = added.as_ref().filter(|added| added.pending) {
                    f.dir
                        .accept_invitation(&Actor::Contact(added.contact), acct)
                        .unwrap();
                    lens[a] += 1;
                }
                model.apply(a, effect, &out);
            }
            (Err(want), Err(got)) => {
                prop_assert_eq!(&got, &want, "{}", ctx);
                // K1: a refusal changes nothing and is audited as one.
                prop_assert_eq!(f.world(&ids), before, "{}", ctx);
                prop_assert_eq!(last.outcome, Outcome::Refused(got.code()), "{}", ctx);
            }
            (want, got) => {
                prop_assert!(
                    false,
                    "{}: the model expected {:?}, got {:?}",
                    ctx,
                    want,
                    got
                );
            }
        }
        check_state(&f, &model, &lens)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    // rule A1
    // rule A2
    // rule A3
    // rule A4
    // rule A5
    // rule A6
    // rule A7
    // rule B1
    // rule B2
    // rule B3
    // rule B5
    // rule B6
    // rule C2
    // rule H1
    // rule H2
    // rule H3
    // rule H4
    // rule H7
    // rule C3
    // rule C6
    // rule J1
    // rule J3
    // rule K1
    // rule K2
    #[test]
    fn the_directory_behaves_like_the_model(cmds in prop::collection::vec(cmd(), 1..40)) {
        for (_, store) in stores() {
            run_case(store, &cmds)?;
        }
    }
}
