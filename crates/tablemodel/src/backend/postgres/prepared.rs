//! The pool's connections, each with the statements it prepared found by where their SQL
//! text lives rather than by the text itself.
//!
//! deadpool's `prepare_cached` finds a prepared statement by hashing the whole SQL text
//! (SipHash, under a lock) on every call: several hundred instructions for a lookup by key,
//! more than the rest of the client's work on the query. The SQL a session runs almost
//! always comes from a place that keeps it: the model's fixed statements (`static`) or the
//! statement cache's entry for a query shape (`Arc<str>`). So each connection keeps its
//! statements by the text's address and length, and a hit only checks that the text is
//! the one the statement was prepared for: without reading it where the connection holds
//! that very text ([`LastingText`]), with a `memcmp` otherwise (an address reused by other
//! text is a miss, never a wrong statement). A miss falls back to deadpool's cache, which
//! still prepares each text once per connection.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use deadpool::managed::{Metrics, RecycleResult};
use rustc_hash::FxHashMap;
use tokio_postgres::Statement;

use crate::query::lasting_text::LastingText;

/// The most statements a connection keeps by address; past it the map starts over (the
/// statements stay prepared in deadpool's cache).
const CAPACITY: usize = 256;

/// How many slots [`Prepared::slots`] has (a power of two).
const SLOTS: usize = 128;

/// A statement kept: the address and text it was prepared for.
#[derive(Clone)]
struct Kept {
    address: usize,
    text: LastingText,
    statement: Statement,
}

impl Kept {
    /// Whether this is the statement of `sql`: at its address, and the same text (known
    /// without reading the bytes where the text is the process's own).
    #[inline]
    fn is_for(&self, sql: &str) -> bool {
        self.address == sql.as_ptr() as usize && self.text.is(sql)
    }
}

/// The slot of `sql`.
#[inline]
fn slot_of(sql: &str) -> usize {
    let key = (sql.as_ptr() as u64) ^ ((sql.len() as u64) << 48);
    (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - SLOTS.trailing_zeros())) as usize
}

/// deadpool-postgres' manager, handing out [`PgConn`]s.
pub(crate) struct PgManager {
    inner: deadpool_postgres::Manager,
    /// Bumped when every connection must forget its statements (after DDL).
    epoch: Arc<AtomicU64>,
}

impl PgManager {
    pub(crate) fn new(inner: deadpool_postgres::Manager) -> Self {
        PgManager { inner, epoch: Arc::default() }
    }

    /// Makes every connection forget its prepared statements.
    pub(crate) fn forget_statements(&self) {
        self.epoch.fetch_add(1, Ordering::Relaxed);
        self.inner.statement_caches.clear();
    }
}

impl std::fmt::Debug for PgManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgManager").finish_non_exhaustive()
    }
}

/// A pooled connection and its statements by address.
pub(crate) struct PgConn {
    client: deadpool_postgres::ClientWrapper,
    /// Behind a lock only so that statements pipelined on one connection (`BEGIN` with
    /// the first statement, several eager loads) can each look theirs up; it is never
    /// contended, and never held across an `.await`.
    prepared: std::sync::Mutex<Prepared>,
}

struct Prepared {
    /// One statement per slot, the slot chosen by the text's address and length: found
    /// with a multiplication and two comparisons where the map needs a probe (about a
    /// fifth of the lookup). Empty until the first statement is kept.
    slots: Vec<Option<Kept>>,
    /// Every statement kept, by the SQL text's address and length: where the slots miss
    /// (two texts wanting one slot).
    by_address: FxHashMap<(usize, usize), Kept>,
    epoch: Arc<AtomicU64>,
    /// The epoch `by_address` belongs to.
    seen: u64,
}

impl std::ops::Deref for PgConn {
    type Target = deadpool_postgres::ClientWrapper;
    fn deref(&self) -> &deadpool_postgres::ClientWrapper {
        &self.client
    }
}

impl PgConn {
    /// The statement for `sql`, prepared on this connection the first time (the lookup
    /// `postgres::query` makes, without its first-run pipelining).
    #[cfg(test)]
    pub(crate) async fn statement(&self, sql: &str) -> Result<Statement, tokio_postgres::Error> {
        if let Some(statement) = self.known_statement(sql) {
            return Ok(statement);
        }
        let statement = self.client.prepare_cached(sql).await?;
        self.keep_statement(sql, statement.clone());
        Ok(statement)
    }

    /// The statement this connection prepared for `sql`, when it knows it by the text's
    /// address; `None` sends the caller to deadpool's cache (see [`PgConn::keep_statement`]).
    pub(crate) fn known_statement(&self, sql: &str) -> Option<Statement> {
        let mut prepared = self.prepared.lock().unwrap_or_else(|e| e.into_inner());
        let seen = prepared.epoch.load(Ordering::Relaxed);
        if seen != prepared.seen {
            prepared.slots.clear();
            prepared.by_address.clear();
            prepared.seen = seen;
        }
        if let Some(Some(kept)) = prepared.slots.get(slot_of(sql))
            && kept.is_for(sql)
        {
            return Some(kept.statement.clone());
        }
        match prepared.by_address.get(&(sql.as_ptr() as usize, sql.len())) {
            Some(kept) if kept.is_for(sql) => Some(kept.statement.clone()),
            _ => None,
        }
    }

    /// Keeps `statement`, prepared on this connection for `sql`, to be found by the text's
    /// address next time.
    #[cold]
    pub(crate) fn keep_statement(&self, sql: &str, statement: Statement) {
        let mut prepared = self.prepared.lock().unwrap_or_else(|e| e.into_inner());
        if prepared.by_address.len() >= CAPACITY {
            prepared.slots.clear();
            prepared.by_address.clear();
        }
        if prepared.slots.is_empty() {
            prepared.slots.resize_with(SLOTS, || None);
        }
        let kept = Kept { address: sql.as_ptr() as usize, text: LastingText::of(sql), statement };
        prepared.slots[slot_of(sql)] = Some(kept.clone());
        prepared.by_address.insert((kept.address, sql.len()), kept);
    }
}

impl deadpool::managed::Manager for PgManager {
    type Type = PgConn;
    type Error = tokio_postgres::Error;

    async fn create(&self) -> Result<PgConn, tokio_postgres::Error> {
        let client = self.inner.create().await?;
        let epoch = self.epoch.clone();
        let seen = epoch.load(Ordering::Relaxed);
        Ok(PgConn {
            client,
            prepared: std::sync::Mutex::new(Prepared {
                slots: Vec::new(),
                by_address: FxHashMap::default(),
                epoch,
                seen,
            }),
        })
    }

    async fn recycle(&self, conn: &mut PgConn, metrics: &Metrics) -> RecycleResult<tokio_postgres::Error> {
        self.inner.recycle(&mut conn.client, metrics).await
    }

    fn detach(&self, conn: &mut PgConn) {
        self.inner.detach(&mut conn.client);
    }
}

#[cfg(test)]
mod tests {
    use deadpool::managed::Manager;

    use super::*;

    /// A manager for a fresh database, and one connection of it.
    async fn fresh_connection() -> (PgManager, PgConn) {
        let url = tablemodel_testkit::pg_server().fresh_database();
        let config: tokio_postgres::Config = url.parse().unwrap();
        let manager = PgManager::new(deadpool_postgres::Manager::new(config, tokio_postgres::NoTls));
        let conn = manager.create().await.unwrap();
        (manager, conn)
    }

    /// Two texts of one length at one address (a buffer rewritten in place, as a freed
    /// statement's text can be reused for another) must each run as themselves.
    #[tokio::test]
    async fn other_text_at_the_same_address_is_prepared_again() {
        let (_manager, conn) = fresh_connection().await;
        let mut sql = String::from("SELECT 1::int4 AS a");
        let at = sql.as_ptr();
        let first = conn.statement(&sql).await.unwrap();
        assert_eq!(conn.query_one(&first, &[]).await.unwrap().get::<_, i32>("a"), 1);
        sql.replace_range(.., "SELECT 2::int4 AS b");
        assert_eq!(sql.as_ptr(), at);
        let second = conn.statement(&sql).await.unwrap();
        assert_eq!(conn.query_one(&second, &[]).await.unwrap().get::<_, i32>("b"), 2);
        // The same text again is the statement prepared for it.
        assert_eq!(conn.statement(&sql).await.unwrap().columns()[0].name(), "b");
    }

    /// After DDL the engine asks every connection to forget its statements: the next run
    /// prepares again, and sees the table's new columns.
    #[tokio::test]
    async fn forgetting_prepares_again() {
        let (manager, conn) = fresh_connection().await;
        conn.batch_execute("CREATE TABLE t (a int4); INSERT INTO t VALUES (1)").await.unwrap();
        const SQL: &str = "SELECT * FROM t";
        let before = conn.statement(SQL).await.unwrap();
        assert_eq!(before.columns().len(), 1);
        conn.batch_execute("ALTER TABLE t ADD COLUMN b int4").await.unwrap();
        // Still the statement prepared before the change, until the engine says to forget.
        assert_eq!(conn.statement(SQL).await.unwrap().columns().len(), 1);
        manager.forget_statements();
        let after = conn.statement(SQL).await.unwrap();
        assert_eq!(after.columns().len(), 2);
    }

    /// Texts that want one slot each still run as themselves, found in the slot or the map
    /// behind it, however often they take turns.
    #[tokio::test]
    async fn texts_sharing_a_slot_each_find_their_statement() {
        let (_manager, conn) = fresh_connection().await;
        // Texts are made (and kept, so that each has an address of its own) until one lands
        // in the first one's slot: a fixed number of them can miss it, addresses being the
        // allocator's choice.
        let first = String::from("SELECT 0::int4 AS v");
        let mut texts = Vec::new();
        let other = loop {
            let text = format!("SELECT {}::int4 AS v", texts.len() + 1);
            if slot_of(&text) == slot_of(&first) {
                break text;
            }
            assert!(texts.len() < 1 << 20, "no text landed in the first one's slot");
            texts.push(text);
        };
        let (first, other) = (&first, &other);
        for _ in 0..3 {
            for sql in [first, other] {
                let statement = conn.statement(sql).await.unwrap();
                let want: i32 = sql["SELECT ".len()..sql.find("::").unwrap()].parse().unwrap();
                assert_eq!(conn.query_one(&statement, &[]).await.unwrap().get::<_, i32>("v"), want);
            }
        }
    }
}
