//! What an operator sees: each statement in a `db` span carrying OpenTelemetry's database
//! attributes (never the bound values), statements over the slow threshold logged at
//! `WARN`, and the pool's gauges.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tablemodel::Filter;
use tablemodel::prelude::*;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::common::{Hero, seeded};

/// Everything a `fmt` subscriber writes, for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

async fn statements_run_in_spans_with_otel_attributes_and_slow_ones_warn(url: String) {
    let engine = Engine::builder(&url).slow_statement(Duration::from_millis(50)).connect().await.unwrap();
    seeded(&engine).await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("tablemodel::sql=debug")
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tablemodel_testkit::capture_on_this_thread(subscriber);

    let mut s = engine.session().await.unwrap();
    let found = s.exec(select::<Hero>().filter(Hero::name().eq("Secret-Value-42"))).await.unwrap();
    assert!(found.is_empty());
    let slow = match engine.dialect() {
        Dialect::Postgres => "pg_sleep(0.2) IS NOT NULL",
        Dialect::Mysql => "SLEEP(0.2) = 0",
        _ => {
            "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT count(*) FROM c) > 0"
        }
    };
    s.exec(select::<Hero>().filter(Filter::from_expr(sea_query::Expr::cust(slow))).limit(1)).await.unwrap();
    drop(s);

    let text = captured.text();
    let system = engine.dialect().otel_system();
    let span = text
        .lines()
        .find(|l| {
            l.contains("db{")
                && l.contains("close")
                && l.contains("WHERE")
                && !l.contains("pg_sleep")
                && !l.contains("SLEEP(")
                && !l.contains("RECURSIVE")
        })
        .unwrap_or_else(|| panic!("a closed `db` span of the lookup:\n{text}"));
    assert!(span.contains(&format!("db.system=\"{system}\"")), "{span}");
    assert!(span.contains("db.operation=\"SELECT\""), "{span}");
    assert!(span.contains("db.statement=\"SELECT"), "{span}");
    let spans: Vec<&str> = text.lines().filter(|l| l.contains("db{")).collect();
    assert!(spans.iter().all(|l| !l.contains("Secret-Value-42")), "no bound value in a span: {spans:#?}");
    let warned: Vec<&str> = text.lines().filter(|l| l.contains("WARN") && l.contains("slow statement")).collect();
    assert_eq!(warned.len(), 1, "only the slow statement warns:\n{text}");
    assert!(["WITH RECURSIVE", "pg_sleep", "SLEEP("].iter().any(|slow| warned[0].contains(slow)), "{}", warned[0]);
}

tablemodel_testkit::on_every_backend!(url; statements_run_in_spans_with_otel_attributes_and_slow_ones_warn);
