//! One read replica of an engine: its pool, and whether it answered when last asked.
//!
//! The engine keeps the health a session last saw so that an operator (a health page, a
//! metrics exporter) can read it without asking the servers, and so that a replica that
//! went away shows as down until a session finds it back.

use std::sync::atomic::{AtomicU8, Ordering};

use crate::backend::{Conn, Pool};

use super::status::{PoolStatus, ReplicaStatus};

/// Never asked yet.
const UNKNOWN: u8 = 0;
const HEALTHY: u8 = 1;
const DOWN: u8 = 2;

/// A read replica's pool and last seen health.
pub(crate) struct Replica {
    pub(crate) pool: Pool,
    /// The URL without its password, for status reports.
    url: String,
    health: AtomicU8,
}

impl Replica {
    pub(crate) fn new(pool: Pool, url: String) -> Self {
        Replica { pool, url, health: AtomicU8::new(UNKNOWN) }
    }

    /// A connection (checked by the replica pool's pre-ping), or `None` when the replica
    /// does not answer; either way the replica's health is noted.
    pub(crate) async fn get(&self) -> Option<Conn> {
        match self.pool.get().await {
            Ok(conn) => {
                self.health.store(HEALTHY, Ordering::Relaxed);
                Some(conn)
            }
            Err(e) => {
                self.health.store(DOWN, Ordering::Relaxed);
                tracing::debug!(target: "tablemodel::sql", replica = %self.url, error = %e, "read replica skipped");
                None
            }
        }
    }

    /// A session lost its connection to this replica.
    pub(crate) fn mark_down(&self) {
        self.health.store(DOWN, Ordering::Relaxed);
    }

    pub(crate) fn status(&self) -> ReplicaStatus {
        let healthy = match self.health.load(Ordering::Relaxed) {
            HEALTHY => Some(true),
            DOWN => Some(false),
            _ => None,
        };
        let pool: PoolStatus = self.pool.status();
        ReplicaStatus { url: self.url.clone(), pool, healthy }
    }
}
