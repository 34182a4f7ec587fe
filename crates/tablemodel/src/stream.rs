//! Streaming a large `SELECT` row by row.
//!
//! PostgreSQL streams natively. An SQLite query cannot pause between rows across an
//! `.await`, so the connection moves to a blocking thread that steps the statement and
//! sends decoded rows through a bounded channel: memory stays flat whatever the result
//! size, and the connection comes back to the session when the stream ends or is dropped.

use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use crate::error::{Error, Result};
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
    /// Rows sent to the consumer at a time: one channel message per row costs more than
    /// decoding it.
    const BATCH: usize = 2048;
    /// Batches buffered between the stepping thread and the consumer (memory stays bounded).
    const BUFFER: usize = 4;
    let conn = session.take_conn_for_stream();
    let (rows_tx, rows_rx) = tokio::sync::mpsc::channel::<Vec<Result<S::Output>>>(BUFFER);
    let (back_tx, back_rx) = tokio::sync::oneshot::channel::<Conn>();
    session.lend(back_rx);
    tokio::task::spawn_blocking(move || {
        let Some(conn) = conn else { return };
        // With only the `sqlite` feature, `Conn` has one variant.
        #[allow(irrefutable_let_patterns)]
        if let Conn::Sqlite(db) = &conn {
            let mut batch = Vec::with_capacity(BATCH);
            let result = crate::backend::sqlite::query(db, &sql, &params, |row| {
                batch.push(selection.decode(&mut crate::row::RowReader::new(crate::row::RowRef::Sqlite(row))));
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    rows_tx.blocking_send(full).map_err(|_| Error::InvalidQuery("stream dropped".to_owned()))?;
                }
                Ok(())
            });
            if let Err(e) = result {
                batch.push(Err(e));
            }
            if !batch.is_empty() {
                let _ = rows_tx.blocking_send(batch);
            }
        }
        let _ = back_tx.send(conn);
    });
    futures_util::stream::unfold((rows_rx, session), |(mut rx, session)| async move {
        rx.recv().await.map(|batch| (futures_util::stream::iter(batch), (rx, session)))
    })
    .flatten()
    .boxed()
}
