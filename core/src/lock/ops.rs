//! The operations of `lock`: the `impl Directory` methods of its SPEC section,
//! each loading its facts, applying the rules of `mod.rs` and committing
//! through the Directory's runner.

use super::{LockPolicy, ManualLock};
use crate::audit::Operation;
use crate::error::Error;
use crate::ids::{AccountId, ContactId};
use crate::notify::ops::security_notice;
use crate::op::{Done, Op};
use crate::roles::{Actor, Permission};
use crate::Directory;

impl Directory {
    /// Enables the locked-account policy with its allowed number of
    /// failed attempts, or disables it with `None` (E1). Security
    /// managers and the owner.
    pub fn set_lock_policy(
        &self,
        actor: &Actor,
        account: AccountId,
        policy: Option<LockPolicy>,
    ) -> Result<(), Error> {
        self.set_security_policy(actor, account, "lock_policy", |security, _| {
            let policy = policy.map(LockPolicy::validated).transpose()?;
            security.lock = policy;
            Ok(Some(match policy {
                Some(p) => format!("enabled: {} attempts", p.max_attempts),
                None => "disabled".to_owned(),
            }))
        })
    }

    /// Locks a contact by hand in this account (E6): no cool-off; only a
    /// manual unlock ends it; its sessions in the account end (D8). The
    /// owner is not locked by others (A6).
    pub fn lock_contact(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
    ) -> Result<(), Error> {
        self.set_manual_lock(actor, account, contact, true)
    }

    /// Unlocks a contact by hand (E5): ends its manual lock in this
    /// account and its automatic lock, with a fresh failure count. An
    /// automatic lock is login-wide, so ending one falls under C7: a
    /// contact holding a role the manager lacks, or shared with other
    /// accounts, keeps it (and its failure count) until its cool-off ends
    /// or it resets its password; the unlock then ends the manual lock
    /// alone, and is refused when there is none (whether or not an
    /// automatic lock stands, which the refusal does not tell).
    pub fn unlock_contact(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
    ) -> Result<(), Error> {
        self.set_manual_lock(actor, account, contact, false)
    }

    /// The one path of [`Self::lock_contact`] and [`Self::unlock_contact`]:
    /// contact managers, never on the owner by others (A6); the contact is
    /// told (I2).
    fn set_manual_lock(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
        locked: bool,
    ) -> Result<(), Error> {
        let operation = if locked {
            Operation::ContactLock
        } else {
            Operation::ContactUnlock
        };
        let op = Op::new(operation, account)
            .on(contact)
            .needs(Permission::ManageContacts);
        self.write(actor, op, |tx, access| {
            let mut m = tx.member(account, contact)?;
            tx.guard_owner(&access, account, contact)?;
            let now = tx.now;
            let changed = if locked {
                let new = m.manual_lock.is_none();
                if new {
                    m.manual_lock = Some(ManualLock {
                        since: now,
                        by: actor.audit_label(),
                    });
                    m.session_epoch = m.session_epoch.wrapping_add(1);
                    tx.put_membership(m);
                }
                new
            } else {
                let manual = m.manual_lock.take().is_some();
                if manual {
                    tx.put_membership(m);
                }
                match tx.guard_takeover(&access, account, contact) {
                    Ok(()) => {
                        let c = &mut tx.contact_mut(contact)?.credentials;
                        let automatic = super::active(c, now).is_some();
                        super::clear(c);
                        manual || automatic
                    }
                    // Nothing this manager may end: refused whether or not
                    // an automatic lock stands, so that the refusal does not
                    // tell the manager of one.
                    Err(e) if !manual => return Err(e),
                    // The manual lock goes; what is login-wide stays.
                    Err(_) => true,
                }
            };
            // I2: a notice and a changed field only for a change; locking a
            // locked contact or unlocking an unlocked one is recorded, and
            // says so, but tells nobody.
            if !changed {
                let already = if locked {
                    "already locked"
                } else {
                    "not locked"
                };
                return Ok(Done::new(())
                    .fields(Vec::<String>::new())
                    .detail(Some(already.into())));
            }
            security_notice(tx, contact, account, "lock")?;
            Ok(Done::new(()).fields(["lock"]))
        })
    }
}
