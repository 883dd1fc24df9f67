//! The PostgreSQL store (feature `postgres`): one directory shared by the
//! many servers of a portal.
//!
//! Records are kept as the SQLite store keeps them (the fields a query
//! needs in columns, the rest as a JSON document, with the same encoding
//! code), on a pool of connections (r2d2). Every commit is one transaction
//! that validates the versions it read with conditional writes and row
//! locks (`FOR SHARE` for what it only relies on), so several servers
//! committing at once never both win: the loser gets
//! [`StoreError::Conflict`] and the Directory retries it. An audit chain's
//! next entry is unique by (chain, seq): two servers appending the same
//! entry conflict instead of forking the chain.

use std::time::Duration;

use postgres::error::SqlState;
use postgres::NoTls;
use r2d2_postgres::PostgresConnectionManager;
use time::OffsetDateTime;

use super::sqlite::{
    audit_range, bound, chain_of, decode_account, decode_audit, decode_contact, decode_membership,
    decode_outbox, decode_resource, decode_session, decode_throttle, doc_of, epoch, hash_of, int,
    limit, nanos, param, uint, Bound, ACCOUNT_COLUMNS, CONTACT_COLUMNS, DIRECTORY_CHAIN,
    MEMBERSHIP_COLUMNS, NOTIFICATION_COLUMNS, RESOURCE_COLUMNS, SESSION_COLUMNS, THROTTLE_COLUMNS,
};
use super::{
    AccountRecord, AccountWrite, Changeset, Check, ContactRecord, ContactSort, ContactWrite,
    DirectoryHead, MembershipRecord, MembershipWrite, ResourceRecord, ResourceWrite, SessionWrite,
    Settlement, Store, StoreError, ThrottleRecord,
};
use crate::audit::{AuditEntry, AuditQuery, ChainHead, Operation};
use crate::credentials::SessionRecord;
use crate::error::Entity;
use crate::ids::{AccountId, ContactId, NotificationId, ResourceId};
use crate::notify::OutboxItem;

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;
type Conn = r2d2::PooledConnection<PostgresConnectionManager<NoTls>>;

/// The schema, one migration per version; opening a database applies the
/// ones it lacks in one transaction.
const MIGRATIONS: &[&str] = &["CREATE TABLE accounts (
        id          BIGINT PRIMARY KEY,
        version     BIGINT NOT NULL,
        created_at  BIGINT NOT NULL,
        audit_seq   BIGINT NOT NULL,
        audit_hash  BYTEA NOT NULL,
        doc         TEXT NOT NULL
    );
    CREATE TABLE contacts (
        id          BIGINT PRIMARY KEY,
        login_key   TEXT NOT NULL,
        version     BIGINT NOT NULL,
        created_at  BIGINT NOT NULL,
        name_key    TEXT,
        email_key   TEXT,
        doc         TEXT NOT NULL,
        CONSTRAINT contacts_login_unique UNIQUE (login_key)
    );
    CREATE TABLE memberships (
        account     BIGINT NOT NULL,
        contact     BIGINT NOT NULL,
        since       BIGINT NOT NULL,
        doc         TEXT NOT NULL,
        name_key    TEXT,
        login_key   TEXT,
        email_key   TEXT,
        PRIMARY KEY (account, contact)
    );
    CREATE INDEX memberships_by_contact ON memberships (contact, account);
    CREATE INDEX memberships_by_name ON memberships (account, name_key, contact);
    CREATE INDEX memberships_by_login ON memberships (account, login_key, contact);
    CREATE INDEX memberships_by_email ON memberships (account, email_key, contact);
    CREATE TABLE audit (
        chain       BIGINT NOT NULL,
        seq         BIGINT NOT NULL,
        at          BIGINT NOT NULL,
        actor       TEXT NOT NULL,
        operation   TEXT NOT NULL,
        target      TEXT,
        outcome     TEXT NOT NULL,
        fields      TEXT NOT NULL,
        detail      TEXT,
        prev_hash   BYTEA NOT NULL,
        hash        BYTEA NOT NULL,
        PRIMARY KEY (chain, seq)
    );
    CREATE TABLE directory_head (
        singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
        seq         BIGINT NOT NULL,
        hash        BYTEA NOT NULL,
        version     BIGINT NOT NULL,
        base_seq    BIGINT NOT NULL,
        base_hash   BYTEA NOT NULL
    );
    INSERT INTO directory_head (singleton, seq, hash, version, base_seq, base_hash)
        VALUES (1, 0, '\\x0000000000000000000000000000000000000000000000000000000000000000', 0,
                0, '\\x0000000000000000000000000000000000000000000000000000000000000000');
    CREATE TABLE outbox (
        id          BIGINT PRIMARY KEY,
        due         BIGINT NOT NULL,
        attempts    BIGINT NOT NULL,
        at          BIGINT NOT NULL,
        doc         TEXT NOT NULL
    );
    CREATE INDEX outbox_by_due ON outbox (due, id);
    CREATE TABLE sessions (
        key         BYTEA PRIMARY KEY,
        contact     BIGINT NOT NULL,
        account     BIGINT NOT NULL,
        created_at  BIGINT NOT NULL,
        last_seen   BIGINT NOT NULL,
        doc         TEXT NOT NULL
    );
    CREATE INDEX sessions_by_last_seen ON sessions (last_seen);
    CREATE INDEX sessions_by_created ON sessions (created_at);
    CREATE TABLE resources (
        id                BIGINT PRIMARY KEY,
        account           BIGINT NOT NULL,
        primary_contact   BIGINT NOT NULL,
        secondary_contact BIGINT,
        created_at        BIGINT NOT NULL,
        doc               TEXT NOT NULL
    );
    CREATE INDEX resources_by_account ON resources (account, id);
    CREATE INDEX resources_by_primary ON resources (account, primary_contact);
    CREATE INDEX resources_by_secondary ON resources (account, secondary_contact);
    CREATE TABLE throttle (
        key         BYTEA PRIMARY KEY,
        version     BIGINT NOT NULL,
        expires     BIGINT NOT NULL,
        doc         TEXT NOT NULL
    );
    CREATE INDEX throttle_by_expiry ON throttle (expires);"];

/// The advisory lock under which a database is migrated (one opener at a
/// time).
const MIGRATION_LOCK: i64 = 0x636b_7067;

/// A [`Store`] on a PostgreSQL database (13 or later), shared by any
/// number of processes and servers.
pub struct PostgresStore {
    pool: Pool,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: it may hold a password.
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host/db`,
    /// or `host=/run/postgresql dbname=…`), creating or upgrading its schema
    /// in one transaction. A malformed URL, a refused connection or a wrong
    /// password is [`StoreError::CannotOpen`], whose message never holds the
    /// password; a database made by a newer library is
    /// [`StoreError::SchemaTooNew`].
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        // Not the parser's message: it may quote the URL, password included.
        let config: postgres::Config = url.parse().map_err(|_: postgres::Error| {
            StoreError::CannotOpen("a malformed PostgreSQL URL".into())
        })?;
        // One connection first: a refused one or a wrong password answers
        // at once, not after the pool's timeout.
        config.connect(NoTls).map_err(|e| {
            StoreError::CannotOpen(format!("cannot connect to PostgreSQL: {}", redact(&e)))
        })?;
        let manager = PostgresConnectionManager::new(config, NoTls);
        let pool = r2d2::Pool::builder()
            .max_size(8)
            .connection_timeout(Duration::from_secs(10))
            .build(manager)
            .map_err(|e| StoreError::CannotOpen(format!("PostgreSQL: {e}")))?;
        let store = PostgresStore { pool };
        store.migrate()?;
        Ok(store)
    }

    fn conn(&self) -> Result<Conn, StoreError> {
        self.pool
            .get()
            .map_err(|e| StoreError::Backend(format!("no PostgreSQL connection: {e}")))
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().map_err(backend)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(backend)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS contactkeeper_schema (version INTEGER NOT NULL)",
        )
        .map_err(backend)?;
        let found: Option<i32> = tx
            .query_opt("SELECT version FROM contactkeeper_schema", &[])
            .map_err(backend)?
            .map(|r| r.get(0));
        let supported = MIGRATIONS.len() as u32;
        let found = u32::try_from(found.unwrap_or(0))
            .map_err(|_| StoreError::NotADatabase("a negative schema version".into()))?;
        if found > supported {
            return Err(StoreError::SchemaTooNew { found, supported });
        }
        for sql in MIGRATIONS.iter().skip(found as usize) {
            tx.batch_execute(sql).map_err(backend)?;
        }
        let v = supported as i32;
        tx.execute("DELETE FROM contactkeeper_schema", &[])
            .map_err(backend)?;
        tx.execute(
            "INSERT INTO contactkeeper_schema (version) VALUES ($1)",
            &[&v],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)
    }
}

/// An error's text without anything that could be a password.
fn redact(e: &postgres::Error) -> String {
    let text = match e.as_db_error() {
        Some(d) => format!("{} ({})", d.message(), d.code().code()),
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    };
    if text.to_ascii_lowercase().contains("password") {
        "the connection's settings are not valid".into()
    } else {
        text
    }
}

/// A PostgreSQL error as a store error: a lost race (a unique key taken by
/// another transaction, a deadlock, a serialization failure) is a
/// conflict to retry.
fn backend(e: postgres::Error) -> StoreError {
    match e.code() {
        Some(c)
            if *c == SqlState::T_R_DEADLOCK_DETECTED
                || *c == SqlState::T_R_SERIALIZATION_FAILURE
                || *c == SqlState::UNIQUE_VIOLATION =>
        {
            StoreError::Conflict
        }
        Some(c) if *c == SqlState::DISK_FULL => StoreError::Full,
        _ => StoreError::Backend(redact(&e)),
    }
}

fn one_row(changed: u64) -> Result<(), StoreError> {
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

fn members_sql(order: ContactSort) -> Option<&'static str> {
    Some(match order {
        ContactSort::Name => sql::MEMBERS_BY_NAME,
        ContactSort::Login => sql::MEMBERS_BY_LOGIN,
        ContactSort::Email => sql::MEMBERS_BY_EMAIL,
        _ => return None,
    })
}

fn member_row(r: &postgres::Row) -> Result<(MembershipRecord, ContactRecord), StoreError> {
    let m = decode_membership((r.get(0), r.get(1), r.get(2), r.get(3)))?;
    let c = decode_contact((r.get(4), r.get(5), r.get(6), r.get(7), r.get(8)))?;
    Ok((m, c))
}

fn resource_of(r: &postgres::Row) -> Result<ResourceRecord, StoreError> {
    decode_resource((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
}

mod sql {
    pub(super) const ACCOUNT_BY_ID: &str =
        "SELECT id, version, created_at, audit_seq, audit_hash, doc FROM accounts WHERE id = $1";
    pub(super) const CONTACT_BY_ID: &str =
        "SELECT id, login_key, version, created_at, doc FROM contacts WHERE id = $1";
    pub(super) const CONTACT_BY_LOGIN: &str =
        "SELECT id, login_key, version, created_at, doc FROM contacts WHERE login_key = $1";
    pub(super) const MEMBERSHIP_BY_KEY: &str =
        "SELECT account, contact, since, doc FROM memberships WHERE account = $1 AND contact = $2";
    pub(super) const MEMBERSHIPS_OF: &str =
        "SELECT account, contact, since, doc FROM memberships WHERE contact = $1 ORDER BY account";
    pub(super) const MEMBERS_PAGE: &str = "SELECT m.account, m.contact, m.since, m.doc,
                c.id, c.login_key, c.version, c.created_at, c.doc
         FROM memberships m JOIN contacts c ON c.id = m.contact
         WHERE m.account = $1 AND m.contact > $2
         ORDER BY m.contact LIMIT $3";
    pub(super) const MEMBERS_BY_NAME: &str = "SELECT m.account, m.contact, m.since, m.doc,
                c.id, c.login_key, c.version, c.created_at, c.doc
         FROM memberships m JOIN contacts c ON c.id = m.contact
         WHERE m.account = $1 AND (m.name_key, m.contact) > ($2, $3)
         ORDER BY m.name_key, m.contact LIMIT $4";
    pub(super) const MEMBERS_BY_LOGIN: &str = "SELECT m.account, m.contact, m.since, m.doc,
                c.id, c.login_key, c.version, c.created_at, c.doc
         FROM memberships m JOIN contacts c ON c.id = m.contact
         WHERE m.account = $1 AND (m.login_key, m.contact) > ($2, $3)
         ORDER BY m.login_key, m.contact LIMIT $4";
    pub(super) const MEMBERS_BY_EMAIL: &str = "SELECT m.account, m.contact, m.since, m.doc,
                c.id, c.login_key, c.version, c.created_at, c.doc
         FROM memberships m JOIN contacts c ON c.id = m.contact
         WHERE m.account = $1 AND (m.email_key, m.contact) > ($2, $3)
         ORDER BY m.email_key, m.contact LIMIT $4";
    pub(super) const DIRECTORY_HEAD: &str =
        "SELECT seq, hash, version, base_seq, base_hash FROM directory_head WHERE singleton = 1";
    pub(super) const AUDIT_PRUNE: &str = "DELETE FROM audit WHERE chain = $1 AND seq <= $2";
    pub(super) const AUDIT_PAGE: &str =
        "SELECT seq, at, actor, operation, target, outcome, fields, detail, prev_hash, hash
         FROM audit
         WHERE chain = $1 AND seq > $2
           AND ($3::BIGINT IS NULL OR at >= $3) AND ($4::BIGINT IS NULL OR at < $4)
           AND ($5::TEXT IS NULL OR actor = $5) AND ($6::TEXT IS NULL OR operation = $6)
         ORDER BY seq LIMIT $7";
    pub(super) const OUTBOX_DUE: &str =
        "SELECT id, due, attempts, at, doc FROM outbox WHERE due <= $1 ORDER BY due, id LIMIT $2";
    pub(super) const OUTBOX_DELETE: &str = "DELETE FROM outbox WHERE id = $1";
    pub(super) const OUTBOX_RETRY: &str = "UPDATE outbox SET attempts = $2, due = $3 WHERE id = $1";
    pub(super) const ACCOUNT_VERSION: &str = "SELECT version FROM accounts WHERE id = $1 FOR SHARE";
    pub(super) const CONTACT_VERSION: &str = "SELECT version FROM contacts WHERE id = $1 FOR SHARE";
    pub(super) const HEAD_UPDATE: &str =
        "UPDATE directory_head SET seq = $1, hash = $2, base_seq = $4, base_hash = $5,
                                  version = version + 1
         WHERE singleton = 1 AND version = $3";
    pub(super) const ACCOUNT_INSERT: &str =
        "INSERT INTO accounts (id, version, created_at, audit_seq, audit_hash, doc)
         VALUES ($1, 1, $2, $3, $4, $5)";
    pub(super) const ACCOUNT_UPDATE: &str =
        "UPDATE accounts SET version = version + 1, created_at = $2, audit_seq = $3,
                             audit_hash = $4, doc = $5
         WHERE id = $1 AND version = $6";
    pub(super) const CONTACT_INSERT: &str =
        "INSERT INTO contacts (id, login_key, version, created_at, doc, name_key, email_key)
         VALUES ($1, $2, 1, $3, $4, $5, $6)";
    pub(super) const CONTACT_UPDATE: &str =
        "UPDATE contacts SET version = version + 1, created_at = $2, doc = $3,
                             name_key = $6, email_key = $7
         WHERE id = $1 AND version = $4 AND login_key = $5";
    pub(super) const MEMBERSHIP_SORT_KEYS: &str =
        "UPDATE memberships SET name_key = $2, login_key = $3, email_key = $4
         WHERE contact = $1
           AND (name_key IS DISTINCT FROM $2 OR login_key IS DISTINCT FROM $3
                OR email_key IS DISTINCT FROM $4)";
    pub(super) const CONTACT_DELETE: &str = "DELETE FROM contacts WHERE id = $1 AND version = $2";
    pub(super) const MEMBERSHIP_PUT: &str =
        "INSERT INTO memberships (account, contact, since, doc, name_key, login_key, email_key)
         SELECT $1, $2, $3, $4, c.name_key, c.login_key, c.email_key
         FROM contacts c WHERE c.id = $2
         ON CONFLICT (account, contact) DO UPDATE SET since = $3, doc = $4";
    pub(super) const MEMBERSHIP_DELETE: &str =
        "DELETE FROM memberships WHERE account = $1 AND contact = $2";
    pub(super) const AUDIT_LAST: &str =
        "SELECT seq FROM audit WHERE chain = $1 ORDER BY seq DESC LIMIT 1";
    pub(super) const AUDIT_INSERT: &str =
        "INSERT INTO audit (chain, seq, at, actor, operation, target, outcome, fields,
                            detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    pub(super) const OUTBOX_PUT: &str =
        "INSERT INTO outbox (id, due, attempts, at, doc) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET due = $2, attempts = $3, at = $4, doc = $5";
    pub(super) const SESSION_BY_KEY: &str =
        "SELECT key, contact, account, created_at, last_seen, doc FROM sessions WHERE key = $1";
    pub(super) const SESSION_TOUCH: &str = "UPDATE sessions SET last_seen = $2 WHERE key = $1";
    pub(super) const SESSION_PUT: &str =
        "INSERT INTO sessions (key, contact, account, created_at, last_seen, doc)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (key) DO UPDATE SET contact = $2, account = $3, created_at = $4,
                                         last_seen = $5, doc = $6";
    pub(super) const SESSION_DELETE: &str = "DELETE FROM sessions WHERE key = $1";
    pub(super) const SESSION_PURGE_IDLE: &str = "DELETE FROM sessions WHERE last_seen < $1";
    pub(super) const SESSION_PURGE_OLD: &str = "DELETE FROM sessions WHERE created_at < $1";
    pub(super) const THROTTLE_BY_KEY: &str = "SELECT version, doc FROM throttle WHERE key = $1";
    pub(super) const THROTTLE_INSERT: &str =
        "INSERT INTO throttle (key, version, expires, doc) VALUES ($1, 1, $2, $3)
         ON CONFLICT (key) DO NOTHING";
    pub(super) const THROTTLE_UPDATE: &str =
        "UPDATE throttle SET version = version + 1, expires = $2, doc = $3
         WHERE key = $1 AND version = $4";
    pub(super) const THROTTLE_PURGE: &str = "DELETE FROM throttle WHERE expires < $1";
    pub(super) const RESOURCE_BY_ID: &str =
        "SELECT id, account, primary_contact, secondary_contact, created_at, doc
         FROM resources WHERE id = $1";
    pub(super) const RESOURCES_PAGE: &str =
        "SELECT id, account, primary_contact, secondary_contact, created_at, doc
         FROM resources WHERE account = $1 AND id > $2 ORDER BY id LIMIT $3";
    pub(super) const DUTIES_OF: &str =
        "SELECT id, account, primary_contact, secondary_contact, created_at, doc
         FROM resources
         WHERE account = $1 AND (primary_contact = $2 OR secondary_contact = $2)
         ORDER BY id";
    pub(super) const RESOURCE_PUT: &str =
        "INSERT INTO resources (id, account, primary_contact, secondary_contact, created_at, doc)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET account = $2, primary_contact = $3,
                                        secondary_contact = $4, created_at = $5, doc = $6";
    pub(super) const RESOURCE_DELETE: &str = "DELETE FROM resources WHERE id = $1";
}

// ----- the commit -----

type Tx<'a> = postgres::Transaction<'a>;

fn apply(tx: &mut Tx<'_>, c: &Changeset) -> Result<(), StoreError> {
    for check in &c.checks {
        let (statement, id, version) = match *check {
            Check::Account(id, v) => (sql::ACCOUNT_VERSION, id.get(), v),
            Check::Contact(id, v) => (sql::CONTACT_VERSION, id.get(), v),
        };
        let current: Option<i64> = tx
            .query_opt(statement, &[&param(id)])
            .map_err(backend)?
            .map(|r| r.get(0));
        if current.and_then(|v| u64::try_from(v).ok()) != Some(version) {
            return Err(StoreError::Conflict);
        }
    }
    if let Some(h) = &c.directory_head {
        let seq = int("audit seq", h.head.seq)?;
        let base = int("audit seq", h.base.seq)?;
        let changed = tx
            .execute(
                sql::HEAD_UPDATE,
                &[
                    &seq,
                    &&h.head.hash[..],
                    &param(h.version),
                    &base,
                    &&h.base.hash[..],
                ],
            )
            .map_err(backend)?;
        one_row(changed)?;
    }
    for w in &c.accounts {
        let (a, insert) = match w {
            AccountWrite::Insert(a) => (a, true),
            AccountWrite::Update(a) => (a, false),
        };
        let id = int("account id", a.id.get())?;
        let created_at = nanos(a.created_at)?;
        let seq = int("audit seq", a.audit_head.seq)?;
        let mut plain = a.clone();
        plain.created_at = epoch();
        let doc = doc_of("an account", &plain, ACCOUNT_COLUMNS)?;
        let hash = &a.audit_head.hash[..];
        if insert {
            tx.execute(sql::ACCOUNT_INSERT, &[&id, &created_at, &seq, &hash, &doc])
                .map_err(|e| duplicate(e, Entity::Account))?;
        } else {
            let changed = tx
                .execute(
                    sql::ACCOUNT_UPDATE,
                    &[&id, &created_at, &seq, &hash, &doc, &param(a.version)],
                )
                .map_err(backend)?;
            one_row(changed)?;
        }
    }
    for w in &c.contacts {
        match w {
            ContactWrite::Insert(r) | ContactWrite::Update(r) => {
                let id = int("contact id", r.id.get())?;
                let created_at = nanos(r.created_at)?;
                let mut plain = r.clone();
                plain.created_at = epoch();
                let doc = doc_of("a contact", &plain, CONTACT_COLUMNS)?;
                let name = ContactSort::Name.key_of(r);
                let email = ContactSort::Email.key_of(r);
                if matches!(w, ContactWrite::Insert(_)) {
                    tx.execute(
                        sql::CONTACT_INSERT,
                        &[&id, &r.login_key, &created_at, &doc, &name, &email],
                    )
                    .map_err(|e| {
                        let login = e
                            .as_db_error()
                            .and_then(|d| d.constraint())
                            .is_some_and(|c| c == "contacts_login_unique");
                        duplicate(
                            e,
                            if login {
                                Entity::Login
                            } else {
                                Entity::Contact
                            },
                        )
                    })?;
                } else {
                    let changed = tx
                        .execute(
                            sql::CONTACT_UPDATE,
                            &[
                                &id,
                                &created_at,
                                &doc,
                                &param(r.version),
                                &r.login_key,
                                &name,
                                &email,
                            ],
                        )
                        .map_err(backend)?;
                    one_row(changed)?;
                    tx.execute(
                        sql::MEMBERSHIP_SORT_KEYS,
                        &[&id, &name, &r.login_key, &email],
                    )
                    .map_err(backend)?;
                }
            }
            ContactWrite::Delete(id, version) => {
                let changed = tx
                    .execute(sql::CONTACT_DELETE, &[&param(id.get()), &param(*version)])
                    .map_err(backend)?;
                one_row(changed)?;
            }
        }
    }
    for w in &c.memberships {
        match w {
            MembershipWrite::Put(m) => {
                let account = int("account id", m.account.get())?;
                let contact = int("contact id", m.contact.get())?;
                let since = nanos(m.since)?;
                let mut plain = m.clone();
                plain.since = epoch();
                let doc = doc_of("a membership", &plain, MEMBERSHIP_COLUMNS)?;
                let changed = tx
                    .execute(sql::MEMBERSHIP_PUT, &[&account, &contact, &since, &doc])
                    .map_err(backend)?;
                one_row(changed)?;
            }
            MembershipWrite::Delete(account, contact) => {
                tx.execute(
                    sql::MEMBERSHIP_DELETE,
                    &[&param(account.get()), &param(contact.get())],
                )
                .map_err(backend)?;
            }
        }
    }
    let mut next_seq: Vec<(i64, u64)> = Vec::new();
    for e in &c.audit {
        let chain = chain_of(e.account)?;
        let expected = match next_seq.iter_mut().position(|(c, _)| *c == chain) {
            Some(i) => i,
            None => {
                let last: Option<i64> = tx
                    .query_opt(sql::AUDIT_LAST, &[&chain])
                    .map_err(backend)?
                    .map(|r| r.get(0));
                next_seq.push((chain, uint("audit seq", last.unwrap_or(0))? + 1));
                next_seq.len() - 1
            }
        };
        if e.seq != next_seq[expected].1 {
            return Err(StoreError::Conflict);
        }
        next_seq[expected].1 += 1;
        let seq = int("audit seq", e.seq)?;
        let at = nanos(e.at)?;
        let fields = serde_json::to_string(&e.fields)
            .map_err(|err| StoreError::Backend(format!("cannot encode audit fields: {err}")))?;
        tx.execute(
            sql::AUDIT_INSERT,
            &[
                &chain,
                &seq,
                &at,
                &e.actor,
                &e.operation.name(),
                &e.target,
                &e.outcome.label(),
                &fields,
                &e.detail,
                &&e.prev_hash[..],
                &&e.hash[..],
            ],
        )
        .map_err(backend)?;
    }
    if let Some(through) = c.prune_directory_audit {
        let seq = int("audit seq", through)?;
        tx.execute(sql::AUDIT_PRUNE, &[&DIRECTORY_CHAIN, &seq])
            .map_err(backend)?;
    }
    for item in &c.outbox {
        let n = &item.notification;
        let id = int("notification id", n.id.get())?;
        let due = nanos(item.next_attempt_at)?;
        let at = nanos(n.at)?;
        let mut plain = n.clone();
        plain.at = epoch();
        let doc = doc_of("a notification", &plain, NOTIFICATION_COLUMNS)?;
        let attempts = i64::from(item.attempts);
        tx.execute(sql::OUTBOX_PUT, &[&id, &due, &attempts, &at, &doc])
            .map_err(backend)?;
    }
    for w in &c.resources {
        match w {
            ResourceWrite::Put(r) => {
                let id = int("resource id", r.id.get())?;
                let account = int("account id", r.account.get())?;
                let primary = int("contact id", r.primary.get())?;
                let secondary = r
                    .secondary
                    .map(|c| int("contact id", c.get()))
                    .transpose()?;
                let created_at = nanos(r.created_at)?;
                let mut plain = r.clone();
                plain.created_at = epoch();
                let doc = doc_of("a resource", &plain, RESOURCE_COLUMNS)?;
                tx.execute(
                    sql::RESOURCE_PUT,
                    &[&id, &account, &primary, &secondary, &created_at, &doc],
                )
                .map_err(backend)?;
            }
            ResourceWrite::Delete(id) => {
                tx.execute(sql::RESOURCE_DELETE, &[&param(id.get())])
                    .map_err(backend)?;
            }
        }
    }
    for w in &c.sessions {
        match w {
            SessionWrite::Put(session) => {
                let contact = int("contact id", session.contact.get())?;
                let account = int("account id", session.account.get())?;
                let created_at = nanos(session.created_at)?;
                let last_seen = nanos(session.last_seen_at)?;
                let mut plain = session.clone();
                plain.created_at = epoch();
                plain.last_seen_at = epoch();
                let doc = doc_of("a session", &plain, SESSION_COLUMNS)?;
                tx.execute(
                    sql::SESSION_PUT,
                    &[
                        &&session.key[..],
                        &contact,
                        &account,
                        &created_at,
                        &last_seen,
                        &doc,
                    ],
                )
                .map_err(backend)?;
            }
            SessionWrite::Delete(key) => {
                tx.execute(sql::SESSION_DELETE, &[&&key[..]])
                    .map_err(backend)?;
            }
        }
    }
    for t in &c.throttle {
        let expires = nanos(t.expires_at()).unwrap_or(i64::MAX);
        let doc = doc_of("a throttle record", t, THROTTLE_COLUMNS)?;
        let changed = if t.version == 0 {
            tx.execute(sql::THROTTLE_INSERT, &[&&t.key[..], &expires, &doc])
        } else {
            tx.execute(
                sql::THROTTLE_UPDATE,
                &[&&t.key[..], &expires, &doc, &param(t.version)],
            )
        }
        .map_err(backend)?;
        one_row(changed)?;
    }
    Ok(())
}

/// An insert refused: a taken key is a duplicate of `entity`.
fn duplicate(e: postgres::Error, entity: Entity) -> StoreError {
    if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
        StoreError::Duplicate(entity)
    } else {
        backend(e)
    }
}

impl Store for PostgresStore {
    fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        let Ok(id) = int("account id", id.get()) else {
            return Ok(None);
        };
        let row = self
            .conn()?
            .query_opt(sql::ACCOUNT_BY_ID, &[&id])
            .map_err(backend)?;
        row.map(|r| decode_account((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5))))
            .transpose()
    }

    fn contact(&self, id: ContactId) -> Result<Option<ContactRecord>, StoreError> {
        let Ok(id) = int("contact id", id.get()) else {
            return Ok(None);
        };
        let row = self
            .conn()?
            .query_opt(sql::CONTACT_BY_ID, &[&id])
            .map_err(backend)?;
        row.map(|r| decode_contact((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))))
            .transpose()
    }

    fn contact_by_login(&self, login_key: &str) -> Result<Option<ContactRecord>, StoreError> {
        let row = self
            .conn()?
            .query_opt(sql::CONTACT_BY_LOGIN, &[&login_key])
            .map_err(backend)?;
        row.map(|r| decode_contact((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))))
            .transpose()
    }

    fn membership(
        &self,
        account: AccountId,
        contact: ContactId,
    ) -> Result<Option<MembershipRecord>, StoreError> {
        let (Ok(account), Ok(contact)) = (
            int("account id", account.get()),
            int("contact id", contact.get()),
        ) else {
            return Ok(None);
        };
        let row = self
            .conn()?
            .query_opt(sql::MEMBERSHIP_BY_KEY, &[&account, &contact])
            .map_err(backend)?;
        row.map(|r| decode_membership((r.get(0), r.get(1), r.get(2), r.get(3))))
            .transpose()
    }

    fn memberships_of(&self, contact: ContactId) -> Result<Vec<MembershipRecord>, StoreError> {
        let Ok(contact) = int("contact id", contact.get()) else {
            return Ok(Vec::new());
        };
        let rows = self
            .conn()?
            .query(sql::MEMBERSHIPS_OF, &[&contact])
            .map_err(backend)?;
        rows.iter()
            .map(|r| decode_membership((r.get(0), r.get(1), r.get(2), r.get(3))))
            .collect()
    }

    fn members(
        &self,
        account: AccountId,
        after: Option<ContactId>,
        limit_to: usize,
    ) -> Result<Vec<(MembershipRecord, ContactRecord)>, StoreError> {
        let Ok(account) = int("account id", account.get()) else {
            return Ok(Vec::new());
        };
        let after = match after.map(|c| int("contact id", c.get())) {
            None => -1,
            Some(Ok(c)) => c,
            Some(Err(_)) => return Ok(Vec::new()),
        };
        let rows = self
            .conn()?
            .query(sql::MEMBERS_PAGE, &[&account, &after, &limit(limit_to)])
            .map_err(backend)?;
        rows.iter().map(member_row).collect()
    }

    fn members_in_order(
        &self,
        account: AccountId,
        order: ContactSort,
        after: Option<(&str, ContactId)>,
        limit_to: usize,
    ) -> Result<Vec<(MembershipRecord, ContactRecord)>, StoreError> {
        let Some(statement) = members_sql(order) else {
            return self.members(account, after.map(|(_, id)| id), limit_to);
        };
        let Ok(account) = int("account id", account.get()) else {
            return Ok(Vec::new());
        };
        let (key, after) = match after {
            None => ("", -1),
            Some((key, id)) => match int("contact id", id.get()) {
                Ok(id) => (key, id),
                Err(_) => return Ok(Vec::new()),
            },
        };
        let rows = self
            .conn()?
            .query(statement, &[&account, &key, &after, &limit(limit_to)])
            .map_err(backend)?;
        rows.iter().map(member_row).collect()
    }

    fn directory_head(&self) -> Result<DirectoryHead, StoreError> {
        let r = self
            .conn()?
            .query_one(sql::DIRECTORY_HEAD, &[])
            .map_err(backend)?;
        let (seq, hash, version, base_seq, base_hash): (i64, Vec<u8>, i64, i64, Vec<u8>) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        Ok(DirectoryHead {
            head: ChainHead {
                seq: uint("directory head", seq)?,
                hash: hash_of("the directory head", &hash)?,
            },
            version: uint("directory head version", version)?,
            base: ChainHead {
                seq: uint("directory base", base_seq)?,
                hash: hash_of("the directory base", &base_hash)?,
            },
        })
    }

    fn audit(
        &self,
        chain: Option<AccountId>,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let Ok(chain_no) = chain_of(chain) else {
            return Ok(Vec::new());
        };
        let Some((from, until)) = audit_range(query) else {
            return Ok(Vec::new());
        };
        let after = i64::try_from(query.after_seq).unwrap_or(i64::MAX);
        let operation = query.operation.map(Operation::name);
        let rows = self
            .conn()?
            .query(
                sql::AUDIT_PAGE,
                &[
                    &chain_no,
                    &after,
                    &from,
                    &until,
                    &query.actor,
                    &operation,
                    &limit(query.limit),
                ],
            )
            .map_err(backend)?;
        rows.iter()
            .map(|r| {
                decode_audit(
                    chain,
                    (
                        r.get(0),
                        r.get(1),
                        r.get(2),
                        r.get(3),
                        r.get(4),
                        r.get(5),
                        r.get(6),
                        r.get(7),
                        r.get(8),
                        r.get(9),
                    ),
                )
            })
            .collect()
    }

    fn commit(&self, changes: &Changeset) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().map_err(backend)?;
        apply(&mut tx, changes)?;
        tx.commit().map_err(backend)
    }

    fn outbox(
        &self,
        due_by: Option<OffsetDateTime>,
        limit_to: usize,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let due = match due_by.map(bound) {
            None | Some(Bound::Above) => i64::MAX,
            Some(Bound::At(n)) => n,
            Some(Bound::Below) => return Ok(Vec::new()),
        };
        let rows = self
            .conn()?
            .query(sql::OUTBOX_DUE, &[&due, &limit(limit_to)])
            .map_err(backend)?;
        rows.iter()
            .map(|r| decode_outbox((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))))
            .collect()
    }

    fn settle(&self, id: NotificationId, settlement: Settlement) -> Result<(), StoreError> {
        let Ok(id) = int("notification id", id.get()) else {
            return Ok(());
        };
        let mut conn = self.conn()?;
        match settlement {
            Settlement::Remove => conn.execute(sql::OUTBOX_DELETE, &[&id]),
            Settlement::Retry {
                attempts,
                next_attempt_at,
            } => {
                let due = nanos(next_attempt_at)?;
                conn.execute(sql::OUTBOX_RETRY, &[&id, &i64::from(attempts), &due])
            }
        }
        .map(|_| ())
        .map_err(backend)
    }

    fn session(&self, key: &[u8; 32]) -> Result<Option<SessionRecord>, StoreError> {
        let row = self
            .conn()?
            .query_opt(sql::SESSION_BY_KEY, &[&&key[..]])
            .map_err(backend)?;
        row.map(|r| decode_session((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5))))
            .transpose()
    }

    fn touch_session(&self, key: &[u8; 32], at: OffsetDateTime) -> Result<(), StoreError> {
        let at = nanos(at)?;
        self.conn()?
            .execute(sql::SESSION_TOUCH, &[&&key[..], &at])
            .map(|_| ())
            .map_err(backend)
    }

    fn purge_sessions(
        &self,
        last_seen_before: OffsetDateTime,
        created_before: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        let (idle, old) = (nanos(last_seen_before)?, nanos(created_before)?);
        let mut conn = self.conn()?;
        let mut purged = 0u64;
        for (statement, before) in [
            (sql::SESSION_PURGE_IDLE, idle),
            (sql::SESSION_PURGE_OLD, old),
        ] {
            purged += conn.execute(statement, &[&before]).map_err(backend)?;
        }
        Ok(usize::try_from(purged).unwrap_or(usize::MAX))
    }

    fn throttle(&self, key: &[u8; 32]) -> Result<Option<ThrottleRecord>, StoreError> {
        let row = self
            .conn()?
            .query_opt(sql::THROTTLE_BY_KEY, &[&&key[..]])
            .map_err(backend)?;
        let Some(r) = row else {
            return Ok(None);
        };
        let (version, doc): (i64, String) = (r.get(0), r.get(1));
        decode_throttle(key, version, &doc).map(Some)
    }

    fn purge_throttle(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        let now = match bound(now) {
            Bound::Below => return Ok(0),
            Bound::At(n) => n,
            Bound::Above => i64::MAX,
        };
        let n = self
            .conn()?
            .execute(sql::THROTTLE_PURGE, &[&now])
            .map_err(backend)?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn resource(&self, id: ResourceId) -> Result<Option<ResourceRecord>, StoreError> {
        let Ok(id) = int("resource id", id.get()) else {
            return Ok(None);
        };
        let row = self
            .conn()?
            .query_opt(sql::RESOURCE_BY_ID, &[&id])
            .map_err(backend)?;
        row.as_ref().map(resource_of).transpose()
    }

    fn resources(
        &self,
        account: AccountId,
        after: Option<ResourceId>,
        limit_to: usize,
    ) -> Result<Vec<ResourceRecord>, StoreError> {
        let Ok(account) = int("account id", account.get()) else {
            return Ok(Vec::new());
        };
        let after = match after.map(|r| int("resource id", r.get())) {
            None => -1,
            Some(Ok(r)) => r,
            Some(Err(_)) => return Ok(Vec::new()),
        };
        let rows = self
            .conn()?
            .query(sql::RESOURCES_PAGE, &[&account, &after, &limit(limit_to)])
            .map_err(backend)?;
        rows.iter().map(resource_of).collect()
    }

    fn duties_of(
        &self,
        account: AccountId,
        contact: ContactId,
    ) -> Result<Vec<ResourceRecord>, StoreError> {
        let (Ok(account), Ok(contact)) = (
            int("account id", account.get()),
            int("contact id", contact.get()),
        ) else {
            return Ok(Vec::new());
        };
        let rows = self
            .conn()?
            .query(sql::DUTIES_OF, &[&account, &contact])
            .map_err(backend)?;
        rows.iter().map(resource_of).collect()
    }
}
