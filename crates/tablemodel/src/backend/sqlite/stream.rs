//! Streaming an SQLite query on the calling task.
//!
//! SQLite steps a statement one row at a time in the caller's own thread, so a stream is
//! that stepping, paused between rows: each row is decoded straight from SQLite's buffers
//! as the consumer asks for it, with nothing copied and no other thread involved, and
//! memory stays flat whatever the result size. The stream borrows its session's connection
//! for as long as it lives; dropping it resets the statement.
//!
//! A stream's rows and statement borrow the connection across the pauses, which only an
//! `async` block can hold; rusqlite marks those borrows `!Send`, so the block is wrapped
//! in [`Stepping`], which is `Send` for the reason its safety comment gives.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::{BoxStream, Stream};

use super::SqliteConn;
use crate::backend::RowRef;
use crate::error::Result;
use crate::row::RowReader;
use crate::types::Value;

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
pub(crate) fn open<'c, T, F>(
    conn: &'c mut SqliteConn,
    sql: String,
    params: Vec<Value>,
    decode: F,
) -> BoxStream<'c, Result<T>>
where
    T: Send + 'c,
    F: Fn(&mut RowReader<'_>) -> Result<T> + Send + 'c,
{
    let rows = async_stream::stream! {
        let (watch, statements) = conn.parts();
        // Not the connection's kept statements: a stream's text is its own `String`, so a
        // kept one would never be found again, and its preparation is nothing next to its
        // rows.
        let mut statement = match statements.connection().prepare(&sql) {
            Ok(statement) => statement,
            Err(e) => {
                yield Err(super::map_error(e, Some(&sql)));
                return;
            }
        };
        if let Err(e) = super::bind(&mut statement, &sql, &params) {
            yield Err(e);
            return;
        }
        let _armed = watch.armed();
        // Dropping the rows (the stream ended or was dropped) resets the statement.
        let mut rows = statement.raw_query();
        let mut stepped = 0u32;
        loop {
            let item = match rows.next() {
                Ok(Some(row)) => decode(&mut RowReader::new(RowRef::Sqlite(row))),
                Ok(None) => break,
                Err(e) => {
                    yield Err(super::map_error(e, Some(&sql)));
                    break;
                }
            };
            yield item;
            stepped = stepped.wrapping_add(1);
            if stepped.is_multiple_of(ROWS_PER_BUDGET_UNIT) {
                tokio::task::consume_budget().await;
            }
        }
    };
    Box::pin(Stepping { rows })
}

pin_project_lite::pin_project! {
    /// The stepping `async` block of [`open`], which is `Send`.
    struct Stepping<S> {
        #[pin]
        rows: S,
    }
}

// SAFETY: the block `open` wraps is `!Send` only because of rusqlite's `Statement` and
// `Rows`, which hold shared references to the `Connection` and raw `sqlite3_stmt` pointers.
// Both borrow from the one connection the block holds by `&mut` for its whole life: while
// the stream exists nothing else can reach that connection, so moving the stream to
// another thread moves every use of the connection with it, and `poll_next` takes
// `Pin<&mut Self>`, so one thread at a time steps it (`Stepping` is not `Sync`). That is the
// argument of `Statements`' `Send` (the connection and the statements borrowing it move
// together) and of rusqlite's own `Send` for `Connection`; SQLite's multi-thread mode, in
// which the connection is opened, allows a connection and its statements to be used from
// any thread, one at a time. `Stepping` is only built by `open`, around that block.
#[allow(unsafe_code)]
unsafe impl<S> Send for Stepping<S> {}

impl<S: Stream> Stream for Stepping<S> {
    type Item = S::Item;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        self.project().rows.poll_next(cx)
    }
}
