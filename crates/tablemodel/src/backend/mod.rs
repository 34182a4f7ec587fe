//! The database backends behind one small surface: open a pool, check out a connection,
//! run a statement that returns rows, run one that does not, run raw control SQL.
//!
//! The backends are an enum rather than a trait object: there are few of them, they are
//! known at compile time, and a `match` keeps the hot path free of dynamic dispatch and
//! boxed futures.

#[cfg(feature = "postgres")]
pub(crate) mod postgres;
#[cfg(feature = "sqlite")]
pub(crate) mod sqlite;

mod capabilities;
pub use capabilities::{AlterSupport, Capabilities};

use crate::error::{Error, Result};
use crate::row::{RowReader, RowRef};
use crate::types::Value;

/// The SQL dialect of a backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dialect {
    /// SQLite 3.
    Sqlite,
    /// PostgreSQL 13 and later.
    Postgres,
}

impl Dialect {
    /// What this dialect supports.
    pub const fn capabilities(self) -> &'static Capabilities {
        match self {
            Dialect::Sqlite => &Capabilities::SQLITE,
            Dialect::Postgres => &Capabilities::POSTGRES,
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
        };
        (sql, values.0)
    }

    /// Renders a DDL statement.
    pub(crate) fn render_schema<Q: sea_query::SchemaStatementBuilder>(self, statement: &Q) -> String {
        match self {
            Dialect::Sqlite => statement.build(sea_query::SqliteQueryBuilder),
            Dialect::Postgres => statement.build(sea_query::PostgresQueryBuilder),
        }
    }
}

/// A pool of connections to one database.
pub(crate) enum Pool {
    #[cfg(feature = "sqlite")]
    Sqlite {
        pool: deadpool::managed::Pool<sqlite::SqliteManager>,
        /// Keeps a shared in-memory database alive while the engine lives.
        _keeper: Option<std::sync::Mutex<rusqlite::Connection>>,
    },
    #[cfg(feature = "postgres")]
    Postgres(deadpool_postgres::Pool),
}

impl Pool {
    pub(crate) async fn get(&self) -> Result<Conn> {
        match self {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite { pool, .. } => pool.get().await.map(Conn::Sqlite).map_err(|e| pool_error(e, |e| e)),
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => {
                pool.get().await.map(Conn::Postgres).map_err(|e| pool_error(e, |e| postgres::map_error(e, None)))
            }
        }
    }

    pub(crate) fn close(&self) {
        match self {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite { pool, .. } => pool.close(),
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => pool.close(),
        }
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

/// A connection checked out of a [`Pool`]; it goes back when dropped.
pub(crate) enum Conn {
    #[cfg(feature = "sqlite")]
    Sqlite(deadpool::managed::Object<sqlite::SqliteManager>),
    #[cfg(feature = "postgres")]
    Postgres(deadpool_postgres::Object),
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
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => {
                sqlite::query(conn, sql, params, read, |row| each(&mut RowReader::new(RowRef::Sqlite(row))))
            }
            #[cfg(feature = "postgres")]
            Conn::Postgres(client) => {
                let stmt = client.prepare_cached(sql).await.map_err(|e| postgres::map_error(e, Some(sql)))?;
                let params: Vec<postgres::Param<'_>> = params.iter().map(postgres::Param).collect();
                let refs: Vec<&(dyn postgres_types::ToSql + Sync)> =
                    params.iter().map(|p| p as &(dyn postgres_types::ToSql + Sync)).collect();
                let rows = client.query(&stmt, &refs).await.map_err(|e| postgres::map_error(e, Some(sql)))?;
                for row in &rows {
                    each(&mut RowReader::new(RowRef::Postgres(row)))?;
                    if read == Rows::First {
                        break;
                    }
                }
                Ok(())
            }
        }
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    pub(crate) async fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => sqlite::execute(conn, sql, params),
            #[cfg(feature = "postgres")]
            Conn::Postgres(client) => {
                let stmt = client.prepare_cached(sql).await.map_err(|e| postgres::map_error(e, Some(sql)))?;
                let params: Vec<postgres::Param<'_>> = params.iter().map(postgres::Param).collect();
                let refs: Vec<&(dyn postgres_types::ToSql + Sync)> =
                    params.iter().map(|p| p as &(dyn postgres_types::ToSql + Sync)).collect();
                client.execute(&stmt, &refs).await.map_err(|e| postgres::map_error(e, Some(sql)))
            }
        }
    }

    /// Runs parameterless SQL: transaction control and DDL.
    pub(crate) async fn batch(&mut self, sql: &str) -> Result<()> {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => sqlite::batch(conn, sql),
            #[cfg(feature = "postgres")]
            Conn::Postgres(client) => client.batch_execute(sql).await.map_err(|e| postgres::map_error(e, Some(sql))),
        }
    }

    /// Begins a transaction that will write: `BEGIN IMMEDIATE` on SQLite takes the write
    /// lock up front, so a later write cannot fail on a stale read snapshot.
    pub(crate) async fn begin(&mut self) -> Result<()> {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(_) => self.batch("BEGIN IMMEDIATE").await,
            #[cfg(feature = "postgres")]
            Conn::Postgres(_) => self.batch("BEGIN").await,
        }
    }
}
