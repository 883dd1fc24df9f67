//! Accounts and ownership (SPEC A1–A8): plans, charges, services.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::contacts::NewContact;
use crate::credentials::PasswordPolicy;
use crate::error::{Error, Field, Problem, Rule};
use crate::ids::{AccountId, ContactId};
use crate::lock::LockPolicy;
use crate::op::Done;
use crate::roles::{Access, Permission, Standing};
use crate::text::check_text;

/// The most technical-administrator options a plan may offer.
pub const MAX_TECH_OPTIONS: usize = 64;
/// The most services an account may register.
pub const MAX_SERVICES: usize = 256;

/// An amount of money in a currency's minor unit (cents for USD).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Amount in minor units.
    pub minor_units: u64,
    /// ISO 4217 currency code, three upper-case letters.
    pub currency: String,
}

/// As a person reads it: the amount in major units with the currency's
/// decimals, then the code (`5.00 USD`, `500 JPY`, `1.250 KWD`).
///
/// ```
/// use contactkeeper::Money;
/// assert_eq!(Money::new(500, "USD").to_string(), "5.00 USD");
/// assert_eq!(Money::new(500, "JPY").to_string(), "500 JPY");
/// assert_eq!(Money::new(1250, "KWD").to_string(), "1.250 KWD");
/// ```
impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let e = self.exponent();
        let unit = 10u64.pow(e);
        let (major, minor) = (self.minor_units / unit, self.minor_units % unit);
        if e == 0 {
            write!(f, "{major} {}", self.currency)
        } else {
            write!(f, "{major}.{minor:0w$} {}", self.currency, w = e as usize)
        }
    }
}

impl Money {
    /// An amount in minor units of `currency`.
    pub fn new(minor_units: u64, currency: impl Into<String>) -> Money {
        Money {
            minor_units,
            currency: currency.into(),
        }
    }

    pub(crate) fn validated(&self) -> Result<Money, Error> {
        let c = self.currency.trim();
        if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::invalid(Field::Currency, Problem::Malformed));
        }
        if self.minor_units > MAX_MINOR_UNITS {
            return Err(Error::invalid(Field::Price, Problem::OutOfRange));
        }
        Ok(Money::new(self.minor_units, c))
    }

    /// How many digits the currency's minor unit has (ISO 4217): 0 for the
    /// yen, the won and the others without one, 3 for the Gulf dinars and
    /// the Tunisian dinar, 2 for every other code.
    pub fn exponent(&self) -> u32 {
        const NONE: [&str; 17] = [
            "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
            "VND", "VUV", "XAF", "XOF", "XPF",
        ];
        const THREE: [&str; 7] = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
        let c = self.currency.as_str();
        if NONE.contains(&c) {
            0
        } else if THREE.contains(&c) {
            3
        } else {
            2
        }
    }

    /// Whether the amount is nothing: an action that costs nothing is not
    /// chargeable (C3).
    pub fn is_zero(&self) -> bool {
        self.minor_units == 0
    }
}

/// The largest amount of money accepted, in minor units: what a signed
/// 64-bit integer holds, so that every store and every host's integer type
/// keeps it exactly.
pub const MAX_MINOR_UNITS: u64 = i64::MAX as u64;

/// What an account's plan includes (A7) and offers technical administrators
/// (C4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The plan's name.
    pub name: String,
    /// How many contacts (the owner included) the plan includes.
    pub included_contacts: u32,
    /// The price of each contact beyond those included.
    pub additional_contact_price: Money,
    /// The technical-administrator options the plan offers (C4), such as
    /// `users`, `services`, `reports`.
    pub tech_options: Vec<String>,
}

impl Default for Plan {
    /// A plan named `standard`: 5 contacts included, additional ones at
    /// 0 USD, options `users`, `services` and `reports`.
    fn default() -> Plan {
        Plan {
            name: "standard".to_owned(),
            included_contacts: 5,
            additional_contact_price: Money::new(0, "USD"),
            tech_options: vec!["users".into(), "services".into(), "reports".into()],
        }
    }
}

impl Plan {
    pub(crate) fn validated(&self) -> Result<Plan, Error> {
        let mut options: Vec<String> = Vec::with_capacity(self.tech_options.len());
        if self.tech_options.len() > MAX_TECH_OPTIONS {
            return Err(Error::invalid(
                Field::TechOptions,
                Problem::TooLong {
                    max: MAX_TECH_OPTIONS,
                },
            ));
        }
        for o in &self.tech_options {
            let o = check_key(Field::TechOptions, o)?;
            if options.contains(&o) {
                return Err(Error::invalid(Field::TechOptions, Problem::Duplicate));
            }
            options.push(o);
        }
        Ok(Plan {
            name: check_text(Field::PlanName, &self.name, 100, true)?,
            included_contacts: self.included_contacts,
            additional_contact_price: self.additional_contact_price.validated()?,
            tech_options: options,
        })
    }

    /// What adding one contact costs when the account has `current`
    /// contacts (A7): nothing while within the plan, nor when additional
    /// contacts are free (C3: an action that costs nothing is not
    /// chargeable).
    pub fn charge_for_contact(&self, current: u32) -> Option<Money> {
        (current >= self.included_contacts && !self.additional_contact_price.is_zero())
            .then(|| self.additional_contact_price.clone())
    }
}

/// An account's security policies, set by its security managers and owner.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityPolicy {
    /// The locked-account policy, when enabled (E1).
    pub lock: Option<LockPolicy>,
    /// Password requirements (D2).
    pub password: PasswordPolicy,
    /// Every contact must use a second factor (F3).
    pub require_two_factor: bool,
    /// CIDR ranges sign-in is allowed from; empty allows all (G1).
    pub ip_allowlist: Vec<ipnet::IpNet>,
    /// Every contact whose password was changed before this time must
    /// change it at next sign-in (D2).
    #[serde(with = "time::serde::rfc3339::option")]
    pub force_change_before: Option<OffsetDateTime>,
}

/// A service the host registers for an account (A8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// A stable key (lower-case letters, digits, `_`, `-`, `.`).
    pub key: String,
    /// The name shown.
    pub name: String,
    /// Whether the account has it enabled.
    pub enabled: bool,
    /// The technical-administrator option that reaches it (C4), one of the
    /// plan's options.
    pub option: String,
}

impl Service {
    pub(crate) fn validated(&self, plan: &Plan) -> Result<Service, Error> {
        let option = check_key(Field::TechOptions, &self.option)?;
        if !plan.tech_options.contains(&option) {
            return Err(Error::invalid(Field::TechOptions, Problem::NotOffered));
        }
        Ok(Service {
            key: check_key(Field::ServiceKey, &self.key)?,
            name: check_text(Field::ServiceName, &self.name, 100, true)?,
            enabled: self.enabled,
            option,
        })
    }
}

/// A short machine key: 1 to 64 of `a-z 0-9 _ - .`.
fn check_key(field: Field, value: &str) -> Result<String, Error> {
    let v = check_text(field, value, 64, true)?;
    let ok = v
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.".contains(&b));
    if ok {
        Ok(v)
    } else {
        Err(Error::invalid(field, Problem::Malformed))
    }
}

/// The owner of a new account (A1).
#[derive(Debug, Clone)]
#[expect(clippy::large_enum_variant, reason = "built once per account creation")]
pub enum NewOwner {
    /// A new contact, created in the same step.
    New(NewContact),
    /// An existing contact's login: the contact becomes shared (B6).
    Existing(String),
}

/// A new account with its owner (A1).
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// The company's name.
    pub name: String,
    /// Its plan.
    pub plan: Plan,
    /// Its owner.
    pub owner: NewOwner,
}

impl NewAccount {
    /// An account on the default plan, owned by a new contact.
    pub fn new(name: impl Into<String>, owner: NewContact) -> NewAccount {
        NewAccount {
            name: name.into(),
            plan: Plan::default(),
            owner: NewOwner::New(owner),
        }
    }
}

/// An account as a host sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountView {
    /// The account.
    pub id: AccountId,
    /// The company's name.
    pub name: String,
    /// Its plan.
    pub plan: Plan,
    /// Whether procurement mode (C3) is on.
    pub procurement_enabled: bool,
    /// The partner that resells it, if any.
    pub partner: Option<String>,
    /// Its owner (A1).
    pub owner: ContactId,
    /// How many contacts it has, the owner included.
    pub contacts: u32,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The result of adding a contact to an account (B1, A7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactAdded {
    /// The contact.
    pub contact: ContactId,
    /// What the addition costs, when it is beyond the plan (A7).
    pub charge: Option<Money>,
    /// Whether the contact is only invited, and joins when it accepts (B7).
    pub pending: bool,
}

/// The result of creating an account (A1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountCreated {
    /// The account.
    pub account: AccountId,
    /// Its owner.
    pub owner: ContactId,
}

pub(crate) fn charge_detail(charge: &Option<Money>) -> Option<String> {
    charge
        .as_ref()
        .map(|m| format!("chargeable: {} {} minor units", m.currency, m.minor_units))
}

/// A contact added (B1): the result, audited on the contact with the fields
/// set and the charge beyond the plan (A7) as the detail.
pub(crate) fn contact_added(
    contact: ContactId,
    charge: Option<Money>,
    pending: bool,
    fields: Vec<String>,
) -> Done<ContactAdded> {
    let detail = charge_detail(&charge);
    Done::new(ContactAdded {
        contact,
        charge,
        pending,
    })
    .target(contact)
    .fields(fields)
    .detail(detail)
}

/// What adding one more contact costs (A7), refused when procurement mode
/// asks for a procurement manager to complete it (C3).
pub(crate) fn charge_for_addition(
    access: &Access,
    plan: &Plan,
    contact_count: u32,
) -> Result<Option<Money>, Error> {
    let charge = plan.charge_for_contact(contact_count);
    if charge.is_some() {
        require_charge(access)?;
    }
    Ok(charge)
}

/// C3: a chargeable action (one that changes what the account pays) is
/// completed, while procurement mode is on, only by a procurement manager
/// (the owner included).
pub(crate) fn require_charge(access: &Access) -> Result<(), Error> {
    if access.may_complete_charge() {
        Ok(())
    } else {
        Err(Error::denied(Permission::CompleteChargeable))
    }
}

/// A chargeable action the host declares (C3): its key, validated as a
/// service key is.
pub(crate) fn check_charge_action(action: &str) -> Result<String, Error> {
    check_key(Field::ChargeAction, action)
}

/// A6: nobody but the owner (and the host) touches the owner.
pub(crate) fn guard_owner(
    access: &Access,
    owner: ContactId,
    contact: ContactId,
) -> Result<(), Error> {
    if access.standing() != Standing::System && owner == contact {
        return Err(Error::refused(Rule::A6OwnerOnly));
    }
    Ok(())
}

pub(crate) mod ops;

#[cfg(test)]
mod tests;
