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
//! The cost is one copy of each loaded row's column values, kept until the session ends.

use std::any::TypeId;
use std::collections::hash_map::Entry;
use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use super::insert::hash_value;
use crate::meta::TableMeta;
use crate::model::Model;
use crate::types::Value;

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
    rows: FxHashMap<(TypeId, u64), Box<[Value]>>,
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
        match self.rows.entry((TypeId::of::<M>(), state.finish())) {
            Entry::Occupied(mut slot) if slot.get().len() == meta.columns.len() => {
                for (i, value) in slot.get_mut().iter_mut().enumerate() {
                    *value = model.column_value(i);
                }
            }
            Entry::Occupied(mut slot) => {
                *slot.get_mut() = (0..meta.columns.len()).map(|i| model.column_value(i)).collect();
            }
            Entry::Vacant(slot) => {
                slot.insert((0..meta.columns.len()).map(|i| model.column_value(i)).collect());
            }
        }
    }

    /// The slot of the `M` row with key `key`, if it holds that row.
    fn slot<M: Model>(&self, key: &[Value]) -> Option<((TypeId, u64), &[Value])> {
        let mut state = FxHasher::default();
        for value in key {
            hash_value(value, &mut state);
        }
        let id = (TypeId::of::<M>(), state.finish());
        let values = self.rows.get(&id)?;
        let same = M::META.primary_key.iter().zip(key).all(|(&k, v)| values.get(k) == Some(v));
        same.then_some((id, &**values))
    }

    /// The remembered values of the `M` row with key `key`.
    pub(crate) fn get<M: Model>(&self, key: &[Value]) -> Option<&[Value]> {
        self.slot::<M>(key).map(|(_, values)| values)
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

/// The columns of `meta` a `save` writes: the non-key columns the database does not
/// generate and that are not the version counter, and of those, when the row was
/// remembered (`loaded`), only the ones whose value differs.
pub(crate) fn changed_columns(meta: &TableMeta, current: &[Value], loaded: Option<&[Value]>) -> Vec<usize> {
    meta.columns
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.primary_key && !c.generated && !c.version)
        .filter(|&(i, _)| match loaded {
            Some(loaded) => loaded.get(i) != current.get(i),
            None => true,
        })
        .map(|(i, _)| i)
        .collect()
}
