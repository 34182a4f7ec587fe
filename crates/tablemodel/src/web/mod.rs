//! The axum integration (feature `axum`): what FastAPI gives a SQLModel app, for a
//! tablemodel one.
//!
//! - [`DbSession`]: one session per request; uncommitted work is rolled back at the end.
//! - [`Json`], [`Query`], [`Path`]: validating extractors answering 422 with FastAPI's exact
//!   body, `{"detail": [{"type", "loc", "msg", "input", "ctx"}]}`.
//! - [`HttpError`]: `HTTPException`; library errors map to 404 / 409 / 422 / 500 without
//!   leaking SQL to the client.
//! - [`with_docs`]: `/openapi.json` (OpenAPI 3.1, from the models' schemas and the routes,
//!   by aide) and `/docs` (Swagger UI, compiled in, offline).
//! - [`serve`]: graceful shutdown on SIGINT/SIGTERM, then the pool is closed.
//! - [`TestClient`], [`memory_engine`]: tests through the router, on a shared in-memory
//!   SQLite.
//!
//! Routes are declared with aide's `ApiRouter` (`api_route("/heroes/", post(create_hero))`)
//! so that they are documented; the app's state must give an [`Engine`](crate::Engine)
//! through `FromRef` (an `Engine` itself works).

mod app;
mod error;
mod extract;
mod fallback;
mod openapi;
mod pyjson;
mod session;
mod testing;

pub use app::{openapi_document, serve, serve_on, shutdown_signal, with_docs};
pub use error::HttpError;
pub use extract::{Json, Path, Query};
pub use session::DbSession;
pub use testing::{TestClient, TestResponse, memory_engine};

pub mod routing;
