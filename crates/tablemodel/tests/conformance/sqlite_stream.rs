//! An SQLite stream steps its statement on the task that reads it: other tasks still run
//! while a long stream is read, a stream moves between worker threads with the task that
//! reads it, and a stream left half-read inside a transaction does not keep the commit
//! from going through.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::TryStreamExt;

use crate::common::{Hero, Team};
use tablemodel::prelude::*;

const HEROES: usize = 5_000;

async fn seeded(dir: &tempfile::TempDir) -> Engine {
    let url = format!("sqlite:///{}", dir.path().join("stream.db").display());
    let engine = Engine::connect(&url).await.unwrap();
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    s.add_all((0..HEROES).map(|i| Hero::new(&format!("hero {i}"), "s", Some(i as i32 % 100)))).await.unwrap();
    s.commit().await.unwrap();
    engine
}

/// On a runtime with one thread, a stream whose rows are always ready still gives the
/// runtime back now and then, so a task spawned beside it runs while it is read.
#[test]
fn other_tasks_run_while_a_long_stream_is_read() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let engine = seeded(&dir).await;
        let ticks = Arc::new(AtomicUsize::new(0));
        let ticker = tokio::spawn({
            let ticks = ticks.clone();
            async move {
                loop {
                    ticks.fetch_add(1, Ordering::Relaxed);
                    tokio::task::yield_now().await;
                }
            }
        });
        let mut s = engine.session().await.unwrap();
        let mut rows = s.stream(select::<Hero>().order_by(Hero::id())).await.unwrap();
        let (mut read, mut ticks_at_first_row) = (0, None);
        while let Some(hero) = rows.try_next().await.unwrap() {
            assert_eq!(hero.name, format!("hero {read}"));
            ticks_at_first_row.get_or_insert(ticks.load(Ordering::Relaxed));
            read += 1;
        }
        let ticks_at_end = ticks.load(Ordering::Relaxed);
        drop(rows);
        ticker.abort();
        assert_eq!(read, HEROES);
        assert!(ticks_at_end > ticks_at_first_row.unwrap(), "the spawned task never ran while {HEROES} rows were read");
    });
}

/// A stream read in a spawned task on a multi-thread runtime, giving the runtime a chance
/// to move the task to another worker between rows, reads every row in order, and its
/// session is usable after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_moves_between_threads_with_its_task() {
    let dir = tempfile::tempdir().unwrap();
    let engine = seeded(&dir).await;
    let reader = tokio::spawn(async move {
        let mut s = engine.session().await.unwrap();
        let mut rows = s.stream(select::<Hero>().order_by(Hero::id())).await.unwrap();
        let mut read = 0usize;
        while let Some(hero) = rows.try_next().await.unwrap() {
            assert_eq!(hero.name, format!("hero {read}"));
            read += 1;
            if read.is_multiple_of(100) {
                tokio::task::yield_now().await;
            }
        }
        drop(rows);
        let count = s.one(select_only(count()).from::<Hero>()).await.unwrap();
        (read, count)
    });
    assert_eq!(reader.await.unwrap(), (HEROES, HEROES as i64));
}

/// SQLite refuses to commit while one of the connection's statements is still running: a
/// stream dropped half-read inside a write transaction must have stopped its statement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_read_stream_does_not_hold_up_the_commit() {
    let dir = tempfile::tempdir().unwrap();
    let engine = seeded(&dir).await;
    let mut s = engine.session().await.unwrap();
    s.add(Hero::new("Deadpond", "Dive Wilson", None)).await.unwrap();
    let mut rows = s.stream(select::<Hero>().order_by(Hero::id())).await.unwrap();
    assert_eq!(rows.try_next().await.unwrap().unwrap().name, "hero 0");
    drop(rows);
    s.commit().await.unwrap();
    let mut other = engine.session().await.unwrap();
    let found = other.first(select::<Hero>().filter(Hero::name().eq("Deadpond"))).await.unwrap();
    assert!(found.is_some(), "the commit after the half-read stream kept the new hero");
}
