//! Every route of the heroes API, on SQLite and on PostgreSQL, through the router: the
//! success paths, 404s, PATCH semantics, pagination limits and 422 bodies as FastAPI
//! answers them.

use serde_json::{Value, json};
use tablemodel::Engine;
use tablemodel::web::TestClient;
use tablemodel_testkit::on_every_backend;

async fn client(engine: Engine) -> TestClient {
    heroes::create_tables(&engine).await.unwrap();
    TestClient::new(heroes::app(engine))
}

async fn post_ok(c: &TestClient, uri: &str, body: Value) -> Value {
    let r = c.post(uri, &body).await;
    assert_eq!(r.status, 200, "POST {uri} {body}: {}", r.text());
    r.json()
}

async fn create_hero_and_read_it(c: TestClient) {
    let hero = post_ok(&c, "/heroes/", json!({"name": "Deadpond", "secret_name": "Dive Wilson"})).await;
    assert_eq!(hero, json!({"id": 1, "name": "Deadpond", "secret_name": "Dive Wilson", "age": null, "team_id": null}));
    // A client-sent id is ignored, as in the tutorial.
    let second =
        post_ok(&c, "/heroes/", json!({"id": 9000, "name": "Spider-Boy", "secret_name": "Pedro Parqueador"})).await;
    assert_eq!(second["id"], 2);

    let one = c.get("/heroes/1").await;
    assert_eq!(one.status, 200);
    assert_eq!(
        one.json(),
        json!({"id": 1, "name": "Deadpond", "secret_name": "Dive Wilson", "age": null, "team_id": null, "team": null})
    );
    let all = c.get("/heroes/").await.json();
    assert_eq!(
        all.as_array().unwrap().iter().map(|h| h["name"].clone()).collect::<Vec<_>>(),
        ["Deadpond", "Spider-Boy"]
    );
}

async fn teams_with_their_heroes(c: TestClient) {
    let team = post_ok(&c, "/teams/", json!({"name": "Preventers", "headquarters": "Sharp Tower"})).await;
    assert_eq!(team, json!({"id": 1, "name": "Preventers", "headquarters": "Sharp Tower"}));
    post_ok(&c, "/heroes/", json!({"name": "Rusty-Man", "secret_name": "Tommy Sharp", "age": 48, "team_id": 1})).await;
    post_ok(&c, "/heroes/", json!({"name": "Tarantula", "secret_name": "Natalia Roman-on", "age": 32, "team_id": 1}))
        .await;
    post_ok(&c, "/heroes/", json!({"name": "Deadpond", "secret_name": "Dive Wilson"})).await;

    let team = c.get("/teams/1").await.json();
    assert_eq!(team["name"], "Preventers");
    let names: Vec<&str> = team["heroes"].as_array().unwrap().iter().map(|h| h["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Rusty-Man", "Tarantula"]);
    assert_eq!(
        team["heroes"][0],
        json!({"id": 1, "name": "Rusty-Man", "secret_name": "Tommy Sharp", "age": 48, "team_id": 1})
    );

    let hero = c.get("/heroes/2").await.json();
    assert_eq!(hero["team"], json!({"id": 1, "name": "Preventers", "headquarters": "Sharp Tower"}));
    assert_eq!(c.get("/teams/").await.json(), json!([{"id": 1, "name": "Preventers", "headquarters": "Sharp Tower"}]));

    let patched = c.patch("/teams/1", &json!({"headquarters": "Sharp Tower, floor 2"})).await;
    assert_eq!(patched.json(), json!({"id": 1, "name": "Preventers", "headquarters": "Sharp Tower, floor 2"}));

    // Deleting a team clears its heroes' team_id (ON DELETE SET NULL).
    assert_eq!(c.delete("/teams/1").await.json(), json!({"ok": true}));
    assert_eq!(c.get("/heroes/1").await.json()["team_id"], Value::Null);
    assert_eq!(c.get("/teams/1").await.status, 404);
}

async fn patch_changes_only_what_is_sent(c: TestClient) {
    post_ok(&c, "/teams/", json!({"name": "Z-Force", "headquarters": "Sister Margaret's Bar"})).await;
    post_ok(&c, "/heroes/", json!({"name": "Spider-Boy", "secret_name": "Pedro Parqueador", "age": 16, "team_id": 1}))
        .await;

    let r = c.patch("/heroes/1", &json!({"name": "Spider-Youngster"})).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"id": 1, "name": "Spider-Youngster", "secret_name": "Pedro Parqueador", "age": 16, "team_id": 1})
    );

    let r = c.patch("/heroes/1", &json!({"age": null, "team_id": null})).await;
    assert_eq!(
        r.json(),
        json!({"id": 1, "name": "Spider-Youngster", "secret_name": "Pedro Parqueador", "age": null, "team_id": null})
    );

    let r = c.patch("/heroes/1", &json!({})).await;
    assert_eq!(r.json()["name"], "Spider-Youngster", "an empty PATCH changes nothing");

    let r = c.patch("/heroes/1", &json!({"name": null, "age": "x"})).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json(),
        json!({"detail": [
            {"type": "string_type", "loc": ["body", "name"], "msg": "Input should be a valid string", "input": null},
            {"type": "int_parsing", "loc": ["body", "age"], "msg": "Input should be a valid integer, unable to parse string as an integer", "input": "x"}
        ]})
    );
    assert_eq!(c.get("/heroes/1").await.json()["name"], "Spider-Youngster", "a rejected PATCH changes nothing");
}

async fn missing_rows_are_404_everywhere(c: TestClient) {
    for (method, uri, detail) in [
        ("GET", "/heroes/7", "Hero not found"),
        ("PATCH", "/heroes/7", "Hero not found"),
        ("DELETE", "/heroes/7", "Hero not found"),
        ("GET", "/teams/7", "Team not found"),
        ("PATCH", "/teams/7", "Team not found"),
        ("DELETE", "/teams/7", "Team not found"),
    ] {
        let r = match method {
            "GET" => c.get(uri).await,
            "PATCH" => c.patch(uri, &json!({"name": "x"})).await,
            _ => c.delete(uri).await,
        };
        assert_eq!((r.status.as_u16(), r.json()), (404, json!({"detail": detail})), "{method} {uri}");
    }
    post_ok(&c, "/heroes/", json!({"name": "Deadpond", "secret_name": "Dive Wilson"})).await;
    assert_eq!(c.delete("/heroes/1").await.json(), json!({"ok": true}));
    assert_eq!(c.get("/heroes/1").await.status, 404);
    assert_eq!(c.delete("/heroes/1").await.status, 404);
}

async fn pagination_and_its_limits(c: TestClient) {
    for i in 0..5 {
        post_ok(&c, "/heroes/", json!({"name": format!("Hero {i}"), "secret_name": "x"})).await;
    }
    let page = c.get("/heroes/?offset=1&limit=2").await.json();
    assert_eq!(page.as_array().unwrap().iter().map(|h| h["id"].as_i64().unwrap()).collect::<Vec<_>>(), [2, 3]);
    assert_eq!(c.get("/heroes/?limit=100").await.json().as_array().unwrap().len(), 5);

    let r = c.get("/heroes/?limit=101").await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json(),
        json!({"detail": [{"type": "less_than_equal", "loc": ["query", "limit"], "msg": "Input should be less than or equal to 100",
                           "input": "101", "ctx": {"le": 100}}]})
    );
    let r = c.get("/teams/?offset=abc").await;
    assert_eq!(
        r.json(),
        json!({"detail": [{"type": "int_parsing", "loc": ["query", "offset"],
                           "msg": "Input should be a valid integer, unable to parse string as an integer", "input": "abc"}]})
    );
}

async fn bad_bodies_are_422_with_fastapis_body(c: TestClient) {
    let r = c.post("/heroes/", &json!({"secret_name": 5, "age": "old"})).await;
    assert_eq!(r.status, 422);
    let input = json!({"secret_name": 5, "age": "old"});
    assert_eq!(
        r.json(),
        json!({"detail": [
            {"type": "missing", "loc": ["body", "name"], "msg": "Field required", "input": input},
            {"type": "string_type", "loc": ["body", "secret_name"], "msg": "Input should be a valid string", "input": 5},
            {"type": "int_parsing", "loc": ["body", "age"], "msg": "Input should be a valid integer, unable to parse string as an integer", "input": "old"}
        ]})
    );
    let r = c.send(axum::http::Method::POST, "/heroes/", Some(b"{\"name\": ".to_vec())).await;
    assert_eq!(
        r.json(),
        json!({"detail": [{"type": "json_invalid", "loc": ["body", 9], "msg": "JSON decode error", "input": {},
                           "ctx": {"error": "Expecting value"}}]})
    );
    let r = c.send(axum::http::Method::POST, "/teams/", None).await;
    assert_eq!(
        r.json(),
        json!({"detail": [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": null}]})
    );
    let r = c.post("/teams/", &json!([1])).await;
    assert_eq!(
        r.json(),
        json!({"detail": [{"type": "model_attributes_type", "loc": ["body"],
                           "msg": "Input should be a valid dictionary or object to extract fields from", "input": [1]}]})
    );
    // Without a JSON content type the body is not parsed (FastAPI's strict_content_type).
    let request = axum::http::Request::post("/teams/")
        .header("content-type", "text/plain")
        .body(axum::body::Body::from(r#"{"name": "A", "headquarters": "B"}"#))
        .unwrap();
    let r = c.request(request).await;
    assert_eq!((r.status.as_u16(), r.json()["detail"][0]["type"].as_str()), (422, Some("model_attributes_type")));
    // A body that is not UTF-8 cannot be read as JSON: 400, as Starlette's json.loads fails.
    let request = axum::http::Request::post("/teams/")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(vec![b'{', 0xff, b'}']))
        .unwrap();
    let r = c.request(request).await;
    assert_eq!((r.status.as_u16(), r.json()), (400, json!({"detail": "There was an error parsing the body"})));
    assert_eq!(c.get("/heroes/").await.json(), json!([]), "nothing was written");
}

async fn non_integer_path_ids_are_422(c: TestClient) {
    for uri in ["/heroes/abc", "/teams/1.5"] {
        let r = c.get(uri).await;
        assert_eq!(r.status, 422, "{uri}");
        assert_eq!(r.json()["detail"][0]["loc"][0], "path");
    }
    assert_eq!(
        c.delete("/heroes/abc").await.json(),
        json!({"detail": [{"type": "int_parsing", "loc": ["path", "hero_id"],
                           "msg": "Input should be a valid integer, unable to parse string as an integer", "input": "abc"}]})
    );
}

async fn hostile_strings_are_stored_verbatim(c: TestClient) {
    for name in [
        "Robert'); DROP TABLE hero;--",
        "\" OR 1=1 --",
        "<script>alert(1)</script>",
        "Ünïcödé 🦸‍♀️ 名前",
        "back\\slash and 'quotes' and \"doubles\"",
        "%s %d {} $1 ?",
        "line\nbreak\ttab",
    ] {
        let hero = post_ok(&c, "/heroes/", json!({"name": name, "secret_name": name})).await;
        let id = hero["id"].as_i64().unwrap();
        let back = c.get(&format!("/heroes/{id}")).await.json();
        assert_eq!((back["name"].as_str(), back["secret_name"].as_str()), (Some(name), Some(name)));
    }
    assert_eq!(c.get("/heroes/").await.json().as_array().unwrap().len(), 7, "the table is still there");
}

async fn a_team_id_naming_no_team_is_a_conflict(c: TestClient) {
    let r = c.post("/heroes/", &json!({"name": "Lonely", "secret_name": "x", "team_id": 42})).await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.json()["detail"].as_str().unwrap().starts_with("Conflict"), "{}", r.text());
    assert!(!r.text().contains("INSERT"), "no SQL is sent to the client");
    assert_eq!(c.get("/heroes/").await.json(), json!([]));
    // The session of the failed request was rolled back; the next request works.
    post_ok(&c, "/heroes/", json!({"name": "Found", "secret_name": "y"})).await;
}

/// A NUL character is refused at validation on every backend (PostgreSQL cannot store it;
/// SQLite would): the same 422 naming the field, for POST and PATCH, and nothing is written.
async fn a_nul_character_is_a_422_naming_the_field(c: TestClient) {
    let message = "string must not contain the NUL character (\\u0000)";
    let r = c.post("/heroes/", &json!({"name": "Dead\u{0}pond", "secret_name": "Dive Wilson"})).await;
    assert_eq!(
        (r.status.as_u16(), r.json()),
        (
            422,
            json!({"detail": [{"type": "value_error", "loc": ["body", "name"], "msg": format!("Value error, {message}"),
                               "input": "Dead\u{0}pond", "ctx": {"error": message}}]})
        )
    );
    post_ok(&c, "/teams/", json!({"name": "Preventers", "headquarters": "Sharp Tower"})).await;
    let r = c.patch("/teams/1", &json!({"headquarters": "\u{0}"})).await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(r.json()["detail"][0]["loc"], json!(["body", "headquarters"]));
    assert_eq!(c.get("/heroes/").await.json(), json!([]), "nothing was written");
    assert_eq!(c.get("/teams/1").await.json()["headquarters"], "Sharp Tower");
}

/// `/health` answers 200 while the database answers.
async fn health_is_ok_while_the_database_answers(c: TestClient) {
    let r = c.get("/health").await;
    assert_eq!((r.status.as_u16(), r.json()), (200, json!({"status": "ok"})));
}

on_every_backend!(
    setup = client;
    a_nul_character_is_a_422_naming_the_field,
    health_is_ok_while_the_database_answers,
    create_hero_and_read_it,
    teams_with_their_heroes,
    patch_changes_only_what_is_sent,
    missing_rows_are_404_everywhere,
    pagination_and_its_limits,
    bad_bodies_are_422_with_fastapis_body,
    non_integer_path_ids_are_422,
    hostile_strings_are_stored_verbatim,
    a_team_id_naming_no_team_is_a_conflict,
);
