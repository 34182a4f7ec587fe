//! The real heroes binary's `db` subcommands, and its start-up migration, on SQLite files
//! and the test PostgreSQL and MariaDB servers.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `heroes <args>` in `dir` on `database_url`.
fn heroes(dir: &Path, database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_heroes"))
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", database_url)
        .env_remove("RUST_LOG")
        .output()
        .expect("the heroes binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs a command that must succeed; its standard output.
fn ok(dir: &Path, database_url: &str, args: &[&str]) -> String {
    let out = heroes(dir, database_url, args);
    assert!(out.status.success(), "heroes {args:?}: {}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    stdout(&out)
}

/// The id of the committed first migration.
fn first_id() -> String {
    heroes::migrations().unwrap().iter().next().expect("heroes has a migration").id.clone()
}

fn sqlite3(file: &Path, sql: &str) {
    let out = Command::new("sqlite3").arg(file).arg(sql).output().expect("sqlite3 runs (scripts/setup.sh)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn db_commands_manage_a_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("heroes.db");
    let url = format!("sqlite:{}", file.display());
    let id = first_id();

    assert_eq!(ok(dir.path(), &url, &["db", "current"]), "base\n");
    assert!(ok(dir.path(), &url, &["db", "upgrade"]).starts_with(&format!("Applied {id}: create team and hero")));
    assert_eq!(ok(dir.path(), &url, &["db", "current"]), format!("{id} (head)\n"));
    assert!(ok(dir.path(), &url, &["db", "heads"]).starts_with(&id));
    assert!(ok(dir.path(), &url, &["db", "history"]).contains(&format!("<base> -> {id} (head)")));
    assert!(ok(dir.path(), &url, &["db", "upgrade"]).starts_with("Nothing to apply"));

    let clean = heroes(dir.path(), &url, &["db", "check", "--database"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));

    // Someone alters the database by hand: `check --database` reports it and exits 1.
    sqlite3(&file, "ALTER TABLE hero ADD COLUMN power TEXT");
    let drift = heroes(dir.path(), &url, &["db", "check", "--database"]);
    assert_eq!(drift.status.code(), Some(1), "{}", stdout(&drift));
    assert!(stdout(&drift).contains("add column `hero.power`"), "{}", stdout(&drift));
    sqlite3(&file, "ALTER TABLE hero DROP COLUMN power");

    assert!(ok(dir.path(), &url, &["db", "downgrade", "-1"]).contains(&format!("Undid {id}")));
    assert_eq!(ok(dir.path(), &url, &["db", "current"]), "base\n");
    let not_migrated = heroes(dir.path(), &url, &["db", "check", "--database"]);
    assert_eq!(not_migrated.status.code(), Some(1), "a database behind head fails the check");

    // Adopting a database made without migrations: stamp it.
    ok(dir.path(), &url, &["db", "stamp", "head"]);
    assert_eq!(ok(dir.path(), &url, &["db", "current"]), format!("{id} (head)\n"));

    let unknown = heroes(dir.path(), &url, &["db", "stamp", "nosuchid"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no migration `nosuchid`"));
}

#[test]
fn the_committed_migrations_match_the_models() {
    let dir = tempfile::tempdir().unwrap();
    let out = heroes(dir.path(), "sqlite::memory:", &["db", "check"]);
    assert_eq!(out.status.code(), Some(0), "run `cargo run -p heroes -- db revision -m …`: {}", stdout(&out));
}

#[test]
fn revision_writes_a_file_only_when_the_models_changed() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("migrations");
    let folder_arg = folder.to_str().unwrap();
    let url = "sqlite::memory:";

    let behind = heroes(dir.path(), url, &["db", "--migrations", folder_arg, "check"]);
    assert_eq!(behind.status.code(), Some(1));
    assert!(stdout(&behind).contains("create table `hero`"), "{}", stdout(&behind));

    let out = ok(dir.path(), url, &["db", "--migrations", folder_arg, "revision", "-m", "first"]);
    assert!(out.starts_with("Generated "), "{out}");
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1);
    let again = ok(dir.path(), url, &["db", "--migrations", folder_arg, "revision", "-m", "second"]);
    assert!(again.starts_with("No changes"), "{again}");
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1, "no file written");
    ok(dir.path(), url, &["db", "--migrations", folder_arg, "check"]);
}

#[test]
fn upgrade_sql_prints_what_the_sqlite3_shell_runs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("script.db");
    let sql = ok(dir.path(), &format!("sqlite:{}", file.display()), &["db", "upgrade", "--sql"]);
    assert!(sql.contains("CREATE TABLE IF NOT EXISTS \"hero\""), "{sql}");
    assert!(!file.exists(), "--sql does not touch the database");
    let mut shell = Command::new("sqlite3").arg(&file).arg("-bail").stdin(Stdio::piped()).spawn().unwrap();
    std::io::Write::write_all(shell.stdin.as_mut().unwrap(), sql.as_bytes()).unwrap();
    drop(shell.stdin.take());
    assert!(shell.wait().unwrap().success());
    let url = format!("sqlite:{}", file.display());
    assert_eq!(ok(dir.path(), &url, &["db", "current"]), format!("{} (head)\n", first_id()));
    assert_eq!(heroes(dir.path(), &url, &["db", "check", "--database"]).status.code(), Some(0));
}

#[test]
fn four_processes_migrate_one_postgres_database_and_each_migration_runs_once() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("migrations");
    std::fs::create_dir(&folder).unwrap();
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(committed).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), folder.join(entry.file_name())).unwrap();
    }
    std::fs::write(
        folder.join("99_power.toml"),
        format!(
            "id = \"0000000000aa\"\nparent = \"{}\"\nmessage = \"powers\"\ncreated = \"2026-11-30T00:00:00Z\"\n\n\
             [[up]]\nsql = \"CREATE TABLE power (id INTEGER PRIMARY KEY, name TEXT)\"\n\n\
             [[down]]\nsql = \"DROP TABLE power\"\n",
            first_id()
        ),
    )
    .unwrap();
    let server = tablemodel_testkit::pg_server();
    let url = server.fresh_database();
    let folder_arg = folder.to_str().unwrap();
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_heroes"))
                .args(["db", "--migrations", folder_arg, "upgrade"])
                .env("DATABASE_URL", &url)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut applied = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
        applied.extend(stdout(&out).lines().filter(|l| l.starts_with("Applied ")).map(str::to_owned));
    }
    applied.sort();
    assert_eq!(
        applied,
        ["Applied 0000000000aa: powers".to_owned(), format!("Applied {}: create team and hero", first_id())]
    );
    let database = url.rsplit('/').next().unwrap();
    assert_eq!(server.psql(database, "SELECT count(*) FROM tablemodel_migrations"), "2");
    assert_eq!(server.psql(database, "SELECT count(*) FROM power"), "0");
}

#[test]
fn serving_applies_the_migrations_first() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("served.db");
    let url = format!("sqlite:{}", file.display());
    let mut server = Command::new(env!("CARGO_BIN_EXE_heroes"))
        .current_dir(dir.path())
        .env("DATABASE_URL", &url)
        .env("PORT", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let head = format!("{} (head)\n", first_id());
    let started = Instant::now();
    let mut current = String::new();
    while started.elapsed() < Duration::from_secs(20) {
        if file.exists() {
            current = stdout(&heroes(dir.path(), &url, &["db", "current"]));
            if current == head {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(current, head);
}

/// A migrations folder whose one migration builds the heroes tables as `edit` leaves them
/// (the models' schema changed by it), so that `db revision` has the difference to write.
fn folder_behind(dir: &Path, edit: impl FnOnce(&mut tablemodel::schema::Table)) -> String {
    let folder = dir.join("migrations");
    let mut models = heroes::models();
    edit(models.tables.get_mut("hero").unwrap());
    let first = tablemodel::migrate::Migrations::new()
        .revision(&models, &Default::default(), "first", false)
        .expect("a first migration");
    first.write_to(&folder).unwrap();
    folder.to_str().unwrap().to_owned()
}

/// The text of the migration `revision` wrote (the file that is not the first one).
fn generated_file(folder: &str, output: &str) -> String {
    let path = output.strip_prefix("Generated ").and_then(|o| o.split(" (").next()).expect("a generated file");
    assert!(path.starts_with(folder), "{output}");
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn revision_and_check_warn_of_a_step_that_locks_a_big_postgres_table() {
    let dir = tempfile::tempdir().unwrap();
    let folder = folder_behind(dir.path(), |hero| hero.indexes.retain(|i| i.name != "ix_hero_age"));
    let url = "sqlite::memory:";
    let warning = r#"warning, postgres lock: creating index "ix_hero_age" blocks writes to "hero" until it is built"#;

    let check = heroes(dir.path(), url, &["db", "--migrations", &folder, "check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(stdout(&check).contains(warning), "{}", stdout(&check));

    let out = ok(dir.path(), url, &["db", "--migrations", &folder, "revision", "-m", "index hero age"]);
    assert!(
        out.contains(&format!("  - create index `ix_hero_age` on `hero` (age)\n    {warning}\n    safer:\n")),
        "{out}"
    );
    assert!(out.contains(r#"      1. CREATE INDEX CONCURRENTLY "ix_hero_age" ON "hero" ("age")"#), "{out}");
    let text = generated_file(&folder, &out);
    assert!(
        text.contains(
            "# WARNING: postgres lock: creating index \"ix_hero_age\" blocks writes to \"hero\" until it is built\n\
             # safer:\n\
             #   1. CREATE INDEX CONCURRENTLY \"ix_hero_age\" ON \"hero\" (\"age\")\n"
        ),
        "{text}"
    );
    ok(dir.path(), url, &["db", "--migrations", &folder, "check"]);
}

#[test]
fn revision_of_a_harmless_change_writes_no_warning() {
    let dir = tempfile::tempdir().unwrap();
    let folder = folder_behind(dir.path(), |hero| {
        let age = hero.columns.iter_mut().find(|c| c.name == "age").unwrap();
        *age = age.clone().with_default("0");
    });
    let out = ok(dir.path(), "sqlite::memory:", &["db", "--migrations", &folder, "revision", "-m", "no age default"]);
    assert!(out.contains("alter column `hero.age`: no default"), "{out}");
    assert!(!out.contains("warning"), "{out}");
    let text = generated_file(&folder, &out);
    assert!(!text.contains("WARNING"), "dropping a default locks nothing: {text}");
}

/// A migration that adds `hero.power` and then a unique index on `hero.name`: on MariaDB
/// the column's statement commits on its own, and the index fails when two heroes share
/// a name, leaving the migration stopped part-way.
const POWER_THEN_UNIQUE_NAME: &str = r#"
id = "0000000000bb"
message = "power and unique names"
created = "2026-11-30T00:00:00Z"

[[up]]
op = "add_column"
table = "hero"
[up.column]
name = "power"
ty = "VARCHAR"
nullable = true
autoincrement = false

[[up]]
op = "create_index"
table = "hero"
[up.index]
name = "ux_hero_name"
columns = ["name"]
unique = true

[[down]]
op = "drop_index"
table = "hero"
[down.index]
name = "ux_hero_name"
columns = ["name"]
unique = true

[[down]]
op = "drop_column"
table = "hero"
[down.column]
name = "power"
ty = "VARCHAR"
nullable = true
autoincrement = false
"#;

#[test]
fn revert_undoes_what_a_migration_stopped_part_way_committed_on_mariadb() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("migrations");
    std::fs::create_dir(&folder).unwrap();
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(committed).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), folder.join(entry.file_name())).unwrap();
    }
    let first = first_id();
    std::fs::write(folder.join("99_power.toml"), format!("parent = \"{first}\"\n{POWER_THEN_UNIQUE_NAME}")).unwrap();
    let folder = folder.to_str().unwrap();
    let server = tablemodel_testkit::mariadb_server();
    let url = server.fresh_database();
    let database = url.rsplit('/').next().unwrap();
    let power_columns = || {
        server.sql(
            database,
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = DATABASE() \
             AND table_name = 'hero' AND column_name = 'power'",
        )
    };

    ok(dir.path(), &url, &["db", "--migrations", folder, "upgrade", &first]);
    server.sql(
        database,
        "INSERT INTO hero (name, secret_name) VALUES ('Deadpond', 'Dive Wilson'), ('Deadpond', 'Pedro Parqueador')",
    );
    let stopped = heroes(dir.path(), &url, &["db", "--migrations", folder, "upgrade"]);
    assert!(!stopped.status.success(), "the unique index cannot be built: {}", stdout(&stopped));
    assert_eq!(power_columns(), "1", "the column's DDL committed before the index failed");

    let out = ok(dir.path(), &url, &["db", "--migrations", folder, "revert"]);
    assert_eq!(
        out,
        format!("Reverted what ran of 0000000000bb: power and unique names\nThe database is at {first}.\n")
    );
    assert_eq!(power_columns(), "0", "the committed step is undone");
    assert_eq!(ok(dir.path(), &url, &["db", "--migrations", folder, "current"]), format!("{first}\n"));
    assert_eq!(server.sql(database, "SELECT count(*) FROM hero"), "2", "the rows are untouched");
    assert_eq!(
        ok(dir.path(), &url, &["db", "--migrations", folder, "revert"]),
        format!("No migration stopped part-way; nothing to revert.\nThe database is at {first}.\n")
    );

    // With the duplicate gone the migration runs again from its first step.
    server.sql(database, "DELETE FROM hero WHERE secret_name = 'Pedro Parqueador'");
    assert!(ok(dir.path(), &url, &["db", "--migrations", folder, "upgrade"]).contains("Applied 0000000000bb"));
    assert_eq!(power_columns(), "1");
}

#[test]
fn upgrade_sql_names_every_dialect_it_knows_when_the_url_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let out = heroes(dir.path(), "oracle://db.example/heroes", &["db", "upgrade", "--sql"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("expected a `sqlite:`, `postgres://`, `mysql://` or `mariadb://` URL"), "{stderr}");
}
