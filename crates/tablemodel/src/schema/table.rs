//! One table of a [`Schema`](super::Schema): columns, keys, indexes, constraints.

use serde::{Deserialize, Serialize};

use super::ColumnType;
use crate::meta::{OnDelete, TableMeta};

/// A table: its columns in order, its primary key, indexes, unique constraints and
/// foreign keys.
///
/// Indexes, unique constraints and foreign keys are kept in a canonical order (by the
/// position of their first column in the table, then by name; see [`Table::canonicalize`])
/// so two descriptions of the same table compare equal whatever order a database lists
/// them in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Table {
    /// The table name.
    pub name: String,
    /// The columns, in table order.
    pub columns: Vec<Column>,
    /// The primary key, if the table has one.
    pub primary_key: Option<PrimaryKey>,
    /// The indexes that are not the backing index of a constraint.
    pub indexes: Vec<Index>,
    /// The `UNIQUE` constraints.
    pub uniques: Vec<UniqueConstraint>,
    /// The foreign keys.
    pub foreign_keys: Vec<ForeignKey>,
    /// The table's previous name, declared on the model (`#[model(renamed_from = "…")]`):
    /// a migration renames that table instead of dropping it. A database does not keep
    /// it ([`Table::for_dialect`] leaves it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// A column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Column {
    /// The column name.
    pub name: String,
    /// The column type.
    pub ty: ColumnType,
    /// Whether the column accepts NULL.
    pub nullable: bool,
    /// The server default, as SQL text (normalized by the backend that reflected it).
    pub default: Option<String>,
    /// Whether the database generates the value (an identity column, or SQLite's
    /// `INTEGER PRIMARY KEY`).
    pub autoincrement: bool,
    /// The column's previous name, declared on the model (`#[field(renamed_from = "…")]`):
    /// a migration renames that column instead of dropping it. A database does not keep it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// A primary key constraint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PrimaryKey {
    /// The constraint name (`<table>_pkey` by default).
    pub name: String,
    /// The key columns, in key order.
    pub columns: Vec<String>,
}

/// An index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Index {
    /// The index name (`ix_<table>_<column>` for the derive's `index` fields).
    pub name: String,
    /// The indexed columns, in order.
    pub columns: Vec<String>,
    /// Whether the index is `UNIQUE`.
    pub unique: bool,
}

/// A `UNIQUE` constraint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UniqueConstraint {
    /// The constraint name (`<table>_<columns>_key` by default).
    pub name: String,
    /// The constrained columns, in order.
    pub columns: Vec<String>,
}

/// A foreign key constraint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ForeignKey {
    /// The constraint name (`<table>_<columns>_fkey` by default).
    pub name: String,
    /// The referencing columns of this table.
    pub columns: Vec<String>,
    /// The referenced table.
    pub referenced_table: String,
    /// The referenced columns, matching [`ForeignKey::columns`] one to one.
    pub referenced_columns: Vec<String>,
    /// What a delete of the referenced row does (`NoAction` when none was given).
    pub on_delete: OnDelete,
}

/// The longest name tablemodel makes up for a key, constraint or index: PostgreSQL's
/// limit (63 bytes; MySQL's is 64, SQLite has none). One limit for every dialect keeps a
/// migration file's names the same wherever it runs.
pub const MAX_NAME_LENGTH: usize = 63;

/// `name` if it fits in [`MAX_NAME_LENGTH`]; otherwise its start and 8 hex digits of its
/// SHA-256, so that two long names with the same start stay apart and the same long name
/// is always shortened the same way (where PostgreSQL would cut it silently and MySQL
/// refuse it).
///
/// ```
/// use tablemodel::schema::{MAX_NAME_LENGTH, fit_name};
/// assert_eq!(fit_name("ix_hero_name".to_owned()), "ix_hero_name");
/// let long = format!("ix_{}_name", "a_table_with_a_long_name".repeat(3));
/// let short = fit_name(long.clone());
/// assert_eq!(short.len(), MAX_NAME_LENGTH);
/// assert!(short.starts_with("ix_a_table_with_a_long_name"));
/// assert_ne!(short, fit_name(long.replace("_name", "_age")));
/// ```
pub fn fit_name(name: String) -> String {
    use sha2::{Digest, Sha256};
    if name.len() <= MAX_NAME_LENGTH {
        return name;
    }
    let digest = Sha256::digest(name.as_bytes());
    let suffix: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    let mut keep = MAX_NAME_LENGTH - suffix.len() - 1;
    while !name.is_char_boundary(keep) {
        keep -= 1;
    }
    format!("{}_{suffix}", &name[..keep])
}

/// The default name of a table's primary key: `<table>_pkey`, as PostgreSQL names it
/// (shortened by [`fit_name`] when too long).
pub fn primary_key_name(table: &str) -> String {
    fit_name(format!("{table}_pkey"))
}

/// The default name of a unique constraint: `<table>_<col>[_<col>…]_key`.
pub fn unique_name(table: &str, columns: &[String]) -> String {
    fit_name(format!("{table}_{}_key", columns.join("_")))
}

/// The default name of a foreign key: `<table>_<col>[_<col>…]_fkey`.
pub fn foreign_key_name(table: &str, columns: &[String]) -> String {
    fit_name(format!("{table}_{}_fkey", columns.join("_")))
}

/// The name the derive gives a column's index: `ix_<table>_<column>`, as SQLModel does.
pub fn index_name(table: &str, column: &str) -> String {
    fit_name(format!("ix_{table}_{column}"))
}

impl Column {
    /// A column with no default that the database does not generate.
    pub fn new(name: impl Into<String>, ty: ColumnType, nullable: bool) -> Column {
        Column { name: name.into(), ty, nullable, default: None, autoincrement: false, renamed_from: None }
    }

    /// The same column with a server default.
    pub fn with_default(self, default: impl Into<String>) -> Column {
        Column { default: Some(default.into()), ..self }
    }

    /// The same column, generated by the database or not.
    pub fn with_autoincrement(self, autoincrement: bool) -> Column {
        Column { autoincrement, ..self }
    }

    /// The same column, declared renamed from `old_name`.
    pub fn with_renamed_from(self, old_name: impl Into<String>) -> Column {
        Column { renamed_from: Some(old_name.into()), ..self }
    }
}

impl PrimaryKey {
    /// A primary key named `name` over `columns`.
    pub fn new(name: impl Into<String>, columns: Vec<String>) -> PrimaryKey {
        PrimaryKey { name: name.into(), columns }
    }
}

impl Index {
    /// An index named `name` over `columns`.
    pub fn new(name: impl Into<String>, columns: Vec<String>, unique: bool) -> Index {
        Index { name: name.into(), columns, unique }
    }
}

impl UniqueConstraint {
    /// A unique constraint named `name` over `columns`.
    pub fn new(name: impl Into<String>, columns: Vec<String>) -> UniqueConstraint {
        UniqueConstraint { name: name.into(), columns }
    }
}

impl ForeignKey {
    /// A foreign key named `name` from `columns` to `referenced_table(referenced_columns)`.
    pub fn new(
        name: impl Into<String>,
        columns: Vec<String>,
        referenced_table: impl Into<String>,
        referenced_columns: Vec<String>,
        on_delete: OnDelete,
    ) -> ForeignKey {
        ForeignKey {
            name: name.into(),
            columns,
            referenced_table: referenced_table.into(),
            referenced_columns,
            on_delete,
        }
    }
}

impl Table {
    /// An empty table named `name`; push columns and constraints onto its fields, then
    /// call [`Table::canonicalize`].
    pub fn new(name: impl Into<String>) -> Table {
        Table {
            name: name.into(),
            columns: Vec::new(),
            primary_key: None,
            indexes: Vec::new(),
            uniques: Vec::new(),
            foreign_keys: Vec::new(),
            renamed_from: None,
        }
    }

    /// The table a model describes, with constraints named the way PostgreSQL and
    /// SQLAlchemy name them by default.
    ///
    /// ```
    /// # use tablemodel::prelude::*;
    /// use tablemodel::schema::{ColumnType, Table};
    /// # #[derive(Model)]
    /// # #[model(table)]
    /// # struct Hero { #[field(primary_key)] id: Option<i64>, #[field(index, max_length = 100)] name: String }
    /// let hero = Table::from_meta(Hero::META);
    /// assert_eq!(hero.column("name").unwrap().ty, ColumnType::Varchar(Some(100)));
    /// assert_eq!(hero.primary_key.as_ref().unwrap().name, "hero_pkey");
    /// assert_eq!(hero.indexes[0].name, "ix_hero_name");
    /// ```
    pub fn from_meta(meta: &TableMeta) -> Table {
        let mut table = Table::new(meta.name);
        table.renamed_from = meta.renamed_from.map(str::to_owned);
        for c in meta.columns {
            table.columns.push(Column {
                name: c.name.to_owned(),
                ty: ColumnType::from_info(&c.ty),
                nullable: c.nullable,
                default: c.server_default.map(|d| d.trim().to_owned()),
                autoincrement: c.autoincrement,
                renamed_from: c.renamed_from.map(str::to_owned),
            });
            if c.unique {
                let columns = vec![c.name.to_owned()];
                table.uniques.push(UniqueConstraint { name: unique_name(meta.name, &columns), columns });
            }
            if let Some(fk) = c.foreign_key {
                let columns = vec![c.name.to_owned()];
                table.foreign_keys.push(ForeignKey {
                    name: foreign_key_name(meta.name, &columns),
                    columns,
                    referenced_table: fk.table.to_owned(),
                    referenced_columns: vec![fk.column.to_owned()],
                    on_delete: fk.on_delete.unwrap_or(OnDelete::NoAction),
                });
            }
        }
        if !meta.primary_key.is_empty() {
            let columns = meta.primary_key.iter().map(|&i| meta.columns[i].name.to_owned()).collect();
            table.primary_key = Some(PrimaryKey { name: primary_key_name(meta.name), columns });
        }
        for index in meta.indexes {
            table.indexes.push(Index {
                name: fit_name(index.name.to_owned()),
                columns: index.columns.iter().map(|c| (*c).to_owned()).collect(),
                unique: index.unique,
            });
        }
        table.canonicalize();
        table
    }

    /// The column named `name`, if any.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The tables this one references through foreign keys (other than itself).
    pub fn referenced_tables(&self) -> impl Iterator<Item = &str> + '_ {
        self.foreign_keys.iter().map(|fk| fk.referenced_table.as_str()).filter(move |t| *t != self.name)
    }

    /// Puts indexes, unique constraints and foreign keys in canonical order: by the
    /// position of their first column in the table, then by name.
    pub fn canonicalize(&mut self) {
        let columns = &self.columns;
        let key = |first: Option<&String>, name: &str| {
            let position = first.and_then(|f| columns.iter().position(|c| &c.name == f)).unwrap_or(usize::MAX);
            (position, name.to_owned())
        };
        self.indexes.sort_by_cached_key(|i| key(i.columns.first(), &i.name));
        self.uniques.sort_by_cached_key(|u| key(u.columns.first(), &u.name));
        self.foreign_keys.sort_by_cached_key(|f| key(f.columns.first(), &f.name));
    }
}
