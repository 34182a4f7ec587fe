//! The engine: a database URL turned into a connection pool, the dialect, and the settings
//! every session of it shares.

mod replicas;
mod settings;
mod status;

pub(crate) use replicas::Replica;
pub(crate) use settings::Settings;
pub use settings::parse_duration;
pub use status::{PoolStatus, ReplicaStatus};

use std::sync::Arc;
use std::time::Duration;

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
/// Every [`EngineBuilder`] setting can also be given as a query parameter of the URL, with
/// the builder method's name (`?max_connections=32&acquire_timeout=5s&pre_ping=true`);
/// durations are seconds (`30`, `0.5`) or carry a unit (`250ms`, `30s`, `5min`, `1h`).
/// The builder wins where both say. PostgreSQL's `sslmode`, `sslrootcert`, `sslcert` and
/// `sslkey` mean what they mean to libpq (TLS needs the `tls` feature; `sslmode` defaults
/// to `prefer`); other parameters go to the driver (`application_name`…). The book's
/// "Production settings" chapter maps SQLAlchemy's `create_engine` pool arguments to
/// these, and covers TLS and PgBouncer.
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
    /// Statement timeouts and the slow-statement threshold, which sessions read.
    pub(crate) settings: Settings,
    /// The read replicas, for [`Engine::read_session`] and routed sessions.
    pub(crate) replicas: Vec<Replica>,
    /// The replica the next read tries first (round robin).
    next_replica: std::sync::atomic::AtomicUsize,
    /// Sessions that do not choose read from the replicas until they write
    /// ([`EngineBuilder::route_reads_to_replicas`]).
    pub(crate) route_reads: bool,
    url: String,
}

impl EngineInner {
    /// Forgets the statements the connections of the primary and of every replica
    /// prepared, after DDL changed the tables they read.
    pub(crate) fn forget_statements(&self) {
        self.pool.forget_statements();
        for replica in &self.replicas {
            replica.pool.forget_statements();
        }
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("url", &self.inner.url).field("dialect", &self.inner.dialect).finish()
    }
}

/// Settings for [`Engine::builder`]; each can also be a query parameter of the URL (see
/// [`Engine`]).
#[derive(Clone, Debug)]
#[must_use]
pub struct EngineBuilder {
    url: String,
    settings: Settings,
    replicas: Vec<String>,
    echo: bool,
    /// Changes to the database's capabilities, applied in order (tests only).
    adjust: Vec<fn(&mut Capabilities)>,
}

impl EngineBuilder {
    /// The most connections the pool opens (default: 4 per core, 16 at least for
    /// PostgreSQL; 8 for an SQLite file, 4 in memory). SQLAlchemy's `pool_size` +
    /// `max_overflow`.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.settings.max_connections = Some(n.max(1));
        self
    }

    /// Connections kept open even when idle, opened at start and reopened in the
    /// background (default 0: connections open on demand).
    pub fn min_idle(mut self, n: usize) -> Self {
        self.settings.min_idle = Some(n);
        self
    }

    /// How long a session waits for a free connection when all are in use before failing
    /// with [`crate::Error::PoolTimedOut`] (default 30 s, SQLAlchemy's `pool_timeout`).
    pub fn acquire_timeout(mut self, wait: Duration) -> Self {
        self.settings.acquire_timeout = Some(Some(wait));
        self
    }

    /// Sessions wait for a free connection as long as it takes (URL: `acquire_timeout=none`).
    pub fn no_acquire_timeout(mut self) -> Self {
        self.settings.acquire_timeout = Some(None);
        self
    }

    /// How long opening one connection may take before it fails with
    /// [`crate::Error::PoolTimedOut`] (default: no limit of its own; the acquire timeout
    /// still applies). On PostgreSQL it is also the driver's per-address `connect_timeout`.
    pub fn connect_timeout(mut self, wait: Duration) -> Self {
        self.settings.connect_timeout = Some(wait);
        self
    }

    /// Connections older than this are closed instead of reused (SQLAlchemy's
    /// `pool_recycle`; default: never).
    pub fn max_lifetime(mut self, age: Duration) -> Self {
        self.settings.max_lifetime = Some(age);
        self
    }

    /// Connections idle longer than this are closed, down to [`min_idle`](Self::min_idle)
    /// (default: never). Checked every half of it, at most every 30 s.
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.settings.idle_timeout = Some(idle);
        self
    }

    /// Checks that a pooled connection still answers before handing it out, and replaces it
    /// if not (SQLAlchemy's `pool_pre_ping`; default off). A PostgreSQL restart then
    /// costs no failed request once the server is back. SQLite files need no check.
    pub fn pre_ping(mut self, on: bool) -> Self {
        self.settings.pre_ping = Some(on);
        self
    }

    /// Pre-pings only connections last handed out at least this long ago (turns
    /// [`pre_ping`](Self::pre_ping) on): a busy pool skips the round trip.
    pub fn pre_ping_after(mut self, idle: Duration) -> Self {
        self.settings.pre_ping = Some(true);
        self.settings.pre_ping_after = Some(idle);
        self
    }

    /// The longest one statement may run before it is cancelled with a
    /// [`DbErrorKind::Timeout`](crate::DbErrorKind::Timeout) error (default: no limit).
    /// PostgreSQL's `statement_timeout`; on SQLite an interrupt from SQLite's progress
    /// handler. Sessions can change it ([`Session::set_statement_timeout`]).
    pub fn statement_timeout(mut self, limit: Duration) -> Self {
        self.settings.statement_timeout = Some(limit);
        self
    }

    /// The longest a statement waits for a lock another connection holds before failing
    /// with [`DbErrorKind::Busy`](crate::DbErrorKind::Busy) (PostgreSQL's `lock_timeout`,
    /// default no limit; SQLite's busy timeout, default 5 s). Sessions can change it
    /// ([`Session::set_lock_timeout`]).
    pub fn lock_timeout(mut self, limit: Duration) -> Self {
        self.settings.lock_timeout = Some(limit);
        self
    }

    /// Statements that take longer are logged at `WARN` (target `tablemodel::sql`) with
    /// their SQL, without parameter values (default: none).
    pub fn slow_statement(mut self, threshold: Duration) -> Self {
        self.settings.slow_statement = Some(threshold);
        self
    }

    /// Whether PostgreSQL connections prepare each statement once under a name and reuse it
    /// (default `true`). Turn it off (URL: `prepared_statements=false`) behind a pooler that
    /// hands each transaction another server connection, such as PgBouncer with
    /// `pool_mode = transaction` before 1.21 or without `max_prepared_statements`: every
    /// statement is then parsed, bound and run in one round trip as the unnamed statement,
    /// which leaves nothing on the server. Each statement is planned anew, so a busy app
    /// on a direct connection should keep the default. SQLite ignores it.
    pub fn prepared_statements(mut self, on: bool) -> Self {
        self.settings.prepared_statements = Some(on);
        self
    }

    /// Adds a read replica (a streaming-replication standby of the database, same URL
    /// form and parameters): [`Engine::read_session`]s read from the replicas in turn,
    /// skipping any that does not answer, and from the primary when none does. Other
    /// sessions use the primary, unless [`route_reads_to_replicas`](Self::route_reads_to_replicas)
    /// is on. A replica's connections are checked before each use (pre-ping), so one that
    /// went away costs a failed check, not a failed request; it is tried again by later
    /// reads and used as soon as it is back. [`Engine::replica_status`] tells how each is.
    pub fn replica(mut self, url: &str) -> Self {
        self.replicas.push(url.trim().to_owned());
        self
    }

    /// Routes the reads of every session to the replicas (default off; URL:
    /// `route_reads_to_replicas=true`), as a SQLAlchemy routing session does: a [`Engine::session`] or
    /// [`Engine::lazy_session`] (the web layer's `DbSession`) reads from a replica, in turn
    /// with the other sessions, until it writes, opens a transaction
    /// ([`Session::begin`], a savepoint) or is told [`Session::use_primary`]; from then
    /// on it uses the primary for the rest of its life, so it reads its own writes. When no
    /// replica answers it reads from the primary. Without replicas it changes nothing.
    ///
    /// The trade-off is replication lag: a replica replays the primary's commits a moment
    /// later, so a routed session may not yet see what *another* session (another request)
    /// just committed, and a row it reads and then saves was read from the replica. Keep it
    /// off where a client reads right after another request's write and must see it (or
    /// start such reads with [`Session::use_primary`], or use [`Engine::primary_session`]).
    /// Work that must see the latest state (migrations, [`Engine::create_all`],
    /// [`Engine::reflect`](crate::Engine::reflect)) always runs on the primary.
    ///
    /// ```
    /// # use tablemodel::prelude::*;
    /// # #[derive(Model)]
    /// # #[model(table)]
    /// # struct Hero { #[field(primary_key)] id: Option<i64>, name: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), tablemodel::Error> {
    /// # let dir = std::env::temp_dir().join(format!("tm-route-doc-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// # let primary_url = format!("sqlite:///{}/db.sqlite", dir.display());
    /// # let replica_url = primary_url.clone();
    /// let engine = Engine::builder(&primary_url)
    ///     .replica(&replica_url)
    ///     .route_reads_to_replicas(true)
    ///     .connect()
    ///     .await?;
    /// # engine.create_all::<Hero>().await?;
    /// let mut s = engine.lazy_session();
    /// s.exec(select::<Hero>()).await?; // on the replica
    /// assert!(s.routed_to_replica());
    /// s.add(Hero { id: None, name: "Deadpond".into() }).await?;
    /// assert!(!s.routed_to_replica()); // on the primary from now on
    ///
    /// // Without replicas there is nothing to route.
    /// let alone = Engine::builder("sqlite::memory:").route_reads_to_replicas(true).connect().await?;
    /// assert!(!alone.lazy_session().routed_to_replica());
    /// # drop((s, engine)); std::fs::remove_dir_all(&dir).ok();
    /// # Ok(()) }
    /// ```
    pub fn route_reads_to_replicas(mut self, on: bool) -> Self {
        self.settings.route_reads = Some(on);
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
        let (from_url, driver_url) = Settings::from_url(url)?;
        let settings = self.settings.clone().or(from_url);
        let (pool, dialect) = backend::open(&driver_url, &settings)?;
        let mut replicas = Vec::with_capacity(self.replicas.len());
        for replica in &self.replicas {
            let (own, driver_url) = Settings::from_url(replica)?;
            let mut replica_settings = self.settings.clone().or(own).or(settings.clone());
            replica_settings.pre_ping = Some(true);
            replica_settings.pre_ping_after = None;
            let (pool, replica_dialect) = backend::open(&driver_url, &replica_settings)?;
            if replica_dialect != dialect {
                return Err(crate::Error::InvalidUrl {
                    url: redact(replica),
                    reason: format!("a replica of a {} database must be {} too", dialect.name(), dialect.name()),
                });
            }
            replicas.push((Replica::new(pool, redact(replica)), replica_settings));
        }
        let (replicas, replica_settings): (Vec<Replica>, Vec<Settings>) = replicas.into_iter().unzip();
        let mut capabilities = *dialect.capabilities();
        for adjust in &self.adjust {
            adjust(&mut capabilities);
        }
        let engine = Engine {
            inner: Arc::new(EngineInner {
                write_gate: pool.write_gate(&capabilities, &settings),
                pool,
                dialect,
                echo: self.echo,
                capabilities,
                url: redact(url),
                route_reads: settings.route_reads.unwrap_or(false) && !replicas.is_empty(),
                settings,
                replicas,
                next_replica: std::sync::atomic::AtomicUsize::new(0),
            }),
        };
        // Fail here, with the URL in hand, rather than at the first query.
        drop(engine.inner.pool.get().await?);
        engine.inner.pool.start_upkeep(&engine.inner.settings).await;
        for (replica, settings) in engine.inner.replicas.iter().zip(&replica_settings) {
            replica.pool.start_upkeep(settings).await;
        }
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
            settings: Settings::default(),
            replicas: Vec::new(),
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

    /// A new session with its own connection from the pool: the primary's, or, when the
    /// engine [routes reads](EngineBuilder::route_reads_to_replicas), a replica's until
    /// the session writes.
    pub async fn session(&self) -> Result<Session> {
        if self.inner.route_reads {
            let mut session = Session::routed(self.clone());
            session.connect().await?;
            return Ok(session);
        }
        self.primary_session().await
    }

    /// A new session on the primary's pool, whether or not the engine routes reads: for
    /// reads that must see every commit so far.
    pub async fn primary_session(&self) -> Result<Session> {
        let conn = self.inner.pool.get().await?;
        Ok(Session::new(self.clone(), Some(conn)))
    }

    /// A new session for reading, on a read replica (see [`EngineBuilder::replica`]):
    /// the next replica in turn that answers, or the primary when none does or the engine
    /// has none. Replicas replay the primary's commits a moment later, so a read session
    /// may not see a write just committed; read what a request wrote from the session that
    /// wrote it. Writing in a read session fails on a replica (PostgreSQL's "cannot execute
    /// INSERT in a read-only transaction"); a [routed](EngineBuilder::route_reads_to_replicas)
    /// session moves to the primary instead.
    pub async fn read_session(&self) -> Result<Session> {
        match self.replica_conn().await {
            Some((_, conn)) => Ok(Session::new(self.clone(), Some(conn))),
            None => self.primary_session().await,
        }
    }

    /// A connection of the next replica in turn that answers, and that replica's place;
    /// `None` when none does or the engine has none.
    pub(crate) async fn replica_conn(&self) -> Option<(usize, crate::backend::Conn)> {
        let replicas = &self.inner.replicas;
        if replicas.is_empty() {
            return None;
        }
        let first = self.inner.next_replica.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for i in 0..replicas.len() {
            let at = (first + i) % replicas.len();
            if let Some(conn) = replicas[at].get().await {
                return Some((at, conn));
            }
        }
        None
    }

    /// A new session that takes its connection from the pool at its first statement (as
    /// SQLAlchemy's sessions do), so that nothing is held while, say, a web request's body
    /// is still arriving. A pool that has no connection in time then fails that statement
    /// with [`crate::Error::PoolTimedOut`]. With [read routing](EngineBuilder::route_reads_to_replicas)
    /// that connection is a replica's until the session writes.
    pub fn lazy_session(&self) -> Session {
        if self.inner.route_reads { Session::routed(self.clone()) } else { Session::new(self.clone(), None) }
    }

    /// The pool's gauges now: open, idle and in-use connections, and waiting sessions.
    pub fn pool_status(&self) -> PoolStatus {
        self.inner.pool.status()
    }

    /// Each read replica's gauges, in the order they were added, and whether it answered
    /// the last time a session took one of its connections (see [`ReplicaStatus`]). Reads
    /// no server: [`Engine::check_replicas`] asks them.
    pub fn replica_status(&self) -> Vec<ReplicaStatus> {
        self.inner.replicas.iter().map(Replica::status).collect()
    }

    /// Takes (and gives back) one connection of every replica, all at once, which checks
    /// that each answers, and then gives [`Engine::replica_status`]: for a health page. A
    /// replica that does not answer costs its connect or acquire timeout; bound the wait
    /// with a timeout of your own where that matters.
    pub async fn check_replicas(&self) -> Vec<ReplicaStatus> {
        futures_util::future::join_all(self.inner.replicas.iter().map(Replica::get)).await;
        self.replica_status()
    }

    /// Creates the tables of `T` (a model or a tuple of models) that do not exist yet,
    /// with their indexes, in foreign-key order.
    ///
    /// Where DDL is transactional (SQLite, PostgreSQL) it all happens in one transaction:
    /// a failure leaves nothing. MySQL and MariaDB commit each `CREATE` on its own, so a
    /// failure there leaves the tables made before it; calling `create_all` again after
    /// fixing the cause finishes the job, since existing tables are skipped.
    pub async fn create_all<T: Tables>(&self) -> Result<()> {
        self.create_tables(&T::tables()).await
    }

    /// Drops the tables of `T` that exist, dependents first, then the enum types
    /// (`#[db_enum(native)]` on PostgreSQL) their columns used and no other table still uses.
    pub async fn drop_all<T: Tables>(&self) -> Result<()> {
        self.drop_tables(&T::tables()).await
    }

    /// [`Engine::create_all`] for tables given as metadata.
    pub async fn create_tables(&self, tables: &[&'static TableMeta]) -> Result<()> {
        let mut session = self.primary_session().await?;
        for table in ddl::dependency_order(tables)? {
            for sql in ddl::create_table_sql(table, self.dialect()) {
                session.execute_ddl(&sql).await?;
            }
        }
        session.commit().await
    }

    /// [`Engine::drop_all`] for tables given as metadata.
    pub async fn drop_tables(&self, tables: &[&'static TableMeta]) -> Result<()> {
        let mut session = self.primary_session().await?;
        let ordered = ddl::dependency_order(tables)?;
        for table in ordered.iter().rev() {
            session.execute_ddl(&ddl::drop_table_sql(table, self.dialect())).await?;
        }
        let described: Vec<crate::schema::Table> = ordered.iter().map(|t| crate::schema::Table::from_meta(t)).collect();
        for sql in ddl::drop_type_statements(&described.iter().collect::<Vec<_>>(), self.dialect()) {
            session.execute_ddl(&sql).await?;
        }
        session.commit().await
    }

    /// Closes the pool: sessions already open finish, new ones fail.
    pub fn close(&self) {
        self.inner.pool.close();
        for replica in &self.inner.replicas {
            replica.pool.close();
        }
    }
}
