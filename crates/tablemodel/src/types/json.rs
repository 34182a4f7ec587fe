//! [`Json<T>`]: any serde type stored in one JSON column, as SQLModel's
//! `Field(sa_column=Column(JSON))` stores a list or a dict.

use std::ops::{Deref, DerefMut};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{SqlType, SqlTypeInfo, Value, ValueKind};
use crate::error::DecodeError;

/// A value stored as JSON in one column: `JSONB` on PostgreSQL, `JSON` on SQLite (text
/// SQLite's JSON functions read, the type SQLAlchemy declares there), `JSON` on MySQL.
///
/// `T` is any `Serialize + DeserializeOwned` type: a `Vec<String>` of tags, a `HashMap`,
/// a nested struct. In a validated model (a table model or its companions) `T` also needs
/// [`FromJson`](crate::validate::FromJson), which gives the field `T`'s JSON Schema in
/// OpenAPI and Pydantic's errors inside it (`loc: ["body", "tags", 1]`); the collections,
/// scalars and `#[derive(Model)]` structs have it. `Option<Json<T>>` is a nullable column,
/// `None` stored as SQL `NULL` (not JSON `null`).
///
/// The wrapper dereferences to `T` and serializes as `T` does, so it is invisible in API
/// bodies. For an untyped document store [`serde_json::Value`] directly (same column type).
///
/// ```
/// use tablemodel::prelude::*;
/// use tablemodel::types::Json;
///
/// #[derive(Model, Debug)]
/// #[model(table)]
/// struct Hero {
///     #[field(primary_key)]
///     id: Option<i64>,
///     name: String,
///     tags: Json<Vec<String>>,
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let engine = Engine::connect("sqlite::memory:").await?;
/// engine.create_all::<Hero>().await?;
/// let mut s = engine.session().await?;
/// let hero = Hero { id: None, name: "Deadpond".into(), tags: Json(vec!["funny".into(), "red".into()]) };
/// let hero = s.add(hero).await?;
/// assert_eq!(hero.tags.len(), 2); // derefs to the Vec
///
/// // Compared as a whole in filters.
/// let found = s.exec(select::<Hero>().filter(Hero::tags().eq(Json(vec!["funny".to_owned(), "red".to_owned()])))).await?;
/// assert_eq!(found.len(), 1);
///
/// // Validated item by item, with Pydantic's errors.
/// let err = Hero::validate(&serde_json::json!({"name": "X", "tags": ["a", 2]})).unwrap_err();
/// assert_eq!(serde_json::to_value(&err.errors()[0].loc).unwrap(), serde_json::json!(["tags", 1]));
/// # Ok::<(), tablemodel::Error>(()) }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// Takes the value out.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> From<T> for Json<T> {
    fn from(value: T) -> Self {
        Json(value)
    }
}

impl<T: Serialize> Serialize for Json<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Json<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Json)
    }
}

/// `T` as a JSON value to bind. A `Serialize` impl that fails (a map whose keys are not
/// strings) cannot be stored as JSON: it is bound as JSON `null` and logged as an error,
/// rather than failing the whole statement from a trait method that cannot return one.
pub(crate) fn to_json_value<T: Serialize + ?Sized>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_else(|e| {
        tracing::error!(target: "tablemodel", error = %e, r#type = std::any::type_name::<T>(), "value not stored as JSON");
        serde_json::Value::Null
    })
}

impl<T: Serialize + DeserializeOwned + Send + Sync + 'static> SqlType for Json<T> {
    const TYPE: SqlTypeInfo = SqlTypeInfo::of(ValueKind::Json);
    type Base = Json<T>;
    fn to_value(&self) -> Value {
        Value::Json(Some(Box::new(to_json_value(&self.0))))
    }
    fn from_value(value: Value) -> Result<Self, DecodeError> {
        match value {
            Value::Json(Some(v)) => serde_json::from_value(*v)
                .map(Json)
                .map_err(|e| DecodeError::new(std::any::type_name::<T>(), format!("stored JSON: {e}"))),
            Value::Json(None) => {
                Err(DecodeError::new(std::any::type_name::<T>(), "unexpected NULL in a NOT NULL field"))
            }
            other => Err(DecodeError::new(std::any::type_name::<T>(), format!("unexpected value {other:?}"))),
        }
    }
}

impl<T: Serialize + DeserializeOwned + Send + Sync + 'static> crate::Operand<Json<T>> for Json<T> {
    fn into_operand(self) -> sea_query::Expr {
        sea_query::Expr::val(self.to_value())
    }
}

impl<T: Serialize + DeserializeOwned + Send + Sync + 'static> crate::Operand<Json<T>> for &Json<T> {
    fn into_operand(self) -> sea_query::Expr {
        sea_query::Expr::val(self.to_value())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn a_value_round_trips_through_its_column_value() {
        let tags = Json(vec!["a".to_owned(), "b".to_owned()]);
        assert_eq!(tags.to_value(), Value::Json(Some(Box::new(serde_json::json!(["a", "b"])))));
        assert_eq!(Json::<Vec<String>>::from_value(tags.to_value()).unwrap(), tags);
        let none: Option<Json<Vec<String>>> = None;
        assert_eq!(none.to_value(), Value::Json(None));
    }

    #[test]
    fn stored_json_of_another_shape_is_a_decode_error_naming_the_type() {
        let err =
            Json::<BTreeMap<String, i64>>::from_value(Value::Json(Some(Box::new(serde_json::json!([1]))))).unwrap_err();
        assert!(err.to_string().contains("BTreeMap"), "{err}");
    }
}
