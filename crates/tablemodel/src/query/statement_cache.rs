//! The statement cache: a `select` (and a bulk `update` or `delete`, see [`Cacheable`]) is
//! rendered once per shape, and afterwards only its values are collected and bound.
//!
//! Rendering through sea-query and finding the prepared statement by its text cost about
//! ten thousand instructions, more than SQLite needs to answer a lookup by key. Two queries
//! that differ only in their bound values render the same SQL, so the cache keys the SQL by
//! the query's *shape*: a hash of the builder's structure (select list, tables, joins, the
//! filter tree with its columns and operators, ordering, and the `LIMIT`/`OFFSET` literals
//! where the dialect writes them into the SQL) that leaves the values out. It is computed
//! by walking the builder, never by rendering it, and the same walk moves the values out in
//! the order the SQL binds them, so a hit needs nothing more; a miss puts them back to render.
//!
//! - The hash is seeded randomly per process, so IN-list lengths or page numbers cannot be
//!   chosen to make two shapes collide; a hit also checks the number of values.
//! - A shape is cached only after its first rendering proved that the walk collects exactly
//!   the values sea-query bound, in the same order; a part the walk does not understand
//!   (functions, sub-queries, custom SQL with placeholders) makes the query render every
//!   time, as before.
//! - One cache serves the process (the SQL depends only on the query and the dialect), with
//!   at most [`CAPACITY`] shapes. On SQLite each distinct `LIMIT`/`OFFSET` literal is a shape
//!   of its own, so a list endpoint adds one shape per page size and page asked for; when the
//!   cache is full, the shapes not used since the previous eviction make room, so the pages
//!   and queries in steady use stay. Statements longer than [`MAX_SQL_LEN`] are not kept. A hit takes a read lock and clones an `Arc`; no `String`
//!   is built. Each thread keeps the shapes it used last in front of it, found without the lock:
//!   a hit there does not mark the shared entry as used, so a shape that only one thread
//!   runs may leave the shared cache and is rendered once more by another thread.

use std::cell::RefCell;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, RwLock};

use rustc_hash::FxHashMap;
use sea_query::{BinOper, Expr, UnOper};

use crate::backend::Dialect;
use crate::error::Result;
use crate::expr::{Cond, Term};
use crate::meta::TableMeta;
use crate::types::Value;

/// The most shapes the cache keeps.
pub(crate) const CAPACITY: usize = 1024;

/// The longest SQL the cache keeps, so that it holds at most 8 MiB of text: a longer
/// statement (an eager load's IN list of thousands of keys) costs far more to run than to
/// render, and its exact length rarely comes back.
const MAX_SQL_LEN: usize = 8 * 1024;

/// The per-process random seed of shape hashes.
static SEED: LazyLock<u64> = LazyLock::new(|| {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64) | 1
});

/// A multiply-rotate hash over 64-bit words, seeded per process: a shape is a few dozen
/// words, and general-purpose hashers spend more on buffering them than on mixing.
struct ShapeHasher(u64);

impl Hasher for ShapeHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.write_u64(u64::from_le_bytes(chunk.try_into().expect("chunks of 8 bytes")));
        }
        let mut tail = [0u8; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.write_u64(u64::from_le_bytes(tail) ^ ((bytes.len() as u64) << 56));
    }

    #[inline]
    fn write_u64(&mut self, w: u64) {
        self.0 = (self.0 ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }

    fn finish(&self) -> u64 {
        let h = self.0 ^ (self.0 >> 32);
        h.wrapping_mul(0xd6e8_feb8_6659_fd93) ^ (h >> 29)
    }
}

/// The values a statement binds: inline up to two (a lookup by key, a page on PostgreSQL),
/// so the common statements allocate nothing for them.
pub(crate) type Bound = smallvec::SmallVec<[Value; 2]>;

/// Accumulates a query's shape.
pub(crate) struct Shaper {
    hasher: ShapeHasher,
    usable: bool,
}

impl Shaper {
    pub(crate) fn new() -> Self {
        Shaper { hasher: ShapeHasher(*SEED), usable: true }
    }

    /// The hasher, for parts that describe themselves ([`Selection::shape`](crate::query::Selection::shape)).
    pub(crate) fn hasher(&mut self) -> &mut dyn Hasher {
        &mut self.hasher
    }

    #[inline]
    pub(crate) fn word(&mut self, w: u64) {
        self.hasher.write_u64(w);
    }

    /// Marks the query as one whose shape cannot be told without rendering it.
    pub(crate) fn unusable(&mut self) {
        self.usable = false;
    }

    pub(crate) fn table(&mut self, table: &'static TableMeta) {
        self.hasher.write_usize(std::ptr::from_ref(table) as usize);
    }

    pub(crate) fn exprs(&mut self, exprs: &[Expr]) {
        for e in exprs {
            self.expr(e);
        }
    }

    /// Feeds an expression tree: its structure, columns and operators; of a bound value
    /// only what its placeholder looks like.
    pub(crate) fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Column(sea_query::ColumnRef::Column(sea_query::ColumnName(table, column))) => {
                self.word(1);
                match table {
                    Some(sea_query::TableName(None, table)) => self.iden(table),
                    Some(qualified) => qualified.hash(&mut self.hasher),
                    None => self.word(0),
                }
                self.iden(column);
            }
            Expr::Tuple(items) => {
                self.word(2);
                self.word(items.len() as u64);
                self.exprs(items);
            }
            Expr::Unary(op, inner) => {
                self.word(3);
                match op {
                    UnOper::Not => self.word(0),
                    _ => self.unusable(),
                }
                self.expr(inner);
            }
            Expr::Binary(left, op, right) => {
                self.word(4);
                match op {
                    BinOper::Custom(text) => text.hash(&mut self.hasher),
                    BinOper::PgOperator(_) | BinOper::SqliteOperator(_) => self.unusable(),
                    other => std::mem::discriminant(other).hash(&mut self.hasher),
                }
                self.expr(left);
                self.expr(right);
            }
            Expr::Value(v) => {
                self.word(5);
                self.value(v);
            }
            Expr::Values(values) => {
                self.word(6);
                self.word(values.len() as u64);
                for v in values {
                    self.value(v);
                }
            }
            Expr::Custom(text) => {
                self.word(7);
                text.hash(&mut self.hasher);
            }
            Expr::Keyword(keyword) => {
                self.word(8);
                match keyword {
                    sea_query::Keyword::Null => self.word(0),
                    sea_query::Keyword::CurrentDate => self.word(1),
                    sea_query::Keyword::CurrentTime => self.word(2),
                    sea_query::Keyword::CurrentTimestamp => self.word(3),
                    sea_query::Keyword::Default => self.word(4),
                    sea_query::Keyword::Custom(text) => text.hash(&mut self.hasher),
                    _ => self.unusable(),
                }
            }
            _ => self.unusable(),
        }
    }

    /// A condition: a column compared with a value by its parts, anything else as its tree.
    pub(crate) fn cond(&mut self, c: &Cond) {
        match c {
            Cond::Compare { table, column, op, value } => {
                self.word(9);
                self.table(table);
                self.word(u64::from(*column) << 8 | *op as u64);
                self.value(value);
            }
            Cond::Expr(e) => self.expr(e),
        }
    }

    /// An `ORDER BY` term.
    pub(crate) fn term(&mut self, t: &Term) {
        match t {
            Term::Column { table, column } => {
                self.word(10);
                self.name(table);
                self.name(column);
            }
            Term::Expr(e) => self.expr(e),
        }
    }

    /// A static name (a model's table or column) by its address and length, which cannot
    /// hold other text, rather than by reading its bytes.
    #[inline]
    pub(crate) fn name(&mut self, name: &'static str) {
        self.hasher.write_usize(name.as_ptr() as usize);
        self.hasher.write_usize(name.len());
    }

    /// An identifier: a static one (every column of a model) as a [`Shaper::name`], another
    /// by its text.
    fn iden(&mut self, iden: &sea_query::DynIden) {
        match iden.inner() {
            std::borrow::Cow::Borrowed(text) => self.name(text),
            std::borrow::Cow::Owned(text) => text.hash(&mut self.hasher),
        }
    }

    /// A bound value renders as a placeholder, but an enum value on PostgreSQL also as a
    /// cast to its type.
    fn value(&mut self, v: &Value) {
        if let Value::Enum(e) = v {
            match e {
                sea_query::OptionEnum::Some(e) => e.type_name.hash(&mut self.hasher),
                sea_query::OptionEnum::None(type_name) => type_name.hash(&mut self.hasher),
            }
        }
    }

    fn finish(self) -> Option<u64> {
        self.usable.then(|| self.hasher.finish())
    }
}

/// Moves the bound values of an expression tree out (leaving NULLs), in the order the
/// tree renders them: left operand before right, list items in order.
pub(crate) fn take_values(e: &mut Expr, out: &mut Bound) {
    match e {
        Expr::Tuple(items) => items.iter_mut().for_each(|i| take_values(i, out)),
        Expr::Unary(_, inner) => take_values(inner, out),
        Expr::Binary(left, _, right) => {
            take_values(left, out);
            take_values(right, out);
        }
        Expr::Value(v) => out.push(std::mem::replace(v, Value::Bool(None))),
        Expr::Values(values) => out.extend(values.iter_mut().map(|v| std::mem::replace(v, Value::Bool(None)))),
        // No values (columns, custom text), or a part that makes the shape unusable.
        _ => {}
    }
}

/// Puts values back into an expression tree that [`take_values`] emptied, in the same order.
pub(crate) fn put_values(e: &mut Expr, values: &mut impl Iterator<Item = Value>) {
    match e {
        Expr::Tuple(items) => items.iter_mut().for_each(|i| put_values(i, values)),
        Expr::Unary(_, inner) => put_values(inner, values),
        Expr::Binary(left, _, right) => {
            put_values(left, values);
            put_values(right, values);
        }
        Expr::Value(v) => *v = values.next().expect("a value was taken from each place"),
        Expr::Values(list) => {
            list.iter_mut().for_each(|v| *v = values.next().expect("a value was taken from each place"))
        }
        _ => {}
    }
}

struct Entry {
    sql: Arc<str>,
    /// How many values the SQL binds: a hit with another number is not this shape.
    params: usize,
    /// Used since the last eviction.
    used: AtomicBool,
}

type Cache = RwLock<FxHashMap<u64, Entry>>;

static CACHE: LazyLock<Cache> = LazyLock::new(Default::default);

/// How many shapes each thread keeps in front of the shared cache.
const LOCAL_SLOTS: usize = 16;

/// A shape this thread used lately: its SQL (shared with the process's cache) and how
/// many values it binds.
struct Local {
    shape: u64,
    sql: Arc<str>,
    params: usize,
}

thread_local! {
    /// The shapes this thread used last, one per slot chosen by the shape's hash: found
    /// without the shared cache's lock and map probe (about 100 instructions a query). A
    /// worker thread of a server runs the same few queries again and again; two shapes
    /// that want the same slot take turns, and the shared cache answers the other one.
    static LOCAL: RefCell<[Option<Local>; LOCAL_SLOTS]> = const { RefCell::new([const { None }; LOCAL_SLOTS]) };
}

/// The SQL of `shape` and its number of values, if this thread used it lately.
#[inline]
fn local_get(shape: u64) -> Option<(Arc<str>, usize)> {
    LOCAL
        .try_with(|local| {
            let local = local.try_borrow().ok()?;
            let entry = local[shape as usize % LOCAL_SLOTS].as_ref()?;
            (entry.shape == shape).then(|| (entry.sql.clone(), entry.params))
        })
        .ok()
        .flatten()
}

/// Keeps `shape` in this thread's slots.
fn local_put(shape: u64, sql: &Arc<str>, params: usize) {
    let _ = LOCAL.try_with(|local| {
        if let Ok(mut local) = local.try_borrow_mut() {
            local[shape as usize % LOCAL_SLOTS] = Some(Local { shape, sql: sql.clone(), params });
        }
    });
}

/// The cached statement text at `sql`'s address, if `sql` is one: a clone of its `Arc`,
/// which keeps that text where it is (see
/// [`LastingText`](crate::query::lasting_text::LastingText)). Searches the cache, so it is
/// for the cold path of preparing a statement.
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) fn find_by_address(sql: &str) -> Option<Arc<str>> {
    use crate::query::lasting_text::same_place;
    let local = LOCAL
        .try_with(|local| {
            let local = local.try_borrow().ok()?;
            local.iter().flatten().find(|entry| same_place(&entry.sql, sql)).map(|entry| entry.sql.clone())
        })
        .ok()
        .flatten();
    local.or_else(|| {
        let cache = CACHE.read().unwrap_or_else(|e| e.into_inner());
        cache.values().find(|entry| same_place(&entry.sql, sql)).map(|entry| entry.sql.clone())
    })
}

/// Puts `sql` in the process's cache under a shape of its own, as a rendered select is.
#[cfg(all(test, any(feature = "postgres", feature = "mysql")))]
pub(crate) fn keep_for_test(sql: &str) -> Arc<str> {
    let sql: Arc<str> = sql.into();
    let shape = std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), &*sql);
    insert(&CACHE, shape, Entry { sql: sql.clone(), params: 0, used: AtomicBool::new(false) });
    sql
}

/// A statement the cache keys by its shape: a `select`, or a bulk `update` or `delete`.
pub(crate) trait Cacheable {
    /// What [`Cacheable::put_back`] needs to return the values taken.
    type Taken;

    /// Feeds the statement's shape (its kind and dialect first) to `h` and moves its bound
    /// values into `out`, in the order its SQL binds them; leaves `h` unusable when a part
    /// cannot be described without rendering it.
    fn shape_taking(&mut self, dialect: Dialect, h: &mut Shaper, out: &mut Bound) -> Self::Taken;

    /// Puts the values taken back where they were, so that the statement renders as before.
    fn put_back(&mut self, taken: &Self::Taken, values: &Bound);

    /// Renders the statement through sea-query.
    fn render(&self, dialect: Dialect) -> Result<(String, Vec<Value>)>;
}

/// The SQL and values of `statement` on `dialect`, rendered only the first time its shape
/// is seen; a select's selection stays in it to decode the rows.
pub(crate) fn prepare<Q: Cacheable>(statement: &mut Q, dialect: Dialect) -> Result<(Arc<str>, Bound)> {
    let mut shaper = Shaper::new();
    let mut values = Bound::new();
    let taken = statement.shape_taking(dialect, &mut shaper, &mut values);
    let Some(shape) = shaper.finish() else {
        statement.put_back(&taken, &values);
        let (sql, values) = statement.render(dialect)?;
        return Ok((sql.into(), Bound::from_vec(values)));
    };
    let hit = local_get(shape).or_else(|| {
        let cache = CACHE.read().unwrap_or_else(|e| e.into_inner());
        let hit = cache.get(&shape).map(|entry| {
            if !entry.used.load(Ordering::Relaxed) {
                entry.used.store(true, Ordering::Relaxed);
            }
            (entry.sql.clone(), entry.params)
        });
        drop(cache);
        if let Some((sql, params)) = &hit {
            local_put(shape, sql, *params);
        }
        hit
    });
    if let Some((sql, params)) = hit {
        if values.len() == params {
            return Ok((sql, values));
        }
        // Only two colliding shapes get here: refuse rather than bind the wrong values.
        return Err(crate::error::Error::InvalidQuery(format!(
            "statement cache: a query of {} values matched a statement of {params}",
            values.len()
        )));
    }
    statement.put_back(&taken, &values);
    let (sql, rendered) = statement.render(dialect)?;
    let sql: Arc<str> = sql.into();
    let proven = values.len() == rendered.len() && values.iter().zip(&rendered).all(|(w, r)| same_value(w, r));
    if proven && sql.len() <= MAX_SQL_LEN {
        insert(&CACHE, shape, Entry { sql: sql.clone(), params: rendered.len(), used: AtomicBool::new(false) });
        local_put(shape, &sql, rendered.len());
    }
    Ok((sql, Bound::from_vec(rendered)))
}

/// Whether a walked value is the value sea-query bound (which sends enum values on
/// PostgreSQL as text).
fn same_value(walked: &Value, rendered: &Value) -> bool {
    match (walked, rendered) {
        (Value::Enum(sea_query::OptionEnum::Some(e)), Value::String(Some(s))) => e.value == s.as_str(),
        (Value::Enum(sea_query::OptionEnum::None(_)), Value::String(None)) => true,
        (w, r) => w == r,
    }
}

fn insert(cache: &Cache, shape: u64, entry: Entry) {
    let mut cache = cache.write().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= CAPACITY && !cache.contains_key(&shape) {
        // Keep what was used since the last eviction; if everything was, keep half of it.
        cache.retain(|_, e| e.used.swap(false, Ordering::Relaxed));
        let mut keep = CAPACITY / 2;
        if cache.len() >= CAPACITY {
            cache.retain(|_, _| keep.checked_sub(1).map(|k| keep = k).is_some());
        }
    }
    cache.insert(shape, entry);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry { sql: Arc::from("SELECT 1"), params: 0, used: AtomicBool::new(false) }
    }

    #[test]
    fn the_cache_stays_within_its_bound_and_keeps_the_shapes_in_use() {
        let cache: Cache = RwLock::default();
        let hot = u64::MAX;
        insert(&cache, hot, entry());
        for shape in 0..(3 * CAPACITY as u64) {
            // A query in steady use is hit between the others' first uses.
            cache.read().unwrap()[&hot].used.store(true, Ordering::Relaxed);
            insert(&cache, shape, entry());
            assert!(cache.read().unwrap().len() <= CAPACITY);
        }
        assert!(cache.read().unwrap().contains_key(&hot));
        assert!(cache.read().unwrap().contains_key(&(3 * CAPACITY as u64 - 1)));
    }
}
