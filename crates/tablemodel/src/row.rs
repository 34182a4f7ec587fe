//! Reading the columns of one result row, whichever backend produced it.

use crate::error::{Error, Result};
use crate::meta::ColumnMeta;
use crate::types::{SqlType, Value, ValueKind};

/// A borrowed result row of one of the backends.
#[derive(Clone, Copy)]
pub(crate) enum RowRef<'r> {
    #[cfg(feature = "sqlite")]
    Sqlite(&'r rusqlite::Row<'r>),
    #[cfg(feature = "postgres")]
    Postgres(&'r tokio_postgres::Row),
}

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
    pub fn read<T: SqlType>(&mut self, column: &'static ColumnMeta) -> Result<T> {
        let idx = self.next;
        self.next += 1;
        self.decode::<T>(idx).map_err(|source| Error::Decode { column: column.name.to_owned(), source })
    }

    /// Reads the next column of an ad-hoc selection (a single column or an aggregate).
    pub(crate) fn read_unnamed<T: SqlType>(&mut self, label: &str) -> Result<T> {
        let idx = self.next;
        self.next += 1;
        self.decode::<T>(idx).map_err(|source| Error::Decode { column: label.to_owned(), source })
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
        match self.row {
            #[cfg(feature = "sqlite")]
            RowRef::Sqlite(row) => crate::backend::sqlite::is_null(row, idx),
            #[cfg(feature = "postgres")]
            RowRef::Postgres(row) => crate::backend::postgres::is_null(row, idx),
        }
    }

    /// Skips `n` columns.
    pub(crate) fn skip(&mut self, n: usize) {
        self.next += n;
    }

    fn decode<T: SqlType>(&self, idx: usize) -> std::result::Result<T, crate::error::DecodeError> {
        let value = self.value(idx, T::TYPE.kind)?;
        T::from_value(value)
    }

    fn value(&self, idx: usize, kind: ValueKind) -> std::result::Result<Value, crate::error::DecodeError> {
        match self.row {
            #[cfg(feature = "sqlite")]
            RowRef::Sqlite(row) => crate::backend::sqlite::decode(row, idx, kind),
            #[cfg(feature = "postgres")]
            RowRef::Postgres(row) => crate::backend::postgres::decode(row, idx, kind),
        }
    }
}
