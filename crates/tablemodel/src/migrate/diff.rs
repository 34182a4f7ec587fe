//! [`diff`]: the operations that turn one schema into another, in an order that applies.
//!
//! Renames cannot be told from a drop and an add by looking at two schemas, and guessing
//! wrong loses a column's data; so a rename happens only when declared ([`Renames`]).
//! (The derive has no `renamed_from` attribute yet; when it gets one, it fills a
//! [`Renames`] from the models.)

use std::collections::BTreeSet;

use super::operation::{Operation, rename_column};
use crate::schema::{Schema, Table};

/// The tables and columns a migration renames, which [`diff_with_renames`] turns into
/// RENAMEs instead of a drop and an add.
///
/// ```
/// use tablemodel::migrate::Renames;
/// let renames = Renames::new().table("heroes", "hero").column("hero", "secret", "secret_name");
/// # let _ = renames;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Renames {
    tables: Vec<(String, String)>,
    columns: Vec<(String, String, String)>,
}

impl Renames {
    /// No renames.
    pub fn new() -> Renames {
        Renames::default()
    }

    /// Table `from` is now named `to`.
    pub fn table(mut self, from: impl Into<String>, to: impl Into<String>) -> Renames {
        self.tables.push((from.into(), to.into()));
        self
    }

    /// Column `from` of `table` (the table's new name, if it is renamed too) is now named `to`.
    pub fn column(mut self, table: impl Into<String>, from: impl Into<String>, to: impl Into<String>) -> Renames {
        self.columns.push((table.into(), from.into(), to.into()));
        self
    }
}

/// The operations that turn `from` into `to`, with no renames; see [`diff_with_renames`].
///
/// ```
/// use tablemodel::migrate::{self, Operation};
/// # use tablemodel::prelude::*;
/// use tablemodel::schema::Schema;
/// # mod v1 { use tablemodel::prelude::*;
/// # #[derive(Model)] #[model(table)] pub struct Hero { #[field(primary_key)] pub id: Option<i64>, pub name: String } }
/// # mod v2 { use tablemodel::prelude::*;
/// # #[derive(Model)] #[model(table)] pub struct Hero { #[field(primary_key)] pub id: Option<i64>, pub name: String, pub age: Option<i32> } }
/// let before = Schema::from_tables(&[v1::Hero::META]);
/// let after = Schema::from_tables(&[v2::Hero::META]);
/// assert!(migrate::diff(&before, &before).is_empty());
/// let ops = migrate::diff(&before, &after);
/// assert!(matches!(&ops[..], [Operation::AddColumn { table, column }] if table == "hero" && column.name == "age"));
/// ```
pub fn diff(from: &Schema, to: &Schema) -> Vec<Operation> {
    diff_with_renames(from, to, &Renames::new())
}

/// The operations that turn `from` into `to`, the declared `renames` as RENAMEs.
///
/// The order applies on every dialect: renames first; then the foreign keys, indexes and
/// unique constraints that go away; then dropped tables (those that reference others
/// first); created tables (those referenced first); column changes and primary keys; and
/// last the indexes, unique constraints and foreign keys that come, once every table and
/// column they name exists.
pub fn diff_with_renames(from: &Schema, to: &Schema, renames: &Renames) -> Vec<Operation> {
    let mut renamed_ops = Vec::new();
    let mut current = from.clone();
    for (old, new) in &renames.tables {
        if current.tables.contains_key(old) && !current.tables.contains_key(new) && to.tables.contains_key(new) {
            let op = Operation::RenameTable { from: old.clone(), to: new.clone() };
            op.apply_to(&mut current);
            renamed_ops.push(op);
        }
    }
    for (table, old, new) in &renames.columns {
        let (Some(now), Some(target)) = (current.table(table), to.table(table)) else { continue };
        if now.column(old).is_some() && now.column(new).is_none() && target.column(new).is_some() {
            rename_column(&mut current, table, old, new);
            renamed_ops.push(Operation::RenameColumn { table: table.clone(), from: old.clone(), to: new.clone() });
        }
    }

    let mut phases: [Vec<Operation>; 5] = Default::default();
    let [removals, drops, creates, columns, additions] = &mut phases;
    let dropped: Vec<&Table> = current.tables.values().filter(|t| !to.tables.contains_key(&t.name)).collect();
    for table in dependency_order(&dropped).into_iter().rev() {
        drops.push(Operation::DropTable { table: table.clone() });
    }
    let created: Vec<&Table> = to.tables.values().filter(|t| !current.tables.contains_key(&t.name)).collect();
    for table in dependency_order(&created) {
        creates.push(Operation::CreateTable { table: table.clone() });
    }
    for old in current.tables.values() {
        if let Some(new) = to.table(&old.name) {
            diff_table(old, new, removals, columns, additions);
        }
    }
    renamed_ops.into_iter().chain(phases.into_iter().flatten()).collect()
}

fn diff_table(
    old: &Table,
    new: &Table,
    removals: &mut Vec<Operation>,
    columns: &mut Vec<Operation>,
    additions: &mut Vec<Operation>,
) {
    let table = || new.name.clone();
    // Constraints and indexes compare by name; one whose definition changed is dropped
    // and made again.
    macro_rules! by_name {
        ($field:ident, $drop:ident, $add:ident, $item:ident) => {
            for item in &old.$field {
                if !new.$field.contains(item) {
                    removals.push(Operation::$drop { table: table(), $item: item.clone() });
                }
            }
            for item in &new.$field {
                if !old.$field.contains(item) {
                    additions.push(Operation::$add { table: table(), $item: item.clone() });
                }
            }
        };
    }
    by_name!(foreign_keys, DropForeignKey, AddForeignKey, foreign_key);
    by_name!(indexes, DropIndex, CreateIndex, index);
    by_name!(uniques, DropUnique, AddUnique, unique);

    for column in &new.columns {
        match old.column(&column.name) {
            None => columns.push(Operation::AddColumn { table: table(), column: column.clone() }),
            Some(before) if before != column => {
                columns.push(Operation::AlterColumn { table: table(), from: before.clone(), to: column.clone() })
            }
            Some(_) => {}
        }
    }
    if old.primary_key != new.primary_key {
        columns.push(Operation::SetPrimaryKey {
            table: table(),
            from: old.primary_key.clone(),
            to: new.primary_key.clone(),
        });
    }
    for column in &old.columns {
        if new.column(&column.name).is_none() {
            columns.push(Operation::DropColumn { table: table(), column: column.clone() });
        }
    }
}

/// `tables` ordered so each comes after the tables (among them) it references; a cycle
/// keeps the rest in name order (their foreign keys then need the tables to exist, which
/// every dialect accepts within one transaction only with deferred checks).
fn dependency_order<'a>(tables: &[&'a Table]) -> Vec<&'a Table> {
    let names: BTreeSet<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::with_capacity(tables.len());
    let mut remaining: Vec<&Table> = tables.to_vec();
    while !remaining.is_empty() {
        let ready = remaining
            .iter()
            .position(|t| t.referenced_tables().all(|r| placed.contains(r) || !names.contains(r)))
            .unwrap_or(0);
        let table = remaining.remove(ready);
        placed.insert(&table.name);
        out.push(table);
    }
    out
}
