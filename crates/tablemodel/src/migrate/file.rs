//! [`Migration`]: one migration as a reviewable, dialect-neutral TOML file — its place in
//! the history, its `up` and `down` steps, and warning comments over the steps that
//! destroy data or cannot be undone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Inverse, MigrateError, Operation};
use crate::backend::Dialect;

/// One migration of a history: the operations that move a schema from its parent's
/// revision to its own (`up`) and back (`down`).
///
/// It is kept as a TOML file (see [the module docs](super#the-migration-file)); its
/// [`checksum`](Migration::checksum) is that of the file's text with line endings
/// normalized, recorded when the migration is applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Migration {
    /// The revision id (12 hex digits).
    pub id: String,
    /// The revision this one follows; `None` for the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// What the migration does, as given to `revision -m`.
    pub message: String,
    /// When the file was generated (RFC 3339, UTC).
    pub created: String,
    /// Whether its destructive steps were allowed when it was generated; `upgrade` runs
    /// them only then, or when told to.
    #[serde(default)]
    pub allow_destructive: bool,
    /// The migrations this one stands for, when it is a squash of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<String>,
    /// The steps of the upgrade, in order.
    #[serde(default)]
    pub up: Vec<Step>,
    /// The steps that undo the upgrade, in order.
    #[serde(default)]
    pub down: Vec<Step>,
    /// The checksum of the text the migration was read from.
    #[serde(skip)]
    pub(crate) checksum: String,
    /// Where it was read from (a file's path, or the name it was embedded under).
    #[serde(skip)]
    pub(crate) source: String,
}

/// A step of a migration: a schema [`Operation`], or raw SQL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
// A migration holds a handful of steps, read once: boxing the operation would only make
// every match on a step dereference it.
#[allow(clippy::large_enum_variant)]
pub enum Step {
    /// A dialect-neutral change to the schema, rendered for the database at apply time.
    Operation(Operation),
    /// SQL written by hand (data moves, triggers), the same for every dialect or one
    /// variant per dialect.
    Sql(SqlStep),
}

/// Raw SQL in a migration: `sql = "…"` for every dialect, and/or a variant per dialect
/// under its [`Dialect::name`] (`sqlite = "…"`, `postgres = "…"`), which wins over `sql`.
///
/// ```
/// use tablemodel::Dialect;
/// use tablemodel::migrate::SqlStep;
/// let step = SqlStep::new("UPDATE hero SET age = 0").with_variant(Dialect::Postgres, "UPDATE hero SET age = 0::int");
/// assert_eq!(step.for_dialect(Dialect::Sqlite), Some("UPDATE hero SET age = 0"));
/// assert_eq!(step.for_dialect(Dialect::Postgres), Some("UPDATE hero SET age = 0::int"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SqlStep {
    /// The SQL for every dialect without a variant of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// The variants, by dialect name.
    #[serde(flatten)]
    pub variants: BTreeMap<String, String>,
}

impl SqlStep {
    /// The same SQL for every dialect.
    pub fn new(sql: impl Into<String>) -> SqlStep {
        SqlStep { sql: Some(sql.into()), variants: BTreeMap::new() }
    }

    /// This step with `sql` for `dialect`.
    pub fn with_variant(mut self, dialect: Dialect, sql: impl Into<String>) -> SqlStep {
        self.variants.insert(dialect.name().to_owned(), sql.into());
        self
    }

    /// The SQL to run on `dialect`, if the step has some for it.
    pub fn for_dialect(&self, dialect: Dialect) -> Option<&str> {
        self.variants.get(dialect.name()).or(self.sql.as_ref()).map(String::as_str)
    }
}

impl Step {
    /// The operation, if this step is one.
    pub fn operation(&self) -> Option<&Operation> {
        match self {
            Step::Operation(op) => Some(op),
            Step::Sql(_) => None,
        }
    }
}

impl Migration {
    /// A new migration after `parent` with these upgrade operations; its downgrade is
    /// their inverse (structure restored even where data cannot be, each such step marked
    /// in the file).
    pub(crate) fn generate(
        parent: Option<String>,
        message: &str,
        up: Vec<Operation>,
        allow_destructive: bool,
    ) -> Migration {
        let down = super::invert(&up, true).unwrap_or_default();
        let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        let created = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let mut migration = Migration {
            id,
            parent,
            message: message.trim().to_owned(),
            created,
            allow_destructive,
            replaces: Vec::new(),
            up: up.into_iter().map(Step::Operation).collect(),
            down: down.into_iter().map(Step::Operation).collect(),
            checksum: String::new(),
            source: String::new(),
        };
        migration.checksum = checksum(&migration.to_toml());
        migration
    }

    /// Reads a migration file's text; `source` names it in errors.
    pub fn from_toml(source: &str, text: &str) -> Result<Migration, MigrateError> {
        let invalid = |message: String| MigrateError::InvalidFile { file: source.to_owned(), message };
        let mut migration: Migration = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        for step in migration.up.iter().chain(&migration.down) {
            if let Step::Sql(sql) = step
                && sql.sql.is_none()
                && sql.variants.is_empty()
            {
                return Err(invalid("a step is neither an operation (`op = …`) nor SQL (`sql = …`)".into()));
            }
            if let Step::Sql(sql) = step
                && let Some(name) = sql.variants.keys().find(|k| !Dialect::ALL.iter().any(|d| d.name() == *k))
            {
                return Err(invalid(format!("`{name}` is no dialect; a SQL step has `sql` or a dialect's name")));
            }
        }
        migration.checksum = checksum(text);
        migration.source = source.to_owned();
        Ok(migration)
    }

    /// The file's text: the fields, then each step under comments that warn of the steps
    /// that lock a big table in use ([`lock_warnings`](super::lock_warnings), with the
    /// safer sequence), destroy data, or whose undoing cannot restore it.
    pub fn to_toml(&self) -> String {
        #[derive(Serialize)]
        struct Header<'a> {
            id: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            parent: Option<&'a str>,
            message: &'a str,
            created: &'a str,
            allow_destructive: bool,
            #[serde(skip_serializing_if = "<[String]>::is_empty")]
            replaces: &'a [String],
        }
        #[derive(Serialize)]
        struct Up<'a> {
            up: [&'a Step; 1],
        }
        #[derive(Serialize)]
        struct Down<'a> {
            down: [&'a Step; 1],
        }
        let header = Header {
            id: &self.id,
            parent: self.parent.as_deref(),
            message: &self.message,
            created: &self.created,
            allow_destructive: self.allow_destructive,
            replaces: &self.replaces,
        };
        let mut out = format!(
            "# Migration `{}`, generated by tablemodel: review it, then `db upgrade`.\n\
             # `up` runs in order on upgrade, `down` on downgrade; add raw SQL steps as\n\
             # [[up]] sql = \"…\" (or sqlite = \"…\", postgres = \"…\").\n\n",
            self.message
        );
        out.push_str(&toml::to_string(&header).unwrap_or_default());
        let up_locks = lock_comments(&self.up);
        let down_locks = lock_comments(&self.down);
        for (step, locks) in self.up.iter().zip(up_locks) {
            out.push('\n');
            out.push_str(&locks);
            if let Step::Operation(op) = step
                && op.is_destructive()
            {
                out.push_str(&format!("# WARNING: destructive: {}\n", describe(op)));
                if !self.allow_destructive {
                    out.push_str("# `upgrade` refuses it unless run with --allow-destructive.\n");
                }
            }
            out.push_str(&toml::to_string(&Up { up: [step] }).unwrap_or_default());
        }
        let lossy: Vec<&Operation> = self
            .up
            .iter()
            .filter_map(Step::operation)
            .filter(|op| matches!(op.inverse(), Inverse::WithoutData(_)))
            .collect();
        for (step, locks) in self.down.iter().zip(down_locks) {
            out.push('\n');
            out.push_str(&locks);
            if let Step::Operation(op) = step
                && let Some(original) = lossy.iter().find(|o| o.inverse().operation() == op)
            {
                out.push_str(&format!(
                    "# WARNING: irreversible: undoes \"{}\" without the data it destroyed;\n\
                     # `downgrade` refuses it unless run with --allow-destructive.\n",
                    describe(original)
                ));
            }
            out.push_str(&toml::to_string(&Down { down: [step] }).unwrap_or_default());
        }
        out
    }

    /// The checksum of the text this migration was read from (or generated as): SHA-256
    /// in hex, of the text with `\r\n` line endings read as `\n`.
    pub fn checksum(&self) -> &str {
        &self.checksum
    }

    /// The ids under which a database may record this migration: its own, and those of
    /// the migrations it replaces.
    pub(crate) fn recorded_ids(&self) -> Vec<String> {
        std::iter::once(self.id.clone()).chain(self.replaces.iter().cloned()).collect()
    }

    /// Whether upgrading runs a step that destroys data.
    pub fn is_destructive(&self) -> bool {
        self.up.iter().filter_map(Step::operation).any(Operation::is_destructive)
    }

    /// The first upgrade step whose undoing cannot restore the data it destroyed.
    pub(crate) fn irreversible_step(&self) -> Option<&Operation> {
        self.up.iter().filter_map(Step::operation).find(|op| matches!(op.inverse(), Inverse::WithoutData(_)))
    }

    /// The file name it is written under: its creation time, id and message, so a folder
    /// lists the history in order.
    pub fn file_name(&self) -> String {
        let stamp: String = self.created.chars().filter(char::is_ascii_digit).take(14).collect();
        let mut slug = String::new();
        for c in self.message.chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.ends_with('_') {
                slug.push('_');
            }
        }
        let slug: String = slug.trim_matches('_').chars().take(40).collect();
        format!("{stamp}_{}_{}.toml", self.id, slug.trim_end_matches('_'))
    }
}

/// The lock warnings of each step of `steps` on every dialect that has them, as comment
/// lines (empty for a step without).
fn lock_comments(steps: &[Step]) -> Vec<String> {
    let ops: Vec<(usize, &Operation)> =
        steps.iter().enumerate().filter_map(|(i, s)| s.operation().map(|op| (i, op))).collect();
    let mut out = vec![String::new(); steps.len()];
    for (op, warning) in super::locks::lock_warnings_by_operation(ops.iter().map(|(_, op)| *op)) {
        out[ops[op].0].push_str(&warning.comment());
    }
    out
}

/// A sentence for what an operation does, for the warnings in files and the output of
/// `check`.
///
/// ```
/// use tablemodel::migrate::{Operation, describe};
/// use tablemodel::schema::{Column, ColumnType};
/// let op = Operation::DropColumn { table: "hero".into(), column: Column::new("age", ColumnType::Integer, true) };
/// assert_eq!(describe(&op), "drop column `hero.age` and its values");
/// ```
pub fn describe(op: &Operation) -> String {
    match op {
        Operation::CreateTable { table } => format!("create table `{}`", table.name),
        Operation::DropTable { table } => format!("drop table `{}` and its rows", table.name),
        Operation::RenameTable { from, to } => format!("rename table `{from}` to `{to}`"),
        Operation::AddColumn { table, column } => format!("add column `{table}.{}`", column.name),
        Operation::DropColumn { table, column } => format!("drop column `{table}.{}` and its values", column.name),
        Operation::RenameColumn { table, from, to } => format!("rename column `{table}.{from}` to `{to}`"),
        Operation::AlterColumn { table, from, to } => {
            let mut changes = Vec::new();
            if from.ty != to.ty {
                changes.push(format!("type {} to {}", from.ty.standard_name(), to.ty.standard_name()));
            }
            if from.nullable != to.nullable {
                changes.push(if to.nullable { "allow NULL".to_owned() } else { "NOT NULL".to_owned() });
            }
            if from.default != to.default {
                changes.push(match &to.default {
                    Some(d) => format!("default {d}"),
                    None => "no default".to_owned(),
                });
            }
            if from.autoincrement != to.autoincrement {
                changes.push(format!("generated values {}", if to.autoincrement { "on" } else { "off" }));
            }
            format!("alter column `{table}.{}`: {}", to.name, changes.join(", "))
        }
        Operation::CreateIndex { table, index } => format!(
            "create {}index `{}` on `{table}` ({})",
            if index.unique { "unique " } else { "" },
            index.name,
            index.columns.join(", ")
        ),
        Operation::DropIndex { table, index } => format!("drop index `{}` of `{table}`", index.name),
        Operation::AddUnique { table, unique } => {
            format!("add unique constraint `{}` on `{table}` ({})", unique.name, unique.columns.join(", "))
        }
        Operation::DropUnique { table, unique } => format!("drop unique constraint `{}` of `{table}`", unique.name),
        Operation::AddForeignKey { table, foreign_key: fk } => format!(
            "add foreign key `{}`: `{table}` ({}) references `{}` ({})",
            fk.name,
            fk.columns.join(", "),
            fk.referenced_table,
            fk.referenced_columns.join(", ")
        ),
        Operation::DropForeignKey { table, foreign_key } => {
            format!("drop foreign key `{}` of `{table}`", foreign_key.name)
        }
        Operation::SetPrimaryKey { table, to, .. } => match to {
            Some(pk) => format!("set the primary key of `{table}` to ({})", pk.columns.join(", ")),
            None => format!("drop the primary key of `{table}`"),
        },
    }
}

/// SHA-256 in hex of `text` with `\r\n` read as `\n`.
pub(crate) fn checksum(text: &str) -> String {
    let digest = Sha256::digest(text.replace("\r\n", "\n").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, ColumnType, Index, PrimaryKey, Table};

    fn hero() -> Table {
        let mut t = Table::new("hero");
        t.columns = vec![
            Column::new("id", ColumnType::BigInt, false).with_autoincrement(true),
            Column::new("name", ColumnType::Varchar(None), false),
            Column::new("price", ColumnType::Numeric(Some((10, 2))), true).with_default("0"),
        ];
        t.primary_key = Some(PrimaryKey::new("hero_pkey", vec!["id".into()]));
        t.indexes = vec![Index::new("ix_hero_name", vec!["name".into()], false)];
        t
    }

    #[test]
    fn a_migration_survives_its_file() {
        let up = vec![
            Operation::CreateTable { table: hero() },
            Operation::DropColumn { table: "hero".into(), column: Column::new("age", ColumnType::Integer, true) },
            Operation::SetPrimaryKey { table: "hero".into(), from: None, to: None },
        ];
        let mut migration = Migration::generate(Some("abc".into()), "create hero", up, false);
        migration
            .up
            .push(Step::Sql(SqlStep::new("UPDATE hero SET name = 'x'").with_variant(Dialect::Postgres, "SELECT 1")));
        let text = migration.to_toml();
        assert!(text.contains("# WARNING: destructive: drop column `hero.age` and its values"), "{text}");
        assert!(text.contains("# WARNING: irreversible"), "{text}");
        let read = Migration::from_toml("x.toml", &text).unwrap();
        let bare = |m: Migration| Migration { checksum: String::new(), source: String::new(), ..m };
        assert_eq!(bare(read.clone()), bare(migration));
        assert_eq!(read.checksum(), checksum(&text.replace('\n', "\r\n")));
        assert_ne!(read.checksum(), checksum(&format!("{text}\n")));
    }

    /// The comment lines right over the `n`th (0-based) `[[up]]` or `[[down]]` of `text`.
    fn comments_over(text: &str, header: &str, n: usize) -> Vec<String> {
        let lines: Vec<&str> = text.lines().collect();
        let at = lines.iter().enumerate().filter(|(_, l)| **l == header).nth(n).expect("the step").0;
        let mut out: Vec<String> =
            lines[..at].iter().rev().take_while(|l| l.starts_with('#')).map(|l| (*l).to_owned()).collect();
        out.reverse();
        out
    }

    #[test]
    fn a_step_that_locks_a_big_table_on_postgres_carries_the_warning_and_the_safer_sequence() {
        let index = Index::new("ix_hero_age", vec!["age".into()], false);
        let up = vec![
            Operation::AddColumn { table: "hero".into(), column: Column::new("age", ColumnType::Integer, true) },
            Operation::CreateIndex { table: "hero".into(), index },
        ];
        let text = Migration::generate(Some("abc".into()), "add hero age", up, false).to_toml();
        assert_eq!(comments_over(&text, "[[up]]", 0), Vec::<String>::new(), "a nullable column locks nothing");
        assert_eq!(
            comments_over(&text, "[[up]]", 1),
            [
                r#"# WARNING: postgres lock: creating index "ix_hero_age" blocks writes to "hero" until it is built"#,
                "# safer:",
                r#"#   1. CREATE INDEX CONCURRENTLY "ix_hero_age" ON "hero" ("age")"#,
                "#   2. (outside a transaction; if it fails, DROP INDEX CONCURRENTLY the invalid index and retry)",
            ]
        );
        // The downgrade drops the index and the column: nothing to warn of.
        assert_eq!(text.matches("# WARNING").count(), 1, "{text}");
        let read = Migration::from_toml("x.toml", &text).unwrap();
        assert_eq!(read.up.len(), 2, "the comments are comments");
    }

    #[test]
    fn a_harmless_change_has_no_warning_and_a_down_step_that_locks_has_one() {
        let up = vec![Operation::DropIndex {
            table: "hero".into(),
            index: Index::new("ix_hero_name", vec!["name".into()], false),
        }];
        let text = Migration::generate(Some("abc".into()), "drop the name index", up, false).to_toml();
        assert_eq!(comments_over(&text, "[[up]]", 0), Vec::<String>::new());
        let down = comments_over(&text, "[[down]]", 0);
        assert!(down[0].starts_with(r#"# WARNING: postgres lock: creating index "ix_hero_name""#), "{text}");

        let mut team = Table::new("team");
        team.columns = vec![Column::new("id", ColumnType::BigInt, false)];
        let up = vec![
            Operation::CreateTable { table: team },
            Operation::CreateIndex { table: "team".into(), index: Index::new("ix_team_id", vec!["id".into()], false) },
        ];
        let text = Migration::generate(None, "team", up, false).to_toml();
        assert!(!text.contains("WARNING"), "a table the migration creates is empty: {text}");
    }

    #[test]
    fn a_step_that_is_neither_operation_nor_sql_is_refused() {
        let text = "id = \"a\"\nmessage = \"m\"\ncreated = \"c\"\n[[up]]\noracle = \"SELECT 1\"\n";
        let err = Migration::from_toml("bad.toml", text).unwrap_err();
        assert!(matches!(&err, MigrateError::InvalidFile { file, .. } if file == "bad.toml"), "{err}");
    }

    #[test]
    fn the_file_name_orders_by_creation() {
        let m = Migration::generate(None, "Create team & hero!", Vec::new(), false);
        let name = m.file_name();
        assert!(name.ends_with(&format!("_{}_create_team_hero.toml", m.id)), "{name}");
        assert_eq!(name.len(), 14 + 1 + 12 + "_create_team_hero.toml".len());
    }
}
