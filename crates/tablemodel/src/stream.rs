//! Streaming a large `SELECT` row by row.
//!
//! PostgreSQL streams natively. An SQLite query cannot pause between rows across an
//! `.await`, so the connection moves to a blocking thread that steps the statement and
//! sends decoded rows through a bounded channel: memory stays flat whatever the result
//! size, and the connection comes back to the session when the stream ends or is dropped.

use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use crate::error::Result;
use crate::query::Selection;
use crate::session::Session;
use crate::types::Value;

pub(crate) async fn open<S: Selection>(
    session: &mut Session,
    sql: String,
    params: Vec<Value>,
    selection: S,
) -> Result<BoxStream<'_, Result<S::Output>>> {
    let echo = session.echo();
    crate::log::statement(echo, crate::log::start(echo), &sql, &params, Ok(0));
    match session.conn_for_stream().await? {
        #[cfg(feature = "sqlite")]
        crate::backend::Conn::Sqlite(_) => Ok(sqlite_stream(session, sql, params, selection)),
        #[cfg(feature = "postgres")]
        crate::backend::Conn::Postgres(client) => {
            use crate::backend::postgres::{Param, map_error};
            let stmt = client.prepare_cached(&sql).await.map_err(|e| map_error(e, Some(&sql)))?;
            let rows = client.query_raw(&stmt, params.iter().map(Param)).await.map_err(|e| map_error(e, Some(&sql)))?;
            let stream = rows.map(move |row| {
                let row = row.map_err(|e| map_error(e, Some(&sql)))?;
                selection.decode(&mut crate::row::RowReader::new(crate::row::RowRef::Postgres(&row)))
            });
            Ok(stream.boxed())
        }
    }
}

#[cfg(feature = "sqlite")]
fn sqlite_stream<S: Selection>(
    session: &mut Session,
    sql: String,
    params: Vec<Value>,
    selection: S,
) -> BoxStream<'_, Result<S::Output>> {
    use crate::backend::Conn;
    use crate::backend::sqlite::batch::RowBatch;
    use crate::row::{RowReader, RowRef};
    /// Rows per batch: each batch is one channel message and one wake-up of the other
    /// thread, which cost far more than a row.
    const BATCH: usize = 2048;
    /// A batch is also sent once its text and blobs pass this size, so wide rows stay bounded.
    const BATCH_BYTES: usize = 1 << 20;
    /// Batches buffered between the stepping thread and the consumer (memory stays bounded).
    const BUFFER: usize = 4;
    let conn = session.take_conn_for_stream();
    let (rows_tx, rows_rx) = tokio::sync::mpsc::channel::<Result<RowBatch>>(BUFFER);
    let (back_tx, back_rx) = tokio::sync::oneshot::channel::<Conn>();
    session.lend(back_rx);
    tokio::task::spawn_blocking(move || {
        let Some(conn) = conn else { return };
        // With only the `sqlite` feature, `Conn` has one variant.
        #[allow(irrefutable_let_patterns)]
        if let Conn::Sqlite(db) = &conn {
            let mut batch = RowBatch::with_capacity(BATCH);
            let result = crate::backend::sqlite::query(db, &sql, &params, crate::backend::Rows::All, |row| {
                batch.push(row).map_err(|e| crate::backend::sqlite::map_error(e, Some(&sql)))?;
                if batch.len() == BATCH || batch.byte_len() >= BATCH_BYTES {
                    let full = std::mem::replace(&mut batch, RowBatch::with_capacity(BATCH));
                    rows_tx
                        .blocking_send(Ok(full))
                        .map_err(|_| crate::error::Error::Internal("stream dropped".to_owned()))?;
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
        let _ = back_tx.send(conn);
    });
    futures_util::stream::unfold((rows_rx, session, selection), |(mut rx, session, selection)| async move {
        let (batch, error) = match rx.recv().await? {
            Ok(batch) => (batch, None),
            Err(e) => (RowBatch::default(), Some(Err(e))),
        };
        let sel = selection.clone();
        let rows = (0..batch.len())
            .map(move |i| sel.decode(&mut RowReader::new(RowRef::SqliteCopied(batch.row(i)))))
            .chain(error);
        Some((futures_util::stream::iter(rows), (rx, session, selection)))
    })
    .flatten()
    .boxed()
}
