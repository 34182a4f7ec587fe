//! Reading one JSON value as a Rust type, with Pydantic v2's lax coercions ("12" is an
//! integer, 1.0 is an integer, "yes" is a boolean) and its error codes and messages.
//!
//! Written by hand rather than through serde because serde stops at the first error and has
//! no notion of the coercions or error codes FastAPI clients rely on.

use std::borrow::Cow;

use schemars::SchemaGenerator;
use serde_json::{Value, json};

use super::error::ValidationError;
use super::validator::Validator;

/// A type a field can have: how to read it from JSON and what its JSON Schema is.
///
/// Implemented for the built-in scalar types, `Option`, `Vec`, `Box`, `serde_json::Value`,
/// chrono, uuid and rust_decimal types, and by `#[derive(Model)]` / `#[derive(DbEnum)]`.
/// Implement it for your own field types to use them in validated models.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read from JSON as a model field",
    label = "no JSON validation for this type",
    note = "implement `tablemodel::validate::FromJson` for `{Self}` (and `serde::Serialize`), or use a supported type"
)]
pub trait FromJson: Sized {
    /// Reads `value`, recording errors in `v` (at its current location) and returning `None`
    /// when the value is unusable.
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self>;

    /// The value a missing key takes when the field has no default: `None` (a `missing`
    /// error) unless the type has a natural absent value, like `Option`.
    fn when_missing() -> Option<Self> {
        None
    }

    /// The JSON Schema of the type, registering any named definitions in `generator`.
    fn field_schema(generator: &mut SchemaGenerator) -> Value;
}

fn error(kind: &'static str, msg: &'static str, input: &Value) -> ValidationError {
    ValidationError::new(kind, msg, input.clone())
}

/// The message of a string holding the NUL character.
const NUL_MESSAGE: &str = "string must not contain the NUL character (\\u0000)";

/// Strings are Pydantic's, plus one rule Pydantic does not have: no NUL character
/// (`"\u0000"`), reported as a `value_error` at the field. PostgreSQL cannot store NUL in
/// `TEXT`/`VARCHAR` (SQLSTATE 22021) while SQLite stores it, so without the rule the same
/// request would be a 200 on one backend and a database error on the other; checking it
/// here makes it the same 422, with the field's location, everywhere.
impl FromJson for String {
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        match value {
            Value::String(s) if s.contains('\0') => {
                v.value_error(NUL_MESSAGE.into(), value);
                None
            }
            Value::String(s) => Some(s.clone()),
            _ => {
                v.push(error("string_type", "Input should be a valid string", value));
                None
            }
        }
    }
    fn field_schema(_: &mut SchemaGenerator) -> Value {
        json!({"type": "string"})
    }
}

/// An integer read with Pydantic's lax rules, before the Rust type's range is checked.
fn lax_integer(value: &Value, v: &mut Validator) -> Option<i128> {
    let parsing = |v: &mut Validator| {
        v.push(error("int_parsing", "Input should be a valid integer, unable to parse string as an integer", value));
        None
    };
    match value {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(i128::from(i))
            } else if let Some(u) = n.as_u64() {
                Some(i128::from(u))
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                from_float(f, value, v)
            }
        }
        Value::Bool(b) => Some(i128::from(*b)),
        Value::String(s) => {
            let t = s.trim();
            let t = t.strip_prefix('+').unwrap_or(t);
            if t.is_empty() {
                return parsing(v);
            }
            match t.replace('_', "").parse::<i128>() {
                Ok(i) if !t.starts_with('_') && !t.ends_with('_') => Some(i),
                _ => match t.parse::<f64>() {
                    Ok(f) if f.is_finite() && f.fract() == 0.0 && t.contains('.') => from_float(f, value, v),
                    _ => parsing(v),
                },
            }
        }
        _ => {
            v.push(error("int_type", "Input should be a valid integer", value));
            None
        }
    }
}

fn from_float(f: f64, value: &Value, v: &mut Validator) -> Option<i128> {
    if !f.is_finite() {
        v.push(error("finite_number", "Input should be a finite number", value));
        None
    } else if f.fract() != 0.0 {
        v.push(error("int_from_float", "Input should be a valid integer, got a number with a fractional part", value));
        None
    } else if f.abs() > i64::MAX as f64 {
        v.push(error("int_parsing_size", "Unable to parse input string as an integer, exceeded maximum size", value));
        None
    } else {
        Some(f as i128)
    }
}

macro_rules! integer {
    ($($t:ty),*) => {$(
        impl FromJson for $t {
            fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
                let i = lax_integer(value, v)?;
                match <$t>::try_from(i) {
                    Ok(i) => Some(i),
                    Err(_) => {
                        // Pydantic's own limit (i64) answers this way; a narrower Rust type
                        // reuses the same code rather than inventing one.
                        v.push(error(
                            "int_parsing_size",
                            "Unable to parse input string as an integer, exceeded maximum size",
                            value,
                        ));
                        None
                    }
                }
            }
            fn field_schema(_: &mut SchemaGenerator) -> Value {
                json!({"type": "integer"})
            }
        }
    )*};
}
integer!(i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! float {
    ($($t:ty),*) => {$(
        impl FromJson for $t {
            fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
                let f = match value {
                    Value::Number(n) => n.as_f64(),
                    Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
                    Value::String(s) => match s.trim().parse::<f64>() {
                        Ok(f) => Some(f),
                        Err(_) => {
                            v.push(error(
                                "float_parsing",
                                "Input should be a valid number, unable to parse string as a number",
                                value,
                            ));
                            return None;
                        }
                    },
                    _ => None,
                };
                match f {
                    Some(f) => Some(f as $t),
                    None => {
                        v.push(error("float_type", "Input should be a valid number", value));
                        None
                    }
                }
            }
            fn field_schema(_: &mut SchemaGenerator) -> Value {
                json!({"type": "number"})
            }
        }
    )*};
}
float!(f32, f64);

impl FromJson for bool {
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        let parsed = match value {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => match n.as_f64() {
                Some(0.0) => Some(false),
                Some(1.0) => Some(true),
                _ => None,
            },
            Value::String(s) => match s.to_ascii_lowercase().as_str() {
                "0" | "off" | "f" | "false" | "n" | "no" => Some(false),
                "1" | "on" | "t" | "true" | "y" | "yes" => Some(true),
                _ => None,
            },
            _ => {
                v.push(error("bool_type", "Input should be a valid boolean", value));
                return None;
            }
        };
        if parsed.is_none() {
            v.push(error("bool_parsing", "Input should be a valid boolean, unable to interpret input", value));
        }
        parsed
    }
    fn field_schema(_: &mut SchemaGenerator) -> Value {
        json!({"type": "boolean"})
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            other => T::from_json(other, v).map(Some),
        }
    }
    fn when_missing() -> Option<Self> {
        Some(None)
    }
    fn field_schema(generator: &mut SchemaGenerator) -> Value {
        json!({"anyOf": [T::field_schema(generator), {"type": "null"}]})
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        T::from_json(value, v).map(Box::new)
    }
    fn field_schema(generator: &mut SchemaGenerator) -> Value {
        T::field_schema(generator)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        let Value::Array(items) = value else {
            v.push(error("list_type", "Input should be a valid array", value));
            return None;
        };
        let before = v.error_count();
        let out: Vec<T> =
            items.iter().enumerate().filter_map(|(i, item)| v.nested(i, |v| T::from_json(item, v))).collect();
        (v.error_count() == before).then_some(out)
    }
    fn field_schema(generator: &mut SchemaGenerator) -> Value {
        json!({"type": "array", "items": T::field_schema(generator)})
    }
}

impl FromJson for Value {
    fn from_json(value: &Value, _: &mut Validator) -> Option<Self> {
        Some(value.clone())
    }
    fn field_schema(_: &mut SchemaGenerator) -> Value {
        json!({})
    }
}

/// Parses a string-borne value (UUID, date, …): a non-string is a `type_error`, a string
/// that does not parse is `parse_kind` with the parser's message in `ctx.error`.
fn from_string<T, E: std::fmt::Display>(
    value: &Value,
    v: &mut Validator,
    type_error: (&'static str, &'static str),
    parse_kind: &'static str,
    parse_msg: &'static str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<T> {
    let Value::String(s) = value else {
        v.push(error(type_error.0, type_error.1, value));
        return None;
    };
    parse(s)
        .map_err(|e| {
            let e = e.to_string();
            v.push(ValidationError::new(parse_kind, format!("{parse_msg}, {e}"), value.clone()).with_ctx("error", e));
        })
        .ok()
}

impl FromJson for uuid::Uuid {
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        let type_error = ("uuid_type", "UUID input should be a string, bytes or UUID object");
        from_string(value, v, type_error, "uuid_parsing", "Input should be a valid UUID", uuid::Uuid::parse_str)
    }
    fn field_schema(_: &mut SchemaGenerator) -> Value {
        json!({"type": "string", "format": "uuid"})
    }
}

fn parse_datetime(s: &str) -> Result<chrono::NaiveDateTime, Cow<'static, str>> {
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(dt.naive_utc());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(s, format) {
            return Ok(dt);
        }
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| d.and_time(chrono::NaiveTime::MIN))
        .map_err(|e| Cow::Owned(e.to_string()))
}

const DATETIME_TYPE: (&str, &str) = ("datetime_type", "Input should be a valid datetime");

impl FromJson for chrono::NaiveDateTime {
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        if let Some(ts) = value.as_f64() {
            return chrono::DateTime::from_timestamp_micros((ts * 1e6) as i64).map(|d| d.naive_utc());
        }
        let msg = "Input should be a valid datetime or date";
        from_string(value, v, DATETIME_TYPE, "datetime_from_date_parsing", msg, parse_datetime)
    }
    fn field_schema(_: &mut SchemaGenerator) -> Value {
        json!({"type": "string", "format": "date-time"})
    }
}

impl FromJson for chrono::DateTime<chrono::Utc> {
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        chrono::NaiveDateTime::from_json(value, v).map(|d| d.and_utc())
    }
    fn field_schema(_: &mut SchemaGenerator) -> Value {
        json!({"type": "string", "format": "date-time"})
    }
}

impl FromJson for chrono::NaiveDate {
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        let msg = "Input should be a valid date in the format YYYY-MM-DD";
        let parse = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d");
        from_string(value, v, ("date_type", "Input should be a valid date"), "date_from_datetime_parsing", msg, parse)
    }
    fn field_schema(_: &mut SchemaGenerator) -> Value {
        json!({"type": "string", "format": "date"})
    }
}

impl FromJson for chrono::NaiveTime {
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        let msg = "Input should be in a valid time format";
        let parse = |s: &str| chrono::NaiveTime::parse_from_str(s, "%H:%M:%S%.f");
        from_string(value, v, ("time_type", "Input should be a valid time"), "time_parsing", msg, parse)
    }
    fn field_schema(_: &mut SchemaGenerator) -> Value {
        json!({"type": "string", "format": "time"})
    }
}

impl FromJson for rust_decimal::Decimal {
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        let parsed = match value {
            Value::Number(n) => n.to_string().parse::<rust_decimal::Decimal>().ok().or_else(|| {
                // Exponent forms ("1e10") are not accepted by `FromStr`.
                rust_decimal::Decimal::from_scientific(&n.to_string()).ok()
            }),
            Value::String(s) => {
                let s = s.trim();
                s.parse::<rust_decimal::Decimal>().ok().or_else(|| rust_decimal::Decimal::from_scientific(s).ok())
            }
            _ => {
                let msg = "Decimal input should be an integer, float, string or Decimal object";
                v.push(error("decimal_type", msg, value));
                return None;
            }
        };
        if parsed.is_none() {
            v.push(error("decimal_parsing", "Input should be a valid decimal", value));
        }
        parsed
    }
    fn field_schema(_: &mut SchemaGenerator) -> Value {
        json!({"anyOf": [{"type": "number"}, {"type": "string"}]})
    }
}

/// Reads a [`DbEnum`](crate::DbEnum) by its variant name, answering Pydantic's `enum` error
/// listing the accepted names; used by `#[derive(DbEnum)]`.
pub fn enum_from_json<E: crate::DbEnum>(value: &Value, v: &mut Validator) -> Option<E> {
    if let Some(found) = value.as_str().and_then(E::from_variant_name) {
        return Some(found);
    }
    let expected = expected_list(E::VARIANTS);
    v.push(
        ValidationError::new("enum", format!("Input should be {expected}"), value.clone())
            .with_ctx("expected", expected),
    );
    None
}

/// `'a', 'b' or 'c'`, as Pydantic lists the accepted values.
fn expected_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// The JSON Schema of a [`DbEnum`](crate::DbEnum), registered under its name in `$defs` as
/// Pydantic does for enums.
pub fn enum_json_schema<E: crate::DbEnum + schemars::JsonSchema>(generator: &mut SchemaGenerator) -> Value {
    generator.subschema_for::<E>().to_value()
}

/// The body of an enum's `$defs` entry.
pub fn enum_definition(title: &str, names: &[&str]) -> Value {
    json!({"enum": names, "title": title, "type": "string"})
}

impl<T: FromJson> FromJson for crate::relationship::Related<T> {
    /// A relationship given in the input is read (not dropped, unlike SQLModel's
    /// `model_validate`); an absent one stays not loaded.
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        T::from_json(value, v).map(crate::relationship::Related::Loaded)
    }
    fn when_missing() -> Option<Self> {
        Some(crate::relationship::Related::NotLoaded)
    }
    fn field_schema(generator: &mut SchemaGenerator) -> Value {
        T::field_schema(generator)
    }
}

impl<T: FromJson> FromJson for crate::types::Json<T> {
    /// Read as `T`: a JSON column is validated like the value it holds, with `T`'s schema.
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        T::from_json(value, v).map(crate::types::Json)
    }
    fn when_missing() -> Option<Self> {
        T::when_missing().map(crate::types::Json)
    }
    fn field_schema(generator: &mut SchemaGenerator) -> Value {
        T::field_schema(generator)
    }
}

/// Reads a JSON object as a map with string keys, each value validated at its key (as
/// Pydantic's `dict[str, T]`).
fn map_from_json<T: FromJson, M: FromIterator<(String, T)>>(value: &Value, v: &mut Validator) -> Option<M> {
    let Value::Object(members) = value else {
        v.push(error("dict_type", "Input should be a valid dictionary", value));
        return None;
    };
    let before = v.error_count();
    let out: Vec<(String, T)> = members
        .iter()
        .filter_map(|(key, item)| v.nested(key.clone(), |v| T::from_json(item, v)).map(|t| (key.clone(), t)))
        .collect();
    (v.error_count() == before).then(|| out.into_iter().collect())
}

fn map_schema<T: FromJson>(generator: &mut SchemaGenerator) -> Value {
    json!({"type": "object", "additionalProperties": T::field_schema(generator)})
}

impl<T: FromJson, S: std::hash::BuildHasher + Default> FromJson for std::collections::HashMap<String, T, S> {
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        map_from_json(value, v)
    }
    fn field_schema(generator: &mut SchemaGenerator) -> Value {
        map_schema::<T>(generator)
    }
}

impl<T: FromJson> FromJson for std::collections::BTreeMap<String, T> {
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        map_from_json(value, v)
    }
    fn field_schema(generator: &mut SchemaGenerator) -> Value {
        map_schema::<T>(generator)
    }
}
