//! The teams and heroes API of SQLModel's FastAPI tutorial, with tablemodel and axum: the
//! same routes, JSON, status codes and 422 errors as the Python app, so a client written
//! for one works with the other. `tests/parity.rs` replays a recorded session with the
//! Python app (`tests/fixtures/fastapi_exchanges.json`) against this one, on SQLite and
//! PostgreSQL.
//!
//! Differences, each deliberate: `offset` and `limit` must be ≥ 0 (Python passes negative
//! values to the database); a `team_id` naming no team is a 409 (foreign keys are
//! enforced; Python's SQLite stores it); `PATCH` with `"name": null` is a 422 (Python
//! accepts it and fails at commit with a 500); an id beyond 64 bits is a 422 (a 500 in
//! Python); `TeamUpdate` has no `id` (the Python relationships chapter lets a PATCH rewrite
//! a team's key); a string holding a NUL character (`\u0000`) is a 422 `value_error` at its
//! field on every backend (PostgreSQL cannot store it; Python's SQLite stores it); a string
//! too large for a PostgreSQL index entry (`name`, about 2,700 bytes once compressed) is a
//! 422 at its field there (a 500 in Python), while SQLite, which has no such limit, stores
//! it; the OpenAPI document also lists the 400, 404, 408, 409, 413 and 503 each route
//! answers (an `HTTPError` schema, `{"detail": "…"}`), which the Python app does not
//! declare; and
//! `GET /health` (200 `{"status": "ok"}`, or 503 when the database does not answer within
//! two seconds) is added. Deleting a team clears its heroes' `team_id` in both (`ON DELETE SET
//! NULL` here, SQLAlchemy's update of the loaded heroes there).

mod models;
mod routes;
pub mod server;

pub use models::*;
pub use routes::routes;

use tablemodel::Engine;
use tablemodel::migrate::{ApplyOptions, MigrateError, Migrations, Target};
use tablemodel::schema::Schema;

/// The app over `engine`, with `/openapi.json` and `/docs`. Tables must exist: see
/// [`create_tables`].
pub fn app(engine: Engine) -> axum::Router {
    tablemodel::web::with_docs(routes(), "Heroes API", env!("CARGO_PKG_VERSION")).with_state(engine)
}

// ANCHOR: migrations
/// The models' schema: what `db revision` and `db check` compare the migrations with.
pub fn models() -> Schema {
    // Every table model linked into the binary registers itself, so none can be left out.
    tablemodel::registry::schema().unwrap_or_else(|e| panic!("the heroes models do not make one schema: {e}"))
}

/// The migrations of `migrations/`, built into the binary.
pub fn migrations() -> Result<Migrations, MigrateError> {
    tablemodel::embed_migrations!("migrations")
}

/// Applies the built-in migrations the database does not have yet (what `cargo run -p
/// heroes` does before serving); the ids applied.
pub async fn migrate(engine: &Engine) -> Result<Vec<String>, MigrateError> {
    migrations()?.upgrade(engine, &Target::Head, ApplyOptions::new()).await
}
// ANCHOR_END: migrations

/// Creates the tables if they do not exist (FastAPI's startup hook in the tutorial).
pub async fn create_tables(engine: &Engine) -> tablemodel::Result<()> {
    engine.create_all::<(Team, Hero)>().await
}
