//! Turning a model into JSON with Pydantic's `model_dump` options.

use std::collections::BTreeSet;

use serde_json::Value;

/// Options for [`Schema::dump_with`](super::Schema::dump_with), after Pydantic's
/// `model_dump(include=…, exclude=…, exclude_unset=…, exclude_none=…)`.
///
/// Field names are the serialized names (aliases where a field has one).
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
