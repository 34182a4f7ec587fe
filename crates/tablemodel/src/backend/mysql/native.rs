//! The built-in types read from a MySQL cell: integers and strings straight from the wire
//! value, the others decoded by kind.

use mysql_async::Value as My;

use super::decode;
use crate::error::DecodeError;
use crate::types::{SqlType, is_null};

/// A type read from a MySQL column; `None` for NULL.
pub(crate) trait Native: SqlType {
    /// Types without a faster way decode by kind and go through `from_value`.
    #[inline]
    fn from_mysql(row: &mysql_async::Row, idx: usize) -> Result<Option<Self>, DecodeError> {
        let value = decode(row, idx, Self::TYPE.kind)?;
        if is_null(&value) { Ok(None) } else { Self::from_value(value).map(Some) }
    }
}

impl Native for i64 {
    #[inline]
    fn from_mysql(row: &mysql_async::Row, idx: usize) -> Result<Option<Self>, DecodeError> {
        match row.as_ref(idx) {
            Some(My::NULL) => Ok(None),
            Some(My::Int(i)) => Ok(Some(*i)),
            _ => crate::types::SqlType::from_value(decode(row, idx, Self::TYPE.kind)?).map(Some),
        }
    }
}

impl Native for String {
    #[inline]
    fn from_mysql(row: &mysql_async::Row, idx: usize) -> Result<Option<Self>, DecodeError> {
        match row.as_ref(idx) {
            Some(My::NULL) => Ok(None),
            Some(My::Bytes(b)) => std::str::from_utf8(b)
                .map(|s| Some(s.to_owned()))
                .map_err(|e| DecodeError::new("String", e.to_string())),
            _ => crate::types::SqlType::from_value(decode(row, idx, Self::TYPE.kind)?).map(Some),
        }
    }
}

/// Narrower integers (and booleans, `TINYINT(1)`): straight from the binary protocol's
/// integer when it fits; anything else (text, out of range) by kind, which says why not.
macro_rules! from_int {
    ($($t:ty => $convert:expr),* $(,)?) => {$(
        impl Native for $t {
            #[inline]
            fn from_mysql(row: &mysql_async::Row, idx: usize) -> Result<Option<Self>, DecodeError> {
                let fast = match row.as_ref(idx) {
                    Some(My::NULL) => return Ok(None),
                    Some(My::Int(i)) => $convert(*i),
                    _ => None,
                };
                match fast {
                    Some(v) => Ok(Some(v)),
                    None => crate::types::SqlType::from_value(decode(row, idx, Self::TYPE.kind)?).map(Some),
                }
            }
        }
    )*};
}

from_int!(
    bool => |i: i64| Some(i != 0),
    i16 => |i: i64| i16::try_from(i).ok(),
    i32 => |i: i64| i32::try_from(i).ok(),
);

impl Native for f64 {
    #[inline]
    fn from_mysql(row: &mysql_async::Row, idx: usize) -> Result<Option<Self>, DecodeError> {
        match row.as_ref(idx) {
            Some(My::NULL) => Ok(None),
            Some(My::Double(d)) => Ok(Some(*d)),
            _ => crate::types::SqlType::from_value(decode(row, idx, Self::TYPE.kind)?).map(Some),
        }
    }
}

impl Native for f32 {}
impl Native for Vec<u8> {}
impl Native for chrono::NaiveDate {}
impl Native for chrono::NaiveTime {}
impl Native for chrono::NaiveDateTime {}
impl Native for chrono::DateTime<chrono::Utc> {}
impl Native for uuid::Uuid {}
impl Native for rust_decimal::Decimal {}
