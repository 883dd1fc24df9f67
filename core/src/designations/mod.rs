//! Technical and billing contacts (SPEC H1–H7, B5's designation clause).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::contacts::{check_text, NewContact, Profile};
use crate::error::{named_enum, Entity, Error, Field, Problem, Rule};
use crate::ids::{AccountId, ContactId, ResourceId};
use crate::store::ResourceRecord;
use crate::tx::Tx;

named_enum! {
    /// Primary or secondary (H1, H2, H7).
    Rank {
        /// The one contacted first, required.
        Primary => "primary",
        /// Contacted only when the primary cannot be reached.
        Secondary => "secondary",
    }
}

/// A duty a contact holds (H).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Duty {
    /// Technical contact of a resource.
    Technical {
        /// The resource.
        resource: ResourceId,
        /// Primary or secondary.
        rank: Rank,
    },
    /// Billing contact of the account.
    Billing {
        /// Primary or secondary.
        rank: Rank,
    },
}

impl fmt::Display for Duty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Duty::Technical { resource, rank } => {
                write!(f, "{rank} technical contact of {resource}")
            }
            Duty::Billing { rank } => write!(f, "{rank} billing contact"),
        }
    }
}

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

/// Which duty a contact is to take (H5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DutyTarget {
    /// Technical contact of this resource.
    Technical(ResourceId, Rank),
    /// Billing contact of the account.
    Billing(Rank),
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

/// H2: a secondary differs from its primary.
fn check_pair(primary: ContactId, secondary: Option<ContactId>) -> Result<(), Error> {
    if secondary == Some(primary) {
        return Err(Error::refused(Rule::H2SecondaryIsPrimary));
    }
    Ok(())
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

fn check_resource_text(new: &NewResource) -> Result<(String, String), Error> {
    let kind = check_text(Field::ResourceKind, &new.kind, 64, true)?;
    let name = check_text(Field::ResourceName, &new.name, 200, true)?;
    Ok((kind, name))
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

mod ops;
