//! The three-state value of a PATCH field: absent, explicitly `null`, or a value.

use schemars::SchemaGenerator;
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::coerce::FromJson;
use super::validator::Validator;

/// A nullable field of an Update type: `Unset` when the client did not send it (leave the
/// column alone), `Null` when it sent `null` (clear the column), `Set` with a new value.
///
/// ```
/// use tablemodel::validate::Patch;
/// let mut age = Some(30);
/// Patch::Unset.apply_to(&mut age);
/// assert_eq!(age, Some(30));
/// Patch::Null.apply_to(&mut age);
/// assert_eq!(age, None);
/// Patch::Set(41).apply_to(&mut age);
/// assert_eq!(age, Some(41));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Patch<T> {
    /// Not sent.
    #[default]
    Unset,
    /// Sent as `null`.
    Null,
    /// Sent with a value.
    Set(T),
}

impl<T> Patch<T> {
    /// Whether the field was sent at all.
    pub fn is_set(&self) -> bool {
        !matches!(self, Patch::Unset)
    }

    /// Writes the sent value (or `None` for `null`) into `target`; `Unset` leaves it.
    pub fn apply_to(self, target: &mut Option<T>) {
        match self {
            Patch::Unset => {}
            Patch::Null => *target = None,
            Patch::Set(v) => *target = Some(v),
        }
    }

    /// `None` when unset, `Some(None)` for `null`, `Some(Some(v))` for a value.
    pub fn into_option(self) -> Option<Option<T>> {
        match self {
            Patch::Unset => None,
            Patch::Null => Some(None),
            Patch::Set(v) => Some(Some(v)),
        }
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `Some(v)` sets, `None` clears.
    fn from(value: Option<T>) -> Self {
        value.map_or(Patch::Null, Patch::Set)
    }
}

impl<T: FromJson> FromJson for Patch<T> {
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        match value {
            Value::Null => Some(Patch::Null),
            other => T::from_json(other, v).map(Patch::Set),
        }
    }
    fn when_missing() -> Option<Self> {
        Some(Patch::Unset)
    }
    fn field_schema(generator: &mut SchemaGenerator) -> Value {
        <Option<T>>::field_schema(generator)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    /// Unset and `null` both serialize as `null`; [`Dump::exclude_unset`](super::Dump)
    /// leaves unset fields out.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Set(v) => v.serialize(s),
            _ => s.serialize_none(),
        }
    }
}
