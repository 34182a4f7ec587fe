//! One SQLite case, one side, `n` times: the unit that `bench/instructions.sh` runs under
//! callgrind to count instructions per operation for tablemodel and for the raw driver.
//!
//! Wall-clock ratios on a shared 2-core machine swing by ±15 % between runs; instruction
//! counts repeat exactly, so they are how a change to a hot path is judged before the
//! timed run confirms it.
//!
//! `instructions <case> <orm|raw> <n>` with case `get`, `filter`, `join`, `eager` or `stream`
//! (all 10,000 heroes).

use std::collections::HashMap;

use tablemodel::prelude::*;

#[path = "support/team_hero.rs"]
mod team_hero;
use team_hero::{Hero, Team, decode_sqlite as decode, seed_teams};

macro_rules! cols {
    () => {
        r#""hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id""#
    };
}

async fn seed(engine: &Engine) -> Session {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    seed_teams(&mut s).await;
    s
}

async fn orm(s: &mut Session, case: &str, i: i64) {
    match case {
        "get" => drop(std::hint::black_box(s.get::<Hero>(i % 10_000 + 1).await.unwrap())),
        "filter" => {
            // The heroes of 10 teams: about 900 rows to sort, as in vs_raw's 1,000-row table.
            let q = select::<Hero>()
                .filter(Hero::team_id().le(10))
                .filter(Hero::age().ge(10))
                .order_by(Hero::name())
                .limit(100);
            drop(std::hint::black_box(s.exec(q).await.unwrap()));
        }
        "join" => {
            let q = select::<(Hero, Team)>().join::<Team>().order_by(Hero::id()).limit(100);
            drop(std::hint::black_box(s.exec(q).await.unwrap()));
        }
        "eager" => drop(std::hint::black_box(s.exec(select::<Team>().load(Team::heroes())).await.unwrap())),
        "stream" => {
            use futures_util::StreamExt;
            let mut rows = s.stream(select::<Hero>()).await.unwrap();
            while let Some(row) = rows.next().await {
                drop(std::hint::black_box(row.unwrap()));
            }
        }
        other => panic!("unknown case {other}"),
    }
}

fn raw(conn: &rusqlite::Connection, case: &str, i: i64) {
    match case {
        "get" => {
            let sql = concat!("SELECT ", cols!(), r#" FROM "hero" WHERE "hero"."id" = ?"#);
            let mut st = conn.prepare_cached(sql).unwrap();
            drop(std::hint::black_box(st.query_row([i % 10_000 + 1], decode).unwrap()));
        }
        "filter" => {
            let sql = concat!(
                "SELECT ",
                cols!(),
                r#" FROM "hero" WHERE "hero"."team_id" <= ? AND "hero"."age" >= ? ORDER BY "hero"."name" ASC LIMIT ?"#
            );
            let mut st = conn.prepare_cached(sql).unwrap();
            let rows: Vec<Hero> = st.query_map([10, 10, 100], decode).unwrap().map(Result::unwrap).collect();
            drop(std::hint::black_box(rows));
        }
        "join" => {
            let sql = concat!(
                "SELECT ",
                cols!(),
                r#", "team"."id", "team"."name" FROM "hero" INNER JOIN "team" ON "hero"."team_id" = "team"."id" ORDER BY "hero"."id" ASC LIMIT ?"#
            );
            let mut st = conn.prepare_cached(sql).unwrap();
            let rows: Vec<(Hero, Team)> = st
                .query_map([100], |r| {
                    Ok((decode(r)?, Team { id: r.get(5)?, name: r.get(6)?, heroes: Related::NotLoaded }))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            drop(std::hint::black_box(rows));
        }
        "eager" => {
            let mut teams: Vec<Team> = conn
                .prepare_cached(r#"SELECT "team"."id", "team"."name" FROM "team""#)
                .unwrap()
                .query_map([], |r| Ok(Team { id: r.get(0)?, name: r.get(1)?, heroes: Related::NotLoaded }))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let ids: Vec<i64> = teams.iter().map(|t| t.id.unwrap()).collect();
            let marks = vec!["?"; ids.len()].join(", ");
            let sql = format!(
                concat!("SELECT ", cols!(), r#" FROM "hero" WHERE "hero"."team_id" IN ({}) ORDER BY "hero"."id""#),
                marks
            );
            let mut st = conn.prepare_cached(&sql).unwrap();
            let mut by_team: HashMap<i64, Vec<Hero>> = HashMap::new();
            for h in st.query_map(rusqlite::params_from_iter(ids.iter()), decode).unwrap() {
                let h = h.unwrap();
                by_team.entry(h.team_id.unwrap()).or_default().push(h);
            }
            for t in &mut teams {
                t.heroes = Related::Loaded(by_team.remove(&t.id.unwrap()).unwrap_or_default());
            }
            drop(std::hint::black_box(teams));
        }
        "stream" => {
            let mut st = conn.prepare_cached(concat!("SELECT ", cols!(), r#" FROM "hero""#)).unwrap();
            let mut rows = st.query([]).unwrap();
            while let Some(row) = rows.next().unwrap() {
                drop(std::hint::black_box(decode(row).unwrap()));
            }
        }
        other => panic!("unknown case {other}"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--test" || a == "--list" || a == "--bench") || args.len() != 3 {
        return; // `cargo bench` / `cargo test --benches` run this binary: it only runs under bench/instructions.sh.
    }
    let (case, side, n) = (&args[0], &args[1], args[2].parse::<i64>().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let engine = Engine::connect(&format!("sqlite:///{}", path.display())).await.unwrap();
    let mut s = seed(&engine).await;
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    for i in 0..n {
        match side.as_str() {
            "orm" => orm(&mut s, case, i).await,
            "raw" => raw(&conn, case, i),
            other => panic!("unknown side {other}"),
        }
    }
}
