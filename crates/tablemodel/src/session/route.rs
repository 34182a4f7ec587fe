//! Where a session's statements go: the primary, or — for a session of an engine that
//! routes reads ([`EngineBuilder::route_reads_to_replicas`](crate::EngineBuilder::route_reads_to_replicas))
//! — a read replica until the session writes.
//!
//! The decision lives here, in one place every statement passes: a session takes its
//! connection through [`Session::conn`]. A routed session that has no connection yet takes
//! a replica's (the engine's round robin, the primary's when no replica answers); its
//! first write, explicit transaction or savepoint, any transaction-control or DDL
//! statement, or [`Session::use_primary`] gives that connection back (no transaction is
//! open on it: reads outside a transaction run on their own) and moves the session to the
//! primary for good, so that it reads its own writes. Timeouts the session set on itself
//! follow it to its new connection. A read that finds its replica connection gone (the
//! replica stopped) before any row arrived runs again on the next replica that answers,
//! or the primary, and the lost replica shows as down in the engine's replica status.

use std::time::Duration;

use super::Session;
use crate::backend::Conn;
use crate::error::Result;

/// Which server a session's next connection comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    /// The primary's pool (a read session's replica connection, once given, is kept).
    Primary,
    /// A replica's, until the session writes; which one, once it has its connection.
    Replica(Option<usize>),
}

/// The timeouts a session set on itself (`None`: left as the engine's).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct OwnTimeouts {
    pub(crate) statement: Option<Option<Duration>>,
    pub(crate) lock: Option<Option<Duration>>,
}

impl Session {
    /// The session's connection, taken where its route says when it has none yet.
    #[inline]
    pub(crate) async fn conn(&mut self) -> Result<&mut Conn> {
        if self.conn.is_empty() {
            // Boxed: taking a connection happens once per session, and would otherwise
            // grow the future of every statement.
            Box::pin(self.connect()).await?;
        }
        self.conn.get(&self.engine.inner.pool).await
    }

    /// Takes the session's connection: a replica's for a routed session (the primary's
    /// when no replica answers, which ends the routing), else the primary's; with the
    /// timeouts the session set on itself.
    pub(crate) async fn connect(&mut self) -> Result<()> {
        let conn = match self.route {
            Route::Replica(_) => match self.engine.replica_conn().await {
                Some((at, conn)) => {
                    self.route = Route::Replica(Some(at));
                    conn
                }
                None => {
                    self.route = Route::Primary;
                    self.engine.inner.pool.get().await?
                }
            },
            Route::Primary => self.engine.inner.pool.get().await?,
        };
        self.conn.put(conn);
        if let Some(own) = self.own_timeouts {
            let result = self.conn.get(&self.engine.inner.pool).await?.set_timeouts(own.statement, own.lock).await;
            if result.is_err() {
                // A connection without the session's limits must not run its statements.
                self.conn.release(true);
            }
            result?;
        }
        Ok(())
    }

    /// Moves a routed session to the primary before a write or transaction control.
    #[inline]
    pub(crate) fn move_to_primary(&mut self) {
        if self.route != Route::Primary {
            self.route = Route::Primary;
            self.conn.release(self.own_timeouts.is_some());
        }
    }

    /// Whether `err` says that the replica connection of a routed session went away (the
    /// replica stopped or restarted): its read can run again elsewhere.
    #[cold]
    pub(crate) fn replica_lost(&self, err: &crate::Error) -> bool {
        matches!(self.route, Route::Replica(_))
            && !self.tx.open
            && err.db_kind() == Some(crate::DbErrorKind::Connection)
    }

    /// Lets go of a routed session's lost replica connection; the next statement takes
    /// another replica's, or the primary's when none answers.
    #[cold]
    pub(crate) fn leave_lost_replica(&mut self) {
        if let Route::Replica(Some(at)) = self.route {
            self.engine.inner.replicas[at].mark_down();
        }
        self.conn.release(false);
    }

    /// Runs the rest of this session on the primary, as a write would: for reads that must
    /// see every commit so far (a row about to be changed, a value just written by another
    /// request). Does nothing for a session already there, or an engine that does not
    /// [route reads](crate::EngineBuilder::route_reads_to_replicas). A
    /// [`read_session`](crate::Engine::read_session) keeps its replica.
    pub fn use_primary(&mut self) {
        self.move_to_primary();
    }

    /// Whether this session's reads go to a replica: a session of an engine that routes
    /// reads, which has not written, opened a transaction or been told
    /// [`use_primary`](Self::use_primary), and found a replica answering (or has not
    /// connected yet).
    pub fn routed_to_replica(&self) -> bool {
        matches!(self.route, Route::Replica(_))
    }
}
