//! `Vec<T>` of scalars as an array column: PostgreSQL's `TEXT[]`, `BIGINT[]`…, and JSON
//! text where the database has no arrays ([`Capabilities::arrays`](crate::Capabilities)).
//!
//! Why a JSON fallback rather than an error on SQLite: SQLModel's testing recipe runs the
//! production models on in-memory SQLite, so a model with a tag list must create and
//! round-trip there too. The values read back are the same on every backend, and whole-value
//! comparisons (`eq`, `ne`, `is_null`) work on both; what PostgreSQL adds (element
//! operators, GIN indexes) stays PostgreSQL's. For JSON on every backend, use
//! [`Json<Vec<T>>`](super::Json).

use super::{ArrayOf, SqlType, SqlTypeInfo, Value, ValueKind};
use crate::error::DecodeError;

/// A scalar type a `Vec` column can hold as an array: `bool`, `i16`, `i32`, `i64`, `f32`,
/// `f64`, `String` and `uuid::Uuid`. (`Vec<u8>` is bytes, not an array.)
#[diagnostic::on_unimplemented(
    message = "`Vec<{Self}>` cannot be stored as an array column",
    note = "arrays hold bool, i16, i32, i64, f32, f64, String or uuid::Uuid; store other values as JSON with \
            `tablemodel::types::Json<Vec<{Self}>>`"
)]
pub trait ArrayElement: SqlType {
    /// The element kind.
    const ELEMENT: ArrayOf;
}

macro_rules! element {
    ($($ty:ty => $kind:ident),* $(,)?) => {$(
        impl ArrayElement for $ty {
            const ELEMENT: ArrayOf = ArrayOf::$kind;
        }
    )*};
}

element!(
    bool => Bool,
    i16 => SmallInt,
    i32 => Int,
    i64 => BigInt,
    f32 => Float,
    f64 => Double,
    String => Text,
    uuid::Uuid => Uuid,
);

/// An array column: `TEXT[]` for `Vec<String>` on PostgreSQL, JSON text elsewhere.
///
/// ```
/// use tablemodel::prelude::*;
/// use tablemodel::{Dialect, ddl};
///
/// #[derive(Model, Debug)]
/// #[model(table)]
/// struct Post {
///     #[field(primary_key)]
///     id: Option<i64>,
///     tags: Vec<String>,
///     scores: Option<Vec<i64>>,
/// }
///
/// assert_eq!(ddl::column_type(Post::tags().meta(), Dialect::Postgres), "TEXT[]");
/// assert_eq!(ddl::column_type(Post::scores().meta(), Dialect::Postgres), "BIGINT[]");
/// assert_eq!(ddl::column_type(Post::tags().meta(), Dialect::Sqlite), "JSON");
/// assert!(!Dialect::Sqlite.capabilities().arrays);
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let engine = Engine::connect("sqlite::memory:").await?;
/// engine.create_all::<Post>().await?;
/// let mut s = engine.session().await?;
/// let post = s.add(Post { id: None, tags: vec!["rust".into(), "sql".into()], scores: None }).await?;
/// let found = s.exec(select::<Post>().filter(Post::tags().eq(vec!["rust".to_owned(), "sql".to_owned()]))).await?;
/// assert_eq!(found[0].tags, post.tags);
/// # Ok::<(), tablemodel::Error>(()) }).unwrap();
/// ```
impl<T: ArrayElement> SqlType for Vec<T> {
    const TYPE: SqlTypeInfo = SqlTypeInfo::of(ValueKind::Array(T::ELEMENT));
    type Base = Vec<T>;
    fn to_value(&self) -> Value {
        let items = self.iter().map(SqlType::to_value).collect();
        Value::Array(T::ELEMENT.array_type(), Some(Box::new(items)))
    }
    fn from_value(value: Value) -> Result<Self, DecodeError> {
        match value {
            Value::Array(_, Some(items)) => items.into_iter().map(T::from_value).collect(),
            Value::Array(_, None) => Err(DecodeError::new(std::any::type_name::<Self>(), "unexpected NULL")),
            other => Err(DecodeError::new(std::any::type_name::<Self>(), format!("unexpected value {other:?}"))),
        }
    }
}

impl<T: ArrayElement> crate::Operand<Vec<T>> for Vec<T> {
    fn into_operand(self) -> sea_query::Expr {
        sea_query::Expr::val(self.to_value())
    }
}

impl<T: ArrayElement> crate::Operand<Vec<T>> for &Vec<T> {
    fn into_operand(self) -> sea_query::Expr {
        sea_query::Expr::val(self.to_value())
    }
}

/// An array as JSON (the storage of backends without arrays): `[1, 2]`, `["a", null]`.
/// (Compiled with the backends that store arrays so.)
#[cfg(any(feature = "sqlite", feature = "mysql"))]
pub(crate) fn to_json(items: &[Value]) -> serde_json::Value {
    serde_json::Value::Array(items.iter().map(element_to_json).collect())
}

#[cfg(any(feature = "sqlite", feature = "mysql"))]
fn element_to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Bool(Some(b)) => J::from(*b),
        Value::SmallInt(Some(i)) => J::from(*i),
        Value::Int(Some(i)) => J::from(*i),
        Value::BigInt(Some(i)) => J::from(*i),
        Value::Float(Some(f)) => J::from(*f),
        Value::Double(Some(f)) => J::from(*f),
        Value::String(Some(s)) => J::from(s.as_str()),
        Value::Uuid(Some(u)) => J::from(u.to_string()),
        _ => J::Null,
    }
}

/// Reads an array stored as JSON back into values of `element`.
#[cfg(any(feature = "sqlite", feature = "mysql"))]
pub(crate) fn from_json(json: serde_json::Value, element: ArrayOf) -> Result<Vec<Value>, DecodeError> {
    let serde_json::Value::Array(items) = json else {
        return Err(DecodeError::new("an array", format!("stored JSON is not an array: {json}")));
    };
    let bad = |item: &serde_json::Value| DecodeError::new("an array element", format!("unexpected {item}"));
    items
        .into_iter()
        .map(|item| {
            if item.is_null() {
                return Ok(element.kind().null());
            }
            Ok(match element {
                ArrayOf::Bool => Value::Bool(Some(item.as_bool().ok_or_else(|| bad(&item))?)),
                ArrayOf::SmallInt => {
                    Value::SmallInt(Some(item.as_i64().and_then(|i| i16::try_from(i).ok()).ok_or_else(|| bad(&item))?))
                }
                ArrayOf::Int => {
                    Value::Int(Some(item.as_i64().and_then(|i| i32::try_from(i).ok()).ok_or_else(|| bad(&item))?))
                }
                ArrayOf::BigInt => Value::BigInt(Some(item.as_i64().ok_or_else(|| bad(&item))?)),
                ArrayOf::Float => Value::Float(Some(item.as_f64().ok_or_else(|| bad(&item))? as f32)),
                ArrayOf::Double => Value::Double(Some(item.as_f64().ok_or_else(|| bad(&item))?)),
                ArrayOf::Text => Value::String(Some(item.as_str().ok_or_else(|| bad(&item))?.to_owned())),
                ArrayOf::Uuid => Value::Uuid(Some(
                    item.as_str().and_then(|s| uuid::Uuid::parse_str(s).ok()).ok_or_else(|| bad(&item))?,
                )),
            })
        })
        .collect()
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;

    #[test]
    fn arrays_round_trip_through_values_and_their_json_storage() {
        let tags = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(Vec::<String>::from_value(tags.to_value()).unwrap(), tags);
        let Value::Array(_, Some(items)) = vec![1i64, -2].to_value() else { panic!() };
        let json = to_json(&items);
        assert_eq!(json, serde_json::json!([1, -2]));
        assert_eq!(
            Vec::<i64>::from_value(Value::Array(
                sea_query::ArrayType::BigInt,
                Some(Box::new(from_json(json, ArrayOf::BigInt).unwrap()))
            ))
            .unwrap(),
            [1, -2]
        );
        assert!(from_json(serde_json::json!(["x"]), ArrayOf::BigInt).is_err());
    }
}
