#![doc = include_str!("../../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod accounts;
pub mod audit;
pub mod clock;
pub mod contacts;
pub mod credentials;
pub mod designations;
mod directory;
pub mod error;
pub mod ids;
pub mod ip_access;
pub mod lock;
mod names;
pub mod notify;
mod op;
pub mod passwords;
pub mod recovery;
pub mod roles;
pub mod second_factor;
mod secret;
pub mod security_questions;
pub mod signin;
pub mod store;
mod text;
mod tx;

pub use accounts::{
    AccountCreated, AccountView, ContactAdded, Money, NewAccount, NewOwner, Plan, SecurityPolicy,
    Service, MAX_MINOR_UNITS,
};
pub use audit::{AuditEntry, AuditQuery, AuditVerification, ChainProblem, Operation, Outcome};
pub use clock::{Clock, ManualClock, SystemClock};
pub use contacts::listing::{ContactPage, ContactQuery, ContactSort};
pub use contacts::{
    login_key, ChangedFields, ContactView, Invitation, InvitationView, Membership, NewContact,
    PendingMember, Profile, ProfileUpdate, INVITATION_LIFETIME, MAX_PAGE,
};
pub use credentials::{HashCost, Password, PasswordPolicy, Secret, SessionStage};
pub use designations::{
    BillingContacts, Duty, DutyInfo, DutyTarget, Milestone, NewResource, Rank, ResourceAdded,
};
pub use directory::{Directory, DirectoryBuilder, DEFAULT_DELIVERY_TIMEOUT, DEFAULT_MAX_ATTEMPTS};
pub use error::{AuthFailure, Entity, Error, ErrorCode, Field, Problem, Rule};
pub use ids::{AccountId, ContactId, NotificationId, ResourceId};
pub use lock::{LockKind, LockMark, LockPolicy};
pub use notify::{
    local_time, Delivery, DeliveryReport, MemoryNotifier, Notification, NotificationKind,
    NotificationPrefs, Notifier, OutboxItem,
};
pub use passwords::{ManagerReset, PasswordStatus};
pub use recovery::RecoveryChannel;
pub use roles::{Access, Actor, Permission, PermissionSet, Role, RoleSet, Standing, TechScope};
pub use second_factor::sealing::SealingKey;
pub use second_factor::{AssignedFactor, EnrollmentStart, TwoFactorMethod, TwoFactorStatus};
pub use security_questions::SecurityAnswer;
pub use signin::{SessionGrant, SessionInfo, SessionLifetimes, SignInOutcome, SignInRequest};
#[cfg(feature = "postgres")]
pub use store::PostgresStore;
pub use store::{MemoryStore, ResourceRecord, Store, StoreError};
#[cfg(feature = "sqlite")]
pub use store::{SqliteOptions, SqliteStore};
