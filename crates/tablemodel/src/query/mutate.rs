//! Bulk `UPDATE … WHERE` and `DELETE … WHERE` statements, returning a row count.

use std::marker::PhantomData;

use crate::backend::Dialect;
use crate::column::Column;
use crate::expr::{Filter, Operand};
use crate::model::Model;
use crate::query::statement_cache::{Bound, Cacheable, Shaper, put_values, take_values};
use crate::types::{SqlType, Value};

/// `UPDATE` of every `M` row matching the filters.
///
/// ```
/// use tablemodel::prelude::*;
///
/// #[derive(Model, Debug)]
/// #[model(table)]
/// struct Hero {
///     #[field(primary_key)]
///     id: Option<i64>,
///     name: String,
///     age: Option<i32>,
/// }
///
/// let q = update::<Hero>().set(Hero::age(), Some(16)).filter(Hero::name().eq("Spider-Boy"));
/// assert_eq!(
///     q.to_sql(Dialect::Sqlite),
///     r#"UPDATE "hero" SET "age" = ? WHERE "hero"."name" = ?"#
/// );
/// ```
pub fn update<M: Model>() -> Update<M> {
    Update { sets: Vec::new(), filters: Vec::new(), _model: PhantomData }
}

/// `DELETE` of every `M` row matching the filters.
pub fn delete<M: Model>() -> Delete<M> {
    Delete { filters: Vec::new(), _model: PhantomData }
}

/// A bulk `UPDATE` statement.
#[derive(Clone, Debug)]
#[must_use]
pub struct Update<M> {
    sets: Vec<(&'static str, sea_query::Expr)>,
    filters: Vec<sea_query::Expr>,
    _model: PhantomData<fn() -> M>,
}

/// A value `set` accepts for a column of type `T`: a value of `T` (`Some(16)` or `None`
/// for a nullable column) or an expression.
pub trait SetValue<T> {
    /// The assigned expression.
    fn into_set_expr(self) -> sea_query::Expr;
}

impl<T: SqlType> SetValue<T> for T {
    fn into_set_expr(self) -> sea_query::Expr {
        sea_query::Expr::val(self.to_value())
    }
}

impl SetValue<String> for &str {
    fn into_set_expr(self) -> sea_query::Expr {
        sea_query::Expr::val(self.to_owned())
    }
}

impl<M: Model> Update<M> {
    /// `SET column = value`.
    pub fn set<T: SqlType>(mut self, column: Column<M, T>, value: impl SetValue<T>) -> Self {
        self.sets.push((column.name(), value.into_set_expr()));
        self
    }

    /// `SET column = <expression of columns>`, e.g. another column of the same type.
    pub fn set_expr<T: SqlType>(mut self, column: Column<M, T>, value: impl Operand<T::Base>) -> Self {
        self.sets.push((column.name(), value.into_operand()));
        self
    }

    /// Adds a `WHERE` condition; several calls are combined with `AND`.
    pub fn filter(mut self, condition: Filter) -> Self {
        self.filters.push(condition.into_expr());
        self
    }

    /// The sea-query statement.
    pub fn statement(&self) -> sea_query::UpdateStatement {
        let mut q = sea_query::Query::update();
        q.table(M::META.name);
        for (col, expr) in &self.sets {
            q.value(*col, expr.clone());
        }
        for f in &self.filters {
            q.and_where(f.clone());
        }
        q
    }

    /// The SQL text for `dialect`.
    pub fn to_sql(&self, dialect: Dialect) -> String {
        self.build(dialect).0
    }

    /// The SQL text and bound values for `dialect`.
    pub fn build(&self, dialect: Dialect) -> (String, Vec<sea_query::Value>) {
        dialect.render(&self.statement())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }
}

/// Marks a shape as an `UPDATE`'s (after the dialect), so that it is no other statement's.
const UPDATE_SHAPE: u64 = 0x5550_4441_5445;
/// Marks a shape as a `DELETE`'s.
const DELETE_SHAPE: u64 = 0x4445_4c45_5445;

/// A repeated bulk update renders once per shape: the assigned columns and expressions
/// and the filters, without their values, which bind in that order (`SET`, then `WHERE`).
impl<M: Model> Cacheable for Update<M> {
    type Taken = ();

    fn shape_taking(&mut self, dialect: Dialect, h: &mut Shaper, out: &mut Bound) {
        h.word(dialect as u64);
        h.word(UPDATE_SHAPE);
        h.table(M::META);
        h.word(self.sets.len() as u64);
        for (column, value) in &mut self.sets {
            h.name(column);
            h.expr(value);
            take_values(value, out);
        }
        shape_filters(&mut self.filters, h, out);
    }

    fn put_back(&mut self, (): &(), values: &Bound) {
        let mut values = values.iter().cloned();
        for (_, value) in &mut self.sets {
            put_values(value, &mut values);
        }
        self.filters.iter_mut().for_each(|f| put_values(f, &mut values));
    }

    fn render(&self, dialect: Dialect) -> crate::Result<(String, Vec<Value>)> {
        Ok(self.build(dialect))
    }
}

/// A bulk `DELETE` statement.
#[derive(Clone, Debug)]
#[must_use]
pub struct Delete<M> {
    filters: Vec<sea_query::Expr>,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model> Delete<M> {
    /// Adds a `WHERE` condition; several calls are combined with `AND`. Without any, every
    /// row is deleted.
    pub fn filter(mut self, condition: Filter) -> Self {
        self.filters.push(condition.into_expr());
        self
    }

    /// The sea-query statement.
    pub fn statement(&self) -> sea_query::DeleteStatement {
        let mut q = sea_query::Query::delete();
        q.from_table(M::META.name);
        for f in &self.filters {
            q.and_where(f.clone());
        }
        q
    }

    /// The SQL text for `dialect`.
    pub fn to_sql(&self, dialect: Dialect) -> String {
        self.build(dialect).0
    }

    /// The SQL text and bound values for `dialect`.
    pub fn build(&self, dialect: Dialect) -> (String, Vec<sea_query::Value>) {
        dialect.render(&self.statement())
    }
}

/// A repeated bulk delete renders once per shape, as an update does.
impl<M: Model> Cacheable for Delete<M> {
    type Taken = ();

    fn shape_taking(&mut self, dialect: Dialect, h: &mut Shaper, out: &mut Bound) {
        h.word(dialect as u64);
        h.word(DELETE_SHAPE);
        h.table(M::META);
        shape_filters(&mut self.filters, h, out);
    }

    fn put_back(&mut self, (): &(), values: &Bound) {
        let mut values = values.iter().cloned();
        self.filters.iter_mut().for_each(|f| put_values(f, &mut values));
    }

    fn render(&self, dialect: Dialect) -> crate::Result<(String, Vec<Value>)> {
        Ok(self.build(dialect))
    }
}

/// The `WHERE` conditions' shape, their values taken in order.
fn shape_filters(filters: &mut [sea_query::Expr], h: &mut Shaper, out: &mut Bound) {
    h.word(filters.len() as u64);
    for f in filters {
        h.expr(f);
        take_values(f, out);
    }
}
