//! An operation, declared once: what it is ([`Operation`]), the account it
//! acts in, what it acts on, and the permission it needs. The Directory's
//! runner checks the permission, audits a refusal under the declaration and
//! audits the success from it, with the fields and the detail the
//! operation's body reports in its [`Done`].

use crate::audit::Operation;
use crate::ids::{AccountId, ContactId};
use crate::roles::{Actor, Permission};

/// An operation's declaration.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub(crate) operation: Operation,
    pub(crate) account: Option<AccountId>,
    pub(crate) target: Option<String>,
    pub(crate) needs: Option<Permission>,
}

impl Op {
    /// `operation` in `account`, on nothing in particular and needing no
    /// permission (its body decides who may).
    pub(crate) fn new(operation: Operation, account: AccountId) -> Op {
        Op {
            operation,
            account: Some(account),
            target: None,
            needs: None,
        }
    }

    /// `operation` before its account exists (creating one).
    pub(crate) fn unscoped(operation: Operation) -> Op {
        Op {
            operation,
            account: None,
            target: None,
            needs: None,
        }
    }

    /// A read in `account` needing `permission`.
    pub(crate) fn read(account: AccountId, permission: Permission) -> Op {
        Op::new(Operation::Read, account).needs(permission)
    }

    /// The operation acts on `target` (a contact, a resource …).
    #[must_use]
    pub(crate) fn on(mut self, target: impl ToString) -> Op {
        self.target = Some(target.to_string());
        self
    }

    /// The operation acts on `contact`, one's own or another's: the actor
    /// needs [`Permission::ManageOwnSettings`] on itself, `others` on
    /// another contact.
    #[must_use]
    pub(crate) fn on_contact(self, actor: &Actor, contact: ContactId, others: Permission) -> Op {
        let own = actor.contact_id() == Some(contact);
        self.on(contact).needs(if own {
            Permission::ManageOwnSettings
        } else {
            others
        })
    }

    /// The actor must hold `permission` in the account (C2), checked before
    /// the body runs.
    #[must_use]
    pub(crate) fn needs(mut self, permission: Permission) -> Op {
        self.needs = Some(permission);
        self
    }
}

/// What an operation's body did: its value, and what its success entry in
/// the audit log says.
#[derive(Debug)]
pub(crate) struct Done<T> {
    pub(crate) value: T,
    pub(crate) audit: Option<SuccessEntry>,
}

/// The parts of a success entry the body knows; the operation and the
/// account come from the [`Op`].
#[derive(Debug, Default)]
pub(crate) struct SuccessEntry {
    /// Set when the target is only known once the body ran (a new id).
    pub(crate) target: Option<String>,
    /// Set when the account is only known once the body ran (a new account).
    pub(crate) account: Option<AccountId>,
    pub(crate) fields: Vec<String>,
    pub(crate) detail: Option<String>,
}

impl<T> Done<T> {
    /// Succeeded with `value`; audited under the [`Op`] with no fields.
    pub(crate) fn new(value: T) -> Done<T> {
        Done {
            value,
            audit: Some(SuccessEntry::default()),
        }
    }

    /// `value`, with no success entry from the runner: the body audited
    /// itself in each chain the change concerns (what a contact's accounts
    /// share, J1), or `value` reports a failure that its caller audits as
    /// a refusal once the failure's effects (a failed-attempt count) are
    /// committed.
    pub(crate) fn unrecorded(value: T) -> Done<T> {
        Done { value, audit: None }
    }

    /// The fields the operation changed.
    #[must_use]
    pub(crate) fn fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        if let Some(e) = &mut self.audit {
            e.fields = fields.into_iter().map(Into::into).collect();
        }
        self
    }

    /// The entry's detail.
    #[must_use]
    pub(crate) fn detail(mut self, detail: Option<String>) -> Self {
        if let Some(e) = &mut self.audit {
            e.detail = detail;
        }
        self
    }

    /// The entry's target, known only now.
    #[must_use]
    pub(crate) fn target(mut self, target: impl ToString) -> Self {
        if let Some(e) = &mut self.audit {
            e.target = Some(target.to_string());
        }
        self
    }

    /// The entry's account, known only now.
    #[must_use]
    pub(crate) fn in_account(mut self, account: AccountId) -> Self {
        if let Some(e) = &mut self.audit {
            e.account = Some(account);
        }
        self
    }
}
