//! The state one validation run carries: the current location and the errors found so far,
//! so that every error of an input is reported at once.

use serde_json::Value;

use super::coerce::FromJson;
use super::error::{LocItem, ValidationError, ValidationErrors, ValueError};

/// Collects errors while a value is validated; generated code and [`FromJson`] impls push
/// errors here instead of returning at the first one.
#[derive(Debug, Default)]
pub struct Validator {
    loc: Vec<LocItem>,
    errors: Vec<ValidationError>,
    /// Constraints and custom validators skipped: types and defaults only
    /// ([`Schema::construct_unchecked`](super::Schema::construct_unchecked)).
    unchecked: bool,
}

impl Validator {
    /// An empty validator at the root location.
    pub fn new() -> Self {
        Self::default()
    }

    /// A validator that reads types and fills defaults but skips every constraint and
    /// custom validator, as Pydantic's `model_construct` does; see
    /// [`Schema::construct_unchecked`](super::Schema::construct_unchecked).
    pub fn unchecked() -> Self {
        Validator { unchecked: true, ..Self::default() }
    }

    /// Whether constraints and custom validators run (false for [`Validator::unchecked`]).
    pub fn checks(&self) -> bool {
        !self.unchecked
    }

    /// Records `error` at the current location (plus the error's own relative location).
    pub fn push(&mut self, mut error: ValidationError) {
        let mut loc = self.loc.clone();
        loc.append(&mut error.loc);
        error.loc = loc;
        self.errors.push(error);
    }

    /// Records a custom validator's failure as Pydantic's `value_error`.
    pub fn value_error(&mut self, error: ValueError, input: &Value) {
        let msg = format!("Value error, {}", error.0);
        self.push(ValidationError::new("value_error", msg, input.clone()).with_ctx("error", error.0));
    }

    /// How many errors were recorded so far; compare later to see whether a step failed.
    pub fn error_count(&self) -> usize {
        self.errors.len()
    }

    /// Runs `f` one level deeper, under `item`.
    pub fn nested<R>(&mut self, item: impl Into<LocItem>, f: impl FnOnce(&mut Self) -> R) -> R {
        self.loc.push(item.into());
        let out = f(self);
        self.loc.pop();
        out
    }

    /// Validates object member `key` of `object` as a `T`: a missing key takes `default`, or
    /// `T`'s own missing value (`None` for options), or is a `missing` error.
    pub fn field<T: FromJson>(
        &mut self,
        object: &serde_json::Map<String, Value>,
        whole: &Value,
        key: &'static str,
        default: impl FnOnce() -> Option<T>,
    ) -> Option<T> {
        match object.get(key) {
            Some(value) => self.nested(key, |v| T::from_json(value, v)),
            None => default().or_else(T::when_missing).or_else(|| {
                self.push(ValidationError::new("missing", "Field required", whole.clone()).at(key));
                None
            }),
        }
    }

    /// Ends the run: the value if no error was recorded, else every error.
    pub fn finish<T>(self, title: &'static str, value: Option<T>) -> Result<T, ValidationErrors> {
        match value {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ => Err(ValidationErrors::new(title, self.errors)),
        }
    }

    /// The errors recorded so far.
    pub fn into_errors(self) -> Vec<ValidationError> {
        self.errors
    }
}

/// A field validator (`#[field(validator = path)]`) for a field of type `T`: a function
/// `fn(T) -> Result<T, E>` with `E: Into<ValueError>` (a `ValueError`, a `String`, a
/// `&str`). The derive calls validators through it, so a function of another shape is
/// reported at the attribute that names it.
///
/// ```
/// use tablemodel::validate::{FieldValidator, ValueError};
///
/// fn trimmed(s: String) -> Result<String, ValueError> {
///     Ok(s.trim().to_owned())
/// }
/// assert_eq!(FieldValidator::<String, _>::run(&trimmed, " a ".into()).unwrap(), "a");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a validator for a field of type `{T}`",
    label = "this validator does not take and return a `{T}`",
    note = "a field validator is a `fn({T}) -> Result<{T}, ValueError>`; on an Update type it is applied to the \
            value sent, so write it for the table model's field type"
)]
pub trait FieldValidator<T, E> {
    /// Runs the validator on `value`.
    fn run(&self, value: T) -> Result<T, ValueError>;
}

impl<T, E: Into<ValueError>, F: Fn(T) -> Result<T, E>> FieldValidator<T, E> for F {
    fn run(&self, value: T) -> Result<T, ValueError> {
        self(value).map_err(Into::into)
    }
}
