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
//! What is kept is a byte image of each row (see [`crate::types::snapshot`]), written
//! straight from the model's fields (no `Value` per column, no copy of each text) onto the
//! end of one buffer per session, with a small record of where it is. Reading a row costs
//! that and nothing else: no hashing, no map insert, no allocation of its own. The map
//! from a row's key to its latest image is built only when something asks for a row
//! (`save`, `delete`), from the records added since it was last built, and when the
//! buffer has grown large, so that reading the same rows over and over in one long
//! session keeps only their latest images.

use std::any::TypeId;
use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use crate::meta::TableMeta;
use crate::model::Model;
use crate::types::{Value, snapshot};

/// The log and index start compacting past this many bytes (images and records).
const COMPACT_AT: usize = 8 << 20;

/// The remembered rows of one session; named by [`Selection`](crate::query::Selection)'s
/// hidden `remember`, not a public API.
///
/// Kept lean for the read path: a row remembered is an image appended to `images` and a
/// [`Record`]. The index files each row under its model type and a hash of its key's image
/// (no copy of the key); the later of two records with one key wins. Two keys with one
/// hash share a slot, the later one winning; a lookup checks the key, so the other row
/// merely has no snapshot (its `save` writes every column).
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Loaded {
    /// The images of the rows remembered, back to back.
    images: Vec<u8>,
    /// One record per row remembered, in order; superseded ones stay until compaction.
    records: Vec<Record>,
    /// How many of `records` the index covers.
    indexed: usize,
    /// The latest record of each row, by model type and key hash.
    index: FxHashMap<(TypeId, u64), usize>,
    /// The size of `images` and `records` past which the next `remember` compacts them.
    compact_at: usize,
    /// The position of the version column of the model remembered last, by its metadata.
    version_of: Option<(&'static TableMeta, Option<usize>)>,
}

/// One remembered row.
#[derive(Debug)]
struct Record {
    model: TypeId,
    meta: &'static TableMeta,
    /// Where its image is in `images`: the columns' images, in `META.columns` order.
    start: usize,
    end: usize,
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
    /// value is never found again (its record is dropped when the index is built).
    #[inline]
    pub(crate) fn remember<M: Model>(&mut self, model: &M) {
        let version = match self.version_of {
            Some((meta, at)) if std::ptr::eq(meta, M::META) => at,
            _ => self.version_column(M::META),
        };
        let version = version.map(|v| model.column_value(v));
        let start = self.images.len();
        model.snapshot(&mut self.images);
        self.records.push(Record { model: TypeId::of::<M>(), meta: M::META, start, end: self.images.len(), version });
        if self.images.len() + self.records.len() * std::mem::size_of::<Record>() > self.compact_at.max(COMPACT_AT) {
            self.compact();
        }
    }

    #[cold]
    fn version_column(&mut self, meta: &'static TableMeta) -> Option<usize> {
        let at = meta.columns.iter().position(|c| c.version);
        self.version_of = Some((meta, at));
        at
    }

    /// Files the records added since the index was last built.
    fn index_new(&mut self) {
        for i in self.indexed..self.records.len() {
            let record = &self.records[i];
            let image = &self.images[record.start..record.end];
            if let Some(hash) = key_hash(record.meta, image) {
                self.index.insert((record.model, hash), i);
            }
        }
        self.indexed = self.records.len();
    }

    /// Keeps only the latest image of each row, and compacts again when what is kept has
    /// doubled.
    #[cold]
    fn compact(&mut self) {
        self.index_new();
        let mut live: Vec<(usize, &mut usize)> = self.index.values_mut().map(|at| (*at, at)).collect();
        live.sort_unstable_by_key(|(at, _)| *at);
        let mut images = Vec::with_capacity(self.images.len() / 2);
        let mut records = Vec::with_capacity(live.len());
        let mut old: Vec<Option<Record>> = std::mem::take(&mut self.records).into_iter().map(Some).collect();
        for (at, slot) in live {
            let Some(mut record) = old[at].take() else { continue };
            let start = images.len();
            images.extend_from_slice(&self.images[record.start..record.end]);
            record.start = start;
            record.end = images.len();
            *slot = records.len();
            records.push(record);
        }
        self.images = images;
        self.records = records;
        self.indexed = self.records.len();
        self.compact_at = 2 * (self.images.len() + self.records.len() * std::mem::size_of::<Record>());
    }

    /// The latest record of the `M` row with key `key`, if remembered.
    fn slot<M: Model>(&mut self, key: &[Value]) -> Option<((TypeId, u64), usize)> {
        self.index_new();
        // Room for a key of a few integers without growing: each column's image is its
        // length, a NULL flag and the value's bytes.
        let mut expected = Vec::with_capacity(16 * key.len());
        for value in key {
            snapshot::value(value, &mut expected);
        }
        let mut state = FxHasher::default();
        for column in snapshot::columns(&expected) {
            state.write(column);
        }
        let id = (TypeId::of::<M>(), state.finish());
        let at = *self.index.get(&id)?;
        let record = &self.records[at];
        let image = &self.images[record.start..record.end];
        let mut wanted = snapshot::columns(&expected);
        let same = M::META.primary_key.iter().all(|&k| snapshot::columns(image).nth(k) == wanted.next());
        same.then_some((id, at))
    }

    /// The remembered image of the `M` row with key `key`.
    pub(crate) fn get<M: Model>(&mut self, key: &[Value]) -> Option<Remembered<'_>> {
        let (_, at) = self.slot::<M>(key)?;
        let record = &self.records[at];
        Some(Remembered { image: &self.images[record.start..record.end], version: record.version.as_ref() })
    }

    /// Forgets the `M` row with key `key` (it was deleted).
    pub(crate) fn forget<M: Model>(&mut self, key: &[Value]) {
        if let Some((id, _)) = self.slot::<M>(key) {
            self.index.remove(&id);
        }
    }

    /// Forgets every row (the transaction that wrote them was rolled back).
    pub(crate) fn clear(&mut self) {
        self.images.clear();
        self.records.clear();
        self.index.clear();
        self.indexed = 0;
    }
}

/// The hash of the key columns' images in a row image, as [`Loaded::slot`] hashes a key's;
/// `None` when a key column is NULL (a row without a key is never looked up).
fn key_hash(meta: &TableMeta, image: &[u8]) -> Option<u64> {
    let mut state = FxHasher::default();
    for &k in meta.primary_key {
        let column = snapshot::columns(image).nth(k)?;
        if column == [0] {
            return None;
        }
        state.write(column);
    }
    Some(state.finish())
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
