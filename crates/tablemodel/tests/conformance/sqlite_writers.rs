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

/// A writer waiting for another process's write lock waits on the runtime, not inside
/// SQLite: on a one-thread runtime, a read started after it still runs (and finishes)
/// while it waits, and the writer goes through once the lock is released.
#[tokio::test(flavor = "current_thread")]
async fn a_writer_waiting_for_another_process_leaves_the_runtime_free() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:///{}?lock_timeout=10s", dir.path().join("w.db").display());
    let engine = Engine::connect(&url).await.unwrap();
    engine.create_all::<(Team, Hero)>().await.unwrap();
    // Another engine stands for another process: the engine's own writer queue does not
    // know its transaction.
    let other = Engine::connect(&url).await.unwrap();
    let mut holder = other.session().await.unwrap();
    holder.add(Hero::new("Deadpond", "Dive Wilson", None)).await.unwrap();

    let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (writer_engine, writer_order) = (engine.clone(), order.clone());
    let writer = tokio::spawn(async move {
        let mut s = writer_engine.session().await.unwrap();
        s.add(Hero::new("Spider-Boy", "Pedro Parqueador", None)).await.unwrap();
        s.commit().await.unwrap();
        writer_order.lock().unwrap().push("write");
    });
    tokio::task::yield_now().await;
    let (reader_engine, reader_order) = (engine.clone(), order.clone());
    let reader = tokio::spawn(async move {
        let seen = reader_engine.session().await.unwrap().exec(select::<Hero>()).await.unwrap();
        reader_order.lock().unwrap().push("read");
        seen.len()
    });
    assert_eq!(reader.await.unwrap(), 0, "the read ran while the writer waited");
    holder.rollback().await.unwrap();
    writer.await.unwrap();
    assert_eq!(*order.lock().unwrap(), ["read", "write"]);
}
