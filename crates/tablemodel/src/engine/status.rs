//! The pool's gauges, read from the engine for metrics and health pages.

/// A snapshot of an engine's connection pool: [`Engine::pool_status`](crate::Engine::pool_status).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tablemodel::Error> {
/// let engine = tablemodel::Engine::builder("sqlite::memory:").max_connections(3).connect().await?;
/// let session = engine.session().await?;
/// let status = engine.pool_status();
/// assert_eq!((status.max_size, status.in_use, status.waiting), (3, 1, 0));
/// assert_eq!(status.size, status.idle + status.in_use);
/// drop(session);
/// assert_eq!(engine.pool_status().in_use, 0);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolStatus {
    /// The most connections the pool opens.
    pub max_size: usize,
    /// Connections open now, idle or in use.
    pub size: usize,
    /// Open connections waiting in the pool for a session.
    pub idle: usize,
    /// Connections held by sessions.
    pub in_use: usize,
    /// Sessions waiting for a connection.
    pub waiting: usize,
}

impl PoolStatus {
    /// Builds the gauges from deadpool's counters.
    pub(crate) fn from_counts(max_size: usize, size: usize, available: usize, waiting: usize) -> Self {
        let idle = available.min(size);
        PoolStatus { max_size, size, idle, in_use: size - idle, waiting }
    }
}

/// One read replica's gauges: [`Engine::replica_status`](crate::Engine::replica_status).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tablemodel::Error> {
/// let dir = std::env::temp_dir().join(format!("tm-replica-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let url = format!("sqlite:///{}/db.sqlite", dir.display()); // absolute: four slashes
/// let engine = tablemodel::Engine::builder(&url).replica(&url).connect().await?;
/// assert_eq!(engine.replica_status()[0].healthy, None); // not asked yet
/// let replicas = engine.check_replicas().await;
/// assert_eq!(replicas[0].healthy, Some(true));
/// assert_eq!((replicas[0].pool.in_use, replicas[0].pool.idle), (0, 1));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplicaStatus {
    /// The replica's URL, its password replaced by `***`.
    pub url: String,
    /// Its pool's gauges: size, idle, in use, waiting.
    pub pool: PoolStatus,
    /// Whether it answered the last time a session (or [`Engine::check_replicas`](crate::Engine::check_replicas))
    /// took one of its connections: `None` before the first time.
    pub healthy: Option<bool>,
}
