//! Values to and from MySQL's wire format.
//!
//! The binary protocol hands out integers, floats and date-times typed, and everything
//! else (strings, decimals, JSON, UUIDs in `CHAR(36)`) as bytes; the text protocol hands
//! out bytes for everything. Reading accepts both for every kind.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use mysql_async::Value as My;

use crate::error::DecodeError;
use crate::types::{Value, ValueKind, is_null};

/// A parameter in MySQL's terms. Date-times go as UTC (every connection runs in UTC).
///
/// One match: the values carried go first, and only what falls through is asked whether
/// it is a NULL. Text is copied once into the bytes the driver sends (it takes a
/// `Vec<u8>`, and the values are the caller's); text made here is moved in.
pub(super) fn to_mysql(value: &Value) -> My {
    let made = |s: String| My::Bytes(s.into_bytes());
    match value {
        Value::String(Some(v)) => My::Bytes(v.as_bytes().to_vec()),
        Value::BigInt(Some(v)) => My::Int(*v),
        Value::Int(Some(v)) => My::Int(i64::from(*v)),
        Value::Bool(Some(v)) => My::Int(i64::from(*v)),
        Value::TinyInt(Some(v)) => My::Int(i64::from(*v)),
        Value::SmallInt(Some(v)) => My::Int(i64::from(*v)),
        Value::TinyUnsigned(Some(v)) => My::UInt(u64::from(*v)),
        Value::SmallUnsigned(Some(v)) => My::UInt(u64::from(*v)),
        Value::Unsigned(Some(v)) => My::UInt(u64::from(*v)),
        Value::BigUnsigned(Some(v)) => My::UInt(*v),
        Value::Float(Some(v)) => My::Float(*v),
        Value::Double(Some(v)) => My::Double(*v),
        Value::Char(Some(v)) => made(v.to_string()),
        Value::Bytes(Some(v)) => My::Bytes(v.clone()),
        Value::Json(Some(v)) => made(v.to_string()),
        // No arrays in MySQL: JSON text (`Capabilities::arrays`).
        Value::Array(_, Some(items)) => made(crate::types::array::to_json(items).to_string()),
        Value::ChronoDate(Some(v)) => date_time(v.and_time(NaiveTime::MIN)),
        Value::ChronoTime(Some(v)) => {
            My::Time(false, 0, v.hour() as u8, v.minute() as u8, v.second() as u8, v.nanosecond() / 1000)
        }
        Value::ChronoDateTime(Some(v)) => date_time(*v),
        Value::ChronoDateTimeUtc(Some(v)) => date_time(v.naive_utc()),
        Value::ChronoDateTimeLocal(Some(v)) => date_time(v.naive_utc()),
        Value::ChronoDateTimeWithTimeZone(Some(v)) => date_time(v.naive_utc()),
        Value::Uuid(Some(v)) => made(v.hyphenated().to_string()),
        Value::Decimal(Some(v)) => made(v.to_string()),
        Value::Enum(sea_query::OptionEnum::Some(e)) => My::Bytes(e.value.as_bytes().to_vec()),
        null if is_null(null) => My::NULL,
        other => made(format!("{other:?}")),
    }
}

/// [`to_mysql`] of a value the caller gives up: text and bytes are moved, not copied. The
/// kinds a model's row is mostly made of are converted here, with nothing left to drop.
#[inline]
pub(super) fn into_mysql(value: Value) -> My {
    match value {
        Value::String(Some(v)) => My::Bytes(v.into_bytes()),
        Value::BigInt(Some(v)) => My::Int(v),
        Value::Int(Some(v)) => My::Int(i64::from(v)),
        Value::Bool(Some(v)) => My::Int(i64::from(v)),
        Value::Bytes(Some(v)) => My::Bytes(v),
        other => to_mysql(&other),
    }
}

fn date_time(v: NaiveDateTime) -> My {
    My::Date(
        v.year() as u16,
        v.month() as u8,
        v.day() as u8,
        v.hour() as u8,
        v.minute() as u8,
        v.second() as u8,
        v.nanosecond() / 1000,
    )
}

/// Whether column `idx` is NULL.
pub(crate) fn column_is_null(row: &mysql_async::Row, idx: usize) -> Result<bool, DecodeError> {
    Ok(matches!(cell(row, idx)?, My::NULL))
}

fn cell(row: &mysql_async::Row, idx: usize) -> Result<&My, DecodeError> {
    row.as_ref(idx).ok_or_else(|| DecodeError::new("a value", format!("the row has no column {idx}")))
}

fn wrong(kind: ValueKind, got: &My) -> DecodeError {
    DecodeError::new(kind_name(kind), format!("MySQL value {got:?}"))
}

fn kind_name(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Bool => "bool",
        ValueKind::SmallInt => "i16",
        ValueKind::Int => "i32",
        ValueKind::BigInt => "i64",
        ValueKind::Float => "f32",
        ValueKind::Double => "f64",
        ValueKind::Text => "String",
        ValueKind::Bytes => "bytes",
        ValueKind::Json => "JSON",
        ValueKind::Array(_) => "array",
        ValueKind::Date => "date",
        ValueKind::Time => "time",
        ValueKind::DateTime => "datetime",
        ValueKind::DateTimeUtc => "UTC datetime",
        ValueKind::Uuid => "UUID",
        ValueKind::Decimal => "decimal",
    }
}

fn utf8(kind: ValueKind, bytes: &[u8]) -> Result<&str, DecodeError> {
    std::str::from_utf8(bytes).map_err(|e| DecodeError::new(kind_name(kind), e.to_string()))
}

fn parsed<T: std::str::FromStr>(kind: ValueKind, bytes: &[u8]) -> Result<T, DecodeError>
where
    T::Err: std::fmt::Display,
{
    utf8(kind, bytes)?.trim().parse().map_err(|e: T::Err| DecodeError::new(kind_name(kind), e.to_string()))
}

fn integer(kind: ValueKind, v: &My) -> Result<i64, DecodeError> {
    match v {
        My::Int(i) => Ok(*i),
        My::UInt(u) => i64::try_from(*u).map_err(|e| DecodeError::new(kind_name(kind), e.to_string())),
        My::Bytes(b) => parsed(kind, b),
        other => Err(wrong(kind, other)),
    }
}

fn double(kind: ValueKind, v: &My) -> Result<f64, DecodeError> {
    match v {
        My::Float(f) => Ok(f64::from(*f)),
        My::Double(d) => Ok(*d),
        My::Int(i) => Ok(*i as f64),
        My::UInt(u) => Ok(*u as f64),
        My::Bytes(b) => parsed(kind, b),
        other => Err(wrong(kind, other)),
    }
}

fn narrow<T: TryFrom<i64>>(kind: ValueKind, v: i64) -> Result<T, DecodeError>
where
    T::Error: std::fmt::Display,
{
    T::try_from(v).map_err(|e| DecodeError::new(kind_name(kind), e.to_string()))
}

fn datetime(kind: ValueKind, v: &My) -> Result<NaiveDateTime, DecodeError> {
    match v {
        My::Date(y, mo, d, h, mi, s, us) => NaiveDate::from_ymd_opt(i32::from(*y), u32::from(*mo), u32::from(*d))
            .and_then(|date| date.and_hms_micro_opt(u32::from(*h), u32::from(*mi), u32::from(*s), *us))
            .ok_or_else(|| wrong(kind, v)),
        My::Bytes(b) => {
            let text = utf8(kind, b)?;
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
                .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d").map(|d| d.and_time(NaiveTime::MIN)))
                .map_err(|e| DecodeError::new(kind_name(kind), e.to_string()))
        }
        other => Err(wrong(kind, other)),
    }
}

fn time(kind: ValueKind, v: &My) -> Result<NaiveTime, DecodeError> {
    match v {
        My::Time(false, 0, h, m, s, us) => {
            NaiveTime::from_hms_micro_opt(u32::from(*h), u32::from(*m), u32::from(*s), *us)
                .ok_or_else(|| wrong(kind, v))
        }
        My::Bytes(b) => NaiveTime::parse_from_str(utf8(kind, b)?, "%H:%M:%S%.f")
            .map_err(|e| DecodeError::new(kind_name(kind), e.to_string())),
        other => Err(wrong(kind, other)),
    }
}

/// Reads column `idx` as a value of `kind` (a NULL of that kind for NULL).
pub(crate) fn decode(row: &mysql_async::Row, idx: usize, kind: ValueKind) -> Result<Value, DecodeError> {
    let v = cell(row, idx)?;
    if matches!(v, My::NULL) {
        return Ok(kind.null());
    }
    Ok(match kind {
        ValueKind::Bool => Value::Bool(Some(integer(kind, v)? != 0)),
        ValueKind::SmallInt => Value::SmallInt(Some(narrow(kind, integer(kind, v)?)?)),
        ValueKind::Int => Value::Int(Some(narrow(kind, integer(kind, v)?)?)),
        ValueKind::BigInt => Value::BigInt(Some(match v {
            My::Bytes(b) if b.contains(&b'.') => {
                let d: rust_decimal::Decimal = parsed(kind, b)?;
                i64::try_from(d).map_err(|e| DecodeError::new("i64", e.to_string()))?
            }
            _ => integer(kind, v)?,
        })),
        ValueKind::Float => Value::Float(Some(double(kind, v)? as f32)),
        ValueKind::Double => Value::Double(Some(double(kind, v)?)),
        ValueKind::Text => Value::String(Some(match v {
            My::Bytes(b) => utf8(kind, b)?.to_owned(),
            My::Int(i) => i.to_string(),
            My::UInt(u) => u.to_string(),
            other => return Err(wrong(kind, other)),
        })),
        ValueKind::Bytes => match v {
            My::Bytes(b) => Value::Bytes(Some(b.clone())),
            other => return Err(wrong(kind, other)),
        },
        ValueKind::Json => match v {
            My::Bytes(b) => Value::Json(Some(Box::new(
                serde_json::from_slice(b).map_err(|e| DecodeError::new("JSON", e.to_string()))?,
            ))),
            other => return Err(wrong(kind, other)),
        },
        ValueKind::Array(element) => match v {
            My::Bytes(b) => {
                let json = serde_json::from_slice(b).map_err(|e| DecodeError::new("JSON", e.to_string()))?;
                Value::Array(element.array_type(), Some(Box::new(crate::types::array::from_json(json, element)?)))
            }
            other => return Err(wrong(kind, other)),
        },
        ValueKind::Date => Value::ChronoDate(Some(datetime(kind, v)?.date())),
        ValueKind::Time => Value::ChronoTime(Some(time(kind, v)?)),
        ValueKind::DateTime => Value::ChronoDateTime(Some(datetime(kind, v)?)),
        ValueKind::DateTimeUtc => Value::ChronoDateTimeUtc(Some(datetime(kind, v)?.and_utc())),
        ValueKind::Uuid => match v {
            My::Bytes(b) if b.len() == 16 => {
                Value::Uuid(Some(uuid::Uuid::from_slice(b).map_err(|e| DecodeError::new("UUID", e.to_string()))?))
            }
            My::Bytes(b) => Value::Uuid(Some(parsed(kind, b)?)),
            other => return Err(wrong(kind, other)),
        },
        ValueKind::Decimal => Value::Decimal(Some(match v {
            My::Bytes(b) => parsed(kind, b)?,
            My::Int(i) => rust_decimal::Decimal::from(*i),
            My::UInt(u) => rust_decimal::Decimal::from(*u),
            My::Double(d) => {
                rust_decimal::Decimal::try_from(*d).map_err(|e| DecodeError::new("decimal", e.to_string()))?
            }
            other => return Err(wrong(kind, other)),
        })),
    })
}
