//! Schema migrations: the difference between two schemas as dialect-neutral
//! [`Operation`]s, rendered to each dialect's SQL and applied in one transaction.
//!
//! ```text
//! models (Schema::from_tables) ──diff──▶ [Operation] ──render(dialect)──▶ SQL ──apply──▶ database
//! ```
//!
//! * [`diff`] compares two [`Schema`]s (the models' and the one recorded when the last
//!   migration was made, so no database is needed) and orders the operations so they
//!   apply: tables created after the tables they reference, dropped before them.
//! * Each [`Operation`] knows whether it destroys data ([`Operation::is_destructive`])
//!   and how it is undone ([`Operation::inverse`]); [`invert`] makes a downgrade.
//! * [`render`] spells the operations for one dialect; what the dialect cannot `ALTER`
//!   becomes a table rebuild that keeps the rows (SQLite).
//! * [`apply`] runs them on an [`Engine`], in one transaction where the dialect has
//!   transactional DDL, refusing destructive operations unless allowed.
//!
//! ```
//! # use tablemodel::prelude::*;
//! use tablemodel::migrate::{self, ApplyOptions};
//! use tablemodel::schema::Schema;
//! # mod v1 { use tablemodel::prelude::*;
//! # #[derive(Model)] #[model(table)] pub struct Hero { #[field(primary_key)] pub id: Option<i64>, pub name: String } }
//! # mod v2 { use tablemodel::prelude::*;
//! # #[derive(Model)] #[model(table)] pub struct Hero { #[field(primary_key)] pub id: Option<i64>, pub name: String,
//! #   #[field(server_default = "0")] pub age: i32 } }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let engine = Engine::connect("sqlite::memory:").await?;
//! engine.create_all::<v1::Hero>().await?;
//! let ops = migrate::diff(&Schema::from_tables(&[v1::Hero::META]), &Schema::from_tables(&[v2::Hero::META]));
//! migrate::apply(&engine, &ops, ApplyOptions::new()).await?;
//! let live = engine.reflect().await?;
//! assert_eq!(live, Schema::from_tables(&[v2::Hero::META]).for_dialect(engine.dialect()));
//! # Ok(()) }
//! ```
//!
//! Still to come (issue 12): the version table, migration files and the schema snapshot,
//! the `db` subcommands, drift checks, squashing, PostgreSQL lock warnings and advisory
//! locking; and a `renamed_from` attribute on the derive (renames are passed as
//! [`Renames`] meanwhile).

mod apply;
mod diff;
mod locks;
mod operation;
mod render;

pub use apply::{ApplyOptions, apply};
pub use diff::{Renames, diff, diff_with_renames};
pub use locks::{LockHazard, LockWarning, lock_warnings};
pub use operation::{Inverse, Operation};
pub use render::{Plan, render};

use crate::backend::Dialect;
#[allow(unused_imports)] // named in the docs
use crate::{engine::Engine, schema::Schema};

/// What can go wrong making or running a migration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// The database refused a statement, or could not be reached.
    #[error(transparent)]
    Database(#[from] crate::error::Error),
    /// The migration destroys data (drops a table or column, or narrows a type) and was
    /// not allowed to ([`ApplyOptions::allow_destructive`]).
    #[error("`{operation}` on table `{table}` destroys data; allow destructive operations to run it")]
    Destructive {
        /// The table.
        table: String,
        /// The operation, as Rust debug text.
        operation: String,
    },
    /// Undoing the migration cannot bring back the data it destroyed, and that was not
    /// allowed ([`invert`]'s `allow_data_loss`).
    #[error("`{operation}` on table `{table}` cannot be undone: the data it destroyed is gone")]
    Irreversible {
        /// The table.
        table: String,
        /// The operation, as Rust debug text.
        operation: String,
    },
    /// An operation names a table the schema does not have.
    #[error("the migration changes table `{table}`, which does not exist")]
    UnknownTable {
        /// The table.
        table: String,
    },
    /// A rebuild left rows whose foreign key references no row; nothing was committed.
    #[error("the migration leaves rows of `{table}` whose foreign key references no row of `{referenced_table}`")]
    ForeignKeyViolation {
        /// The referencing table.
        table: String,
        /// The referenced table.
        referenced_table: String,
    },
    /// The dialect cannot do what the migration needs.
    #[error("{dialect:?} does not support {what}")]
    Unsupported {
        /// The dialect.
        dialect: Dialect,
        /// What it cannot do.
        what: String,
    },
}

/// The operations that undo `operations` (applied in the order given), last first.
///
/// An operation whose undoing cannot restore the data it destroyed (a dropped table or
/// column, a narrowing type change) makes this an [`MigrateError::Irreversible`] error,
/// unless `allow_data_loss`: then the structure comes back without that data.
pub fn invert(operations: &[Operation], allow_data_loss: bool) -> Result<Vec<Operation>, MigrateError> {
    operations
        .iter()
        .rev()
        .map(|op| match op.inverse() {
            Inverse::Exact(undo) => Ok(undo),
            Inverse::WithoutData(undo) if allow_data_loss => Ok(undo),
            Inverse::WithoutData(_) => {
                Err(MigrateError::Irreversible { table: op.table().to_owned(), operation: format!("{op:?}") })
            }
        })
        .collect()
}
