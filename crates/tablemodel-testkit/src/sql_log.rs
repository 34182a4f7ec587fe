//! The statements tablemodel ran, captured from its `tracing` events
//! (target `tablemodel::sql`), for tests that assert which SQL a call sends:
//! how many SELECTs eager loading needs, or whether the ORM or the database
//! clears a foreign key on delete.

use std::sync::{Arc, Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing::subscriber::{DefaultGuard, Interest};
use tracing::{Dispatch, Metadata};
use tracing_subscriber::layer::{Context, SubscriberExt};

/// The SQL of every statement tablemodel ran on this thread since
/// [`SqlLog::capture`] (or the last [`clear`](SqlLog::clear)).
///
/// The capture is scoped to the calling thread, so tests running in
/// parallel do not see each other's statements. A `#[tokio::test]` body
/// runs on the test's own thread (also with the multi-threaded runtime), and
/// tablemodel logs each statement from the task that awaits it.
///
/// MySQL's backtick quoting is shown as the standard double quotes the other
/// backends write, so one expectation covers every backend.
///
/// ```
/// let log = tablemodel_testkit::SqlLog::capture();
/// assert!(log.statements().is_empty());
/// ```
pub struct SqlLog {
    statements: Arc<Mutex<Vec<String>>>,
    _scope: DefaultGuard,
}

impl SqlLog {
    /// Starts capturing; it stops when the log is dropped.
    pub fn capture() -> SqlLog {
        let statements = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Capture(Arc::clone(&statements)));
        SqlLog { statements, _scope: capture_on_this_thread(subscriber) }
    }

    /// Every statement captured, in the order they ran.
    pub fn statements(&self) -> Vec<String> {
        self.statements.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// The statements that start with `keyword` (`SELECT`, `UPDATE`,
    /// `DELETE`…), ignoring case and leading blanks.
    pub fn starting_with(&self, keyword: &str) -> Vec<String> {
        self.statements()
            .into_iter()
            .filter(|sql| {
                let sql = sql.trim_start();
                sql.len() >= keyword.len()
                    && sql.is_char_boundary(keyword.len())
                    && sql[..keyword.len()].eq_ignore_ascii_case(keyword)
            })
            .collect()
    }

    /// The `SELECT` statements captured.
    pub fn selects(&self) -> Vec<String> {
        self.starting_with("SELECT")
    }

    /// Forgets the statements captured so far.
    pub fn clear(&self) {
        self.statements.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
    }
}

/// Makes `subscriber` the default of the calling thread until the guard is
/// dropped, like [`tracing::subscriber::set_default`], but safe to use while
/// other tests of the binary run on other threads.
///
/// `tracing` caches, process-wide, whether any subscriber wants a callsite's
/// events. With `set_default` alone, a test on another thread that reaches a
/// callsite first, with no subscriber of its own, can cache "never" for it,
/// and this thread's subscriber then misses those events. A subscriber that is
/// registered for the life of the process and wants every callsite keeps that
/// cache open, so each event reaches whichever subscriber its thread has.
///
/// ```
/// let guard = tablemodel_testkit::capture_on_this_thread(tracing_subscriber::registry());
/// drop(guard);
/// ```
pub fn capture_on_this_thread<S>(subscriber: S) -> DefaultGuard
where
    S: tracing::Subscriber + Send + Sync + 'static,
{
    static KEEP_CALLSITES_OPEN: OnceLock<Dispatch> = OnceLock::new();
    KEEP_CALLSITES_OPEN.get_or_init(|| Dispatch::new(WantsEveryCallsite));
    tracing::subscriber::set_default(subscriber)
}

/// Registered for the life of the process, never any thread's default: it only
/// answers "always" when `tracing` asks who wants a callsite.
struct WantsEveryCallsite;

impl tracing::Subscriber for WantsEveryCallsite {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::always()
    }

    fn enabled(&self, _: &Metadata<'_>) -> bool {
        false
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, _: &tracing::Event<'_>) {}

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

/// The layer that records the `sql` field of tablemodel's statement events.
struct Capture(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "tablemodel::sql" {
            return;
        }
        let mut sql = Sql(None);
        event.record(&mut sql);
        if let Some(sql) = sql.0 {
            let sql = if sql.contains('`') { sql.replace('`', "\"") } else { sql };
            self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(sql);
        }
    }
}

/// Picks the `sql` field out of an event.
struct Sql(Option<String>);

impl Visit for Sql {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "sql" {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}
