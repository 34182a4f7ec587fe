//! Reading PostgreSQL result columns into values: each column's type is checked once, by
//! us, and its bytes are then decoded without the driver's `Row::try_get` checking the
//! type again (a second `accepts` and its error path per column per row).

use postgres_types::{FromSql, Type};
use tokio_postgres::Row;

use crate::error::DecodeError;
use crate::types::{Value, ValueKind};

/// The type of column `idx`, as the statement's description gives it.
#[inline]
pub(crate) fn column_type(row: &Row, idx: usize) -> Result<&Type, DecodeError> {
    match row.columns().get(idx) {
        Some(column) => Ok(column.type_()),
        None => Err(no_column(idx, row.len())),
    }
}

/// The bytes of column `idx` (`None` for NULL), whatever its type: the caller has checked
/// the type, and that the column exists ([`column_type`]).
#[inline]
pub(crate) fn column_bytes(row: &Row, idx: usize) -> Option<&[u8]> {
    // `Bytes` accepts every type, so the driver's check folds away; what is left is its
    // bounds check and the slice of the row's buffer.
    row.try_get::<_, Bytes<'_>>(idx).ok().and_then(|bytes| bytes.0)
}

/// Whether column `idx` is NULL, without decoding it.
#[inline]
pub(crate) fn column_is_null(row: &Row, idx: usize) -> Result<bool, DecodeError> {
    column_type(row, idx)?;
    Ok(column_bytes(row, idx).is_none())
}

/// A column's bytes as the server sent them.
struct Bytes<'a>(Option<&'a [u8]>);

impl<'a> FromSql<'a> for Bytes<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, super::BoxError> {
        Ok(Bytes(Some(raw)))
    }
    fn from_sql_null(_: &Type) -> Result<Self, super::BoxError> {
        Ok(Bytes(None))
    }
    #[inline]
    fn from_sql_nullable(_: &Type, raw: Option<&'a [u8]>) -> Result<Self, super::BoxError> {
        Ok(Bytes(raw))
    }
    #[inline]
    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Column `idx` as a `T`, its type checked once; `None` for NULL.
#[inline]
pub(crate) fn get<'a, T: FromSql<'a>>(row: &'a Row, idx: usize) -> Result<Option<T>, DecodeError> {
    let ty = column_type(row, idx)?;
    if !T::accepts(ty) {
        return Err(not_accepted::<T>(ty));
    }
    read_checked(row, idx, ty)
}

/// Column `idx` as a `T` whose [`FromSql::accepts`] said yes to `ty`, the column's type.
#[inline]
pub(crate) fn read_checked<'a, T: FromSql<'a>>(row: &'a Row, idx: usize, ty: &Type) -> Result<Option<T>, DecodeError> {
    match column_bytes(row, idx) {
        None => Ok(None),
        Some(bytes) => T::from_sql(ty, bytes).map(Some).map_err(|e| bad_value::<T>(ty, &*e)),
    }
}

#[cold]
#[inline(never)]
fn no_column(idx: usize, len: usize) -> DecodeError {
    DecodeError::new("a column", format!("the row has {len} columns, not a column #{idx}"))
}

/// A column of a type `T` cannot be read from.
#[cold]
#[inline(never)]
fn not_accepted<T>(ty: &Type) -> DecodeError {
    DecodeError::new(
        std::any::type_name::<T>(),
        format!("column of type {ty}: {}", postgres_types::WrongType::new::<T>(ty.clone())),
    )
}

/// Bytes that do not decode as a `T`, though the column's type fits it.
#[cold]
#[inline(never)]
pub(crate) fn bad_value<T>(ty: &Type, e: &(dyn std::error::Error + Send + Sync)) -> DecodeError {
    DecodeError::new(std::any::type_name::<T>(), format!("column of type {ty}: {e}"))
}

/// The label of a value of an enum type, which tokio-postgres reads into no built-in type.
struct EnumLabel(String);

impl<'a> FromSql<'a> for EnumLabel {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, super::BoxError> {
        Ok(EnumLabel(std::str::from_utf8(raw)?.to_owned()))
    }
    fn accepts(ty: &Type) -> bool {
        matches!(ty.kind(), postgres_types::Kind::Enum(_))
    }
}

/// An array column's elements, NULL elements as NULL values of the element kind.
fn array(row: &Row, idx: usize, element: crate::types::ArrayOf) -> Result<Option<Vec<Value>>, DecodeError> {
    use crate::types::ArrayOf;
    fn items<'a, T: FromSql<'a>>(
        row: &'a Row,
        idx: usize,
        wrap: impl Fn(Option<T>) -> Value,
    ) -> Result<Option<Vec<Value>>, DecodeError> {
        Ok(get::<Vec<Option<T>>>(row, idx)?.map(|items| items.into_iter().map(wrap).collect()))
    }
    match element {
        ArrayOf::Bool => items(row, idx, Value::Bool),
        ArrayOf::SmallInt => items(row, idx, Value::SmallInt),
        ArrayOf::Int => items(row, idx, Value::Int),
        ArrayOf::BigInt => items(row, idx, Value::BigInt),
        ArrayOf::Float => items(row, idx, Value::Float),
        ArrayOf::Double => items(row, idx, Value::Double),
        ArrayOf::Text => items(row, idx, Value::String),
        ArrayOf::Uuid => items(row, idx, Value::Uuid),
    }
}

/// Reads column `idx` as a value of `kind`, converting from a compatible column type (an
/// `INT4` column read as a `BigInt`, say).
pub(crate) fn decode(row: &Row, idx: usize, kind: ValueKind) -> Result<Value, DecodeError> {
    let ty = column_type(row, idx)?;
    Ok(match kind {
        ValueKind::Bool => Value::Bool(get(row, idx)?),
        ValueKind::SmallInt => Value::SmallInt(get(row, idx)?),
        ValueKind::Int => match *ty {
            Type::INT8 => Value::Int(
                get::<i64>(row, idx)?
                    .map(i32::try_from)
                    .transpose()
                    .map_err(|e| DecodeError::new("i32", e.to_string()))?,
            ),
            _ => Value::Int(get(row, idx)?),
        },
        ValueKind::BigInt => match *ty {
            Type::INT4 => Value::BigInt(get::<i32>(row, idx)?.map(i64::from)),
            Type::INT2 => Value::BigInt(get::<i16>(row, idx)?.map(i64::from)),
            Type::NUMERIC => Value::BigInt(
                get::<rust_decimal::Decimal>(row, idx)?
                    .map(|d| i64::try_from(d).map_err(|e| DecodeError::new("i64", e.to_string())))
                    .transpose()?,
            ),
            _ => Value::BigInt(get(row, idx)?),
        },
        ValueKind::Float => Value::Float(get(row, idx)?),
        ValueKind::Double => match *ty {
            Type::FLOAT4 => Value::Double(get::<f32>(row, idx)?.map(f64::from)),
            _ => Value::Double(get(row, idx)?),
        },
        // An enum type's wire format is its label's text.
        ValueKind::Text if matches!(ty.kind(), postgres_types::Kind::Enum(_)) => {
            Value::String(get::<EnumLabel>(row, idx)?.map(|l| l.0))
        }
        ValueKind::Text => Value::String(get(row, idx)?),
        ValueKind::Bytes => Value::Bytes(get(row, idx)?),
        ValueKind::Json => Value::Json(get::<serde_json::Value>(row, idx)?.map(Box::new)),
        ValueKind::Array(element) => Value::Array(element.array_type(), array(row, idx, element)?.map(Box::new)),
        ValueKind::Date => Value::ChronoDate(get(row, idx)?),
        ValueKind::Time => Value::ChronoTime(get(row, idx)?),
        ValueKind::DateTime => Value::ChronoDateTime(get(row, idx)?),
        ValueKind::DateTimeUtc => Value::ChronoDateTimeUtc(get(row, idx)?),
        ValueKind::Uuid => Value::Uuid(get(row, idx)?),
        ValueKind::Decimal => Value::Decimal(get(row, idx)?),
    })
}
