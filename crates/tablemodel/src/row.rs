//! Reading the columns of one result row, whichever backend produced it.

use crate::error::{Error, Result};
use crate::meta::ColumnMeta;
use crate::types::{SqlType, Value, ValueKind};
#[cfg(feature = "sqlite")]
use rusqlite::types::ValueRef;

/// A borrowed result row of one of the backends.
#[derive(Clone, Copy)]
pub(crate) enum RowRef<'r> {
    #[cfg(feature = "sqlite")]
    Sqlite(&'r rusqlite::Row<'r>),
    /// A SQLite row copied out of its statement (streaming).
    #[cfg(feature = "sqlite")]
    SqliteCopied(crate::backend::sqlite::batch::CopiedRow<'r>),
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
    #[inline]
    pub fn read<T: SqlType>(&mut self, column: &'static ColumnMeta) -> Result<T> {
        let idx = self.next;
        self.next += 1;
        self.decode::<T>(idx).map_err(|source| decode_error(column.name, source))
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
        let null = match self.row {
            #[cfg(feature = "sqlite")]
            RowRef::Sqlite(row) => crate::backend::sqlite::column(row, idx).map(|v| v == ValueRef::Null),
            #[cfg(feature = "sqlite")]
            RowRef::SqliteCopied(row) => row.get(idx).map(|v| v == ValueRef::Null),
            #[cfg(feature = "postgres")]
            RowRef::Postgres(row) => crate::backend::postgres::column_is_null(row, idx),
        };
        null.map_err(|source| Error::Decode { column: format!("#{idx}"), source })
    }

    /// Whether every column has been read.
    pub(crate) fn at_end(&self) -> bool {
        let count = match self.row {
            #[cfg(feature = "sqlite")]
            RowRef::Sqlite(row) => row.as_ref().column_count(),
            #[cfg(feature = "sqlite")]
            RowRef::SqliteCopied(row) => row.len(),
            #[cfg(feature = "postgres")]
            RowRef::Postgres(row) => row.len(),
        };
        self.next >= count
    }

    /// Skips `n` columns.
    pub(crate) fn skip(&mut self, n: usize) {
        self.next += n;
    }

    #[inline]
    fn decode<T: SqlType>(&self, idx: usize) -> std::result::Result<T, crate::error::DecodeError> {
        match self.row {
            #[cfg(feature = "sqlite")]
            RowRef::Sqlite(row) => T::from_sqlite(crate::backend::sqlite::column(row, idx)?),
            #[cfg(feature = "sqlite")]
            RowRef::SqliteCopied(row) => T::from_sqlite(row.get(idx)?),
            #[cfg(feature = "postgres")]
            RowRef::Postgres(row) => T::from_postgres(row, idx),
        }
    }

    fn value(&self, idx: usize, kind: ValueKind) -> std::result::Result<Value, crate::error::DecodeError> {
        match self.row {
            #[cfg(feature = "sqlite")]
            RowRef::Sqlite(row) => crate::backend::sqlite::decode(row, idx, kind),
            #[cfg(feature = "sqlite")]
            RowRef::SqliteCopied(row) => crate::backend::sqlite::decode_ref(row.get(idx)?, kind),
            #[cfg(feature = "postgres")]
            RowRef::Postgres(row) => crate::backend::postgres::decode(row, idx, kind),
        }
    }
}

/// Kept out of line: a read that fails is rare, and its error is large.
#[cold]
#[inline(never)]
fn decode_error(column: &str, source: crate::error::DecodeError) -> Error {
    Error::Decode { column: column.to_owned(), source }
}

#[cfg(all(test, feature = "sqlite"))]
mod sqlite_tests {
    use super::*;

    /// Decodes column `idx` of `SELECT <select>` as a `T`, the way a model's `decode` does.
    fn read<T: SqlType>(select: &str, idx: usize) -> Result<T> {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let mut stmt = conn.prepare(&format!("SELECT {select}")).unwrap();
        let mut rows = stmt.query([]).unwrap();
        let row = rows.next().unwrap().unwrap();
        let mut reader = RowReader::new(RowRef::Sqlite(row));
        reader.skip(idx);
        reader.read_unnamed::<T>("col")
    }

    #[test]
    fn scalars_accept_sqlite_loose_storage_classes() {
        assert_eq!(read::<i64>("42", 0).unwrap(), 42);
        assert_eq!(read::<i64>("7.0", 0).unwrap(), 7, "a whole REAL is an integer");
        assert_eq!(read::<f64>("3", 0).unwrap(), 3.0, "an INTEGER is a number");
        assert_eq!(read::<f32>("1.5", 0).unwrap(), 1.5);
        assert!(read::<bool>("1", 0).unwrap());
        assert_eq!(read::<String>("'Deadpond'", 0).unwrap(), "Deadpond");
        assert_eq!(read::<Option<i32>>("NULL", 0).unwrap(), None);
        assert_eq!(read::<Option<String>>("1, 'x'", 1).unwrap().as_deref(), Some("x"));
    }

    #[test]
    fn mismatches_name_the_column_and_the_expected_type() {
        let err = read::<i32>("3000000000", 0).unwrap_err();
        let Error::Decode { column, source } = err else { panic!("{err:?}") };
        assert_eq!((column.as_str(), source.expected), ("col", "i32"));
        let Error::Decode { source, .. } = read::<i16>("70000", 0).unwrap_err() else { panic!() };
        assert_eq!(source.expected, "i16");
        let Error::Decode { source, .. } = read::<String>("NULL", 0).unwrap_err() else { panic!() };
        assert!(source.message.contains("NULL"), "{source:?}");
        let Error::Decode { source, .. } = read::<i64>("'ten'", 0).unwrap_err() else { panic!() };
        assert_eq!(source.expected, "an integer");
        let Error::Decode { source, .. } = read::<i64>("2.5", 0).unwrap_err() else { panic!() };
        assert_eq!(source.expected, "an integer", "a fractional REAL is not an integer");
        let Error::Decode { source, .. } = read::<String>("X'ff'", 0).unwrap_err() else { panic!() };
        assert_eq!(source.expected, "text");
    }
}
