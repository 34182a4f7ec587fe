//! MySQL's and MariaDB's error codes as [`DbErrorKind`]s, with the constraint and table
//! the message names.
//!
//! Unlike PostgreSQL, the server sends no separate constraint field: the name is in the
//! message text (`Duplicate entry 'x' for key 'uq_hero_name'`, `… CONSTRAINT \`fk\`
//! FOREIGN KEY …`), whose shape is stable across MySQL 5.7–8 and MariaDB 10–11.

use crate::error::{DatabaseError, DbErrorKind, Error};

/// Turns a mysql_async error into a [`DatabaseError`].
pub(crate) fn map_error(err: mysql_async::Error, sql: Option<&str>) -> Error {
    let (kind, code, message, constraint, table) = match &err {
        mysql_async::Error::Server(server) => {
            let kind = kind_of(server.code);
            let (constraint, table) = names(server.code, &server.message);
            (kind, Some(server.code.to_string()), server.message.clone(), constraint, table)
        }
        mysql_async::Error::Io(_) => (DbErrorKind::Connection, None, err.to_string(), None, None),
        mysql_async::Error::Driver(driver) if is_connection_loss(driver) => {
            (DbErrorKind::Connection, None, err.to_string(), None, None)
        }
        _ => (DbErrorKind::Other, None, err.to_string(), None, None),
    };
    DatabaseError {
        kind,
        code,
        constraint,
        table,
        message,
        sql: sql.map(str::to_owned),
        source: Some(std::sync::Arc::new(err)),
    }
    .into()
}

fn is_connection_loss(err: &mysql_async::DriverError) -> bool {
    use mysql_async::DriverError as D;
    matches!(err, D::ConnectionClosed | D::PoolDisconnected)
}

/// The kind of a server error code (MySQL's and MariaDB's `ER_*` numbers).
fn kind_of(code: u16) -> DbErrorKind {
    match code {
        // ER_DUP_ENTRY, ER_DUP_ENTRY_WITH_KEY_NAME
        1062 | 1586 => DbErrorKind::UniqueViolation,
        // ER_ROW_IS_REFERENCED(_2), ER_NO_REFERENCED_ROW(_2)
        1216 | 1217 | 1451 | 1452 => DbErrorKind::ForeignKeyViolation,
        // ER_BAD_NULL_ERROR, ER_NO_DEFAULT_FOR_FIELD
        1048 | 1364 => DbErrorKind::NotNullViolation,
        // MySQL's ER_CHECK_CONSTRAINT_VIOLATED, MariaDB's ER_CONSTRAINT_FAILED
        3819 | 4025 => DbErrorKind::CheckViolation,
        // lock wait timeout, deadlock
        1205 | 1213 => DbErrorKind::Busy,
        // a statement past its time limit: MariaDB's max_statement_time, MySQL's
        // max_execution_time
        1969 | 3024 => DbErrorKind::Timeout,
        // parse error, unknown table, column, database; table exists; access denied to an object
        1049 | 1050 | 1051 | 1054 | 1064 | 1091 | 1146 | 1149 => DbErrorKind::Syntax,
        // data too long, out of range, incorrect value, truncated, division by zero, bad JSON,
        // key too long
        1071 | 1264 | 1265 | 1292 | 1365 | 1366 | 1406 | 3140 | 4038 => DbErrorKind::InvalidValue,
        // too many connections, shutdown in progress, connection killed, server gone
        1040 | 1053 | 1927 | 2002 | 2003 | 2006 | 2013 => DbErrorKind::Connection,
        _ => DbErrorKind::Other,
    }
}

/// The constraint and table a message names, for the codes whose message has them.
fn names(code: u16, message: &str) -> (Option<String>, Option<String>) {
    match code {
        1062 | 1586 => {
            // "Duplicate entry 'x' for key 'name'" (MySQL 8: 'table.name')
            let key = message.rsplit_once(" for key ").map(|(_, k)| k.trim_matches(|c| c == '\'' || c == '`'));
            let key = key.map(|k| k.rsplit_once('.').map_or(k, |(_, name)| name).to_owned());
            (key, None)
        }
        // "… a foreign key constraint fails (`db`.`child`, CONSTRAINT `fk` FOREIGN KEY …", and
        // MariaDB's "CONSTRAINT `name` failed for `db`.`table`"
        1216 | 1217 | 1451 | 1452 | 4025 => (quoted_after(message, "CONSTRAINT "), quoted_after(message, ".")),
        3819 => (between(message, "constraint '", "'"), None),
        _ => (None, None),
    }
}

/// The identifier quoted right after the first `marker` that is followed by a quote: with
/// `ANSI_QUOTES` (set on every connection) the server quotes names in messages with `"`,
/// otherwise with backticks.
fn quoted_after(text: &str, marker: &str) -> Option<String> {
    text.match_indices(marker).find_map(|(at, _)| {
        let rest = &text[at + marker.len()..];
        let quote = rest.chars().next().filter(|c| *c == '`' || *c == '"')?;
        let rest = &rest[1..];
        Some(rest[..rest.find(quote)?].to_owned())
    })
}

fn between(text: &str, open: &str, close: &str) -> Option<String> {
    let start = text.find(open)? + open.len();
    let len = text[start..].find(close)?;
    Some(text[start..start + len].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_constraint_and_table_names_from_messages() {
        assert_eq!(names(1062, "Duplicate entry 'Deadpond' for key 'uq_hero_name'").0.as_deref(), Some("uq_hero_name"));
        assert_eq!(names(1062, "Duplicate entry 'x' for key 'hero.uq_hero_name'").0.as_deref(), Some("uq_hero_name"));
        let fk = "Cannot add or update a child row: a foreign key constraint fails (`t_1`.`hero`, CONSTRAINT \
                  `hero_team_id_fkey` FOREIGN KEY (`team_id`) REFERENCES `team` (`id`))";
        assert_eq!(names(1452, fk), (Some("hero_team_id_fkey".to_owned()), Some("hero".to_owned())));
        let check = "CONSTRAINT `ck_age` failed for `t_1`.`hero`";
        assert_eq!(names(4025, check), (Some("ck_age".to_owned()), Some("hero".to_owned())));
        let ansi = r#"Cannot delete or update a parent row: a foreign key constraint fails ("t_1"."hero", CONSTRAINT "hero_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "team" ("id"))"#;
        assert_eq!(names(1451, ansi), (Some("hero_team_id_fkey".to_owned()), Some("hero".to_owned())));
        assert_eq!(kind_of(1062), DbErrorKind::UniqueViolation);
        assert_eq!(kind_of(1406), DbErrorKind::InvalidValue);
        assert_eq!(kind_of(9999), DbErrorKind::Other);
    }
}
