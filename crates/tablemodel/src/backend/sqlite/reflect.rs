//! Reading an SQLite database into the schema model, from `sqlite_master` and the
//! `table_xinfo`, `index_list`, `index_info` and `foreign_key_list` pragmas.
//!
//! SQLite keeps no names for primary keys, unique constraints and foreign keys (only for
//! indexes), so those get the names PostgreSQL would give them; declared column types are
//! kept verbatim and parsed back by [`super::ddl`].

use super::ddl::{SQLITE, is_rowid};
use crate::error::Result;
use crate::meta::OnDelete;
use crate::schema::dialect::DialectSchema;
use crate::schema::reflect::{cells, text_rows};
use crate::schema::{
    Column, ForeignKey, Index, MIGRATIONS_TABLE, PrimaryKey, Schema, Table, UniqueConstraint, foreign_key_name,
    primary_key_name, unique_name,
};
use crate::session::Session;
use crate::types::Value;

/// The tables of the database `session` is connected to.
pub(crate) async fn reflect(session: &mut Session) -> Result<Schema> {
    let names = text_rows(
        session,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> ? ORDER BY name",
        &[Value::from(MIGRATIONS_TABLE)],
    )
    .await?;
    let mut schema = Schema::new();
    for name in names.into_iter().filter_map(|row| row.into_iter().next().flatten()) {
        let table = reflect_table(session, name).await?;
        schema.insert(table);
    }
    // A foreign key declared without columns refers to the referenced table's primary key.
    let keys: Vec<(String, Vec<String>)> = schema
        .tables
        .values()
        .filter_map(|t| t.primary_key.as_ref().map(|pk| (t.name.clone(), pk.columns.clone())))
        .collect();
    for table in schema.tables.values_mut() {
        for fk in &mut table.foreign_keys {
            if fk.referenced_columns.iter().all(String::is_empty)
                && let Some((_, pk)) = keys.iter().find(|(t, _)| *t == fk.referenced_table)
            {
                fk.referenced_columns = pk.clone();
            }
        }
    }
    Ok(schema)
}

async fn reflect_table(session: &mut Session, name: String) -> Result<Table> {
    let table_param = [Value::from(name.as_str())];
    let mut table = Table::new(name.as_str());

    let columns = text_rows(
        session,
        "SELECT name, type, CAST(\"notnull\" AS TEXT), dflt_value, CAST(pk AS TEXT) \
         FROM pragma_table_xinfo(?) WHERE hidden <> 1 ORDER BY cid",
        &table_param,
    )
    .await?;
    let mut key: Vec<(u32, String)> = Vec::new();
    let mut declared = Vec::new();
    for row in columns {
        let [Some(column), ty, not_null, default, pk] = cells(row) else { continue };
        let ty = ty.unwrap_or_default();
        if let Some(position) = pk.and_then(|p| p.parse::<u32>().ok()).filter(|p| *p > 0) {
            key.push((position, column.clone()));
        }
        let mut col = Column::new(column, SQLITE.parse_type(&ty), not_null.as_deref() != Some("1"));
        col.default = default.map(|d| SQLITE.normalize_default(&d));
        declared.push(ty);
        table.columns.push(col);
    }
    if !key.is_empty() {
        key.sort();
        table.primary_key = Some(PrimaryKey::new(primary_key_name(&name), key.into_iter().map(|(_, c)| c).collect()));
    }
    for (i, ty) in declared.iter().enumerate() {
        let generated = is_rowid(&table, &table.columns[i].name, ty);
        table.columns[i].autoincrement = generated;
    }

    let indexes = text_rows(
        session,
        "SELECT name, CAST(\"unique\" AS TEXT), origin FROM pragma_index_list(?) ORDER BY name",
        &table_param,
    )
    .await?;
    for row in indexes {
        let [Some(index), unique, origin] = cells(row) else { continue };
        let columns: Vec<String> =
            text_rows(session, "SELECT name FROM pragma_index_info(?) ORDER BY seqno", &[Value::from(index.as_str())])
                .await?
                .into_iter()
                .filter_map(|row| row.into_iter().next().flatten())
                .collect();
        match origin.as_deref() {
            Some("pk") => {}
            Some("u") => table.uniques.push(UniqueConstraint::new(unique_name(&name, &columns), columns)),
            _ => table.indexes.push(Index::new(index, columns, unique.as_deref() == Some("1"))),
        }
    }

    let keys = text_rows(
        session,
        "SELECT CAST(id AS TEXT), \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq",
        &table_param,
    )
    .await?;
    let mut last_id = None;
    for row in keys {
        let [id, Some(referenced), Some(from), to, on_delete] = cells(row) else { continue };
        if last_id.as_ref() != Some(&id) {
            last_id = Some(id);
            table.foreign_keys.push(ForeignKey::new(
                String::new(),
                Vec::new(),
                referenced,
                Vec::new(),
                on_delete_action(on_delete.as_deref()),
            ));
        }
        if let Some(fk) = table.foreign_keys.last_mut() {
            fk.columns.push(from);
            fk.referenced_columns.push(to.unwrap_or_default());
        }
    }
    for fk in &mut table.foreign_keys {
        fk.name = foreign_key_name(&name, &fk.columns);
    }
    table.canonicalize();
    Ok(table)
}

/// The `ON DELETE` action as `foreign_key_list` spells it.
fn on_delete_action(action: Option<&str>) -> OnDelete {
    match action.map(str::to_ascii_uppercase).as_deref() {
        Some("CASCADE") => OnDelete::Cascade,
        Some("SET NULL") => OnDelete::SetNull,
        Some("SET DEFAULT") => OnDelete::SetDefault,
        Some("RESTRICT") => OnDelete::Restrict,
        _ => OnDelete::NoAction,
    }
}
