//! The axum layer (feature `axum`) on its own, outside any example app: the per-request
//! session, the validating extractors, error mapping, fallbacks and state overrides, on
//! SQLite and on PostgreSQL.

mod app;
mod errors;
mod extractors;
mod fallbacks;
mod graceful;
mod overrides;
mod query;
mod session;
mod typed_columns;
