//! Chapter "Relationship attributes": `Related` fields with `back_populates`, creating
//! rows through them, reading them, removing a relationship, and cascade delete.

use tablemodel::blocking::Engine;
use tablemodel::prelude::*;

// ANCHOR: models
#[derive(Model, Debug, Clone, Default)]
#[model(table)]
struct Team {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(index)]
    name: String,
    headquarters: String,
    #[relationship(back_populates = "team", cascade_delete)]
    heroes: Related<Vec<Hero>>,
}

#[derive(Model, Debug, Clone, Default)]
#[model(table)]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(index)]
    name: String,
    secret_name: String,
    #[field(index)]
    age: Option<i32>,
    #[field(foreign_key = "team.id", ondelete = "CASCADE")]
    team_id: Option<i64>,
    #[relationship(back_populates = "heroes")]
    team: Related<Option<Team>>,
}
// ANCHOR_END: models

// ANCHOR: literals
// `Default` leaves the key `None` and every relationship `NotLoaded`.
fn team(name: &str, headquarters: &str) -> Team {
    Team { name: name.into(), headquarters: headquarters.into(), ..Default::default() }
}

fn hero(name: &str, secret_name: &str, age: Option<i32>) -> Hero {
    Hero { name: name.into(), secret_name: secret_name.into(), age, ..Default::default() }
}
// ANCHOR_END: literals

fn main() -> Result<(), tablemodel::Error> {
    tablemodel_book::log_sql();
    let engine = Engine::connect("sqlite::memory:")?;
    engine.create_all::<(Team, Hero)>()?;
    let mut session = engine.session()?;

    // ANCHOR: create
    // A hero with a new team: the team is inserted first and the hero gets its key.
    let deadpond = Hero {
        team: Related::from(Some(team("Z-Force", "Sister Margaret's Bar"))),
        ..hero("Deadpond", "Dive Wilson", None)
    };
    let deadpond = session.add(deadpond)?;
    // A team with new heroes: the heroes are inserted after it, pointing at it.
    let wakaland = Team {
        heroes: Related::from(vec![
            hero("Black Lion", "Trevor Challa", Some(35)),
            hero("Princess Sure-E", "Sure-E", None),
        ]),
        ..team("Wakaland", "Wakaland Capital City")
    };
    let wakaland = session.add(wakaland)?;
    session.commit()?;
    println!("Deadpond's team_id: {:?}", deadpond.team_id);
    println!(
        "Wakaland's heroes: {:?}",
        wakaland.heroes.loaded("heroes")?.iter().map(|h| (&h.name, h.team_id)).collect::<Vec<_>>()
    );
    // ANCHOR_END: create

    // ANCHOR: read
    let mut deadpond = session.one(select::<Hero>().filter(Hero::name().eq("Deadpond")))?;
    session.load(&mut deadpond, Hero::team())?;
    let team = deadpond.team.one("team")?.map(|t| t.name.as_str());
    println!("Deadpond's team: {team:?}");

    let teams = session.exec(select::<Team>().order_by(Team::id()).load(Team::heroes()))?;
    for team in &teams {
        let names: Vec<&str> = team.heroes.loaded("heroes")?.iter().map(|h| h.name.as_str()).collect();
        println!("{}: {names:?}", team.name);
    }
    // Loading the heroes filled each hero's `team` too (back_populates), without a query.
    let black_lion = &teams[1].heroes.loaded("heroes")?[0];
    let team = black_lion.team.one("team")?.map(|t| t.name.as_str());
    println!("{}'s team: {team:?}", black_lion.name);
    // ANCHOR_END: read

    // ANCHOR: remove
    deadpond.team = Related::Loaded(None);
    session.save(&mut deadpond)?;
    session.commit()?;
    println!("Deadpond without a team: team_id = {:?}", deadpond.team_id);
    // ANCHOR_END: remove

    // ANCHOR: cascade
    session.delete(&teams[1])?;
    session.commit()?;
    let left: Vec<String> = session.exec(select::<Hero>().order_by(Hero::id()))?.into_iter().map(|h| h.name).collect();
    println!("Heroes after deleting Wakaland: {left:?}");
    // ANCHOR_END: cascade
    Ok(())
}
