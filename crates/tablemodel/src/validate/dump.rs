//! Turning a model into JSON with Pydantic's `model_dump` options.

use std::cell::Cell;
use std::collections::BTreeSet;

use serde_json::Value;

/// Options for [`Schema::dump_with`](super::Schema::dump_with), after Pydantic's
/// `model_dump(include=…, exclude=…, exclude_unset=…, exclude_none=…)`.
///
/// Field names in `include` / `exclude` are the keys of the output: aliases where a field has
/// one, unless [`by_alias(false)`](Self::by_alias) writes field names.
///
/// ```
/// use tablemodel::validate::Dump;
/// let opts = Dump::new().exclude(["secret_name"]).exclude_none();
/// # let _ = opts;
/// ```
#[derive(Clone, Debug, Default)]
pub struct Dump {
    pub(crate) include: Option<BTreeSet<String>>,
    pub(crate) exclude: BTreeSet<String>,
    pub(crate) exclude_unset: bool,
    pub(crate) exclude_none: bool,
    pub(crate) by_name: bool,
}

impl Dump {
    /// Every field.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only these top-level fields.
    pub fn include<I: IntoIterator<Item = S>, S: Into<String>>(mut self, fields: I) -> Self {
        self.include = Some(fields.into_iter().map(Into::into).collect());
        self
    }

    /// Leave out these top-level fields.
    pub fn exclude<I: IntoIterator<Item = S>, S: Into<String>>(mut self, fields: I) -> Self {
        self.exclude.extend(fields.into_iter().map(Into::into));
        self
    }

    /// Leave out the fields the input did not set (an Update type's absent fields).
    pub fn exclude_unset(mut self) -> Self {
        self.exclude_unset = true;
        self
    }

    /// Leave out `null` values, in nested objects too.
    pub fn exclude_none(mut self) -> Self {
        self.exclude_none = true;
        self
    }

    /// Pydantic's `by_alias`: `true` (the default here, and what FastAPI answers with) writes
    /// each field under its alias (`serialization_alias`, else `alias`); `false` writes its
    /// Rust field name, in nested models too. (Pydantic's `model_dump` defaults to `false`.)
    ///
    /// ```
    /// use tablemodel::prelude::*;
    /// use tablemodel::validate::Dump;
    ///
    /// #[derive(Model)]
    /// struct Hero {
    ///     #[field(alias = "secretName")]
    ///     secret_name: String,
    /// }
    ///
    /// let hero = Hero { secret_name: "Dive Wilson".into() };
    /// assert_eq!(hero.dump(), serde_json::json!({"secretName": "Dive Wilson"}));
    /// let by_name = hero.dump_with(&Dump::new().by_alias(false));
    /// assert_eq!(by_name, serde_json::json!({"secret_name": "Dive Wilson"}));
    /// assert_eq!(hero.dump_json_with(&Dump::new().by_alias(false)), r#"{"secret_name":"Dive Wilson"}"#);
    /// ```
    pub fn by_alias(mut self, by_alias: bool) -> Self {
        self.by_name = !by_alias;
        self
    }

    /// Serializes `model` under these options' naming (aliases or field names).
    pub(crate) fn serialize<T: serde::Serialize + ?Sized>(&self, model: &T) -> Value {
        let previous = BY_NAME.replace(self.by_name);
        let _restore = Restore(previous);
        serde_json::to_value(model).unwrap_or(Value::Null)
    }

    pub(crate) fn apply(&self, mut value: Value, fields_set: &[&str]) -> Value {
        if let Value::Object(map) = &mut value {
            map.retain(|key, _| {
                self.include.as_ref().is_none_or(|inc| inc.contains(key))
                    && !self.exclude.contains(key)
                    && (!self.exclude_unset || fields_set.contains(&key.as_str()))
            });
        }
        if self.exclude_none {
            drop_nulls(&mut value);
        }
        value
    }
}

fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

thread_local! {
    /// Whether models serialized on this thread now write field names instead of aliases.
    static BY_NAME: Cell<bool> = const { Cell::new(false) };
}

/// Puts back the previous naming when a dump ends, even by a panic.
struct Restore(bool);

impl Drop for Restore {
    fn drop(&mut self) {
        BY_NAME.set(self.0);
    }
}

/// Whether a generated `Serialize` impl writes field names rather than aliases: set only
/// during a [`Dump::by_alias(false)`](Dump::by_alias) dump.
pub fn serialize_by_name() -> bool {
    BY_NAME.get()
}
