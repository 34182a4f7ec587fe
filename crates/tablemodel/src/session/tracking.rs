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

use rustc_hash::FxHashMap;

use super::insert::Key;
use crate::meta::TableMeta;
use crate::model::Model;
use crate::types::Value;

/// The remembered rows of one session; named by [`Selection`](crate::query::Selection)'s
/// hidden `remember`, not a public API.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Loaded {
    /// By model type (two models sharing a table stay apart) and key.
    rows: FxHashMap<(TypeId, Key), Box<[Value]>>,
}

impl Loaded {
    /// Remembers `model`'s column values as its row now holds them; a model without a key
    /// value is not remembered.
    pub(crate) fn remember<M: Model>(&mut self, model: &M) {
        let meta = M::META;
        let key: Vec<Value> = meta.primary_key.iter().map(|&k| model.column_value(k)).collect();
        if key.iter().any(crate::types::is_null) {
            return;
        }
        let values: Box<[Value]> = (0..meta.columns.len()).map(|i| model.column_value(i)).collect();
        self.rows.insert((TypeId::of::<M>(), Key(key)), values);
    }

    /// The remembered values of the `M` row with key `key`.
    pub(crate) fn get<M: Model>(&self, key: &[Value]) -> Option<&[Value]> {
        self.rows.get(&(TypeId::of::<M>(), Key(key.to_vec()))).map(|v| &**v)
    }

    /// Forgets the `M` row with key `key` (it was deleted).
    pub(crate) fn forget<M: Model>(&mut self, key: &[Value]) {
        self.rows.remove(&(TypeId::of::<M>(), Key(key.to_vec())));
    }

    /// Forgets every row (the transaction that wrote them was rolled back).
    pub(crate) fn clear(&mut self) {
        self.rows.clear();
    }
}

/// The columns of `M` a `save` writes: the non-key columns the database does not generate
/// and that are not the version counter, and of those only the ones that differ from
/// `loaded` when the row was remembered. As a bit set of column positions (a column past
/// the 64th is always written).
pub(crate) fn changed_columns(meta: &TableMeta, current: &[Value], loaded: Option<&[Value]>) -> Vec<usize> {
    meta.columns
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.primary_key && !c.generated && !c.version)
        .filter(|&(i, _)| match loaded {
            Some(loaded) => i >= 64 || loaded.get(i) != current.get(i),
            None => true,
        })
        .map(|(i, _)| i)
        .collect()
}
