//! Statements sent together, in one round trip where the backend pipelines: `BEGIN`
//! with the transaction's first statement, and the queries of several eager loads.
//!
//! Where the backend pipelines ([`Capabilities::pipelined_begin`](crate::Capabilities),
//! PostgreSQL), [`Session::begin`] sends nothing: the transaction's first statement goes
//! out right behind its `BEGIN`, both written before either is answered, so `add` +
//! `commit` costs two round trips where a `BEGIN` of its own makes three.
//!
//! When `BEGIN` fails, the session reports that failure, whatever became of the statement,
//! and no transaction is open. The statement must not have run outside a transaction, and
//! it has not in the cases that occur:
//! - the server is gone, or ends the connection (shut down, the backend terminated): the
//!   statement is not run, and fails with the same connection error;
//! - the connection is in a failed transaction: the server refuses every statement but
//!   `ROLLBACK`, the pipelined one too.
//!
//! A plain `BEGIN` outside a transaction block has no other error on a live connection
//! (resource exhaustion aside), and inside one it only warns. The driver ends each request
//! with its own `Sync`, so the server cannot be told to skip the statement when `BEGIN`
//! fails; that is why the transaction's opening statement is always a plain `BEGIN`.

use std::sync::Arc;

use super::Session;
use crate::backend::{Batched, Rows};
use crate::error::Result;
use crate::row::RowReader;
use crate::types::Value;

impl Session {
    /// The `BEGIN` that goes out with the next statement, taken off the session; its
    /// outcome goes to [`Session::began`].
    fn take_pending_begin(&mut self) -> &'static str {
        self.tx.begin_pending = false;
        self.engine.inner.capabilities.begin_write
    }

    /// Logs the pipelined `BEGIN` and notes its outcome: when it failed no transaction is
    /// open, and its error is the statement's.
    fn began(&mut self, started: Option<std::time::Instant>, begin: &str, result: Result<()>) -> Result<()> {
        crate::log::statement(self.logging(), started, begin, &[], result.as_ref().map(|_| 0));
        if result.is_err() {
            self.tx.begin_failed();
        }
        result
    }

    /// Sends a pending `BEGIN` on its own, before a statement that cannot go with it.
    pub(crate) async fn send_pending_begin(&mut self) -> Result<()> {
        if !self.tx.begin_pending {
            return Ok(());
        }
        let begin = self.take_pending_begin();
        let result = self.control(begin).await;
        if result.is_err() {
            self.tx.begin_failed();
        }
        result
    }

    /// Runs a row-returning statement right behind the pending `BEGIN`; `rows` counts the
    /// rows read.
    pub(crate) async fn query_with_begin(
        &mut self,
        sql: &str,
        params: &[Value],
        read: Rows,
        each: &mut (impl FnMut(&mut RowReader<'_>) -> Result<()> + Send),
        rows: &mut u64,
    ) -> Result<u64> {
        let begin = self.take_pending_begin();
        let started = self.begin_started();
        let conn = match self.conn.in_hand() {
            Some(conn) => Ok(conn),
            None => self.conn().await,
        };
        let (began, result) = match conn {
            Ok(conn) => {
                conn.query_after_begin(begin, sql, params, read, |row| {
                    *rows += 1;
                    each(row)
                })
                .await
            }
            Err(e) => (Err(e), Ok(())),
        };
        self.began(started, begin, began)?;
        result.map(|()| *rows)
    }

    /// Runs a statement that returns no rows right behind the pending `BEGIN`.
    pub(crate) async fn execute_with_begin(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let begin = self.take_pending_begin();
        let started = self.begin_started();
        let conn = match self.conn.in_hand() {
            Some(conn) => Ok(conn),
            None => self.conn().await,
        };
        let (began, result) = match conn {
            Ok(conn) => conn.execute_after_begin(begin, sql, params).await,
            Err(e) => (Err(e), Ok(0)),
        };
        self.began(started, begin, began)?;
        result
    }

    /// Runs control SQL (a savepoint, DDL) right behind the pending `BEGIN`.
    #[cold]
    pub(crate) async fn control_with_begin(&mut self, sql: &str) -> Result<()> {
        let begin = self.take_pending_begin();
        let started = self.begin_started();
        let (began, result) = match self.conn().await {
            Ok(conn) => conn.batch_after_begin(begin, sql).await,
            Err(e) => (Err(e), Ok(())),
        };
        self.began(started, begin, began)?;
        result
    }

    fn begin_started(&self) -> Option<std::time::Instant> {
        crate::log::start(self.logging())
    }
}

/// A query that can go out together with others ([`Session::query_together`]): the
/// query of one eager-loaded relationship.
pub(crate) trait Together: Send {
    /// Its SQL and parameters (taken once).
    fn take_statement(&mut self) -> (Arc<str>, Vec<Value>);
    /// Takes one row of its result.
    fn read(&mut self, row: &mut RowReader<'_>) -> Result<()>;
}

impl Session {
    /// Runs `queries`, all sent before any answer is read where the backend pipelines
    /// (PostgreSQL: one round trip), one after the other elsewhere. Each is logged with its
    /// outcome; the first failure is the result, and poisons the transaction.
    pub(crate) async fn query_together(&mut self, queries: &mut [&mut dyn Together]) -> Result<()> {
        self.tx.check_usable()?;
        self.send_pending_begin().await?;
        let logging = self.logging();
        let started = crate::log::start(logging);
        let statements: Vec<(Arc<str>, Vec<Value>)> = queries.iter_mut().map(|q| q.take_statement()).collect();
        let mut read = vec![0u64; queries.len()];
        let results = {
            let mut readers: Vec<_> = queries
                .iter_mut()
                .zip(read.iter_mut())
                .map(|(q, n)| {
                    move |row: &mut RowReader<'_>| {
                        *n += 1;
                        q.read(row)
                    }
                })
                .collect();
            let mut batch: Vec<Batched<'_>> = statements
                .iter()
                .zip(readers.iter_mut())
                .map(|((sql, params), reader)| -> Batched<'_> { (&**sql, &params[..], reader) })
                .collect();
            match self.conn().await {
                Ok(conn) => conn.query_together(&mut batch).await,
                Err(e) => {
                    self.tx.note_failure();
                    return Err(e);
                }
            }
        };
        let mut again = Vec::new();
        let mut failure = None;
        for (i, result) in results.into_iter().enumerate() {
            let (sql, params) = &statements[i];
            crate::log::statement(logging, started, sql, params, result.as_ref().map(|_| read[i]));
            if let Err(e) = result {
                if read[i] == 0 && self.replica_lost(&e) {
                    again.push(i);
                } else if failure.is_none() {
                    failure = Some(e);
                }
            }
        }
        if let Some(e) = failure {
            self.tx.note_failure();
            return Err(e);
        }
        if !again.is_empty() {
            // The replica went away before answering: the reads run again elsewhere, as a
            // lone read does (see `super::route`).
            self.leave_lost_replica();
            for i in again {
                let (sql, params) = &statements[i];
                let query = &mut *queries[i];
                self.query_rows(sql, params, Rows::All, |row| query.read(row)).await?;
            }
        }
        Ok(())
    }

    /// Remembers rows read outside `Session::all`, for `save`.
    pub(crate) fn remember_rows<'a, M: crate::model::Model>(&mut self, rows: impl IntoIterator<Item = &'a M>) {
        self.loaded.remember_all(rows);
    }
}
