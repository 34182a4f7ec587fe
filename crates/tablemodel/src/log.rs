//! SQL logging through `tracing`: each statement, its parameters, its duration.
//!
//! Events go to target `tablemodel::sql`, at `INFO` when the engine was built with
//! `echo(true)` (SQLAlchemy's `echo=True`) and at `DEBUG` otherwise, so `RUST_LOG`
//! decides what is printed. When nothing would be printed the statement is not even timed:
//! the hot path pays one cached level check.

use std::time::Instant;

use crate::error::Error;
use crate::types::Value;

/// Starts timing a statement, if it will be logged.
pub(crate) fn start(echo: bool) -> Option<Instant> {
    let enabled = if echo {
        tracing::enabled!(target: "tablemodel::sql", tracing::Level::INFO)
    } else {
        tracing::enabled!(target: "tablemodel::sql", tracing::Level::DEBUG)
    };
    enabled.then(Instant::now)
}

/// Logs one executed statement started with [`start`].
pub(crate) fn statement(
    echo: bool,
    started: Option<Instant>,
    sql: &str,
    params: &[Value],
    outcome: Result<u64, &Error>,
) {
    let Some(started) = started else { return };
    let micros = started.elapsed().as_micros() as u64;
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
