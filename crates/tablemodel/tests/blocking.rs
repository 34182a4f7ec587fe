//! The blocking API (`tablemodel::blocking`) on SQLite and PostgreSQL: every verb from a
//! plain thread, the typed error from inside an async runtime, and the rollback of a
//! session dropped with an open transaction.

use tablemodel::blocking::Engine;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Team {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(index)]
    name: String,
    headquarters: String,
    #[relationship(back_populates = "team")]
    heroes: Related<Vec<Hero>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(index)]
    name: String,
    secret_name: String,
    #[field(index)]
    age: Option<i32>,
    #[field(foreign_key = "team.id")]
    team_id: Option<i64>,
    #[relationship(back_populates = "heroes")]
    team: Related<Option<Team>>,
}

fn hero(name: &str, secret_name: &str, age: Option<i32>) -> Hero {
    Hero { id: None, name: name.into(), secret_name: secret_name.into(), age, team_id: None, team: Related::NotLoaded }
}

fn sqlite() -> Engine {
    Engine::connect("sqlite::memory:").expect("in-memory SQLite opens")
}

fn postgres() -> Engine {
    let url = tablemodel_testkit::pg_server().fresh_database();
    Engine::connect(&url).expect("the test PostgreSQL server accepts connections")
}

/// Runs each named `fn(Engine)` on SQLite and on PostgreSQL, from plain test threads.
macro_rules! on_every_backend_blocking {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(super::sqlite()) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(super::postgres()) } )*
        }
    };
}

on_every_backend_blocking!(
    every_verb,
    relationships_load,
    dropped_session_rolls_back,
    inside_a_runtime_is_an_error,
    shared_between_threads
);

fn every_verb(engine: Engine) {
    engine.create_all::<(Team, Hero)>().unwrap();
    let mut s = engine.session().unwrap();
    let deadpond = s.add(hero("Deadpond", "Dive Wilson", None)).unwrap();
    assert_eq!(deadpond.id, Some(1));
    let more =
        s.add_all([hero("Spider-Boy", "Pedro Parqueador", None), hero("Rusty-Man", "Tommy Sharp", Some(48))]).unwrap();
    assert_eq!(more.iter().map(|h| h.id).collect::<Vec<_>>(), [Some(2), Some(3)]);
    assert!(s.in_transaction());
    s.commit().unwrap();
    assert!(!s.in_transaction());

    assert_eq!(s.get::<Hero>(3).unwrap().map(|h| h.name), Some("Rusty-Man".to_owned()));
    assert_eq!(s.get::<Hero>(9).unwrap(), None);
    let all = s.exec(select::<Hero>().order_by(Hero::id())).unwrap();
    assert_eq!(all.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["Deadpond", "Spider-Boy", "Rusty-Man"]);
    assert_eq!(s.all(select::<Hero>().filter(Hero::age().is_null())).unwrap().len(), 2);
    assert_eq!(s.first(select::<Hero>().order_by(Hero::id().desc())).unwrap().unwrap().name, "Rusty-Man");
    assert_eq!(s.one(select::<Hero>().filter(Hero::name().eq("Deadpond"))).unwrap().id, Some(1));
    assert!(matches!(s.one(select::<Hero>().filter(Hero::age().gt(100))), Err(Error::NoResult)));
    assert!(matches!(s.one_or_none(select::<Hero>()), Err(Error::MultipleResults)));

    let mut spider = s.one(select::<Hero>().filter(Hero::name().eq("Spider-Boy"))).unwrap();
    spider.age = Some(16);
    s.save(&mut spider).unwrap();
    s.rollback().unwrap();
    let mut again = s.get::<Hero>(2).unwrap().unwrap();
    assert_eq!(again.age, None, "the rolled-back update is gone");
    spider.age = Some(16);
    s.save(&mut spider).unwrap();
    s.commit().unwrap();
    s.refresh(&mut again).unwrap();
    assert_eq!(again.age, Some(16));

    let updated = s.exec(update::<Hero>().set(Hero::age(), Some(49)).filter(Hero::name().eq("Rusty-Man"))).unwrap();
    assert_eq!(updated, 1);
    s.delete(&deadpond).unwrap();
    s.commit().unwrap();
    assert_eq!(s.get::<Hero>(1).unwrap(), None);
    assert_eq!(s.get::<Hero>(3).unwrap().unwrap().age, Some(49));
}

fn relationships_load(engine: Engine) {
    engine.create_all::<(Team, Hero)>().unwrap();
    let mut s = engine.session().unwrap();
    let preventers = s
        .add(Team {
            id: None,
            name: "Preventers".into(),
            headquarters: "Sharp Tower".into(),
            heroes: Related::NotLoaded,
        })
        .unwrap();
    s.add_all([
        Hero { team_id: preventers.id, ..hero("Rusty-Man", "Tommy Sharp", Some(48)) },
        Hero { team_id: preventers.id, ..hero("Tarantula", "Natalia Roman-on", Some(32)) },
        hero("Spider-Boy", "Pedro Parqueador", None),
    ])
    .unwrap();
    s.commit().unwrap();

    let mut rusty = s.one(select::<Hero>().filter(Hero::name().eq("Rusty-Man"))).unwrap();
    s.load(&mut rusty, Hero::team()).unwrap();
    assert_eq!(rusty.team.loaded("team").unwrap().as_ref().map(|t| t.name.as_str()), Some("Preventers"));

    let teams = s.exec(select::<Team>().load(Team::heroes())).unwrap();
    let members: Vec<&str> = teams[0].heroes.loaded("heroes").unwrap().iter().map(|h| h.name.as_str()).collect();
    assert_eq!(members, ["Rusty-Man", "Tarantula"]);

    let mut heroes = s.exec(select::<Hero>().order_by(Hero::id())).unwrap();
    s.load_all(&mut heroes, Hero::team()).unwrap();
    let teams: Vec<Option<&str>> =
        heroes.iter().map(|h| h.team.loaded("team").unwrap().as_ref().map(|t| t.name.as_str())).collect();
    assert_eq!(teams, [Some("Preventers"), Some("Preventers"), None]);
}

fn dropped_session_rolls_back(engine: Engine) {
    engine.create_all::<(Team, Hero)>().unwrap();
    {
        let mut s = engine.session().unwrap();
        s.add(hero("Deadpond", "Dive Wilson", None)).unwrap();
        assert!(s.in_transaction());
    }
    let mut s = engine.session().unwrap();
    assert_eq!(s.exec(select::<Hero>()).unwrap(), Vec::<Hero>::new());
}

/// A session dropped inside an async runtime still rolls back and hands its connection
/// back: with a pool of one connection, the next session gets it and sees nothing.
fn dropped_inside_a_runtime(url: &str) {
    let engine = Engine::builder(url).max_connections(1).connect().unwrap();
    engine.create_all::<(Team, Hero)>().unwrap();
    let mut s = engine.session().unwrap();
    s.add(hero("Spider-Boy", "Pedro Parqueador", None)).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async move { drop(s) });

    // Guard against a connection that never comes back (a hang is a failure too).
    let (tx, rx) = std::sync::mpsc::channel();
    let next = engine.clone();
    std::thread::spawn(move || {
        let mut s = next.session().unwrap();
        let _ = tx.send(s.exec(select::<Hero>()).unwrap().len());
    });
    let seen = rx.recv_timeout(std::time::Duration::from_secs(30)).expect("the pool's only connection came back");
    assert_eq!(seen, 0, "the dropped session's insert was rolled back");
}

#[test]
fn sqlite_dropped_inside_a_runtime() {
    let dir = tempfile::tempdir().unwrap();
    dropped_inside_a_runtime(&format!("sqlite:///{}", dir.path().join("heroes.db").display()));
}

#[test]
fn postgres_dropped_inside_a_runtime() {
    dropped_inside_a_runtime(&tablemodel_testkit::pg_server().fresh_database());
}

fn inside_a_runtime_is_an_error(engine: Engine) {
    engine.create_all::<(Team, Hero)>().unwrap();
    let mut s = engine.session().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let url = match engine.dialect() {
        Dialect::Sqlite => "sqlite::memory:".to_owned(),
        _ => tablemodel_testkit::pg_server().fresh_database(),
    };
    rt.block_on(async {
        let connect = Engine::connect(&url).unwrap_err();
        assert!(
            matches!(connect, Error::BlockingInsideRuntime) && connect.to_string().contains("inside an async runtime"),
            "{connect}"
        );
        assert!(matches!(engine.session(), Err(Error::BlockingInsideRuntime)));
        assert!(matches!(s.get::<Hero>(1), Err(Error::BlockingInsideRuntime)));
        assert!(matches!(s.add(hero("Deadpond", "Dive Wilson", None)), Err(Error::BlockingInsideRuntime)));
    });
    // Outside it again, the same session works, and nothing was written.
    assert!(!s.in_transaction());
    assert_eq!(s.get::<Hero>(1).unwrap(), None);
    s.add(hero("Deadpond", "Dive Wilson", None)).unwrap();
    s.commit().unwrap();
    assert_eq!(s.get::<Hero>(1).unwrap().map(|h| h.name), Some("Deadpond".to_owned()));
}

/// One engine, four threads, a session each: every thread's writes and reads go through
/// the engine's one runtime.
fn shared_between_threads(engine: Engine) {
    engine.create_all::<(Team, Hero)>().unwrap();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let engine = &engine;
            scope.spawn(move || {
                let mut s = engine.session().unwrap();
                for i in 0..5 {
                    s.add(hero(&format!("hero {t}-{i}"), "secret", Some(t))).unwrap();
                    s.commit().unwrap();
                }
                assert_eq!(s.exec(select::<Hero>().filter(Hero::age().eq(t))).unwrap().len(), 5);
            });
        }
    });
    let mut s = engine.session().unwrap();
    assert_eq!(s.one(select_only(count()).from::<Hero>()).unwrap(), 20);
}
