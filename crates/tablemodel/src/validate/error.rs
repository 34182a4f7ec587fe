//! Validation errors in Pydantic v2's shape (`type`, `loc`, `msg`, `input`, `ctx`), so that
//! their JSON is exactly the `detail` list FastAPI answers with in a 422.

use std::borrow::Cow;
use std::fmt;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

/// One step of an error location: an object key or an array index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LocItem {
    /// An object key (a field name or its alias).
    Key(Cow<'static, str>),
    /// An array position.
    Index(usize),
}

impl Serialize for LocItem {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            LocItem::Key(k) => s.serialize_str(k),
            LocItem::Index(i) => s.serialize_u64(*i as u64),
        }
    }
}

impl fmt::Display for LocItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocItem::Key(k) => f.write_str(k),
            LocItem::Index(i) => write!(f, "{i}"),
        }
    }
}

impl From<&'static str> for LocItem {
    fn from(key: &'static str) -> Self {
        LocItem::Key(Cow::Borrowed(key))
    }
}

impl From<String> for LocItem {
    fn from(key: String) -> Self {
        LocItem::Key(Cow::Owned(key))
    }
}

impl From<usize> for LocItem {
    fn from(index: usize) -> Self {
        LocItem::Index(index)
    }
}

/// One validation failure.
///
/// `kind` is Pydantic v2's error type code (`missing`, `string_too_short`, `int_parsing`, …)
/// and `msg` its message, so clients written against FastAPI read ours unchanged.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidationError {
    /// The error type code, serialized as `type`.
    pub kind: Cow<'static, str>,
    /// Where the bad value is, from the root of the input.
    pub loc: Vec<LocItem>,
    /// A message for humans.
    pub msg: String,
    /// The offending input value (for `missing`, the enclosing object).
    pub input: Value,
    /// The constraint's parameters (`{"min_length": 1}`), when the error has any.
    pub ctx: Option<Map<String, Value>>,
}

impl ValidationError {
    /// An error of type `kind` with message `msg` about `input`, at the root location.
    ///
    /// ```
    /// use tablemodel::validate::ValidationError;
    /// let e = ValidationError::new("missing", "Field required", serde_json::json!({})).at("name");
    /// assert_eq!(serde_json::to_value(&e).unwrap()["loc"], serde_json::json!(["name"]));
    /// ```
    pub fn new(kind: impl Into<Cow<'static, str>>, msg: impl Into<String>, input: Value) -> Self {
        ValidationError { kind: kind.into(), loc: Vec::new(), msg: msg.into(), input, ctx: None }
    }

    /// Adds a context entry.
    pub fn with_ctx(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.ctx.get_or_insert_with(Map::new).insert(key.to_owned(), value.into());
        self
    }

    /// Prepends `item` to the location.
    pub fn at(mut self, item: impl Into<LocItem>) -> Self {
        self.loc.insert(0, item.into());
        self
    }
}

impl Serialize for ValidationError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(if self.ctx.is_some() { 5 } else { 4 }))?;
        map.serialize_entry("type", &self.kind)?;
        map.serialize_entry("loc", &self.loc)?;
        map.serialize_entry("msg", &self.msg)?;
        map.serialize_entry("input", &self.input)?;
        if let Some(ctx) = &self.ctx {
            map.serialize_entry("ctx", ctx)?;
        }
        map.end()
    }
}

/// Every error found in one input, with the name of the type that was being validated.
///
/// Serializes as the bare list of errors (FastAPI's `detail`); displays like Pydantic's
/// `ValidationError`.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidationErrors {
    title: Cow<'static, str>,
    errors: Vec<ValidationError>,
}

impl ValidationErrors {
    /// Wraps the errors found while validating the type named `title`.
    pub fn new(title: impl Into<Cow<'static, str>>, errors: Vec<ValidationError>) -> Self {
        ValidationErrors { title: title.into(), errors }
    }

    /// The name of the validated type.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The errors, in input order.
    pub fn errors(&self) -> &[ValidationError] {
        &self.errors
    }

    /// Takes the errors out.
    pub fn into_errors(self) -> Vec<ValidationError> {
        self.errors
    }

    /// Prefixes every location with `item`, as FastAPI does with `"body"` or `"query"`.
    pub fn prefixed(mut self, item: impl Into<LocItem>) -> Self {
        let item = item.into();
        for e in &mut self.errors {
            e.loc.insert(0, item.clone());
        }
        self
    }

    /// The error list as JSON, FastAPI's 422 `detail`.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(&self.errors).unwrap_or(Value::Null)
    }
}

impl Serialize for ValidationErrors {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.errors.len()))?;
        for e in &self.errors {
            seq.serialize_element(e)?;
        }
        seq.end()
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(f, "{n} validation error{} for {}", if n == 1 { "" } else { "s" }, self.title)?;
        for e in &self.errors {
            let loc: Vec<String> = e.loc.iter().map(ToString::to_string).collect();
            write!(f, "\n{}\n  {} [type={}, input_value={}]", loc.join("."), e.msg, e.kind, e.input)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// The error a custom validator returns; it becomes a `value_error` entry
/// (`"Value error, <message>"`) at the validated field, as a Pydantic `ValueError` does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError(pub String);

impl ValueError {
    /// A value error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        ValueError(message.into())
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ValueError {
    fn from(message: &str) -> Self {
        ValueError(message.to_owned())
    }
}

impl From<String> for ValueError {
    fn from(message: String) -> Self {
        ValueError(message)
    }
}
