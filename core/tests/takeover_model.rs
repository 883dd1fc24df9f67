//! Property test of "no takeover" (SPEC C7, A6, D7, D8, B6, B7) against a
//! reference model of who can sign in as whom.
//!
//! Eight people, each the contact of its own login, in two accounts (one
//! login shared by both), with fixed roles. Random steps: one person,
//! acting as any contact whose password it knows, resets a contact's
//! password (a temporary one, or a secret to one of its channels), points
//! a contact's email, alternate email or cell phone at an address of its
//! own, asks for a reset of any login by any channel, signs in as a
//! contact it knows and keeps the session, invites a login to its account
//! (B7), or accepts an invitation as a contact it knows. The model tracks
//! each contact's memberships and open invitations. The model tracks who knows each
//! contact's password (a temporary password is known to the manager who got
//! it, a reset secret to whoever owns the address it was sent to, who then
//! sets a password of its own) and who holds which session. After every
//! step it checks the invariants: nobody learns the password of a contact
//! holding a role it lacks in an account, or a member of (or invited by) an
//! account it is not in; and a live session is held only by someone who knows its
//! contact's password now (D8: a password change ends the others).
//!
//! The long run behind the figure:
//! `PROPTEST_CASES=2000 cargo test -p contactkeeper --release --test takeover_model`
//! (2,000 cases of 50 to 70 steps: over 100,000 steps).
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use contactkeeper::*;
use proptest::prelude::*;

const PEOPLE: usize = 8;
const LOGINS: [&str; PEOPLE] = ["oa", "cm", "sm", "both", "pat", "ob", "shared", "bcm"];

/// Each person's roles in account A (0) and B (1); `None`: not a member.
fn roles(person: usize) -> [Option<RoleSet>; 2] {
    let cm = RoleSet::EMPTY.with(Role::ContactManager);
    let sm = RoleSet::EMPTY.with(Role::SecurityManager);
    match person {
        0 => [Some(RoleSet::ALL), None],
        1 => [Some(cm), None],
        2 => [Some(sm), None],
        3 => [Some(cm.union(sm)), None],
        4 => [Some(RoleSet::EMPTY), None],
        5 => [None, Some(RoleSet::ALL)],
        6 => [Some(RoleSet::EMPTY), Some(cm)],
        _ => [None, Some(cm)],
    }
}

#[derive(Debug, Clone, Copy)]
enum Channel {
    Email,
    Alternate,
    Cell,
}

impl Channel {
    fn recovery(self) -> RecoveryChannel {
        match self {
            Channel::Email => RecoveryChannel::Email,
            Channel::Alternate => RecoveryChannel::AlternateEmail,
            Channel::Cell => RecoveryChannel::CellPhone,
        }
    }
}

#[derive(Debug, Clone)]
enum Step {
    /// `person`, acting as the `as_`-th contact it knows, in `account`.
    ResetTemporary {
        person: usize,
        as_: usize,
        account: usize,
        target: usize,
    },
    ResetBySecret {
        person: usize,
        as_: usize,
        account: usize,
        target: usize,
        channel: Channel,
    },
    /// Points the target's channel at an address `person` owns.
    TakeChannel {
        person: usize,
        as_: usize,
        account: usize,
        target: usize,
        channel: Channel,
    },
    /// Anyone asks for a reset of `target`'s login.
    RequestReset { target: usize, channel: Channel },
    /// `person`, acting as the `as_`-th contact it knows, invites
    /// `target`'s login to `account` with these roles (B7).
    Invite {
        person: usize,
        as_: usize,
        account: usize,
        target: usize,
        roles: usize,
    },
    /// `person`, acting as the `as_`-th contact it knows, accepts that
    /// contact's invitation to `account`.
    Accept {
        person: usize,
        as_: usize,
        account: usize,
    },
    /// `person` signs in as the `as_`-th contact it knows and keeps the
    /// session.
    SignIn { person: usize, as_: usize },
}

fn channel() -> impl Strategy<Value = Channel> {
    prop_oneof![
        Just(Channel::Email),
        Just(Channel::Alternate),
        Just(Channel::Cell)
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let p = 0..PEOPLE;
    prop_oneof![
        3 => (p.clone(), 0..3usize, 0..2usize, p.clone()).prop_map(|(person, as_, account, target)| {
            Step::ResetTemporary { person, as_, account, target }
        }),
        2 => (p.clone(), 0..3usize, 0..2usize, p.clone(), channel()).prop_map(
            |(person, as_, account, target, channel)| Step::ResetBySecret { person, as_, account, target, channel }
        ),
        3 => (p.clone(), 0..3usize, 0..2usize, p.clone(), channel()).prop_map(
            |(person, as_, account, target, channel)| Step::TakeChannel { person, as_, account, target, channel }
        ),
        2 => (p.clone(), channel()).prop_map(|(target, channel)| Step::RequestReset { target, channel }),
        2 => (p.clone(), 0..3usize, 0..2usize, p.clone(), 0..3usize).prop_map(
            |(person, as_, account, target, roles)| Step::Invite { person, as_, account, target, roles }
        ),
        2 => (p.clone(), 0..3usize, 0..2usize).prop_map(|(person, as_, account)| Step::Accept { person, as_, account }),
        2 => (p, 0..3usize).prop_map(|(person, as_)| Step::SignIn { person, as_ }),
    ]
}

/// The roles an invitation offers, by index.
const OFFERS: [RoleSet; 3] = [
    RoleSet::EMPTY,
    RoleSet::EMPTY.with(Role::ContactManager),
    RoleSet::EMPTY.with(Role::SecurityManager),
];

/// The model: each contact's memberships and open invitations, who knows
/// each contact's password, and who owns each address a notification may
/// go to.
struct Model {
    /// Each contact's roles in A and B (`None`: not a member).
    roles: Vec<[Option<RoleSet>; 2]>,
    /// The roles each contact's open invitation to A and B offers.
    invited: Vec<[Option<RoleSet>; 2]>,
    knows: Vec<BTreeSet<usize>>,
    /// (person, contact): the person pointed one of the contact's recovery
    /// channels at an address of its own, when it might (see [`Model::learns`]).
    controls: BTreeSet<(usize, usize)>,
    /// Each contact's current password (see [`password`]).
    current: Vec<u32>,
    addresses: BTreeMap<String, usize>,
    /// The sessions each person holds: (person, contact, token).
    sessions: Vec<(usize, usize, Secret)>,
    fresh: u32,
    next: u32,
}

/// An address as compared: an email in lower case, a phone by its digits.
fn key(address: &str) -> String {
    if address.contains('@') {
        address.trim().to_lowercase()
    } else {
        address.chars().filter(char::is_ascii_digit).collect()
    }
}

impl Model {
    /// Whether `p` may know `q`'s password: `q` is `p`, or every account
    /// of `q`, and every account that invited it (B7: whoever holds the
    /// password could accept), is one of `p`'s where `q` holds (or is
    /// offered) no role `p` lacks (C7), and the owner's only its own (A6:
    /// the owner holds every role).
    fn may_know(&self, p: usize, q: usize) -> bool {
        p == q
            || (0..2).all(|i| {
                let theirs = self.roles[q][i].or(self.invited[q][i]);
                match (theirs, self.roles[p][i]) {
                    (None, _) => true,
                    (Some(_), None) => false,
                    (Some(t), Some(m)) => t.is_subset(m) && self.invited[q][i].is_none(),
                }
            })
    }

    /// The account a contact signs in to: its first.
    fn home(&self, q: usize) -> usize {
        usize::from(self.roles[q][0].is_none())
    }

    /// The contacts `person` can act as, in order.
    fn identities(&self, person: usize) -> Vec<usize> {
        (0..PEOPLE)
            .filter(|q| self.knows[*q].contains(&person))
            .collect()
    }

    /// `person` now alone knows `target`'s password, the one returned. A
    /// reset secret sent to an address `person` set on `target` when it
    /// might is no takeover, whatever `target` became since: whoever holds
    /// a login's recovery channels holds the login, and an account that
    /// invites a login trusts whoever that is (B7 asks only the login).
    fn learns(
        &mut self,
        person: usize,
        target: usize,
        how: &str,
    ) -> Result<Password, TestCaseError> {
        let controlled = how == "a reset secret" && self.controls.contains(&(person, target));
        prop_assert!(
            controlled || self.may_know(person, target),
            "{} took over {} ({how})",
            LOGINS[person],
            LOGINS[target]
        );
        self.knows[target] = BTreeSet::from([person]);
        self.next += 1;
        self.current[target] = self.next;
        Ok(password(self.next))
    }

    fn address(&mut self, person: usize, channel: Channel) -> String {
        self.fresh += 1;
        let a = match channel {
            Channel::Cell => format!("+1 555 {:04}", self.fresh),
            _ => format!("{}-{}@mail.example", LOGINS[person], self.fresh),
        };
        self.addresses.insert(key(&a), person);
        a
    }
}

fn password(n: u32) -> Password {
    Password::new(format!("chosen-{n}-Quartz-zebra"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn nobody_learns_the_password_of_a_contact_with_more_power(
        steps in prop::collection::vec(step(), 50..70)
    ) {
        // rule C7, A6, D7, D8, B6, B7
        let f = Fixture::new();
        let mut model = Model {
            roles: (0..PEOPLE).map(roles).collect(),
            invited: vec![[None; 2]; PEOPLE],
            knows: Vec::new(),
            controls: BTreeSet::new(),
            current: vec![0; PEOPLE],
            addresses: BTreeMap::new(),
            sessions: Vec::new(),
            fresh: 0,
            next: 0,
        };
        let (a, oa) = f.account("oa");
        let (b, ob) = f.account("ob");
        let accounts = [a, b];
        let mut ids: Vec<ContactId> = Vec::new();
        for (person, login) in LOGINS.iter().enumerate() {
            let email = model.address(person, Channel::Email);
            let id = match person {
                0 => oa,
                5 => ob,
                _ => {
                    let home = if roles(person)[0].is_some() { 0 } else { 1 };
                    let roles = roles(person)[home].unwrap();
                    let nc = NewContact::new(*login, Profile::new(*login, email.clone()))
                        .with_roles(roles)
                        .with_password(password(0));
                    f.dir.create_contact(&Actor::System, accounts[home], &nc).unwrap().contact
                }
            };
            if person == 0 || person == 5 {
                f.dir.update_contact(&Actor::System, accounts[person / 5], id, &ProfileUpdate {
                    email: Some(email),
                    ..Default::default()
                }).unwrap();
            }
            model.knows.push(BTreeSet::from([person]));
            ids.push(id);
        }
        f.dir.add_existing_contact(&Actor::System, b, "shared", roles(6)[1].unwrap(), &TechScope::All).unwrap();
        // The owners' passwords, set by themselves.
        for owner in [0usize, 5] {
            f.dir.request_password_reset(LOGINS[owner], RecoveryChannel::Email).unwrap();
            let secret = f.notifier.take().into_iter().find_map(|n| n.secret).unwrap();
            f.dir.complete_password_reset(LOGINS[owner], &secret, &password(0)).unwrap();
        }
        f.notifier.take();
        for step in steps {
            match step {
                Step::ResetTemporary { person, as_, account, target } => {
                    let me = model.identities(person);
                    if me.is_empty() {
                        continue;
                    }
                    let actor = c(ids[me[as_ % me.len()]]);
                    if let Ok(Some(temporary)) = f.dir.reset_password(&actor, accounts[account], ids[target], ManagerReset::TemporaryPassword) {
                        // The manager signs in with it and sets its own (D4).
                        let o = f.dir.sign_in(&SignInRequest {
                            login: LOGINS[target],
                            password: &temporary,
                            ip: "192.0.2.1".parse().unwrap(),
                            account: Some(accounts[account]),
                            device_token: None,
                            remember_device: false,
                        }).unwrap();
                        let SignInOutcome::PasswordChangeRequired(g) = o else {
                            panic!("a temporary password signs in to change it: {}", o.name())
                        };
                        let chosen = model.learns(person, target, "a temporary password")?;
                        f.dir.change_password_with_session(&g.token, &temporary, &chosen).unwrap();
                    }
                }
                Step::ResetBySecret { person, as_, account, target, channel } => {
                    let me = model.identities(person);
                    if me.is_empty() {
                        continue;
                    }
                    let actor = c(ids[me[as_ % me.len()]]);
                    let _ = f.dir.reset_password(&actor, accounts[account], ids[target], ManagerReset::SendSecret(channel.recovery()));
                }
                Step::TakeChannel { person, as_, account, target, channel } => {
                    let me = model.identities(person);
                    if me.is_empty() {
                        continue;
                    }
                    let identity = me[as_ % me.len()];
                    let address = model.address(person, channel);
                    let mut u = ProfileUpdate::default();
                    match channel {
                        Channel::Email => u.email = Some(address),
                        Channel::Alternate => u.alternate_email = Some(Some(address)),
                        Channel::Cell => u.cell_phone = Some(Some(address)),
                    }
                    if identity == target {
                        u.current_password = Some(password(model.current[target]));
                    }
                    if f.dir.update_contact(&c(ids[identity]), accounts[account], ids[target], &u).is_ok() {
                        prop_assert!(
                            identity == target || model.may_know(person, target),
                            "{} took {}'s recovery channel",
                            LOGINS[person],
                            LOGINS[target]
                        );
                        model.controls.insert((person, target));
                    }
                }
                Step::RequestReset { target, channel } => {
                    f.dir.request_password_reset(LOGINS[target], channel.recovery()).unwrap();
                }
                Step::Invite { person, as_, account, target, roles } => {
                    let me = model.identities(person);
                    if me.is_empty() {
                        continue;
                    }
                    let actor = c(ids[me[as_ % me.len()]]);
                    let offered = OFFERS[roles];
                    if let Ok(added) = f.dir.add_existing_contact(&actor, accounts[account], LOGINS[target], offered, &TechScope::All) {
                        prop_assert!(added.pending, "B7: only the host adds a login at once");
                        prop_assert!(model.roles[target][account].is_none());
                        model.invited[target][account] = Some(offered);
                    }
                }
                Step::Accept { person, as_, account } => {
                    let me = model.identities(person);
                    if me.is_empty() {
                        continue;
                    }
                    let target = me[as_ % me.len()];
                    match f.dir.accept_invitation(&c(ids[target]), accounts[account]) {
                        Ok(()) => {
                            let offered = model.invited[target][account].take();
                            prop_assert!(offered.is_some(), "{} joined uninvited", LOGINS[target]);
                            model.roles[target][account] = offered;
                        }
                        // Refused when the sender may no longer offer it (B7).
                        Err(e) if e.rule() == Some("B7") => {
                            let withdrawn = matches!(e, Error::RuleViolation { rule: Rule::B7Withdrawn });
                            prop_assert!(model.invited[target][account].is_none() || withdrawn, "{e:?}");
                        }
                        Err(e) => prop_assert!(false, "accepting: {e:?}"),
                    }
                }
                Step::SignIn { person, as_ } => {
                    let me = model.identities(person);
                    if me.is_empty() {
                        continue;
                    }
                    let target = me[as_ % me.len()];
                    let pw = password(model.current[target]);
                    let o = f.dir.sign_in(&SignInRequest {
                        login: LOGINS[target],
                        password: &pw,
                        ip: "192.0.2.1".parse().unwrap(),
                        account: Some(accounts[model.home(target)]),
                        device_token: None,
                        remember_device: false,
                    }).unwrap();
                    match o {
                        SignInOutcome::SignedIn(g) => model.sessions.push((person, target, g.token)),
                        other => prop_assert!(false, "{} knows {}'s password: {}", LOGINS[person], LOGINS[target], other.name()),
                    }
                }
            }
            // Every secret sent goes to whoever owns the address.
            for n in f.notifier.take() {
                let (Some(secret), NotificationKind::PasswordReset) = (&n.secret, n.kind) else {
                    continue;
                };
                let target = ids.iter().position(|id| *id == n.recipient).unwrap();
                let Some(owner) = n.to.iter().find_map(|t| model.addresses.get(&key(t)).copied()) else {
                    continue;
                };
                let chosen = model.learns(owner, target, "a reset secret")?;
                f.dir.complete_password_reset(LOGINS[target], secret, &chosen).unwrap();
            }
            // D8: a session outlives no change of its contact's password:
            // whoever holds a live one knows the password now.
            for (person, target, token) in &model.sessions {
                if f.dir.authenticate(token).is_ok() {
                    prop_assert!(
                        model.knows[*target].contains(person),
                        "{} still acts as {} after losing its password",
                        LOGINS[*person],
                        LOGINS[*target]
                    );
                }
            }
        }
    }
}
