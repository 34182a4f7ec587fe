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
