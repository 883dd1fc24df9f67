//! Technical and billing contacts (SPEC H1–H7, B5's designation clause).

use serde::{Deserialize, Serialize};

use crate::contacts::Profile;
use crate::error::{Error, Field, Rule};
use crate::ids::{ContactId, ResourceId};
use crate::roles::Permission;
use crate::text::check_text;

pub(crate) mod duty;
pub use duty::{Duty, Rank};

/// An account's billing contacts (H7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BillingContacts {
    /// The primary billing contact; until one is set, billing matters go to
    /// the owner.
    pub primary: Option<ContactId>,
    /// The secondary, never the primary.
    pub secondary: Option<ContactId>,
}

/// A resource to add (H1): its primary technical contact is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResource {
    /// What it is, in the host's words (`computer`, `site`…).
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its primary technical contact.
    pub primary: ContactId,
    /// An optional secondary, not the primary (H2).
    pub secondary: Option<ContactId>,
}

/// A resource milestone (H6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Milestone {
    /// The resource's software is ready to download.
    SoftwareReady,
    /// Its initial backup completed.
    InitialBackupCompleted,
    /// A milestone the host names.
    Other(String),
}

impl Milestone {
    fn describe(&self) -> Result<String, Error> {
        Ok(match self {
            Milestone::SoftwareReady => "its software is ready to download".to_owned(),
            Milestone::InitialBackupCompleted => "its initial backup completed".to_owned(),
            Milestone::Other(s) => check_text(Field::Milestone, s, 200, true)?,
        })
    }
}

/// The information a contact lacks for a duty, supplied by whoever
/// designates it (H4, seed 000's User Information form): only the fields
/// [`missing_for_duty`] names may be given; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DutyInfo {
    /// The email, if the contact has none.
    pub email: Option<String>,
    /// The business phone, if the contact has none.
    pub business_phone: Option<String>,
}

impl DutyInfo {
    /// Whether nothing is supplied.
    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.business_phone.is_none()
    }
}

/// What [`Directory::add_resource_with_new_primary`](crate::Directory::add_resource_with_new_primary)
/// made (H5): the resource and its new primary technical contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceAdded {
    /// The new resource.
    pub resource: ResourceId,
    /// Its new primary technical contact, as
    /// [`Directory::create_contact`](crate::Directory::create_contact) reports one.
    pub contact: crate::accounts::ContactAdded,
}

/// Which duty a contact is to take (H4, H5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DutyTarget {
    /// Technical contact of this resource.
    Technical(ResourceId, Rank),
    /// Billing contact of the account.
    Billing(Rank),
}

impl DutyTarget {
    /// The permission that assigns this duty (C2's table): technical
    /// administration or billing.
    pub fn permission(self) -> Permission {
        match self {
            DutyTarget::Technical(..) => Permission::TechnicalAdmin,
            DutyTarget::Billing(_) => Permission::ManageBilling,
        }
    }
}

/// H4: the fields a duty needs that the profile lacks (email and business
/// phone, for technical and billing duties alike).
pub fn missing_for_duty(p: &Profile) -> Vec<Field> {
    let mut missing = Vec::new();
    if p.email.trim().is_empty() {
        missing.push(Field::Email);
    }
    if p.business_phone
        .as_deref()
        .is_none_or(|s| s.trim().is_empty())
    {
        missing.push(Field::BusinessPhone);
    }
    missing
}

/// H2: a secondary differs from its primary.
fn check_pair(primary: ContactId, secondary: Option<ContactId>) -> Result<(), Error> {
    if secondary == Some(primary) {
        return Err(Error::refused(Rule::H2SecondaryIsPrimary));
    }
    Ok(())
}

fn check_resource_text(kind: &str, name: &str) -> Result<(String, String), Error> {
    let kind = check_text(Field::ResourceKind, kind, 64, true)?;
    let name = check_text(Field::ResourceName, name, 200, true)?;
    Ok((kind, name))
}

pub(crate) mod ops;

#[cfg(test)]
mod tests;
