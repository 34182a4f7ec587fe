//! Traps other Rust ORMs fall into, each pinned down by a test.

use tablemodel::prelude::*;

use crate::common::{Hero, Team, tutorial_heroes};
use tablemodel_testkit::on_every_backend;

/// Several new objects without keys in one session: all inserted, every key written back.
async fn many_new_objects_get_their_own_keys(engine: Engine) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let mut added = Vec::new();
    for hero in tutorial_heroes() {
        added.push(s.add(hero).await.unwrap());
    }
    let batch = s.add_all(tutorial_heroes()).await.unwrap();
    s.commit().await.unwrap();
    let mut keys: Vec<i64> = added.iter().chain(&batch).map(|h| h.id.expect("key written back")).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 14, "every object got a distinct key");
    assert_eq!(s.exec(select_only(Hero::id().count()).from::<Hero>()).await.unwrap(), vec![14]);
}

/// get → modify → save → commit persists, and a save that cannot happen is an error.
async fn saved_changes_persist_and_noop_saves_fail(engine: Engine) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    s.add(Hero::new("Deadpond", "Dive Wilson", None)).await.unwrap();
    s.commit().await.unwrap();

    let mut hero = s.get::<Hero>(1).await.unwrap().unwrap();
    hero.age = Some(30);
    s.save(&mut hero).await.unwrap();
    s.commit().await.unwrap();
    drop(s);
    let mut other = engine.session().await.unwrap();
    assert_eq!(other.get::<Hero>(1).await.unwrap().unwrap().age, Some(30));

    let mut never_added = Hero::new("Nobody", "Nobody", None);
    let err = other.save(&mut never_added).await.unwrap_err();
    assert!(matches!(err, Error::MissingKey { table: "hero" }), "{err:?}");
    let mut vanished = Hero { id: Some(12345), ..Hero::new("Gone", "Gone", None) };
    let err = other.save(&mut vanished).await.unwrap_err();
    assert!(matches!(err, Error::RowNotFound { table: "hero", action: "updated", .. }), "{err:?}");
}

/// A key left `None` is not sent, so a PostgreSQL identity column generates it.
async fn unset_key_is_not_sent_as_null(engine: Engine) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let explicit = s.add(Hero { id: Some(10), ..Hero::new("Ten", "T", None) }).await.unwrap();
    assert_eq!(explicit.id, Some(10));
    let generated = s.add(Hero::new("Generated", "G", None)).await.unwrap();
    assert!(generated.id.is_some(), "the database generated a key");
    assert_ne!(generated.id, Some(10));
    s.commit().await.unwrap();
}

/// After a failed statement, the next query on the same connection gets its own rows.
async fn query_after_failed_statement_gets_its_own_result(engine: Engine) {
    crate::common::seeded(&engine).await;
    let mut s = engine.session().await.unwrap();
    // A read outside a transaction fails on its own (in the database: no such column)…
    let missing = Filter::from_expr(tablemodel::sea_query::Expr::cust("no_such_column = 1"));
    let bad = s.exec(select::<Team>().filter(missing)).await.unwrap_err();
    assert_eq!(bad.db_kind(), Some(tablemodel::DbErrorKind::Syntax), "{bad:?}");
    assert!(!s.in_transaction(), "a failed read opens no transaction to roll back");
    // …and the next query answers with its own rows.
    let heroes = s.exec(select::<Hero>().filter(Hero::name().eq("Tarantula"))).await.unwrap();
    assert_eq!(heroes.len(), 1);
    assert_eq!(heroes[0].secret_name, "Natalia Roman-on");

    // Inside a transaction a failed write poisons it until rollback.
    let dup = s.add(Hero { id: Some(1), ..Hero::new("Dup", "Dup", None) }).await.unwrap_err();
    assert_eq!(dup.db_kind(), Some(tablemodel::DbErrorKind::UniqueViolation));
    let err = s.exec(select::<Hero>()).await.unwrap_err();
    assert!(matches!(err, Error::PendingRollback), "{err:?}");
    s.rollback().await.unwrap();
    let count = s.exec(select_only(count()).from::<Hero>()).await.unwrap();
    assert_eq!(count, vec![7]);
}

on_every_backend!(
    many_new_objects_get_their_own_keys,
    saved_changes_persist_and_noop_saves_fail,
    unset_key_is_not_sent_as_null,
    query_after_failed_statement_gets_its_own_result,
);

/// SQLite's double-quoted-string fallback is off: a quoted name that is no column is an
/// error, not a string literal that matches every row.
#[tokio::test]
async fn sqlite_bad_identifier_is_an_error_not_a_string() {
    let engine = crate::common::sqlite().await;
    crate::common::seeded(&engine).await;
    let mut s = engine.session().await.unwrap();
    let q = select::<Hero>().filter(Filter::from_expr(tablemodel::sea_query::Expr::cust(r#""nme" = "nme""#)));
    let err = s.exec(q).await.unwrap_err();
    let db = err.as_database().expect("a database error");
    assert_eq!(db.kind, tablemodel::DbErrorKind::Syntax, "{db}");
    assert!(db.message.contains("nme"), "{db}");
}
