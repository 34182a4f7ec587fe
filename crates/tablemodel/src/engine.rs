//! The engine: a database URL turned into a connection pool, the dialect, and the settings
//! every session of it shares.

use std::sync::Arc;

use crate::backend::{self, Capabilities, Dialect, Pool, WriteGate};
use crate::ddl::{self, Tables};
use crate::error::Result;
use crate::meta::TableMeta;
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
    /// What the database can do; the write paths pick their strategy from it.
    pub(crate) capabilities: Capabilities,
    /// The queue of this engine's writers, where one transaction writes at a time.
    pub(crate) write_gate: Option<WriteGate>,
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
    /// Changes to the database's capabilities, applied in order (tests only).
    adjust: Vec<fn(&mut Capabilities)>,
}

impl EngineBuilder {
    /// The most connections the pool opens (default: 4 per core, 16 at least for
    /// PostgreSQL; 1 writer plus readers for SQLite files).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = Some(n.max(1));
        self
    }

    /// How long [`Engine::session`] waits for a free connection when all are in use
    /// before failing with [`crate::Error::PoolTimedOut`] (default: as long as it takes).
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

    /// Writes as on a database without `RETURNING` (insert, then read the row back by its
    /// key in the same transaction), whatever the database supports: how the tests run that
    /// write path on SQLite. Not an API.
    #[doc(hidden)]
    pub fn without_returning(self) -> Self {
        self.adjust_capabilities(|c| *c = c.without_returning())
    }

    /// Uses the database as if its capabilities were changed by `adjust`: how the tests run
    /// the fallback paths on a database that does not need them. Not an API: claiming a
    /// capability the database lacks makes its statements fail.
    #[doc(hidden)]
    pub fn adjust_capabilities(mut self, adjust: fn(&mut Capabilities)) -> Self {
        self.adjust.push(adjust);
        self
    }

    /// Opens the pool and checks that the database answers.
    pub async fn connect(self) -> Result<Engine> {
        let url = self.url.trim();
        let (pool, dialect) = backend::open(url, self.max_connections, self.acquire_timeout)?;
        let mut capabilities = *dialect.capabilities();
        for adjust in &self.adjust {
            adjust(&mut capabilities);
        }
        let engine = Engine {
            inner: Arc::new(EngineInner {
                write_gate: pool.write_gate(&capabilities),
                pool,
                dialect,
                echo: self.echo,
                capabilities,
                url: redact(url),
            }),
        };
        // Fail here, with the URL in hand, rather than at the first query.
        drop(engine.inner.pool.get().await?);
        Ok(engine)
    }
}

/// The URL with its password replaced by `***`, for errors and logs.
pub(crate) fn redact(url: &str) -> String {
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
        EngineBuilder {
            url: url.to_owned(),
            max_connections: None,
            acquire_timeout: None,
            echo: false,
            adjust: Vec::new(),
        }
    }

    /// The SQL dialect of the database.
    pub fn dialect(&self) -> Dialect {
        self.inner.dialect
    }

    /// What the database can do, as this engine uses it.
    pub fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
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
