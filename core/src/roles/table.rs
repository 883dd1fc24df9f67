//! The roles and the permission table (SPEC C1, C2): the vocabulary every
//! rule speaks, with no dependency on errors or state.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::names::named_enum;

named_enum! {
    /// A standard contact's role (C1). The owner holds every role (A2).
    Role {
        /// Creates, edits, deletes, locks and unlocks other contacts.
        ContactManager => "contact_manager",
        /// Plan and pricing, logo, billing contacts.
        BillingManager => "billing_manager",
        /// Security policies, and managing other contacts.
        SecurityManager => "security_manager",
        /// Completes chargeable actions once the support desk enables it (C3).
        ProcurementManager => "procurement_manager",
        /// Users, services, reports, resources and their technical contacts (C4).
        TechnicalAdmin => "technical_admin",
    }
}

impl Role {
    pub(crate) const fn bit(self) -> u8 {
        match self {
            Role::ContactManager => 1,
            Role::BillingManager => 2,
            Role::SecurityManager => 4,
            Role::ProcurementManager => 8,
            Role::TechnicalAdmin => 16,
        }
    }
}

/// A set of roles, as a small bit set.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(into = "Vec<Role>", from = "Vec<Role>")]
pub struct RoleSet(pub(crate) u8);

impl RoleSet {
    /// No role.
    pub const EMPTY: RoleSet = RoleSet(0);
    /// Every role.
    pub const ALL: RoleSet = RoleSet(31);

    /// The set of these roles.
    pub fn of(roles: &[Role]) -> RoleSet {
        roles.iter().fold(RoleSet::EMPTY, |s, r| s.with(*r))
    }

    /// The set from its bits (1 contact manager, 2 billing, 4 security,
    /// 8 procurement, 16 technical admin), or `None` for unknown bits.
    pub fn from_bits(bits: u8) -> Option<RoleSet> {
        (bits & !RoleSet::ALL.0 == 0).then_some(RoleSet(bits))
    }

    /// The bits of this set (see [`RoleSet::from_bits`]).
    pub fn bits(self) -> u8 {
        self.0
    }

    /// This set with `role` added.
    #[must_use]
    pub const fn with(self, role: Role) -> RoleSet {
        RoleSet(self.0 | role.bit())
    }

    /// This set without `role`.
    #[must_use]
    pub const fn without(self, role: Role) -> RoleSet {
        RoleSet(self.0 & !role.bit())
    }

    /// Whether `role` is in the set.
    pub const fn contains(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every role of `self` is in `other`.
    pub const fn is_subset(self, other: RoleSet) -> bool {
        self.0 & !other.0 == 0
    }

    /// Roles in either set.
    #[must_use]
    pub const fn union(self, other: RoleSet) -> RoleSet {
        RoleSet(self.0 | other.0)
    }

    /// Roles in both sets.
    #[must_use]
    pub const fn intersection(self, other: RoleSet) -> RoleSet {
        RoleSet(self.0 & other.0)
    }

    /// Roles in exactly one of the sets: what changes from one to the other.
    #[must_use]
    pub const fn symmetric_difference(self, other: RoleSet) -> RoleSet {
        RoleSet(self.0 ^ other.0)
    }

    /// The roles, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.iter().copied().filter(move |r| self.contains(*r))
    }
}

impl From<Vec<Role>> for RoleSet {
    fn from(v: Vec<Role>) -> RoleSet {
        RoleSet::of(&v)
    }
}

impl From<RoleSet> for Vec<Role> {
    fn from(s: RoleSet) -> Vec<Role> {
        s.iter().collect()
    }
}

impl fmt::Debug for RoleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl fmt::Display for RoleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for r in self.iter() {
            if !first {
                f.write_str(",")?;
            }
            first = false;
            f.write_str(r.name())?;
        }
        Ok(())
    }
}

named_enum! {
    /// A permission of SPEC C's table (C2). Every operation needs one.
    Permission {
        /// Create, delete, edit, lock, unlock other contacts; reset their password.
        ManageContacts => "manage_contacts",
        /// Assign and revoke roles (within C6).
        AssignRoles => "assign_roles",
        /// Set another contact's 2FA method and phone, reset its 2FA (within C7).
        ResetTwoFactor => "reset_two_factor",
        /// Password, lock, IP and 2FA policies.
        ManageSecurityPolicies => "manage_security_policies",
        /// Plan and pricing, logo, billing contacts.
        ManageBilling => "manage_billing",
        /// Complete chargeable actions while procurement mode is on (C3).
        CompleteChargeable => "complete_chargeable",
        /// Users, services, reports (per C4 options); resources and their technical contacts.
        TechnicalAdmin => "technical_admin",
        /// Transfer ownership (the owner; the support desk with a reason, A4).
        TransferOwnership => "transfer_ownership",
        /// Read and export the audit log (C5).
        ReadAudit => "read_audit",
        /// Edit one's own profile, password, 2FA, security questions, notifications.
        ManageOwnSettings => "manage_own_settings",
        /// See the account and its contacts: every contact of it, its partner,
        /// the support desk, the host.
        ViewAccount => "view_account",
        /// Provider operations: create accounts.
        CreateAccounts => "create_accounts",
        /// Provider operations: register an account's services (A8).
        RegisterServices => "register_services",
        /// Provider operations: enable procurement mode (C3).
        EnableProcurement => "enable_procurement",
        /// The support desk checks a caller's security answer (F4).
        CheckSecurityAnswers => "check_security_answers",
        /// Provider operations: report resource milestones (H6).
        ReportMilestones => "report_milestones",
        /// Provider operations: send maintenance and global-issue notices
        /// (I4) and billing notices (H7).
        SendNotices => "send_notices",
    }
}

impl Permission {
    pub(crate) const fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// The standard roles that grant this permission (SPEC C's table).
    /// Empty for permissions no standard role grants.
    pub const fn granted_by(self) -> RoleSet {
        match self {
            Permission::ManageContacts | Permission::AssignRoles | Permission::ResetTwoFactor => {
                RoleSet::EMPTY
                    .with(Role::ContactManager)
                    .with(Role::SecurityManager)
            }
            Permission::ManageSecurityPolicies => RoleSet::EMPTY.with(Role::SecurityManager),
            Permission::ManageBilling => RoleSet::EMPTY.with(Role::BillingManager),
            Permission::CompleteChargeable => RoleSet::EMPTY.with(Role::ProcurementManager),
            Permission::TechnicalAdmin => RoleSet::EMPTY.with(Role::TechnicalAdmin),
            Permission::TransferOwnership
            | Permission::ReadAudit
            | Permission::ManageOwnSettings
            | Permission::ViewAccount
            | Permission::CreateAccounts
            | Permission::RegisterServices
            | Permission::EnableProcurement
            | Permission::CheckSecurityAnswers
            | Permission::ReportMilestones
            | Permission::SendNotices => RoleSet::EMPTY,
        }
    }
}

/// A set of permissions, as a small bit set.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PermissionSet(pub(crate) u32);

impl PermissionSet {
    /// No permission.
    pub const EMPTY: PermissionSet = PermissionSet(0);

    pub(crate) const fn of(perms: &[Permission]) -> PermissionSet {
        let mut bits = 0;
        let mut i = 0;
        while i < perms.len() {
            bits |= perms[i].bit();
            i += 1;
        }
        PermissionSet(bits)
    }

    /// Whether `p` is in the set.
    pub const fn contains(self, p: Permission) -> bool {
        self.0 & p.bit() != 0
    }

    /// The permissions, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .iter()
            .copied()
            .filter(move |p| self.contains(*p))
    }
}

impl fmt::Debug for PermissionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

pub(crate) const MEMBER_BASE: PermissionSet = PermissionSet::of(&[
    Permission::ReadAudit,
    Permission::ManageOwnSettings,
    Permission::ViewAccount,
]);
pub(crate) const OWNER: PermissionSet = PermissionSet::of(&[
    Permission::ViewAccount,
    Permission::ManageContacts,
    Permission::AssignRoles,
    Permission::ResetTwoFactor,
    Permission::ManageSecurityPolicies,
    Permission::ManageBilling,
    Permission::CompleteChargeable,
    Permission::TechnicalAdmin,
    Permission::TransferOwnership,
    Permission::ReadAudit,
    Permission::ManageOwnSettings,
]);
pub(crate) const SUPPORT_DESK: PermissionSet = PermissionSet::of(&[
    Permission::ViewAccount,
    Permission::CheckSecurityAnswers,
    Permission::TransferOwnership,
    Permission::ReadAudit,
    Permission::CreateAccounts,
    Permission::EnableProcurement,
]);
pub(crate) const PARTNER: PermissionSet = PermissionSet::of(&[
    Permission::ViewAccount,
    Permission::ManageContacts,
    Permission::AssignRoles,
    Permission::ManageBilling,
    Permission::ReadAudit,
    Permission::CreateAccounts,
]);
pub(crate) const SYSTEM: PermissionSet = PermissionSet::of(&[
    Permission::ViewAccount,
    Permission::ManageContacts,
    Permission::AssignRoles,
    Permission::ResetTwoFactor,
    Permission::ManageSecurityPolicies,
    Permission::ManageBilling,
    Permission::CompleteChargeable,
    Permission::TechnicalAdmin,
    Permission::ReadAudit,
    Permission::CreateAccounts,
    Permission::RegisterServices,
    Permission::EnableProcurement,
    Permission::CheckSecurityAnswers,
    Permission::ReportMilestones,
    Permission::SendNotices,
]);
