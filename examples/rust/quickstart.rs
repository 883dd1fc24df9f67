//! A portal's day with contactkeeper: accounts, contacts, roles, a
//! computer and its technical contacts, sign-in and locks, ownership and
//! the audit log, kept in a SQLite file, through the Directory's public
//! operations only. Run it twice: the second run signs the new owner in,
//! finds the account in his account switcher and carries on.
//!
//! Run it with `cargo run --example quickstart [FILE]` (by default
//! `contactkeeper-quickstart.db` in the system's temporary directory).

use std::path::PathBuf;
use std::sync::Arc;

use contactkeeper::{
    AccountId, Actor, AuditQuery, AuditVerification, ContactId, ContactQuery, ContactSort,
    Directory, DutyInfo, DutyTarget, LockKind, LockPolicy, MemoryNotifier, Money, NewAccount,
    NewContact, Password, Permission, Plan, Profile, ProfileUpdate, Rank, Role, RoleSet,
    SignInOutcome, SignInRequest, SqliteStore, TechScope,
};

/// The demo's passwords (a real portal never has one in its code).
const BOB_PASSWORD: &str = "account manager passphrase 4";
const CAROL_PASSWORD: &str = "tech lead passphrase 9";

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("contactkeeper-quickstart.db"));
    println!("== The directory is kept in {}", path.display());
    let notifier = Arc::new(MemoryNotifier::new());
    let dir = Directory::builder(Arc::new(SqliteStore::open(&path)?))
        .notifier(notifier.clone())
        .build();

    // The first run ends with bob owning the account; a later run signs
    // him in and finds it in his account switcher.
    match sign_in_bob(&dir)? {
        None => first_run(&dir, &notifier).map_err(|e| {
            format!("{e} (a file left by an unfinished run? delete it to start over)")
        })?,
        Some(bob) => later_run(&dir, bob)?,
    }
    println!("== Run it again to carry on; delete the file to start over");
    Ok(())
}

/// Signs bob in, as the portal's login page would: his contact, or `None`
/// when there is no such login yet (or his password does not match).
fn sign_in_bob(dir: &Directory) -> Result<Option<ContactId>> {
    let pw = Password::new(BOB_PASSWORD);
    let outcome = dir.sign_in(&SignInRequest::new("bob", &pw, "192.0.2.20".parse()?))?;
    let Some(grant) = outcome.session() else {
        return Ok(None);
    };
    dir.sign_out(&grant.token)?;
    Ok(Some(grant.contact))
}

/// A later run: bob's account switcher shows the account he owns; its
/// contacts and its audit log are as the earlier runs left them.
fn later_run(dir: &Directory, bob: ContactId) -> Result<()> {
    let owner = Actor::contact(bob);
    println!("== Bob, the owner from an earlier run, signs in; his account switcher (I5):");
    let mut owned = None;
    for m in dir.my_accounts(&owner)? {
        let role = if m.owner { "owner" } else { "contact" };
        println!("   {:<12} {role}", m.account_name);
        if m.owner {
            owned = Some(m.account);
        }
    }
    let acct = owned.ok_or("bob owns no account: delete the file to start over")?;
    let view = dir.account(&owner, acct)?;
    let login = format!("visitor{}", view.contacts);
    let added = dir.create_contact(
        &owner,
        acct,
        &NewContact::new(
            &login,
            Profile::new("A Visitor", format!("{login}@acme.example")),
        ),
    )?;
    println!("   bob adds {login}{}", cost(&added.charge));
    contacts_page(dir, &owner, acct)?;
    audit_tail(dir, &owner, acct, 4)
}

/// The first run: a portal's day from an empty directory.
fn first_run(dir: &Directory, notifier: &MemoryNotifier) -> Result<()> {
    println!("== The host creates an account and its owner in one step (A1)");
    let mut owner = Profile::new("Alice Owner", "alice@acme.example");
    owner.time_zone = "Europe/Paris".into();
    let mut account = NewAccount::new("Acme Corp", NewContact::new("alice", owner));
    account.plan = Plan {
        included_contacts: 3,
        additional_contact_price: Money::new(500, "USD"),
        ..Plan::default()
    };
    let created = dir.create_account(&Actor::System, &account)?;
    let (acct, alice) = (created.account, created.owner);
    let (alice_, sys) = (Actor::contact(alice), Actor::System);
    println!(
        "   Acme Corp, owned by alice; 3 contacts included, then {} each (A7)",
        account.plan.additional_contact_price
    );

    println!("== The owner adds contacts with roles (B1, C1)");
    let mut bob = Profile::new("Bob Manager", "bob@acme.example");
    bob.time_zone = "America/New_York".into();
    let bob = dir
        .create_contact(
            &alice_,
            acct,
            &NewContact::new("bob", bob)
                .with_roles(RoleSet::of(&[Role::ContactManager]))
                .with_password(Password::new(BOB_PASSWORD)),
        )?
        .contact;
    let mut carol = Profile::new("Carol Tech", "carol@acme.example");
    carol.business_phone = Some("+1 555 0102".into());
    carol.time_zone = "Asia/Kolkata".into();
    let carol = dir
        .create_contact(
            &Actor::contact(bob),
            acct,
            &NewContact::new("carol", carol).with_password(Password::new(CAROL_PASSWORD)),
        )?
        .contact;
    let dave = dir.create_contact(
        &Actor::contact(bob),
        acct,
        &NewContact::new("dave", Profile::new("Dave", "dave@acme.example")),
    )?;
    println!(
        "   bob (contact manager), carol, dave{}",
        cost(&dave.charge)
    );

    println!("== Bob manages contacts, but cannot grant a role he lacks (C6)");
    let tech = RoleSet::of(&[Role::TechnicalAdmin]);
    if let Err(e) = dir.set_roles(&Actor::contact(bob), acct, carol, tech, &TechScope::All) {
        println!("   refused: {e} (rule {})", e.rule().unwrap_or("-"));
    }
    dir.set_roles(
        &alice_,
        acct,
        carol,
        tech,
        &TechScope::only(["users", "reports"]),
    )?;
    let menu: Vec<&str> = dir
        .access(&Actor::contact(carol), acct)?
        .permissions()
        .iter()
        .map(Permission::name)
        .collect();
    println!(
        "   alice makes carol a technical administrator: {}",
        menu.join(", ")
    );

    println!("== Carol fills in a computer's properties (seed 000: H1, H4, H5)");
    let new_user = {
        let mut p = Profile::new("Erin Ops", "erin@acme.example");
        p.business_phone = Some("+1 555 0105".into());
        NewContact::new("erin", p)
    };
    let tech_ = Actor::contact(carol);
    let made =
        dir.add_resource_with_new_primary(&tech_, acct, "computer", "pc-1", &new_user, None)?;
    println!("   New User: erin is created as pc-1's primary technical contact, in one step");
    let secondary = DutyTarget::Technical(made.resource, Rank::Secondary);
    if let Err(e) = dir.designate(&tech_, acct, dave.contact, secondary, &DutyInfo::default()) {
        println!("   dave as secondary: {e}: the form asks for it");
    }
    let info = DutyInfo {
        business_phone: Some("+1 555 0104".into()),
        ..DutyInfo::default()
    };
    dir.designate(&tech_, acct, dave.contact, secondary, &info)?;
    println!("   with his business phone supplied, dave is pc-1's secondary");

    println!("== Sign-in, a lock that others cause, and a device token (D5, E2, D10)");
    dir.set_lock_policy(&alice_, acct, Some(LockPolicy { max_attempts: 3 }))?;
    let (pw, here) = (Password::new(CAROL_PASSWORD), "192.0.2.10".parse()?);
    let asked = SignInRequest {
        remember_device: true,
        ..SignInRequest::new("carol", &pw, here)
    };
    let laptop = match dir.sign_in(&asked)? {
        SignInOutcome::SignedIn(g) => {
            dir.sign_out(&g.token)?;
            g.device_token
        }
        other => return Err(format!("carol could not sign in: {}", other.name()).into()),
    };
    println!("   carol signs in from her laptop, which keeps a device token");
    notifier.take();
    let guess = Password::new("a wrong guess");
    for _ in 0..4 {
        let o = dir.sign_in(&SignInRequest::new(
            "carol",
            &guess,
            "198.51.100.7".parse()?,
        ))?;
        println!("   someone else guesses: {}", o.name());
    }
    for n in notifier.take() {
        println!("   carol is told: {}", n.body);
    }
    let o = dir.sign_in(&SignInRequest::new("carol", &pw, here))?;
    println!("   carol, from a new browser: {}", o.name());
    let o = dir.sign_in(&SignInRequest {
        device_token: laptop.as_ref(),
        ..SignInRequest::new("carol", &pw, here)
    })?;
    println!("   carol, from her laptop: {}", o.name());
    if let Some(s) = o.session() {
        dir.sign_out(&s.token)?;
    }
    dir.lock_contact(&Actor::contact(bob), acct, dave.contact)?;
    println!("   bob locks dave by hand (E6)");
    contacts_page(dir, &Actor::contact(bob), acct)?;
    dir.unlock_contact(&alice_, acct, carol)?;
    println!("   the owner ends carol's lock (E5)");

    println!("== Nobody but the owner touches the owner (A6)");
    let refused = dir.update_contact(
        &Actor::contact(bob),
        acct,
        alice,
        &ProfileUpdate {
            email: Some("bob-again@acme.example".into()),
            ..Default::default()
        },
    );
    if let Err(e) = refused {
        println!("   refused: {e} (rule {})", e.rule().unwrap_or("-"));
    }

    println!("== Ownership moves to Bob (A3); both are told");
    notifier.take();
    dir.transfer_ownership(&alice_, acct, bob)?;
    for n in notifier.take() {
        println!("   to {}: {}", n.to.join(", "), n.subject);
    }
    dir.delete_contact(&Actor::contact(bob), acct, alice)?;
    println!("   the former owner can now be deleted (A5)");
    let billing = dir.send_billing_notice(&sys, acct, "Your invoice is ready", "5.00 USD")?;
    if billing == Some(bob) {
        println!("   billing notices go to the owner until a billing contact is set (H7)");
    }

    println!("== The audit log, as carol reads it (in her zone, I3), and as CSV (J2)");
    audit_tail(dir, &Actor::contact(carol), acct, 3)?;
    let mut csv = Vec::new();
    let rows = dir.export_audit_csv(&tech_, acct, &AuditQuery::default(), &mut csv)?;
    for line in String::from_utf8(csv)?.lines().take(3) {
        println!("   {line}");
    }
    println!("   ... {rows} entries");
    Ok(())
}

/// What adding a contact costs, as a person reads it.
fn cost(charge: &Option<Money>) -> String {
    match charge {
        Some(m) => format!(" (beyond the plan: {m})"),
        None => String::new(),
    }
}

/// Seed 004's Account Contacts page: the contacts by name, the owner and
/// the padlocks (E7).
fn contacts_page(dir: &Directory, actor: &Actor, acct: AccountId) -> Result<()> {
    let query = ContactQuery {
        sort: ContactSort::Name,
        ..ContactQuery::default()
    };
    println!("   the Account Contacts page:");
    for c in dir.search_contacts(actor, acct, &query)?.contacts {
        let padlock = match c.lock.map(|l| l.kind) {
            Some(LockKind::Automatic) => "locked (too many failures)",
            Some(LockKind::Manual) => "locked by hand",
            None => "",
        };
        let role = if c.owner { "owner" } else { "" };
        println!(
            "   {:<12} {:<24} {role:<6} {padlock}",
            c.login, c.profile.email
        );
    }
    Ok(())
}

/// The last entries of the audit log, at the reader's local time, and the
/// state of its hash chain (J3).
fn audit_tail(dir: &Directory, actor: &Actor, acct: AccountId, n: usize) -> Result<()> {
    let entries = dir.audit_entries(actor, acct, &AuditQuery::default())?;
    for e in entries.iter().rev().take(n).rev() {
        println!(
            "   #{} {} {} by {}",
            e.seq, e.at_local, e.operation, e.actor
        );
    }
    match dir.verify_audit(actor, acct)? {
        AuditVerification::Intact { entries } => println!("   chain intact: {entries} entries"),
        broken => println!("   chain BROKEN: {broken:?}"),
    }
    Ok(())
}
