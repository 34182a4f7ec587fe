//! Cost curves and memory peaks, tablemodel against the raw driver, one side and one size
//! per process: the unit `bench/curves.sh` runs, under callgrind for the curves (the
//! instruction count of `n` operations and of `2n`, so start-up and seeding cancel out) and
//! on its own for the memory peaks.
//!
//! `curves <case> <orm|raw> <n> <size> [sqlite|postgres]` with case
//! - `rows`: a filter returning `size` of 10,000 heroes (`WHERE id <= size`);
//! - `add_all`: `size` heroes added in one call and committed (the raw side: a cached
//!   `INSERT … RETURNING` per row in one transaction, as in `bulk_vs_raw`);
//! - `fanout`: 10 teams eager-loaded with their heroes, `size` heroes per team;
//! - `mem_stream`: stream `size` heroes (1,000,000 in `bench/curves.sh`), `n` ignored;
//! - `mem_eager`: eager-load 100 teams with `size` heroes in all (50,000), `n` ignored.
//!
//! The memory cases print one JSON line with the process's peak resident set (`VmHWM`)
//! measured from after the seeding (the peak is reset then), so both sides pay only for
//! their own reading. Rows are seeded by one SQL statement (a recursive CTE), which costs
//! the same whichever side runs.
//!
//! On PostgreSQL, `PG_URL` (a server's URL, e.g. from the test kit's `pg-server`) saves
//! starting a server per process; without it the test kit starts one. Callgrind does not
//! trace the server: only the client's instructions count.

use std::collections::HashMap;

use futures_util::StreamExt;
use tablemodel::prelude::*;

#[path = "support/team_hero.rs"]
#[allow(dead_code)] // `seed_teams`: this bench seeds by SQL, the same statement for both sides.
mod team_hero;
use team_hero::{Hero, Team, decode_sqlite};
#[path = "support/raw_pg.rs"]
mod raw_pg;
use raw_pg::decode_hero as decode_pg;

const COLS: &str = r#""hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id""#;

/// `teams` teams and `heroes` heroes, hero `i` in team `i % teams + 1`, in two statements.
fn seed_sql(teams: i64, heroes: i64) -> [String; 2] {
    let rows = |n: i64, select: &str, table: &str, cols: &str| {
        format!(
            "INSERT INTO {table} ({cols}) WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < {n}) {select}"
        )
    };
    [
        rows(teams, r#"SELECT 'team ' || i FROM c"#, r#""team""#, r#""name""#),
        rows(
            heroes,
            &format!(r#"SELECT 'hero ' || i, 'secret ' || i, i % 90, i % {teams} + 1 FROM c"#),
            r#""hero""#,
            r#""name", "secret_name", "age", "team_id""#,
        ),
    ]
}

/// How many teams and heroes a case seeds.
fn shape(case: &str, size: i64) -> (i64, i64) {
    match case {
        "rows" => (100, 10_000),
        "add_all" => (100, 0),
        "fanout" => (10, 10 * size),
        "mem_stream" => (100, size),
        "mem_eager" => (100, size),
        other => panic!("unknown case {other}"),
    }
}

async fn orm(s: &mut Session, case: &str, size: i64, round: i64) {
    match case {
        "rows" => {
            let rows = s.exec(select::<Hero>().filter(Hero::id().le(size))).await.unwrap();
            assert_eq!(rows.len() as i64, size);
            drop(std::hint::black_box(rows));
        }
        "add_all" => {
            let heroes = (0..size).map(|i| team_hero::hero((round * size + i) as usize, Some(i % 100 + 1)));
            let stored = s.add_all(heroes).await.unwrap();
            s.commit().await.unwrap();
            drop(std::hint::black_box(stored));
        }
        "fanout" | "mem_eager" => {
            let teams = s.exec(select::<Team>().load(Team::heroes())).await.unwrap();
            drop(std::hint::black_box(teams));
        }
        "mem_stream" => {
            let mut rows = s.stream(select::<Hero>()).await.unwrap();
            let mut n = 0;
            while let Some(row) = rows.next().await {
                drop(std::hint::black_box(row.unwrap()));
                n += 1;
            }
            assert_eq!(n, size);
        }
        other => panic!("unknown case {other}"),
    }
}

fn raw_sqlite(conn: &rusqlite::Connection, case: &str, size: i64, round: i64) {
    match case {
        "rows" => {
            let mut st = conn.prepare_cached(&format!(r#"SELECT {COLS} FROM "hero" WHERE "hero"."id" <= ?"#)).unwrap();
            let rows: Vec<Hero> = st.query_map([size], decode_sqlite).unwrap().map(Result::unwrap).collect();
            assert_eq!(rows.len() as i64, size);
            drop(std::hint::black_box(rows));
        }
        "add_all" => {
            conn.execute_batch("BEGIN IMMEDIATE").unwrap();
            let mut st = conn
                .prepare_cached(&format!(
                    r#"INSERT INTO "hero" ("name", "secret_name", "age", "team_id") VALUES (?, ?, ?, ?) RETURNING {}"#,
                    COLS.replace(r#""hero"."#, "")
                ))
                .unwrap();
            let stored: Vec<Hero> = (0..size)
                .map(|i| {
                    let h = team_hero::hero((round * size + i) as usize, Some(i % 100 + 1));
                    st.query_row(rusqlite::params![h.name, h.secret_name, h.age, h.team_id], decode_sqlite).unwrap()
                })
                .collect();
            drop(st);
            conn.execute_batch("COMMIT").unwrap();
            drop(std::hint::black_box(stored));
        }
        "fanout" | "mem_eager" => {
            let mut teams: Vec<Team> = conn
                .prepare_cached(r#"SELECT "team"."id", "team"."name" FROM "team""#)
                .unwrap()
                .query_map([], |r| Ok(Team { id: r.get(0)?, name: r.get(1)?, heroes: Related::NotLoaded }))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let ids: Vec<i64> = teams.iter().map(|t| t.id.unwrap()).collect();
            let marks = vec!["?"; ids.len()].join(", ");
            let sql = format!(r#"SELECT {COLS} FROM "hero" WHERE "hero"."team_id" IN ({marks}) ORDER BY "hero"."id""#);
            let mut st = conn.prepare_cached(&sql).unwrap();
            let mut by_team: HashMap<i64, Vec<Hero>> = HashMap::new();
            for h in st.query_map(rusqlite::params_from_iter(ids.iter()), decode_sqlite).unwrap() {
                let h = h.unwrap();
                by_team.entry(h.team_id.unwrap()).or_default().push(h);
            }
            team_hero::attach_heroes(&mut teams, by_team);
            drop(std::hint::black_box(teams));
        }
        "mem_stream" => {
            let mut st = conn.prepare_cached(&format!(r#"SELECT {COLS} FROM "hero""#)).unwrap();
            let mut rows = st.query([]).unwrap();
            let mut n = 0;
            while let Some(row) = rows.next().unwrap() {
                drop(std::hint::black_box(decode_sqlite(row).unwrap()));
                n += 1;
            }
            assert_eq!(n, size);
        }
        other => panic!("unknown case {other}"),
    }
}

/// The PostgreSQL statements, prepared once as a careful user would.
struct PgStatements {
    rows: tokio_postgres::Statement,
    insert: tokio_postgres::Statement,
    eager: raw_pg::EagerStatements,
    all: tokio_postgres::Statement,
}

impl PgStatements {
    async fn prepare(client: &tokio_postgres::Client) -> Self {
        let insert = format!(
            r#"INSERT INTO "hero" ("name", "secret_name", "age", "team_id") VALUES ($1, $2, $3, $4) RETURNING {}"#,
            COLS.replace(r#""hero"."#, "")
        );
        PgStatements {
            rows: client.prepare(&format!(r#"SELECT {COLS} FROM "hero" WHERE "hero"."id" <= $1"#)).await.unwrap(),
            insert: client.prepare(&insert).await.unwrap(),
            eager: raw_pg::EagerStatements::prepare(client).await,
            all: client.prepare(&format!(r#"SELECT {COLS} FROM "hero""#)).await.unwrap(),
        }
    }
}

async fn raw_pg(client: &tokio_postgres::Client, st: &PgStatements, case: &str, size: i64, round: i64) {
    match case {
        "rows" => {
            let rows: Vec<Hero> = client.query(&st.rows, &[&size]).await.unwrap().iter().map(decode_pg).collect();
            assert_eq!(rows.len() as i64, size);
            drop(std::hint::black_box(rows));
        }
        "add_all" => {
            client.batch_execute("BEGIN").await.unwrap();
            let mut stored = Vec::with_capacity(size as usize);
            for i in 0..size {
                let h = team_hero::hero((round * size + i) as usize, Some(i % 100 + 1));
                let row = client.query_one(&st.insert, &[&h.name, &h.secret_name, &h.age, &h.team_id]).await.unwrap();
                stored.push(decode_pg(&row));
            }
            client.batch_execute("COMMIT").await.unwrap();
            drop(std::hint::black_box(stored));
        }
        "fanout" | "mem_eager" => {
            drop(std::hint::black_box(raw_pg::load_teams_with_heroes(client, &st.eager).await));
        }
        "mem_stream" => {
            let rows = client.query_raw(&st.all, std::iter::empty::<i32>()).await.unwrap();
            futures_util::pin_mut!(rows);
            let mut n = 0;
            while let Some(row) = rows.next().await {
                drop(std::hint::black_box(decode_pg(&row.unwrap())));
                n += 1;
            }
            assert_eq!(n, size);
        }
        other => panic!("unknown case {other}"),
    }
}

/// A `/proc/self/status` field in KiB: `VmHWM` (the peak resident set since the last
/// reset) or `VmRSS` (the current one).
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Sets the peak resident set back to the current one.
fn reset_peak_rss() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

/// A new database on the server at `PG_URL`, or on a test kit server of this process.
async fn fresh_pg_database() -> String {
    let Ok(base) = std::env::var("PG_URL") else {
        return tablemodel_testkit::pg_server().fresh_database();
    };
    let (client, connection) = tokio_postgres::connect(&base, tokio_postgres::NoTls).await.unwrap();
    let task = tokio::spawn(connection);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let name = format!("curves_{}_{nanos}", std::process::id());
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
    drop(client);
    let _ = task.await;
    let mut url = url::Url::parse(&base).unwrap();
    url.set_path(&name);
    url.to_string()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--test" || a == "--list" || a == "--bench") || !(4..=5).contains(&args.len()) {
        return; // `cargo bench` / `cargo test --benches` run this binary: it only runs under bench/curves.sh.
    }
    let (case, side) = (args[0].as_str(), args[1].as_str());
    let (n, size) = (args[2].parse::<i64>().unwrap(), args[3].parse::<i64>().unwrap());
    let backend = args.get(4).map_or("sqlite", String::as_str);
    let memory = case.starts_with("mem_");
    let n = if memory { 1 } else { n };
    let (teams, heroes) = shape(case, size);
    let seed = seed_sql(teams, heroes.max(1));
    let seed = if heroes == 0 { &seed[..1] } else { &seed[..] };
    let mut base_kib = 0;

    match backend {
        "postgres" => {
            let url = fresh_pg_database().await;
            let engine = Engine::connect(&url).await.unwrap();
            engine.create_all::<(Team, Hero)>().await.unwrap();
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            for sql in seed {
                client.batch_execute(sql).await.unwrap();
            }
            let statements = PgStatements::prepare(&client).await;
            let mut s = engine.session().await.unwrap();
            if memory {
                base_kib = status_kib("VmRSS:");
                reset_peak_rss();
            }
            for round in 0..n {
                match side {
                    "orm" => orm(&mut s, case, size, round).await,
                    "raw" => raw_pg(&client, &statements, case, size, round).await,
                    other => panic!("unknown side {other}"),
                }
            }
        }
        "sqlite" => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("curves.db");
            let engine = Engine::connect(&format!("sqlite:///{}", path.display())).await.unwrap();
            engine.create_all::<(Team, Hero)>().await.unwrap();
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.pragma_update(None, "foreign_keys", true).unwrap();
            conn.set_prepared_statement_cache_capacity(256);
            for sql in seed {
                conn.execute_batch(sql).unwrap();
            }
            let mut s = engine.session().await.unwrap();
            if memory {
                base_kib = status_kib("VmRSS:");
                reset_peak_rss();
            }
            for round in 0..n {
                match side {
                    "orm" => orm(&mut s, case, size, round).await,
                    "raw" => raw_sqlite(&conn, case, size, round),
                    other => panic!("unknown side {other}"),
                }
            }
        }
        other => panic!("unknown backend {other}"),
    }
    if memory {
        let line = serde_json::json!({"kind": "memory", "backend": backend, "case": case,
            "side": if side == "orm" { "tablemodel" } else { "raw" },
            "size": size, "base_rss_mib": base_kib as f64 / 1024.0, "peak_rss_mib": status_kib("VmHWM:") as f64 / 1024.0});
        println!("{line}");
    }
}
