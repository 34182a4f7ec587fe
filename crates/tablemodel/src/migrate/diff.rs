//! [`diff`]: the operations that turn one schema into another, in an order that applies.
//!
//! Renames cannot be told from a drop and an add by looking at two schemas, and guessing
//! wrong loses a column's data; so a rename happens only when declared: on the models
//! (`#[model(renamed_from = "…")]`, `#[field(renamed_from = "…")]`, which the target
//! schema carries and the diff reads), or passed as [`Renames`].

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

    /// The renames `schema`'s models declare with `renamed_from`.
    ///
    /// ```
    /// # use tablemodel::prelude::*;
    /// use tablemodel::migrate::Renames;
    /// use tablemodel::schema::Schema;
    /// #[derive(Model)]
    /// #[model(table, renamed_from = "heroes")]
    /// struct Hero { #[field(primary_key)] id: Option<i64>, #[field(renamed_from = "secret")] secret_name: String }
    /// let renames = Renames::from_schema(&Schema::from_tables(&[Hero::META]));
    /// assert_eq!(renames, Renames::new().table("heroes", "hero").column("hero", "secret", "secret_name"));
    /// ```
    pub fn from_schema(schema: &Schema) -> Renames {
        let mut renames = Renames::new();
        for table in schema.tables.values() {
            if let Some(old) = &table.renamed_from {
                renames = renames.table(old, &table.name);
            }
            for column in &table.columns {
                if let Some(old) = &column.renamed_from {
                    renames = renames.column(&table.name, old, &column.name);
                }
            }
        }
        renames
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

/// The operations that turn `from` into `to`, the declared `renames` and those `to`'s
/// models declare ([`Renames::from_schema`]) as RENAMEs. A declared rename whose old name
/// `from` does not have (the migration that made it already ran) is no rename.
///
/// The order applies on every dialect: renames first; then the foreign keys, indexes and
/// unique constraints that go away; then dropped tables (those that reference others
/// first); created tables (those referenced first); column changes and primary keys; and
/// last the indexes, unique constraints and foreign keys that come, once every table and
/// column they name exists.
pub fn diff_with_renames(from: &Schema, to: &Schema, renames: &Renames) -> Vec<Operation> {
    let declared = Renames::from_schema(to);
    let (tables, columns) =
        (renames.tables.iter().chain(&declared.tables), renames.columns.iter().chain(&declared.columns));
    // The operations carry the tables and columns as the database has them, which keeps no
    // previous names.
    let to = &to.without_renames();
    let mut renamed_ops = Vec::new();
    let mut current = from.without_renames();
    for (old, new) in tables {
        if current.tables.contains_key(old) && !current.tables.contains_key(new) && to.tables.contains_key(new) {
            let op = Operation::RenameTable { from: old.clone(), to: new.clone() };
            op.apply_to(&mut current);
            renamed_ops.push(op);
        }
    }
    for (table, old, new) in columns {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::OnDelete;
    use crate::schema::{Column, ColumnType, ForeignKey, Index, PrimaryKey, UniqueConstraint};

    /// What the one operation of a diff must be.
    type Expect = fn(&Operation) -> bool;

    fn names(columns: &[&str]) -> Vec<String> {
        columns.iter().map(|c| (*c).to_owned()).collect()
    }

    fn team() -> Table {
        let mut t = Table::new("team");
        t.columns = vec![
            Column::new("id", ColumnType::BigInt, false).with_autoincrement(true),
            Column::new("name", ColumnType::Varchar(Some(20)), false),
        ];
        t.primary_key = Some(PrimaryKey::new("team_pkey", names(&["id"])));
        t
    }

    fn hero() -> Table {
        let mut t = Table::new("hero");
        t.columns = vec![
            Column::new("id", ColumnType::BigInt, false).with_autoincrement(true),
            Column::new("name", ColumnType::Varchar(None), false),
            Column::new("age", ColumnType::Integer, true),
            Column::new("team_id", ColumnType::BigInt, true),
        ];
        t.primary_key = Some(PrimaryKey::new("hero_pkey", names(&["id"])));
        t.indexes = vec![Index::new("ix_hero_name", names(&["name"]), false)];
        t.foreign_keys =
            vec![ForeignKey::new("hero_team_id_fkey", names(&["team_id"]), "team", names(&["id"]), OnDelete::Cascade)];
        t
    }

    /// `hero` under the name `champion`, its keys and index named after that.
    fn champion() -> Table {
        let mut t = hero();
        t.name = "champion".into();
        t.primary_key = Some(PrimaryKey::new("champion_pkey", names(&["id"])));
        t.indexes = vec![Index::new("ix_champion_name", names(&["name"]), false)];
        t.foreign_keys[0].name = "champion_team_id_fkey".into();
        t
    }

    fn schema(tables: impl IntoIterator<Item = Table>) -> Schema {
        let mut s = Schema::new();
        for mut t in tables {
            t.canonicalize();
            s.insert(t);
        }
        s
    }

    /// `diff(from, to)`, checked to turn `from` into `to` when applied to the model.
    fn checked_diff(from: &Schema, to: &Schema, renames: &Renames) -> Vec<Operation> {
        let ops = diff_with_renames(from, to, renames);
        let mut applied = from.clone();
        for op in &ops {
            op.apply_to(&mut applied);
        }
        // An added column comes last whatever its place in the model, as ADD COLUMN puts it.
        let by_name = |s: &Schema| {
            let mut s = s.clone();
            s.tables.values_mut().for_each(|t| t.columns.sort_by(|a, b| a.name.cmp(&b.name)));
            s
        };
        assert_eq!(by_name(&applied), by_name(to), "{ops:#?}");
        ops
    }

    fn with_hero(change: impl FnOnce(&mut Table)) -> Schema {
        let mut h = hero();
        change(&mut h);
        schema([team(), h])
    }

    #[test]
    fn nothing_changed_is_no_operation() {
        let s = schema([team(), hero()]);
        assert_eq!(diff(&s, &s), []);
        assert_eq!(diff(&Schema::new(), &Schema::new()), []);
    }

    #[test]
    fn tables_are_created_referenced_first_and_dropped_referencing_first() {
        let both = schema([team(), hero()]);
        let created = checked_diff(&Schema::new(), &both, &Renames::new());
        assert!(
            matches!(&created[..], [Operation::CreateTable { table: a }, Operation::CreateTable { table: b }] if a.name == "team" && b.name == "hero")
        );
        let dropped = checked_diff(&both, &Schema::new(), &Renames::new());
        assert!(
            matches!(&dropped[..], [Operation::DropTable { table: a }, Operation::DropTable { table: b }] if a.name == "hero" && b.name == "team")
        );
        assert!(dropped.iter().all(Operation::is_destructive));
        assert!(!created.iter().any(Operation::is_destructive));
    }

    #[test]
    fn each_kind_of_column_change_is_detected() {
        let base = schema([team(), hero()]);
        let cases: Vec<(Schema, Expect, bool)> = vec![
            (
                with_hero(|h| h.columns.push(Column::new("power", ColumnType::Text, true))),
                |op| matches!(op, Operation::AddColumn { column, .. } if column.name == "power"),
                false,
            ),
            (
                with_hero(|h| h.columns.retain(|c| c.name != "age")),
                |op| matches!(op, Operation::DropColumn { column, .. } if column.name == "age"),
                true,
            ),
            (
                with_hero(|h| h.columns[2].ty = ColumnType::BigInt),
                |op| matches!(op, Operation::AlterColumn { from, to, .. } if from.ty == ColumnType::Integer && to.ty == ColumnType::BigInt),
                false,
            ),
            (
                with_hero(|h| h.columns[2].ty = ColumnType::SmallInt),
                |op| matches!(op, Operation::AlterColumn { to, .. } if to.ty == ColumnType::SmallInt),
                true,
            ),
            (
                with_hero(|h| h.columns[2].nullable = false),
                |op| matches!(op, Operation::AlterColumn { from, to, .. } if from.nullable && !to.nullable),
                false,
            ),
            (
                with_hero(|h| h.columns[2].default = Some("0".into())),
                |op| matches!(op, Operation::AlterColumn { to, .. } if to.default.as_deref() == Some("0")),
                false,
            ),
        ];
        for (target, expected, destructive) in cases {
            let ops = checked_diff(&base, &target, &Renames::new());
            assert!(matches!(&ops[..], [op] if expected(op)), "{ops:#?}");
            assert_eq!(ops[0].is_destructive(), destructive, "{ops:#?}");
        }
    }

    #[test]
    fn each_kind_of_key_index_and_constraint_change_is_detected() {
        let base = schema([team(), hero()]);
        let unique = UniqueConstraint::new("hero_name_key", names(&["name"]));
        let cases: Vec<(Schema, Expect)> = vec![
            (
                with_hero(|h| h.indexes.clear()),
                |op| matches!(op, Operation::DropIndex { index, .. } if index.name == "ix_hero_name"),
            ),
            (
                with_hero(|h| h.indexes.push(Index::new("ix_hero_age", names(&["age"]), true))),
                |op| matches!(op, Operation::CreateIndex { index, .. } if index.unique),
            ),
            (with_hero(|h| h.uniques.push(unique.clone())), |op| matches!(op, Operation::AddUnique { .. })),
            (with_hero(|h| h.foreign_keys.clear()), |op| matches!(op, Operation::DropForeignKey { .. })),
            (
                with_hero(|h| h.primary_key = Some(PrimaryKey::new("hero_pkey", names(&["id", "name"])))),
                |op| matches!(op, Operation::SetPrimaryKey { to: Some(pk), .. } if pk.columns.len() == 2),
            ),
        ];
        for (target, expected) in cases {
            let ops = checked_diff(&base, &target, &Renames::new());
            assert!(matches!(&ops[..], [op] if expected(op) && !op.is_destructive()), "{ops:#?}");
        }
        // A changed foreign key (its ON DELETE) is dropped and added again, in that order.
        let set_null = with_hero(|h| h.foreign_keys[0].on_delete = OnDelete::SetNull);
        let ops = checked_diff(&base, &set_null, &Renames::new());
        assert!(
            matches!(&ops[..], [Operation::DropForeignKey { .. }, Operation::AddForeignKey { foreign_key, .. }] if foreign_key.on_delete == OnDelete::SetNull),
            "{ops:#?}"
        );
    }

    #[test]
    fn a_rename_is_a_rename_only_when_declared() {
        let base = schema([team(), hero()]);
        let renamed = with_hero(|h| {
            h.columns[1].name = "title".into();
            h.indexes = vec![Index::new("ix_hero_title", names(&["title"]), false)];
        });
        let guessed = checked_diff(&base, &renamed, &Renames::new());
        assert!(guessed.iter().any(|op| matches!(op, Operation::DropColumn { .. })), "undeclared: drop and add");

        let declared = checked_diff(&base, &renamed, &Renames::new().column("hero", "name", "title"));
        assert!(matches!(&declared[0], Operation::RenameColumn { from, to, .. } if from == "name" && to == "title"));
        assert!(!declared.iter().any(Operation::is_destructive), "{declared:#?}");

        let renamed_table = schema([team(), champion()]);
        let ops = checked_diff(&base, &renamed_table, &Renames::new().table("hero", "champion"));
        assert!(
            matches!(&ops[..], [Operation::RenameTable { from, to }] if from == "hero" && to == "champion"),
            "{ops:#?}"
        );
    }

    #[test]
    fn renames_the_models_declare_are_renames_and_stale_ones_nothing() {
        let base = schema([team(), hero()]);
        let renamed = with_hero(|h| {
            h.columns[1].name = "title".into();
            h.columns[1].renamed_from = Some("name".into());
            h.indexes = vec![Index::new("ix_hero_title", names(&["title"]), false)];
        });
        let ops = diff(&base, &renamed);
        assert!(
            matches!(&ops[..], [Operation::RenameColumn { from, to, .. }, Operation::DropIndex { .. }, Operation::CreateIndex { .. }] if from == "name" && to == "title"),
            "{ops:#?}"
        );
        let mut applied = base.clone();
        ops.iter().for_each(|op| op.apply_to(&mut applied));
        assert_eq!(applied, renamed.without_renames());
        assert!(diff(&renamed, &renamed).is_empty(), "a snapshot that holds the rename: nothing to do");
        assert!(diff(&applied, &renamed).is_empty(), "the rename already ran: nothing to do");
        assert!(
            ops.iter().all(|op| !format!("{op:?}").contains("renamed_from: Some")),
            "operations carry no previous names: {ops:#?}"
        );

        let mut champion = champion();
        champion.renamed_from = Some("hero".into());
        let ops = diff(&base, &schema([team(), champion]));
        assert!(
            matches!(&ops[..], [Operation::RenameTable { from, to }] if from == "hero" && to == "champion"),
            "{ops:#?}"
        );
    }

    #[test]
    fn constraints_go_before_their_columns_and_come_after_them() {
        let base = schema([team(), hero()]);
        let without_team_id = with_hero(|h| {
            h.foreign_keys.clear();
            h.columns.retain(|c| c.name != "team_id");
        });
        let ops = checked_diff(&base, &without_team_id, &Renames::new());
        assert!(matches!(&ops[..], [Operation::DropForeignKey { .. }, Operation::DropColumn { .. }]), "{ops:#?}");
        let back = checked_diff(&without_team_id, &base, &Renames::new());
        assert!(matches!(&back[..], [Operation::AddColumn { .. }, Operation::AddForeignKey { .. }]), "{back:#?}");
    }
}
