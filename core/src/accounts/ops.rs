//! The operations of `accounts`: the `impl Directory` methods of its SPEC section,
//! each loading its facts, applying the rules of `mod.rs` and committing
//! through the Directory's runner.

use time::OffsetDateTime;

use crate::accounts::{
    charge_detail, check_charge_action, require_charge, AccountCreated, AccountView, Money,
    NewAccount, NewOwner, Plan, SecurityPolicy, Service, MAX_SERVICES,
};
use crate::audit::Operation;
use crate::contacts::login_key;
use crate::contacts::ops::{insert_new_contact, new_credentials};
use crate::error::{Entity, Error, Field, Problem, Rule};
use crate::ids::{AccountId, ContactId};
use crate::notify::{NotificationDraft, NotificationKind};
use crate::op::{Done, Op};
use crate::roles::{standard_roles, Access, Actor, Permission, RoleSet, Standing, TechScope};
use crate::store::{AccountRecord, MembershipRecord};
use crate::text::check_text;
use crate::Directory;

impl Directory {
    /// The one path of the security-policy setters (D2, E1, F3, G1):
    /// the permission, the change of the account's policies, one audit
    /// entry naming the policy, with the detail `change` returns. A
    /// refused change (invalid, or G2) changes nothing.
    pub(crate) fn set_security_policy(
        &self,
        actor: &Actor,
        account: AccountId,
        policy: &str,
        change: impl Fn(&mut SecurityPolicy, OffsetDateTime) -> Result<Option<String>, Error>,
    ) -> Result<(), Error> {
        let op =
            Op::new(Operation::SecurityPolicy, account).needs(Permission::ManageSecurityPolicies);
        self.write(actor, op, |tx, _| {
            let now = tx.now;
            let detail = change(&mut tx.account_mut(account)?.security, now)?;
            Ok(Done::new(()).fields([policy]).detail(detail))
        })
    }

    /// Creates an account with its owner in one step (A1). The support desk,
    /// a partner (which then resells the account) or the host may do it.
    /// Only the host makes an existing login its owner
    /// ([`NewOwner::Existing`], B7); anyone else gives a new owner and
    /// invites the login ([`Directory::add_existing_contact`]), to transfer
    /// ownership to it once it has accepted.
    pub fn create_account(&self, actor: &Actor, new: &NewAccount) -> Result<AccountCreated, Error> {
        self.run(actor, &Op::unscoped(Operation::AccountCreate), |tx| {
            let standing = match actor {
                Actor::SupportDesk { .. } => Standing::SupportDesk,
                Actor::Partner(_) => Standing::Partner,
                Actor::System => Standing::System,
                _ => Standing::Outsider,
            };
            Access::new(standing, RoleSet::EMPTY, TechScope::All, false)
                .require(Permission::CreateAccounts)?;
            let name = check_text(Field::AccountName, &new.name, 200, true)?;
            let plan = new.plan.validated()?;
            let account = AccountId::random()?;
            let owner = match &new.owner {
                NewOwner::New(nc) => {
                    let policy = crate::credentials::PasswordPolicy::default();
                    let creds = new_credentials(&self.hasher, nc, &policy, tx.now)?;
                    insert_new_contact(tx, nc, creds)?
                }
                // B7: a login joins an account only by its consent; the
                // host alone (migrations) ties one to a new account, and
                // the refusal comes before any lookup, so it tells nothing.
                NewOwner::Existing(_) if standing != Standing::System => {
                    return Err(Error::refused(Rule::B7ExistingOwner))
                }
                NewOwner::Existing(login) => {
                    let key = login_key(login)?;
                    let id = tx
                        .contact_by_login(&key)?
                        .ok_or(Error::not_found(Entity::Login))?;
                    tx.contact_mut(id)?.account_count += 1;
                    id
                }
            };
            tx.put_membership(MembershipRecord {
                account,
                contact: owner,
                roles: RoleSet::ALL,
                tech_scope: TechScope::All,
                manual_lock: None,
                session_epoch: 0,
                notifications: Default::default(),
                since: tx.now,
            });
            tx.insert_account(AccountRecord {
                id: account,
                name,
                plan,
                procurement_enabled: false,
                partner: match actor {
                    Actor::Partner(p) => Some(p.clone()),
                    _ => None,
                },
                services: Vec::new(),
                security: Default::default(),
                billing: Default::default(),
                owner,
                contact_count: 1,
                invited: Vec::new(),
                audit_head: Default::default(),
                created_at: tx.now,
                version: 0,
            });
            Ok(Done::new(AccountCreated { account, owner })
                .in_account(account)
                .target(owner)
                .fields(["owner"]))
        })
    }

    /// An account, for anyone who may see it.
    pub fn account(&self, actor: &Actor, account: AccountId) -> Result<AccountView, Error> {
        self.read(
            actor,
            Op::read(account, Permission::ViewAccount),
            |tx, _| {
                let a = tx.account(account)?;
                Ok(AccountView {
                    id: a.id,
                    name: a.name.clone(),
                    plan: a.plan.clone(),
                    procurement_enabled: a.procurement_enabled,
                    partner: a.partner.clone(),
                    owner: a.owner,
                    contacts: a.contact_count,
                    created_at: a.created_at,
                })
            },
        )
    }

    /// Changes an account's plan (A7; plan and pricing: billing managers).
    /// Every registered service's option must stay offered. A change of plan
    /// changes what the account pays, so while procurement mode is on only a
    /// procurement manager completes it (C3); setting the plan it already
    /// has changes nothing and needs no more than billing.
    pub fn set_plan(&self, actor: &Actor, account: AccountId, plan: &Plan) -> Result<(), Error> {
        let op = Op::new(Operation::PlanUpdate, account).needs(Permission::ManageBilling);
        self.write(actor, op, |tx, access| {
            let plan = plan.validated()?;
            if tx.account(account)?.plan != plan {
                require_charge(&access)?;
            }
            let a = tx.account_mut(account)?;
            if a.services
                .iter()
                .any(|s| !plan.tech_options.contains(&s.option))
            {
                return Err(Error::invalid(Field::TechOptions, Problem::NotOffered));
            }
            a.plan = plan;
            Ok(Done::new(()).fields(["plan"]))
        })
    }

    /// Gates a chargeable action the host declares (C3): a purchase, an
    /// upgrade, anything of the portal's own that changes what the account
    /// pays. `Ok` when the actor holds `permission` (what the action itself
    /// needs) and, if `amount` is not zero while procurement mode is on, is a
    /// procurement manager; the host then completes the action. Each
    /// authorization is audited under `action` with its amount, so the log
    /// says who approved what was charged; a refusal is audited as any is.
    ///
    /// `action` is a key like a service's (`[a-z0-9_.-]`, at most 64
    /// bytes); `amount` is at most [`MAX_MINOR_UNITS`](crate::MAX_MINOR_UNITS)
    /// in a three-letter currency.
    pub fn authorize_charge(
        &self,
        actor: &Actor,
        account: AccountId,
        action: &str,
        permission: Permission,
        amount: &Money,
    ) -> Result<(), Error> {
        let op = Op::new(Operation::ChargeAuthorize, account).needs(permission);
        self.write(actor, op, |_, access| {
            let action = check_charge_action(action)?;
            let amount = amount.validated()?;
            let charge = (!amount.is_zero()).then_some(amount);
            if charge.is_some() {
                require_charge(&access)?;
            }
            let detail = match charge_detail(&charge) {
                Some(c) => format!("{action}: {c}"),
                None => format!("{action}: free"),
            };
            Ok(Done::new(()).detail(Some(detail)))
        })
    }

    /// Turns procurement mode on or off (C3): only the support desk (at a
    /// partner's request) or the host.
    pub fn set_procurement(
        &self,
        actor: &Actor,
        account: AccountId,
        enabled: bool,
    ) -> Result<(), Error> {
        let op =
            Op::new(Operation::ProcurementEnable, account).needs(Permission::EnableProcurement);
        self.write(actor, op, |tx, _| {
            tx.account_mut(account)?.procurement_enabled = enabled;
            Ok(Done::new(())
                .fields(["procurement_enabled"])
                .detail(Some(if enabled { "enabled" } else { "disabled" }.into())))
        })
    }

    /// Registers a service of an account, or replaces the one with the same
    /// key (A8). The host does this.
    pub fn register_service(
        &self,
        actor: &Actor,
        account: AccountId,
        service: &Service,
    ) -> Result<(), Error> {
        let op = Op::new(Operation::ServiceRegister, account).needs(Permission::RegisterServices);
        self.write(actor, op, |tx, _| {
            let a = tx.account_mut(account)?;
            let service = service.validated(&a.plan)?;
            let key = service.key.clone();
            let count = a.services.len();
            match a.services.iter_mut().find(|s| s.key == service.key) {
                Some(s) => *s = service,
                None if count >= MAX_SERVICES => {
                    return Err(Error::invalid(
                        Field::ServiceKey,
                        Problem::TooLong { max: MAX_SERVICES },
                    ))
                }
                None => a.services.push(service),
            }
            Ok(Done::new(())
                .target(format!("service:{key}"))
                .fields(["services"]))
        })
    }

    /// The services an actor sees (A8): the owner (and the provider's side)
    /// every service, enabled or not; any other contact the enabled ones its
    /// technical-administrator scope reaches.
    pub fn services(&self, actor: &Actor, account: AccountId) -> Result<Vec<Service>, Error> {
        self.read(
            actor,
            Op::read(account, Permission::ViewAccount),
            |tx, access| {
                let all = access.standing() != Standing::Member;
                Ok(tx
                    .account(account)?
                    .services
                    .iter()
                    .filter(|s| all || (s.enabled && access.allows_option(&s.option)))
                    .cloned()
                    .collect())
            },
        )
    }

    /// Transfers ownership to another contact of the account: by the owner
    /// (A3), or by the support desk with a non-empty reason (A4). Never to a
    /// contact locked by hand in the account (A3: nobody but the owner could
    /// unlock an owner). The former owner keeps every standard role; both
    /// are notified.
    pub fn transfer_ownership(
        &self,
        actor: &Actor,
        account: AccountId,
        new_owner: ContactId,
    ) -> Result<(), Error> {
        let op = Op::new(Operation::OwnershipTransfer, account)
            .on(new_owner)
            .needs(Permission::TransferOwnership);
        self.write(actor, op, |tx, _| {
            let detail = match actor {
                Actor::SupportDesk { reason, .. } => {
                    let reason = check_text(Field::Reason, reason, 1000, true)?;
                    Some(reason)
                }
                _ => None,
            };
            let a = tx.account(account)?;
            let (old_owner, procurement) = (a.owner, a.procurement_enabled);
            if new_owner == old_owner {
                return Err(Error::refused(Rule::A3AlreadyOwner));
            }
            if tx.membership(account, new_owner)?.is_none()
                && crate::contacts::invitations::is_invited(tx, account, new_owner)?
            {
                return Err(Error::refused(Rule::A3LockedOrPending));
            }
            let mut incoming = tx
                .membership(account, new_owner)?
                .ok_or(Error::invalid(Field::NewOwner, Problem::NotOffered))?;
            if incoming.manual_lock.is_some() {
                return Err(Error::refused(Rule::A3LockedOrPending));
            }
            let mut outgoing = tx.member(account, old_owner)?;
            outgoing.roles = standard_roles(procurement);
            outgoing.tech_scope = TechScope::All;
            incoming.roles = RoleSet::ALL;
            incoming.tech_scope = TechScope::All;
            tx.put_membership(outgoing);
            tx.put_membership(incoming);
            let name = tx.account_mut(account)?;
            name.owner = new_owner;
            let account_name = name.name.clone();
            tx.notify(NotificationDraft {
                account: Some(account),
                fields: vec!["owner".into()],
                ..NotificationDraft::new(
                    NotificationKind::OwnershipReceived,
                    new_owner,
                    format!("You are now the owner of {account_name}"),
                    format!(
                        "Ownership of the account {account_name} was transferred to you. \
                         You now hold every role."
                    ),
                )
            })?;
            tx.notify(NotificationDraft {
                account: Some(account),
                fields: vec!["owner".into()],
                ..NotificationDraft::new(
                    NotificationKind::OwnershipLost,
                    old_owner,
                    format!("You are no longer the owner of {account_name}"),
                    format!(
                        "Ownership of the account {account_name} was transferred to another \
                         contact. You remain a contact with every standard role."
                    ),
                )
            })?;
            Ok(Done::new(()).fields(["owner"]).detail(detail))
        })
    }

    /// What adding one more contact to the account would cost (A7), so a
    /// host can say so before it asks.
    pub fn contact_charge(
        &self,
        actor: &Actor,
        account: AccountId,
    ) -> Result<Option<Money>, Error> {
        self.read(
            actor,
            Op::read(account, Permission::ViewAccount),
            |tx, _| {
                let a = tx.account(account)?;
                Ok(a.plan.charge_for_contact(a.contact_count))
            },
        )
    }
}
