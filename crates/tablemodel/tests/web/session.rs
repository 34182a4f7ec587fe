//! One session per request: what the handler commits stays, the rest is rolled back when
//! the request ends, whatever the handler answered.

use serde_json::json;
use tablemodel::Engine;

use crate::app::client;
use tablemodel_testkit::on_every_backend;

async fn committed_work_stays_and_uncommitted_work_is_rolled_back(engine: Engine) {
    let c = client(engine).await;
    let r = c.post("/users/uncommitted", &json!({"email": "a@x", "name": "A"})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c.post("/users/failing", &json!({"email": "b@x", "name": "B"})).await;
    assert_eq!((r.status.as_u16(), r.json()), (400, json!({"detail": "Refused after writing"})));
    assert_eq!(c.get("/users/").await.json(), json!([]), "neither write was committed");

    let r = c.post("/users/", &json!({"email": "a@x", "name": "A"})).await;
    assert_eq!(r.status, 200);
    assert_eq!(c.get("/users/").await.json().as_array().unwrap().len(), 1);
}

async fn concurrent_requests_each_get_their_own_session(engine: Engine) {
    let c = client(engine).await;
    let requests = (0..20).map(|i| {
        let c = c.clone();
        async move { c.post("/users/", &json!({"email": format!("{i}@x"), "name": "N"})).await.status.as_u16() }
    });
    let statuses = futures_util::future::join_all(requests).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(c.get("/users/").await.json().as_array().unwrap().len(), 20);
}

on_every_backend!(
    committed_work_stays_and_uncommitted_work_is_rolled_back,
    concurrent_requests_each_get_their_own_session
);
