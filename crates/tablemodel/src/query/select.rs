//! The typed `SELECT` builder.

use crate::backend::Dialect;
use crate::error::{Error, Result};
use crate::expr::{Cond, Filter, IntoOrderBy, OrderBy, Term};
use crate::meta::TableMeta;
use crate::model::Model;
use crate::query::selection::{Selectable, Selection};
use crate::query::statement_cache::{Bound, Cacheable, Shaper, put_values, take_values};
use crate::types::Value;

/// `SELECT` of whole models: `select::<Hero>()`, or `select::<(Hero, Team)>()` for
/// several, or `select::<(Hero, Option<Team>)>()` with an outer join.
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
/// let q = select::<Hero>().filter(Hero::age().ge(35)).order_by(Hero::id()).limit(10);
/// assert_eq!(
///     q.to_sql(Dialect::Postgres).unwrap(),
///     r#"SELECT "hero"."id", "hero"."name", "hero"."age" FROM "hero" WHERE "hero"."age" >= $1 ORDER BY "hero"."id" ASC LIMIT $2"#
/// );
/// ```
pub fn select<S: Selectable>() -> Select<S::Selection> {
    Select::new(S::selection())
}

/// `SELECT` of columns or aggregates: `select_only(Hero::name())`,
/// `select_only((Hero::team_id(), count()))`.
pub fn select_only<S: Selection>(selection: S) -> Select<S> {
    Select::new(selection)
}

#[derive(Clone, Debug)]
struct Join {
    table: &'static TableMeta,
    kind: sea_query::JoinType,
    on: Option<sea_query::Expr>,
}

/// A `SELECT` statement returning rows of `S::Output`.
///
/// The parts most queries leave empty live behind one box, so that the common
/// select (filters, order, a page) is small to move, shape and drop.
#[derive(Clone, Debug)]
#[must_use]
pub struct Select<S> {
    pub(crate) selection: S,
    /// Inline for the common single condition: no allocation for a one-row lookup.
    filters: smallvec::SmallVec<[Cond; 1]>,
    order: Vec<OrderBy>,
    page: Page,
    /// `FROM` tables, joins, grouping and `DISTINCT`, when any is set.
    rare: Option<Box<Rare>>,
}

/// The parts of a [`Select`] that most queries do not use.
#[derive(Clone, Debug, Default)]
struct Rare {
    from: Vec<&'static TableMeta>,
    joins: Vec<Join>,
    group_by: Vec<sea_query::Expr>,
    having: Vec<sea_query::Expr>,
    distinct: bool,
    /// `FOR UPDATE`, and what it does about rows another transaction locked.
    lock: Option<LockWait>,
}

/// What a locking read ([`Select::for_update_with`]) does about a row that another
/// transaction has locked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LockWait {
    /// Waits until that transaction ends (up to the session's lock timeout, then
    /// [`DbErrorKind::Busy`](crate::DbErrorKind::Busy)). What [`Select::for_update`] does.
    Wait,
    /// Fails at once with [`DbErrorKind::Busy`](crate::DbErrorKind::Busy) (`NOWAIT`).
    NoWait,
    /// Leaves the row out of those read (`SKIP LOCKED`): several workers taking jobs
    /// from one table each get different rows.
    SkipLocked,
}

impl LockWait {
    /// The SQL after `FOR UPDATE`.
    fn clause(self) -> &'static str {
        match self {
            LockWait::Wait => " FOR UPDATE",
            LockWait::NoWait => " FOR UPDATE NOWAIT",
            LockWait::SkipLocked => " FOR UPDATE SKIP LOCKED",
        }
    }
}

/// `LIMIT`, `OFFSET`, and whether the limit is a verb's (`first`'s 1, `one`'s 2) rather
/// than the caller's (see [`Select::literal_limits`]): in 24 bytes rather than the 40 of
/// two `Option<u64>` and a flag, so that a select with one condition fits in the 128 bytes
/// the compiler moves inline rather than by calling `memcpy`.
#[derive(Clone, Copy, Debug, Default)]
struct Page {
    limit: u64,
    offset: u64,
    set: u8,
}

impl Page {
    const LIMIT: u8 = 1;
    const OFFSET: u8 = 2;
    const VERB: u8 = 4;

    #[inline]
    fn limit(&self) -> Option<u64> {
        (self.set & Page::LIMIT != 0).then_some(self.limit)
    }

    #[inline]
    fn offset(&self) -> Option<u64> {
        (self.set & Page::OFFSET != 0).then_some(self.offset)
    }

    /// Sets the limit, the caller's or (`verb`) the verb's.
    #[inline]
    fn set_limit(&mut self, n: u64, verb: bool) {
        self.limit = n;
        let verb = if verb { Page::VERB } else { 0 };
        self.set = ((self.set | Page::LIMIT) & !Page::VERB) | verb;
    }

    #[inline]
    fn set_offset(&mut self, n: u64) {
        self.offset = n;
        self.set |= Page::OFFSET;
    }

    /// Whether the limit is a verb's.
    #[inline]
    fn verb(&self) -> bool {
        self.set & Page::VERB != 0
    }

    /// Whether a limit or an offset is set.
    #[inline]
    fn is_set(&self) -> bool {
        self.set & (Page::LIMIT | Page::OFFSET) != 0
    }
}

/// No rare parts: what a [`Select`] without its box reads as.
static NO_RARE: Rare =
    Rare { from: Vec::new(), joins: Vec::new(), group_by: Vec::new(), having: Vec::new(), distinct: false, lock: None };

impl<S: Selection> Select<S> {
    fn new(selection: S) -> Self {
        Select { selection, filters: smallvec::SmallVec::new(), order: Vec::new(), page: Page::default(), rare: None }
    }

    /// The rare parts, empty when none is set.
    fn rare(&self) -> &Rare {
        self.rare.as_deref().unwrap_or(&NO_RARE)
    }

    /// The rare parts, to set one.
    fn rare_mut(&mut self) -> &mut Rare {
        self.rare.get_or_insert_default()
    }

    /// Adds a `WHERE` condition; several calls are combined with `AND`.
    #[inline]
    pub fn filter(mut self, condition: Filter) -> Self {
        self.filters.push(condition.0);
        self
    }

    /// Reads from `M` as well (for selections, such as `count()`, that name no table).
    pub fn from<M: Model>(mut self) -> Self {
        self.rare_mut().from.push(M::META);
        self
    }

    /// `JOIN` with `M` on the foreign key between `M` and a table already in the query.
    pub fn join<M: Model>(mut self) -> Self {
        self.rare_mut().joins.push(Join { table: M::META, kind: sea_query::JoinType::InnerJoin, on: None });
        self
    }

    /// `JOIN` with a table known only by its metadata, on an explicit condition.
    pub(crate) fn join_table(mut self, table: &'static TableMeta, kind: sea_query::JoinType, on: Filter) -> Self {
        self.rare_mut().joins.push(Join { table, kind, on: Some(on.into_expr()) });
        self
    }

    /// The same query with another select list.
    pub(crate) fn with_selection<S2: Selection>(self, selection: S2) -> Select<S2> {
        Select { selection, filters: self.filters, order: self.order, page: self.page, rare: self.rare }
    }

    /// Sets the `LIMIT` a verb needs (`first` reads one row, `one` two), written into the
    /// SQL as a literal when there is no `OFFSET` ([`Select::literal_limits`]).
    pub(crate) fn verb_limit(&mut self, n: u64) {
        self.page.set_limit(n, true);
    }

    /// The `LIMIT`, if one is set.
    #[inline]
    pub(crate) fn limit_value(&self) -> Option<u64> {
        self.page.limit()
    }

    /// Whether `LIMIT` and `OFFSET` are written into the SQL as integer literals rather
    /// than bound: always on a dialect that plans a statement again for each bound limit
    /// ([`Capabilities::literal_limit`](crate::Capabilities::literal_limit)), and for the
    /// limit a verb set when there is no offset. A verb's limit is 1 or 2, so its literal
    /// adds at most two statements per query shape, and saves encoding and sending a
    /// parameter on every call (on PostgreSQL about a sixth of the client's cost of
    /// `first` above the raw driver's).
    fn literal_limits(&self, dialect: Dialect) -> bool {
        dialect.capabilities().literal_limit || (self.page.verb() && self.page.offset().is_none())
    }

    /// Whether `LIMIT` or `OFFSET` is set.
    pub(crate) fn is_paged(&self) -> bool {
        self.page.is_set()
    }

    /// `JOIN` with `M` on an explicit condition.
    pub fn join_on<M: Model>(mut self, on: Filter) -> Self {
        self.rare_mut().joins.push(Join {
            table: M::META,
            kind: sea_query::JoinType::InnerJoin,
            on: Some(on.into_expr()),
        });
        self
    }

    /// `LEFT OUTER JOIN` with `M` on the foreign key (select `Option<M>` to read it).
    pub fn outer_join<M: Model>(mut self) -> Self {
        self.rare_mut().joins.push(Join { table: M::META, kind: sea_query::JoinType::LeftJoin, on: None });
        self
    }

    /// `LEFT OUTER JOIN` with `M` on an explicit condition.
    pub fn outer_join_on<M: Model>(mut self, on: Filter) -> Self {
        self.rare_mut().joins.push(Join {
            table: M::META,
            kind: sea_query::JoinType::LeftJoin,
            on: Some(on.into_expr()),
        });
        self
    }

    /// Adds an `ORDER BY` term: a column (ascending) or `column.desc()`,
    /// `column.asc().nulls_last()`, ….
    pub fn order_by(mut self, term: impl IntoOrderBy) -> Self {
        self.order.push(term.into_order_by());
        self
    }

    /// `GROUP BY` a column.
    pub fn group_by<C: Selection>(mut self, column: C) -> Self {
        column.push_exprs(&mut self.rare_mut().group_by);
        self
    }

    /// Adds a `HAVING` condition.
    pub fn having(mut self, condition: Filter) -> Self {
        self.rare_mut().having.push(condition.into_expr());
        self
    }

    /// `LIMIT n`.
    pub fn limit(mut self, n: u64) -> Self {
        self.page.set_limit(n, false);
        self
    }

    /// `OFFSET n`.
    pub fn offset(mut self, n: u64) -> Self {
        self.page.set_offset(n);
        self
    }

    /// `SELECT DISTINCT`.
    pub fn distinct(mut self) -> Self {
        self.rare_mut().distinct = true;
        self
    }

    /// Locks the rows read until the session's transaction ends (`SELECT … FOR UPDATE`,
    /// SQLAlchemy's `with_for_update()`): no other transaction changes, deletes or locks
    /// them first, so a value read can be written back without losing another writer's
    /// change. Waits for rows another transaction holds; see [`Select::for_update_with`].
    ///
    /// The read opens the session's transaction when none is open, as a write does (on
    /// the primary, for a session routed to replicas); `commit()` or `rollback()` releases
    /// the locks. SQLite cannot lock rows: there the transaction is a write transaction,
    /// which keeps every other writer out until it ends, and no `FOR UPDATE` is sent.
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
    /// }
    ///
    /// let q = select::<Hero>().filter(Hero::id().eq(1)).for_update();
    /// assert!(q.to_sql(Dialect::Postgres).unwrap().ends_with(r#"WHERE "hero"."id" = $1 FOR UPDATE"#));
    /// // SQLite locks the whole database for the transaction instead.
    /// assert!(q.to_sql(Dialect::Sqlite).unwrap().ends_with(r#"WHERE "hero"."id" = ?"#));
    /// ```
    pub fn for_update(self) -> Self {
        self.for_update_with(LockWait::Wait)
    }

    /// [`Select::for_update`], saying what to do about a row another transaction locked:
    /// wait, fail at once (`NOWAIT`), or leave it out (`SKIP LOCKED`). On SQLite, whose
    /// one lock is the database's, [`LockWait::NoWait`] fails when another session of the
    /// engine is writing, and [`LockWait::SkipLocked`] waits, as no row is then locked.
    ///
    /// ```
    /// use tablemodel::prelude::*;
    /// use tablemodel::LockWait;
    ///
    /// #[derive(Model, Debug)]
    /// #[model(table)]
    /// struct Job {
    ///     #[field(primary_key)]
    ///     id: Option<i64>,
    ///     done: bool,
    /// }
    ///
    /// let next = select::<Job>().filter(Job::done().eq(false)).order_by(Job::id()).limit(1);
    /// let sql = next.for_update_with(LockWait::SkipLocked).to_sql(Dialect::Mysql).unwrap();
    /// assert!(sql.ends_with("LIMIT ? FOR UPDATE SKIP LOCKED"));
    /// ```
    pub fn for_update_with(mut self, wait: LockWait) -> Self {
        self.rare_mut().lock = Some(wait);
        self
    }

    /// The row lock the read takes, if any.
    #[inline]
    pub(crate) fn row_lock(&self) -> Option<LockWait> {
        self.rare.as_deref().and_then(|rare| rare.lock)
    }

    /// The sea-query statement.
    pub fn statement(&self) -> Result<sea_query::SelectStatement> {
        let mut q = self.statement_with(true)?;
        if let Some(wait) = self.rare().lock {
            match wait {
                LockWait::Wait => q.lock(sea_query::LockType::Update),
                LockWait::NoWait => q.lock_with_behavior(sea_query::LockType::Update, sea_query::LockBehavior::Nowait),
                LockWait::SkipLocked => {
                    q.lock_with_behavior(sea_query::LockType::Update, sea_query::LockBehavior::SkipLocked)
                }
            };
        }
        Ok(q)
    }

    /// The sea-query statement, with `LIMIT`/`OFFSET` as bound values or left out (for
    /// the caller to write them as literals).
    fn statement_with(&self, bind_limits: bool) -> Result<sea_query::SelectStatement> {
        let rare = self.rare();
        let mut q = sea_query::Query::select();
        let mut exprs = Vec::new();
        self.selection.push_exprs(&mut exprs);
        q.exprs(exprs);
        if rare.distinct {
            q.distinct();
        }

        let mut tables = Vec::new();
        self.selection.push_tables(&mut tables);
        tables.extend(rare.from.iter().copied());
        let joined: Vec<&str> = rare.joins.iter().map(|j| j.table.name).collect();
        let mut from: Vec<&'static TableMeta> = Vec::new();
        for t in tables {
            if !joined.contains(&t.name) && !from.iter().any(|f| f.name == t.name) {
                from.push(t);
            }
        }
        if from.is_empty() {
            return Err(Error::InvalidQuery("the query reads from no table: add `.from::<Model>()`".to_owned()));
        }
        for t in &from {
            q.from(t.name);
        }
        let mut present: Vec<&'static TableMeta> = from.clone();
        for join in &rare.joins {
            let on = match &join.on {
                Some(on) => on.clone(),
                None => infer_join_condition(&present, join.table)?,
            };
            q.join(join.kind, join.table.name, on);
            present.push(join.table);
        }
        for f in &self.filters {
            q.and_where(f.to_expr());
        }
        for g in &rare.group_by {
            q.add_group_by([g.clone()]);
        }
        for h in &rare.having {
            q.and_having(h.clone());
        }
        for o in &self.order {
            match o.nulls {
                Some(nulls) => q.order_by_expr_with_nulls(o.term.to_expr(), o.order.clone(), nulls),
                None => q.order_by_expr(o.term.to_expr(), o.order.clone()),
            };
        }
        if bind_limits {
            if let Some(n) = self.page.limit() {
                q.limit(n);
            }
            if let Some(n) = self.page.offset() {
                if self.page.limit().is_none() {
                    // SQLite accepts OFFSET only after a LIMIT; -1 means "no limit" there.
                    q.limit(NO_LIMIT);
                }
                q.offset(n);
            }
        }
        Ok(q)
    }

    /// The SQL text for `dialect`, with placeholders where values are bound.
    pub fn to_sql(&self, dialect: Dialect) -> Result<String> {
        Ok(self.build(dialect)?.0)
    }

    /// The SQL text and bound values for `dialect`: what is sent to the database.
    ///
    /// Values are bound as parameters, except `LIMIT` and `OFFSET` on a dialect that plans
    /// a statement again for each bound limit ([`Capabilities::literal_limit`]), where they
    /// are written as integer literals (numbers the builder holds, never text from a user).
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
    /// }
    ///
    /// let q = select::<Hero>().filter(Hero::name().eq("Deadpond")).limit(10).offset(20);
    /// let (sql, values) = q.build(Dialect::Sqlite).unwrap();
    /// assert!(sql.ends_with(r#"WHERE "hero"."name" = ? LIMIT 10 OFFSET 20"#));
    /// assert_eq!(values.len(), 1);
    /// let (sql, values) = q.build(Dialect::Postgres).unwrap();
    /// assert!(sql.ends_with(r#"WHERE "hero"."name" = $1 LIMIT $2 OFFSET $3"#));
    /// assert_eq!(values.len(), 3);
    /// ```
    ///
    /// [`Capabilities::literal_limit`]: crate::Capabilities::literal_limit
    pub fn build(&self, dialect: Dialect) -> Result<(String, Vec<sea_query::Value>)> {
        let literal = self.literal_limits(dialect);
        let (mut sql, values) = dialect.render(&self.statement_with(!literal)?);
        if literal {
            use std::fmt::Write;
            match (self.page.limit(), self.page.offset()) {
                (Some(n), _) => write!(sql, " LIMIT {n}"),
                // SQLite accepts OFFSET only after a LIMIT; -1 means "no limit" there.
                (None, Some(_)) => write!(sql, " LIMIT -1"),
                (None, None) => Ok(()),
            }
            .and_then(|()| self.page.offset().map_or(Ok(()), |n| write!(sql, " OFFSET {n}")))
            .expect("writing to a String cannot fail");
        }
        // Written here rather than by sea-query: it follows the literal `LIMIT` (MySQL
        // accepts `FOR UPDATE` only after it).
        if let Some(wait) = self.rare().lock
            && dialect.capabilities().row_locks
        {
            sql.push_str(wait.clause());
        }
        Ok((sql, values))
    }
}

impl<S: Selection> Cacheable for Select<S> {
    type Taken = Taken;

    /// Feeds everything that decides this statement's SQL text on `dialect`, but none of
    /// its bound values, to `h` (two queries with one shape render the same SQL), and moves
    /// those values into `out`, in the order [`Select::build`] binds them: select list, join
    /// conditions, `WHERE`, `GROUP BY`, `HAVING`, `ORDER BY`, then `LIMIT` and `OFFSET`
    /// where they are bound. One walk does both, as a statement found in the cache needs
    /// nothing else. Leaves `h` marked unusable when some part cannot be described without
    /// rendering it; [`Cacheable::put_back`] then returns the values for rendering.
    #[inline]
    fn shape_taking(&mut self, dialect: Dialect, h: &mut Shaper, out: &mut Bound) -> Taken {
        h.word(dialect as u64);
        if !self.selection.shape(h.hasher()) {
            h.word(0x5e1e);
            let mut exprs = Vec::new();
            self.selection.push_exprs(&mut exprs);
            h.exprs(&exprs);
            exprs.iter_mut().for_each(|e| take_values(e, out));
        }
        // The select list's values are the selection's own copies: nothing to put back.
        let own_from = out.len();
        match &mut self.rare {
            None => h.word(0),
            Some(rare) => {
                h.word(1);
                h.word(u64::from(rare.distinct));
                h.word(rare.lock.map_or(0, |wait| wait as u64 + 1));
                h.word(rare.from.len() as u64);
                for t in &rare.from {
                    h.table(t);
                }
                h.word(rare.joins.len() as u64);
                for j in &mut rare.joins {
                    h.table(j.table);
                    h.word(j.kind as u64);
                    match &mut j.on {
                        Some(on) => {
                            h.expr(on);
                            take_values(on, out);
                        }
                        None => h.word(0x0f),
                    }
                }
            }
        }
        h.word(self.filters.len() as u64);
        for f in &mut self.filters {
            h.cond(f);
            match f {
                Cond::Compare { value, .. } => out.push(std::mem::replace(value, Value::Bool(None))),
                Cond::Expr(e) => take_values(e, out),
            }
        }
        if let Some(rare) = &mut self.rare {
            h.word(rare.group_by.len() as u64);
            h.word(rare.having.len() as u64);
            for e in rare.group_by.iter_mut().chain(&mut rare.having) {
                h.expr(e);
                take_values(e, out);
            }
        }
        h.word(self.order.len() as u64);
        for o in &mut self.order {
            h.term(&o.term);
            if let Term::Expr(e) = &mut o.term {
                take_values(e, out);
            }
            match o.order {
                sea_query::Order::Asc => h.word(1),
                sea_query::Order::Desc => h.word(2),
                _ => h.unusable(),
            }
            h.word(match o.nulls {
                None => 0,
                Some(sea_query::NullOrdering::First) => 1,
                Some(sea_query::NullOrdering::Last) => 2,
            });
        }
        let own_to = out.len();
        let limit_word = |n: Option<u64>| n.map_or(0, |n| n.wrapping_add(1));
        if self.literal_limits(dialect) {
            h.word(limit_word(self.page.limit()));
            h.word(limit_word(self.page.offset()));
        } else {
            // A marker first: a bound limit and a verb's literal one are two shapes.
            h.word(u64::MAX);
            h.word(u64::from(self.page.limit().is_some()));
            h.word(u64::from(self.page.offset().is_some()));
            match (self.page.limit(), self.page.offset()) {
                (Some(n), _) => out.push(Value::BigUnsigned(Some(n))),
                (None, Some(_)) => out.push(Value::BigUnsigned(Some(NO_LIMIT))),
                (None, None) => {}
            }
            if let Some(n) = self.page.offset() {
                out.push(Value::BigUnsigned(Some(n)));
            }
        }
        Taken { own: own_from..own_to }
    }

    /// Puts the values [`Cacheable::shape_taking`] moved out back where they were, so that
    /// the statement renders (and binds) as before.
    fn put_back(&mut self, taken: &Taken, values: &Bound) {
        let mut values = values[taken.own.clone()].iter().cloned();
        if let Some(rare) = &mut self.rare {
            for on in rare.joins.iter_mut().filter_map(|j| j.on.as_mut()) {
                put_values(on, &mut values);
            }
        }
        for f in &mut self.filters {
            match f {
                Cond::Compare { value, .. } => *value = values.next().expect("a value was taken from each comparison"),
                Cond::Expr(e) => put_values(e, &mut values),
            }
        }
        if let Some(rare) = &mut self.rare {
            for e in rare.group_by.iter_mut().chain(&mut rare.having) {
                put_values(e, &mut values);
            }
        }
        for o in &mut self.order {
            if let Term::Expr(e) = &mut o.term {
                put_values(e, &mut values);
            }
        }
    }

    fn render(&self, dialect: Dialect) -> Result<(String, Vec<Value>)> {
        self.build(dialect)
    }
}

/// Which of the values [`Cacheable::shape_taking`] took came out of the statement itself (the
/// rest are the select list's copies and the bound `LIMIT`/`OFFSET`).
pub(crate) struct Taken {
    own: std::ops::Range<usize>,
}

/// The `LIMIT` bound with an `OFFSET` and no limit: larger than any table, and within
/// every dialect's signed 64-bit integers.
const NO_LIMIT: u64 = u64::MAX >> 1;

/// Finds the one foreign key between `table` and the tables already in the query.
fn infer_join_condition(present: &[&'static TableMeta], table: &'static TableMeta) -> Result<sea_query::Expr> {
    use sea_query::ExprTrait;
    let mut found = Vec::new();
    for p in present {
        for c in table.columns {
            if let Some(fk) = c.foreign_key.filter(|fk| fk.table == p.name) {
                found.push(sea_query::Expr::col((table.name, c.name)).equals((p.name, fk.column)));
            }
        }
        for c in p.columns {
            if let Some(fk) = c.foreign_key.filter(|fk| fk.table == table.name) {
                found.push(sea_query::Expr::col((p.name, c.name)).equals((table.name, fk.column)));
            }
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Error::InvalidQuery(format!(
            "no foreign key links `{}` to {}: use `join_on` with an explicit condition",
            table.name,
            names(present)
        ))),
        n => Err(Error::InvalidQuery(format!(
            "{n} foreign keys link `{}` to {}: use `join_on` to say which",
            table.name,
            names(present)
        ))),
    }
}

fn names(tables: &[&'static TableMeta]) -> String {
    tables.iter().map(|t| format!("`{}`", t.name)).collect::<Vec<_>>().join(", ")
}
