//! The statements whose shape is fixed per model: get, insert, update and delete by key.
//!
//! They are rendered with sea-query the first time a model needs them in the process and
//! reused after that, so the hot path of `get`/`add`/`update` only binds values. The
//! prepared-statement caches of the drivers key on this same text.

use std::sync::{LazyLock, OnceLock, RwLock};

use rustc_hash::FxHashMap;

use sea_query::{ExprTrait, Query};

use crate::backend::Dialect;
use crate::meta::TableMeta;

/// Which fixed statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum StatementKind {
    /// `SELECT <all> WHERE <key>`.
    Get,
    /// `INSERT … RETURNING <all>`, leaving out the `omitted` columns (database generated
    /// keys the model leaves unset).
    Insert { omitted: crate::session::Omitted },
    /// `UPDATE <the columns of bit set `set`> WHERE <key> [AND <version>]`, incrementing a
    /// version column, with `RETURNING <all>` when `returning` (see [`update_statement`]).
    UpdateByKey { set: u64, returning: bool },
    /// `DELETE WHERE <key>`.
    DeleteByKey,
}

/// The cache of rendered fixed statements, shared by every engine of the process.
///
/// Looked up on every `get`/`add`/`save`/`delete`, so it is keyed by the address of the
/// model's metadata (two models with one table name never share an entry) and hashed with
/// FxHash, and it hands out `&'static str`: each distinct statement is rendered and kept
/// once, which saves the reference counting of a shared string on the hot path.
#[derive(Debug, Default)]
pub(crate) struct ModelStatements;

type Key = (usize, StatementKind, Dialect);

static CACHE: LazyLock<RwLock<FxHashMap<Key, &'static str>>> = LazyLock::new(Default::default);

impl ModelStatements {
    /// The SQL of `kind` for `meta`, rendering it on first use.
    pub(crate) fn sql(&self, meta: &'static TableMeta, kind: StatementKind, dialect: Dialect) -> &'static str {
        let key = (std::ptr::from_ref(meta) as usize, kind, dialect);
        if let Some(sql) = CACHE.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return sql;
        }
        let mut cache = CACHE.write().unwrap_or_else(|e| e.into_inner());
        cache.entry(key).or_insert_with(|| Box::leak(render(meta, kind, dialect).into_boxed_str()))
    }
}

/// The fixed statement at `sql`'s address, if `sql` is one: see
/// [`LastingText`](crate::query::lasting_text::LastingText). Searches every statement, so it
/// is for the cold path of preparing one.
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) fn find_by_address(sql: &str) -> Option<&'static str> {
    let cache = CACHE.read().unwrap_or_else(|e| e.into_inner());
    cache.values().copied().find(|text| crate::query::lasting_text::same_place(text, sql))
}

/// One model's slots for the fixed statements that take no options (`Get`,
/// `DeleteByKey`), per dialect, and for the first variant of `Insert` and of `UpdateByKey`
/// it runs: the derive gives each model a `static` of these, so the hot path of `get`,
/// `add`, `save` and `delete` reads its SQL with an atomic load instead of the shared
/// map's lock and hash. Not an API.
#[doc(hidden)]
#[derive(Debug)]
pub struct FixedStatements {
    slots: [OnceLock<&'static str>; 2 * DIALECTS],
    /// The first `Insert` and the first `UpdateByKey` variant each dialect ran for the
    /// model (a model mostly leaves the same columns to the database and changes the same
    /// ones); other variants are read from the shared map.
    first: [OnceLock<(StatementKind, &'static str)>; 2 * DIALECTS],
}

/// How many dialects [`FixedStatements`] has slots for.
const DIALECTS: usize = Dialect::ALL.len();

impl FixedStatements {
    /// Empty slots.
    #[allow(clippy::new_without_default)] // a `const` constructor for a `static`
    pub const fn new() -> Self {
        FixedStatements {
            slots: [const { OnceLock::new() }; 2 * DIALECTS],
            first: [const { OnceLock::new() }; 2 * DIALECTS],
        }
    }

    /// The SQL of `kind` for `meta`: from this model's slots for `Get`, `DeleteByKey` and
    /// the first variants of `Insert` and `UpdateByKey`, from the shared map for the others.
    #[inline]
    pub(crate) fn sql(&self, meta: &'static TableMeta, kind: StatementKind, dialect: Dialect) -> &'static str {
        let row = match kind {
            StatementKind::Get => 0,
            StatementKind::DeleteByKey => 1,
            StatementKind::Insert { .. } => return self.first_variant(0, meta, kind, dialect),
            StatementKind::UpdateByKey { .. } => return self.first_variant(1, meta, kind, dialect),
        };
        let slot = &self.slots[row * DIALECTS + dialect as usize];
        match slot.get() {
            Some(&sql) => sql,
            None => slot.get_or_init(|| ModelStatements.sql(meta, kind, dialect)),
        }
    }
}

impl FixedStatements {
    /// The SQL of `kind` from the slot of the first variant of its kind (row `row`) the
    /// model ran, which it fills; from the shared map for another variant.
    #[inline]
    fn first_variant(
        &self,
        row: usize,
        meta: &'static TableMeta,
        kind: StatementKind,
        dialect: Dialect,
    ) -> &'static str {
        let slot = &self.first[row * DIALECTS + dialect as usize];
        let &(first, sql) = match slot.get() {
            Some(found) => found,
            None => slot.get_or_init(|| (kind, ModelStatements.sql(meta, kind, dialect))),
        };
        if first == kind { sql } else { ModelStatements.sql(meta, kind, dialect) }
    }
}

fn key_condition(meta: &'static TableMeta) -> sea_query::Expr {
    let mut cond: Option<sea_query::Expr> = None;
    for &k in meta.primary_key {
        let c = &meta.columns[k];
        let e = sea_query::Expr::col((meta.name, c.name)).eq(c.ty.kind.null());
        cond = Some(match cond {
            Some(prev) => prev.and(e),
            None => e,
        });
    }
    cond.unwrap_or_else(|| sea_query::Expr::cust("1 = 0"))
}

fn returning_all(meta: &'static TableMeta) -> sea_query::ReturningClause {
    Query::returning().columns(meta.columns.iter().map(|c| c.name))
}

fn render(meta: &'static TableMeta, kind: StatementKind, dialect: Dialect) -> String {
    match kind {
        StatementKind::Get => {
            let mut q = Query::select();
            q.exprs(meta.columns.iter().map(|c| sea_query::Expr::col((meta.name, c.name))));
            q.from(meta.name).and_where(key_condition(meta));
            dialect.render(&q).0
        }
        StatementKind::Insert { omitted } => {
            let mut q = Query::insert();
            q.into_table(meta.name);
            let cols: Vec<_> = omitted.sent(meta).map(|i| &meta.columns[i]).collect();
            if cols.is_empty() {
                q.or_default_values();
            } else {
                q.columns(cols.iter().map(|c| c.name));
                q.values_panic(cols.iter().map(|c| sea_query::Expr::val(c.ty.kind.null())));
            }
            q.returning(returning_all(meta));
            dialect.render(&q).0
        }
        StatementKind::UpdateByKey { set, returning } => {
            let columns: Vec<usize> = (0..meta.columns.len().min(64)).filter(|i| set & (1 << i) != 0).collect();
            render_update(meta, &columns, returning, dialect)
        }
        StatementKind::DeleteByKey => {
            let mut q = Query::delete();
            q.from_table(meta.name).and_where(key_condition(meta));
            dialect.render(&q).0
        }
    }
}

/// The `UPDATE` of `save`: sets `columns` (positions in `meta.columns`) of the row with the
/// key, and with a version column (`#[field(version)]`) also checks the version and
/// increments it; with `RETURNING <all>` when `returning`. Its parameters are the values of
/// `columns`, then the key, then the expected version.
///
/// Rendered once per column set for tables of up to 64 columns, on each call for wider ones.
pub(crate) fn update_statement<M: crate::model::Model>(
    columns: &[usize],
    returning: bool,
    dialect: Dialect,
) -> std::borrow::Cow<'static, str> {
    let meta = M::META;
    if meta.columns.len() <= 64 {
        let set = columns.iter().fold(0u64, |set, &i| set | (1 << i));
        let kind = StatementKind::UpdateByKey { set, returning };
        std::borrow::Cow::Borrowed(match M::fixed_statements() {
            Some(slots) => slots.sql(meta, kind, dialect),
            None => ModelStatements.sql(meta, kind, dialect),
        })
    } else {
        std::borrow::Cow::Owned(render_update(meta, columns, returning, dialect))
    }
}

fn render_update(meta: &'static TableMeta, columns: &[usize], returning: bool, dialect: Dialect) -> String {
    let mut q = Query::update();
    q.table(meta.name);
    for &i in columns {
        let c = &meta.columns[i];
        q.value(c.name, sea_query::Expr::val(c.ty.kind.null()));
    }
    let version = meta.columns.iter().find(|c| c.version);
    if let Some(v) = version {
        q.value(v.name, sea_query::Expr::col(v.name).add(sea_query::Expr::cust("1")));
    }
    q.and_where(key_condition(meta));
    if let Some(v) = version {
        q.and_where(sea_query::Expr::col((meta.name, v.name)).eq(v.ty.kind.null()));
    }
    if returning {
        q.returning(returning_all(meta));
    }
    dialect.render(&q).0
}
