//! A portal's day with contactkeeper: accounts, contacts, roles, ownership
//! and the audit log, kept in a SQLite file. Run it twice: the second run
//! finds the account the first one made and carries on.
//!
//! Run it with `cargo run --example quickstart [FILE]` (by default
//! `contactkeeper-quickstart.db` in the system's temporary directory).

use std::path::PathBuf;
use std::sync::Arc;

use contactkeeper::{
    login_key, AccountId, Actor, AuditQuery, AuditVerification, ContactId, Directory, LockPolicy,
    MemoryNotifier, Money, NewAccount, NewContact, Password, Permission, Plan, Profile,
    ProfileUpdate, Role, RoleSet, SignInOutcome, SignInRequest, SqliteStore, TechScope,
};

/// Carol's password in this demo.
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

    // The first run ends with bob owning the account; a later run finds it
    // by his login.
    match account_owned_by(&dir, "bob")? {
        None => first_run(&dir, &notifier).map_err(|e| {
            format!("{e} (a file left by an unfinished run? delete it to start over)")
        })?,
        Some((acct, bob)) => later_run(&dir, acct, bob)?,
    }
    println!("== Run it again to carry on; delete the file to start over");
    Ok(())
}

/// The account that the contact with this login owns, if any.
fn account_owned_by(dir: &Directory, login: &str) -> Result<Option<(AccountId, ContactId)>> {
    let Some(contact) = dir.store().contact_by_login(&login_key(login)?)? else {
        return Ok(None);
    };
    for m in dir.store().memberships_of(contact.id)? {
        if dir.account(&Actor::System, m.account)?.owner == contact.id {
            return Ok(Some((m.account, contact.id)));
        }
    }
    Ok(None)
}

/// A later run: the account, its contacts and its audit log are as the
/// earlier runs left them; the owner adds one more contact.
fn later_run(dir: &Directory, acct: AccountId, bob: ContactId) -> Result<()> {
    let owner = Actor::contact(bob);
    let view = dir.account(&owner, acct)?;
    println!(
        "== Found {} ({acct}) from an earlier run: {} contacts, owned by bob",
        view.name, view.contacts
    );
    let login = format!("visitor{}", view.contacts);
    dir.create_contact(
        &owner,
        acct,
        &NewContact::new(
            &login,
            Profile::new("A Visitor", format!("{login}@acme.example")),
        ),
    )?;
    println!("   bob adds {login}; the contacts now:");
    for c in dir.list_contacts(&owner, acct, None, 100)? {
        let role = if c.owner { "owner" } else { "contact" };
        println!("   {:<10} {role:<8} {}", c.login, c.profile.email);
    }
    let entries = dir.audit_entries(&owner, acct, &AuditQuery::default())?;
    println!(
        "== The audit log kept every run's entries ({}):",
        entries.len()
    );
    for e in entries.iter().rev().take(4).rev() {
        println!("   #{} {} by {}", e.seq, e.operation, e.actor);
    }
    match dir.verify_audit(&owner, acct)? {
        AuditVerification::Intact { entries } => println!("   chain intact: {entries} entries"),
        broken => println!("   chain BROKEN: {broken:?}"),
    }
    Ok(())
}

/// The first run: a portal's day from an empty directory.
fn first_run(dir: &Directory, notifier: &MemoryNotifier) -> Result<()> {
    println!("== The host creates an account and its owner in one step (A1)");
    let mut account = NewAccount::new(
        "Acme Corp",
        NewContact::new("alice", Profile::new("Alice Owner", "alice@acme.example")),
    );
    account.plan = Plan {
        included_contacts: 3,
        additional_contact_price: Money::new(500, "USD"),
        ..Plan::default()
    };
    let created = dir.create_account(&Actor::System, &account)?;
    let (acct, alice) = (created.account, created.owner);
    println!("   account {acct}, owner {alice}");

    println!("== The owner adds contacts with roles (B1, C1)");
    let bob = dir
        .create_contact(
            &Actor::contact(alice),
            acct,
            &NewContact::new("bob", Profile::new("Bob Manager", "bob@acme.example"))
                .with_roles(RoleSet::of(&[Role::ContactManager])),
        )?
        .contact;
    let carol = dir
        .create_contact(
            &Actor::contact(bob),
            acct,
            &NewContact::new("carol", Profile::new("Carol Tech", "carol@acme.example"))
                .with_password(Password::new(CAROL_PASSWORD)),
        )?
        .contact;
    let dave = dir.create_contact(
        &Actor::contact(bob),
        acct,
        &NewContact::new("dave", Profile::new("Dave", "dave@acme.example")),
    )?;
    println!(
        "   bob {bob}, carol {carol}, dave {} (beyond the plan: costs {:?}, A7)",
        dave.contact, dave.charge
    );

    println!("== Bob manages contacts, but cannot grant a role he lacks (C6)");
    let refused = dir.set_roles(
        &Actor::contact(bob),
        acct,
        carol,
        RoleSet::of(&[Role::TechnicalAdmin]),
        &TechScope::All,
    );
    if let Err(e) = refused {
        println!("   refused: {e}");
    }
    dir.set_roles(
        &Actor::contact(alice),
        acct,
        carol,
        RoleSet::of(&[Role::TechnicalAdmin]),
        &TechScope::only(["users", "reports"]),
    )?;
    let menu: Vec<Permission> = dir
        .access(&Actor::contact(carol), acct)?
        .permissions()
        .iter()
        .collect();
    println!("   carol may: {menu:?}");

    println!("== Sign-in, a lock that others cause, and a device token (D5, E2, D10)");
    dir.set_lock_policy(
        &Actor::contact(alice),
        acct,
        Some(LockPolicy { max_attempts: 3 }),
    )?;
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
    let guess = Password::new("a wrong guess");
    for _ in 0..4 {
        let o = dir.sign_in(&SignInRequest::new(
            "carol",
            &guess,
            "198.51.100.7".parse()?,
        ))?;
        println!("   someone else guesses: {}", o.name());
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
    dir.unlock_contact(&Actor::contact(alice), acct, carol)?;
    println!("   the owner ends the lock (E5)");

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
        println!("   refused: {e}");
    }

    println!("== Ownership moves to Bob (A3); both are told");
    dir.transfer_ownership(&Actor::contact(alice), acct, bob)?;
    for n in notifier.take() {
        println!("   to {:?}: {}", n.to, n.subject);
    }
    dir.delete_contact(&Actor::contact(bob), acct, alice)?;
    println!("   the former owner can now be deleted (A5)");

    println!("== The audit log, as CSV (J2), and its hash chain (J3)");
    let mut csv = Vec::new();
    let rows = dir.export_audit_csv(
        &Actor::contact(carol),
        acct,
        &AuditQuery::default(),
        &mut csv,
    )?;
    for line in String::from_utf8(csv)?.lines().take(6) {
        println!("   {line}");
    }
    println!("   ... {rows} entries");
    match dir.verify_audit(&Actor::contact(carol), acct)? {
        AuditVerification::Intact { entries } => println!("   chain intact: {entries} entries"),
        broken => println!("   chain BROKEN: {broken:?}"),
    }
    Ok(())
}
