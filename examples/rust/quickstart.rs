//! A portal's day with contactkeeper, on the embedded in-memory store:
//! accounts, contacts, roles, ownership and the audit log.
//!
//! Run it with `cargo run --example quickstart`.

use std::sync::Arc;

use contactkeeper::{
    Actor, AuditQuery, AuditVerification, Directory, MemoryNotifier, MemoryStore, Money,
    NewAccount, NewContact, Permission, Plan, Profile, ProfileUpdate, Role, RoleSet, TechScope,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let notifier = Arc::new(MemoryNotifier::new());
    let dir = Directory::builder(Arc::new(MemoryStore::new()))
        .notifier(notifier.clone())
        .build();

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
            &NewContact::new("carol", Profile::new("Carol Tech", "carol@acme.example")),
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
