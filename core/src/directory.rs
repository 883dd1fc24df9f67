//! The `Directory`: the one facade that does I/O (ARCHITECTURE).
//!
//! Every operation: load what it needs from the store, decide (the pure
//! checks of the section modules), commit the decision with its audit
//! entries and notifications in one atomic changeset (retrying when a
//! concurrent commit got there first), then deliver the notifications.
//! A refused operation changes nothing and appends the refusal to the audit
//! log (K1, J1).

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use time::{Duration, OffsetDateTime};

use crate::accounts::{
    AccountCreated, AccountView, ContactAdded, Money, NewAccount, NewOwner, Plan, Service,
    MAX_SERVICES,
};
use crate::audit::{
    AuditDraft, AuditEntry, AuditQuery, AuditVerification, ChainVerifier, CsvExport, Operation,
    Outcome,
};
use crate::clock::{Clock, SystemClock};
use crate::contacts::{check_text, login_key, ContactView, NewContact, ProfileUpdate};
use crate::credentials::{check_new_password, check_phc, Credentials, HashCost, Hasher};
use crate::error::{Entity, Error, Field, Problem, Rule};
use crate::ids::{AccountId, ContactId};
use crate::lock::{LockKind, LockMark};
use crate::notify::{
    Delivery, DeliveryReport, Notification, NotificationKind, Notifier, OutboxItem,
};
use crate::roles::{Access, Actor, Permission, Role, RoleSet, Standing, TechScope};
use crate::signin::UnknownLogins;
use crate::store::{
    AccountRecord, ContactRecord, MembershipRecord, MemoryStore, Settlement, Store, StoreError,
};
use crate::tx::Tx;

/// How many times an operation is tried when concurrent commits invalidate
/// what it read.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 32;
/// The most contacts one page of [`Directory::list_contacts`] returns.
pub const MAX_PAGE: usize = 1000;
/// How long one delivery may take by default (see
/// [`DirectoryBuilder::delivery_timeout`]).
pub const DEFAULT_DELIVERY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Entries read from the store at a time by exports and verification.
const SCAN_PAGE: usize = 1000;

/// The contactkeeper directory: every operation a host performs goes here.
///
/// A `Directory` is `Send + Sync`; share one (in an `Arc`) between threads.
/// Several directories, in several processes, may share one persistent
/// store: commits are optimistic and retried.
pub struct Directory {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) notifier: Option<Arc<dyn Notifier>>,
    pub(crate) clock: Arc<dyn Clock>,
    max_attempts: u32,
    pub(crate) hasher: Arc<Hasher>,
    pub(crate) sessions: SessionLifetimes,
    pub(crate) unknown_logins: Mutex<UnknownLogins>,
    delivery_timeout: Option<std::time::Duration>,
}

/// How long sessions live (D8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetimes {
    /// A session unused this long ends (default 30 minutes).
    pub idle: Duration,
    /// A session ends this long after sign-in, used or not (default 12 hours).
    pub absolute: Duration,
}

impl Default for SessionLifetimes {
    fn default() -> SessionLifetimes {
        SessionLifetimes {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory")
            .field("notifier", &self.notifier.is_some())
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Directory`] from its parts.
pub struct DirectoryBuilder {
    store: Arc<dyn Store>,
    notifier: Option<Arc<dyn Notifier>>,
    clock: Arc<dyn Clock>,
    max_attempts: u32,
    cost: HashCost,
    sessions: SessionLifetimes,
    delivery_timeout: Option<std::time::Duration>,
}

impl DirectoryBuilder {
    /// Uses this notifier. Without one, notifications stay in the outbox
    /// (see [`Directory::pending_notifications`]).
    #[must_use]
    pub fn notifier(mut self, notifier: Arc<dyn Notifier>) -> DirectoryBuilder {
        self.notifier = Some(notifier);
        self
    }

    /// Uses this clock (the system clock by default).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> DirectoryBuilder {
        self.clock = clock;
        self
    }

    /// Tries an operation at most this many times (at least once) when
    /// concurrent commits conflict with it.
    #[must_use]
    pub fn max_attempts(mut self, n: u32) -> DirectoryBuilder {
        self.max_attempts = n.max(1);
        self
    }

    /// Hashes new passwords and answers with this argon2id cost (D1); the
    /// default is m=19456 KiB, t=2, p=1. Hashes made with another cost are
    /// upgraded at the next successful sign-in.
    pub fn hash_cost(mut self, cost: HashCost) -> Result<DirectoryBuilder, Error> {
        Hasher::new(cost)?;
        self.cost = cost;
        Ok(self)
    }

    /// Sets the session lifetimes (D8): each between one minute and 30 days,
    /// the idle one no longer than the absolute one.
    pub fn session_lifetimes(
        mut self,
        lifetimes: SessionLifetimes,
    ) -> Result<DirectoryBuilder, Error> {
        let ok = |d: Duration| d >= Duration::minutes(1) && d <= Duration::days(30);
        if !ok(lifetimes.idle) || !ok(lifetimes.absolute) || lifetimes.idle > lifetimes.absolute {
            return Err(Error::invalid(Field::SessionLifetime, Problem::OutOfRange));
        }
        self.sessions = lifetimes;
        Ok(self)
    }

    /// How long one delivery may take before it counts as "retry later"
    /// (default 10 seconds). With a timeout, the notifier is called on a
    /// thread of its own, so a notifier that hangs cannot hang the
    /// directory; `None` calls it on the caller's thread, without a limit.
    #[must_use]
    pub fn delivery_timeout(mut self, timeout: Option<std::time::Duration>) -> DirectoryBuilder {
        self.delivery_timeout = timeout;
        self
    }

    /// The directory.
    pub fn build(self) -> Directory {
        // The cost was validated by `hash_cost`, or is the default.
        let hasher = Hasher::new(self.cost).unwrap_or_default();
        Directory {
            store: self.store,
            notifier: self.notifier,
            clock: self.clock,
            max_attempts: self.max_attempts,
            hasher: Arc::new(hasher),
            sessions: self.sessions,
            unknown_logins: Mutex::new(UnknownLogins::default()),
            delivery_timeout: self.delivery_timeout,
        }
    }
}

/// The result of [`Directory::update_contact`]: which fields changed.
pub type ChangedFields = Vec<Field>;

impl Directory {
    /// A directory on a new in-memory store, with the system clock and no
    /// notifier.
    pub fn in_memory() -> Directory {
        Directory::builder(Arc::new(MemoryStore::new())).build()
    }

    /// A builder for a directory on `store`.
    pub fn builder(store: Arc<dyn Store>) -> DirectoryBuilder {
        DirectoryBuilder {
            store,
            notifier: None,
            clock: Arc::new(SystemClock),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            cost: HashCost::default(),
            sessions: SessionLifetimes::default(),
            delivery_timeout: Some(DEFAULT_DELIVERY_TIMEOUT),
        }
    }

    /// The store behind this directory.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The time now, by this directory's clock.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    // ----- accounts and ownership (A) -----

    /// Creates an account with its owner in one step (A1). The support desk,
    /// a partner (which then resells the account) or the host may do it.
    pub fn create_account(&self, actor: &Actor, new: &NewAccount) -> Result<AccountCreated, Error> {
        self.run(actor, Operation::AccountCreate, None, None, |tx| {
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
                audit_head: Default::default(),
                created_at: tx.now,
                version: 0,
            });
            tx.audit(
                account,
                Operation::AccountCreate,
                Some(owner.to_string()),
                vec!["owner".into()],
                None,
            );
            Ok(AccountCreated { account, owner })
        })
    }

    /// An account, for anyone who may see it.
    pub fn account(&self, actor: &Actor, account: AccountId) -> Result<AccountView, Error> {
        self.read(actor, Operation::Read, account, |tx, access| {
            access.require(Permission::ViewAccount)?;
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
        })
    }

    /// Changes an account's plan (A7; plan and pricing: billing managers).
    /// Every registered service's option must stay offered.
    pub fn set_plan(&self, actor: &Actor, account: AccountId, plan: &Plan) -> Result<(), Error> {
        self.write_op(actor, Operation::PlanUpdate, account, None, |tx, access| {
            access.require(Permission::ManageBilling)?;
            let plan = plan.validated()?;
            let a = tx.account_mut(account)?;
            if a.services
                .iter()
                .any(|s| !plan.tech_options.contains(&s.option))
            {
                return Err(Error::invalid(Field::TechOptions, Problem::NotOffered));
            }
            a.plan = plan;
            tx.audit(
                account,
                Operation::PlanUpdate,
                None,
                vec!["plan".into()],
                None,
            );
            Ok(())
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
        self.write_op(
            actor,
            Operation::ProcurementEnable,
            account,
            None,
            |tx, access| {
                access.require(Permission::EnableProcurement)?;
                tx.account_mut(account)?.procurement_enabled = enabled;
                tx.audit(
                    account,
                    Operation::ProcurementEnable,
                    None,
                    vec!["procurement_enabled".into()],
                    Some(if enabled { "enabled" } else { "disabled" }.into()),
                );
                Ok(())
            },
        )
    }

    /// Registers a service of an account, or replaces the one with the same
    /// key (A8). The host does this.
    pub fn register_service(
        &self,
        actor: &Actor,
        account: AccountId,
        service: &Service,
    ) -> Result<(), Error> {
        self.write_op(
            actor,
            Operation::ServiceRegister,
            account,
            None,
            |tx, access| {
                access.require(Permission::RegisterServices)?;
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
                tx.audit(
                    account,
                    Operation::ServiceRegister,
                    Some(format!("service:{key}")),
                    vec!["services".into()],
                    None,
                );
                Ok(())
            },
        )
    }

    /// The services an actor sees (A8): the owner (and the provider's side)
    /// every service, enabled or not; any other contact the enabled ones its
    /// technical-administrator scope reaches.
    pub fn services(&self, actor: &Actor, account: AccountId) -> Result<Vec<Service>, Error> {
        self.read(actor, Operation::Read, account, |tx, access| {
            access.require(Permission::ViewAccount)?;
            let all = access.standing() != Standing::Member;
            Ok(tx
                .account(account)?
                .services
                .iter()
                .filter(|s| all || (s.enabled && access.allows_option(&s.option)))
                .cloned()
                .collect())
        })
    }

    /// Transfers ownership to another contact of the account: by the owner
    /// (A3), or by the support desk with a non-empty reason (A4). The former
    /// owner keeps every standard role; both are notified.
    pub fn transfer_ownership(
        &self,
        actor: &Actor,
        account: AccountId,
        new_owner: ContactId,
    ) -> Result<(), Error> {
        let target = Some(new_owner.to_string());
        self.write_op(
            actor,
            Operation::OwnershipTransfer,
            account,
            target,
            |tx, access| {
                access.require(Permission::TransferOwnership)?;
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
                let mut incoming = tx
                    .membership(account, new_owner)?
                    .ok_or(Error::invalid(Field::NewOwner, Problem::NotOffered))?;
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
                tx.audit(
                    account,
                    Operation::OwnershipTransfer,
                    Some(new_owner.to_string()),
                    vec!["owner".into()],
                    detail,
                );
                tx.notify(
                    NotificationKind::OwnershipReceived,
                    Some(account),
                    new_owner,
                    format!("You are now the owner of {account_name}"),
                    format!(
                        "Ownership of the account {account_name} was transferred to you. \
                         You now hold every role."
                    ),
                    vec!["owner".into()],
                )?;
                tx.notify(
                    NotificationKind::OwnershipLost,
                    Some(account),
                    old_owner,
                    format!("You are no longer the owner of {account_name}"),
                    format!(
                        "Ownership of the account {account_name} was transferred to another \
                         contact. You remain a contact with every standard role."
                    ),
                    vec!["owner".into()],
                )?;
                Ok(())
            },
        )
    }

    // ----- contacts (B) -----

    /// "Check login" (B1): whether a contact with this login exists, before
    /// adding it with [`Directory::add_existing_contact`].
    pub fn check_login(
        &self,
        actor: &Actor,
        account: AccountId,
        login: &str,
    ) -> Result<bool, Error> {
        self.read(actor, Operation::Read, account, |tx, access| {
            access.require(Permission::ManageContacts)?;
            Ok(tx.contact_by_login(&login_key(login)?)?.is_some())
        })
    }

    /// What adding one more contact to the account would cost (A7), so a
    /// host can say so before it asks.
    pub fn contact_charge(
        &self,
        actor: &Actor,
        account: AccountId,
    ) -> Result<Option<Money>, Error> {
        self.read(actor, Operation::Read, account, |tx, access| {
            access.require(Permission::ViewAccount)?;
            let a = tx.account(account)?;
            Ok(a.plan.charge_for_contact(a.contact_count))
        })
    }

    /// Creates a new contact in an account (B1, first way): its login must
    /// be unused. The result says what it costs beyond the plan (A7).
    pub fn create_contact(
        &self,
        actor: &Actor,
        account: AccountId,
        new: &NewContact,
    ) -> Result<ContactAdded, Error> {
        self.write_op(
            actor,
            Operation::ContactCreate,
            account,
            None,
            |tx, access| {
                access.require(Permission::ManageContacts)?;
                let (id, charge) = self.add_new_contact(tx, &access, account, new)?;
                let fields = new_contact_fields(new);
                tx.audit(
                    account,
                    Operation::ContactCreate,
                    Some(id.to_string()),
                    fields,
                    charge_detail(&charge),
                );
                Ok(ContactAdded {
                    contact: id,
                    charge,
                })
            },
        )
    }

    /// Adds a contact used on another account (B1, second way; B6): its
    /// profile and password stay its own; the roles are this account's.
    pub fn add_existing_contact(
        &self,
        actor: &Actor,
        account: AccountId,
        login: &str,
        roles: RoleSet,
        tech_scope: &TechScope,
    ) -> Result<ContactAdded, Error> {
        self.write_op(
            actor,
            Operation::ContactAddExisting,
            account,
            None,
            |tx, access| {
                access.require(Permission::ManageContacts)?;
                let plan = tx.account(account)?.plan.tech_options.clone();
                check_grant(
                    &access,
                    RoleSet::EMPTY,
                    &TechScope::All,
                    roles,
                    tech_scope,
                    &plan,
                )?;
                let id = tx
                    .contact_by_login(&login_key(login)?)?
                    .ok_or(Error::not_found(Entity::Login))?;
                if tx.membership(account, id)?.is_some() {
                    return Err(Error::AlreadyExists {
                        entity: Entity::Contact,
                    });
                }
                let charge = charge_for_addition(tx, &access, account)?;
                tx.contact_mut(id)?.account_count += 1;
                join(tx, account, id, roles, tech_scope.clone())?;
                tx.audit(
                    account,
                    Operation::ContactAddExisting,
                    Some(id.to_string()),
                    vec!["roles".into()],
                    charge_detail(&charge),
                );
                Ok(ContactAdded {
                    contact: id,
                    charge,
                })
            },
        )
    }

    /// Edits a contact's profile (B2; the login never changes, B3). A contact
    /// edits its own; managers edit others', but not the owner's (A6) and
    /// not the profile of a contact shared with other accounts (B6).
    /// Returns the fields whose value changed.
    pub fn update_contact(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
        update: &ProfileUpdate,
    ) -> Result<ChangedFields, Error> {
        // D8: a contact changing its own email gives its password again.
        let mut reauthenticated = false;
        let may_edit_own = || {
            self.access(actor, account)
                .is_ok_and(|a| a.allows(Permission::ManageOwnSettings))
        };
        if actor.contact_id() == Some(contact) && update.email.is_some() && may_edit_own() {
            let r = self.check_current_password(contact, update.current_password.as_ref());
            if let Err(e) = r {
                // Unchanged email needs no password: only refuse a real change.
                let same = self
                    .store
                    .contact(contact)?
                    .and_then(|c| update.email.as_ref().map(|e| e.trim() == c.profile.email))
                    .unwrap_or(false);
                if !same {
                    self.record_refusal(
                        actor,
                        Operation::ContactUpdate,
                        Some(account),
                        Some(contact.to_string()),
                        &e,
                    );
                    return Err(e);
                }
            } else {
                reauthenticated = true;
            }
        }
        self.write_op(
            actor,
            Operation::ContactUpdate,
            account,
            Some(contact.to_string()),
            |tx, access| {
                let own = actor.contact_id() == Some(contact);
                access.require(if own {
                    Permission::ManageOwnSettings
                } else {
                    Permission::ManageContacts
                })?;
                tx.member(account, contact)?;
                if !own {
                    guard_owner(tx, &access, account, contact)?;
                    guard_shared_profile(tx, &access, contact)?;
                }
                let c = tx.contact(contact)?;
                let old_email = c.profile.email.clone();
                let (profile, changed) = update.apply(&c.profile)?;
                if own && changed.contains(&Field::Email) && !reauthenticated {
                    return Err(Error::InvalidCredentials);
                }
                // H4: a contact keeps what its duties need, in every account.
                let was_eligible = crate::designations::missing_for_duty(&c.profile).is_empty();
                if was_eligible && !crate::designations::missing_for_duty(&profile).is_empty() {
                    let mut held = Vec::new();
                    for m in tx.store().memberships_of(contact)? {
                        held.extend(crate::designations::duties_in(tx, m.account, contact)?);
                    }
                    if !held.is_empty() {
                        return Err(Error::DutiesHeld { duties: held });
                    }
                }
                if !changed.is_empty() {
                    tx.contact_mut(contact)?.profile = profile;
                }
                // I2: every change but the name and the job title is told.
                let told: Vec<String> = changed
                    .iter()
                    .filter(|f| !matches!(f, Field::Name | Field::JobTitle))
                    .map(|f| f.name().to_owned())
                    .collect();
                // An email change is told at the old address too.
                let also = changed.contains(&Field::Email).then_some(old_email);
                crate::passwords::security_notice_to(tx, contact, account, told, also)?;
                tx.audit(
                    account,
                    Operation::ContactUpdate,
                    Some(contact.to_string()),
                    changed.iter().map(|f| f.name().to_owned()).collect(),
                    None,
                );
                Ok(changed)
            },
        )
    }

    /// Deletes a contact from an account (A5, B5): the membership goes; the
    /// contact (and its login) goes with its last membership. The owner
    /// cannot be deleted.
    pub fn delete_contact(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
    ) -> Result<(), Error> {
        self.write_op(
            actor,
            Operation::ContactDelete,
            account,
            Some(contact.to_string()),
            |tx, access| {
                // B5: refused while it holds primary duties; secondary ones
                // are cleared.
                access.require(Permission::ManageContacts)?;
                check_removable(tx, account, contact)?;
                crate::designations::move_duties(tx, account, contact, None, false)?;
                remove_member(tx, account, contact)
            },
        )
    }

    /// A new contact in the account (B1, A7): the roles it is given pass C3,
    /// C4 and C6, the charge beyond the plan is allowed (C3), its password
    /// meets the account's policy (D2); then the contact and its membership.
    pub(crate) fn add_new_contact(
        &self,
        tx: &mut Tx<'_>,
        access: &Access,
        account: AccountId,
        new: &NewContact,
    ) -> Result<(ContactId, Option<Money>), Error> {
        let plan = tx.account(account)?.plan.tech_options.clone();
        check_grant(
            access,
            RoleSet::EMPTY,
            &TechScope::All,
            new.roles,
            &new.tech_scope,
            &plan,
        )?;
        let charge = charge_for_addition(tx, access, account)?;
        let policy = tx.account(account)?.security.password;
        let creds = new_credentials(&self.hasher, new, &policy, tx.now)?;
        let id = insert_new_contact(tx, new, creds)?;
        join(tx, account, id, new.roles, new.tech_scope.clone())?;
        Ok((id, charge))
    }

    /// Sets a standard contact's roles and technical-administrator scope
    /// (C1, C4, C6). The owner's roles never change (A2).
    pub fn set_roles(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
        roles: RoleSet,
        tech_scope: &TechScope,
    ) -> Result<(), Error> {
        self.write_op(
            actor,
            Operation::RolesUpdate,
            account,
            Some(contact.to_string()),
            |tx, access| {
                access.require(Permission::AssignRoles)?;
                let mut m = tx.member(account, contact)?;
                let a = tx.account(account)?;
                if a.owner == contact {
                    return Err(Error::refused(Rule::A2OwnerHoldsEveryRole));
                }
                let plan = a.plan.tech_options.clone();
                check_grant(&access, m.roles, &m.tech_scope, roles, tech_scope, &plan)?;
                let mut fields = Vec::new();
                if m.roles != roles {
                    fields.push("roles".to_owned());
                }
                if m.tech_scope != *tech_scope && roles.contains(Role::TechnicalAdmin) {
                    fields.push("tech_scope".to_owned());
                }
                let detail = Some(format!("roles: {roles}"));
                m.roles = roles;
                m.tech_scope = tech_scope.clone();
                tx.put_membership(m);
                tx.audit(
                    account,
                    Operation::RolesUpdate,
                    Some(contact.to_string()),
                    fields.clone(),
                    detail,
                );
                crate::passwords::security_notice_fields(tx, contact, account, fields)
            },
        )
    }

    /// A contact of the account.
    pub fn contact(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
    ) -> Result<ContactView, Error> {
        self.read(actor, Operation::Read, account, |tx, access| {
            access.require(Permission::ViewAccount)?;
            let m = tx.member(account, contact)?;
            let owner = tx.account(account)?.owner;
            let now = tx.now;
            let c = tx.contact(contact)?;
            Ok(view(&m, c, owner, now))
        })
    }

    /// A page of the account's contacts, by id: those with an id above
    /// `after`, at most `limit` (1 to [`MAX_PAGE`]).
    pub fn list_contacts(
        &self,
        actor: &Actor,
        account: AccountId,
        after: Option<ContactId>,
        limit: usize,
    ) -> Result<Vec<ContactView>, Error> {
        self.read(actor, Operation::Read, account, |tx, access| {
            access.require(Permission::ViewAccount)?;
            check_limit(limit, MAX_PAGE)?;
            let owner = tx.account(account)?.owner;
            Ok(tx
                .store()
                .members(account, after, limit)?
                .iter()
                .map(|(m, c)| view(m, c, owner, tx.now))
                .collect())
        })
    }

    // ----- roles and permissions (C) -----

    /// What the actor may do in the account (C2): check any permission with
    /// [`Access::allows`], list them for a menu with
    /// [`Access::permissions`], and the roles it may grant with
    /// [`Access::assignable_roles`] (C3's visibility included).
    pub fn access(&self, actor: &Actor, account: AccountId) -> Result<Access, Error> {
        let mut tx = Tx::new(self.store.as_ref(), self.clock.now());
        access_in(&mut tx, actor, account)
    }

    /// `Ok` when the actor holds `permission` in the account, otherwise the
    /// error naming it (C2).
    pub fn authorize(
        &self,
        actor: &Actor,
        account: AccountId,
        permission: Permission,
    ) -> Result<(), Error> {
        self.access(actor, account)?.require(permission)
    }

    // ----- audit log (J) -----

    /// A page of the account's audit log, filtered (J2). Every contact of
    /// the account may read it (C5).
    pub fn audit_entries(
        &self,
        actor: &Actor,
        account: AccountId,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEntry>, Error> {
        self.read(actor, Operation::AuditRead, account, |tx, access| {
            access.require(Permission::ReadAudit)?;
            check_limit(query.limit, AuditQuery::MAX_LIMIT)?;
            check_range(query)?;
            Ok(tx.store().audit(Some(account), query)?)
        })
    }

    /// Writes the account's audit log, filtered by `query` (its paging is
    /// ignored), to `out` as RFC 4180 CSV with formula cells neutralised
    /// (J2). It streams: memory does not grow with the log. Times are in
    /// UTC and in the reader's time zone (I3). The export itself is
    /// audited. Returns the number of entries written.
    pub fn export_audit_csv<W: Write>(
        &self,
        actor: &Actor,
        account: AccountId,
        query: &AuditQuery,
        out: W,
    ) -> Result<u64, Error> {
        let rows = self.read(actor, Operation::AuditExport, account, |tx, access| {
            access.require(Permission::ReadAudit)?;
            check_range(query)?;
            let zone = match actor.contact_id() {
                Some(id) => tx.contact(id)?.profile.time_zone.clone(),
                None => "UTC".to_owned(),
            };
            let tz = time_tz::timezones::get_by_name(&zone).unwrap_or(time_tz::timezones::db::UTC);
            let io = |e: csv::Error| Error::Output(e.to_string());
            let mut csv = CsvExport::new(out, tz).map_err(io)?;
            let mut q = query.clone();
            q.limit = SCAN_PAGE;
            q.after_seq = 0;
            let mut rows = 0u64;
            loop {
                let page = tx.store().audit(Some(account), &q)?;
                for e in &page {
                    csv.write(e).map_err(io)?;
                }
                rows += page.len() as u64;
                match page.last() {
                    Some(last) if page.len() == SCAN_PAGE => q.after_seq = last.seq,
                    _ => break,
                }
            }
            csv.finish().map_err(io)?;
            Ok(rows)
        })?;
        self.run(actor, Operation::AuditExport, Some(account), None, |tx| {
            tx.audit(
                account,
                Operation::AuditExport,
                None,
                Vec::new(),
                Some(format!("{rows} entries")),
            );
            Ok(())
        })?;
        Ok(rows)
    }

    /// Verifies the account's audit chain (J3): every entry as written, none
    /// removed, none inserted.
    pub fn verify_audit(
        &self,
        actor: &Actor,
        account: AccountId,
    ) -> Result<AuditVerification, Error> {
        self.read(actor, Operation::AuditRead, account, |tx, access| {
            access.require(Permission::ReadAudit)?;
            let head = tx.account(account)?.audit_head;
            verify_chain(tx.store(), Some(account), head)
        })
    }

    /// Verifies the directory's own chain (entries about no account), for
    /// the host or the support desk.
    pub fn verify_directory_audit(&self, actor: &Actor) -> Result<AuditVerification, Error> {
        match actor {
            Actor::System | Actor::SupportDesk { .. } => {}
            _ => return Err(Error::denied(Permission::ReadAudit)),
        }
        let head = self.store.directory_head()?.head;
        verify_chain(self.store.as_ref(), None, head)
    }

    /// A page of the directory's own chain, for the host or the support desk.
    pub fn directory_audit_entries(
        &self,
        actor: &Actor,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEntry>, Error> {
        match actor {
            Actor::System | Actor::SupportDesk { .. } => {}
            _ => return Err(Error::denied(Permission::ReadAudit)),
        }
        check_limit(query.limit, AuditQuery::MAX_LIMIT)?;
        Ok(self.store.audit(None, query)?)
    }

    // ----- notifications (I1) -----

    /// Notifications not yet delivered, by due time (at most `limit`).
    pub fn pending_notifications(&self, limit: usize) -> Result<Vec<OutboxItem>, Error> {
        check_limit(limit, MAX_PAGE)?;
        Ok(self.store.outbox(None, limit)?)
    }

    /// Tries again every pending notification that is due. A notification
    /// the notifier accepts (or finds undeliverable) leaves the outbox; one
    /// it cannot send now is tried later, waiting twice as long each time
    /// (30 seconds, then 1, 2, 4 … minutes, at most an hour).
    pub fn deliver_pending(&self) -> Result<DeliveryReport, Error> {
        let mut report = DeliveryReport::default();
        let Some(notifier) = &self.notifier else {
            report.retry_later = self.store.outbox(None, usize::MAX)?.len();
            return Ok(report);
        };
        let now = self.clock.now();
        let mut seen = std::collections::HashSet::new();
        loop {
            let due = self.store.outbox(Some(now), SCAN_PAGE)?;
            let fresh: Vec<_> = due
                .into_iter()
                .filter(|i| seen.insert(i.notification.id))
                .collect();
            if fresh.is_empty() {
                break;
            }
            for item in fresh {
                match self.deliver_one(notifier, &item.notification, item.attempts, now) {
                    Delivery::Delivered => report.delivered += 1,
                    Delivery::Undeliverable => report.undeliverable += 1,
                    Delivery::RetryLater => report.retry_later += 1,
                }
            }
        }
        Ok(report)
    }

    fn deliver_one(
        &self,
        notifier: &Arc<dyn Notifier>,
        n: &Notification,
        attempts: u32,
        now: OffsetDateTime,
    ) -> Delivery {
        let outcome = self.call_notifier(notifier, n);
        let settlement = match outcome {
            Delivery::Delivered | Delivery::Undeliverable => Settlement::Remove,
            Delivery::RetryLater => {
                let attempts = attempts.saturating_add(1);
                Settlement::Retry {
                    attempts,
                    next_attempt_at: now.saturating_add(backoff(attempts)),
                }
            }
        };
        // The change is committed already; if recording the attempt fails,
        // the item stays pending and is delivered again (at least once).
        let _ = self.store.settle(n.id, settlement);
        if outcome == Delivery::Undeliverable {
            if let Some(fallback) = n.fallback {
                self.redirect(n, fallback);
            }
        }
        outcome
    }

    /// Calls the notifier, catching a panic (it counts as "retry later")
    /// and, with a delivery timeout, giving up on a notifier that hangs:
    /// the call runs on its own thread, and the notification stays pending.
    fn call_notifier(&self, notifier: &Arc<dyn Notifier>, n: &Notification) -> Delivery {
        let inline = |n: &Notification| {
            catch_unwind(AssertUnwindSafe(|| notifier.deliver(n))).unwrap_or(Delivery::RetryLater)
        };
        let Some(timeout) = self.delivery_timeout else {
            return inline(n);
        };
        let (send, receive) = std::sync::mpsc::channel();
        let (notifier2, n2) = (notifier.clone(), n.clone());
        let spawned = std::thread::Builder::new()
            .name("contactkeeper-notify".into())
            .spawn(move || {
                let r = catch_unwind(AssertUnwindSafe(|| notifier2.deliver(&n2)))
                    .unwrap_or(Delivery::RetryLater);
                let _ = send.send(r);
            });
        match spawned {
            Ok(_) => receive
                .recv_timeout(timeout)
                .unwrap_or(Delivery::RetryLater),
            Err(_) => inline(n),
        }
    }

    /// H6: the notifier found the recipient undeliverable; the fallback
    /// contact (the secondary technical contact) gets the notification once.
    fn redirect(&self, n: &Notification, fallback: ContactId) {
        let _ = self.transact("system", |tx| {
            tx.contact(fallback)?;
            // Only to a contact still in the account: one removed since
            // must not hear about the account's resources.
            if let Some(a) = n.account {
                tx.member(a, fallback)?;
            }
            tx.notify_full(
                n.kind,
                n.account,
                fallback,
                n.subject.clone(),
                n.body.clone(),
                n.fields.clone(),
                n.resource,
                None,
            )?;
            if let Some(a) = n.account {
                tx.audit(
                    a,
                    Operation::NotificationRedirect,
                    n.resource.map(|r| r.to_string()),
                    Vec::new(),
                    Some(format!("{} undeliverable; sent to {fallback}", n.recipient)),
                );
            }
            Ok(())
        });
    }

    // ----- the machinery -----

    /// Runs a changing operation on an account: resolves the actor's access
    /// and runs `body` with it.
    pub(crate) fn write_op<T>(
        &self,
        actor: &Actor,
        op: Operation,
        account: AccountId,
        target: Option<String>,
        body: impl Fn(&mut Tx<'_>, Access) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.run(actor, op, Some(account), target, |tx| {
            let access = access_in(tx, actor, account)?;
            body(tx, access)
        })
    }

    /// Runs a reading operation; a refusal is audited.
    pub(crate) fn read<T>(
        &self,
        actor: &Actor,
        op: Operation,
        account: AccountId,
        body: impl FnOnce(&mut Tx<'_>, Access) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut tx = Tx::new(self.store.as_ref(), self.clock.now());
        let result = actor
            .validate()
            .and_then(|()| access_in(&mut tx, actor, account))
            .and_then(|access| body(&mut tx, access));
        if let Err(e) = &result {
            self.record_refusal(actor, op, Some(account), None, e);
        }
        result
    }

    /// The retry loop: decide, commit, deliver; audit a refusal.
    pub(crate) fn run<T>(
        &self,
        actor: &Actor,
        op: Operation,
        account: Option<AccountId>,
        target: Option<String>,
        body: impl Fn(&mut Tx<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        if let Err(e) = actor.validate() {
            self.record_refusal(actor, op, account, target, &e);
            return Err(e);
        }
        // A support-desk action records its reason (J1).
        let reason = match actor {
            Actor::SupportDesk { reason, .. } if !reason.trim().is_empty() => {
                Some(format!("reason: {}", reason.trim()))
            }
            _ => None,
        };
        let result = self.transact_with(&actor.audit_label(), reason.as_deref(), body);
        if let Err(e) = &result {
            self.record_refusal(actor, op, account, target, e);
        }
        result
    }

    /// The retry loop without the refusal audit: decide, commit, deliver.
    /// A commit that conflicts with a concurrent one decides again from
    /// fresh reads.
    pub(crate) fn transact<T>(
        &self,
        actor_label: &str,
        body: impl Fn(&mut Tx<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.transact_with(actor_label, None, body)
    }

    /// [`Self::transact`], with a detail for audit entries that have none.
    fn transact_with<T>(
        &self,
        actor_label: &str,
        default_detail: Option<&str>,
        body: impl Fn(&mut Tx<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        for _ in 0..self.max_attempts {
            let mut tx = Tx::new(self.store.as_ref(), self.clock.now());
            let value = body(&mut tx)?;
            let (changes, notes) = tx.finish(actor_label, default_detail)?;
            match self.store.commit(&changes) {
                Ok(()) => {
                    self.deliver_now(&notes);
                    return Ok(value);
                }
                Err(StoreError::Conflict) => continue,
                Err(StoreError::Duplicate(entity)) => return Err(Error::AlreadyExists { entity }),
                Err(e) => return Err(Error::Store(e)),
            }
        }
        Err(Error::Conflict {
            attempts: self.max_attempts,
        })
    }

    /// Hands notifications of a commit to the notifier: stored ones are
    /// settled in the outbox; those carrying a secret are tried once.
    fn deliver_now(&self, notes: &[Notification]) {
        let Some(notifier) = &self.notifier else {
            return;
        };
        for n in notes {
            if n.secret.is_some() {
                self.call_notifier(notifier, n);
            } else {
                self.deliver_one(notifier, n, 0, n.at);
            }
        }
    }

    /// Appends a refusal to the account's chain (the directory's when the
    /// account does not exist). Best effort: the refusal is returned to the
    /// caller whether or not it could be recorded.
    pub(crate) fn record_refusal(
        &self,
        actor: &Actor,
        op: Operation,
        account: Option<AccountId>,
        target: Option<String>,
        error: &Error,
    ) {
        if matches!(
            error,
            Error::Store(_) | Error::Conflict { .. } | Error::RandomUnavailable
        ) {
            return;
        }
        let label = match actor.validate() {
            Ok(()) => actor.audit_label(),
            Err(_) => "invalid-actor".to_owned(),
        };
        for _ in 0..self.max_attempts {
            let mut tx = Tx::new(self.store.as_ref(), self.clock.now());
            let chain = account.filter(|id| tx.account(*id).is_ok());
            tx.audit_draft(AuditDraft {
                account: chain,
                operation: op,
                target: target.clone(),
                outcome: Outcome::Refused(error.code()),
                fields: Vec::new(),
                detail: Some(error.to_string()),
            });
            let Ok((changes, _)) = tx.finish(&label, None) else {
                return;
            };
            match self.store.commit(&changes) {
                Err(StoreError::Conflict) => continue,
                _ => return,
            }
        }
    }
}

/// How the actor stands in the account, from the current state (D8: never
/// cached).
pub(crate) fn access_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    account: AccountId,
) -> Result<Access, Error> {
    let a = tx.account(account)?;
    let (owner, procurement, partner) = (a.owner, a.procurement_enabled, a.partner.clone());
    let (standing, roles, scope) = match actor {
        Actor::Contact(id) => match tx.membership(account, *id)? {
            Some(_) if *id == owner => (Standing::Owner, RoleSet::ALL, TechScope::All),
            Some(m) => (Standing::Member, m.roles, m.tech_scope),
            None => (Standing::Outsider, RoleSet::EMPTY, TechScope::All),
        },
        Actor::SupportDesk { .. } => (Standing::SupportDesk, RoleSet::EMPTY, TechScope::All),
        Actor::Partner(p) if partner.as_ref() == Some(p) => {
            (Standing::Partner, RoleSet::EMPTY, TechScope::All)
        }
        Actor::System => (Standing::System, RoleSet::ALL, TechScope::All),
        _ => (Standing::Outsider, RoleSet::EMPTY, TechScope::All),
    };
    Ok(Access::new(standing, roles, scope, procurement))
}

/// Every standard role: what a former owner keeps (A3). The procurement
/// manager role only while procurement mode is on (C3).
fn standard_roles(procurement: bool) -> RoleSet {
    if procurement {
        RoleSet::ALL
    } else {
        RoleSet::ALL.without(Role::ProcurementManager)
    }
}

/// C3, C4, C6 for a grant from (`old_roles`, `old_scope`) to the new ones.
fn check_grant(
    access: &Access,
    old_roles: RoleSet,
    old_scope: &TechScope,
    roles: RoleSet,
    scope: &TechScope,
    offered: &[String],
) -> Result<(), Error> {
    access.check_role_change(old_roles, roles)?;
    let none = TechScope::Only(Default::default());
    let old = if old_roles.contains(Role::TechnicalAdmin) {
        old_scope
    } else {
        &none
    };
    let new = if roles.contains(Role::TechnicalAdmin) {
        scope
    } else {
        &none
    };
    scope.validate(offered)?;
    access.check_scope_change(old, new, offered)
}

/// A6: nobody but the owner (and the host) touches the owner.
pub(crate) fn guard_owner(
    tx: &mut Tx<'_>,
    access: &Access,
    account: AccountId,
    contact: ContactId,
) -> Result<(), Error> {
    if access.standing() != Standing::System && tx.account(account)?.owner == contact {
        return Err(Error::refused(Rule::A6OwnerOnly));
    }
    Ok(())
}

/// B6: a profile shared with other accounts is changed only by its contact
/// (and the host), so that no manager of one account changes what another
/// account relies on (its owner's email, say).
pub(crate) fn guard_shared_profile(
    tx: &mut Tx<'_>,
    access: &Access,
    contact: ContactId,
) -> Result<(), Error> {
    if access.standing() != Standing::System && tx.contact(contact)?.account_count > 1 {
        return Err(Error::refused(Rule::B6SharedProfile));
    }
    Ok(())
}

/// A7 and C3: what adding a contact costs, refused when procurement mode
/// is on and the actor is not a procurement manager.
fn charge_for_addition(
    tx: &mut Tx<'_>,
    access: &Access,
    account: AccountId,
) -> Result<Option<Money>, Error> {
    let a = tx.account(account)?;
    let charge = a.plan.charge_for_contact(a.contact_count);
    if charge.is_some() && !access.may_complete_charge() {
        return Err(Error::denied(Permission::CompleteChargeable));
    }
    Ok(charge)
}

pub(crate) fn charge_detail(charge: &Option<Money>) -> Option<String> {
    charge
        .as_ref()
        .map(|m| format!("chargeable: {} {} minor units", m.currency, m.minor_units))
}

/// The credentials of a new contact: its initial password checked against
/// the policy (D2) and hashed, or an imported PHC hash (D1), or none.
fn new_credentials(
    hasher: &Hasher,
    new: &NewContact,
    policy: &crate::credentials::PasswordPolicy,
    now: OffsetDateTime,
) -> Result<Credentials, Error> {
    let hash = match (&new.password, &new.password_hash) {
        (Some(_), Some(_)) => return Err(Error::invalid(Field::PasswordHash, Problem::Duplicate)),
        (Some(pw), None) => {
            let login = login_key(&new.login)?;
            let n = check_new_password(pw, policy, &login)?;
            Some(hasher.hash(&n)?)
        }
        (None, Some(phc)) => Some(check_phc(phc)?),
        (None, None) => None,
    };
    Ok(Credentials {
        password_changed_at: hash.as_ref().map(|_| now),
        password_hash: hash,
        must_change: new.must_change_password,
        ..Credentials::default()
    })
}

/// A5: the contact is a member and not the owner, so it can be removed.
pub(crate) fn check_removable(
    tx: &mut Tx<'_>,
    account: AccountId,
    contact: ContactId,
) -> Result<(), Error> {
    tx.member(account, contact)?;
    if tx.account(account)?.owner == contact {
        return Err(Error::refused(Rule::A5OwnerNotDeletable));
    }
    Ok(())
}

/// Removes a contact's membership, once [`check_removable`] passed (B5): the
/// contact goes with its last membership; sessions in the account end with
/// the membership (D8).
pub(crate) fn remove_member(
    tx: &mut Tx<'_>,
    account: AccountId,
    contact: ContactId,
) -> Result<(), Error> {
    tx.delete_membership(account, contact);
    tx.account_mut(account)?.contact_count -= 1;
    let c = tx.contact_mut(contact)?;
    c.account_count = c.account_count.saturating_sub(1);
    if c.account_count == 0 {
        tx.delete_contact(contact)?;
    }
    tx.audit(
        account,
        Operation::ContactDelete,
        Some(contact.to_string()),
        Vec::new(),
        None,
    );
    Ok(())
}

/// The fields a new contact's audit entry names (J1: names, never values).
pub(crate) fn new_contact_fields(new: &NewContact) -> Vec<String> {
    let mut fields: Vec<String> = ["login", "name", "email", "time_zone", "roles"]
        .map(String::from)
        .to_vec();
    let p = &new.profile;
    for (f, set) in [
        (Field::JobTitle, p.job_title.is_some()),
        (Field::BusinessPhone, p.business_phone.is_some()),
        (Field::AlternateEmail, p.alternate_email.is_some()),
        (Field::CellPhone, p.cell_phone.is_some()),
    ] {
        if set {
            fields.push(f.name().into());
        }
    }
    if new.password.is_some() || new.password_hash.is_some() {
        fields.push("password".into());
    }
    fields
}

/// Validates a new contact and stores it, refusing a login in use (B1, B3).
pub(crate) fn insert_new_contact(
    tx: &mut Tx<'_>,
    new: &NewContact,
    credentials: Credentials,
) -> Result<ContactId, Error> {
    let key = login_key(&new.login)?;
    let profile = new.profile.validated()?;
    if tx.contact_by_login(&key)?.is_some() {
        return Err(Error::AlreadyExists {
            entity: Entity::Login,
        });
    }
    let id = ContactId::random()?;
    tx.insert_contact(ContactRecord {
        id,
        login: new.login.trim().to_owned(),
        login_key: key,
        profile,
        account_count: 1,
        credentials,
        created_at: tx.now,
        version: 0,
    });
    Ok(id)
}

/// Adds the membership and counts the contact in the account.
fn join(
    tx: &mut Tx<'_>,
    account: AccountId,
    contact: ContactId,
    roles: RoleSet,
    tech_scope: TechScope,
) -> Result<(), Error> {
    tx.put_membership(MembershipRecord {
        account,
        contact,
        roles,
        tech_scope,
        manual_lock: None,
        session_epoch: 0,
        notifications: Default::default(),
        since: tx.now,
    });
    tx.account_mut(account)?.contact_count += 1;
    Ok(())
}

pub(crate) fn view(
    m: &MembershipRecord,
    c: &ContactRecord,
    owner: ContactId,
    now: OffsetDateTime,
) -> ContactView {
    let is_owner = c.id == owner;
    let lock = match (&m.manual_lock, crate::lock::active(&c.credentials, now)) {
        (Some(l), _) => Some(LockMark {
            kind: LockKind::Manual,
            since: l.since,
            until: None,
        }),
        (None, Some(l)) => Some(LockMark {
            kind: LockKind::Automatic,
            since: l.since,
            until: Some(l.until),
        }),
        (None, None) => None,
    };
    ContactView {
        id: c.id,
        login: c.login.clone(),
        profile: c.profile.clone(),
        owner: is_owner,
        roles: if is_owner { RoleSet::ALL } else { m.roles },
        tech_scope: m.tech_scope.clone(),
        accounts: c.account_count,
        member_since: m.since,
        lock,
        notifications: m.notifications,
    }
}

fn check_limit(limit: usize, max: usize) -> Result<(), Error> {
    if limit == 0 || limit > max {
        return Err(Error::invalid(Field::Limit, Problem::OutOfRange));
    }
    Ok(())
}

fn check_range(q: &AuditQuery) -> Result<(), Error> {
    if let (Some(from), Some(until)) = (q.from, q.until) {
        if from > until {
            return Err(Error::invalid(Field::TimeRange, Problem::OutOfRange));
        }
    }
    if let Some(actor) = &q.actor {
        check_text(Field::ActorFilter, actor, 300, false)?;
    }
    Ok(())
}

fn verify_chain(
    store: &dyn Store,
    chain: Option<AccountId>,
    head: crate::audit::ChainHead,
) -> Result<AuditVerification, Error> {
    let mut verifier = ChainVerifier::default();
    let mut q = AuditQuery {
        limit: SCAN_PAGE,
        ..AuditQuery::default()
    };
    loop {
        let page = store.audit(chain, &q)?;
        for e in &page {
            if let Err(broken) = verifier.feed(e) {
                return Ok(broken);
            }
        }
        if page.len() < SCAN_PAGE {
            break;
        }
        q.after_seq = verifier.last_seq();
    }
    Ok(verifier.finish(head))
}

fn backoff(attempts: u32) -> Duration {
    let secs = 30i64.saturating_mul(1i64 << attempts.saturating_sub(1).min(7));
    Duration::seconds(secs.min(3600))
}
