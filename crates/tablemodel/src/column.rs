//! Typed column handles: `Hero::age()` is a `Column<Hero, Option<i32>>`.
//!
//! A handle is a position in the model's static metadata plus two type parameters, so a
//! misspelled column is an unknown function and a comparison with the wrong type of value
//! fails to compile, while at run time the handle is just a `usize`.

use std::marker::PhantomData;

use sea_query::ExprTrait;

use crate::expr::{CompareOp, Cond, Filter, IntoOrderBy, Operand, OrderBy, operand};
use crate::meta::ColumnMeta;
use crate::model::Model;
use crate::types::SqlType;

/// The column of model `M` holding values of type `T`.
pub struct Column<M, T> {
    index: usize,
    _types: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Column<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, T> Copy for Column<M, T> {}

impl<M: Model, T: SqlType> std::fmt::Debug for Column<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Column({}.{})", M::META.name, self.meta().name)
    }
}

impl<M, T> Column<M, T> {
    /// The handle of column `index` of `M` (used by the derive).
    #[doc(hidden)]
    pub const fn new(index: usize) -> Self {
        Column { index, _types: PhantomData }
    }

    /// The position of the column in the model's metadata.
    pub const fn index(&self) -> usize {
        self.index
    }
}

impl<M: Model, T: SqlType> Column<M, T> {
    /// The column's metadata.
    pub fn meta(&self) -> &'static ColumnMeta {
        &M::META.columns[self.index]
    }

    /// The SQL column name.
    pub fn name(&self) -> &'static str {
        self.meta().name
    }

    /// The qualified column as a sea-query expression (`"hero"."age"`).
    pub fn expr(&self) -> sea_query::Expr {
        sea_query::Expr::col((M::META.name, self.meta().name))
    }

    #[inline]
    fn compare(self, op: CompareOp, operand: sea_query::Expr) -> Filter {
        Filter(Cond::compare(M::META, self.index, op, operand))
    }

    /// `column = value` (or `= other_column`).
    pub fn eq(self, v: impl Operand<T::Base>) -> Filter {
        self.compare(CompareOp::Eq, operand::<T>(v))
    }

    /// `column <> value`.
    pub fn ne(self, v: impl Operand<T::Base>) -> Filter {
        self.compare(CompareOp::Ne, operand::<T>(v))
    }

    /// `column > value`.
    pub fn gt(self, v: impl Operand<T::Base>) -> Filter {
        self.compare(CompareOp::Gt, operand::<T>(v))
    }

    /// `column >= value`.
    pub fn ge(self, v: impl Operand<T::Base>) -> Filter {
        self.compare(CompareOp::Ge, operand::<T>(v))
    }

    /// `column < value`.
    pub fn lt(self, v: impl Operand<T::Base>) -> Filter {
        self.compare(CompareOp::Lt, operand::<T>(v))
    }

    /// `column <= value`.
    pub fn le(self, v: impl Operand<T::Base>) -> Filter {
        self.compare(CompareOp::Le, operand::<T>(v))
    }

    /// `column BETWEEN low AND high`.
    pub fn between(self, low: impl Operand<T::Base>, high: impl Operand<T::Base>) -> Filter {
        Filter::from_expr(self.expr().between(operand::<T>(low), operand::<T>(high)))
    }

    /// `column IN (values…)`; an empty list matches no row.
    pub fn in_<V: Operand<T::Base>>(self, values: impl IntoIterator<Item = V>) -> Filter {
        let values: Vec<sea_query::Expr> = values.into_iter().map(operand::<T>).collect();
        if values.is_empty() {
            return Filter::from_expr(sea_query::Expr::cust("1 = 0"));
        }
        Filter::from_expr(self.expr().binary(sea_query::BinOper::In, sea_query::Expr::tuple(values)))
    }

    /// `column NOT IN (values…)`; an empty list matches every row.
    pub fn not_in<V: Operand<T::Base>>(self, values: impl IntoIterator<Item = V>) -> Filter {
        let values: Vec<sea_query::Expr> = values.into_iter().map(operand::<T>).collect();
        if values.is_empty() {
            return Filter::from_expr(sea_query::Expr::cust("1 = 1"));
        }
        Filter::from_expr(self.expr().binary(sea_query::BinOper::NotIn, sea_query::Expr::tuple(values)))
    }

    /// `column IS NULL`.
    pub fn is_null(self) -> Filter {
        Filter::from_expr(self.expr().is_null())
    }

    /// `column IS NOT NULL`.
    pub fn is_not_null(self) -> Filter {
        Filter::from_expr(self.expr().is_not_null())
    }

    /// Ascending order.
    pub fn asc(self) -> OrderBy {
        OrderBy::column(M::META.name, self.meta().name, sea_query::Order::Asc)
    }

    /// Descending order.
    pub fn desc(self) -> OrderBy {
        OrderBy::column(M::META.name, self.meta().name, sea_query::Order::Desc)
    }
}

impl<M: Model, T: SqlType<Base = String>> Column<M, T> {
    /// `column LIKE pattern` (case-sensitive on PostgreSQL, ASCII-case-insensitive on SQLite).
    pub fn like(self, pattern: &str) -> Filter {
        Filter::from_expr(self.expr().like(pattern))
    }

    /// Case-insensitive `LIKE` on every backend (`ILIKE` semantics).
    pub fn ilike(self, pattern: &str) -> Filter {
        let lowered = sea_query::Func::lower(self.expr());
        Filter::from_expr(sea_query::Expr::from(lowered).like(pattern.to_lowercase()))
    }

    /// `column = value`, compared character for character on every backend, whatever the
    /// column's collation.
    ///
    /// [`eq`](Column::eq) follows the column's collation: exact on SQLite and PostgreSQL,
    /// but case- and accent-insensitive under MySQL's and MariaDB's default collations
    /// (`"deadpond"` finds `"Deadpond"`). This adds a comparison of the column as text to
    /// the plain one, `col = ? AND CAST(col AS TEXT) = ?`, which MySQL spells
    /// `CAST(col AS BINARY)`: the first part can still use an index on the column, the
    /// second drops the rows that only the collation called equal.
    ///
    /// ```
    /// # use tablemodel::prelude::*;
    /// # #[derive(Model)] #[model(table)] struct Hero { #[field(primary_key)] id: Option<i64>, name: String }
    /// let q = select::<Hero>().filter(Hero::name().eq_exact("Deadpond"));
    /// let sql = q.to_sql(Dialect::Sqlite).unwrap();
    /// assert!(sql.ends_with(r#"WHERE "hero"."name" = ? AND CAST("hero"."name" AS TEXT) = ?"#));
    /// ```
    pub fn eq_exact(self, v: impl Operand<T::Base>) -> Filter {
        let value = operand::<T>(v);
        let as_text = sea_query::Func::cast_as(self.expr(), sea_query::Alias::new("TEXT"));
        Filter::from_expr(self.expr().eq(value.clone()).and(sea_query::Expr::from(as_text).eq(value)))
    }
}

impl<M: Model, T: SqlType> IntoOrderBy for Column<M, T> {
    fn into_order_by(self) -> OrderBy {
        self.asc()
    }
}

impl<M: Model, T: SqlType> Operand<T::Base> for Column<M, T> {
    fn into_operand(self) -> sea_query::Expr {
        self.expr()
    }
}
