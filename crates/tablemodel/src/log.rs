//! SQL logging through `tracing`: each statement, its parameters, its duration.
//!
//! Events go to target `tablemodel::sql`, at `INFO` when the engine was built with
//! `echo(true)` (SQLAlchemy's `echo=True`) and at `DEBUG` otherwise, so `RUST_LOG`
//! decides what is printed. When nothing would be printed the statement is not even timed:
//! the hot path pays one cached level check.
//!
//! Each statement also runs in a `DEBUG` span of that target, named `db`, with
//! OpenTelemetry's database attributes: `db.system` (`sqlite`, `postgresql`),
//! `db.operation` (`SELECT`, `INSERT`…), `db.statement` (the SQL with its placeholders,
//! never the values) and `otel.name`, for a `tracing-opentelemetry` layer to export. A
//! statement slower than the engine's `slow_statement` threshold is logged at `WARN`,
//! without its values.

use std::time::{Duration, Instant};

use crate::error::Error;
use crate::types::Value;

/// How a session logs its statements: the engine's `echo` and slow-statement threshold.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Logging {
    pub(crate) echo: bool,
    pub(crate) slow: Option<Duration>,
}

/// Starts timing a statement, if it will be logged or checked for slowness.
#[inline]
pub(crate) fn start(logging: Logging) -> Option<Instant> {
    let enabled = if logging.echo {
        tracing::enabled!(target: "tablemodel::sql", tracing::Level::INFO)
    } else {
        tracing::enabled!(target: "tablemodel::sql", tracing::Level::DEBUG)
    };
    (enabled || logging.slow.is_some()).then(Instant::now)
}

/// Whether a subscriber wants the `tablemodel::sql` span of each statement: a statement
/// runs in [`span`] (wrapped in [`tracing::Instrument`]) only then, and is awaited as it
/// is otherwise, where it is made (moving a statement's future into a wrapper costs a
/// copy of it, a few hundred instructions).
///
/// Asked first, because a disabled span still costs when tracing's `log` feature is on
/// (any dependency can turn it on) and no subscriber was ever set: `debug_span!` then
/// records every field for the `log` crate (two scans of the SQL for its first keyword)
/// and logs each enter and exit, some 700 instructions a statement. Without a span the
/// statement is not wrapped in [`tracing::Instrument`] either (its poll and drop, even of
/// `Span::none()`, cost about 200 instructions a statement).
#[inline]
pub(crate) fn span_wanted() -> bool {
    tracing::span_enabled!(target: "tablemodel::sql", tracing::Level::DEBUG)
}

/// The span a statement runs in: [`tracing::Span::none`] unless a subscriber wants
/// `tablemodel::sql` spans at `DEBUG` (see [`span_wanted`]).
#[inline]
pub(crate) fn span(system: &'static str, sql: &str) -> tracing::Span {
    if tracing::span_enabled!(target: "tablemodel::sql", tracing::Level::DEBUG) {
        enabled_span(system, sql)
    } else {
        tracing::Span::none()
    }
}

#[inline(never)]
fn enabled_span(system: &'static str, sql: &str) -> tracing::Span {
    let operation = operation(sql);
    tracing::debug_span!(
        target: "tablemodel::sql",
        "db",
        otel.name = operation,
        db.system = system,
        db.operation = operation,
        db.statement = sql,
    )
}

/// The statement's first keyword: `SELECT`, `INSERT`, `BEGIN`…
fn operation(sql: &str) -> &str {
    sql.trim_start().split(|c: char| c.is_whitespace() || c == ';').next().unwrap_or("")
}

/// Logs one executed statement started with [`start`]. Inlined so that a statement nobody
/// logs (`started` is `None`) does not pay for the call and its five arguments.
#[inline]
pub(crate) fn statement(
    logging: Logging,
    started: Option<Instant>,
    sql: &str,
    params: &[Value],
    outcome: Result<u64, &Error>,
) {
    if let Some(started) = started {
        statement_logged(logging, started, sql, params, outcome);
    }
}

#[cold]
#[inline(never)]
fn statement_logged(logging: Logging, started: Instant, sql: &str, params: &[Value], outcome: Result<u64, &Error>) {
    let elapsed = started.elapsed();
    if logging.slow.is_some_and(|slow| elapsed >= slow) {
        tracing::warn!(
            target: "tablemodel::sql",
            { db.statement = sql, elapsed_ms = elapsed.as_millis() as u64 },
            "slow statement"
        );
    }
    let micros = elapsed.as_micros() as u64;
    let echo = logging.echo;
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
