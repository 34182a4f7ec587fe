//! `add_all` on MySQL, which has no `INSERT … RETURNING`: one multi-row `INSERT` only where
//! the server promises consecutive keys to it (InnoDB's auto-increment lock mode at most 1,
//! an increment of 1), asked once per connection; otherwise one `INSERT` per row. Every
//! test checks the keys written back against the rows as stored. And `add`, which reads
//! its row back only where the database may have stored something else than was sent.

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

/// A model with a server default, which the database fills when the model leaves it unset.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
pub(crate) struct Badge {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    pub(crate) label: String,
    #[field(server_default = "7")]
    pub(crate) level: Option<i32>,
}

/// A model with a time, which MariaDB stores to the microsecond.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
pub(crate) struct Sighting {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    pub(crate) at: chrono::NaiveDateTime,
}

/// `add` reads the row back only where the database may have made it differ from the
/// model sent: a hero's row is the hero with the OK packet's insert id as key (no
/// `SELECT`), while a server default, a time finer than the column keeps and a string
/// MySQL cuts (trailing spaces past its `VARCHAR(255)`, cut without an error) are read
/// back. Every model returned equals its row as stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_reads_back_only_rows_the_database_may_change() {
    let engine = Engine::connect(&mariadb_server().fresh_database()).await.unwrap();
    engine.create_all::<(Hero, Badge, Sighting)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let log = SqlLog::capture();
    let generated = s.add(Hero { id: None, name: "Deadpond".to_owned() }).await.unwrap();
    let given = s.add(Hero { id: Some(10), name: "Rusty-Man".to_owned() }).await.unwrap();
    let after_given = s.add(Hero { id: None, name: "Spider-Boy".to_owned() }).await.unwrap();
    assert_eq!(log.selects(), Vec::<String>::new(), "nothing read back");
    assert_eq!((generated.id, given.id, after_given.id), (Some(1), Some(10), Some(11)));

    let badge = s.add(Badge { id: None, label: "gold".to_owned(), level: None }).await.unwrap();
    assert_eq!(log.selects().len(), 1, "the server default read back: {:?}", log.statements());
    assert_eq!((badge.id, badge.level), (Some(1), Some(7)));
    // Given a value for the defaulted column, the row is as sent.
    let given_level = s.add(Badge { id: None, label: "silver".to_owned(), level: Some(3) }).await.unwrap();
    assert_eq!(log.selects().len(), 1, "{:?}", log.statements());

    let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_nano_opt(20, 30, 40, 123_456_789).unwrap();
    let sighting = s.add(Sighting { id: None, at }).await.unwrap();
    assert_eq!(sighting.at.and_utc().timestamp_subsec_nanos(), 123_456_000, "the time as stored");
    let cut = s.add_unchecked(Hero { id: None, name: format!("{}{}", "x".repeat(255), "  ") }).await.unwrap();
    assert_eq!(cut.name, "x".repeat(255), "the string as stored");
    assert_eq!(log.selects().len(), 3, "{:?}", log.statements());
    s.commit().await.unwrap();

    for hero in [generated, given, after_given, cut] {
        assert_eq!(s.get::<Hero>(hero.id.unwrap()).await.unwrap(), Some(hero));
    }
    for badge in [badge, given_level] {
        assert_eq!(s.get::<Badge>(badge.id.unwrap()).await.unwrap(), Some(badge));
    }
    assert_eq!(s.get::<Sighting>(sighting.id.unwrap()).await.unwrap(), Some(sighting));
}
