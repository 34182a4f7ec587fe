//! Each failure a caller may handle differently is its own error variant: an update that
//! sets nothing, a model with nothing to save, tables that reference each other in a cycle,
//! a relationship that cannot be joined or whose required row is missing, a pool with no
//! free connection in time, a closed engine, a database that cannot be reached.

use std::time::Duration;

use tablemodel::prelude::*;
use tablemodel::{DbErrorKind, Related};
use tablemodel_testkit::on_every_backend;

use crate::common::{Hero, Team, seeded};

/// A tag is only its key: saving it has nothing to write.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Tag {
    #[field(primary_key)]
    name: String,
}

/// A chicken comes from an egg, which comes from a chicken.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Chicken {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(foreign_key = "egg.id")]
    egg_id: Option<i64>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Egg {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(foreign_key = "chicken.id")]
    chicken_id: Option<i64>,
}

/// A match has two keys to `club`; its relationship names neither.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Club {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Fixture {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(foreign_key = "club.id")]
    home_id: Option<i64>,
    #[field(foreign_key = "club.id")]
    away_id: Option<i64>,
    #[relationship()]
    club: Related<Option<Club>>,
}

/// A member must have a club (`Related<Club>`, not `Related<Option<Club>>`), but the key
/// column allows NULL.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Member {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(foreign_key = "club.id")]
    club_id: Option<i64>,
    #[relationship()]
    club: Related<Club>,
}

async fn an_update_setting_nothing_is_empty_update(engine: Engine) {
    seeded(&engine).await;
    let mut s = engine.session().await.unwrap();
    let err = s.exec(update::<Hero>().filter(Hero::id().eq(1))).await.unwrap_err();
    assert!(matches!(err, Error::EmptyUpdate { table: "hero" }), "{err:?}");
    assert!(!s.in_transaction(), "nothing was sent");
}

async fn a_model_of_only_keys_has_nothing_to_save(engine: Engine) {
    engine.create_all::<Tag>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let mut tag = s.add(Tag { name: "rust".into() }).await.unwrap();
    s.commit().await.unwrap();
    let err = s.save(&mut tag).await.unwrap_err();
    assert!(matches!(err, Error::NothingToSave { table: "tag" }), "{err:?}");
}

async fn tables_referencing_each_other_are_a_foreign_key_cycle(engine: Engine) {
    let err = engine.create_all::<(Chicken, Egg)>().await.unwrap_err();
    match &err {
        Error::ForeignKeyCycle { tables } => assert_eq!(tables, &["chicken", "egg"]),
        other => panic!("expected ForeignKeyCycle, got {other:?}"),
    }
    assert!(err.to_string().contains("cycle"), "{err}");
}

async fn a_relationship_with_two_candidate_keys_is_invalid(engine: Engine) {
    engine.create_all::<(Club, Fixture)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let mut fixture =
        s.add(Fixture { id: None, home_id: None, away_id: None, club: Related::NotLoaded }).await.unwrap();
    let err = s.load(&mut fixture, Fixture::club()).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidRelationship(m) if m.contains("2 foreign keys")), "{err:?}");
}

async fn a_required_relationship_without_its_row_is_missing_related(engine: Engine) {
    engine.create_all::<(Club, Member)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let mut member = s.add(Member { id: None, club_id: None, club: Related::NotLoaded }).await.unwrap();
    let err = s.load(&mut member, Member::club()).await.unwrap_err();
    assert!(
        matches!(&err, Error::MissingRelated { relationship, target: "club" } if relationship == "member.club"),
        "{err:?}"
    );
}

/// With every connection taken, a session waits no longer than the acquire timeout, and
/// the error says the pool timed out; a closed engine says it is closed.
async fn an_exhausted_pool_times_out_and_a_closed_one_says_so(url: String) {
    let engine = Engine::builder(&url).max_connections(1).acquire_timeout(Duration::from_millis(50)).connect().await;
    let engine = engine.unwrap();
    let held = engine.session().await.unwrap();
    let err = engine.session().await.unwrap_err();
    assert!(matches!(err, Error::PoolTimedOut), "{err:?}");
    drop(held);
    engine.session().await.expect("the connection is back in the pool");
    engine.close();
    let err = engine.session().await.unwrap_err();
    assert!(matches!(err, Error::PoolClosed), "{err:?}");
}

on_every_backend!(
    an_update_setting_nothing_is_empty_update,
    a_model_of_only_keys_has_nothing_to_save,
    tables_referencing_each_other_are_a_foreign_key_cycle,
    a_relationship_with_two_candidate_keys_is_invalid,
    a_required_relationship_without_its_row_is_missing_related,
);

mod pool {
    use tablemodel_testkit::on_every_backend;

    use super::an_exhausted_pool_times_out_and_a_closed_one_says_so;

    on_every_backend!(url; an_exhausted_pool_times_out_and_a_closed_one_says_so);
}

/// A SQLite file that cannot be opened is a connection error with the cause.
#[tokio::test]
async fn an_unopenable_sqlite_file_is_a_connect_error() {
    let err = Engine::connect("sqlite:////no/such/directory/heroes.db").await.unwrap_err();
    let Error::Connect(db) = &err else { panic!("expected Connect, got {err:?}") };
    assert_eq!(db.kind(), DbErrorKind::Connection);
    assert!(err.to_string().starts_with("could not connect to the database"), "{err}");
    assert!(std::error::Error::source(db.as_ref()).is_some(), "the driver's error is kept");
}

/// PostgreSQL going away: an open session's next statement is a lost connection
/// (`DbErrorKind::Connection`, not `Other`), a new session cannot connect and says why
/// (connection refused), and starting an engine against the stopped server says the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_postgres_is_a_connection_error_with_its_cause() {
    let server = tablemodel_testkit::PgServer::dedicated();
    let url = server.fresh_database();
    let engine = Engine::connect(&url).await.unwrap();
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    s.exec(select::<Hero>()).await.unwrap();

    server.stop();
    let err = s.exec(select::<Hero>()).await.unwrap_err();
    let Error::Database(db) = &err else { panic!("expected a database error, got {err:?}") };
    assert_eq!(db.kind(), DbErrorKind::Connection, "{db:?}");
    assert!(std::error::Error::source(db.as_ref()).is_some(), "the driver's error is kept");
    drop(s);

    let err = engine.session().await.unwrap_err();
    let Error::Connect(db) = &err else { panic!("expected Connect, got {err:?}") };
    assert_eq!(db.kind(), DbErrorKind::Connection, "{db:?}");
    assert!(err.to_string().contains("Connection refused"), "the cause is shown: {err}");

    let err = Engine::connect(&url).await.unwrap_err();
    assert!(matches!(err, Error::Connect(_)), "{err:?}");
    assert!(err.to_string().contains("Connection refused"), "the cause is shown: {err}");
}

/// A server process ended by an administrator while it runs a statement: the statement
/// fails with SQLSTATE 57P01, a lost connection (`Connection`), not an unknown error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminated_postgres_backend_is_a_connection_error() {
    let server = tablemodel_testkit::pg_server();
    let url = server.fresh_database();
    let database = url.rsplit('/').next().unwrap().to_owned();
    let engine = Engine::connect(&url).await.unwrap();
    seeded(&engine).await;
    let mut s = engine.session().await.unwrap();
    let slow = Filter::from_expr(tablemodel::sea_query::Expr::cust("pg_sleep(30) IS NOT NULL"));
    let running = tokio::spawn(async move { s.exec(select::<Hero>().filter(slow)).await });
    let terminated = tokio::task::spawn_blocking(move || {
        for _ in 0..200 {
            let sql = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                       WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()";
            if server.psql(&database, sql) == "1" {
                return true;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        false
    });
    assert!(terminated.await.unwrap(), "the statement was seen running and terminated");
    let err = running.await.unwrap().unwrap_err();
    let db = err.as_database().unwrap_or_else(|| panic!("expected a database error, got {err:?}"));
    assert_eq!((db.code(), db.kind()), (Some("57P01"), DbErrorKind::Connection), "{db:?}");
}
