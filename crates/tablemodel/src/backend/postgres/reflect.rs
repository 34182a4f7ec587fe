//! Reading a PostgreSQL database into the schema model, from `pg_catalog`: the tables of
//! the current schema, their columns (`format_type` for types, `pg_enum` for the labels of
//! enum types, `pg_get_expr` for defaults, identity), constraints (primary key, unique, foreign keys with their
//! `ON DELETE`) and the indexes that back no constraint.

use super::ddl::POSTGRES;
use crate::error::Result;
use crate::meta::OnDelete;
use crate::schema::dialect::DialectSchema;
use crate::schema::reflect::{cells, text_rows};
use crate::schema::{
    Column, ColumnType, ForeignKey, Index, MIGRATIONS_TABLE, PrimaryKey, Schema, Table, UniqueConstraint,
};
use crate::session::Session;
use crate::types::Value;

/// Separates the names of a constraint's columns in one text cell (a control character no
/// identifier contains).
const SEPARATOR: char = '\u{1f}';

const TABLES: &str = "SELECT c.relname::text FROM pg_catalog.pg_class c \
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname::text <> $1 ORDER BY 1";

const COLUMNS: &str = "SELECT c.relname::text, a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), \
    a.attnotnull::text, pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, t.typname::text, \
    CASE WHEN t.typtype = 'e' THEN array_to_string(ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e \
        WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder), chr(31)) END \
    FROM pg_catalog.pg_attribute a \
    JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
    JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
    LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
    ORDER BY c.relname, a.attnum";

const CONSTRAINTS: &str = "SELECT c.relname::text, con.conname::text, con.contype::text, \
    array_to_string(ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(num, ord) \
        JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord), chr(31)), \
    f.relname::text, \
    array_to_string(ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(num, ord) \
        JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord), chr(31)), \
    con.confdeltype::text \
    FROM pg_catalog.pg_constraint con \
    JOIN pg_catalog.pg_class c ON c.oid = con.conrelid \
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
    LEFT JOIN pg_catalog.pg_class f ON f.oid = con.confrelid \
    WHERE n.nspname = current_schema() AND con.contype IN ('p', 'u', 'f') ORDER BY 1, 2";

const INDEXES: &str = "SELECT t.relname::text, i.relname::text, ix.indisunique::text, \
    array_to_string(ARRAY(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(num, ord) \
        JOIN pg_catalog.pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.num ORDER BY k.ord), chr(31)) \
    FROM pg_catalog.pg_index ix \
    JOIN pg_catalog.pg_class i ON i.oid = ix.indexrelid \
    JOIN pg_catalog.pg_class t ON t.oid = ix.indrelid \
    JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace \
    WHERE n.nspname = current_schema() AND t.relkind IN ('r', 'p') \
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con \
        WHERE con.conindid = ix.indexrelid AND con.contype IN ('p', 'u', 'x')) \
    ORDER BY 1, 2";

/// The tables of the current schema of the database `session` is connected to.
pub(crate) async fn reflect(session: &mut Session) -> Result<Schema> {
    let mut schema = Schema::new();
    for row in text_rows(session, TABLES, &[Value::from(MIGRATIONS_TABLE)]).await? {
        if let [Some(name)] = cells(row) {
            schema.insert(Table::new(name));
        }
    }

    for row in text_rows(session, COLUMNS, &[]).await? {
        let [Some(table), Some(name), Some(ty), not_null, default, identity, type_name, labels] = cells(row) else {
            continue;
        };
        let Some(table) = schema.tables.get_mut(&table) else { continue };
        let ty = match (type_name, labels) {
            (Some(name), Some(labels)) => ColumnType::Enum { name, labels: split_names(Some(labels)) },
            _ => POSTGRES.parse_type(&ty),
        };
        let mut column = Column::new(name, ty, not_null.as_deref() != Some("true"));
        // An identity column (`a` always, `d` by default), or a serial one (its default
        // draws from a sequence).
        let serial = default.as_deref().is_some_and(|d| d.starts_with("nextval("));
        column.autoincrement = identity.is_some_and(|i| !i.is_empty()) || serial;
        column.default = default.filter(|_| !serial).map(|d| POSTGRES.normalize_default(&d));
        table.columns.push(column);
    }

    for row in text_rows(session, CONSTRAINTS, &[]).await? {
        let [Some(table), Some(name), Some(kind), columns, referenced, referenced_columns, on_delete] = cells(row)
        else {
            continue;
        };
        let Some(table) = schema.tables.get_mut(&table) else { continue };
        let columns = split_names(columns);
        match kind.as_str() {
            "p" => table.primary_key = Some(PrimaryKey::new(name, columns)),
            "u" => table.uniques.push(UniqueConstraint::new(name, columns)),
            _ => table.foreign_keys.push(ForeignKey::new(
                name,
                columns,
                referenced.unwrap_or_default(),
                split_names(referenced_columns),
                on_delete_action(on_delete.as_deref()),
            )),
        }
    }

    for row in text_rows(session, INDEXES, &[]).await? {
        let [Some(table), Some(name), unique, columns] = cells(row) else { continue };
        let Some(table) = schema.tables.get_mut(&table) else { continue };
        table.indexes.push(Index::new(name, split_names(columns), unique.as_deref() == Some("true")));
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

/// The `ON DELETE` action from `pg_constraint.confdeltype`.
fn on_delete_action(code: Option<&str>) -> OnDelete {
    match code {
        Some("c") => OnDelete::Cascade,
        Some("n") => OnDelete::SetNull,
        Some("d") => OnDelete::SetDefault,
        Some("r") => OnDelete::Restrict,
        _ => OnDelete::NoAction,
    }
}
