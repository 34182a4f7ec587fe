//! Every table model linked into the program, found without naming it.
//!
//! Each `#[derive(Model)]` with `#[model(table)]` registers its [`TableMeta`] when the
//! program starts (through the `inventory` crate, which the derive reaches through
//! tablemodel, so a user crate needs no dependency of its own). Migration tools read the
//! models from here, so autogenerate can never see a partial set of tables because a
//! module was not imported, and never proposes dropping a table for that reason.
//! Schema models (no `table`) do not register; models cannot be generic.
//!
//! ```standalone_crate
//! # use tablemodel::prelude::*;
//! mod models {
//!     use tablemodel::prelude::*;
//!     #[derive(Model)]
//!     #[model(table)]
//!     pub struct Hero { #[field(primary_key)] pub id: Option<i64>, pub name: String }
//! }
//! // `models::Hero` is not named here.
//! let schema = tablemodel::registry::schema().unwrap();
//! assert!(schema.table("hero").is_some());
//! ```
//!
//! A crate is linked into a program only when the program uses something of it (for a
//! library whose models nothing else names, `use models_crate as _;` links it). Edition
//! 2024 compiles a crate's doctests into one program, so models of the same table in
//! several doctests register together: a doctest that reads the registry is marked
//! `standalone_crate`, as the one above is.

use crate::meta::TableMeta;
use crate::schema::Schema;

/// One table model as it registered itself: its metadata and its Rust type's path.
#[derive(Debug)]
pub struct RegisteredTable {
    meta: &'static TableMeta,
    type_path: &'static str,
}

impl RegisteredTable {
    /// Used by the derive; not a public API.
    #[doc(hidden)]
    pub const fn new(meta: &'static TableMeta, type_path: &'static str) -> RegisteredTable {
        RegisteredTable { meta, type_path }
    }

    /// The table's metadata.
    pub fn meta(&self) -> &'static TableMeta {
        self.meta
    }

    /// The path of the Rust type, e.g. `heroes::models::Hero`.
    pub fn type_path(&self) -> &'static str {
        self.type_path
    }
}

inventory::collect!(RegisteredTable);

/// Why the registered models do not make one schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// Two models name the same table.
    #[error("two models are table `{table}`: `{first}` and `{second}`; give one a `table_name`")]
    DuplicateTable {
        /// The table name.
        table: String,
        /// The path of one model's Rust type.
        first: String,
        /// The path of the other's.
        second: String,
    },
}

/// Every registered table model, duplicates included, ordered by table name, then by Rust
/// type path.
pub fn registered() -> Vec<&'static RegisteredTable> {
    let mut all: Vec<&'static RegisteredTable> = inventory::iter::<RegisteredTable>.into_iter().collect();
    all.sort_by_key(|r| (r.meta.name, r.type_path));
    all
}

/// The metadata of every registered table, ordered by table name; an error if two models
/// name one table.
pub fn tables() -> Result<Vec<&'static TableMeta>, RegistryError> {
    let all = registered();
    if let Some(pair) = all.windows(2).find(|pair| pair[0].meta.name == pair[1].meta.name) {
        return Err(RegistryError::DuplicateTable {
            table: pair[0].meta.name.to_owned(),
            first: pair[0].type_path.to_owned(),
            second: pair[1].type_path.to_owned(),
        });
    }
    Ok(all.into_iter().map(|r| r.meta).collect())
}

/// The schema of every registered table: what `create_all` of all the models builds, and
/// what migrations are generated against.
pub fn schema() -> Result<Schema, RegistryError> {
    Ok(Schema::from_tables(&tables()?))
}
