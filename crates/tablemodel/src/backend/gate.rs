//! The queue of an engine's writers on a database where one transaction writes at a time
//! ([`Capabilities::single_writer`](super::Capabilities::single_writer)).
//!
//! A writer that finds such a database locked sleeps in the driver's busy handler (SQLite:
//! 1 ms to 100 ms naps). Queuing the engine's writers on an async lock instead hands the
//! database over as soon as a transaction ends: concurrent web requests that write keep
//! their throughput.

use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};

/// One engine's queue of writers.
pub(crate) struct WriteGate {
    lock: Arc<tokio::sync::Mutex<()>>,
    /// As long as the database itself would wait for its lock.
    wait: Duration,
    /// The error the database itself would give after waiting that long.
    timed_out: fn() -> Error,
}

/// A session's turn to write, held from `BEGIN` to `COMMIT`/`ROLLBACK`.
pub(crate) type WritePermit = tokio::sync::OwnedMutexGuard<()>;

impl WriteGate {
    pub(crate) fn new(wait: Duration, timed_out: fn() -> Error) -> Self {
        WriteGate { lock: Arc::new(tokio::sync::Mutex::new(())), wait, timed_out }
    }

    /// This session's turn when no one else has it, without waiting; `None` when taken.
    /// A free lock has no queue to jump.
    #[inline]
    pub(crate) fn try_turn(&self) -> Option<WritePermit> {
        self.lock.clone().try_lock_owned().ok()
    }

    /// The error of a writer that found the turn taken and would not wait
    /// ([`LockWait::NoWait`](crate::LockWait::NoWait)): what the database itself gives.
    pub(crate) fn taken(&self) -> Error {
        (self.timed_out)()
    }

    /// Waits for this session's turn.
    pub(crate) async fn turn(&self) -> Result<WritePermit> {
        // A free lock is taken without the timer and the waiting future (about 300
        // instructions a transaction).
        if let Some(permit) = self.try_turn() {
            return Ok(permit);
        }
        tokio::time::timeout(self.wait, self.lock.clone().lock_owned()).await.map_err(|_| (self.timed_out)())
    }
}
