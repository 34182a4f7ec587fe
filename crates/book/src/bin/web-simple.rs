//! Chapter "A simple hero API": one table model as request body and response, the
//! session as a handler argument, and the app driven through the test client.

// ANCHOR: app
use serde_json::json;
use tablemodel::prelude::*;
use tablemodel::web::routing::{ApiRouter, get, post};
use tablemodel::web::{DbSession, HttpError, Json};

#[derive(Model, Debug, Clone)]
#[model(table)]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(index)]
    name: String,
    secret_name: String,
    #[field(index)]
    age: Option<i32>,
}

async fn create_hero(mut session: DbSession, Json(hero): Json<Hero>) -> Result<Json<Hero>, HttpError> {
    let hero = session.add(hero).await?;
    session.commit().await?;
    Ok(Json(hero))
}

async fn read_heroes(mut session: DbSession) -> Result<Json<Vec<Hero>>, HttpError> {
    Ok(Json(session.exec(select::<Hero>().order_by(Hero::id())).await?))
}

fn app(engine: Engine) -> axum::Router {
    let routes = ApiRouter::new().api_route("/heroes/", post(create_hero)).api_route("/heroes/", get(read_heroes));
    tablemodel::web::with_docs(routes, "Simple Hero API", "0.1.0").with_state(engine)
}
// ANCHOR_END: app

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), tablemodel::Error> {
    tablemodel_book::log_sql();
    let engine = Engine::connect("sqlite::memory:").await?;
    engine.create_all::<Hero>().await?;
    // `tablemodel::web::serve(app(engine), addr, engine)` serves it on a port; the book
    // drives it in-process, the way its tests do.
    let client = tablemodel::web::TestClient::new(app(engine));

    let show = tablemodel_book::show;
    show(&client, "POST", "/heroes/", Some(json!({"name": "Deadpond", "secret_name": "Dive Wilson"}))).await;
    show(&client, "POST", "/heroes/", Some(json!({"name": "Rusty-Man", "secret_name": "Tommy Sharp", "age": 48})))
        .await;
    show(&client, "GET", "/heroes/", None).await;
    show(&client, "POST", "/heroes/", Some(json!({"name": "Spider-Boy"}))).await;
    Ok(())
}
// ANCHOR_END: main
