//! INSERT rendering for `add`/`add_all`: which generated columns a row leaves to the
//! database, the multi-row `INSERT … RETURNING`, and putting the returned rows back in the
//! order of the models sent.

use std::hash::{Hash, Hasher};

use rustc_hash::FxHashMap;

use crate::backend::Dialect;
use crate::meta::TableMeta;
use crate::model::Model;
use crate::types::{Value, is_null};

/// The columns a row leaves to the database: of the columns the database can fill
/// ([`ColumnMeta::database_fillable`](crate::ColumnMeta::database_fillable): generated keys,
/// server defaults, `#[field(generated)]` columns), those the row gives no value (`None`), and
/// every generated column. Bit `k` stands for the `k`-th fillable column of the table,
/// whatever its position, so a table of any width fits. (A table with more than 64 fillable
/// columns sends the others as given.)
///
/// An `Option` column without a server default is sent as NULL when `None`: leaving it out
/// stores the same NULL, and rows that differ only there still share one statement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Omitted(u64);

impl Omitted {
    /// The fillable columns `model` leaves to the database.
    pub(crate) fn of<M: Model>(model: &M) -> Omitted {
        let mut bits = 0u64;
        let fillable = M::META.columns.iter().enumerate().filter(|(_, c)| c.database_fillable());
        for (k, (i, c)) in fillable.enumerate().take(64) {
            if c.generated || is_null(&model.column_value(i)) {
                bits |= 1 << k;
            }
        }
        Omitted(bits)
    }

    /// The positions of `models`, grouped by the columns they leave out, in first-seen
    /// order: rows leaving out different columns need different column lists.
    pub(crate) fn groups<M: Model>(models: &[M]) -> Vec<(Omitted, Vec<usize>)> {
        let mut groups: Vec<(Omitted, Vec<usize>)> = Vec::new();
        for (i, m) in models.iter().enumerate() {
            let omitted = Omitted::of(m);
            match groups.iter_mut().find(|(o, _)| *o == omitted) {
                Some((_, members)) => members.push(i),
                None => groups.push((omitted, vec![i])),
            }
        }
        groups
    }

    /// Whether column `index` is left out.
    pub(crate) fn omits(self, meta: &TableMeta, index: usize) -> bool {
        if !meta.columns[index].database_fillable() {
            return false;
        }
        let k = meta.columns[..index].iter().filter(|c| c.database_fillable()).count();
        k < 64 && self.0 & (1 << k) != 0
    }

    /// The positions of the columns sent, in table order.
    pub(crate) fn sent(self, meta: &TableMeta) -> impl Iterator<Item = usize> + '_ {
        let mut fillable = 0usize;
        meta.columns.iter().enumerate().filter_map(move |(i, c)| {
            if !c.database_fillable() {
                return Some(i);
            }
            let k = fillable;
            fillable += 1;
            let omitted = k < 64 && self.0 & (1 << k) != 0;
            (!omitted).then_some(i)
        })
    }
}

impl Omitted {
    /// The fillable columns `model` leaves to the database (as [`Omitted::of`]) and the
    /// values of the columns it sends, in table order (as [`Omitted::sent`]), in one pass
    /// over the columns: the INSERT of one row reads each value once. The values go into
    /// `values` (empty; a buffer used before saves an allocation).
    pub(crate) fn with_sent_values<M: Model>(model: &M, mut values: Vec<Value>) -> (Omitted, Vec<Value>) {
        values.reserve(M::META.columns.len());
        let (omitted, _) = Omitted::scan::<M, false>(model, |value| values.push(value));
        (omitted, values)
    }

    /// [`Omitted::with_sent_values`], and whether the row is stored as sent.
    pub(crate) fn with_sent_values_judged<M: Model>(model: &M) -> (Omitted, Vec<Value>, bool) {
        let mut values = Vec::with_capacity(M::META.columns.len());
        let (omitted, as_sent) = Omitted::scan::<M, true>(model, |value| values.push(value));
        (omitted, values, as_sent)
    }

    /// The fillable columns `model` leaves to the database, each value of the columns it
    /// sends handed to `send` in table order, and, when `JUDGE`, whether the row is stored
    /// exactly as sent but for a generated key, which the database reports (the insert
    /// id): then it need not be read back on a database without `RETURNING`, as SQLAlchemy
    /// reads nothing back on MySQL. Without `JUDGE` the answer is `false`, at no cost.
    ///
    /// Stored as sent only when the row leaves nothing else to the database (no server
    /// default, no generated column) and every value sent is NULL or of a kind every backend
    /// stores as it is: booleans, integers, UUIDs, and strings and bytes no longer than
    /// MySQL's column (which drops trailing spaces past its length without an error). A
    /// column of the user's own SQL type or a native enum may store something else (`CHAR`
    /// pads, an `ENUM` matches case-insensitively); times, decimals, floats and JSON may be
    /// rounded or normalized; a zero sent to an `AUTO_INCREMENT` key makes MySQL generate one.
    #[inline]
    pub(crate) fn scan<M: Model, const JUDGE: bool>(model: &M, mut send: impl FnMut(Value)) -> (Omitted, bool) {
        let pk = M::META.primary_key;
        let mut bits = 0u64;
        let mut as_sent = JUDGE;
        let mut fillable = 0usize;
        model.each_value(|i, value| {
            let c = &M::META.columns[i];
            if c.database_fillable() {
                let k = fillable;
                fillable += 1;
                if k < 64 {
                    if c.generated || is_null(&value) {
                        bits |= 1 << k;
                        if JUDGE {
                            as_sent &= c.autoincrement && pk.len() == 1 && pk[0] == i;
                        }
                    } else {
                        if JUDGE {
                            as_sent &= value_stored_as_sent(c, &value);
                        }
                        send(value);
                    }
                    return;
                }
                as_sent = false;
            }
            if JUDGE {
                as_sent &= value_stored_as_sent(c, &value);
            }
            send(value);
        });
        (Omitted(bits), as_sent)
    }

    /// Whether any column is left out. A row stored as sent leaves out its generated key
    /// and nothing else.
    pub(crate) fn any(self) -> bool {
        self.0 != 0
    }
}

/// The shortest column a string or bytes without a length is stored in: MySQL's
/// `VARCHAR(255)` (`backend/mysql/ddl.rs`). Byte lengths are compared with it, so a string
/// that passes fits whatever its characters.
const UNSIZED_STRING_LENGTH: u32 = 255;

/// Whether `value`, sent for column `c`, is stored as it is: see [`Omitted::scan`].
#[inline]
fn value_stored_as_sent(c: &crate::meta::ColumnMeta, value: &Value) -> bool {
    use crate::types::ValueKind as K;
    if c.ty.sql.is_some() || c.ty.native_enum.is_some() {
        return false;
    }
    let fits = |len: usize| len <= c.ty.max_length.unwrap_or(UNSIZED_STRING_LENGTH) as usize;
    let key = |v: i64| !(c.autoincrement && v == 0);
    match (c.ty.kind, value) {
        (K::Bool, Value::Bool(_)) | (K::Uuid, Value::Uuid(_)) => true,
        (K::SmallInt, Value::SmallInt(v)) => v.is_none_or(|v| key(v.into())),
        (K::Int, Value::Int(v)) => v.is_none_or(|v| key(v.into())),
        (K::BigInt, Value::BigInt(v)) => v.is_none_or(key),
        (K::Text, Value::String(s)) => s.as_ref().is_none_or(|s| fits(s.len())),
        (K::Bytes, Value::Bytes(b)) => b.as_ref().is_none_or(|b| c.ty.max_length.is_none() && fits(b.len())),
        // NULL is stored as NULL.
        (_, v) => is_null(v),
    }
}

/// One `INSERT` of the rows `chunk` of `models`, sending `columns`; with `RETURNING` every
/// column when `returning`.
pub(crate) fn insert_sql<M: Model>(
    models: &[M],
    chunk: &[usize],
    columns: &[usize],
    returning: bool,
    dialect: Dialect,
) -> (String, Vec<Value>) {
    let mut q = sea_query::Query::insert();
    q.into_table(M::META.name);
    if columns.is_empty() {
        q.or_default_values_many(chunk.len() as u32);
    } else {
        q.columns(columns.iter().map(|&c| M::META.columns[c].name));
        for &i in chunk {
            q.values_panic(columns.iter().map(|&c| sea_query::Expr::val(models[i].column_value(c))));
        }
    }
    if returning {
        q.returning(sea_query::Query::returning().columns(M::META.columns.iter().map(|c| c.name)));
    }
    dialect.render(&q)
}

/// Puts the rows an `INSERT … RETURNING` gave back into the order of the models sent.
///
/// Neither SQLite nor PostgreSQL promises the order of `RETURNING` rows. Generated integer
/// keys grow in insertion order within one statement, so rows with generated keys are
/// sorted by key; rows whose keys were sent are matched to their models by key value.
pub(crate) fn order_like_input<M: Model>(models: &[M], chunk: &[usize], rows: &mut Vec<M>, omitted: Omitted) {
    let pk = M::META.primary_key;
    if pk.len() == 1 && omitted.omits(M::META, pk[0]) {
        rows.sort_by_key(|r| int_value(&r.column_value(pk[0])));
        return;
    }
    let mut by_key: FxHashMap<Key, M> = FxHashMap::default();
    by_key.reserve(rows.len());
    let mut unkeyed = Vec::new();
    for row in rows.drain(..) {
        if let Some(extra) = by_key.insert(Key::of(&row), row) {
            unkeyed.push(extra);
        }
    }
    for &i in chunk {
        if let Some(row) = by_key.remove(&Key::of(&models[i])) {
            rows.push(row);
        }
    }
    rows.extend(by_key.into_values());
    rows.extend(unkeyed);
}

fn int_value(v: &Value) -> i64 {
    match v {
        Value::SmallInt(Some(i)) => i64::from(*i),
        Value::Int(Some(i)) => i64::from(*i),
        Value::BigInt(Some(i)) => *i,
        _ => i64::MIN,
    }
}

/// A primary key as a map key: compared as values, hashed by what keys are made of.
#[derive(PartialEq)]
struct Key(Vec<Value>);

impl Key {
    fn of<M: Model>(model: &M) -> Key {
        Key(M::META.primary_key.iter().map(|&k| model.column_value(k)).collect())
    }
}

/// Equal as `Value`s (the same variant and contents); a key never holds a NaN.
impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for value in &self.0 {
            hash_value(value, state);
        }
    }
}

/// Hashes a key value: equal values have the same variant and contents, so hashing part of
/// them keeps the contract; the variants keys are made of are hashed in full.
pub(crate) fn hash_value<H: Hasher>(value: &Value, state: &mut H) {
    std::mem::discriminant(value).hash(state);
    match value {
        Value::Bool(v) => v.hash(state),
        Value::SmallInt(v) => v.hash(state),
        Value::Int(v) => v.hash(state),
        Value::BigInt(v) => v.hash(state),
        Value::String(v) => v.hash(state),
        Value::Char(v) => v.hash(state),
        Value::Bytes(v) => v.hash(state),
        Value::Uuid(v) => v.hash(state),
        Value::ChronoDate(v) => v.hash(state),
        Value::ChronoDateTime(v) => v.hash(state),
        Value::ChronoDateTimeUtc(v) => v.hash(state),
        Value::Decimal(v) => v.hash(state),
        _ => {}
    }
}
