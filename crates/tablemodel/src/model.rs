//! The trait `#[derive(Model)]` implements for table models.

use crate::error::Error;
use crate::meta::TableMeta;
use crate::row::RowReader;
use crate::types::Value;

/// A struct mapped to a database table, implemented by `#[derive(Model)]` with
/// `#[model(table)]`.
///
/// The derive also gives the struct one typed column handle per field
/// (`Hero::name()` is a `Column<Hero, String>`), used to build queries.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a table model",
    label = "not a table",
    note = "add `#[derive(Model)]` and `#[model(table)]` to `{Self}`"
)]
pub trait Model: Sized + Send + Sync + Unpin + 'static {
    /// The table's metadata.
    const META: &'static TableMeta;
    /// The primary key: the key field's base type, or a tuple for a composite key.
    type Key: Send + Sync;
    /// The key as bound parameters, in primary-key column order.
    fn key_values(key: &Self::Key) -> Vec<Value>;
    /// [`Model::key_values`] without a heap allocation for a one-column key; the derive
    /// implements it. Not an API.
    #[doc(hidden)]
    fn key_params(key: &Self::Key) -> KeyParams {
        KeyParams::Many(Self::key_values(key))
    }
    /// The model's own slots for its fixed statements, so that `get` and `delete` find
    /// their SQL without a shared lookup; the derive gives each model one. Not an API.
    #[doc(hidden)]
    fn fixed_statements() -> Option<&'static crate::query::FixedStatements> {
        None
    }
    /// Builds a model from the next `META.columns.len()` columns of a row.
    fn decode(row: &mut RowReader<'_>) -> Result<Self, Error>;
    /// The value of column `index` (a position in `META.columns`) as a bound parameter.
    fn column_value(&self, index: usize) -> Value;
    /// Hands `each` every column's position and value as a bound parameter, in
    /// `META.columns` order; the derive writes the fields one after the other, so that a
    /// caller reading every column picks no field by its position. Not an API.
    #[doc(hidden)]
    #[inline]
    fn each_value(&self, mut each: impl FnMut(usize, Value)) {
        for i in 0..Self::META.columns.len() {
            each(i, self.column_value(i));
        }
    }
    /// Appends the byte image of column `index` that a session keeps to tell what `save`
    /// must write; the derive writes each field's own ([`SqlType`](crate::SqlType)'s hidden
    /// `snapshot`), without the copy `column_value` makes. Not an API.
    #[doc(hidden)]
    fn snapshot_column(&self, index: usize, out: &mut Vec<u8>) {
        crate::types::snapshot::value(&self.column_value(index), out);
    }
    /// Appends the byte image of every column, in `META.columns` order; the derive writes
    /// the fields one after the other. Not an API.
    #[doc(hidden)]
    fn snapshot(&self, out: &mut Vec<u8>) {
        for i in 0..Self::META.columns.len() {
            self.snapshot_column(i, out);
        }
    }
    /// Checks the field constraints (`min_length`, `ge`, `pattern`, …) on the values as they
    /// are, without running validators; [`Model::validate_write`] does both before a write.
    fn check(&self) -> Result<(), crate::validate::ValidationErrors> {
        Ok(())
    }

    /// Validates the model as it is before a write, as a request body would be: field
    /// constraints, then field validators (`validator_before` on the field's JSON form,
    /// `validator`), then the model's `#[model(validator = …)]`. Values the validators
    /// return (trimmed, title-cased, …) replace the model's, only when everything passed; on
    /// failure the model is unchanged. [`Session::add`](crate::Session::add), `add_all` and
    /// [`save`](crate::Session::save) call it; the derive implements it (a model with a
    /// `#[model(validator = …)]` must be `Clone`: the validator takes a copy). The default
    /// runs [`Model::check`].
    fn validate_write(&mut self) -> Result<(), crate::validate::ValidationErrors> {
        self.check()
    }

    /// The model's relationships (`#[relationship]` fields).
    const RELATIONS: &'static [crate::relationship::RelationMeta] = &[];

    /// Sets column `index` from a value of the column's type (a NULL value clears an
    /// `Option` field); used to set foreign keys through relationships.
    fn set_column(&mut self, index: usize, value: Value) -> Result<(), Error>;

    /// Whether any relationship field holds a loaded value.
    fn has_loaded_related(&self) -> bool {
        false
    }

    /// Moves loaded relationship values from `from` (the model as given) into `self` (the
    /// row as stored).
    fn take_related(&mut self, from: &mut Self) {
        let _ = from;
    }

    /// Sets every relationship field to `NotLoaded`; the copy of a parent that
    /// back-populates its children is made this way. Not an API.
    #[doc(hidden)]
    fn clear_related(&mut self) {}

    /// Sets the many-to-one (or one-to-one) relationship `relation` of each of `rows` to a
    /// copy of `parent` (with its relationships `NotLoaded`) when `parent` is that
    /// relationship's model; returns whether it did. Loading fills back-references this
    /// way, the relationship found and the parent cleared once for all the rows loaded for
    /// it. Not an API.
    #[doc(hidden)]
    fn fill_back_references(rows: &mut [&mut Self], relation: &str, parent: &dyn std::any::Any) -> bool {
        let _ = (rows, relation, parent);
        false
    }

    /// Writes loaded parents before the row is written.
    fn write_related_before<'a>(
        &'a mut self,
        session: &'a mut crate::Session,
    ) -> futures_util::future::BoxFuture<'a, Result<(), Error>> {
        let _ = session;
        Box::pin(async { Ok(()) })
    }

    /// Writes loaded children and link rows after the row is written.
    fn write_related_after<'a>(
        &'a mut self,
        session: &'a mut crate::Session,
        existed: bool,
    ) -> futures_util::future::BoxFuture<'a, Result<(), Error>> {
        let _ = (session, existed);
        Box::pin(async { Ok(()) })
    }
}

/// A key as bound parameters: one value kept inline, or several. Not an API; built by
/// [`Model::key_params`].
#[doc(hidden)]
#[derive(Debug)]
pub enum KeyParams {
    /// A one-column key, dropped by [`KeyParams`]'s `Drop` (see there).
    One(std::mem::ManuallyDrop<[Value; 1]>),
    /// A composite key.
    Many(Vec<Value>),
}

impl KeyParams {
    /// A one-column key.
    #[inline]
    pub fn one(value: Value) -> Self {
        KeyParams::One(std::mem::ManuallyDrop::new([value]))
    }
}

impl Drop for KeyParams {
    /// An integer key, nearly every key, holds nothing to drop: it costs no call of
    /// `Value`'s drop glue (a switch over every variant) per `get` or `delete`.
    #[inline]
    fn drop(&mut self) {
        if let KeyParams::One(one) = self
            && !matches!(one[0], Value::BigInt(_) | Value::Int(_) | Value::SmallInt(_) | Value::TinyInt(_))
        {
            // SAFETY: the value is dropped here only, and `self` is not used after `drop`.
            #[allow(unsafe_code)]
            unsafe {
                std::mem::ManuallyDrop::drop(one)
            }
        }
    }
}

impl std::ops::Deref for KeyParams {
    type Target = [Value];
    #[inline]
    fn deref(&self) -> &[Value] {
        match self {
            KeyParams::One(one) => &one[..],
            KeyParams::Many(many) => many,
        }
    }
}
