//! SQLite lets one transaction write at a time: a second session's write waits for the
//! first to commit (queued by the engine, not busy-sleeping), then goes through.

use std::time::Duration;

use crate::common::{Hero, Team};
use tablemodel::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_writer_waits_for_the_first_to_commit() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::connect(&format!("sqlite:///{}", dir.path().join("w.db").display())).await.unwrap();
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut first = engine.session().await.unwrap();
    first.add(Hero::new("Deadpond", "Dive Wilson", None)).await.unwrap();

    let second_engine = engine.clone();
    let second = tokio::spawn(async move {
        let mut s = second_engine.session().await.unwrap();
        let hero = s.add(Hero::new("Spider-Boy", "Pedro Parqueador", None)).await.unwrap();
        s.commit().await.unwrap();
        hero
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!second.is_finished(), "the second writer waits while the first transaction is open");
    first.commit().await.unwrap();
    let hero = tokio::time::timeout(Duration::from_secs(5), second).await.unwrap().unwrap();
    assert_eq!(hero.id, Some(2));

    // Reads do not wait for writers.
    let mut writer = engine.session().await.unwrap();
    writer.add(Hero::new("Rusty-Man", "Tommy Sharp", Some(48))).await.unwrap();
    let mut reader = engine.session().await.unwrap();
    let seen = tokio::time::timeout(Duration::from_secs(1), reader.exec(select::<Hero>())).await.unwrap().unwrap();
    assert_eq!(seen.len(), 2, "the uncommitted row is not visible");
    writer.rollback().await.unwrap();
}
