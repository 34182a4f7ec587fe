//! MySQL and MariaDB through mysql_async and deadpool: the pool, statements, parameter
//! binding, value decoding, error mapping.
//!
//! Every connection is set up the same way whatever the server's configuration: `utf8mb4`,
//! UTC, strict SQL mode and `ANSI_QUOTES` (so the `"identifier"` quoting of the rest of the
//! crate means what it means on the other backends), and the found-rows flag, so an
//! `UPDATE` that matches a row reports it even when it changes nothing (PostgreSQL's and
//! SQLite's row counts).

mod conn;
pub(crate) mod ddl;
mod errors;
mod native;
pub(crate) mod reflect;
mod values;

pub(crate) use conn::MysqlConn;
pub(crate) use errors::map_error;
pub(crate) use native::Native;
pub(crate) use values::{column_is_null, decode};

use std::sync::Arc;

use futures_util::stream::BoxStream;
use mysql_async::prelude::Queryable;

use crate::error::{DatabaseError, DbErrorKind, Error};
use crate::query::Bound;
use crate::types::Value;

/// The standard SQL types the query builder casts aggregates to, as MySQL's `CAST` spells
/// them (it has no `CAST(… AS BIGINT)`).
const CASTS: [(&str, &str); 4] = [
    (" AS BIGINT)", " AS SIGNED)"),
    // `Column::eq_exact`: a binary string compares byte for byte, whatever the collation.
    (" AS TEXT)", " AS BINARY)"),
    (" AS DOUBLE PRECISION)", " AS DOUBLE)"),
    (" AS NUMERIC)", " AS DECIMAL(65, 30))"),
];

/// `sql` with its casts spelled for MySQL. Values are bound, never inlined, so the only
/// `AS <type>)` in a statement is a cast.
pub(crate) fn spell_casts(mut sql: String) -> String {
    if sql.contains("CAST(") {
        for (standard, mysql) in CASTS {
            sql = sql.replace(standard, mysql);
        }
    }
    sql
}

/// Opens the pool of a `mysql://` or `mariadb://` URL with the engine's settings.
pub(crate) fn open_pool(url: &str, settings: &crate::engine::Settings) -> Result<super::Pool, Error> {
    let invalid = |reason: String| Error::InvalidUrl { url: crate::engine::redact(url), reason };
    let normalized = match url.strip_prefix("mariadb://") {
        Some(rest) => format!("mysql://{rest}"),
        None => url.to_owned(),
    };
    let opts = mysql_async::Opts::from_url(&normalized).map_err(|e| invalid(e.to_string()))?;
    let opts = mysql_async::OptsBuilder::from_opts(opts)
        .prefer_socket(false)
        .client_found_rows(true)
        // The connection keeps its statements itself (`MysqlConn`).
        .stmt_cache_size(0)
        .init(crate::Capabilities::MYSQL.session_setup.iter().map(|sql| (*sql).to_owned()).collect::<Vec<_>>());
    let engine_timeouts = Timeouts { statement: settings.statement_timeout, lock: settings.lock_timeout };
    let manager = MysqlManager { opts: opts.into(), engine_timeouts };
    let size = settings
        .max_connections
        .unwrap_or_else(|| (std::thread::available_parallelism().map_or(4, |n| n.get()) * 4).max(16));
    let builder = super::upkeep::configure(deadpool::managed::Pool::builder(manager), settings, size);
    let mut builder = super::upkeep::max_lifetime(builder, settings);
    if settings.pre_ping == Some(true) {
        let settings = settings.clone();
        builder = builder.post_recycle(deadpool::managed::Hook::async_fn(
            move |conn: &mut MysqlConn, metrics: &deadpool::managed::Metrics| {
                let ping = super::upkeep::needs_ping(&settings, metrics);
                Box::pin(async move {
                    if ping {
                        conn.ping().await.map_err(deadpool::managed::HookError::Backend)?;
                    }
                    Ok(())
                })
            },
        ));
    }
    let pool = builder.build().map_err(|e| Error::PoolMisconfigured(Box::new(e)))?;
    Ok(super::Pool::Mysql(pool))
}

/// A statement and a lock time limit (`None`: no limit).
#[derive(Clone, Copy, Debug, Default)]
struct Timeouts {
    statement: Option<std::time::Duration>,
    lock: Option<std::time::Duration>,
}

/// The longest lock wait InnoDB accepts, in seconds: "no limit".
const NO_LOCK_LIMIT: u64 = 1_073_741_824;

/// The statements that give a connection these limits. MariaDB's `max_statement_time`
/// (seconds) covers every statement; MySQL has only `max_execution_time` (milliseconds,
/// SELECTs only), used where the server does not know the first. InnoDB's row-lock and the
/// server's metadata-lock waits are whole seconds, rounded up.
fn timeouts_sql(
    statement: Option<Option<std::time::Duration>>,
    lock: Option<Option<std::time::Duration>>,
) -> Vec<String> {
    let mut sql = Vec::new();
    if let Some(limit) = statement {
        sql.push(format!("SET SESSION max_statement_time = {}", limit.map_or(0.0, |d| d.as_secs_f64())));
    }
    if let Some(limit) = lock {
        let seconds = limit.map_or(NO_LOCK_LIMIT, |d| d.as_millis().div_ceil(1000).max(1) as u64);
        sql.push(format!("SET SESSION innodb_lock_wait_timeout = {seconds}, lock_wait_timeout = {seconds}"));
    }
    sql
}

/// MySQL's spelling of a statement time limit, for a server that refused MariaDB's.
fn mysql_statement_timeout(statement: &str) -> Option<String> {
    let seconds: f64 = statement.strip_prefix("SET SESSION max_statement_time = ")?.parse().ok()?;
    Some(format!("SET SESSION max_execution_time = {}", (seconds * 1000.0).ceil() as u64))
}

/// Runs the statements that set a connection's limits.
async fn apply_timeouts(conn: &mut mysql_async::Conn, sql: Vec<String>) -> Result<(), mysql_async::Error> {
    for statement in sql {
        match conn.query_drop(&statement).await {
            // ER_UNKNOWN_SYSTEM_VARIABLE: MySQL, which has no `max_statement_time`.
            Err(mysql_async::Error::Server(e)) if e.code == 1193 => match mysql_statement_timeout(&statement) {
                Some(mysql) => conn.query_drop(mysql).await?,
                None => return Err(mysql_async::Error::Server(e)),
            },
            other => other?,
        }
    }
    Ok(())
}

/// Opens and recycles MySQL connections for the pool.
#[derive(Debug)]
pub(crate) struct MysqlManager {
    opts: mysql_async::Opts,
    /// The engine's limits, set on each new connection and brought back after a session
    /// that changed them.
    engine_timeouts: Timeouts,
}

impl MysqlManager {
    fn engine_timeouts_sql(&self) -> Vec<String> {
        let Timeouts { statement, lock } = self.engine_timeouts;
        timeouts_sql(Some(statement), Some(lock))
    }
}

impl deadpool::managed::Manager for MysqlManager {
    type Type = MysqlConn;
    type Error = mysql_async::Error;

    async fn create(&self) -> Result<MysqlConn, mysql_async::Error> {
        let mut conn = mysql_async::Conn::new(self.opts.clone()).await?;
        let Timeouts { statement, lock } = self.engine_timeouts;
        apply_timeouts(&mut conn, timeouts_sql(statement.map(Some), lock.map(Some))).await?;
        Ok(MysqlConn::new(conn))
    }

    async fn recycle(
        &self,
        _: &mut MysqlConn,
        _: &deadpool::managed::Metrics,
    ) -> deadpool::managed::RecycleResult<mysql_async::Error> {
        Ok(())
    }
}

/// Gives a connection a session's own limits (`None`: leave as is; `Some(None)`: no limit).
pub(crate) async fn set_timeouts(
    conn: &mut Object,
    statement: Option<Option<std::time::Duration>>,
    lock: Option<Option<std::time::Duration>>,
) -> crate::error::Result<()> {
    let sql = timeouts_sql(statement, lock);
    let shown = sql.join("; ");
    apply_timeouts(conn, sql).await.map_err(|e| map_error(e, Some(&shown)))
}

/// A pooled connection.
pub(crate) type Object = deadpool::managed::Object<MysqlManager>;

/// The error of a writer that waited too long for its turn, were MySQL ever run with one
/// writer at a time: what the server says when a lock wait times out.
pub(crate) fn gate_timed_out() -> Error {
    DatabaseError {
        kind: DbErrorKind::Busy,
        code: Some("1205".to_owned()),
        constraint: None,
        table: None,
        message: "lock wait timeout: another session of this engine kept its write transaction open".to_owned(),
        sql: Some("BEGIN".to_owned()),
        source: None,
    }
    .into()
}

/// Rolls back the transaction of a dropped session on the runtime, and brings back the
/// engine's limits if the session changed them; without a runtime, or when that fails, the
/// connection is closed (and the server rolls back).
pub(crate) fn end_on_drop(mut conn: Object, roll_back: bool, reset_timeouts: bool) {
    if !roll_back && !reset_timeouts {
        return;
    }
    let reset = if reset_timeouts {
        Object::pool(&conn).map(|pool| pool.manager().engine_timeouts_sql()).unwrap_or_default()
    } else {
        Vec::new()
    };
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn(async move {
                let rolled_back = !roll_back || conn.query_drop("ROLLBACK").await.is_ok();
                if !rolled_back || apply_timeouts(&mut conn, reset).await.is_err() {
                    drop(Object::take(conn));
                }
            });
        }
        Err(_) => drop(Object::take(conn)),
    }
}

fn params(values: &[Value]) -> mysql_async::Params {
    if values.is_empty() {
        mysql_async::Params::Empty
    } else {
        mysql_async::Params::Positional(values.iter().map(values::to_mysql).collect())
    }
}

/// Runs `sql` (prepared once per connection) with `values`; its result is to be read.
async fn run<'c>(
    conn: &'c mut Object,
    sql: &str,
    values: &[Value],
) -> Result<mysql_async::QueryResult<'c, 'static, mysql_async::BinaryProtocol>, mysql_async::Error> {
    run_with(conn, sql, params(values)).await
}

/// [`run`] with the driver's parameters made.
#[inline]
async fn run_with<'c>(
    conn: &'c mut Object,
    sql: &str,
    params: mysql_async::Params,
) -> Result<mysql_async::QueryResult<'c, 'static, mysql_async::BinaryProtocol>, mysql_async::Error> {
    let (conn, statements) = conn.parts();
    let statement = match statements.known(sql) {
        Some(statement) => statement,
        // Boxed: the rare miss does not grow every statement's future.
        None => Box::pin(statements.prepare(conn, sql)).await?,
    };
    conn.exec_iter(statement, params).await
}

/// Runs a row-returning statement, handing each row read (all, or only the first) to `each`
/// as it arrives.
pub(crate) async fn query(
    conn: &mut Object,
    sql: &str,
    values: &[Value],
    read: super::Rows,
    mut each: impl FnMut(&mysql_async::Row) -> crate::error::Result<()> + Send,
) -> crate::error::Result<()> {
    let failed = |e| map_error(e, Some(sql));
    let mut result = run(conn, sql, values).await.map_err(failed)?;
    let mut outcome = Ok(());
    while let Some(row) = result.next().await.map_err(failed)? {
        outcome = each(&row);
        if outcome.is_err() || read == super::Rows::First {
            break;
        }
    }
    // Reads the rows not handed out off the connection.
    result.drop_result().await.map_err(failed)?;
    outcome
}

/// Runs a statement that returns no rows; the number of rows it matched.
pub(crate) async fn execute(conn: &mut Object, sql: &str, values: &[Value]) -> crate::error::Result<u64> {
    let failed = |e| map_error(e, Some(sql));
    run(conn, sql, values).await.map_err(failed)?.drop_result().await.map_err(failed)?;
    Ok(conn.affected_rows())
}

/// `begin` (transaction control), if any, and then, once it succeeded, `sql` with the
/// driver's `params`, in one future: the outcome of each.
pub(crate) async fn execute_params(
    conn: &mut Object,
    begin: Option<&str>,
    sql: &str,
    params: Vec<mysql_async::Value>,
) -> (crate::error::Result<()>, crate::error::Result<u64>) {
    if let Some(begin) = begin {
        let began = match conn.query_iter(begin).await {
            Ok(result) => result.drop_result().await,
            Err(e) => Err(e),
        };
        if let Err(e) = began {
            return (Err(map_error(e, Some(begin))), Ok(0));
        }
    }
    let failed = |e| map_error(e, Some(sql));
    let params = if params.is_empty() { mysql_async::Params::Empty } else { mysql_async::Params::Positional(params) };
    let result = match run_with(conn, sql, params).await {
        Ok(result) => result.drop_result().await.map_err(failed),
        Err(e) => Err(failed(e)),
    };
    (Ok(()), result.map(|()| conn.affected_rows()))
}

/// A value as the driver's parameter, its text moved (see [`crate::backend::DriverParams`]).
#[inline]
pub(crate) fn driver_value(value: Value) -> mysql_async::Value {
    values::into_mysql(value)
}

/// Runs parameterless SQL, one statement or several separated by `;`. SQL that may set
/// the connection's `auto_increment_increment` or `_offset` (a migration's raw step) makes
/// it ask again whether its generated keys are consecutive.
pub(crate) async fn batch(conn: &mut Object, sql: &str) -> crate::error::Result<()> {
    if mentions_increment(sql) {
        conn.consecutive_keys = None;
    }
    // `query_drop` is this in a box of its own: one allocation and one indirect poll more
    // for every `BEGIN` and `COMMIT`.
    let failed = |e| map_error(e, Some(sql));
    conn.query_iter(sql).await.map_err(failed)?.drop_result().await.map_err(failed)
}

/// Whether `sql` names `auto_increment_increment` or `auto_increment_offset`, in any case.
fn mentions_increment(sql: &str) -> bool {
    const NAME: &[u8] = b"auto_increment_";
    sql.len() >= NAME.len() && sql.as_bytes().windows(NAME.len()).any(|w| w.eq_ignore_ascii_case(NAME))
}

/// The `AUTO_INCREMENT` value the connection's last insert generated (the first one, for a
/// multi-row insert), from the server's OK packet.
pub(crate) fn last_insert_id(conn: &Object) -> crate::error::Result<i64> {
    let id = conn
        .last_insert_id()
        .ok_or_else(|| Error::Internal("the last insert generated no AUTO_INCREMENT value".to_owned()))?;
    i64::try_from(id).map_err(|_| Error::Internal(format!("the generated key {id} does not fit in an i64")))
}

/// Streams the rows of a query, each decoded by `decode`.
///
/// The rows are read and decoded before the first is handed out: mysql_async's row stream
/// borrows the connection, which the session keeps.
pub(crate) async fn stream<T, F>(
    conn: &mut Object,
    sql: Arc<str>,
    values: Bound,
    decode: F,
) -> crate::error::Result<BoxStream<'static, crate::error::Result<T>>>
where
    T: Send + 'static,
    F: Fn(&mut crate::row::RowReader<'_>) -> crate::error::Result<T> + Send + Sync + 'static,
{
    use futures_util::StreamExt;
    let failed = |e| map_error(e, Some(&sql));
    let mut result = run(conn, &sql, &values).await.map_err(failed)?;
    let mut rows = Vec::new();
    while let Some(row) = result.next().await.map_err(failed)? {
        rows.push(decode(&mut crate::row::RowReader::new(super::RowRef::Mysql(&row))));
    }
    result.drop_result().await.map_err(failed)?;
    Ok(futures_util::stream::iter(rows).boxed())
}
