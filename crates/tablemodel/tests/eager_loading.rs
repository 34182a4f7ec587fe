//! Eager loading is free of N+1 queries, counted from the SQL log (`tablemodel::sql`
//! events): 100 teams with 100 heroes each load in 2 SELECTs with selectin loading and 1
//! with joined loading; 50,000 children load on both backends, in as many SELECTs as the
//! backend's parameter limit needs.

use tablemodel::prelude::*;
use tablemodel_testkit::{SqlLog, on_every_backend};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Team {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
    #[relationship(back_populates = "team")]
    heroes: Related<Vec<Hero>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
    #[field(foreign_key = "team.id")]
    team_id: Option<i64>,
    #[relationship(back_populates = "heroes")]
    team: Related<Option<Team>>,
}

async fn seed(engine: &Engine, teams: usize, heroes_per_team: usize) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let stored = s
        .add_all((0..teams).map(|i| Team { id: None, name: format!("team {i}"), heroes: Related::NotLoaded }))
        .await
        .unwrap();
    let heroes = stored.iter().flat_map(|t| {
        (0..heroes_per_team).map(move |j| Hero {
            id: None,
            name: format!("hero {j} of {}", t.name),
            team_id: t.id,
            team: Related::NotLoaded,
        })
    });
    s.add_all(heroes.collect::<Vec<_>>()).await.unwrap();
    s.commit().await.unwrap();
}

async fn a_hundred_teams_of_a_hundred_heroes_load_in_two_selects_or_one(engine: Engine) {
    let log = SqlLog::capture();
    seed(&engine, 100, 100).await;
    let mut s = engine.session().await.unwrap();

    log.clear();
    let teams = s.exec(select::<Team>().order_by(Team::id()).load(Team::heroes())).await.unwrap();
    assert_eq!(log.selects().len(), 2, "{:?}: {:#?}", engine.dialect(), log.selects());
    assert_eq!(teams.len(), 100);
    assert!(teams.iter().all(|t| t.heroes.get().unwrap().len() == 100));

    log.clear();
    let joined = s.exec(select::<Team>().order_by(Team::id()).load_joined(Team::heroes())).await.unwrap();
    assert_eq!(log.selects().len(), 1, "{:?}: {:#?}", engine.dialect(), log.selects());
    assert_eq!(joined, teams);

    // The other side, and lazy loading for comparison: one SELECT per row.
    log.clear();
    let heroes = s.exec(select::<Hero>().limit(500).load(Hero::team())).await.unwrap();
    assert_eq!(log.selects().len(), 2);
    assert!(heroes.iter().all(|h| h.team.get().unwrap().is_some()));
    log.clear();
    let mut ten = s.exec(select::<Hero>().limit(10)).await.unwrap();
    for h in &mut ten {
        s.load(h, Hero::team()).await.unwrap();
    }
    assert_eq!(log.selects().len(), 11, "lazy loading is one query per row, by design");
}

async fn fifty_thousand_children_load_with_chunked_in_lists(engine: Engine) {
    let log = SqlLog::capture();
    // 50,000 teams of one hero each: 50,000 keys in the IN lists.
    seed(&engine, 50_000, 1).await;
    let mut s = engine.session().await.unwrap();
    log.clear();
    let teams = s.exec(select::<Team>().load(Team::heroes())).await.unwrap();
    let children: usize = teams.iter().map(|t| t.heroes.get().unwrap().len()).sum();
    assert_eq!(children, 50_000, "{:?}", engine.dialect());
    // 1 query for the teams, then ceil(50,000 / 30,000) = 2 chunks of keys.
    assert_eq!(log.selects().len(), 3, "{:?}", engine.dialect());
    let heroes = s.exec(select::<Hero>().load(Hero::team())).await.unwrap();
    assert!(heroes.iter().all(|h| h.team.get().unwrap().as_ref().map(|t| t.id) == Some(h.team_id)));
}

on_every_backend!(
    a_hundred_teams_of_a_hundred_heroes_load_in_two_selects_or_one,
    fifty_thousand_children_load_with_chunked_in_lists,
);
