//! Models of SQLModel's tutorial and the data its chapters start from. The tests run on
//! every backend through the test kit's `on_every_backend!`.

use tablemodel::prelude::*;

/// `Team` of the tutorial.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
pub(crate) struct Team {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    #[field(index)]
    pub(crate) name: String,
    pub(crate) headquarters: String,
}

/// `Hero` of the tutorial (the "connect" chapters' version, with `team_id`).
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
pub(crate) struct Hero {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    #[field(index)]
    pub(crate) name: String,
    pub(crate) secret_name: String,
    #[field(index)]
    pub(crate) age: Option<i32>,
    #[field(foreign_key = "team.id")]
    pub(crate) team_id: Option<i64>,
}

impl Hero {
    pub(crate) fn new(name: &str, secret_name: &str, age: Option<i32>) -> Hero {
        Hero { id: None, name: name.to_owned(), secret_name: secret_name.to_owned(), age, team_id: None }
    }
}

/// The seven heroes of the tutorial's select/where/limit chapters, in insertion order.
pub(crate) fn tutorial_heroes() -> Vec<Hero> {
    vec![
        Hero::new("Deadpond", "Dive Wilson", None),
        Hero::new("Spider-Boy", "Pedro Parqueador", None),
        Hero::new("Rusty-Man", "Tommy Sharp", Some(48)),
        Hero::new("Tarantula", "Natalia Roman-on", Some(32)),
        Hero::new("Black Lion", "Trevor Challa", Some(35)),
        Hero::new("Dr. Weird", "Steve Weird", Some(36)),
        Hero::new("Captain North America", "Esteban Rogelios", Some(93)),
    ]
}

/// An engine with the tutorial's tables created and its seven heroes inserted.
pub(crate) async fn seeded(engine: &Engine) -> Vec<Hero> {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let mut stored = Vec::new();
    for hero in tutorial_heroes() {
        stored.push(s.add(hero).await.unwrap());
    }
    s.commit().await.unwrap();
    stored
}

pub(crate) fn names<'a>(heroes: impl IntoIterator<Item = &'a Hero>) -> Vec<&'a str> {
    heroes.into_iter().map(|h| h.name.as_str()).collect()
}

pub(crate) async fn sqlite() -> Engine {
    Engine::connect("sqlite::memory:").await.expect("in-memory SQLite opens")
}
