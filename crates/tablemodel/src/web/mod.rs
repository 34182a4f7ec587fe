//! The axum integration (feature `axum`): what FastAPI gives a SQLModel app, for a
//! tablemodel one.
//!
//! - [`DbSession`]: one session per request; uncommitted work is rolled back at the end.
//! - [`Json`], [`Query`], [`Path`]: validating extractors answering 422 with FastAPI's exact
//!   body, `{"detail": [{"type", "loc", "msg", "input", "ctx"}]}`; malformed JSON is
//!   `json_invalid` at Python's position with Python's message. Import these, not
//!   `axum::Json` / `axum::extract::Query`: axum's own compile for a model too (it is
//!   `Deserialize`) but bypass the FastAPI-shaped 422 and reject a bad input with axum's
//!   plain-text message.
//!
//!   ```
//!   use tablemodel::web::{Json, Query}; // not axum::Json: that one skips the FastAPI 422
//!   # let _ = (Json(()), Query(()));
//!   ```
//! - [`HttpError`]: `HTTPException`; library errors map to 404 / 409 / 422 / 500 without
//!   leaking SQL to the client (it goes to the log).
//! - [`with_docs`]: `/openapi.json` (OpenAPI 3.1, from the models' schemas and the routes,
//!   by aide) and `/docs` (Swagger UI, compiled in, offline); Starlette's answers to
//!   unrouted requests (404, 405, trailing-slash 307).
//! - [`serve`], [`Server`]: header and body read timeouts (408), a graceful shutdown on
//!   SIGINT/SIGTERM bounded by a grace period, then the pool is closed.
//! - [`TestClient`], [`memory_engine`]: tests through the router, on a shared in-memory
//!   SQLite; dependencies are overridden through the state (see [`TestClient`]'s module).
//!
//! Routes are declared with aide's `ApiRouter` and the method functions of [`routing`]
//! (`api_route("/heroes/", post(create_hero))`, one method per call) so that they are
//! documented with FastAPI's operation ids; the app's state must give an
//! [`Engine`](crate::Engine) through `FromRef` (an `Engine` itself works).
//!
//! Known difference: FastAPI reports the errors of the path, query and body together; here
//! the first extractor that fails answers alone (path before body, in handler order).

mod app;
mod error;
mod extract;
mod fallback;
mod openapi;
mod path;
mod pyjson;
mod server;
mod session;
mod testing;

pub use app::{openapi_document, serve, serve_on, shutdown_signal, with_docs};
pub use error::HttpError;
pub use extract::{Json, Query};
pub use path::{Path, PathParams};
pub use server::Server;
pub use session::DbSession;
pub use testing::{TestClient, TestResponse, memory_engine};

pub mod routing;
