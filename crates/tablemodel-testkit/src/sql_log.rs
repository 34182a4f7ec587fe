//! The statements tablemodel ran, captured from its `tracing` events
//! (target `tablemodel::sql`), for tests that assert which SQL a call sends:
//! how many SELECTs eager loading needs, or whether the ORM or the database
//! clears a foreign key on delete.

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
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
    _scope: tracing::subscriber::DefaultGuard,
}

impl SqlLog {
    /// Starts capturing; it stops when the log is dropped.
    pub fn capture() -> SqlLog {
        let statements = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Capture(Arc::clone(&statements)));
        SqlLog { statements, _scope: tracing::subscriber::set_default(subscriber) }
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
