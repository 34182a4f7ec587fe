//! Reading the columns of one result row, whichever backend produced it.

use crate::backend::RowRef;
use crate::error::{DecodeError, Error, Result};
use crate::meta::ColumnMeta;
use crate::types::{SqlType, Value, ValueKind};

/// A cursor over the columns of one result row; generated `decode` functions read the
/// columns of a model in order.
pub struct RowReader<'r> {
    row: RowRef<'r>,
    next: usize,
}

impl<'r> RowReader<'r> {
    pub(crate) fn new(row: RowRef<'r>) -> Self {
        RowReader { row, next: 0 }
    }

    /// Reads the next column as a `T`, naming `column` in any error.
    // Always inlined into the derived `decode`: with the column's error boxed (see
    // `decode`), that costs SQLite 28 instructions a model less; left to the compiler,
    // `read` takes `decode` in and stays a call, which costs PostgreSQL more per row
    // (BENCHMARKS.md, fourteenth session).
    #[inline(always)]
    pub fn read<T: SqlType>(&mut self, column: &'static ColumnMeta) -> Result<T> {
        let idx = self.next;
        self.next += 1;
        self.decode::<T>(idx).map_err(|source| decode_error(column.name, *source))
    }

    /// Reads the next column of an ad-hoc selection (a single column or an aggregate).
    pub(crate) fn read_unnamed<T: SqlType>(&mut self, label: &str) -> Result<T> {
        let idx = self.next;
        self.next += 1;
        self.decode::<T>(idx).map_err(|source| Error::Decode { column: label.to_owned(), source: *source })
    }

    /// Reads the next column as a dynamically typed value of `kind`.
    pub(crate) fn read_value(&mut self, kind: ValueKind, label: &str) -> Result<Value> {
        let idx = self.next;
        self.next += 1;
        self.value(idx, kind).map_err(|source| Error::Decode { column: label.to_owned(), source })
    }

    /// Whether the column `offset` places ahead is NULL.
    pub(crate) fn is_null_ahead(&self, offset: usize) -> Result<bool> {
        let idx = self.next + offset;
        self.row.is_null(idx).map_err(|source| Error::Decode { column: format!("#{idx}"), source })
    }

    /// Whether every column has been read.
    pub(crate) fn at_end(&self) -> bool {
        self.next >= self.row.len()
    }

    /// The rest of the row's columns as text: catalog and diagnostic queries, whose
    /// columns are cast to text or read as such.
    pub(crate) fn rest_as_text(&mut self, label: &str) -> Result<Vec<Option<String>>> {
        let mut cells = Vec::new();
        while !self.at_end() {
            cells.push(self.read_unnamed::<Option<String>>(label)?);
        }
        Ok(cells)
    }

    /// Skips `n` columns.
    pub(crate) fn skip(&mut self, n: usize) {
        self.next += n;
    }

    /// The error is boxed, so that a read's result is the size of its value and a pointer
    /// rather than of a [`DecodeError`]: a failed read is rare, and then allocates once.
    #[inline]
    fn decode<T: SqlType>(&self, idx: usize) -> std::result::Result<T, Box<DecodeError>> {
        match T::read_column(self.row.raw(idx)?)? {
            Some(value) => Ok(value),
            None => Err(null_in_not_null::<T>()),
        }
    }

    fn value(&self, idx: usize, kind: ValueKind) -> std::result::Result<Value, DecodeError> {
        self.row.raw(idx)?.value(kind)
    }
}

#[cold]
#[inline(never)]
fn null_in_not_null<T>() -> Box<DecodeError> {
    Box::new(DecodeError::new(std::any::type_name::<T>(), "unexpected NULL in a NOT NULL field"))
}

/// Kept out of line: a read that fails is rare, and its error is large.
#[cold]
#[inline(never)]
fn decode_error(column: &str, source: DecodeError) -> Error {
    Error::Decode { column: column.to_owned(), source }
}
