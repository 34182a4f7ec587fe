//! Chapter "Test the app": the heroes app against a fresh in-memory database per test,
//! through the test client (what FastAPI's `TestClient` with a `dependency_overrides`
//! session does in SQLModel's tutorial).

// ANCHOR: test
use serde_json::json;
use tablemodel::web::{TestClient, memory_engine};

async fn client() -> TestClient {
    // The app takes its engine as state: a test gives it its own database.
    let engine = memory_engine().await.unwrap();
    heroes::create_tables(&engine).await.unwrap();
    TestClient::new(heroes::app(engine))
}

#[tokio::test]
async fn create_hero() {
    let client = client().await;
    let response = client.post("/heroes/", &json!({"name": "Deadpond", "secret_name": "Dive Wilson"})).await;
    assert_eq!(response.status, 200);
    let hero = response.json();
    assert_eq!(hero["name"], "Deadpond");
    assert_eq!(hero["age"], json!(null));
    assert_eq!(hero["id"], 1);
}

#[tokio::test]
async fn create_hero_incomplete() {
    let client = client().await;
    let response = client.post("/heroes/", &json!({"name": "Deadpond"})).await;
    assert_eq!(response.status, 422);
    assert_eq!(response.json()["detail"][0]["loc"], json!(["body", "secret_name"]));
}

#[tokio::test]
async fn delete_hero() {
    let client = client().await;
    client.post("/heroes/", &json!({"name": "Deadpond", "secret_name": "Dive Wilson"})).await;
    assert_eq!(client.delete("/heroes/1").await.status, 200);
    assert_eq!(client.get("/heroes/1").await.status, 404);
}
// ANCHOR_END: test
