//! SQLite through rusqlite: the pool and its connections, statements, parameter binding,
//! value decoding, error mapping.
//!
//! Values are stored the way SQLAlchemy stores them for SQLModel (dates as ISO text with
//! microseconds, UUIDs as 32 hex digits, booleans as 0/1), so a Rust service can share a
//! database file with a Python SQLModel app.
//!
//! Statements run on the calling task: an SQLite call on an embedded database is a short
//! piece of CPU work, and handing it to another thread would cost more than the call itself
//! (see the benchmark report). Streams too step on the reading task, between its polls.

mod busy;
pub(crate) mod fk_names;
mod native;
mod statements;
pub(crate) mod stream;

pub(crate) use native::Native;
pub(crate) mod ddl;
pub(crate) mod reflect;

use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};

use crate::error::{DatabaseError, DbErrorKind, DecodeError, Error};
use crate::types::{Value, ValueKind};

const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";
const TIME_FORMAT: &str = "%H:%M:%S%.6f";
const DATE_FORMAT: &str = "%Y-%m-%d";

/// How long a connection waits for another connection's write lock before failing, unless
/// the engine's lock timeout says otherwise.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite virtual machine steps between two checks of a statement's deadline.
const PROGRESS_STEPS: i32 = 1000;

/// Opens the pool of a `sqlite:` URL.
pub(crate) fn open_pool(url: &str, settings: &crate::engine::Settings) -> Result<super::Pool, Error> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static MEMORY_DATABASES: AtomicU64 = AtomicU64::new(0);
    let rest = url.trim_start_matches("sqlite:");
    let memory = matches!(rest, ":memory:" | "//:memory:" | "///:memory:" | "");
    let target = if memory {
        // A named database of SQLite's `memdb` VFS is shared by every connection of this
        // process that opens the same name, with ordinary locking between them.
        let n = MEMORY_DATABASES.fetch_add(1, Ordering::Relaxed);
        SqliteTarget { path: format!("file:/tablemodel-{}-{n}?vfs=memdb", std::process::id()), memory: true }
    } else {
        let path = match rest.strip_prefix("//") {
            Some(after) => match after.strip_prefix('/') {
                Some(relative_or_abs) => relative_or_abs.to_owned(),
                None => after.to_owned(),
            },
            None => rest.to_owned(),
        };
        if path.is_empty() {
            return Err(Error::InvalidUrl { url: url.to_owned(), reason: "no database file named".to_owned() });
        }
        SqliteTarget { path, memory: false }
    };
    let manager = SqliteManager {
        target,
        timeouts: Timeouts {
            statement: settings.statement_timeout,
            lock: settings.lock_timeout.unwrap_or(BUSY_TIMEOUT),
        },
    };
    let keeper = if memory { Some(std::sync::Mutex::new(manager.open()?.conn.into_connection())) } else { None };
    let size = settings.max_connections.unwrap_or(if memory { 4 } else { 8 });
    let builder = super::upkeep::configure(deadpool::managed::Pool::builder(manager), settings, size);
    let pool =
        super::upkeep::max_lifetime(builder, settings).build().map_err(|e| Error::PoolMisconfigured(Box::new(e)))?;
    Ok(super::Pool::Sqlite { pool, _keeper: keeper })
}

/// The error of a writer that waited for its turn as long as SQLite waits for a lock: the
/// same "database is locked" SQLite would give.
pub(crate) fn gate_timed_out() -> Error {
    DatabaseError {
        kind: DbErrorKind::Busy,
        code: Some("SQLITE_BUSY".to_owned()),
        constraint: None,
        table: None,
        message: "database is locked: another session of this engine kept its write transaction open".to_owned(),
        sql: Some("BEGIN IMMEDIATE".to_owned()),
        source: None,
    }
    .into()
}

/// Rolls back the transaction of a dropped session. Best effort: if even `ROLLBACK`
/// fails, the pool's recycle check rolls back.
pub(crate) fn roll_back_on_drop(conn: deadpool::managed::Object<SqliteManager>) {
    let _ = conn.execute_batch("ROLLBACK");
}

/// Where an engine's connections open their database.
#[derive(Clone, Debug)]
pub(crate) struct SqliteTarget {
    /// A file path, or a `file:` URI for the shared in-memory database.
    pub(crate) path: String,
    pub(crate) memory: bool,
}

/// Opens and recycles SQLite connections for the pool.
#[derive(Debug)]
pub(crate) struct SqliteManager {
    pub(crate) target: SqliteTarget,
    /// The engine's timeouts, which every connection starts with and returns to.
    timeouts: Timeouts,
}

/// A connection's statement timeout and lock (busy) timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timeouts {
    statement: Option<Duration>,
    lock: Duration,
}

/// A pooled SQLite connection with its statements, the deadline its progress handler
/// enforces and what its busy handler is told.
pub(crate) struct SqliteConn {
    conn: statements::Statements,
    timeouts: Timeouts,
    /// When the running statement must stop, in milliseconds since [`epoch`] (0: never);
    /// read by the progress handler.
    deadline: std::sync::Arc<std::sync::atomic::AtomicU64>,
    busy: std::sync::Arc<busy::BusyWait>,
}

impl std::ops::Deref for SqliteConn {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.connection()
    }
}

/// The instant deadlines count from.
fn epoch() -> std::time::Instant {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(std::time::Instant::now)
}

/// What the progress handler checks: when the running statement must stop.
struct Watch<'a> {
    limit: Option<Duration>,
    deadline: &'a std::sync::atomic::AtomicU64,
}

impl<'a> Watch<'a> {
    /// Arms the statement deadline, if the connection has a statement timeout.
    #[inline]
    fn arm(&self) {
        if let Some(limit) = self.limit {
            self.arm_for(limit);
        }
    }

    #[cold]
    fn arm_for(&self, limit: Duration) {
        let at = (epoch().elapsed() + limit).as_millis() as u64 + 1;
        self.deadline.store(at, std::sync::atomic::Ordering::Relaxed);
    }

    /// Disarms the statement deadline.
    #[inline]
    fn disarm(&self) {
        if self.limit.is_some() {
            self.deadline.store(0, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

impl SqliteConn {
    /// The statement deadline's watch, and the statements.
    #[inline]
    fn parts(&mut self) -> (Watch<'_>, &mut statements::Statements) {
        (Watch { limit: self.timeouts.statement, deadline: &self.deadline }, &mut self.conn)
    }

    /// [`SqliteConn::parts`], and what the busy handler is told.
    #[inline]
    fn parts_and_busy(&mut self) -> (Watch<'_>, &mut statements::Statements, &busy::BusyWait) {
        (Watch { limit: self.timeouts.statement, deadline: &self.deadline }, &mut self.conn, &self.busy)
    }

    /// Sets this connection's timeouts (a session's own); the pool restores the engine's
    /// when the connection comes back.
    pub(crate) fn set_timeouts(
        &mut self,
        statement: Option<Option<Duration>>,
        lock: Option<Option<Duration>>,
    ) -> crate::error::Result<()> {
        let mut timeouts = self.timeouts;
        if let Some(statement) = statement {
            timeouts.statement = statement;
        }
        if let Some(lock) = lock {
            // SQLite has no "wait forever": a day is as good.
            timeouts.lock = lock.unwrap_or(Duration::from_secs(86_400));
        }
        self.apply(timeouts).map_err(|e| map_error(e, None))
    }

    fn apply(&mut self, timeouts: Timeouts) -> rusqlite::Result<()> {
        if timeouts.lock != self.timeouts.lock {
            self.busy.set_lock_timeout(timeouts.lock);
        }
        // The progress handler stays: with no statement timeout the deadline is never armed.
        self.timeouts = timeouts;
        Ok(())
    }
}

/// Installs the progress handler that stops a statement past its deadline. Installed once,
/// when the connection opens (the connection is shared with its statements afterwards, and
/// rusqlite sets a handler only through `&mut Connection`): while the deadline is not
/// armed it answers "go on", and SQLite calls it only every [`PROGRESS_STEPS`] steps.
fn watch(conn: &mut Connection, deadline: &std::sync::Arc<std::sync::atomic::AtomicU64>) -> rusqlite::Result<()> {
    let watched = deadline.clone();
    conn.progress_handler(
        PROGRESS_STEPS,
        Some(move || {
            let at = watched.load(std::sync::atomic::Ordering::Relaxed);
            at != 0 && epoch().elapsed().as_millis() as u64 + 1 >= at
        }),
    )
}

impl SqliteManager {
    pub(crate) fn open(&self) -> Result<SqliteConn, Error> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(&self.target.path, flags).map_err(|e| map_error(e, None))?;
        let busy = busy::BusyWait::new(self.timeouts.lock);
        conn.busy_handler(Some(busy.handler())).map_err(|e| map_error(e, None))?;
        configure(&conn, self.target.memory).map_err(|e| map_error(e, None))?;
        let deadline = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        watch(&mut conn, &deadline).map_err(|e| map_error(e, None))?;
        Ok(SqliteConn { conn: statements::Statements::new(conn), timeouts: self.timeouts, deadline, busy })
    }
}

fn configure(conn: &Connection, memory: bool) -> rusqlite::Result<()> {
    use rusqlite::config::DbConfig;
    // A double-quoted identifier that names no column must be an error, never a string
    // literal that quietly matches (or fails to match) every row.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DQS_DML, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DQS_DDL, false)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    if !memory {
        conn.pragma_update(None, "journal_mode", "WAL")?;
    }
    Ok(())
}

impl deadpool::managed::Manager for SqliteManager {
    type Type = SqliteConn;
    type Error = Error;

    async fn create(&self) -> Result<SqliteConn, Error> {
        self.open()
    }

    async fn recycle(
        &self,
        conn: &mut SqliteConn,
        _: &deadpool::managed::Metrics,
    ) -> deadpool::managed::RecycleResult<Error> {
        let recycle_error = |e| deadpool::managed::RecycleError::Backend(map_error(e, None));
        if conn.timeouts != self.timeouts {
            // A session changed them: back to the engine's.
            conn.apply(self.timeouts).map_err(recycle_error)?;
        }
        if conn.is_autocommit() {
            Ok(())
        } else {
            // A transaction left open by a session that was never closed: never hand it on.
            conn.execute_batch("ROLLBACK").map_err(recycle_error)
        }
    }
}

/// A bound parameter, converted to SQLite's storage classes.
pub(crate) struct Param<'a>(pub(crate) &'a Value);

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        use rusqlite::types::Value as Owned;
        Ok(match self.0 {
            Value::Bool(v) => {
                v.map_or(ToSqlOutput::Borrowed(ValueRef::Null), |b| ToSqlOutput::Owned(Owned::Integer(b as i64)))
            }
            Value::TinyInt(v) => int(v.map(i64::from)),
            Value::SmallInt(v) => int(v.map(i64::from)),
            Value::Int(v) => int(v.map(i64::from)),
            Value::BigInt(v) => int(*v),
            Value::TinyUnsigned(v) => int(v.map(i64::from)),
            Value::SmallUnsigned(v) => int(v.map(i64::from)),
            Value::Unsigned(v) => int(v.map(i64::from)),
            Value::BigUnsigned(v) => int(v.map(|v| v.min(i64::MAX as u64) as i64)),
            Value::Float(v) => real(v.map(f64::from)),
            Value::Double(v) => real(*v),
            Value::String(v) => text_ref(v.as_deref()),
            Value::Char(v) => text(v.map(|c| c.to_string())),
            Value::Bytes(v) => match v {
                Some(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
                None => ToSqlOutput::Borrowed(ValueRef::Null),
            },
            Value::Json(v) => text(v.as_ref().map(|j| j.to_string())),
            // No arrays in SQLite: JSON text (`Capabilities::arrays`).
            Value::Array(_, v) => text(v.as_ref().map(|items| crate::types::array::to_json(items).to_string())),
            Value::ChronoDate(v) => text(v.map(|d| d.format(DATE_FORMAT).to_string())),
            Value::ChronoTime(v) => text(v.map(|t| t.format(TIME_FORMAT).to_string())),
            Value::ChronoDateTime(v) => text(v.map(|t| t.format(DATETIME_FORMAT).to_string())),
            Value::ChronoDateTimeUtc(v) => text(v.map(|t| t.naive_utc().format(DATETIME_FORMAT).to_string())),
            Value::ChronoDateTimeLocal(v) => text(v.map(|t| t.naive_utc().format(DATETIME_FORMAT).to_string())),
            Value::ChronoDateTimeWithTimeZone(v) => text(v.map(|t| t.naive_utc().format(DATETIME_FORMAT).to_string())),
            Value::Uuid(v) => text(v.map(|u| u.simple().to_string())),
            Value::Decimal(v) => text(v.map(|d| d.to_string())),
            Value::Enum(v) => match v {
                sea_query::OptionEnum::Some(e) => text(Some(e.value.to_string())),
                sea_query::OptionEnum::None(_) => ToSqlOutput::Borrowed(ValueRef::Null),
            },
            #[allow(unreachable_patterns)]
            other => {
                return Err(rusqlite::Error::ToSqlConversionFailure(format!("unsupported parameter {other:?}").into()));
            }
        })
    }
}

fn int(v: Option<i64>) -> ToSqlOutput<'static> {
    v.map_or(ToSqlOutput::Borrowed(ValueRef::Null), |i| ToSqlOutput::Owned(rusqlite::types::Value::Integer(i)))
}

fn real(v: Option<f64>) -> ToSqlOutput<'static> {
    v.map_or(ToSqlOutput::Borrowed(ValueRef::Null), |f| ToSqlOutput::Owned(rusqlite::types::Value::Real(f)))
}

fn text(v: Option<String>) -> ToSqlOutput<'static> {
    v.map_or(ToSqlOutput::Borrowed(ValueRef::Null), |s| ToSqlOutput::Owned(rusqlite::types::Value::Text(s)))
}

fn text_ref(v: Option<&str>) -> ToSqlOutput<'_> {
    v.map_or(ToSqlOutput::Borrowed(ValueRef::Null), |s| ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())))
}

/// The raw SQLite value of column `idx`.
#[inline]
pub(crate) fn column<'r>(row: &'r rusqlite::Row<'_>, idx: usize) -> Result<ValueRef<'r>, DecodeError> {
    row.get_ref(idx).map_err(no_column)
}

#[cold]
#[inline(never)]
fn no_column(e: rusqlite::Error) -> DecodeError {
    DecodeError::new("a column", e.to_string())
}

/// An integer column, also accepting a whole REAL (SQLite's loose storage classes).
#[inline]
pub(crate) fn int_of(raw: ValueRef<'_>) -> Result<i64, DecodeError> {
    match raw {
        ValueRef::Integer(i) => Ok(i),
        ValueRef::Real(f) if f.fract() == 0.0 => Ok(f as i64),
        _ => Err(DecodeError::new("an integer", format!("found SQLite value {raw:?}"))),
    }
}

/// A floating-point column, also accepting an INTEGER.
#[inline]
pub(crate) fn real_of(raw: ValueRef<'_>) -> Result<f64, DecodeError> {
    match raw {
        ValueRef::Real(f) => Ok(f),
        ValueRef::Integer(i) => Ok(i as f64),
        _ => Err(DecodeError::new("a number", format!("found SQLite value {raw:?}"))),
    }
}

/// A text column, checked to be UTF-8.
#[inline]
pub(crate) fn text_of<'r>(raw: ValueRef<'r>) -> Result<&'r str, DecodeError> {
    match raw {
        ValueRef::Text(t) => std::str::from_utf8(t).map_err(|e| DecodeError::new("UTF-8 text", e.to_string())),
        _ => Err(DecodeError::new("text", format!("found SQLite value {raw:?}"))),
    }
}

/// Converts a raw SQLite value to a value of `kind`.
pub(crate) fn decode_ref(raw: ValueRef<'_>, kind: ValueKind) -> Result<Value, DecodeError> {
    if matches!(raw, ValueRef::Null) {
        return Ok(kind.null());
    }
    let bad = |what: &'static str| DecodeError::new(what, format!("found SQLite value {raw:?}"));
    let as_text = || text_of(raw);
    let as_int = || int_of(raw);
    Ok(match kind {
        ValueKind::Bool => Value::Bool(Some(as_int()? != 0)),
        ValueKind::SmallInt => Value::SmallInt(Some(i16::try_from(as_int()?).map_err(|_| bad("i16"))?)),
        ValueKind::Int => Value::Int(Some(i32::try_from(as_int()?).map_err(|_| bad("i32"))?)),
        ValueKind::BigInt => Value::BigInt(Some(as_int()?)),
        ValueKind::Float => Value::Float(Some(real_of(raw)? as f32)),
        ValueKind::Double => Value::Double(Some(real_of(raw)?)),
        ValueKind::Text => Value::String(Some(as_text()?.to_owned())),
        ValueKind::Bytes => match raw {
            ValueRef::Blob(b) | ValueRef::Text(b) => Value::Bytes(Some(b.to_vec())),
            _ => return Err(bad("bytes")),
        },
        ValueKind::Json => {
            let json = match raw {
                // A column declared `JSON` has NUMERIC affinity: SQLite stores the text of a
                // JSON number as that number.
                ValueRef::Integer(i) => serde_json::Value::from(i),
                ValueRef::Real(f) => serde_json::Value::from(f),
                _ => serde_json::from_str(as_text()?).map_err(|e| DecodeError::new("JSON", e.to_string()))?,
            };
            Value::Json(Some(Box::new(json)))
        }
        ValueKind::Array(element) => {
            let json = serde_json::from_str(as_text()?).map_err(|e| DecodeError::new("JSON", e.to_string()))?;
            Value::Array(element.array_type(), Some(Box::new(crate::types::array::from_json(json, element)?)))
        }
        ValueKind::Date => Value::ChronoDate(Some(
            chrono::NaiveDate::parse_from_str(as_text()?, DATE_FORMAT)
                .map_err(|e| DecodeError::new("a date", e.to_string()))?,
        )),
        ValueKind::Time => Value::ChronoTime(Some(
            chrono::NaiveTime::parse_from_str(as_text()?, "%H:%M:%S%.f")
                .map_err(|e| DecodeError::new("a time", e.to_string()))?,
        )),
        ValueKind::DateTime => Value::ChronoDateTime(Some(parse_datetime(as_text()?)?)),
        ValueKind::DateTimeUtc => Value::ChronoDateTimeUtc(Some(parse_datetime(as_text()?)?.and_utc())),
        ValueKind::Uuid => Value::Uuid(Some(match raw {
            ValueRef::Blob(b) => uuid::Uuid::from_slice(b).map_err(|e| DecodeError::new("a UUID", e.to_string()))?,
            _ => uuid::Uuid::parse_str(as_text()?).map_err(|e| DecodeError::new("a UUID", e.to_string()))?,
        })),
        ValueKind::Decimal => Value::Decimal(Some(match raw {
            ValueRef::Integer(i) => rust_decimal::Decimal::from(i),
            ValueRef::Real(f) => {
                rust_decimal::Decimal::try_from(f).map_err(|e| DecodeError::new("a decimal", e.to_string()))?
            }
            _ => as_text()?.parse().map_err(|e: rust_decimal::Error| DecodeError::new("a decimal", e.to_string()))?,
        })),
    })
}

/// Parses SQLAlchemy's `YYYY-MM-DD HH:MM:SS[.ffffff]`, also with a `T` separator or an
/// offset (converted to UTC), as other writers store them.
fn parse_datetime(text: &str) -> Result<chrono::NaiveDateTime, DecodeError> {
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f") {
        return Ok(t);
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(t);
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .or_else(|_| chrono::DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z"))
        .map(|t| t.naive_utc())
        .map_err(|e| DecodeError::new("a timestamp", format!("{text:?}: {e}")))
}

/// `BEGIN IMMEDIATE`, waiting for another connection's write lock (another process or
/// engine on the same file) as long as the lock timeout.
///
/// The wait happens on the runtime, in short sleeps between attempts, not in SQLite's busy
/// handler: that would hold the runtime's worker thread for the whole wait, and with it the
/// tasks queued on that worker (an accept loop, other requests), and keep the process from
/// shutting down until the wait ends. The connection's busy handler is told not to wait
/// for the time of the attempts ([`busy::BusyWait`]).
async fn begin_immediate(conn: &mut SqliteConn, sql: &str) -> crate::error::Result<()> {
    let lock = conn.timeouts.lock;
    let (watch, statements, busy) = conn.parts_and_busy();
    // The clock is read once the lock was found taken: the wait is measured from then.
    let mut deadline = None;
    // Waiting again also when this future is dropped during a sleep.
    let _no_wait = busy::NoWait::new(busy);
    let mut pause = Duration::from_millis(1);
    loop {
        match run_batch(&watch, statements, sql) {
            Err(Error::Database(db))
                if db.kind == DbErrorKind::Busy
                    && std::time::Instant::now() + pause
                        < *deadline.get_or_insert_with(|| std::time::Instant::now() + lock) =>
            {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            other => break other,
        }
    }
}

/// Turns a rusqlite error into a [`DatabaseError`] naming the constraint where SQLite says.
pub(crate) fn map_error(err: rusqlite::Error, sql: Option<&str>) -> Error {
    use rusqlite::ffi;
    let (kind, code) = match &err {
        rusqlite::Error::SqliteFailure(e, _) => {
            let kind = match e.extended_code {
                ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => DbErrorKind::UniqueViolation,
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => DbErrorKind::ForeignKeyViolation,
                ffi::SQLITE_CONSTRAINT_NOTNULL => DbErrorKind::NotNullViolation,
                ffi::SQLITE_CONSTRAINT_CHECK => DbErrorKind::CheckViolation,
                _ => match e.code {
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked => DbErrorKind::Busy,
                    rusqlite::ErrorCode::CannotOpen => DbErrorKind::Connection,
                    rusqlite::ErrorCode::OperationInterrupted => DbErrorKind::Timeout,
                    _ => DbErrorKind::Other,
                },
            };
            (kind, Some(extended_code_name(e.extended_code)))
        }
        rusqlite::Error::SqlInputError { .. } => (DbErrorKind::Syntax, Some("SQLITE_ERROR".to_owned())),
        _ => (DbErrorKind::Other, None),
    };
    let message = match &err {
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
    };
    let kind = if kind == DbErrorKind::Other && is_syntax_message(&message) {
        DbErrorKind::Syntax
    } else if kind == DbErrorKind::Other && message.starts_with("FOREIGN KEY constraint failed") {
        // ON DELETE RESTRICT reports itself as a trigger constraint (SQLITE_CONSTRAINT_TRIGGER).
        DbErrorKind::ForeignKeyViolation
    } else {
        kind
    };
    // SQLite names no constraint, only its columns: "UNIQUE constraint failed: hero.name".
    let constraint = message
        .split_once("constraint failed: ")
        .map(|(_, cols)| cols.trim().to_owned())
        .or_else(|| (kind == DbErrorKind::ForeignKeyViolation).then(|| "FOREIGN KEY".to_owned()));
    let table = constraint.as_deref().and_then(|c| c.split_once('.')).map(|(t, _)| t.to_owned());
    let source: Option<std::sync::Arc<dyn std::error::Error + Send + Sync>> = Some(std::sync::Arc::new(err));
    DatabaseError { kind, code, constraint, table, message, sql: sql.map(str::to_owned), source }.into()
}

fn is_syntax_message(message: &str) -> bool {
    ["syntax error", "no such column", "no such table", "no such function"].iter().any(|m| message.contains(m))
}

fn extended_code_name(code: i32) -> String {
    use rusqlite::ffi;
    match code {
        ffi::SQLITE_CONSTRAINT_UNIQUE => "SQLITE_CONSTRAINT_UNIQUE".to_owned(),
        ffi::SQLITE_CONSTRAINT_PRIMARYKEY => "SQLITE_CONSTRAINT_PRIMARYKEY".to_owned(),
        ffi::SQLITE_CONSTRAINT_FOREIGNKEY => "SQLITE_CONSTRAINT_FOREIGNKEY".to_owned(),
        ffi::SQLITE_CONSTRAINT_NOTNULL => "SQLITE_CONSTRAINT_NOTNULL".to_owned(),
        ffi::SQLITE_CONSTRAINT_CHECK => "SQLITE_CONSTRAINT_CHECK".to_owned(),
        ffi::SQLITE_BUSY => "SQLITE_BUSY".to_owned(),
        ffi::SQLITE_LOCKED => "SQLITE_LOCKED".to_owned(),
        other => format!("SQLITE_{other}"),
    }
}

/// Binds `params` to `stmt`, prepared for `sql`.
#[inline]
fn bind(stmt: &mut rusqlite::Statement<'_>, sql: &str, params: &[Value]) -> crate::error::Result<()> {
    for (i, p) in params.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, Param(p)).map_err(|e| map_error(e, Some(sql)))?;
    }
    Ok(())
}

/// Runs a statement that returns rows, handing each one read (all, or only the first) to
/// `each`.
pub(crate) fn query(
    conn: &mut SqliteConn,
    sql: &str,
    params: &[Value],
    read: super::Rows,
    mut each: impl FnMut(&rusqlite::Row<'_>) -> crate::error::Result<()>,
) -> crate::error::Result<()> {
    let (watch, statements) = conn.parts();
    statements.run(sql, |stmt| {
        bind(stmt, sql, params)?;
        watch.arm();
        // Dropping the rows resets the statement, however the loop ends.
        let mut rows = stmt.raw_query();
        let result = loop {
            match rows.next() {
                Ok(Some(row)) => {
                    if let Err(e) = each(row) {
                        break Err(e);
                    }
                    if read == super::Rows::First {
                        break Ok(());
                    }
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(map_error(e, Some(sql))),
            }
        };
        watch.disarm();
        result
    })
}

/// Runs a statement that returns no rows; the number of rows it changed.
pub(crate) fn execute(conn: &mut SqliteConn, sql: &str, params: &[Value]) -> crate::error::Result<u64> {
    let (watch, statements) = conn.parts();
    statements.run(sql, |stmt| {
        bind(stmt, sql, params)?;
        watch.arm();
        // Resets the statement, whether it succeeded or not.
        let result = stmt.raw_execute().map(|n| n as u64).map_err(|e| map_error(e, Some(sql)));
        watch.disarm();
        result
    })
}

/// Runs one or more statements without parameters (transaction control, DDL).
pub(crate) async fn batch(conn: &mut SqliteConn, sql: &str) -> crate::error::Result<()> {
    if sql.starts_with("BEGIN IMMEDIATE") {
        return begin_immediate(conn, sql).await;
    }
    let (watch, statements) = conn.parts();
    run_batch(&watch, statements, sql)
}

/// [`batch`] without a future: `None`, having done nothing, for a `BEGIN IMMEDIATE` that
/// finds another connection's write lock taken (then [`batch`] waits for it). Where
/// `BEGIN` and `COMMIT` of a write run at once, as the session runs them on SQLite.
#[inline]
pub(crate) fn batch_at_once(conn: &mut SqliteConn, sql: &str) -> Option<crate::error::Result<()>> {
    if sql.starts_with("BEGIN IMMEDIATE") {
        let (watch, statements, busy) = conn.parts_and_busy();
        let _no_wait = busy::NoWait::new(busy);
        return match run_batch(&watch, statements, sql) {
            Err(Error::Database(db)) if db.kind == DbErrorKind::Busy => None,
            other => Some(other),
        };
    }
    let (watch, statements) = conn.parts();
    Some(run_batch(&watch, statements, sql))
}

/// Runs parameterless SQL under the statement deadline. The transaction's own statements
/// (`BEGIN IMMEDIATE`, `COMMIT`, `ROLLBACK`) are kept prepared on the connection, as a
/// query is: SQLite then only steps them, where `execute_batch` would parse and compile
/// each one again (most of what a `BEGIN` or `COMMIT` costs the caller). Anything else
/// (DDL, savepoints, several statements) runs as a batch.
#[inline]
fn run_batch(watch: &Watch<'_>, statements: &mut statements::Statements, sql: &str) -> crate::error::Result<()> {
    watch.arm();
    let result = if matches!(sql, "BEGIN IMMEDIATE" | "COMMIT" | "ROLLBACK") {
        statements.run(sql, |stmt| stmt.raw_execute().map(drop).map_err(|e| map_error(e, Some(sql))))
    } else {
        statements.connection().execute_batch(sql).map_err(|e| map_error(e, Some(sql)))
    };
    watch.disarm();
    result
}
