//! `add_all` on MySQL, which has no `INSERT … RETURNING`: one multi-row `INSERT` only where
//! the server promises consecutive keys to it (InnoDB's auto-increment lock mode at most 1,
//! an increment of 1), asked once per connection; otherwise one `INSERT` per row. Every
//! test checks the keys written back against the rows as stored.

use tablemodel::migrate::{ApplyOptions, Migrations, Target};
use tablemodel::prelude::*;
use tablemodel_testkit::{MariaDbServer, SqlLog, mariadb_server};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
pub(crate) struct Hero {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    pub(crate) name: String,
}

fn heroes(names: &[&str]) -> Vec<Hero> {
    names.iter().map(|name| Hero { id: None, name: (*name).to_owned() }).collect()
}

/// `add_all` of `names` in a new session; asserts that each model came back with the key
/// its row was stored under, in input order. The keys.
async fn add_all_checked(engine: &Engine, names: &[&str]) -> Vec<i64> {
    let mut s = engine.session().await.unwrap();
    let stored = s.add_all(heroes(names)).await.unwrap();
    s.commit().await.unwrap();
    assert_eq!(stored.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), names);
    for hero in &stored {
        let key = hero.id.expect("a key written back");
        let row = s.get::<Hero>(key).await.unwrap();
        assert_eq!(row.as_ref(), Some(hero), "the row stored under key {key}");
    }
    stored.iter().map(|h| h.id.unwrap()).collect()
}

/// The statements `log` captured that insert into `hero`.
fn inserts(log: &SqlLog) -> Vec<String> {
    log.starting_with("INSERT").into_iter().filter(|sql| sql.contains("\"hero\"")).collect()
}

/// The check's query: it reads the lock mode.
fn checks(log: &SqlLog) -> usize {
    log.statements().iter().filter(|sql| sql.contains("innodb_autoinc_lock_mode")).count()
}

/// The test kit's server runs MariaDB's default "consecutive" lock mode: one `INSERT` for
/// all the rows, and the server is asked once for the connection, not per call or session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consecutive_keys_are_asked_for_once_per_connection() {
    let engine = Engine::builder(&mariadb_server().fresh_database()).max_connections(1).connect().await.unwrap();
    engine.create_all::<(Hero,)>().await.unwrap();
    let log = SqlLog::capture();
    let first = add_all_checked(&engine, &["Deadpond", "Rusty-Man", "Spider-Boy"]).await;
    let second = add_all_checked(&engine, &["Tarantula", "Black Lion"]).await;
    assert_eq!(inserts(&log).len(), 2, "one multi-row INSERT per call: {:?}", inserts(&log));
    assert_eq!(checks(&log), 1, "asked once on the engine's one connection: {:?}", log.statements());
    assert_eq!(first, [1, 2, 3]);
    assert_eq!(second, [4, 5]);
}

/// InnoDB's "interleaved" lock mode (2, MySQL 8's default) promises a multi-row `INSERT`
/// no consecutive keys: the rows go one by one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interleaved_lock_mode_inserts_row_by_row() {
    let server = MariaDbServer::dedicated(&["--innodb-autoinc-lock-mode=2"]);
    assert_eq!(server.sql("", "SELECT @@innodb_autoinc_lock_mode"), "2");
    let engine = Engine::connect(&server.fresh_database()).await.unwrap();
    engine.create_all::<(Hero,)>().await.unwrap();
    let log = SqlLog::capture();
    add_all_checked(&engine, &["Deadpond", "Rusty-Man", "Spider-Boy"]).await;
    assert_eq!(inserts(&log).len(), 3, "one INSERT per row: {:?}", inserts(&log));
}

/// A connection whose `auto_increment_increment` is 2 (set by a migration's raw SQL on
/// the engine's one connection, after an `add_all` had found its keys consecutive): the
/// next `add_all` asks again, and its rows go one by one, getting keys 2 apart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_with_an_increment_of_two_inserts_row_by_row() {
    let engine = Engine::builder(&mariadb_server().fresh_database()).max_connections(1).connect().await.unwrap();
    engine.create_all::<(Hero,)>().await.unwrap();
    assert_eq!(add_all_checked(&engine, &["Deadpond", "Rusty-Man"]).await, [1, 2]);

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("01_step.toml"),
        "id = \"0000000000cc\"\nmessage = \"step two\"\ncreated = \"2026-12-01T00:00:00Z\"\n\n\
         [[up]]\nsql = \"SET SESSION auto_increment_increment = 2\"\n\n\
         [[down]]\nsql = \"SET SESSION auto_increment_increment = 1\"\n",
    )
    .unwrap();
    Migrations::from_dir(dir.path()).unwrap().upgrade(&engine, &Target::Head, ApplyOptions::new()).await.unwrap();

    let log = SqlLog::capture();
    let keys = add_all_checked(&engine, &["Spider-Boy", "Tarantula", "Black Lion"]).await;
    assert_eq!(checks(&log), 1, "asked again after the raw SQL: {:?}", log.statements());
    assert_eq!(inserts(&log).len(), 3, "one INSERT per row: {:?}", inserts(&log));
    assert!(keys.windows(2).all(|w| w[1] - w[0] == 2), "keys 2 apart: {keys:?}");
}
