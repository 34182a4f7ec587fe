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
    /// Builds a model from the next `META.columns.len()` columns of a row.
    fn decode(row: &mut RowReader<'_>) -> Result<Self, Error>;
    /// The value of column `index` (a position in `META.columns`) as a bound parameter.
    fn column_value(&self, index: usize) -> Value;
    /// Checks the field constraints (`min_length`, `ge`, `pattern`, …) on the values as they
    /// are; [`Session::add`](crate::Session::add) and [`save`](crate::Session::save) call it
    /// so that nothing breaking them is written, however the model was built.
    fn check(&self) -> Result<(), crate::validate::ValidationErrors> {
        Ok(())
    }
}
