//! Turning documented routes into a served app: `/openapi.json`, the `/docs` page, request
//! logging, and a server that shuts down gracefully.

use std::net::SocketAddr;

use aide::axum::ApiRouter;
use axum::Router;

use super::{fallback, openapi};
use crate::Engine;

/// Finishes `routes` into a router that also serves the OpenAPI 3.1 document at
/// `/openapi.json` and an interactive Swagger UI at `/docs`, and answers unrouted requests
/// as FastAPI does: `404 {"detail": "Not Found"}`, `405 {"detail": "Method Not Allowed"}`,
/// and a 307 redirect when only the trailing slash differs from a route (`/heroes` →
/// `/heroes/`).
///
/// The Swagger UI files are compiled into the binary (from the `utoipa-swagger-ui-vendored`
/// crate): the page works offline and the build downloads nothing.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use tablemodel::web::routing::{ApiRouter, get};
/// use tablemodel::web::{Json, TestClient, with_docs};
///
/// async fn read_root() -> Json<Vec<String>> {
///     Json(vec!["hello".into()])
/// }
///
/// let app = with_docs(ApiRouter::new().api_route("/items/", get(read_root)), "Items", "1.0");
/// let client = TestClient::new(app);
/// assert_eq!(client.get("/items/").await.json(), serde_json::json!(["hello"]));
/// assert_eq!(client.get("/openapi.json").await.json()["paths"]["/items/"]["get"]["operationId"], "read_root_items__get");
/// assert_eq!(client.get("/items").await.headers["location"], "http://testserver/items/");
/// assert_eq!(client.get("/nothing").await.json(), serde_json::json!({"detail": "Not Found"}));
/// # }
/// ```
pub fn with_docs<S: Clone + Send + Sync + 'static>(routes: ApiRouter<S>, title: &str, version: &str) -> Router<S> {
    let mut api = openapi::document(title, version);
    let router = routes.finish_api(&mut api);
    let document = openapi::finish(&api);
    let mut templates: Vec<String> =
        document["paths"].as_object().map(|paths| paths.keys().cloned().collect()).unwrap_or_default();
    templates.extend(["/openapi.json", "/docs", "/docs/"].map(String::from));
    let router =
        router.merge(utoipa_swagger_ui::SwaggerUi::new("/docs").external_url_unchecked("/openapi.json", document));
    fallback::starlette_fallbacks(router, templates)
}

/// The OpenAPI document `with_docs` would serve for `routes`, for tests and tooling.
pub fn openapi_document<S: Clone + Send + Sync + 'static>(
    routes: ApiRouter<S>,
    title: &str,
    version: &str,
) -> serde_json::Value {
    let mut api = openapi::document(title, version);
    let _router = routes.finish_api(&mut api);
    openapi::finish(&api)
}

/// Serves `app` on `addr` until SIGINT (Ctrl-C) or SIGTERM, letting in-flight requests
/// finish, then closes the engine's pool: a [`Server`](super::Server) with its default
/// read timeouts and grace period.
pub async fn serve(app: Router, addr: SocketAddr, engine: Engine) -> std::io::Result<()> {
    super::Server::new(app, engine).serve(addr).await
}

/// [`serve`] on a bound listener, stopping when `shutdown` completes.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    app: Router,
    engine: Engine,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    super::Server::new(app, engine).serve_on(listener, shutdown).await
}

/// One log line per request: method, path, status and time taken.
pub(crate) async fn log_request(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = request.method().clone();
    let uri = request.uri().clone();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        target: "tablemodel::web",
        "{method} {uri} {} {:.1}ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!(target: "tablemodel::web", "shutdown signal received; finishing in-flight requests");
}
