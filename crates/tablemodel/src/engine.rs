//! The engine: a database URL turned into a connection pool, the dialect, and the settings
//! every session of it shares.

use std::sync::Arc;

use crate::backend::{Dialect, Pool};
use crate::ddl::{self, Tables};
use crate::error::{Error, Result};
use crate::meta::TableMeta;
use crate::query::ModelStatements;
use crate::session::Session;

/// A pool of connections to one database, cheap to clone and share.
///
/// URLs:
/// - `sqlite::memory:` — one in-memory database shared by every connection of this engine
///   (SQLModel's `StaticPool` recipe for tests), gone when the engine is dropped;
/// - `sqlite://heroes.db`, `sqlite:///heroes.db` (SQLAlchemy's spelling, relative) and
///   `sqlite:////abs/heroes.db` (absolute) — a file, created if missing, opened in WAL
///   mode with foreign keys enforced and a 5 s busy timeout;
/// - `postgres://user:password@host:port/db` (or `postgresql://…`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tablemodel::Error> {
/// let engine = tablemodel::Engine::connect("sqlite::memory:").await?;
/// assert_eq!(engine.dialect(), tablemodel::Dialect::Sqlite);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

pub(crate) struct EngineInner {
    pub(crate) pool: Pool,
    pub(crate) dialect: Dialect,
    pub(crate) echo: bool,
    pub(crate) statements: ModelStatements,
    /// SQLite lets one transaction write at a time, and a writer that finds the database
    /// locked sleeps in SQLite's busy handler (1 ms to 100 ms naps). Queuing this engine's
    /// writers on an async lock instead hands the database over as soon as a transaction
    /// ends: concurrent web requests that write keep their throughput.
    pub(crate) write_gate: Option<Arc<tokio::sync::Mutex<()>>>,
    url: String,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("url", &self.inner.url).field("dialect", &self.inner.dialect).finish()
    }
}

/// Settings for [`Engine::builder`].
#[derive(Clone, Debug)]
#[must_use]
pub struct EngineBuilder {
    url: String,
    max_connections: Option<usize>,
    acquire_timeout: Option<std::time::Duration>,
    echo: bool,
}

impl EngineBuilder {
    /// The most connections the pool opens (default: 4 per core, 16 at least for
    /// PostgreSQL; 1 writer plus readers for SQLite files).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = Some(n.max(1));
        self
    }

    /// How long [`Engine::session`] waits for a free connection when all are in use
    /// before failing with [`Error::PoolTimedOut`] (default: as long as it takes).
    pub fn acquire_timeout(mut self, wait: std::time::Duration) -> Self {
        self.acquire_timeout = Some(wait);
        self
    }

    /// Log every statement, its parameters and its duration at `INFO` level through
    /// `tracing` (target `tablemodel::sql`); without it they are logged at `DEBUG`.
    pub fn echo(mut self, echo: bool) -> Self {
        self.echo = echo;
        self
    }

    /// Opens the pool and checks that the database answers.
    pub async fn connect(self) -> Result<Engine> {
        let url = self.url.trim();
        let (pool, dialect) = if url.starts_with("sqlite:") {
            open_sqlite(url, self.max_connections, self.acquire_timeout)?
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            open_postgres(url, self.max_connections, self.acquire_timeout)?
        } else {
            return Err(Error::InvalidUrl {
                url: redact(url),
                reason: "expected a `sqlite:` or `postgres://` URL".to_owned(),
            });
        };
        let engine = Engine {
            inner: Arc::new(EngineInner {
                pool,
                dialect,
                echo: self.echo,
                statements: ModelStatements,
                write_gate: (dialect == Dialect::Sqlite).then(|| Arc::new(tokio::sync::Mutex::new(()))),
                url: redact(url),
            }),
        };
        // Fail here, with the URL in hand, rather than at the first query.
        drop(engine.inner.pool.get().await?);
        Ok(engine)
    }
}

#[cfg(feature = "sqlite")]
fn open_sqlite(url: &str, max: Option<usize>, wait: Option<std::time::Duration>) -> Result<(Pool, Dialect)> {
    use crate::backend::sqlite::{SqliteManager, SqliteTarget};
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
    let manager = SqliteManager { target };
    let keeper = if memory { Some(std::sync::Mutex::new(manager.open()?)) } else { None };
    let size = max.unwrap_or(if memory { 4 } else { 8 });
    let pool = deadpool::managed::Pool::builder(manager)
        .max_size(size)
        .wait_timeout(wait)
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| Error::PoolMisconfigured(Box::new(e)))?;
    Ok((Pool::Sqlite { pool, _keeper: keeper }, Dialect::Sqlite))
}

#[cfg(not(feature = "sqlite"))]
fn open_sqlite(_: &str, _: Option<usize>, _: Option<std::time::Duration>) -> Result<(Pool, Dialect)> {
    Err(Error::BackendDisabled { scheme: "sqlite".to_owned(), feature: "sqlite" })
}

#[cfg(feature = "postgres")]
fn open_postgres(url: &str, max: Option<usize>, wait: Option<std::time::Duration>) -> Result<(Pool, Dialect)> {
    let config: tokio_postgres::Config = url
        .parse()
        .map_err(|e: tokio_postgres::Error| Error::InvalidUrl { url: redact(url), reason: e.to_string() })?;
    let manager = deadpool_postgres::Manager::from_config(
        config,
        tokio_postgres::NoTls,
        deadpool_postgres::ManagerConfig { recycling_method: deadpool_postgres::RecyclingMethod::Fast },
    );
    let size = max.unwrap_or_else(|| (std::thread::available_parallelism().map_or(4, |n| n.get()) * 4).max(16));
    let pool = deadpool_postgres::Pool::builder(manager)
        .max_size(size)
        .wait_timeout(wait)
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| Error::PoolMisconfigured(Box::new(e)))?;
    Ok((Pool::Postgres(pool), Dialect::Postgres))
}

#[cfg(not(feature = "postgres"))]
fn open_postgres(_: &str, _: Option<usize>, _: Option<std::time::Duration>) -> Result<(Pool, Dialect)> {
    Err(Error::BackendDisabled { scheme: "postgres".to_owned(), feature: "postgres" })
}

/// The URL with its password replaced by `***`, for errors and logs.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

impl Engine {
    /// Connects with default settings; see [`Engine::builder`] for more.
    pub async fn connect(url: &str) -> Result<Engine> {
        Engine::builder(url).connect().await
    }

    /// Settings before connecting.
    pub fn builder(url: &str) -> EngineBuilder {
        EngineBuilder { url: url.to_owned(), max_connections: None, acquire_timeout: None, echo: false }
    }

    /// The SQL dialect of the database.
    pub fn dialect(&self) -> Dialect {
        self.inner.dialect
    }

    /// A new session with its own connection from the pool.
    pub async fn session(&self) -> Result<Session> {
        let conn = self.inner.pool.get().await?;
        Ok(Session::new(self.clone(), conn))
    }

    /// Creates the tables of `T` (a model or a tuple of models) that do not exist yet,
    /// with their indexes, in foreign-key order.
    pub async fn create_all<T: Tables>(&self) -> Result<()> {
        self.create_tables(&T::tables()).await
    }

    /// Drops the tables of `T` that exist, dependents first.
    pub async fn drop_all<T: Tables>(&self) -> Result<()> {
        self.drop_tables(&T::tables()).await
    }

    /// [`Engine::create_all`] for tables given as metadata.
    pub async fn create_tables(&self, tables: &[&'static TableMeta]) -> Result<()> {
        let mut session = self.session().await?;
        for table in ddl::dependency_order(tables)? {
            for sql in ddl::create_table_sql(table, self.dialect()) {
                session.execute_ddl(&sql).await?;
            }
        }
        session.commit().await
    }

    /// [`Engine::drop_all`] for tables given as metadata.
    pub async fn drop_tables(&self, tables: &[&'static TableMeta]) -> Result<()> {
        let mut session = self.session().await?;
        for table in ddl::dependency_order(tables)?.into_iter().rev() {
            session.execute_ddl(&ddl::drop_table_sql(table, self.dialect())).await?;
        }
        session.commit().await
    }

    /// Closes the pool: sessions already open finish, new ones fail.
    pub fn close(&self) {
        self.inner.pool.close();
    }
}
