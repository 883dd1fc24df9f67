//! The operations of B7: a login used on another account joins an account
//! only by accepting its invitation, signed in.

use super::{open_invitation, Invitation, InvitationView, PendingMember, MAX_INVITATIONS};
use crate::accounts::charge_for_addition;
use crate::audit::Operation;
use crate::error::{Error, Rule};
use crate::ids::{AccountId, ContactId};
use crate::notify::{NotificationDraft, NotificationKind};
use crate::op::{Done, Op};
use crate::roles::check_grant;
use crate::roles::{Actor, Permission, RoleSet, TechScope};
use crate::store::MembershipRecord;
use crate::tx::{access_in, Tx};
use crate::Directory;

impl Directory {
    /// The invitations waiting for the signed-in contact (B7), to show it
    /// on its next sign-in: each account's name and the roles offered.
    pub fn invitations(&self, actor: &Actor) -> Result<Vec<InvitationView>, Error> {
        let id = invitee(actor)?;
        let now = self.clock.now();
        let Some(c) = self.store.contact(id)? else {
            return Ok(Vec::new());
        };
        let mut views = Vec::new();
        for i in c.invitations.iter().filter(|i| now < i.expires_at) {
            if let Some(a) = self.store.account(i.account)? {
                views.push(InvitationView {
                    account: a.id,
                    account_name: a.name,
                    roles: i.roles,
                    invited_at: i.at,
                    expires_at: i.expires_at,
                });
            }
        }
        Ok(views)
    }

    /// The contact accepts an invitation (B7): it becomes a member of the
    /// account with the roles offered. Refused after the invitation expired,
    /// when there is none (answered, or never sent), and for anyone but the
    /// contact invited. The invitation stands only while the one who sent
    /// it may still give what it offers, weighed at acceptance: its
    /// permission to add contacts, the roles and scope (C4, C6), and, for an
    /// acceptance that takes the account beyond its plan, its permission to
    /// complete chargeable actions (C3); otherwise it is refused
    /// ([`Rule::B7Withdrawn`]) and stays until it expires or is declined.
    pub fn accept_invitation(&self, actor: &Actor, account: AccountId) -> Result<(), Error> {
        self.answer(actor, account, true)
    }

    /// The contact declines an invitation (B7); expired ones too.
    pub fn decline_invitation(&self, actor: &Actor, account: AccountId) -> Result<(), Error> {
        self.answer(actor, account, false)
    }

    /// The contacts invited to the account and not yet answered (B7), for
    /// its contact managers: the login and the roles offered only.
    pub fn pending_invitations(
        &self,
        actor: &Actor,
        account: AccountId,
    ) -> Result<Vec<PendingMember>, Error> {
        let op = Op::read(account, Permission::ManageContacts);
        self.read(actor, op, |tx, _| {
            let now = tx.now;
            let mut pending = Vec::new();
            for id in tx.account(account)?.invited.clone() {
                let Some(c) = tx.store().contact(id)? else {
                    continue;
                };
                if let Ok(i) = open_invitation(&c.invitations, account, now) {
                    pending.push(PendingMember {
                        contact: id,
                        login: c.login.clone(),
                        roles: i.roles,
                        expires_at: i.expires_at,
                    });
                }
            }
            Ok(pending)
        })
    }

    fn answer(&self, actor: &Actor, account: AccountId, accept: bool) -> Result<(), Error> {
        let operation = if accept {
            Operation::InvitationAccept
        } else {
            Operation::InvitationDecline
        };
        let mut op = Op::new(operation, account);
        if let Ok(id) = invitee(actor) {
            op = op.on(id);
        }
        self.run(actor, &op, |tx| {
            let id = invitee(actor)?;
            let now = tx.now;
            let invitations = &tx.contact(id)?.invitations;
            let invitation = if accept {
                open_invitation(invitations, account, now)?.clone()
            } else {
                invitations
                    .iter()
                    .find(|i| i.account == account)
                    .cloned()
                    .ok_or(Error::refused(Rule::B7NotInvited))?
            };
            withdraw(tx, account, id)?;
            if !accept {
                return Ok(Done::new(()).fields(["invitation"]));
            }
            if tx.membership(account, id)?.is_some() {
                return Err(Error::refused(Rule::B7NotInvited));
            }
            still_offered(tx, account, &invitation)?;
            tx.contact_mut(id)?.account_count += 1;
            join(tx, account, id, invitation.roles, invitation.tech_scope)?;
            Ok(Done::new(()).fields(["membership"]))
        })
    }
}

/// B7 with C3, C4, C6: an invitation stands only while the one who sent it
/// may still give what it offers, weighed now, as if it added the contact
/// today: its permission to add contacts, the roles and scope (granted
/// since, or narrowed, or gone from the plan), and any charge beyond the
/// plan (C3).
fn still_offered(
    tx: &mut Tx<'_>,
    account: AccountId,
    invitation: &Invitation,
) -> Result<(), Error> {
    let withdrawn = Error::refused(Rule::B7Withdrawn);
    let inviter = Actor::from_audit_label(&invitation.by).ok_or(withdrawn.clone())?;
    let access = access_in(tx, &inviter, account)?;
    let plan = tx.account(account)?.plan.tech_options.clone();
    access
        .require(Permission::ManageContacts)
        .and_then(|()| {
            check_grant(
                &access,
                RoleSet::EMPTY,
                &TechScope::All,
                invitation.roles,
                &invitation.tech_scope,
                &plan,
            )
        })
        .map_err(|_| withdrawn.clone())?;
    let a = tx.account(account)?;
    charge_for_addition(&access, &a.plan, a.contact_count)
        .map(|_| ())
        .map_err(|_| withdrawn)
}

/// The contact an operation on one's own invitations or memberships is
/// for: only a contact has them.
pub(super) fn invitee(actor: &Actor) -> Result<ContactId, Error> {
    match actor {
        Actor::Contact(id) => Ok(*id),
        _ => Err(Error::denied(Permission::ManageOwnSettings)),
    }
}

/// Records an invitation on the contact and the account, dropping the
/// expired ones, and tells the contact (B7).
pub(crate) fn invite(tx: &mut Tx<'_>, id: ContactId, invitation: Invitation) -> Result<(), Error> {
    let now = tx.now;
    let account = invitation.account;
    let (roles, expires) = (invitation.roles, invitation.expires_at);
    let c = tx.contact_mut(id)?;
    c.invitations
        .retain(|i| i.account != account && now < i.expires_at);
    if c.invitations.len() >= MAX_INVITATIONS {
        return Err(Error::refused(Rule::B7InvitationLimit));
    }
    c.invitations.push(invitation);
    // The account's list: drop those no longer waiting.
    let listed = tx.account(account)?.invited.clone();
    let mut waiting = Vec::with_capacity(listed.len() + 1);
    for other in listed {
        let open = match tx.store().contact(other)? {
            Some(c) => open_invitation(&c.invitations, account, now).is_ok(),
            None => false,
        };
        if open && other != id {
            waiting.push(other);
        }
    }
    if waiting.len() >= MAX_INVITATIONS {
        return Err(Error::refused(Rule::B7InvitationLimit));
    }
    waiting.push(id);
    let a = tx.account_mut(account)?;
    a.invited = waiting;
    let name = a.name.clone();
    let zone = tx.contact(id)?.profile.time_zone.clone();
    tx.notify(NotificationDraft {
        fields: vec!["invitation".into()],
        ..NotificationDraft::new(
            NotificationKind::Security,
            id,
            format!("You are invited to join {name}"),
            format!(
                "The account {name} invites your login to join it with the roles: {}. \
                 Sign in to accept or decline; the invitation expires on {}. \
                 Until you accept, the account cannot see your details nor act on your login.",
                if roles.is_empty() {
                    "none".to_owned()
                } else {
                    roles.to_string()
                },
                crate::notify::contact_time(expires, &zone),
            ),
        )
    })
}

/// Removes the contact's invitation to the account, from both sides.
pub(crate) fn withdraw(tx: &mut Tx<'_>, account: AccountId, id: ContactId) -> Result<(), Error> {
    tx.contact_mut(id)?
        .invitations
        .retain(|i| i.account != account);
    tx.account_mut(account)?.invited.retain(|c| *c != id);
    Ok(())
}

/// Whether the contact has an invitation (open or expired) to the account.
pub(crate) fn is_invited(
    tx: &mut Tx<'_>,
    account: AccountId,
    id: ContactId,
) -> Result<bool, Error> {
    Ok(tx
        .contact(id)
        .map(|c| c.invitations.iter().any(|i| i.account == account))
        .unwrap_or(false))
}

/// Adds the membership and counts the contact in the account: a new
/// contact, one the host adds, or an invitation accepted (B1, B7).
pub(crate) fn join(
    tx: &mut Tx<'_>,
    account: AccountId,
    contact: ContactId,
    roles: RoleSet,
    tech_scope: TechScope,
) -> Result<(), Error> {
    tx.put_membership(MembershipRecord {
        account,
        contact,
        roles,
        tech_scope,
        manual_lock: None,
        session_epoch: 0,
        notifications: Default::default(),
        since: tx.now,
    });
    tx.account_mut(account)?.contact_count += 1;
    Ok(())
}
