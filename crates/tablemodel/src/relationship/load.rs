//! Loading relationships: lazily for rows in hand (`session.load`), or eagerly for a query
//! (`select::<Team>().load(Team::heroes())`), with one extra query per relationship
//! ("selectin", IN lists chunked under the backend's parameter limit) or one query in all
//! ("joined"). The loaded rows' back-references (`back_populates`) are filled from the
//! owners they were loaded for, without another query.

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
use crate::session::{Executable, Session};
use crate::types::Value;

/// A join column's value as a map key. Keys of one join have one Rust type; integers and
/// text (nearly every key) hash without formatting.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum JoinKey {
    Int(i64),
    Text(String),
    Other(String),
}

/// The key of a value; `None` for NULL.
pub(crate) fn key_of(value: &Value) -> Option<JoinKey> {
    match value {
        Value::BigInt(Some(v)) => Some(JoinKey::Int(*v)),
        Value::Int(Some(v)) => Some(JoinKey::Int(i64::from(*v))),
        Value::SmallInt(Some(v)) => Some(JoinKey::Int(i64::from(*v))),
        Value::String(Some(v)) => Some(JoinKey::Text(v.clone())),
        other if crate::types::builtin::is_null(other) => None,
        other => Some(JoinKey::Other(format!("{other:?}"))),
    }
}

/// Something that loads a relationship into many rows of `O` at once.
pub trait Loader<O>: Send + Sync {
    /// Loads into `owners`.
    fn load<'a>(&'a self, session: &'a mut Session, owners: Vec<&'a mut O>) -> BoxFuture<'a, Result<()>>;
}

impl<O: Model, S: Shape> Loader<O> for Relationship<O, S> {
    fn load<'a>(&'a self, session: &'a mut Session, owners: Vec<&'a mut O>) -> BoxFuture<'a, Result<()>> {
        Box::pin(selectin(session, owners, *self))
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

/// Loads `rel` into `owners` with one query per chunk of keys.
pub(crate) async fn selectin<O: Model, S: Shape>(
    session: &mut Session,
    mut owners: Vec<&mut O>,
    rel: Relationship<O, S>,
) -> Result<()> {
    let r = resolve(O::META, rel.meta)?;
    let target = S::Target::META;
    let mut keys: Vec<Value> = Vec::new();
    let mut seen = FxHashSet::default();
    for o in &owners {
        let v = o.column_value(r.local);
        if let Some(k) = key_of(&v)
            && seen.insert(k)
        {
            keys.push(v);
        }
    }
    let mut found: FxHashMap<JoinKey, Vec<S::Target>> = FxHashMap::default();
    let order: Vec<OrderBy> = target
        .primary_key
        .iter()
        .map(|&k| OrderBy::column(target.name, target.columns[k].name, sea_query::Order::Asc))
        .collect();
    for chunk in keys.chunks(chunk_size(session)) {
        match r.link {
            None => {
                let column = sea_query::Expr::col((target.name, target.columns[r.remote].name));
                let mut q = select::<S::Target>().filter(Filter::from_expr(column.is_in(chunk.iter().cloned())));
                for o in &order {
                    q = q.order_by(o.clone());
                }
                for row in session.all(q).await? {
                    if let Some(k) = key_of(&row.column_value(r.remote)) {
                        found.entry(k).or_default().push(row);
                    }
                }
            }
            Some((link, owner_column, target_column)) => {
                let on = sea_query::Expr::col((link.name, link.columns[target_column].name))
                    .equals((target.name, target.columns[r.remote].name));
                let owner_col = sea_query::Expr::col((link.name, link.columns[owner_column].name));
                let selection = LinkedSel { link, owner_column, target: ModelSel::<S::Target>::new() };
                let mut q = crate::query::select_only(selection)
                    .join_table(link, sea_query::JoinType::InnerJoin, Filter::from_expr(on))
                    .filter(Filter::from_expr(owner_col.is_in(chunk.iter().cloned())));
                for o in &order {
                    q = q.order_by(o.clone());
                }
                for (owner_key, row) in session.all(q).await? {
                    if let Some(k) = key_of(&owner_key) {
                        found.entry(k).or_default().push(row);
                    }
                }
            }
        }
    }
    assign(&mut owners, rel, r.local, found)
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
    let keys: Vec<Option<JoinKey>> = owners.iter().map(|o| key_of(&o.column_value(local))).collect();
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
            let parent: &dyn std::any::Any = &**o;
            for row in value.rows_mut() {
                row.fill_back_reference(back, parent);
            }
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
    /// Loads one more relationship.
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
        for loader in &self.loaders {
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
            O::META.primary_key.iter().map(|&k| key_of(&owner.column_value(k))).collect();
        let local = key_of(&owner.column_value(r.local));
        if index.insert(owner_key) {
            owners.push(owner);
        }
        if let (Some(local), Some(row)) = (local, related) {
            let row_key: Vec<Option<JoinKey>> =
                target.primary_key.iter().map(|&k| key_of(&row.column_value(k))).collect();
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
