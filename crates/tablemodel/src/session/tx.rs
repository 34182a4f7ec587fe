//! A session's transaction state: whether a transaction is open, whether a failed
//! statement poisoned it, its savepoints, and its turn to write.
//!
//! The first write opens a transaction that lasts until `commit` or `rollback`, as
//! SQLAlchemy's autobegin does. A statement that fails inside a transaction poisons it:
//! every later statement answers [`Error::PendingRollback`] until `rollback()`, on every
//! backend alike, so nothing half-done is ever committed.
//!
//! Where the backend pipelines ([`Capabilities::pipelined_begin`](crate::Capabilities)),
//! `BEGIN` is not sent on its own: it waits for the transaction's first statement and
//! goes out in the same flight (see [`super::pipeline`]). A transaction that ends before
//! any statement was sent costs nothing.

use super::Session;
use crate::backend::WritePermit;
use crate::error::{Error, Result};

/// The transaction state of one session.
#[derive(Default)]
pub(crate) struct Tx {
    /// A transaction is open.
    pub(crate) open: bool,
    /// The open transaction's `BEGIN` has not been sent yet: it goes out with the next
    /// statement.
    pub(crate) begin_pending: bool,
    /// A statement failed in the open transaction.
    pub(crate) failed: bool,
    savepoints: u32,
    /// This session's turn to write, held from `BEGIN` to `COMMIT`/`ROLLBACK` on a
    /// database where one transaction writes at a time.
    permit: Option<WritePermit>,
}

impl Tx {
    /// Refuses to run anything after a failure until the session rolls back.
    pub(crate) fn check_usable(&self) -> Result<()> {
        if self.failed { Err(Error::PendingRollback) } else { Ok(()) }
    }

    /// Notes the outcome of a statement: a failure inside a transaction poisons it.
    pub(crate) fn note<T>(&mut self, result: &Result<T>) {
        if result.is_err() {
            self.note_failure();
        }
    }

    /// A statement failed: inside a transaction, it is poisoned.
    pub(crate) fn note_failure(&mut self) {
        if self.open {
            self.failed = true;
        }
    }

    /// Whether the server has a transaction open for this session (one whose `BEGIN`
    /// went out), which a dropped session must roll back.
    pub(crate) fn open_on_server(&self) -> bool {
        self.open && !self.begin_pending
    }

    /// The pending `BEGIN` failed: no transaction is open, and the turn to write is given
    /// back.
    pub(crate) fn begin_failed(&mut self) {
        self.ended();
    }

    fn ended(&mut self) {
        self.open = false;
        self.begin_pending = false;
        self.savepoints = 0;
        self.permit = None;
    }
}

/// A savepoint inside a session's transaction, from [`Session::savepoint`].
#[derive(Debug)]
#[must_use = "roll back to the savepoint or release it"]
pub struct Savepoint {
    name: String,
}

impl Session {
    /// Whether a transaction is open (a write happened since the last commit/rollback).
    pub fn in_transaction(&self) -> bool {
        self.tx.open
    }

    /// Opens a transaction (otherwise the first write opens one). On PostgreSQL its
    /// `BEGIN` goes out with the transaction's first statement, in the same round trip; a
    /// server that cannot be reached is then reported by that statement.
    pub async fn begin(&mut self) -> Result<()> {
        match self.begin_now() {
            Some(result) => result,
            None => self.begin_waiting().await,
        }
    }

    /// [`Session::begin`] where nothing needs waiting for: the transaction is open, or it
    /// opens with a pipelined `BEGIN` (noted, not sent), or with a `BEGIN` the backend runs
    /// at once (SQLite's, its write turn free and its lock not busy). `None` when it must
    /// wait; the write turn taken stays with the session for [`Session::begin_waiting`].
    /// The write verbs call this first, so that opening their transaction builds no future.
    #[inline]
    pub(crate) fn begin_now(&mut self) -> Option<Result<()>> {
        if let Err(e) = self.tx.check_usable() {
            return Some(Err(e));
        }
        if self.tx.open {
            return Some(Ok(()));
        }
        if self.tx.permit.is_none()
            && let Some(gate) = &self.engine.inner.write_gate
        {
            self.tx.permit = Some(gate.try_turn()?);
        }
        if self.engine.inner.capabilities.pipelined_begin {
            // The transaction's statements go to the primary, as `control` would send them.
            self.move_to_primary();
            self.tx.open = true;
            self.tx.begin_pending = true;
            return Some(Ok(()));
        }
        let result = self.control_now(self.engine.inner.capabilities.begin_write)?;
        Some(self.began_with(result))
    }

    /// Opens the transaction a locking read ([`Select::for_update`](crate::Select::for_update))
    /// holds its locks in, as a write's would. Where one transaction writes at a time
    /// (SQLite), [`LockWait::NoWait`] takes the engine's write turn only when it is free,
    /// and otherwise fails as the database would after waiting for its lock.
    #[cold]
    pub(crate) async fn begin_locking_read(&mut self, wait: crate::LockWait) -> Result<()> {
        self.tx.check_usable()?;
        if wait == crate::LockWait::NoWait
            && !self.tx.open
            && self.tx.permit.is_none()
            && let Some(gate) = &self.engine.inner.write_gate
        {
            self.tx.permit = Some(gate.try_turn().ok_or_else(|| gate.taken())?);
        }
        self.begin().await
    }

    /// [`Session::begin`] when [`Session::begin_now`] could not open the transaction
    /// without waiting (for the write turn, for a busy lock, or for a server that is not
    /// SQLite's in-process one).
    pub(crate) async fn begin_waiting(&mut self) -> Result<()> {
        if self.tx.permit.is_none()
            && let Some(gate) = &self.engine.inner.write_gate
        {
            self.tx.permit = Some(gate.turn().await?);
        }
        if self.engine.inner.capabilities.pipelined_begin {
            self.move_to_primary();
            self.tx.open = true;
            self.tx.begin_pending = true;
            return Ok(());
        }
        let result = self.control(self.engine.inner.capabilities.begin_write).await;
        self.began_with(result)
    }

    /// Notes the outcome of a `BEGIN` sent on its own: the transaction is open, or the
    /// write turn goes back.
    #[inline]
    fn began_with(&mut self, result: Result<()>) -> Result<()> {
        match result {
            Ok(()) => self.tx.open = true,
            Err(_) => self.tx.permit = None,
        }
        result
    }

    /// Commits the open transaction, if any.
    pub async fn commit(&mut self) -> Result<()> {
        self.tx.check_usable()?;
        if self.tx.begin_pending {
            // Nothing was sent: there is nothing to commit.
            self.tx.ended();
        }
        if self.tx.open {
            // Where nothing is logged, `COMMIT` goes straight to the connection: one
            // future less for every transaction.
            let result = match self.control_now("COMMIT") {
                Some(result) => result,
                None if !crate::log::span_wanted() && crate::log::start(self.logging()).is_none() => {
                    match self.conn.in_hand() {
                        Some(conn) => conn.batch("COMMIT").await,
                        None => self.control("COMMIT").await,
                    }
                }
                None => self.control("COMMIT").await,
            };
            if result.is_err() {
                self.tx.failed = true;
                return result;
            }
            self.tx.ended();
        }
        Ok(())
    }

    /// Rolls back the open transaction, if any, and makes the session usable again after
    /// a failed statement.
    pub async fn rollback(&mut self) -> Result<()> {
        // The rows go back to what they were: what `save` remembers of them no longer holds.
        self.loaded.clear();
        if self.tx.open_on_server() {
            self.control("ROLLBACK").await?;
        }
        self.tx.ended();
        self.tx.failed = false;
        Ok(())
    }

    /// Sets a savepoint in the transaction (opening one if needed).
    pub async fn savepoint(&mut self) -> Result<Savepoint> {
        self.begin().await?;
        self.tx.savepoints += 1;
        let name = format!("tm_sp_{}", self.tx.savepoints);
        self.control(&format!("SAVEPOINT {name}")).await?;
        Ok(Savepoint { name })
    }

    /// Undoes everything since `savepoint`; the transaction goes on, usable again even if
    /// a statement failed after the savepoint.
    pub async fn rollback_to_savepoint(&mut self, savepoint: Savepoint) -> Result<()> {
        self.loaded.clear();
        self.control(&format!("ROLLBACK TO SAVEPOINT {}", savepoint.name)).await?;
        self.control(&format!("RELEASE SAVEPOINT {}", savepoint.name)).await?;
        self.tx.failed = false;
        Ok(())
    }

    /// Keeps the work since `savepoint` as part of the transaction.
    pub async fn release_savepoint(&mut self, savepoint: Savepoint) -> Result<()> {
        self.tx.check_usable()?;
        self.control(&format!("RELEASE SAVEPOINT {}", savepoint.name)).await
    }
}
