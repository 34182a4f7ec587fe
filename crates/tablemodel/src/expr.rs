//! Typed SQL expressions: filters, operands and orderings.
//!
//! Everything here wraps sea-query's expression tree; the types only add what Rust can
//! check at compile time (a column of `i32` compares with an `i32`, not a string). The one
//! exception is the most common filter, a column compared with a value (`Hero::id().eq(7)`),
//! which is kept as its three parts ([`Cond::Compare`]) and becomes a sea-query tree only
//! when its statement is rendered: a query repeated through the statement cache then builds,
//! walks and drops no boxed tree at all.

use sea_query::ExprTrait;

use crate::meta::TableMeta;
use crate::types::{SqlType, Value};

/// A boolean SQL condition, for `filter`, `having` and join conditions.
///
/// Combine with [`Filter::and`], [`Filter::or`], [`Filter::not`], or [`and_`], [`or_`],
/// [`not_`] (SQLModel's spelling).
#[derive(Clone, Debug)]
#[must_use]
pub struct Filter(pub(crate) Cond);

/// What a [`Filter`] holds.
#[derive(Clone, Debug)]
pub(crate) enum Cond {
    /// `"table"."column" <op> value`, the value bound: the same SQL as the tree
    /// [`Cond::into_expr`] builds, without building it. The column is a position in its
    /// table's metadata, and the tree is boxed, so that a select with one condition is
    /// small enough to move without a call to `memcpy`.
    Compare { table: &'static TableMeta, column: u32, op: CompareOp, value: Value },
    /// Any other condition, as sea-query's tree.
    Expr(Box<sea_query::Expr>),
}

/// The comparison of a [`Cond::Compare`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CompareOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Cond {
    /// `column <op> operand`: a [`Cond::Compare`] when the operand is a value.
    #[inline]
    pub(crate) fn compare(table: &'static TableMeta, column: usize, op: CompareOp, operand: sea_query::Expr) -> Cond {
        match operand {
            sea_query::Expr::Value(value) => Cond::Compare { table, column: column as u32, op, value },
            other => Cond::Expr(Box::new(op.apply(column_expr(table, column as u32), other))),
        }
    }

    /// The condition as sea-query's tree.
    pub(crate) fn into_expr(self) -> sea_query::Expr {
        match self {
            Cond::Compare { table, column, op, value } => {
                op.apply(column_expr(table, column), sea_query::Expr::val(value))
            }
            Cond::Expr(expr) => *expr,
        }
    }

    /// A copy of the condition as sea-query's tree.
    pub(crate) fn to_expr(&self) -> sea_query::Expr {
        self.clone().into_expr()
    }
}

/// `"table"."column"` of column `column` of `table`.
fn column_expr(table: &'static TableMeta, column: u32) -> sea_query::Expr {
    sea_query::Expr::col((table.name, table.columns[column as usize].name))
}

impl CompareOp {
    fn apply(self, left: sea_query::Expr, right: sea_query::Expr) -> sea_query::Expr {
        match self {
            CompareOp::Eq => left.eq(right),
            CompareOp::Ne => left.ne(right),
            CompareOp::Gt => left.gt(right),
            CompareOp::Ge => left.gte(right),
            CompareOp::Lt => left.lt(right),
            CompareOp::Le => left.lte(right),
        }
    }
}

impl Filter {
    /// Both conditions.
    pub fn and(self, other: Filter) -> Filter {
        Filter(Cond::Expr(Box::new(self.into_expr().and(other.into_expr()))))
    }

    /// Either condition.
    pub fn or(self, other: Filter) -> Filter {
        Filter(Cond::Expr(Box::new(self.into_expr().or(other.into_expr()))))
    }

    /// The negated condition.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Filter {
        Filter(Cond::Expr(Box::new(self.into_expr().not())))
    }

    /// A condition from a hand-built sea-query expression (an escape hatch for SQL the
    /// typed API does not cover; values in it should still be bound with `Expr::val`).
    pub fn from_expr(expr: sea_query::Expr) -> Filter {
        Filter(Cond::Expr(Box::new(expr)))
    }

    /// The sea-query expression, to mix with hand-built sea-query statements.
    pub fn into_expr(self) -> sea_query::Expr {
        self.0.into_expr()
    }
}

impl std::ops::Not for Filter {
    type Output = Filter;
    fn not(self) -> Filter {
        Filter::not(self)
    }
}

/// All of the conditions (SQLModel's `and_`).
pub fn and_(a: Filter, b: Filter) -> Filter {
    a.and(b)
}

/// Any of the conditions (SQLModel's `or_`).
pub fn or_(a: Filter, b: Filter) -> Filter {
    a.or(b)
}

/// The negated condition (SQLModel's `not_`).
pub fn not_(a: Filter) -> Filter {
    a.not()
}

/// Something that can stand on the right of a comparison with a column of type `B`:
/// a value of `B` (or a borrowed form such as `&str` for `String`), or another column
/// whose values are of type `B`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be compared with a column of type `{B}`",
    label = "expected a `{B}` value or a column of `{B}`"
)]
pub trait Operand<B> {
    /// The operand as an SQL expression: a bound parameter or a column reference.
    fn into_operand(self) -> sea_query::Expr;
}

/// Implements [`Operand`] for a value type compared with columns of the same type.
#[doc(hidden)]
#[macro_export]
macro_rules! __impl_operand {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::Operand<$ty> for $ty {
            fn into_operand(self) -> $crate::__private::sea_query::Expr {
                $crate::__private::sea_query::Expr::val(<$ty as $crate::SqlType>::to_value(&self))
            }
        }
        impl $crate::Operand<$ty> for &$ty {
            fn into_operand(self) -> $crate::__private::sea_query::Expr {
                $crate::__private::sea_query::Expr::val(<$ty as $crate::SqlType>::to_value(self))
            }
        }
    )*};
}

__impl_operand!(
    bool,
    i16,
    i32,
    i64,
    f32,
    f64,
    String,
    Vec<u8>,
    chrono::NaiveDate,
    chrono::NaiveTime,
    chrono::NaiveDateTime,
    chrono::DateTime<chrono::Utc>,
    uuid::Uuid,
    rust_decimal::Decimal,
    serde_json::Value,
);

impl Operand<String> for &str {
    fn into_operand(self) -> sea_query::Expr {
        sea_query::Expr::val(Value::String(Some(self.to_owned())))
    }
}

impl Operand<String> for &&str {
    fn into_operand(self) -> sea_query::Expr {
        sea_query::Expr::val(Value::String(Some((*self).to_owned())))
    }
}

impl Operand<Vec<u8>> for &[u8] {
    fn into_operand(self) -> sea_query::Expr {
        sea_query::Expr::val(Value::Bytes(Some(self.to_vec())))
    }
}

/// Converts an operand for a column of type `T` (whose comparisons use `T::Base`).
pub(crate) fn operand<T: SqlType>(v: impl Operand<T::Base>) -> sea_query::Expr {
    v.into_operand()
}

/// Sort direction and NULL placement of one `ORDER BY` term.
#[derive(Clone, Debug)]
#[must_use]
pub struct OrderBy {
    pub(crate) term: Term,
    pub(crate) order: sea_query::Order,
    pub(crate) nulls: Option<sea_query::NullOrdering>,
}

/// What an [`OrderBy`] sorts by.
#[derive(Clone, Debug)]
pub(crate) enum Term {
    /// `"table"."column"`, the common case, kept without building sea-query's expression.
    Column { table: &'static str, column: &'static str },
    /// Any other expression.
    Expr(sea_query::Expr),
}

impl Term {
    /// The term as sea-query's expression.
    pub(crate) fn to_expr(&self) -> sea_query::Expr {
        match self {
            Term::Column { table, column } => sea_query::Expr::col((*table, *column)),
            Term::Expr(expr) => expr.clone(),
        }
    }
}

impl OrderBy {
    pub(crate) fn new(expr: sea_query::Expr, order: sea_query::Order) -> Self {
        OrderBy { term: Term::Expr(expr), order, nulls: None }
    }

    pub(crate) fn column(table: &'static str, column: &'static str, order: sea_query::Order) -> Self {
        OrderBy { term: Term::Column { table, column }, order, nulls: None }
    }

    /// Sort NULLs before other values.
    pub fn nulls_first(mut self) -> Self {
        self.nulls = Some(sea_query::NullOrdering::First);
        self
    }

    /// Sort NULLs after other values.
    pub fn nulls_last(mut self) -> Self {
        self.nulls = Some(sea_query::NullOrdering::Last);
        self
    }
}

/// Anything `order_by` accepts: a column (ascending) or an [`OrderBy`].
pub trait IntoOrderBy {
    /// The ordering term.
    fn into_order_by(self) -> OrderBy;
}

impl IntoOrderBy for OrderBy {
    fn into_order_by(self) -> OrderBy {
        self
    }
}
