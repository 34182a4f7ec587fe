//! The tutorial's Team and Hero, the 100 teams × 100 heroes both relationship benchmarks
//! seed, the raw rusqlite decoding of a hero row, and the raw side's assembling of loaded teams.

use std::collections::HashMap;

use tablemodel::prelude::*;

#[derive(Model, Debug, Clone)]
#[model(table)]
pub(crate) struct Team {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    pub(crate) name: String,
    #[relationship(back_populates = "team")]
    pub(crate) heroes: Related<Vec<Hero>>,
}

#[derive(Model, Debug, Clone)]
#[model(table)]
pub(crate) struct Hero {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    pub(crate) name: String,
    pub(crate) secret_name: String,
    pub(crate) age: Option<i32>,
    #[field(foreign_key = "team.id")]
    pub(crate) team_id: Option<i64>,
    #[relationship(back_populates = "heroes")]
    pub(crate) team: Related<Option<Team>>,
}

/// Hero number `i`, of team `team_id`.
pub(crate) fn hero(i: usize, team_id: Option<i64>) -> Hero {
    Hero {
        id: None,
        name: format!("hero {i}"),
        secret_name: format!("secret {i}"),
        age: Some((i % 90) as i32),
        team_id,
        team: Related::NotLoaded,
    }
}

/// Adds 100 teams of 100 heroes each and commits; the tables must exist.
pub(crate) async fn seed_teams(s: &mut Session) {
    let teams = s
        .add_all((0..100).map(|i| Team { id: None, name: format!("team {i}"), heroes: Related::NotLoaded }))
        .await
        .unwrap();
    let heroes: Vec<Hero> = teams.iter().flat_map(|t| (0..100).map(move |i| hero(i, t.id))).collect();
    s.add_all(heroes).await.unwrap();
    s.commit().await.unwrap();
}

/// Gives each team its heroes, and each hero a copy of its team (whose own `heroes` are not
/// loaded): what `select::<Team>().load(Team::heroes())` returns, `back_populates` included,
/// so that the raw side of a comparison builds the same values the ORM does.
pub(crate) fn attach_heroes(teams: &mut [Team], mut by_team: HashMap<i64, Vec<Hero>>) {
    for t in teams {
        let mut heroes = by_team.remove(&t.id.unwrap()).unwrap_or_default();
        for h in &mut heroes {
            h.team = Related::Loaded(Some(Team { id: t.id, name: t.name.clone(), heroes: Related::NotLoaded }));
        }
        t.heroes = Related::Loaded(heroes);
    }
}

/// A hero from the first five columns of a rusqlite row, the way hand-written code reads it.
pub(crate) fn decode_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Hero> {
    Ok(Hero {
        id: r.get(0)?,
        name: r.get(1)?,
        secret_name: r.get(2)?,
        age: r.get(3)?,
        team_id: r.get(4)?,
        team: Related::NotLoaded,
    })
}
