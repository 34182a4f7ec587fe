//! One SQLite case, one side, `n` times: the unit that `bench/instructions.sh` runs under
//! callgrind to count instructions per operation for tablemodel and for the raw driver.
//!
//! Wall-clock ratios on a shared 2-core machine swing by ±15 % between runs; instruction
//! counts repeat exactly, so they are how a change to a hot path is judged before the
//! timed run confirms it.
//!
//! `instructions <case> <orm|raw> <n> [postgres|mysql]` with case `get`, `filter`, `join`,
//! `eager`, `stream` (all 10,000 heroes) or `stream10` (a page of 10 heroes, streamed; not on
//! MySQL), or one of the one-row verbs over a filter on the key (`all1`, `first`, `one`,
//! `one_or_none`) or `page` (10 heroes at one of five offsets); on
//! PostgreSQL (a throwaway server from the test kit, which callgrind does not trace: only
//! the client's instructions count) every case; on MySQL (`mysql`: the test kit's MariaDB
//! server, likewise untraced) every case but `eager`. The write verbs, each in its own transaction
//! and committed: `insert` (one hero added: the model comes back as stored), `update` (a hero
//! loaded by key, one field changed, saved: the row comes back as stored) and `delete` (a
//! hero deleted by key), and `bulk` (a bulk `update` of one column by a filter on the key);
//! `update`, `delete` and `bulk` on SQLite and PostgreSQL only.
//!
//! The raw side is what careful hand-written code does: a cached prepared statement, a
//! literal `LIMIT`/`OFFSET` on SQLite (a bound one makes SQLite plan the statement again on
//! every call), and as many steps as the verb needs (`first` stops at one row, `one` must
//! see that there is no second).

use std::collections::HashMap;

use tablemodel::prelude::*;

#[path = "support/raw_mysql.rs"]
mod raw_mysql;
#[path = "support/raw_pg.rs"]
mod raw_pg;
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
        "all1" => drop(std::hint::black_box(s.all(by_id(i)).await.unwrap())),
        "first" => drop(std::hint::black_box(s.first(by_id(i)).await.unwrap())),
        "one" => drop(std::hint::black_box(s.one(by_id(i)).await.unwrap())),
        "one_or_none" => drop(std::hint::black_box(s.one_or_none(by_id(i)).await.unwrap())),
        "page" => {
            let q = select::<Hero>().order_by(Hero::id()).offset(page_offset(i)).limit(10);
            drop(std::hint::black_box(s.all(q).await.unwrap()));
        }
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
        "stream10" => {
            use futures_util::StreamExt;
            let q = select::<Hero>().order_by(Hero::id()).offset(page_offset(i)).limit(10);
            let mut rows = s.stream(q).await.unwrap();
            while let Some(row) = rows.next().await {
                drop(std::hint::black_box(row.unwrap()));
            }
        }
        "stream" => {
            use futures_util::StreamExt;
            let mut rows = s.stream(select::<Hero>()).await.unwrap();
            while let Some(row) = rows.next().await {
                drop(std::hint::black_box(row.unwrap()));
            }
        }
        "insert" => {
            let h = s.add(team_hero::hero(i as usize, Some(i % 100 + 1))).await.unwrap();
            s.commit().await.unwrap();
            drop(std::hint::black_box(h));
        }
        "update" => {
            let mut h = s.get::<Hero>(i % 10_000 + 1).await.unwrap().unwrap();
            h.age = Some(new_age(i));
            s.save(&mut h).await.unwrap();
            s.commit().await.unwrap();
            drop(std::hint::black_box(h));
        }
        "bulk" => {
            // A bulk update by a filter, as a handler writes one column of matching rows.
            let q = update::<Hero>().set(Hero::age(), Some(new_age(i))).filter(Hero::id().eq(i % 10_000 + 1));
            assert_eq!(s.exec(q).await.unwrap(), 1);
            s.commit().await.unwrap();
        }
        "delete" => {
            // A model with its key, as a handler builds it from a path parameter.
            let h = Hero {
                id: Some(i + 1),
                name: String::new(),
                secret_name: String::new(),
                age: None,
                team_id: None,
                team: Related::NotLoaded,
            };
            s.delete(&h).await.unwrap();
            s.commit().await.unwrap();
            drop(std::hint::black_box(h));
        }
        other => panic!("unknown case {other}"),
    }
}

/// The one-row query of the `all1`, `first`, `one` and `one_or_none` cases.
fn by_id(i: i64) -> tablemodel::Select<tablemodel::ModelSel<Hero>> {
    select::<Hero>().filter(Hero::id().eq(i % 10_000 + 1))
}

/// The `page` case's offset: one of five pages of 10, as a list endpoint is browsed.
fn page_offset(i: i64) -> u64 {
    (i % 5) as u64 * 10
}

/// The SQLite `page` and `stream10` cases' statement: a literal `LIMIT` and `OFFSET`, as
/// careful code writes them there (a bound one makes SQLite plan the statement again).
fn page_sql_sqlite(i: i64) -> String {
    format!(concat!("SELECT ", cols!(), r#" FROM "hero" ORDER BY "hero"."id" ASC LIMIT 10 OFFSET {}"#), page_offset(i))
}

/// The `update` case's new age for hero `i`: never the age it was seeded with (below 90).
fn new_age(i: i64) -> i32 {
    100 + i as i32
}

const BY_ID_SQLITE: &str = concat!("SELECT ", cols!(), r#" FROM "hero" WHERE "hero"."id" = ?"#);

fn raw(conn: &rusqlite::Connection, case: &str, i: i64) {
    match case {
        "all1" | "one" | "one_or_none" => {
            // Every row (`all`), or up to a second one to tell that there is none (`one`).
            let mut st = conn.prepare_cached(BY_ID_SQLITE).unwrap();
            let rows: Vec<Hero> = st.query_map([i % 10_000 + 1], decode).unwrap().map(Result::unwrap).collect();
            drop(std::hint::black_box(rows));
        }
        "first" => {
            let mut st = conn
                .prepare_cached(concat!("SELECT ", cols!(), r#" FROM "hero" WHERE "hero"."id" = ? LIMIT 1"#))
                .unwrap();
            drop(std::hint::black_box(st.query_row([i % 10_000 + 1], decode).unwrap()));
        }
        "page" => {
            let mut st = conn.prepare_cached(&page_sql_sqlite(i)).unwrap();
            let rows: Vec<Hero> = st.query_map([], decode).unwrap().map(Result::unwrap).collect();
            drop(std::hint::black_box(rows));
        }
        "get" => {
            let mut st = conn.prepare_cached(BY_ID_SQLITE).unwrap();
            drop(std::hint::black_box(st.query_row([i % 10_000 + 1], decode).unwrap()));
        }
        "filter" => {
            let sql = concat!(
                "SELECT ",
                cols!(),
                r#" FROM "hero" WHERE "hero"."team_id" <= ? AND "hero"."age" >= ? ORDER BY "hero"."name" ASC LIMIT 100"#
            );
            let mut st = conn.prepare_cached(sql).unwrap();
            let rows: Vec<Hero> = st.query_map([10, 10], decode).unwrap().map(Result::unwrap).collect();
            drop(std::hint::black_box(rows));
        }
        "join" => {
            let sql = concat!(
                "SELECT ",
                cols!(),
                r#", "team"."id", "team"."name" FROM "hero" INNER JOIN "team" ON "hero"."team_id" = "team"."id" ORDER BY "hero"."id" ASC LIMIT 100"#
            );
            let mut st = conn.prepare_cached(sql).unwrap();
            let rows: Vec<(Hero, Team)> = st
                .query_map([], |r| {
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
            team_hero::attach_heroes(&mut teams, by_team);
            drop(std::hint::black_box(teams));
        }
        "stream10" => {
            let mut st = conn.prepare_cached(&page_sql_sqlite(i)).unwrap();
            let mut rows = st.query([]).unwrap();
            while let Some(row) = rows.next().unwrap() {
                drop(std::hint::black_box(decode(row).unwrap()));
            }
        }
        "stream" => {
            let mut st = conn.prepare_cached(concat!("SELECT ", cols!(), r#" FROM "hero""#)).unwrap();
            let mut rows = st.query([]).unwrap();
            while let Some(row) = rows.next().unwrap() {
                drop(std::hint::black_box(decode(row).unwrap()));
            }
        }
        "insert" => {
            // What `add` + `commit` promise: the row as stored (`RETURNING`), in a write
            // transaction (`BEGIN IMMEDIATE`, as the engine takes SQLite's write lock).
            let h = team_hero::hero(i as usize, Some(i % 100 + 1));
            let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate).unwrap();
            let stored = tx
                .prepare_cached(concat!(
                    r#"INSERT INTO "hero" ("name", "secret_name", "age", "team_id") VALUES (?, ?, ?, ?) RETURNING "#,
                    r#""id", "name", "secret_name", "age", "team_id""#
                ))
                .unwrap()
                .query_row(rusqlite::params![h.name, h.secret_name, h.age, h.team_id], decode)
                .unwrap();
            tx.commit().unwrap();
            drop(std::hint::black_box(stored));
        }
        "update" => {
            // Load the hero, change its age, write that column and get the row as stored.
            let id = i % 10_000 + 1;
            let mut h = conn.prepare_cached(BY_ID_SQLITE).unwrap().query_row([id], decode).unwrap();
            h.age = Some(new_age(i));
            let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate).unwrap();
            let h = tx
                .prepare_cached(concat!(
                    r#"UPDATE "hero" SET "age" = ? WHERE "id" = ? RETURNING "#,
                    r#""id", "name", "secret_name", "age", "team_id""#
                ))
                .unwrap()
                .query_row(rusqlite::params![h.age, id], decode)
                .unwrap();
            tx.commit().unwrap();
            drop(std::hint::black_box(h));
        }
        "bulk" => {
            let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate).unwrap();
            let changed = tx
                .prepare_cached(r#"UPDATE "hero" SET "age" = ? WHERE "hero"."id" = ?"#)
                .unwrap()
                .execute(rusqlite::params![new_age(i), i % 10_000 + 1])
                .unwrap();
            assert_eq!(changed, 1);
            tx.commit().unwrap();
        }
        "delete" => {
            let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate).unwrap();
            let deleted = tx.prepare_cached(r#"DELETE FROM "hero" WHERE "id" = ?"#).unwrap().execute([i + 1]).unwrap();
            assert_eq!(deleted, 1);
            tx.commit().unwrap();
        }
        other => panic!("unknown case {other}"),
    }
}

/// The PostgreSQL cases' statements, prepared once as a careful user would.
struct PgStatements {
    get: tokio_postgres::Statement,
    filter: tokio_postgres::Statement,
    join: tokio_postgres::Statement,
    stream: tokio_postgres::Statement,
    page: tokio_postgres::Statement,
    insert: tokio_postgres::Statement,
    update: tokio_postgres::Statement,
    bulk: tokio_postgres::Statement,
    delete: tokio_postgres::Statement,
    eager: raw_pg::EagerStatements,
}

impl PgStatements {
    async fn prepare(client: &tokio_postgres::Client) -> Self {
        let filter = concat!(
            "SELECT ",
            cols!(),
            r#" FROM "hero" WHERE "hero"."team_id" <= $1 AND "hero"."age" >= $2 ORDER BY "hero"."name" ASC LIMIT $3"#
        );
        let join = concat!(
            "SELECT ",
            cols!(),
            r#", "team"."id", "team"."name" FROM "hero" INNER JOIN "team" ON "hero"."team_id" = "team"."id" ORDER BY "hero"."id" ASC LIMIT $1"#
        );
        PgStatements {
            get: client.prepare(concat!("SELECT ", cols!(), r#" FROM "hero" WHERE "hero"."id" = $1"#)).await.unwrap(),
            filter: client.prepare(filter).await.unwrap(),
            join: client.prepare(join).await.unwrap(),
            stream: client.prepare(concat!("SELECT ", cols!(), r#" FROM "hero""#)).await.unwrap(),
            page: client
                .prepare(concat!("SELECT ", cols!(), r#" FROM "hero" ORDER BY "hero"."id" ASC LIMIT $1 OFFSET $2"#))
                .await
                .unwrap(),
            insert: client
                .prepare(concat!(
                    r#"INSERT INTO "hero" ("name", "secret_name", "age", "team_id") VALUES ($1, $2, $3, $4) RETURNING "#,
                    r#""id", "name", "secret_name", "age", "team_id""#
                ))
                .await
                .unwrap(),
            update: client
                .prepare(r#"UPDATE "hero" SET "age" = $1 WHERE "id" = $2 RETURNING "id", "name", "secret_name", "age", "team_id""#)
                .await
                .unwrap(),
            bulk: client.prepare(r#"UPDATE "hero" SET "age" = $1 WHERE "hero"."id" = $2"#).await.unwrap(),
            delete: client.prepare(r#"DELETE FROM "hero" WHERE "id" = $1"#).await.unwrap(),
            eager: raw_pg::EagerStatements::prepare(client).await,
        }
    }
}

/// The same cases by hand with tokio-postgres.
async fn raw_pg(client: &mut tokio_postgres::Client, st: &PgStatements, case: &str, i: i64) {
    let decode = raw_pg::decode_hero;
    match case {
        "get" | "first" | "one" => {
            let row = client.query_one(&st.get, &[&(i % 10_000 + 1)]).await.unwrap();
            drop(std::hint::black_box(decode(&row)));
        }
        "one_or_none" => {
            let row = client.query_opt(&st.get, &[&(i % 10_000 + 1)]).await.unwrap();
            drop(std::hint::black_box(row.as_ref().map(decode)));
        }
        "all1" => {
            let rows = client.query(&st.get, &[&(i % 10_000 + 1)]).await.unwrap();
            drop(std::hint::black_box(rows.iter().map(decode).collect::<Vec<_>>()));
        }
        "page" => {
            let offset = page_offset(i) as i64;
            let rows = client.query(&st.page, &[&10i64, &offset]).await.unwrap();
            drop(std::hint::black_box(rows.iter().map(decode).collect::<Vec<_>>()));
        }
        "filter" => {
            let rows = client.query(&st.filter, &[&10i64, &10i32, &100i64]).await.unwrap();
            drop(std::hint::black_box(rows.iter().map(decode).collect::<Vec<_>>()));
        }
        "join" => {
            let rows: Vec<(Hero, Team)> = client
                .query(&st.join, &[&100i64])
                .await
                .unwrap()
                .iter()
                .map(|r| (decode(r), Team { id: r.get(5), name: r.get(6), heroes: Related::NotLoaded }))
                .collect();
            drop(std::hint::black_box(rows));
        }
        "eager" => drop(std::hint::black_box(raw_pg::load_teams_with_heroes(client, &st.eager).await)),
        "stream10" => {
            use futures_util::StreamExt;
            let offset = page_offset(i) as i64;
            let rows = client.query_raw(&st.page, [&10i64, &offset]).await.unwrap();
            futures_util::pin_mut!(rows);
            while let Some(row) = rows.next().await {
                drop(std::hint::black_box(decode(&row.unwrap())));
            }
        }
        "stream" => {
            use futures_util::StreamExt;
            let rows = client.query_raw(&st.stream, std::iter::empty::<i32>()).await.unwrap();
            futures_util::pin_mut!(rows);
            while let Some(row) = rows.next().await {
                drop(std::hint::black_box(decode(&row.unwrap())));
            }
        }
        "insert" => {
            // `add` + `commit`: the row as stored (`RETURNING`), in a transaction.
            let h = team_hero::hero(i as usize, Some(i % 100 + 1));
            let tx = client.transaction().await.unwrap();
            let row = tx.query_one(&st.insert, &[&h.name, &h.secret_name, &h.age, &h.team_id]).await.unwrap();
            tx.commit().await.unwrap();
            drop(std::hint::black_box(decode(&row)));
        }
        "update" => {
            // Load the hero, change its age, write that column and get the row as stored.
            let id = i % 10_000 + 1;
            let mut h = decode(&client.query_one(&st.get, &[&id]).await.unwrap());
            h.age = Some(new_age(i));
            let tx = client.transaction().await.unwrap();
            let row = tx.query_one(&st.update, &[&h.age, &id]).await.unwrap();
            tx.commit().await.unwrap();
            drop(std::hint::black_box(decode(&row)));
        }
        "bulk" => {
            let tx = client.transaction().await.unwrap();
            assert_eq!(tx.execute(&st.bulk, &[&Some(new_age(i)), &(i % 10_000 + 1)]).await.unwrap(), 1);
            tx.commit().await.unwrap();
        }
        "delete" => {
            let tx = client.transaction().await.unwrap();
            assert_eq!(tx.execute(&st.delete, &[&(i + 1)]).await.unwrap(), 1);
            tx.commit().await.unwrap();
        }
        other => panic!("unknown PostgreSQL case {other}"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--test" || a == "--list" || a == "--bench") || !(3..=4).contains(&args.len()) {
        return; // `cargo bench` / `cargo test --benches` run this binary: it only runs under bench/instructions.sh.
    }
    let (case, side, n) = (&args[0], &args[1], args[2].parse::<i64>().unwrap());
    if args.get(3).is_some_and(|b| b == "mysql") {
        let url = tablemodel_testkit::mysql_url();
        let engine = Engine::connect(&url).await.unwrap();
        engine.create_all::<(Team, Hero)>().await.unwrap();
        let mut conn = raw_mysql::connect(&url).await;
        raw_mysql::seed(&mut conn).await;
        let statements = raw_mysql::MysqlStatements::prepare(&mut conn).await;
        let mut s = engine.session().await.unwrap();
        for i in 0..n {
            match side.as_str() {
                "orm" => orm(&mut s, case, i).await,
                "raw" => raw_mysql::run(&mut conn, &statements, case, i, page_offset(i)).await,
                other => panic!("unknown side {other}"),
            }
        }
        return;
    }
    if args.get(3).is_some_and(|b| b == "postgres") {
        let url = tablemodel_testkit::pg_server().fresh_database();
        let engine = Engine::connect(&url).await.unwrap();
        let mut s = seed(&engine).await;
        let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        let statements = PgStatements::prepare(&client).await;
        for i in 0..n {
            match side.as_str() {
                "orm" => orm(&mut s, case, i).await,
                "raw" => raw_pg(&mut client, &statements, case, i).await,
                other => panic!("unknown side {other}"),
            }
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let engine = Engine::connect(&format!("sqlite:///{}", path.display())).await.unwrap();
    let mut s = seed(&engine).await;
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    // As many cached statements as the engine's connections keep (the `page` case uses five).
    conn.set_prepared_statement_cache_capacity(256);
    for i in 0..n {
        match side.as_str() {
            "orm" => orm(&mut s, case, i).await,
            "raw" => raw(&conn, case, i),
            other => panic!("unknown side {other}"),
        }
    }
}
