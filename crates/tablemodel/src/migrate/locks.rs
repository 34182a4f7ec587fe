//! [`lock_warnings`]: the operations of a migration that lock or rewrite a big table on a
//! dialect that can change tables in use ([`crate::OnlineDdl`]), each with the safer
//! sequence of statements that does the same without blocking it for long.
//!
//! `revision` writes them into the generated file as `# WARNING` comments over their steps
//! and prints them; `check` prints those of the changes it finds; `upgrade --sql` writes
//! those of its dialect as SQL comments. They change nothing that
//! runs. A table the same migration creates is empty, so nothing done to it is flagged.

use std::collections::BTreeSet;
use std::fmt;

use super::operation::Operation;
use crate::OnlineDdl;
use crate::backend::Dialect;
use crate::ddl;
use crate::schema::{Column, ColumnType, labels_only_added};

/// What an operation does that blocks a table in use.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LockHazard {
    /// A `NOT NULL` column without a server default is added: every existing row needs a
    /// value, so the statement fails on a table with rows, or needs a rewrite.
    NotNullColumnWithoutDefault {
        /// The column.
        column: String,
    },
    /// An existing column becomes `NOT NULL`: the whole table is scanned under an
    /// exclusive lock.
    SetNotNull {
        /// The column.
        column: String,
    },
    /// A column's type changes: the table is rewritten under an exclusive lock.
    TypeChange {
        /// The column.
        column: String,
    },
    /// An index is built without `CONCURRENTLY`: writes to the table wait until it is
    /// built. Also a unique constraint or primary key added to an existing table, which
    /// builds its index the same way.
    IndexWithoutConcurrently {
        /// The index or constraint.
        index: String,
    },
    /// A foreign key is added without `NOT VALID`: every row is checked while writes to
    /// both tables wait.
    ForeignKeyWithoutNotValid {
        /// The constraint.
        foreign_key: String,
    },
}

/// One operation that blocks a table in use, and the safer way to do it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LockWarning {
    /// The dialect on which it blocks.
    pub dialect: Dialect,
    /// The table it blocks.
    pub table: String,
    /// What blocks it.
    pub hazard: LockHazard,
    /// What happens, in a sentence.
    pub message: String,
    /// The safer sequence, one step a line (SQL statements, or what to do between them).
    pub safer: Vec<String>,
}

impl fmt::Display for LockWarning {
    /// The warning and its safer sequence, one line each, for a comment.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if !self.safer.is_empty() {
            write!(f, "\nsafer:")?;
        }
        for (i, step) in self.safer.iter().enumerate() {
            write!(f, "\n  {}. {step}", i + 1)?;
        }
        Ok(())
    }
}

impl LockWarning {
    /// The warning as TOML comment lines, as `revision` writes it over its step:
    ///
    /// ```text
    /// # WARNING: postgres lock: creating index "ix_hero_age" blocks writes to "hero" until it is built
    /// # safer:
    /// #   1. CREATE INDEX CONCURRENTLY "ix_hero_age" ON "hero" ("age")
    /// ```
    pub fn comment(&self) -> String {
        let mut out = String::new();
        for (i, line) in self.to_string().lines().enumerate() {
            match i {
                0 => out.push_str(&format!("# WARNING: {} lock: {line}\n", self.dialect.name())),
                _ => out.push_str(&format!("# {line}\n")),
            }
        }
        out
    }
}

/// The operations of `operations` that lock or rewrite a table in use on `dialect`, in
/// order, each with the safer sequence. Empty on a dialect with no way around the locks
/// (SQLite locks the whole database for any write).
///
/// ```
/// use tablemodel::Dialect;
/// use tablemodel::migrate::{self, LockHazard, Operation};
/// use tablemodel::schema::{Column, ColumnType, Index};
/// let ops = [
///     Operation::AddColumn { table: "hero".into(), column: Column::new("age", ColumnType::Integer, false) },
///     Operation::CreateIndex { table: "hero".into(), index: Index::new("ix_hero_age", vec!["age".into()], false) },
/// ];
/// let warnings = migrate::lock_warnings(&ops, Dialect::Postgres);
/// assert!(matches!(warnings[0].hazard, LockHazard::NotNullColumnWithoutDefault { .. }));
/// assert_eq!(warnings[1].safer[0], r#"CREATE INDEX CONCURRENTLY "ix_hero_age" ON "hero" ("age")"#);
/// assert!(migrate::lock_warnings(&ops, Dialect::Sqlite).is_empty());
/// ```
pub fn lock_warnings(operations: &[Operation], dialect: Dialect) -> Vec<LockWarning> {
    per_operation(operations, dialect).into_iter().flatten().collect()
}

/// The lock warnings of `operations` on every dialect, each with the index of its
/// operation in `operations`, in order of operation (then of [`Dialect::ALL`]).
pub(crate) fn lock_warnings_by_operation<'a>(
    operations: impl IntoIterator<Item = &'a Operation> + Clone,
) -> Vec<(usize, LockWarning)> {
    let mut out: Vec<(usize, LockWarning)> = Dialect::ALL
        .iter()
        .flat_map(|&dialect| {
            per_operation(operations.clone(), dialect).into_iter().enumerate().filter_map(|(i, w)| w.map(|w| (i, w)))
        })
        .collect();
    out.sort_by_key(|(i, _)| *i);
    out
}

/// One entry per operation: its lock warning on `dialect`, if it has one.
fn per_operation<'a>(
    operations: impl IntoIterator<Item = &'a Operation>,
    dialect: Dialect,
) -> Vec<Option<LockWarning>> {
    let online = dialect.capabilities().online_ddl;
    let mut created: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    for op in operations {
        if let Operation::CreateTable { table } = op {
            created.insert(&table.name);
        }
        out.push(match online {
            Some(online) if !created.contains(op.table()) => warning(op, &online, dialect),
            _ => None,
        });
    }
    out
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quoted_list(names: &[String]) -> String {
    names.iter().map(|n| quote(n)).collect::<Vec<_>>().join(", ")
}

fn warning(op: &Operation, online: &OnlineDdl, dialect: Dialect) -> Option<LockWarning> {
    let concurrently = online.concurrent_index;
    let not_valid = online.not_valid;
    let (table, hazard, message, safer) = match op {
        Operation::AddColumn { table, column } if !column.nullable && column.default.is_none() => {
            let (t, c) = (quote(table), quote(&column.name));
            let ty = ddl::type_name(&column.ty, dialect);
            (
                table,
                LockHazard::NotNullColumnWithoutDefault { column: column.name.clone() },
                format!("adding NOT NULL column {c} to {t} without a server default fails if the table has rows"),
                [
                    format!("ALTER TABLE {t} ADD COLUMN {c} {ty} NULL"),
                    format!("fill {c} in batches: UPDATE {t} SET {c} = … WHERE <key range> AND {c} IS NULL"),
                ]
                .into_iter()
                .chain(set_not_null_steps(table, &column.name, not_valid))
                .collect(),
            )
        }
        Operation::AlterColumn { table, from, to } if from.ty != to.ty && rewrites(from, to, online) => {
            let (t, c) = (quote(table), quote(&to.name));
            let new = quote(&format!("{}_new", to.name));
            let ty = ddl::type_name(&to.ty, dialect);
            (
                table,
                LockHazard::TypeChange { column: to.name.clone() },
                format!("changing the type of {t}.{c} to {ty} rewrites the whole table while reads and writes wait"),
                vec![
                    format!("ALTER TABLE {t} ADD COLUMN {new} {ty} NULL"),
                    format!("keep {new} in step with {c} on writes (a trigger, or the application)"),
                    format!("fill {new} in batches: UPDATE {t} SET {new} = {c}::{ty} WHERE <key range>"),
                    format!("in a later migration: drop {c}, rename {new} to {c}"),
                ],
            )
        }
        Operation::AlterColumn { table, from, to } if from.nullable && !to.nullable => (
            table,
            LockHazard::SetNotNull { column: to.name.clone() },
            format!(
                "making {}.{} NOT NULL scans the whole table while reads and writes wait",
                quote(table),
                quote(&to.name)
            ),
            set_not_null_steps(table, &to.name, not_valid),
        ),
        Operation::CreateIndex { table, index } => {
            let unique = if index.unique { "UNIQUE " } else { "" };
            (
                table,
                LockHazard::IndexWithoutConcurrently { index: index.name.clone() },
                format!("creating index {} blocks writes to {} until it is built", quote(&index.name), quote(table)),
                vec![
                    format!(
                        "CREATE {unique}INDEX {concurrently} {} ON {} ({})",
                        quote(&index.name),
                        quote(table),
                        quoted_list(&index.columns)
                    ),
                    format!(
                        "(outside a transaction; if it fails, DROP INDEX {concurrently} the invalid index and retry)"
                    ),
                ],
            )
        }
        Operation::AddUnique { table, unique } => (
            table,
            LockHazard::IndexWithoutConcurrently { index: unique.name.clone() },
            format!(
                "adding unique constraint {} builds its index while writes to {} wait",
                quote(&unique.name),
                quote(table)
            ),
            vec![
                format!(
                    "CREATE UNIQUE INDEX {concurrently} {} ON {} ({}) (outside a transaction)",
                    quote(&unique.name),
                    quote(table),
                    quoted_list(&unique.columns)
                ),
                format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE USING INDEX {}",
                    quote(table),
                    quote(&unique.name),
                    quote(&unique.name)
                ),
            ],
        ),
        Operation::SetPrimaryKey { table, to: Some(pk), .. } => (
            table,
            LockHazard::IndexWithoutConcurrently { index: pk.name.clone() },
            format!("adding primary key {} builds its index while writes to {} wait", quote(&pk.name), quote(table)),
            vec![
                format!(
                    "CREATE UNIQUE INDEX {concurrently} {} ON {} ({}) (outside a transaction)",
                    quote(&pk.name),
                    quote(table),
                    quoted_list(&pk.columns)
                ),
                format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY USING INDEX {}",
                    quote(table),
                    quote(&pk.name),
                    quote(&pk.name)
                ),
            ],
        ),
        Operation::AddForeignKey { table, foreign_key: fk } => {
            let on_delete = match fk.on_delete {
                crate::OnDelete::NoAction => String::new(),
                other => format!(" ON DELETE {}", other.as_sql()),
            };
            (
                table,
                LockHazard::ForeignKeyWithoutNotValid { foreign_key: fk.name.clone() },
                format!(
                    "adding foreign key {} checks every row of {} while writes to it and to {} wait",
                    quote(&fk.name),
                    quote(table),
                    quote(&fk.referenced_table)
                ),
                vec![
                    format!(
                        "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}){on_delete} {not_valid}",
                        quote(table),
                        quote(&fk.name),
                        quoted_list(&fk.columns),
                        quote(&fk.referenced_table),
                        quoted_list(&fk.referenced_columns)
                    ),
                    format!(
                        "ALTER TABLE {} VALIDATE CONSTRAINT {} (in a separate transaction)",
                        quote(table),
                        quote(&fk.name)
                    ),
                ],
            )
        }
        _ => return None,
    };
    Some(LockWarning { dialect, table: table.clone(), hazard, message, safer })
}

/// Making a column `NOT NULL` without a long exclusive lock: a `CHECK` added without
/// checking, validated without blocking writes, which `SET NOT NULL` then trusts.
fn set_not_null_steps(table: &str, column: &str, not_valid: &str) -> Vec<String> {
    let (t, c) = (quote(table), quote(column));
    let check = quote(&format!("{table}_{column}_not_null"));
    vec![
        format!("ALTER TABLE {t} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) {not_valid}"),
        format!("ALTER TABLE {t} VALIDATE CONSTRAINT {check} (in a separate transaction)"),
        format!("ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL"),
        format!("ALTER TABLE {t} DROP CONSTRAINT {check}"),
    ]
}

/// Whether changing `from`'s type to `to`'s rewrites the table: everywhere the dialect
/// rewrites on a type change, except the widenings stored the same way.
fn rewrites(from: &Column, to: &Column, online: &OnlineDdl) -> bool {
    use ColumnType::{Enum, Numeric, Text, Varchar};
    if !online.type_change_rewrites {
        return false;
    }
    let same_storage = match (&from.ty, &to.ty) {
        (Varchar(Some(a)), Varchar(Some(b))) => a <= b,
        (Varchar(_), Varchar(None) | Text) => true,
        (Numeric(Some(_)), Numeric(None)) => true,
        (Numeric(Some((p1, s1))), Numeric(Some((p2, s2)))) => s1 == s2 && p1 <= p2,
        // Labels added to an enum type (the old ones kept, in order): `ADD VALUE`, no rewrite.
        (Enum { name: a, labels: la }, Enum { name: b, labels: lb }) => a == b && labels_only_added(la, lb),
        _ => false,
    };
    !same_storage
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::OnDelete;
    use crate::schema::{ForeignKey, Index, Table, UniqueConstraint};

    fn col(name: &str, ty: ColumnType, nullable: bool) -> Column {
        Column::new(name, ty, nullable)
    }

    #[test]
    fn adding_enum_labels_rewrites_nothing_and_removing_them_does() {
        let power = |labels: &[&str]| {
            col(
                "power",
                ColumnType::Enum { name: "power".into(), labels: labels.iter().map(|l| (*l).into()).collect() },
                false,
            )
        };
        let alter = |from, to| Operation::AlterColumn { table: "hero".into(), from, to };
        let added = [alter(power(&["fire", "ice"]), power(&["earth", "fire", "ice", "wind"]))];
        assert!(lock_warnings(&added, Dialect::Postgres).is_empty());
        let removed = [alter(power(&["fire", "ice"]), power(&["fire"]))];
        let warnings = lock_warnings(&removed, Dialect::Postgres);
        assert_eq!(
            warnings.iter().map(|w| w.hazard.clone()).collect::<Vec<_>>(),
            [LockHazard::TypeChange { column: "power".into() }]
        );
    }

    fn hazards(ops: &[Operation]) -> Vec<LockHazard> {
        lock_warnings(ops, Dialect::Postgres).into_iter().map(|w| w.hazard).collect()
    }

    #[test]
    fn each_blocking_operation_is_flagged_with_its_safer_sequence() {
        let t = || "hero".to_owned();
        let alter = |from: Column, to: Column| Operation::AlterColumn { table: t(), from, to };
        let fk =
            ForeignKey::new("hero_team_id_fkey", vec!["team_id".into()], "team", vec!["id".into()], OnDelete::Cascade);
        let ops = [
            Operation::AddColumn { table: t(), column: col("power", ColumnType::Text, false) },
            alter(col("age", ColumnType::Integer, true), col("age", ColumnType::BigInt, true)),
            alter(col("age", ColumnType::Integer, true), col("age", ColumnType::Integer, false).with_default("0")),
            Operation::CreateIndex { table: t(), index: Index::new("ix_hero_age", vec!["age".into()], true) },
            Operation::AddForeignKey { table: t(), foreign_key: fk },
            Operation::AddUnique { table: t(), unique: UniqueConstraint::new("hero_name_key", vec!["name".into()]) },
        ];
        let warnings = lock_warnings(&ops, Dialect::Postgres);
        assert_eq!(
            warnings.iter().map(|w| w.hazard.clone()).collect::<Vec<_>>(),
            [
                LockHazard::NotNullColumnWithoutDefault { column: "power".into() },
                LockHazard::TypeChange { column: "age".into() },
                LockHazard::SetNotNull { column: "age".into() },
                LockHazard::IndexWithoutConcurrently { index: "ix_hero_age".into() },
                LockHazard::ForeignKeyWithoutNotValid { foreign_key: "hero_team_id_fkey".into() },
                LockHazard::IndexWithoutConcurrently { index: "hero_name_key".into() },
            ]
        );
        assert_eq!(warnings[0].safer[0], r#"ALTER TABLE "hero" ADD COLUMN "power" TEXT NULL"#);
        assert_eq!(
            warnings[0].safer[2],
            r#"ALTER TABLE "hero" ADD CONSTRAINT "hero_power_not_null" CHECK ("power" IS NOT NULL) NOT VALID"#
        );
        assert_eq!(warnings[3].safer[0], r#"CREATE UNIQUE INDEX CONCURRENTLY "ix_hero_age" ON "hero" ("age")"#);
        assert_eq!(
            warnings[4].safer,
            [
                r#"ALTER TABLE "hero" ADD CONSTRAINT "hero_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "team" ("id") ON DELETE CASCADE NOT VALID"#,
                r#"ALTER TABLE "hero" VALIDATE CONSTRAINT "hero_team_id_fkey" (in a separate transaction)"#,
            ]
        );
        let text = warnings[4].to_string();
        assert!(text.starts_with("adding foreign key \"hero_team_id_fkey\" checks every row"), "{text}");
        assert!(text.contains("\nsafer:\n  1. ALTER TABLE"), "{text}");
        assert!(lock_warnings(&ops, Dialect::Sqlite).is_empty(), "SQLite locks the database whatever is done");
        assert_eq!(
            warnings[3].comment(),
            "# WARNING: postgres lock: creating index \"ix_hero_age\" blocks writes to \"hero\" until it is built\n\
             # safer:\n\
             #   1. CREATE UNIQUE INDEX CONCURRENTLY \"ix_hero_age\" ON \"hero\" (\"age\")\n\
             #   2. (outside a transaction; if it fails, DROP INDEX CONCURRENTLY the invalid index and retry)\n"
        );
        let by_op = lock_warnings_by_operation(&ops);
        assert_eq!(by_op.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [0, 1, 2, 3, 4, 5]);
        assert!(by_op.iter().all(|(_, w)| w.dialect == Dialect::Postgres));
    }

    #[test]
    fn what_does_not_block_is_not_flagged() {
        let t = || "hero".to_owned();
        let alter = |from: Column, to: Column| Operation::AlterColumn { table: t(), from, to };
        let mut new_table = Table::new("team");
        new_table.columns = vec![col("id", ColumnType::BigInt, false)];
        let ops = [
            Operation::AddColumn { table: t(), column: col("age", ColumnType::Integer, true) },
            Operation::AddColumn { table: t(), column: col("level", ColumnType::Integer, false).with_default("1") },
            alter(
                col("name", ColumnType::Varchar(Some(20)), false),
                col("name", ColumnType::Varchar(Some(100)), false),
            ),
            alter(col("name", ColumnType::Varchar(Some(20)), false), col("name", ColumnType::Text, false)),
            alter(col("age", ColumnType::Integer, false), col("age", ColumnType::Integer, true)),
            Operation::DropIndex { table: t(), index: Index::new("ix_hero_age", vec!["age".into()], false) },
            // A table this migration creates is empty: its index and keys block nothing.
            Operation::CreateTable { table: new_table },
            Operation::CreateIndex { table: "team".into(), index: Index::new("ix_team_id", vec!["id".into()], false) },
        ];
        assert_eq!(hazards(&ops), []);
    }
}
