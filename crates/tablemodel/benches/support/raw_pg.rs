//! Raw tokio-postgres code that more than one benchmark compares tablemodel with: decoding
//! a hero row, and the eager load of every team with its heroes as careful hand-written
//! code does it (the teams, then their heroes with one `= ANY($1)` array parameter,
//! grouped by team).

use std::collections::HashMap;

use tablemodel::prelude::*;

use super::team_hero::{Hero, Team};

/// A hero from a row of its five columns, in table order.
pub(crate) fn decode_hero(r: &tokio_postgres::Row) -> Hero {
    Hero {
        id: r.get(0),
        name: r.get(1),
        secret_name: r.get(2),
        age: r.get(3),
        team_id: r.get(4),
        team: Related::NotLoaded,
    }
}

/// The eager load's two statements, prepared once.
pub(crate) struct EagerStatements {
    teams: tokio_postgres::Statement,
    heroes_of: tokio_postgres::Statement,
}

impl EagerStatements {
    pub(crate) async fn prepare(client: &tokio_postgres::Client) -> Self {
        EagerStatements {
            teams: client.prepare(r#"SELECT "team"."id", "team"."name" FROM "team""#).await.unwrap(),
            heroes_of: client
                .prepare(concat!(
                    r#"SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" "#,
                    r#"FROM "hero" WHERE "hero"."team_id" = ANY($1) ORDER BY "hero"."id""#
                ))
                .await
                .unwrap(),
        }
    }
}

/// Every team, each with its heroes.
pub(crate) async fn load_teams_with_heroes(client: &tokio_postgres::Client, st: &EagerStatements) -> Vec<Team> {
    let mut teams: Vec<Team> = client
        .query(&st.teams, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| Team { id: r.get(0), name: r.get(1), heroes: Related::NotLoaded })
        .collect();
    let ids: Vec<i64> = teams.iter().map(|t| t.id.unwrap()).collect();
    let mut by_team: HashMap<i64, Vec<Hero>> = HashMap::new();
    for r in client.query(&st.heroes_of, &[&ids]).await.unwrap() {
        let h = decode_hero(&r);
        by_team.entry(h.team_id.unwrap()).or_default().push(h);
    }
    super::team_hero::attach_heroes(&mut teams, by_team);
    teams
}
