//! SQLite rows copied out of a running statement in batches, to be decoded elsewhere.
//!
//! A streamed SQLite query steps on a blocking thread (see `crate::stream`). Decoding the
//! rows there would allocate every string on that thread and free it on the consumer's,
//! which glibc's per-thread arenas make slow, and would leave the consumer idle while the
//! stepping thread does all the work. Instead the stepping thread copies each row's values
//! into one buffer per batch (a memcpy, no allocation per value) and the consumer decodes
//! them with the same code as any other SQLite row, so both cores work.

use rusqlite::types::ValueRef;

/// One column value of a copied row; text and blobs point into the batch's byte buffer.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cell {
    Null,
    Integer(i64),
    Real(f64),
    Text { start: usize, len: usize },
    Blob { start: usize, len: usize },
}

/// Copied rows of one statement, all with the same number of columns.
#[derive(Debug, Default)]
pub(crate) struct RowBatch {
    columns: usize,
    cells: Vec<Cell>,
    bytes: Vec<u8>,
}

impl RowBatch {
    pub(crate) fn with_capacity(rows: usize) -> Self {
        RowBatch { columns: 0, cells: Vec::with_capacity(rows * 4), bytes: Vec::new() }
    }

    /// Copies every column of `row`.
    pub(crate) fn push(&mut self, row: &rusqlite::Row<'_>) -> rusqlite::Result<()> {
        let columns = row.as_ref().column_count();
        self.columns = columns;
        for idx in 0..columns {
            let cell = match row.get_ref(idx)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(i) => Cell::Integer(i),
                ValueRef::Real(f) => Cell::Real(f),
                ValueRef::Text(t) => Cell::Text { start: self.append(t), len: t.len() },
                ValueRef::Blob(b) => Cell::Blob { start: self.append(b), len: b.len() },
            };
            self.cells.push(cell);
        }
        Ok(())
    }

    fn append(&mut self, data: &[u8]) -> usize {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(data);
        start
    }

    /// The number of rows copied.
    pub(crate) fn len(&self) -> usize {
        self.cells.len().checked_div(self.columns).unwrap_or(0)
    }

    /// The bytes of text and blob values held, to bound a batch's memory.
    pub(crate) fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// Row `i`.
    pub(crate) fn row(&self, i: usize) -> CopiedRow<'_> {
        CopiedRow { cells: &self.cells[i * self.columns..(i + 1) * self.columns], bytes: &self.bytes }
    }
}

/// One row of a [`RowBatch`].
#[derive(Clone, Copy)]
pub(crate) struct CopiedRow<'b> {
    cells: &'b [Cell],
    bytes: &'b [u8],
}

impl<'b> CopiedRow<'b> {
    pub(crate) fn len(&self) -> usize {
        self.cells.len()
    }

    /// Column `idx` as SQLite handed it out.
    pub(crate) fn get(&self, idx: usize) -> Result<ValueRef<'b>, crate::error::DecodeError> {
        let cell = self.cells.get(idx).ok_or_else(|| {
            crate::error::DecodeError::new("a column", format!("column {idx} of a {}-column row", self.cells.len()))
        })?;
        Ok(match *cell {
            Cell::Null => ValueRef::Null,
            Cell::Integer(i) => ValueRef::Integer(i),
            Cell::Real(f) => ValueRef::Real(f),
            Cell::Text { start, len } => ValueRef::Text(&self.bytes[start..start + len]),
            Cell::Blob { start, len } => ValueRef::Blob(&self.bytes[start..start + len]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copied_rows_give_back_every_value() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let mut stmt =
            conn.prepare("SELECT 1, 2.5, 'ünï', X'00ff', NULL UNION ALL SELECT -7, 0.0, '', X'', 'x'").unwrap();
        let mut batch = RowBatch::with_capacity(2);
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            batch.push(row).unwrap();
        }
        assert_eq!(batch.len(), 2);
        let first = batch.row(0);
        assert_eq!(first.len(), 5);
        assert_eq!(first.get(0).unwrap(), ValueRef::Integer(1));
        assert_eq!(first.get(1).unwrap(), ValueRef::Real(2.5));
        assert_eq!(first.get(2).unwrap(), ValueRef::Text("ünï".as_bytes()));
        assert_eq!(first.get(3).unwrap(), ValueRef::Blob(&[0, 255]));
        assert_eq!(first.get(4).unwrap(), ValueRef::Null);
        let second = batch.row(1);
        assert_eq!(second.get(2).unwrap(), ValueRef::Text(b""));
        assert_eq!(second.get(4).unwrap(), ValueRef::Text(b"x"));
        assert!(second.get(5).is_err(), "past the last column is an error, not a panic");
    }
}
