//! The built-in types read straight from a PostgreSQL column when it has the type's own
//! wire format: the column's type checked once (by us, not again by the driver), then its
//! bytes decoded, in one read that also sees NULL.

use postgres_types::{FromSql, Type};
use tokio_postgres::Row;

use super::BoxError;
use super::decode::{bad_value, column_bytes, column_type, decode};
use crate::error::DecodeError;
use crate::types::{SqlType, is_null};

/// A type read directly from a PostgreSQL column; `None` for NULL.
pub(crate) trait Native: SqlType + for<'a> FromSql<'a> {
    /// The exact read when the column has this type's wire format; otherwise (an `INT4`
    /// read into `i64`, say) the value decoded by kind and converted.
    #[inline]
    fn from_postgres(row: &Row, idx: usize) -> Result<Option<Self>, DecodeError> {
        let ty = column_type(row, idx)?;
        if Self::accepts_type(ty) {
            return match column_bytes(row, idx) {
                None => Ok(None),
                Some(bytes) => Self::from_bytes(ty, bytes).map(Some).map_err(|e| bad_value::<Self>(ty, &*e)),
            };
        }
        let value = decode(row, idx, Self::TYPE.kind)?;
        if is_null(&value) { Ok(None) } else { Self::from_value(value).map(Some) }
    }

    /// Whether a column of type `ty` has this type's wire format.
    #[inline]
    fn accepts_type(ty: &Type) -> bool {
        <Self as FromSql>::accepts(ty)
    }

    /// The value of a column's bytes, the column's type accepted by [`Native::accepts_type`].
    #[inline]
    fn from_bytes(ty: &Type, bytes: &[u8]) -> Result<Self, BoxError> {
        Self::from_sql(ty, bytes)
    }
}

impl Native for bool {}
impl Native for i16 {}
impl Native for i32 {}
impl Native for i64 {}
impl Native for f32 {}
impl Native for f64 {}
/// The built-in text types are UTF-8 on the wire, read without the driver's comparisons
/// of the type's name with the extension types it also reads as text (`citext`, `ltree`…:
/// one to three per value); those still go through the driver.
impl Native for String {
    #[inline]
    fn accepts_type(ty: &Type) -> bool {
        matches!(*ty, Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME) || <Self as FromSql>::accepts(ty)
    }

    #[inline]
    fn from_bytes(ty: &Type, bytes: &[u8]) -> Result<Self, BoxError> {
        match *ty {
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => Ok(std::str::from_utf8(bytes)?.to_owned()),
            _ => Self::from_sql(ty, bytes),
        }
    }
}
impl Native for Vec<u8> {}
impl Native for chrono::NaiveDate {}
impl Native for chrono::NaiveTime {}
impl Native for chrono::NaiveDateTime {}
impl Native for chrono::DateTime<chrono::Utc> {}
impl Native for uuid::Uuid {}
impl Native for rust_decimal::Decimal {}
