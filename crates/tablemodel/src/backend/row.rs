//! One result row of whichever backend produced it, and the raw column value the
//! [`SqlType`](crate::SqlType) read hook receives.
//!
//! Everything here is private to the crate except [`RawColumn`], which has to appear in
//! the public trait's signature but exposes nothing: no constructor and no method a user
//! could call, so the hook can be neither called nor meaningfully implemented outside the
//! crate. The built-in types read their backend's wire value directly through [`Native`];
//! any other type goes through [`RawColumn::value`] and `SqlType::from_value`.

use crate::error::DecodeError;
use crate::types::{SqlType, Value, ValueKind};

/// A borrowed result row of one of the backends.
#[derive(Clone, Copy)]
pub(crate) enum RowRef<'r> {
    #[cfg(feature = "sqlite")]
    Sqlite(&'r rusqlite::Row<'r>),
    #[cfg(feature = "postgres")]
    Postgres(&'r tokio_postgres::Row),
    #[cfg(feature = "mysql")]
    Mysql(&'r mysql_async::Row),
}

impl<'r> RowRef<'r> {
    /// The number of columns.
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))] // read by SQLite's foreign-key probes
    pub(crate) fn len(self) -> usize {
        match self {
            #[cfg(feature = "sqlite")]
            RowRef::Sqlite(row) => row.as_ref().column_count(),
            #[cfg(feature = "postgres")]
            RowRef::Postgres(row) => row.len(),
            #[cfg(feature = "mysql")]
            RowRef::Mysql(row) => row.len(),
        }
    }

    /// Column `idx`, undecoded.
    #[inline]
    pub(crate) fn raw(self, idx: usize) -> Result<RawColumn<'r>, DecodeError> {
        Ok(RawColumn(match self {
            #[cfg(feature = "sqlite")]
            RowRef::Sqlite(row) => Raw::Sqlite(super::sqlite::column(row, idx)?),
            #[cfg(feature = "postgres")]
            RowRef::Postgres(row) => Raw::Postgres(row, idx),
            #[cfg(feature = "mysql")]
            RowRef::Mysql(row) => Raw::Mysql(row, idx),
        }))
    }

    /// Whether column `idx` is NULL.
    pub(crate) fn is_null(self, idx: usize) -> Result<bool, DecodeError> {
        match self.raw(idx)?.0 {
            #[cfg(feature = "sqlite")]
            Raw::Sqlite(raw) => Ok(raw == rusqlite::types::ValueRef::Null),
            #[cfg(feature = "postgres")]
            Raw::Postgres(row, idx) => super::postgres::column_is_null(row, idx),
            #[cfg(feature = "mysql")]
            Raw::Mysql(row, idx) => super::mysql::column_is_null(row, idx),
        }
    }
}

/// One column of a result row as the backend handed it out, for
/// [`SqlType::read_column`](crate::SqlType::read_column). Opaque: only the crate reads it.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct RawColumn<'r>(Raw<'r>);

#[derive(Clone, Copy)]
enum Raw<'r> {
    #[cfg(feature = "sqlite")]
    Sqlite(rusqlite::types::ValueRef<'r>),
    #[cfg(feature = "postgres")]
    Postgres(&'r tokio_postgres::Row, usize),
    #[cfg(feature = "mysql")]
    Mysql(&'r mysql_async::Row, usize),
}

impl RawColumn<'_> {
    /// The column decoded as a value of `kind` (a NULL of that kind for NULL).
    pub(crate) fn value(self, kind: ValueKind) -> Result<Value, DecodeError> {
        match self.0 {
            #[cfg(feature = "sqlite")]
            Raw::Sqlite(raw) => super::sqlite::decode_ref(raw, kind),
            #[cfg(feature = "postgres")]
            Raw::Postgres(row, idx) => super::postgres::decode(row, idx, kind),
            #[cfg(feature = "mysql")]
            Raw::Mysql(row, idx) => super::mysql::decode(row, idx, kind),
        }
    }

    /// The column read as a built-in type straight from the backend's wire value; `None`
    /// for NULL.
    #[inline]
    pub(crate) fn native<T: Native>(self) -> Result<Option<T>, Box<DecodeError>> {
        match self.0 {
            #[cfg(feature = "sqlite")]
            Raw::Sqlite(raw) => T::from_sqlite(raw).map_err(Box::new),
            #[cfg(feature = "postgres")]
            Raw::Postgres(row, idx) => T::from_postgres(row, idx).map_err(Box::new),
            #[cfg(feature = "mysql")]
            Raw::Mysql(row, idx) => T::from_mysql(row, idx).map_err(Box::new),
        }
    }
}

#[cfg(feature = "sqlite")]
use super::sqlite::Native as SqliteNative;
/// Without the backend every type qualifies: there is nothing to read.
#[cfg(not(feature = "sqlite"))]
pub(crate) trait SqliteNative {}
#[cfg(not(feature = "sqlite"))]
impl<T> SqliteNative for T {}

#[cfg(feature = "postgres")]
use super::postgres::Native as PostgresNative;
/// Without the backend every type qualifies: there is nothing to read.
#[cfg(not(feature = "postgres"))]
pub(crate) trait PostgresNative {}
#[cfg(not(feature = "postgres"))]
impl<T> PostgresNative for T {}

#[cfg(feature = "mysql")]
use super::mysql::Native as MysqlNative;
/// Without the backend every type qualifies: there is nothing to read.
#[cfg(not(feature = "mysql"))]
pub(crate) trait MysqlNative {}
#[cfg(not(feature = "mysql"))]
impl<T> MysqlNative for T {}

/// A built-in type every enabled backend decodes directly, without a [`Value`] in between.
pub(crate) trait Native: SqlType + SqliteNative + PostgresNative + MysqlNative {}
impl<T: SqlType + SqliteNative + PostgresNative + MysqlNative> Native for T {}
