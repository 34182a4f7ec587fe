//! Table metadata: what `#[derive(Model)]` knows about a table, as static data.
//!
//! DDL, migrations, the query builder and relationship loading all read this one
//! description, so a table is described once, at compile time, with no runtime registry.

use crate::types::SqlTypeInfo;

/// What happens to referencing rows when the referenced row is deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OnDelete {
    /// `ON DELETE CASCADE`: referencing rows are deleted too.
    Cascade,
    /// `ON DELETE SET NULL`: the foreign key is cleared.
    SetNull,
    /// `ON DELETE RESTRICT`: the delete fails while referencing rows exist.
    Restrict,
    /// `ON DELETE NO ACTION` (the SQL default, checked at the end of the statement).
    NoAction,
}

impl OnDelete {
    /// The SQL spelling of this action.
    pub const fn as_sql(self) -> &'static str {
        match self {
            OnDelete::Cascade => "CASCADE",
            OnDelete::SetNull => "SET NULL",
            OnDelete::Restrict => "RESTRICT",
            OnDelete::NoAction => "NO ACTION",
        }
    }
}

/// A column's reference to another table's column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ForeignKeyMeta {
    /// The referenced table, e.g. `team`.
    pub table: &'static str,
    /// The referenced column, e.g. `id`.
    pub column: &'static str,
    /// The `ON DELETE` action, if one was given.
    pub on_delete: Option<OnDelete>,
}

/// One column of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnMeta {
    /// The SQL column name.
    pub name: &'static str,
    /// The Rust field name.
    pub field: &'static str,
    /// The column type.
    pub ty: SqlTypeInfo,
    /// Whether the column accepts NULL.
    pub nullable: bool,
    /// Whether the column is part of the primary key.
    pub primary_key: bool,
    /// Whether the database generates the value when the field is `None` (a sole integer
    /// primary key: `INTEGER PRIMARY KEY` on SQLite, an identity column on PostgreSQL).
    pub autoincrement: bool,
    /// Whether the column carries a `UNIQUE` constraint.
    pub unique: bool,
    /// Whether the column has an index `ix_<table>_<column>`.
    pub index: bool,
    /// A default computed by the database, written verbatim in DDL.
    pub server_default: Option<&'static str>,
    /// The column this one references.
    pub foreign_key: Option<ForeignKeyMeta>,
}

/// An index over one or more columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexMeta {
    /// The index name (`ix_<table>_<column>`, as SQLModel names them).
    pub name: &'static str,
    /// The indexed column names.
    pub columns: &'static [&'static str],
    /// Whether the index is `UNIQUE`.
    pub unique: bool,
}

/// A whole table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableMeta {
    /// The SQL table name.
    pub name: &'static str,
    /// The Rust type name.
    pub rust_name: &'static str,
    /// The columns, in field order.
    pub columns: &'static [ColumnMeta],
    /// The positions (in [`TableMeta::columns`]) of the primary key columns.
    pub primary_key: &'static [usize],
    /// The indexes.
    pub indexes: &'static [IndexMeta],
}

impl TableMeta {
    /// The column named `name`, if any.
    pub fn column(&self, name: &str) -> Option<&'static ColumnMeta> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The position of the column named `name`, if any.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The tables this one references through foreign keys (other than itself).
    pub fn referenced_tables(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.columns.iter().filter_map(|c| c.foreign_key.map(|fk| fk.table)).filter(move |t| *t != self.name)
    }
}
