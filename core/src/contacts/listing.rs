//! I5: an account's contacts sorted, filtered and paged by a stable cursor,
//! as the Account Contacts page lists them.

use super::ops::view;
use super::{ContactView, MAX_PAGE};
use crate::audit::check_limit;
use crate::error::{Error, Field, Problem};
use crate::ids::{AccountId, ContactId};
use crate::op::Op;
use crate::roles::{Actor, Permission, Role};
use crate::text::check_text;
use crate::Directory;

pub use crate::store::ContactSort;

/// The longest text filter, in characters.
pub const MAX_FILTER_TEXT: usize = 200;

/// Which contacts a listing shows, in what order, from where (I5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactQuery {
    /// The order.
    pub sort: ContactSort,
    /// Only contacts holding this role (the owner holds every role, A2).
    pub role: Option<Role>,
    /// Only contacts with (`true`) or without (`false`) a padlock (E7).
    pub locked: Option<bool>,
    /// Only contacts whose name, login or email contains this text,
    /// ignoring case.
    pub text: Option<String>,
    /// Where the previous page ended ([`ContactPage::next`]), or `None`
    /// for the first page.
    pub cursor: Option<String>,
    /// At most this many contacts (1 to [`MAX_PAGE`]).
    pub limit: usize,
}

impl Default for ContactQuery {
    /// The first 100 contacts by id, unfiltered.
    fn default() -> ContactQuery {
        ContactQuery {
            sort: ContactSort::Id,
            role: None,
            locked: None,
            text: None,
            cursor: None,
            limit: 100,
        }
    }
}

/// A page of a contact listing (I5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPage {
    /// The contacts, in the query's order.
    pub contacts: Vec<ContactView>,
    /// The cursor of the next page, or `None` on the last one. It names the
    /// account and the order it was made for and the last contact shown,
    /// so it stays valid when that contact is deleted meanwhile.
    pub next: Option<String>,
}

/// Where a page ended: after the contact with this sort key and id.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cursor {
    key: String,
    id: ContactId,
}

const CURSOR_TAG: &str = "c1";
/// The longest cursor read: room for the longest sort key (an email of
/// 254 characters, lower-cased, up to 4 bytes each, in hex) and the rest.
const MAX_CURSOR: usize = 8192;

fn encode(account: AccountId, sort: ContactSort, c: &Cursor) -> String {
    let hex = data_encoding::HEXLOWER.encode(c.key.as_bytes());
    format!(
        "{CURSOR_TAG}.{}.{}.{}.{hex}",
        account.get(),
        sort.name(),
        c.id.get()
    )
}

/// Reads a cursor: malformed text, or one made for another account or
/// another order, is a typed error on [`Field::Cursor`].
fn decode(account: AccountId, sort: ContactSort, s: &str) -> Result<Cursor, Error> {
    let malformed = || Error::invalid(Field::Cursor, Problem::Malformed);
    if s.len() > MAX_CURSOR {
        return Err(malformed());
    }
    let mut parts = s.split('.');
    let (Some(tag), Some(acct), Some(order), Some(id), Some(hex), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(malformed());
    };
    if tag != CURSOR_TAG {
        return Err(malformed());
    }
    let acct: u64 = acct.parse().map_err(|_| malformed())?;
    let id: u64 = id.parse().map_err(|_| malformed())?;
    let order = ContactSort::from_name(order).ok_or_else(malformed)?;
    let bytes = data_encoding::HEXLOWER
        .decode(hex.as_bytes())
        .map_err(|_| malformed())?;
    let key = String::from_utf8(bytes).map_err(|_| malformed())?;
    if acct != account.get() || order != sort {
        return Err(Error::invalid(Field::Cursor, Problem::NotOffered));
    }
    Ok(Cursor {
        key,
        id: ContactId(id),
    })
}

/// Whether a contact passes the query's filters; `text` is lower-cased.
fn matches(q: &ContactQuery, text: Option<&str>, v: &ContactView) -> bool {
    q.role.is_none_or(|r| v.roles.contains(r))
        && q.locked.is_none_or(|l| v.lock.is_some() == l)
        && text.is_none_or(|t| {
            v.profile.name.to_lowercase().contains(t)
                || v.login.to_ascii_lowercase().contains(t)
                || v.profile.email.to_lowercase().contains(t)
        })
}

impl Directory {
    /// A page of the account's contacts, sorted, filtered and paged by a
    /// stable cursor (I5): the Account Contacts page. For whoever may see
    /// the account, as [`Directory::list_contacts`].
    ///
    /// ```
    /// # use contactkeeper::*;
    /// let dir = Directory::in_memory();
    /// let acme = dir.create_account(&Actor::System, &NewAccount::new(
    ///     "Acme", NewContact::new("zoe", Profile::new("Zoe", "zoe@acme.example"))))?;
    /// dir.create_contact(&Actor::System, acme.account,
    ///     &NewContact::new("adam", Profile::new("Adam", "adam@acme.example")))?;
    /// let q = ContactQuery { sort: ContactSort::Name, limit: 1, ..ContactQuery::default() };
    /// let first = dir.search_contacts(&Actor::System, acme.account, &q)?;
    /// assert_eq!(first.contacts[0].login, "adam");
    /// let q = ContactQuery { cursor: first.next, ..q };
    /// let second = dir.search_contacts(&Actor::System, acme.account, &q)?;
    /// assert_eq!(second.contacts[0].login, "zoe");
    /// assert_eq!(second.next, None);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn search_contacts(
        &self,
        actor: &Actor,
        account: AccountId,
        query: &ContactQuery,
    ) -> Result<ContactPage, Error> {
        self.read(
            actor,
            Op::read(account, Permission::ViewAccount),
            |tx, _| {
                check_limit(query.limit, MAX_PAGE)?;
                let text = match query.text.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(t) => {
                        Some(check_text(Field::Filter, t, MAX_FILTER_TEXT, false)?.to_lowercase())
                    }
                };
                let after = match &query.cursor {
                    Some(c) => Some(decode(account, query.sort, c)?),
                    None => None,
                };
                let owner = tx.account(account)?.owner;
                let now = tx.now;
                // Walk the account in the query's order from the cursor,
                // keeping the contacts that pass the filters, until the page
                // is full and one more passes (then there is a next page) or
                // the account ends. The store reads the order from an index:
                // a page costs what it walks, not what the account holds.
                //
                // One more than the page tells whether a next page exists;
                // with filters, twice that, doubling while the walk goes on.
                let filtered = query.role.is_some() || query.locked.is_some() || text.is_some();
                let first = query.limit.saturating_add(1);
                let mut chunk = if filtered {
                    first.saturating_mul(2)
                } else {
                    first
                }
                .min(MAX_PAGE);
                let mut from = after.map(|c| (c.key, c.id));
                let mut contacts: Vec<ContactView> = Vec::new();
                let mut last_key = String::new();
                let mut more = false;
                'walk: loop {
                    let at = from.as_ref().map(|(k, id)| (k.as_str(), *id));
                    let batch = tx
                        .store()
                        .members_in_order(account, query.sort, at, chunk)?;
                    let end = batch.len() < chunk;
                    for (m, c) in &batch {
                        let key = query.sort.key_of(c);
                        let v = view(m, c, owner, now);
                        let passes = matches(query, text.as_deref(), &v);
                        if passes && contacts.len() == query.limit {
                            more = true;
                            break 'walk;
                        }
                        if passes {
                            last_key.clone_from(&key);
                            contacts.push(v);
                        }
                        from = Some((key, c.id));
                    }
                    if end {
                        break;
                    }
                    chunk = chunk.saturating_mul(2).min(MAX_PAGE);
                }
                let next = match contacts.last() {
                    Some(last) if more => Some(encode(
                        account,
                        query.sort,
                        &Cursor {
                            key: last_key,
                            id: last.id,
                        },
                    )),
                    _ => None,
                };
                Ok(ContactPage { contacts, next })
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // rule I5
    #[test]
    fn a_cursor_reads_back_only_for_its_account_and_order() {
        let a = AccountId(7);
        let c = Cursor {
            key: "zoë.smith@x".into(),
            id: ContactId(42),
        };
        let s = encode(a, ContactSort::Email, &c);
        assert_eq!(decode(a, ContactSort::Email, &s).ok(), Some(c));
        let other = |e: Result<Cursor, Error>| match e {
            Err(Error::InvalidInput { field, problem }) => Some((field, problem)),
            _ => None,
        };
        assert_eq!(
            other(decode(AccountId(8), ContactSort::Email, &s)),
            Some((Field::Cursor, Problem::NotOffered))
        );
        assert_eq!(
            other(decode(a, ContactSort::Name, &s)),
            Some((Field::Cursor, Problem::NotOffered))
        );
        for bad in [
            "",
            "c1",
            "c2.7.email.42.61",
            "c1.7.email.42.6",
            "c1.7.email.42.zz",
            "c1.7.size.42.61",
            "c1.x.email.42.61",
            "c1.7.email.42.61.extra",
            "c1.7.email.-1.61",
            "c1.7.email.42.ff",
        ] {
            assert_eq!(
                other(decode(a, ContactSort::Email, bad)),
                Some((Field::Cursor, Problem::Malformed)),
                "{bad:?}"
            );
        }
        // The longest key a contact can have reads back.
        let long = Cursor {
            key: "\u{1F600}".repeat(254 * 3),
            id: ContactId(u64::MAX),
        };
        let s = encode(a, ContactSort::Name, &long);
        assert_eq!(decode(a, ContactSort::Name, &s).ok(), Some(long));
        assert_eq!(
            other(decode(a, ContactSort::Email, &"c".repeat(10_000))),
            Some((Field::Cursor, Problem::Malformed))
        );
    }
}
