//! The operations of `roles`: the `impl Directory` methods of its SPEC section,
//! each loading its facts, applying the rules of `mod.rs` and committing
//! through the Directory's runner.

use crate::audit::Operation;
use crate::error::{Error, Rule};
use crate::ids::{AccountId, ContactId};
use crate::op::{Done, Op};
use crate::roles::{check_grant, Access, Actor, Permission, Role, RoleSet, TechScope};
use crate::tx::{access_in, Tx};
use crate::Directory;

impl Directory {
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
        let op = Op::new(Operation::RolesUpdate, account)
            .on(contact)
            .needs(Permission::AssignRoles);
        self.write(actor, op, |tx, access| {
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
            crate::notify::ops::security_notice_fields(tx, contact, account, fields.clone())?;
            Ok(Done::new(()).fields(fields).detail(detail))
        })
    }

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
}
