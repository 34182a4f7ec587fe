//! FastAPI's `app.dependency_overrides`: here every dependency comes from the app state
//! (`FromRef`), so a test builds the same routes over another state — an in-memory
//! database, a different setting.

use serde_json::json;

use crate::app::{AppState, Greeting, client, client_with, sqlite};

#[tokio::test]
async fn a_test_overrides_a_dependency_through_the_state() {
    let production = client(sqlite().await).await;
    assert_eq!(production.get("/greeting").await.json(), json!({"greeting": "Hello"}));

    let state = AppState { engine: sqlite().await, greeting: Greeting("Hello from the test".into()) };
    let overridden = client_with(state).await;
    assert_eq!(overridden.get("/greeting").await.json(), json!({"greeting": "Hello from the test"}));
}

#[tokio::test]
async fn every_request_of_a_test_sees_the_same_in_memory_database() {
    let engine = sqlite().await;
    let c = client(engine.clone()).await;
    c.post("/users/", &json!({"email": "a@x", "name": "A"})).await;
    // Another connection of the same engine (the pool has several) sees the row.
    let mut sessions = Vec::new();
    for _ in 0..3 {
        sessions.push(engine.session().await.unwrap());
    }
    for s in &mut sessions {
        assert_eq!(s.exec(tablemodel::prelude::select::<crate::app::User>()).await.unwrap().len(), 1);
    }
    // And a second engine is a separate database.
    assert_eq!(client(sqlite().await).await.get("/users/").await.json(), json!([]));
}
