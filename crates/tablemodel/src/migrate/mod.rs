//! Schema migrations: the difference between two schemas as dialect-neutral
//! [`Operation`]s, kept as a history of migration files ([`Migrations`]), rendered to
//! each dialect's SQL and applied one transaction per migration.
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
//! # The workflow
//!
//! A migration history is a folder of files, one per migration, kept with the code. The
//! `db` subcommands ([`cli`], feature `cli`) run the workflow from an application's own
//! binary, so they see its models:
//!
//! ```sh
//! app db revision -m "add hero age"   # diff the models against the history; write a file (no database)
//! app db upgrade                      # apply what the database lacks (DATABASE_URL)
//! app db downgrade -1                 # or a revision id, or `base`
//! app db current | history | heads
//! app db check [--database]           # exit 1 and print the differences (CI)
//! app db upgrade --sql                # print the SQL for a DBA instead of running it
//! app db stamp head                   # adopt a database made before it had migrations
//! ```
//!
//! * **Offline autogenerate.** The schema a history leads to is computed by replaying
//!   its operations ([`Operation::apply_to`]), so [`Migrations::revision`] compares the
//!   models with the history, not with a database. Nothing changed: no file.
//! * **One history for every dialect.** Operations are dialect-neutral and rendered for
//!   the database at apply time; raw SQL steps can carry a variant per dialect.
//! * **No silent data loss.** A step that drops a table or column or narrows a type is
//!   marked in the file with a `# WARNING` line, and [`Migrations::upgrade`] refuses it
//!   unless the migration was generated with destructive steps allowed or the upgrade is
//!   told to allow them. A downgrade that cannot bring back what the upgrade destroyed
//!   says so ([`MigrateError::IrreversibleMigration`]) unless allowed, and then restores
//!   the structure only.
//! * **Safe apply.** The version table `tablemodel_migrations` records each applied
//!   migration's id, checksum (SHA-256 of its file, line endings normalized) and time; a
//!   file changed after it was applied is refused ([`MigrateError::Modified`]). Each
//!   migration runs in its own transaction with its version row. Concurrent migrators
//!   wait for each other: on PostgreSQL an advisory lock is held for the whole run
//!   ([`Capabilities::migration_lock`](crate::Capabilities::migration_lock)); on SQLite
//!   each migration's `BEGIN IMMEDIATE` holds the write lock, and a migration another
//!   process applied meanwhile is skipped; on MySQL and MariaDB a named lock (`GET_LOCK`)
//!   is held for the whole run.
//! * **MySQL and MariaDB commit every DDL statement on its own**
//!   ([`Capabilities::transactional_ddl`](crate::Capabilities::transactional_ddl) is
//!   false): a migration that fails half-way leaves the statements before the failing one
//!   applied, and its version row unwritten. The error names the migration and the
//!   statement; fix the cause, then bring the schema back by hand to where the migration
//!   started (or finish it by hand and `stamp` it). Keep each migration on MySQL small
//!   (one change per file) so that such a repair is one statement.
//! * **Drift.** [`Migrations::drift`] compares the live database (reflected) with the
//!   schema of the revision it is at: what someone changed by hand.
//! * **Deploying.** [`embed_migrations!`](crate::embed_migrations) builds the folder into
//!   the binary; [`Migrations::upgrade`] to [`Target::Head`] at start-up applies what
//!   the database lacks (a database whose tables `create_all` made takes the first
//!   migration's `CREATE TABLE IF NOT EXISTS` as a no-op, or is adopted with `stamp`).
//!
//! # The migration file
//!
//! TOML, named `<created>_<id>_<message>.toml` so the folder lists in order; the order
//! that counts is the `parent` chain:
//!
//! ```toml
//! id = "3f2a9c1b7d4e"              # the revision id
//! parent = "bd115a5d5736"          # the revision it follows (absent for the first)
//! message = "add hero age"
//! created = "2026-11-30T21:50:05Z"
//! allow_destructive = false        # whether its destructive steps were meant
//!
//! [[up]]                           # an Operation: `op` and its fields
//! op = "add_column"
//! table = "hero"
//! [up.column]
//! name = "age"
//! ty = "INTEGER"                   # the type's SQL standard name
//! nullable = true
//! autoincrement = false
//!
//! [[up]]                           # raw SQL: `sql`, or a variant per dialect
//! sql = "UPDATE hero SET age = 0"
//! postgres = "UPDATE hero SET age = 0::integer"
//!
//! # WARNING: irreversible: … (over a down step that cannot restore data)
//! [[down]]
//! op = "drop_column"
//! table = "hero"
//! [down.column]
//! name = "age"
//! ty = "INTEGER"
//! nullable = true
//! autoincrement = false
//! ```
//!
//! * **Squashing.** [`Migrations::squash`] (`db squash FROM TO -m …`) collapses a span
//!   of migrations into one that `replaces` them: a database that has them applied takes
//!   it as applied, a fresh one runs it, and the migration after the span follows it.
//!
//! Renames come from `#[model(renamed_from = "…")]` and `#[field(renamed_from = "…")]`
//! ([`Renames::from_schema`]).
//!
//! * **Lock warnings.** A step that locks or rewrites a big table on a dialect that can
//!   change tables in use ([`lock_warnings`]: on PostgreSQL a `NOT NULL` column added
//!   without a default, a column made `NOT NULL`, a type change that rewrites, an index,
//!   unique constraint or primary key built without `CONCURRENTLY`, a foreign key added
//!   without `NOT VALID`) gets comment lines over it in the generated file, with the
//!   safer sequence; `revision` and `check` print them, and `upgrade --sql` writes those
//!   of the SQL's dialect as SQL comments:
//!
//! ```toml
//! # WARNING: postgres lock: creating index "ix_hero_age" blocks writes to "hero" until it is built
//! # safer:
//! #   1. CREATE INDEX CONCURRENTLY "ix_hero_age" ON "hero" ("age")
//! #   2. (outside a transaction; if it fails, DROP INDEX CONCURRENTLY the invalid index and retry)
//! [[up]]
//! op = "create_index"
//! ```
//!
//!   The generated step itself is unchanged. A migration runs in one transaction, where
//!   `CONCURRENTLY` cannot; an index built by hand that way before `upgrade` makes the
//!   step's `CREATE INDEX IF NOT EXISTS` do nothing.

mod apply;
#[cfg(feature = "cli")]
pub mod cli;
mod diff;
mod file;
mod history;
mod locks;
mod operation;
mod render;
mod runner;

pub use apply::{ApplyOptions, apply};
pub use diff::{Renames, diff, diff_with_renames};
pub use file::{Migration, SqlStep, Step, describe};
pub use history::{Migrations, Target};
pub use locks::{LockHazard, LockWarning, lock_warnings};
pub use operation::{Inverse, Operation};
pub use render::{Plan, render};
pub use runner::Applied;
#[cfg(feature = "mysql")]
pub(crate) use runner::PROGRESS_TABLE;

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
    /// A migration destroys data, was not generated with destructive steps allowed, and
    /// the upgrade was not told to allow them.
    #[error(
        "migration `{id}` would {operation}; rerun with destructive operations allowed (--allow-destructive) if that is meant"
    )]
    DestructiveMigration {
        /// The migration.
        id: String,
        /// Its first destructive step, described.
        operation: String,
    },
    /// Downgrading past a migration cannot bring back the data it destroyed, and that was
    /// not allowed.
    #[error(
        "migration `{id}` cannot be undone: its step \"{operation}\" destroyed data that a downgrade cannot bring back; allow destructive operations (--allow-destructive) to undo its structure anyway"
    )]
    IrreversibleMigration {
        /// The migration.
        id: String,
        /// The step whose data is gone, described.
        operation: String,
    },
    /// A migration the database records as applied has changed since (its checksum differs).
    #[error(
        "migration `{id}` was changed after it was applied to this database; restore it and add a new migration instead"
    )]
    Modified {
        /// The migration.
        id: String,
    },
    /// The database records a migration the history does not have.
    #[error("the database has migration `{id}` applied, which the migrations do not have")]
    UnknownApplied {
        /// The migration.
        id: String,
    },
    /// No migration has this id (or starts with it).
    #[error("no migration `{id}`")]
    UnknownRevision {
        /// The id as given.
        id: String,
    },
    /// More than one migration id starts with this prefix.
    #[error("`{prefix}` could be any of {candidates:?}")]
    AmbiguousRevision {
        /// The prefix as given.
        prefix: String,
        /// The ids that start with it.
        candidates: Vec<String>,
    },
    /// The history forks: more than one migration follows no other.
    #[error("the migrations have more than one head: {heads:?}; make one follow the other")]
    MultipleHeads {
        /// The last migration of each branch.
        heads: Vec<String>,
    },
    /// The migrations do not form one history (a duplicate id, a missing parent).
    #[error("the migrations do not form one history: {reason}")]
    BrokenHistory {
        /// What is wrong.
        reason: String,
    },
    /// A migration file could not be read.
    #[error("migration file {file}: {message}")]
    InvalidFile {
        /// The file.
        file: String,
        /// What is wrong with it.
        message: String,
    },
    /// Reading or writing a migration file or folder failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: std::path::PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// A migration failed while it ran; nothing of it was committed where the dialect has
    /// transactional DDL.
    #[error("migration `{id}` failed: {source}")]
    Failed {
        /// The migration.
        id: String,
        /// Why.
        source: Box<MigrateError>,
    },
    /// A migration stopped part-way on a database whose DDL is not transactional (MySQL,
    /// MariaDB): its first `done` statements are committed, and recorded, so that running
    /// it again after fixing the cause resumes at the statement that failed, and
    /// [`Migrations::revert_interrupted`] (`db revert`) undoes them instead.
    #[error(
        "migration `{id}` stopped after {done} of {total} statements, which this database committed: \
         fix the cause and run it again to resume at statement {next}, or revert it: {source}",
        next = done + 1
    )]
    Interrupted {
        /// The migration.
        id: String,
        /// The statements that ran and stay applied.
        done: usize,
        /// The migration's statements.
        total: usize,
        /// Why the next one failed.
        source: Box<MigrateError>,
    },
    /// What a migration that stopped part-way committed cannot be undone by its steps'
    /// inverses ([`Migrations::revert_interrupted`]): a SQL step ran, or the failed
    /// statement was inside a step. Nothing was changed.
    #[error("the part of migration `{id}` that ran cannot be reverted: {reason}")]
    CannotRevert {
        /// The migration.
        id: String,
        /// Why.
        reason: String,
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
