//! Reading a MySQL or MariaDB database into the schema model, from `information_schema`:
//! the base tables of the current database, their columns (`COLUMN_TYPE`, defaults,
//! `auto_increment`), primary keys, unique constraints, foreign keys with their
//! `ON DELETE`, and the other indexes.
//!
//! MySQL keeps no difference between a unique constraint and a unique index, and names
//! every primary key `PRIMARY`: a unique key named like SQLModel's indexes (`ix_…`) reads
//! back as a unique index, any other as a unique constraint, and the primary key gets the
//! name the schema model gives it. The index InnoDB adds for a foreign key (named after the
//! constraint) is not reported as an index.

use super::ddl::MYSQL;
use crate::error::Result;
use crate::meta::OnDelete;
use crate::schema::dialect::DialectSchema;
use crate::schema::reflect::{cells, text_rows};
use crate::schema::{
    Column, ForeignKey, Index, MIGRATIONS_TABLE, PrimaryKey, Schema, Table, UniqueConstraint, primary_key_name,
};
use crate::session::Session;
use crate::types::Value;

/// Separates the names of a key's columns in one text cell (a control character no
/// identifier contains).
const SEPARATOR: char = '\u{1f}';

const TABLES: &str = "SELECT TABLE_NAME FROM information_schema.TABLES \
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT IN (?, ?) ORDER BY 1";

const COLUMNS: &str = "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA \
    FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION";

const KEYS: &str = "SELECT s.TABLE_NAME, s.INDEX_NAME, s.NON_UNIQUE, \
    GROUP_CONCAT(s.COLUMN_NAME ORDER BY s.SEQ_IN_INDEX SEPARATOR '\u{1f}') \
    FROM information_schema.STATISTICS s WHERE s.TABLE_SCHEMA = DATABASE() \
    AND NOT EXISTS (SELECT 1 FROM information_schema.REFERENTIAL_CONSTRAINTS r \
        WHERE r.CONSTRAINT_SCHEMA = s.TABLE_SCHEMA AND r.TABLE_NAME = s.TABLE_NAME AND r.CONSTRAINT_NAME = s.INDEX_NAME) \
    GROUP BY s.TABLE_NAME, s.INDEX_NAME, s.NON_UNIQUE ORDER BY 1, 2";

const FOREIGN_KEYS: &str = "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, \
    GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR '\u{1f}'), k.REFERENCED_TABLE_NAME, \
    GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR '\u{1f}'), r.DELETE_RULE \
    FROM information_schema.KEY_COLUMN_USAGE k \
    JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
        ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
    WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL \
    GROUP BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.REFERENCED_TABLE_NAME, r.DELETE_RULE ORDER BY 1, 2";

/// The tables of the database `session` is connected to.
pub(crate) async fn reflect(session: &mut Session) -> Result<Schema> {
    let mut schema = Schema::new();
    let own = [Value::from(MIGRATIONS_TABLE), Value::from(crate::migrate::PROGRESS_TABLE)];
    for row in text_rows(session, TABLES, &own).await? {
        if let [Some(name)] = cells(row) {
            schema.insert(Table::new(name));
        }
    }

    for row in text_rows(session, COLUMNS, &[]).await? {
        let [Some(table), Some(name), Some(ty), nullable, default, extra] = cells(row) else { continue };
        let Some(table) = schema.tables.get_mut(&table) else { continue };
        let mut column = Column::new(name, MYSQL.parse_type(&ty), nullable.as_deref() == Some("YES"));
        column.autoincrement = extra.is_some_and(|e| e.to_ascii_lowercase().contains("auto_increment"));
        column.default = default.filter(|d| !d.eq_ignore_ascii_case("NULL")).map(|d| MYSQL.normalize_default(&d));
        table.columns.push(column);
    }

    for row in text_rows(session, KEYS, &[]).await? {
        let [Some(table_name), Some(name), non_unique, columns] = cells(row) else { continue };
        let Some(table) = schema.tables.get_mut(&table_name) else { continue };
        let columns = split_names(columns);
        let unique = non_unique.as_deref() == Some("0");
        if name == "PRIMARY" {
            table.primary_key = Some(PrimaryKey::new(primary_key_name(&table_name), columns));
        } else if unique && !name.starts_with("ix_") {
            table.uniques.push(UniqueConstraint::new(name, columns));
        } else {
            table.indexes.push(Index::new(name, columns, unique));
        }
    }

    for row in text_rows(session, FOREIGN_KEYS, &[]).await? {
        let [Some(table), Some(name), columns, Some(referenced), referenced_columns, on_delete] = cells(row) else {
            continue;
        };
        let Some(table) = schema.tables.get_mut(&table) else { continue };
        table.foreign_keys.push(ForeignKey::new(
            name,
            split_names(columns),
            referenced,
            split_names(referenced_columns),
            on_delete_action(on_delete.as_deref()),
        ));
    }

    for table in schema.tables.values_mut() {
        table.canonicalize();
    }
    Ok(schema)
}

fn split_names(names: Option<String>) -> Vec<String> {
    match names {
        Some(names) if !names.is_empty() => names.split(SEPARATOR).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// The `ON DELETE` action from `REFERENTIAL_CONSTRAINTS.DELETE_RULE` (`NO ACTION` is
/// `RESTRICT` on InnoDB).
fn on_delete_action(rule: Option<&str>) -> OnDelete {
    match rule {
        Some("CASCADE") => OnDelete::Cascade,
        Some("SET NULL") => OnDelete::SetNull,
        Some("SET DEFAULT") => OnDelete::SetDefault,
        _ => OnDelete::Restrict,
    }
}
