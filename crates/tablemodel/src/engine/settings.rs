//! The engine's settings: what the builder methods set and what the URL's query parameters
//! say, merged into one [`Settings`] the backends read when they open their pool.
//!
//! One list of settings with one spelling for both ways in, so that an operator can tune a
//! deployed app through `DATABASE_URL` alone (`…?max_connections=32&statement_timeout=5s`)
//! and a program can do the same with builder methods; the builder wins where both say.

use std::time::Duration;

use crate::error::Error;

/// How long a session waits for a free connection unless told otherwise (SQLAlchemy's
/// `pool_timeout` default).
pub(crate) const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// Every engine setting; `None` where neither the URL nor the builder said anything.
#[derive(Clone, Debug, Default)]
pub(crate) struct Settings {
    pub(crate) max_connections: Option<usize>,
    pub(crate) min_idle: Option<usize>,
    /// `Some(None)`: wait as long as it takes.
    pub(crate) acquire_timeout: Option<Option<Duration>>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) max_lifetime: Option<Duration>,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) pre_ping: Option<bool>,
    pub(crate) pre_ping_after: Option<Duration>,
    pub(crate) statement_timeout: Option<Duration>,
    pub(crate) lock_timeout: Option<Duration>,
    pub(crate) slow_statement: Option<Duration>,
    /// `Some(false)`: unnamed statements only (PostgreSQL behind a transaction pooler).
    pub(crate) prepared_statements: Option<bool>,
    /// Sessions read from the replicas until they write.
    pub(crate) route_reads: Option<bool>,
}

/// The URL query parameters that are engine settings; any other parameter is left to the
/// backend (PostgreSQL's `sslmode`, `application_name`, `options`…).
pub(crate) const URL_PARAMETERS: &[&str] = &[
    "max_connections",
    "min_idle",
    "acquire_timeout",
    "connect_timeout",
    "max_lifetime",
    "idle_timeout",
    "pre_ping",
    "pre_ping_after",
    "statement_timeout",
    "lock_timeout",
    "slow_statement",
    "prepared_statements",
    "route_reads_to_replicas",
];

impl Settings {
    /// The acquire timeout in force: the default unless set (`None`: no limit).
    pub(crate) fn acquire_timeout(&self) -> Option<Duration> {
        self.acquire_timeout.unwrap_or(Some(DEFAULT_ACQUIRE_TIMEOUT))
    }

    /// `self`, with what it leaves unset taken from `base`.
    pub(crate) fn or(self, base: Settings) -> Settings {
        Settings {
            max_connections: self.max_connections.or(base.max_connections),
            min_idle: self.min_idle.or(base.min_idle),
            acquire_timeout: self.acquire_timeout.or(base.acquire_timeout),
            connect_timeout: self.connect_timeout.or(base.connect_timeout),
            max_lifetime: self.max_lifetime.or(base.max_lifetime),
            idle_timeout: self.idle_timeout.or(base.idle_timeout),
            pre_ping: self.pre_ping.or(base.pre_ping),
            pre_ping_after: self.pre_ping_after.or(base.pre_ping_after),
            statement_timeout: self.statement_timeout.or(base.statement_timeout),
            lock_timeout: self.lock_timeout.or(base.lock_timeout),
            slow_statement: self.slow_statement.or(base.slow_statement),
            prepared_statements: self.prepared_statements.or(base.prepared_statements),
            route_reads: self.route_reads.or(base.route_reads),
        }
    }

    /// Splits the engine settings off `url`'s query: the settings, and the URL with only
    /// the parameters meant for the driver left.
    pub(crate) fn from_url(url: &str) -> Result<(Settings, String), Error> {
        let Some((base, query)) = url.split_once('?') else { return Ok((Settings::default(), url.to_owned())) };
        let mut settings = Settings::default();
        let mut rest = url::form_urlencoded::Serializer::new(String::new());
        let mut kept = 0;
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            if !URL_PARAMETERS.contains(&key.as_ref()) {
                rest.append_pair(&key, &value);
                kept += 1;
                continue;
            }
            settings.set(&key, &value).map_err(|reason| Error::InvalidUrl {
                url: crate::engine::redact(url),
                reason: format!("parameter `{key}`: {reason}"),
            })?;
        }
        let rest = rest.finish();
        Ok((settings, if kept == 0 { base.to_owned() } else { format!("{base}?{rest}") }))
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let count = || value.trim().parse::<usize>().map_err(|_| format!("expected a whole number, got {value:?}"));
        match key {
            "max_connections" => self.max_connections = Some(count()?.max(1)),
            "min_idle" => self.min_idle = Some(count()?),
            "acquire_timeout" => {
                self.acquire_timeout = Some(match value.trim() {
                    "none" | "never" => None,
                    _ => Some(parse_duration(value)?),
                })
            }
            "connect_timeout" => self.connect_timeout = Some(parse_duration(value)?),
            "max_lifetime" => self.max_lifetime = Some(parse_duration(value)?),
            "idle_timeout" => self.idle_timeout = Some(parse_duration(value)?),
            "pre_ping" => self.pre_ping = Some(parse_bool(value)?),
            "pre_ping_after" => self.pre_ping_after = Some(parse_duration(value)?),
            "statement_timeout" => self.statement_timeout = Some(parse_duration(value)?),
            "lock_timeout" => self.lock_timeout = Some(parse_duration(value)?),
            "slow_statement" => self.slow_statement = Some(parse_duration(value)?),
            "prepared_statements" => self.prepared_statements = Some(parse_bool(value)?),
            "route_reads_to_replicas" => self.route_reads = Some(parse_bool(value)?),
            _ => return Err("not an engine setting".to_owned()),
        }
        Ok(())
    }
}

/// A duration as written in a URL or an environment variable: a number of seconds (`30`,
/// `0.5`) or a number with a unit (`250ms`, `30s`, `5min`, `1h`).
///
/// ```
/// use std::time::Duration;
/// use tablemodel::parse_duration;
/// assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
/// assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
/// assert_eq!(parse_duration("5min"), Ok(Duration::from_secs(300)));
/// assert!(parse_duration("soon").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().map_err(|_| format!("expected a duration such as 30s or 250ms, got {text:?}"))?;
    let seconds = match unit.trim() {
        "" | "s" | "sec" | "secs" => number,
        "ms" => number / 1000.0,
        "m" | "min" | "mins" => number * 60.0,
        "h" => number * 3600.0,
        other => return Err(format!("unknown unit {other:?} in {text:?} (use ms, s, min or h)")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("{text:?}: {e}"))
}

fn parse_bool(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("expected true or false, got {value:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_parameters_leave_the_url_and_the_rest_stays() {
        let (s, url) =
            Settings::from_url("postgres://u:p@h/db?sslmode=disable&max_connections=7&statement_timeout=250ms")
                .unwrap();
        assert_eq!(url, "postgres://u:p@h/db?sslmode=disable");
        assert_eq!(s.max_connections, Some(7));
        assert_eq!(s.statement_timeout, Some(Duration::from_millis(250)));
        assert_eq!(s.route_reads, None);
        let (s, url) = Settings::from_url("postgres://h/db?route_reads_to_replicas=on").unwrap();
        assert_eq!((s.route_reads, url.as_str()), (Some(true), "postgres://h/db"));
        let (s, url) = Settings::from_url("sqlite://x.db?pre_ping=true&acquire_timeout=none").unwrap();
        assert_eq!(url, "sqlite://x.db");
        assert_eq!(s.pre_ping, Some(true));
        assert_eq!(s.acquire_timeout(), None);
        assert_eq!(Settings::default().acquire_timeout(), Some(DEFAULT_ACQUIRE_TIMEOUT));
    }

    #[test]
    fn a_bad_value_names_its_parameter() {
        let err = Settings::from_url("sqlite://x.db?lock_timeout=soon").unwrap_err().to_string();
        assert!(err.contains("lock_timeout"), "{err}");
    }
}
