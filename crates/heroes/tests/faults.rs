//! Faults that must never be a 500: a value the database refuses (an indexed string too
//! long for a PostgreSQL btree entry), a database that is down (`/health` says so, in
//! bounded time), and hostile requests (a 10 MB body, JSON nested 100,000 deep, integers
//! and ids past 64 bits, a path that is not UTF-8), answered as FastAPI answers them.
//! (A NUL character in a string is in `api.rs`.)

use std::time::Duration;

use axum::http::Method;
use serde_json::{Value, json};
use tablemodel::Engine;
use tablemodel::web::TestClient;

async fn client(url: &str) -> (Engine, TestClient) {
    let engine = Engine::connect(url).await.unwrap();
    heroes::create_tables(&engine).await.unwrap();
    (engine.clone(), TestClient::new(heroes::app(engine)))
}

/// 8,000 letters with no repetition a compressor could use, so that an index entry stays
/// larger than PostgreSQL's btree maximum (2,704 bytes) even compressed.
fn incompressible_name() -> String {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..8000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect()
}

/// What PostgreSQL answers when `name` (indexed) is too long for its index: 422 naming the
/// field, never 500; the request's session was rolled back and the next request works.
#[tokio::test]
async fn an_indexed_name_too_long_for_postgresqls_index_is_a_422_naming_the_field() {
    let (_engine, c) = client(&tablemodel_testkit::postgres_url()).await;
    let name = incompressible_name();
    let message = "the database cannot store this value (too long to index, out of range or malformed)";
    let expected = json!({"detail": [{"type": "value_error", "loc": ["body", "name"],
                                      "msg": format!("Value error, {message}"), "input": null, "ctx": {"error": message}}]});
    let r = c.post("/heroes/", &json!({"name": name, "secret_name": "x"})).await;
    assert_eq!((r.status.as_u16(), r.json()), (422, expected.clone()));
    assert!(!r.text().contains("INSERT") && !r.text().contains("btree"), "nothing of the database's text leaks");

    let hero = c.post("/heroes/", &json!({"name": "Deadpond", "secret_name": "x"})).await;
    assert_eq!(hero.status, 200, "{}", hero.text());
    // The refused INSERT used up a value of the key's sequence.
    let id = hero.json()["id"].as_i64().unwrap();
    let r = c.patch(&format!("/heroes/{id}"), &json!({"name": name})).await;
    assert_eq!((r.status.as_u16(), r.json()), (422, expected));
    assert_eq!(c.get(&format!("/heroes/{id}")).await.json()["name"], "Deadpond");
}

/// SQLite has no such limit: the same name is stored and read back (the one difference
/// between the backends, documented in the heroes crate).
#[tokio::test]
async fn sqlite_stores_the_same_long_name() {
    let (_engine, c) = client(&tablemodel_testkit::sqlite_url()).await;
    let name = incompressible_name();
    let r = c.post("/heroes/", &json!({"name": name, "secret_name": "x"})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(c.get("/heroes/1").await.json()["name"], Value::String(name));
}

/// A stopped PostgreSQL: `/health` is 503 (with FastAPI's `detail`), for the pooled
/// connection that died and for the new one that is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_503_within_bounded_time_when_postgresql_is_stopped() {
    let server = tablemodel_testkit::PgServer::dedicated();
    let (_engine, c) = client(&server.fresh_database()).await;
    assert_eq!(c.get("/health").await.json(), json!({"status": "ok"}));
    server.stop();
    for attempt in ["a pooled connection that died", "a new connection refused"] {
        let r = tokio::time::timeout(Duration::from_secs(60), c.get("/health")).await.expect("/health hung");
        assert_eq!(
            (r.status.as_u16(), r.json()),
            (503, json!({"detail": "The database is unavailable, retry later"})),
            "{attempt}"
        );
    }
}

/// Every pooled connection held (the database accepts work but no connection frees up):
/// `/health` gives up at its own two-second bound with 503 instead of waiting for the pool
/// (here told to wait as long as it takes: without the bound this test hangs).
async fn health_is_503_when_no_connection_frees_up(url: String) {
    let engine = Engine::builder(&url).max_connections(1).no_acquire_timeout().connect().await.unwrap();
    heroes::create_tables(&engine).await.unwrap();
    let c = TestClient::new(heroes::app(engine.clone()));
    let held = engine.session().await.unwrap();
    let r = tokio::time::timeout(Duration::from_secs(60), c.get("/health")).await.expect("/health hung");
    assert_eq!((r.status.as_u16(), r.json()), (503, json!({"detail": "The database is unavailable, retry later"})));
    drop(held);
    assert_eq!(c.get("/health").await.status, 200);
}

/// A 10 MB body is refused with 413 before it is parsed (the limit is 2 MB), nothing is
/// written, and the server goes on serving.
async fn a_10_mb_body_is_413(url: String) {
    let (_engine, c) = client(&url).await;
    let body = format!(r#"{{"name": "{}", "secret_name": "s"}}"#, "a".repeat(10 << 20)).into_bytes();
    let r = c.send(Method::POST, "/heroes/", Some(body)).await;
    assert_eq!(r.status, 413);
    assert!(r.json()["detail"].is_string(), "{}", r.text());
    assert_eq!(c.get("/heroes/").await.json(), json!([]), "nothing was written");
}

/// JSON nested 100,000 deep (an array, an object) is a 400 with FastAPI's body (Python's
/// `json.loads` runs out of recursion there), without overflowing the stack; nesting the
/// parser reads (100 deep) is validated as usual: a 422 at the field.
async fn deeply_nested_json_is_400_and_shallower_nesting_a_422(url: String) {
    let (_engine, c) = client(&url).await;
    let depth = 100_000;
    for body in [
        format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
        format!(r#"{{"name": {}1{}, "secret_name": "s"}}"#, r#"{"a": "#.repeat(depth), "}".repeat(depth)),
    ] {
        let r = c.send(Method::POST, "/heroes/", Some(body.into_bytes())).await;
        assert_eq!((r.status.as_u16(), r.json()), (400, json!({"detail": "There was an error parsing the body"})));
    }
    let nested = format!(r#"{{"name": {}"x"{}, "secret_name": "s"}}"#, "[".repeat(100), "]".repeat(100));
    let r = c.send(Method::POST, "/heroes/", Some(nested.into_bytes())).await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(r.json()["detail"][0]["loc"], json!(["body", "name"]));
    assert_eq!(c.get("/heroes/").await.json(), json!([]), "nothing was written");
}

/// Integers past what a column holds (`team_id` is 64-bit, `age` 32-bit) are a 422 naming
/// the field, on POST and PATCH, before the database sees them.
async fn integers_past_their_column_are_422_at_the_field(url: String) {
    let (_engine, c) = client(&url).await;
    let size = |field: &str, input: Value| {
        json!({"detail": [{"type": "int_parsing_size", "loc": ["body", field],
                           "msg": "Unable to parse input string as an integer, exceeded maximum size", "input": input}]})
    };
    let r =
        c.post("/heroes/", &json!({"name": "a", "secret_name": "s", "team_id": 9_223_372_036_854_775_808_u64})).await;
    assert_eq!((r.status.as_u16(), r.json()), (422, size("team_id", json!(9_223_372_036_854_775_808_u64))));
    let r = c.post("/heroes/", &json!({"name": "a", "secret_name": "s", "age": 2_147_483_648_i64})).await;
    assert_eq!((r.status.as_u16(), r.json()), (422, size("age", json!(2_147_483_648_i64))));
    let raw = br#"{"name": "a", "secret_name": "s", "team_id": -99999999999999999999}"#.to_vec();
    let r = c.send(Method::POST, "/heroes/", Some(raw)).await;
    assert_eq!((r.status.as_u16(), r.json()["detail"][0]["loc"].clone()), (422, json!(["body", "team_id"])));
    let hero = c.post("/heroes/", &json!({"name": "a", "secret_name": "s"})).await.json();
    let id = hero["id"].as_i64().unwrap();
    let r = c.patch(&format!("/heroes/{id}"), &json!({"age": -2_147_483_649_i64})).await;
    assert_eq!((r.status.as_u16(), r.json()), (422, size("age", json!(-2_147_483_649_i64))));
    assert_eq!(c.get("/heroes/").await.json(), json!([hero]), "only the valid hero was written");
}

/// An id past 64 bits in the path is a 422 at `["path", …]` on every route that takes one
/// (the largest 64-bit id is merely not found); so is a path segment that is not UTF-8,
/// read as U+FFFD as FastAPI's server reads it, not axum's 400.
async fn ids_past_64_bits_and_non_utf8_ids_in_the_path_are_422(url: String) {
    let (_engine, c) = client(&url).await;
    let size = |name: &str, input: &str| {
        json!({"detail": [{"type": "int_parsing_size", "loc": ["path", name],
                           "msg": "Unable to parse input string as an integer, exceeded maximum size", "input": input}]})
    };
    for id in ["9223372036854775808", "-9223372036854775809", "99999999999999999999999999"] {
        for method in [Method::GET, Method::PATCH, Method::DELETE] {
            let body = (method == Method::PATCH).then(|| b"{}".to_vec());
            let hero = c.send(method.clone(), &format!("/heroes/{id}"), body.clone()).await;
            let team = c.send(method.clone(), &format!("/teams/{id}"), body).await;
            assert_eq!((hero.status.as_u16(), hero.json()), (422, size("hero_id", id)), "{method} {id}");
            assert_eq!((team.status.as_u16(), team.json()), (422, size("team_id", id)), "{method} {id}");
        }
    }
    assert_eq!(c.get("/heroes/9223372036854775807").await.json(), json!({"detail": "Hero not found"}));
    let r = c.get("/heroes/%FF").await;
    assert_eq!(
        (r.status.as_u16(), r.json()),
        (
            422,
            json!({"detail": [{"type": "int_parsing", "loc": ["path", "hero_id"],
                               "msg": "Input should be a valid integer, unable to parse string as an integer",
                               "input": "\u{fffd}"}]})
        )
    );
}

tablemodel_testkit::on_every_backend!(
    url;
    health_is_503_when_no_connection_frees_up,
    a_10_mb_body_is_413,
    deeply_nested_json_is_400_and_shallower_nesting_a_422,
    integers_past_their_column_are_422_at_the_field,
    ids_past_64_bits_and_non_utf8_ids_in_the_path_are_422,
);

/// Read replicas from the environment (`DATABASE_REPLICA_URLS`, real streaming standby on
/// loopback): `GET`s are served by the replica (with its replay paused, a hero created
/// since is not listed yet) while `PATCH` reads the row it changes from the primary; a
/// stopped replica fails no request (`GET` 200 from the primary, `/health` 200 saying
/// `degraded`), and only a stopped primary makes `/health` a 503.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_from_the_environment_serve_reads_and_a_stopped_one_fails_no_request() {
    let primary = tablemodel_testkit::PgServer::dedicated();
    let url = primary.fresh_database();
    let database = url.rsplit('/').next().unwrap().to_owned();
    heroes::create_tables(&Engine::connect(&url).await.unwrap()).await.unwrap();
    let replica = tablemodel_testkit::PgServer::replica_of(&primary);
    let replica_url = tablemodel_testkit::url_on_port(&url, primary.port(), replica.port());
    let env = move |name: &str| (name == "DATABASE_REPLICA_URLS").then(|| format!(" {replica_url} ,"));
    let engine = heroes::server::engine_builder(&url, &env).unwrap().connect().await.unwrap();
    let c = TestClient::new(heroes::app(engine.clone()));
    let names = |r: tablemodel::web::TestResponse| -> Vec<String> {
        r.json().as_array().unwrap().iter().map(|h| h["name"].as_str().unwrap().to_owned()).collect()
    };

    let r = c.post("/heroes/", &json!({"name": "Deadpond", "secret_name": "Dive Wilson"})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while names(c.get("/heroes/").await).is_empty() {
        assert!(std::time::Instant::now() < deadline, "the replica did not replay the hero within 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let health = c.get("/health").await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    assert_eq!(health.json()["replicas"][0]["healthy"], true, "{}", health.text());

    replica.psql(&database, "SELECT pg_wal_replay_pause()");
    let id = c.post("/heroes/", &json!({"name": "Rusty-Man", "secret_name": "Tommy Sharp"})).await.json()["id"].clone();
    assert_eq!(names(c.get("/heroes/").await), ["Deadpond"], "read from the paused replica");
    let r = c.patch(&format!("/heroes/{id}"), &json!({"age": 48})).await;
    assert_eq!((r.status.as_u16(), &r.json()["age"]), (200, &json!(48)), "{}", r.text());

    replica.stop();
    let r = c.get("/heroes/").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(names(r), ["Deadpond", "Rusty-Man"], "read from the primary");
    let health = c.get("/health").await;
    assert_eq!(health.status, 200, "{}", health.text());
    assert_eq!(health.json()["status"], "degraded");
    assert_eq!(health.json()["replicas"][0]["healthy"], false);

    primary.stop();
    let r = tokio::time::timeout(Duration::from_secs(60), c.get("/health")).await.expect("/health hung");
    assert_eq!(r.status, 503, "{}", r.text());
}
