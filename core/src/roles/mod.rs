//! Roles and permissions (SPEC C1–C6), and who acts (actors).
//!
//! One table decides every operation: [`Access::allows`]. An [`Access`] is
//! what an actor may do in one account; it is computed once from the stored
//! membership and then answers any number of permission checks without
//! allocating.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Field, Problem, Rule};
use crate::ids::ContactId;

pub(crate) mod table;
pub use table::{Permission, PermissionSet, Role, RoleSet};
pub(crate) use table::{MEMBER_BASE, OWNER, PARTNER, SUPPORT_DESK, SYSTEM};

/// Which of the account plan's technical-administrator options a technical
/// administrator has (C4). By default, all of them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TechScope {
    /// Every option the plan offers, now and later.
    #[default]
    All,
    /// Only these options.
    Only(BTreeSet<String>),
}

impl TechScope {
    /// A scope of only these options.
    pub fn only<I, S>(options: I) -> TechScope
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        TechScope::Only(options.into_iter().map(Into::into).collect())
    }

    /// Whether the scope reaches `option`.
    pub fn allows(&self, option: &str) -> bool {
        match self {
            TechScope::All => true,
            TechScope::Only(set) => set.contains(option),
        }
    }

    /// Whether this scope, as stored, reaches nothing `other` does not:
    /// [`TechScope::All`] reaches every option, now and later, so only
    /// `All` holds it.
    pub(crate) fn within(&self, other: &TechScope) -> bool {
        match (self, other) {
            (_, TechScope::All) => true,
            (TechScope::All, TechScope::Only(_)) => false,
            (TechScope::Only(a), TechScope::Only(b)) => a.is_subset(b),
        }
    }

    /// Checks that every named option is offered by the plan.
    pub(crate) fn validate(&self, offered: &[String]) -> Result<(), Error> {
        if let TechScope::Only(set) = self {
            if set.iter().any(|o| !offered.iter().any(|p| p == o)) {
                return Err(Error::invalid(Field::TechScope, Problem::NotOffered));
            }
        }
        Ok(())
    }
}

/// Who performs an operation.
///
/// A host that authenticates its users itself vouches for the actor it
/// passes; the library checks what that actor may do in the account at hand,
/// from the current state, at every operation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Actor {
    /// A contact, acting in whichever account the operation names.
    Contact(ContactId),
    /// The provider's support desk (the seed's billing department).
    SupportDesk {
        /// Who at the desk acts.
        agent: String,
        /// Why; required for an ownership transfer (A4), recorded in the audit log.
        reason: String,
    },
    /// A partner (reseller), acting on the accounts it resells.
    Partner(String),
    /// The host portal itself (provisioning, imports, automation).
    System,
}

impl Actor {
    /// A contact actor.
    pub fn contact(id: ContactId) -> Actor {
        Actor::Contact(id)
    }

    /// A support-desk actor.
    pub fn support_desk(agent: impl Into<String>, reason: impl Into<String>) -> Actor {
        Actor::SupportDesk {
            agent: agent.into(),
            reason: reason.into(),
        }
    }

    /// A partner actor.
    pub fn partner(id: impl Into<String>) -> Actor {
        Actor::Partner(id.into())
    }

    /// How the audit log names this actor: `contact:<id>`, `support:<agent>`,
    /// `partner:<id>` or `system`.
    pub fn audit_label(&self) -> String {
        match self {
            Actor::Contact(id) => id.to_string(),
            Actor::SupportDesk { agent, .. } => format!("support:{agent}"),
            Actor::Partner(p) => format!("partner:{p}"),
            Actor::System => "system".to_owned(),
        }
    }

    /// The actor an [`Actor::audit_label`] names, as far as its standing
    /// goes (a support desk's reason is not in the label).
    pub(crate) fn from_audit_label(label: &str) -> Option<Actor> {
        match label.split_once(':') {
            Some(("contact", n)) => n.parse().ok().map(|n| Actor::Contact(ContactId(n))),
            Some(("support", agent)) => Some(Actor::SupportDesk {
                agent: agent.to_owned(),
                reason: String::new(),
            }),
            Some(("partner", p)) => Some(Actor::Partner(p.to_owned())),
            None if label == "system" => Some(Actor::System),
            _ => None,
        }
    }

    /// The contact behind this actor, if it is one.
    pub fn contact_id(&self) -> Option<ContactId> {
        match self {
            Actor::Contact(id) => Some(*id),
            _ => None,
        }
    }

    /// Checks the actor's own fields (K2).
    pub(crate) fn validate(&self) -> Result<(), Error> {
        use crate::text::check_text;
        match self {
            Actor::Contact(_) | Actor::System => Ok(()),
            Actor::SupportDesk { agent, reason } => {
                check_text(Field::Agent, agent, 128, true)?;
                if agent.contains(':') || agent.contains(',') {
                    return Err(Error::invalid(Field::Agent, Problem::Malformed));
                }
                check_text(Field::Reason, reason, 1000, false).map(drop)
            }
            Actor::Partner(p) => check_text(Field::Partner, p, 128, true).map(drop),
        }
    }
}

/// How an actor stands in one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The account's owner.
    Owner,
    /// A standard contact of the account.
    Member,
    /// The support desk.
    SupportDesk,
    /// The account's own partner.
    Partner,
    /// The host itself.
    System,
    /// Anyone else: a contact of another account, another partner.
    Outsider,
}

/// What an actor may do in one account: the single authorization decision
/// of SPEC C's table. Checking a permission allocates nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    standing: Standing,
    roles: RoleSet,
    scope: TechScope,
    procurement_enabled: bool,
}

impl Access {
    /// The access of an actor of this standing, holding these roles (ignored
    /// but for members) and technical scope, in an account whose procurement
    /// mode is as given.
    pub fn new(
        standing: Standing,
        roles: RoleSet,
        scope: TechScope,
        procurement_enabled: bool,
    ) -> Access {
        let roles = match standing {
            Standing::Owner | Standing::System => RoleSet::ALL,
            Standing::Member => roles,
            _ => RoleSet::EMPTY,
        };
        let scope = match standing {
            Standing::Member => scope,
            _ => TechScope::All,
        };
        Access {
            standing,
            roles,
            scope,
            procurement_enabled,
        }
    }

    /// How the actor stands in the account.
    pub fn standing(&self) -> Standing {
        self.standing
    }

    /// The roles the actor holds in the account (every role for the owner).
    pub fn roles(&self) -> RoleSet {
        self.roles
    }

    /// The actor's technical-administrator scope (C4).
    pub fn tech_scope(&self) -> &TechScope {
        &self.scope
    }

    /// Whether procurement mode (C3) is on for the account.
    pub fn procurement_enabled(&self) -> bool {
        self.procurement_enabled
    }

    /// SPEC C's table: whether the actor holds `p` in this account (C2).
    #[inline]
    pub fn allows(&self, p: Permission) -> bool {
        match self.standing {
            Standing::Owner => OWNER.contains(p),
            Standing::Member => {
                MEMBER_BASE.contains(p) || !self.roles.intersection(p.granted_by()).is_empty()
            }
            Standing::SupportDesk => SUPPORT_DESK.contains(p),
            Standing::Partner => PARTNER.contains(p),
            Standing::System => SYSTEM.contains(p),
            Standing::Outsider => false,
        }
    }

    /// `Ok` when the actor holds `p`, otherwise the error naming it (C2).
    pub fn require(&self, p: Permission) -> Result<(), Error> {
        if self.allows(p) {
            Ok(())
        } else {
            Err(Error::denied(p))
        }
    }

    /// Whether the actor may use the technical-administration option
    /// `option` (C4): it holds [`Permission::TechnicalAdmin`] and its scope
    /// reaches the option.
    pub fn allows_option(&self, option: &str) -> bool {
        self.allows(Permission::TechnicalAdmin) && self.scope.allows(option)
    }

    /// Whether the actor may complete a chargeable action (C3): anyone
    /// allowed the action itself while procurement mode is off; only
    /// procurement managers (the owner included) while it is on.
    pub fn may_complete_charge(&self) -> bool {
        !self.procurement_enabled || self.allows(Permission::CompleteChargeable)
    }

    /// Every permission the actor holds: for a host's menus.
    pub fn permissions(&self) -> PermissionSet {
        let mut bits = 0;
        for p in Permission::ALL {
            if self.allows(*p) {
                bits |= p.bit();
            }
        }
        PermissionSet(bits)
    }

    /// The roles the actor may grant or revoke (C3, C6): none without
    /// [`Permission::AssignRoles`]; the procurement manager role only while
    /// procurement mode is on.
    pub fn assignable_roles(&self) -> RoleSet {
        if !self.allows(Permission::AssignRoles) {
            return RoleSet::EMPTY;
        }
        let grantable = match self.standing {
            Standing::Member => self.roles,
            _ => RoleSet::ALL,
        };
        if self.procurement_enabled {
            grantable
        } else {
            grantable.without(Role::ProcurementManager)
        }
    }

    /// Checks a change of a standard contact's roles from `old` to `new`
    /// (C3, C6): every role that changes must be one the actor holds (the
    /// owner, a partner and the host hold all), and the procurement manager
    /// role can be granted only while procurement mode is on.
    pub fn check_role_change(&self, old: RoleSet, new: RoleSet) -> Result<(), Error> {
        let changed = old.symmetric_difference(new);
        if changed.is_empty() {
            return Ok(());
        }
        self.require(Permission::AssignRoles)?;
        if new.contains(Role::ProcurementManager)
            && !old.contains(Role::ProcurementManager)
            && !self.procurement_enabled
        {
            return Err(Error::refused(Rule::C3ProcurementDisabled));
        }
        let holds = match self.standing {
            Standing::Member => self.roles,
            _ => RoleSet::ALL,
        };
        if !changed.is_subset(holds) {
            return Err(Error::refused(Rule::C6NoEscalation));
        }
        Ok(())
    }

    /// Checks a change of a technical administrator's scope (C4, C6): every
    /// option that changes must be within the actor's own scope.
    pub(crate) fn check_scope_change(
        &self,
        old: &TechScope,
        new: &TechScope,
        offered: &[String],
    ) -> Result<(), Error> {
        new.validate(offered)?;
        // As stored, not as the plan resolves them today (a plan narrowed
        // for a moment must not let a scope widen unseen).
        if old == new {
            return Ok(());
        }
        self.require(Permission::AssignRoles)?;
        if self.standing == Standing::Member {
            let changed_within_mine = match (old, new, &self.scope) {
                (_, _, TechScope::All) => true,
                (TechScope::Only(a), TechScope::Only(b), TechScope::Only(mine)) => {
                    a.symmetric_difference(b).all(|o| mine.contains(o))
                }
                // To or from every option: more than a narrow scope holds.
                _ => false,
            };
            if !self.roles.contains(Role::TechnicalAdmin) || !changed_within_mine {
                return Err(Error::refused(Rule::C6NoEscalation));
            }
        }
        Ok(())
    }
}

/// Every standard role: what a former owner keeps (A3). The procurement
/// manager role only while procurement mode is on (C3).
pub(crate) fn standard_roles(procurement: bool) -> RoleSet {
    if procurement {
        RoleSet::ALL
    } else {
        RoleSet::ALL.without(Role::ProcurementManager)
    }
}

/// C3, C4, C6 for a grant from (`old_roles`, `old_scope`) to the new ones.
pub(crate) fn check_grant(
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

/// C7: a manager acts on another contact's credentials and recovery
/// channels only when that contact holds no power the manager lacks in the
/// account: no role (`target_roles`), and, as a technical administrator, no
/// scope wider than the manager's own (`target_scope`, as stored: `All`
/// is wider than any list). Nor may the contact belong to, or
/// be invited by, any other account (`target_accounts`: its accepted
/// memberships and its open invitations): its credentials are login-wide
/// (B6), and whoever holds them could accept an invitation as it (B7). The
/// host and the support desk are not managers of the account; a partner
/// holds no role, so it reaches only contacts holding none. The owner's own
/// details are A6's.
pub(crate) fn guard_takeover(
    access: &Access,
    target_roles: RoleSet,
    target_scope: &TechScope,
    target_accounts: u32,
) -> Result<(), Error> {
    match access.standing() {
        Standing::System | Standing::SupportDesk => return Ok(()),
        // A partner holds no role: it reaches only contacts that hold none.
        Standing::Partner if !target_roles.is_empty() => {
            return Err(Error::refused(Rule::C7MoreRoles))
        }
        Standing::Member if !target_roles.is_subset(access.roles()) => {
            return Err(Error::refused(Rule::C7MoreRoles))
        }
        // Scopes as stored, not as the plan resolves them today: a plan
        // narrowed for a moment must not make a wider scope look narrow.
        Standing::Member
            if target_roles.contains(Role::TechnicalAdmin)
                && !target_scope.within(&access.scope) =>
        {
            return Err(Error::refused(Rule::C7MoreRoles))
        }
        _ => {}
    }
    if target_accounts > 1 {
        return Err(Error::refused(Rule::C7SharedLogin));
    }
    Ok(())
}

/// How an actor stands in an account (C2), from the account's owner,
/// partner and procurement mode and the actor's membership there, if any.
/// The facts are read at every operation (D8: never cached).
pub(crate) fn access_of(
    actor: &Actor,
    owner: ContactId,
    partner: Option<&str>,
    procurement: bool,
    membership: Option<(RoleSet, &TechScope)>,
) -> Access {
    let (standing, roles, scope) = match actor {
        Actor::Contact(id) => match membership {
            Some(_) if *id == owner => (Standing::Owner, RoleSet::ALL, TechScope::All),
            Some((roles, scope)) => (Standing::Member, roles, scope.clone()),
            None => (Standing::Outsider, RoleSet::EMPTY, TechScope::All),
        },
        Actor::SupportDesk { .. } => (Standing::SupportDesk, RoleSet::EMPTY, TechScope::All),
        Actor::Partner(p) if partner == Some(p.as_str()) => {
            (Standing::Partner, RoleSet::EMPTY, TechScope::All)
        }
        Actor::System => (Standing::System, RoleSet::ALL, TechScope::All),
        _ => (Standing::Outsider, RoleSet::EMPTY, TechScope::All),
    };
    Access::new(standing, roles, scope, procurement)
}

pub(crate) mod ops;

#[cfg(test)]
pub(crate) mod tests;
