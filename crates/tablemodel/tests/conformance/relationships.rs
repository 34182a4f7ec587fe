//! SQLModel's relationship chapters (define, create and update, read, remove,
//! back_populates), plus one-to-one, self-referential and two-keys-to-one-table
//! relationships, on SQLite and PostgreSQL.

use serde_json::json;
use tablemodel::prelude::*;

use tablemodel_testkit::{SqlLog, on_every_backend};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
pub(crate) struct Team {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    #[field(index)]
    pub(crate) name: String,
    pub(crate) headquarters: String,
    #[relationship(back_populates = "team")]
    pub(crate) heroes: Related<Vec<Hero>>,
}

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
    #[relationship(back_populates = "heroes")]
    pub(crate) team: Related<Option<Team>>,
}

pub(crate) fn team(name: &str, headquarters: &str) -> Team {
    Team { id: None, name: name.into(), headquarters: headquarters.into(), heroes: Related::NotLoaded }
}

pub(crate) fn hero(name: &str, secret_name: &str, age: Option<i32>) -> Hero {
    Hero { id: None, name: name.into(), secret_name: secret_name.into(), age, team_id: None, team: Related::NotLoaded }
}

fn names(heroes: &[Hero]) -> Vec<&str> {
    heroes.iter().map(|h| h.name.as_str()).collect()
}

/// The "create and update relationships" chapter, then returns the session.
async fn create_heroes(engine: &Engine) -> Session {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let preventers = s.add(team("Preventers", "Sharp Tower")).await.unwrap();
    // A new parent given through the relationship is inserted first and sets the key.
    let deadpond = Hero {
        team: Related::from(Some(team("Z-Force", "Sister Margaret's Bar"))),
        ..hero("Deadpond", "Dive Wilson", None)
    };
    let deadpond = s.add(deadpond).await.unwrap();
    let rusty = s
        .add(Hero { team: Related::from(Some(preventers.clone())), ..hero("Rusty-Man", "Tommy Sharp", Some(48)) })
        .await
        .unwrap();
    let mut spider = s.add(hero("Spider-Boy", "Pedro Parqueador", None)).await.unwrap();
    s.commit().await.unwrap();
    assert_eq!((deadpond.team_id, rusty.team_id, spider.team_id), (Some(2), Some(1), None));
    assert_eq!(deadpond.team.get().unwrap().as_ref().unwrap().id, Some(2), "the stored parent comes back with its key");

    // Setting the relationship updates the key.
    spider.team = Related::from(Some(preventers.clone()));
    s.save(&mut spider).await.unwrap();
    s.commit().await.unwrap();
    assert_eq!(spider.team_id, Some(1));

    // A team created with its heroes in one call.
    let wakaland = Team {
        heroes: Related::from(vec![
            hero("Black Lion", "Trevor Challa", Some(35)),
            hero("Princess Sure-E", "Sure-E", None),
        ]),
        ..team("Wakaland", "Wakaland Capital City")
    };
    let wakaland = s.add(wakaland).await.unwrap();
    s.commit().await.unwrap();
    let members = wakaland.heroes.get().unwrap();
    assert_eq!(names(members), ["Black Lion", "Princess Sure-E"]);
    assert!(members.iter().all(|h| h.id.is_some() && h.team_id == wakaland.id));

    // Appending to a loaded list and saving the team writes the new heroes.
    let mut preventers = s.get::<Team>(1).await.unwrap().unwrap();
    s.load(&mut preventers, Team::heroes()).await.unwrap();
    let list = preventers.heroes.get_mut().unwrap();
    list.push(hero("Tarantula", "Natalia Roman-on", Some(32)));
    list.push(hero("Dr. Weird", "Steve Weird", Some(36)));
    list.push(hero("Captain North America", "Esteban Rogelios", Some(93)));
    s.save(&mut preventers).await.unwrap();
    s.commit().await.unwrap();
    s
}

async fn create_and_update_relationships(engine: Engine) {
    let mut s = create_heroes(&engine).await;
    let teams = s.exec(select::<Team>().order_by(Team::id()).load(Team::heroes())).await.unwrap();
    let rows: Vec<(&str, Vec<&str>)> =
        teams.iter().map(|t| (t.name.as_str(), names(t.heroes.get().unwrap()))).collect();
    assert_eq!(
        rows,
        [
            ("Preventers", vec!["Rusty-Man", "Spider-Boy", "Tarantula", "Dr. Weird", "Captain North America"]),
            ("Z-Force", vec!["Deadpond"]),
            ("Wakaland", vec!["Black Lion", "Princess Sure-E"]),
        ]
    );
}

async fn read_relationships(engine: Engine) {
    let mut s = create_heroes(&engine).await;
    let mut spider = s.one(select::<Hero>().filter(Hero::name().eq("Spider-Boy"))).await.unwrap();
    assert!(!spider.team.is_loaded(), "rows come back with relationships not loaded");
    assert!(matches!(spider.team.loaded("team"), Err(Error::NotLoaded { field: "team" })));
    s.load(&mut spider, Hero::team()).await.unwrap();
    assert_eq!(spider.team.one("team").unwrap().map(|t| t.name.as_str()), Some("Preventers"));

    let mut preventers = s.one(select::<Team>().filter(Team::name().eq("Preventers"))).await.unwrap();
    s.load(&mut preventers, Team::heroes()).await.unwrap();
    assert_eq!(preventers.heroes.get().unwrap().len(), 5);

    // A hero without a team loads as Some(None); a team without heroes as an empty list.
    let mut lonely = s.add(hero("Lonely", "x", None)).await.unwrap();
    let mut empty = s.add(team("Empty", "Nowhere")).await.unwrap();
    s.load(&mut lonely, Hero::team()).await.unwrap();
    s.load(&mut empty, Team::heroes()).await.unwrap();
    assert_eq!(lonely.team, Related::Loaded(None));
    assert_eq!(lonely.team.one("team").unwrap(), None, "loaded, and no row");
    assert_eq!(empty.heroes, Related::Loaded(vec![]));
}

/// Each hero of `team` has its `team` back-reference filled with a copy of the team whose
/// own relationships are not loaded.
fn assert_back_filled(team: &Team) {
    let heroes = team.heroes.loaded("heroes").unwrap();
    assert!(!heroes.is_empty());
    for hero in heroes {
        let parent = hero.team.one("team").unwrap().unwrap_or_else(|| panic!("{} has its team", hero.name));
        assert_eq!((parent.id, parent.name.as_str()), (team.id, team.name.as_str()));
        assert!(!parent.heroes.is_loaded(), "the copy of the parent does not hold the list again");
    }
}

async fn loading_a_list_fills_back_populates_without_a_query(engine: Engine) {
    let mut s = create_heroes(&engine).await;
    let log = SqlLog::capture();
    let teams = s.exec(select::<Team>().order_by(Team::id()).load(Team::heroes())).await.unwrap();
    assert_eq!(log.statements().len(), 2, "the teams, then their heroes: {:#?}", log.statements());
    teams.iter().for_each(assert_back_filled);

    log.clear();
    let teams = s.exec(select::<Team>().order_by(Team::id()).load_joined(Team::heroes())).await.unwrap();
    assert_eq!(log.statements().len(), 1, "{:#?}", log.statements());
    teams.iter().for_each(assert_back_filled);

    let mut preventers = s.get::<Team>(1).await.unwrap().unwrap();
    log.clear();
    s.load(&mut preventers, Team::heroes()).await.unwrap();
    assert_eq!(log.statements().len(), 1, "{:#?}", log.statements());
    assert_back_filled(&preventers);

    // A dump shows the parent once per hero, without its list (finite).
    let dumped = preventers.dump();
    assert_eq!(dumped["heroes"][0]["team"]["name"], "Preventers");
    assert!(dumped["heroes"][0]["team"].get("heroes").is_none());

    // Saving a hero whose back-reference was filled writes no team row.
    let mut rusty = preventers.heroes.get().unwrap()[0].clone();
    rusty.age = Some(49);
    log.clear();
    s.save(&mut rusty).await.unwrap();
    assert_eq!(log.starting_with("UPDATE").len(), 1, "{:#?}", log.statements());
    assert!(log.starting_with("INSERT").is_empty(), "{:#?}", log.statements());
    s.commit().await.unwrap();

    // Loading the many-to-one side leaves the parents' lists alone: only some of each
    // team's heroes are in hand.
    let heroes = s.exec(select::<Hero>().filter(Hero::name().eq("Rusty-Man")).load(Hero::team())).await.unwrap();
    let team = heroes[0].team.one("team").unwrap().unwrap();
    assert_eq!(team.name, "Preventers");
    assert!(!team.heroes.is_loaded());
}

async fn remove_relationships(engine: Engine) {
    let mut s = create_heroes(&engine).await;
    let mut spider = s.one(select::<Hero>().filter(Hero::name().eq("Spider-Boy"))).await.unwrap();
    spider.team = Related::Loaded(None);
    s.save(&mut spider).await.unwrap();
    s.commit().await.unwrap();
    assert_eq!(s.get::<Hero>(spider.id.unwrap()).await.unwrap().unwrap().team_id, None);

    // Removing from a loaded list detaches the hero (its key becomes NULL).
    let mut preventers = s.get::<Team>(1).await.unwrap().unwrap();
    s.load(&mut preventers, Team::heroes()).await.unwrap();
    preventers.heroes.get_mut().unwrap().retain(|h| h.name != "Rusty-Man");
    s.save(&mut preventers).await.unwrap();
    s.commit().await.unwrap();
    let rusty = s.one(select::<Hero>().filter(Hero::name().eq("Rusty-Man"))).await.unwrap();
    assert_eq!(rusty.team_id, None);
    s.load(&mut preventers, Team::heroes()).await.unwrap();
    assert_eq!(names(preventers.heroes.get().unwrap()), ["Tarantula", "Dr. Weird", "Captain North America"]);
}

async fn loaded_relationships_serialize_and_unloaded_ones_do_not(engine: Engine) {
    let mut s = create_heroes(&engine).await;
    let mut deadpond = s.one(select::<Hero>().filter(Hero::name().eq("Deadpond"))).await.unwrap();
    assert!(deadpond.dump().get("team").is_none(), "unloaded: omitted");
    s.load(&mut deadpond, Hero::team()).await.unwrap();
    assert_eq!(
        deadpond.dump()["team"],
        json!({"id": 2, "name": "Z-Force", "headquarters": "Sister Margaret's Bar"}),
        "loaded: included, and the team's own unloaded heroes are not"
    );
    let teams = s
        .exec(select::<Team>().filter(Team::name().eq("Z-Force")).load(Team::heroes().then(Hero::team())))
        .await
        .unwrap();
    let dumped = teams[0].dump();
    assert_eq!(dumped["heroes"][0]["team"]["name"], "Z-Force", "nested loads serialize, finitely");
    assert!(dumped["heroes"][0]["team"].get("heroes").is_none());
}

async fn joined_loading_gives_the_same_rows(engine: Engine) {
    let mut s = create_heroes(&engine).await;
    let selectin = s.exec(select::<Team>().order_by(Team::id()).load(Team::heroes())).await.unwrap();
    let joined = s.exec(select::<Team>().order_by(Team::id()).load_joined(Team::heroes())).await.unwrap();
    assert_eq!(selectin, joined);
    let heroes = s.exec(select::<Hero>().order_by(Hero::id()).load_joined(Hero::team())).await.unwrap();
    assert_eq!(heroes.len(), 8);
    assert_eq!(heroes[2].team.get().unwrap().as_ref().map(|t| t.name.as_str()), Some("Preventers"));
    let paged = s.exec(select::<Team>().limit(1).load_joined(Team::heroes())).await;
    assert!(matches!(paged, Err(Error::InvalidQuery(_))), "joined loading refuses LIMIT");
}

/// One-to-one (a reverse `Related<Option<_>>` over a unique key) and a self-referential tree.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Person {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
    #[field(foreign_key = "person.id", ondelete = "SET NULL")]
    mentor_id: Option<i64>,
    #[relationship(foreign_key = "mentor_id", back_populates = "students")]
    mentor: Related<Option<Box<Person>>>,
    #[relationship(foreign_key = "mentor_id", back_populates = "mentor")]
    students: Related<Vec<Person>>,
    #[relationship(back_populates = "owner")]
    badge: Related<Option<Badge>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Badge {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(unique, foreign_key = "person.id")]
    owner_id: Option<i64>,
    code: String,
    #[relationship(back_populates = "badge")]
    owner: Related<Option<Box<Person>>>,
}

fn person(name: &str) -> Person {
    Person {
        id: None,
        name: name.into(),
        mentor_id: None,
        mentor: Related::NotLoaded,
        students: Related::NotLoaded,
        badge: Related::NotLoaded,
    }
}

async fn one_to_one_and_self_referential(engine: Engine) {
    engine.create_all::<(Person, Badge)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let yoda = Person {
        students: Related::from(vec![person("Luke"), person("Ahsoka")]),
        badge: Related::from(Some(Badge { id: None, owner_id: None, code: "Y-1".into(), owner: Related::NotLoaded })),
        ..person("Yoda")
    };
    let yoda = s.add(yoda).await.unwrap();
    s.commit().await.unwrap();
    let mut luke = s.one(select::<Person>().filter(Person::name().eq("Luke"))).await.unwrap();
    s.load(&mut luke, Person::mentor()).await.unwrap();
    assert_eq!(luke.mentor.get().unwrap().as_ref().unwrap().name, "Yoda");
    let mut people = s
        .exec(
            select::<Person>().filter(Person::id().eq(yoda.id.unwrap())).load(Person::students()).load(Person::badge()),
        )
        .await
        .unwrap();
    let yoda = people.remove(0);
    assert_eq!(yoda.students.get().unwrap().iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Luke", "Ahsoka"]);
    assert_eq!(yoda.badge.get().unwrap().as_ref().unwrap().code, "Y-1");
    let mut badge = s.one(select::<Badge>()).await.unwrap();
    s.load(&mut badge, Badge::owner()).await.unwrap();
    assert_eq!(badge.owner.get().unwrap().as_ref().unwrap().name, "Yoda");

    // Back-references: the students' mentor (a boxed self-reference) and the badge's owner
    // (one-to-one, both ways) are filled by the loads above, without their own lists.
    for student in yoda.students.loaded("students").unwrap() {
        let mentor = student.mentor.one("mentor").unwrap().expect("the mentor is filled");
        assert_eq!(mentor.name, "Yoda");
        assert!(!mentor.students.is_loaded() && !mentor.badge.is_loaded());
    }
    let owner = yoda.badge.one("badge").unwrap().unwrap().owner.one("owner").unwrap().expect("the owner is filled");
    assert_eq!(owner.name, "Yoda");
    assert_eq!(badge.owner.one("owner").unwrap().unwrap().badge.one("badge").unwrap().unwrap().code, "Y-1");
}

/// Two foreign keys to one table, told apart by naming the key.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Team2 {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Fixture {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(foreign_key = "team2.id")]
    home_id: i64,
    #[field(foreign_key = "team2.id")]
    away_id: i64,
    #[relationship(foreign_key = "home_id")]
    home: Related<Team2>,
    #[relationship(foreign_key = "away_id")]
    away: Related<Team2>,
}

async fn two_keys_to_one_table(engine: Engine) {
    engine.create_all::<(Team2, Fixture)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let a = s.add(Team2 { id: None, name: "Arsenal".into() }).await.unwrap();
    let b = s.add(Team2 { id: None, name: "Brentford".into() }).await.unwrap();
    s.add(Fixture {
        id: None,
        home_id: b.id.unwrap(),
        away_id: a.id.unwrap(),
        home: Related::NotLoaded,
        away: Related::NotLoaded,
    })
    .await
    .unwrap();
    let fixtures = s.exec(select::<Fixture>().load(Fixture::home()).load(Fixture::away())).await.unwrap();
    assert_eq!(fixtures[0].home.get().unwrap().name, "Brentford");
    assert_eq!(fixtures[0].away.get().unwrap().name, "Arsenal");
}

on_every_backend!(
    create_and_update_relationships,
    read_relationships,
    remove_relationships,
    loaded_relationships_serialize_and_unloaded_ones_do_not,
    joined_loading_gives_the_same_rows,
    loading_a_list_fills_back_populates_without_a_query,
    one_to_one_and_self_referential,
    two_keys_to_one_table,
);
