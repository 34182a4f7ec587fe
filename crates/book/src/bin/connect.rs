//! Chapter "Connect tables": a foreign key, connected rows, joins, updating and removing
//! a connection.

use tablemodel::blocking::Engine;
use tablemodel::prelude::*;

// ANCHOR: models
#[derive(Model, Debug, Clone)]
#[model(table)]
struct Team {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(index)]
    name: String,
    headquarters: String,
}

#[derive(Model, Debug, Clone)]
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
}
// ANCHOR_END: models

fn main() -> Result<(), tablemodel::Error> {
    tablemodel_book::log_sql();
    // ANCHOR: create
    let engine = Engine::connect("sqlite::memory:")?;
    engine.create_all::<(Team, Hero)>()?;
    let mut session = engine.session()?;

    let preventers = session.add(Team { id: None, name: "Preventers".into(), headquarters: "Sharp Tower".into() })?;
    let z_force =
        session.add(Team { id: None, name: "Z-Force".into(), headquarters: "Sister Margaret's Bar".into() })?;
    let hero = |name: &str, secret_name: &str, age, team_id| Hero {
        id: None,
        name: String::from(name),
        secret_name: String::from(secret_name),
        age,
        team_id,
    };
    session.add_all([
        hero("Deadpond", "Dive Wilson", None, z_force.id),
        hero("Rusty-Man", "Tommy Sharp", Some(48), preventers.id),
        hero("Spider-Boy", "Pedro Parqueador", None, None),
    ])?;
    session.commit()?;
    // ANCHOR_END: create

    // ANCHOR: join
    let pairs = session.exec(select::<(Hero, Team)>().join::<Team>().order_by(Hero::id()))?;
    for (hero, team) in &pairs {
        println!("Hero: {} Team: {}", hero.name, team.name);
    }
    // ANCHOR_END: join

    // ANCHOR: outer_join
    let all = session.exec(select::<(Hero, Option<Team>)>().outer_join::<Team>().order_by(Hero::id()))?;
    for (hero, team) in &all {
        println!("Hero: {} Team: {:?}", hero.name, team.as_ref().map(|t| &t.name));
    }
    // ANCHOR_END: outer_join

    // ANCHOR: filter_join
    let preventers_heroes =
        session.exec(select::<Hero>().join::<Team>().filter(Team::name().eq("Preventers")).order_by(Hero::id()))?;
    println!("Preventers: {:?}", preventers_heroes.iter().map(|h| &h.name).collect::<Vec<_>>());
    // ANCHOR_END: filter_join

    // ANCHOR: update
    let mut spider_boy = session.one(select::<Hero>().filter(Hero::name().eq("Spider-Boy")))?;
    spider_boy.team_id = preventers.id;
    session.save(&mut spider_boy)?;
    session.commit()?;
    println!("Updated hero: {spider_boy:?}");

    spider_boy.team_id = None;
    session.save(&mut spider_boy)?;
    session.commit()?;
    println!("No longer a Preventer: {spider_boy:?}");
    // ANCHOR_END: update
    Ok(())
}
