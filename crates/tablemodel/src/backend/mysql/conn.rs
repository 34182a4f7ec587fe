//! A pooled MySQL connection with the statements prepared on it, looked up by their SQL.
//!
//! mysql_async caches prepared statements itself, but every lookup by SQL text first scans
//! the text for `:name` parameters and copies their names; the session's statements are
//! plain `?` SQL, so this cache finds them with one hash of the text. The driver's own
//! cache is turned off (its size is 0): it would close statements this one still holds
//! when its least recently used order, which only sees this cache's misses, disagreed.
//!
//! It also keeps what the server answered about generated keys
//! ([`Capabilities::consecutive_keys_check`](crate::Capabilities)): the lock mode is fixed
//! while the server runs and the increment is the connection's own, so the answer holds
//! for the connection's life, unless its own SQL changes the increment.

use rustc_hash::FxHashMap;

/// Prepared statements kept per connection.
const CAPACITY: usize = 256;

/// A MySQL connection and its prepared statements.
#[derive(Debug)]
pub(crate) struct MysqlConn {
    conn: mysql_async::Conn,
    statements: FxHashMap<Box<str>, mysql_async::Statement>,
    /// Whether one multi-row `INSERT` gets consecutive keys here; `None` until asked.
    pub(crate) consecutive_keys: Option<bool>,
}

impl MysqlConn {
    pub(super) fn new(conn: mysql_async::Conn) -> MysqlConn {
        MysqlConn { conn, statements: FxHashMap::default(), consecutive_keys: None }
    }

    /// The statement of `sql`, if this connection prepared it already. Kept apart from
    /// [`MysqlConn::prepare`] so that a hit builds no future.
    #[inline]
    pub(super) fn prepared(&self, sql: &str) -> Option<mysql_async::Statement> {
        self.statements.get(sql).cloned()
    }

    /// Prepares `sql` on this connection and keeps the statement. When the cache is full,
    /// one statement is closed to make room.
    #[cold]
    pub(super) async fn prepare(&mut self, sql: &str) -> Result<mysql_async::Statement, mysql_async::Error> {
        use mysql_async::prelude::Queryable;
        if self.statements.len() >= CAPACITY
            && let Some(old) = self.statements.keys().next().cloned()
        {
            let old = self.statements.remove(&old).expect("a key just read");
            self.conn.close(old).await?;
        }
        let statement = self.conn.prep(sql).await?;
        self.statements.insert(sql.into(), statement.clone());
        Ok(statement)
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
