//! Loading relationships: lazily for rows in hand (`session.load`), or eagerly for a query
//! (`select::<Team>().load(Team::heroes())`), with one extra query per relationship
//! ("selectin", IN lists chunked under the backend's parameter limit) or one query in all
//! ("joined"). The loaded rows' back-references (`back_populates`) are filled from the
//! owners they were loaded for, without another query. The selectin queries of several
//! relationships of one query are planned first ([`Loader::plan`]) and sent together.

use rustc_hash::{FxHashMap, FxHashSet};

use futures_util::future::BoxFuture;
use sea_query::ExprTrait;

use super::handle::{Relationship, Shape};
use super::meta::{RelationKind, resolve};
use super::related::Related;
use crate::error::{Error, Result};
use crate::expr::{Filter, OrderBy};
use crate::meta::TableMeta;
use crate::model::Model;
use crate::query::{ModelSel, OptionalModelSel, Select, Selection, select};
use crate::row::RowReader;
use crate::session::{Executable, Session, Together};
use crate::types::Value;

/// A join column's value as a map key. Keys of one join have one Rust type; integers and
/// text (nearly every key) hash without formatting.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum JoinKey {
    Int(i64),
    Text(String),
    Other(String),
}

/// The key of a value; `None` for NULL. Called for every row an eager load reads.
#[inline]
pub(crate) fn key_of(value: Value) -> Option<JoinKey> {
    // An integer, nearly every key, holds nothing to drop: read through `ManuallyDrop`, it
    // costs no call of `Value`'s drop glue (a switch over every variant) per row.
    let value = std::mem::ManuallyDrop::new(value);
    match *value {
        Value::BigInt(Some(v)) => Some(JoinKey::Int(v)),
        Value::Int(Some(v)) => Some(JoinKey::Int(i64::from(v))),
        Value::SmallInt(Some(v)) => Some(JoinKey::Int(i64::from(v))),
        _ => other_key(std::mem::ManuallyDrop::into_inner(value)),
    }
}

/// [`key_of`] a value that is not a non-NULL integer: a text is moved into its key.
fn other_key(value: Value) -> Option<JoinKey> {
    match value {
        Value::String(Some(v)) => Some(JoinKey::Text(v)),
        other if crate::types::builtin::is_null(&other) => None,
        other => Some(JoinKey::Other(format!("{other:?}"))),
    }
}

/// Something that loads a relationship into many rows of `O` at once.
pub trait Loader<O>: Send + Sync {
    /// Loads into `owners`.
    fn load<'a>(&'a self, session: &'a mut Session, owners: Vec<&'a mut O>) -> BoxFuture<'a, Result<()>>;

    /// The load as one rendered query that can go out together with the other loads of a
    /// query, when it is one; `None` (the default) when it runs on its own with
    /// [`Loader::load`].
    fn plan(&self, session: &Session, owners: &[&mut O]) -> Result<Option<Planned<O>>> {
        let _ = (session, owners);
        Ok(None)
    }
}

impl<O: Model, S: Shape> Loader<O> for Relationship<O, S> {
    fn load<'a>(&'a self, session: &'a mut Session, owners: Vec<&'a mut O>) -> BoxFuture<'a, Result<()>> {
        Box::pin(selectin(session, owners, *self))
    }

    fn plan(&self, session: &Session, owners: &[&mut O]) -> Result<Option<Planned<O>>> {
        plan_selectin(session, owners, *self)
    }
}

/// A relationship followed by a relationship of its rows: `Team::heroes().then(Hero::powers())`.
pub struct Then<O, S, L> {
    first: Relationship<O, S>,
    next: L,
}

impl<O, S: Shape> Relationship<O, S> {
    /// Loads `next` into the rows this relationship loads (nested eager loading).
    pub fn then<L: Loader<S::Target>>(self, next: L) -> Then<O, S, L> {
        Then { first: self, next }
    }
}

impl<O: Model, S: Shape, L: Loader<S::Target>> Loader<O> for Then<O, S, L> {
    fn load<'a>(&'a self, session: &'a mut Session, mut owners: Vec<&'a mut O>) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            selectin(session, owners.iter_mut().map(|o| &mut **o).collect(), self.first).await?;
            let field = self.first.field;
            let rows: Vec<&mut S::Target> =
                owners.into_iter().filter_map(|o| field(o).get_mut()).flat_map(|value| value.rows_mut()).collect();
            self.next.load(session, rows).await
        })
    }
}

impl<O: Model, L: Loader<O> + ?Sized> Loader<O> for Box<L> {
    fn load<'a>(&'a self, session: &'a mut Session, owners: Vec<&'a mut O>) -> BoxFuture<'a, Result<()>> {
        (**self).load(session, owners)
    }

    fn plan(&self, session: &Session, owners: &[&mut O]) -> Result<Option<Planned<O>>> {
        (**self).plan(session, owners)
    }
}

/// How many keys go in one IN list.
fn chunk_size(session: &Session) -> usize {
    (session.dialect().max_params() - 16).min(30_000)
}

/// The selection of a many-to-many query: the link column naming the owner, then the target.
struct LinkedSel<T> {
    link: &'static TableMeta,
    owner_column: usize,
    target: ModelSel<T>,
}

impl<T> Clone for LinkedSel<T> {
    fn clone(&self) -> Self {
        LinkedSel { link: self.link, owner_column: self.owner_column, target: self.target.clone() }
    }
}

impl<T: Model> Selection for LinkedSel<T> {
    type Output = (Value, T);
    fn push_exprs(&self, out: &mut Vec<sea_query::Expr>) {
        out.push(sea_query::Expr::col((self.link.name, self.link.columns[self.owner_column].name)));
        self.target.push_exprs(out);
    }
    fn push_tables(&self, out: &mut Vec<&'static TableMeta>) {
        self.target.push_tables(out);
    }
    fn decode(&self, row: &mut RowReader<'_>) -> Result<(Value, T)> {
        let column = &self.link.columns[self.owner_column];
        let key = row.read_value(column.ty.kind, column.name)?;
        Ok((key, self.target.decode(row)?))
    }
}

/// The distinct keys of `owners` in column `local`, in order.
fn owner_keys<O: Model>(owners: &[&mut O], local: usize) -> Vec<Value> {
    let mut keys: Vec<Value> = Vec::new();
    let mut seen = FxHashSet::default();
    for o in owners {
        let v = o.column_value(local);
        if let Some(k) = key_of(v.clone())
            && seen.insert(k)
        {
            keys.push(v);
        }
    }
    keys
}

/// The query of the related rows of one chunk of owner keys.
enum ChunkQuery<T> {
    /// The target holds the key (one-to-many, many-to-one): rows of the target.
    Direct(Select<ModelSel<T>>),
    /// Many-to-many: the owner's key from the link table, and the target row.
    Linked(Select<LinkedSel<T>>),
}

/// The query that reads the related rows of the owners whose keys are `chunk`.
fn chunk_query<T: Model>(r: &super::meta::Resolved, chunk: &[Value]) -> ChunkQuery<T> {
    let target = T::META;
    let order =
        target.primary_key.iter().map(|&k| OrderBy::column(target.name, target.columns[k].name, sea_query::Order::Asc));
    match r.link {
        None => {
            let column = sea_query::Expr::col((target.name, target.columns[r.remote].name));
            let mut q = select::<T>().filter(Filter::from_expr(column.is_in(chunk.iter().cloned())));
            for o in order {
                q = q.order_by(o);
            }
            ChunkQuery::Direct(q)
        }
        Some((link, owner_column, target_column)) => {
            let on = sea_query::Expr::col((link.name, link.columns[target_column].name))
                .equals((target.name, target.columns[r.remote].name));
            let owner_col = sea_query::Expr::col((link.name, link.columns[owner_column].name));
            let selection = LinkedSel { link, owner_column, target: ModelSel::<T>::new() };
            let mut q = crate::query::select_only(selection)
                .join_table(link, sea_query::JoinType::InnerJoin, Filter::from_expr(on))
                .filter(Filter::from_expr(owner_col.is_in(chunk.iter().cloned())));
            for o in order {
                q = q.order_by(o);
            }
            ChunkQuery::Linked(q)
        }
    }
}

/// Loads `rel` into `owners` with one query per chunk of keys.
pub(crate) async fn selectin<O: Model, S: Shape>(
    session: &mut Session,
    mut owners: Vec<&mut O>,
    rel: Relationship<O, S>,
) -> Result<()> {
    let r = resolve(O::META, rel.meta)?;
    let keys = owner_keys(&owners, r.local);
    let mut found: FxHashMap<JoinKey, Vec<S::Target>> = FxHashMap::default();
    for chunk in keys.chunks(chunk_size(session)) {
        match chunk_query::<S::Target>(&r, chunk) {
            ChunkQuery::Direct(q) => {
                for row in session.all(q).await? {
                    if let Some(k) = key_of(row.column_value(r.remote)) {
                        found.entry(k).or_default().push(row);
                    }
                }
            }
            ChunkQuery::Linked(q) => {
                for (owner_key, row) in session.all(q).await? {
                    if let Some(k) = key_of(owner_key) {
                        found.entry(k).or_default().push(row);
                    }
                }
            }
        }
    }
    assign(&mut owners, rel, r.local, found)
}

/// A relationship load whose one query is rendered and waits to go out together with the
/// queries of the other relationships a [`Loading`] query loads (one round trip for all of
/// them on PostgreSQL). Made by [`Loader::plan`].
pub struct Planned<O>(Box<dyn Plan<O>>);

/// What a [`Planned`] load does: its query, and filling the owners from the rows it read.
trait Plan<O>: Together {
    fn together(&mut self) -> &mut dyn Together;
    fn finish(self: Box<Self>, session: &mut Session, owners: &mut [&mut O]) -> Result<()>;
}

/// A row of the target, with the key of the owner it belongs to.
type KeyedRow<T> = (Option<JoinKey>, T);

/// The planned selectin load of one relationship, reading each row with `D` (a
/// [`KeyedRow`] from a row of its query). `D` is a type parameter rather than a boxed
/// closure so that the row's decoding is compiled into [`Together::read`], where the row
/// goes into its group, and not reached through a pointer for every row.
struct SelectinPlan<O, S: Shape, D> {
    rel: Relationship<O, S>,
    local: usize,
    sql: std::sync::Arc<str>,
    params: Vec<Value>,
    decode: D,
    /// Whether the session remembers the rows for `save` (as `session.all` does for rows
    /// of a model).
    remember: bool,
    found: FxHashMap<JoinKey, Vec<S::Target>>,
}

impl<O: Model, S: Shape, D> Together for SelectinPlan<O, S, D>
where
    D: Fn(&mut RowReader<'_>) -> Result<KeyedRow<S::Target>> + Send + Sync,
{
    fn take_statement(&mut self) -> (std::sync::Arc<str>, Vec<Value>) {
        (self.sql.clone(), std::mem::take(&mut self.params))
    }

    fn read(&mut self, row: &mut RowReader<'_>) -> Result<()> {
        if let (Some(k), row) = (self.decode)(row)? {
            self.found.entry(k).or_default().push(row);
        }
        Ok(())
    }
}

impl<O: Model, S: Shape, D> Plan<O> for SelectinPlan<O, S, D>
where
    D: Fn(&mut RowReader<'_>) -> Result<KeyedRow<S::Target>> + Send + Sync,
{
    fn together(&mut self) -> &mut dyn Together {
        self
    }

    fn finish(self: Box<Self>, session: &mut Session, owners: &mut [&mut O]) -> Result<()> {
        if self.remember {
            session.remember_rows(self.found.values().flatten());
        }
        assign(owners, self.rel, self.local, self.found)
    }
}

/// Plans `rel`'s load into `owners` when one query reads it (its keys fit one chunk).
fn plan_selectin<O: Model, S: Shape>(
    session: &Session,
    owners: &[&mut O],
    rel: Relationship<O, S>,
) -> Result<Option<Planned<O>>> {
    let r = resolve(O::META, rel.meta)?;
    let keys = owner_keys(owners, r.local);
    // No keys: no query at all (`load` only sets the fields); too many: several queries.
    if keys.is_empty() || keys.len() > chunk_size(session) {
        return Ok(None);
    }
    let dialect = session.dialect();
    let remote = r.remote;
    let plan: Box<dyn Plan<O>> = match chunk_query::<S::Target>(&r, &keys) {
        ChunkQuery::Direct(mut q) => {
            let (sql, params) = crate::query::prepare(&mut q, dialect)?;
            let (params, selection) = (params.into_vec(), q.selection);
            let decode = move |row: &mut RowReader<'_>| {
                let row = selection.decode(row)?;
                Ok((key_of(row.column_value(remote)), row))
            };
            let found = FxHashMap::default();
            Box::new(SelectinPlan { rel, local: r.local, sql, params, decode, remember: true, found })
        }
        ChunkQuery::Linked(mut q) => {
            let (sql, params) = crate::query::prepare(&mut q, dialect)?;
            let (params, selection) = (params.into_vec(), q.selection);
            let decode = move |row: &mut RowReader<'_>| {
                let (owner_key, row) = selection.decode(row)?;
                Ok((key_of(owner_key), row))
            };
            let found = FxHashMap::default();
            Box::new(SelectinPlan { rel, local: r.local, sql, params, decode, remember: false, found })
        }
    };
    Ok(Some(Planned(plan)))
}

/// Sets the field of each owner from the rows found for its key. Owners that share a key
/// (heroes of one team) each get a copy; the last of them takes the rows themselves, so a
/// one-to-many load moves every row once and copies none.
fn assign<O: Model, S: Shape>(
    owners: &mut [&mut O],
    rel: Relationship<O, S>,
    local: usize,
    mut found: FxHashMap<JoinKey, Vec<S::Target>>,
) -> Result<()> {
    let back = back_reference::<O, S::Target>(rel.meta.back_populates);
    let keys: Vec<Option<JoinKey>> = owners.iter().map(|o| key_of(o.column_value(local))).collect();
    let mut uses: FxHashMap<&JoinKey, usize> = FxHashMap::default();
    for k in keys.iter().flatten() {
        *uses.entry(k).or_default() += 1;
    }
    for (o, key) in owners.iter_mut().zip(&keys) {
        let rows = match key {
            Some(k) => {
                let left = uses.get_mut(k).expect("every key was counted");
                *left -= 1;
                if *left == 0 { found.remove(k) } else { found.get(k).cloned() }
            }
            None => None,
        }
        .unwrap_or_default();
        let mut value = S::from_found(rows).ok_or_else(|| Error::MissingRelated {
            relationship: format!("{}.{}", O::META.name, rel.meta.name),
            target: S::Target::META.name,
        })?;
        if let Some(back) = back {
            S::Target::fill_back_references(&mut value.rows_mut(), back, &**o);
        }
        *(rel.field)(o) = Related::Loaded(value);
    }
    Ok(())
}

/// The relationship of `T` that `back_populates` names when it leads back to `O` one row at
/// a time (many-to-one, or one-to-one): the rows loaded for an `O` get a copy of it there.
/// A list on the other side is left alone: only the rows loaded here would be in it.
fn back_reference<O: Model, T: Model>(back_populates: Option<&'static str>) -> Option<&'static str> {
    let name = back_populates?;
    T::RELATIONS
        .iter()
        .any(|r| r.name == name && r.kind == RelationKind::ToOne && r.target.name == O::META.name)
        .then_some(name)
}

/// A query of `M` rows with relationships to load once they are read.
#[must_use]
pub struct Loading<M> {
    select: Select<ModelSel<M>>,
    loaders: Vec<Box<dyn Loader<M>>>,
    joined: Option<Box<dyn JoinedLoader<M>>>,
}

impl<M: Model> Select<ModelSel<M>> {
    /// Loads `relationship` into every row the query returns, with one more query
    /// ("selectin"): `select::<Team>().load(Team::heroes())`.
    pub fn load(self, relationship: impl Loader<M> + 'static) -> Loading<M> {
        Loading { select: self, loaders: vec![Box::new(relationship)], joined: None }
    }

    /// Loads `relationship` in the same query, with a `LEFT OUTER JOIN` (one-to-many and
    /// many-to-one relationships, on a query without `LIMIT`/`OFFSET`).
    pub fn load_joined<S: Shape>(self, relationship: Relationship<M, S>) -> Loading<M> {
        Loading { select: self, loaders: Vec::new(), joined: Some(Box::new(relationship)) }
    }
}

impl<M: Model> Loading<M> {
    /// Loads one more relationship. The queries of several loads are sent together, in one
    /// round trip on PostgreSQL (a nested load, or one whose keys need several `IN` lists,
    /// runs after them).
    pub fn load(mut self, relationship: impl Loader<M> + 'static) -> Self {
        self.loaders.push(Box::new(relationship));
        self
    }
}

impl<M: Model> Executable for Loading<M> {
    type Output = Vec<M>;
    async fn execute(self, session: &mut Session) -> Result<Vec<M>> {
        let mut rows = match self.joined {
            Some(joined) => joined.run(session, self.select).await?,
            None => session.all(self.select).await?,
        };
        let mut alone: Vec<&dyn Loader<M>> = Vec::new();
        if !self.loaders.is_empty() {
            // The loads that are one query each go out together, the others after them. A
            // lone load goes this way too: its rows go straight to their owners' keys,
            // without a vector of all of them first.
            let owners: Vec<&mut M> = rows.iter_mut().collect();
            let mut planned = Vec::new();
            for loader in &self.loaders {
                match loader.plan(session, &owners)? {
                    Some(plan) => planned.push(plan.0),
                    None => alone.push(&**loader),
                }
            }
            drop(owners);
            if !planned.is_empty() {
                let mut queries: Vec<&mut dyn Together> = planned.iter_mut().map(|p| p.together()).collect();
                session.query_together(&mut queries).await?;
            }
            let mut owners: Vec<&mut M> = rows.iter_mut().collect();
            for plan in planned {
                plan.finish(session, &mut owners)?;
            }
        }
        for loader in alone {
            loader.load(session, rows.iter_mut().collect()).await?;
        }
        Ok(rows)
    }
}

/// Runs a query of `O` rows joined with one relationship's rows.
trait JoinedLoader<O>: Send + Sync {
    fn run<'a>(&'a self, session: &'a mut Session, select: Select<ModelSel<O>>) -> BoxFuture<'a, Result<Vec<O>>>;
}

impl<O: Model, S: Shape> JoinedLoader<O> for Relationship<O, S> {
    fn run<'a>(&'a self, session: &'a mut Session, select: Select<ModelSel<O>>) -> BoxFuture<'a, Result<Vec<O>>> {
        Box::pin(joined(session, select, *self))
    }
}

async fn joined<O: Model, S: Shape>(
    session: &mut Session,
    select: Select<ModelSel<O>>,
    rel: Relationship<O, S>,
) -> Result<Vec<O>> {
    let r = resolve(O::META, rel.meta)?;
    if rel.meta.kind == RelationKind::ManyToMany || select.is_paged() {
        return Err(Error::InvalidQuery(format!(
            "joined loading of `{}.{}` needs a one-to-many or many-to-one relationship and a query without \
             LIMIT/OFFSET (the join would page the joined rows); use `.load(...)` (selectin) instead",
            O::META.name,
            rel.meta.name
        )));
    }
    let target = S::Target::META;
    let on = sea_query::Expr::col((target.name, target.columns[r.remote].name))
        .equals((O::META.name, O::META.columns[r.local].name));
    let mut q = select.with_selection((ModelSel::<O>::new(), OptionalModelSel::<S::Target>::new())).join_table(
        target,
        sea_query::JoinType::LeftJoin,
        Filter::from_expr(on),
    );
    // Related rows in key order within each owner, as selectin loading gives them.
    for &k in target.primary_key {
        q = q.order_by(OrderBy::column(target.name, target.columns[k].name, sea_query::Order::Asc));
    }
    let mut owners: Vec<O> = Vec::new();
    let mut index: FxHashSet<Vec<Option<JoinKey>>> = FxHashSet::default();
    let mut found: FxHashMap<JoinKey, Vec<S::Target>> = FxHashMap::default();
    // Many owners can share one parent row: keep each row once per key.
    let mut placed: FxHashSet<(JoinKey, Vec<Option<JoinKey>>)> = FxHashSet::default();
    for (owner, related) in session.all(q).await? {
        let owner_key: Vec<Option<JoinKey>> =
            O::META.primary_key.iter().map(|&k| key_of(owner.column_value(k))).collect();
        let local = key_of(owner.column_value(r.local));
        if index.insert(owner_key) {
            owners.push(owner);
        }
        if let (Some(local), Some(row)) = (local, related) {
            let row_key: Vec<Option<JoinKey>> =
                target.primary_key.iter().map(|&k| key_of(row.column_value(k))).collect();
            if placed.insert((local.clone(), row_key)) {
                found.entry(local).or_default().push(row);
            }
        }
    }
    let mut refs: Vec<&mut O> = owners.iter_mut().collect();
    assign(&mut refs, rel, r.local, found)?;
    Ok(owners)
}

impl Session {
    /// Loads a relationship of one row: `session.load(&mut hero, Hero::team()).await?`.
    pub async fn load<O: Model>(&mut self, owner: &mut O, relationship: impl Loader<O>) -> Result<()> {
        relationship.load(self, vec![owner]).await
    }

    /// Loads a relationship of many rows with one query per chunk of keys.
    pub async fn load_all<O: Model>(&mut self, owners: &mut [O], relationship: impl Loader<O>) -> Result<()> {
        relationship.load(self, owners.iter_mut().collect()).await
    }
}
