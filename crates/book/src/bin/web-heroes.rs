//! Chapters "Multiple models" to "Relationships in responses": the heroes app of
//! `crates/heroes` (the final app of SQLModel's FastAPI tutorial), driven through the test
//! client; every exchange the chapters show.

use serde_json::json;
use tablemodel::web::TestClient;
use tablemodel_book::{section, show};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), tablemodel::Error> {
    tablemodel_book::log_sql();
    let engine = tablemodel::Engine::connect("sqlite::memory:").await?;
    heroes::create_tables(&engine).await?;
    let client = TestClient::new(heroes::app(engine));
    let c = &client;

    section("multiple models");
    // ANCHOR: create
    show(c, "POST", "/heroes/", Some(json!({"name": "Deadpond", "secret_name": "Dive Wilson", "id": 9000}))).await;
    show(c, "POST", "/heroes/", Some(json!({"name": "Spider-Boy", "secret_name": "Pedro Parqueador"}))).await;
    show(c, "POST", "/heroes/", Some(json!({"name": "Rusty-Man", "secret_name": "Tommy Sharp", "age": 48}))).await;
    // ANCHOR_END: create

    section("read one");
    show(c, "GET", "/heroes/1", None).await;
    show(c, "GET", "/heroes/9000", None).await;

    section("limit and offset");
    show(c, "GET", "/heroes/?offset=1&limit=1", None).await;
    show(c, "GET", "/heroes/?limit=101", None).await;

    section("update");
    show(c, "PATCH", "/heroes/2", Some(json!({"age": 16}))).await;
    show(c, "PATCH", "/heroes/2", Some(json!({"name": null}))).await;

    section("delete");
    show(c, "DELETE", "/heroes/3", None).await;
    show(c, "GET", "/heroes/3", None).await;

    section("teams and relationships");
    show(c, "POST", "/teams/", Some(json!({"name": "Preventers", "headquarters": "Sharp Tower"}))).await;
    show(c, "PATCH", "/heroes/1", Some(json!({"team_id": 1}))).await;
    show(c, "GET", "/heroes/1", None).await;
    show(c, "GET", "/teams/1", None).await;
    show(c, "PATCH", "/heroes/2", Some(json!({"team_id": 42}))).await;
    Ok(())
}
