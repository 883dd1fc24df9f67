//! The SQLite store: the embedded default that persists (feature `sqlite`).
//! See [`SqliteStore`] for the file, its schema and its guarantees.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{ffi, params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use super::{
    AccountRecord, AccountWrite, Changeset, Check, ContactRecord, ContactSort, ContactWrite,
    DirectoryHead, MembershipRecord, MembershipWrite, ResourceRecord, ResourceWrite, SessionWrite,
    Settlement, Store, StoreError, ThrottleRecord,
};
use crate::audit::{AuditEntry, AuditQuery, ChainHead, Hash, Operation, Outcome};
use crate::credentials::SessionRecord;
use crate::directory::Directory;
use crate::error::{Entity, Error};
use crate::ids::{AccountId, ContactId, NotificationId, ResourceId};
use crate::notify::{Notification, OutboxItem};

/// Marks a file as a contactkeeper database (`PRAGMA application_id`):
/// "ckpr".
const APPLICATION_ID: i32 = 0x636b_7072;

/// The chain number of the directory's own audit chain (account ids are
/// never negative).
pub(super) const DIRECTORY_CHAIN: i64 = -1;

/// The migrations, in order: the database at schema version `n` has had the
/// first `n` applied. Append only; never edit one that has shipped.
///
/// A field added to a record needs no new column, but it does need a new
/// schema version (a migration that may be only a comment, or that fills
/// the field in existing documents): an older library must refuse the file
/// rather than read the record without the field and write it back
/// without it.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "CREATE TABLE accounts (
        id          INTEGER PRIMARY KEY,
        version     INTEGER NOT NULL,
        created_at  INTEGER NOT NULL,
        audit_seq   INTEGER NOT NULL,
        audit_hash  BLOB NOT NULL,
        doc         TEXT NOT NULL
    ) STRICT;
    CREATE TABLE contacts (
        id          INTEGER PRIMARY KEY,
        login_key   TEXT NOT NULL UNIQUE,
        version     INTEGER NOT NULL,
        created_at  INTEGER NOT NULL,
        doc         TEXT NOT NULL
    ) STRICT;
    CREATE TABLE memberships (
        account     INTEGER NOT NULL
                    REFERENCES accounts (id) DEFERRABLE INITIALLY DEFERRED,
        contact     INTEGER NOT NULL
                    REFERENCES contacts (id) DEFERRABLE INITIALLY DEFERRED,
        since       INTEGER NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, contact)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX memberships_by_contact ON memberships (contact, account);
    CREATE TABLE audit (
        chain       INTEGER NOT NULL,
        seq         INTEGER NOT NULL,
        at          INTEGER NOT NULL,
        actor       TEXT NOT NULL,
        operation   TEXT NOT NULL,
        target      TEXT,
        outcome     TEXT NOT NULL,
        fields      TEXT NOT NULL,
        detail      TEXT,
        prev_hash   BLOB NOT NULL,
        hash        BLOB NOT NULL,
        PRIMARY KEY (chain, seq)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE directory_head (
        only        INTEGER PRIMARY KEY CHECK (only = 1),
        seq         INTEGER NOT NULL,
        hash        BLOB NOT NULL,
        version     INTEGER NOT NULL
    ) STRICT;
    INSERT INTO directory_head (only, seq, hash, version) VALUES (1, 0, zeroblob(32), 0);
    CREATE TABLE outbox (
        id          INTEGER PRIMARY KEY,
        due         INTEGER NOT NULL,
        attempts    INTEGER NOT NULL,
        at          INTEGER NOT NULL,
        doc         TEXT NOT NULL
    ) STRICT;
    CREATE INDEX outbox_by_due ON outbox (due, id);
    CREATE TABLE sessions (
        key         BLOB PRIMARY KEY,
        contact     INTEGER NOT NULL,
        account     INTEGER NOT NULL,
        created_at  INTEGER NOT NULL,
        last_seen   INTEGER NOT NULL,
        doc         TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE resources (
        id          INTEGER PRIMARY KEY,
        account     INTEGER NOT NULL
                    REFERENCES accounts (id) DEFERRABLE INITIALLY DEFERRED,
        primary_contact   INTEGER NOT NULL,
        secondary_contact INTEGER,
        created_at  INTEGER NOT NULL,
        doc         TEXT NOT NULL
    ) STRICT;
    CREATE INDEX resources_by_account ON resources (account, id);
    CREATE INDEX resources_by_primary ON resources (account, primary_contact);
    CREATE INDEX resources_by_secondary ON resources (account, secondary_contact);",
    // 2: expired sessions are purged by their times (Store::purge_sessions).
    "CREATE INDEX sessions_by_last_seen ON sessions (last_seen);
    CREATE INDEX sessions_by_created ON sessions (created_at);",
    // 3: the directory-wide sign-in throttle (D5), by the hash of a login.
    "CREATE TABLE throttle (
        key         BLOB PRIMARY KEY,
        version     INTEGER NOT NULL,
        expires     INTEGER NOT NULL,
        doc         TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX throttle_by_expiry ON throttle (expires);",
    // 4: the directory chain is pruned behind a base (J4).
    "ALTER TABLE directory_head ADD COLUMN base_seq INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE directory_head ADD COLUMN base_hash BLOB NOT NULL
        DEFAULT x'0000000000000000000000000000000000000000000000000000000000000000';",
    // 5: an account's members in each order of the Account Contacts page
    // (I5), by the keys of ContactSort::key_of, kept on the contact and
    // copied to its memberships; filled in by `fill_sort_keys` for rows
    // written before.
    "ALTER TABLE contacts ADD COLUMN name_key TEXT;
    ALTER TABLE contacts ADD COLUMN email_key TEXT;
    ALTER TABLE memberships ADD COLUMN name_key TEXT;
    ALTER TABLE memberships ADD COLUMN login_key TEXT;
    ALTER TABLE memberships ADD COLUMN email_key TEXT;
    CREATE INDEX memberships_by_name ON memberships (account, name_key, contact);
    CREATE INDEX memberships_by_login ON memberships (account, login_key, contact);
    CREATE INDEX memberships_by_email ON memberships (account, email_key, contact);",
];

/// The migration that added the sort keys (its number, from 1).
const SORT_KEYS_MIGRATION: u32 = 5;

/// How a [`SqliteStore`] opens its database.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SqliteOptions {
    /// How long an operation waits for another connection's write to end
    /// before it fails with [`StoreError::Busy`]. Default: 5 seconds.
    pub busy_timeout: Duration,
    /// The most bytes the database file may hold; a commit that would need
    /// more fails with [`StoreError::Full`] and writes nothing. Default: no
    /// limit but the disk's.
    pub max_size: Option<u64>,
    /// Whether a commit waits until its log is on the disk (SQLite's
    /// `synchronous = FULL`), so that it survives a power cut or an
    /// operating-system crash. With `false` (`synchronous = NORMAL`) a
    /// commit survives a crash of the process, and the database stays
    /// consistent through anything, but the last commits before a power cut
    /// may be lost; commits are several times faster (BENCHMARKS.md).
    /// Default: `true`.
    pub durable_commits: bool,
}

impl Default for SqliteOptions {
    fn default() -> SqliteOptions {
        SqliteOptions {
            busy_timeout: Duration::from_secs(5),
            max_size: None,
            durable_commits: true,
        }
    }
}

impl SqliteOptions {
    /// Sets [`busy_timeout`](SqliteOptions::busy_timeout).
    #[must_use]
    pub fn busy_timeout(mut self, timeout: Duration) -> SqliteOptions {
        self.busy_timeout = timeout;
        self
    }

    /// Sets [`max_size`](SqliteOptions::max_size), in bytes.
    #[must_use]
    pub fn max_size(mut self, bytes: u64) -> SqliteOptions {
        self.max_size = Some(bytes);
        self
    }

    /// Sets [`durable_commits`](SqliteOptions::durable_commits).
    #[must_use]
    pub fn durable_commits(mut self, durable: bool) -> SqliteOptions {
        self.durable_commits = durable;
        self
    }
}

/// A [`Store`] in a SQLite database file.
///
/// One database file holds a directory. Several [`SqliteStore`]s, in several
/// threads or processes, may open the same file: SQLite serialises their
/// commits (each is one `BEGIN IMMEDIATE` transaction) and the version
/// checks of the [store module docs](super) make a commit that read stale data
/// fail with [`StoreError::Conflict`], which the `Directory` retries.
///
/// # The file
///
/// - WAL journal, `synchronous = FULL`: a commit that returned is on disk,
///   through a process crash or a power cut; readers never wait for a
///   writer. ([`SqliteOptions::durable_commits`] trades the power-cut
///   guarantee for speed.)
/// - `PRAGMA application_id` marks the file as contactkeeper's and
///   `PRAGMA user_version` holds its schema version. Opening applies the
///   migrations the file lacks, all in one transaction; a file with a newer
///   schema is refused ([`StoreError::SchemaTooNew`]) without being
///   written, and so is a file that is not a database or is another
///   application's ([`StoreError::NotADatabase`]).
/// - Foreign keys are on: a membership refers to its account and contact.
///
/// # The schema (version 1)
///
/// Columns hold what the store looks up, indexes, checks or orders by: ids
/// (random 63-bit numbers, so SQL integers), versions, the unique login
/// key, times as Unix nanoseconds (they round-trip exactly; the store keeps
/// times from 1677 to 2262), audit hashes as 32-byte blobs. The rest of each
/// record (profile, plan, services, roles, scope …) is one JSON document in
/// a `doc` column, so a field added to a record with `#[serde(default)]`
/// needs no new column: old rows read it as its default. It does take a new
/// schema version (a migration that may be a mere comment), so that an
/// older library refuses the file rather than rewrite records without the
/// field.
///
/// | table | key | columns | `doc` holds |
/// |---|---|---|---|
/// | `accounts` | `id` | `version`, `created_at`, `audit_seq`, `audit_hash` (the chain head) | name, plan, services, owner, counts … |
/// | `contacts` | `id` | `login_key` (unique), `version`, `created_at` | login, profile, account count … |
/// | `memberships` | `(account, contact)`, indexed by `(contact, account)` too | `since` | roles, technical scope … |
/// | `audit` | `(chain, seq)` | every field of the entry; `chain` is the account id, -1 for the directory's chain | — |
/// | `directory_head` | one row | `seq`, `hash` (the chain head), `base_seq`, `base_hash` (the last entry pruned, J4), `version` | — |
/// | `outbox` | `id`, indexed by `(due, id)` | `due`, `attempts`, `at` | the notification |
/// | `sessions` | `key` (SHA-256 of the token) | `contact`, `account`, `created_at`, `last_seen` | stage, address, epochs … |
/// | `resources` | `id`, indexed by `(account, id)`, `(account, primary_contact)`, `(account, secondary_contact)` | `account`, `primary_contact`, `secondary_contact`, `created_at` | kind, name … |
///
/// Every query on an operation's path is a lookup by key or unique index,
/// or a range of one: its cost does not grow with the size of the
/// directory (a unit test checks the query plans).
///
/// # Sharing
///
/// A store holds one connection; share one store between the threads of a
/// process (it is `Send + Sync`), or open one per thread or process on the
/// same file.
pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: PathBuf,
    busy_timeout: Duration,
}

thread_local! {
    /// The busy timeout of the connection this thread holds (only the
    /// thread holding a store's connection runs its busy handler).
    static BUSY_TIMEOUT: std::cell::Cell<Duration> =
        const { std::cell::Cell::new(Duration::from_secs(5)) };
    /// When the current wait for another connection's write began.
    static BUSY_SINCE: std::cell::Cell<Option<std::time::Instant>> =
        const { std::cell::Cell::new(None) };
}

/// SQLite's busy handler: waits for another connection's write to end in
/// short, jittered steps (0.1 to about 1.6 ms), up to the busy timeout.
/// SQLite's own `busy_timeout` sleeps 1, 2, 5, 10 … up to 100 ms a step,
/// so that two processes taking turns at short commits wait far longer
/// than the commits take, and fall into step with each other.
fn wait_while_busy(retries: i32) -> bool {
    let now = std::time::Instant::now();
    let since = match BUSY_SINCE.get() {
        Some(t) if retries > 0 => t,
        _ => {
            BUSY_SINCE.set(Some(now));
            now
        }
    };
    if now.duration_since(since) >= BUSY_TIMEOUT.get() {
        return false;
    }
    let step = 100u64 << retries.clamp(0, 4);
    // Jitter from the clock's low bits: enough to break a lockstep.
    let jitter = u64::from(now.duration_since(since).subsec_nanos() % 1000) * step / 1000;
    std::thread::sleep(Duration::from_micros(step / 2 + jitter));
    true
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Members with their contacts, as a `MEMBERS_*` statement selects
    /// them (the membership's columns, then the contact's from the fifth).
    fn member_rows(
        &self,
        statement: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<(MembershipRecord, ContactRecord)>, StoreError> {
        let conn = self.conn();
        let rows = conn
            .prepare_cached(statement)
            .and_then(|mut s| {
                s.query_map(params, |r| Ok((membership_row(r)?, contact_row(r, 4)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(backend)?;
        drop(conn);
        rows.into_iter()
            .map(|(m, c)| Ok((decode_membership(m)?, decode_contact(c)?)))
            .collect()
    }

    /// Opens the database at `path`, creating it if there is no file there,
    /// with the default [`SqliteOptions`].
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(path, &SqliteOptions::default())
    }

    /// Opens the database at `path`, creating it if there is no file there.
    ///
    /// Errors: [`StoreError::CannotOpen`] (a directory that does not exist,
    /// no permission), [`StoreError::NotADatabase`] (a file that is not a
    /// database, or another application's), [`StoreError::SchemaTooNew`]
    /// (written by a newer contactkeeper), [`StoreError::Busy`] (another
    /// process holds the file locked while it needs migrating). None of
    /// them writes to the file.
    pub fn open_with(
        path: impl AsRef<Path>,
        options: &SqliteOptions,
    ) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref();
        let opening = |e: rusqlite::Error| open_error(path, e);
        // Not SQLITE_OPEN_URI: a path is a path.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(opening)?;
        BUSY_TIMEOUT.set(options.busy_timeout);
        conn.busy_handler(Some(wait_while_busy)).map_err(opening)?;
        conn.set_prepared_statement_cache_capacity(64);
        // Only reads until the file is known to be ours, or empty.
        let found = inspect(&conn, path)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(opening)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::CannotOpen(format!(
                "{}: the database cannot use a write-ahead log (journal mode {mode})",
                path.display()
            )));
        }
        let synchronous = if options.durable_commits {
            "FULL"
        } else {
            "NORMAL"
        };
        conn.execute_batch(&format!(
            "PRAGMA foreign_keys = ON;
             PRAGMA synchronous = {synchronous};
             PRAGMA trusted_schema = OFF;"
        ))
        .map_err(opening)?;
        if let Some(bytes) = options.max_size {
            let page: i64 = conn
                .query_row("PRAGMA page_size", [], |r| r.get(0))
                .map_err(opening)?;
            let pages = bytes / u64::try_from(page.max(1)).unwrap_or(4096);
            conn.query_row(
                &format!("PRAGMA max_page_count = {}", pages.max(1)),
                [],
                |_| Ok(()),
            )
            .map_err(opening)?;
        }
        if found < MIGRATIONS.len() as u32 {
            migrate(&mut conn, MIGRATIONS).map_err(|e| match e {
                StoreError::Backend(m) => {
                    StoreError::CannotOpen(format!("{}: {m}", path.display()))
                }
                e => e,
            })?;
        }
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            path: path.to_owned(),
            busy_timeout: options.busy_timeout,
        })
    }

    /// The database file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The newest schema version this library knows (and gives the files it
    /// creates or migrates).
    pub fn schema_version() -> u32 {
        MIGRATIONS.len() as u32
    }

    /// The embedded default's sealing key (F1): the one in the file beside
    /// the database (its path with `.key` added), created readable by its
    /// owner only, with a new random key, when there is none
    /// ([`Store::sealing_key`] gives it to a directory given no keys).
    fn key_file(&self) -> Result<crate::second_factor::sealing::SealingKey, Error> {
        let mut path = self.path().as_os_str().to_owned();
        path.push(".key");
        crate::second_factor::sealing::SealingKey::from_file(Path::new(&path))
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        let guard = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        BUSY_TIMEOUT.set(self.busy_timeout);
        guard
    }
}

impl Directory {
    /// A directory persisted in the SQLite database at `path` (created when
    /// there is no file there), with the system clock and no notifier. For
    /// a notifier, another clock or [`SqliteOptions`], build one:
    /// `Directory::builder(Arc::new(SqliteStore::open(path)?))`.
    ///
    /// Authenticator secrets are sealed (F1) under the key in the file
    /// beside the database ([`Store::sealing_key`]), made on first
    /// use (as for any directory on a SQLite store given no keys); keep it
    /// with the database's backups, but apart from them.
    pub fn open(path: impl AsRef<Path>) -> Result<Directory, Error> {
        let store = SqliteStore::open(path)?;
        // Made or read now, so that a damaged key file is told at once.
        store.key_file()?;
        Ok(Directory::builder(Arc::new(store)).build())
    }
}

/// Reads what the file is without writing to it: its schema version, or an
/// error for a file that is not ours or is too new.
fn inspect(conn: &Connection, path: &Path) -> Result<u32, StoreError> {
    let opening = |e: rusqlite::Error| open_error(path, e);
    let app: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(opening)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(opening)?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .map_err(opening)?;
    let not_ours = |why: &str| StoreError::NotADatabase(format!("{}: {why}", path.display()));
    if app != APPLICATION_ID && (app != 0 || version != 0 || tables != 0) {
        return Err(not_ours("a SQLite database of another application"));
    }
    let version = u32::try_from(version).map_err(|_| not_ours("a negative schema version"))?;
    let supported = MIGRATIONS.len() as u32;
    if version > supported {
        return Err(StoreError::SchemaTooNew {
            found: version,
            supported,
        });
    }
    Ok(version)
}

/// Brings the database to the last of `migrations`, in one transaction.
fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<(), StoreError> {
    let supported = migrations.len() as u32;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(backend)?;
    // Another process may have migrated it since it was inspected.
    let found: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(backend)?;
    let found = u32::try_from(found)
        .map_err(|_| StoreError::NotADatabase("a negative schema version".into()))?;
    if found > supported {
        return Err(StoreError::SchemaTooNew { found, supported });
    }
    for sql in migrations.iter().skip(found as usize) {
        tx.execute_batch(sql).map_err(backend)?;
    }
    if found < SORT_KEYS_MIGRATION && supported >= SORT_KEYS_MIGRATION {
        fill_sort_keys(&tx)?;
    }
    tx.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {supported};"
    ))
    .map_err(backend)?;
    tx.commit().map_err(backend)
}

/// Writes the sort keys of every contact written before they existed, and
/// copies them to its memberships (migration 5): computed here, as the
/// store computes them for every write since (Unicode lower case, which
/// SQL's `lower()` is not).
fn fill_sort_keys(tx: &Connection) -> Result<(), StoreError> {
    // In batches by id, so that memory does not grow with the directory.
    let mut after = -1i64;
    loop {
        let rows: Vec<ContactRow> = tx
            .prepare(
                "SELECT id, login_key, version, created_at, doc FROM contacts
                 WHERE id > ?1 AND name_key IS NULL ORDER BY id LIMIT 1000",
            )
            .and_then(|mut s| {
                s.query_map([after], |r| contact_row(r, 0))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(backend)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.0;
        for row in rows {
            let c = decode_contact(row)?;
            write_sort_keys(tx, &c)?;
        }
    }
}

/// A contact's sort keys, on it and on its memberships (a membership row
/// whose keys are current is not rewritten).
fn write_sort_keys(tx: &Connection, c: &ContactRecord) -> Result<(), StoreError> {
    let id = int("contact id", c.id.get())?;
    let name = ContactSort::Name.key_of(c);
    let email = ContactSort::Email.key_of(c);
    tx.prepare_cached(sql::CONTACT_SORT_KEYS)
        .and_then(|mut s| s.execute(params![id, name, email]))
        .map_err(backend)?;
    copy_sort_keys(tx, id, &name, &c.login_key, &email)
}

/// A contact's sort keys onto its memberships, where they differ.
fn copy_sort_keys(
    tx: &Connection,
    id: i64,
    name: &str,
    login: &str,
    email: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(sql::MEMBERSHIP_SORT_KEYS)
        .and_then(|mut s| s.execute(params![id, name, login, email]))
        .map_err(backend)?;
    Ok(())
}

/// An error while opening `path`.
fn open_error(path: &Path, e: rusqlite::Error) -> StoreError {
    let at = |what: &str| format!("{}: {what}", path.display());
    match e.sqlite_error_code() {
        Some(ffi::ErrorCode::NotADatabase) => StoreError::NotADatabase(at("not a SQLite database")),
        Some(
            ffi::ErrorCode::CannotOpen
            | ffi::ErrorCode::PermissionDenied
            | ffi::ErrorCode::ReadOnly,
        ) => StoreError::CannotOpen(at(&e.to_string())),
        _ => match backend(e) {
            StoreError::Backend(m) => StoreError::CannotOpen(at(&m)),
            other => other,
        },
    }
}

/// A SQLite error as a store error.
fn backend(e: rusqlite::Error) -> StoreError {
    use rusqlite::Error as E;
    match &e {
        E::InvalidColumnType(..)
        | E::FromSqlConversionFailure(..)
        | E::IntegralValueOutOfRange(..) => return StoreError::Corrupt(e.to_string()),
        _ => {}
    }
    match e.sqlite_error_code() {
        Some(ffi::ErrorCode::DatabaseBusy | ffi::ErrorCode::DatabaseLocked) => StoreError::Busy,
        Some(ffi::ErrorCode::DiskFull) => StoreError::Full,
        Some(ffi::ErrorCode::DatabaseCorrupt) => StoreError::Corrupt(e.to_string()),
        Some(ffi::ErrorCode::NotADatabase) => StoreError::NotADatabase(e.to_string()),
        _ => StoreError::Backend(e.to_string()),
    }
}

/// The extended result code of a SQLite error, if it is one.
fn extended_code(e: &rusqlite::Error) -> Option<i32> {
    e.sqlite_error().map(|s| s.extended_code)
}

// ----- values in columns -----

pub(super) fn int(what: &str, n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Backend(format!("{what} {n} is above 2^63 - 1")))
}

pub(super) fn uint(what: &str, n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what} is negative: {n}")))
}

pub(super) fn nanos(t: OffsetDateTime) -> Result<i64, StoreError> {
    i64::try_from(t.unix_timestamp_nanos()).map_err(|_| {
        StoreError::Backend(format!(
            "the time {t} is outside what the SQLite store keeps (1677 to 2262)"
        ))
    })
}

pub(super) fn time_of(n: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(n))
        .map_err(|_| StoreError::Corrupt(format!("time out of range: {n}")))
}

pub(super) fn hash_of(what: &str, bytes: &[u8]) -> Result<Hash, StoreError> {
    Hash::try_from(bytes)
        .map_err(|_| StoreError::Corrupt(format!("{what}: a hash of {} bytes", bytes.len())))
}

/// Where a time falls against the range of stored times.
pub(super) enum Bound {
    Below,
    At(i64),
    Above,
}

pub(super) fn bound(t: OffsetDateTime) -> Bound {
    match i64::try_from(t.unix_timestamp_nanos()) {
        Ok(n) => Bound::At(n),
        Err(_) if t.unix_timestamp_nanos() < 0 => Bound::Below,
        Err(_) => Bound::Above,
    }
}

/// A version or id as a parameter of a `WHERE`: one above `i64::MAX`
/// becomes -1, which no row has, so the statement finds nothing.
pub(super) fn param(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(-1)
}

pub(super) fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// An audit query's time range as stored times, `None` when it can match
/// no entry (it starts after, or ends before, every time a column keeps).
pub(super) fn audit_range(query: &AuditQuery) -> Option<(Option<i64>, Option<i64>)> {
    let from = match query.from.map(bound) {
        None | Some(Bound::Below) => None,
        Some(Bound::At(n)) => Some(n),
        Some(Bound::Above) => return None,
    };
    let until = match query.until.map(bound) {
        None | Some(Bound::Above) => None,
        Some(Bound::At(n)) => Some(n),
        Some(Bound::Below) => return None,
    };
    Some((from, until))
}

/// A throttle record from its row (D5). Read on every sign-in attempt:
/// parsed straight into its fields, without the key and version that
/// `from_doc` would splice in.
pub(super) fn decode_throttle(
    key: &[u8; 32],
    version: i64,
    doc: &str,
) -> Result<ThrottleRecord, StoreError> {
    #[derive(serde::Deserialize)]
    struct Doc {
        failures: u32,
        #[serde(with = "time::serde::rfc3339")]
        window_start: OffsetDateTime,
        lock: Option<crate::credentials::AutoLock>,
    }
    let d: Doc = serde_json::from_str(doc)
        .map_err(|e| StoreError::Corrupt(format!("a throttle record: {e}")))?;
    Ok(ThrottleRecord {
        key: *key,
        failures: d.failures,
        window_start: d.window_start,
        lock: d.lock,
        version: uint("throttle version", version)?,
    })
}

pub(super) fn chain_of(chain: Option<AccountId>) -> Result<i64, StoreError> {
    match chain {
        Some(a) => int("account id", a.get()),
        None => Ok(DIRECTORY_CHAIN),
    }
}

// ----- records as JSON documents -----

/// What a column-held field of a record is, to put a placeholder in its
/// place while the rest of the record is decoded.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    Int,
    Str,
    Time,
    Null,
    Bytes32,
}

pub(super) const ACCOUNT_COLUMNS: &[(&str, Kind)] = &[
    ("id", Kind::Int),
    ("version", Kind::Int),
    ("created_at", Kind::Time),
];
pub(super) const CONTACT_COLUMNS: &[(&str, Kind)] = &[
    ("id", Kind::Int),
    ("login_key", Kind::Str),
    ("version", Kind::Int),
    ("created_at", Kind::Time),
];
pub(super) const MEMBERSHIP_COLUMNS: &[(&str, Kind)] = &[
    ("account", Kind::Int),
    ("contact", Kind::Int),
    ("since", Kind::Time),
];
pub(super) const NOTIFICATION_COLUMNS: &[(&str, Kind)] = &[("id", Kind::Int), ("at", Kind::Time)];
pub(super) const SESSION_COLUMNS: &[(&str, Kind)] = &[
    ("key", Kind::Bytes32),
    ("contact", Kind::Int),
    ("account", Kind::Int),
    ("created_at", Kind::Time),
    ("last_seen_at", Kind::Time),
];
pub(super) const THROTTLE_COLUMNS: &[(&str, Kind)] =
    &[("key", Kind::Bytes32), ("version", Kind::Int)];
pub(super) const RESOURCE_COLUMNS: &[(&str, Kind)] = &[
    ("id", Kind::Int),
    ("account", Kind::Int),
    ("primary", Kind::Int),
    ("secondary", Kind::Null),
    ("created_at", Kind::Time),
];

/// The record as a JSON document, without the fields kept in columns.
pub(super) fn doc_of<T: Serialize>(
    what: &str,
    rec: &T,
    columns: &[(&str, Kind)],
) -> Result<String, StoreError> {
    let encode = |e: serde_json::Error| StoreError::Backend(format!("cannot encode {what}: {e}"));
    let mut v = serde_json::to_value(rec).map_err(encode)?;
    if let Value::Object(map) = &mut v {
        for (key, _) in columns {
            map.remove(*key);
        }
    }
    serde_json::to_string(&v).map_err(encode)
}

/// The record from its JSON document, with placeholders for the fields
/// kept in columns (the caller sets them). The placeholders are written
/// into the document's text, so that it is decoded in one pass, straight
/// into the record.
pub(super) fn from_doc<T: DeserializeOwned>(
    what: &str,
    doc: &str,
    columns: &[(&str, Kind)],
) -> Result<T, StoreError> {
    const ZEROS32: &str = "[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]";
    let Some(rest) = doc.trim_start().strip_prefix('{') else {
        return Err(StoreError::Corrupt(format!("{what}: not a JSON object")));
    };
    let mut text = String::with_capacity(doc.len() + 40 * columns.len());
    text.push('{');
    for (key, kind) in columns {
        text.push('"');
        text.push_str(key);
        text.push_str("\":");
        text.push_str(match kind {
            Kind::Int => "0",
            Kind::Str => "\"\"",
            Kind::Time => "\"1970-01-01T00:00:00Z\"",
            Kind::Null => "null",
            Kind::Bytes32 => ZEROS32,
        });
        text.push(',');
    }
    if rest.trim_start().starts_with('}') {
        text.pop();
    }
    text.push_str(rest);
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// A record's time fields set to the epoch: they are kept in columns, and
/// the JSON encoding of a time can fail where the column's cannot.
pub(super) fn epoch() -> OffsetDateTime {
    OffsetDateTime::UNIX_EPOCH
}

// ----- rows -----

pub(super) type AccountRow = (i64, i64, i64, i64, Vec<u8>, String);

fn account_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

pub(super) fn decode_account(row: AccountRow) -> Result<AccountRecord, StoreError> {
    let (id, version, created_at, seq, hash, doc) = row;
    let what = format!("account {id}");
    let mut a: AccountRecord = from_doc(&what, &doc, ACCOUNT_COLUMNS)?;
    a.id = AccountId(uint("account id", id)?);
    a.version = uint("account version", version)?;
    a.created_at = time_of(created_at)?;
    a.audit_head = ChainHead {
        seq: uint("audit head", seq)?,
        hash: hash_of(&what, &hash)?,
    };
    Ok(a)
}

pub(super) type ContactRow = (i64, String, i64, i64, String);

fn contact_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<ContactRow> {
    Ok((
        r.get(at)?,
        r.get(at + 1)?,
        r.get(at + 2)?,
        r.get(at + 3)?,
        r.get(at + 4)?,
    ))
}

pub(super) fn decode_contact(row: ContactRow) -> Result<ContactRecord, StoreError> {
    let (id, login_key, version, created_at, doc) = row;
    let mut c: ContactRecord = from_doc(&format!("contact {id}"), &doc, CONTACT_COLUMNS)?;
    c.id = ContactId(uint("contact id", id)?);
    c.login_key = login_key;
    c.version = uint("contact version", version)?;
    c.created_at = time_of(created_at)?;
    Ok(c)
}

pub(super) type MembershipRow = (i64, i64, i64, String);

fn membership_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MembershipRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

pub(super) fn decode_membership(row: MembershipRow) -> Result<MembershipRecord, StoreError> {
    let (account, contact, since, doc) = row;
    let what = format!("membership of contact {contact} in account {account}");
    let mut m: MembershipRecord = from_doc(&what, &doc, MEMBERSHIP_COLUMNS)?;
    m.account = AccountId(uint("account id", account)?);
    m.contact = ContactId(uint("contact id", contact)?);
    m.since = time_of(since)?;
    Ok(m)
}

pub(super) type AuditRow = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Vec<u8>,
    Vec<u8>,
);

fn audit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
    ))
}

pub(super) fn decode_audit(
    chain: Option<AccountId>,
    row: AuditRow,
) -> Result<AuditEntry, StoreError> {
    let (seq, at, actor, operation, target, outcome, fields, detail, prev_hash, hash) = row;
    let what = match chain {
        Some(a) => format!("audit entry {seq} of {a}"),
        None => format!("audit entry {seq} of the directory"),
    };
    let corrupt = |why: &str| StoreError::Corrupt(format!("{what}: {why}"));
    Ok(AuditEntry {
        account: chain,
        seq: uint("audit seq", seq)?,
        at: time_of(at)?,
        at_local: String::new(),
        actor,
        operation: Operation::from_name(&operation).ok_or_else(|| corrupt("unknown operation"))?,
        target,
        outcome: Outcome::from_label(&outcome).ok_or_else(|| corrupt("unknown outcome"))?,
        fields: serde_json::from_str(&fields).map_err(|e| corrupt(&e.to_string()))?,
        detail,
        prev_hash: hash_of(&what, &prev_hash)?,
        hash: hash_of(&what, &hash)?,
    })
}

pub(super) type OutboxRow = (i64, i64, i64, i64, String);

fn outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

pub(super) fn decode_outbox(row: OutboxRow) -> Result<OutboxItem, StoreError> {
    let (id, due, attempts, at, doc) = row;
    let mut n: Notification = from_doc(&format!("notification {id}"), &doc, NOTIFICATION_COLUMNS)?;
    n.id = NotificationId(uint("notification id", id)?);
    n.at = time_of(at)?;
    Ok(OutboxItem {
        notification: n,
        attempts: u32::try_from(attempts)
            .map_err(|_| StoreError::Corrupt(format!("notification {id}: attempts {attempts}")))?,
        next_attempt_at: time_of(due)?,
    })
}

pub(super) type SessionRow = (Vec<u8>, i64, i64, i64, i64, String);

fn session_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

pub(super) fn decode_session(row: SessionRow) -> Result<SessionRecord, StoreError> {
    let (key, contact, account, created_at, last_seen, doc) = row;
    let what = "a session";
    let mut s: SessionRecord = from_doc(what, &doc, SESSION_COLUMNS)?;
    s.key = hash_of(what, &key)?;
    s.contact = ContactId(uint("contact id", contact)?);
    s.account = AccountId(uint("account id", account)?);
    s.created_at = time_of(created_at)?;
    s.last_seen_at = time_of(last_seen)?;
    Ok(s)
}

pub(super) type ResourceRow = (i64, i64, i64, Option<i64>, i64, String);

fn resource_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ResourceRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

pub(super) fn decode_resource(row: ResourceRow) -> Result<ResourceRecord, StoreError> {
    let (id, account, primary, secondary, created_at, doc) = row;
    let mut r: ResourceRecord = from_doc(&format!("resource {id}"), &doc, RESOURCE_COLUMNS)?;
    r.id = ResourceId(uint("resource id", id)?);
    r.account = AccountId(uint("account id", account)?);
    r.primary = ContactId(uint("contact id", primary)?);
    r.secondary = secondary
        .map(|c| uint("contact id", c).map(ContactId))
        .transpose()?;
    r.created_at = time_of(created_at)?;
    Ok(r)
}

// ----- the statements -----

/// Every statement the store runs once open (a unit test checks that each
/// is a lookup by key or a range of an index, never a scan).
mod sql {
    pub(super) const ACCOUNT_BY_ID: &str =
        "SELECT id, version, created_at, audit_seq, audit_hash, doc FROM accounts WHERE id = ?1";
    pub(super) const CONTACT_BY_ID: &str =
        "SELECT id, login_key, version, created_at, doc FROM contacts WHERE id = ?1";
    pub(super) const CONTACT_BY_LOGIN: &str =
        "SELECT id, login_key, version, created_at, doc FROM contacts WHERE login_key = ?1";
    pub(super) const MEMBERSHIP_BY_KEY: &str =
        "SELECT account, contact, since, doc FROM memberships WHERE account = ?1 AND contact = ?2";
    pub(super) const MEMBERSHIPS_OF: &str =
        "SELECT account, contact, since, doc FROM memberships WHERE contact = ?1 ORDER BY account";
    pub(super) const MEMBERS_PAGE: &str = "SELECT m.account, m.contact, m.since, m.doc,
                c.id, c.login_key, c.version, c.created_at, c.doc
         FROM memberships m JOIN contacts c ON c.id = m.contact
         WHERE m.account = ?1 AND m.contact > ?2
         ORDER BY m.contact LIMIT ?3";
    /// `members_in_order`: after (key, contact) `(?2, ?3)`, at most `?4`.
    pub(super) const MEMBERS_BY_NAME: &str = "SELECT m.account, m.contact, m.since, m.doc,
                c.id, c.login_key, c.version, c.created_at, c.doc
         FROM memberships m JOIN contacts c ON c.id = m.contact
         WHERE m.account = ?1 AND (m.name_key, m.contact) > (?2, ?3)
         ORDER BY m.name_key, m.contact LIMIT ?4";
    pub(super) const MEMBERS_BY_LOGIN: &str = "SELECT m.account, m.contact, m.since, m.doc,
                c.id, c.login_key, c.version, c.created_at, c.doc
         FROM memberships m JOIN contacts c ON c.id = m.contact
         WHERE m.account = ?1 AND (m.login_key, m.contact) > (?2, ?3)
         ORDER BY m.login_key, m.contact LIMIT ?4";
    pub(super) const MEMBERS_BY_EMAIL: &str = "SELECT m.account, m.contact, m.since, m.doc,
                c.id, c.login_key, c.version, c.created_at, c.doc
         FROM memberships m JOIN contacts c ON c.id = m.contact
         WHERE m.account = ?1 AND (m.email_key, m.contact) > (?2, ?3)
         ORDER BY m.email_key, m.contact LIMIT ?4";
    pub(super) const DIRECTORY_HEAD: &str =
        "SELECT seq, hash, version, base_seq, base_hash FROM directory_head WHERE only = 1";
    pub(super) const AUDIT_PRUNE: &str = "DELETE FROM audit WHERE chain = ?1 AND seq <= ?2";
    pub(super) const AUDIT_PAGE: &str =
        "SELECT seq, at, actor, operation, target, outcome, fields, detail, prev_hash, hash
         FROM audit
         WHERE chain = ?1 AND seq > ?2
           AND (?3 IS NULL OR at >= ?3) AND (?4 IS NULL OR at < ?4)
           AND (?5 IS NULL OR actor = ?5) AND (?6 IS NULL OR operation = ?6)
         ORDER BY seq LIMIT ?7";
    pub(super) const OUTBOX_DUE: &str =
        "SELECT id, due, attempts, at, doc FROM outbox WHERE due <= ?1 ORDER BY due, id LIMIT ?2";
    pub(super) const OUTBOX_DELETE: &str = "DELETE FROM outbox WHERE id = ?1";
    pub(super) const OUTBOX_RETRY: &str = "UPDATE outbox SET attempts = ?2, due = ?3 WHERE id = ?1";

    pub(super) const ACCOUNT_VERSION: &str = "SELECT version FROM accounts WHERE id = ?1";
    pub(super) const CONTACT_VERSION: &str = "SELECT version FROM contacts WHERE id = ?1";
    pub(super) const HEAD_UPDATE: &str =
        "UPDATE directory_head SET seq = ?1, hash = ?2, base_seq = ?4, base_hash = ?5,
                                  version = version + 1
         WHERE only = 1 AND version = ?3";
    pub(super) const ACCOUNT_INSERT: &str =
        "INSERT INTO accounts (id, version, created_at, audit_seq, audit_hash, doc)
         VALUES (?1, 1, ?2, ?3, ?4, ?5)";
    pub(super) const ACCOUNT_UPDATE: &str =
        "UPDATE accounts SET version = version + 1, created_at = ?2, audit_seq = ?3,
                             audit_hash = ?4, doc = ?5
         WHERE id = ?1 AND version = ?6";
    pub(super) const CONTACT_INSERT: &str =
        "INSERT INTO contacts (id, login_key, version, created_at, doc, name_key, email_key)
         VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6)";
    pub(super) const CONTACT_SORT_KEYS: &str = "UPDATE contacts SET name_key = ?2, email_key = ?3
         WHERE id = ?1 AND (name_key IS NOT ?2 OR email_key IS NOT ?3)";
    pub(super) const MEMBERSHIP_SORT_KEYS: &str =
        "UPDATE memberships SET name_key = ?2, login_key = ?3, email_key = ?4
         WHERE contact = ?1
           AND (name_key IS NOT ?2 OR login_key IS NOT ?3 OR email_key IS NOT ?4)";
    pub(super) const CONTACT_UPDATE: &str =
        "UPDATE contacts SET version = version + 1, created_at = ?2, doc = ?3,
                             name_key = ?6, email_key = ?7
         WHERE id = ?1 AND version = ?4 AND login_key = ?5";
    pub(super) const CONTACT_DELETE: &str = "DELETE FROM contacts WHERE id = ?1 AND version = ?2";
    pub(super) const MEMBERSHIP_PUT: &str =
        "INSERT INTO memberships (account, contact, since, doc, name_key, login_key, email_key)
         SELECT ?1, ?2, ?3, ?4, c.name_key, c.login_key, c.email_key
         FROM contacts c WHERE c.id = ?2
         ON CONFLICT (account, contact) DO UPDATE SET since = ?3, doc = ?4";
    pub(super) const MEMBERSHIP_DELETE: &str =
        "DELETE FROM memberships WHERE account = ?1 AND contact = ?2";
    pub(super) const AUDIT_LAST: &str =
        "SELECT seq FROM audit WHERE chain = ?1 ORDER BY seq DESC LIMIT 1";
    pub(super) const AUDIT_INSERT: &str =
        "INSERT INTO audit (chain, seq, at, actor, operation, target, outcome, fields,
                            detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
    pub(super) const OUTBOX_PUT: &str =
        "INSERT INTO outbox (id, due, attempts, at, doc) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET due = ?2, attempts = ?3, at = ?4, doc = ?5";
    pub(super) const SESSION_BY_KEY: &str =
        "SELECT key, contact, account, created_at, last_seen, doc FROM sessions WHERE key = ?1";
    pub(super) const SESSION_TOUCH: &str = "UPDATE sessions SET last_seen = ?2 WHERE key = ?1";
    pub(super) const SESSION_PUT: &str =
        "INSERT INTO sessions (key, contact, account, created_at, last_seen, doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (key) DO UPDATE SET contact = ?2, account = ?3, created_at = ?4,
                                         last_seen = ?5, doc = ?6";
    pub(super) const SESSION_DELETE: &str = "DELETE FROM sessions WHERE key = ?1";
    pub(super) const SESSION_PURGE_IDLE: &str = "DELETE FROM sessions WHERE last_seen < ?1";
    pub(super) const SESSION_PURGE_OLD: &str = "DELETE FROM sessions WHERE created_at < ?1";
    pub(super) const THROTTLE_BY_KEY: &str = "SELECT version, doc FROM throttle WHERE key = ?1";
    pub(super) const THROTTLE_INSERT: &str =
        "INSERT INTO throttle (key, version, expires, doc) VALUES (?1, 1, ?2, ?3)
         ON CONFLICT (key) DO NOTHING";
    pub(super) const THROTTLE_UPDATE: &str =
        "UPDATE throttle SET version = version + 1, expires = ?2, doc = ?3
         WHERE key = ?1 AND version = ?4";
    pub(super) const THROTTLE_PURGE: &str = "DELETE FROM throttle WHERE expires < ?1";
    pub(super) const RESOURCE_BY_ID: &str =
        "SELECT id, account, primary_contact, secondary_contact, created_at, doc
         FROM resources WHERE id = ?1";
    pub(super) const RESOURCES_PAGE: &str =
        "SELECT id, account, primary_contact, secondary_contact, created_at, doc
         FROM resources WHERE account = ?1 AND id > ?2 ORDER BY id LIMIT ?3";
    /// In no particular order: the caller sorts the (few) rows by id.
    pub(super) const DUTIES_OF: &str =
        "SELECT id, account, primary_contact, secondary_contact, created_at, doc
         FROM resources
         WHERE account = ?1 AND (primary_contact = ?2 OR secondary_contact = ?2)";
    pub(super) const RESOURCE_PUT: &str =
        "INSERT INTO resources (id, account, primary_contact, secondary_contact, created_at, doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET account = ?2, primary_contact = ?3,
                                        secondary_contact = ?4, created_at = ?5, doc = ?6";
    pub(super) const RESOURCE_DELETE: &str = "DELETE FROM resources WHERE id = ?1";

    /// Every statement, by name.
    #[cfg(test)]
    pub(super) const ALL: &[(&str, &str)] = &[
        ("ACCOUNT_BY_ID", ACCOUNT_BY_ID),
        ("CONTACT_BY_ID", CONTACT_BY_ID),
        ("CONTACT_BY_LOGIN", CONTACT_BY_LOGIN),
        ("MEMBERSHIP_BY_KEY", MEMBERSHIP_BY_KEY),
        ("MEMBERSHIPS_OF", MEMBERSHIPS_OF),
        ("MEMBERS_PAGE", MEMBERS_PAGE),
        ("MEMBERS_BY_NAME", MEMBERS_BY_NAME),
        ("MEMBERS_BY_LOGIN", MEMBERS_BY_LOGIN),
        ("MEMBERS_BY_EMAIL", MEMBERS_BY_EMAIL),
        ("CONTACT_SORT_KEYS", CONTACT_SORT_KEYS),
        ("MEMBERSHIP_SORT_KEYS", MEMBERSHIP_SORT_KEYS),
        ("DIRECTORY_HEAD", DIRECTORY_HEAD),
        ("AUDIT_PAGE", AUDIT_PAGE),
        ("OUTBOX_DUE", OUTBOX_DUE),
        ("OUTBOX_DELETE", OUTBOX_DELETE),
        ("OUTBOX_RETRY", OUTBOX_RETRY),
        ("ACCOUNT_VERSION", ACCOUNT_VERSION),
        ("CONTACT_VERSION", CONTACT_VERSION),
        ("HEAD_UPDATE", HEAD_UPDATE),
        ("ACCOUNT_INSERT", ACCOUNT_INSERT),
        ("ACCOUNT_UPDATE", ACCOUNT_UPDATE),
        ("CONTACT_INSERT", CONTACT_INSERT),
        ("CONTACT_UPDATE", CONTACT_UPDATE),
        ("CONTACT_DELETE", CONTACT_DELETE),
        ("MEMBERSHIP_PUT", MEMBERSHIP_PUT),
        ("MEMBERSHIP_DELETE", MEMBERSHIP_DELETE),
        ("AUDIT_LAST", AUDIT_LAST),
        ("AUDIT_PRUNE", AUDIT_PRUNE),
        ("AUDIT_INSERT", AUDIT_INSERT),
        ("OUTBOX_PUT", OUTBOX_PUT),
        ("SESSION_BY_KEY", SESSION_BY_KEY),
        ("SESSION_TOUCH", SESSION_TOUCH),
        ("SESSION_PUT", SESSION_PUT),
        ("SESSION_DELETE", SESSION_DELETE),
        ("SESSION_PURGE_IDLE", SESSION_PURGE_IDLE),
        ("SESSION_PURGE_OLD", SESSION_PURGE_OLD),
        ("THROTTLE_BY_KEY", THROTTLE_BY_KEY),
        ("THROTTLE_INSERT", THROTTLE_INSERT),
        ("THROTTLE_UPDATE", THROTTLE_UPDATE),
        ("THROTTLE_PURGE", THROTTLE_PURGE),
        ("RESOURCE_BY_ID", RESOURCE_BY_ID),
        ("RESOURCES_PAGE", RESOURCES_PAGE),
        ("DUTIES_OF", DUTIES_OF),
        ("RESOURCE_PUT", RESOURCE_PUT),
        ("RESOURCE_DELETE", RESOURCE_DELETE),
    ];
}

// ----- the commit -----

/// Applies `c` inside the open transaction `tx`, in the order the reference
/// store validates it, stopping at the first refusal (the caller rolls
/// back).
fn apply(tx: &Connection, c: &Changeset) -> Result<(), StoreError> {
    check_versions(tx, &c.checks)?;
    write_directory_head(tx, c.directory_head.as_ref())?;
    write_accounts(tx, &c.accounts)?;
    write_contacts(tx, &c.contacts)?;
    write_memberships(tx, &c.memberships)?;
    append_audit(tx, &c.audit)?;
    prune_directory_audit(tx, c.prune_directory_audit)?;
    write_outbox(tx, &c.outbox)?;
    write_resources(tx, &c.resources)?;
    write_sessions(tx, &c.sessions)?;
    write_throttle(tx, &c.throttle)?;
    Ok(())
}

/// A versioned write changed exactly one row, or the version it named is
/// no longer current (a concurrent commit won).
fn one_row(changed: usize) -> Result<(), StoreError> {
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

/// The versions the changeset read are still current.
fn check_versions(tx: &Connection, checks: &[Check]) -> Result<(), StoreError> {
    for check in checks {
        let (statement, id, version) = match *check {
            Check::Account(id, v) => (sql::ACCOUNT_VERSION, id.get(), v),
            Check::Contact(id, v) => (sql::CONTACT_VERSION, id.get(), v),
        };
        let current: Option<i64> = tx
            .prepare_cached(statement)
            .and_then(|mut s| s.query_row([param(id)], |r| r.get(0)).optional())
            .map_err(backend)?;
        if current.and_then(|v| u64::try_from(v).ok()) != Some(version) {
            return Err(StoreError::Conflict);
        }
    }
    Ok(())
}

/// The directory chain's new head, if the changeset moves it (J4).
fn write_directory_head(tx: &Connection, head: Option<&DirectoryHead>) -> Result<(), StoreError> {
    if let Some(h) = head {
        let seq = int("audit seq", h.head.seq)?;
        let base = int("audit seq", h.base.seq)?;
        let changed = tx
            .prepare_cached(sql::HEAD_UPDATE)
            .and_then(|mut s| {
                s.execute(params![
                    seq,
                    &h.head.hash[..],
                    param(h.version),
                    base,
                    &h.base.hash[..],
                ])
            })
            .map_err(backend)?;
        one_row(changed)?;
    }
    Ok(())
}

/// The directory chain's entries up to the new base, removed (J4).
fn prune_directory_audit(tx: &Connection, through: Option<u64>) -> Result<(), StoreError> {
    if let Some(through) = through {
        let seq = int("audit seq", through)?;
        tx.prepare_cached(sql::AUDIT_PRUNE)
            .and_then(|mut s| s.execute(params![DIRECTORY_CHAIN, seq]))
            .map_err(backend)?;
    }
    Ok(())
}

/// Account inserts and versioned updates.
fn write_accounts(tx: &Connection, writes: &[AccountWrite]) -> Result<(), StoreError> {
    for w in writes {
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
        if insert {
            tx.prepare_cached(sql::ACCOUNT_INSERT)
                .and_then(|mut s| {
                    s.execute(params![id, created_at, seq, &a.audit_head.hash[..], doc])
                })
                .map_err(|e| match extended_code(&e) {
                    Some(ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => {
                        StoreError::Duplicate(Entity::Account)
                    }
                    _ => backend(e),
                })?;
        } else {
            let changed = tx
                .prepare_cached(sql::ACCOUNT_UPDATE)
                .and_then(|mut s| {
                    s.execute(params![
                        id,
                        created_at,
                        seq,
                        &a.audit_head.hash[..],
                        doc,
                        param(a.version),
                    ])
                })
                .map_err(backend)?;
            one_row(changed)?;
        }
    }
    Ok(())
}

/// Contact inserts, versioned updates and deletes.
fn write_contacts(tx: &Connection, writes: &[ContactWrite]) -> Result<(), StoreError> {
    for w in writes {
        match w {
            ContactWrite::Insert(r) | ContactWrite::Update(r) => {
                let id = int("contact id", r.id.get())?;
                let created_at = nanos(r.created_at)?;
                let mut plain = r.clone();
                plain.created_at = epoch();
                let doc = doc_of("a contact", &plain, CONTACT_COLUMNS)?;
                // The sort keys (I5) go with the row; a new contact has no
                // membership to copy them to yet.
                let name = ContactSort::Name.key_of(r);
                let email = ContactSort::Email.key_of(r);
                if matches!(w, ContactWrite::Insert(_)) {
                    tx.prepare_cached(sql::CONTACT_INSERT)
                        .and_then(|mut s| {
                            s.execute(params![id, r.login_key, created_at, doc, name, email])
                        })
                        .map_err(|e| match extended_code(&e) {
                            Some(ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => {
                                StoreError::Duplicate(Entity::Contact)
                            }
                            Some(ffi::SQLITE_CONSTRAINT_UNIQUE) => {
                                StoreError::Duplicate(Entity::Login)
                            }
                            _ => backend(e),
                        })?;
                } else {
                    // A login never changes (B3): a changed key is a conflict.
                    let changed = tx
                        .prepare_cached(sql::CONTACT_UPDATE)
                        .and_then(|mut s| {
                            s.execute(params![
                                id,
                                created_at,
                                doc,
                                param(r.version),
                                r.login_key,
                                name,
                                email
                            ])
                        })
                        .map_err(backend)?;
                    one_row(changed)?;
                    copy_sort_keys(tx, id, &name, &r.login_key, &email)?;
                }
            }
            ContactWrite::Delete(id, version) => {
                let changed = tx
                    .prepare_cached(sql::CONTACT_DELETE)
                    .and_then(|mut s| s.execute(params![param(id.get()), param(*version),]))
                    .map_err(backend)?;
                one_row(changed)?;
            }
        }
    }
    Ok(())
}

/// Membership puts and deletes.
fn write_memberships(tx: &Connection, writes: &[MembershipWrite]) -> Result<(), StoreError> {
    for w in writes {
        match w {
            MembershipWrite::Put(m) => {
                let account = int("account id", m.account.get())?;
                let contact = int("contact id", m.contact.get())?;
                let since = nanos(m.since)?;
                let mut plain = m.clone();
                plain.since = epoch();
                let doc = doc_of("a membership", &plain, MEMBERSHIP_COLUMNS)?;
                // The keys come from the contact, written first: none there,
                // no membership (a contact that does not exist).
                let changed = tx
                    .prepare_cached(sql::MEMBERSHIP_PUT)
                    .and_then(|mut s| s.execute(params![account, contact, since, doc]))
                    .map_err(backend)?;
                one_row(changed)?;
            }
            MembershipWrite::Delete(account, contact) => {
                let (Ok(account), Ok(contact)) = (
                    int("account id", account.get()),
                    int("contact id", contact.get()),
                ) else {
                    continue;
                };
                tx.prepare_cached(sql::MEMBERSHIP_DELETE)
                    .and_then(|mut s| s.execute([account, contact]))
                    .map_err(backend)?;
            }
        }
    }
    Ok(())
}

/// Audit entries, each continuing its chain one after the other (J3).
fn append_audit(tx: &Connection, entries: &[AuditEntry]) -> Result<(), StoreError> {
    let mut next_seq: Vec<(i64, u64)> = Vec::new();
    for e in entries {
        let chain = chain_of(e.account)?;
        let expected = match next_seq.iter_mut().find(|(c, _)| *c == chain) {
            Some((_, n)) => n,
            None => {
                let last: Option<i64> = tx
                    .prepare_cached(sql::AUDIT_LAST)
                    .and_then(|mut s| s.query_row([chain], |r| r.get(0)).optional())
                    .map_err(backend)?;
                next_seq.push((chain, uint("audit seq", last.unwrap_or(0))? + 1));
                let Some((_, n)) = next_seq.last_mut() else {
                    return Err(StoreError::Conflict);
                };
                n
            }
        };
        // Entries continue their chain, one after the other.
        if e.seq != *expected {
            return Err(StoreError::Conflict);
        }
        *expected += 1;
        let seq = int("audit seq", e.seq)?;
        let at = nanos(e.at)?;
        let fields = serde_json::to_string(&e.fields)
            .map_err(|err| StoreError::Backend(format!("cannot encode audit fields: {err}")))?;
        tx.prepare_cached(sql::AUDIT_INSERT)
            .and_then(|mut s| {
                s.execute(params![
                    chain,
                    seq,
                    at,
                    e.actor,
                    e.operation.name(),
                    e.target,
                    e.outcome.label(),
                    fields,
                    e.detail,
                    &e.prev_hash[..],
                    &e.hash[..],
                ])
            })
            .map_err(backend)?;
    }
    Ok(())
}

/// Notifications kept until delivered (I1).
fn write_outbox(tx: &Connection, items: &[OutboxItem]) -> Result<(), StoreError> {
    for item in items {
        let n = &item.notification;
        let id = int("notification id", n.id.get())?;
        let due = nanos(item.next_attempt_at)?;
        let at = nanos(n.at)?;
        let mut plain = n.clone();
        plain.at = epoch();
        let doc = doc_of("a notification", &plain, NOTIFICATION_COLUMNS)?;
        tx.prepare_cached(sql::OUTBOX_PUT)
            .and_then(|mut s| s.execute(params![id, due, item.attempts, at, doc]))
            .map_err(backend)?;
    }
    Ok(())
}

/// Resource puts and deletes.
fn write_resources(tx: &Connection, writes: &[ResourceWrite]) -> Result<(), StoreError> {
    for w in writes {
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
                tx.prepare_cached(sql::RESOURCE_PUT)
                    .and_then(|mut s| {
                        s.execute(params![id, account, primary, secondary, created_at, doc])
                    })
                    .map_err(backend)?;
            }
            ResourceWrite::Delete(id) => {
                tx.prepare_cached(sql::RESOURCE_DELETE)
                    .and_then(|mut s| s.execute([param(id.get())]))
                    .map_err(backend)?;
            }
        }
    }
    Ok(())
}

/// Session puts and deletes.
/// Throttle records, each at the version read (0: a new one), so that two
/// processes counting one login's attempts never both win (D5, D9).
fn write_throttle(tx: &Connection, records: &[ThrottleRecord]) -> Result<(), StoreError> {
    for t in records {
        // A record outlasting what the column holds is kept until then.
        let expires = nanos(t.expires_at()).unwrap_or(i64::MAX);
        let doc = doc_of("a throttle record", t, THROTTLE_COLUMNS)?;
        let changed = if t.version == 0 {
            tx.prepare_cached(sql::THROTTLE_INSERT)
                .and_then(|mut s| s.execute(params![&t.key[..], expires, doc]))
        } else {
            tx.prepare_cached(sql::THROTTLE_UPDATE)
                .and_then(|mut s| s.execute(params![&t.key[..], expires, doc, param(t.version)]))
        }
        .map_err(backend)?;
        one_row(changed)?;
    }
    Ok(())
}

fn write_sessions(tx: &Connection, writes: &[SessionWrite]) -> Result<(), StoreError> {
    for w in writes {
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
                tx.prepare_cached(sql::SESSION_PUT)
                    .and_then(|mut s| {
                        s.execute(params![
                            &session.key[..],
                            contact,
                            account,
                            created_at,
                            last_seen,
                            doc
                        ])
                    })
                    .map_err(backend)?;
            }
            SessionWrite::Delete(key) => {
                tx.prepare_cached(sql::SESSION_DELETE)
                    .and_then(|mut s| s.execute([&key[..]]))
                    .map_err(backend)?;
            }
        }
    }
    Ok(())
}

impl Store for SqliteStore {
    fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        let Ok(id) = int("account id", id.get()) else {
            return Ok(None);
        };
        let conn = self.conn();
        let row = conn
            .prepare_cached(sql::ACCOUNT_BY_ID)
            .and_then(|mut s| s.query_row([id], account_row).optional())
            .map_err(backend)?;
        row.map(decode_account).transpose()
    }

    fn contact(&self, id: ContactId) -> Result<Option<ContactRecord>, StoreError> {
        let Ok(id) = int("contact id", id.get()) else {
            return Ok(None);
        };
        let conn = self.conn();
        let row = conn
            .prepare_cached(sql::CONTACT_BY_ID)
            .and_then(|mut s| s.query_row([id], |r| contact_row(r, 0)).optional())
            .map_err(backend)?;
        row.map(decode_contact).transpose()
    }

    fn contact_by_login(&self, login_key: &str) -> Result<Option<ContactRecord>, StoreError> {
        let conn = self.conn();
        let row = conn
            .prepare_cached(sql::CONTACT_BY_LOGIN)
            .and_then(|mut s| s.query_row([login_key], |r| contact_row(r, 0)).optional())
            .map_err(backend)?;
        row.map(decode_contact).transpose()
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
        let conn = self.conn();
        let row = conn
            .prepare_cached(sql::MEMBERSHIP_BY_KEY)
            .and_then(|mut s| s.query_row([account, contact], membership_row).optional())
            .map_err(backend)?;
        row.map(decode_membership).transpose()
    }

    fn memberships_of(&self, contact: ContactId) -> Result<Vec<MembershipRecord>, StoreError> {
        let Ok(contact) = int("contact id", contact.get()) else {
            return Ok(Vec::new());
        };
        let conn = self.conn();
        let rows = conn
            .prepare_cached(sql::MEMBERSHIPS_OF)
            .and_then(|mut s| {
                s.query_map([contact], membership_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(backend)?;
        drop(conn);
        rows.into_iter().map(decode_membership).collect()
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
        self.member_rows(sql::MEMBERS_PAGE, params![account, after, limit(limit_to)])
    }

    fn members_in_order(
        &self,
        account: AccountId,
        order: ContactSort,
        after: Option<(&str, ContactId)>,
        limit_to: usize,
    ) -> Result<Vec<(MembershipRecord, ContactRecord)>, StoreError> {
        let statement = match order {
            ContactSort::Name => sql::MEMBERS_BY_NAME,
            ContactSort::Login => sql::MEMBERS_BY_LOGIN,
            ContactSort::Email => sql::MEMBERS_BY_EMAIL,
            _ => return self.members(account, after.map(|(_, id)| id), limit_to),
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
        self.member_rows(statement, params![account, key, after, limit(limit_to)])
    }

    fn directory_head(&self) -> Result<DirectoryHead, StoreError> {
        let conn = self.conn();
        type Row = (i64, Vec<u8>, i64, i64, Vec<u8>);
        let (seq, hash, version, base_seq, base_hash): Row = conn
            .prepare_cached(sql::DIRECTORY_HEAD)
            .and_then(|mut s| {
                s.query_row([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
            })
            .map_err(backend)?;
        Ok(DirectoryHead {
            head: ChainHead {
                seq: uint("directory head", seq)?,
                hash: hash_of("the directory head", &hash)?,
            },
            base: ChainHead {
                seq: uint("directory chain base", base_seq)?,
                hash: hash_of("the directory chain base", &base_hash)?,
            },
            version: uint("directory head version", version)?,
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
        let conn = self.conn();
        let rows = conn
            .prepare_cached(sql::AUDIT_PAGE)
            .and_then(|mut s| {
                s.query_map(
                    params![
                        chain_no,
                        after,
                        from,
                        until,
                        query.actor,
                        query.operation.map(Operation::name),
                        limit(query.limit),
                    ],
                    audit_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(backend)?;
        drop(conn);
        rows.into_iter().map(|r| decode_audit(chain, r)).collect()
    }

    fn commit(&self, changes: &Changeset) -> Result<(), StoreError> {
        let mut conn = self.conn();
        // A transaction left open by a panic while the lock was held.
        if !conn.is_autocommit() {
            conn.execute_batch("ROLLBACK").map_err(backend)?;
        }
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        apply(&tx, changes)?;
        // Dropping `tx` on an error above rolls it back.
        tx.commit().map_err(|e| match extended_code(&e) {
            Some(ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => StoreError::Backend(
                "a membership refers to an account or contact that does not exist".into(),
            ),
            _ => backend(e),
        })
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
        let conn = self.conn();
        let rows = conn
            .prepare_cached(sql::OUTBOX_DUE)
            .and_then(|mut s| {
                s.query_map(params![due, limit(limit_to)], outbox_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(backend)?;
        drop(conn);
        rows.into_iter().map(decode_outbox).collect()
    }

    fn session(&self, key: &[u8; 32]) -> Result<Option<SessionRecord>, StoreError> {
        let conn = self.conn();
        let row = conn
            .prepare_cached(sql::SESSION_BY_KEY)
            .and_then(|mut s| s.query_row([&key[..]], session_row).optional())
            .map_err(backend)?;
        row.map(decode_session).transpose()
    }

    fn touch_session(&self, key: &[u8; 32], at: OffsetDateTime) -> Result<(), StoreError> {
        let at = nanos(at)?;
        let conn = self.conn();
        conn.prepare_cached(sql::SESSION_TOUCH)
            .and_then(|mut s| s.execute(params![&key[..], at]))
            .map(|_| ())
            .map_err(backend)
    }

    fn purge_sessions(
        &self,
        last_seen_before: OffsetDateTime,
        created_before: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        let (idle, old) = (nanos(last_seen_before)?, nanos(created_before)?);
        let conn = self.conn();
        let mut purged = 0;
        for (statement, before) in [
            (sql::SESSION_PURGE_IDLE, idle),
            (sql::SESSION_PURGE_OLD, old),
        ] {
            purged += conn
                .prepare_cached(statement)
                .and_then(|mut s| s.execute(params![before]))
                .map_err(backend)?;
        }
        Ok(purged)
    }

    /// The key in the file beside the database (`<path>.key`), created
    /// readable by its owner only, with a new random key, when there is
    /// none. A host that keeps its keys elsewhere (a key manager) gives
    /// them to [`DirectoryBuilder::sealing_keys`](crate::DirectoryBuilder::sealing_keys) instead.
    fn sealing_key(&self) -> Result<Option<crate::SealingKey>, StoreError> {
        match self.key_file() {
            Ok(k) => Ok(Some(k)),
            Err(Error::Store(e)) => Err(e),
            Err(e) => Err(StoreError::Backend(format!("the key file: {e}"))),
        }
    }

    fn throttle(&self, key: &[u8; 32]) -> Result<Option<ThrottleRecord>, StoreError> {
        let conn = self.conn();
        let row: Option<(i64, String)> = conn
            .prepare_cached(sql::THROTTLE_BY_KEY)
            .and_then(|mut s| {
                s.query_row([&key[..]], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(backend)?;
        let Some((version, doc)) = row else {
            return Ok(None);
        };
        decode_throttle(key, version, &doc).map(Some)
    }

    fn purge_throttle(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        let now = match bound(now) {
            Bound::Below => return Ok(0),
            Bound::At(n) => n,
            Bound::Above => i64::MAX,
        };
        let conn = self.conn();
        conn.prepare_cached(sql::THROTTLE_PURGE)
            .and_then(|mut s| s.execute(params![now]))
            .map_err(backend)
    }

    fn resource(&self, id: ResourceId) -> Result<Option<ResourceRecord>, StoreError> {
        let Ok(id) = int("resource id", id.get()) else {
            return Ok(None);
        };
        let conn = self.conn();
        let row = conn
            .prepare_cached(sql::RESOURCE_BY_ID)
            .and_then(|mut s| s.query_row([id], resource_row).optional())
            .map_err(backend)?;
        row.map(decode_resource).transpose()
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
        let conn = self.conn();
        let rows = conn
            .prepare_cached(sql::RESOURCES_PAGE)
            .and_then(|mut s| {
                s.query_map(params![account, after, limit(limit_to)], resource_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(backend)?;
        drop(conn);
        rows.into_iter().map(decode_resource).collect()
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
        let conn = self.conn();
        let rows = conn
            .prepare_cached(sql::DUTIES_OF)
            .and_then(|mut s| {
                s.query_map([account, contact], resource_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(backend)?;
        drop(conn);
        let mut duties = rows
            .into_iter()
            .map(decode_resource)
            .collect::<Result<Vec<_>, _>>()?;
        duties.sort_by_key(|r| r.id);
        Ok(duties)
    }

    fn settle(&self, id: NotificationId, settlement: Settlement) -> Result<(), StoreError> {
        let Ok(id) = int("notification id", id.get()) else {
            return Ok(());
        };
        let conn = self.conn();
        match settlement {
            Settlement::Remove => conn
                .prepare_cached(sql::OUTBOX_DELETE)
                .and_then(|mut s| s.execute([id])),
            Settlement::Retry {
                attempts,
                next_attempt_at,
            } => {
                let due = nanos(next_attempt_at)?;
                conn.prepare_cached(sql::OUTBOX_RETRY)
                    .and_then(|mut s| s.execute(params![id, attempts, due]))
            }
        }
        .map(|_| ())
        .map_err(backend)
    }
}

#[cfg(test)]
mod tests {
    #![expect(
        clippy::unwrap_used,
        reason = "test code: a failed unwrap is a failed test"
    )]

    use super::*;

    fn temp_store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
        (dir, store)
    }

    /// Rule of the scale target (issue 5): no statement on an operation's
    /// path scans a table or sorts outside an index, so its cost does not
    /// grow with the directory.
    #[test]
    fn every_statement_is_a_lookup_or_an_index_range() {
        let (_dir, store) = temp_store();
        let conn = store.conn();
        for (name, statement) in sql::ALL {
            let mut s = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {statement}"))
                .unwrap();
            let nulls = vec![rusqlite::types::Null; s.parameter_count()];
            let plan: Vec<String> = s
                .query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            for step in &plan {
                assert!(
                    !step.starts_with("SCAN") && !step.contains("TEMP B-TREE"),
                    "{name} does not use an index: {plan:?}"
                );
            }
        }
        // Foreign keys: deleting a contact looks up its memberships by the
        // index on (contact, account), not by a scan.
        let plan: Vec<String> = conn
            .prepare("EXPLAIN QUERY PLAN SELECT 1 FROM memberships WHERE contact = ?1")
            .unwrap()
            .query_map([0], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter().all(|p| p.contains("memberships_by_contact")),
            "{plan:?}"
        );
    }

    #[test]
    fn commits_wait_for_the_disk_unless_told_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let synchronous = |store: &SqliteStore| -> i64 {
            store
                .conn()
                .query_row("PRAGMA synchronous", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(synchronous(&SqliteStore::open(&path).unwrap()), 2); // FULL
        let fast = SqliteOptions::default().durable_commits(false);
        assert_eq!(
            synchronous(&SqliteStore::open_with(&path, &fast).unwrap()),
            1 // NORMAL
        );
    }

    #[test]
    fn an_old_file_is_migrated_on_open_in_one_step() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let store = SqliteStore::open(&path).unwrap();
        let head = ChainHead::default();
        let mut changes = Changeset::default();
        changes.accounts.push(AccountWrite::Insert(AccountRecord {
            id: AccountId(5),
            name: "Kept".into(),
            plan: crate::accounts::Plan::default(),
            procurement_enabled: false,
            partner: None,
            services: Vec::new(),
            security: Default::default(),
            billing: Default::default(),
            owner: ContactId(6),
            contact_count: 1,
            invited: Vec::new(),
            audit_head: head,
            created_at: OffsetDateTime::UNIX_EPOCH,
            version: 0,
        }));
        store.commit(&changes).unwrap();
        drop(store);

        // A later library with one more migration opens this file.
        let current = MIGRATIONS.len() as u32;
        let mut later: Vec<&str> = MIGRATIONS.to_vec();
        later.push("ALTER TABLE accounts ADD COLUMN note TEXT;");
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, &later).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, i64::from(current) + 1);
        let (name, note): (String, Option<String>) = conn
            .query_row(
                "SELECT json_extract(doc, '$.name'), note FROM accounts WHERE id = 5",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((name.as_str(), note), ("Kept", None));
        drop(conn);

        // This library refuses the file the later one wrote, untouched.
        let before = std::fs::read(&path).unwrap();
        let err = SqliteStore::open(&path).unwrap_err();
        assert_eq!(
            err,
            StoreError::SchemaTooNew {
                found: current + 1,
                supported: current
            }
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_version_1_file_gets_the_session_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, &MIGRATIONS[..1]).unwrap();
        drop(conn);
        drop(SqliteStore::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let indexes: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'sessions_by_%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(indexes, 2);
    }

    // rule J4: a file from before the prune keeps its directory chain,
    // whose base is its start.
    #[test]
    fn a_version_3_file_gets_the_directory_chain_base() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v3.db");
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, &MIGRATIONS[..3]).unwrap();
        conn.execute_batch(
            "UPDATE directory_head SET seq = 7, hash = x'0700000000000000000000000000000000000000000000000000000000000000', version = 7;",
        )
        .unwrap();
        drop(conn);
        let store = SqliteStore::open(&path).unwrap();
        let head = store.directory_head().unwrap();
        assert_eq!((head.head.seq, head.head.hash[0]), (7, 7));
        assert_eq!(head.base, ChainHead::default());
        assert_eq!(head.version, 7);
    }

    // rule I5: a file from before the sort keys lists its members in each
    // order once opened, with keys computed as the store computes them.
    #[test]
    fn a_version_4_file_gets_the_sort_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v4.db");
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, &MIGRATIONS[..4]).unwrap();
        // Rows as version 4 wrote them; their account is not the point.
        conn.execute_batch("PRAGMA foreign_keys = OFF; BEGIN")
            .unwrap();
        let names = ["Zoë", "adam", "Émile", "Bob", "ábel"];
        // Five in account 5 to list, and more than a batch of the fill in
        // account 6.
        let many: Vec<String> = (0..1003).map(|i| format!("Member {i:04}")).collect();
        let everyone = names
            .iter()
            .map(|n| (5i64, n.to_string()))
            .chain(many.iter().map(|n| (6i64, n.clone())));
        for (i, (account, name)) in everyone.enumerate() {
            let name = name.as_str();
            let id = 100 + i as u64;
            let c = ContactRecord {
                id: ContactId(id),
                login: format!("u{i}"),
                login_key: format!("u{i}"),
                profile: crate::contacts::Profile::new(name, format!("{name}@example.com")),
                account_count: 1,
                credentials: Default::default(),
                invitations: Vec::new(),
                created_at: epoch(),
                version: 1,
            };
            let m = MembershipRecord {
                account: AccountId(account as u64),
                contact: ContactId(id),
                roles: Default::default(),
                tech_scope: crate::roles::TechScope::All,
                manual_lock: None,
                session_epoch: 0,
                notifications: Default::default(),
                since: epoch(),
            };
            let id = id as i64;
            conn.execute(
                "INSERT INTO contacts (id, login_key, version, created_at, doc) VALUES (?1, ?2, 1, 0, ?3)",
                params![id, c.login_key, doc_of("a contact", &c, CONTACT_COLUMNS).unwrap()],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO memberships (account, contact, since, doc) VALUES (?1, ?2, 0, ?3)",
                params![
                    account,
                    id,
                    doc_of("a membership", &m, MEMBERSHIP_COLUMNS).unwrap()
                ],
            )
            .unwrap();
        }
        conn.execute_batch("COMMIT").unwrap();
        drop(conn);
        let store = SqliteStore::open(&path).unwrap();
        let listed: Vec<String> = store
            .members_in_order(AccountId(5), ContactSort::Name, None, 10)
            .unwrap()
            .into_iter()
            .map(|(_, c)| c.profile.name)
            .collect();
        assert_eq!(listed, ["adam", "Bob", "Zoë", "ábel", "Émile"]);
        let after = ContactSort::Name.key_of(&store.contact(ContactId(103)).unwrap().unwrap());
        let rest: Vec<u64> = store
            .members_in_order(
                AccountId(5),
                ContactSort::Name,
                Some((&after, ContactId(103))),
                10,
            )
            .unwrap()
            .into_iter()
            .map(|(_, c)| c.id.get())
            .collect();
        assert_eq!(rest, [100, 104, 102]);
        let last = store
            .members_in_order(AccountId(6), ContactSort::Name, None, 2000)
            .unwrap()
            .last()
            .map(|(_, c)| c.profile.name.clone());
        assert_eq!(last.as_deref(), Some("Member 1002"));
        let filled = store
            .members_in_order(AccountId(6), ContactSort::Email, None, 2000)
            .unwrap()
            .len();
        assert_eq!(filled, 1003);
    }

    #[test]
    fn a_failing_migration_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        drop(SqliteStore::open(&path).unwrap());
        let mut broken: Vec<&str> = MIGRATIONS.to_vec();
        broken.push("CREATE TABLE extra (x INTEGER); SELECT no_such_function();");
        let mut conn = Connection::open(&path).unwrap();
        assert!(migrate(&mut conn, &broken).is_err());
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        let extra: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'extra'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!((version, extra), (MIGRATIONS.len() as i64, 0));
    }

    #[test]
    fn documents_leave_out_what_columns_hold() {
        let m = MembershipRecord {
            account: AccountId(1),
            contact: ContactId(2),
            roles: crate::roles::RoleSet::EMPTY,
            tech_scope: crate::roles::TechScope::All,
            manual_lock: None,
            session_epoch: 0,
            notifications: Default::default(),
            since: OffsetDateTime::UNIX_EPOCH,
        };
        let doc = doc_of("m", &m, MEMBERSHIP_COLUMNS).unwrap();
        assert!(!doc.contains("account") && !doc.contains("since"), "{doc}");
        let back: MembershipRecord = from_doc("m", &doc, MEMBERSHIP_COLUMNS).unwrap();
        assert_eq!(back.roles, m.roles);
        assert!(matches!(
            from_doc::<MembershipRecord>("m", "[1]", MEMBERSHIP_COLUMNS),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[test]
    fn times_outside_the_kept_range_are_refused_not_mangled() {
        let far = OffsetDateTime::UNIX_EPOCH + time::Duration::days(365 * 400);
        assert!(matches!(nanos(far), Err(StoreError::Backend(_))));
        assert!(matches!(bound(far), Bound::Above));
        assert!(matches!(
            bound(OffsetDateTime::UNIX_EPOCH - time::Duration::days(365 * 400)),
            Bound::Below
        ));
        let t = OffsetDateTime::UNIX_EPOCH + time::Duration::nanoseconds(1_234_567_891);
        assert_eq!(time_of(nanos(t).unwrap()).unwrap(), t);
    }
}
