//! `BEGIN` in the same round trip as the transaction's first statement.
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

use super::Session;
use crate::backend::Rows;
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
    #[cold]
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
        let (began, result) = match self.conn().await {
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
    #[cold]
    pub(crate) async fn execute_with_begin(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let begin = self.take_pending_begin();
        let started = self.begin_started();
        let (began, result) = match self.conn().await {
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
