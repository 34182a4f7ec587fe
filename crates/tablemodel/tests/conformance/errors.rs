//! Bad input: hostile strings round-trip, constraint violations are typed errors naming
//! the constraint, and the session goes on after a rollback.

use tablemodel::DbErrorKind;
use tablemodel::prelude::*;

use crate::common::{Hero, Team};
use tablemodel_testkit::on_every_backend;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
pub(crate) struct Account {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    #[field(unique)]
    pub(crate) email: String,
    pub(crate) note: Option<String>,
}

async fn hostile_strings_round_trip_exactly(engine: Engine) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    // A string without `max_length` is `VARCHAR(255)` on MySQL, as SQLAlchemy makes it; a
    // longer one is refused as an invalid value (a 422 in a web handler).
    let longest = if engine.dialect() == Dialect::Mysql { 255 } else { 100_000 };
    if longest < 100_000 {
        let mut s = engine.session().await.unwrap();
        let err = s.add(Hero::new(&"ä".repeat(longest + 1), "x", None)).await.unwrap_err();
        assert_eq!(err.db_kind(), Some(DbErrorKind::InvalidValue), "{err}");
    }
    let long = "ä".repeat(longest);
    let hostile = [
        "Robert'); DROP TABLE hero;--",
        "\"double\" 'single' `back`",
        "semi;colon; -- comment /* block */",
        "émoji 🦀 ünïcödé 中文 עברית",
        "back\\slash and %percent% and _under_",
        "   leading and trailing spaces   ",
        "line\nbreak\ttab\r\n",
        "",
        long.as_str(),
    ];
    let mut s = engine.session().await.unwrap();
    for text in hostile {
        s.add(Hero::new(text, text, None)).await.unwrap();
    }
    s.commit().await.unwrap();
    let stored = s.exec(select::<Hero>().order_by(Hero::id())).await.unwrap();
    assert_eq!(stored.len(), hostile.len(), "the table survived");
    for (hero, text) in stored.iter().zip(hostile) {
        assert_eq!(hero.name, text);
        assert_eq!(hero.secret_name, text);
    }
    let found = s.exec(select::<Hero>().filter(Hero::name().eq("Robert'); DROP TABLE hero;--"))).await.unwrap();
    assert_eq!(found.len(), 1);
    let like = s.exec(select::<Hero>().filter(Hero::name().like("%\\%percent\\%%"))).await;
    assert!(like.is_ok(), "a LIKE pattern with escapes is a value, not SQL");
}

async fn unique_violation_is_typed_and_session_recovers(engine: Engine) {
    engine.create_all::<Account>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    s.add(Account { id: None, email: "a@example.com".into(), note: None }).await.unwrap();
    s.commit().await.unwrap();

    let err = s.add(Account { id: None, email: "a@example.com".into(), note: Some("dup".into()) }).await.unwrap_err();
    let db = err.as_database().expect("a database error");
    assert_eq!(db.kind, DbErrorKind::UniqueViolation);
    assert_pending_rollback(&mut s).await;
    match engine.dialect() {
        Dialect::Postgres => {
            assert_eq!(db.code.as_deref(), Some("23505"));
            assert_eq!(db.constraint(), Some("account_email_key"));
            assert_eq!(db.table(), Some("account"));
        }
        // MySQL's message names the key but not its table.
        Dialect::Mysql => {
            assert_eq!(db.code.as_deref(), Some("1062"));
            assert_eq!(db.constraint(), Some("account_email_key"));
        }
        _ => {
            assert_eq!(db.code.as_deref(), Some("SQLITE_CONSTRAINT_UNIQUE"));
            assert_eq!(db.constraint(), Some("account.email"));
            assert_eq!(db.table(), Some("account"));
        }
    }
    let sql = db.sql.as_deref().map(|sql| sql.replace('`', "\""));
    assert!(sql.is_some_and(|sql| sql.starts_with("INSERT INTO \"account\"")), "{db:?}");

    s.rollback().await.unwrap();
    let b = s.add(Account { id: None, email: "b@example.com".into(), note: None }).await.unwrap();
    s.commit().await.unwrap();
    assert!(b.id.is_some());
    let emails: Vec<String> = s.exec(select_only(Account::email()).order_by(Account::email())).await.unwrap();
    assert_eq!(emails, ["a@example.com", "b@example.com"]);
}

/// A write pointing at a missing team is a foreign-key error naming the key, the same name
/// on both backends (SQLite names none itself); nothing is half-written.
async fn foreign_key_violation_names_the_key(engine: Engine) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let team = s.add(Team { id: None, name: "Preventers".into(), headquarters: "Sharp Tower".into() }).await.unwrap();
    let kept = s.add(Hero { team_id: team.id, ..Hero::new("Rusty-Man", "Tommy Sharp", Some(48)) }).await.unwrap();
    s.commit().await.unwrap();

    let orphan = Hero { team_id: Some(999), ..Hero::new("Deadpond", "Dive Wilson", None) };
    let err = s.add(orphan.clone()).await.unwrap_err();
    let db = err.as_database().expect("a database error");
    assert_eq!(db.kind, DbErrorKind::ForeignKeyViolation, "{db:?}");
    assert_eq!(db.constraint(), Some("hero_team_id_fkey"));
    assert_eq!(db.table(), Some("hero"));
    assert_pending_rollback(&mut s).await;
    s.rollback().await.unwrap();

    // In a batch, the one bad row is found among good ones; none of them is stored.
    let batch =
        vec![Hero::new("Spider-Boy", "Pedro Parqueador", None), orphan, Hero::new("Tarantula", "Natalia", None)];
    let err = s.add_all(batch).await.unwrap_err();
    assert_eq!(err.as_database().and_then(|db| db.constraint()), Some("hero_team_id_fkey"), "{err:?}");
    assert_pending_rollback(&mut s).await;
    s.rollback().await.unwrap();

    // An update is checked the same way, and the session goes on after the rollback.
    let mut moved = kept.clone();
    moved.team_id = Some(12345);
    let err = s.save(&mut moved).await.unwrap_err();
    assert_eq!(err.as_database().and_then(|db| db.constraint()), Some("hero_team_id_fkey"), "{err:?}");
    assert_pending_rollback(&mut s).await;
    s.rollback().await.unwrap();
    let names: Vec<String> = s.exec(select_only(Hero::name())).await.unwrap();
    assert_eq!(names, ["Rusty-Man"], "nothing of the failed writes is stored");
    assert_eq!(s.get::<Hero>(kept.id.unwrap()).await.unwrap(), Some(kept));
}

/// After a failed statement inside a transaction, the session refuses work until it is
/// rolled back.
async fn assert_pending_rollback(s: &mut Session) {
    assert!(s.in_transaction());
    let err = s.exec(select::<Account>()).await.unwrap_err();
    assert!(matches!(err, Error::PendingRollback), "{err:?}");
}

async fn dropped_session_rolls_back(engine: Engine) {
    engine.create_all::<Account>().await.unwrap();
    {
        let mut s = engine.session().await.unwrap();
        s.add(Account { id: None, email: "uncommitted@example.com".into(), note: None }).await.unwrap();
        assert!(s.in_transaction());
    }
    // Give a PostgreSQL rollback spawned by the drop a moment to run.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let mut s = engine.session().await.unwrap();
    assert!(s.exec(select::<Account>()).await.unwrap().is_empty());
    s.add(Account { id: None, email: "committed@example.com".into(), note: None }).await.unwrap();
    s.commit().await.unwrap();
    assert_eq!(s.exec(select::<Account>()).await.unwrap().len(), 1);
}

async fn savepoints_undo_part_of_a_transaction(engine: Engine) {
    engine.create_all::<Account>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    s.add(Account { id: None, email: "kept@example.com".into(), note: None }).await.unwrap();
    let sp = s.savepoint().await.unwrap();
    s.add(Account { id: None, email: "undone@example.com".into(), note: None }).await.unwrap();
    let dup = s.add(Account { id: None, email: "kept@example.com".into(), note: None }).await.unwrap_err();
    assert_eq!(dup.db_kind(), Some(DbErrorKind::UniqueViolation), "{dup:?}");
    assert_pending_rollback(&mut s).await;
    s.rollback_to_savepoint(sp).await.unwrap();
    s.commit().await.unwrap();
    let emails: Vec<String> = s.exec(select_only(Account::email())).await.unwrap();
    assert_eq!(emails, ["kept@example.com"]);
}

on_every_backend!(
    hostile_strings_round_trip_exactly,
    unique_violation_is_typed_and_session_recovers,
    foreign_key_violation_names_the_key,
    dropped_session_rolls_back,
    savepoints_undo_part_of_a_transaction,
);
