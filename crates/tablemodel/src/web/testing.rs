//! Calling an app in tests without a network: requests go through the router as a tower
//! service, exactly as the server would pass them.
//!
//! FastAPI's `app.dependency_overrides` has no separate mechanism here: every dependency a
//! handler takes (the [`DbSession`](super::DbSession)'s engine, settings, clients of other
//! services) comes from the app state through axum's `FromRef`, so a test builds the same
//! routes over another state — typically [`memory_engine`] instead of the production
//! database:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use axum::extract::{FromRef, State};
//! use tablemodel::Engine;
//! use tablemodel::web::routing::{ApiRouter, get};
//! use tablemodel::web::{Json, TestClient, memory_engine, with_docs};
//!
//! #[derive(Clone)]
//! struct AppState { engine: Engine, greeting: String }
//! impl FromRef<AppState> for Engine {
//!     fn from_ref(state: &AppState) -> Engine { state.engine.clone() }
//! }
//!
//! async fn greet(State(state): State<AppState>) -> Json<String> {
//!     Json(state.greeting)
//! }
//!
//! fn app(state: AppState) -> axum::Router {
//!     with_docs(ApiRouter::new().api_route("/", get(greet)), "App", "1").with_state(state)
//! }
//!
//! // The test's "overrides": an in-memory database and another greeting.
//! let state = AppState { engine: memory_engine().await.unwrap(), greeting: "test".into() };
//! let client = TestClient::new(app(state));
//! assert_eq!(client.get("/").await.json(), "test");
//! # }
//! ```

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::Engine;

/// An engine on one in-memory SQLite database shared by every connection and request
/// (SQLModel's `StaticPool` recipe for tests).
pub async fn memory_engine() -> crate::Result<Engine> {
    Engine::connect("sqlite::memory:").await
}

/// Sends requests to a router.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use axum::routing::get;
/// use tablemodel::web::TestClient;
/// let client = TestClient::new(axum::Router::new().route("/", get(|| async { "hi" })));
/// let response = client.get("/").await;
/// assert_eq!(response.status, 200);
/// assert_eq!(response.text(), "hi");
/// # }
/// ```
#[derive(Clone)]
pub struct TestClient {
    app: Router,
}

/// A response: status, headers and the whole body.
#[derive(Debug)]
pub struct TestResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: axum::http::HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl TestResponse {
    /// The body as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl TestClient {
    /// A client for `app`.
    pub fn new(app: Router) -> Self {
        TestClient { app }
    }

    /// `GET uri`.
    pub async fn get(&self, uri: &str) -> TestResponse {
        self.send(Method::GET, uri, None).await
    }

    /// `DELETE uri`.
    pub async fn delete(&self, uri: &str) -> TestResponse {
        self.send(Method::DELETE, uri, None).await
    }

    /// `POST uri` with a JSON body.
    pub async fn post(&self, uri: &str, body: &Value) -> TestResponse {
        self.send(Method::POST, uri, Some(body.to_string().into_bytes())).await
    }

    /// `PATCH uri` with a JSON body.
    pub async fn patch(&self, uri: &str, body: &Value) -> TestResponse {
        self.send(Method::PATCH, uri, Some(body.to_string().into_bytes())).await
    }

    /// Any method with raw body bytes sent as `application/json` (for malformed bodies).
    pub async fn send(&self, method: Method, uri: &str, body: Option<Vec<u8>>) -> TestResponse {
        let mut request = Request::builder().method(method).uri(uri);
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let request = request.body(body.map(Body::from).unwrap_or_else(Body::empty)).unwrap_or_default();
        self.request(request).await
    }

    /// Sends a request as built, headers and all (a body with another content type, or
    /// none). Without a `Host` header it gets `Host: testserver`, as with Starlette's client.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use axum::body::Body;
    /// use axum::http::Request;
    /// use axum::routing::post;
    /// use tablemodel::web::TestClient;
    /// let client = TestClient::new(axum::Router::new().route("/", post(|body: String| async move { body })));
    /// let request = Request::post("/").header("content-type", "text/plain").body(Body::from("hi")).unwrap();
    /// assert_eq!(client.request(request).await.text(), "hi");
    /// # }
    /// ```
    pub async fn request(&self, mut request: Request<Body>) -> TestResponse {
        if !request.headers().contains_key(header::HOST) {
            request.headers_mut().insert(header::HOST, header::HeaderValue::from_static("testserver"));
        }
        let response = match self.app.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map(|b| b.to_bytes().to_vec()).unwrap_or_default();
        TestResponse { status: parts.status, headers: parts.headers, body }
    }
}
