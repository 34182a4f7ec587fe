//! tablemodel against the raw driver doing the same work, in one run, as a ratio.
//!
//! `cargo bench -p tablemodel --all-features --bench vs_raw` (PostgreSQL cases start a
//! throwaway server through the test kit). Cases: get by key, filter + order + limit 100
//! rows, insert one row in a transaction. Each case alternates rounds of both sides and
//! reports the median of the per-round timings. The filter runs before the inserts, on the
//! 1,000 seeded rows, as in the peers and the Python script, so every side sorts the
//! same table. `BENCH_BACKEND=sqlite` or `postgres`
//! runs one backend only.

use std::time::{Duration, Instant};

use tablemodel::prelude::*;

mod support;
use support::report;

#[derive(Model, Debug, Clone)]
#[model(table)]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
    secret_name: String,
    age: Option<i32>,
}

const ROUNDS: usize = 15;

async fn time<F: AsyncFnMut()>(iters: u32, mut f: F) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f().await;
    }
    start.elapsed() / iters
}

fn seed_heroes() -> Vec<Hero> {
    (0..1000)
        .map(|i| Hero { id: None, name: format!("hero {i}"), secret_name: format!("secret {i}"), age: Some(i % 90) })
        .collect()
}

async fn sqlite_cases() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let engine = Engine::connect(&format!("sqlite:///{}", path.display())).await.unwrap();
    engine.create_all::<Hero>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    s.add_all(seed_heroes()).await.unwrap();
    s.commit().await.unwrap();

    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.pragma_update(None, "journal_mode", "WAL").unwrap();
    raw.pragma_update(None, "foreign_keys", true).unwrap();
    raw.busy_timeout(Duration::from_secs(5)).unwrap();

    let (mut orm, mut rawt) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let id = (round as i64 % 1000) + 1;
        orm.push(
            time(2000, async || {
                std::hint::black_box(s.get::<Hero>(id).await.unwrap());
            })
            .await,
        );
        rawt.push(
            time(2000, async || {
                let mut st = raw
                    .prepare_cached(r#"SELECT "id", "name", "secret_name", "age" FROM "hero" WHERE "id" = ?"#)
                    .unwrap();
                let h = st
                    .query_row([id], |r| {
                        Ok(Hero { id: r.get(0)?, name: r.get(1)?, secret_name: r.get(2)?, age: r.get(3)? })
                    })
                    .unwrap();
                std::hint::black_box(h);
            })
            .await,
        );
    }
    report("sqlite", "get by key", orm, rawt);

    let (mut orm, mut rawt) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        orm.push(
            time(200, async || {
                let q = select::<Hero>().filter(Hero::age().ge(10)).order_by(Hero::name()).limit(100);
                std::hint::black_box(s.exec(q).await.unwrap());
            })
            .await,
        );
        rawt.push(
            time(200, async || {
                let mut st = raw
                    .prepare_cached(r#"SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."age" >= ? ORDER BY "hero"."name" ASC LIMIT 100"#)
                    .unwrap();
                let rows: Vec<Hero> = st
                    .query_map(rusqlite::params![10], |r| {
                        Ok(Hero { id: r.get(0)?, name: r.get(1)?, secret_name: r.get(2)?, age: r.get(3)? })
                    })
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                std::hint::black_box(rows);
            })
            .await,
        );
    }
    report("sqlite", "filter+order+limit 100", orm, rawt);

    let (mut orm, mut rawt) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        orm.push(
            time(200, async || {
                let h =
                    s.add(Hero { id: None, name: "n".into(), secret_name: "s".into(), age: Some(1) }).await.unwrap();
                s.commit().await.unwrap();
                std::hint::black_box(h);
            })
            .await,
        );
        rawt.push(
            time(200, async || {
                raw.execute_batch("BEGIN IMMEDIATE").unwrap();
                let mut st = raw
                    .prepare_cached(r#"INSERT INTO "hero" ("name", "secret_name", "age") VALUES (?, ?, ?) RETURNING "id", "name", "secret_name", "age""#)
                    .unwrap();
                let h = st
                    .query_row(rusqlite::params!["n", "s", 1], |r| {
                        Ok(Hero { id: r.get(0)?, name: r.get(1)?, secret_name: r.get(2)?, age: r.get(3)? })
                    })
                    .unwrap();
                drop(st);
                raw.execute_batch("COMMIT").unwrap();
                std::hint::black_box(h);
            })
            .await,
        );
    }
    report("sqlite", "insert one + commit", orm, rawt);
}

async fn postgres_cases() {
    let url = tablemodel_testkit::pg_server().fresh_database();
    let engine = Engine::connect(&url).await.unwrap();
    engine.create_all::<Hero>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    s.add_all(seed_heroes()).await.unwrap();
    s.commit().await.unwrap();

    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    let get = client.prepare(r#"SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."id" = $1"#).await.unwrap();
    let insert = client
        .prepare(r#"INSERT INTO "hero" ("name", "secret_name", "age") VALUES ($1, $2, $3) RETURNING "id", "name", "secret_name", "age""#)
        .await
        .unwrap();
    let filter = client
        .prepare(r#"SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."age" >= $1 ORDER BY "hero"."name" ASC LIMIT $2"#)
        .await
        .unwrap();
    let decode = |r: &tokio_postgres::Row| Hero { id: r.get(0), name: r.get(1), secret_name: r.get(2), age: r.get(3) };

    let (mut orm, mut rawt) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let id = (round as i64 % 1000) + 1;
        orm.push(
            time(500, async || {
                std::hint::black_box(s.get::<Hero>(id).await.unwrap());
            })
            .await,
        );
        rawt.push(
            time(500, async || {
                std::hint::black_box(decode(&client.query_one(&get, &[&id]).await.unwrap()));
            })
            .await,
        );
    }
    report("postgres", "get by key", orm, rawt);

    let (mut orm, mut rawt) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        orm.push(
            time(100, async || {
                let q = select::<Hero>().filter(Hero::age().ge(10)).order_by(Hero::name()).limit(100);
                std::hint::black_box(s.exec(q).await.unwrap());
            })
            .await,
        );
        rawt.push(
            time(100, async || {
                let rows = client.query(&filter, &[&10i32, &100i64]).await.unwrap();
                std::hint::black_box(rows.iter().map(decode).collect::<Vec<_>>());
            })
            .await,
        );
    }
    report("postgres", "filter+order+limit 100", orm, rawt);

    let (mut orm, mut rawt) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        orm.push(
            time(100, async || {
                let h =
                    s.add(Hero { id: None, name: "n".into(), secret_name: "s".into(), age: Some(1) }).await.unwrap();
                s.commit().await.unwrap();
                std::hint::black_box(h);
            })
            .await,
        );
        rawt.push(
            time(100, async || {
                client.batch_execute("BEGIN").await.unwrap();
                let row = client.query_one(&insert, &[&"n", &"s", &1i32]).await.unwrap();
                client.batch_execute("COMMIT").await.unwrap();
                std::hint::black_box(decode(&row));
            })
            .await,
        );
    }
    report("postgres", "insert one + commit", orm, rawt);
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return; // `cargo test --benches` runs bench binaries as tests: nothing to time there.
    }
    // `BENCH_BACKEND=sqlite` (or `postgres`) runs one backend's cases only.
    let only = std::env::var("BENCH_BACKEND").unwrap_or_default();
    if only.is_empty() || only == "sqlite" {
        sqlite_cases().await;
    }
    if only.is_empty() || only == "postgres" {
        postgres_cases().await;
    }
}
