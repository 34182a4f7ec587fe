//! The engine's settings, given as builder methods or URL parameters, do what they say on
//! every backend: the pool's size and gauges, the acquire timeout, the statement timeout
//! (engine and session) with the session recovering by rollback, the lock timeout, pre-ping
//! and the max lifetime.

use std::time::{Duration, Instant};

use tablemodel::prelude::*;
use tablemodel::{DbErrorKind, Filter};

use crate::common::{Hero, seeded};

/// `url` with `params` appended to its query.
fn with_params(url: &str, params: &str) -> String {
    format!("{url}{}{params}", if url.contains('?') { '&' } else { '?' })
}

/// A statement that keeps the database busy for seconds: `pg_sleep` on PostgreSQL, a long
/// recursive count on SQLite.
fn slow_filter(dialect: Dialect) -> Filter {
    let sql = match dialect {
        Dialect::Postgres => "pg_sleep(5) IS NOT NULL",
        Dialect::Mysql => "SLEEP(5) = 0",
        _ => {
            "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c) > 0"
        }
    };
    Filter::from_expr(sea_query::Expr::cust(sql))
}

async fn url_parameters_set_the_pool_and_the_builder_wins(url: String) {
    let engine = Engine::connect(&with_params(&url, "max_connections=3&min_idle=2")).await.unwrap();
    let status = engine.pool_status();
    assert_eq!((status.max_size, status.in_use, status.waiting), (3, 0, 0));
    assert!(status.size >= 2, "min_idle opened connections ahead of demand: {status:?}");
    let s = engine.session().await.unwrap();
    assert_eq!(engine.pool_status().in_use, 1);
    drop(s);
    let engine = Engine::builder(&with_params(&url, "max_connections=3")).max_connections(5).connect().await.unwrap();
    assert_eq!(engine.pool_status().max_size, 5);
    let err = Engine::connect(&with_params(&url, "statement_timeout=soon")).await.unwrap_err();
    assert!(
        matches!(err, tablemodel::Error::InvalidUrl { .. }) && err.to_string().contains("statement_timeout"),
        "{err}"
    );
}

async fn a_full_pool_fails_at_the_acquire_timeout_and_gauges_show_the_wait(url: String) {
    let engine = Engine::connect(&with_params(&url, "max_connections=1&acquire_timeout=300ms")).await.unwrap();
    let held = engine.session().await.unwrap();
    let waiter = {
        let engine = engine.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            (engine.session().await.map(drop), started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(engine.pool_status().waiting, 1, "the second session waits");
    let (result, waited) = waiter.await.unwrap();
    assert!(matches!(result, Err(tablemodel::Error::PoolTimedOut)), "{result:?}");
    assert!(waited >= Duration::from_millis(250) && waited < Duration::from_secs(5), "{waited:?}");
    // A lazy session fails the same way at its first statement, not before.
    let mut lazy = engine.lazy_session();
    let err = lazy.exec(select::<Hero>()).await.unwrap_err();
    assert!(matches!(err, tablemodel::Error::PoolTimedOut), "{err:?}");
    drop(held);
    assert!(engine.session().await.is_ok());
}

async fn a_statement_past_its_timeout_is_a_timeout_and_the_session_recovers(url: String) {
    let engine = Engine::connect(&with_params(&url, "statement_timeout=300ms")).await.unwrap();
    seeded(&engine).await;
    let mut s = engine.session().await.unwrap();
    s.begin().await.unwrap();
    let started = Instant::now();
    let err = s.exec(select::<Hero>().filter(slow_filter(engine.dialect()))).await.unwrap_err();
    assert_eq!(err.db_kind(), Some(DbErrorKind::Timeout), "{err}");
    assert!(started.elapsed() < Duration::from_secs(4), "cancelled at the timeout: {:?}", started.elapsed());
    assert!(matches!(s.exec(select::<Hero>()).await, Err(tablemodel::Error::PendingRollback)));
    s.rollback().await.unwrap();
    assert_eq!(s.exec(select::<Hero>()).await.unwrap().len(), 7);

    // A session's own timeout replaces the engine's, and goes with the session.
    s.set_statement_timeout(None).await.unwrap();
    s.set_statement_timeout(Some(Duration::from_millis(200))).await.unwrap();
    let err = s.exec(select::<Hero>().filter(slow_filter(engine.dialect()))).await.unwrap_err();
    assert_eq!(err.db_kind(), Some(DbErrorKind::Timeout), "{err}");
}

async fn a_session_timeout_does_not_outlive_its_session(url: String) {
    let engine = Engine::builder(&url).max_connections(1).connect().await.unwrap();
    seeded(&engine).await;
    let mut s = engine.session().await.unwrap();
    s.set_statement_timeout(Some(Duration::from_millis(100))).await.unwrap();
    // The engine has no statement timeout: the session's own still stops a statement.
    let started = Instant::now();
    let err = s.exec(select::<Hero>().filter(slow_filter(engine.dialect()))).await.unwrap_err();
    assert_eq!(err.db_kind(), Some(DbErrorKind::Timeout), "{err}");
    assert!(started.elapsed() < Duration::from_secs(4), "cancelled at the timeout: {:?}", started.elapsed());
    drop(s);
    // The same (only) connection, back at the engine's "no limit": a statement of a second
    // runs to its end.
    let mut s = engine.session().await.unwrap();
    let quick = match engine.dialect() {
        Dialect::Postgres => "pg_sleep(0.3) IS NOT NULL",
        Dialect::Mysql => "SLEEP(0.3) = 0",
        _ => {
            "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT count(*) FROM c) > 0"
        }
    };
    let rows = s.exec(select::<Hero>().filter(Filter::from_expr(sea_query::Expr::cust(quick))).limit(1)).await;
    assert_eq!(rows.map(|r| r.len()).unwrap(), 1);
}

async fn a_row_locked_by_another_session_fails_at_the_lock_timeout(url: String) {
    // Two engines on one database: on SQLite, a file.
    let dir = tempfile::tempdir().unwrap();
    let url = if url.starts_with("sqlite:") { format!("sqlite:///{}/locked.db", dir.path().display()) } else { url };
    let engine = Engine::connect(&with_params(&url, "lock_timeout=300ms")).await.unwrap();
    let heroes = seeded(&engine).await;
    let mut holder = engine.session().await.unwrap();
    let mut first = heroes[0].clone();
    first.age = Some(1);
    holder.save(&mut first).await.unwrap();
    // Another engine: on SQLite the engine's own writer queue would otherwise answer first.
    let other = Engine::connect(&with_params(&url, "lock_timeout=300ms")).await.unwrap();
    let mut s = other.session().await.unwrap();
    let mut again = heroes[0].clone();
    again.age = Some(2);
    let started = Instant::now();
    let err = s.save(&mut again).await.unwrap_err();
    assert_eq!(err.db_kind(), Some(DbErrorKind::Busy), "{err}");
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    s.rollback().await.unwrap();
    holder.commit().await.unwrap();
    s.save(&mut again).await.unwrap();
    s.commit().await.unwrap();
}

async fn connections_past_their_max_lifetime_are_replaced(url: String) {
    let engine =
        Engine::connect(&with_params(&url, "max_connections=1&max_lifetime=200ms&pre_ping=true")).await.unwrap();
    seeded(&engine).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let mut s = engine.session().await.unwrap();
    assert_eq!(s.exec(select::<Hero>()).await.unwrap().len(), 7);
    assert_eq!(engine.pool_status().size, 1);
}

/// A pooled connection whose server process was ended (as a PostgreSQL restart ends them
/// all): with pre-ping on, the next session is handed a working connection, never the dead
/// one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_connection_the_server_ended_is_replaced_before_use() {
    let url = tablemodel_testkit::postgres_url();
    let database = url.rsplit('/').next().unwrap().to_owned();
    let engine = Engine::connect(&with_params(&url, "max_connections=1&pre_ping=true")).await.unwrap();
    seeded(&engine).await;
    tablemodel_testkit::pg_server().psql(
        &database,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    let mut s = engine.session().await.unwrap();
    assert_eq!(s.exec(select::<Hero>()).await.unwrap().len(), 7);
}

tablemodel_testkit::on_every_backend!(url;
    url_parameters_set_the_pool_and_the_builder_wins,
    a_full_pool_fails_at_the_acquire_timeout_and_gauges_show_the_wait,
    a_statement_past_its_timeout_is_a_timeout_and_the_session_recovers,
    a_session_timeout_does_not_outlive_its_session,
    a_row_locked_by_another_session_fails_at_the_lock_timeout,
    connections_past_their_max_lifetime_are_replaced
);
