//! Chapter "Many to many": a link model, heroes in several teams, adding and removing
//! links, and a link model with an extra field.

use tablemodel::blocking::Engine;
use tablemodel::prelude::*;

// ANCHOR: models
#[derive(Model, Debug, Clone)]
#[model(table, table_name = "heroteamlink")]
struct HeroTeamLink {
    #[field(primary_key, foreign_key = "team.id")]
    team_id: Option<i64>,
    #[field(primary_key, foreign_key = "hero.id")]
    hero_id: Option<i64>,
    #[field(default = false)]
    is_training: bool,
    #[relationship(back_populates = "hero_links")]
    team: Related<Team>,
    #[relationship(back_populates = "team_links")]
    hero: Related<Hero>,
}

#[derive(Model, Debug, Clone, Default)]
#[model(table)]
struct Team {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
    headquarters: String,
    #[relationship(back_populates = "team")]
    hero_links: Related<Vec<HeroTeamLink>>,
}

#[derive(Model, Debug, Clone, Default)]
#[model(table)]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
    secret_name: String,
    age: Option<i32>,
    #[relationship(back_populates = "hero")]
    team_links: Related<Vec<HeroTeamLink>>,
}
// ANCHOR_END: models

fn team(name: &str, headquarters: &str) -> Team {
    Team { name: name.into(), headquarters: headquarters.into(), ..Default::default() }
}

fn hero(name: &str, secret_name: &str, age: Option<i32>) -> Hero {
    Hero { name: name.into(), secret_name: secret_name.into(), age, ..Default::default() }
}

// ANCHOR: link
fn link(team: &Team, hero: Hero, is_training: bool) -> HeroTeamLink {
    HeroTeamLink {
        team_id: None,
        hero_id: None,
        is_training,
        team: Related::from(team.clone()),
        hero: Related::from(hero),
    }
}
// ANCHOR_END: link

fn main() -> Result<(), tablemodel::Error> {
    tablemodel_book::log_sql();
    let engine = Engine::connect("sqlite::memory:")?;
    engine.create_all::<(Team, Hero, HeroTeamLink)>()?;
    let mut session = engine.session()?;

    // ANCHOR: create
    let z_force = session.add(team("Z-Force", "Sister Margaret's Bar"))?;
    let preventers = session.add(team("Preventers", "Sharp Tower"))?;
    let deadpond = session.add(hero("Deadpond", "Dive Wilson", None))?;
    session.add(link(&z_force, deadpond.clone(), false))?;
    session.add(link(&preventers, deadpond, true))?;
    session.add(link(&preventers, hero("Spider-Boy", "Pedro Parqueador", None), true))?;
    session.add(link(&preventers, hero("Rusty-Man", "Tommy Sharp", Some(48)), false))?;
    session.commit()?;
    // ANCHOR_END: create

    // ANCHOR: read
    let teams = session.exec(select::<Team>().order_by(Team::id()).load(Team::hero_links()))?;
    for team in teams {
        let mut links = team.hero_links.loaded("hero_links")?.clone();
        session.load_all(&mut links, HeroTeamLink::hero())?;
        for link in &links {
            println!("{}: {} (training: {})", team.name, link.hero.loaded("hero")?.name, link.is_training);
        }
    }
    // ANCHOR_END: read

    // ANCHOR: update
    let mut spider_link = session.one(select::<HeroTeamLink>().join::<Hero>().filter(Hero::name().eq("Spider-Boy")))?;
    spider_link.is_training = false;
    session.save(&mut spider_link)?;
    session.commit()?;
    println!("Spider-Boy still training: {}", spider_link.is_training);
    // ANCHOR_END: update
    Ok(())
}
