//! What a `SELECT` returns: whole models, optional models (outer joins), single columns,
//! aggregates, and tuples of these.

use std::marker::PhantomData;

use sea_query::ExprTrait;

use crate::column::Column;
use crate::error::Result;
use crate::expr::{Filter, Operand};
use crate::meta::TableMeta;
use crate::model::Model;
use crate::row::RowReader;
use crate::types::SqlType;

/// The select list of a query and how to decode one row of it.
pub trait Selection: Clone + Send + Sync + 'static {
    /// What one row decodes to.
    type Output: Send + 'static;
    /// Appends the select-list expressions.
    fn push_exprs(&self, out: &mut Vec<sea_query::Expr>);
    /// Appends the tables the select list reads from.
    fn push_tables(&self, out: &mut Vec<&'static TableMeta>);
    /// Decodes the columns this selection pushed.
    fn decode(&self, row: &mut RowReader<'_>) -> Result<Self::Output>;
    /// Feeds what decides this selection's SQL text to `state` and answers `true`, or
    /// answers `false` (the default) and the statement cache describes the expressions of
    /// [`Selection::push_exprs`] instead. Two selections that feed the same data must push
    /// the same expressions.
    #[doc(hidden)]
    fn shape(&self, state: &mut dyn std::hash::Hasher) -> bool {
        let _ = state;
        false
    }
    /// Remembers the whole models of a row the session hands out, for `save` to compare
    /// against (the default: none).
    #[doc(hidden)]
    fn remember(output: &Self::Output, loaded: &mut crate::session::Loaded) {
        let _ = (output, loaded);
    }
    /// Remembers the rows of one query as [`remember`](Self::remember) does each (a
    /// selection of several models hands each its own column of the rows).
    #[doc(hidden)]
    fn remember_all<'a>(outputs: impl Iterator<Item = &'a Self::Output> + Clone, loaded: &mut crate::session::Loaded)
    where
        Self::Output: 'a,
    {
        for output in outputs {
            Self::remember(output, loaded);
        }
    }
}

/// Feeds the identity of `M`'s metadata after a tag saying what of it is selected.
fn model_shape<M: Model>(state: &mut dyn std::hash::Hasher, tag: u8) -> bool {
    state.write_u8(tag);
    state.write_usize(std::ptr::from_ref(M::META) as usize);
    true
}

/// A type that names its own selection: models, `Option<Model>` and tuples of them, so
/// `select::<(Hero, Team)>()` needs no arguments.
pub trait Selectable: Sized + Send + 'static {
    /// The selection that decodes to `Self`.
    type Selection: Selection<Output = Self>;
    /// That selection.
    fn selection() -> Self::Selection;
}

fn push_model_columns<M: Model>(out: &mut Vec<sea_query::Expr>) {
    out.extend(M::META.columns.iter().map(|c| sea_query::Expr::col((M::META.name, c.name))));
}

/// Every column of model `M`.
pub struct ModelSel<M>(PhantomData<fn() -> M>);

impl<M> ModelSel<M> {
    pub(crate) fn new() -> Self {
        ModelSel(PhantomData)
    }
}

impl<M> Clone for ModelSel<M> {
    fn clone(&self) -> Self {
        ModelSel(PhantomData)
    }
}

impl<M: Model> Selection for ModelSel<M> {
    type Output = M;
    fn push_exprs(&self, out: &mut Vec<sea_query::Expr>) {
        push_model_columns::<M>(out);
    }
    fn push_tables(&self, out: &mut Vec<&'static TableMeta>) {
        out.push(M::META);
    }
    fn decode(&self, row: &mut RowReader<'_>) -> Result<M> {
        M::decode(row)
    }
    fn shape(&self, state: &mut dyn std::hash::Hasher) -> bool {
        model_shape::<M>(state, 1)
    }
    fn remember(output: &M, loaded: &mut crate::session::Loaded) {
        loaded.remember(output);
    }
    fn remember_all<'a>(outputs: impl Iterator<Item = &'a M> + Clone, loaded: &mut crate::session::Loaded)
    where
        M: 'a,
    {
        loaded.remember_all(outputs);
    }
}

/// Every column of model `M`, or `None` when an outer join found no row (its key is NULL).
pub struct OptionalModelSel<M>(PhantomData<fn() -> M>);

impl<M> OptionalModelSel<M> {
    pub(crate) fn new() -> Self {
        OptionalModelSel(PhantomData)
    }
}

impl<M> Clone for OptionalModelSel<M> {
    fn clone(&self) -> Self {
        OptionalModelSel(PhantomData)
    }
}

impl<M: Model> Selection for OptionalModelSel<M> {
    type Output = Option<M>;
    fn push_exprs(&self, out: &mut Vec<sea_query::Expr>) {
        push_model_columns::<M>(out);
    }
    fn push_tables(&self, out: &mut Vec<&'static TableMeta>) {
        out.push(M::META);
    }
    fn decode(&self, row: &mut RowReader<'_>) -> Result<Option<M>> {
        let mut all_null = true;
        for &k in M::META.primary_key {
            all_null &= row.is_null_ahead(k)?;
        }
        if all_null {
            row.skip(M::META.columns.len());
            Ok(None)
        } else {
            M::decode(row).map(Some)
        }
    }
    fn shape(&self, state: &mut dyn std::hash::Hasher) -> bool {
        model_shape::<M>(state, 1)
    }
    fn remember(output: &Option<M>, loaded: &mut crate::session::Loaded) {
        if let Some(m) = output {
            loaded.remember(m);
        }
    }
    fn remember_all<'a>(outputs: impl Iterator<Item = &'a Option<M>> + Clone, loaded: &mut crate::session::Loaded)
    where
        M: 'a,
    {
        loaded.remember_all(outputs.flatten());
    }
}

impl<M: Model> Selectable for M {
    type Selection = ModelSel<M>;
    fn selection() -> ModelSel<M> {
        ModelSel(PhantomData)
    }
}

impl<M: Model> Selectable for Option<M> {
    type Selection = OptionalModelSel<M>;
    fn selection() -> OptionalModelSel<M> {
        OptionalModelSel(PhantomData)
    }
}

impl<M: Model, T: SqlType> Selection for Column<M, T> {
    type Output = T;
    fn push_exprs(&self, out: &mut Vec<sea_query::Expr>) {
        out.push(self.expr());
    }
    fn push_tables(&self, out: &mut Vec<&'static TableMeta>) {
        out.push(M::META);
    }
    fn decode(&self, row: &mut RowReader<'_>) -> Result<T> {
        row.read(self.meta())
    }
    fn shape(&self, state: &mut dyn std::hash::Hasher) -> bool {
        model_shape::<M>(state, 2);
        state.write_usize(self.index());
        true
    }
}

/// An aggregate or computed expression with a known result type `T`.
pub struct Aggregate<T> {
    expr: sea_query::Expr,
    label: &'static str,
    tables: Vec<&'static TableMeta>,
    _type: PhantomData<fn() -> T>,
}

impl<T> Clone for Aggregate<T> {
    fn clone(&self) -> Self {
        Aggregate { expr: self.expr.clone(), label: self.label, tables: self.tables.clone(), _type: PhantomData }
    }
}

impl<T> std::fmt::Debug for Aggregate<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Aggregate({})", self.label)
    }
}

impl<T: SqlType> Aggregate<T> {
    fn new(expr: impl Into<sea_query::Expr>, label: &'static str, tables: Vec<&'static TableMeta>) -> Self {
        Aggregate { expr: expr.into(), label, tables, _type: PhantomData }
    }

    /// `aggregate = value`, for `having`.
    pub fn eq(self, v: impl Operand<T::Base>) -> Filter {
        Filter::from_expr(self.expr.eq(v.into_operand()))
    }

    /// `aggregate > value`, for `having`.
    pub fn gt(self, v: impl Operand<T::Base>) -> Filter {
        Filter::from_expr(self.expr.gt(v.into_operand()))
    }

    /// `aggregate >= value`, for `having`.
    pub fn ge(self, v: impl Operand<T::Base>) -> Filter {
        Filter::from_expr(self.expr.gte(v.into_operand()))
    }

    /// `aggregate < value`, for `having`.
    pub fn lt(self, v: impl Operand<T::Base>) -> Filter {
        Filter::from_expr(self.expr.lt(v.into_operand()))
    }

    /// `aggregate <= value`, for `having`.
    pub fn le(self, v: impl Operand<T::Base>) -> Filter {
        Filter::from_expr(self.expr.lte(v.into_operand()))
    }

    /// Descending order by this aggregate.
    pub fn desc(self) -> crate::expr::OrderBy {
        crate::expr::OrderBy::new(self.expr, sea_query::Order::Desc)
    }

    /// Ascending order by this aggregate.
    pub fn asc(self) -> crate::expr::OrderBy {
        crate::expr::OrderBy::new(self.expr, sea_query::Order::Asc)
    }
}

impl<T: SqlType> Selection for Aggregate<T> {
    type Output = T;
    fn push_exprs(&self, out: &mut Vec<sea_query::Expr>) {
        out.push(self.expr.clone());
    }
    fn push_tables(&self, out: &mut Vec<&'static TableMeta>) {
        out.extend(self.tables.iter().copied());
    }
    fn decode(&self, row: &mut RowReader<'_>) -> Result<T> {
        row.read_unnamed(self.label)
    }
}

/// `COUNT(*)`: the number of rows (use `select_only(count()).from::<Hero>()`).
pub fn count() -> Aggregate<i64> {
    Aggregate::new(sea_query::Func::count(sea_query::Expr::cust("*")), "count(*)", Vec::new())
}

/// Integer and decimal types whose `SUM` has a fixed result type on every backend.
pub trait Summable: SqlType {
    /// The type of the sum.
    type Sum: SqlType;
    /// The SQL type the sum is cast to, so every backend returns the same type.
    const SUM_SQL_TYPE: &'static str;
}

macro_rules! summable {
    ($($ty:ty => $sum:ty, $sql:literal;)*) => {$(
        impl Summable for $ty {
            type Sum = $sum;
            const SUM_SQL_TYPE: &'static str = $sql;
        }
    )*};
}

summable! {
    i16 => i64, "BIGINT";
    i32 => i64, "BIGINT";
    i64 => i64, "BIGINT";
    f32 => f64, "DOUBLE PRECISION";
    f64 => f64, "DOUBLE PRECISION";
    rust_decimal::Decimal => rust_decimal::Decimal, "NUMERIC";
}

fn cast(expr: impl Into<sea_query::Expr>, sql_type: &'static str) -> sea_query::Expr {
    sea_query::Func::cast_as(expr.into(), sea_query::Alias::new(sql_type)).into()
}

impl<M: Model, T: SqlType> Column<M, T> {
    /// `COUNT(column)`: the number of non-NULL values.
    pub fn count(self) -> Aggregate<i64> {
        Aggregate::new(sea_query::Func::count(self.expr()), "count", vec![M::META])
    }

    /// `COUNT(DISTINCT column)`.
    pub fn count_distinct(self) -> Aggregate<i64> {
        Aggregate::new(sea_query::Func::count_distinct(self.expr()), "count_distinct", vec![M::META])
    }

    /// `MAX(column)`; `None` over no rows.
    pub fn max(self) -> Aggregate<Option<T::Base>> {
        Aggregate::new(sea_query::Func::max(self.expr()), "max", vec![M::META])
    }

    /// `MIN(column)`; `None` over no rows.
    pub fn min(self) -> Aggregate<Option<T::Base>> {
        Aggregate::new(sea_query::Func::min(self.expr()), "min", vec![M::META])
    }
}

impl<M: Model, T: SqlType> Column<M, T>
where
    T::Base: Summable,
{
    /// `SUM(column)`, as `i64` for integer columns and `f64` for floats; `None` over no rows.
    pub fn sum(self) -> Aggregate<Option<<T::Base as Summable>::Sum>> {
        Aggregate::new(
            cast(sea_query::Func::sum(self.expr()), <T::Base as Summable>::SUM_SQL_TYPE),
            "sum",
            vec![M::META],
        )
    }

    /// `AVG(column)` as `f64`; `None` over no rows.
    pub fn avg(self) -> Aggregate<Option<f64>> {
        Aggregate::new(cast(sea_query::Func::avg(self.expr()), "DOUBLE PRECISION"), "avg", vec![M::META])
    }
}

macro_rules! tuple_selection {
    ($($name:ident $index:tt),+) => {
        impl<$($name: Selection),+> Selection for ($($name,)+) {
            type Output = ($($name::Output,)+);
            fn push_exprs(&self, out: &mut Vec<sea_query::Expr>) {
                #[allow(non_snake_case)]
                let ($($name,)+) = self;
                $($name.push_exprs(out);)+
            }
            fn push_tables(&self, out: &mut Vec<&'static TableMeta>) {
                #[allow(non_snake_case)]
                let ($($name,)+) = self;
                $($name.push_tables(out);)+
            }
            #[inline]
            fn decode(&self, row: &mut RowReader<'_>) -> Result<Self::Output> {
                #[allow(non_snake_case)]
                let ($($name,)+) = self;
                Ok(($($name.decode(row)?,)+))
            }
            fn remember(output: &Self::Output, loaded: &mut crate::session::Loaded) {
                #[allow(non_snake_case)]
                let ($($name,)+) = output;
                $($name::remember($name, loaded);)+
            }
            fn remember_all<'a>(
                outputs: impl Iterator<Item = &'a Self::Output> + Clone,
                loaded: &mut crate::session::Loaded,
            ) where
                Self::Output: 'a,
            {
                $($name::remember_all(outputs.clone().map(|output| &output.$index), loaded);)+
            }
            fn shape(&self, state: &mut dyn std::hash::Hasher) -> bool {
                #[allow(non_snake_case)]
                let ($($name,)+) = self;
                $(
                    if !$name.shape(state) {
                        return false;
                    }
                )+
                true
            }
        }

        impl<$($name: Selectable),+> Selectable for ($($name,)+) {
            type Selection = ($($name::Selection,)+);
            fn selection() -> Self::Selection {
                ($($name::selection(),)+)
            }
        }
    };
}

tuple_selection!(A 0, B 1);
tuple_selection!(A 0, B 1, C 2);
tuple_selection!(A 0, B 1, C 2, D 3);
tuple_selection!(A 0, B 1, C 2, D 3, E 4);
