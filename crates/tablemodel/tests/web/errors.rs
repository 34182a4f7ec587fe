//! Errors as responses: `HttpError` like `HTTPException`, library errors mapped without
//! leaking SQL (which goes to the log), validation errors in handlers as 422s.

use std::sync::{Arc, Mutex};

use axum::response::IntoResponse;
use serde_json::json;
use tablemodel::web::HttpError;
use tablemodel::{Engine, Error};

use crate::app::client;
use tablemodel_testkit::on_every_backend;

async fn a_unique_violation_is_a_409_without_sql(engine: Engine) {
    let c = client(engine).await;
    assert_eq!(c.post("/users/", &json!({"email": "a@x", "name": "A"})).await.status, 200);
    let r = c.post("/users/", &json!({"email": "a@x", "name": "Again"})).await;
    assert_eq!(
        (r.status.as_u16(), r.json()),
        (409, json!({"detail": "Conflict: a row with this value already exists"}))
    );
    for leak in ["INSERT", "user", "UNIQUE", "duplicate"] {
        assert!(!r.text().contains(leak), "{leak:?} in {}", r.text());
    }
    assert_eq!(c.get("/users/").await.json().as_array().unwrap().len(), 1);
}

async fn a_missing_row_is_a_404(engine: Engine) {
    let c = client(engine).await;
    assert_eq!(c.get("/users/5").await.json(), json!({"detail": "User not found"}));
    let r = c.delete("/users/5").await;
    assert_eq!((r.status.as_u16(), r.json()), (404, json!({"detail": "User not found"})), "Error::RowNotFound");
}

async fn validation_in_a_handler_is_a_422_in_the_body(engine: Engine) {
    let c = client(engine).await;
    let r = c.post("/users/validated", &json!({"name": "A"})).await;
    assert_eq!(
        (r.status.as_u16(), r.json()),
        (
            422,
            json!({"detail": [{"type": "string_too_short", "loc": ["body", "email"],
                               "msg": "String should have at least 1 character", "input": "", "ctx": {"min_length": 1}}]})
        )
    );
}

async fn http_errors_carry_their_headers(engine: Engine) {
    let c = client(engine).await;
    let r = c.get("/private").await;
    assert_eq!((r.status.as_u16(), r.json()), (401, json!({"detail": "Not authenticated"})));
    assert_eq!(r.headers["www-authenticate"], "Bearer");
}

on_every_backend!(
    a_unique_violation_is_a_409_without_sql,
    a_missing_row_is_a_404,
    validation_in_a_handler_is_a_422_in_the_body,
    http_errors_carry_their_headers,
);

/// A `MakeWriter` keeping what the log subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_sql_of_a_conflict_goes_to_the_log() {
    let log = Captured::default();
    let subscriber = tracing_subscriber::fmt().with_writer(log.clone()).with_ansi(false).finish();
    let _guard = tablemodel_testkit::capture_on_this_thread(subscriber);
    let c = client(crate::app::sqlite().await).await;
    c.post("/users/", &json!({"email": "a@x", "name": "A"})).await;
    let r = c.post("/users/", &json!({"email": "a@x", "name": "A"})).await;
    assert_eq!(r.status, 409);
    let log = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let line =
        log.lines().find(|l| l.contains("tablemodel::web")).unwrap_or_else(|| panic!("no web log line in {log}"));
    assert!(line.contains("WARN") && line.contains("INSERT INTO"), "{line}");
}

#[tokio::test]
async fn a_closed_engine_is_a_503() {
    let engine = crate::app::sqlite().await;
    let c = client(engine.clone()).await;
    engine.close();
    let r = c.get("/users/").await;
    assert_eq!((r.status.as_u16(), r.json()), (503, json!({"detail": "The database is unavailable, retry later"})));
    assert!(r.headers.get("retry-after").is_none(), "no promise that a retry helps");
}

/// Every pooled connection busy past the acquire timeout: 503 with `Retry-After`, and the
/// route works again once a connection is free.
async fn an_exhausted_pool_is_a_503_with_retry_after(url: String) {
    let engine = Engine::builder(&url)
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_millis(50))
        .connect()
        .await
        .unwrap();
    let c = client(engine.clone()).await;
    let held = engine.session().await.unwrap();
    let r = c.get("/users/").await;
    assert_eq!((r.status.as_u16(), r.json()), (503, json!({"detail": "The database is unavailable, retry later"})));
    assert_eq!(r.headers["retry-after"], "1");
    drop(held);
    assert_eq!(c.get("/users/").await.status, 200);
}

mod pool {
    use tablemodel_testkit::on_every_backend;

    use super::an_exhausted_pool_is_a_503_with_retry_after;

    on_every_backend!(url; an_exhausted_pool_is_a_503_with_retry_after);
}

/// A broken invariant inside the library is a 500 whose body tells nothing; the message
/// goes to the log at ERROR.
#[tokio::test(flavor = "current_thread")]
async fn an_internal_error_is_a_500_that_leaks_nothing() {
    let log = Captured::default();
    let subscriber = tracing_subscriber::fmt().with_writer(log.clone()).with_ansi(false).finish();
    let _guard = tablemodel_testkit::capture_on_this_thread(subscriber);
    let error = HttpError::from(Error::Internal("the session has no connection".into()));
    assert_eq!(error.status, 500);
    let response = error.into_response();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).unwrap(), json!({"detail": "Internal Server Error"}));
    let log = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("ERROR") && log.contains("the session has no connection"), "{log}");
}

/// PostgreSQL stopped while the app runs: requests are 503, not 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_postgres_is_a_503() {
    let server = tablemodel_testkit::PgServer::dedicated();
    let engine = Engine::connect(&server.fresh_database()).await.unwrap();
    let c = client(engine).await;
    assert_eq!(c.post("/users/", &json!({"email": "a@x", "name": "A"})).await.status, 200);
    server.stop();
    for _ in 0..2 {
        let r = c.get("/users/").await;
        assert_eq!(
            (r.status.as_u16(), r.json()),
            (503, json!({"detail": "The database is unavailable, retry later"})),
            "a pooled connection that died, then a new one refused"
        );
    }
}

/// A value PostgreSQL refuses (here a NUL character, added without validation) is a
/// `DbErrorKind::InvalidValue` with its SQLSTATE, which the web layer answers with a 422 in
/// FastAPI's shape, not a 500; the session can go on after a rollback.
#[tokio::test]
async fn a_value_postgresql_refuses_is_invalid_value_and_a_422() {
    let engine = Engine::connect(&tablemodel_testkit::postgres_url()).await.unwrap();
    engine.create_all::<crate::app::User>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let user = crate::app::User { id: None, email: "a@x".into(), name: "A\0B".into() };
    let err = s.add(user).await.unwrap_err();
    assert_eq!(err.db_kind(), Some(tablemodel::DbErrorKind::InvalidValue), "{err}");
    assert_eq!(err.as_database().unwrap().code(), Some("22021"));
    let error = HttpError::from(err);
    let message = "the database cannot store this value (too long to index, out of range or malformed)";
    assert_eq!(
        (error.status.as_u16(), error.detail),
        (
            422,
            json!([{"type": "value_error", "loc": ["body"], "msg": format!("Value error, {message}"), "input": null,
                    "ctx": {"error": message}}])
        )
    );
    s.rollback().await.unwrap();
    s.add(crate::app::User { id: None, email: "a@x".into(), name: "AB".into() }).await.unwrap();
}
