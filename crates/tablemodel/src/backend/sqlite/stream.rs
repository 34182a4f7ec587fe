//! Streaming an SQLite query.
//!
//! An SQLite query cannot pause between rows across an `.await`, so the connection moves
//! to a blocking thread that steps the statement and sends rows through a bounded channel:
//! memory stays flat whatever the result size, and the connection goes back to its session
//! (through `back`) when the statement is done or the stream is dropped. The rows travel as
//! copied batches (see [`super::batch`]) and are decoded on the consumer's side.

use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use super::batch::RowBatch;
use crate::backend::{Conn, RowRef, Rows};
use crate::error::{Error, Result};
use crate::row::RowReader;
use crate::types::Value;

/// Rows per batch: each batch is one channel message and one wake-up of the other thread,
/// which cost far more than a row.
const BATCH: usize = 2048;
/// A batch is also sent once its text and blobs pass this size, so wide rows stay bounded.
const BATCH_BYTES: usize = 1 << 20;
/// Batches buffered between the stepping thread and the consumer (memory stays bounded).
const BUFFER: usize = 4;

/// Steps `sql` on a blocking thread that owns `conn` until it sends it `back`.
pub(crate) fn open<T, F>(
    conn: Option<Conn>,
    back: tokio::sync::oneshot::Sender<Conn>,
    sql: String,
    params: Vec<Value>,
    decode: F,
) -> BoxStream<'static, Result<T>>
where
    T: Send + 'static,
    F: Fn(&mut RowReader<'_>) -> Result<T> + Clone + Send + Sync + 'static,
{
    let (rows_tx, rows_rx) = tokio::sync::mpsc::channel::<Result<RowBatch>>(BUFFER);
    tokio::task::spawn_blocking(move || {
        let Some(mut conn) = conn else { return };
        // With only the `sqlite` feature, `Conn` has one variant.
        #[allow(irrefutable_let_patterns)]
        if let Conn::Sqlite(db) = &mut conn {
            let mut batch = RowBatch::with_capacity(BATCH);
            let result = super::query(db, &sql, &params, Rows::All, |row| {
                batch.push(row).map_err(|e| super::map_error(e, Some(&sql)))?;
                if batch.len() == BATCH || batch.byte_len() >= BATCH_BYTES {
                    let full = std::mem::replace(&mut batch, RowBatch::with_capacity(BATCH));
                    rows_tx.blocking_send(Ok(full)).map_err(|_| Error::Internal("stream dropped".to_owned()))?;
                }
                Ok(())
            });
            if batch.len() > 0 {
                let _ = rows_tx.blocking_send(Ok(batch));
            }
            if let Err(e) = result {
                let _ = rows_tx.blocking_send(Err(e));
            }
        }
        let _ = back.send(conn);
    });
    futures_util::stream::unfold((rows_rx, decode), |(mut rx, decode)| async move {
        let (batch, error) = match rx.recv().await? {
            Ok(batch) => (batch, None),
            Err(e) => (RowBatch::default(), Some(Err(e))),
        };
        let each = decode.clone();
        let rows =
            (0..batch.len()).map(move |i| each(&mut RowReader::new(RowRef::SqliteCopied(batch.row(i))))).chain(error);
        Some((futures_util::stream::iter(rows), (rx, decode)))
    })
    .flatten()
    .boxed()
}
