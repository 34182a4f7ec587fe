//! PostgreSQL through tokio-postgres and deadpool: the pool, statements and native
//! streaming, parameter binding, value decoding, error mapping.
//!
//! Parameters are converted to the type the server inferred for each placeholder, so an
//! `i64` literal compared with an `INTEGER` column, or a `LIMIT`, binds without casts in
//! the SQL.

mod decode;
mod native;
mod prepared;
mod tls;

pub(crate) use decode::{column_is_null, decode};
pub(crate) use native::Native;
pub(crate) use prepared::{PgConn, PgManager};
pub(crate) mod ddl;
pub(crate) mod reflect;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use bytes::BytesMut;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use postgres_types::{IsNull, ToSql, Type, to_sql_checked};
use tokio_postgres::Row;

use crate::error::{DatabaseError, DbErrorKind, Error};
use crate::query::Bound;
use crate::types::Value;

type BoxError = Box<dyn std::error::Error + Sync + Send>;

/// A connection checked out of the pool.
pub(crate) type Object = deadpool::managed::Object<PgManager>;

/// A pool of connections.
pub(crate) type PgPool = deadpool::managed::Pool<PgManager>;

/// Opens the pool of a `postgres://` URL.
pub(crate) fn open_pool(url: &str, settings: &crate::engine::Settings) -> Result<super::Pool, Error> {
    let (tls, driver_url) = tls::TlsParams::split(url)?;
    let mut config: tokio_postgres::Config = driver_url.parse().map_err(|e: tokio_postgres::Error| {
        Error::InvalidUrl { url: crate::engine::redact(url), reason: e.to_string() }
    })?;
    config.ssl_mode(tls.driver_mode());
    if let Some(wait) = settings.connect_timeout {
        config.connect_timeout(wait);
    }
    // The engine's timeouts are the connection's defaults (`-c name=value` at start-up),
    // which a session's `SET` overrides and `RESET` brings back.
    let mut options = config.get_options().unwrap_or_default().to_owned();
    for (name, limit) in [("statement_timeout", settings.statement_timeout), ("lock_timeout", settings.lock_timeout)] {
        if let Some(limit) = limit {
            options.push_str(&format!(" -c {name}={}", limit.as_millis().max(1)));
        }
    }
    if !options.is_empty() {
        config.options(options.trim());
    }
    let manager_config =
        deadpool_postgres::ManagerConfig { recycling_method: deadpool_postgres::RecyclingMethod::Fast };
    #[cfg(feature = "tls")]
    let manager = match tls::connector(&tls, url)? {
        Some(connector) => deadpool_postgres::Manager::from_config(config, connector, manager_config),
        None => deadpool_postgres::Manager::from_config(config, tokio_postgres::NoTls, manager_config),
    };
    #[cfg(not(feature = "tls"))]
    let manager = {
        tls::check_plain(&tls, url)?;
        deadpool_postgres::Manager::from_config(config, tokio_postgres::NoTls, manager_config)
    };
    let size = settings
        .max_connections
        .unwrap_or_else(|| (std::thread::available_parallelism().map_or(4, |n| n.get()) * 4).max(16));
    let builder = super::upkeep::configure(deadpool::managed::Pool::builder(PgManager::new(manager)), settings, size);
    let mut builder = super::upkeep::max_lifetime(builder, settings);
    if settings.pre_ping == Some(true) {
        let settings = settings.clone();
        builder = builder.post_recycle(deadpool::managed::Hook::async_fn(
            move |client: &mut PgConn, metrics: &deadpool::managed::Metrics| {
                let ping = super::upkeep::needs_ping(&settings, metrics);
                Box::pin(async move {
                    if ping {
                        client.simple_query("").await.map_err(deadpool::managed::HookError::Backend)?;
                    }
                    Ok(())
                })
            },
        ));
    }
    let pool = builder.build().map_err(|e| Error::PoolMisconfigured(Box::new(e)))?;
    let statements =
        if settings.prepared_statements == Some(false) { Statements::Unnamed } else { Statements::Prepared };
    Ok(super::Pool::Postgres(pool, statements))
}

/// How a connection runs a statement with parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Statements {
    /// Prepared once per connection under a name, and run by that name from then on: one
    /// round trip per run, the plan kept by the server (the default).
    Prepared,
    /// Parsed, bound and run in one round trip as the unnamed statement, its parameters
    /// sent as text for the types the server infers: nothing is left on the server between
    /// statements, as a pooler that gives each transaction another server connection
    /// (PgBouncer's `pool_mode = transaction`) needs.
    Unnamed,
}

/// The SQL that gives a session its own timeouts (`None`: leave as is; `Some(None)`: no
/// limit).
pub(crate) fn set_timeouts_sql(
    statement: Option<Option<std::time::Duration>>,
    lock: Option<Option<std::time::Duration>>,
) -> String {
    let mut sql = String::new();
    for (name, limit) in [("statement_timeout", statement), ("lock_timeout", lock)] {
        if let Some(limit) = limit {
            let ms = limit.map_or(0, |d| d.as_millis().max(1));
            sql.push_str(&format!("SET {name} = {ms};"));
        }
    }
    sql
}

/// Brings a connection back to the engine's timeouts.
const RESET_TIMEOUTS: &str = "RESET statement_timeout; RESET lock_timeout";

/// The error of a writer that waited too long for its turn, were PostgreSQL ever run with
/// one writer at a time: what the server says when a lock is not granted.
pub(crate) fn gate_timed_out() -> Error {
    DatabaseError {
        kind: DbErrorKind::Busy,
        code: Some("55P03".to_owned()),
        constraint: None,
        table: None,
        message: "lock not available: another session of this engine kept its write transaction open".to_owned(),
        sql: Some("BEGIN".to_owned()),
        source: None,
    }
    .into()
}

/// Rolls back the transaction of a dropped session on the runtime, and brings back the
/// engine's timeouts if the session changed them; without a runtime, or when that fails,
/// the connection is closed (and the server rolls back).
pub(crate) fn end_on_drop(client: Object, roll_back: bool, reset_timeouts: bool) {
    let sql = match (roll_back, reset_timeouts) {
        (true, true) => "ROLLBACK; RESET statement_timeout; RESET lock_timeout",
        (true, false) => "ROLLBACK",
        (false, true) => RESET_TIMEOUTS,
        (false, false) => return,
    };
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn(async move {
                if client.batch_execute(sql).await.is_err() {
                    drop(Object::take(client));
                }
            });
        }
        Err(_) => drop(Object::take(client)),
    }
}

/// Sends `begin` and then `statement` (a request on the same client) before reading
/// either answer: one round trip for both. `begin` goes out first, because `statement`'s
/// request is only made when it is first polled, after `begin`'s. The statement's outcome
/// means something only when `begin` succeeded (see `session::pipeline`).
pub(crate) async fn after_begin<T>(
    client: &Object,
    begin: &str,
    statement: impl std::future::Future<Output = crate::error::Result<T>>,
) -> (crate::error::Result<()>, crate::error::Result<T>) {
    let begin = async { client.batch_execute(begin).await.map_err(|e| map_error(e, Some(begin))) };
    futures_util::future::join(begin, statement).await
}

/// Runs a row-returning statement, handing each row read (all, or only the first) to `each`.
///
/// Rows are handed on as they arrive: no parameter vectors, no vector of rows. A statement
/// this connection knows by its text's address is run at once; any other goes through
/// [`query_new`], out of this future (which every query polls and moves).
pub(crate) async fn query(
    client: &Object,
    statements: Statements,
    sql: &str,
    params: &[Value],
    read: super::Rows,
    each: impl FnMut(&Row) -> crate::error::Result<()> + Send,
) -> crate::error::Result<()> {
    let rows = match statements {
        Statements::Prepared => match client.known_statement(sql) {
            Some(stmt) => client.query_raw(&stmt, params.iter().map(Param)).await,
            None => return Box::pin(query_new(client, sql, params, read, each)).await,
        },
        Statements::Unnamed => client.query_typed_raw(sql, params.iter().map(|v| (TextParam(v), Type::UNKNOWN))).await,
    }
    .map_err(|e| map_error(e, Some(sql)))?;
    hand_on(std::pin::pin!(rows), sql, read, each).await
}

/// [`query`] of a statement this connection does not know by its text's address: found in
/// deadpool's cache (and kept by address from then on), or run for the first time in the
/// flight that prepares it ([`first_query`]).
#[cold]
async fn query_new(
    client: &Object,
    sql: &str,
    params: &[Value],
    read: super::Rows,
    each: impl FnMut(&Row) -> crate::error::Result<()> + Send,
) -> crate::error::Result<()> {
    let prepare = client.prepare_cached(sql);
    let mut prepare = std::pin::pin!(prepare);
    let stmt = match poll_once(prepare.as_mut()).await {
        Poll::Ready(stmt) => stmt.map_err(|e| map_error(e, Some(sql)))?,
        Poll::Pending => return first_query(client, prepare, sql, params, read, each).await,
    };
    client.keep_statement(sql, stmt.clone());
    let rows = client.query_raw(&stmt, params.iter().map(Param)).await.map_err(|e| map_error(e, Some(sql)))?;
    hand_on(std::pin::pin!(rows), sql, read, each).await
}

/// Runs a statement that returns no rows; the number of rows it changed. Its statement is
/// found as [`query`] finds one.
pub(crate) async fn execute(
    client: &Object,
    statements: Statements,
    sql: &str,
    params: &[Value],
) -> crate::error::Result<u64> {
    match statements {
        Statements::Prepared => match client.known_statement(sql) {
            Some(stmt) => client.execute_raw(&stmt, params.iter().map(Param)).await,
            None => return Box::pin(execute_new(client, sql, params)).await,
        },
        Statements::Unnamed => {
            let params: Vec<TextParam<'_>> = params.iter().map(TextParam).collect();
            let typed: Vec<(&(dyn ToSql + Sync), Type)> =
                params.iter().map(|p| (p as &(dyn ToSql + Sync), Type::UNKNOWN)).collect();
            client.execute_typed(sql, &typed).await
        }
    }
    .map_err(|e| map_error(e, Some(sql)))
}

/// [`execute`] of a statement this connection does not know by its text's address, as
/// [`query_new`].
#[cold]
async fn execute_new(client: &Object, sql: &str, params: &[Value]) -> crate::error::Result<u64> {
    let prepare = client.prepare_cached(sql);
    let mut prepare = std::pin::pin!(prepare);
    let stmt = match poll_once(prepare.as_mut()).await {
        Poll::Ready(stmt) => stmt.map_err(|e| map_error(e, Some(sql)))?,
        Poll::Pending => return first_execute(client, prepare, sql, params).await,
    };
    client.keep_statement(sql, stmt.clone());
    client.execute_raw(&stmt, params.iter().map(Param)).await.map_err(|e| map_error(e, Some(sql)))
}

/// Polls `future` once: a statement the connection has prepared is `Ready` at once, and
/// polling one it has not sends its `Parse` (the answer is read when polled again).
async fn poll_once<F: Future>(mut future: Pin<&mut F>) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx))).await
}

/// A statement's first run on a connection: it runs as the unnamed statement (its
/// parameters as text, typed by the server, as [`Statements::Unnamed`] sends them) in the
/// same flight as `prepare`, the connection's preparation of it for the next runs. One
/// round trip, where preparing and then running takes two.
async fn first_query(
    client: &Object,
    prepare: Pin<&mut impl Future<Output = Result<tokio_postgres::Statement, tokio_postgres::Error>>>,
    sql: &str,
    params: &[Value],
    read: super::Rows,
    mut each: impl FnMut(&Row) -> crate::error::Result<()> + Send,
) -> crate::error::Result<()> {
    if !params.iter().all(TextParam::encodes) {
        let stmt = prepare.await.map_err(|e| map_error(e, Some(sql)))?;
        let rows = client.query_raw(&stmt, params.iter().map(Param)).await.map_err(|e| map_error(e, Some(sql)))?;
        return hand_on(std::pin::pin!(rows), sql, read, each).await;
    }
    let run = async {
        let rows = client
            .query_typed_raw(sql, params.iter().map(|v| (TextParam(v), Type::UNKNOWN)))
            .await
            .map_err(|e| map_error(e, Some(sql)))?;
        hand_on(std::pin::pin!(rows), sql, read, &mut each).await
    };
    let (prepared, ran) = futures_util::future::join(prepare, run).await;
    first_outcome(prepared, ran, sql)
}

/// [`first_query`] for a statement that returns no rows.
async fn first_execute(
    client: &Object,
    prepare: Pin<&mut impl Future<Output = Result<tokio_postgres::Statement, tokio_postgres::Error>>>,
    sql: &str,
    params: &[Value],
) -> crate::error::Result<u64> {
    if !params.iter().all(TextParam::encodes) {
        let stmt = prepare.await.map_err(|e| map_error(e, Some(sql)))?;
        return client.execute_raw(&stmt, params.iter().map(Param)).await.map_err(|e| map_error(e, Some(sql)));
    }
    let text: Vec<TextParam<'_>> = params.iter().map(TextParam).collect();
    let typed: Vec<(&(dyn ToSql + Sync), Type)> =
        text.iter().map(|p| (p as &(dyn ToSql + Sync), Type::UNKNOWN)).collect();
    let run = async { client.execute_typed(sql, &typed).await.map_err(|e| map_error(e, Some(sql))) };
    let (prepared, ran) = futures_util::future::join(prepare, run).await;
    first_outcome(prepared, ran, sql)
}

/// The outcome of a first run: the run's, except that when both failed and the run only
/// says that the transaction had already failed, the preparation's error is the cause
/// (the statement's own error, such as a syntax error).
fn first_outcome<T>(
    prepared: Result<tokio_postgres::Statement, tokio_postgres::Error>,
    ran: crate::error::Result<T>,
    sql: &str,
) -> crate::error::Result<T> {
    match (prepared, ran) {
        (Err(cause), Err(e)) if e.as_database().and_then(|d| d.code()) == Some("25P02") => {
            Err(map_error(cause, Some(sql)))
        }
        (_, ran) => ran,
    }
}

/// Hands the rows of `rows` (all, or only the first) to `each`: the one row loop of every
/// query. The result is read to its end even when only the first row is wanted, so that an
/// error after it fails the statement, as it fails the transaction. The rows are pinned
/// where the caller received them: moving them into this future would copy them once more.
///
/// A loop over the stream's `poll_next` rather than an `async fn` awaiting `next()`: the
/// rows are read where the caller's future polls, without a state machine of their own or
/// a `Next` future per row.
fn hand_on<'a>(
    mut rows: Pin<&'a mut tokio_postgres::RowStream>,
    sql: &'a str,
    read: super::Rows,
    mut each: impl FnMut(&Row) -> crate::error::Result<()> + Send + 'a,
) -> impl Future<Output = crate::error::Result<()>> + Send + 'a {
    let mut wanted = true;
    std::future::poll_fn(move |cx| {
        loop {
            match std::task::ready!(futures_core::Stream::poll_next(rows.as_mut(), cx)) {
                None => return Poll::Ready(Ok(())),
                Some(Err(e)) => return Poll::Ready(Err(map_error(e, Some(sql)))),
                Some(Ok(row)) if wanted => {
                    if let Err(e) = each(&row) {
                        return Poll::Ready(Err(e));
                    }
                    wanted = read == super::Rows::All;
                }
                Some(Ok(_)) => {}
            }
        }
    })
}

/// The value the session's last `nextval` gave: the key of the row it last inserted.
pub(crate) async fn last_insert_id(client: &Object, statements: Statements) -> crate::error::Result<i64> {
    const SQL: &str = "SELECT lastval()";
    let row = match statements {
        Statements::Prepared => client.query_one(SQL, &[]).await,
        Statements::Unnamed => client.query_typed_one(SQL, &[]).await,
    }
    .map_err(|e| map_error(e, Some(SQL)))?;
    row.try_get(0).map_err(|e| map_error(e, Some(SQL)))
}

/// Streams the rows of a query natively, each decoded by `decode`.
pub(crate) async fn stream<T, F>(
    client: &Object,
    statements: Statements,
    sql: Arc<str>,
    params: Bound,
    decode: F,
) -> crate::error::Result<BoxStream<'static, crate::error::Result<T>>>
where
    T: Send + 'static,
    F: Fn(&mut crate::row::RowReader<'_>) -> crate::error::Result<T> + Send + Sync + 'static,
{
    let rows = match statements {
        Statements::Prepared => {
            // Found by the text's address, as a query's statement is (the text is the
            // statement cache's, or a rendering of its own when the shape is not cached).
            let stmt = match client.known_statement(&sql) {
                Some(stmt) => stmt,
                None => {
                    let stmt = client.prepare_cached(&sql).await.map_err(|e| map_error(e, Some(&sql)))?;
                    client.keep_statement(&sql, stmt.clone());
                    stmt
                }
            };
            client.query_raw(&stmt, params.iter().map(Param)).await
        }
        Statements::Unnamed => client.query_typed_raw(&sql, params.iter().map(|v| (TextParam(v), Type::UNKNOWN))).await,
    }
    .map_err(|e| map_error(e, Some(&sql)))?;
    Ok(rows
        .map(move |row| {
            let row = row.map_err(|e| map_error(e, Some(&sql)))?;
            decode(&mut crate::row::RowReader::new(super::RowRef::Postgres(&row)))
        })
        .boxed())
}

/// A bound parameter, encoded for the placeholder's inferred type.
#[derive(Debug)]
pub(crate) struct Param<'a>(pub(crate) &'a Value);

fn int_for(ty: &Type, v: i64, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    match *ty {
        Type::INT2 => i16::try_from(v)?.to_sql(ty, out),
        Type::INT4 => i32::try_from(v)?.to_sql(ty, out),
        Type::INT8 => v.to_sql(ty, out),
        Type::FLOAT4 => (v as f32).to_sql(ty, out),
        Type::FLOAT8 => (v as f64).to_sql(ty, out),
        Type::NUMERIC => rust_decimal::Decimal::from(v).to_sql(ty, out),
        Type::BOOL => (v != 0).to_sql(ty, out),
        _ => v.to_string().to_sql(ty, out),
    }
}

fn float_for(ty: &Type, v: f64, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    match *ty {
        Type::FLOAT4 => (v as f32).to_sql(ty, out),
        Type::NUMERIC => rust_decimal::Decimal::try_from(v)?.to_sql(ty, out),
        _ => v.to_sql(ty, out),
    }
}

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        // NULLs are told in the last arm: every other arm matches a value, so a value
        // is encoded after one match on it, not two.
        match self.0 {
            Value::Bool(Some(v)) => v.to_sql(ty, out),
            Value::TinyInt(Some(v)) => int_for(ty, i64::from(*v), out),
            Value::SmallInt(Some(v)) => int_for(ty, i64::from(*v), out),
            Value::Int(Some(v)) => int_for(ty, i64::from(*v), out),
            Value::BigInt(Some(v)) => int_for(ty, *v, out),
            Value::TinyUnsigned(Some(v)) => int_for(ty, i64::from(*v), out),
            Value::SmallUnsigned(Some(v)) => int_for(ty, i64::from(*v), out),
            Value::Unsigned(Some(v)) => int_for(ty, i64::from(*v), out),
            Value::BigUnsigned(Some(v)) => int_for(ty, i64::try_from(*v)?, out),
            Value::Float(Some(v)) => float_for(ty, f64::from(*v), out),
            Value::Double(Some(v)) => float_for(ty, *v, out),
            Value::String(Some(v)) => v.as_str().to_sql(ty, out),
            Value::Char(Some(v)) => v.to_string().to_sql(ty, out),
            Value::Bytes(Some(v)) => v.as_slice().to_sql(ty, out),
            Value::Json(Some(v)) => match *ty {
                Type::TEXT | Type::VARCHAR => v.to_string().to_sql(ty, out),
                _ => postgres_types::Json(v.as_ref()).to_sql(ty, out),
            },
            Value::ChronoDate(Some(v)) => v.to_sql(ty, out),
            Value::ChronoTime(Some(v)) => v.to_sql(ty, out),
            Value::ChronoDateTime(Some(v)) => match *ty {
                Type::TIMESTAMPTZ => v.and_utc().to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::ChronoDateTimeUtc(Some(v)) => match *ty {
                Type::TIMESTAMP => v.naive_utc().to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::ChronoDateTimeLocal(Some(v)) => v.to_sql(ty, out),
            Value::ChronoDateTimeWithTimeZone(Some(v)) => v.to_sql(ty, out),
            Value::Uuid(Some(v)) => v.to_sql(ty, out),
            Value::Decimal(Some(v)) => v.to_sql(ty, out),
            Value::Enum(sea_query::OptionEnum::Some(e)) => e.value.as_ref().to_sql(ty, out),
            Value::Array(_, Some(items)) => {
                // Each element encoded for the array's member type, NULLs kept.
                let items: Vec<Option<Param<'_>>> =
                    items.iter().map(|v| (!crate::types::is_null(v)).then_some(Param(v))).collect();
                items.to_sql(ty, out)
            }
            other if crate::types::is_null(other) => Ok(IsNull::Yes),
            other => Err(format!("unsupported parameter {other:?}").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        // Each value checks the placeholder's type itself in `to_sql`.
        true
    }

    to_sql_checked!();
}

/// A bound parameter in text form, for a placeholder whose type the server infers (the
/// unnamed statements of [`Statements::Unnamed`]): what `psql` or libpq send.
#[derive(Debug)]
pub(crate) struct TextParam<'a>(pub(crate) &'a Value);

impl ToSql for TextParam<'_> {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        use std::fmt::Write;
        if crate::types::is_null(self.0) {
            return Ok(IsNull::Yes);
        }
        match self.0 {
            Value::Bool(Some(v)) => out.write_str(if *v { "t" } else { "f" })?,
            Value::TinyInt(Some(v)) => write!(out, "{v}")?,
            Value::SmallInt(Some(v)) => write!(out, "{v}")?,
            Value::Int(Some(v)) => write!(out, "{v}")?,
            Value::BigInt(Some(v)) => write!(out, "{v}")?,
            Value::TinyUnsigned(Some(v)) => write!(out, "{v}")?,
            Value::SmallUnsigned(Some(v)) => write!(out, "{v}")?,
            Value::Unsigned(Some(v)) => write!(out, "{v}")?,
            Value::BigUnsigned(Some(v)) => write!(out, "{v}")?,
            Value::Float(Some(v)) => float_text(f64::from(*v), out)?,
            Value::Double(Some(v)) => float_text(*v, out)?,
            Value::String(Some(v)) => out.write_str(v)?,
            Value::Char(Some(v)) => out.write_char(*v)?,
            Value::Bytes(Some(v)) => {
                out.write_str("\\x")?;
                for byte in v.iter() {
                    write!(out, "{byte:02x}")?;
                }
            }
            Value::Json(Some(v)) => write!(out, "{v}")?,
            Value::ChronoDate(Some(v)) => write!(out, "{v}")?,
            Value::ChronoTime(Some(v)) => write!(out, "{v}")?,
            // A zone in the text is ignored by a `timestamp` column and read by a
            // `timestamptz` one: a naive date-time is UTC, as in the binary encoding.
            Value::ChronoDateTime(Some(v)) => write!(out, "{v}+00")?,
            Value::ChronoDateTimeUtc(Some(v)) => out.write_str(&v.to_rfc3339())?,
            Value::ChronoDateTimeLocal(Some(v)) => out.write_str(&v.to_rfc3339())?,
            Value::ChronoDateTimeWithTimeZone(Some(v)) => out.write_str(&v.to_rfc3339())?,
            Value::Uuid(Some(v)) => write!(out, "{v}")?,
            Value::Decimal(Some(v)) => write!(out, "{v}")?,
            Value::Enum(sea_query::OptionEnum::Some(e)) => out.write_str(e.value.as_ref())?,
            Value::Array(_, Some(items)) => array_text(items, out)?,
            other => return Err(format!("unsupported parameter {other:?}").into()),
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn encode_format(&self, _: &Type) -> postgres_types::Format {
        postgres_types::Format::Text
    }

    to_sql_checked!();
}

impl TextParam<'_> {
    /// Whether `value` has a text form here: every parameter but an array of arrays.
    pub(crate) fn encodes(value: &Value) -> bool {
        match value {
            Value::Array(_, Some(items)) => items.iter().all(|v| !matches!(v, Value::Array(..))),
            _ => true,
        }
    }
}

/// An array in PostgreSQL's text form: `{"a","b \"c\"",NULL}`, each element quoted.
fn array_text(items: &[Value], out: &mut BytesMut) -> Result<(), BoxError> {
    out.extend_from_slice(b"{");
    let mut element = BytesMut::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",");
        }
        if crate::types::is_null(item) {
            out.extend_from_slice(b"NULL");
            continue;
        }
        element.clear();
        TextParam(item).to_sql(&Type::UNKNOWN, &mut element)?;
        out.extend_from_slice(b"\"");
        for &byte in element.iter() {
            if byte == b'"' || byte == b'\\' {
                out.extend_from_slice(b"\\");
            }
            out.extend_from_slice(&[byte]);
        }
        out.extend_from_slice(b"\"");
    }
    out.extend_from_slice(b"}");
    Ok(())
}

/// A float as PostgreSQL reads it: `Infinity` where Rust writes `inf`.
fn float_text(v: f64, out: &mut BytesMut) -> std::fmt::Result {
    use std::fmt::Write;
    match v {
        f64::INFINITY => out.write_str("Infinity"),
        f64::NEG_INFINITY => out.write_str("-Infinity"),
        _ => write!(out, "{v}"),
    }
}

/// Turns a tokio-postgres error into a [`DatabaseError`] with the server's constraint name.
pub(crate) fn map_error(err: tokio_postgres::Error, sql: Option<&str>) -> Error {
    use tokio_postgres::error::SqlState;
    let Some(db) = err.as_db_error() else {
        let kind = if is_connection_failure(&err) { DbErrorKind::Connection } else { DbErrorKind::Other };
        return DatabaseError {
            kind,
            code: None,
            constraint: None,
            table: None,
            message: with_causes(&err),
            sql: sql.map(str::to_owned),
            source: Some(std::sync::Arc::new(err)),
        }
        .into();
    };
    let code = db.code();
    let kind = if *code == SqlState::UNIQUE_VIOLATION {
        DbErrorKind::UniqueViolation
    } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
        DbErrorKind::ForeignKeyViolation
    } else if *code == SqlState::NOT_NULL_VIOLATION {
        DbErrorKind::NotNullViolation
    } else if *code == SqlState::CHECK_VIOLATION {
        DbErrorKind::CheckViolation
    } else if *code == SqlState::QUERY_CANCELED {
        DbErrorKind::Timeout
    } else if *code == SqlState::T_R_SERIALIZATION_FAILURE
        || *code == SqlState::LOCK_NOT_AVAILABLE
        || *code == SqlState::T_R_DEADLOCK_DETECTED
    {
        DbErrorKind::Busy
    } else if code.code().starts_with("42") {
        DbErrorKind::Syntax
    } else if is_value_code(code.code()) {
        DbErrorKind::InvalidValue
    } else if is_connection_code(code.code()) {
        DbErrorKind::Connection
    } else {
        DbErrorKind::Other
    };
    let mut message = db.message().to_owned();
    if let Some(detail) = db.detail() {
        message.push_str(": ");
        message.push_str(detail);
    }
    let code = Some(code.code().to_owned());
    let constraint = db.constraint().map(str::to_owned);
    let table = db.table().map(str::to_owned);
    let source: Option<std::sync::Arc<dyn std::error::Error + Send + Sync>> = Some(std::sync::Arc::new(err));
    DatabaseError { kind, code, constraint, table, message, sql: sql.map(str::to_owned), source }.into()
}

/// SQLSTATEs that blame a value rather than the statement or the server: class 22 (data
/// exception: a NUL character, a number out of range, text too long for `VARCHAR(n)`…) and
/// 54000 (program limit exceeded: a string too long for a btree index entry).
fn is_value_code(code: &str) -> bool {
    code.starts_with("22") || code == "54000"
}

/// SQLSTATEs that mean the connection is gone or cannot be had: class 08 (connection
/// exception), and the server shutting down (57P01 admin, 57P02 crash) or not accepting
/// connections yet (57P03, starting up or recovering).
fn is_connection_code(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
}

/// Whether a driver error without a SQLSTATE is the connection failing: closed, refused,
/// reset, or timed out while connecting (tokio-postgres then carries an I/O error as the
/// cause, or says "error connecting to server"/"timeout waiting for server").
fn is_connection_failure(err: &tokio_postgres::Error) -> bool {
    if err.is_closed() {
        return true;
    }
    let mut cause = std::error::Error::source(err);
    while let Some(e) = cause {
        if e.is::<std::io::Error>() {
            return true;
        }
        cause = e.source();
    }
    let message = err.to_string();
    ["error connecting to server", "error communicating with the server", "timeout waiting for server"]
        .iter()
        .any(|m| message.starts_with(m))
}

/// The error's message followed by its causes (`error connecting to server: Connection
/// refused (os error 111)`): tokio-postgres keeps the cause out of its own message.
fn with_causes(err: &tokio_postgres::Error) -> String {
    let mut message = err.to_string();
    let mut cause = std::error::Error::source(err);
    while let Some(e) = cause {
        let text = e.to_string();
        if !message.ends_with(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = e.source();
    }
    message
}
