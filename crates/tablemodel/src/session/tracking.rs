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
//! end of one buffer per session, with a small record of where it is (the rows of one
//! model that one query hands out are remembered together, their model looked up once).
//! Reading a row costs that and nothing else: no hashing, no map insert, no allocation of
//! its own. The map from a row's key to its latest image is built only when something asks
//! for a row (`save`, `delete`), from the records added since it was last built, and when
//! the buffer has grown large (compaction), so that reading the same rows over and over in
//! one long session keeps only their latest images. Compaction copies the live records in
//! their order, found from the map without sorting.

use std::any::TypeId;
use std::hash::Hasher;

use hashbrown::HashTable;
use rustc_hash::FxHasher;

use crate::meta::TableMeta;
use crate::model::Model;
use crate::types::{Value, snapshot};

/// The log and index start compacting past this many bytes (images and records).
const COMPACT_AT: usize = 8 << 20;

/// A record's `version` when its model has no version column.
const NO_VERSION: u32 = u32::MAX;

/// The remembered rows of one session; named by [`Selection`](crate::query::Selection)'s
/// hidden `remember` and `remember_all`, not a public API.
///
/// Kept lean for the read path: a row remembered is an image appended to `images` and a
/// [`Record`] of two words. The index files each row under a hash of its model (as a
/// number of this session's own, see `kinds`) and its key's image (no copy of the key),
/// computed once per record and kept beside it; the later of two records with one key
/// wins. Two rows with one hash share a slot, the later one winning; a lookup checks the
/// model and the key, so the other row merely has no snapshot (its `save` writes every
/// column).
#[doc(hidden)]
#[derive(Debug)]
pub struct Loaded {
    /// The images of the rows remembered, back to back.
    images: Vec<u8>,
    /// One record per row remembered, in order; superseded ones stay until compaction.
    records: Vec<Record>,
    /// The version column's value of each record of a model with one, as loaded.
    versions: Vec<Value>,
    /// The models this session remembered rows of; a record names its model by position.
    kinds: Vec<Kind>,
    /// How many of `records` the index covers.
    indexed: usize,
    /// The latest record of each row: the hash of its kind and key, and its position in
    /// `records`. The hash is computed once and kept, so the table never hashes it again.
    index: HashTable<(u64, usize)>,
    /// The size of `images` and `records` past which the next `remember` compacts them.
    compact_at: usize,
    /// The image of the key a lookup looks for, kept between lookups so that `save` and
    /// `delete` allocate none.
    key_image: Vec<u8>,
    /// The image of the model a `save` compares, kept between saves likewise.
    save_image: Vec<u8>,
}

impl Default for Loaded {
    fn default() -> Self {
        Loaded {
            images: Vec::new(),
            records: Vec::new(),
            versions: Vec::new(),
            kinds: Vec::new(),
            indexed: 0,
            index: HashTable::new(),
            compact_at: COMPACT_AT,
            key_image: Vec::new(),
            save_image: Vec::new(),
        }
    }
}

/// A model whose rows were remembered.
#[derive(Debug)]
struct Kind {
    model: TypeId,
    meta: &'static TableMeta,
    /// The position of its version column, if it has one.
    version: Option<usize>,
}

/// One remembered row: its image runs from `start` to the next record's start (or the end
/// of `images`), the columns' images in `META.columns` order.
#[derive(Debug, Clone, Copy)]
struct Record {
    start: usize,
    /// Its model, a position in `kinds`.
    kind: u32,
    /// Its version as loaded, a position in `versions`, or [`NO_VERSION`]: for a model with
    /// a version column `save` updates only the row still at that version.
    version: u32,
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
        self.remember_all(std::iter::once(model));
    }

    /// Remembers each of `models` as [`remember`](Self::remember) does, finding their model's
    /// number once; the buffer may pass the compaction threshold by the batch.
    #[inline]
    pub(crate) fn remember_all<'a, M: Model>(&mut self, models: impl IntoIterator<Item = &'a M>) {
        let (kind, version) = self.kind::<M>();
        for model in models {
            let version = match version {
                None => NO_VERSION,
                Some(column) => self.keep_version(model.column_value(column)),
            };
            let start = self.images.len();
            model.snapshot(&mut self.images);
            self.records.push(Record { start, kind, version });
        }
        if self.images.len() + self.records.len() * std::mem::size_of::<Record>() > self.compact_at {
            self.compact();
        }
    }

    /// `M`'s position in `kinds` (added the first time) and its version column.
    #[inline]
    fn kind<M: Model>(&mut self) -> (u32, Option<usize>) {
        let model = TypeId::of::<M>();
        match self.kinds.iter().position(|k| k.model == model) {
            Some(at) => (at as u32, self.kinds[at].version),
            None => self.add_kind(model, M::META),
        }
    }

    #[cold]
    fn add_kind(&mut self, model: TypeId, meta: &'static TableMeta) -> (u32, Option<usize>) {
        let version = meta.columns.iter().position(|c| c.version);
        self.kinds.push(Kind { model, meta, version });
        ((self.kinds.len() - 1) as u32, version)
    }

    fn keep_version(&mut self, value: Value) -> u32 {
        self.versions.push(value);
        (self.versions.len() - 1) as u32
    }

    /// The image of record `at`.
    fn image(&self, at: usize) -> &[u8] {
        let end = self.records.get(at + 1).map_or(self.images.len(), |next| next.start);
        &self.images[self.records[at].start..end]
    }

    /// Files the records added since the index was last built.
    fn index_new(&mut self) {
        let Loaded { images, records, kinds, index, .. } = self;
        for (record, at) in records[self.indexed..].iter().zip(self.indexed..) {
            // The key's columns are found by their lengths from the image's start, so the
            // images after it need not be cut off.
            let image = &images[record.start..];
            let Some(hash) = key_hash(record.kind, kinds[record.kind as usize].meta, image) else {
                continue;
            };
            match index.find_mut(hash, |&(h, _)| h == hash) {
                Some(slot) => slot.1 = at,
                None => {
                    index.insert_unique(hash, (hash, at), |&(h, _)| h);
                }
            }
        }
        self.indexed = self.records.len();
    }

    /// Keeps only the latest image of each row, and compacts again when what is kept has
    /// doubled.
    #[cold]
    fn compact(&mut self) {
        self.index_new();
        // The live records, a bit each, walked in order: no sort, and 64 dead ones at a time.
        let mut live = vec![0u64; self.records.len().div_ceil(64)];
        for &(_, at) in &self.index {
            live[at / 64] |= 1 << (at % 64);
        }
        let mut images = Vec::with_capacity(self.images.len() / 2);
        let mut records = Vec::with_capacity(self.index.len());
        let mut versions = Vec::new();
        for (word_at, mut word) in live.into_iter().enumerate() {
            while word != 0 {
                let at = word_at * 64 + word.trailing_zeros() as usize;
                word &= word - 1;
                let mut record = self.records[at];
                let start = images.len();
                images.extend_from_slice(self.image(at));
                record.start = start;
                if record.version != NO_VERSION {
                    versions.push(std::mem::replace(&mut self.versions[record.version as usize], Value::Bool(None)));
                    record.version = (versions.len() - 1) as u32;
                }
                // The old record, whose image is copied and which no later image needs,
                // keeps where it went for the index below.
                self.records[at].start = records.len();
                records.push(record);
            }
        }
        for (_, at) in self.index.iter_mut() {
            *at = self.records[*at].start;
        }
        self.images = images;
        self.records = records;
        self.versions = versions;
        self.indexed = self.records.len();
        self.compact_at = COMPACT_AT.max(2 * (self.images.len() + self.records.len() * std::mem::size_of::<Record>()));
    }

    /// The latest record of the `M` row with key `key`, if remembered.
    fn slot<M: Model>(&mut self, key: &[Value]) -> Option<(u64, usize)> {
        self.index_new();
        let model = TypeId::of::<M>();
        let kind = self.kinds.iter().position(|k| k.model == model)? as u32;
        // Each column's image is its length, a NULL flag and the value's bytes.
        let mut expected = std::mem::take(&mut self.key_image);
        expected.clear();
        for value in key {
            snapshot::value(value, &mut expected);
        }
        let found = self.find::<M>(kind, &expected);
        self.key_image = expected;
        found
    }

    /// The latest record of the `M` row (model number `kind`) whose key's image is
    /// `expected`, and the hash it is filed under.
    fn find<M: Model>(&self, kind: u32, expected: &[u8]) -> Option<(u64, usize)> {
        let mut state = key_hasher(kind);
        for column in snapshot::columns(expected) {
            hash_column(&mut state, column);
        }
        let hash = state.finish();
        let &(_, at) = self.index.find(hash, |&(h, _)| h == hash)?;
        if self.records[at].kind != kind {
            return None;
        }
        let image = self.image(at);
        let mut wanted = snapshot::columns(expected);
        let same = M::META.primary_key.iter().all(|&k| snapshot::columns(image).nth(k) == wanted.next());
        same.then_some((hash, at))
    }

    /// The remembered image of the `M` row with key `key`.
    pub(crate) fn get<M: Model>(&mut self, key: &[Value]) -> Option<Remembered<'_>> {
        let (_, at) = self.slot::<M>(key)?;
        let version = self.records[at].version;
        let version = (version != NO_VERSION).then(|| &self.versions[version as usize]);
        Some(Remembered { image: self.image(at), version })
    }

    /// The columns of `model` a `save` writes ([`changed_columns`] against the remembered
    /// image of its row, if any) and the version its row was loaded at, if remembered.
    pub(crate) fn changes<M: Model>(&mut self, model: &M, key: &[Value]) -> (Changed, Option<Value>) {
        let mut current = std::mem::take(&mut self.save_image);
        current.clear();
        model.snapshot(&mut current);
        let changes = match self.get::<M>(key) {
            Some(loaded) => (changed_columns(M::META, &current, Some(loaded.image)), loaded.version.cloned()),
            None => (changed_columns(M::META, &current, None), None),
        };
        self.save_image = current;
        changes
    }

    /// Forgets the `M` row with key `key` (it was deleted).
    pub(crate) fn forget<M: Model>(&mut self, key: &[Value]) {
        if let Some((hash, _)) = self.slot::<M>(key)
            && let Ok(entry) = self.index.find_entry(hash, |&(h, _)| h == hash)
        {
            entry.remove();
        }
    }

    /// Forgets every row (the transaction that wrote them was rolled back).
    pub(crate) fn clear(&mut self) {
        self.images.clear();
        self.records.clear();
        self.versions.clear();
        self.index.clear();
        self.indexed = 0;
    }
}

/// The hash of a row's kind and the key columns' images in its image, as [`Loaded::find`]
/// hashes a key's; `None` when a key column is NULL (a row without a key is never looked up).
fn key_hash(kind: u32, meta: &TableMeta, image: &[u8]) -> Option<u64> {
    let mut state = key_hasher(kind);
    if let [0] = meta.primary_key {
        // The usual key, an integer (any eight-byte value) in the first column, taken
        // straight from the image's first 13 bytes (its length 9, then the column) without
        // walking the image.
        if let Some([9, 0, 0, 0, column @ ..]) = image.first_chunk::<13>() {
            hash_column(&mut state, column);
            return Some(state.finish());
        }
        let column = snapshot::columns(image).next()?;
        if column == [0] {
            return None;
        }
        hash_column(&mut state, column);
        return Some(state.finish());
    }
    for &k in meta.primary_key {
        let column = snapshot::columns(image).nth(k)?;
        if column == [0] {
            return None;
        }
        hash_column(&mut state, column);
    }
    Some(state.finish())
}

/// Feeds one key column's image to `state`: an eight-byte value (the non-NULL flag and its
/// bytes; an integer key) as one word, anything else as its bytes. Filing a record
/// ([`key_hash`]) and looking a key up ([`Loaded::find`]) both hash through here.
#[inline]
fn hash_column(state: &mut FxHasher, column: &[u8]) {
    match column.first_chunk::<9>() {
        Some(&[1, ref number @ ..]) if column.len() == 9 => state.write_u64(u64::from_le_bytes(*number)),
        _ => state.write(column),
    }
}

/// The hasher of a key of model number `kind`, before its columns: one start for filing a
/// record ([`key_hash`]) and looking a key up ([`Loaded::find`]), which must agree.
fn key_hasher(kind: u32) -> FxHasher {
    let mut state = FxHasher::default();
    state.write_u32(kind);
    state
}

/// Positions of the columns a `save` writes: inline for a model of up to eight columns.
pub(crate) type Changed = smallvec::SmallVec<[usize; 8]>;

/// The columns of `meta` a `save` writes: the non-key columns the database does not
/// generate and that are not the version counter, and of those, when the row was
/// remembered (`loaded`, an image), only the ones whose image differs from `current`'s.
pub(crate) fn changed_columns(meta: &TableMeta, current: &[u8], loaded: Option<&[u8]>) -> Changed {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::ColumnMeta;
    use crate::types::{SqlType, SqlTypeInfo, ValueKind};

    /// A row with a key, a text and a version column.
    struct Row {
        id: i64,
        name: String,
        version: i64,
    }

    static COLUMNS: [ColumnMeta; 3] = [
        ColumnMeta::new("id", "id", SqlTypeInfo::of(ValueKind::BigInt)).with_primary_key(true),
        ColumnMeta::new("name", "name", SqlTypeInfo::of(ValueKind::Text)),
        ColumnMeta::new("version", "version", SqlTypeInfo::of(ValueKind::BigInt)).with_version(true),
    ];
    static META: TableMeta = TableMeta::new("row", "Row", &COLUMNS, &[0], &[]);

    impl Model for Row {
        const META: &'static TableMeta = &META;
        type Key = i64;
        fn key_values(key: &i64) -> Vec<Value> {
            vec![key.to_value()]
        }
        fn decode(_: &mut crate::RowReader<'_>) -> crate::Result<Self> {
            unreachable!("never read from a database here")
        }
        fn column_value(&self, index: usize) -> Value {
            match index {
                0 => self.id.to_value(),
                1 => self.name.to_value(),
                _ => self.version.to_value(),
            }
        }
        fn set_column(&mut self, _: usize, _: Value) -> crate::Result<()> {
            unreachable!("never written here")
        }
    }

    fn row(id: i64, name: &str, version: i64) -> Row {
        Row { id, name: name.to_owned(), version }
    }

    /// The name and version `loaded` remembers of row `id`.
    fn remembered(loaded: &mut Loaded, id: i64) -> Option<(String, Value)> {
        let found = loaded.get::<Row>(&[id.to_value()])?;
        let name = snapshot::columns(found.image).nth(1).unwrap()[1..].to_vec();
        Some((String::from_utf8(name).unwrap(), found.version.unwrap().clone()))
    }

    #[test]
    fn filing_and_looking_up_hash_every_kind_of_key_alike() {
        // `key_hash` reads an integer key straight from the image; `find` hashes the key's
        // own image column by column. Both must agree for keys of every shape.
        let keys = [
            7i64.to_value(),
            Value::String(Some("eight ch".to_owned())),
            Value::String(Some("ab".to_owned())),
            Value::Bytes(Some(vec![1; 9])),
            Value::Int(Some(-3)),
        ];
        for key in keys {
            let mut image = Vec::new();
            snapshot::value(&key, &mut image);
            "a name".to_owned().snapshot(&mut image);
            1i64.snapshot(&mut image);
            let filed = key_hash(3, &META, &image);
            let mut looked_up = key_hasher(3);
            let mut expected = Vec::new();
            snapshot::value(&key, &mut expected);
            snapshot::columns(&expected).for_each(|column| hash_column(&mut looked_up, column));
            assert_eq!(filed, Some(looked_up.finish()), "{key:?}");
        }
        let mut null_key = Vec::new();
        snapshot::null(&mut null_key);
        assert_eq!(key_hash(3, &META, &null_key), None);
    }

    #[test]
    fn compaction_keeps_the_latest_image_and_version_of_each_row() {
        let mut loaded = Loaded { compact_at: 2_000, ..Loaded::default() };
        for round in 0..20 {
            let rows: Vec<Row> = (0..10).map(|id| row(id, &format!("{id} in round {round}"), round)).collect();
            if round % 2 == 0 {
                loaded.remember_all(&rows);
            } else {
                rows.iter().for_each(|r| loaded.remember(r));
            }
        }
        assert!(loaded.records.len() < 200, "compacted: {} records", loaded.records.len());
        for id in 0..10 {
            assert_eq!(remembered(&mut loaded, id), Some((format!("{id} in round 19"), Value::BigInt(Some(19)))));
        }
        assert_eq!(remembered(&mut loaded, 10), None);
        loaded.forget::<Row>(&[3i64.to_value()]);
        assert_eq!(remembered(&mut loaded, 3), None);
        loaded.compact();
        assert_eq!(loaded.records.len(), 9);
        assert_eq!(remembered(&mut loaded, 4), Some(("4 in round 19".to_owned(), Value::BigInt(Some(19)))));
        loaded.clear();
        assert_eq!(remembered(&mut loaded, 4), None);
    }
}
