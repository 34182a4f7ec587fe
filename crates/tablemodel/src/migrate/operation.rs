//! [`Operation`]: one dialect-neutral change to a schema, what it destroys, how to undo it,
//! and what it does to a [`Schema`] held in memory (which is how rendering knows the table
//! a SQLite rebuild must produce).

use serde::{Deserialize, Serialize};

use crate::schema::{
    Column, ColumnType, ForeignKey, Index, PrimaryKey, Schema, Table, UniqueConstraint, foreign_key_name, index_name,
    primary_key_name, unique_name,
};

/// One change to a schema, in no dialect's terms. [`super::diff`] produces them in an
/// order that applies; [`super::render`] turns them into each dialect's SQL.
///
/// Operations that drop something carry the whole dropped item, so each one can be
/// inverted ([`Operation::inverse`]) without looking anything up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Operation {
    /// Create a table with its constraints and indexes.
    CreateTable {
        /// The new table.
        table: Table,
    },
    /// Drop a table (and its data).
    DropTable {
        /// The table as it was.
        table: Table,
    },
    /// Rename a table, and the keys, constraints and indexes named after it by default
    /// (`<table>_pkey`, `<table>_<columns>_key`, `<table>_<columns>_fkey`,
    /// `ix_<table>_<column>`), so the table is what its model under the new name describes.
    RenameTable {
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Add a column.
    AddColumn {
        /// The table.
        table: String,
        /// The new column.
        column: Column,
    },
    /// Drop a column (and its data).
    DropColumn {
        /// The table.
        table: String,
        /// The column as it was.
        column: Column,
    },
    /// Rename a column.
    RenameColumn {
        /// The table.
        table: String,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Change a column's type, nullability, server default or generated values; the
    /// column keeps its name. Rows whose value is NULL get the new server default when
    /// the column becomes `NOT NULL` with one.
    AlterColumn {
        /// The table.
        table: String,
        /// The column as it was.
        from: Column,
        /// The column as it becomes.
        to: Column,
    },
    /// Create an index.
    CreateIndex {
        /// The table.
        table: String,
        /// The new index.
        index: Index,
    },
    /// Drop an index.
    DropIndex {
        /// The table.
        table: String,
        /// The index as it was.
        index: Index,
    },
    /// Add a `UNIQUE` constraint.
    AddUnique {
        /// The table.
        table: String,
        /// The new constraint.
        unique: UniqueConstraint,
    },
    /// Drop a `UNIQUE` constraint.
    DropUnique {
        /// The table.
        table: String,
        /// The constraint as it was.
        unique: UniqueConstraint,
    },
    /// Add a foreign key.
    AddForeignKey {
        /// The referencing table.
        table: String,
        /// The new foreign key.
        foreign_key: ForeignKey,
    },
    /// Drop a foreign key.
    DropForeignKey {
        /// The referencing table.
        table: String,
        /// The foreign key as it was.
        foreign_key: ForeignKey,
    },
    /// Replace, add or remove a table's primary key.
    SetPrimaryKey {
        /// The table.
        table: String,
        /// The key as it was.
        from: Option<PrimaryKey>,
        /// The key as it becomes.
        to: Option<PrimaryKey>,
    },
}

/// How to undo an [`Operation`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Inverse {
    /// This operation undoes it completely.
    Exact(Operation),
    /// This operation restores the structure, but not the data the original destroyed: a
    /// dropped table comes back empty, a dropped column comes back NULL (or its default),
    /// values cut by a narrowing type change stay cut.
    WithoutData(Operation),
}

impl Inverse {
    /// The operation that undoes, as far as it can.
    pub fn operation(&self) -> &Operation {
        match self {
            Inverse::Exact(op) | Inverse::WithoutData(op) => op,
        }
    }
}

impl Operation {
    /// The table this operation changes (its new name for a rename).
    pub fn table(&self) -> &str {
        match self {
            Operation::CreateTable { table } | Operation::DropTable { table } => &table.name,
            Operation::RenameTable { to, .. } => to,
            Operation::AddColumn { table, .. }
            | Operation::DropColumn { table, .. }
            | Operation::RenameColumn { table, .. }
            | Operation::AlterColumn { table, .. }
            | Operation::CreateIndex { table, .. }
            | Operation::DropIndex { table, .. }
            | Operation::AddUnique { table, .. }
            | Operation::DropUnique { table, .. }
            | Operation::AddForeignKey { table, .. }
            | Operation::DropForeignKey { table, .. }
            | Operation::SetPrimaryKey { table, .. } => table,
        }
    }

    /// Whether this operation destroys data: it drops a table or a column, or changes a
    /// column's type to one that cannot hold every value of the old one.
    ///
    /// ```
    /// use tablemodel::migrate::Operation;
    /// use tablemodel::schema::{Column, ColumnType};
    /// let alter = |from, to| Operation::AlterColumn {
    ///     table: "hero".into(),
    ///     from: Column::new("age", from, true),
    ///     to: Column::new("age", to, true),
    /// };
    /// assert!(!alter(ColumnType::Integer, ColumnType::BigInt).is_destructive());
    /// assert!(alter(ColumnType::BigInt, ColumnType::Integer).is_destructive());
    /// assert!(alter(ColumnType::Varchar(None), ColumnType::Varchar(Some(20))).is_destructive());
    /// ```
    pub fn is_destructive(&self) -> bool {
        match self {
            Operation::DropTable { .. } | Operation::DropColumn { .. } => true,
            Operation::AlterColumn { from, to, .. } => !widens(&from.ty, &to.ty),
            _ => false,
        }
    }

    /// The operation that undoes this one; [`Inverse::WithoutData`] when the data this one
    /// destroys cannot come back.
    pub fn inverse(&self) -> Inverse {
        let exact = Inverse::Exact;
        match self.clone() {
            Operation::CreateTable { table } => exact(Operation::DropTable { table }),
            Operation::DropTable { table } => Inverse::WithoutData(Operation::CreateTable { table }),
            Operation::RenameTable { from, to } => exact(Operation::RenameTable { from: to, to: from }),
            Operation::AddColumn { table, column } => exact(Operation::DropColumn { table, column }),
            Operation::DropColumn { table, column } => Inverse::WithoutData(Operation::AddColumn { table, column }),
            Operation::RenameColumn { table, from, to } => exact(Operation::RenameColumn { table, from: to, to: from }),
            Operation::AlterColumn { table, from, to } => {
                let undo = Operation::AlterColumn { table, from: to.clone(), to: from.clone() };
                if widens(&from.ty, &to.ty) { exact(undo) } else { Inverse::WithoutData(undo) }
            }
            Operation::CreateIndex { table, index } => exact(Operation::DropIndex { table, index }),
            Operation::DropIndex { table, index } => exact(Operation::CreateIndex { table, index }),
            Operation::AddUnique { table, unique } => exact(Operation::DropUnique { table, unique }),
            Operation::DropUnique { table, unique } => exact(Operation::AddUnique { table, unique }),
            Operation::AddForeignKey { table, foreign_key } => exact(Operation::DropForeignKey { table, foreign_key }),
            Operation::DropForeignKey { table, foreign_key } => exact(Operation::AddForeignKey { table, foreign_key }),
            Operation::SetPrimaryKey { table, from, to } => {
                exact(Operation::SetPrimaryKey { table, from: to, to: from })
            }
        }
    }

    /// Makes the change to `schema`, the description in memory. A change naming a table
    /// or column `schema` lacks changes nothing.
    pub fn apply_to(&self, schema: &mut Schema) {
        match self {
            Operation::CreateTable { table } => schema.insert(table.clone()),
            Operation::DropTable { table } => {
                schema.tables.remove(&table.name);
            }
            Operation::RenameTable { from, to } => {
                if let Some(mut table) = schema.tables.remove(from) {
                    for renamed in renamed_with_table(&table, to) {
                        renamed.apply(&mut table);
                    }
                    table.name.clone_from(to);
                    schema.insert(table);
                }
                for fk in schema.tables.values_mut().flat_map(|t| t.foreign_keys.iter_mut()) {
                    if fk.referenced_table == *from {
                        fk.referenced_table.clone_from(to);
                    }
                }
            }
            Operation::RenameColumn { table, from, to } => rename_column(schema, table, from, to),
            _ => {
                let Some(t) = schema.tables.get_mut(self.table()) else { return };
                self.apply_to_table(t);
                t.canonicalize();
            }
        }
    }

    fn apply_to_table(&self, t: &mut Table) {
        match self {
            Operation::AddColumn { column, .. } => t.columns.push(column.clone()),
            Operation::DropColumn { column, .. } => t.columns.retain(|c| c.name != column.name),
            Operation::AlterColumn { to, .. } => {
                if let Some(c) = t.columns.iter_mut().find(|c| c.name == to.name) {
                    *c = to.clone();
                }
            }
            Operation::CreateIndex { index, .. } => t.indexes.push(index.clone()),
            Operation::DropIndex { index, .. } => t.indexes.retain(|i| i.name != index.name),
            Operation::AddUnique { unique, .. } => t.uniques.push(unique.clone()),
            Operation::DropUnique { unique, .. } => t.uniques.retain(|u| u.name != unique.name),
            Operation::AddForeignKey { foreign_key, .. } => t.foreign_keys.push(foreign_key.clone()),
            Operation::DropForeignKey { foreign_key, .. } => t.foreign_keys.retain(|f| f.name != foreign_key.name),
            Operation::SetPrimaryKey { to, .. } => t.primary_key.clone_from(to),
            Operation::CreateTable { .. }
            | Operation::DropTable { .. }
            | Operation::RenameTable { .. }
            | Operation::RenameColumn { .. } => {}
        }
    }
}

/// A key, constraint or index that a table rename renames with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RenamedWithTable {
    PrimaryKey { from: String, to: String },
    Unique { from: String, to: String },
    ForeignKey { from: String, to: String },
    Index { from: String, to: String, index: Index },
}

impl RenamedWithTable {
    fn apply(&self, table: &mut Table) {
        match self {
            RenamedWithTable::PrimaryKey { to, .. } => {
                if let Some(pk) = &mut table.primary_key {
                    pk.name.clone_from(to);
                }
            }
            RenamedWithTable::Unique { from, to } => {
                table.uniques.iter_mut().filter(|u| u.name == *from).for_each(|u| u.name.clone_from(to));
            }
            RenamedWithTable::ForeignKey { from, to } => {
                table.foreign_keys.iter_mut().filter(|f| f.name == *from).for_each(|f| f.name.clone_from(to));
            }
            RenamedWithTable::Index { from, to, .. } => {
                table.indexes.iter_mut().filter(|i| i.name == *from).for_each(|i| i.name.clone_from(to));
            }
        }
    }
}

/// The keys, constraints and indexes of `table` named after it by default, renamed for
/// its new name `to`.
pub(crate) fn renamed_with_table(table: &Table, to: &str) -> Vec<RenamedWithTable> {
    let from = &table.name;
    let mut out = Vec::new();
    if let Some(pk) = &table.primary_key
        && pk.name == primary_key_name(from)
    {
        out.push(RenamedWithTable::PrimaryKey { from: pk.name.clone(), to: primary_key_name(to) });
    }
    for u in table.uniques.iter().filter(|u| u.name == unique_name(from, &u.columns)) {
        out.push(RenamedWithTable::Unique { from: u.name.clone(), to: unique_name(to, &u.columns) });
    }
    for f in table.foreign_keys.iter().filter(|f| f.name == foreign_key_name(from, &f.columns)) {
        out.push(RenamedWithTable::ForeignKey { from: f.name.clone(), to: foreign_key_name(to, &f.columns) });
    }
    for i in &table.indexes {
        if let [column] = &i.columns[..]
            && i.name == index_name(from, column)
        {
            out.push(RenamedWithTable::Index { from: i.name.clone(), to: index_name(to, column), index: i.clone() });
        }
    }
    out
}

/// Renames a column of `table` everywhere the schema names it: the column, the table's
/// keys, indexes and constraints, and the foreign keys that reference it.
pub(crate) fn rename_column(schema: &mut Schema, table: &str, from: &str, to: &str) {
    let rename = |names: &mut Vec<String>| {
        for n in names.iter_mut().filter(|n| *n == from) {
            *n = to.to_owned();
        }
    };
    if let Some(t) = schema.tables.get_mut(table) {
        for c in t.columns.iter_mut().filter(|c| c.name == from) {
            c.name = to.to_owned();
        }
        if let Some(pk) = &mut t.primary_key {
            rename(&mut pk.columns);
        }
        t.indexes.iter_mut().for_each(|i| rename(&mut i.columns));
        t.uniques.iter_mut().for_each(|u| rename(&mut u.columns));
        t.foreign_keys.iter_mut().for_each(|f| rename(&mut f.columns));
    }
    for fk in schema.tables.values_mut().flat_map(|t| t.foreign_keys.iter_mut()) {
        if fk.referenced_table == table {
            rename(&mut fk.referenced_columns);
        }
    }
}

/// Whether every value of type `from` is kept by type `to`.
fn widens(from: &ColumnType, to: &ColumnType) -> bool {
    use ColumnType::*;
    let rank = |t: &ColumnType| match t {
        SmallInt => Some(1),
        Integer => Some(2),
        BigInt => Some(3),
        _ => None,
    };
    if from == to {
        return true;
    }
    match (from, to) {
        (Varchar(_), Text) | (Varchar(Some(_)), Varchar(None)) | (Real, Double) | (Timestamp, TimestampTz) => true,
        // An enum keeps its values when it keeps its labels, whatever it adds.
        (Enum { labels: a, .. }, Enum { labels: b, .. }) => a.iter().all(|label| b.contains(label)),
        (Enum { .. }, Text | Varchar(None)) => true,
        (Varchar(Some(a)), Varchar(Some(b))) => a <= b,
        (Numeric(Some(_)), Numeric(None)) => true,
        (Numeric(Some((p1, s1))), Numeric(Some((p2, s2)))) => s2 >= s1 && p2 - s2 >= p1 - s1,
        (SmallInt | Integer | BigInt, Numeric(None)) => true,
        (
            SmallInt | Integer | BigInt | Boolean | Real | Double | Numeric(_) | Date | Time | Timestamp | Uuid,
            Text | Varchar(None),
        ) => true,
        _ => matches!((rank(from), rank(to)), (Some(a), Some(b)) if a <= b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_keeps_values_and_the_rest_does_not() {
        use ColumnType::*;
        assert!(widens(&SmallInt, &BigInt));
        assert!(widens(&Varchar(Some(10)), &Varchar(Some(20))));
        assert!(widens(&Numeric(Some((10, 2))), &Numeric(Some((12, 4)))));
        assert!(widens(&Integer, &Text));
        assert!(!widens(&Numeric(Some((10, 2))), &Numeric(Some((10, 4)))));
        assert!(!widens(&Text, &Integer));
        assert!(!widens(&Varchar(Some(20)), &Varchar(Some(10))));
        assert!(!widens(&Double, &Real));
        let power =
            |labels: &[&str]| Enum { name: "power".into(), labels: labels.iter().map(|l| (*l).into()).collect() };
        assert!(widens(&power(&["fire", "ice"]), &power(&["earth", "fire", "ice"])));
        assert!(widens(&power(&["fire", "ice"]), &power(&["ice", "fire"])));
        assert!(widens(&power(&["fire"]), &Text));
        assert!(!widens(&power(&["fire", "ice"]), &power(&["fire"])));
    }

    #[test]
    fn every_inverse_undoes_its_operation_on_the_schema() {
        let mut table = Table::new("hero");
        table.columns =
            vec![Column::new("id", ColumnType::BigInt, false), Column::new("age", ColumnType::Integer, true)];
        table.primary_key = Some(PrimaryKey::new("hero_pkey", vec!["id".into()]));
        let mut schema = Schema::new();
        schema.insert(table);
        let ops = [
            Operation::AddColumn { table: "hero".into(), column: Column::new("x", ColumnType::Text, true) },
            Operation::RenameColumn { table: "hero".into(), from: "age".into(), to: "years".into() },
            Operation::CreateIndex { table: "hero".into(), index: Index::new("ix_hero_id", vec!["id".into()], false) },
            Operation::RenameTable { from: "hero".into(), to: "champion".into() },
        ];
        let mut changed = schema.clone();
        for op in &ops {
            op.apply_to(&mut changed);
        }
        assert!(changed.table("champion").unwrap().column("years").is_some());
        for op in ops.iter().rev() {
            op.inverse().operation().apply_to(&mut changed);
        }
        assert_eq!(changed, schema);
    }
}
