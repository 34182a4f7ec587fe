//! [`SqlType`] for the standard, chrono, uuid, decimal and JSON types, and `Option<T>`.

use super::snapshot::{self, Image};
use super::{SqlType, SqlTypeInfo, Value, ValueKind};
use crate::backend::RawColumn;
use crate::error::DecodeError;

fn mismatch<T>(value: &Value) -> DecodeError {
    DecodeError::new(std::any::type_name::<T>(), format!("unexpected value {value:?}"))
}

fn null<T>() -> DecodeError {
    DecodeError::new(std::any::type_name::<T>(), "unexpected NULL in a NOT NULL field")
}

/// `SqlType` for a type stored as one `Value` variant, read by each backend directly.
macro_rules! simple_sql_type {
    ($ty:ty, $kind:ident, $variant:ident $(, snapshot($this:ident, $image:ident) $snapshot:block)?) => {
        impl SqlType for $ty {
            $(
                #[inline]
                fn snapshot_to(&self, $image: &mut Image<'_>) {
                    let $this = self;
                    $snapshot
                }
            )?
            const TYPE: SqlTypeInfo = SqlTypeInfo::of(ValueKind::$kind);
            type Base = $ty;
            fn to_value(&self) -> Value {
                Value::$variant(Some(self.clone()))
            }
            fn from_value(value: Value) -> Result<Self, DecodeError> {
                match value {
                    Value::$variant(Some(v)) => Ok(v),
                    Value::$variant(None) => Err(null::<$ty>()),
                    other => Err(mismatch::<$ty>(&other)),
                }
            }
            #[inline]
            fn read_column(column: RawColumn<'_>) -> Result<Option<Self>, Box<DecodeError>> {
                column.native::<Self>()
            }
        }
    };
}

simple_sql_type!(bool, Bool, Bool, snapshot(this, image) { image.fixed([u8::from(*this)]) });
simple_sql_type!(i16, SmallInt, SmallInt, snapshot(this, image) { image.fixed(this.to_le_bytes()) });
simple_sql_type!(i32, Int, Int, snapshot(this, image) { image.fixed(this.to_le_bytes()) });
simple_sql_type!(i64, BigInt, BigInt, snapshot(this, image) { image.fixed(this.to_le_bytes()) });
simple_sql_type!(f32, Float, Float, snapshot(this, image) { image.fixed(this.to_bits().to_le_bytes()) });
simple_sql_type!(f64, Double, Double, snapshot(this, image) { image.fixed(this.to_bits().to_le_bytes()) });
simple_sql_type!(String, Text, String, snapshot(this, image) { image.bytes(this.as_bytes()) });
simple_sql_type!(Vec<u8>, Bytes, Bytes, snapshot(this, image) { image.bytes(this) });
simple_sql_type!(chrono::NaiveDate, Date, ChronoDate);
simple_sql_type!(chrono::NaiveTime, Time, ChronoTime);
simple_sql_type!(chrono::NaiveDateTime, DateTime, ChronoDateTime);
simple_sql_type!(chrono::DateTime<chrono::Utc>, DateTimeUtc, ChronoDateTimeUtc);
simple_sql_type!(uuid::Uuid, Uuid, Uuid);
simple_sql_type!(rust_decimal::Decimal, Decimal, Decimal);

impl SqlType for serde_json::Value {
    const TYPE: SqlTypeInfo = SqlTypeInfo::of(ValueKind::Json);
    type Base = serde_json::Value;
    fn to_value(&self) -> Value {
        Value::Json(Some(Box::new(self.clone())))
    }
    fn snapshot_to(&self, image: &mut Image<'_>) {
        image.with_buffer(|out| snapshot::json(self, out));
    }
    fn from_value(value: Value) -> Result<Self, DecodeError> {
        match value {
            Value::Json(Some(v)) => Ok(*v),
            Value::Json(None) => Err(null::<serde_json::Value>()),
            other => Err(mismatch::<serde_json::Value>(&other)),
        }
    }
}

impl<T: SqlType> SqlType for Option<T> {
    const TYPE: SqlTypeInfo = T::TYPE;
    const NULLABLE: bool = true;
    type Base = T::Base;
    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => T::TYPE.kind.null(),
        }
    }
    #[inline]
    fn snapshot_to(&self, image: &mut Image<'_>) {
        match self {
            Some(v) => v.snapshot_to(image),
            None => image.null(),
        }
    }
    fn from_value(value: Value) -> Result<Self, DecodeError> {
        if is_null(&value) { Ok(None) } else { T::from_value(value).map(Some) }
    }
    /// NULL is a value here: `Some(None)`.
    #[inline]
    fn read_column(column: RawColumn<'_>) -> Result<Option<Self>, Box<DecodeError>> {
        T::read_column(column).map(Some)
    }
}

/// Whether a value is SQL NULL, whatever its kind.
pub(crate) fn is_null(value: &Value) -> bool {
    match value {
        Value::Bool(v) => v.is_none(),
        Value::TinyInt(v) => v.is_none(),
        Value::SmallInt(v) => v.is_none(),
        Value::Int(v) => v.is_none(),
        Value::BigInt(v) => v.is_none(),
        Value::TinyUnsigned(v) => v.is_none(),
        Value::SmallUnsigned(v) => v.is_none(),
        Value::Unsigned(v) => v.is_none(),
        Value::BigUnsigned(v) => v.is_none(),
        Value::Float(v) => v.is_none(),
        Value::Double(v) => v.is_none(),
        Value::String(v) => v.is_none(),
        Value::Char(v) => v.is_none(),
        Value::Bytes(v) => v.is_none(),
        Value::Json(v) => v.is_none(),
        Value::ChronoDate(v) => v.is_none(),
        Value::ChronoTime(v) => v.is_none(),
        Value::ChronoDateTime(v) => v.is_none(),
        Value::ChronoDateTimeUtc(v) => v.is_none(),
        Value::ChronoDateTimeLocal(v) => v.is_none(),
        Value::ChronoDateTimeWithTimeZone(v) => v.is_none(),
        Value::Uuid(v) => v.is_none(),
        Value::Decimal(v) => v.is_none(),
        Value::Enum(v) => !v.is_some(),
        Value::Array(_, v) => v.is_none(),
        #[allow(unreachable_patterns)]
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_round_trips_none_and_some() {
        let none: Option<i32> = None;
        assert_eq!(none.to_value(), Value::Int(None));
        assert_eq!(Option::<i32>::from_value(Value::Int(None)).unwrap(), None);
        assert_eq!(Option::<i32>::from_value(Value::Int(Some(7))).unwrap(), Some(7));
    }

    #[test]
    fn null_in_not_null_field_is_an_error() {
        let err = String::from_value(Value::String(None)).unwrap_err();
        assert!(err.to_string().contains("NULL"), "{err}");
    }
}
