//! The built-in types read straight from a PostgreSQL column when it has the type's own
//! wire format: the column's type checked once (by us, not again by the driver), then its
//! bytes decoded, in one read that also sees NULL.

use postgres_types::FromSql;
use tokio_postgres::Row;

use super::decode::{column_type, decode, read_checked};
use crate::error::DecodeError;
use crate::types::{SqlType, is_null};

/// A type read directly from a PostgreSQL column; `None` for NULL.
pub(crate) trait Native: SqlType + for<'a> FromSql<'a> {
    /// The exact read when the column has this type's wire format; otherwise (an `INT4`
    /// read into `i64`, say) the value decoded by kind and converted.
    #[inline]
    fn from_postgres(row: &Row, idx: usize) -> Result<Option<Self>, DecodeError> {
        let ty = column_type(row, idx)?;
        if <Self as FromSql>::accepts(ty) {
            return read_checked(row, idx, ty);
        }
        let value = decode(row, idx, Self::TYPE.kind)?;
        if is_null(&value) { Ok(None) } else { Self::from_value(value).map(Some) }
    }
}

impl Native for bool {}
impl Native for i16 {}
impl Native for i32 {}
impl Native for i64 {}
impl Native for f32 {}
impl Native for f64 {}
impl Native for String {}
impl Native for Vec<u8> {}
impl Native for chrono::NaiveDate {}
impl Native for chrono::NaiveTime {}
impl Native for chrono::NaiveDateTime {}
impl Native for chrono::DateTime<chrono::Utc> {}
impl Native for uuid::Uuid {}
impl Native for rust_decimal::Decimal {}
