//! Locking reads (`select(…).for_update()`, SQLAlchemy's `with_for_update()`): the read
//! opens the session's transaction, another session's `NOWAIT` read of a locked row fails
//! with a typed error, `SKIP LOCKED` reads around it, a waiting reader sees the holder's
//! committed write (no lost update), a locking stream holds what it read, and commit or
//! rollback releases the lock. On SQLite, which locks the database rather than rows, the
//! same guarantees come from the write transaction the read opens.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use tablemodel::prelude::*;
use tablemodel::{DbErrorKind, LockWait, ModelSel, Select};

use crate::common::{Hero, names, seeded};
use tablemodel_testkit::on_every_backend;

fn deadpond() -> Select<ModelSel<Hero>> {
    select::<Hero>().filter(Hero::name().eq("Deadpond"))
}

fn is_busy(err: &Error) -> bool {
    matches!(err, Error::Database(db) if db.kind == DbErrorKind::Busy)
}

async fn a_locked_row_refuses_a_nowait_reader_until_commit(engine: Engine) {
    seeded(&engine).await;
    let mut other = engine.session().await.unwrap();
    // The same query unlocked first: the locked one is another statement, not this one
    // from the statement cache.
    assert!(other.first(deadpond()).await.unwrap().is_some());
    assert!(!other.in_transaction(), "a plain read opens no transaction");

    let mut holder = engine.session().await.unwrap();
    let hero = holder.first(deadpond().for_update()).await.unwrap().expect("Deadpond is there");
    assert!(holder.in_transaction(), "a locking read opens the session's transaction");

    let err = other.first(deadpond().for_update_with(LockWait::NoWait)).await.unwrap_err();
    assert!(is_busy(&err), "NOWAIT on a locked row is Busy, got {err:?}");
    other.rollback().await.unwrap();
    if engine.capabilities().row_locks {
        // A plain read is not blocked by a row lock (on SQLite's in-memory test database
        // the writer's transaction keeps readers out as well).
        assert_eq!(other.first(deadpond()).await.unwrap().unwrap().id, hero.id);
    }

    holder.commit().await.unwrap();
    assert!(!holder.in_transaction());
    let again = other.first(deadpond().for_update_with(LockWait::NoWait)).await.unwrap();
    assert_eq!(again.unwrap().id, hero.id, "commit released the lock");
    other.commit().await.unwrap();
}

async fn skip_locked_reads_around_a_locked_row(engine: Engine) {
    seeded(&engine).await;
    let mut holder = engine.session().await.unwrap();
    holder.first(deadpond().for_update()).await.unwrap().unwrap();

    let first_three = select::<Hero>().order_by(Hero::id()).limit(3).for_update_with(LockWait::SkipLocked);
    let mut worker = engine.session().await.unwrap();
    if engine.capabilities().row_locks {
        let rows = worker.all(first_three).await.unwrap();
        assert_eq!(names(&rows), ["Spider-Boy", "Rusty-Man", "Tarantula"], "the locked row is skipped");
        // The worker holds those three now: the holder skips them in turn.
        let rest = holder.all(select::<Hero>().order_by(Hero::id()).for_update_with(LockWait::SkipLocked)).await;
        assert_eq!(names(&rest.unwrap()), ["Deadpond", "Black Lion", "Dr. Weird", "Captain North America"]);
        worker.commit().await.unwrap();
        holder.commit().await.unwrap();
    } else {
        // One lock for the whole database: the worker waits for the holder, then no row
        // is locked and none is skipped.
        let committed = Arc::new(AtomicBool::new(false));
        let release = {
            let committed = committed.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                committed.store(true, Ordering::SeqCst);
                holder.commit().await.unwrap();
            })
        };
        let rows = worker.all(first_three).await.unwrap();
        assert!(committed.load(Ordering::SeqCst), "the worker waited for the holder's transaction");
        assert_eq!(names(&rows), ["Deadpond", "Spider-Boy", "Rusty-Man"]);
        worker.commit().await.unwrap();
        release.await.unwrap();
    }
}

async fn a_waiting_reader_sees_the_holders_write(engine: Engine) {
    seeded(&engine).await;
    let mut holder = engine.session().await.unwrap();
    let mut hero = holder.first(deadpond().for_update()).await.unwrap().unwrap();

    let reader = {
        let engine = engine.clone();
        tokio::spawn(async move {
            let mut s = engine.session().await.unwrap();
            let mut hero = s.first(deadpond().for_update()).await.unwrap().unwrap();
            // Read, change, write back: the increment of a counter.
            let seen = hero.age;
            hero.age = Some(seen.unwrap() + 1);
            s.save(&mut hero).await.unwrap();
            s.commit().await.unwrap();
            seen
        })
    };
    // The reader is blocked on the lock: give it time to get there, then write and commit.
    tokio::time::sleep(Duration::from_millis(200)).await;
    hero.age = Some(40);
    holder.save(&mut hero).await.unwrap();
    holder.commit().await.unwrap();

    assert_eq!(reader.await.unwrap(), Some(40), "the reader waited and read the committed write");
    let mut s = engine.session().await.unwrap();
    assert_eq!(s.first(deadpond()).await.unwrap().unwrap().age, Some(41), "neither write was lost");
}

async fn a_locking_stream_holds_its_rows_until_commit(engine: Engine) {
    seeded(&engine).await;
    let mut holder = engine.session().await.unwrap();
    let streamed: Vec<Hero> = {
        let rows = holder.stream(select::<Hero>().order_by(Hero::id()).for_update()).await.unwrap();
        rows.map(|row| row.unwrap()).collect().await
    };
    assert_eq!(streamed.len(), 7);
    assert!(holder.in_transaction(), "a locking stream opens the session's transaction");

    let mut other = engine.session().await.unwrap();
    let err = other.one(deadpond().for_update_with(LockWait::NoWait)).await.unwrap_err();
    assert!(is_busy(&err), "NOWAIT on a streamed row is Busy, got {err:?}");
    other.rollback().await.unwrap();
    holder.rollback().await.unwrap();
    assert_eq!(other.one(deadpond().for_update_with(LockWait::NoWait)).await.unwrap().name, "Deadpond");
    other.commit().await.unwrap();
}

on_every_backend!(
    a_locking_stream_holds_its_rows_until_commit,
    a_locked_row_refuses_a_nowait_reader_until_commit,
    skip_locked_reads_around_a_locked_row,
    a_waiting_reader_sees_the_holders_write,
);
