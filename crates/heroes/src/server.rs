//! Running the app as a service: the engine and the server configured from the
//! environment, as a container or a process manager sets it.
//!
//! | Variable | Meaning | Default |
//! |---|---|---|
//! | `DATABASE_URL` | database URL; engine settings may also be its query parameters | `sqlite://database.db` |
//! | `DATABASE_REPLICA_URLS` | read replicas of that database, comma-separated | none |
//! | `DB_ROUTE_READS` | requests read from a replica until they write (`true`/`false`) | `true` with replicas |
//! | `HEROES_HOST`, `PORT` | address to listen on | `127.0.0.1`, `8000` |
//! | `DB_MAX_CONNECTIONS` | pool size | see `EngineBuilder::max_connections` |
//! | `DB_MIN_IDLE` | connections kept open | 0 |
//! | `DB_ACQUIRE_TIMEOUT` | wait for a free connection, then 503 | `30s` |
//! | `DB_CONNECT_TIMEOUT` | opening one connection | none |
//! | `DB_MAX_LIFETIME` | connections older are replaced | none |
//! | `DB_IDLE_TIMEOUT` | idle connections are closed after | none |
//! | `DB_PRE_PING` | check a connection before reuse (`true`/`false`) | `true` |
//! | `DB_PRE_PING_AFTER` | only if unused for this long | `0s` |
//! | `DB_STATEMENT_TIMEOUT` | a statement running longer is cancelled (503) | `30s` |
//! | `DB_LOCK_TIMEOUT` | a lock wait longer fails (503) | `10s` |
//! | `DB_SLOW_STATEMENT` | statements slower are logged at WARN | `1s` |
//! | `HTTP_HEADER_TIMEOUT` | request head must arrive within (connection closed) | `10s` |
//! | `HTTP_BODY_TIMEOUT` | request body must arrive within (408) | `30s` |
//! | `SHUTDOWN_GRACE` | requests in flight may finish within, after SIGTERM | `20s` |
//!
//! Durations are seconds (`30`, `0.5`) or carry a unit (`250ms`, `30s`, `5min`). A
//! variable set to a value that does not parse stops the start with a message naming it.
//!
//! With replicas, each request's session reads from one of them (in turn) until it writes,
//! then uses the primary (`EngineBuilder::route_reads_to_replicas`); the handlers that
//! change a row read it from the primary first. A replica lags the primary by a moment: a
//! `GET` right after another request's `POST` may not see the new row yet. Set
//! `DB_ROUTE_READS=false` to keep every request on the primary (the replicas are then
//! only reported by `/health`). `/health` answers 200 while the primary answers, and lists
//! the replicas it could reach.

use std::time::Duration;

use tablemodel::{Engine, EngineBuilder, parse_duration};

/// Reads one variable of the environment (`std::env::var` in production; a map in tests).
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A bad value in the environment.
#[derive(Debug)]
pub struct ConfigError(String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

fn duration(lookup: Lookup<'_>, name: &str, default: Option<Duration>) -> Result<Option<Duration>, ConfigError> {
    match lookup(name) {
        Some(v) => parse_duration(&v).map(Some).map_err(|e| ConfigError(format!("{name}: {e}"))),
        None => Ok(default),
    }
}

fn count(lookup: Lookup<'_>, name: &str) -> Result<Option<usize>, ConfigError> {
    lookup(name)
        .map(|v| v.trim().parse().map_err(|_| ConfigError(format!("{name}: expected a whole number, got {v:?}"))))
        .transpose()
}

fn boolean(lookup: Lookup<'_>, name: &str, default: bool) -> Result<bool, ConfigError> {
    match lookup(name).as_deref().map(str::trim) {
        None => Ok(default),
        Some("true" | "1" | "yes" | "on") => Ok(true),
        Some("false" | "0" | "no" | "off") => Ok(false),
        Some(other) => Err(ConfigError(format!("{name}: expected true or false, got {other:?}"))),
    }
}

/// The engine builder for `url` with the replicas (`DATABASE_REPLICA_URLS`) and the
/// `DB_*` settings of the environment.
pub fn engine_builder(url: &str, lookup: Lookup<'_>) -> Result<EngineBuilder, ConfigError> {
    let mut b = Engine::builder(url);
    let replicas: Vec<String> = lookup("DATABASE_REPLICA_URLS")
        .map(|list| list.split(',').map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    for replica in &replicas {
        b = b.replica(replica);
    }
    if !replicas.is_empty() {
        b = b.route_reads_to_replicas(boolean(lookup, "DB_ROUTE_READS", true)?);
    }
    if let Some(n) = count(lookup, "DB_MAX_CONNECTIONS")? {
        b = b.max_connections(n);
    }
    if let Some(n) = count(lookup, "DB_MIN_IDLE")? {
        b = b.min_idle(n);
    }
    let set = |b: EngineBuilder, name, default, f: fn(EngineBuilder, Duration) -> EngineBuilder| {
        Ok::<_, ConfigError>(match duration(lookup, name, default)? {
            Some(d) => f(b, d),
            None => b,
        })
    };
    b = set(b, "DB_ACQUIRE_TIMEOUT", None, EngineBuilder::acquire_timeout)?;
    b = set(b, "DB_CONNECT_TIMEOUT", None, EngineBuilder::connect_timeout)?;
    b = set(b, "DB_MAX_LIFETIME", None, EngineBuilder::max_lifetime)?;
    b = set(b, "DB_IDLE_TIMEOUT", None, EngineBuilder::idle_timeout)?;
    b = set(b, "DB_STATEMENT_TIMEOUT", Some(Duration::from_secs(30)), EngineBuilder::statement_timeout)?;
    b = set(b, "DB_LOCK_TIMEOUT", Some(Duration::from_secs(10)), EngineBuilder::lock_timeout)?;
    b = set(b, "DB_SLOW_STATEMENT", Some(Duration::from_secs(1)), EngineBuilder::slow_statement)?;
    let pre_ping = boolean(lookup, "DB_PRE_PING", true)?;
    b = b.pre_ping(pre_ping);
    if pre_ping {
        b = set(b, "DB_PRE_PING_AFTER", None, EngineBuilder::pre_ping_after)?;
    }
    Ok(b)
}

/// The server for `engine` with the `HTTP_*` and `SHUTDOWN_GRACE` settings of the
/// environment.
pub fn server(engine: Engine, lookup: Lookup<'_>) -> Result<tablemodel::web::Server, ConfigError> {
    use tablemodel::web::Server;
    let mut server = Server::new(crate::app(engine.clone()), engine);
    if let Some(d) = duration(lookup, "HTTP_HEADER_TIMEOUT", None)? {
        server = server.header_read_timeout(d);
    }
    if let Some(d) = duration(lookup, "HTTP_BODY_TIMEOUT", None)? {
        server = server.body_read_timeout(d);
    }
    if let Some(d) = duration(lookup, "SHUTDOWN_GRACE", None)? {
        server = server.grace_period(d);
    }
    Ok(server)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_value_names_its_variable() {
        let lookup = |name: &str| (name == "DB_LOCK_TIMEOUT").then(|| "soon".to_owned());
        let err = engine_builder("sqlite::memory:", &lookup).unwrap_err().to_string();
        assert!(err.starts_with("DB_LOCK_TIMEOUT: "), "{err}");
    }
}
