//! A connection that owns the statements prepared on it, found by where their SQL text
//! lives rather than by the text itself.
//!
//! rusqlite's `prepare_cached` finds a statement by hashing the whole SQL text into an LRU
//! list, takes it out, and hashes the text again to put it back: about 1,200 instructions
//! per statement, more than SQLite needs to run a lookup by key. The SQL a session runs
//! almost always comes from a place that keeps it: the model's fixed statements (`static`)
//! or the statement cache's entry for a query shape (`Arc<str>`). So each connection keeps
//! its statements by the text's address and length, as the PostgreSQL backend does, and a
//! hit only compares the text with the one the statement was prepared for (a `memcmp`; an
//! address reused by other text is a miss, never a wrong statement). At most [`CAPACITY`]
//! statements are kept; past it the connection starts over.
//!
//! A statement borrows its connection, so the two live in one self-referential value
//! (`self_cell`): the connection on the heap, its statements beside it, dropped (finalized)
//! before the connection closes.
//!
//! A kept statement is ready for its next run: rusqlite resets it when its rows are dropped
//! or its execution ends, whether the run succeeded, failed in the middle or stopped early,
//! and [`Statements::run`] clears its bindings afterwards, as rusqlite's own cache does.
//!
//! No flush is needed after DDL: a statement prepared with `sqlite3_prepare_v3` is prepared
//! again by SQLite itself when the schema it was compiled against changed.

use rusqlite::{Connection, PrepFlags, Statement};
use rustc_hash::FxHashMap;

use crate::error::Result;

/// The most statements a connection keeps; past it the map starts over.
const CAPACITY: usize = 256;

/// A connection's statements by the SQL text's address and length: the text each was
/// prepared for, and the statement.
type ByAddress<'c> = FxHashMap<(usize, usize), (Box<str>, Statement<'c>)>;

self_cell::self_cell!(
    /// The connection (on the heap) and the statements prepared on it.
    struct Cell {
        owner: Connection,
        #[covariant]
        dependent: ByAddress,
    }
);

/// An SQLite connection and the statements it prepared, kept for reuse.
pub(crate) struct Statements(Cell);

// SAFETY: `Statements` is `!Send` only because a rusqlite `Statement` borrows its
// `Connection` and holds a raw `sqlite3_stmt` pointer. Here the connection and every
// statement prepared on it always move together as one value: the statements cannot be
// reached but through `&mut Statements` (`Statements::run`), never escape it (the closure
// of `self_cell` ties them to the call), and are finalized before the connection closes.
// `Statements` is not `Sync` (`Connection` is not), so one thread at a time uses the
// connection and its statements. That is the argument on which rusqlite marks `Connection`
// and its own statement cache (which holds raw statements the same way) `Send`. SQLite
// itself allows it: the connection is opened with `SQLITE_OPEN_NO_MUTEX` in SQLite's
// default (serialized) build, i.e. multi-thread mode, where a connection and its
// statements may be used from any thread as long as no two threads use them at once.
#[allow(unsafe_code)]
unsafe impl Send for Statements {}

impl Statements {
    /// `conn`, with no statement kept yet.
    pub(crate) fn new(conn: Connection) -> Self {
        Statements(Cell::new(conn, |_| FxHashMap::default()))
    }

    /// The connection.
    #[inline]
    pub(crate) fn connection(&self) -> &Connection {
        self.0.borrow_owner()
    }

    /// The connection, its statements finalized.
    pub(crate) fn into_connection(self) -> Connection {
        self.0.into_owner()
    }

    /// The number of statements kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.borrow_dependent().len()
    }

    /// Runs `run` with the statement for `sql`, prepared on this connection the first time
    /// (or when other text took the address of the text it was prepared for). `run` must
    /// step the statement only through rusqlite's `raw_query` rows or `raw_execute`, which
    /// reset it when done; its bindings are cleared afterwards.
    #[inline]
    pub(crate) fn run<R>(&mut self, sql: &str, run: impl FnOnce(&mut Statement<'_>) -> Result<R>) -> Result<R> {
        self.0.with_dependent_mut(|conn, statements| {
            let key = (sql.as_ptr() as usize, sql.len());
            if let Some((text, statement)) = statements.get_mut(&key)
                && **text == *sql
            {
                return finish(statement, run);
            }
            finish(prepare(conn, statements, key, sql)?, run)
        })
    }
}

/// Runs `run` with `statement`, then clears its bindings (releasing the copies of bound
/// text and blobs) for the next run.
#[inline(always)]
fn finish<R>(statement: &mut Statement<'_>, run: impl FnOnce(&mut Statement<'_>) -> Result<R>) -> Result<R> {
    let result = run(statement);
    statement.clear_bindings();
    result
}

/// Prepares `sql` and keeps it under `key`, in place of a statement another text left there.
#[cold]
#[inline(never)]
fn prepare<'s, 'c>(
    conn: &'c Connection,
    statements: &'s mut ByAddress<'c>,
    key: (usize, usize),
    sql: &str,
) -> Result<&'s mut Statement<'c>> {
    // As rusqlite's cache prepares: the statement is meant to be kept.
    let statement = conn
        .prepare_with_flags(sql, PrepFlags::SQLITE_PREPARE_PERSISTENT)
        .map_err(|e| super::map_error(e, Some(sql)))?;
    if statements.len() >= CAPACITY && !statements.contains_key(&key) {
        statements.clear();
    }
    let kept = match statements.entry(key) {
        std::collections::hash_map::Entry::Occupied(mut slot) => {
            slot.insert((sql.into(), statement));
            slot.into_mut()
        }
        std::collections::hash_map::Entry::Vacant(slot) => slot.insert((sql.into(), statement)),
    };
    Ok(&mut kept.1)
}

#[cfg(test)]
mod tests {
    use super::super::{SqliteConn, SqliteManager, SqliteTarget, Timeouts};
    use crate::backend::Rows;
    use crate::types::Value;

    /// A connection to a fresh database file, as the pool opens it.
    fn open(dir: &tempfile::TempDir) -> SqliteConn {
        let path = dir.path().join("statements.db").display().to_string();
        let manager = SqliteManager {
            target: SqliteTarget { path, memory: false },
            timeouts: Timeouts { statement: None, lock: super::super::BUSY_TIMEOUT },
        };
        manager.open().unwrap()
    }

    /// Every row `sql` returns, each column as SQLite gave it (integers or NULL as `None`).
    fn rows(conn: &mut SqliteConn, sql: &str, params: &[Value]) -> crate::error::Result<Vec<Vec<Option<i64>>>> {
        let mut all = Vec::new();
        super::super::query(conn, sql, params, Rows::All, |row| {
            let columns = row.as_ref().column_count();
            all.push((0..columns).map(|i| row.get::<_, Option<i64>>(i).unwrap()).collect());
            Ok(())
        })?;
        Ok(all)
    }

    fn int(v: i64) -> Value {
        Value::BigInt(Some(v))
    }

    /// Two texts of one length at one address (a buffer rewritten in place, as the memory
    /// of a dropped statement text can be reused for another) each run as themselves.
    #[test]
    fn other_text_at_the_same_address_runs_as_itself() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir);
        let mut sql = String::from("SELECT 1 AS a, ?1");
        let at = sql.as_ptr();
        assert_eq!(rows(&mut conn, &sql, &[int(10)]).unwrap(), [[Some(1), Some(10)]]);
        sql.replace_range(.., "SELECT 2 AS b, ?1");
        assert_eq!(sql.as_ptr(), at, "the same address");
        assert_eq!(rows(&mut conn, &sql, &[int(20)]).unwrap(), [[Some(2), Some(20)]]);
        // The statement prepared for the new text took the old one's place.
        assert_eq!(conn.conn.len(), 1);
        assert_eq!(rows(&mut conn, &sql, &[int(30)]).unwrap(), [[Some(2), Some(30)]]);
    }

    /// The same text at another address is another key: prepared once more, same answer.
    #[test]
    fn a_copy_of_the_text_gives_the_same_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir);
        let first = String::from("SELECT ?1 + 1");
        let copy = first.clone();
        assert_eq!(rows(&mut conn, &first, &[int(1)]).unwrap(), [[Some(2)]]);
        assert_eq!(rows(&mut conn, &copy, &[int(2)]).unwrap(), [[Some(3)]]);
        assert_eq!(rows(&mut conn, &first, &[int(3)]).unwrap(), [[Some(4)]]);
    }

    /// A query that fails in the middle of its rows, and a write that fails in the middle
    /// of its rows, leave their statements ready: the next run binds new values and reads
    /// every row. (A statement left busy refuses bindings: "bind on a busy prepared statement".)
    #[test]
    fn a_statement_that_failed_mid_step_runs_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir);
        conn.execute_batch("CREATE TABLE t (x INTEGER UNIQUE); INSERT INTO t VALUES (1), (2), (3)").unwrap();
        // The row whose x is ?1 overflows an integer: an error on that row, after the rows before it.
        const READ: &str = "SELECT CASE WHEN x = ?1 THEN abs(-9223372036854775807 - 1) ELSE x END FROM t ORDER BY x";
        let mut seen = 0;
        let failed = super::super::query(&mut conn, READ, &[int(2)], Rows::All, |_| {
            seen += 1;
            Ok(())
        });
        assert_eq!(seen, 1, "the first row came before the error");
        assert!(failed.unwrap_err().to_string().contains("integer overflow"));
        assert_eq!(rows(&mut conn, READ, &[int(0)]).unwrap(), [[Some(1)], [Some(2)], [Some(3)]]);

        // Moving every x up by ?1 collides with the next row's value part-way.
        const WRITE: &str = "UPDATE t SET x = x + ?1";
        let err = super::super::execute(&mut conn, WRITE, &[int(1)]).unwrap_err();
        assert!(err.to_string().contains("UNIQUE"), "{err}");
        assert_eq!(super::super::execute(&mut conn, WRITE, &[int(10)]).unwrap(), 3);
        assert_eq!(rows(&mut conn, READ, &[int(0)]).unwrap(), [[Some(11)], [Some(12)], [Some(13)]]);
    }

    /// A query stopped after its first row (a lookup by key) or by its reader's error leaves
    /// its statement ready for the next run.
    #[test]
    fn a_statement_stopped_early_runs_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir);
        conn.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3)").unwrap();
        const SQL: &str = "SELECT x FROM t WHERE x >= ?1 ORDER BY x";
        let mut first = None;
        super::super::query(&mut conn, SQL, &[int(2)], Rows::First, |row| {
            first = row.get::<_, i64>(0).ok();
            Ok(())
        })
        .unwrap();
        assert_eq!(first, Some(2));
        let stopped = super::super::query(&mut conn, SQL, &[int(1)], Rows::All, |_| {
            Err(crate::error::Error::Internal("the reader gives up".to_owned()))
        });
        assert!(stopped.is_err());
        assert_eq!(rows(&mut conn, SQL, &[int(1)]).unwrap(), [[Some(1)], [Some(2)], [Some(3)]]);
    }

    /// Bindings do not outlive their run: a run that binds fewer values than the statement
    /// has parameters reads NULL for the others, as with rusqlite's own cache.
    #[test]
    fn bindings_are_cleared_between_runs() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir);
        const SQL: &str = "SELECT ?1, ?2";
        assert_eq!(rows(&mut conn, SQL, &[int(1), int(2)]).unwrap(), [[Some(1), Some(2)]]);
        assert_eq!(rows(&mut conn, SQL, &[int(3)]).unwrap(), [[Some(3), None]]);
    }

    /// A statement kept before DDL on its table runs after it against the new table: SQLite
    /// prepares it again by itself, no flush needed.
    #[test]
    fn a_statement_kept_across_ddl_sees_the_new_table() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir);
        conn.execute_batch("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1)").unwrap();
        const SQL: &str = "SELECT * FROM t WHERE a = ?1";
        assert_eq!(rows(&mut conn, SQL, &[int(1)]).unwrap(), [[Some(1)]]);
        conn.execute_batch("ALTER TABLE t ADD COLUMN b INTEGER NOT NULL DEFAULT 7").unwrap();
        assert_eq!(rows(&mut conn, SQL, &[int(1)]).unwrap(), [[Some(1), Some(7)]]);
        assert_eq!(conn.conn.len(), 1, "the same kept statement");
        conn.execute_batch("DROP TABLE t; CREATE TABLE t (c INTEGER, a INTEGER); INSERT INTO t VALUES (5, 1)").unwrap();
        assert_eq!(rows(&mut conn, SQL, &[int(1)]).unwrap(), [[Some(5), Some(1)]]);
        conn.execute_batch("DROP TABLE t").unwrap();
        let gone = rows(&mut conn, SQL, &[int(1)]).unwrap_err();
        assert!(gone.to_string().contains("no such table"), "{gone}");
    }

    /// `BEGIN IMMEDIATE`, `COMMIT` and `ROLLBACK` are kept prepared, as queries are, and
    /// each transaction runs them again from the kept statements; other parameterless SQL
    /// (DDL) is not kept.
    #[test]
    fn transaction_control_is_kept_prepared() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir);
        super::super::batch_at_once(&mut conn, "CREATE TABLE t (x INTEGER)").unwrap().unwrap();
        assert_eq!(conn.conn.len(), 0, "DDL is not kept");
        for round in 0..4 {
            super::super::batch_at_once(&mut conn, "BEGIN IMMEDIATE").unwrap().unwrap();
            assert!(!conn.is_autocommit());
            super::super::execute(&mut conn, "INSERT INTO t VALUES (?1)", &[int(round)]).unwrap();
            let end = if round % 2 == 1 { "ROLLBACK" } else { "COMMIT" };
            super::super::batch_at_once(&mut conn, end).unwrap().unwrap();
            assert!(conn.is_autocommit());
        }
        assert_eq!(conn.conn.len(), 4, "BEGIN IMMEDIATE, INSERT, COMMIT, ROLLBACK");
        assert_eq!(rows(&mut conn, "SELECT x FROM t ORDER BY x", &[]).unwrap(), [[Some(0)], [Some(2)]]);
    }

    /// A kept `COMMIT` that failed (a deferred foreign key still broken) leaves the
    /// transaction open and itself ready: once the row is fixed it commits.
    #[test]
    fn a_kept_commit_that_failed_runs_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir);
        conn.execute_batch(
            "CREATE TABLE p (id INTEGER PRIMARY KEY);
             CREATE TABLE c (p INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)",
        )
        .unwrap();
        super::super::batch_at_once(&mut conn, "BEGIN IMMEDIATE").unwrap().unwrap();
        super::super::execute(&mut conn, "INSERT INTO c VALUES (?1)", &[int(7)]).unwrap();
        let err = super::super::batch_at_once(&mut conn, "COMMIT").unwrap().unwrap_err();
        assert_eq!(err.db_kind(), Some(crate::error::DbErrorKind::ForeignKeyViolation), "{err}");
        assert!(!conn.is_autocommit(), "the transaction is still open");
        super::super::execute(&mut conn, "INSERT INTO p VALUES (?1)", &[int(7)]).unwrap();
        super::super::batch_at_once(&mut conn, "COMMIT").unwrap().unwrap();
        assert!(conn.is_autocommit());
        assert_eq!(rows(&mut conn, "SELECT p FROM c", &[]).unwrap(), [[Some(7)]]);
    }

    /// A connection keeps at most `CAPACITY` statements.
    #[test]
    fn the_statements_kept_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir);
        let texts: Vec<String> = (0..super::CAPACITY + 10).map(|i| format!("SELECT {i}")).collect();
        for (i, sql) in texts.iter().enumerate() {
            assert_eq!(rows(&mut conn, sql, &[]).unwrap(), [[Some(i as i64)]]);
            assert!(conn.conn.len() <= super::CAPACITY);
        }
        assert_eq!(rows(&mut conn, &texts[0], &[]).unwrap(), [[Some(0)]]);
    }
}
