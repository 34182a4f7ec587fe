//! Round trips per request of the heroes API on PostgreSQL: a counting proxy
//! (`tablemodel_testkit::RoundTripCounter`) between the app's engine and the real server
//! counts the flights each route makes, and each is held to the fewest its SQL needs.
//!
//! Each route runs once before it is counted, so that its statements are prepared (a
//! statement run for the first time on a connection costs one flight too). The runtime is
//! single-threaded so that requests the engine sends together are written together (see
//! `crates/tablemodel/tests/round_trips.rs`).

use serde_json::{Value, json};
use tablemodel::Engine;
use tablemodel::web::TestClient;
use tablemodel_testkit::{RoundTripCounter, pg_server};

/// The flights of `request`'s second run.
async fn counted<F, Fut>(proxy: &RoundTripCounter, mut request: F) -> u64
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    request(0).await;
    proxy.reset();
    request(1).await;
    proxy.count()
}

async fn ok(response: tablemodel::web::TestResponse) -> Value {
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()
}

#[tokio::test]
async fn each_route_takes_the_fewest_round_trips_its_sql_needs() {
    let server = pg_server();
    let proxy = RoundTripCounter::start(server.port());
    let url = proxy.url_for(server.port(), &server.fresh_database());
    let engine = Engine::builder(&url).max_connections(1).connect().await.unwrap();
    heroes::create_tables(&engine).await.unwrap();
    let c = TestClient::new(heroes::app(engine));
    ok(c.post("/teams/", &json!({"name": "Preventers", "headquarters": "Sharp Tower"})).await).await;
    for (name, age) in [("Rusty-Man", 48), ("Tarantula", 32), ("Spider-Boy", 16)] {
        let hero = json!({"name": name, "secret_name": "x", "age": age, "team_id": 1});
        ok(c.post("/heroes/", &hero).await).await;
    }
    let c = &c;

    let mut routes: Vec<(&str, u64)> = Vec::new();
    let n = counted(&proxy, |_| async move {
        let hero = ok(c.get("/heroes/1").await).await;
        assert_eq!(hero["team"]["name"], "Preventers");
    })
    .await;
    routes.push(("GET /heroes/{id} (with its team)", n));
    let n = counted(&proxy, |_| async move {
        assert_eq!(ok(c.get("/heroes/?limit=10").await).await.as_array().unwrap().len(), 3);
    })
    .await;
    routes.push(("GET /heroes/", n));
    let n = counted(&proxy, |_| async move {
        let team = ok(c.get("/teams/1").await).await;
        assert_eq!(team["heroes"].as_array().unwrap().len(), 3);
    })
    .await;
    routes.push(("GET /teams/{id} (with its heroes)", n));
    let n = counted(&proxy, |i| async move {
        let hero = json!({"name": format!("Doomed {i}"), "secret_name": "x", "team_id": 1});
        ok(c.post("/heroes/", &hero).await).await;
    })
    .await;
    routes.push(("POST /heroes/", n));
    let n = counted(&proxy, |i| async move {
        ok(c.patch("/heroes/2", &json!({"age": 40 + i})).await).await;
    })
    .await;
    routes.push(("PATCH /heroes/{id}", n));
    let n = counted(&proxy, |i| async move {
        // The heroes posted above: ids 4 and 5.
        ok(c.delete(&format!("/heroes/{}", 4 + i)).await).await;
    })
    .await;
    routes.push(("DELETE /heroes/{id}", n));

    println!("| request | round trips |");
    println!("| --- | ---: |");
    for (route, n) in &routes {
        println!("| {route} | {n} |");
    }
    // The fewest each route's SQL needs:
    // - a read is one statement, one flight, a hero with its team or a team with its heroes
    //   too (one query with a join);
    // - a write opens a transaction, whose `BEGIN` goes out with the write (one flight),
    //   and `COMMIT` waits for the write's answer (its key, or its error: a failed write is
    //   never committed), so two;
    // - PATCH and DELETE first read the row (a 404 when there is none, and the values the
    //   change applies to), then write it behind `BEGIN`, then commit: three.
    let minimum = [
        ("GET /heroes/{id} (with its team)", 1),
        ("GET /heroes/", 1),
        ("GET /teams/{id} (with its heroes)", 1),
        ("POST /heroes/", 2),
        ("PATCH /heroes/{id}", 3),
        ("DELETE /heroes/{id}", 3),
    ];
    assert_eq!(routes, minimum);
}
