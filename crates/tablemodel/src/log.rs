//! SQL logging through `tracing`: each statement, its parameters, its duration.
//!
//! Events go to target `tablemodel::sql`, at `INFO` when the engine was built with
//! `echo(true)` (SQLAlchemy's `echo=True`) and at `DEBUG` otherwise, so `RUST_LOG`
//! decides what is printed.

use std::time::Duration;

use crate::types::Value;

/// Logs one executed statement.
pub(crate) fn statement(echo: bool, sql: &str, params: &[Value], elapsed: Duration, outcome: &Result<u64, String>) {
    let micros = elapsed.as_micros() as u64;
    match (echo, outcome) {
        (true, Ok(rows)) => {
            tracing::info!(target: "tablemodel::sql", sql, params = ?params, elapsed_us = micros, rows, "statement")
        }
        (true, Err(error)) => {
            tracing::info!(target: "tablemodel::sql", sql, params = ?params, elapsed_us = micros, error = %error, "statement failed")
        }
        (false, Ok(rows)) => {
            tracing::debug!(target: "tablemodel::sql", sql, params = ?params, elapsed_us = micros, rows, "statement")
        }
        (false, Err(error)) => {
            tracing::debug!(target: "tablemodel::sql", sql, params = ?params, elapsed_us = micros, error = %error, "statement failed")
        }
    }
}
