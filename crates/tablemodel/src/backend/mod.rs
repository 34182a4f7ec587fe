//! The database backends behind one small surface: open a pool, check out a connection,
//! run a statement that returns rows, run one that does not, run raw control SQL, stream.
//!
//! Only this module names a driver. Each backend is one directory (`sqlite/`, `postgres/`)
//! owning its connections, rows, decoding, streaming and error mapping; the rest of the
//! crate sees the enums below and the [`Capabilities`] of a [`Dialect`]. A new backend is a
//! new directory plus one variant per enum here and in `row.rs`.
//!
//! The backends are an enum rather than a trait object: there are few of them, they are
//! known at compile time, and a `match` keeps the hot path free of dynamic dispatch and
//! boxed futures.

#[cfg(feature = "mysql")]
pub(crate) mod mysql;
#[cfg(feature = "postgres")]
pub(crate) mod postgres;
#[cfg(feature = "sqlite")]
pub(crate) mod sqlite;

mod capabilities;
mod gate;
mod row;
mod upkeep;
pub use capabilities::{AlterSupport, Capabilities, MigrationLock, OnlineDdl};
pub(crate) use gate::{WriteGate, WritePermit};
pub use row::RawColumn;
pub(crate) use row::RowRef;

use std::sync::Arc;

use futures_util::stream::BoxStream;

use crate::error::{Error, Result};
use crate::model::Model;
use crate::query::Bound;
use crate::row::RowReader;
use crate::session::Session;
use crate::types::Value;

/// The body of [`Conn::query`], written out in the calling `async fn` (`$conn` a
/// `&mut Conn`, `$each` a `&mut` reader): the session's one read that every query runs
/// uses it directly, so that the backend's future is awaited where the caller's future
/// polls, without [`Conn::query`]'s own state machine around it (built, moved and polled
/// once more per query).
macro_rules! query_in_place {
    ($conn:expr, $sql:expr, $params:expr, $read:expr, $each:expr) => {{
        let each = $each;
        match $conn {
            #[cfg(feature = "sqlite")]
            $crate::backend::Conn::Sqlite(conn) => $crate::backend::sqlite::query(conn, $sql, $params, $read, |row| {
                each(&mut $crate::row::RowReader::new($crate::backend::RowRef::Sqlite(row)))
            }),
            #[cfg(feature = "postgres")]
            $crate::backend::Conn::Postgres(client, statements) => {
                $crate::backend::postgres::query(client, *statements, $sql, $params, $read, |row| {
                    each(&mut $crate::row::RowReader::new($crate::backend::RowRef::Postgres(row)))
                })
                .await
            }
            #[cfg(feature = "mysql")]
            $crate::backend::Conn::Mysql(conn) => {
                $crate::backend::mysql::query(conn, $sql, $params, $read, |row| {
                    each(&mut $crate::row::RowReader::new($crate::backend::RowRef::Mysql(row)))
                })
                .await
            }
        }
    }};
}
pub(crate) use query_in_place;

/// A statement's parameters in the form its backend's driver sends them, made one value at
/// a time as they are read from a model, where the driver takes its parameters by value
/// (MySQL): each text is copied once, from the model into what goes on the wire, with no
/// list of [`Value`]s in between. From [`Conn::driver_params`], run by
/// [`Conn::execute_params`].
pub(crate) enum DriverParams {
    #[cfg(feature = "mysql")]
    Mysql(Vec<mysql_async::Value>),
}

impl DriverParams {
    /// Appends `value`.
    #[inline]
    #[cfg_attr(not(feature = "mysql"), allow(unused_variables))]
    pub(crate) fn push(&mut self, value: Value) {
        match *self {
            #[cfg(feature = "mysql")]
            DriverParams::Mysql(ref mut params) => params.push(mysql::driver_value(value)),
        }
    }
}

/// The SQL dialect of a backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dialect {
    /// SQLite 3.
    Sqlite,
    /// PostgreSQL 13 and later.
    Postgres,
    /// MySQL 8 and MariaDB 10.5 and later.
    Mysql,
}

impl Dialect {
    /// What this dialect supports.
    pub const fn capabilities(self) -> &'static Capabilities {
        match self {
            Dialect::Sqlite => &Capabilities::SQLITE,
            Dialect::Postgres => &Capabilities::POSTGRES,
            Dialect::Mysql => &Capabilities::MYSQL,
        }
    }

    /// The dialect's name in lower case (`"sqlite"`, `"postgres"`, `"mysql"`), as migration
    /// files name the dialect of a raw SQL step.
    pub const fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
        }
    }

    /// Every dialect.
    pub const ALL: &'static [Dialect] = &[Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql];

    /// The dialect of a database URL (`sqlite:…`, `postgres://…`, `mysql://…` or
    /// `mariadb://…`), whether or not its backend is compiled in.
    ///
    /// ```
    /// use tablemodel::Dialect;
    /// assert_eq!(Dialect::of_url("postgres://db.example/app"), Some(Dialect::Postgres));
    /// assert_eq!(Dialect::of_url("sqlite://database.db"), Some(Dialect::Sqlite));
    /// assert_eq!(Dialect::of_url("mariadb://db.example/app"), Some(Dialect::Mysql));
    /// assert_eq!(Dialect::of_url("oracle://x"), None);
    /// ```
    pub fn of_url(url: &str) -> Option<Dialect> {
        if url.starts_with("sqlite:") {
            Some(Dialect::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Dialect::Postgres)
        } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
            Some(Dialect::Mysql)
        } else {
            None
        }
    }

    /// The database's name in OpenTelemetry's `db.system` attribute.
    pub fn otel_system(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgresql",
            Dialect::Mysql => "mysql",
        }
    }

    /// The most parameters one statement may bind.
    pub fn max_params(self) -> usize {
        self.capabilities().max_params
    }

    /// Renders a query statement with its bound values.
    pub(crate) fn render<Q: sea_query::QueryStatementBuilder>(self, statement: &Q) -> (String, Vec<Value>) {
        let (sql, values) = match self {
            Dialect::Sqlite => statement.build_any(&sea_query::SqliteQueryBuilder),
            Dialect::Postgres => statement.build_any(&sea_query::PostgresQueryBuilder),
            #[cfg(feature = "mysql")]
            Dialect::Mysql => {
                let (sql, values) = statement.build_any(&sea_query::MysqlQueryBuilder);
                (mysql::spell_casts(sql), values)
            }
            #[cfg(not(feature = "mysql"))]
            Dialect::Mysql => statement.build_any(&sea_query::MysqlQueryBuilder),
        };
        (sql, values.0)
    }

    /// Renders a DDL statement.
    pub(crate) fn render_schema<Q: sea_query::SchemaStatementBuilder>(self, statement: &Q) -> String {
        match self {
            Dialect::Sqlite => statement.build(sea_query::SqliteQueryBuilder),
            Dialect::Postgres => statement.build(sea_query::PostgresQueryBuilder),
            Dialect::Mysql => statement.build(sea_query::MysqlQueryBuilder),
        }
    }
}

/// Opens a pool for `url` (engine settings already taken out of its query): the backend is
/// picked by the URL's scheme.
pub(crate) fn open(url: &str, settings: &crate::engine::Settings) -> Result<(Pool, Dialect)> {
    if url.starts_with("sqlite:") {
        #[cfg(feature = "sqlite")]
        return sqlite::open_pool(url, settings).map(|pool| (pool, Dialect::Sqlite));
        #[cfg(not(feature = "sqlite"))]
        return Err(Error::BackendDisabled { scheme: "sqlite".to_owned(), feature: "sqlite" });
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        return postgres::open_pool(url, settings).map(|pool| (pool, Dialect::Postgres));
        #[cfg(not(feature = "postgres"))]
        return Err(Error::BackendDisabled { scheme: "postgres".to_owned(), feature: "postgres" });
    }
    if url.starts_with("mysql://") || url.starts_with("mariadb://") {
        #[cfg(feature = "mysql")]
        return mysql::open_pool(url, settings).map(|pool| (pool, Dialect::Mysql));
        #[cfg(not(feature = "mysql"))]
        return Err(Error::BackendDisabled { scheme: "mysql".to_owned(), feature: "mysql" });
    }
    let _ = settings;
    Err(Error::InvalidUrl {
        url: crate::engine::redact(url),
        reason: "expected a `sqlite:`, `postgres://` or `mysql://` URL".to_owned(),
    })
}

/// A pool of connections to one database.
pub(crate) enum Pool {
    #[cfg(feature = "sqlite")]
    Sqlite {
        pool: deadpool::managed::Pool<sqlite::SqliteManager>,
        /// Keeps a shared in-memory database alive while the engine lives.
        _keeper: Option<std::sync::Mutex<rusqlite::Connection>>,
    },
    /// The pool, and how its connections run statements.
    #[cfg(feature = "postgres")]
    Postgres(postgres::PgPool, postgres::Statements),
    #[cfg(feature = "mysql")]
    Mysql(deadpool::managed::Pool<mysql::MysqlManager>),
}

impl Pool {
    pub(crate) async fn get(&self) -> Result<Conn> {
        match self {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite { pool, .. } => pool.get().await.map(Conn::Sqlite).map_err(|e| pool_error(e, |e| e)),
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool, statements) => pool
                .get()
                .await
                .map(|client| Conn::Postgres(client, *statements))
                .map_err(|e| pool_error(e, |e| postgres::map_error(e, None))),
            #[cfg(feature = "mysql")]
            Pool::Mysql(pool) => {
                pool.get().await.map(Conn::Mysql).map_err(|e| pool_error(e, |e| mysql::map_error(e, None)))
            }
        }
    }

    /// The pool's gauges.
    pub(crate) fn status(&self) -> crate::engine::PoolStatus {
        let s = match self {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite { pool, .. } => pool.status(),
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool, _) => pool.status(),
            #[cfg(feature = "mysql")]
            Pool::Mysql(pool) => pool.status(),
        };
        crate::engine::PoolStatus::from_counts(s.max_size, s.size, s.available, s.waiting)
    }

    /// Opens the minimum of idle connections, and starts the task that keeps it and closes
    /// idle and expired connections.
    pub(crate) async fn start_upkeep(&self, settings: &crate::engine::Settings) {
        let min_idle = settings.min_idle.unwrap_or(0);
        match self {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite { pool, .. } => {
                upkeep::fill(pool, min_idle).await;
                upkeep::spawn(pool, settings);
            }
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool, _) => {
                upkeep::fill(pool, min_idle).await;
                upkeep::spawn(pool, settings);
            }
            #[cfg(feature = "mysql")]
            Pool::Mysql(pool) => {
                upkeep::fill(pool, min_idle).await;
                upkeep::spawn(pool, settings);
            }
        }
    }

    pub(crate) fn close(&self) {
        match self {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite { pool, .. } => pool.close(),
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool, _) => pool.close(),
            #[cfg(feature = "mysql")]
            Pool::Mysql(pool) => pool.close(),
        }
    }

    /// Forgets the statements every connection prepared, after DDL changed the tables
    /// they read (PostgreSQL refuses a cached plan whose result type changed).
    pub(crate) fn forget_statements(&self) {
        match self {
            // SQLite prepares a statement again by itself when the schema changed.
            #[cfg(feature = "sqlite")]
            Pool::Sqlite { .. } => {}
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool, _) => pool.manager().forget_statements(),
            // MySQL prepares a statement again by itself when a table it reads changed.
            #[cfg(feature = "mysql")]
            Pool::Mysql(_) => {}
        }
    }

    /// The queue of an engine's writers when one transaction writes at a time; a writer
    /// waits for its turn as long as the lock timeout.
    pub(crate) fn write_gate(
        &self,
        capabilities: &Capabilities,
        settings: &crate::engine::Settings,
    ) -> Option<WriteGate> {
        if !capabilities.single_writer {
            return None;
        }
        let _ = settings;
        Some(match self {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite { .. } => {
                WriteGate::new(settings.lock_timeout.unwrap_or(sqlite::BUSY_TIMEOUT), sqlite::gate_timed_out)
            }
            #[cfg(feature = "postgres")]
            Pool::Postgres(..) => WriteGate::new(std::time::Duration::from_secs(5), postgres::gate_timed_out),
            #[cfg(feature = "mysql")]
            Pool::Mysql(_) => WriteGate::new(std::time::Duration::from_secs(5), mysql::gate_timed_out),
        })
    }
}

/// Why a pool handed out no connection, as the [`Error`] a caller can match: opening a
/// connection failed ([`Error::Connect`]), the wait timed out, the pool is closed, or it
/// cannot work as configured.
fn pool_error<E: std::error::Error + Send + Sync + 'static>(
    err: deadpool::managed::PoolError<E>,
    backend: impl FnOnce(E) -> Error,
) -> Error {
    use deadpool::managed::PoolError;
    match err {
        PoolError::Backend(e) => match backend(e) {
            Error::Database(db) => Error::Connect(db),
            other => other,
        },
        PoolError::Timeout(_) => Error::PoolTimedOut,
        PoolError::Closed => Error::PoolClosed,
        other => Error::PoolMisconfigured(Box::new(other)),
    }
}

/// How much of a statement's result to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rows {
    /// Every row.
    All,
    /// The first row only: a lookup by key, which has at most one. On SQLite this saves the
    /// final step that would only report the end of the result (a tenth of such a call).
    First,
}

/// A statement of [`Conn::query_together`]: its SQL, its parameters and its rows' reader.
pub(crate) type Batched<'q> = (&'q str, &'q [Value], &'q mut (dyn FnMut(&mut RowReader<'_>) -> Result<()> + Send + 'q));

/// A connection checked out of a [`Pool`]; it goes back when dropped.
pub(crate) enum Conn {
    #[cfg(feature = "sqlite")]
    Sqlite(deadpool::managed::Object<sqlite::SqliteManager>),
    /// The connection, and how it runs statements.
    #[cfg(feature = "postgres")]
    Postgres(postgres::Object, postgres::Statements),
    #[cfg(feature = "mysql")]
    Mysql(mysql::Object),
}

impl Conn {
    /// Runs a row-returning statement, handing each row it reads (all, or only the first)
    /// to `each`.
    pub(crate) async fn query(
        &mut self,
        sql: &str,
        params: &[Value],
        read: Rows,
        mut each: impl FnMut(&mut RowReader<'_>) -> Result<()> + Send,
    ) -> Result<()> {
        query_in_place!(self, sql, params, read, &mut each)
    }

    /// Whether the backend runs statements without waiting (SQLite): [`Conn::query_now`]
    /// and [`Conn::execute_now`] answer.
    #[inline]
    pub(crate) fn answers_at_once(&self) -> bool {
        #[cfg(feature = "sqlite")]
        if matches!(self, Conn::Sqlite(_)) {
            return true;
        }
        false
    }

    /// Runs a row-returning statement at once where the backend answers without waiting
    /// (SQLite), as [`Conn::query`] would; `None` where it must be awaited. Saves a read the
    /// future of [`Conn::query`] (built, moved and polled).
    #[inline]
    #[cfg_attr(not(feature = "sqlite"), allow(unused_variables))]
    pub(crate) fn query_now(
        &mut self,
        sql: &str,
        params: &[Value],
        read: Rows,
        each: &mut (impl FnMut(&mut RowReader<'_>) -> Result<()> + Send),
    ) -> Option<Result<()>> {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => {
                Some(sqlite::query(conn, sql, params, read, |row| each(&mut RowReader::new(RowRef::Sqlite(row)))))
            }
            #[allow(unreachable_patterns)] // with SQLite alone
            _ => None,
        }
    }

    /// [`Conn::execute`] at once where the backend answers without waiting (SQLite); `None`
    /// where it must be awaited.
    #[inline]
    #[cfg_attr(not(feature = "sqlite"), allow(unused_variables))]
    pub(crate) fn execute_now(&mut self, sql: &str, params: &[Value]) -> Option<Result<u64>> {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => Some(sqlite::execute(conn, sql, params)),
            #[allow(unreachable_patterns)] // with SQLite alone
            _ => None,
        }
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    pub(crate) async fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => sqlite::execute(conn, sql, params),
            #[cfg(feature = "postgres")]
            Conn::Postgres(client, statements) => postgres::execute(client, *statements, sql, params).await,
            #[cfg(feature = "mysql")]
            Conn::Mysql(conn) => mysql::execute(conn, sql, params).await,
        }
    }

    /// Sends `begin` and then a row-returning statement, in one round trip where the
    /// backend pipelines ([`Capabilities::pipelined_begin`]); elsewhere the statement runs
    /// only after `begin` succeeded. The statement's outcome counts only if `begin`'s is
    /// `Ok`.
    pub(crate) async fn query_after_begin(
        &mut self,
        begin: &str,
        sql: &str,
        params: &[Value],
        read: Rows,
        each: impl FnMut(&mut RowReader<'_>) -> Result<()> + Send,
    ) -> (Result<()>, Result<()>) {
        match self {
            #[cfg(feature = "postgres")]
            Conn::Postgres(client, statements) => {
                let mut each = each;
                let statement = postgres::query(client, *statements, sql, params, read, |row| {
                    each(&mut RowReader::new(RowRef::Postgres(row)))
                });
                postgres::after_begin(client, begin, statement).await
            }
            #[allow(unreachable_patterns)]
            conn => match conn.batch(begin).await {
                Ok(()) => (Ok(()), conn.query(sql, params, read, each).await),
                Err(e) => (Err(e), Ok(())),
            },
        }
    }

    /// Runs row-returning statements, each handing its rows to its reader: all sent before
    /// any answer is read where the backend pipelines, one after the other elsewhere. The
    /// outcome of each, in order.
    pub(crate) async fn query_together(&mut self, queries: &mut [Batched<'_>]) -> Vec<Result<()>> {
        match self {
            #[cfg(feature = "postgres")]
            Conn::Postgres(client, statements) => {
                let (client, statements) = (&*client, *statements);
                let runs = queries.iter_mut().map(|(sql, params, each)| {
                    postgres::query(client, statements, sql, params, Rows::All, |row| {
                        each(&mut RowReader::new(RowRef::Postgres(row)))
                    })
                });
                futures_util::future::join_all(runs).await
            }
            #[allow(unreachable_patterns)]
            conn => {
                let mut results = Vec::with_capacity(queries.len());
                for (sql, params, each) in queries.iter_mut() {
                    results.push(conn.query(sql, params, Rows::All, |row| each(row)).await);
                }
                results
            }
        }
    }

    /// [`Conn::execute`] after `begin`, as [`Conn::query_after_begin`] runs a query.
    pub(crate) async fn execute_after_begin(
        &mut self,
        begin: &str,
        sql: &str,
        params: &[Value],
    ) -> (Result<()>, Result<u64>) {
        match self {
            #[cfg(feature = "postgres")]
            Conn::Postgres(client, statements) => {
                let statement = postgres::execute(client, *statements, sql, params);
                postgres::after_begin(client, begin, statement).await
            }
            #[allow(unreachable_patterns)]
            conn => match conn.batch(begin).await {
                Ok(()) => (Ok(()), conn.execute(sql, params).await),
                Err(e) => (Err(e), Ok(0)),
            },
        }
    }

    /// An empty list of parameters in the form this connection's driver sends them, for up
    /// to `capacity` values, where the backend has one ([`DriverParams`]); `None` elsewhere.
    #[inline]
    #[cfg_attr(not(feature = "mysql"), allow(unused_variables))]
    pub(crate) fn driver_params(&self, capacity: usize) -> Option<DriverParams> {
        match self {
            #[cfg(feature = "mysql")]
            Conn::Mysql(_) => Some(DriverParams::Mysql(Vec::with_capacity(capacity))),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// Runs a statement that returns no rows with `params` made by
    /// [`Conn::driver_params`], after `begin` (transaction control) when there is one and
    /// only once it succeeded, in one future: the outcome of each (`begin`'s is `Ok` when
    /// there is none).
    #[cfg_attr(not(feature = "mysql"), allow(unused_variables))]
    pub(crate) async fn execute_params(
        &mut self,
        begin: Option<&str>,
        sql: &str,
        params: DriverParams,
    ) -> (Result<()>, Result<u64>) {
        match (self, params) {
            #[cfg(feature = "mysql")]
            (Conn::Mysql(conn), DriverParams::Mysql(params)) => mysql::execute_params(conn, begin, sql, params).await,
            #[allow(unreachable_patterns)]
            _ => (Ok(()), Err(Error::Internal("parameters made for another backend".to_owned()))),
        }
    }

    /// [`Conn::batch`] after `begin`, as [`Conn::query_after_begin`] runs a query.
    pub(crate) async fn batch_after_begin(&mut self, begin: &str, sql: &str) -> (Result<()>, Result<()>) {
        match self {
            #[cfg(feature = "postgres")]
            Conn::Postgres(client, _) => {
                let statement =
                    async { client.batch_execute(sql).await.map_err(|e| postgres::map_error(e, Some(sql))) };
                postgres::after_begin(client, begin, statement).await
            }
            #[allow(unreachable_patterns)]
            conn => match conn.batch(begin).await {
                Ok(()) => (Ok(()), conn.batch(sql).await),
                Err(e) => (Err(e), Ok(())),
            },
        }
    }

    /// [`Conn::batch`] at once where the backend answers without waiting (SQLite); `None`
    /// where it must be awaited, and for an SQLite `BEGIN IMMEDIATE` that finds the write
    /// lock taken (having done nothing: [`Conn::batch`] waits for the lock).
    #[inline]
    #[cfg_attr(not(feature = "sqlite"), allow(unused_variables))]
    pub(crate) fn batch_now(&mut self, sql: &str) -> Option<Result<()>> {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => sqlite::batch_at_once(conn, sql),
            #[allow(unreachable_patterns)] // with SQLite alone
            _ => None,
        }
    }

    /// Runs parameterless SQL: transaction control and DDL.
    pub(crate) async fn batch(&mut self, sql: &str) -> Result<()> {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => sqlite::batch(conn, sql).await,
            #[cfg(feature = "postgres")]
            Conn::Postgres(client, _) => client.batch_execute(sql).await.map_err(|e| postgres::map_error(e, Some(sql))),
            #[cfg(feature = "mysql")]
            Conn::Mysql(conn) => mysql::batch(conn, sql).await,
        }
    }

    /// The key the database generated for the last row this connection inserted (the write
    /// path of databases without `RETURNING`).
    pub(crate) async fn last_insert_id(&mut self) -> Result<i64> {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => Ok(conn.last_insert_rowid()),
            #[cfg(feature = "postgres")]
            Conn::Postgres(client, statements) => postgres::last_insert_id(client, *statements).await,
            #[cfg(feature = "mysql")]
            Conn::Mysql(conn) => mysql::last_insert_id(conn),
        }
    }

    /// [`Conn::last_insert_id`] where the connection knows it without asking the server;
    /// `None` where it must ask (PostgreSQL).
    #[inline]
    pub(crate) fn last_insert_id_now(&self) -> Option<Result<i64>> {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => Some(Ok(conn.last_insert_rowid())),
            #[cfg(feature = "mysql")]
            Conn::Mysql(conn) => Some(mysql::last_insert_id(conn)),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// What this connection answered to
    /// [`Capabilities::consecutive_keys_check`](crate::Capabilities), once asked; `None`
    /// until then (and always where the dialect has no such check).
    pub(crate) fn consecutive_keys(&self) -> Option<bool> {
        match self {
            #[cfg(feature = "mysql")]
            Conn::Mysql(conn) => conn.consecutive_keys,
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// Keeps the answer of [`Conn::consecutive_keys`] for the connection's life.
    pub(crate) fn remember_consecutive_keys(&mut self, consecutive: bool) {
        match self {
            #[cfg(feature = "mysql")]
            Conn::Mysql(conn) => conn.consecutive_keys = Some(consecutive),
            #[allow(unreachable_patterns)]
            _ => {
                let _ = consecutive;
            }
        }
    }

    /// Gives this connection a session's own statement and lock timeouts (`None`: leave
    /// as is; `Some(None)`: no limit). The engine's come back when the session ends.
    pub(crate) async fn set_timeouts(
        &mut self,
        statement: Option<Option<std::time::Duration>>,
        lock: Option<Option<std::time::Duration>>,
    ) -> Result<()> {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => conn.set_timeouts(statement, lock),
            #[cfg(feature = "postgres")]
            Conn::Postgres(client, _) => {
                let sql = postgres::set_timeouts_sql(statement, lock);
                client.batch_execute(&sql).await.map_err(|e| postgres::map_error(e, Some(&sql)))
            }
            #[cfg(feature = "mysql")]
            Conn::Mysql(conn) => mysql::set_timeouts(conn, statement, lock).await,
        }
    }

    /// Ends the transaction this connection is in when its session is dropped without
    /// `commit` or `rollback`, and brings back the engine's timeouts if the session changed
    /// them: best effort, and a connection that cannot do so is not handed on.
    fn end_on_drop(self, roll_back: bool, reset_timeouts: bool) {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => {
                // The pool's recycle check brings back the engine's timeouts.
                let _ = reset_timeouts;
                if roll_back {
                    sqlite::roll_back_on_drop(conn);
                }
            }
            #[cfg(feature = "postgres")]
            Conn::Postgres(client, _) => postgres::end_on_drop(client, roll_back, reset_timeouts),
            #[cfg(feature = "mysql")]
            Conn::Mysql(conn) => mysql::end_on_drop(conn, roll_back, reset_timeouts),
        }
    }
}

/// The rows of [`ConnSlot::stream`]: SQLite's stream as itself, so that the session's
/// logging wrapper and SQLite's stepping compile into one `poll_next` (one dynamic call per
/// row, not two), and the other backends' boxed.
pub(crate) enum RowStream<'c, T, F> {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlite::stream::Stepping<'c, F>),
    #[cfg_attr(not(any(feature = "postgres", feature = "mysql")), allow(dead_code))]
    Boxed(BoxStream<'c, Result<T>>, std::marker::PhantomData<fn() -> F>),
}

impl<'c, T, F> RowStream<'c, T, F> {
    #[cfg_attr(not(any(feature = "postgres", feature = "mysql")), allow(dead_code))]
    fn boxed(rows: BoxStream<'c, Result<T>>) -> Self {
        RowStream::Boxed(rows, std::marker::PhantomData)
    }
}

/// A session's connection: not taken from the pool yet (a lazy session), or in its hands.
pub(crate) struct ConnSlot {
    conn: Option<Conn>,
}

impl ConnSlot {
    pub(crate) fn new(conn: Option<Conn>) -> Self {
        ConnSlot { conn }
    }

    /// Whether the session has no connection yet.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.conn.is_none()
    }

    /// The connection, when the session has one: what every statement after the session's
    /// first finds, without an `await`.
    #[inline]
    pub(crate) fn in_hand(&mut self) -> Option<&mut Conn> {
        self.conn.as_mut()
    }

    /// Hands the session `conn` (the slot is empty).
    pub(crate) fn put(&mut self, conn: Conn) {
        self.conn = Some(conn);
    }

    /// Gives the connection back to its pool outside any transaction, with the engine's
    /// timeouts restored if `reset_timeouts`; the slot is empty afterwards.
    pub(crate) fn release(&mut self, reset_timeouts: bool) {
        if let Some(conn) = self.conn.take()
            && reset_timeouts
        {
            conn.end_on_drop(false, true);
        }
    }

    /// The connection, taken from `pool` if the session has none yet.
    #[inline]
    pub(crate) async fn get(&mut self, pool: &Pool) -> Result<&mut Conn> {
        if self.conn.is_none() {
            // Boxed: the pool's future would otherwise grow every statement's future (each
            // poll and move of it copies it), for a path taken once per session.
            return Box::pin(self.fetch(pool)).await;
        }
        self.conn.as_mut().ok_or_else(|| Error::Internal("a session lost its connection".to_owned()))
    }

    /// [`ConnSlot::get`] when the session has no connection in hand.
    async fn fetch(&mut self, pool: &Pool) -> Result<&mut Conn> {
        match self.conn {
            Some(ref mut conn) => Ok(conn),
            None => Ok(self.conn.insert(pool.get().await?)),
        }
    }

    /// Streams the rows of a query, each decoded by `decode`.
    pub(crate) async fn stream<T, F>(
        &mut self,
        pool: &Pool,
        sql: Arc<str>,
        params: Bound,
        decode: F,
    ) -> Result<RowStream<'_, T, F>>
    where
        T: Send + 'static,
        F: Fn(&mut RowReader<'_>) -> Result<T> + Send + Sync + 'static,
    {
        match self.get(pool).await? {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => Ok(RowStream::Sqlite(sqlite::stream::open(conn, sql, params, decode))),
            #[cfg(feature = "postgres")]
            Conn::Postgres(client, statements) => {
                postgres::stream(client, *statements, sql, params, decode).await.map(RowStream::boxed)
            }
            #[cfg(feature = "mysql")]
            Conn::Mysql(conn) => mysql::stream(conn, sql, params, decode).await.map(RowStream::boxed),
        }
    }

    /// Rolls back the open transaction of a dropped session and restores the engine's
    /// timeouts, as asked.
    pub(crate) fn end_on_drop(&mut self, roll_back: bool, reset_timeouts: bool) {
        if let Some(conn) = self.conn.take() {
            conn.end_on_drop(roll_back, reset_timeouts);
        }
    }
}

/// Names the foreign key behind a failed write of `models` where the database's own error
/// does not; `err` unchanged otherwise.
pub(crate) async fn name_foreign_key_for_write<'m, M: Model + 'm>(
    session: &mut Session,
    models: impl IntoIterator<Item = &'m M>,
    err: Error,
) -> Error {
    match session.dialect() {
        #[cfg(feature = "sqlite")]
        Dialect::Sqlite => sqlite::fk_names::name_for_write(session, models, err).await,
        _ => {
            let _ = models;
            err
        }
    }
}

/// Names the foreign key that still points at the row a delete of `model` failed to
/// remove, where the database's own error does not; `err` unchanged otherwise.
pub(crate) async fn name_foreign_key_for_delete<M: Model>(session: &mut Session, model: &M, err: Error) -> Error {
    match session.dialect() {
        #[cfg(feature = "sqlite")]
        Dialect::Sqlite => sqlite::fk_names::name_for_delete(session, model, err).await,
        _ => {
            let _ = model;
            err
        }
    }
}

/// How `dialect` spells column types and defaults in DDL; `None` when its backend is not
/// compiled in.
pub(crate) fn schema_spelling(dialect: Dialect) -> Option<&'static dyn crate::schema::dialect::DialectSchema> {
    match dialect {
        #[cfg(feature = "sqlite")]
        Dialect::Sqlite => Some(&sqlite::ddl::SQLITE),
        #[cfg(feature = "postgres")]
        Dialect::Postgres => Some(&postgres::ddl::POSTGRES),
        #[cfg(feature = "mysql")]
        Dialect::Mysql => Some(&mysql::ddl::MYSQL),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// Reads the live schema of the session's database.
pub(crate) async fn reflect(session: &mut crate::session::Session) -> Result<crate::schema::Schema> {
    match session.dialect() {
        #[cfg(feature = "sqlite")]
        Dialect::Sqlite => sqlite::reflect::reflect(session).await,
        #[cfg(feature = "postgres")]
        Dialect::Postgres => postgres::reflect::reflect(session).await,
        #[cfg(feature = "mysql")]
        Dialect::Mysql => mysql::reflect::reflect(session).await,
        #[allow(unreachable_patterns)]
        other => Err(Error::Internal(format!("a session of the {other:?} backend, which is not compiled in"))),
    }
}
