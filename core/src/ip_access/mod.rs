//! IP-based access (SPEC G1, G2): an account's allowlist of CIDR ranges.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::error::{Error, Field, Problem, Rule};

/// The most ranges an allowlist holds.
pub const MAX_RANGES: usize = 256;

/// Parses an allowlist of IPv4 and IPv6 ranges in CIDR form (a bare
/// address counts as a single-address range), refusing malformed entries,
/// and returns it with duplicates removed and host bits cleared.
pub fn parse_allowlist<S: AsRef<str>>(ranges: &[S]) -> Result<Vec<IpNet>, Error> {
    if ranges.len() > MAX_RANGES {
        return Err(Error::invalid(
            Field::IpAllowlist,
            Problem::TooLong { max: MAX_RANGES },
        ));
    }
    let mut out: Vec<IpNet> = Vec::with_capacity(ranges.len());
    for r in ranges {
        let r = r.as_ref().trim();
        if r.len() > 64 {
            return Err(Error::invalid(Field::IpAllowlist, Problem::Malformed));
        }
        let net = match r.parse::<IpNet>() {
            Ok(n) => n.trunc(),
            Err(_) => match r.parse::<IpAddr>() {
                Ok(a) => IpNet::from(a),
                Err(_) => return Err(Error::invalid(Field::IpAllowlist, Problem::Malformed)),
            },
        };
        if !out.contains(&net) {
            out.push(net);
        }
    }
    Ok(out)
}

/// Parses a client address (K2).
pub fn parse_ip(text: &str) -> Result<IpAddr, Error> {
    text.trim()
        .parse()
        .map_err(|_| Error::invalid(Field::Ip, Problem::Malformed))
}

/// Whether `ip` may sign in under `allowlist` (G1): an empty list allows
/// every address. An IPv4-mapped IPv6 address counts as its IPv4 address.
pub fn allows(allowlist: &[IpNet], ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    allowlist.is_empty() || allowlist.iter().any(|n| n.contains(&ip))
}

pub(crate) mod ops;

/// G2: a contact setting an allowlist must stay inside it; the host (no
/// contact) may set any list.
pub(crate) fn check_setter_inside(
    list: &[IpNet],
    setter_is_contact: bool,
    ip: IpAddr,
) -> Result<(), Error> {
    if setter_is_contact && !allows(list, ip) {
        return Err(Error::refused(Rule::G2ShutsOutSetter));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
