//! The field constraints (`min_length`, `pattern`, `ge`, `multiple_of`, `max_digits`, …),
//! each checked with Pydantic v2's error code, message and `ctx`.
//!
//! Generated code calls these after a field's type was read; an `Option` field is checked
//! only when it holds a value.

use std::fmt::Display;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::error::ValidationError;
use super::validator::Validator;

/// A field value the constraints look into: the value itself, or the content of an `Option`.
pub trait Constrained {
    /// The checked type.
    type Inner: ?Sized;
    /// The value to check, `None` when there is nothing to check (an empty `Option`).
    fn constrained(&self) -> Option<&Self::Inner>;
}

macro_rules! constrained {
    ($($t:ty),*) => {$(
        impl Constrained for $t {
            type Inner = $t;
            fn constrained(&self) -> Option<&$t> { Some(self) }
        }
    )*};
}
constrained!(String, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, Decimal);

impl<T> Constrained for Vec<T> {
    type Inner = Vec<T>;
    fn constrained(&self) -> Option<&Vec<T>> {
        Some(self)
    }
}

impl<T: Constrained> Constrained for crate::types::Json<T> {
    type Inner = T::Inner;
    fn constrained(&self) -> Option<&T::Inner> {
        self.0.constrained()
    }
}

impl<T: Constrained> Constrained for Option<T> {
    type Inner = T::Inner;
    fn constrained(&self) -> Option<&T::Inner> {
        self.as_ref().and_then(Constrained::constrained)
    }
}

/// Something with a length: strings count characters (as Python does), lists count items.
pub trait Length {
    /// The length.
    fn length(&self) -> usize;
    /// Whether this is a list (its errors say `too_short`/`too_long`) or a string.
    const IS_LIST: bool;
}

impl Length for String {
    fn length(&self) -> usize {
        self.chars().count()
    }
    const IS_LIST: bool = false;
}

impl<T> Length for Vec<T> {
    fn length(&self) -> usize {
        self.len()
    }
    const IS_LIST: bool = true;
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { word.to_owned() } else { format!("{word}s") }
}

/// `min_length` (strings) / `min_items` (lists).
pub fn min_length<L: Length + ?Sized>(v: &mut Validator, value: &L, input: &Value, min: usize) {
    let n = value.length();
    if n >= min {
        return;
    }
    v.push(if L::IS_LIST {
        let msg = format!("List should have at least {min} {} after validation, not {n}", plural(min, "item"));
        ValidationError::new("too_short", msg, input.clone())
            .with_ctx("field_type", "List")
            .with_ctx("min_length", min)
            .with_ctx("actual_length", n)
    } else {
        let msg = format!("String should have at least {min} {}", plural(min, "character"));
        ValidationError::new("string_too_short", msg, input.clone()).with_ctx("min_length", min)
    });
}

/// `max_length` (strings) / `max_items` (lists).
pub fn max_length<L: Length + ?Sized>(v: &mut Validator, value: &L, input: &Value, max: usize) {
    let n = value.length();
    if n <= max {
        return;
    }
    v.push(if L::IS_LIST {
        let msg = format!("List should have at most {max} {} after validation, not {n}", plural(max, "item"));
        ValidationError::new("too_long", msg, input.clone())
            .with_ctx("field_type", "List")
            .with_ctx("max_length", max)
            .with_ctx("actual_length", n)
    } else {
        let msg = format!("String should have at most {max} {}", plural(max, "character"));
        ValidationError::new("string_too_long", msg, input.clone()).with_ctx("max_length", max)
    });
}

/// `pattern`: the regex must match somewhere in the string (anchor it with `^…$` for a full
/// match), as in Pydantic.
pub fn pattern(v: &mut Validator, value: &str, input: &Value, regex: &regex::Regex) {
    if !regex.is_match(value) {
        let msg = format!("String should match pattern '{}'", regex.as_str());
        v.push(ValidationError::new("string_pattern_mismatch", msg, input.clone()).with_ctx("pattern", regex.as_str()));
    }
}

/// A bound given in an attribute (`ge = 0`, `lt = 2.5`): an integer or a float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    /// An integer literal.
    Int(i128),
    /// A float literal.
    Float(f64),
}

impl Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::Int(i) => write!(f, "{i}"),
            Bound::Float(x) => write!(f, "{x}"),
        }
    }
}

impl Bound {
    /// The bound as it appears in JSON Schema and in an error's `ctx`.
    pub fn to_json(self) -> Value {
        match self {
            Bound::Int(i) => i64::try_from(i).map(Value::from).unwrap_or_else(|_| json!(i as f64)),
            Bound::Float(x) => json!(x),
        }
    }
}

/// A number the bounds compare with.
pub trait Numeric {
    /// `self` compared with `bound`.
    fn cmp_bound(&self, bound: Bound) -> Option<std::cmp::Ordering>;
    /// Whether `self` is a whole multiple of `bound`.
    fn is_multiple_of(&self, bound: Bound) -> bool;
    /// Whether the type is a float: Pydantic reports an integer bound as a float in `ctx` then.
    const FLOAT: bool = false;
}

fn ctx_bound<N: Numeric + ?Sized>(bound: Bound) -> Value {
    match bound {
        Bound::Int(i) if N::FLOAT => json!(i as f64),
        other => other.to_json(),
    }
}

macro_rules! numeric_int {
    ($($t:ty),*) => {$(
        impl Numeric for $t {
            fn cmp_bound(&self, bound: Bound) -> Option<std::cmp::Ordering> {
                match bound {
                    Bound::Int(b) => Some(i128::from(*self).cmp(&b)),
                    Bound::Float(b) => (*self as f64).partial_cmp(&b),
                }
            }
            fn is_multiple_of(&self, bound: Bound) -> bool {
                match bound {
                    Bound::Int(0) => false,
                    Bound::Int(b) => i128::from(*self) % b == 0,
                    Bound::Float(b) => float_multiple(*self as f64, b),
                }
            }
        }
    )*};
}
numeric_int!(i8, i16, i32, i64, u8, u16, u32, u64);

fn float_multiple(x: f64, m: f64) -> bool {
    if m == 0.0 {
        return false;
    }
    let q = x / m;
    (q - q.round()).abs() < 1e-9
}

macro_rules! numeric_float {
    ($($t:ty),*) => {$(
        impl Numeric for $t {
            fn cmp_bound(&self, bound: Bound) -> Option<std::cmp::Ordering> {
                let b = match bound { Bound::Int(b) => b as f64, Bound::Float(b) => b };
                f64::from(*self).partial_cmp(&b)
            }
            fn is_multiple_of(&self, bound: Bound) -> bool {
                let b = match bound { Bound::Int(b) => b as f64, Bound::Float(b) => b };
                float_multiple(f64::from(*self), b)
            }
            const FLOAT: bool = true;
        }
    )*};
}
numeric_float!(f32, f64);

fn decimal_bound(bound: Bound) -> Option<Decimal> {
    match bound {
        Bound::Int(b) => i64::try_from(b).ok().map(Decimal::from),
        Bound::Float(b) => Decimal::try_from(b).ok(),
    }
}

impl Numeric for Decimal {
    fn cmp_bound(&self, bound: Bound) -> Option<std::cmp::Ordering> {
        decimal_bound(bound).map(|b| self.cmp(&b))
    }
    fn is_multiple_of(&self, bound: Bound) -> bool {
        decimal_bound(bound).is_some_and(|b| !b.is_zero() && (self % b).is_zero())
    }
}

/// Which comparison a bound stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// `gt`: strictly greater.
    Gt,
    /// `ge`: greater or equal.
    Ge,
    /// `lt`: strictly less.
    Lt,
    /// `le`: less or equal.
    Le,
}

/// `gt`, `ge`, `lt`, `le`.
pub fn compare<N: Numeric + ?Sized>(v: &mut Validator, value: &N, input: &Value, op: Comparison, bound: Bound) {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let ord = value.cmp_bound(bound);
    let (ok, kind, words, key) = match op {
        Comparison::Gt => (ord == Some(Greater), "greater_than", "greater than", "gt"),
        Comparison::Ge => {
            (matches!(ord, Some(Greater | Equal)), "greater_than_equal", "greater than or equal to", "ge")
        }
        Comparison::Lt => (ord == Some(Less), "less_than", "less than", "lt"),
        Comparison::Le => (matches!(ord, Some(Less | Equal)), "less_than_equal", "less than or equal to", "le"),
    };
    if !ok {
        let msg = format!("Input should be {words} {bound}");
        v.push(ValidationError::new(kind, msg, input.clone()).with_ctx(key, ctx_bound::<N>(bound)));
    }
}

/// `multiple_of`.
pub fn multiple_of<N: Numeric + ?Sized>(v: &mut Validator, value: &N, input: &Value, bound: Bound) {
    if !value.is_multiple_of(bound) {
        let msg = format!("Input should be a multiple of {bound}");
        v.push(ValidationError::new("multiple_of", msg, input.clone()).with_ctx("multiple_of", ctx_bound::<N>(bound)));
    }
}

/// `max_digits` and `decimal_places` on a decimal, checked in Pydantic's order: total
/// digits, then places, then digits before the point.
pub fn decimal_digits(
    v: &mut Validator,
    value: &Decimal,
    input: &Value,
    max_digits: Option<u32>,
    decimal_places: Option<u32>,
) {
    let normalized = value.normalize();
    let places = normalized.scale();
    let mantissa_digits = normalized.mantissa().unsigned_abs().to_string().trim_start_matches('0').len() as u32;
    let digits = mantissa_digits.max(places);
    if let Some(max) = max_digits
        && digits > max
    {
        let msg = format!("Decimal input should have no more than {max} {} in total", plural(max as usize, "digit"));
        v.push(ValidationError::new("decimal_max_digits", msg, input.clone()).with_ctx("max_digits", max));
        return;
    }
    if let Some(dp) = decimal_places
        && places > dp
    {
        let msg = format!("Decimal input should have no more than {dp} decimal {}", plural(dp as usize, "place"));
        v.push(ValidationError::new("decimal_max_places", msg, input.clone()).with_ctx("decimal_places", dp));
        return;
    }
    if let (Some(max), Some(dp)) = (max_digits, decimal_places) {
        let whole = max.saturating_sub(dp);
        if digits - places > whole {
            let msg = format!(
                "Decimal input should have no more than {whole} {} before the decimal point",
                plural(whole as usize, "digit")
            );
            v.push(ValidationError::new("decimal_whole_digits", msg, input.clone()).with_ctx("whole_digits", whole));
        }
    }
}

/// Implemented when tablemodel's `email` feature is on; `format = "email"` needs it.
#[diagnostic::on_unimplemented(
    message = "`format = \"email\"` needs tablemodel's `email` feature",
    label = "enable it: tablemodel = {{ features = [\"email\"] }}"
)]
pub trait EmailFeature {}
#[cfg(feature = "email")]
#[cfg_attr(docsrs, doc(cfg(feature = "email")))]
impl EmailFeature for Validator {}

/// Implemented when tablemodel's `url` feature is on; `format = "url"` needs it.
#[diagnostic::on_unimplemented(
    message = "`format = \"url\"` needs tablemodel's `url` feature",
    label = "enable it: tablemodel = {{ features = [\"url\"] }}"
)]
pub trait UrlFeature {}
#[cfg(feature = "url")]
#[cfg_attr(docsrs, doc(cfg(feature = "url")))]
impl UrlFeature for Validator {}

/// `format = "email"`: an address in the common RFC 5322 form.
#[allow(unused_variables)]
pub fn email<V: EmailFeature + AsValidator>(v: &mut V, value: &str, input: &Value) {
    #[cfg(feature = "email")]
    if let Err(e) = value.parse::<email_address::EmailAddress>() {
        let v = v.as_validator();
        let reason = e.to_string();
        let msg = format!("value is not a valid email address: {reason}");
        v.push(ValidationError::new("value_error", msg, input.clone()).with_ctx("reason", reason));
    }
}

/// `format = "url"`: an absolute URL.
#[allow(unused_variables)]
pub fn url<V: UrlFeature + AsValidator>(v: &mut V, value: &str, input: &Value) {
    #[cfg(feature = "url")]
    if let Err(e) = url::Url::parse(value) {
        let v = v.as_validator();
        let error = e.to_string();
        let msg = format!("Input should be a valid URL, {error}");
        v.push(ValidationError::new("url_parsing", msg, input.clone()).with_ctx("error", error));
    }
}

impl<T: Constrained> Constrained for super::Patch<T> {
    type Inner = T::Inner;
    fn constrained(&self) -> Option<&T::Inner> {
        match self {
            super::Patch::Set(v) => v.constrained(),
            _ => None,
        }
    }
}

/// Gives the format checks their validator back from the feature-gated generic parameter.
pub trait AsValidator {
    /// The validator.
    fn as_validator(&mut self) -> &mut Validator;
}

impl AsValidator for Validator {
    fn as_validator(&mut self) -> &mut Validator {
        self
    }
}
