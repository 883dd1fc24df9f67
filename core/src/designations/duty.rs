//! Duties (H): what a designated contact is, technical or billing,
//! primary or secondary.

use std::fmt;

use serde::Serialize;

use crate::ids::ResourceId;
use crate::names::named_enum;

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
