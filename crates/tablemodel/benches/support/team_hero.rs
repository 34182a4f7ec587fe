//! The tutorial's Team and Hero, the 100 teams × 100 heroes both relationship benchmarks
//! seed, and the raw rusqlite decoding of a hero row.

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
