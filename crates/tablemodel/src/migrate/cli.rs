//! The `db` subcommands (feature `cli`): a [`clap`] argument type an application nests in
//! its own command line, and [`DbArgs::run`], which does what it says given the models'
//! schema ([`Project`]).
//!
//! ```no_run
//! use clap::Parser;
//! use tablemodel::migrate::cli::{DbArgs, Project};
//! # use tablemodel::prelude::*;
//! # #[derive(Model)] #[model(table)] struct Hero { #[field(primary_key)] id: Option<i64>, name: String }
//!
//! #[derive(Parser)]
//! enum Cli {
//!     /// Serve the app.
//!     Serve,
//!     /// Manage the database schema.
//!     Db(DbArgs),
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::process::ExitCode {
//! match Cli::parse() {
//!     Cli::Db(db) => {
//!         let models = tablemodel::schema::Schema::from_tables(&[Hero::META]);
//!         let project = Project::new(models, concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"), "sqlite://app.db");
//!         match db.run(&project, &mut std::io::stdout()).await {
//!             Ok(outcome) => outcome.exit_code(),
//!             Err(e) => {
//!                 eprintln!("error: {e}");
//!                 std::process::ExitCode::from(2)
//!             }
//!         }
//!     }
//!     Cli::Serve => std::process::ExitCode::SUCCESS, // the app's own server goes here
//! }
//! # }
//! ```

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::{ApplyOptions, MigrateError, Migrations, Operation, Renames, Target, describe};
use crate::backend::Dialect;
use crate::engine::Engine;
use crate::schema::Schema;

/// `db [--migrations DIR] [--allow-destructive] <command>`.
#[derive(clap::Args, Clone, Debug)]
#[non_exhaustive]
pub struct DbArgs {
    /// The migrations folder [default: the application's].
    #[arg(long, value_name = "DIR", global = true)]
    pub migrations: Option<PathBuf>,
    /// Generate or run steps that destroy data (drop a table or column, narrow a type),
    /// and undo migrations whose data cannot come back.
    #[arg(long, global = true)]
    pub allow_destructive: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: DbCommand,
}

/// The `db` subcommands.
#[derive(clap::Subcommand, Clone, Debug)]
#[non_exhaustive]
pub enum DbCommand {
    /// Write a migration for what changed in the models since the last one (no database needed).
    Revision {
        /// What the migration does.
        #[arg(short, long)]
        message: String,
    },
    /// Apply the migrations up to TARGET.
    Upgrade {
        /// Print the SQL for the database's dialect instead of running it (FROM:TO picks
        /// the span; FROM defaults to base).
        #[arg(long)]
        sql: bool,
        /// `head`, a migration id, or `+N`.
        #[arg(default_value = "head", allow_hyphen_values = true)]
        target: String,
    },
    /// Undo migrations back to TARGET.
    Downgrade {
        /// Print the SQL instead of running it (FROM:TO picks the span; FROM defaults to head).
        #[arg(long)]
        sql: bool,
        /// `-N`, a migration id (which stays applied), or `base`.
        #[arg(allow_hyphen_values = true)]
        target: String,
    },
    /// Undo what a migration that stopped part-way committed (MySQL, MariaDB), leaving the
    /// database at the revision it had before.
    Revert,
    /// Print the database's current migration.
    Current,
    /// List the migrations, newest first.
    History,
    /// Print the last migration.
    Heads,
    /// Exit 1 and print the differences when the models differ from the migrations (and,
    /// with --database, when the database is behind or differs from its migration).
    Check {
        /// Also check the database.
        #[arg(long)]
        database: bool,
    },
    /// Collapse the migrations FROM to TO into one that replaces them; databases that
    /// have them take it as applied, fresh ones run it. Deletes their files.
    Squash {
        /// The first migration to squash (an id).
        from: String,
        /// The last one (an id, or `head`).
        #[arg(default_value = "head")]
        to: String,
        /// What the squashed migration does.
        #[arg(short, long)]
        message: String,
    },
    /// Record the database as being at TARGET without running anything.
    Stamp {
        /// `head`, a migration id, or `base`.
        target: String,
    },
}

/// What the `db` commands need from the application.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Project {
    /// The models' schema, which `revision` and `check` compare the migrations with.
    pub models: Schema,
    /// The renames `revision` writes as RENAMEs.
    pub renames: Renames,
    /// The migrations folder `revision` writes to and the commands read (unless
    /// `--migrations` names another).
    pub dir: PathBuf,
    /// The migrations built into the binary, read when the folder does not exist (a
    /// deployed binary without its sources).
    pub embedded: Option<Migrations>,
    /// The database the commands run on.
    pub database_url: String,
}

impl Project {
    /// A project with these models, migrations folder and database.
    pub fn new(models: Schema, dir: impl Into<PathBuf>, database_url: impl Into<String>) -> Project {
        Project { models, renames: Renames::new(), dir: dir.into(), embedded: None, database_url: database_url.into() }
    }

    /// This project with `renames` declared.
    pub fn renames(mut self, renames: Renames) -> Project {
        self.renames = renames;
        self
    }

    /// This project with migrations built into the binary.
    pub fn embedded(mut self, migrations: Migrations) -> Project {
        self.embedded = Some(migrations);
        self
    }
}

/// How a command ended, for the process's exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Done; nothing to report.
    Done,
    /// `check` found differences (exit code 1).
    Differs,
}

impl Outcome {
    /// 0 when done, 1 when `check` found differences.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Done => ExitCode::SUCCESS,
            Outcome::Differs => ExitCode::from(1),
        }
    }
}

impl DbArgs {
    /// Runs the command on `project`, writing what it has to say to `out`.
    pub async fn run(&self, project: &Project, out: &mut dyn Write) -> Result<Outcome, MigrateError> {
        let dir = self.migrations.as_deref().unwrap_or(&project.dir);
        let options = ApplyOptions::new().allow_destructive(self.allow_destructive);
        let io = |e| MigrateError::Io { path: PathBuf::from("<output>"), source: e };
        match &self.command {
            DbCommand::Revision { message } => {
                let history = Migrations::from_dir(dir)?;
                let Some(migration) =
                    history.revision(&project.models, &project.renames, message, self.allow_destructive)
                else {
                    writeln!(out, "No changes in the models since the last migration; no file written.").map_err(io)?;
                    return Ok(Outcome::Done);
                };
                let path = migration.write_to(dir)?;
                writeln!(out, "Generated {} ({})", path.display(), migration.id).map_err(io)?;
                let ops: Vec<&Operation> = migration.up.iter().filter_map(super::Step::operation).collect();
                list_operations(out, &ops).map_err(io)?;
                if migration.is_destructive() && !self.allow_destructive {
                    writeln!(
                        out,
                        "Warning: steps marked ! destroy data; `upgrade` refuses them without --allow-destructive."
                    )
                    .map_err(io)?;
                }
            }
            DbCommand::Upgrade { sql: true, target } | DbCommand::Downgrade { sql: true, target } => {
                let history = self.load(project)?;
                let upgrade = matches!(self.command, DbCommand::Upgrade { .. });
                let (from, to) = match target.split_once(':') {
                    Some((from, to)) => (from.parse()?, to.parse()?),
                    None if upgrade => (Target::Base, target.parse()?),
                    None => (Target::Head, target.parse()?),
                };
                let from = history.resolve(&from, 0)?;
                let to = history.resolve(&to, from)?;
                let Some(dialect) = Dialect::of_url(&project.database_url) else {
                    return Err(crate::Error::InvalidUrl {
                        url: crate::engine::redact(&project.database_url),
                        reason: "expected a `sqlite:`, `postgres://`, `mysql://` or `mariadb://` URL".to_owned(),
                    }
                    .into());
                };
                write!(out, "{}", history.sql_script(dialect, from, to)?).map_err(io)?;
            }
            DbCommand::Upgrade { target, .. } => {
                let history = self.load(project)?;
                let engine = Engine::connect(&project.database_url).await?;
                let applied = history.upgrade(&engine, &target.parse()?, options).await?;
                for id in &applied {
                    writeln!(out, "Applied {id}: {}", history.get(id)?.message).map_err(io)?;
                }
                if applied.is_empty() {
                    writeln!(out, "Nothing to apply; the database is at {}.", at(&history.current(&engine).await?))
                        .map_err(io)?;
                }
            }
            DbCommand::Downgrade { target, .. } => {
                let history = self.load(project)?;
                let engine = Engine::connect(&project.database_url).await?;
                let undone = history.downgrade(&engine, &target.parse()?, options).await?;
                for id in &undone {
                    writeln!(out, "Undid {id}: {}", history.get(id)?.message).map_err(io)?;
                }
                writeln!(out, "The database is at {}.", at(&history.current(&engine).await?)).map_err(io)?;
            }
            DbCommand::Revert => {
                let history = self.load(project)?;
                let engine = Engine::connect(&project.database_url).await?;
                match history.revert_interrupted(&engine, options).await? {
                    Some(id) => writeln!(out, "Reverted what ran of {id}: {}", history.get(&id)?.message),
                    None => writeln!(out, "No migration stopped part-way; nothing to revert."),
                }
                .map_err(io)?;
                writeln!(out, "The database is at {}.", at(&history.current(&engine).await?)).map_err(io)?;
            }
            DbCommand::Current => {
                let history = self.load(project)?;
                let engine = Engine::connect(&project.database_url).await?;
                let current = history.current(&engine).await?;
                let head = if current.is_some() && current.as_deref() == history.head().map(|m| m.id.as_str()) {
                    " (head)"
                } else {
                    ""
                };
                writeln!(out, "{}{head}", at(&current)).map_err(io)?;
            }
            DbCommand::History => {
                let history = self.load(project)?;
                for (i, m) in history.iter().enumerate().rev() {
                    let head = if i + 1 == history.len() { " (head)" } else { "" };
                    let parent = m.parent.as_deref().unwrap_or("<base>");
                    writeln!(out, "{parent} -> {}{head}, {}: {}", m.id, m.created, m.message).map_err(io)?;
                }
            }
            DbCommand::Heads => {
                let history = self.load(project)?;
                if let Some(head) = history.head() {
                    writeln!(out, "{} (head)", head.id).map_err(io)?;
                }
            }
            DbCommand::Check { database } => {
                let history = self.load(project)?;
                let mut outcome = Outcome::Done;
                let pending = history.pending_changes(&project.models, &project.renames);
                if pending.is_empty() {
                    writeln!(out, "The migrations match the models.").map_err(io)?;
                } else {
                    outcome = Outcome::Differs;
                    writeln!(out, "The models differ from the migrations; `db revision` would:").map_err(io)?;
                    list_operations(out, &pending.iter().collect::<Vec<_>>()).map_err(io)?;
                }
                if *database {
                    let engine = Engine::connect(&project.database_url).await?;
                    let current = history.current(&engine).await?;
                    let behind = history.iter().rev().take_while(|m| Some(&m.id) != current.as_ref()).count();
                    if behind > 0 {
                        outcome = Outcome::Differs;
                        writeln!(out, "The database is at {}, {behind} migration(s) behind head.", at(&current))
                            .map_err(io)?;
                    }
                    let drift = history.drift(&engine).await?;
                    if drift.is_empty() {
                        writeln!(out, "The database matches its migration {}.", at(&current)).map_err(io)?;
                    } else {
                        outcome = Outcome::Differs;
                        writeln!(out, "The database differs from its migration {}; it was changed by:", at(&current))
                            .map_err(io)?;
                        for op in &drift {
                            writeln!(out, "  - {}", describe(op)).map_err(io)?;
                        }
                    }
                }
                return Ok(outcome);
            }
            DbCommand::Squash { from, to, message } => {
                let history = Migrations::from_dir(dir)?;
                let id_of = |target: &str| -> Result<String, MigrateError> {
                    let n = history.resolve(&target.parse()?, history.len())?;
                    let m = n.checked_sub(1).and_then(|i| history.iter().nth(i));
                    m.map(|m| m.id.clone()).ok_or_else(|| MigrateError::UnknownRevision { id: target.to_owned() })
                };
                let squash = history.squash(&id_of(from)?, &id_of(to)?, message)?;
                let path = squash.write_to(dir)?;
                for m in history.iter().filter(|m| squash.replaces.contains(&m.id)) {
                    std::fs::remove_file(&m.source)
                        .map_err(|e| MigrateError::Io { path: PathBuf::from(&m.source), source: e })?;
                }
                writeln!(out, "Squashed {} into {} ({})", squash.replaces.join(", "), path.display(), squash.id)
                    .map_err(io)?;
            }
            DbCommand::Stamp { target } => {
                let history = self.load(project)?;
                let engine = Engine::connect(&project.database_url).await?;
                history.stamp(&engine, &target.parse()?).await?;
                writeln!(out, "Stamped the database at {}.", at(&history.current(&engine).await?)).map_err(io)?;
            }
        }
        Ok(Outcome::Done)
    }
}

impl DbArgs {
    /// The history in the folder `--migrations` names; else in the project's folder, or
    /// the embedded one when that folder does not exist (a deployed binary).
    fn load(&self, project: &Project) -> Result<Migrations, MigrateError> {
        match (&self.migrations, &project.embedded) {
            (Some(dir), _) => Migrations::from_dir(dir),
            (None, Some(embedded)) if !project.dir.is_dir() => Ok(embedded.clone()),
            (None, _) => Migrations::from_dir(&project.dir),
        }
    }
}

/// One line per operation (`!` marking those that destroy data), each followed by its lock
/// warnings with their safer sequence, indented.
fn list_operations(out: &mut dyn Write, ops: &[&Operation]) -> std::io::Result<()> {
    let mut warnings = super::locks::lock_warnings_by_operation(ops.iter().copied()).into_iter().peekable();
    for (i, op) in ops.iter().enumerate() {
        let mark = if op.is_destructive() { "  ! " } else { "  - " };
        writeln!(out, "{mark}{}", describe(op))?;
        while let Some((_, warning)) = warnings.next_if(|(at, _)| *at == i) {
            let mut lines = warning.to_string().lines().map(str::to_owned).collect::<Vec<_>>().into_iter();
            if let Some(first) = lines.next() {
                writeln!(out, "    warning, {} lock: {first}", warning.dialect.name())?;
            }
            for line in lines {
                writeln!(out, "    {line}")?;
            }
        }
    }
    Ok(())
}

/// A revision for the output: its id, or `base`.
fn at(current: &Option<String>) -> &str {
    current.as_deref().unwrap_or("base")
}
