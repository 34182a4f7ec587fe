//! PostgreSQL reads each column by the type the statement's description gives it: a field
//! of a compatible type (an `INT4` column into `i64`, `INT8` into `i32`, `FLOAT4` into
//! `f64`) is converted, and a column that does not fit its field is a typed decode error
//! naming the column, on every read path (a list, one row by key, a stream) and whether
//! statements are prepared under a name or run as the unnamed statement.

use futures_util::StreamExt;
use tablemodel::Error;
use tablemodel::prelude::*;
use tablemodel_testkit::pg_server;

/// The table as created.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "reading")]
struct Reading {
    #[field(primary_key)]
    id: Option<i64>,
    label: String,
    small: i32,
    big: i64,
    ratio: f32,
    note: Option<String>,
}

/// The same table read with wider or narrower fields of compatible types.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "reading")]
struct Converted {
    #[field(primary_key)]
    id: Option<i32>,
    label: String,
    small: i64,
    big: i32,
    ratio: f64,
    note: Option<String>,
}

/// A text column read as a number.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "reading")]
struct LabelAsNumber {
    #[field(primary_key)]
    id: Option<i64>,
    label: i64,
}

/// A number column read as text.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "reading")]
struct SmallAsText {
    #[field(primary_key)]
    id: Option<i64>,
    small: String,
}

/// A nullable column read into a field that cannot be NULL.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "reading")]
struct NoteRequired {
    #[field(primary_key)]
    id: Option<i64>,
    note: String,
}

fn reading(label: &str, big: i64, note: Option<&str>) -> Reading {
    Reading { id: None, label: label.to_owned(), small: 7, big, ratio: 0.5, note: note.map(str::to_owned) }
}

/// A fresh database with two readings (the second's `note` NULL), on an engine that
/// prepares statements or runs them unnamed.
async fn engine(prepared: bool) -> Engine {
    let url = pg_server().fresh_database();
    let engine = Engine::builder(&url).prepared_statements(prepared).connect().await.unwrap();
    engine.create_all::<Reading>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    s.add(reading("first", 40, Some("kept"))).await.unwrap();
    s.add(reading("second", 41, None)).await.unwrap();
    s.commit().await.unwrap();
    engine
}

/// The column and expected type of a decode error.
fn decode_error<T: std::fmt::Debug>(result: tablemodel::Result<T>) -> (String, &'static str, String) {
    match result {
        Err(Error::Decode { column, source }) => (column, source.expected, source.message),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

async fn reads_compatible_types_and_names_the_column_that_does_not_fit(prepared: bool) {
    let engine = engine(prepared).await;
    let mut s = engine.session().await.unwrap();

    let converted = s.exec(select::<Converted>().order_by(Converted::id())).await.unwrap();
    assert_eq!(
        converted,
        [
            Converted { id: Some(1), label: "first".into(), small: 7, big: 40, ratio: 0.5, note: Some("kept".into()) },
            Converted { id: Some(2), label: "second".into(), small: 7, big: 41, ratio: 0.5, note: None },
        ]
    );
    assert_eq!(s.get::<Converted>(2).await.unwrap().map(|c| c.big), Some(41));

    // Each read path, twice: the second run's statement is the one the first prepared.
    for _ in 0..2 {
        let (column, expected, message) = decode_error(s.exec(select::<LabelAsNumber>()).await);
        assert_eq!((column.as_str(), expected), ("label", "i64"), "{message}");
        assert!(message.contains("varchar"), "the message names the column's type: {message}");

        let (column, expected, _) = decode_error(s.get::<SmallAsText>(1).await);
        assert_eq!((column.as_str(), expected), ("small", std::any::type_name::<String>()));

        // The first row has a note: the second row's NULL is the error, after a good row.
        let (column, _, message) = decode_error(s.exec(select::<NoteRequired>().order_by(NoteRequired::id())).await);
        assert_eq!(column, "note");
        assert!(message.contains("NULL"), "{message}");

        let mut rows = s.stream(select::<LabelAsNumber>()).await.unwrap();
        let (column, expected, _) = decode_error(rows.next().await.expect("a row"));
        assert_eq!((column.as_str(), expected), ("label", "i64"));
        drop(rows);
    }

    // A value out of the field's range is an error naming the column, not a wrapped number.
    s.add(reading("third", i64::from(i32::MAX) + 1, None)).await.unwrap();
    s.commit().await.unwrap();
    let (column, expected, _) = decode_error(s.get::<Converted>(3).await);
    assert_eq!((column.as_str(), expected), ("big", "i32"));
    // The session goes on: the rows that fit still read.
    assert_eq!(s.get::<Converted>(1).await.unwrap().map(|c| c.label), Some("first".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepared_statements_read_compatible_types_and_name_the_column_that_does_not_fit() {
    reads_compatible_types_and_names_the_column_that_does_not_fit(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unnamed_statements_read_compatible_types_and_name_the_column_that_does_not_fit() {
    reads_compatible_types_and_names_the_column_that_does_not_fit(false).await;
}
