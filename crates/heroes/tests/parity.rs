//! The Rust app answers like the Python one: every request of
//! `fixtures/parity_requests.json`, sent in order, gets the status, the same body bytes and redirect
//! `location` that FastAPI + SQLModel gave when `fixtures/record_exchanges.py` recorded them
//! into `fixtures/fastapi_exchanges.json` — on SQLite and on PostgreSQL. The few deliberate
//! differences are listed in [`deliberate`], each with its reason.

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use tablemodel::Engine;
use tablemodel::web::{TestClient, TestResponse};
use tablemodel_testkit::on_every_backend;

fn exchanges() -> Vec<Value> {
    let document: Value = serde_json::from_str(include_str!("fixtures/fastapi_exchanges.json")).unwrap();
    document["exchanges"].as_array().unwrap().clone()
}

/// The request an exchange describes: a JSON body (`json`), raw bytes (`body`), or none.
fn build(request: &Value) -> Request<Body> {
    let mut builder =
        Request::builder().method(request["method"].as_str().unwrap()).uri(request["path"].as_str().unwrap());
    for (name, value) in request["headers"].as_object().into_iter().flatten() {
        builder = builder.header(name.as_str(), value.as_str().unwrap());
    }
    let body = if let Some(json) = request.get("json") {
        builder = builder.header("content-type", "application/json");
        Body::from(json.to_string())
    } else if let Some(Value::String(raw)) = request.get("body") {
        Body::from(raw.clone())
    } else {
        Body::empty()
    };
    builder.body(body).unwrap()
}

/// Where we answer differently from the Python app on purpose: our response, and why.
/// Requests are matched by method, path and JSON body.
fn deliberate(request: &Value) -> Option<(Value, &'static str)> {
    let body = request.get("json").map(Value::to_string).unwrap_or_default();
    let line = format!("{} {} {body}", request["method"].as_str()?, request["path"].as_str()?);
    let error =
        |kind: &str, loc: Value, msg: &str, input: Value| json!({"type": kind, "loc": loc, "msg": msg, "input": input});
    let unprocessable = |errors: Value| json!({"status": 422, "body": {"detail": errors}});
    let below_zero = |name: &str| {
        json!({"type": "greater_than_equal", "loc": ["query", name], "msg": "Input should be greater than or equal to 0",
               "input": "-1", "ctx": {"ge": 0}})
    };
    let answer = match line.trim_end() {
        "GET /heroes/99999999999999999999" => (
            unprocessable(json!([error(
                "int_parsing_size",
                json!(["path", "hero_id"]),
                "Unable to parse input string as an integer, exceeded maximum size",
                json!("99999999999999999999")
            )])),
            "ids are 64-bit: a larger one is a 422, where Python's SQLite driver overflows into a 500",
        ),
        r#"PATCH /heroes/1 {"name":null}"# => (
            unprocessable(json!([error(
                "string_type",
                json!(["body", "name"]),
                "Input should be a valid string",
                Value::Null
            )])),
            "null for a NOT NULL column is refused by validation, where Python accepts it and the commit fails with a 500",
        ),
        "GET /heroes/?offset=-1" => (
            unprocessable(json!([below_zero("offset")])),
            "paging is non-negative, where Python passes OFFSET -1 to the database",
        ),
        "GET /teams/?limit=-1" => (
            unprocessable(json!([below_zero("limit")])),
            "paging is non-negative, where Python passes LIMIT -1 (no limit on SQLite) to the database",
        ),
        r#"PATCH /teams/1 {"id":5}"# => (
            json!({"status": 200, "body": {"name": "Preventers", "headquarters": "Preventers Tower", "id": 1}}),
            "TeamUpdate has no id: a PATCH cannot rewrite a primary key, as the relationships chapter's TeamUpdate lets it",
        ),
        r#"POST /heroes/ {"name":"Lonely","secret_name":"x","team_id":42}"# => (
            json!({"status": 409, "body": {"detail": "Conflict: a referenced row does not exist or is still referenced"}}),
            "foreign keys are enforced, on SQLite too, where Python's SQLite stores a team_id naming no team",
        ),
        _ => return None,
    };
    Some(answer)
}

/// What differs between the expected response and ours, if anything.
fn compare(expected: &Value, got: &TestResponse) -> Option<String> {
    let mut problems = Vec::new();
    if expected["status"] != got.status.as_u16() {
        problems.push(format!("status {} (expected {})", got.status.as_u16(), expected["status"]));
    }
    // FastAPI writes JSON compactly (`separators=(",", ":")`, `ensure_ascii=False`), keys
    // in declaration order: serde_json's compact output of the recorded body (parsed with
    // `preserve_order`) is byte for byte what Python sent.
    let expected_text = match &expected["body"] {
        Value::String(text) => text.clone(),
        json => json.to_string(),
    };
    let body = (got.text() != expected_text).then(|| format!("body {}", got.text()));
    problems.extend(body);
    if let Some(location) = expected.get("location") {
        let ours = got.headers.get("location").and_then(|v| v.to_str().ok());
        if ours != location.as_str() {
            problems.push(format!("location {ours:?} (expected {location})"));
        }
    }
    // Starlette's `allow` lists the methods of the first route with that path only; ours
    // lists every method of the path, which includes them.
    if let Some(allow) = expected.get("allow").and_then(Value::as_str) {
        let ours = got.headers.get("allow").and_then(|v| v.to_str().ok()).unwrap_or("");
        if !allow.split(", ").all(|m| ours.split(',').any(|o| o.trim() == m)) {
            problems.push(format!("allow {ours:?} (expected at least {allow:?})"));
        }
    }
    (!problems.is_empty()).then(|| format!("{}; expected {}", problems.join(", "), expected))
}

/// Replays every recorded exchange through the router and compares the answers.
async fn answers_like_the_python_app(engine: Engine) {
    heroes::create_tables(&engine).await.unwrap();
    let client = TestClient::new(heroes::app(engine));
    let mut differences = Vec::new();
    for (n, exchange) in exchanges().iter().enumerate() {
        let request = &exchange["request"];
        let got = client.request(build(request)).await;
        let expected = deliberate(request).map(|(ours, _why)| ours).unwrap_or_else(|| exchange["response"].clone());
        if let Some(problem) = compare(&expected, &got) {
            differences.push(format!("#{n} {} {} {}: {problem}", request["method"], request["path"], request));
        }
    }
    assert!(differences.is_empty(), "{} answers differ from FastAPI's:\n{}", differences.len(), differences.join("\n"));
}

on_every_backend!(answers_like_the_python_app);

#[test]
fn every_deliberate_difference_concerns_a_recorded_request() {
    let recorded: Vec<Value> = exchanges().iter().map(|e| e["request"].clone()).collect();
    let used = recorded.iter().filter(|r| deliberate(r).is_some()).count();
    assert_eq!(used, 6, "each entry of deliberate() matches a recorded request");
}
