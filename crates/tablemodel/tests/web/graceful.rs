//! `serve_on`: a request in flight when the shutdown signal comes still gets its answer,
//! then the server stops and the pool is closed.

use std::io::{Read, Write};
use std::sync::Arc;

use tablemodel::prelude::*;
use tablemodel::web::DbSession;
use tokio::sync::Notify;

use crate::app::{User, sqlite};

/// A plain HTTP/1.1 GET: the whole response.
fn http_get(port: u16, path: &str) -> std::io::Result<String> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_flight_finishes_before_the_pool_closes() {
    let engine = sqlite().await;
    engine.create_all::<User>().await.unwrap();
    let started = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let (started_in, release_in) = (started.clone(), release.clone());
    let slow = move |mut s: DbSession| async move {
        started_in.notify_one();
        release_in.notified().await;
        // The session still works after the shutdown signal.
        s.exec(select::<User>()).await.map(|users| users.len().to_string()).unwrap_or_else(|e| e.to_string())
    };
    let app = axum::Router::new().route("/slow", axum::routing::get(slow)).with_state(engine.clone());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(tablemodel::web::serve_on(listener, app, engine.clone(), async {
        stopped.await.ok();
    }));
    let client = tokio::task::spawn_blocking(move || http_get(port, "/slow"));

    started.notified().await;
    stop.send(()).unwrap();
    tokio::task::yield_now().await;
    assert!(!server.is_finished(), "the server waits for the request in flight");
    release.notify_one();

    let response = client.await.unwrap().unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("\r\n\r\n0"), "{response}");
    server.await.unwrap().unwrap();
    assert!(http_get(port, "/slow").is_err(), "no new connections after the shutdown");
    let closed = engine.session().await.unwrap_err();
    assert!(matches!(closed, tablemodel::Error::PoolClosed), "the pool is closed: {closed:?}");
}
