//! SQLModel tutorial chapters under "connect": foreign keys, implicit join, `join`, outer
//! join, filtering on the joined table, setting and clearing a foreign key.

use tablemodel::prelude::*;

use crate::common::{Hero, Team};
use tablemodel_testkit::{SqlLog, on_every_backend};

/// The data of the connect chapters: two teams, three heroes, one without a team.
async fn seed_teams(engine: &Engine) -> (Team, Team, Vec<Hero>) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let preventers =
        s.add(Team { id: None, name: "Preventers".into(), headquarters: "Sharp Tower".into() }).await.unwrap();
    let z_force =
        s.add(Team { id: None, name: "Z-Force".into(), headquarters: "Sister Margaret's Bar".into() }).await.unwrap();
    let mut deadpond = Hero::new("Deadpond", "Dive Wilson", None);
    deadpond.team_id = z_force.id;
    let mut rusty = Hero::new("Rusty-Man", "Tommy Sharp", Some(48));
    rusty.team_id = preventers.id;
    let spider = Hero::new("Spider-Boy", "Pedro Parqueador", None);
    let heroes = s.add_all([deadpond, rusty, spider]).await.unwrap();
    s.commit().await.unwrap();
    (preventers, z_force, heroes)
}

fn pairs(rows: &[(Hero, Team)]) -> Vec<(&str, &str)> {
    rows.iter().map(|(h, t)| (h.name.as_str(), t.name.as_str())).collect()
}

async fn create_connected_rows(engine: Engine) {
    let (preventers, z_force, heroes) = seed_teams(&engine).await;
    assert_eq!((preventers.id, z_force.id), (Some(1), Some(2)));
    assert_eq!(heroes[0].team_id, Some(2));
    assert_eq!(heroes[1].team_id, Some(1));
    assert_eq!(heroes[2].team_id, None);
}

async fn implicit_join_with_where(engine: Engine) {
    seed_teams(&engine).await;
    let mut s = engine.session().await.unwrap();
    let rows =
        s.exec(select::<(Hero, Team)>().filter(Hero::team_id().eq(Team::id())).order_by(Hero::id())).await.unwrap();
    assert_eq!(pairs(&rows), [("Deadpond", "Z-Force"), ("Rusty-Man", "Preventers")]);
}

async fn join_on_foreign_key(engine: Engine) {
    seed_teams(&engine).await;
    let mut s = engine.session().await.unwrap();
    let rows = s.exec(select::<(Hero, Team)>().join::<Team>().order_by(Hero::id())).await.unwrap();
    assert_eq!(pairs(&rows), [("Deadpond", "Z-Force"), ("Rusty-Man", "Preventers")]);
    let explicit = s
        .exec(select::<(Hero, Team)>().join_on::<Team>(Team::id().eq(Hero::team_id())).order_by(Hero::id()))
        .await
        .unwrap();
    assert_eq!(pairs(&explicit), pairs(&rows));
}

async fn left_outer_join_keeps_heroes_without_team(engine: Engine) {
    seed_teams(&engine).await;
    let mut s = engine.session().await.unwrap();
    let rows = s.exec(select::<(Hero, Option<Team>)>().outer_join::<Team>().order_by(Hero::id())).await.unwrap();
    let got: Vec<(&str, Option<&str>)> =
        rows.iter().map(|(h, t)| (h.name.as_str(), t.as_ref().map(|t| t.name.as_str()))).collect();
    assert_eq!(got, [("Deadpond", Some("Z-Force")), ("Rusty-Man", Some("Preventers")), ("Spider-Boy", None)]);
}

async fn the_models_of_a_join_are_remembered_for_save(engine: Engine) {
    seed_teams(&engine).await;
    let mut s = engine.session().await.unwrap();
    let mut rows = s.exec(select::<(Hero, Team)>().join::<Team>().order_by(Hero::id())).await.unwrap();
    let mut outer = s.exec(select::<(Hero, Option<Team>)>().outer_join::<Team>().order_by(Hero::id())).await.unwrap();
    let log = SqlLog::capture();
    for (hero, team) in &mut rows {
        s.save(hero).await.unwrap();
        s.save(team).await.unwrap();
    }
    let (spider, no_team) = &mut outer[2];
    assert!(no_team.is_none());
    s.save(spider).await.unwrap();
    assert!(log.statements().is_empty(), "nothing changed: {:?}", log.statements());

    rows[1].1.headquarters = "Sharp Tower, 2nd floor".into();
    s.save(&mut rows[1].1).await.unwrap();
    let updates = log.starting_with("UPDATE");
    assert_eq!(updates.len(), 1, "{updates:?}");
    let set = updates[0].split(" WHERE ").next().unwrap();
    assert!(set.contains("headquarters") && !set.contains("name"), "only the changed column: {set}");
}

async fn filter_on_joined_table(engine: Engine) {
    seed_teams(&engine).await;
    let mut s = engine.session().await.unwrap();
    let heroes = s.exec(select::<Hero>().join::<Team>().filter(Team::name().eq("Preventers"))).await.unwrap();
    assert_eq!(heroes.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["Rusty-Man"]);
    let with_team =
        s.exec(select::<(Hero, Team)>().join::<Team>().filter(Team::name().eq("Preventers"))).await.unwrap();
    assert_eq!(pairs(&with_team), [("Rusty-Man", "Preventers")]);
}

async fn set_and_clear_a_foreign_key(engine: Engine) {
    let (preventers, _, _) = seed_teams(&engine).await;
    let mut s = engine.session().await.unwrap();
    let mut spider = s.one(select::<Hero>().filter(Hero::name().eq("Spider-Boy"))).await.unwrap();
    spider.team_id = preventers.id;
    s.save(&mut spider).await.unwrap();
    s.commit().await.unwrap();
    let preventers_heroes = s
        .exec(select::<Hero>().join::<Team>().filter(Team::name().eq("Preventers")).order_by(Hero::id()))
        .await
        .unwrap();
    assert_eq!(preventers_heroes.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["Rusty-Man", "Spider-Boy"]);

    spider.team_id = None;
    s.save(&mut spider).await.unwrap();
    s.commit().await.unwrap();
    let reloaded = engine.session().await.unwrap().get::<Hero>(spider.id.unwrap()).await.unwrap().unwrap();
    assert_eq!(reloaded.team_id, None);
}

async fn foreign_key_to_missing_team_is_rejected(engine: Engine) {
    seed_teams(&engine).await;
    let mut s = engine.session().await.unwrap();
    let mut ghost = Hero::new("Ghost", "Nobody", None);
    ghost.team_id = Some(999);
    let err = s.add(ghost).await.unwrap_err();
    assert_eq!(err.db_kind(), Some(DbErrorKind::ForeignKeyViolation), "{err}");
    let pending = s.exec(select::<Hero>()).await.unwrap_err();
    assert!(matches!(pending, Error::PendingRollback), "the transaction must be rolled back first: {pending:?}");
    s.rollback().await.unwrap();
    assert_eq!(s.exec(select::<Hero>()).await.unwrap().len(), 3, "nothing half-landed");
}

use tablemodel::DbErrorKind;

on_every_backend!(
    create_connected_rows,
    implicit_join_with_where,
    join_on_foreign_key,
    left_outer_join_keeps_heroes_without_team,
    the_models_of_a_join_are_remembered_for_save,
    filter_on_joined_table,
    set_and_clear_a_foreign_key,
    foreign_key_to_missing_team_is_rejected,
);
