//! Network round trips per verb on PostgreSQL, counted by a proxy between the client and
//! the real server (`tablemodel_testkit::RoundTripCounter`), for tablemodel and for the
//! plain tokio-postgres code a developer would write for the same work. Each verb runs once
//! before it is counted, so that prepared statements exist on both sides.
//!
//! Run with `--nocapture` to see the table BENCHMARKS.md reports.
//!
//! Each verb is also held to the fewest round trips its SQL needs, so that a change that
//! loses a pipelined flight fails here: `BEGIN` goes out with the transaction's first
//! statement, a statement the connection has not prepared yet runs in the flight that
//! prepares it, and the queries of several eager-loaded relationships go out together.
//!
//! The tests run on a single-threaded runtime, where the driver's connection task runs only
//! once the session's task waits: requests made together are then always written together.
//! On a multi-threaded runtime the connection task, busy on another thread, can write the
//! first request of a pipelined pair before the second is queued, and a loaded machine can
//! then count that pair as two flights (never more than without pipelining).

#![cfg(feature = "postgres")]

use tablemodel::prelude::*;
use tablemodel::{Capabilities, DbErrorKind};
use tablemodel_testkit::{PgServer, RoundTripCounter, pg_server};
use tokio_postgres::NoTls;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Team {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
    #[relationship(back_populates = "team")]
    heroes: Related<Vec<Hero>>,
    #[relationship(back_populates = "team")]
    sponsors: Related<Vec<Sponsor>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Sponsor {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
    #[field(foreign_key = "team.id")]
    team_id: Option<i64>,
    #[relationship(back_populates = "sponsors")]
    team: Related<Option<Team>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
    age: Option<i32>,
    #[field(foreign_key = "team.id")]
    team_id: Option<i64>,
    #[relationship(back_populates = "heroes")]
    team: Related<Option<Team>>,
}

/// Round trips of the second run of `$work` (the first prepares what it needs).
macro_rules! counted {
    ($proxy:expr, $work:block) => {{
        $work
        $proxy.reset();
        $work
        $proxy.count()
    }};
}

#[tokio::test]
async fn no_verb_takes_more_round_trips_than_the_plain_driver_code() {
    let server = pg_server();
    let proxy = RoundTripCounter::start(server.port());
    let url = proxy.url_for(server.port(), &server.fresh_database());

    let engine = Engine::builder(&url).max_connections(1).connect().await.unwrap();
    engine.create_all::<(Team, Hero, Sponsor)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let teams = s
        .add_all((0..3).map(|i| Team {
            id: None,
            name: format!("team {i}"),
            heroes: Related::NotLoaded,
            sponsors: Related::NotLoaded,
        }))
        .await
        .unwrap();
    for team in &teams {
        s.add(Sponsor {
            id: None,
            name: format!("sponsor of {}", team.name),
            team_id: team.id,
            team: Related::NotLoaded,
        })
        .await
        .unwrap();
        s.add_all((0..5).map(|j| Hero {
            id: None,
            name: format!("hero {j}"),
            age: Some(j),
            team_id: team.id,
            team: Related::NotLoaded,
        }))
        .await
        .unwrap();
    }
    s.commit().await.unwrap();

    let (raw, connection) = tokio_postgres::connect(&url, NoTls).await.unwrap();
    tokio::spawn(connection);
    let raw = &raw;
    let filter =
        raw.prepare("SELECT id, name, age, team_id FROM hero WHERE age > $1 ORDER BY name LIMIT $2").await.unwrap();
    let teams = raw.prepare("SELECT id, name FROM team ORDER BY id").await.unwrap();
    let heroes = raw.prepare("SELECT id, name, age, team_id FROM hero WHERE team_id = ANY($1)").await.unwrap();
    let sponsors = raw.prepare("SELECT id, name, team_id FROM sponsor WHERE team_id = ANY($1)").await.unwrap();
    let insert = raw.prepare("INSERT INTO hero (name, age, team_id) VALUES ($1, $2, $3) RETURNING id").await.unwrap();
    let get = raw.prepare("SELECT id, name, age, team_id FROM hero WHERE id = $1").await.unwrap();
    let update = raw.prepare("UPDATE hero SET age = $1 WHERE id = $2").await.unwrap();
    let delete = raw.prepare("DELETE FROM hero WHERE id = $1").await.unwrap();

    let mut rows = Vec::new();
    let mut row = |verb: &str, orm: u64, plain: u64| rows.push((verb.to_owned(), orm, plain));
    // The fewest flights each verb's SQL needs: a statement that needs the answer of
    // another (the heroes of the teams read, the delete of the key the insert returned,
    // a save of the row read) waits for it; `COMMIT` waits for the writes, whose errors
    // decide whether to commit; everything else goes out together.
    let minimum = [
        ("get by key", 1),
        ("filter + order + limit", 1),
        ("eager load (teams + their heroes)", 2),
        ("eager load (teams + heroes + sponsors)", 2),
        ("add + commit", 2),
        ("add_all of 10 + commit", 2),
        ("get + change one field + save + commit", 3),
        ("add + commit, then delete + commit", 4),
    ];

    let orm = counted!(proxy, {
        s.get::<Hero>(1).await.unwrap().unwrap();
    });
    let plain = counted!(proxy, {
        raw.query_opt(&get, &[&1i64]).await.unwrap().unwrap();
    });
    row("get by key", orm, plain);

    let orm = counted!(proxy, {
        let q = select::<Hero>().filter(Hero::age().gt(1)).order_by(Hero::name()).limit(5);
        assert_eq!(s.all(q).await.unwrap().len(), 5);
    });
    let plain = counted!(proxy, {
        raw.query(&filter, &[&1i32, &5i64]).await.unwrap();
    });
    row("filter + order + limit", orm, plain);

    let orm = counted!(proxy, {
        let teams = s.exec(select::<Team>().order_by(Team::id()).load(Team::heroes())).await.unwrap();
        assert_eq!(teams.len(), 3);
    });
    let plain = counted!(proxy, {
        let ids: Vec<i64> = raw.query(&teams, &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
        raw.query(&heroes, &[&ids]).await.unwrap();
    });
    row("eager load (teams + their heroes)", orm, plain);

    let orm = counted!(proxy, {
        let q = select::<Team>().order_by(Team::id()).load(Team::heroes()).load(Team::sponsors());
        let teams = s.exec(q).await.unwrap();
        assert!(teams.iter().all(|t| t.heroes.get().unwrap().len() == 5 && t.sponsors.get().unwrap().len() == 1));
    });
    let plain = counted!(proxy, {
        let ids: Vec<i64> = raw.query(&teams, &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
        raw.query(&heroes, &[&ids]).await.unwrap();
        raw.query(&sponsors, &[&ids]).await.unwrap();
    });
    row("eager load (teams + heroes + sponsors)", orm, plain);

    let orm = counted!(proxy, {
        s.add(Hero { id: None, name: "Tarantula".into(), age: Some(32), team_id: None, team: Related::NotLoaded })
            .await
            .unwrap();
        s.commit().await.unwrap();
    });
    let plain = counted!(proxy, {
        raw.batch_execute("BEGIN").await.unwrap();
        raw.query_one(&insert, &[&"Tarantula", &Some(32i32), &None::<i64>]).await.unwrap();
        raw.batch_execute("COMMIT").await.unwrap();
    });
    row("add + commit", orm, plain);

    let orm = counted!(proxy, {
        let heroes = (0..10).map(|i| Hero {
            id: None,
            name: format!("new {i}"),
            age: None,
            team_id: None,
            team: Related::NotLoaded,
        });
        s.add_all(heroes).await.unwrap();
        s.commit().await.unwrap();
    });
    let plain = counted!(proxy, {
        raw.batch_execute("BEGIN").await.unwrap();
        for i in 0..10 {
            raw.query_one(&insert, &[&format!("new {i}"), &None::<i32>, &None::<i64>]).await.unwrap();
        }
        raw.batch_execute("COMMIT").await.unwrap();
    });
    row("add_all of 10 + commit", orm, plain);

    let mut age = 40;
    let orm = counted!(proxy, {
        age += 1;
        let mut hero = s.get::<Hero>(2).await.unwrap().unwrap();
        hero.age = Some(age);
        s.save(&mut hero).await.unwrap();
        s.commit().await.unwrap();
    });
    let plain = counted!(proxy, {
        raw.query_opt(&get, &[&2i64]).await.unwrap().unwrap();
        raw.batch_execute("BEGIN").await.unwrap();
        raw.execute(&update, &[&Some(50i32), &2i64]).await.unwrap();
        raw.batch_execute("COMMIT").await.unwrap();
    });
    row("get + change one field + save + commit", orm, plain);

    let mut next = 100;
    let orm = counted!(proxy, {
        next += 1;
        let name = format!("doomed {next}");
        let hero = s.add(Hero { id: None, name, age: None, team_id: None, team: Related::NotLoaded }).await.unwrap();
        s.commit().await.unwrap();
        s.delete(&hero).await.unwrap();
        s.commit().await.unwrap();
    });
    let plain = counted!(proxy, {
        raw.batch_execute("BEGIN").await.unwrap();
        let id: i64 = raw.query_one(&insert, &[&"doomed", &None::<i32>, &None::<i64>]).await.unwrap().get(0);
        raw.batch_execute("COMMIT").await.unwrap();
        raw.batch_execute("BEGIN").await.unwrap();
        raw.execute(&delete, &[&id]).await.unwrap();
        raw.batch_execute("COMMIT").await.unwrap();
    });
    row("add + commit, then delete + commit", orm, plain);

    println!("| verb | tablemodel | tokio-postgres, written plainly |");
    println!("| --- | ---: | ---: |");
    for (verb, orm, plain) in &rows {
        println!("| {verb} | {orm} | {plain} |");
    }
    let worse: Vec<_> = rows.iter().filter(|(_, orm, plain)| orm > plain).collect();
    assert!(worse.is_empty(), "more round trips than the plain code: {worse:?}");
    let counted: Vec<(&str, u64)> = rows.iter().map(|(verb, orm, _)| (verb.as_str(), *orm)).collect();
    assert_eq!(counted, minimum, "round trips per verb, against the fewest their SQL needs");
}

/// An engine behind a fresh counting proxy, with the tables made and three teams of five
/// heroes; the proxy, the engine and its URL.
async fn seeded(adjust: fn(&mut Capabilities)) -> (RoundTripCounter, Engine, String) {
    let server = pg_server();
    let proxy = RoundTripCounter::start(server.port());
    let url = proxy.url_for(server.port(), &server.fresh_database());
    let engine = Engine::builder(&url).max_connections(1).adjust_capabilities(adjust).connect().await.unwrap();
    engine.create_all::<(Team, Hero, Sponsor)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    for i in 0..3 {
        let team = s
            .add(Team { id: None, name: format!("team {i}"), heroes: Related::NotLoaded, sponsors: Related::NotLoaded })
            .await
            .unwrap();
        s.add_all((0..5).map(|j| Hero {
            id: None,
            name: format!("hero {i}.{j}"),
            age: Some(j),
            team_id: team.id,
            team: Related::NotLoaded,
        }))
        .await
        .unwrap();
    }
    s.commit().await.unwrap();
    (proxy, engine, url)
}

fn tarantula() -> Hero {
    Hero { id: None, name: "Tarantula".into(), age: Some(32), team_id: None, team: Related::NotLoaded }
}

/// Round trips of `add` + `commit`, on a connection that has its statements prepared.
async fn add_and_commit(proxy: &RoundTripCounter, s: &mut Session) -> u64 {
    s.add(tarantula()).await.unwrap();
    s.commit().await.unwrap();
    proxy.reset();
    s.add(tarantula()).await.unwrap();
    s.commit().await.unwrap();
    proxy.count()
}

#[tokio::test]
async fn begin_goes_out_with_the_first_statement_of_the_transaction() {
    let (proxy, engine, _) = seeded(|_| {}).await;
    let mut s = engine.session().await.unwrap();
    assert_eq!(add_and_commit(&proxy, &mut s).await, 2, "BEGIN + INSERT in one flight, COMMIT in another");

    // An explicit `begin` waits for the first statement too, and a transaction that sent
    // nothing ends without a round trip.
    proxy.reset();
    s.begin().await.unwrap();
    assert!(s.in_transaction());
    s.add(tarantula()).await.unwrap();
    s.commit().await.unwrap();
    s.begin().await.unwrap();
    s.commit().await.unwrap();
    s.begin().await.unwrap();
    s.rollback().await.unwrap();
    assert_eq!(proxy.count(), 2);

    // The same work with `BEGIN` sent on its own, as the plain driver code does it.
    let (proxy, engine, _) = seeded(|c| c.pipelined_begin = false).await;
    let mut s = engine.session().await.unwrap();
    assert_eq!(add_and_commit(&proxy, &mut s).await, 3);
}

#[tokio::test]
async fn the_transaction_begun_with_the_first_statement_is_one_transaction() {
    let (_proxy, engine, url) = seeded(|_| {}).await;
    let mut s = engine.session().await.unwrap();
    s.add(tarantula()).await.unwrap();
    // Another engine watches: the insert is not visible before the commit.
    let watcher = Engine::connect(&url).await.unwrap();
    let mut w = watcher.session().await.unwrap();
    let count = |rows: Vec<Hero>| rows.iter().filter(|h| h.name == "Tarantula").count();
    assert_eq!(count(w.all(select::<Hero>()).await.unwrap()), 0, "visible before COMMIT: it ran outside a transaction");
    s.rollback().await.unwrap();
    assert_eq!(count(w.all(select::<Hero>()).await.unwrap()), 0);
    s.add(tarantula()).await.unwrap();
    s.commit().await.unwrap();
    assert_eq!(count(w.all(select::<Hero>()).await.unwrap()), 1);
}

/// Ends every other connection to `database` from the server's side, as an
/// administrator's `pg_terminate_backend` or a server restart would.
fn terminate_connections(database: &str) {
    pg_server().psql(
        database,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
}

#[tokio::test]
async fn a_write_whose_begin_fails_on_a_lost_connection_does_not_run() {
    let (_proxy, engine, url) = seeded(|_| {}).await;
    let database = url.rsplit('/').next().unwrap().to_owned();
    let mut s = engine.session().await.unwrap();
    // The session holds its connection (it read once); the server then ends it.
    s.all(select::<Team>()).await.unwrap();
    terminate_connections(&database);

    let err = s.add(tarantula()).await.unwrap_err();
    assert_eq!(err.db_kind(), Some(DbErrorKind::Connection), "{err}");
    assert!(!s.in_transaction(), "no transaction is open after a failed BEGIN");
    // Nothing is left to roll back; the session is usable again.
    s.rollback().await.unwrap();
    drop(s);

    let mut s = engine.session().await.unwrap();
    let heroes = s.all(select::<Hero>().filter(Hero::name().eq("Tarantula"))).await.unwrap();
    assert!(heroes.is_empty(), "the INSERT behind the failed BEGIN ran: {heroes:?}");
    s.add(tarantula()).await.unwrap();
    s.commit().await.unwrap();
}

#[tokio::test]
async fn a_write_whose_begin_finds_the_server_stopped_does_not_run() {
    let server = PgServer::dedicated();
    let url = server.fresh_database();
    let engine = Engine::builder(&url).max_connections(1).connect().await.unwrap();
    engine.create_all::<(Team, Hero, Sponsor)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    s.all(select::<Hero>()).await.unwrap();

    server.stop();
    let err = s.add(tarantula()).await.unwrap_err();
    assert_eq!(err.db_kind(), Some(DbErrorKind::Connection), "{err}");
    assert!(!s.in_transaction());
    server.start_again();
    drop(s);

    let mut s = engine.session().await.unwrap();
    assert!(s.all(select::<Hero>()).await.unwrap().is_empty(), "the INSERT behind the failed BEGIN ran");
    s.add(tarantula()).await.unwrap();
    s.commit().await.unwrap();
    assert_eq!(s.all(select::<Hero>()).await.unwrap().len(), 1);
}

/// The statements a connection has prepared, from the server's own view of its session.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "pg_prepared_statements")]
struct PreparedStatement {
    #[field(primary_key)]
    name: String,
    statement: String,
}

#[tokio::test]
async fn a_statement_not_prepared_yet_costs_one_round_trip_and_stays_prepared() {
    let (proxy, engine, url) = seeded(|_| {}).await;
    drop(engine);
    // A new connection: nothing prepared on it yet.
    let engine = Engine::builder(&url).max_connections(1).connect().await.unwrap();
    let mut s = engine.session().await.unwrap();
    s.all(select::<Team>()).await.unwrap();

    proxy.reset();
    let hero = s.get::<Hero>(1).await.unwrap().unwrap();
    assert_eq!(proxy.count(), 1, "the first get prepared and ran in one flight");
    assert_eq!(hero.id, Some(1));

    proxy.reset();
    let q = select::<Hero>().filter(Hero::age().gt(1)).order_by(Hero::name()).limit(5);
    assert_eq!(s.all(q).await.unwrap().len(), 5);
    assert_eq!(proxy.count(), 1);

    // A first write, behind its BEGIN: one flight, and COMMIT the other.
    proxy.reset();
    s.add(tarantula()).await.unwrap();
    s.commit().await.unwrap();
    assert_eq!(proxy.count(), 2);

    // The connection kept what it prepared: the next runs use the prepared statements.
    let prepared = s.all(select::<PreparedStatement>()).await.unwrap();
    let has = |part: &str| prepared.iter().any(|p| p.statement.contains(part));
    assert!(has("WHERE \"hero\".\"id\" = $1") || has("WHERE \"id\" = $1"), "{prepared:?}");
    assert!(has("INSERT INTO \"hero\""), "{prepared:?}");
    assert!(has("LIMIT $"), "{prepared:?}");
    proxy.reset();
    s.get::<Hero>(2).await.unwrap().unwrap();
    assert_eq!(proxy.count(), 1);
    let again = s.all(select::<PreparedStatement>()).await.unwrap();
    // (The listing's own query was prepared before it ran, so it lists itself both times.)
    assert_eq!(again.len(), prepared.len(), "nothing was prepared again: {again:?}");
}
