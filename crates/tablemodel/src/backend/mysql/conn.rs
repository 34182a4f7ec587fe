//! A pooled MySQL connection with the statements prepared on it, looked up by their SQL.
//!
//! mysql_async caches prepared statements itself, but every lookup by SQL text first scans
//! the text for `:name` parameters and copies their names; the session's statements are
//! plain `?` SQL, so this cache finds them with one hash of the text. The driver's own
//! cache is turned off (its size is 0): it would close statements this one still holds
//! when its least recently used order, which only sees this cache's misses, disagreed.

use rustc_hash::FxHashMap;

/// Prepared statements kept per connection.
const CAPACITY: usize = 256;

/// A MySQL connection and its prepared statements.
#[derive(Debug)]
pub(crate) struct MysqlConn {
    conn: mysql_async::Conn,
    statements: FxHashMap<Box<str>, mysql_async::Statement>,
}

impl MysqlConn {
    pub(super) fn new(conn: mysql_async::Conn) -> MysqlConn {
        MysqlConn { conn, statements: FxHashMap::default() }
    }

    /// The statement of `sql`, prepared on this connection the first time it is asked for.
    /// When the cache is full, one statement is closed to make room.
    pub(super) async fn statement(&mut self, sql: &str) -> Result<mysql_async::Statement, mysql_async::Error> {
        use mysql_async::prelude::Queryable;
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
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
