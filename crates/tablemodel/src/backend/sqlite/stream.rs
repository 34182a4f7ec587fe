//! Streaming an SQLite query on the calling task.
//!
//! SQLite steps a statement one row at a time in the caller's own thread, so a stream is
//! that stepping, paused between rows: each row is decoded straight from SQLite's buffers
//! as the consumer asks for it, with nothing copied and no other thread involved, and
//! memory stays flat whatever the result size. The stream borrows its session's connection
//! for as long as it lives; dropping it resets the statement, which goes back to the
//! connection's cache of statements (rusqlite's) for the next stream of that text.
//!
//! [`Stepping`] is the stream, written out by hand: each poll steps the statement once and
//! returns the decoded row as the poll's own result, with no `async` block (and its slot
//! for the yielded item) in between. It keeps the statement, not rusqlite's `Rows` (which
//! would borrow the statement inside the same value): a poll makes a `Rows` for one step
//! and leaves it undropped when a row came, since dropping it would reset the statement.
//! rusqlite marks the statement `!Send`; [`Stepping`] is `Send` for the reason its safety
//! comment gives.

use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures_util::stream::Stream;
use rusqlite::CachedStatement;

use super::{SqliteConn, Watch};
use crate::backend::RowRef;
use crate::error::{Error, Result};
use crate::query::Bound;
use crate::row::RowReader;

/// Rows stepped between two checks of the task's cooperative budget: a stream whose rows
/// are always ready still lets the runtime's other tasks run.
const ROWS_PER_BUDGET_UNIT: u32 = 16;

/// Steps `sql` on `conn`, decoding each row with `decode`, as the consumer polls.
///
/// A failure to prepare, bind or step the statement is the stream's last item; a row that
/// fails to decode is an error item, and the rows after it still come.
///
/// Rows are decoded one at a time, as they are asked for, not in batches: decoding ahead
/// allocates a batch's strings before the consumer frees the previous ones, which defeats
/// the allocator's per-thread cache and cost more than the moves a batch saves (measured).
pub(crate) fn open<'c, T, F>(conn: &'c mut SqliteConn, sql: Arc<str>, params: Bound, decode: F) -> Stepping<'c, F>
where
    F: Fn(&mut RowReader<'_>) -> Result<T>,
{
    let (watch, statements) = conn.parts();
    let statements: &'c super::statements::Statements = statements;
    // rusqlite's cache of the connection, not the connection's kept statements: those are
    // lent for one call (`Statements::run`), and a stream holds its statement across polls.
    // Found by its text (hashed), which costs far less than preparing it again: what a
    // stream of a few rows would pay most on SQLite.
    let prepared = statements.connection().prepare_cached(&sql).map_err(|e| super::map_error(e, Some(&sql)));
    let (statement, failed) = match prepared.and_then(|mut statement| {
        super::bind(&mut statement, &sql, &params)?;
        Ok(statement)
    }) {
        Ok(statement) => (Some(statement), None),
        Err(e) => (None, Some(e)),
    };
    Stepping { statement, failed, watch, armed: false, stepped: 0, sql, decode }
}

/// The stream of [`open`]: a prepared, bound statement stepped one row per poll.
pub(crate) struct Stepping<'c, F> {
    /// The statement, until its rows end or fail (then reset and given back to the cache).
    statement: Option<CachedStatement<'c>>,
    /// The failure to prepare or bind the statement: the stream's one item.
    failed: Option<Error>,
    /// The connection's statement deadline, armed from the first poll until the rows end.
    watch: Watch<'c>,
    armed: bool,
    /// Rows stepped since the budget was last taken.
    stepped: u32,
    sql: Arc<str>,
    decode: F,
}

// SAFETY: `Stepping` is `!Send` only because of rusqlite's `CachedStatement`, which holds a
// shared reference to the `Connection` (and to its statement cache, which it goes back to
// when dropped) and a raw `sqlite3_stmt` pointer (the `Rows` a poll makes live only within
// that poll). The statement borrows the one connection `open` holds by
// `&mut` for the stream's whole life: while the stream exists nothing else can reach that
// connection, so moving the stream to another thread moves every use of the connection with
// it, and `poll_next` takes `Pin<&mut Self>`, so one thread at a time steps it (`Stepping`
// is not `Sync`). That is the argument of `Statements`' `Send` (the connection and the
// statements borrowing it move together) and of rusqlite's own `Send` for `Connection`;
// SQLite's multi-thread mode, in which the connection is opened, allows a connection and
// its statements to be used from any thread, one at a time. `Stepping` is only built by
// `open`, with a statement prepared on the connection it borrows; `decode` must be `Send`.
#[allow(unsafe_code)]
unsafe impl<F: Send> Send for Stepping<'_, F> {}

/// Nothing in `Stepping` is pinned: it is moved out of its `Pin` freely.
impl<F> Unpin for Stepping<'_, F> {}

impl<T, F> Stream for Stepping<'_, F>
where
    F: Fn(&mut RowReader<'_>) -> Result<T>,
{
    type Item = Result<T>;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = self.get_mut();
        let Some(statement) = this.statement.as_mut() else {
            return Poll::Ready(this.failed.take().map(Err));
        };
        if this.stepped == ROWS_PER_BUDGET_UNIT {
            ready!(tokio::task::coop::poll_proceed(cx)).made_progress();
            this.stepped = 0;
        }
        if !this.armed {
            this.watch.arm();
            this.armed = true;
        }
        // Not dropped when a row came: dropping `Rows` resets the statement, which the next
        // poll steps on from that row with a `Rows` of its own.
        let mut rows = ManuallyDrop::new(statement.raw_query());
        let end = match rows.next() {
            Ok(Some(row)) => {
                this.stepped += 1;
                return Poll::Ready(Some((this.decode)(&mut RowReader::new(RowRef::Sqlite(row)))));
            }
            Ok(None) => None,
            Err(e) => Some(Err(super::map_error(e, Some(&this.sql)))),
        };
        // The rows ended or failed (rusqlite reset the statement either way): give it back.
        drop(ManuallyDrop::into_inner(rows));
        this.finish();
        Poll::Ready(end)
    }
}

impl<F> Stepping<'_, F> {
    /// Gives the statement back to the cache and disarms the deadline: the stream is over.
    fn finish(&mut self) {
        if let Some(mut statement) = self.statement.take() {
            // rusqlite's cache takes a statement back as it is: reset it here (dropping a
            // `Rows` does), or a stream stopped half-way would leave it running, and the
            // next stream of its text could not bind its values.
            drop(statement.raw_query());
        }
        if self.armed {
            self.watch.disarm();
            self.armed = false;
        }
    }
}

impl<F> Drop for Stepping<'_, F> {
    /// A stream dropped before its end resets its statement, which stops it.
    fn drop(&mut self) {
        self.finish();
    }
}
