//! Migrations of keys and constraints on every backend: a unique constraint added and
//! dropped, a primary key widened to two columns, with rows present (SQLite rebuilds the
//! table for each); the reflected schema equals the target's and the rows stay.

use tablemodel::migrate::{self, ApplyOptions};
use tablemodel::prelude::*;
use tablemodel::schema::{PrimaryKey, Schema, UniqueConstraint};
use tablemodel_testkit::on_every_backend;

/// The table before: a key, a code, an index.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "badge")]
struct Badge {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(index, max_length = 10)]
    code: String,
    holder: i64,
}

fn before() -> Schema {
    Schema::from_tables(&[Badge::META])
}

/// `before` with `code` unique, as a named constraint.
fn unique_code() -> Schema {
    let mut s = before();
    let t = s.tables.get_mut("badge").unwrap();
    t.uniques.push(UniqueConstraint::new("badge_code_key", vec!["code".into()]));
    t.canonicalize();
    s
}

/// `unique_code` keyed on `(id, holder)`.
fn wider_key() -> Schema {
    let mut s = unique_code();
    let t = s.tables.get_mut("badge").unwrap();
    t.primary_key = Some(PrimaryKey::new("badge_pkey", vec!["id".into(), "holder".into()]));
    s
}

async fn badges(engine: &Engine) -> Vec<(i64, String, i64)> {
    let mut s = engine.session().await.unwrap();
    let mut rows: Vec<_> =
        s.all(select::<Badge>()).await.unwrap().into_iter().map(|b| (b.id.unwrap(), b.code, b.holder)).collect();
    rows.sort();
    rows
}

async fn keys_and_constraints_change_with_rows_present(engine: Engine) {
    engine.create_all::<Badge>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    for (code, holder) in [("gold", 1), ("silver", 2)] {
        s.add(Badge { id: None, code: code.into(), holder }).await.unwrap();
    }
    s.commit().await.unwrap();
    drop(s);
    let rows = badges(&engine).await;

    let steps = [before(), unique_code(), wider_key()];
    for pair in steps.windows(2) {
        let ops = migrate::diff(&pair[0], &pair[1]);
        assert_eq!(ops.len(), 1, "{ops:#?}");
        migrate::apply(&engine, &ops, ApplyOptions::new()).await.unwrap();
        assert_eq!(engine.reflect().await.unwrap(), pair[1].for_dialect(engine.dialect()));
        assert_eq!(badges(&engine).await, rows);
    }
    // The unique constraint holds after the rebuild.
    let mut s = engine.session().await.unwrap();
    let duplicate = s.add(Badge { id: Some(9), code: "gold".into(), holder: 3 }).await.unwrap_err();
    assert_eq!(duplicate.db_kind(), Some(tablemodel::DbErrorKind::UniqueViolation), "{duplicate}");
    s.rollback().await.unwrap();
    drop(s);

    for pair in steps.windows(2).rev() {
        let undo = migrate::invert(&migrate::diff(&pair[0], &pair[1]), false).unwrap();
        migrate::apply(&engine, &undo, ApplyOptions::new()).await.unwrap();
        assert_eq!(engine.reflect().await.unwrap(), pair[0].for_dialect(engine.dialect()));
        assert_eq!(badges(&engine).await, rows);
    }
}

on_every_backend!(keys_and_constraints_change_with_rows_present);
