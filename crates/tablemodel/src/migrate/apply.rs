//! [`apply`]: running a migration's operations on a database through one session, its
//! statements logged like every other.

use super::{MigrateError, Operation, render};
use crate::engine::Engine;
use crate::schema::reflect::text_rows;
use crate::session::Session;

/// How [`apply`] runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApplyOptions {
    /// Run operations that destroy data ([`Operation::is_destructive`]); refused otherwise.
    pub allow_destructive: bool,
}

impl ApplyOptions {
    /// Destructive operations refused.
    pub fn new() -> ApplyOptions {
        ApplyOptions::default()
    }

    /// These options with destructive operations allowed or not.
    pub fn allow_destructive(self, allow: bool) -> ApplyOptions {
        ApplyOptions { allow_destructive: allow }
    }
}

/// Applies `operations` to the database of `engine`: renders them for its dialect against
/// the schema reflected from it, then runs them in one transaction where the dialect has
/// transactional DDL. On failure nothing is committed (where DDL is transactional).
///
/// A destructive operation is refused ([`MigrateError::Destructive`], before anything
/// runs) unless `options` allow it.
pub async fn apply(engine: &Engine, operations: &[Operation], options: ApplyOptions) -> Result<(), MigrateError> {
    if !options.allow_destructive
        && let Some(op) = operations.iter().find(|op| op.is_destructive())
    {
        return Err(MigrateError::Destructive { table: op.table().to_owned(), operation: format!("{op:?}") });
    }
    if operations.is_empty() {
        return Ok(());
    }
    let mut session = engine.primary_session().await?;
    let live = session.reflect().await?;
    let plan = render(&live, operations, engine.dialect())?;
    let result = run(&mut session, &plan).await;
    if result.is_err() {
        // The error that stopped the migration matters more than one from rolling back.
        let _ = session.rollback().await;
    }
    // Undoes what `before` did, whatever happened since (the connection goes back to the pool).
    for sql in &plan.after {
        session.control(sql).await?;
    }
    // Statements prepared before the migration may read columns that changed type or no
    // longer exist.
    engine.inner.forget_statements();
    result
}

async fn run(session: &mut Session, plan: &super::Plan) -> Result<(), MigrateError> {
    for sql in &plan.before {
        session.control(sql).await?;
    }
    let transactional = session.capabilities().transactional_ddl;
    for sql in &plan.statements {
        if transactional {
            session.execute_ddl(sql).await?;
        } else {
            session.control(sql).await?;
        }
    }
    for check in &plan.checks {
        if let Some(row) = text_rows(session, check, &[]).await?.into_iter().next() {
            let mut cells = row.into_iter();
            let table = cells.next().flatten().unwrap_or_default();
            let referenced_table = cells.next().flatten().unwrap_or_default();
            return Err(MigrateError::ForeignKeyViolation { table, referenced_table });
        }
    }
    session.commit().await?;
    Ok(())
}
