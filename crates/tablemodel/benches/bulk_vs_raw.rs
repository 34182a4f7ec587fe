//! The bulk and relationship cases against the raw driver, in one run, as ratios: insert
//! 10,000 rows, update by key, delete by key, a join returning 100 (hero, team) pairs, eager
//! loading of 100 teams × 100 heroes, and streaming 1,000,000 rows (with the peak resident
//! memory of each side). `cargo bench -p tablemodel --all-features --bench bulk_vs_raw`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tablemodel::prelude::*;

#[path = "support/raw_pg.rs"]
#[allow(dead_code)] // the eager load: this bench times its own.
mod raw_pg;
mod support;
#[path = "support/team_hero.rs"]
mod team_hero;
use support::report;
use team_hero::{Hero, Team, decode_sqlite, hero, seed_teams};

#[derive(Model, Debug, Clone)]
#[model(table)]
struct Reading {
    #[field(primary_key)]
    id: Option<i64>,
    sensor: String,
    value: f64,
}

/// Peak resident memory since the last reset, in MiB (Linux).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn seed(engine: &Engine) -> Session {
    engine.create_all::<(Team, Hero, Reading)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    seed_teams(&mut s).await;
    s
}

const ROUNDS: usize = 9;

macro_rules! case {
    ($backend:expr, $name:expr, $iters:expr, orm: $orm:expr, raw: $raw:expr $(,)?) => {{
        let (mut orm, mut raw) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let start = Instant::now();
            for _ in 0..$iters {
                $orm;
            }
            orm.push(start.elapsed() / $iters);
            let start = Instant::now();
            for _ in 0..$iters {
                $raw;
            }
            raw.push(start.elapsed() / $iters);
        }
        report($backend, $name, orm, raw);
    }};
}

async fn sqlite_cases() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let engine = Engine::connect(&format!("sqlite:///{}", path.display())).await.unwrap();
    let mut s = seed(&engine).await;
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.pragma_update(None, "journal_mode", "WAL").unwrap();
    raw.busy_timeout(Duration::from_secs(5)).unwrap();
    let decode = decode_sqlite;
    const COLS: &str = r#""hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id""#;

    case!("sqlite", "insert 10,000 rows", 1,
        orm: {
            let rows: Vec<Hero> = (0..10_000).map(|i| hero(i, None)).collect();
            std::hint::black_box(s.add_all(rows).await.unwrap());
            s.commit().await.unwrap();
        },
        raw: {
            raw.execute_batch("BEGIN IMMEDIATE").unwrap();
            let mut st = raw.prepare_cached(r#"INSERT INTO "hero" ("name", "secret_name", "age", "team_id") VALUES (?, ?, ?, ?) RETURNING "id", "name", "secret_name", "age", "team_id""#).unwrap();
            let rows: Vec<Hero> = (0..10_000).map(|i| {
                let h = hero(i, None);
                st.query_row(rusqlite::params![h.name, h.secret_name, h.age, h.team_id], decode).unwrap()
            }).collect();
            drop(st);
            raw.execute_batch("COMMIT").unwrap();
            std::hint::black_box(rows);
        },
    );

    let mut h = s.get::<Hero>(1).await.unwrap().unwrap();
    let mut raw_age = 0;
    case!("sqlite", "update by key + commit", 200,
        orm: {
            h.age = Some(h.age.unwrap_or(0) % 90 + 1);
            s.save(&mut h).await.unwrap();
            s.commit().await.unwrap();
        },
        raw: {
            raw.execute_batch("BEGIN IMMEDIATE").unwrap();
            let mut st = raw.prepare_cached(&format!(r#"UPDATE "hero" SET "name" = ?, "secret_name" = ?, "age" = ?, "team_id" = ? WHERE "hero"."id" = ? RETURNING {COLS}"#)).unwrap();
            raw_age = raw_age % 90 + 1;
            let row = st.query_row(rusqlite::params![h.name, h.secret_name, raw_age, h.team_id, h.id], decode).unwrap();
            drop(st);
            raw.execute_batch("COMMIT").unwrap();
            std::hint::black_box(row);
        },
    );

    let mut victims: Vec<Hero> = s.exec(select::<Hero>().filter(Hero::team_id().is_null()).limit(4000)).await.unwrap();
    let mut raw_victims: Vec<i64> = victims.split_off(2000).into_iter().map(|h| h.id.unwrap()).collect();
    case!("sqlite", "delete by key + commit", 200,
        orm: {
            let victim = victims.pop().unwrap();
            s.delete(&victim).await.unwrap();
            s.commit().await.unwrap();
        },
        raw: {
            let id = raw_victims.pop().unwrap();
            raw.execute_batch("BEGIN IMMEDIATE").unwrap();
            raw.prepare_cached(r#"DELETE FROM "hero" WHERE "hero"."id" = ?"#).unwrap().execute([id]).unwrap();
            raw.execute_batch("COMMIT").unwrap();
        },
    );

    case!("sqlite", "join 100 (hero, team) pairs", 200,
        orm: {
            let q = select::<(Hero, Team)>().join::<Team>().order_by(Hero::id()).limit(100);
            std::hint::black_box(s.exec(q).await.unwrap());
        },
        raw: {
            let mut st = raw.prepare_cached(&format!(r#"SELECT {COLS}, "team"."id", "team"."name" FROM "hero" INNER JOIN "team" ON "hero"."team_id" = "team"."id" ORDER BY "hero"."id" ASC LIMIT 100"#)).unwrap();
            let rows: Vec<(Hero, Team)> = st.query_map([], |r| Ok((decode(r)?, Team { id: r.get(5)?, name: r.get(6)?, heroes: Related::NotLoaded })))
                .unwrap().map(Result::unwrap).collect();
            std::hint::black_box(rows);
        },
    );

    case!("sqlite", "eager load 100 teams x 100 heroes", 10,
        orm: {
            std::hint::black_box(s.exec(select::<Team>().load(Team::heroes())).await.unwrap());
        },
        raw: {
            let mut teams: Vec<Team> = raw.prepare_cached(r#"SELECT "team"."id", "team"."name" FROM "team""#).unwrap()
                .query_map([], |r| Ok(Team { id: r.get(0)?, name: r.get(1)?, heroes: Related::NotLoaded }))
                .unwrap().map(Result::unwrap).collect();
            let ids: Vec<i64> = teams.iter().map(|t| t.id.unwrap()).collect();
            let marks = vec!["?"; ids.len()].join(", ");
            let mut st = raw.prepare_cached(&format!(r#"SELECT {COLS} FROM "hero" WHERE "hero"."team_id" IN ({marks}) ORDER BY "hero"."id""#)).unwrap();
            let mut by_team: HashMap<i64, Vec<Hero>> = HashMap::new();
            for h in st.query_map(rusqlite::params_from_iter(ids.iter()), decode).unwrap() {
                let h = h.unwrap();
                by_team.entry(h.team_id.unwrap()).or_default().push(h);
            }
            team_hero::attach_heroes(&mut teams, by_team);
            std::hint::black_box(teams);
        },
    );

    let readings = (0..1_000_000).map(|i| Reading { id: None, sensor: format!("s{}", i % 100), value: i as f64 });
    s.add_all(readings.collect::<Vec<_>>()).await.unwrap();
    s.commit().await.unwrap();
    stream_case("sqlite", &mut s, || {
        let mut st = raw
            .prepare_cached(r#"SELECT "reading"."id", "reading"."sensor", "reading"."value" FROM "reading""#)
            .unwrap();
        let mut n = 0usize;
        let mut rows = st.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            std::hint::black_box(Reading {
                id: r.get(0).unwrap(),
                sensor: r.get(1).unwrap(),
                value: r.get(2).unwrap(),
            });
            n += 1;
        }
        n
    })
    .await;
}

async fn stream_case(backend: &str, s: &mut Session, mut raw: impl FnMut() -> usize) {
    let (mut orm, mut rawt) = (Vec::new(), Vec::new());
    let (mut orm_peak, mut raw_peak) = (0.0f64, 0.0f64);
    for _ in 0..3 {
        reset_peak_rss();
        let base = peak_rss_mib();
        let start = Instant::now();
        let mut stream = s.stream(select::<Reading>()).await.unwrap();
        let mut n = 0usize;
        while let Some(row) = stream.next().await {
            std::hint::black_box(row.unwrap());
            n += 1;
        }
        drop(stream);
        orm.push(start.elapsed());
        orm_peak = orm_peak.max(peak_rss_mib() - base);
        assert_eq!(n, 1_000_000);
        reset_peak_rss();
        let base = peak_rss_mib();
        let start = Instant::now();
        assert_eq!(raw(), 1_000_000);
        rawt.push(start.elapsed());
        raw_peak = raw_peak.max(peak_rss_mib() - base);
    }
    println!("{backend:<9} stream 1,000,000 rows: peak RSS growth tablemodel {orm_peak:.1} MiB, raw {raw_peak:.1} MiB");
    if let Ok(path) = std::env::var("BENCH_RESULTS") {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
        let line = serde_json::json!({"backend": backend, "case": "stream 1,000,000 rows", "side": "memory",
            "tablemodel_peak_mib": orm_peak, "raw_peak_mib": raw_peak});
        writeln!(file, "{line}").unwrap();
    }
    report(backend, "stream 1,000,000 rows", orm, rawt);
}

async fn postgres_cases() {
    let url = tablemodel_testkit::pg_server().fresh_database();
    let engine = Engine::connect(&url).await.unwrap();
    let mut s = seed(&engine).await;
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    let decode = raw_pg::decode_hero;
    const COLS: &str = r#""hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id""#;
    let insert = client.prepare(r#"INSERT INTO "hero" ("name", "secret_name", "age", "team_id") VALUES ($1, $2, $3, $4) RETURNING "id", "name", "secret_name", "age", "team_id""#).await.unwrap();
    let update = client.prepare(&format!(r#"UPDATE "hero" SET "name" = $1, "secret_name" = $2, "age" = $3, "team_id" = $4 WHERE "hero"."id" = $5 RETURNING {COLS}"#)).await.unwrap();
    let delete = client.prepare(r#"DELETE FROM "hero" WHERE "hero"."id" = $1"#).await.unwrap();
    let join = client.prepare(&format!(r#"SELECT {COLS}, "team"."id", "team"."name" FROM "hero" INNER JOIN "team" ON "hero"."team_id" = "team"."id" ORDER BY "hero"."id" ASC LIMIT $1"#)).await.unwrap();
    let teams_q = client.prepare(r#"SELECT "team"."id", "team"."name" FROM "team""#).await.unwrap();
    let heroes_q = client
        .prepare(&format!(r#"SELECT {COLS} FROM "hero" WHERE "hero"."team_id" = ANY($1) ORDER BY "hero"."id""#))
        .await
        .unwrap();

    case!("postgres", "insert 10,000 rows", 1,
        orm: {
            let rows: Vec<Hero> = (0..10_000).map(|i| hero(i, None)).collect();
            std::hint::black_box(s.add_all(rows).await.unwrap());
            s.commit().await.unwrap();
        },
        raw: {
            client.batch_execute("BEGIN").await.unwrap();
            let mut rows = Vec::with_capacity(10_000);
            for i in 0..10_000 {
                let h = hero(i, None);
                rows.push(decode(&client.query_one(&insert, &[&h.name, &h.secret_name, &h.age, &h.team_id]).await.unwrap()));
            }
            client.batch_execute("COMMIT").await.unwrap();
            std::hint::black_box(rows);
        },
    );

    let mut h = s.get::<Hero>(1).await.unwrap().unwrap();
    let mut raw_age = 0i32;
    case!("postgres", "update by key + commit", 100,
        orm: {
            h.age = Some(h.age.unwrap_or(0) % 90 + 1);
            s.save(&mut h).await.unwrap();
            s.commit().await.unwrap();
        },
        raw: {
            client.batch_execute("BEGIN").await.unwrap();
            raw_age = raw_age % 90 + 1;
            let row = client.query_one(&update, &[&h.name, &h.secret_name, &Some(raw_age), &h.team_id, &h.id]).await.unwrap();
            client.batch_execute("COMMIT").await.unwrap();
            std::hint::black_box(decode(&row));
        },
    );

    let mut victims: Vec<Hero> = s.exec(select::<Hero>().filter(Hero::team_id().is_null()).limit(2000)).await.unwrap();
    let mut raw_victims: Vec<i64> = victims.split_off(1000).into_iter().map(|h| h.id.unwrap()).collect();
    case!("postgres", "delete by key + commit", 100,
        orm: {
            let victim = victims.pop().unwrap();
            s.delete(&victim).await.unwrap();
            s.commit().await.unwrap();
        },
        raw: {
            let id = raw_victims.pop().unwrap();
            client.batch_execute("BEGIN").await.unwrap();
            client.execute(&delete, &[&id]).await.unwrap();
            client.batch_execute("COMMIT").await.unwrap();
        },
    );

    case!("postgres", "join 100 (hero, team) pairs", 100,
        orm: {
            let q = select::<(Hero, Team)>().join::<Team>().order_by(Hero::id()).limit(100);
            std::hint::black_box(s.exec(q).await.unwrap());
        },
        raw: {
            let rows: Vec<(Hero, Team)> = client.query(&join, &[&100i64]).await.unwrap().iter()
                .map(|r| (decode(r), Team { id: r.get(5), name: r.get(6), heroes: Related::NotLoaded })).collect();
            std::hint::black_box(rows);
        },
    );

    case!("postgres", "eager load 100 teams x 100 heroes", 10,
        orm: {
            std::hint::black_box(s.exec(select::<Team>().load(Team::heroes())).await.unwrap());
        },
        raw: {
            let mut teams: Vec<Team> = client.query(&teams_q, &[]).await.unwrap().iter()
                .map(|r| Team { id: r.get(0), name: r.get(1), heroes: Related::NotLoaded }).collect();
            let ids: Vec<i64> = teams.iter().map(|t| t.id.unwrap()).collect();
            let mut by_team: HashMap<i64, Vec<Hero>> = HashMap::new();
            for r in client.query(&heroes_q, &[&ids]).await.unwrap() {
                let h = decode(&r);
                by_team.entry(h.team_id.unwrap()).or_default().push(h);
            }
            team_hero::attach_heroes(&mut teams, by_team);
            std::hint::black_box(teams);
        },
    );

    let readings = (0..1_000_000).map(|i| Reading { id: None, sensor: format!("s{}", i % 100), value: i as f64 });
    s.add_all(readings.collect::<Vec<_>>()).await.unwrap();
    s.commit().await.unwrap();
    let stream_q =
        client.prepare(r#"SELECT "reading"."id", "reading"."sensor", "reading"."value" FROM "reading""#).await.unwrap();
    let handle = tokio::runtime::Handle::current();
    stream_case("postgres", &mut s, || {
        tokio::task::block_in_place(|| {
            handle.block_on(async {
                let rows = client.query_raw(&stream_q, std::iter::empty::<i32>()).await.unwrap();
                futures_util::pin_mut!(rows);
                let mut n = 0usize;
                while let Some(r) = rows.next().await {
                    let r = r.unwrap();
                    std::hint::black_box(Reading { id: r.get(0), sensor: r.get(1), value: r.get(2) });
                    n += 1;
                }
                n
            })
        })
    })
    .await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return; // `cargo test --benches` runs bench binaries as tests: nothing to time there.
    }
    sqlite_cases().await;
    postgres_cases().await;
}
