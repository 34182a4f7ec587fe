//! Table metadata: what `#[derive(Model)]` knows about a table, as static data.
//!
//! DDL, migrations, the query builder and relationship loading all read this one
//! description, so a table is described once, at compile time, with no runtime registry.
//!
//! The types are `#[non_exhaustive]` and built only through `const fn` constructors and
//! `with_*` builders: the derive expands to those calls in the user's crate, so a field
//! added here later (with a default in its constructor) does not break code the derive
//! generated with an older version. The fields stay readable.

use crate::types::SqlTypeInfo;

/// What happens to referencing rows when the referenced row is deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OnDelete {
    /// `ON DELETE CASCADE`: referencing rows are deleted too.
    Cascade,
    /// `ON DELETE SET NULL`: the foreign key is cleared.
    SetNull,
    /// `ON DELETE RESTRICT`: the delete fails while referencing rows exist.
    Restrict,
    /// `ON DELETE NO ACTION` (the SQL default, checked at the end of the statement).
    NoAction,
    /// `ON DELETE SET DEFAULT`: the foreign key is reset to its server default. The derive
    /// does not offer it; reflection reports it for databases that use it.
    SetDefault,
}

impl OnDelete {
    /// The SQL spelling of this action.
    pub const fn as_sql(self) -> &'static str {
        match self {
            OnDelete::Cascade => "CASCADE",
            OnDelete::SetNull => "SET NULL",
            OnDelete::Restrict => "RESTRICT",
            OnDelete::NoAction => "NO ACTION",
            OnDelete::SetDefault => "SET DEFAULT",
        }
    }
}

/// A column's reference to another table's column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
#[non_exhaustive]
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
    /// The column's previous name (`#[field(renamed_from = "…")]`), which migrations
    /// rename instead of dropping it and adding this one.
    pub renamed_from: Option<&'static str>,
    /// Whether the database always computes the value (`#[field(generated)]`: a trigger, a
    /// computed column, a default the application never sets): never sent by `add` or
    /// `save`, always read back.
    pub generated: bool,
    /// Whether the column is the row's version counter (`#[field(version)]`): `save` updates
    /// only the row with the version it loaded, and increments it.
    pub version: bool,
}

/// An index over one or more columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
#[non_exhaustive]
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
    /// The table's previous name (`#[model(renamed_from = "…")]`), which migrations
    /// rename instead of dropping it and creating this one.
    pub renamed_from: Option<&'static str>,
}

impl ForeignKeyMeta {
    /// A reference to `table.column`, with no `ON DELETE` action.
    pub const fn new(table: &'static str, column: &'static str) -> Self {
        ForeignKeyMeta { table, column, on_delete: None }
    }

    /// The same reference with an `ON DELETE` action.
    pub const fn with_on_delete(self, action: OnDelete) -> Self {
        ForeignKeyMeta { on_delete: Some(action), ..self }
    }
}

impl ColumnMeta {
    /// A NOT NULL column `name` (field `field`) of type `ty`, with no key, index, default or
    /// reference; the `with_*` builders add those.
    ///
    /// ```
    /// use tablemodel::{ColumnMeta, SqlTypeInfo, ValueKind};
    /// const NAME: ColumnMeta =
    ///     ColumnMeta::new("name", "name", SqlTypeInfo::of(ValueKind::Text).with_max_length(100)).with_index(true);
    /// assert!(NAME.index && !NAME.nullable);
    /// ```
    pub const fn new(name: &'static str, field: &'static str, ty: SqlTypeInfo) -> Self {
        ColumnMeta {
            name,
            field,
            ty,
            nullable: false,
            primary_key: false,
            autoincrement: false,
            unique: false,
            index: false,
            server_default: None,
            foreign_key: None,
            renamed_from: None,
            generated: false,
            version: false,
        }
    }

    /// Whether the column accepts NULL.
    pub const fn with_nullable(self, nullable: bool) -> Self {
        ColumnMeta { nullable, ..self }
    }

    /// Whether the column is part of the primary key.
    pub const fn with_primary_key(self, primary_key: bool) -> Self {
        ColumnMeta { primary_key, ..self }
    }

    /// Whether the database generates the value (see [`ColumnMeta::autoincrement`]).
    pub const fn with_autoincrement(self, autoincrement: bool) -> Self {
        ColumnMeta { autoincrement, ..self }
    }

    /// Whether the column carries a `UNIQUE` constraint.
    pub const fn with_unique(self, unique: bool) -> Self {
        ColumnMeta { unique, ..self }
    }

    /// Whether the column has an index `ix_<table>_<column>`.
    pub const fn with_index(self, index: bool) -> Self {
        ColumnMeta { index, ..self }
    }

    /// A default computed by the database, written verbatim in DDL.
    pub const fn with_server_default(self, sql: &'static str) -> Self {
        ColumnMeta { server_default: Some(sql), ..self }
    }

    /// The column this one references.
    pub const fn with_foreign_key(self, foreign_key: ForeignKeyMeta) -> Self {
        ColumnMeta { foreign_key: Some(foreign_key), ..self }
    }

    /// The column's previous name, which migrations rename to this one.
    pub const fn with_renamed_from(self, old_name: &'static str) -> Self {
        ColumnMeta { renamed_from: Some(old_name), ..self }
    }

    /// Whether the database always computes the value (see [`ColumnMeta::generated`]).
    pub const fn with_generated(self, generated: bool) -> Self {
        ColumnMeta { generated, ..self }
    }

    /// Whether the column is the row's version counter (see [`ColumnMeta::version`]).
    pub const fn with_version(self, version: bool) -> Self {
        ColumnMeta { version, ..self }
    }

    /// Whether `add` may leave the column out of the `INSERT` so that the database fills it:
    /// a generated key, a server default, a generated column.
    pub const fn database_fillable(&self) -> bool {
        self.autoincrement || self.generated || self.server_default.is_some()
    }
}

impl IndexMeta {
    /// An index `name` over `columns`.
    pub const fn new(name: &'static str, columns: &'static [&'static str], unique: bool) -> Self {
        IndexMeta { name, columns, unique }
    }
}

impl TableMeta {
    /// A table `name` (Rust type `rust_name`) with its columns, the positions of its
    /// primary key columns, and its indexes.
    pub const fn new(
        name: &'static str,
        rust_name: &'static str,
        columns: &'static [ColumnMeta],
        primary_key: &'static [usize],
        indexes: &'static [IndexMeta],
    ) -> Self {
        TableMeta { name, rust_name, columns, primary_key, indexes, renamed_from: None }
    }

    /// The table's previous name, which migrations rename to this one.
    pub const fn with_renamed_from(self, old_name: &'static str) -> Self {
        TableMeta { renamed_from: Some(old_name), ..self }
    }

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
