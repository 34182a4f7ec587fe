//! Operations to SQL, per dialect.
//!
//! An operation the dialect runs in place (per [`crate::AlterSupport`]) becomes its
//! `ALTER`/`CREATE`/`DROP` statement, rendered by sea-query wherever sea-query can say
//! it. What the dialect cannot alter (SQLite: a type, nullability or default change, a
//! constraint added or dropped) becomes a data-preserving table rebuild: the table is
//! created under a temporary name with its new shape, the rows are copied, the old table
//! dropped and the new one renamed, then its indexes made again. Consecutive operations on
//! one table share one rebuild. A rebuild runs with foreign-key enforcement off (so
//! dropping the old table does not cascade) and checks every foreign key before commit.

use sea_query::{Alias, ColumnDef, Expr, Query};

use super::MigrateError;
use super::operation::{Operation, RenamedWithTable, renamed_with_table};
use crate::backend::{Capabilities, Dialect};
use crate::ddl;
use crate::meta::OnDelete;
use crate::schema::{Column, ColumnType, Schema, Table, foreign_key_name, primary_key_name, unique_name};

/// The SQL of a list of operations on one dialect.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Plan {
    /// Statements to run before the transaction opens (they have no effect inside one).
    pub before: Vec<String>,
    /// The statements of the migration, in order, in one transaction where the dialect
    /// has transactional DDL.
    pub statements: Vec<String>,
    /// Queries that must return no rows before the transaction commits: each row found
    /// names a table with a foreign key a rebuild left dangling, and the table it references.
    pub checks: Vec<String>,
    /// Statements to run after the transaction ends, committed or not.
    pub after: Vec<String>,
}

/// How a dialect that rebuilds tables switches off foreign-key enforcement around the
/// rebuild and checks the keys afterwards. Only SQLite rebuilds.
struct RebuildSql {
    enforcement_off: &'static str,
    enforcement_on: &'static str,
    check: &'static str,
}

fn rebuild_sql(dialect: Dialect) -> Option<RebuildSql> {
    match dialect {
        Dialect::Sqlite => Some(RebuildSql {
            enforcement_off: "PRAGMA foreign_keys = OFF",
            enforcement_on: "PRAGMA foreign_keys = ON",
            check: "SELECT \"table\", \"parent\" FROM pragma_foreign_key_check",
        }),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// The prefix of the temporary name a table is rebuilt under.
const REBUILD_PREFIX: &str = "_tm_new_";

/// The SQL that applies `operations` on `dialect` to a database whose schema is `from`
/// (which a rebuild needs, to know every column and constraint the table keeps).
///
/// ```
/// use tablemodel::Dialect;
/// use tablemodel::migrate::{self, Operation};
/// use tablemodel::schema::{Column, ColumnType, Schema};
/// let add = Operation::AddColumn { table: "hero".into(), column: Column::new("age", ColumnType::Integer, true) };
/// let plan = migrate::render(&Schema::new(), &[add], Dialect::Postgres).unwrap();
/// assert_eq!(plan.statements, [r#"ALTER TABLE "hero" ADD COLUMN "age" INTEGER NULL"#]);
/// ```
pub fn render(from: &Schema, operations: &[Operation], dialect: Dialect) -> Result<Plan, MigrateError> {
    let capabilities = dialect.capabilities();
    let mut state = from.clone();
    let mut plan = Plan::default();
    let mut rebuilt = false;
    let mut i = 0;
    while i < operations.len() {
        let op = &operations[i];
        if !needs_rebuild(op, &state, capabilities) {
            plan.statements.extend(statements(op, dialect)?);
            if let Operation::RenameTable { from, to } = op
                && let Some(old) = state.table(from)
            {
                plan.statements.extend(rename_with_table(old, to, dialect)?);
            }
            plan.statements.extend(implicit_index_drop(op, &state, capabilities));
            op.apply_to(&mut state);
            i += 1;
            continue;
        }
        let name = op.table().to_owned();
        let Some(old) = state.table(&name).cloned() else {
            return Err(MigrateError::UnknownTable { table: name });
        };
        while i < operations.len()
            && operations[i].table() == name
            && needs_rebuild(&operations[i], &state, capabilities)
        {
            operations[i].apply_to(&mut state);
            i += 1;
        }
        let new = state.table(&name).cloned().unwrap_or(old.clone());
        plan.statements.extend(rebuild(&old, &new, dialect)?);
        rebuilt = true;
    }
    if rebuilt {
        let Some(sql) = rebuild_sql(dialect) else {
            return Err(MigrateError::Unsupported { dialect, what: "rebuilding a table".into() });
        };
        plan.before.push(sql.enforcement_off.to_owned());
        plan.checks.push(sql.check.to_owned());
        plan.after.push(sql.enforcement_on.to_owned());
    }
    Ok(plan)
}

/// The index InnoDB made for a foreign key that no other index covered, which outlives the
/// key when it is dropped: MySQL creates it under the key's name and drops it only when told.
fn implicit_index_drop(op: &Operation, state: &Schema, capabilities: &Capabilities) -> Option<String> {
    let Operation::DropForeignKey { table, foreign_key } = op else { return None };
    if !capabilities.alter.drop_keys_by_kind {
        return None;
    }
    let t = state.table(table)?;
    let covers = |columns: &[String]| columns.starts_with(&foreign_key.columns);
    let covered = t.primary_key.as_ref().is_some_and(|pk| covers(&pk.columns))
        || t.indexes.iter().any(|i| covers(&i.columns))
        || t.uniques.iter().any(|u| covers(&u.columns));
    (!covered).then(|| format!("ALTER TABLE {} DROP INDEX {}", quote(table), quote(&foreign_key.name)))
}

/// Whether `op` needs a table rebuild on a dialect with `capabilities`, the schema being `state`.
fn needs_rebuild(op: &Operation, state: &Schema, capabilities: &Capabilities) -> bool {
    let alter = &capabilities.alter;
    match op {
        Operation::AddColumn { .. } => !alter.add_column,
        Operation::DropColumn { table, column } => {
            // A column a key, constraint or index still names cannot be dropped in place.
            let named = state.table(table).is_some_and(|t| {
                let names = |cols: &[String]| cols.contains(&column.name);
                t.primary_key.as_ref().is_some_and(|pk| names(&pk.columns))
                    || t.uniques.iter().any(|u| names(&u.columns))
                    || t.foreign_keys.iter().any(|f| names(&f.columns))
                    || t.indexes.iter().any(|i| names(&i.columns))
            });
            !alter.drop_column || named
        }
        Operation::AlterColumn { from, to, .. } => {
            (from.ty != to.ty && !alter.alter_column_type)
                || (from.nullable != to.nullable && !alter.alter_nullability)
                || (from.default != to.default && !alter.alter_default)
                || (from.autoincrement != to.autoincrement && capabilities.identity_column.is_none())
        }
        Operation::AddUnique { .. }
        | Operation::DropUnique { .. }
        | Operation::AddForeignKey { .. }
        | Operation::DropForeignKey { .. }
        | Operation::SetPrimaryKey { .. } => !alter.alter_constraints,
        Operation::RenameColumn { .. } => !alter.rename_column,
        Operation::RenameTable { .. } => !alter.rename_table,
        Operation::CreateTable { .. }
        | Operation::DropTable { .. }
        | Operation::CreateIndex { .. }
        | Operation::DropIndex { .. } => false,
    }
}

/// The statements that rename what a table rename renames with it (table `old`, now
/// named `to`): in place where the dialect can; an index it cannot rename is made again.
fn rename_with_table(old: &Table, to: &str, dialect: Dialect) -> Result<Vec<String>, MigrateError> {
    let alter = dialect.capabilities().alter;
    let mut out = Vec::new();
    for renamed in renamed_with_table(old, to) {
        match renamed {
            RenamedWithTable::ForeignKey { from, to: new } if alter.drop_keys_by_kind => {
                // MySQL cannot rename a foreign key: it is dropped and added again under
                // its new name (the index it uses stays).
                let Some(key) = old.foreign_keys.iter().find(|f| f.name == from) else { continue };
                let mut renamed_key = key.clone();
                renamed_key.name = new;
                let drop = Operation::DropForeignKey { table: to.to_owned(), foreign_key: key.clone() };
                let add = Operation::AddForeignKey { table: to.to_owned(), foreign_key: renamed_key };
                out.extend(statements(&drop, dialect)?);
                out.extend(statements(&add, dialect)?);
            }
            RenamedWithTable::Unique { from, to: new } | RenamedWithTable::Index { from, to: new, .. }
                if alter.drop_keys_by_kind =>
            {
                // MySQL's unique keys are indexes, renamed through their table.
                out.push(format!("ALTER TABLE {} RENAME INDEX {} TO {}", quote(to), quote(&from), quote(&new)));
            }
            RenamedWithTable::PrimaryKey { from, to: new }
            | RenamedWithTable::Unique { from, to: new }
            | RenamedWithTable::ForeignKey { from, to: new } => {
                if alter.rename_constraint {
                    out.push(format!(
                        "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
                        quote(to),
                        quote(&from),
                        quote(&new)
                    ));
                }
            }
            RenamedWithTable::Index { from, to: new, index } => {
                if alter.rename_index {
                    out.push(format!("ALTER INDEX {} RENAME TO {}", quote(&from), quote(&new)));
                } else {
                    let mut stmt = sea_query::Index::drop();
                    stmt.name(&from);
                    out.push(dialect.render_schema(&stmt));
                    let mut create = sea_query::Index::create();
                    create.name(&new).table(Alias::new(to));
                    for c in &index.columns {
                        create.col(Alias::new(c));
                    }
                    if index.unique {
                        create.unique();
                    }
                    out.push(dialect.render_schema(&create));
                }
            }
        }
    }
    Ok(out)
}

/// A quoted identifier, for the statements sea-query cannot build.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quoted_list(names: &[String]) -> String {
    names.iter().map(|n| quote(n)).collect::<Vec<_>>().join(", ")
}

/// A column as sea-query defines it in `ADD COLUMN`.
fn column_def(column: &Column, dialect: Dialect) -> ColumnDef {
    let ty = ddl::type_name(&column.ty, dialect);
    let mut def = ColumnDef::new_with_type(Alias::new(&column.name), sea_query::ColumnType::custom(ty));
    if column.nullable {
        def.null();
    } else {
        def.not_null();
    }
    if let Some(default) = &column.default {
        def.default(Expr::cust(default.clone()));
    }
    if let ColumnType::Enum { labels, .. } = &column.ty
        && !crate::schema::dialect::of(dialect).native_enums()
    {
        def.extra(ddl::enum_check(&column.name, labels));
    }
    def
}

/// The statement creating `column`'s enum type where the dialect has named enum types.
fn enum_type(column: &Column, dialect: Dialect) -> Vec<String> {
    match &column.ty {
        ColumnType::Enum { name, labels } => {
            crate::schema::dialect::of(dialect).create_enum_type(name, labels).into_iter().collect()
        }
        _ => Vec::new(),
    }
}

fn alter(table: &str) -> sea_query::TableAlterStatement {
    let mut stmt = sea_query::Table::alter();
    stmt.table(Alias::new(table));
    stmt
}

/// The statements of one operation the dialect runs in place.
fn statements(op: &Operation, dialect: Dialect) -> Result<Vec<String>, MigrateError> {
    Ok(match op {
        Operation::CreateTable { table } => {
            let mut out = ddl::create_type_statements(table, dialect);
            out.extend(ddl::create_table_statements(table, dialect));
            out
        }
        Operation::DropTable { table } => {
            let mut drop = sea_query::Table::drop();
            drop.table(Alias::new(&table.name));
            vec![dialect.render_schema(&drop)]
        }
        Operation::RenameTable { from, to } => {
            let mut rename = sea_query::Table::rename();
            rename.table(Alias::new(from), Alias::new(to));
            vec![dialect.render_schema(&rename)]
        }
        Operation::AddColumn { table, column } => {
            let mut out = enum_type(column, dialect);
            out.push(dialect.render_schema(alter(table).add_column(column_def(column, dialect))));
            out
        }
        Operation::DropColumn { table, column } => {
            vec![dialect.render_schema(alter(table).drop_column(Alias::new(&column.name)))]
        }
        Operation::RenameColumn { table, from, to } => {
            vec![dialect.render_schema(alter(table).rename_column(Alias::new(from), Alias::new(to)))]
        }
        Operation::AlterColumn { table, from, to } => alter_column(table, from, to, dialect),
        Operation::CreateIndex { table, index } => {
            let mut stmt = sea_query::Index::create();
            stmt.name(&index.name).table(Alias::new(table));
            for c in &index.columns {
                stmt.col(Alias::new(c));
            }
            if index.unique {
                stmt.unique();
            }
            // An index built by hand beforehand (`CONCURRENTLY`, as the lock warning
            // recommends) makes this step do nothing.
            stmt.if_not_exists();
            vec![dialect.render_schema(&stmt)]
        }
        Operation::DropIndex { table, index } => {
            let mut stmt = sea_query::Index::drop();
            stmt.name(&index.name);
            if dialect.capabilities().alter.drop_keys_by_kind {
                stmt.table(Alias::new(table));
            }
            vec![dialect.render_schema(&stmt)]
        }
        // sea-query's ALTER TABLE has no named UNIQUE or PRIMARY KEY constraint to add.
        Operation::AddUnique { table, unique } => vec![format!(
            "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({})",
            quote(table),
            quote(&unique.name),
            quoted_list(&unique.columns)
        )],
        Operation::DropUnique { table, unique } if dialect.capabilities().alter.drop_keys_by_kind => {
            vec![format!("ALTER TABLE {} DROP INDEX {}", quote(table), quote(&unique.name))]
        }
        Operation::DropUnique { table, unique } => {
            vec![dialect.render_schema(alter(table).drop_constraint(Alias::new(&unique.name)))]
        }
        Operation::AddForeignKey { table, foreign_key: fk } => {
            let mut stmt = sea_query::ForeignKey::create();
            stmt.name(&fk.name).from_tbl(Alias::new(table)).to_tbl(Alias::new(&fk.referenced_table));
            for c in &fk.columns {
                stmt.from_col(Alias::new(c));
            }
            for c in &fk.referenced_columns {
                stmt.to_col(Alias::new(c));
            }
            if fk.on_delete != OnDelete::NoAction {
                stmt.on_delete(ddl::foreign_key_action(fk.on_delete));
            }
            vec![dialect.render_schema(&stmt)]
        }
        Operation::DropForeignKey { table, foreign_key } => {
            let mut stmt = sea_query::ForeignKey::drop();
            stmt.name(&foreign_key.name).table(Alias::new(table));
            vec![dialect.render_schema(&stmt)]
        }
        Operation::SetPrimaryKey { table, from, to } => {
            let mut out = Vec::new();
            match from {
                // In one statement: an AUTO_INCREMENT column must stay part of a key.
                Some(_) if dialect.capabilities().alter.drop_keys_by_kind => {
                    let add = to.as_ref().map_or(String::new(), |pk| {
                        format!(", ADD CONSTRAINT {} PRIMARY KEY ({})", quote(&pk.name), quoted_list(&pk.columns))
                    });
                    out.push(format!("ALTER TABLE {} DROP PRIMARY KEY{add}", quote(table)));
                    return Ok(out);
                }
                Some(pk) => out.push(dialect.render_schema(alter(table).drop_constraint(Alias::new(&pk.name)))),
                None => {}
            }
            if let Some(pk) = to {
                out.push(format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY ({})",
                    quote(table),
                    quote(&pk.name),
                    quoted_list(&pk.columns)
                ));
            }
            out
        }
    })
}

/// `ALTER COLUMN` for each property that changed. Rows left NULL by a column that becomes
/// `NOT NULL` with a server default get the default first.
fn alter_column(table: &str, from: &Column, to: &Column, dialect: Dialect) -> Vec<String> {
    let mut out = Vec::new();
    let column = || Alias::new(&to.name);
    if dialect.capabilities().alter.modify_whole_column {
        if let (true, false, Some(default)) = (from.nullable, to.nullable, &to.default) {
            out.push(fill_nulls(table, &to.name, default, dialect));
        }
        let mut def = column_def(to, dialect);
        if to.autoincrement
            && let Some(identity) = dialect.capabilities().identity_column
        {
            def.extra(identity);
        }
        let mut modify = dialect.render_schema(alter(table).modify_column(&mut def));
        if let (ColumnType::Enum { labels: old, .. }, ColumnType::Enum { labels: new, .. }) = (&from.ty, &to.ty)
            && !old.iter().all(|label| new.contains(label))
        {
            modify.push_str(dialect.capabilities().alter.recheck_rows);
        }
        out.push(modify);
        return out;
    }
    match (&from.ty, &to.ty) {
        (same, ty) if same == ty => {}
        (ColumnType::Enum { name, labels: old }, ColumnType::Enum { name: new_name, labels: new })
            if name == new_name =>
        {
            out.extend(crate::schema::dialect::of(dialect).change_enum_labels(table, to, name, old, new));
        }
        (from_ty, to_ty) => {
            out.extend(enum_type(to, dialect));
            // sea-query's `ALTER COLUMN … TYPE` has no `USING`, without which PostgreSQL
            // refuses any change that is not an implicit cast (text to integer, say); an enum
            // casts to another type only through its text.
            let ty = ddl::type_name(to_ty, dialect);
            let via_text = if matches!(from_ty, ColumnType::Enum { .. }) { "::text" } else { "" };
            out.push(format!(
                "ALTER TABLE {} ALTER COLUMN {} TYPE {ty} USING {}{via_text}::{ty}",
                quote(table),
                quote(&to.name),
                quote(&to.name)
            ));
        }
    }
    if from.default != to.default {
        match &to.default {
            Some(default) => {
                let mut def = ColumnDef::new(column());
                def.default(Expr::cust(default.clone()));
                out.push(dialect.render_schema(alter(table).modify_column(&mut def)));
            }
            // sea-query has no `DROP DEFAULT`.
            None => out.push(format!("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT", quote(table), quote(&to.name))),
        }
    }
    if from.nullable != to.nullable {
        if let (false, Some(default)) = (to.nullable, &to.default) {
            out.push(fill_nulls(table, &to.name, default, dialect));
        }
        let mut def = ColumnDef::new(column());
        if to.nullable {
            def.null();
        } else {
            def.not_null();
        }
        out.push(dialect.render_schema(alter(table).modify_column(&mut def)));
    }
    if from.autoincrement != to.autoincrement
        && let Some(identity) = dialect.capabilities().identity_column
    {
        // sea-query cannot add or drop an identity on an existing column.
        let change = if to.autoincrement { format!("ADD {identity}") } else { "DROP IDENTITY IF EXISTS".to_owned() };
        out.push(format!("ALTER TABLE {} ALTER COLUMN {} {change}", quote(table), quote(&to.name)));
    }
    out
}

/// The `UPDATE` that gives the rows where `column` is NULL its server default, before the
/// column becomes `NOT NULL`.
fn fill_nulls(table: &str, column: &str, default: &str, dialect: Dialect) -> String {
    let mut fill = Query::update();
    fill.table(Alias::new(table))
        .value(Alias::new(column), Expr::cust(default.to_owned()))
        .and_where(sea_query::ExprTrait::is_null(Expr::col(Alias::new(column))));
    dialect.render(&fill).0
}

/// The statements that rebuild table `old` as `new` (same name), keeping its rows.
fn rebuild(old: &Table, new: &Table, dialect: Dialect) -> Result<Vec<String>, MigrateError> {
    let temp_name = format!("{REBUILD_PREFIX}{}", new.name);
    let mut temp = new.clone();
    temp.name.clone_from(&temp_name);
    temp.indexes.clear();
    // Constraints under the table's default names keep default names under the temporary
    // one, so the DDL does not spell them out.
    if let Some(pk) = &mut temp.primary_key
        && pk.name == primary_key_name(&new.name)
    {
        pk.name = primary_key_name(&temp_name);
    }
    for u in &mut temp.uniques {
        if u.name == unique_name(&new.name, &u.columns) {
            u.name = unique_name(&temp_name, &u.columns);
        }
    }
    for fk in &mut temp.foreign_keys {
        if fk.name == foreign_key_name(&new.name, &fk.columns) {
            fk.name = foreign_key_name(&temp_name, &fk.columns);
        }
    }
    let create = ddl::create_table_statements(&temp, dialect);
    let mut out = vec![create[0].clone()];

    let kept: Vec<&Column> = new.columns.iter().filter(|c| old.column(&c.name).is_some()).collect();
    if !kept.is_empty() {
        let mut copy = Query::insert();
        copy.into_table(Alias::new(&temp_name)).columns(kept.iter().map(|c| Alias::new(&c.name)));
        let mut select = Query::select();
        select.from(Alias::new(&old.name));
        for c in &kept {
            let before = old.column(&c.name).filter(|b| b.nullable);
            match (before, c.nullable, &c.default) {
                // NULLs of a column that becomes NOT NULL take its server default.
                (Some(_), false, Some(default)) => {
                    select.expr(Expr::cust(format!("COALESCE({}, {default})", quote(&c.name))));
                }
                _ => {
                    select.column(Alias::new(&c.name));
                }
            }
        }
        copy.select_from(select).map_err(|e| MigrateError::Unsupported { dialect, what: e.to_string() })?;
        out.push(dialect.render(&copy).0);
    }

    let mut drop = sea_query::Table::drop();
    drop.table(Alias::new(&old.name));
    out.push(dialect.render_schema(&drop));
    let mut rename = sea_query::Table::rename();
    rename.table(Alias::new(&temp_name), Alias::new(&new.name));
    out.push(dialect.render_schema(&rename));
    out.extend(ddl::create_table_statements(new, dialect).into_iter().skip(1));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{ColumnType, Index, PrimaryKey};

    fn hero() -> Schema {
        let mut t = Table::new("hero");
        t.columns = vec![
            Column::new("id", ColumnType::BigInt, false).with_autoincrement(true),
            Column::new("name", ColumnType::Varchar(None), false),
            Column::new("age", ColumnType::Integer, true),
        ];
        t.primary_key = Some(PrimaryKey::new("hero_pkey", vec!["id".into()]));
        t.indexes = vec![Index::new("ix_hero_name", vec!["name".into()], false)];
        let mut s = Schema::new();
        s.insert(t);
        s
    }

    fn age_to(ty: ColumnType, nullable: bool, default: Option<&str>) -> Operation {
        let mut to = Column::new("age", ty, nullable);
        to.default = default.map(str::to_owned);
        Operation::AlterColumn { table: "hero".into(), from: Column::new("age", ColumnType::Integer, true), to }
    }

    #[test]
    fn postgres_alters_in_place_casting_with_using() {
        let plan = render(&hero(), &[age_to(ColumnType::BigInt, false, Some("0"))], Dialect::Postgres).unwrap();
        assert_eq!(
            plan.statements,
            [
                r#"ALTER TABLE "hero" ALTER COLUMN "age" TYPE BIGINT USING "age"::BIGINT"#,
                r#"ALTER TABLE "hero" ALTER COLUMN "age" SET DEFAULT 0"#,
                r#"UPDATE "hero" SET "age" = 0 WHERE "age" IS NULL"#,
                r#"ALTER TABLE "hero" ALTER COLUMN "age" SET NOT NULL"#,
            ]
        );
        assert!(plan.before.is_empty() && plan.checks.is_empty() && plan.after.is_empty());
    }

    #[test]
    fn sqlite_rebuilds_what_it_cannot_alter_keeping_rows_and_indexes() {
        let ops = [age_to(ColumnType::Integer, false, Some("0")), age_to(ColumnType::BigInt, false, Some("0"))];
        // Two changes to one table: one rebuild.
        let plan = render(&hero().for_dialect(Dialect::Sqlite), &ops, Dialect::Sqlite).unwrap();
        assert_eq!(plan.before, ["PRAGMA foreign_keys = OFF"]);
        assert_eq!(
            plan.statements,
            [
                r#"CREATE TABLE IF NOT EXISTS "_tm_new_hero" ( "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR NOT NULL, "age" INTEGER NOT NULL DEFAULT 0 )"#,
                r#"INSERT INTO "_tm_new_hero" ("id", "name", "age") SELECT "id", "name", COALESCE("age", 0) FROM "hero""#,
                r#"DROP TABLE "hero""#,
                r#"ALTER TABLE "_tm_new_hero" RENAME TO "hero""#,
                r#"CREATE INDEX IF NOT EXISTS "ix_hero_name" ON "hero" ("name")"#,
            ]
        );
        assert_eq!(plan.checks, [r#"SELECT "table", "parent" FROM pragma_foreign_key_check"#]);
        assert_eq!(plan.after, ["PRAGMA foreign_keys = ON"]);
    }

    #[test]
    fn sqlite_alters_in_place_what_it_can() {
        let add = Operation::AddColumn { table: "hero".into(), column: Column::new("power", ColumnType::Text, true) };
        let rename = Operation::RenameColumn { table: "hero".into(), from: "age".into(), to: "years".into() };
        let plan = render(&hero(), &[add, rename], Dialect::Sqlite).unwrap();
        assert_eq!(
            plan.statements,
            [
                r#"ALTER TABLE "hero" ADD COLUMN "power" TEXT NULL"#,
                r#"ALTER TABLE "hero" RENAME COLUMN "age" TO "years""#,
            ]
        );
        assert!(plan.before.is_empty(), "no rebuild, no pragma");
    }
}
