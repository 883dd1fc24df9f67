//! The operations of `ip_access`: the `impl Directory` methods of its SPEC section,
//! each loading its facts, applying the rules of `mod.rs` and committing
//! through the Directory's runner.

use std::net::IpAddr;

use crate::error::Error;
use crate::ids::AccountId;
use crate::roles::Actor;
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
        self.set_security_policy(actor, account, "ip_allowlist", |security, _| {
            let list = super::parse_allowlist(ranges)?;
            super::check_setter_inside(&list, actor.contact_id().is_some(), current_ip)?;
            let detail = list
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            security.ip_allowlist = list;
            Ok(Some(detail))
        })
    }
}
