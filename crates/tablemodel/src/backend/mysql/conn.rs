//! A pooled MySQL connection with the statements prepared on it, found by where their SQL
//! text lives rather than by the text itself.
//!
//! mysql_async caches prepared statements itself, but every lookup by SQL text first scans
//! the text for `:name` parameters and copies their names; even a plain hash of the text is
//! a few hundred instructions for a session's statement, more than the rest of the
//! backend's work on it. The SQL a session runs almost always comes from a place that keeps
//! it: the model's fixed statements (`static`) or the statement cache's entry for a query
//! shape (`Arc<str>`). So a hit is found by the text's address and length, and only checks
//! that the text is the one the statement was prepared for: without reading it where the
//! connection holds that very text ([`LastingText`]), with a `memcmp` otherwise (an address
//! reused by other text is a miss, never a wrong statement). A miss looks the text up by
//! its contents, and prepares it on the server only if this connection never did.
//!
//! The driver's own cache is turned off (its size is 0): it would close statements this
//! one still holds when its least recently used order, which only sees this cache's
//! misses, disagreed. Statements are not forgotten after DDL: the server prepares a
//! statement again by itself when a table it reads changed, and sends the new columns with
//! its next result.
//!
//! It also keeps what the server answered about generated keys
//! ([`Capabilities::consecutive_keys_check`](crate::Capabilities)): the lock mode is fixed
//! while the server runs and the increment is the connection's own, so the answer holds
//! for the connection's life, unless its own SQL changes the increment.

use std::sync::Arc;

use mysql_async::Statement;
use rustc_hash::FxHashMap;

use crate::query::lasting_text::LastingText;

/// Prepared statements kept per connection (on the server: past it, one is closed to make
/// room for the next).
const CAPACITY: usize = 256;

/// Addresses remembered per connection; past it they start over (the statements stay).
const ADDRESSES: usize = 2 * CAPACITY;

/// A MySQL connection and its prepared statements.
#[derive(Debug)]
pub(crate) struct MysqlConn {
    conn: mysql_async::Conn,
    statements: Statements,
    /// Whether one multi-row `INSERT` gets consecutive keys here; `None` until asked.
    pub(crate) consecutive_keys: Option<bool>,
}

/// The statements prepared on one connection.
#[derive(Debug, Default)]
pub(super) struct Statements {
    /// By the SQL text's address and length: the text it was prepared for (known without
    /// reading it where it is the process's own, see [`LastingText`]), and the statement.
    by_address: FxHashMap<(usize, usize), (LastingText, Statement)>,
    /// Every statement prepared on the connection and not closed, by its text.
    by_text: FxHashMap<Arc<str>, Statement>,
}

impl MysqlConn {
    pub(super) fn new(conn: mysql_async::Conn) -> MysqlConn {
        MysqlConn { conn, statements: Statements::default(), consecutive_keys: None }
    }

    /// The driver's connection and this connection's statements, to be used together.
    #[inline]
    pub(super) fn parts(&mut self) -> (&mut mysql_async::Conn, &mut Statements) {
        (&mut self.conn, &mut self.statements)
    }
}

impl Statements {
    /// The statement of `sql`, if it was run from the same place before. Kept apart from
    /// [`Statements::prepare`] so that a hit builds no future.
    #[inline]
    pub(super) fn known(&self, sql: &str) -> Option<&Statement> {
        match self.by_address.get(&(sql.as_ptr() as usize, sql.len())) {
            Some((text, statement)) if text.is(sql) => Some(statement),
            _ => None,
        }
    }

    /// The statement of `sql`, prepared on `conn` unless it was already, and remembered by
    /// the text's address. When `conn` holds as many statements as it keeps, one is closed
    /// to make room.
    #[cold]
    pub(super) async fn prepare(
        &mut self,
        conn: &mut mysql_async::Conn,
        sql: &str,
    ) -> Result<&Statement, mysql_async::Error> {
        use mysql_async::prelude::Queryable;
        let statement = match self.by_text.get(sql) {
            Some(statement) => statement.clone(),
            None => {
                if self.by_text.len() >= CAPACITY
                    && let Some(old) = self.by_text.keys().next().cloned()
                {
                    let old = self.by_text.remove(&old).expect("a key just read");
                    // Some addresses may lead to the closed statement.
                    self.by_address.clear();
                    conn.close(old).await?;
                }
                let statement = conn.prep(sql).await?;
                self.by_text.insert(sql.into(), statement.clone());
                statement
            }
        };
        if self.by_address.len() >= ADDRESSES {
            self.by_address.clear();
        }
        let key = (sql.as_ptr() as usize, sql.len());
        Ok(&self.by_address.entry(key).insert_entry((LastingText::of(sql), statement)).into_mut().1)
    }

    /// How many statements are prepared on the connection.
    #[cfg(test)]
    fn prepared(&self) -> usize {
        self.by_text.len()
    }
}

impl std::ops::Deref for MysqlConn {
    type Target = mysql_async::Conn;

    fn deref(&self) -> &mysql_async::Conn {
        &self.conn
    }
}

impl std::ops::DerefMut for MysqlConn {
    fn deref_mut(&mut self) -> &mut mysql_async::Conn {
        &mut self.conn
    }
}

#[cfg(test)]
mod tests {
    use mysql_async::Value::{Bytes, Int};

    use super::*;
    use crate::backend::Rows;
    use crate::backend::mysql::{Object, batch, open_pool, query};

    /// A connection of the engine's pool on a fresh database of the test kit's MariaDB.
    async fn connection() -> Object {
        let url = tablemodel_testkit::mysql_url();
        match open_pool(&url, &crate::engine::Settings::default()).unwrap() {
            crate::backend::Pool::Mysql(pool) => pool.get().await.unwrap(),
            #[allow(unreachable_patterns)] // with MySQL alone
            _ => unreachable!("a mysql:// URL opens a MySQL pool"),
        }
    }

    /// The rows `sql` returns, through the backend's statement lookup.
    async fn rows(conn: &mut Object, sql: &str) -> Vec<Vec<mysql_async::Value>> {
        let mut rows = Vec::new();
        query(conn, sql, &[], Rows::All, |row| {
            rows.push((0..row.len()).map(|i| row.as_ref(i).unwrap().clone()).collect());
            Ok(())
        })
        .await
        .unwrap();
        rows
    }

    /// The one value `sql` returns.
    async fn value(conn: &mut Object, sql: &str) -> mysql_async::Value {
        rows(conn, sql).await.remove(0).remove(0)
    }

    fn text(s: &str) -> mysql_async::Value {
        Bytes(s.as_bytes().to_vec())
    }

    /// Two texts of one length at one address (a buffer rewritten in place, as a freed
    /// statement's text can be reused for another) must each run as themselves.
    #[tokio::test]
    async fn other_text_at_the_same_address_runs_as_itself() {
        let mut conn = connection().await;
        let mut sql = String::from("SELECT 1 AS a");
        let at = sql.as_ptr();
        assert_eq!(value(&mut conn, &sql).await, Int(1));
        sql.replace_range(.., "SELECT 2 AS b");
        assert_eq!(sql.as_ptr(), at);
        assert_eq!(value(&mut conn, &sql).await, Int(2));
        assert_eq!(value(&mut conn, &sql).await, Int(2));
        // A text dropped and another allocated, wherever the allocator puts it.
        drop(sql);
        let sql = String::from("SELECT 3 AS c");
        assert_eq!(value(&mut conn, &sql).await, Int(3));
        assert_eq!(conn.statements.prepared(), 3);
    }

    /// One text at several addresses is prepared on the server once.
    #[tokio::test]
    async fn one_text_at_two_addresses_is_one_statement() {
        let mut conn = connection().await;
        let (first, second) = (String::from("SELECT 7"), String::from("SELECT 7"));
        assert_ne!(first.as_ptr(), second.as_ptr());
        assert_eq!(value(&mut conn, &first).await, Int(7));
        assert_eq!(value(&mut conn, &second).await, Int(7));
        assert_eq!(value(&mut conn, "SELECT 7").await, Int(7));
        assert_eq!(conn.statements.prepared(), 1);
    }

    /// Past the statements a connection keeps, older ones are closed on the server, and
    /// each text still runs as itself, the closed ones prepared again.
    #[tokio::test]
    async fn more_statements_than_kept_each_run_as_themselves() {
        let mut conn = connection().await;
        let texts: Vec<String> = (0..CAPACITY + 20).map(|i| format!("SELECT {i} AS n")).collect();
        for round in 0..2 {
            for (i, sql) in texts.iter().enumerate() {
                assert_eq!(value(&mut conn, sql).await, Int(i as i64), "round {round}");
                assert!(conn.statements.prepared() <= CAPACITY);
            }
        }
        // The server holds no more of this connection's statements than the map does.
        let counts =
            rows(&mut conn, "SHOW SESSION STATUS WHERE Variable_name IN ('Com_stmt_prepare', 'Com_stmt_close')")
                .await
                .into_iter()
                .map(|row| match &row[1] {
                    Bytes(count) => std::str::from_utf8(count).unwrap().parse::<usize>().unwrap(),
                    other => panic!("a count: {other:?}"),
                })
                .collect::<Vec<_>>();
        let [closed, prepared] = counts[..] else { panic!("two counts: {counts:?}") };
        // Each text once, the closed ones again, and this statement.
        assert!(prepared > CAPACITY + 20 + 1, "{prepared}");
        assert!(prepared - closed <= CAPACITY, "{prepared} prepared, {closed} closed");
    }

    /// A statement prepared before DDL changed its table runs as the table is now: the
    /// server prepares it again and sends the new columns (so the connection need not
    /// forget its statements, as PostgreSQL's must).
    #[tokio::test]
    async fn a_statement_after_ddl_reads_the_table_as_it_is_now() {
        let mut conn = connection().await;
        batch(&mut conn, "CREATE TABLE t (a INT); INSERT INTO t VALUES (1)").await.unwrap();
        const SQL: &str = "SELECT * FROM t";
        assert_eq!(rows(&mut conn, SQL).await, [[Int(1)]]);
        batch(&mut conn, "ALTER TABLE t ADD COLUMN b VARCHAR(8) NOT NULL DEFAULT 'x'").await.unwrap();
        assert_eq!(rows(&mut conn, SQL).await, [[Int(1), text("x")]]);
        batch(&mut conn, "ALTER TABLE t MODIFY a VARCHAR(8)").await.unwrap();
        assert_eq!(rows(&mut conn, SQL).await, [[text("1"), text("x")]]);
        assert_eq!(conn.statements.prepared(), 1);
    }
}
