//! The schema model: tables, columns, types, keys, indexes and constraints as owned data.
//!
//! One description serves everything that works on a database's structure: DDL is
//! rendered from it ([`crate::ddl`]), reflection reads a live database into it
//! ([`crate::Engine::reflect`]), and migrations compare two of them. The derive's static
//! metadata becomes a [`Schema`] through [`Schema::from_tables`]; a reflected one comes
//! back in the same terms (types normalized by [`ColumnType`], constraints named the way
//! PostgreSQL and SQLAlchemy name them), so `reflect(create_all(models))` equals
//! `Schema::from_tables(models)` once both are seen through the same dialect
//! ([`Schema::for_dialect`]). The types serialize with serde, to be kept in a file.

pub(crate) mod dialect;
pub(crate) mod reflect;
mod table;
mod types;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use table::{
    Column, ForeignKey, Index, MAX_NAME_LENGTH, PrimaryKey, Table, UniqueConstraint, fit_name, foreign_key_name,
    index_name, primary_key_name, unique_name,
};
pub use types::ColumnType;
pub(crate) use types::{custom as custom_type, labels_only_added, split_type_name};

use crate::backend::Dialect;
use crate::meta::TableMeta;

/// The table in which migrations record what they applied; reflection leaves it out.
pub(crate) const MIGRATIONS_TABLE: &str = "tablemodel_migrations";

/// A set of tables, by name.
///
/// ```
/// # use tablemodel::prelude::*;
/// use tablemodel::schema::Schema;
/// # #[derive(Model)]
/// # #[model(table)]
/// # struct Team { #[field(primary_key)] id: Option<i64>, name: String }
/// # #[derive(Model)]
/// # #[model(table)]
/// # struct Hero { #[field(primary_key)] id: Option<i64>, #[field(foreign_key = "team.id")] team_id: Option<i64> }
/// let schema = Schema::from_tables(&[Team::META, Hero::META]);
/// let hero = schema.table("hero").unwrap();
/// assert_eq!(hero.foreign_keys[0].name, "hero_team_id_fkey");
/// assert_eq!(hero.foreign_keys[0].referenced_table, "team");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Schema {
    /// The tables, by name.
    pub tables: BTreeMap<String, Table>,
}

impl Schema {
    /// An empty schema.
    pub fn new() -> Schema {
        Schema::default()
    }

    /// The schema the derive's metadata describes. A table given twice is taken once.
    pub fn from_tables(tables: &[&TableMeta]) -> Schema {
        let mut schema = Schema::new();
        for meta in tables {
            schema.tables.entry(meta.name.to_owned()).or_insert_with(|| Table::from_meta(meta));
        }
        schema
    }

    /// Adds `table`, replacing a table of the same name.
    pub fn insert(&mut self, table: Table) {
        self.tables.insert(table.name.clone(), table);
    }

    /// The table named `name`, if any.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    /// This schema as `dialect` stores it and reflection reads it back: types through the
    /// dialect's spelling (SQLite's `INTEGER` holds both `Integer` and `BigInt`), defaults
    /// as its catalog reports them, constraint names where the catalog forgets them, the
    /// keys the database generates, and no declared previous names (`renamed_from`).
    ///
    /// Compare a model's schema with a reflected one through this.
    ///
    /// ```
    /// # use tablemodel::prelude::*;
    /// use tablemodel::schema::{ColumnType, Schema};
    /// # #[derive(Model)]
    /// # #[model(table)]
    /// # struct Hero { #[field(primary_key)] id: Option<i64>, age: i64 }
    /// let schema = Schema::from_tables(&[Hero::META]);
    /// let age = |s: &Schema| s.table("hero").unwrap().column("age").unwrap().ty.clone();
    /// assert_eq!(age(&schema), ColumnType::BigInt);
    /// assert_eq!(age(&schema.for_dialect(Dialect::Sqlite)), ColumnType::Integer);
    /// assert_eq!(age(&schema.for_dialect(Dialect::Postgres)), ColumnType::BigInt);
    /// ```
    pub fn for_dialect(&self, dialect: Dialect) -> Schema {
        Schema { tables: self.tables.iter().map(|(name, t)| (name.clone(), t.for_dialect(dialect))).collect() }
    }

    /// This schema with each table's columns in name order, for comparing two schemas
    /// whatever the order of their columns: a migration's `ADD COLUMN` appends the column,
    /// where `create_all` puts it in model order, and no dialect moves a column without
    /// rewriting the table. (Migrations compare columns by name.)
    ///
    /// ```
    /// use tablemodel::schema::{Column, ColumnType, Schema, Table};
    /// let table = |names: &[&str]| {
    ///     let mut t = Table::new("hero");
    ///     t.columns = names.iter().map(|n| Column::new(*n, ColumnType::Text, true)).collect();
    ///     let mut s = Schema::new();
    ///     s.insert(t);
    ///     s
    /// };
    /// assert_ne!(table(&["id", "age", "name"]), table(&["id", "name", "age"]));
    /// assert_eq!(table(&["id", "age", "name"]).ignoring_column_order(), table(&["id", "name", "age"]).ignoring_column_order());
    /// ```
    pub fn ignoring_column_order(&self) -> Schema {
        let mut out = self.clone();
        for table in out.tables.values_mut() {
            table.columns.sort_by(|a, b| a.name.cmp(&b.name));
            table.canonicalize();
        }
        out
    }

    /// This schema without the previous names its models declared (`renamed_from`).
    pub fn without_renames(&self) -> Schema {
        Schema { tables: self.tables.iter().map(|(name, t)| (name.clone(), t.without_renames())).collect() }
    }
}

impl Table {
    /// This table without the previous names its models declared (`renamed_from`).
    pub fn without_renames(&self) -> Table {
        let mut out = self.clone();
        out.renamed_from = None;
        for column in &mut out.columns {
            column.renamed_from = None;
        }
        out
    }

    /// This table as `dialect` stores it; see [`Schema::for_dialect`].
    pub fn for_dialect(&self, dialect: Dialect) -> Table {
        let spelling = dialect::of(dialect);
        let mut out = self.without_renames();
        for column in &mut out.columns {
            // A named enum type is read back with its labels; elsewhere it is its text type.
            if !(matches!(column.ty, ColumnType::Enum { .. }) && spelling.native_enums()) {
                column.ty = spelling.parse_type(&spelling.type_name(&column.ty));
            }
            column.default = column.default.as_deref().map(|d| spelling.normalize_default(d));
        }
        for fk in &mut out.foreign_keys {
            fk.on_delete = spelling.normalize_on_delete(fk.on_delete);
        }
        let generated: Vec<bool> = out.columns.iter().map(|c| spelling.generates_values(&out, c)).collect();
        for (column, generated) in out.columns.iter_mut().zip(generated) {
            column.autoincrement = generated;
        }
        if !spelling.keeps_constraint_names() {
            if let Some(pk) = &mut out.primary_key {
                pk.name = primary_key_name(&out.name);
            }
            for unique in &mut out.uniques {
                unique.name = unique_name(&out.name, &unique.columns);
            }
            for fk in &mut out.foreign_keys {
                fk.name = foreign_key_name(&out.name, &fk.columns);
            }
        }
        out.canonicalize();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::OnDelete;

    #[test]
    fn a_schema_survives_a_round_trip_through_json() {
        let mut table = Table::new("hero");
        table.columns = vec![
            Column::new("id", ColumnType::BigInt, false).with_autoincrement(true),
            Column::new("price", ColumnType::Numeric(Some((10, 2))), true).with_default("0"),
            Column::new("doc", ColumnType::Custom("JSONB".into()), true),
        ];
        table.primary_key = Some(PrimaryKey::new("hero_pkey", vec!["id".into()]));
        table.foreign_keys =
            vec![ForeignKey::new("hero_id_fkey", vec!["id".into()], "team", vec!["id".into()], OnDelete::SetNull)];
        let mut schema = Schema::new();
        schema.insert(table);
        let json = serde_json::to_string(&schema).unwrap();
        assert!(json.contains(r#""on_delete":"set_null""#), "{json}");
        assert_eq!(serde_json::from_str::<Schema>(&json).unwrap(), schema);
        assert!(!json.contains("renamed_from"), "no previous names, no key: {json}");

        let mut renamed = schema.clone();
        let hero = renamed.tables.get_mut("hero").unwrap();
        hero.renamed_from = Some("heroes".into());
        hero.columns[1].renamed_from = Some("cost".into());
        let json = serde_json::to_string(&renamed).unwrap();
        assert_eq!(serde_json::from_str::<Schema>(&json).unwrap(), renamed);
        assert_eq!(renamed.without_renames(), schema);
        assert_eq!(renamed.for_dialect(Dialect::Postgres), schema.for_dialect(Dialect::Postgres));
    }
}
