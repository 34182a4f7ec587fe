//! Reverting a migration that stopped part-way on a database whose DDL is not transactional
//! (MySQL, MariaDB; [`MigrateError::Interrupted`]): the steps whose statements committed,
//! as the progress table counts them, are undone by their inverse operations, last first,
//! and the progress row goes. The database is back at the revision it had before the
//! attempt, as if the migration had not run.
//!
//! Each undone step lowers the recorded count, so a revert that fails part-way can be run
//! again and goes on where it stopped.

use super::{MigrateError, Runner};
use crate::migrate::history::{Migrations, render_steps};
use crate::migrate::{ApplyOptions, Inverse, Operation, describe, render};
use crate::schema::reflect::{cells, text_rows};

/// A migration that stopped part-way, as its progress row records it.
pub(super) struct Interrupted {
    id: String,
    direction: String,
    done: usize,
}

impl Runner<'_> {
    /// The migration the progress table names; `None` when none stopped part-way (always
    /// where DDL is transactional: there is no progress table).
    pub(super) async fn interrupted(&mut self) -> Result<Option<Interrupted>, MigrateError> {
        if self.session.capabilities().transactional_ddl {
            return Ok(None);
        }
        let sql = "SELECT \"id\", \"direction\", \"done\" FROM \"tablemodel_migration_progress\" ORDER BY \"id\"";
        let rows = text_rows(&mut self.session, sql, &[]).await?;
        Ok(rows.into_iter().next().map(|row| {
            let [id, direction, done] = cells::<3>(row);
            Interrupted {
                id: id.unwrap_or_default(),
                direction: direction.unwrap_or_default(),
                done: done.and_then(|d| d.parse().ok()).unwrap_or(0),
            }
        }))
    }

    /// Undoes the committed steps of `stopped`, last first; the migration's id.
    pub(super) async fn revert(
        &mut self,
        history: &Migrations,
        stopped: Interrupted,
        options: ApplyOptions,
    ) -> Result<String, MigrateError> {
        let position = history.position(&stopped.id)?;
        let m = history.iter().nth(position).expect("a position of this history");
        let up = stopped.direction == "up";
        let steps = if up { &m.up } else { &m.down };
        let dialect = self.session.dialect();
        let start = history.schema_after(if up { position } else { position + 1 }).for_dialect(dialect);
        let cannot = |reason: String| MigrateError::CannotRevert { id: m.id.clone(), reason };

        // `bounds[i]`: the statements of the first `i` steps, rendered as the run rendered them.
        let all = render_steps(&start, steps, dialect, &m.id)?.statements;
        let mut bounds = vec![0];
        for i in 1..=steps.len() {
            let first = render_steps(&start, &steps[..i], dialect, &m.id)?.statements;
            if all.get(..first.len()) != Some(&first[..]) {
                return Err(cannot("its steps are rendered together, so which of them ran is unknown".to_owned()));
            }
            bounds.push(first.len());
        }
        let Some(steps_done) = bounds.iter().position(|&b| b == stopped.done) else {
            return Err(cannot(format!(
                "it stopped inside a step, after statement {} of {}; undo that step by hand",
                stopped.done,
                all.len()
            )));
        };

        let mut undo: Vec<(usize, Operation)> = Vec::with_capacity(steps_done);
        for (i, step) in steps[..steps_done].iter().enumerate().rev() {
            let Some(op) = step.operation() else {
                return Err(cannot(format!("its step {} is SQL, which has no inverse; undo it by hand", i + 1)));
            };
            match op.inverse() {
                Inverse::Exact(inverse) => undo.push((bounds[i], inverse)),
                Inverse::WithoutData(inverse) if options.allow_destructive => undo.push((bounds[i], inverse)),
                Inverse::WithoutData(_) => {
                    return Err(MigrateError::IrreversibleMigration { id: m.id.clone(), operation: describe(op) });
                }
            }
        }

        let mut state = start;
        for op in steps[..steps_done].iter().filter_map(|s| s.operation()) {
            op.apply_to(&mut state);
        }
        let result = self.run_undo(m, &stopped.direction, state, undo).await;
        if result.is_err() {
            let _ = self.session.rollback().await;
        }
        self.engine.inner.forget_statements();
        result.map_err(|e| MigrateError::Failed { id: m.id.clone(), source: Box::new(e) })?;
        Ok(m.id.clone())
    }

    /// Runs the inverse operations `undo` from schema `state`, recording after each how many
    /// statements of the migration's run still stand; clears the progress row at the end.
    async fn run_undo(
        &mut self,
        m: &crate::migrate::Migration,
        direction: &str,
        mut state: crate::schema::Schema,
        undo: Vec<(usize, Operation)>,
    ) -> Result<(), MigrateError> {
        let dialect = self.session.dialect();
        self.session.begin().await?;
        for (standing, op) in undo {
            let plan = render(&state, std::slice::from_ref(&op), dialect)?;
            for sql in plan.before.iter().chain(&plan.statements).chain(&plan.after) {
                self.session.control(sql).await?;
            }
            op.apply_to(&mut state);
            self.record_progress(m, direction, standing).await?;
        }
        self.clear_progress(m).await?;
        self.session.commit().await?;
        Ok(())
    }
}
