//! The Pydantic half of a model: validation with every error reported at once, Pydantic v2
//! error codes, dumping, PATCH values, and JSON Schema (draft 2020-12, as OpenAPI 3.1 uses).
//!
//! `#[derive(Model)]` implements [`Schema`] for every model, table or not, and for the
//! companion types it generates (`create = "HeroCreate"`, `public = …`, `update = …`).
//!
//! ```
//! use tablemodel::prelude::*;
//!
//! #[derive(Model, Debug)]
//! struct Signup {
//!     #[field(min_length = 3, pattern = "^[a-z0-9_]+$")]
//!     user: String,
//!     #[field(ge = 13)]
//!     age: Option<i32>,
//! }
//!
//! let ok = Signup::validate(&serde_json::json!({"user": "deadpond", "age": "42"})).unwrap();
//! assert_eq!(ok.age, Some(42));
//!
//! let err = Signup::validate(&serde_json::json!({"user": "X!", "age": 7})).unwrap_err();
//! let types: Vec<&str> = err.errors().iter().map(|e| e.kind.as_ref()).collect();
//! // Every field's error at once; within a field, its first failed constraint (as Pydantic).
//! assert_eq!(types, ["string_too_short", "greater_than_equal"]);
//! ```

mod coerce;
pub mod constraints;
mod dump;
mod error;
mod patch;
mod schema;
mod validator;

pub use coerce::FromJson;
pub use dump::Dump;
pub use error::{LocItem, ValidationError, ValidationErrors, ValueError};
pub use patch::Patch;
pub use validator::{FieldValidator, Validator};

/// A model with the fields its input set, from [`Schema::validate_tracked`].
#[derive(Clone, Debug, PartialEq)]
pub struct Validated<T> {
    model: T,
    fields_set: Vec<String>,
}

impl<T: Schema> Validated<T> {
    /// The serialized names of the fields the input gave, in input order; a field that took
    /// its default is not among them.
    pub fn fields_set(&self) -> &[String] {
        &self.fields_set
    }

    /// The model.
    pub fn model(&self) -> &T {
        &self.model
    }

    /// Takes the model out.
    pub fn into_inner(self) -> T {
        self.model
    }

    /// [`Schema::dump_with`], where `exclude_unset` keeps only the fields the input set.
    pub fn dump_with(&self, options: &Dump) -> Value {
        let set: Vec<&str> = self.fields_set.iter().map(String::as_str).collect();
        options.apply(options.serialize(&self.model), &set)
    }
}

/// What the code `#[derive(Model)]` and `#[derive(DbEnum)]` generate calls; re-exported by
/// `crate::__private`, not a public API.
pub(crate) mod support {
    pub use super::coerce::{enum_definition, enum_from_json, enum_json_schema};
    pub use super::dump::serialize_by_name;
    pub use super::schema::{merge_flattened, object as schema_object, property as schema_property, title_case};
}

use serde::Serialize;
use serde_json::Value;

/// A validated, serializable model with a JSON Schema; implemented by `#[derive(Model)]`.
pub trait Schema: FromJson + Serialize + schemars::JsonSchema {
    /// The model's name, used as its schema title and in error reports.
    const TITLE: &'static str;

    /// Validates a JSON value (Pydantic's `model_validate`): every error of the input at once.
    fn validate(value: &Value) -> Result<Self, ValidationErrors> {
        let mut v = Validator::new();
        let out = Self::from_json(value, &mut v);
        v.finish(Self::TITLE, out)
    }

    /// Builds the model without checking it: Pydantic's `model_construct`, for data that
    /// was validated before (rows exported by this service, a trusted cache). Values are
    /// read with their types' rules (a string is still not an integer: that is an error,
    /// as Rust has nowhere to put it) and missing fields take their defaults, but no
    /// constraint (`min_length`, `ge`, `pattern`…) and no custom validator runs, so the
    /// model may break them.
    ///
    /// A table model built so is still checked when written (`Session::add`), unless it is
    /// written with `Session::add_unchecked`.
    ///
    /// ```
    /// use tablemodel::prelude::*;
    ///
    /// #[derive(Model, Debug)]
    /// struct Hero {
    ///     #[field(min_length = 3)]
    ///     name: String,
    ///     #[field(ge = 0, default = 0)]
    ///     age: i32,
    /// }
    ///
    /// assert!(Hero::validate(&serde_json::json!({"name": "X", "age": -1})).is_err());
    /// let hero = Hero::construct_unchecked(&serde_json::json!({"name": "X"})).unwrap();
    /// assert_eq!((hero.name.as_str(), hero.age), ("X", 0));
    /// // Types are still read: there is no `i32` in "old".
    /// assert!(Hero::construct_unchecked(&serde_json::json!({"name": "X", "age": "old"})).is_err());
    /// ```
    fn construct_unchecked(value: &Value) -> Result<Self, ValidationErrors> {
        let mut v = Validator::unchecked();
        let out = Self::from_json(value, &mut v);
        v.finish(Self::TITLE, out)
    }

    /// Parses and validates JSON text (`model_validate_json`); text that is not JSON is one
    /// `json_invalid` error.
    fn validate_json(input: impl AsRef<[u8]>) -> Result<Self, ValidationErrors> {
        let input = input.as_ref();
        match serde_json::from_slice::<Value>(input) {
            Ok(value) => Self::validate(&value),
            Err(e) => {
                let text = String::from_utf8_lossy(input).into_owned();
                let error = ValidationError::new("json_invalid", format!("Invalid JSON: {e}"), Value::String(text))
                    .with_ctx("error", e.to_string());
                Err(ValidationErrors::new(Self::TITLE, vec![error]))
            }
        }
    }

    /// Validates another value's fields as this model, with `update` entries (for example a
    /// server-computed `hashed_password`) added or replacing: `model_validate(obj, update=…)`.
    ///
    /// `update` must be a JSON object or `null`.
    fn validate_from<S: Serialize + ?Sized>(source: &S, update: Value) -> Result<Self, ValidationErrors> {
        let mut value = serde_json::to_value(source).unwrap_or(Value::Null);
        if let (Value::Object(target), Value::Object(extra)) = (&mut value, update) {
            target.extend(extra);
        }
        Self::validate(&value)
    }

    /// The serialized names of the fields the value was given (all of them, except an Update
    /// type's unset fields).
    fn fields_set(&self) -> Vec<&'static str>;

    /// The model as JSON (`model_dump(mode="json")`).
    fn dump(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The model as JSON with include/exclude options.
    fn dump_with(&self, options: &Dump) -> Value {
        options.apply(options.serialize(self), &self.fields_set())
    }

    /// The model as JSON text (`model_dump_json()`): compact, keys in declaration order,
    /// aliases used; the bytes FastAPI would answer with.
    ///
    /// ```
    /// use tablemodel::prelude::*;
    ///
    /// #[derive(Model)]
    /// struct Hero {
    ///     name: String,
    ///     age: Option<i32>,
    /// }
    ///
    /// let hero = Hero { name: "Deadpond".into(), age: None };
    /// assert_eq!(hero.dump_json(), r#"{"name":"Deadpond","age":null}"#);
    /// ```
    fn dump_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "null".to_owned())
    }

    /// [`dump_with`](Self::dump_with) as JSON text (`model_dump_json(exclude_unset=True, …)`).
    fn dump_json_with(&self, options: &Dump) -> String {
        self.dump_with(options).to_string()
    }

    /// Validates like [`validate`](Self::validate) and remembers which fields the input set
    /// (Pydantic's `model_fields_set`), so that
    /// [`Validated::dump_with`]`(&Dump::new().exclude_unset())` leaves out the fields that
    /// took their default.
    ///
    /// ```
    /// use tablemodel::prelude::*;
    /// use tablemodel::validate::Dump;
    ///
    /// #[derive(Model)]
    /// struct Settings {
    ///     name: String,
    ///     #[field(default = 10)]
    ///     limit: i64,
    /// }
    ///
    /// let given = Settings::validate_tracked(&serde_json::json!({"name": "x"})).unwrap();
    /// assert_eq!(given.fields_set(), ["name"]);
    /// assert_eq!(given.dump_with(&Dump::new().exclude_unset()), serde_json::json!({"name": "x"}));
    /// assert_eq!(given.into_inner().limit, 10);
    /// ```
    fn validate_tracked(value: &Value) -> Result<Validated<Self>, ValidationErrors> {
        let model = Self::validate(value)?;
        let properties = Self::model_json_schema();
        let known = properties.get("properties").and_then(Value::as_object);
        let fields_set = value
            .as_object()
            .into_iter()
            .flatten()
            .map(|(key, _)| key)
            .filter(|key| known.is_some_and(|known| known.contains_key(key.as_str())))
            .cloned()
            .collect();
        Ok(Validated { model, fields_set })
    }

    /// The model's standalone JSON Schema document (`model_json_schema()`), nested models
    /// under `$defs`.
    fn model_json_schema() -> Value {
        let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
        let mut root = generator.into_root_schema_for::<Self>().to_value();
        if let Value::Object(map) = &mut root {
            map.remove("$schema");
        }
        root
    }
}
