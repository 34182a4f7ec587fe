//! The one error type of the library, and the database error it wraps.
//!
//! Database errors keep the backend's code and, for constraint violations, the kind of
//! constraint and its name, so a caller can match on them (a web handler answers 409 for a
//! unique violation) without parsing messages.

use std::fmt;

/// Result alias with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in tablemodel.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database URL could not be understood.
    #[error("invalid database URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL, with any password removed.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The URL names a backend this build does not include.
    #[error("the `{scheme}` backend is not compiled in: enable the `{feature}` feature of tablemodel")]
    BackendDisabled {
        /// The URL scheme.
        scheme: String,
        /// The cargo feature that adds it.
        feature: &'static str,
    },
    /// The database rejected a statement.
    #[error(transparent)]
    Database(Box<DatabaseError>),
    /// No connection could be had from the pool.
    #[error("could not get a database connection: {0}")]
    Pool(String),
    /// A column value could not be turned into its field.
    #[error("cannot decode column `{column}`: {source}")]
    Decode {
        /// `table.column`, or the position for ad-hoc selections.
        column: String,
        /// Why.
        source: DecodeError,
    },
    /// `one()` found no row.
    #[error("no row found where exactly one was expected")]
    NoResult,
    /// `one()` or `one_or_none()` found more than one row.
    #[error("multiple rows found where at most one was expected")]
    MultipleResults,
    /// An update, refresh or delete of a model matched no row.
    #[error("no `{table}` row has the key {key}: nothing was {action}")]
    RowNotFound {
        /// The table.
        table: &'static str,
        /// The key, as written in the log.
        key: String,
        /// `updated`, `deleted` or `refreshed`.
        action: &'static str,
    },
    /// The model's primary key is not set, so it cannot name a row.
    #[error("this `{table}` has no primary key value (it was never added): add it to the session first")]
    MissingKey {
        /// The table.
        table: &'static str,
    },
    /// A query cannot be built as written.
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// A statement failed earlier in this transaction; it must be rolled back first.
    #[error("this session's transaction failed on an earlier statement; call `rollback()` before using it again")]
    PendingRollback,
    /// A relationship was read before it was loaded.
    #[error("relationship `{field}` is not loaded: load it with `session.load(...)` or `select(...).load(...)`")]
    NotLoaded {
        /// The relationship field.
        field: &'static str,
    },
    /// Input failed validation; the list says what and where.
    #[error(transparent)]
    Validation(#[from] crate::validate::ValidationErrors),
}

impl From<DatabaseError> for Error {
    fn from(e: DatabaseError) -> Self {
        Error::Database(Box::new(e))
    }
}

impl Error {
    /// The database error, if this is one.
    pub fn as_database(&self) -> Option<&DatabaseError> {
        match self {
            Error::Database(e) => Some(e),
            _ => None,
        }
    }

    /// The kind of database error, if this is one.
    pub fn db_kind(&self) -> Option<DbErrorKind> {
        self.as_database().map(|e| e.kind)
    }
}

/// The kind of a database error, for matching without reading messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DbErrorKind {
    /// A `UNIQUE` or primary key constraint.
    UniqueViolation,
    /// A `FOREIGN KEY` constraint.
    ForeignKeyViolation,
    /// A `NOT NULL` constraint.
    NotNullViolation,
    /// A `CHECK` constraint.
    CheckViolation,
    /// The database was busy or locked and the wait timed out, or a serialization failure.
    Busy,
    /// A malformed statement, unknown table or column.
    Syntax,
    /// The connection failed.
    Connection,
    /// Anything else.
    Other,
}

impl DbErrorKind {
    /// Whether this is an integrity (constraint) violation.
    pub fn is_constraint(self) -> bool {
        matches!(
            self,
            DbErrorKind::UniqueViolation
                | DbErrorKind::ForeignKeyViolation
                | DbErrorKind::NotNullViolation
                | DbErrorKind::CheckViolation
        )
    }
}

/// An error reported by the database, with what the backend told about it.
#[derive(Debug, Clone)]
pub struct DatabaseError {
    /// What kind of failure.
    pub kind: DbErrorKind,
    /// The backend's own code (`23505` on PostgreSQL, `SQLITE_CONSTRAINT_UNIQUE`…).
    pub code: Option<String>,
    /// The violated constraint: its name on PostgreSQL (`hero_name_key`); on SQLite, which
    /// reports no names, the columns of a unique or check failure (`hero.name`), and for a
    /// foreign key refusing a model's `add`, `add_all`, `save` or `delete` the name
    /// PostgreSQL would give it (`hero_team_id_fkey`), found by asking the database which
    /// key is at fault. Other SQLite foreign-key failures say `FOREIGN KEY`.
    pub constraint: Option<String>,
    /// The table, where the backend tells it.
    pub table: Option<String>,
    /// The backend's message.
    pub message: String,
    /// The statement that failed.
    pub sql: Option<String>,
}

impl DatabaseError {
    /// The constraint named by a violation.
    pub fn constraint(&self) -> Option<&str> {
        self.constraint.as_deref()
    }

    /// The table named by the error.
    pub fn table(&self) -> Option<&str> {
        self.table.as_deref()
    }
}

impl fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "database error")?;
        if let Some(code) = &self.code {
            write!(f, " [{code}]")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(c) = &self.constraint {
            write!(f, " (constraint `{c}`)")?;
        }
        if let Some(sql) = &self.sql {
            write!(f, " in `{sql}`")?;
        }
        Ok(())
    }
}

impl std::error::Error for DatabaseError {}

/// A value read from the database does not fit the field's type.
#[derive(Debug, Clone, thiserror::Error)]
#[error("expected {expected}: {message}")]
pub struct DecodeError {
    /// The Rust type expected.
    pub expected: &'static str,
    /// What was found instead.
    pub message: String,
}

impl DecodeError {
    /// A decode error for `expected` with an explanation.
    pub fn new(expected: &'static str, message: impl Into<String>) -> Self {
        DecodeError { expected, message: message.into() }
    }
}
