//! Requests no route takes, answered as Starlette does.

use axum::body::Body;
use axum::http::Request;
use serde_json::json;

use crate::app::{client, sqlite};

#[tokio::test]
async fn unknown_paths_wrong_methods_and_slashes() {
    let c = client(sqlite().await).await;
    let r = c.get("/nowhere").await;
    assert_eq!((r.status.as_u16(), r.json()), (404, json!({"detail": "Not Found"})));

    let r = c.send(axum::http::Method::PUT, "/users/", Some(b"{}".to_vec())).await;
    assert_eq!((r.status.as_u16(), r.json()), (405, json!({"detail": "Method Not Allowed"})));
    let allow = r.headers["allow"].to_str().unwrap();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");

    let r = c.get("/users?x=1").await;
    assert_eq!((r.status.as_u16(), r.headers["location"].to_str().unwrap()), (307, "http://testserver/users/?x=1"));
    let r = c.get("/users/1/").await;
    assert_eq!(r.headers["location"], "http://testserver/users/1");
    let request = Request::get("/greeting/").header("host", "api.example:8080").body(Body::empty()).unwrap();
    assert_eq!(c.request(request).await.headers["location"], "http://api.example:8080/greeting");
    assert_eq!(c.get("/").await.status, 404, "the root is never redirected");
}
