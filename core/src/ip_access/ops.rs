use std::net::IpAddr;

use crate::audit::Operation;
use crate::error::Error;
use crate::ids::AccountId;
use crate::roles::{Actor, Permission};
use crate::Directory;

impl Directory {
    /// Sets the account's IP allowlist (G1); an empty list allows every
    /// address. A contact cannot set a list that shuts itself out: it
    /// gives the address it acts from, which the list must allow (G2).
    /// Security managers and the owner.
    pub fn set_ip_allowlist<S: AsRef<str>>(
        &self,
        actor: &Actor,
        account: AccountId,
        ranges: &[S],
        current_ip: IpAddr,
    ) -> Result<(), Error> {
        self.write_op(
            actor,
            Operation::SecurityPolicy,
            account,
            None,
            |tx, access| {
                access.require(Permission::ManageSecurityPolicies)?;
                let list = super::parse_allowlist(ranges)?;
                super::check_setter_inside(&list, actor.contact_id().is_some(), current_ip)?;
                let detail = list
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" ");
                tx.account_mut(account)?.security.ip_allowlist = list;
                tx.audit(
                    account,
                    Operation::SecurityPolicy,
                    None,
                    vec!["ip_allowlist".into()],
                    Some(detail),
                );
                Ok(())
            },
        )
    }
}
