//! Network round trips per verb on PostgreSQL, counted by a proxy between the client and
//! the real server (`tablemodel_testkit::RoundTripCounter`), for tablemodel and for the
//! plain tokio-postgres code a developer would write for the same work. Each verb runs once
//! before it is counted, so that prepared statements exist on both sides.
//!
//! Run with `--nocapture` to see the table BENCHMARKS.md reports.

#![cfg(feature = "postgres")]

use tablemodel::prelude::*;
use tablemodel_testkit::{RoundTripCounter, pg_server};
use tokio_postgres::NoTls;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Team {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
    #[relationship(back_populates = "team")]
    heroes: Related<Vec<Hero>>,
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_verb_takes_more_round_trips_than_the_plain_driver_code() {
    let server = pg_server();
    let proxy = RoundTripCounter::start(server.port());
    let url = proxy.url_for(server.port(), &server.fresh_database());

    let engine = Engine::builder(&url).max_connections(1).connect().await.unwrap();
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let teams = s
        .add_all((0..3).map(|i| Team { id: None, name: format!("team {i}"), heroes: Related::NotLoaded }))
        .await
        .unwrap();
    for team in &teams {
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
    let insert = raw.prepare("INSERT INTO hero (name, age, team_id) VALUES ($1, $2, $3) RETURNING id").await.unwrap();
    let get = raw.prepare("SELECT id, name, age, team_id FROM hero WHERE id = $1").await.unwrap();
    let update = raw.prepare("UPDATE hero SET age = $1 WHERE id = $2").await.unwrap();
    let delete = raw.prepare("DELETE FROM hero WHERE id = $1").await.unwrap();

    let mut rows = Vec::new();
    let mut row = |verb: &str, orm: u64, plain: u64| rows.push((verb.to_owned(), orm, plain));

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
}
