//! Logged execution: every statement a session runs goes through here, is logged once
//! with its real outcome (rows read or changed, or the error), and a failure inside a
//! transaction poisons it. Queries, writes, transaction control, the diagnostic probes of
//! the foreign-key naming and streams alike.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use futures_util::Stream;
use futures_util::stream::BoxStream;

use super::Session;
use super::tx::Tx;
use crate::backend::{DriverParams, RowStream, Rows};
use crate::error::{Error, Result};
use crate::log::Logging;
use crate::model::Model;
use crate::query::Bound;
use crate::row::RowReader;
use crate::types::Value;

impl Session {
    /// How this session's statements are logged.
    #[inline]
    pub(super) fn logging(&self) -> Logging {
        Logging { echo: self.engine.inner.echo, slow: self.engine.inner.settings.slow_statement }
    }

    /// [`Session::query_rows`] at once, without a future, where the backend answers
    /// without waiting (SQLite) and the session has its connection in hand; `None`, having
    /// run nothing, otherwise (then `query_rows` runs it). The verbs call this first: on
    /// SQLite a read then builds, moves and polls no future of its own.
    #[inline]
    pub(crate) fn query_rows_now(
        &mut self,
        sql: &str,
        params: &[Value],
        read: Rows,
        each: &mut (impl FnMut(&mut RowReader<'_>) -> Result<()> + Send),
    ) -> Option<Result<u64>> {
        if let Err(e) = self.tx.check_usable() {
            return Some(Err(e));
        }
        if self.tx.begin_pending || !self.conn.in_hand().is_some_and(|conn| conn.answers_at_once()) {
            return None;
        }
        if crate::log::span_wanted() {
            return None;
        }
        let logging = self.logging();
        let started = crate::log::start(logging);
        let mut rows = 0u64;
        let result = self.conn.in_hand()?.query_now(sql, params, read, &mut |row: &mut RowReader<'_>| {
            rows += 1;
            each(row)
        })?;
        let result = match result {
            // A lost replica: `query_rows` runs it again elsewhere, and logs it once.
            Err(e) if rows == 0 && self.replica_lost(&e) => {
                self.leave_lost_replica();
                return None;
            }
            other => other.map(|()| rows),
        };
        crate::log::statement(logging, started, sql, params, result.as_ref().map(|n| *n));
        self.tx.note(&result);
        Some(result)
    }

    /// Runs a row-returning statement; every row read (all, or only the first) goes
    /// through `each`. Refused after an earlier failure until the session rolls back.
    ///
    /// One future for the common read: the check, the logging and the connection's call
    /// are written out here rather than in nested `async fn`s, whose futures would each be
    /// built, moved into their caller's and polled. The rare paths (a subscriber wanting
    /// spans, a pending `BEGIN`, a lost replica) are boxed, so they do not grow this
    /// future either.
    pub(crate) async fn query_rows(
        &mut self,
        sql: &str,
        params: &[Value],
        read: Rows,
        mut each: impl FnMut(&mut RowReader<'_>) -> Result<()> + Send,
    ) -> Result<u64> {
        self.tx.check_usable()?;
        let logging = self.logging();
        let started = crate::log::start(logging);
        let mut rows = 0u64;
        let result = if crate::log::span_wanted() {
            Box::pin(self.run_query_in_span(sql, params, read, &mut each, &mut rows)).await
        } else if self.tx.begin_pending {
            Box::pin(self.query_with_begin(sql, params, read, &mut each, &mut rows)).await
        } else {
            let mut counted = |row: &mut RowReader<'_>| {
                rows += 1;
                each(row)
            };
            let now = self.conn.in_hand().and_then(|conn| conn.query_now(sql, params, read, &mut counted));
            let result = match now {
                Some(result) => result,
                None => {
                    let conn = match self.conn.in_hand() {
                        Some(conn) => Ok(conn),
                        None => self.conn().await,
                    };
                    match conn {
                        Ok(conn) => crate::backend::query_in_place!(conn, sql, params, read, &mut counted),
                        Err(e) => Err(e),
                    }
                }
            };
            match result {
                Err(e) if rows == 0 && self.replica_lost(&e) => {
                    self.leave_lost_replica();
                    Box::pin(self.query_again(sql, params, read, &mut rows, &mut each)).await.map(|()| rows)
                }
                other => other.map(|()| rows),
            }
        };
        crate::log::statement(logging, started, sql, params, result.as_ref().map(|n| *n));
        self.tx.note(&result);
        result
    }

    /// [`Session::run_query`] in the statement's span ([`tracing::Span::none`] when no
    /// subscriber wants it): the rare paths of [`Session::query_rows`].
    #[cold]
    async fn run_query_in_span(
        &mut self,
        sql: &str,
        params: &[Value],
        read: Rows,
        each: &mut (impl FnMut(&mut RowReader<'_>) -> Result<()> + Send),
        rows: &mut u64,
    ) -> Result<u64> {
        let span = crate::log::span(self.dialect().otel_system(), sql);
        tracing::Instrument::instrument(self.run_query(sql, params, read, each, rows), span).await
    }

    /// Runs a row-returning statement and logs it; the number of rows read. A routed
    /// session whose replica connection was lost before any row arrived runs it again on
    /// another replica or the primary (see [`super::route`]).
    async fn logged_query(
        &mut self,
        sql: &str,
        params: &[Value],
        read: Rows,
        mut each: impl FnMut(&mut RowReader<'_>) -> Result<()> + Send,
    ) -> Result<u64> {
        let logging = self.logging();
        let started = crate::log::start(logging);
        let mut rows = 0u64;
        let result = self.run_query_in_span(sql, params, read, &mut each, &mut rows).await;
        crate::log::statement(logging, started, sql, params, result.as_ref().map(|n| *n));
        result
    }

    /// Runs a row-returning statement on the session's connection, counting its rows.
    async fn run_query(
        &mut self,
        sql: &str,
        params: &[Value],
        read: Rows,
        each: &mut (impl FnMut(&mut RowReader<'_>) -> Result<()> + Send),
        rows: &mut u64,
    ) -> Result<u64> {
        if self.tx.begin_pending {
            return Box::pin(self.query_with_begin(sql, params, read, each, rows)).await;
        }
        let conn = match self.conn.in_hand() {
            Some(conn) => Ok(conn),
            None => self.conn().await,
        };
        let result = match conn {
            Ok(conn) => {
                conn.query(sql, params, read, |row| {
                    *rows += 1;
                    each(row)
                })
                .await
            }
            Err(e) => Err(e),
        };
        match result {
            // Boxed: the rare second run does not grow every query's future.
            Err(e) if *rows == 0 && self.replica_lost(&e) => {
                self.leave_lost_replica();
                Box::pin(self.query_again(sql, params, read, rows, each)).await?;
            }
            other => other?,
        }
        Ok(*rows)
    }

    /// The second run of a read whose replica connection was lost; `rows` counts the rows.
    /// The first run's body stays inlined in `run_query`: calling this for both runs
    /// measured 76 to 170 instructions more per statement (`bench/instructions.sh`).
    #[cold]
    async fn query_again(
        &mut self,
        sql: &str,
        params: &[Value],
        read: Rows,
        rows: &mut u64,
        each: &mut (impl FnMut(&mut RowReader<'_>) -> Result<()> + Send),
    ) -> Result<()> {
        self.conn()
            .await?
            .query(sql, params, read, |row| {
                *rows += 1;
                each(row)
            })
            .await
    }

    /// Whether a diagnostic query returns a row. Runs even after a failed statement (it
    /// explains that failure), so it skips the pending-rollback check.
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))] // a backend's foreign-key naming
    pub(crate) async fn probe_exists(&mut self, sql: &str, params: &[Value]) -> Result<bool> {
        self.logged_query(sql, params, Rows::First, |_| Ok(())).await.map(|n| n > 0)
    }

    /// The rows of a diagnostic query of text columns; see [`Session::probe_exists`].
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))] // a backend's foreign-key naming
    pub(crate) async fn probe_rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Option<String>>>> {
        let mut rows = Vec::new();
        self.logged_query(sql, params, Rows::All, |row| {
            rows.push(row.rest_as_text("probe")?);
            Ok(())
        })
        .await?;
        Ok(rows)
    }

    /// [`Session::execute_sql`] at once, without a future, where the backend answers
    /// without waiting (SQLite) and the session has its connection in hand; `None`, having
    /// run nothing, otherwise.
    #[inline]
    pub(crate) fn execute_now(&mut self, sql: &str, params: &[Value]) -> Option<Result<u64>> {
        if let Err(e) = self.tx.check_usable() {
            return Some(Err(e));
        }
        if !self.conn.in_hand().is_some_and(|conn| conn.answers_at_once())
            || self.tx.begin_pending
            || crate::log::span_wanted()
        {
            return None;
        }
        let logging = self.logging();
        let conn = self.conn.in_hand()?;
        let started = crate::log::start(logging);
        let result = conn.execute_now(sql, params)?;
        crate::log::statement(logging, started, sql, params, result.as_ref().map(|n| *n));
        self.tx.note(&result);
        Some(result)
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    pub(crate) async fn execute_sql(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        self.tx.check_usable()?;
        let logging = self.logging();
        let started = crate::log::start(logging);
        // One future, as in `query_rows`; the span is boxed. A pending `BEGIN` is not: on
        // PostgreSQL it goes with the first write of every transaction.
        let result = if crate::log::span_wanted() {
            Box::pin(async {
                let span = crate::log::span(self.dialect().otel_system(), sql);
                tracing::Instrument::instrument(self.run_execute(sql, params), span).await
            })
            .await
        } else if self.tx.begin_pending {
            self.execute_with_begin(sql, params).await
        } else {
            match self.conn.in_hand().and_then(|conn| conn.execute_now(sql, params)) {
                Some(result) => result,
                None => {
                    let conn = match self.conn.in_hand() {
                        Some(conn) => Ok(conn),
                        None => self.conn().await,
                    };
                    match conn {
                        Ok(conn) => conn.execute(sql, params).await,
                        Err(e) => Err(e),
                    }
                }
            }
        };
        crate::log::statement(logging, started, sql, params, result.as_ref().map(|n| *n));
        self.tx.note(&result);
        result
    }

    /// An empty list of the driver's parameters ([`DriverParams`]) for a write that can go
    /// straight to the connection in hand, with the transaction's `BEGIN` in the same
    /// future when none is open ([`Conn::execute_params`](crate::backend::Conn)): the
    /// backend has such a list, the session is usable and on the primary, nothing logs or
    /// traces the statement (a log line shows its values), and a `BEGIN` needs no write
    /// turn and is not pipelined. `None` otherwise: the write takes the general path.
    #[inline]
    pub(crate) fn driver_params_for_write(&mut self, capacity: usize) -> Option<DriverParams> {
        if self.tx.failed || self.tx.begin_pending {
            return None;
        }
        if !self.tx.open
            && (self.engine.inner.write_gate.is_some()
                || self.engine.inner.capabilities.pipelined_begin
                || self.route != super::route::Route::Primary)
        {
            return None;
        }
        if crate::log::span_wanted() || crate::log::start(self.logging()).is_some() {
            return None;
        }
        self.conn.in_hand()?.driver_params(capacity)
    }

    /// Notes the outcome of a write of `write_params!` and of the `BEGIN` sent before it
    /// when `begun`: the transaction is open, or the `BEGIN` failed and the write did not
    /// run; a failed write poisons the transaction.
    #[inline]
    pub(crate) fn noted_write(&mut self, begun: bool, began: Result<()>, result: Result<u64>) -> Result<u64> {
        if begun {
            match began {
                Ok(()) => self.tx.open = true,
                Err(e) => {
                    self.tx.begin_failed();
                    return Err(e);
                }
            }
        }
        self.tx.note(&result);
        result
    }

    /// Runs a statement that returns no rows on the session's connection.
    async fn run_execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        if self.tx.begin_pending {
            return Box::pin(self.execute_with_begin(sql, params)).await;
        }
        match self.conn().await {
            Ok(conn) => conn.execute(sql, params).await,
            Err(e) => Err(e),
        }
    }

    /// [`Session::control`] at once, without a future, where the backend answers without
    /// waiting (SQLite) and the session has its connection in hand; `None`, having run
    /// nothing, otherwise. A `BEGIN IMMEDIATE` that finds SQLite's lock taken is `None` as
    /// well, having failed without effect: [`Session::control`] then waits for the lock.
    #[inline]
    pub(crate) fn control_now(&mut self, sql: &str) -> Option<Result<()>> {
        self.move_to_primary();
        if !self.conn.in_hand().is_some_and(|conn| conn.answers_at_once())
            || self.tx.begin_pending
            || crate::log::span_wanted()
        {
            return None;
        }
        let logging = self.logging();
        let conn = self.conn.in_hand()?;
        let started = crate::log::start(logging);
        let result = conn.batch_now(sql)?;
        crate::log::statement(logging, started, sql, &[], result.as_ref().map(|_| 0));
        Some(result)
    }

    /// Runs parameterless control SQL (transaction control, DDL) and logs it.
    pub(crate) async fn control(&mut self, sql: &str) -> Result<()> {
        self.move_to_primary();
        let logging = self.logging();
        let started = crate::log::start(logging);
        // One future, as in `query_rows`; the span and a pending `BEGIN` are boxed.
        let result = if crate::log::span_wanted() {
            Box::pin(async {
                let span = crate::log::span(self.dialect().otel_system(), sql);
                tracing::Instrument::instrument(self.run_control(sql), span).await
            })
            .await
        } else if self.tx.begin_pending {
            Box::pin(self.control_with_begin(sql)).await
        } else {
            let conn = match self.conn.in_hand() {
                Some(conn) => Ok(conn),
                None => self.conn().await,
            };
            match conn {
                Ok(conn) => conn.batch(sql).await,
                Err(e) => Err(e),
            }
        };
        crate::log::statement(logging, started, sql, &[], result.as_ref().map(|_| 0));
        result
    }

    /// Runs parameterless SQL on the session's connection.
    async fn run_control(&mut self, sql: &str) -> Result<()> {
        if self.tx.begin_pending {
            return Box::pin(self.control_with_begin(sql)).await;
        }
        match self.conn().await {
            Ok(conn) => conn.batch(sql).await,
            Err(e) => Err(e),
        }
    }

    /// Runs DDL inside the session's transaction.
    pub(crate) async fn execute_ddl(&mut self, sql: &str) -> Result<()> {
        self.begin().await?;
        self.tx.check_usable()?;
        let result = self.control(sql).await;
        self.tx.note(&result);
        result
    }

    /// Runs a write that returns no rows, in the session's transaction.
    pub(crate) async fn write_sql(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        write_sql!(self, sql, params)
    }

    /// The first statement of a transaction whose `BEGIN` is pending, a write returning
    /// rows (all through `each`): [`Session::query_rows`] without boxing the pipelined
    /// `BEGIN`, which on PostgreSQL goes with the first write of every transaction.
    pub(crate) async fn write_rows_with_begin(
        &mut self,
        sql: &str,
        params: &[Value],
        mut each: impl FnMut(&mut RowReader<'_>) -> Result<()> + Send,
    ) -> Result<u64> {
        if crate::log::span_wanted() {
            return Box::pin(self.query_rows(sql, params, Rows::All, each)).await;
        }
        self.tx.check_usable()?;
        let logging = self.logging();
        let started = crate::log::start(logging);
        let mut rows = 0u64;
        let result = self.query_with_begin(sql, params, Rows::All, &mut each, &mut rows).await;
        crate::log::statement(logging, started, sql, params, result.as_ref().map(|n| *n));
        self.tx.note(&result);
        result
    }

    /// Runs a write that returns rows of `M` (`… RETURNING`), in the session's transaction.
    pub(crate) async fn write_rows<M: Model>(&mut self, sql: &str, params: &[Value], out: &mut Vec<M>) -> Result<u64> {
        write_rows!(self, sql, params, |row: &mut RowReader<'_>| {
            out.push(M::decode(row)?);
            Ok(())
        })
    }

    /// [`Session::last_insert_id`] without a future, where the connection is in hand and
    /// knows it without asking the server (MySQL's OK packet, SQLite's connection); `None`
    /// otherwise.
    #[inline]
    pub(crate) fn last_insert_id_now(&mut self) -> Option<Result<i64>> {
        if self.tx.begin_pending {
            return None;
        }
        let result = self.conn.in_hand()?.last_insert_id_now()?;
        self.tx.note(&result);
        Some(result)
    }

    /// The key the database generated for the row this session inserted last.
    pub(crate) async fn last_insert_id(&mut self) -> Result<i64> {
        self.send_pending_begin().await?;
        let result = match self.conn().await {
            Ok(conn) => conn.last_insert_id().await,
            Err(e) => Err(e),
        };
        self.tx.note(&result);
        result
    }

    /// Streams the rows of a query, each decoded by `decode`. Logged when the stream ends
    /// (or is dropped) with the rows it read, or when it fails with the error; a failure
    /// poisons the transaction like any other statement's.
    pub(crate) async fn stream_rows<T, F>(
        &mut self,
        sql: Arc<str>,
        params: Bound,
        decode: F,
    ) -> Result<BoxStream<'_, Result<T>>>
    where
        T: Send + 'static,
        F: Fn(&mut RowReader<'_>) -> Result<T> + Send + Sync + 'static,
    {
        self.tx.check_usable()?;
        self.send_pending_begin().await?;
        let logging = self.logging();
        let started = crate::log::start(logging);
        let logged = started.map(|at| Logged { at, sql: sql.clone(), params: params.clone() });
        if self.conn.is_empty()
            && let Err(e) = self.connect().await
        {
            if let Some(l) = logged {
                crate::log::statement(logging, Some(l.at), &l.sql, &l.params, Err(&e));
            }
            self.tx.note_failure();
            return Err(e);
        }
        let Session { conn, tx, engine, .. } = self;
        // In its span only when a subscriber wants it, as `query_rows` does (see `log::span_wanted`).
        let span = crate::log::span_wanted().then(|| crate::log::span(engine.dialect().otel_system(), &sql));
        let opened = conn.stream(&engine.inner.pool, sql, params, decode);
        let opened = match span {
            Some(span) => tracing::Instrument::instrument(opened, span).await,
            None => opened.await,
        };
        match opened {
            #[cfg(feature = "sqlite")]
            Ok(RowStream::Sqlite(rows)) => Ok(Box::pin(LoggedStream { rows, tx, logging, logged, read: 0 })),
            Ok(RowStream::Boxed(rows, _)) => Ok(Box::pin(LoggedStream { rows, tx, logging, logged, read: 0 })),
            Err(e) => {
                if let Some(l) = logged {
                    crate::log::statement(logging, Some(l.at), &l.sql, &l.params, Err(&e));
                }
                tx.note_failure();
                Err(e)
            }
        }
    }
}

/// What a stream logs when it is done: set only when the statement will be logged.
struct Logged {
    at: Instant,
    sql: Arc<str>,
    params: Bound,
}

/// A stream of rows that logs its statement once, with the real outcome, and poisons the
/// session's transaction when it fails. Over the backend's own stream type (SQLite's, or a
/// boxed one), so that its `poll_next` and the backend's are compiled as one.
struct LoggedStream<'s, S> {
    rows: S,
    tx: &'s mut Tx,
    logging: Logging,
    /// Taken when logged.
    logged: Option<Logged>,
    read: u64,
}

impl<S> LoggedStream<'_, S> {
    fn log(&mut self, outcome: std::result::Result<u64, &Error>) {
        if let Some(l) = self.logged.take() {
            crate::log::statement(self.logging, Some(l.at), &l.sql, &l.params, outcome);
        }
    }
}

impl<T, S: Stream<Item = Result<T>> + Unpin> Stream for LoggedStream<'_, S> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = &mut *self;
        let next = Pin::new(&mut this.rows).poll_next(cx);
        match &next {
            Poll::Ready(Some(Ok(_))) => this.read += 1,
            Poll::Ready(Some(Err(e))) => {
                this.tx.note_failure();
                this.log(Err(e));
            }
            Poll::Ready(None) => {
                let read = this.read;
                this.log(Ok(read));
            }
            Poll::Pending => {}
        }
        next
    }
}

impl<S> Drop for LoggedStream<'_, S> {
    /// A stream dropped before its end logs the rows it read.
    fn drop(&mut self) {
        let read = self.read;
        self.log(Ok(read));
    }
}
