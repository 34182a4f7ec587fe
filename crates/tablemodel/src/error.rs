//! The one error type of the library, and the database error it wraps.
//!
//! Every failure a caller may want to handle differently has its own variant: a pool that
//! timed out or is closed (retry later), a connection that could not be opened (the cause
//! is kept), an update that sets nothing, a required related row that is missing, and
//! [`Error::Internal`] for a broken invariant (a bug, never the caller's fault). Database
//! errors keep the backend's code and, for constraint violations, the kind of constraint
//! and its name, so a caller can match on them (a web handler answers 409 for a unique
//! violation) without parsing messages; the driver's own error stays reachable as the
//! [`source`](std::error::Error::source).

use std::fmt;
use std::sync::Arc;

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
    /// A new connection to the database could not be opened: the server is down or refuses
    /// the login, the file cannot be opened. The [`DatabaseError`] (kind
    /// [`DbErrorKind::Connection`] unless the server answered with a code) says why, its
    /// message includes the cause (`Connection refused`), and its source is the driver's
    /// error.
    #[error("could not connect to the database: {0}")]
    Connect(#[source] Box<DatabaseError>),
    /// Every connection of the pool stayed in use for as long as a session may wait for one.
    #[error("timed out waiting for a free database connection")]
    PoolTimedOut,
    /// The engine was closed ([`Engine::close`](crate::Engine::close)): it hands out no more
    /// connections.
    #[error("the engine is closed: it hands out no more connections")]
    PoolClosed,
    /// The connection pool cannot work as configured; the source says why.
    #[error("the connection pool is misconfigured: {0}")]
    PoolMisconfigured(#[source] Box<dyn std::error::Error + Send + Sync>),
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
    /// `save` of a model with a version column (`#[field(version)]`) found no row with its
    /// key and the version it was loaded with: another writer changed (or deleted) the row
    /// since. Reload it (`refresh`) and apply the change again. Web handlers answer 409.
    #[error("the `{table}` row with key {key} was changed or deleted by someone else since it was loaded")]
    StaleData {
        /// The table.
        table: &'static str,
        /// The key, as written in the log.
        key: String,
    },
    /// The model's primary key is not set, so it cannot name a row.
    #[error("this `{table}` has no primary key value (it was never added): add it to the session first")]
    MissingKey {
        /// The table.
        table: &'static str,
    },
    /// An UPDATE statement was run without any `set(...)`.
    #[error("this UPDATE of `{table}` sets no column: add `.set(...)` before running it")]
    EmptyUpdate {
        /// The table.
        table: &'static str,
    },
    /// `save` of a model whose columns are all primary-key columns: there is no column to
    /// write.
    #[error("`{table}` has only key columns: there is nothing to save")]
    NothingToSave {
        /// The table.
        table: &'static str,
    },
    /// The tables given to `create_all`/`drop_all` reference each other in a cycle, so
    /// there is no order to create them in.
    #[error("foreign keys form a cycle between tables {tables:?}: create them with migrations")]
    ForeignKeyCycle {
        /// The tables left in the cycle (and those depending on it).
        tables: Vec<String>,
    },
    /// A relationship's declaration does not say how to join its tables (no foreign key,
    /// several of them, or one naming a missing column).
    #[error("invalid relationship: {0}")]
    InvalidRelationship(String),
    /// A required (`Related<T>`, not `Related<Option<T>>`) relationship found no row.
    #[error("`{relationship}` is required but no `{target}` row matches; make the field `Related<Option<_>>`")]
    MissingRelated {
        /// `table.relationship`.
        relationship: String,
        /// The table that has no matching row.
        target: &'static str,
    },
    /// A query cannot be built as written (no table to read from, no or several foreign
    /// keys to join on, joined loading of a paged query).
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
    /// A verb of [`crate::blocking`] was called on a thread that an async runtime drives,
    /// where blocking would stall every task of the runtime. Nothing was sent.
    #[error(
        "the blocking API was called from inside an async runtime: use tablemodel::Engine and \
         tablemodel::Session there (or run the blocking code on tokio::task::spawn_blocking)"
    )]
    BlockingInsideRuntime,
    /// The runtime of the blocking API could not be started (the operating system refused
    /// a thread or an event source).
    #[error("cannot start the blocking API's runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// A broken invariant inside tablemodel: a bug, not something the caller did or can
    /// fix. The message is for the bug report; web answers do not show it.
    #[error("internal error in tablemodel (please report this bug): {0}")]
    Internal(String),
}

impl From<DatabaseError> for Error {
    fn from(e: DatabaseError) -> Self {
        Error::Database(Box::new(e))
    }
}

impl Error {
    /// The database error, if this is one: a statement the database refused or could not
    /// run ([`Error::Database`]), or a connection that could not be opened
    /// ([`Error::Connect`]).
    pub fn as_database(&self) -> Option<&DatabaseError> {
        match self {
            Error::Database(e) | Error::Connect(e) => Some(e),
            _ => None,
        }
    }

    /// The kind of database error, if this is one (see [`Error::as_database`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use tablemodel::{DbErrorKind, Engine};
    ///
    /// // The directory does not exist: the engine cannot open its first connection.
    /// let err = Engine::connect("sqlite:////no/such/directory/heroes.db").await.unwrap_err();
    /// assert!(matches!(err, tablemodel::Error::Connect(_)), "{err}");
    /// assert_eq!(err.db_kind(), Some(DbErrorKind::Connection));
    /// # }
    /// ```
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
    /// The database cannot store or compare a value it was given: the value is invalid for
    /// its column type, out of range, holds a character the database refuses, or is too
    /// large for an index (PostgreSQL's SQLSTATE class 22, and 54000 "program limit
    /// exceeded"). The input is at fault, not the server: a web handler answers 422.
    InvalidValue,
    /// The connection could not be opened or was lost: the server refused it, shut down
    /// or stopped answering.
    Connection,
    /// The statement ran longer than its statement timeout and was cancelled (PostgreSQL's
    /// SQLSTATE 57014; an interrupted SQLite statement). Inside a transaction, the session
    /// needs a `rollback()` before its next statement.
    Timeout,
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
///
/// The driver's own error is its [`source`](std::error::Error::source). The fields can be
/// read directly or through the accessors; new ones may be added, so it is built only by
/// tablemodel.
#[derive(Debug, Clone)]
#[non_exhaustive]
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
    /// The driver's error, shared so that the error stays `Clone`.
    pub(crate) source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl DatabaseError {
    /// What kind of failure.
    pub fn kind(&self) -> DbErrorKind {
        self.kind
    }

    /// The backend's own code (`23505` on PostgreSQL, `SQLITE_CONSTRAINT_UNIQUE`…).
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The constraint named by a violation.
    pub fn constraint(&self) -> Option<&str> {
        self.constraint.as_deref()
    }

    /// The table named by the error.
    pub fn table(&self) -> Option<&str> {
        self.table.as_deref()
    }

    /// The backend's message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The statement that failed.
    pub fn sql(&self) -> Option<&str> {
        self.sql.as_deref()
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

impl std::error::Error for DatabaseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

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
