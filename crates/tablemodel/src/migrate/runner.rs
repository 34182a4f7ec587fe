//! Running a [`Migrations`] history on a database: the version table (`tablemodel_migrations`:
//! id, checksum, applied time), upgrade and downgrade one migration per transaction, the
//! current revision, stamping, and drift between the database and its revision.
//!
//! Concurrent migrators wait for each other: where the dialect has a
//! [`migration_lock`](crate::Capabilities::migration_lock) (PostgreSQL's advisory lock) it
//! is held for the whole run; and each migration's write transaction checks again that
//! the migration is still to run before running it (on SQLite, `BEGIN IMMEDIATE` holds
//! the database's write lock from there to the commit).

use std::collections::BTreeSet;

use sea_query::{Alias, Expr, ExprTrait, Query};

use super::file::Migration;
use super::history::{Migrations, Target, render_steps};
use super::{ApplyOptions, MigrateError, Operation, diff};
use crate::backend::Dialect;
use crate::engine::Engine;
use crate::schema::reflect::text_rows;
use crate::schema::{MIGRATIONS_TABLE, Schema};
use crate::session::Session;
use crate::types::Value;

/// The version table, in SQL every dialect reads alike.
pub(crate) const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS \"tablemodel_migrations\" (\
    \"id\" VARCHAR(64) NOT NULL PRIMARY KEY, \
    \"checksum\" VARCHAR(64) NOT NULL, \
    \"applied_at\" VARCHAR(64) NOT NULL)";

/// Where a migration that stopped part-way got to, on dialects whose DDL is not
/// transactional: one row per migration being applied (`up` or `down`) with the number of
/// its statements committed.
pub(crate) const PROGRESS_TABLE: &str = "tablemodel_migration_progress";

const CREATE_PROGRESS_TABLE: &str = "CREATE TABLE IF NOT EXISTS \"tablemodel_migration_progress\" (\
    \"id\" VARCHAR(64) NOT NULL PRIMARY KEY, \
    \"direction\" VARCHAR(8) NOT NULL, \
    \"done\" INTEGER NOT NULL)";

/// A migration recorded in a database's version table.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Applied {
    /// The migration's id.
    pub id: String,
    /// The checksum of its file when it was applied.
    pub checksum: String,
    /// When it was applied (RFC 3339).
    pub applied_at: String,
}

/// The statement that records migration `m` as applied at `at`.
pub(crate) fn record_sql(dialect: Dialect, m: &Migration, at: &str) -> (String, Vec<Value>) {
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new(MIGRATIONS_TABLE))
        .columns([Alias::new("id"), Alias::new("checksum"), Alias::new("applied_at")])
        .values_panic([m.id.clone().into(), m.checksum().to_owned().into(), at.to_owned().into()]);
    dialect.render(&insert)
}

/// The statement that forgets migration `m` (and those it replaces).
pub(crate) fn forget_sql(dialect: Dialect, m: &Migration) -> (String, Vec<Value>) {
    let mut delete = Query::delete();
    delete.from_table(Alias::new(MIGRATIONS_TABLE)).and_where(Expr::col(Alias::new("id")).is_in(m.recorded_ids()));
    dialect.render(&delete)
}

/// One connection to the database being migrated, holding the migration lock while it lives
/// (released by [`Runner::finish`]).
struct Runner<'e> {
    engine: &'e Engine,
    session: Session,
    locked: bool,
}

impl<'e> Runner<'e> {
    /// Connects, takes the migration lock if the dialect has one, and makes sure the
    /// version table exists.
    async fn start(engine: &'e Engine) -> Result<Runner<'e>, MigrateError> {
        let mut session = engine.primary_session().await?;
        let mut locked = false;
        if let Some(lock) = session.capabilities().migration_lock {
            session.control(lock.lock).await?;
            locked = true;
        }
        let mut runner = Runner { engine, session, locked };
        let mut setup = vec![CREATE_TABLE];
        if !runner.session.capabilities().transactional_ddl {
            setup.push(CREATE_PROGRESS_TABLE);
        }
        for sql in setup {
            if let Err(e) = runner.session.control(sql).await {
                runner.finish().await?;
                return Err(e.into());
            }
        }
        Ok(runner)
    }

    /// Releases the lock.
    async fn finish(mut self) -> Result<(), MigrateError> {
        // Whatever failed before, the connection goes back to the pool without a
        // transaction or the lock.
        self.session.rollback().await?;
        if self.locked
            && let Some(lock) = self.session.capabilities().migration_lock
        {
            self.session.control(lock.unlock).await?;
        }
        Ok(())
    }

    async fn applied(&mut self) -> Result<Vec<Applied>, MigrateError> {
        let sql = "SELECT \"id\", \"checksum\", \"applied_at\" FROM \"tablemodel_migrations\" ORDER BY \"applied_at\", \"id\"";
        Ok(text_rows(&mut self.session, sql, &[])
            .await?
            .into_iter()
            .map(|row| {
                let [id, checksum, applied_at] = crate::schema::reflect::cells::<3>(row);
                Applied {
                    id: id.unwrap_or_default(),
                    checksum: checksum.unwrap_or_default(),
                    applied_at: applied_at.unwrap_or_default(),
                }
            })
            .collect())
    }

    /// How many migrations of `history` the database has, checking that every one
    /// recorded is in the history (itself or replaced by a squash) and unchanged, and
    /// that they are its first ones.
    async fn current(&mut self, history: &Migrations) -> Result<usize, MigrateError> {
        let applied = self.applied().await?;
        let recorded: BTreeSet<&str> = applied.iter().map(|a| a.id.as_str()).collect();
        let mut covered = BTreeSet::new();
        for a in &applied {
            let Some(i) = history.iter().position(|m| m.id == a.id || m.replaces.contains(&a.id)) else {
                return Err(MigrateError::UnknownApplied { id: a.id.clone() });
            };
            let m = history.iter().nth(i).expect("found above");
            if m.id == a.id && m.checksum() != a.checksum {
                return Err(MigrateError::Modified { id: a.id.clone() });
            }
            if m.id != a.id && !m.replaces.iter().all(|r| recorded.contains(r.as_str())) {
                return Err(MigrateError::BrokenHistory {
                    reason: format!(
                        "the database has only some of the migrations squashed into `{}`; \
                         upgrade it with the history before the squash first",
                        m.id
                    ),
                });
            }
            covered.insert(i);
        }
        let count = covered.len();
        if let Some(gap) = (0..count).find(|i| !covered.contains(i)) {
            return Err(MigrateError::BrokenHistory {
                reason: format!(
                    "the database has migrations after `{}` without it",
                    history.iter().nth(gap).map(|m| m.id.as_str()).unwrap_or_default()
                ),
            });
        }
        Ok(count)
    }

    /// Whether migration `m` (or those it replaces) is recorded, read in the open transaction.
    async fn is_recorded(&mut self, m: &Migration) -> Result<bool, MigrateError> {
        let mut select = Query::select();
        select
            .expr(Expr::col(Alias::new("id")))
            .from(Alias::new(MIGRATIONS_TABLE))
            .and_where(Expr::col(Alias::new("id")).is_in(m.recorded_ids()));
        let (sql, values) = self.session.dialect().render(&select);
        Ok(!text_rows(&mut self.session, &sql, &values).await?.is_empty())
    }

    /// Runs `migrations` in order, up or down; the ids of those it ran (not those another
    /// migrator ran meanwhile).
    async fn run_each(
        &mut self,
        history: &Migrations,
        migrations: Vec<&Migration>,
        up: bool,
    ) -> Result<Vec<String>, MigrateError> {
        let mut ran = Vec::new();
        for m in migrations {
            let position = history.iter().position(|h| h.id == m.id).expect("a migration of this history");
            let start = history.schema_after(if up { position } else { position + 1 });
            if self.run(m, up, &start).await? {
                ran.push(m.id.clone());
            }
        }
        Ok(ran)
    }

    /// Runs migration `m` up or down in one transaction with its version-table row;
    /// whether it ran (another migrator may have run it meanwhile).
    async fn run(&mut self, m: &Migration, up: bool, start: &Schema) -> Result<bool, MigrateError> {
        let dialect = self.session.dialect();
        let live = self.session.reflect().await?;
        let plan = render_steps(&live, if up { &m.up } else { &m.down }, dialect, &m.id)?;
        for sql in &plan.before {
            self.session.control(sql).await?;
        }
        let result = if self.session.capabilities().transactional_ddl {
            self.run_plan(m, up).await
        } else {
            self.run_resumable(m, up, start).await
        };
        if result.is_err() {
            // The error that stopped the migration matters more than one from rolling back.
            let _ = self.session.rollback().await;
        }
        for sql in &plan.after {
            self.session.control(sql).await?;
        }
        // Statements prepared before may read columns that changed type or are gone.
        self.engine.inner.forget_statements();
        result.map_err(|e| match e {
            // Already names the migration, and says how far it got.
            interrupted @ MigrateError::Interrupted { .. } => interrupted,
            e => MigrateError::Failed { id: m.id.clone(), source: Box::new(e) },
        })
    }

    /// The transaction of [`Runner::run`]: the plan is made again under the write lock,
    /// from the schema as it is then.
    async fn run_plan(&mut self, m: &Migration, up: bool) -> Result<bool, MigrateError> {
        self.session.begin().await?;
        if self.is_recorded(m).await? != up {
            let live = self.session.reflect().await?;
            let plan = render_steps(&live, if up { &m.up } else { &m.down }, self.session.dialect(), &m.id)?;
            let transactional = self.session.capabilities().transactional_ddl;
            for sql in &plan.statements {
                if transactional {
                    self.session.execute_ddl(sql).await?;
                } else {
                    self.session.control(sql).await?;
                }
            }
            for check in &plan.checks {
                if let Some(row) = text_rows(&mut self.session, check, &[]).await?.into_iter().next() {
                    let [table, referenced_table] = crate::schema::reflect::cells::<2>(row);
                    return Err(MigrateError::ForeignKeyViolation {
                        table: table.unwrap_or_default(),
                        referenced_table: referenced_table.unwrap_or_default(),
                    });
                }
            }
            self.record_and_commit(m, up).await?;
            return Ok(true);
        }
        self.session.commit().await?;
        Ok(false)
    }
}

mod revert;

impl Runner<'_> {
    /// [`Runner::run_plan`] where every DDL statement commits on its own: the plan is made
    /// from the schema the history says the migration starts from (so that each attempt
    /// makes the same statements), and each statement that runs is recorded, so that an
    /// attempt after a failure resumes at the statement that failed.
    async fn run_resumable(&mut self, m: &Migration, up: bool, start: &Schema) -> Result<bool, MigrateError> {
        self.session.begin().await?;
        if self.is_recorded(m).await? == up {
            self.session.commit().await?;
            return Ok(false);
        }
        let dialect = self.session.dialect();
        let direction = if up { "up" } else { "down" };
        let plan = render_steps(&start.for_dialect(dialect), if up { &m.up } else { &m.down }, dialect, &m.id)?;
        let done = self.progress(m, direction).await?;
        let total = plan.statements.len();
        for (k, sql) in plan.statements.iter().enumerate().skip(done) {
            if let Err(e) = self.session.control(sql).await {
                return Err(MigrateError::Interrupted { id: m.id.clone(), done: k, total, source: Box::new(e.into()) });
            }
            self.record_progress(m, direction, k + 1).await?;
        }
        self.clear_progress(m).await?;
        self.record_and_commit(m, up).await?;
        Ok(true)
    }

    /// Records migration `m` as applied (`up`) or forgets it, and commits.
    async fn record_and_commit(&mut self, m: &Migration, up: bool) -> Result<(), MigrateError> {
        let dialect = self.session.dialect();
        let (sql, values) =
            if up { record_sql(dialect, m, &chrono::Utc::now().to_rfc3339()) } else { forget_sql(dialect, m) };
        self.session.write_sql(&sql, &values).await?;
        self.session.commit().await?;
        Ok(())
    }

    /// How many statements of migration `m` an earlier attempt in `direction` committed.
    async fn progress(&mut self, m: &Migration, direction: &str) -> Result<usize, MigrateError> {
        let mut select = Query::select();
        select
            .expr(Expr::col(Alias::new("done")))
            .from(Alias::new(PROGRESS_TABLE))
            .and_where(Expr::col(Alias::new("id")).eq(m.id.as_str()))
            .and_where(Expr::col(Alias::new("direction")).eq(direction));
        let (sql, values) = self.session.dialect().render(&select);
        let rows = text_rows(&mut self.session, &sql, &values).await?;
        let done = rows.into_iter().next().and_then(|row| {
            let [done] = crate::schema::reflect::cells::<1>(row);
            done.and_then(|d| d.parse().ok())
        });
        Ok(done.unwrap_or(0))
    }

    /// Records that `done` statements of migration `m` ran in `direction`.
    async fn record_progress(&mut self, m: &Migration, direction: &str, done: usize) -> Result<(), MigrateError> {
        self.clear_progress(m).await?;
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new(PROGRESS_TABLE))
            .columns([Alias::new("id"), Alias::new("direction"), Alias::new("done")])
            .values_panic([m.id.clone().into(), direction.into(), (done as i64).into()]);
        let (sql, values) = self.session.dialect().render(&insert);
        self.session.write_sql(&sql, &values).await?;
        Ok(())
    }

    async fn clear_progress(&mut self, m: &Migration) -> Result<(), MigrateError> {
        let mut delete = Query::delete();
        delete.from_table(Alias::new(PROGRESS_TABLE)).and_where(Expr::col(Alias::new("id")).eq(m.id.as_str()));
        let (sql, values) = self.session.dialect().render(&delete);
        self.session.write_sql(&sql, &values).await?;
        Ok(())
    }
}

/// Runs `f` on a started runner and releases its lock whatever `f` returned.
macro_rules! with_runner {
    ($engine:expr, |$runner:ident| $body:expr) => {{
        let mut $runner = Runner::start($engine).await?;
        let result: Result<_, MigrateError> = async { $body }.await;
        let finished = $runner.finish().await;
        let out = result?;
        finished?;
        Ok(out)
    }};
}

impl Migrations {
    /// Applies the migrations after the database's current revision up to `target`, each
    /// in its own transaction with its row in the version table; the ids applied.
    ///
    /// Refused before anything runs: a migration recorded as applied whose file changed
    /// since ([`MigrateError::Modified`]); a destructive migration neither generated nor
    /// run with `allow_destructive` ([`MigrateError::DestructiveMigration`]).
    ///
    /// ```
    /// # use tablemodel::prelude::*;
    /// use tablemodel::migrate::{ApplyOptions, Migrations, Target};
    /// use tablemodel::schema::Schema;
    /// # #[derive(Model)] #[model(table)] struct Hero { #[field(primary_key)] id: Option<i64>, name: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let models = Schema::from_tables(&[Hero::META]);
    /// Migrations::new().revision(&models, &Default::default(), "create hero", false).unwrap().write_to(dir.path())?;
    /// let history = Migrations::from_dir(dir.path())?;
    ///
    /// let engine = Engine::connect("sqlite::memory:").await?;
    /// let applied = history.upgrade(&engine, &Target::Head, ApplyOptions::new()).await?;
    /// assert_eq!(applied.len(), 1);
    /// assert_eq!(history.current(&engine).await?.as_deref(), Some(applied[0].as_str()));
    /// assert!(history.upgrade(&engine, &Target::Head, ApplyOptions::new()).await?.is_empty());
    /// assert!(history.drift(&engine).await?.is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn upgrade(
        &self,
        engine: &Engine,
        target: &Target,
        options: ApplyOptions,
    ) -> Result<Vec<String>, MigrateError> {
        with_runner!(engine, |runner| {
            let current = runner.current(self).await?;
            let to = self.resolve(target, current)?;
            let pending: Vec<&Migration> = self.iter().take(to).skip(current).collect();
            for m in &pending {
                if !(m.allow_destructive || options.allow_destructive)
                    && let Some(op) = m.up.iter().filter_map(super::Step::operation).find(|op| op.is_destructive())
                {
                    return Err(MigrateError::DestructiveMigration {
                        id: m.id.clone(),
                        operation: super::describe(op),
                    });
                }
            }
            runner.run_each(self, pending, true).await
        })
    }

    /// Undoes the applied migrations after `target` (`Base`, an id that stays applied, or
    /// `Relative(-n)`), last first, each in its own transaction; the ids undone.
    ///
    /// A migration whose undoing cannot bring back data it destroyed (a dropped table or
    /// column, a narrowed type) is refused ([`MigrateError::IrreversibleMigration`])
    /// unless `options` allow destructive operations.
    pub async fn downgrade(
        &self,
        engine: &Engine,
        target: &Target,
        options: ApplyOptions,
    ) -> Result<Vec<String>, MigrateError> {
        with_runner!(engine, |runner| {
            let current = runner.current(self).await?;
            let to = self.resolve(target, current)?;
            let undo: Vec<&Migration> = self.iter().take(current).skip(to).rev().collect();
            for m in &undo {
                if !options.allow_destructive
                    && let Some(op) = m.irreversible_step()
                {
                    return Err(MigrateError::IrreversibleMigration {
                        id: m.id.clone(),
                        operation: super::describe(op),
                    });
                }
            }
            runner.run_each(self, undo, false).await
        })
    }

    /// Undoes what a migration that stopped part-way had committed
    /// ([`MigrateError::Interrupted`], on MySQL and MariaDB, whose DDL statements commit one
    /// by one): the inverses of its steps that ran, last first, leaving the database at the
    /// revision it had before. The id of that migration; `None` when none stopped part-way
    /// (always where DDL is transactional: a failed migration leaves nothing behind).
    ///
    /// An interrupted downgrade is reverted alike: the steps it undid are done again and
    /// the migration stays applied. Refused, with nothing changed, where a step that ran
    /// has no inverse (a SQL step), where the statement that failed was one of several of
    /// a step ([`MigrateError::CannotRevert`]), and where undoing a step cannot bring back
    /// the data it destroyed, unless `options` allow destructive operations
    /// ([`MigrateError::IrreversibleMigration`]).
    pub async fn revert_interrupted(
        &self,
        engine: &Engine,
        options: ApplyOptions,
    ) -> Result<Option<String>, MigrateError> {
        with_runner!(engine, |runner| {
            match runner.interrupted().await? {
                Some(stopped) => runner.revert(self, stopped, options).await.map(Some),
                None => Ok(None),
            }
        })
    }

    /// The id of the last migration applied to the database; `None` at base.
    pub async fn current(&self, engine: &Engine) -> Result<Option<String>, MigrateError> {
        with_runner!(engine, |runner| {
            let n = runner.current(self).await?;
            Ok(n.checked_sub(1).and_then(|i| self.iter().nth(i)).map(|m| m.id.clone()))
        })
    }

    /// The version table's rows, as recorded (without checking them against the history).
    pub async fn applied(&self, engine: &Engine) -> Result<Vec<Applied>, MigrateError> {
        with_runner!(engine, |runner| runner.applied().await)
    }

    /// Records the database as being at `target` without running anything (a database
    /// made before it had migrations, or by hand): the version table then lists the
    /// history's migrations up to `target`, with their current checksums.
    pub async fn stamp(&self, engine: &Engine, target: &Target) -> Result<(), MigrateError> {
        with_runner!(engine, |runner| {
            let to = match target {
                Target::Relative(_) => {
                    let current = runner.current(self).await?;
                    self.resolve(target, current)?
                }
                _ => self.resolve(target, 0)?,
            };
            let dialect = runner.session.dialect();
            let mut clear = Query::delete();
            clear.from_table(Alias::new(MIGRATIONS_TABLE));
            let (sql, values) = dialect.render(&clear);
            runner.session.write_sql(&sql, &values).await?;
            let at = chrono::Utc::now().to_rfc3339();
            for m in self.iter().take(to) {
                let (sql, values) = record_sql(dialect, m, &at);
                runner.session.write_sql(&sql, &values).await?;
            }
            runner.session.commit().await?;
            Ok(())
        })
    }

    /// What was done to the database outside its migrations: the operations that turn
    /// the schema of its current revision into the one it has. Empty when it matches.
    pub async fn drift(&self, engine: &Engine) -> Result<Vec<Operation>, MigrateError> {
        with_runner!(engine, |runner| {
            let n = runner.current(self).await?;
            let expected = self.schema_after(n).for_dialect(runner.session.dialect());
            let live = runner.session.reflect().await?;
            Ok(diff(&expected, &live))
        })
    }
}
