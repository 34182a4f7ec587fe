//! The busy handler every SQLite connection keeps for its life: it waits for another
//! connection's lock as long as the lock timeout, except while `BEGIN IMMEDIATE` asks it
//! not to wait at all.
//!
//! `BEGIN IMMEDIATE` waits for another process's write lock on the runtime, in short
//! sleeps between attempts (see `begin_immediate`), because a wait inside SQLite would hold
//! the runtime's worker thread. Every other statement waits inside SQLite, as its busy
//! timeout does. Switching the connection's busy timeout off and back on around each
//! `BEGIN IMMEDIATE` cost about 350 instructions per write transaction (two calls into
//! SQLite and rusqlite's bookkeeping of the handler each time); this handler is installed
//! once and reads two atomics that the connection alone writes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The longest nap between two attempts at a lock. Naps start at 1 ms and double up to
/// this, so a lock released soon is taken soon and a long wait costs few wake-ups.
const LONGEST_NAP: Duration = Duration::from_millis(50);

/// What a connection tells its busy handler.
#[derive(Debug)]
pub(crate) struct BusyWait {
    /// How long to wait for a lock, in milliseconds.
    lock_ms: AtomicU64,
    /// Set while a statement must fail at once on a lock held elsewhere.
    no_wait: AtomicBool,
}

impl BusyWait {
    pub(crate) fn new(lock: Duration) -> Arc<Self> {
        Arc::new(BusyWait { lock_ms: AtomicU64::new(millis(lock)), no_wait: AtomicBool::new(false) })
    }

    /// Waits up to `lock` from now on.
    pub(crate) fn set_lock_timeout(&self, lock: Duration) {
        self.lock_ms.store(millis(lock), Ordering::Relaxed);
    }

    /// The busy handler to install on the connection: called by SQLite with the number of
    /// times it was already called for the same lock; `true` tries again.
    pub(crate) fn handler(self: &Arc<Self>) -> impl FnMut(i32) -> bool + Send + 'static {
        let wait = self.clone();
        let mut since = Instant::now();
        move |count| {
            if wait.no_wait.load(Ordering::Relaxed) {
                return false;
            }
            if count == 0 {
                since = Instant::now();
            }
            let limit = Duration::from_millis(wait.lock_ms.load(Ordering::Relaxed));
            let waited = since.elapsed();
            if waited >= limit {
                return false;
            }
            let nap = Duration::from_millis(1u64 << count.clamp(0, 6)).min(LONGEST_NAP);
            std::thread::sleep(nap.min(limit - waited));
            true
        }
    }
}

/// Statements fail at once on a lock held elsewhere while this lives.
pub(crate) struct NoWait<'w>(&'w BusyWait);

impl<'w> NoWait<'w> {
    #[inline]
    pub(crate) fn new(wait: &'w BusyWait) -> Self {
        wait.no_wait.store(true, Ordering::Relaxed);
        NoWait(wait)
    }
}

impl Drop for NoWait<'_> {
    #[inline]
    fn drop(&mut self) {
        self.0.no_wait.store(false, Ordering::Relaxed);
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::super::{SqliteManager, SqliteTarget, Timeouts, batch_at_once, begin_immediate, execute};
    use crate::error::DbErrorKind;

    fn manager(dir: &tempfile::TempDir, lock: Duration) -> SqliteManager {
        let path = dir.path().join("busy.db").display().to_string();
        SqliteManager { target: SqliteTarget { path, memory: false }, timeouts: Timeouts { statement: None, lock } }
    }

    /// `BEGIN IMMEDIATE` at once gives way to another connection's write lock without
    /// waiting for it (with a lock timeout of a minute, waiting would hang the test) and
    /// without effect; statements after it wait for the lock again, and once the lock is
    /// free it begins.
    #[test]
    fn begin_at_once_gives_way_to_a_held_lock() {
        let dir = tempfile::tempdir().unwrap();
        let manager = manager(&dir, Duration::from_secs(60));
        let holder = manager.open().unwrap();
        holder.execute_batch("CREATE TABLE t (x INTEGER); BEGIN IMMEDIATE").unwrap();
        let mut waiter = manager.open().unwrap();

        assert!(batch_at_once(&mut waiter, "BEGIN IMMEDIATE").is_none(), "the lock is taken: wait for it");
        assert!(waiter.is_autocommit(), "no transaction was opened");

        // A write outside `BEGIN IMMEDIATE` waits in the busy handler until the holder commits.
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            holder.execute_batch("COMMIT").unwrap();
            holder
        });
        execute(&mut waiter, "INSERT INTO t VALUES (1)", &[]).unwrap();
        release.join().unwrap();

        batch_at_once(&mut waiter, "BEGIN IMMEDIATE").unwrap().unwrap();
        assert!(!waiter.is_autocommit());
        batch_at_once(&mut waiter, "COMMIT").unwrap().unwrap();
    }

    /// `BEGIN IMMEDIATE` gives up on another connection's write lock at the lock timeout
    /// without waiting inside SQLite; the statements after it wait inside SQLite again, up
    /// to the lock timeout (the engine's, or the one a session set).
    #[tokio::test]
    async fn statements_after_a_refused_begin_wait_for_the_lock_again() {
        let dir = tempfile::tempdir().unwrap();
        let manager = manager(&dir, Duration::from_millis(300));
        let holder = manager.open().unwrap();
        holder.execute_batch("CREATE TABLE t (x INTEGER); BEGIN IMMEDIATE").unwrap();
        let mut waiter = manager.open().unwrap();

        let started = Instant::now();
        let err = begin_immediate(&mut waiter, "BEGIN IMMEDIATE").await.unwrap_err();
        assert_eq!(err.db_kind(), Some(DbErrorKind::Busy), "{err}");
        assert!(started.elapsed() >= Duration::from_millis(250), "{:?}", started.elapsed());

        // A write outside `BEGIN IMMEDIATE` waits in the busy handler, past the holder's
        // commit 100 ms into the wait.
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            holder.execute_batch("COMMIT").unwrap();
            holder
        });
        execute(&mut waiter, "INSERT INTO t VALUES (1)", &[]).unwrap();
        assert!(started.elapsed() >= Duration::from_millis(300));
        let holder = release.join().unwrap();

        // With the lock held again, a write waits as long as the session's own lock
        // timeout, then fails as busy.
        holder.execute_batch("BEGIN IMMEDIATE").unwrap();
        waiter.set_timeouts(None, Some(Some(Duration::from_millis(400)))).unwrap();
        let started = Instant::now();
        let err = execute(&mut waiter, "INSERT INTO t VALUES (2)", &[]).unwrap_err();
        assert_eq!(err.db_kind(), Some(DbErrorKind::Busy), "{err}");
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(350) && waited < Duration::from_millis(1_500), "{waited:?}");
        holder.execute_batch("COMMIT").unwrap();
    }
}
