//! Support for the book's chapter programs: the SQL log every chapter shows, and the
//! transcript of HTTP exchanges the web chapters print.
//!
//! Each program in `src/bin/` is one chapter of `docs/book`; `tests/chapters.rs` runs it
//! and compares what it prints (standard output) and the SQL it logs (standard error)
//! with the text the chapter includes from `docs/book/src/listings/`.

pub mod heroes;

use std::fmt::Write as _;
use std::sync::LazyLock;

use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// Prints every statement tablemodel runs to standard error: the SQL, then its parameters.
///
/// What `create_engine(url, echo=True)` shows in SQLModel's tutorial, minus the timings
/// (they change from run to run, and the chapters' logs are compared with a file).
pub fn log_sql() {
    tracing_subscriber::registry()
        .with(SqlLog)
        .with(tracing_subscriber::filter::Targets::new().with_target("tablemodel::sql", tracing::Level::DEBUG))
        .init();
}

struct SqlLog;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for SqlLog {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut line = fields.sql;
        if !fields.params.is_empty() && fields.params != "[]" {
            let _ = write!(line, "\n    params: {}", plain_params(&fields.params));
        }
        if let Some(error) = fields.error {
            let _ = write!(line, "\n    error: {error}");
        }
        eprintln!("{line}");
    }
}

#[derive(Default)]
struct Fields {
    sql: String,
    params: String,
    error: Option<String>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "sql" {
            self.sql = value.to_owned();
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "sql" => self.sql = format!("{value:?}"),
            "params" => self.params = format!("{value:?}"),
            "error" => self.error = Some(format!("{value:?}")),
            _ => {}
        }
    }
}

/// `[String(Some("Deadpond")), Int(None)]` → `["Deadpond", NULL]`.
fn plain_params(debug: &str) -> String {
    static NONE: LazyLock<regex::Regex> = LazyLock::new(|| regex::Regex::new(r"\b[A-Z][A-Za-z]*\(None\)").unwrap());
    static SOME: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r#"\b[A-Z][A-Za-z]*\(Some\(("(?:[^"\\]|\\.)*"|[^()]*)\)\)"#).unwrap());
    let text = NONE.replace_all(debug, "NULL");
    SOME.replace_all(&text, "$1").into_owned()
}

/// Starts a section of a program's output that a chapter shows on its own: the line
/// `# name` on standard output and in the SQL log, where the chapter test splits them into
/// `<program>.<name>.out` and `<program>.<name>.sql`. The name is lowercase words (other
/// lines starting with `# ` are not section starts).
pub fn section(name: &str) {
    println!("# {name}");
    eprintln!("# {name}");
}

/// Sends one request to the app and prints it with the answer, as a reader would see it
/// in a terminal: `POST /heroes/ {…}` then `200 {…}`.
pub async fn show(
    client: &tablemodel::web::TestClient,
    method: &str,
    uri: &str,
    body: Option<serde_json::Value>,
) -> serde_json::Value {
    let response = match (method, &body) {
        ("GET", None) => client.get(uri).await,
        ("DELETE", None) => client.delete(uri).await,
        ("POST", Some(body)) => client.post(uri, body).await,
        ("PATCH", Some(body)) => client.patch(uri, body).await,
        _ => panic!("the book sends GET/DELETE without a body, POST/PATCH with one"),
    };
    match body {
        Some(body) => println!("{method} {uri} {body}"),
        None => println!("{method} {uri}"),
    }
    let json = response.json();
    println!("{} {json}", response.status);
    json
}

#[cfg(test)]
mod tests {
    #[test]
    fn params_read_like_sql_literals() {
        let debug = r#"[String(Some("Sister Margaret's \"Bar\"")), Int(None), BigInt(Some(48))]"#;
        assert_eq!(super::plain_params(debug), r#"["Sister Margaret's \"Bar\"", NULL, 48]"#);
    }
}
