//! Naming the foreign key behind a failed SQLite write.
//!
//! SQLite reports every foreign-key failure as a bare "FOREIGN KEY constraint failed",
//! where PostgreSQL names the constraint (`hero_team_id_fkey`). A user handling the error,
//! or the web layer answering 409, needs to know which relationship refused the write, on
//! both backends alike. After such a failure of a model write, this module asks the
//! database which key is at fault: for an insert or update, which referenced row is
//! missing; for a delete, which table still has rows pointing at the deleted one. It names
//! the key as PostgreSQL does by default (`<table>_<column>_fkey`), so code matching on the
//! name works on both. The probes run only on this error path.

use crate::error::{DbErrorKind, Error};
use crate::model::Model;
use crate::session::Session;
use crate::types::Value;

/// What SQLite puts in [`crate::DatabaseError::constraint`] when it cannot say more.
const UNNAMED: &str = "FOREIGN KEY";

/// Whether `err` is a foreign-key failure that names no key.
fn is_unnamed(err: &Error) -> bool {
    matches!(err, Error::Database(db) if db.kind == DbErrorKind::ForeignKeyViolation
            && db.constraint.as_deref() == Some(UNNAMED))
}

/// An identifier quoted for SQLite (names here come from the schema, not from users).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn with_name(mut err: Error, table: &str, column: &str) -> Error {
    if let Error::Database(db) = &mut err {
        db.constraint = Some(format!("{table}_{column}_fkey"));
        db.table = Some(table.to_owned());
    }
    err
}

/// Names the foreign key of `models` (just inserted or updated) whose referenced row is
/// missing; `err` unchanged when it is not an unnamed SQLite failure or no probe finds it.
pub(crate) async fn name_for_write<'m, M: Model + 'm>(
    session: &mut Session,
    models: impl IntoIterator<Item = &'m M>,
    err: Error,
) -> Error {
    if !is_unnamed(&err) {
        return err;
    }
    let models: Vec<&M> = models.into_iter().collect();
    for (i, column) in M::META.columns.iter().enumerate() {
        let Some(fk) = column.foreign_key else { continue };
        let sql = format!("SELECT 1 FROM {} WHERE {} = ? LIMIT 1", quoted(fk.table), quoted(fk.column));
        let mut probed: Vec<Value> = Vec::new();
        for model in &models {
            let value = model.column_value(i);
            if crate::types::is_null(&value) || probed.contains(&value) {
                continue;
            }
            match session.probe_exists(&sql, std::slice::from_ref(&value)).await {
                Ok(true) => probed.push(value),
                Ok(false) => return with_name(err, M::META.name, column.name),
                Err(_) => return err,
            }
        }
    }
    err
}

/// Names the foreign key that still points at `model`'s row, which a delete just failed to
/// remove; `err` unchanged when it is not an unnamed SQLite failure or no probe finds it.
pub(crate) async fn name_for_delete<M: Model>(session: &mut Session, model: &M, err: Error) -> Error {
    if !is_unnamed(&err) {
        return err;
    }
    let referencing = r#"SELECT m.name, f."from", f."to" FROM sqlite_master AS m
        JOIN pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table' AND f."table" = ?"#;
    let Ok(keys) = session.probe_rows(referencing, &[Value::from(M::META.name)]).await else { return err };
    for key in keys {
        let [Some(child), Some(from), to] = <[Option<String>; 3]>::try_from(key).unwrap_or_default() else {
            continue;
        };
        // A key declared without a column refers to the primary key.
        let target = match to {
            Some(to) => M::META.columns.iter().position(|c| c.name == to),
            None => M::META.primary_key.first().copied(),
        };
        let Some(target) = target else { continue };
        let sql = format!("SELECT 1 FROM {} WHERE {} = ? LIMIT 1", quoted(&child), quoted(&from));
        if let Ok(true) = session.probe_exists(&sql, &[model.column_value(target)]).await {
            return with_name(err, &child, &from);
        }
    }
    err
}
