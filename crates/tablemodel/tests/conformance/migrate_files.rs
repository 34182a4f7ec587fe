//! Migration files and the version table, on every backend: a history generated with
//! `Migrations::revision` into a folder, upgraded, downgraded, stamped; a changed applied
//! file refused; destructive and irreversible steps refused without the flag; the SQL of
//! `upgrade --sql` run by `sqlite3` / `psql` building what `upgrade` builds; concurrent
//! migrators applying each migration once.

use std::path::Path;
use std::process::{Command, Stdio};

use tablemodel::migrate::{ApplyOptions, MigrateError, Migrations, Renames, Target, diff};
use tablemodel::prelude::*;
use tablemodel::schema::Schema;
use tablemodel_testkit::{mariadb_server, on_every_backend, pg_server};

mod v1 {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        pub(crate) name: String,
    }
}

mod v2 {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        pub(crate) name: String,
        #[field(server_default = "0", index)]
        pub(crate) age: i32,
    }
}

/// Step 3 drops `name`: destructive, and its undoing cannot bring the names back.
mod v3 {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        #[field(server_default = "0", index)]
        pub(crate) age: i32,
    }
}

/// A unique name (which duplicate rows refuse) and a new column.
mod v4 {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        #[field(unique)]
        pub(crate) name: String,
        #[field(server_default = "0")]
        pub(crate) age: i32,
    }
}

fn steps() -> [Schema; 3] {
    [
        Schema::from_tables(&[v1::Hero::META]),
        Schema::from_tables(&[v2::Hero::META]),
        Schema::from_tables(&[v3::Hero::META]),
    ]
}

/// Generates one migration per model step into `dir`, as `db revision` does; their ids.
fn generate(dir: &Path, steps: &[Schema]) -> Vec<String> {
    steps
        .iter()
        .enumerate()
        .map(|(i, models)| {
            let history = Migrations::from_dir(dir).unwrap();
            let m = history.revision(models, &Renames::new(), &format!("step {}", i + 1), false).expect("a change");
            m.write_to(dir).unwrap();
            m.id.clone()
        })
        .collect()
}

/// Whether the database's tables are those of `models` (nothing more, nothing less).
async fn assert_schema(engine: &Engine, models: &Schema) {
    let live = engine.reflect().await.unwrap();
    let ops = diff(&models.for_dialect(engine.dialect()), &live);
    assert!(ops.is_empty(), "the database differs from the models: {ops:#?}");
}

async fn upgrade_downgrade_current_and_stamp(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let [s1, s2, _] = steps();
    let ids = generate(dir.path(), &[s1.clone(), s2.clone()]);
    let history = Migrations::from_dir(dir.path()).unwrap();
    let opts = ApplyOptions::new();
    assert_eq!(history.current(&engine).await.unwrap(), None);

    assert_eq!(history.upgrade(&engine, &Target::Id(ids[0].clone()), opts).await.unwrap(), [ids[0].clone()]);
    assert_eq!(history.current(&engine).await.unwrap().as_ref(), Some(&ids[0]));
    assert_schema(&engine, &s1).await;
    let mut s = engine.session().await.unwrap();
    s.add(v1::Hero { id: None, name: "Deadpond".into() }).await.unwrap();
    s.commit().await.unwrap();
    drop(s);

    assert_eq!(history.upgrade(&engine, &Target::Head, opts).await.unwrap(), [ids[1].clone()]);
    assert!(history.upgrade(&engine, &Target::Head, opts).await.unwrap().is_empty(), "applied once");
    assert_eq!(history.current(&engine).await.unwrap().as_ref(), Some(&ids[1]));
    assert_schema(&engine, &s2).await;
    let heroes = engine.session().await.unwrap().all(select::<v2::Hero>()).await.unwrap();
    assert_eq!((heroes[0].name.as_str(), heroes[0].age), ("Deadpond", 0), "the row survives with the default");
    let applied = history.applied(&engine).await.unwrap();
    let recorded: Vec<(&str, &str)> = applied.iter().map(|a| (a.id.as_str(), a.checksum.as_str())).collect();
    let files: Vec<(&str, &str)> = history.iter().map(|m| (m.id.as_str(), m.checksum())).collect();
    assert_eq!(recorded, files);
    assert!(history.drift(&engine).await.unwrap().is_empty());

    assert_eq!(history.downgrade(&engine, &Target::Relative(-1), opts).await.unwrap(), [ids[1].clone()]);
    assert_eq!(history.current(&engine).await.unwrap().as_ref(), Some(&ids[0]));
    assert_schema(&engine, &s1).await;
    let heroes = engine.session().await.unwrap().all(select::<v1::Hero>()).await.unwrap();
    assert_eq!(heroes[0].name, "Deadpond");

    assert_eq!(history.downgrade(&engine, &Target::Base, opts).await.unwrap(), [ids[0].clone()]);
    assert_eq!(history.current(&engine).await.unwrap(), None);
    assert_schema(&engine, &Schema::new()).await;

    // Stamping records without running.
    history.stamp(&engine, &Target::Head).await.unwrap();
    assert_eq!(history.current(&engine).await.unwrap().as_ref(), Some(&ids[1]));
    assert_schema(&engine, &Schema::new()).await;
    assert!(!history.drift(&engine).await.unwrap().is_empty(), "the tables the history promises are missing");
    history.stamp(&engine, &Target::Base).await.unwrap();
    assert_eq!(history.current(&engine).await.unwrap(), None);
}

async fn a_migration_changed_after_it_was_applied_is_refused(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let [s1, s2, _] = steps();
    let ids = generate(dir.path(), &[s1]);
    Migrations::from_dir(dir.path()).unwrap().upgrade(&engine, &Target::Head, ApplyOptions::new()).await.unwrap();
    let file = std::fs::read_dir(dir.path()).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(&file).unwrap();

    // Line endings do not count: a checkout on Windows is the same migration.
    std::fs::write(&file, text.replace('\n', "\r\n")).unwrap();
    assert_eq!(Migrations::from_dir(dir.path()).unwrap().current(&engine).await.unwrap().as_ref(), Some(&ids[0]));

    std::fs::write(&file, text.replace("nullable = false", "nullable = true")).unwrap();
    generate(dir.path(), &[s2]);
    let history = Migrations::from_dir(dir.path()).unwrap();
    let err = history.upgrade(&engine, &Target::Head, ApplyOptions::new()).await.unwrap_err();
    assert!(matches!(&err, MigrateError::Modified { id } if *id == ids[0]), "{err}");
    assert!(err.to_string().contains(&ids[0]), "{err}");
    assert_eq!(history.applied(&engine).await.unwrap().len(), 1, "nothing more ran");
}

async fn destructive_and_irreversible_steps_need_the_flag(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let [s1, s2, s3] = steps();
    let ids = generate(dir.path(), &[s1, s2.clone(), s3.clone()]);
    let history = Migrations::from_dir(dir.path()).unwrap();
    let text = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains(&ids[2]))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .unwrap();
    assert!(text.contains("# WARNING: destructive: drop column `hero.name` and its values"), "{text}");

    let err = history.upgrade(&engine, &Target::Head, ApplyOptions::new()).await.unwrap_err();
    assert!(matches!(&err, MigrateError::DestructiveMigration { id, .. } if *id == ids[2]), "{err}");
    assert_eq!(history.current(&engine).await.unwrap(), None, "refused before anything ran");

    history.upgrade(&engine, &Target::Head, ApplyOptions::new().allow_destructive(true)).await.unwrap();
    assert_schema(&engine, &s3).await;

    let err = history.downgrade(&engine, &Target::Relative(-1), ApplyOptions::new()).await.unwrap_err();
    assert!(matches!(&err, MigrateError::IrreversibleMigration { id, .. } if *id == ids[2]), "{err}");
    assert_eq!(history.current(&engine).await.unwrap().as_ref(), Some(&ids[2]));
    history.downgrade(&engine, &Target::Relative(-1), ApplyOptions::new().allow_destructive(true)).await.unwrap();
    assert_schema(&engine, &s2).await;
}

async fn a_migration_generated_with_destructive_steps_allowed_runs_without_the_flag(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let [s1, _, s3] = steps();
    generate(dir.path(), &[s1]);
    let m = Migrations::from_dir(dir.path()).unwrap().revision(&s3, &Renames::new(), "drop name", true).unwrap();
    assert!(m.is_destructive() && m.allow_destructive);
    m.write_to(dir.path()).unwrap();
    let history = Migrations::from_dir(dir.path()).unwrap();
    history.upgrade(&engine, &Target::Head, ApplyOptions::new()).await.unwrap();
    assert_schema(&engine, &s3).await;
}

async fn raw_sql_steps_run_in_their_place(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let [s1, ..] = steps();
    let ids = generate(dir.path(), &[s1]);
    let text = format!(
        "id = \"feed00000001\"\nparent = \"{}\"\nmessage = \"seed\"\ncreated = \"2026-11-30T00:00:00Z\"\n\n\
         [[up]]\nsql = \"INSERT INTO hero (name) VALUES ('generic')\"\n\
         [[up]]\nsql = \"INSERT INTO hero (name) VALUES ('generic 2')\"\nsqlite = \"INSERT INTO hero (name) VALUES ('sqlite')\"\n\
         postgres = \"INSERT INTO hero (name) VALUES ('postgres')\"\n\
         mysql = \"INSERT INTO hero (name) VALUES ('mysql')\"\n\n\
         [[down]]\nsql = \"DELETE FROM hero\"\n",
        ids[0]
    );
    std::fs::write(dir.path().join("99_seed.toml"), text).unwrap();
    let history = Migrations::from_dir(dir.path()).unwrap();
    history.upgrade(&engine, &Target::Head, ApplyOptions::new()).await.unwrap();
    let mut names: Vec<String> =
        engine.session().await.unwrap().all(select::<v1::Hero>()).await.unwrap().into_iter().map(|h| h.name).collect();
    names.sort();
    assert_eq!(names, ["generic".to_owned(), engine.dialect().name().to_owned()]);
    history.downgrade(&engine, &Target::Relative(-1), ApplyOptions::new()).await.unwrap();
    assert!(engine.session().await.unwrap().all(select::<v1::Hero>()).await.unwrap().is_empty());
}

/// A migration whose second statement the rows refuse: where DDL is transactional nothing
/// of it stays; where each statement commits (MySQL), what ran stays, is recorded, and the
/// run after the rows are fixed resumes at the statement that failed.
async fn a_migration_stopped_part_way_resumes_where_it_stopped(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let [s1, ..] = steps();
    let s4 = Schema::from_tables(&[v4::Hero::META]);
    let ids = generate(dir.path(), &[s1.clone(), s4.clone()]);
    let history = Migrations::from_dir(dir.path()).unwrap();
    let opts = ApplyOptions::new();
    history.upgrade(&engine, &Target::Id(ids[0].clone()), opts).await.unwrap();
    let mut s = engine.session().await.unwrap();
    s.add_all([v1::Hero { id: None, name: "Deadpond".into() }, v1::Hero { id: None, name: "Deadpond".into() }])
        .await
        .unwrap();
    s.commit().await.unwrap();
    drop(s);

    let err = history.upgrade(&engine, &Target::Head, opts).await.unwrap_err();
    let live = engine.reflect().await.unwrap();
    if engine.capabilities().transactional_ddl {
        assert!(matches!(err, MigrateError::Failed { .. }), "{err}");
        assert_schema(&engine, &s1).await;
    } else {
        let MigrateError::Interrupted { done, total, .. } = &err else { panic!("{err}") };
        assert_eq!((*done, *total), (1, 2), "the column was added, the unique key refused: {err}");
        assert!(err.to_string().contains("resume at statement 2"), "{err}");
        assert!(live.table("hero").unwrap().column("age").is_some(), "the committed statement stays");
    }
    assert_eq!(history.current(&engine).await.unwrap().as_ref(), Some(&ids[0]), "not recorded as applied");

    let mut s = engine.session().await.unwrap();
    let duplicate = s.get::<v1::Hero>(2).await.unwrap().unwrap();
    s.delete(&duplicate).await.unwrap();
    s.commit().await.unwrap();
    drop(s);
    assert_eq!(history.upgrade(&engine, &Target::Head, opts).await.unwrap(), [ids[1].clone()]);
    assert_schema(&engine, &s4).await;
    assert!(history.drift(&engine).await.unwrap().is_empty());
}

/// The same stopped migration reverted instead of resumed: on MySQL the statement that ran
/// is undone and the database is at the revision it had, with nothing left to resume (the
/// next upgrade runs the migration from its first statement); where DDL is transactional
/// there is nothing to revert.
async fn a_migration_stopped_part_way_can_be_reverted(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let [s1, ..] = steps();
    let s4 = Schema::from_tables(&[v4::Hero::META]);
    let ids = generate(dir.path(), &[s1.clone(), s4.clone()]);
    let history = Migrations::from_dir(dir.path()).unwrap();
    let opts = ApplyOptions::new();
    history.upgrade(&engine, &Target::Id(ids[0].clone()), opts).await.unwrap();
    let mut s = engine.session().await.unwrap();
    s.add_all([v1::Hero { id: None, name: "Deadpond".into() }, v1::Hero { id: None, name: "Deadpond".into() }])
        .await
        .unwrap();
    s.commit().await.unwrap();
    drop(s);

    history.upgrade(&engine, &Target::Head, opts).await.unwrap_err();
    let reverted = history.revert_interrupted(&engine, opts).await.unwrap();
    if engine.capabilities().transactional_ddl {
        assert_eq!(reverted, None, "nothing of the failed migration stayed");
    } else {
        assert_eq!(reverted.as_ref(), Some(&ids[1]));
    }
    assert_schema(&engine, &s1).await;
    assert_eq!(history.current(&engine).await.unwrap().as_ref(), Some(&ids[0]));
    assert!(history.drift(&engine).await.unwrap().is_empty());
    assert_eq!(history.revert_interrupted(&engine, opts).await.unwrap(), None, "the progress row is gone");
    let names: Vec<String> =
        engine.session().await.unwrap().all(select::<v1::Hero>()).await.unwrap().into_iter().map(|h| h.name).collect();
    assert_eq!(names, ["Deadpond", "Deadpond"], "the rows are untouched");

    let mut s = engine.session().await.unwrap();
    let duplicate = s.get::<v1::Hero>(2).await.unwrap().unwrap();
    s.delete(&duplicate).await.unwrap();
    s.commit().await.unwrap();
    drop(s);
    assert_eq!(history.upgrade(&engine, &Target::Head, opts).await.unwrap(), [ids[1].clone()]);
    assert_schema(&engine, &s4).await;
}

/// Squashing.
mod squash {
    use super::*;

    /// A squash of the first two of three migrations: a database that has them takes it as
    /// applied, a fresh one runs it, and both end with the same tables.
    async fn a_squash_works_on_migrated_and_fresh_databases(url: String) {
        let dir = tempfile::tempdir().unwrap();
        let [s1, s2, s3] = steps();
        let ids = generate(dir.path(), &[s1, s2]);
        let third =
            Migrations::from_dir(dir.path()).unwrap().revision(&s3, &Renames::new(), "drop name", true).unwrap();
        third.write_to(dir.path()).unwrap();
        let old = Migrations::from_dir(dir.path()).unwrap();
        let migrated = Engine::connect(&url).await.unwrap();
        old.upgrade(&migrated, &Target::Id(ids[1].clone()), ApplyOptions::new()).await.unwrap();

        let squash = old.squash(&ids[0], &ids[1], "hero").unwrap();
        assert_eq!(squash.replaces, ids);
        squash.write_to(dir.path()).unwrap();
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if ids.iter().any(|id| path.to_string_lossy().contains(id.as_str())) {
                std::fs::remove_file(path).unwrap();
            }
        }
        let new = Migrations::from_dir(dir.path()).unwrap();
        let order: Vec<&str> = new.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(order, [squash.id.as_str(), third.id.as_str()], "the third follows the squash");

        assert_eq!(new.current(&migrated).await.unwrap().as_ref(), Some(&squash.id));
        assert_eq!(
            new.upgrade(&migrated, &Target::Head, ApplyOptions::new()).await.unwrap(),
            std::slice::from_ref(&third.id)
        );
        assert_schema(&migrated, &s3).await;

        let fresh_url = tablemodel_testkit::fresh_url_like(&url);
        let fresh = Engine::connect(&fresh_url).await.unwrap();
        assert_eq!(
            new.upgrade(&fresh, &Target::Head, ApplyOptions::new()).await.unwrap(),
            [squash.id.clone(), third.id.clone()]
        );
        assert_eq!(fresh.reflect().await.unwrap(), migrated.reflect().await.unwrap());

        // Down through the squash: its own row and those of what it replaced go.
        let all = ApplyOptions::new().allow_destructive(true);
        new.downgrade(&migrated, &Target::Base, all).await.unwrap();
        assert!(new.applied(&migrated).await.unwrap().is_empty());
        assert_schema(&migrated, &Schema::new()).await;
    }

    on_every_backend!(url; a_squash_works_on_migrated_and_fresh_databases);
}

on_every_backend!(
    upgrade_downgrade_current_and_stamp,
    a_migration_changed_after_it_was_applied_is_refused,
    destructive_and_irreversible_steps_need_the_flag,
    a_migration_generated_with_destructive_steps_allowed_runs_without_the_flag,
    raw_sql_steps_run_in_their_place,
    a_migration_stopped_part_way_resumes_where_it_stopped,
    a_migration_stopped_part_way_can_be_reverted,
);

/// The SQL `upgrade --sql` prints, run by the dialect's own shell.
mod scripts {
    use super::*;

    /// Runs `script` with the dialect's own shell on a fresh database; its URL.
    fn run_script(dialect: Dialect, dir: &Path, script: &str) -> String {
        match dialect {
            Dialect::Sqlite => {
                let file = dir.join("script.db");
                sqlite3(&file, script);
                format!("sqlite:{}", file.display())
            }
            Dialect::Mysql => {
                let url = mariadb_server().fresh_database();
                mariadb_server().sql(url.rsplit('/').next().unwrap(), script);
                url
            }
            _ => {
                let url = pg_server().fresh_database();
                pg_server().psql(url.rsplit('/').next().unwrap(), script);
                url
            }
        }
    }

    /// Pipes `script` into the sqlite3 shell on database file `file`.
    fn sqlite3(file: &Path, script: &str) {
        let mut shell = Command::new("sqlite3")
            .arg(file)
            .arg("-bail")
            .stdin(Stdio::piped())
            .spawn()
            .expect("the sqlite3 shell runs (scripts/setup.sh installs it)");
        std::io::Write::write_all(shell.stdin.as_mut().unwrap(), script.as_bytes()).unwrap();
        drop(shell.stdin.take());
        assert!(shell.wait().unwrap().success(), "sqlite3 refused the script:\n{script}");
    }

    /// `sqlite::memory:` cannot be shared with the sqlite3 shell: a file instead.
    fn file_url(url: String, dir: &Path) -> String {
        if url.starts_with("sqlite:") { format!("sqlite:{}", dir.join("upgrade.db").display()) } else { url }
    }

    async fn the_printed_sql_builds_what_upgrade_builds(url: String) {
        let dir = tempfile::tempdir().unwrap();
        let [s1, s2, s3] = steps();
        let mut ids = generate(dir.path(), &[s1, s2]);
        let m = Migrations::from_dir(dir.path()).unwrap().revision(&s3, &Renames::new(), "drop name", true).unwrap();
        m.write_to(dir.path()).unwrap();
        ids.push(m.id.clone());
        let history = Migrations::from_dir(dir.path()).unwrap();

        let upgraded = Engine::connect(&file_url(url, dir.path())).await.unwrap();
        history.upgrade(&upgraded, &Target::Head, ApplyOptions::new()).await.unwrap();
        let dialect = upgraded.dialect();
        let script = history.sql_script(dialect, 0, history.len()).unwrap();
        let warning =
            r#"-- WARNING: postgres lock: creating index "ix_hero_age" blocks writes to "hero" until it is built"#;
        assert_eq!(script.contains(warning), dialect == Dialect::Postgres, "{script}");
        let scripted = Engine::connect(&run_script(dialect, dir.path(), &script)).await.unwrap();

        assert_eq!(scripted.reflect().await.unwrap(), upgraded.reflect().await.unwrap(), "{script}");
        assert_eq!(history.current(&scripted).await.unwrap().as_ref(), Some(&ids[2]));
        assert!(history.drift(&scripted).await.unwrap().is_empty());

        // And back down, from head to base.
        let down = history.sql_script(dialect, history.len(), 0).unwrap();
        let script_db = dir.path().join("down.db");
        let base = match dialect {
            Dialect::Sqlite => {
                std::fs::copy(dir.path().join("script.db"), &script_db).unwrap();
                sqlite3(&script_db, &down);
                Engine::connect(&format!("sqlite:{}", script_db.display())).await.unwrap()
            }
            Dialect::Mysql => {
                let url = run_script(dialect, dir.path(), &script);
                mariadb_server().sql(url.rsplit('/').next().unwrap(), &down);
                Engine::connect(&url).await.unwrap()
            }
            _ => {
                let url = run_script(dialect, dir.path(), &script);
                pg_server().psql(url.rsplit('/').next().unwrap(), &down);
                Engine::connect(&url).await.unwrap()
            }
        };
        assert_eq!(base.reflect().await.unwrap(), Schema::new(), "{down}");
        assert_eq!(history.current(&base).await.unwrap(), None);
    }

    on_every_backend!(url; the_printed_sql_builds_what_upgrade_builds);
}

/// Four migrators starting at once on one PostgreSQL database: each migration runs once
/// and none fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_migrators_apply_each_migration_once_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let [s1, s2, _] = steps();
    generate(dir.path(), &[s1, s2.clone()]);
    let history = Migrations::from_dir(dir.path()).unwrap();
    let url = pg_server().fresh_database();
    let runs = (0..4).map(|_| {
        let (history, url) = (history.clone(), url.clone());
        tokio::spawn(async move {
            let engine = Engine::connect(&url).await.unwrap();
            history.upgrade(&engine, &Target::Head, ApplyOptions::new()).await
        })
    });
    let mut applied = Vec::new();
    for run in runs.collect::<Vec<_>>() {
        applied.extend(run.await.unwrap().expect("no migrator fails"));
    }
    applied.sort();
    let mut expected: Vec<String> = history.iter().map(|m| m.id.clone()).collect();
    expected.sort();
    assert_eq!(applied, expected, "each migration applied by exactly one migrator");
    let engine = Engine::connect(&url).await.unwrap();
    assert_eq!(history.applied(&engine).await.unwrap().len(), 2);
    assert_schema(&engine, &s2).await;
}

/// The safer sequence a lock warning gives for an index, followed on PostgreSQL: the
/// index built by hand with `CONCURRENTLY` (which no transaction can run) before
/// `upgrade`, whose `CREATE INDEX` step then does nothing.
#[tokio::test]
async fn an_index_built_concurrently_by_hand_before_upgrade_is_taken_as_built_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let [s1, ..] = steps();
    let mut indexed = s1.clone();
    let index = tablemodel::schema::Index::new("ix_hero_name", vec!["name".into()], false);
    indexed.tables.get_mut("hero").unwrap().indexes.push(index);
    let ids = generate(dir.path(), &[s1, indexed.clone()]);
    let history = Migrations::from_dir(dir.path()).unwrap();
    let text = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains(&ids[1]))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .unwrap();
    let warning =
        r#"# WARNING: postgres lock: creating index "ix_hero_name" blocks writes to "hero" until it is built"#;
    assert!(text.contains(warning), "{text}");
    let safer = text.lines().find(|l| l.contains("CREATE INDEX CONCURRENTLY")).expect("the safer statement");
    let safer = safer.split_once(". ").unwrap().1;
    assert_eq!(safer, r#"CREATE INDEX CONCURRENTLY "ix_hero_name" ON "hero" ("name")"#);

    let url = pg_server().fresh_database();
    let engine = Engine::connect(&url).await.unwrap();
    history.upgrade(&engine, &Target::Id(ids[0].clone()), ApplyOptions::new()).await.unwrap();
    pg_server().psql(url.rsplit('/').next().unwrap(), safer);
    assert_eq!(history.upgrade(&engine, &Target::Head, ApplyOptions::new()).await.unwrap(), [ids[1].clone()]);
    assert_schema(&engine, &indexed).await;
    assert!(history.drift(&engine).await.unwrap().is_empty());
}
