//! A session's transaction state: whether a transaction is open, whether a failed
//! statement poisoned it, its savepoints, and its turn to write.
//!
//! The first write opens a transaction that lasts until `commit` or `rollback`, as
//! SQLAlchemy's autobegin does. A statement that fails inside a transaction poisons it:
//! every later statement answers [`Error::PendingRollback`] until `rollback()`, on every
//! backend alike, so nothing half-done is ever committed.

use super::Session;
use crate::backend::WritePermit;
use crate::error::{Error, Result};

/// The transaction state of one session.
#[derive(Default)]
pub(crate) struct Tx {
    /// A transaction is open.
    pub(crate) open: bool,
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

    fn ended(&mut self) {
        self.open = false;
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

    /// Opens a transaction now (otherwise the first write opens one).
    pub async fn begin(&mut self) -> Result<()> {
        self.tx.check_usable()?;
        if !self.tx.open {
            if let Some(gate) = &self.engine.inner.write_gate {
                self.tx.permit = Some(gate.turn().await?);
            }
            let result = self.control(self.engine.inner.capabilities.begin_write).await;
            if result.is_err() {
                self.tx.permit = None;
            }
            result?;
            self.tx.open = true;
        }
        Ok(())
    }

    /// Commits the open transaction, if any.
    pub async fn commit(&mut self) -> Result<()> {
        self.tx.check_usable()?;
        if self.tx.open {
            let result = self.control("COMMIT").await;
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
        if self.tx.open {
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
