#![doc = include_str!("../../README.md")]
#![deny(missing_docs)]

pub mod accounts;
pub mod audit;
pub mod clock;
pub mod contacts;
mod directory;
pub mod error;
pub mod ids;
pub mod notify;
pub mod roles;
pub mod store;
mod tx;

pub use accounts::{
    AccountCreated, AccountView, ContactAdded, Money, NewAccount, NewOwner, Plan, Service,
};
pub use audit::{AuditEntry, AuditQuery, AuditVerification, ChainProblem, Operation, Outcome};
pub use clock::{Clock, ManualClock, SystemClock};
pub use contacts::{login_key, ContactView, NewContact, Profile, ProfileUpdate};
pub use directory::{ChangedFields, Directory, DirectoryBuilder, DEFAULT_MAX_ATTEMPTS, MAX_PAGE};
pub use error::{Entity, Error, ErrorCode, Field, Problem, Rule};
pub use ids::{AccountId, ContactId, NotificationId};
pub use notify::{
    Delivery, DeliveryReport, MemoryNotifier, Notification, NotificationKind, Notifier, OutboxItem,
};
pub use roles::{Access, Actor, Permission, PermissionSet, Role, RoleSet, Standing, TechScope};
pub use store::{MemoryStore, Store, StoreError};
#[cfg(feature = "sqlite")]
pub use store::{SqliteOptions, SqliteStore};
