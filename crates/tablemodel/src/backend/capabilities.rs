//! What each database can do, described as data.
//!
//! Code outside `backend/` never asks which database it talks to; it asks what the
//! database can do (`RETURNING` on writes, transactional DDL, …) and picks its strategy
//! from the answer. A new backend is then one more [`Capabilities`] value, not a hunt for
//! every `if dialect == …` in the crate.

/// Which `ALTER TABLE` operations a dialect runs in place. What it cannot alter, a
/// migration does by rebuilding the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AlterSupport {
    /// `ADD COLUMN`.
    pub add_column: bool,
    /// `DROP COLUMN` (of a column no constraint or index names).
    pub drop_column: bool,
    /// `RENAME COLUMN`.
    pub rename_column: bool,
    /// `RENAME TO` (a table).
    pub rename_table: bool,
    /// Renaming an index in place (`ALTER INDEX … RENAME TO`); without it a renamed
    /// table's indexes are dropped and made again under their new names.
    pub rename_index: bool,
    /// Renaming a key or constraint (`ALTER TABLE … RENAME CONSTRAINT`). A dialect whose
    /// catalog keeps no constraint names does not need to.
    pub rename_constraint: bool,
    /// Changing a column's type.
    pub alter_column_type: bool,
    /// Changing a column's nullability.
    pub alter_nullability: bool,
    /// Setting or dropping a column's server default.
    pub alter_default: bool,
    /// Adding or dropping a foreign key or unique constraint on an existing table.
    pub alter_constraints: bool,
    /// A column's type, nullability or default is changed by restating its whole
    /// definition (MySQL's `MODIFY COLUMN`) rather than one `ALTER COLUMN` per property.
    pub modify_whole_column: bool,
    /// Keys are dropped by their kind rather than as constraints: a unique key with
    /// `DROP INDEX`, the primary key with `DROP PRIMARY KEY`, and an index names its table
    /// (MySQL).
    pub drop_keys_by_kind: bool,
    /// What a `MODIFY COLUMN` that narrows the column's `CHECK` needs appended so the
    /// database checks the rows it holds: MariaDB's in-place and instant `ALTER` skip a
    /// column's `CHECK` (MDEV-31008), a copying one does not. Empty where not needed.
    pub recheck_rows: &'static str,
}

/// How a dialect changes a table that is in use without blocking it for long: the
/// statements a migration's lock warnings recommend ([`crate::migrate::lock_warnings`]).
/// `None` in [`Capabilities::online_ddl`] where every schema change locks the whole
/// database anyway (SQLite), so there is nothing safer to recommend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OnlineDdl {
    /// The keyword that builds an index without blocking writes (`CONCURRENTLY`), which
    /// cannot run inside a transaction.
    pub concurrent_index: &'static str,
    /// The clause that adds a constraint without checking the existing rows (`NOT VALID`).
    pub not_valid: &'static str,
    /// Changing a column's type rewrites the table under an exclusive lock, except a
    /// widening the dialect stores the same way (a longer `VARCHAR`, `VARCHAR` to `TEXT`).
    pub type_change_rewrites: bool,
}

/// What a dialect supports, for the code paths that differ between databases.
///
/// ```
/// use tablemodel::Dialect;
/// let sqlite = Dialect::Sqlite.capabilities();
/// assert!(sqlite.returning_on_insert);
/// assert!(sqlite.single_writer);
/// assert!(!sqlite.alter.alter_column_type);
/// assert!(sqlite.literal_limit);
/// assert!(!Dialect::Postgres.capabilities().literal_limit);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// `INSERT … RETURNING` gives back the stored row; without it the write path reads the
    /// row back by its key in the same transaction.
    pub returning_on_insert: bool,
    /// `UPDATE … RETURNING` gives back the stored row.
    pub returning_on_update: bool,
    /// `INSERT … ON CONFLICT DO NOTHING`.
    pub on_conflict_do_nothing: bool,
    /// DDL statements take part in transactions (a failed `create_all` leaves nothing).
    pub transactional_ddl: bool,
    /// `CREATE INDEX IF NOT EXISTS`.
    pub index_if_not_exists: bool,
    /// The statement that opens a transaction which will write.
    pub begin_write: &'static str,
    /// `begin_write` waits for the transaction's first statement and goes out with it, in
    /// one round trip (the driver pipelines requests sent together); otherwise it is sent,
    /// and answered, on its own.
    pub pipelined_begin: bool,
    /// One transaction writes at a time (the whole database is locked by a writer).
    pub single_writer: bool,
    /// The most parameters one statement may bind.
    pub max_params: usize,
    /// The longest identifier (table, column, index, constraint name) in bytes.
    pub max_identifier_length: usize,
    /// The `ALTER TABLE` operations run in place.
    pub alter: AlterSupport,
    /// The column clause that makes the database generate a key column's values (an
    /// identity column); `None` where a key is generated without one (SQLite's
    /// `INTEGER PRIMARY KEY` is the rowid).
    pub identity_column: Option<&'static str>,
    /// `LIMIT`/`OFFSET` are written into the SQL as integer literals instead of bound: the
    /// dialect plans a statement again whenever a bound `LIMIT` changes, or even is bound
    /// again, so a bound one costs a full re-plan per call. Each distinct literal is then a
    /// distinct statement.
    pub literal_limit: bool,
    /// How a table in use is changed without blocking it for long; `None` where no schema
    /// change can avoid locking the database.
    pub online_ddl: Option<OnlineDdl>,
    /// The statements that take and release a lock a connection holds across
    /// transactions, so that processes migrating one database at once run one after the
    /// other. `None` where each migration's write transaction (`begin_write`) already
    /// makes them wait for each other.
    pub migration_lock: Option<MigrationLock>,
    /// The database names a constraint DDL leaves unnamed the way PostgreSQL does
    /// (`<table>_pkey`, `<table>_<columns>_key`, `<table>_<columns>_fkey`), so DDL can leave
    /// those names out; otherwise every constraint is created with its name.
    pub default_constraint_names: bool,
    /// The statements every connection runs first, so that SQL means the same whatever
    /// the server's configuration (MySQL: `utf8mb4`, UTC, strict mode, `ANSI_QUOTES`).
    /// Scripts printed for another client (`upgrade --sql`) start with them too.
    pub session_setup: &'static [&'static str],
    /// A query answering 1 when one multi-row `INSERT` gets consecutive generated keys, so
    /// that a database without `RETURNING` learns them all from the first. `None`: never
    /// assumed (rows with generated keys are then inserted one by one).
    pub consecutive_keys_check: Option<&'static str>,
    /// Array columns (`Vec<String>` as `TEXT[]`). Without them a `Vec` of scalars is stored
    /// as JSON text: the same values read back, compared whole; no element operators.
    pub arrays: bool,
    /// `SELECT … FOR UPDATE` locks the rows it reads until the transaction ends. Without
    /// it (SQLite, one writer at a time) a locking read's transaction is a write
    /// transaction (`begin_write`), which keeps every other writer out instead.
    pub row_locks: bool,
}

/// The statements of [`Capabilities::migration_lock`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MigrationLock {
    /// Waits for the lock and takes it.
    pub lock: &'static str,
    /// Releases it.
    pub unlock: &'static str,
}

impl Capabilities {
    /// SQLite 3.35 and later.
    pub(crate) const SQLITE: Capabilities = Capabilities {
        returning_on_insert: true,
        returning_on_update: true,
        on_conflict_do_nothing: true,
        transactional_ddl: true,
        index_if_not_exists: true,
        // Takes the write lock up front, so a later write cannot fail on a stale snapshot.
        begin_write: "BEGIN IMMEDIATE",
        // An in-process database: there is no round trip to save.
        pipelined_begin: false,
        single_writer: true,
        max_params: 32766,
        max_identifier_length: usize::MAX,
        alter: AlterSupport {
            add_column: true,
            drop_column: true,
            rename_column: true,
            rename_table: true,
            rename_index: false,
            rename_constraint: false,
            alter_column_type: false,
            alter_nullability: false,
            alter_default: false,
            alter_constraints: false,
            modify_whole_column: false,
            drop_keys_by_kind: false,
            recheck_rows: "",
        },
        identity_column: None,
        // SQLite's planner reads a bound LIMIT's value, so every re-bind marks the prepared
        // statement expired and the next step re-prepares it (~50,000 instructions, more than
        // the one-row query itself). Literals keep one prepared statement per value in use.
        literal_limit: true,
        online_ddl: None,
        // `BEGIN IMMEDIATE` takes the database's write lock for each migration.
        migration_lock: None,
        default_constraint_names: true,
        session_setup: &[],
        consecutive_keys_check: None,
        arrays: false,
        row_locks: false,
    };

    /// PostgreSQL 13 and later.
    pub(crate) const POSTGRES: Capabilities = Capabilities {
        returning_on_insert: true,
        returning_on_update: true,
        on_conflict_do_nothing: true,
        transactional_ddl: true,
        index_if_not_exists: true,
        begin_write: "BEGIN",
        pipelined_begin: true,
        single_writer: false,
        max_params: 65535,
        max_identifier_length: 63,
        alter: AlterSupport {
            add_column: true,
            drop_column: true,
            rename_column: true,
            rename_table: true,
            rename_index: true,
            rename_constraint: true,
            alter_column_type: true,
            alter_nullability: true,
            alter_default: true,
            alter_constraints: true,
            modify_whole_column: false,
            drop_keys_by_kind: false,
            recheck_rows: "",
        },
        identity_column: Some("GENERATED BY DEFAULT AS IDENTITY"),
        // A bound LIMIT/OFFSET keeps one prepared statement per query shape on every
        // connection, whatever page is asked for; PostgreSQL plans it with the bound values
        // (custom plans) or once for all (a generic plan) without preparing it again.
        literal_limit: false,
        online_ddl: Some(OnlineDdl {
            concurrent_index: "CONCURRENTLY",
            not_valid: "NOT VALID",
            type_change_rewrites: true,
        }),
        // A session-level advisory lock, its key "tm_migr" in ASCII.
        migration_lock: Some(MigrationLock {
            lock: "SELECT pg_advisory_lock(32771353923381106)",
            unlock: "SELECT pg_advisory_unlock(32771353923381106)",
        }),
        default_constraint_names: true,
        session_setup: &[],
        consecutive_keys_check: None,
        arrays: true,
        row_locks: true,
    };

    /// MySQL 8 and MariaDB 10.5 and later.
    pub(crate) const MYSQL: Capabilities = Capabilities {
        // MariaDB has `INSERT … RETURNING` but MySQL has not, and neither has it on UPDATE:
        // the write path reads rows back by key, using the OK packet's insert id.
        returning_on_insert: false,
        returning_on_update: false,
        on_conflict_do_nothing: false,
        // Every DDL statement commits the transaction it runs in.
        transactional_ddl: false,
        index_if_not_exists: false,
        begin_write: "BEGIN",
        // mysql_async runs one request at a time per connection.
        pipelined_begin: false,
        single_writer: false,
        max_params: 65535,
        max_identifier_length: 64,
        alter: AlterSupport {
            add_column: true,
            drop_column: true,
            rename_column: true,
            rename_table: true,
            // Indexes and unique keys are renamed through their table (`RENAME INDEX`), and
            // a foreign key by dropping and adding it: see `drop_keys_by_kind`.
            rename_index: false,
            rename_constraint: false,
            alter_column_type: true,
            alter_nullability: true,
            alter_default: true,
            alter_constraints: true,
            modify_whole_column: true,
            drop_keys_by_kind: true,
            recheck_rows: ", ALGORITHM=COPY",
        },
        identity_column: Some("AUTO_INCREMENT"),
        literal_limit: false,
        // InnoDB names foreign keys `<table>_ibfk_<n>`, unique keys after their first column
        // and every primary key `PRIMARY`.
        default_constraint_names: false,
        // MySQL 8's strict default SQL mode plus `ANSI_QUOTES`, so the `"identifier"` quoting
        // of the rest of the crate means what it means on the other backends.
        session_setup: &[
            "SET NAMES utf8mb4",
            "SET time_zone = '+00:00'",
            "SET sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,\
             NO_ENGINE_SUBSTITUTION,ANSI_QUOTES'",
        ],
        // InnoDB's "consecutive" lock mode (1, MariaDB's default) or the table lock (0) give
        // one statement consecutive keys; "interleaved" (2, MySQL 8's default) does not
        // promise it, nor does a step other than 1 (Galera, multi-primary setups).
        consecutive_keys_check: Some(
            "SELECT CAST(@@innodb_autoinc_lock_mode <= 1 AND @@auto_increment_increment = 1 AS SIGNED)",
        ),
        // MySQL and MariaDB choose online DDL (`ALGORITHM=INPLACE, LOCK=NONE`) per statement
        // themselves; the lock warnings do not cover them yet.
        online_ddl: None,
        // A named server lock held by the connection across the migrations' transactions;
        // the timeout (a year, in seconds) only bounds an abandoned run.
        migration_lock: Some(MigrationLock {
            lock: "SELECT GET_LOCK('tablemodel_migrations', 31536000)",
            unlock: "SELECT RELEASE_LOCK('tablemodel_migrations')",
        }),
        // No array type: a `Vec` of scalars is stored as JSON.
        arrays: false,
        row_locks: true,
    };

    /// These capabilities without `RETURNING`: the write path of databases that lack it,
    /// forced on a database that has it (tests run it on SQLite).
    pub const fn without_returning(self) -> Capabilities {
        Capabilities { returning_on_insert: false, returning_on_update: false, ..self }
    }
}
