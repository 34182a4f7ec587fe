//! Session state that the other suites take for granted: a table wider than 64 columns
//! (the generated-column set of `add`), a failed stream poisoning its transaction like any
//! failed statement, the stream's log line written after it ran with its real outcome, and
//! the write path without `RETURNING` running no `RETURNING`.

use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use tablemodel::prelude::*;
use tracing_subscriber::layer::SubscriberExt;

use crate::common::{Hero, Team, seeded};
use tablemodel_testkit::on_every_backend;

/// 65 data columns, then the generated key: column 65.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
pub(crate) struct Wide {
    pub(crate) c0: i32,
    pub(crate) c1: i32,
    pub(crate) c2: i32,
    pub(crate) c3: i32,
    pub(crate) c4: i32,
    pub(crate) c5: i32,
    pub(crate) c6: i32,
    pub(crate) c7: i32,
    pub(crate) c8: i32,
    pub(crate) c9: i32,
    pub(crate) c10: i32,
    pub(crate) c11: i32,
    pub(crate) c12: i32,
    pub(crate) c13: i32,
    pub(crate) c14: i32,
    pub(crate) c15: i32,
    pub(crate) c16: i32,
    pub(crate) c17: i32,
    pub(crate) c18: i32,
    pub(crate) c19: i32,
    pub(crate) c20: i32,
    pub(crate) c21: i32,
    pub(crate) c22: i32,
    pub(crate) c23: i32,
    pub(crate) c24: i32,
    pub(crate) c25: i32,
    pub(crate) c26: i32,
    pub(crate) c27: i32,
    pub(crate) c28: i32,
    pub(crate) c29: i32,
    pub(crate) c30: i32,
    pub(crate) c31: i32,
    pub(crate) c32: i32,
    pub(crate) c33: i32,
    pub(crate) c34: i32,
    pub(crate) c35: i32,
    pub(crate) c36: i32,
    pub(crate) c37: i32,
    pub(crate) c38: i32,
    pub(crate) c39: i32,
    pub(crate) c40: i32,
    pub(crate) c41: i32,
    pub(crate) c42: i32,
    pub(crate) c43: i32,
    pub(crate) c44: i32,
    pub(crate) c45: i32,
    pub(crate) c46: i32,
    pub(crate) c47: i32,
    pub(crate) c48: i32,
    pub(crate) c49: i32,
    pub(crate) c50: i32,
    pub(crate) c51: i32,
    pub(crate) c52: i32,
    pub(crate) c53: i32,
    pub(crate) c54: i32,
    pub(crate) c55: i32,
    pub(crate) c56: i32,
    pub(crate) c57: i32,
    pub(crate) c58: i32,
    pub(crate) c59: i32,
    pub(crate) c60: i32,
    pub(crate) c61: i32,
    pub(crate) c62: i32,
    pub(crate) c63: i32,
    pub(crate) c64: i32,
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
}

fn wide(base: i32) -> Wide {
    Wide {
        c0: base,
        c1: base + 1,
        c2: base + 2,
        c3: base + 3,
        c4: base + 4,
        c5: base + 5,
        c6: base + 6,
        c7: base + 7,
        c8: base + 8,
        c9: base + 9,
        c10: base + 10,
        c11: base + 11,
        c12: base + 12,
        c13: base + 13,
        c14: base + 14,
        c15: base + 15,
        c16: base + 16,
        c17: base + 17,
        c18: base + 18,
        c19: base + 19,
        c20: base + 20,
        c21: base + 21,
        c22: base + 22,
        c23: base + 23,
        c24: base + 24,
        c25: base + 25,
        c26: base + 26,
        c27: base + 27,
        c28: base + 28,
        c29: base + 29,
        c30: base + 30,
        c31: base + 31,
        c32: base + 32,
        c33: base + 33,
        c34: base + 34,
        c35: base + 35,
        c36: base + 36,
        c37: base + 37,
        c38: base + 38,
        c39: base + 39,
        c40: base + 40,
        c41: base + 41,
        c42: base + 42,
        c43: base + 43,
        c44: base + 44,
        c45: base + 45,
        c46: base + 46,
        c47: base + 47,
        c48: base + 48,
        c49: base + 49,
        c50: base + 50,
        c51: base + 51,
        c52: base + 52,
        c53: base + 53,
        c54: base + 54,
        c55: base + 55,
        c56: base + 56,
        c57: base + 57,
        c58: base + 58,
        c59: base + 59,
        c60: base + 60,
        c61: base + 61,
        c62: base + 62,
        c63: base + 63,
        c64: base + 64,
        id: None,
    }
}

async fn a_table_wider_than_64_columns_inserts(engine: Engine) {
    engine.create_all::<Wide>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let one = s.add(wide(0)).await.unwrap();
    assert_eq!(one, Wide { id: Some(1), ..wide(0) });
    let many = s.add_all([wide(100), wide(200)]).await.unwrap();
    assert_eq!(many, [Wide { id: Some(2), ..wide(100) }, Wide { id: Some(3), ..wide(200) }]);
    let mut chosen = wide(300);
    chosen.id = Some(10);
    assert_eq!(s.add(chosen.clone()).await.unwrap(), chosen);
    s.commit().await.unwrap();
    assert_eq!(s.get::<Wide>(2).await.unwrap(), Some(many[0].clone()));
}

/// A model whose table is never created: selecting it fails in the database.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
pub(crate) struct Missing {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
}

async fn a_failed_stream_poisons_the_transaction(engine: Engine) {
    seeded(&engine).await;
    let mut s = engine.session().await.unwrap();
    s.add(Hero::new("Deadpond", "Dive Wilson", None)).await.unwrap();
    assert!(s.in_transaction());
    let failed = match s.stream(select::<Missing>()).await {
        Err(_) => true,
        Ok(rows) => rows.collect::<Vec<_>>().await.iter().any(Result::is_err),
    };
    assert!(failed, "selecting a table that does not exist fails");
    let err = s.exec(select::<Hero>()).await.unwrap_err();
    assert!(matches!(err, Error::PendingRollback), "{err:?}");
    assert!(matches!(s.commit().await, Err(Error::PendingRollback)));
    s.rollback().await.unwrap();
    assert_eq!(s.exec(select::<Hero>()).await.unwrap().len(), 7, "the added hero was rolled back");
}

/// A stream that fails outside a transaction leaves the session usable.
async fn a_failed_stream_outside_a_transaction_leaves_the_session_usable(engine: Engine) {
    seeded(&engine).await;
    let mut s = engine.session().await.unwrap();
    if let Ok(rows) = s.stream(select::<Missing>()).await {
        assert!(rows.collect::<Vec<_>>().await.iter().any(Result::is_err));
    }
    assert_eq!(s.exec(select::<Hero>()).await.unwrap().len(), 7);
}

/// One logged statement: its SQL, and the rows or the error it logged.
#[derive(Clone, Debug, Default)]
struct Logged {
    sql: String,
    rows: Option<u64>,
    error: Option<String>,
}

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<Logged>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Log {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() != "tablemodel::sql" {
            return;
        }
        struct Fields(Logged);
        impl tracing::field::Visit for Fields {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                if field.name() == "sql" {
                    self.0.sql = value.to_owned();
                }
            }
            fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
                if field.name() == "rows" {
                    self.0.rows = Some(value);
                }
            }
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "error" {
                    self.0.error = Some(format!("{value:?}"));
                }
            }
        }
        let mut fields = Fields(Logged::default());
        event.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
}

impl Log {
    /// Captures the statements logged on this thread (where the test's future runs) until
    /// the guard is dropped.
    fn install() -> (Log, tracing::subscriber::DefaultGuard) {
        let log = Log::default();
        let guard = tablemodel_testkit::capture_on_this_thread(tracing_subscriber::registry().with(log.clone()));
        (log, guard)
    }

    /// The statements whose SQL contains `needle` (MySQL's backticks read as `"`).
    fn matching(&self, needle: &str) -> Vec<Logged> {
        self.0.lock().unwrap().iter().filter(|l| l.sql.replace('`', "\"").contains(needle)).cloned().collect()
    }
}

async fn a_stream_is_logged_after_it_ran(engine: Engine) {
    seeded(&engine).await;
    let (log, _guard) = Log::install();
    let mut s = engine.session().await.unwrap();
    let mut rows = s.stream(select::<Hero>().filter(Hero::age().is_not_null())).await.unwrap();
    let first = rows.next().await.unwrap().unwrap();
    assert!(first.age.is_some());
    assert!(log.matching("\"age\" IS NOT NULL").is_empty(), "nothing is logged before the stream ends");
    let rest = rows.collect::<Vec<_>>().await;
    assert_eq!(rest.len(), 4);
    let logged = log.matching("\"age\" IS NOT NULL");
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!((logged[0].rows, logged[0].error.as_deref()), (Some(5), None));

    // A stream dropped early logs the rows it read.
    let mut rows = s.stream(select::<Team>()).await.unwrap();
    drop(rows.next().await);
    drop(rows);
    let logged = log.matching("FROM \"team\"");
    assert_eq!(logged.len(), 1, "{logged:?}");

    // A failed stream logs its error.
    if let Ok(rows) = s.stream(select::<Missing>()).await {
        rows.collect::<Vec<_>>().await;
    }
    let logged = log.matching("FROM \"missing\"");
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert!(logged[0].error.is_some() && logged[0].rows.is_none(), "{logged:?}");
}

on_every_backend!(
    a_table_wider_than_64_columns_inserts,
    a_failed_stream_poisons_the_transaction,
    a_failed_stream_outside_a_transaction_leaves_the_session_usable,
    a_stream_is_logged_after_it_ran,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_returning_writes_then_reads_back() {
    let engine = Engine::builder("sqlite::memory:").without_returning().connect().await.unwrap();
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let (log, _guard) = Log::install();
    let mut s = engine.session().await.unwrap();
    let mut hero = s.add(Hero::new("Deadpond", "Dive Wilson", None)).await.unwrap();
    hero.age = Some(30);
    s.save(&mut hero).await.unwrap();
    s.add_all([Hero::new("Spider-Boy", "Pedro Parqueador", None)]).await.unwrap();
    s.commit().await.unwrap();
    let statements: Vec<String> = log.matching("").into_iter().map(|l| l.sql).collect();
    assert!(statements.iter().all(|sql| !sql.contains("RETURNING")), "{statements:#?}");
    let kinds: Vec<&str> = statements.iter().filter_map(|sql| sql.split_whitespace().next()).collect();
    // `add` of a row stored as sent (a generated key, short texts, no server default) takes
    // its key from the insert and reads nothing back; `save` and `add_all` read back.
    assert_eq!(kinds, ["BEGIN", "INSERT", "UPDATE", "SELECT", "INSERT", "SELECT", "COMMIT"]);
    assert_eq!(s.get::<Hero>(1).await.unwrap(), Some(hero));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wide_table_inserts_without_returning() {
    let engine = Engine::builder("sqlite::memory:").without_returning().connect().await.unwrap();
    a_table_wider_than_64_columns_inserts(engine).await
}
