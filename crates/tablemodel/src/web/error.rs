//! The error a handler returns: FastAPI's `HTTPException` (`{"detail": …}` with a status),
//! and the mapping of library errors to responses that never leak SQL to the client.

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::{DbErrorKind, Error};
use crate::validate::{ValidationError, ValidationErrors};

/// An HTTP error answered as `{"detail": …}`, like FastAPI's `HTTPException`.
///
/// ```
/// use axum::http::StatusCode;
/// use axum::response::IntoResponse;
/// use tablemodel::web::HttpError;
///
/// let response = HttpError::not_found("Hero not found").into_response();
/// assert_eq!(response.status(), 404);
///
/// // HTTPException(status_code=401, detail=…, headers={"WWW-Authenticate": "Bearer"})
/// let response = HttpError::new(StatusCode::UNAUTHORIZED, "Not authenticated")
///     .with_header("www-authenticate", "Bearer")
///     .into_response();
/// assert_eq!(response.headers()["www-authenticate"], "Bearer");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HttpError {
    /// The response status.
    pub status: StatusCode,
    /// The `detail` member: a message, a list of validation errors, or any JSON.
    pub detail: Value,
    /// Headers added to the response (boxed: most errors have none).
    headers: Option<Box<HeaderMap>>,
}

impl HttpError {
    /// An error with this status and message.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self::with_detail(status, Value::String(detail.into()))
    }

    /// An error with this status and any JSON as its `detail`.
    pub fn with_detail(status: StatusCode, detail: Value) -> Self {
        HttpError { status, detail, headers: None }
    }

    /// Adds a response header; a name or value that is not valid in HTTP is left out (and
    /// logged).
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), Ok(value)) => {
                self.headers.get_or_insert_with(Default::default).append(name, value);
            }
            _ => tracing::error!(target: "tablemodel::web", "invalid header {name:?}: {value:?}"),
        }
        self
    }

    /// The headers added with [`with_header`](Self::with_header).
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.headers.as_deref()
    }

    /// 404 with this message (`"Hero not found"`).
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// 422 with a validation error list whose locations already start with `body`, `query`
    /// or `path`.
    pub fn unprocessable(errors: ValidationErrors) -> Self {
        Self::with_detail(StatusCode::UNPROCESSABLE_ENTITY, errors.to_json())
    }
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status, self.detail)
    }
}

impl std::error::Error for HttpError {}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let headers = self.headers.map(|h| *h).unwrap_or_default();
        (self.status, headers, axum::Json(json!({"detail": self.detail}))).into_response()
    }
}

impl From<ValidationErrors> for HttpError {
    /// A validation error raised in a handler (not by an extractor) concerns the body.
    fn from(errors: ValidationErrors) -> Self {
        HttpError::unprocessable(errors.prefixed("body"))
    }
}

/// Seconds a client is asked to wait (`Retry-After`) when no pooled connection freed up in
/// time: the pool is saturated, not down, so a prompt retry usually succeeds.
const POOL_RETRY_AFTER_SECONDS: &str = "1";

impl From<Error> for HttpError {
    /// Integrity violations and a stale `save` ([`Error::StaleData`]) are 409 with a short
    /// detail; a vanished row (`RowNotFound`) or
    /// `one()` finding nothing is 404; validation is 422. A busy database, a connection
    /// that could not be opened or was lost, and a closed pool are 503, and so are a pool
    /// that had no free connection in time and a statement or lock timeout, with `Retry-After`. A value the database cannot
    /// store ([`DbErrorKind::InvalidValue`]: a string too long for an index, a number out
    /// of range) is the client's fault: a 422 `value_error` at `["body"]`, or at
    /// `["body", column]` when the database names one of tablemodel's single-column indexes
    /// (`ix_hero_name`). Anything else (a broken
    /// invariant, a value the database refused to decode…) is a 500 whose body says
    /// nothing more. The SQL, the database's message and the internal error go to the log
    /// only.
    fn from(error: Error) -> Self {
        const UNAVAILABLE: &str = "The database is unavailable, retry later";
        match error {
            Error::Validation(errors) => errors.into(),
            Error::RowNotFound { table, .. } => HttpError::not_found(format!("{} not found", title(table))),
            Error::StaleData { table, .. } => HttpError::new(
                StatusCode::CONFLICT,
                format!("Conflict: the {} was changed by another request; reload it and retry", title(table)),
            ),
            Error::Database(db) if db.kind.is_constraint() => {
                tracing::warn!(target: "tablemodel::web", constraint = ?db.constraint, sql = ?db.sql, "{}", db.message);
                let detail = match db.kind {
                    DbErrorKind::UniqueViolation => "Conflict: a row with this value already exists",
                    DbErrorKind::ForeignKeyViolation => {
                        "Conflict: a referenced row does not exist or is still referenced"
                    }
                    DbErrorKind::NotNullViolation => "Conflict: a required value is missing",
                    _ => "Conflict: the data breaks a database constraint",
                };
                HttpError::new(StatusCode::CONFLICT, detail)
            }
            Error::NoResult => HttpError::not_found("Not Found"),
            Error::Database(db) if db.kind == DbErrorKind::InvalidValue => {
                tracing::warn!(target: "tablemodel::web", code = ?db.code, sql = ?db.sql, "value refused by the database: {}", db.message);
                value_rejected(db.table.as_deref(), db.constraint.as_deref())
            }
            Error::Database(db) if db.kind == DbErrorKind::Busy => {
                tracing::warn!(target: "tablemodel::web", sql = ?db.sql, "{}", db.message);
                HttpError::new(StatusCode::SERVICE_UNAVAILABLE, "The database is busy, retry later")
                    .with_header("retry-after", POOL_RETRY_AFTER_SECONDS)
            }
            Error::Database(db) if db.kind == DbErrorKind::Timeout => {
                tracing::warn!(target: "tablemodel::web", sql = ?db.sql, "statement timed out: {}", db.message);
                HttpError::new(StatusCode::SERVICE_UNAVAILABLE, "The database is busy, retry later")
                    .with_header("retry-after", POOL_RETRY_AFTER_SECONDS)
            }
            Error::Database(db) if db.kind == DbErrorKind::Connection => {
                tracing::error!(target: "tablemodel::web", sql = ?db.sql, "database connection lost: {}", db.message);
                HttpError::new(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE)
            }
            Error::Connect(db) => {
                tracing::error!(target: "tablemodel::web", "cannot connect to the database: {}", db.message);
                HttpError::new(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE)
            }
            Error::PoolTimedOut => {
                tracing::warn!(target: "tablemodel::web", "no free database connection in time");
                HttpError::new(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE)
                    .with_header("retry-after", POOL_RETRY_AFTER_SECONDS)
            }
            Error::PoolClosed => {
                tracing::warn!(target: "tablemodel::web", "the engine is closed");
                HttpError::new(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE)
            }
            Error::Internal(message) => {
                tracing::error!(target: "tablemodel::web", "internal error (a bug in tablemodel): {message}");
                HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            }
            other => {
                tracing::error!(target: "tablemodel::web", error = %other, "request failed");
                HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            }
        }
    }
}

/// The 422 of a value the database refused, in FastAPI's validation error shape.
///
/// The database does not say which value it refused; when the failing object is one of
/// tablemodel's single-column indexes (`ix_<table>_<column>`, the name PostgreSQL reports
/// for an index entry that is too large), the column is named in `loc` (`["body", "name"]`),
/// otherwise `loc` is `["body"]`. `input` is unknown here, hence `null`.
fn value_rejected(table: Option<&str>, constraint: Option<&str>) -> HttpError {
    const MESSAGE: &str = "the database cannot store this value (too long to index, out of range or malformed)";
    let column = table
        .zip(constraint)
        .and_then(|(table, constraint)| constraint.strip_prefix("ix_")?.strip_prefix(table)?.strip_prefix('_'));
    let mut error =
        ValidationError::new("value_error", format!("Value error, {MESSAGE}"), Value::Null).with_ctx("error", MESSAGE);
    if let Some(column) = column {
        error = error.at(column.to_owned());
    }
    HttpError::unprocessable(ValidationErrors::new("Request", vec![error]).prefixed("body"))
}

/// `hero` → `Hero`, for messages built from table names.
fn title(table: &str) -> String {
    let mut chars = table.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

impl aide::OperationOutput for HttpError {
    type Inner = Self;
}
