//! What `save` compares a model against: the column values of each row as this session
//! last read or wrote it, so that `save` sends only the columns changed since (SQLAlchemy's
//! "committed state"), and nothing when nothing changed.
//!
//! A row is remembered by its table and key when a session verb hands a model out: `get`,
//! `refresh`, `add`/`add_all`, `save`, and selections of whole models (`all`, `first`, `one`,
//! …). A model the session never handed out (built in code with its key, or loaded by another
//! session) has no snapshot: `save` then writes every column, as it always did. Rolling back
//! forgets every snapshot (the rows are back to what they were); deleting forgets the row's.
//!
//! What is kept is a byte image of each row (see [`crate::types::snapshot`]): one buffer
//! per row, written straight from the model's fields (no `Value` per column, no copy of each
//! text), and rewritten in place when the row is read again. Its cost on a read that is
//! never saved is hashing the key, one map insert and one allocation for a row seen first.

use std::any::TypeId;
use std::collections::hash_map::Entry;
use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use super::insert::hash_value;
use crate::meta::TableMeta;
use crate::model::Model;
use crate::types::{Value, snapshot};

/// The remembered rows of one session; named by [`Selection`](crate::query::Selection)'s
/// hidden `remember`, not a public API.
///
/// Kept lean for the read path: a row is filed under its model type and a hash of its key
/// (no copy of the key), and a row read again is overwritten in place. Two keys with one
/// hash share a slot, the later one winning; a lookup checks the key, so the other row
/// merely has no snapshot (its `save` writes every column).
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Loaded {
    rows: FxHashMap<(TypeId, u64), Row>,
    /// The size of the image written last: a new row's buffer starts with this capacity.
    image_size: usize,
}

/// One remembered row.
#[derive(Debug)]
struct Row {
    /// The columns' images, in `META.columns` order.
    image: Vec<u8>,
    /// The version column's value as loaded, for a model with one (`save` updates only
    /// the row still at that version).
    version: Option<Value>,
}

/// A remembered row as `save` uses it.
pub(crate) struct Remembered<'a> {
    pub(crate) image: &'a [u8],
    pub(crate) version: Option<&'a Value>,
}

impl Loaded {
    /// Remembers `model`'s column values as its row now holds them; a model without a key
    /// value is not remembered.
    pub(crate) fn remember<M: Model>(&mut self, model: &M) {
        let meta = M::META;
        let mut state = FxHasher::default();
        for &k in meta.primary_key {
            let value = model.column_value(k);
            if crate::types::is_null(&value) {
                return;
            }
            hash_value(&value, &mut state);
        }
        let version = meta.columns.iter().position(|c| c.version).map(|v| model.column_value(v));
        let row = match self.rows.entry((TypeId::of::<M>(), state.finish())) {
            Entry::Occupied(slot) => {
                let row = slot.into_mut();
                row.image.clear();
                row.version = version;
                row
            }
            // Sized like the last image: one allocation, no growth, for most rows.
            Entry::Vacant(slot) => slot.insert(Row { image: Vec::with_capacity(self.image_size), version }),
        };
        image_into(model, &mut row.image);
        self.image_size = row.image.len();
    }

    /// The slot of the `M` row with key `key`, if it holds that row.
    fn slot<M: Model>(&self, key: &[Value]) -> Option<((TypeId, u64), &Row)> {
        let mut state = FxHasher::default();
        for value in key {
            hash_value(value, &mut state);
        }
        let id = (TypeId::of::<M>(), state.finish());
        let row = self.rows.get(&id)?;
        let mut expected = Vec::new();
        let same = M::META.primary_key.iter().zip(key).all(|(&k, v)| {
            expected.clear();
            snapshot::value(v, &mut expected);
            snapshot::columns(&row.image).nth(k) == snapshot::columns(&expected).next()
        });
        same.then_some((id, row))
    }

    /// The remembered image of the `M` row with key `key`.
    pub(crate) fn get<M: Model>(&self, key: &[Value]) -> Option<Remembered<'_>> {
        self.slot::<M>(key).map(|(_, row)| Remembered { image: &row.image, version: row.version.as_ref() })
    }

    /// Forgets the `M` row with key `key` (it was deleted).
    pub(crate) fn forget<M: Model>(&mut self, key: &[Value]) {
        if let Some((id, _)) = self.slot::<M>(key) {
            self.rows.remove(&id);
        }
    }

    /// Forgets every row (the transaction that wrote them was rolled back).
    pub(crate) fn clear(&mut self) {
        self.rows.clear();
    }
}

/// Writes the image of every column of `model` into `out`.
pub(crate) fn image_into<M: Model>(model: &M, out: &mut Vec<u8>) {
    for i in 0..M::META.columns.len() {
        model.snapshot_column(i, out);
    }
}

/// The columns of `meta` a `save` writes: the non-key columns the database does not
/// generate and that are not the version counter, and of those, when the row was
/// remembered (`loaded`, an image), only the ones whose image differs from `current`'s.
pub(crate) fn changed_columns(meta: &TableMeta, current: &[u8], loaded: Option<&[u8]>) -> Vec<usize> {
    let mut loaded = loaded.map(snapshot::columns);
    meta.columns
        .iter()
        .zip(snapshot::columns(current))
        .enumerate()
        .filter_map(|(i, (c, now))| {
            let before = loaded.as_mut().map(|columns| columns.next());
            let written = !c.primary_key && !c.generated && !c.version;
            let changed = match before {
                Some(before) => before != Some(now),
                None => true,
            };
            (written && changed).then_some(i)
        })
        .collect()
}
