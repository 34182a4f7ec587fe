//! [`Migrations`]: a folder's (or a binary's) migration files as one linear history — its
//! order, the schema it leads to (replayed from the operations, so no database is
//! needed), the next revision from the models, and the SQL of a span of it for a dialect.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::file::{Migration, Step};
use super::{MigrateError, Operation, Plan, Renames, diff_with_renames, render};
use crate::backend::Dialect;
use crate::schema::Schema;

/// A migration history, in order from the first migration to the head.
///
/// ```
/// use tablemodel::migrate::Migrations;
/// use tablemodel::schema::Schema;
/// # use tablemodel::prelude::*;
/// # #[derive(Model)] #[model(table)] struct Hero { #[field(primary_key)] id: Option<i64>, name: String }
/// let dir = tempfile::tempdir()?;
/// let models = Schema::from_tables(&[Hero::META]);
/// let history = Migrations::from_dir(dir.path())?;
/// let migration = history.revision(&models, &Default::default(), "create hero", false).expect("a change");
/// migration.write_to(dir.path())?;
///
/// let history = Migrations::from_dir(dir.path())?;
/// assert_eq!(history.head().map(|m| m.id.as_str()), Some(migration.id.as_str()));
/// assert!(history.revision(&models, &Default::default(), "again", false).is_none(), "nothing changed");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Migrations {
    ordered: Vec<Migration>,
}

/// A revision named on the command line: `head`, `base`, an id (or a unique prefix of
/// one), or a number of steps from the current revision (`-1`, `+2`).
///
/// ```
/// use tablemodel::migrate::Target;
/// assert_eq!("head".parse::<Target>().unwrap(), Target::Head);
/// assert_eq!("-1".parse::<Target>().unwrap(), Target::Relative(-1));
/// assert_eq!("3f2a".parse::<Target>().unwrap(), Target::Id("3f2a".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// The last migration.
    Head,
    /// Before the first migration: no table of the history.
    Base,
    /// The migration with this id, or the only one whose id starts with it.
    Id(String),
    /// This many migrations after (positive) or before (negative) the current revision.
    Relative(i64),
}

impl FromStr for Target {
    type Err = MigrateError;

    fn from_str(s: &str) -> Result<Target, MigrateError> {
        let s = s.trim();
        Ok(match s {
            "head" | "heads" => Target::Head,
            "base" => Target::Base,
            _ if (s.starts_with('-') || s.starts_with('+')) && s.len() > 1 => {
                Target::Relative(s.parse().map_err(|_| MigrateError::UnknownRevision { id: s.to_owned() })?)
            }
            "" => return Err(MigrateError::UnknownRevision { id: String::new() }),
            _ => Target::Id(s.to_owned()),
        })
    }
}

impl Migrations {
    /// No migration.
    pub fn new() -> Migrations {
        Migrations::default()
    }

    /// The `*.toml` migration files of folder `dir`; a folder that does not exist has none.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Migrations, MigrateError> {
        let dir = dir.as_ref();
        let io = |path: &Path, source| MigrateError::Io { path: path.to_owned(), source };
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Migrations::new()),
            Err(e) => return Err(io(dir, e)),
        };
        let mut files = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| io(dir, e))?.path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                files.push((path.display().to_string(), text));
            }
        }
        Migrations::from_migrations(
            files.iter().map(|(name, text)| Migration::from_toml(name, text)).collect::<Result<_, _>>()?,
        )
    }

    /// Migrations from `(file name, text)` pairs, as [`embed_migrations!`](crate::embed_migrations)
    /// builds into the binary.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Migrations, MigrateError> {
        Migrations::from_migrations(
            sources.iter().map(|(name, text)| Migration::from_toml(name, text)).collect::<Result<_, _>>()?,
        )
    }

    /// Orders `migrations` by their parents: one first migration, each other following
    /// one, none followed by two.
    ///
    /// A squash stands for the migrations it [`replaces`](Migration::replaces): their
    /// files, if still there, are left out, and a migration following one of them
    /// follows the squash.
    pub fn from_migrations(migrations: Vec<Migration>) -> Result<Migrations, MigrateError> {
        let broken = |reason: String| Err(MigrateError::BrokenHistory { reason });
        let replaced: BTreeMap<String, String> =
            migrations.iter().flat_map(|m| m.replaces.iter().map(|r| (r.clone(), m.id.clone()))).collect();
        let mut migrations: Vec<Migration> = migrations.into_iter().filter(|m| !replaced.contains_key(&m.id)).collect();
        for m in &mut migrations {
            while let Some(squash) = m.parent.as_ref().and_then(|p| replaced.get(p)) {
                m.parent = Some(squash.clone());
            }
        }
        let mut by_parent: BTreeMap<Option<&str>, Vec<&Migration>> = BTreeMap::new();
        let mut ids = BTreeSet::new();
        for m in &migrations {
            if !ids.insert(m.id.as_str()) {
                return broken(format!("two migrations have the id `{}`", m.id));
            }
            by_parent.entry(m.parent.as_deref()).or_default().push(m);
        }
        for m in &migrations {
            if let Some(parent) = &m.parent
                && !ids.contains(parent.as_str())
            {
                return broken(format!("migration `{}` follows `{parent}`, which is not in the history", m.id));
            }
        }
        let heads: Vec<String> =
            migrations.iter().filter(|m| !by_parent.contains_key(&Some(m.id.as_str()))).map(|m| m.id.clone()).collect();
        if heads.len() > 1 {
            return Err(MigrateError::MultipleHeads { heads });
        }
        let mut ordered = Vec::with_capacity(migrations.len());
        let mut parent = None;
        while let Some(next) = by_parent.get(&parent) {
            let [next] = next.as_slice() else {
                let ids: Vec<&str> = next.iter().map(|m| m.id.as_str()).collect();
                return broken(format!("{} all follow the same revision", ids.join(", ")));
            };
            ordered.push((*next).clone());
            parent = Some(next.id.as_str());
        }
        if ordered.len() != migrations.len() {
            return broken("some migrations do not lead back to the first one".to_owned());
        }
        Ok(Migrations { ordered })
    }

    /// The migrations, first to last.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Migration> + ExactSizeIterator {
        self.ordered.iter()
    }

    /// How many migrations the history has.
    pub fn len(&self) -> usize {
        self.ordered.len()
    }

    /// Whether the history has no migration.
    pub fn is_empty(&self) -> bool {
        self.ordered.is_empty()
    }

    /// The last migration.
    pub fn head(&self) -> Option<&Migration> {
        self.ordered.last()
    }

    /// The migration whose id is `id`, or the only one whose id starts with it.
    pub fn get(&self, id: &str) -> Result<&Migration, MigrateError> {
        self.position(id).map(|i| &self.ordered[i])
    }

    /// The index of the migration `id` names (see [`Migrations::get`]).
    pub(crate) fn position(&self, id: &str) -> Result<usize, MigrateError> {
        if let Some(i) = self.ordered.iter().position(|m| m.id == id) {
            return Ok(i);
        }
        let found: Vec<usize> =
            (0..self.ordered.len()).filter(|&i| !id.is_empty() && self.ordered[i].id.starts_with(id)).collect();
        match found.as_slice() {
            [i] => Ok(*i),
            [] => Err(MigrateError::UnknownRevision { id: id.to_owned() }),
            _ => Err(MigrateError::AmbiguousRevision {
                prefix: id.to_owned(),
                candidates: found.iter().map(|&i| self.ordered[i].id.clone()).collect(),
            }),
        }
    }

    /// How many migrations `target` leaves applied, the current number being `current`.
    pub(crate) fn resolve(&self, target: &Target, current: usize) -> Result<usize, MigrateError> {
        match target {
            Target::Head => Ok(self.ordered.len()),
            Target::Base => Ok(0),
            Target::Id(id) => self.position(id).map(|i| i + 1),
            Target::Relative(n) => {
                let to = current as i64 + n;
                if to < 0 || to > self.ordered.len() as i64 {
                    return Err(MigrateError::UnknownRevision { id: format!("{n:+} from the current revision") });
                }
                Ok(to as usize)
            }
        }
    }

    /// The schema the history leads to.
    pub fn schema(&self) -> Schema {
        self.schema_after(self.ordered.len())
    }

    /// The schema after the first `applied` migrations.
    pub(crate) fn schema_after(&self, applied: usize) -> Schema {
        let mut schema = Schema::new();
        for op in self.ordered[..applied].iter().flat_map(|m| &m.up).filter_map(Step::operation) {
            op.apply_to(&mut schema);
        }
        schema
    }

    /// The operations that turn the history's schema into `models` (renames as declared);
    /// empty when the history is up to date with them.
    pub fn pending_changes(&self, models: &Schema, renames: &Renames) -> Vec<Operation> {
        diff_with_renames(&self.schema(), models, renames)
    }

    /// The next migration, from the history's schema to `models`; `None` when nothing
    /// changed. `allow_destructive` records in the file that its destructive steps were
    /// meant (upgrade runs them without being told again).
    pub fn revision(
        &self,
        models: &Schema,
        renames: &Renames,
        message: &str,
        allow_destructive: bool,
    ) -> Option<Migration> {
        let ops = self.pending_changes(models, renames);
        if ops.is_empty() {
            return None;
        }
        Some(Migration::generate(self.head().map(|m| m.id.clone()), message, ops, allow_destructive))
    }

    /// One migration standing for the migrations from `from` to `to` (ids, both
    /// included): their steps in order (their downgrades in reverse), replacing them. A
    /// database that has them applied takes the squash as applied; a fresh one runs it.
    /// Write it, then delete their files ([`Migrations::from_migrations`] leaves them out
    /// meanwhile).
    pub fn squash(&self, from: &str, to: &str, message: &str) -> Result<Migration, MigrateError> {
        let (first, last) = (self.position(from)?, self.position(to)?);
        if first > last {
            return Err(MigrateError::BrokenHistory { reason: format!("`{from}` comes after `{to}`") });
        }
        let range = &self.ordered[first..=last];
        let mut squash = Migration::generate(range[0].parent.clone(), message, Vec::new(), false);
        squash.allow_destructive = range.iter().all(|m| m.allow_destructive || !m.is_destructive());
        squash.replaces = range.iter().flat_map(Migration::recorded_ids).collect();
        squash.up = range.iter().flat_map(|m| m.up.iter().cloned()).collect();
        squash.down = range.iter().rev().flat_map(|m| m.down.iter().cloned()).collect();
        squash.checksum = super::file::checksum(&squash.to_toml());
        Ok(squash)
    }

    /// The SQL that moves a database of `dialect` from `from` applied migrations to `to`
    /// (upgrading or downgrading), each migration in its own transaction, with the
    /// version table kept: what `upgrade --sql` prints for a DBA to run. Each migration's
    /// [lock warnings](super::lock_warnings) on `dialect` come first, as SQL comments.
    pub fn sql_script(&self, dialect: Dialect, from: usize, to: usize) -> Result<String, MigrateError> {
        let begin = dialect.capabilities().begin_write;
        let mut out = format!("-- tablemodel migrations for {}\n", dialect.name());
        for sql in dialect.capabilities().session_setup {
            out.push_str(&format!("{sql};\n"));
        }
        out.push_str(&format!("{};\n", super::runner::CREATE_TABLE));
        let steps: Vec<(usize, bool)> = if to >= from {
            (from..to).map(|i| (i, true)).collect()
        } else {
            (to..from).rev().map(|i| (i, false)).collect()
        };
        for (i, up) in steps {
            let m = &self.ordered[i];
            let schema = self.schema_after(if up { i } else { i + 1 }).for_dialect(dialect);
            let plan = render_steps(&schema, if up { &m.up } else { &m.down }, dialect, &m.id)?;
            out.push_str(&format!("\n-- {} {}: {}\n", if up { "upgrade" } else { "downgrade" }, m.id, m.message));
            let ops: Vec<Operation> =
                (if up { &m.up } else { &m.down }).iter().filter_map(Step::operation).cloned().collect();
            for warning in super::lock_warnings(&ops, dialect) {
                for line in warning.comment().lines() {
                    out.push_str(&format!("--{}\n", line.strip_prefix('#').unwrap_or(line)));
                }
            }
            for sql in &plan.before {
                out.push_str(&format!("{sql};\n"));
            }
            out.push_str(&format!("{begin};\n"));
            for sql in &plan.statements {
                out.push_str(&format!("{sql};\n"));
            }
            for check in &plan.checks {
                out.push_str(&format!("-- must return no row before COMMIT: {check};\n"));
            }
            let (sql, values) = if up {
                super::runner::record_sql(dialect, m, &chrono::Utc::now().to_rfc3339())
            } else {
                super::runner::forget_sql(dialect, m)
            };
            out.push_str(&format!("{};\nCOMMIT;\n", inline(&sql, &values)));
            for sql in &plan.after {
                out.push_str(&format!("{sql};\n"));
            }
        }
        Ok(out)
    }
}

impl Migration {
    /// Writes this migration into folder `dir` (created if needed) under its
    /// [`file_name`](Migration::file_name); the path written.
    pub fn write_to(&self, dir: impl AsRef<Path>) -> Result<PathBuf, MigrateError> {
        let dir = dir.as_ref();
        let io = |path: &Path, source| MigrateError::Io { path: path.to_owned(), source };
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let path = dir.join(self.file_name());
        std::fs::write(&path, self.to_toml()).map_err(|e| io(&path, e))?;
        Ok(path)
    }
}

/// The SQL of a migration's steps on `dialect`, the database's schema being `from`:
/// consecutive operations rendered together (so a SQLite rebuild covers them all), raw
/// SQL steps in their place.
pub(crate) fn render_steps(from: &Schema, steps: &[Step], dialect: Dialect, id: &str) -> Result<Plan, MigrateError> {
    let mut state = from.clone();
    let mut plan = Plan::default();
    let merge = |part: Plan, plan: &mut Plan| {
        plan.statements.extend(part.statements);
        for (all, new) in
            [(&mut plan.before, part.before), (&mut plan.checks, part.checks), (&mut plan.after, part.after)]
        {
            for sql in new {
                if !all.contains(&sql) {
                    all.push(sql);
                }
            }
        }
    };
    let mut batch: Vec<Operation> = Vec::new();
    for step in steps.iter().map(Some).chain([None]) {
        match step {
            Some(Step::Operation(op)) => {
                batch.push(op.clone());
                continue;
            }
            _ if batch.is_empty() => {}
            _ => {
                merge(render(&state, &batch, dialect)?, &mut plan);
                for op in batch.drain(..) {
                    op.apply_to(&mut state);
                }
            }
        }
        if let Some(Step::Sql(sql)) = step {
            let Some(text) = sql.for_dialect(dialect) else {
                return Err(MigrateError::Unsupported {
                    dialect,
                    what: format!("a SQL step of migration `{id}` without `sql` or `{}`", dialect.name()),
                });
            };
            plan.statements.push(text.trim().trim_end_matches(';').to_owned());
        }
    }
    Ok(plan)
}

/// `sql` with its `?`/`$n` parameters written in as SQL string literals (the version
/// table's values are text).
fn inline(sql: &str, values: &[crate::types::Value]) -> String {
    let literal = |v: &crate::types::Value| match v {
        sea_query::Value::String(Some(s)) => format!("'{}'", s.replace('\'', "''")),
        _ => "NULL".to_owned(),
    };
    let mut out = String::with_capacity(sql.len());
    let mut next = 0;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '?' => {
                out.push_str(&values.get(next).map(literal).unwrap_or_default());
                next += 1;
            }
            '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                let mut n = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    n.push(*d);
                    chars.next();
                }
                let i: usize = n.parse().unwrap_or(1);
                out.push_str(&values.get(i - 1).map(literal).unwrap_or_default());
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migration(id: &str, parent: Option<&str>) -> Migration {
        let mut m = Migration::generate(parent.map(str::to_owned), id, Vec::new(), false);
        m.id = id.to_owned();
        m
    }

    #[test]
    fn migrations_are_ordered_by_their_parents() {
        let h = Migrations::from_migrations(vec![
            migration("c", Some("b")),
            migration("a", None),
            migration("b", Some("a")),
        ])
        .unwrap();
        let ids: Vec<&str> = h.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(h.resolve(&Target::Relative(-1), 3).unwrap(), 2);
        assert!(h.resolve(&Target::Relative(-4), 3).is_err());
    }

    #[test]
    fn a_fork_is_two_heads_and_a_gap_is_a_broken_history() {
        let fork = Migrations::from_migrations(vec![
            migration("a", None),
            migration("b", Some("a")),
            migration("c", Some("a")),
        ]);
        assert!(matches!(fork, Err(MigrateError::MultipleHeads { heads }) if heads == ["b", "c"]));
        let gap = Migrations::from_migrations(vec![migration("a", None), migration("c", Some("b"))]);
        assert!(matches!(gap, Err(MigrateError::BrokenHistory { .. })));
    }

    #[test]
    fn ids_are_found_by_a_unique_prefix() {
        let h = Migrations::from_migrations(vec![migration("abc1", None), migration("abd2", Some("abc1"))]).unwrap();
        assert_eq!(h.get("abd").unwrap().id, "abd2");
        assert!(matches!(h.get("ab"), Err(MigrateError::AmbiguousRevision { .. })));
        assert!(matches!(h.get("x"), Err(MigrateError::UnknownRevision { .. })));
    }

    #[test]
    fn parameters_are_written_in_as_literals() {
        let v = |s: &str| sea_query::Value::String(Some(s.to_owned()));
        assert_eq!(
            inline("INSERT INTO t VALUES ($1, $2)", &[v("a"), v("it's")]),
            "INSERT INTO t VALUES ('a', 'it''s')"
        );
        assert_eq!(inline("DELETE FROM t WHERE id = ?", &[v("a")]), "DELETE FROM t WHERE id = 'a'");
    }
}
