//! The operations of `contacts`: the `impl Directory` methods of its SPEC section,
//! each loading its facts, applying the rules of `mod.rs` and committing
//! through the Directory's runner.

use time::{Duration, OffsetDateTime};

use super::invitations::{invitee, join};
use crate::accounts::{charge_for_addition, contact_added, ContactAdded, Money};
use crate::audit::{check_limit, Operation};
use crate::contacts::{
    changes_channel, check_login_budget, login_key, new_contact_fields, ChangedFields, ContactView,
    Membership, NewContact, ProfileUpdate, MAX_PAGE,
};
use crate::credentials::{check_new_password, check_phc, Credentials, Hasher};
use crate::designations::duty::Duty;
use crate::designations::ops::{check_eligible, duties_in, move_duties};
use crate::error::{Entity, Error, Field, Problem, Rule};
use crate::ids::{AccountId, ContactId};
use crate::lock::{LockKind, LockMark};
use crate::op::{Done, Op};
use crate::roles::{check_grant, Access, Actor, Permission, RoleSet, Standing, TechScope};
use crate::store::{ContactRecord, MembershipRecord};
use crate::tx::Tx;
use crate::Directory;

impl Directory {
    /// "Check login" (B1): whether a contact with this login exists, before
    /// adding it with [`Directory::add_existing_contact`]; never any of its
    /// details. Audited (without the login typed); an actor checks at most
    /// [`LOGIN_CHECKS_PER_HOUR`](crate::contacts::LOGIN_CHECKS_PER_HOUR)
    /// logins an hour in an account, refused ones included.
    pub fn check_login(
        &self,
        actor: &Actor,
        account: AccountId,
        login: &str,
    ) -> Result<bool, Error> {
        let op = Op::new(Operation::LoginCheck, account).needs(Permission::ManageContacts);
        self.write(actor, op, |tx, _| {
            let recent = login_checks_since(
                tx,
                actor,
                account,
                tx.now.saturating_sub(Duration::hours(1)),
            )?;
            check_login_budget(recent)?;
            Ok(Done::new(
                tx.contact_by_login(&login_key(login)?)?.is_some(),
            ))
        })
    }

    /// Creates a new contact in an account (B1, first way): its login must
    /// be unused. The result says what it costs beyond the plan (A7).
    ///
    /// A refusal because the login is taken answers a login check, so it
    /// counts against the actor's
    /// [`LOGIN_CHECKS_PER_HOUR`](crate::contacts::LOGIN_CHECKS_PER_HOUR);
    /// once they are spent, the actor creates no contact in the account
    /// until the hour has passed (the host is not bounded).
    pub fn create_contact(
        &self,
        actor: &Actor,
        account: AccountId,
        new: &NewContact,
    ) -> Result<ContactAdded, Error> {
        let op = Op::new(Operation::ContactCreate, account).needs(Permission::ManageContacts);
        self.write(actor, op, |tx, access| {
            let (id, charge) = self.add_new_contact(tx, actor, &access, account, new)?;
            Ok(contact_added(id, charge, false, new_contact_fields(new)))
        })
    }

    /// Adds a contact used on another account (B1, second way; B6): its
    /// profile and password stay its own; the roles are this account's.
    ///
    /// The login joins only when its contact accepts (B7): this invites it
    /// ([`ContactAdded::pending`]), tells it, and the contact answers with
    /// [`Directory::accept_invitation`] or [`Directory::decline_invitation`]
    /// within [`INVITATION_LIFETIME`](crate::contacts::INVITATION_LIFETIME).
    /// Until then it is no member: none of the account's policies apply to
    /// it, and its managers see only its login and the roles offered
    /// ([`Directory::pending_invitations`]). The host ([`Actor::System`])
    /// adds it at once, as when it migrates accounts. An invitation counts
    /// against the actor's login checks (B1).
    pub fn add_existing_contact(
        &self,
        actor: &Actor,
        account: AccountId,
        login: &str,
        roles: RoleSet,
        tech_scope: &TechScope,
    ) -> Result<ContactAdded, Error> {
        let op = Op::new(Operation::ContactAddExisting, account).needs(Permission::ManageContacts);
        self.write(actor, op, |tx, access| {
            let plan = tx.account(account)?.plan.tech_options.clone();
            check_grant(
                &access,
                RoleSet::EMPTY,
                &TechScope::All,
                roles,
                tech_scope,
                &plan,
            )?;
            let host = matches!(actor, Actor::System);
            if !host {
                let since = tx.now.saturating_sub(Duration::hours(1));
                check_login_budget(login_checks_since(tx, actor, account, since)?)?;
            }
            let id = tx
                .contact_by_login(&login_key(login)?)?
                .ok_or(Error::not_found(Entity::Login))?;
            let now = tx.now;
            let invited = tx
                .contact(id)?
                .invitations
                .iter()
                .any(|i| i.account == account && now < i.expires_at);
            if tx.membership(account, id)?.is_some() || invited {
                return Err(Error::AlreadyExists {
                    entity: Entity::Contact,
                });
            }
            let a = tx.account(account)?;
            let charge = charge_for_addition(&access, &a.plan, a.contact_count)?;
            if host {
                tx.contact_mut(id)?.account_count += 1;
                join(tx, account, id, roles, tech_scope.clone())?;
                return Ok(contact_added(id, charge, false, vec!["roles".into()]));
            }
            let invitation = crate::contacts::Invitation {
                account,
                roles,
                tech_scope: tech_scope.clone(),
                by: actor.audit_label(),
                at: now,
                expires_at: now.saturating_add(crate::contacts::INVITATION_LIFETIME),
            };
            super::invitations::invite(tx, id, invitation)?;
            let fields = vec!["roles".into(), "invitation".into()];
            Ok(contact_added(id, charge, true, fields))
        })
    }

    /// Edits a contact's profile (B2; the login never changes, B3). A contact
    /// edits its own, giving its current password to change a recovery
    /// channel (email, alternate email, cell phone: D8); managers edit
    /// others', but not the owner's (A6), not the profile of a contact shared
    /// with other accounts (B6), and not the recovery channels of a contact
    /// holding a role they lack (C7). A new email ends every session of the
    /// contact (D8). Returns the fields whose value changed.
    pub fn update_contact(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
        update: &ProfileUpdate,
    ) -> Result<ChangedFields, Error> {
        let op = Op::new(Operation::ContactUpdate, account).on(contact);
        // D8: a contact changing its own recovery channel gives its password
        // again (a real change only: an unchanged value needs none).
        let mut reauthenticated = false;
        let may_edit_own = || {
            self.access(actor, account)
                .is_ok_and(|a| a.allows(Permission::ManageOwnSettings))
        };
        if actor.contact_id() == Some(contact) && may_edit_own() {
            let changes = match self.store.contact(contact)? {
                Some(c) => update
                    .apply(&c.profile)
                    .is_ok_and(|(_, changed)| changes_channel(&changed)),
                None => false,
            };
            if changes {
                let r =
                    self.check_current_password(contact, update.current_password.as_ref(), None);
                if let Err(e) = r {
                    self.record_refusal(actor, &op, &e);
                    return Err(e);
                }
                reauthenticated = true;
            }
        }
        let op = op.on_contact(actor, contact, Permission::ManageContacts);
        self.write(actor, op, |tx, access| {
            let own = actor.contact_id() == Some(contact);
            tx.member(account, contact)?;
            if !own {
                tx.guard_owner(&access, account, contact)?;
                tx.guard_shared_profile(&access, contact)?;
            }
            let before = tx.contact(contact)?.profile.clone();
            let (profile, changed) = update.apply(&before)?;
            if changes_channel(&changed) {
                if !own {
                    tx.guard_takeover(&access, account, contact)?;
                } else if !reauthenticated {
                    return Err(Error::InvalidCredentials);
                }
            }
            let old_email = before.email.clone();
            // H4: a contact keeps what its duties need, in every account.
            let was_eligible = crate::designations::missing_for_duty(&before).is_empty();
            if was_eligible && !crate::designations::missing_for_duty(&profile).is_empty() {
                let mut held = Vec::new();
                for m in tx.store().memberships_of(contact)? {
                    held.extend(crate::designations::ops::duties_in(tx, m.account, contact)?);
                }
                if !held.is_empty() {
                    return Err(Error::DutiesHeld { duties: held });
                }
            }
            if !changed.is_empty() {
                let c = tx.contact_mut(contact)?;
                c.profile = profile;
                if changed.contains(&Field::Email) {
                    // D8: a new email ends every session.
                    c.credentials.session_epoch = c.credentials.session_epoch.wrapping_add(1);
                }
            }
            // I2: every change but the name and the job title is told.
            let told: Vec<String> = changed
                .iter()
                .filter(|f| !matches!(f, Field::Name | Field::JobTitle))
                .map(|f| f.name().to_owned())
                .collect();
            // An email change is told at the old address too.
            let also = changed.contains(&Field::Email).then_some(old_email);
            crate::notify::ops::security_notice_to(tx, contact, account, told, also)?;
            let fields: Vec<String> = changed.iter().map(|f| f.name().to_owned()).collect();
            Ok(Done::new(changed).fields(fields))
        })
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
        let op = Op::new(Operation::ContactDelete, account)
            .on(contact)
            .needs(Permission::ManageContacts);
        // B5: refused while it holds primary duties; secondary ones are
        // cleared.
        self.write(actor, op, |tx, _| {
            // B7: a contact only invited is withdrawn.
            if tx.membership(account, contact)?.is_none()
                && super::invitations::is_invited(tx, account, contact)?
            {
                super::invitations::withdraw(tx, account, contact)?;
                return Ok(Done::new(()).fields(["invitation"]));
            }
            check_removable(tx, account, contact)?;
            crate::designations::ops::move_duties(tx, account, contact, None, false)?;
            remove_member(tx, account, contact).map(Done::new)
        })
    }

    /// A new contact in the account (B1, A7): the roles it is given pass C3,
    /// C4 and C6, the charge beyond the plan is allowed (C3), its password
    /// meets the account's policy (D2); then the contact and its membership.
    pub(crate) fn add_new_contact(
        &self,
        tx: &mut Tx<'_>,
        actor: &Actor,
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
        let a = tx.account(account)?;
        let charge = charge_for_addition(access, &a.plan, a.contact_count)?;
        if access.standing() != Standing::System {
            let since = tx.now.saturating_sub(Duration::hours(1));
            check_login_budget(login_checks_since(tx, actor, account, since)?)?;
        }
        let policy = tx.account(account)?.security.password;
        let creds = new_credentials(&self.hasher, new, &policy, tx.now)?;
        let id = insert_new_contact(tx, new, creds)?;
        join(tx, account, id, new.roles, new.tech_scope.clone())?;
        Ok((id, charge))
    }

    /// A contact of the account.
    pub fn contact(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
    ) -> Result<ContactView, Error> {
        self.read(
            actor,
            Op::read(account, Permission::ViewAccount),
            |tx, _| {
                let m = tx.member(account, contact)?;
                let owner = tx.account(account)?.owner;
                let now = tx.now;
                let c = tx.contact(contact)?;
                Ok(view(&m, c, owner, now))
            },
        )
    }

    /// The contact of the account with this login (I5), for whoever may
    /// list the account's contacts. A login that is not a member of this
    /// account is not found, whether or not it exists elsewhere: this
    /// reveals nothing [`Directory::check_login`] would not.
    pub fn find_contact(
        &self,
        actor: &Actor,
        account: AccountId,
        login: &str,
    ) -> Result<ContactView, Error> {
        self.read(
            actor,
            Op::read(account, Permission::ViewAccount),
            |tx, _| {
                let key = login_key(login)?;
                let owner = tx.account(account)?.owner;
                let not_found = Error::not_found(Entity::Contact);
                let c = tx
                    .store()
                    .contact_by_login(&key)?
                    .ok_or(not_found.clone())?;
                let m = tx.membership(account, c.id)?.ok_or(not_found)?;
                Ok(view(&m, &c, owner, tx.now))
            },
        )
    }

    /// The accounts the signed-in contact belongs to (B6, I5), by account
    /// id: for the account switcher after sign-in. Invitations not yet
    /// accepted are [`Directory::invitations`].
    pub fn my_accounts(&self, actor: &Actor) -> Result<Vec<Membership>, Error> {
        let id = invitee(actor)?;
        let mut out = Vec::new();
        for m in self.store.memberships_of(id)? {
            let Some(a) = self.store.account(m.account)? else {
                continue;
            };
            let owner = a.owner == id;
            out.push(Membership {
                account: a.id,
                account_name: a.name,
                owner,
                roles: if owner { RoleSet::ALL } else { m.roles },
                since: m.since,
                locked: m.manual_lock.is_some(),
            });
        }
        out.sort_by_key(|m| m.account);
        Ok(out)
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
        self.read(
            actor,
            Op::read(account, Permission::ViewAccount),
            |tx, _| {
                check_limit(limit, MAX_PAGE)?;
                let owner = tx.account(account)?.owner;
                Ok(tx
                    .store()
                    .members(account, after, limit)?
                    .iter()
                    .map(|(m, c)| view(m, c, owner, tx.now))
                    .collect())
            },
        )
    }

    /// Deletes a contact from the account, handing its primary duties to
    /// `replacement` and clearing its secondary ones, in one atomic step
    /// (B5, H3).
    pub fn delete_contact_with_replacement(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
        replacement: ContactId,
    ) -> Result<(), Error> {
        let op = Op::new(Operation::ContactDelete, account)
            .on(contact)
            .needs(Permission::ManageContacts);
        self.write(actor, op, |tx, access| {
            if contact == replacement {
                return Err(Error::invalid(Field::Secondary, Problem::Duplicate));
            }
            let duties = duties_in(tx, account, contact)?;
            if duties.iter().any(|d| matches!(d, Duty::Technical { .. })) {
                access.require(Permission::TechnicalAdmin)?;
            }
            if duties.iter().any(|d| matches!(d, Duty::Billing { .. })) {
                access.require(Permission::ManageBilling)?;
            }
            check_eligible(tx, account, replacement)?;
            move_duties(tx, account, contact, Some(replacement), false)?;
            check_removable(tx, account, contact)?;
            remove_member(tx, account, contact).map(Done::new)
        })
    }
}

/// How many logins `actor` checked in `account` since `since` (B1), up to
/// the hourly bound: its login checks and invitations, and the new
/// contacts it was refused because their login was taken (alone or as a
/// resource's new primary), since that refusal answers a check too.
fn login_checks_since(
    tx: &mut Tx<'_>,
    actor: &Actor,
    account: AccountId,
    since: OffsetDateTime,
) -> Result<usize, Error> {
    let bound = crate::contacts::LOGIN_CHECKS_PER_HOUR;
    let mut query = crate::audit::AuditQuery {
        from: Some(since),
        actor: Some(actor.audit_label()),
        limit: bound,
        ..Default::default()
    };
    let mut n = 0;
    for operation in [Operation::LoginCheck, Operation::ContactAddExisting] {
        query.operation = Some(operation);
        n += tx.store().audit(Some(account), &query)?.len();
    }
    // A new contact refused for its taken login, alone or as a resource's
    // new primary (H5).
    let taken = crate::audit::Outcome::Refused(crate::ErrorCode::AlreadyExists);
    query.limit = 500;
    for operation in [Operation::ContactCreate, Operation::ResourceAdd] {
        query.operation = Some(operation);
        query.after_seq = 0;
        while n < bound {
            let page = tx.store().audit(Some(account), &query)?;
            n += page.iter().filter(|e| e.outcome == taken).count();
            match page.last() {
                Some(last) if page.len() == query.limit => query.after_seq = last.seq,
                _ => break,
            }
        }
    }
    Ok(n)
}

/// The credentials of a new contact: its initial password checked against
/// the policy (D2) and hashed, or an imported PHC hash (D1), or none.
pub(crate) fn new_credentials(
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
    Ok(())
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
        invitations: Vec::new(),
        created_at: tx.now,
        version: 0,
    });
    Ok(id)
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
        locked_by: m.manual_lock.as_ref().map(|l| l.by.clone()),
        notifications: m.notifications,
    }
}
