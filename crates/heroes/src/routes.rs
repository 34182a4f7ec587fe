//! The routes, one handler each, as in the Python tutorial app.

use serde_json::{Value, json};
use tablemodel::prelude::*;
use tablemodel::web::routing::{ApiRouter, delete, get, patch, post};
use tablemodel::web::{DbSession, HttpError, Json, Path, Query};

use crate::models::*;

/// The documented routes, over an app state that gives an [`Engine`].
pub fn routes() -> ApiRouter<Engine> {
    ApiRouter::new()
        .api_route("/heroes/", post(create_hero))
        .api_route("/heroes/", get(read_heroes))
        .api_route("/heroes/{hero_id}", get(read_hero))
        .api_route("/heroes/{hero_id}", patch(update_hero))
        .api_route("/heroes/{hero_id}", delete(delete_hero))
        .api_route("/teams/", post(create_team))
        .api_route("/teams/", get(read_teams))
        .api_route("/teams/{team_id}", get(read_team))
        .api_route("/teams/{team_id}", patch(update_team))
        .api_route("/teams/{team_id}", delete(delete_team))
}

type Answer<T> = Result<Json<T>, HttpError>;

async fn hero_or_404(s: &mut Session, id: i64) -> Result<Hero, HttpError> {
    s.get::<Hero>(id).await?.ok_or_else(|| HttpError::not_found("Hero not found"))
}

async fn team_or_404(s: &mut Session, id: i64) -> Result<Team, HttpError> {
    s.get::<Team>(id).await?.ok_or_else(|| HttpError::not_found("Team not found"))
}

async fn create_hero(mut s: DbSession, Json(hero): Json<HeroCreate>) -> Answer<HeroPublic> {
    let hero = s.add(Hero::from(hero)).await?;
    s.commit().await?;
    Ok(Json(hero.try_into()?))
}

async fn read_heroes(mut s: DbSession, Query(page): Query<Page>) -> Answer<Vec<HeroPublic>> {
    let heroes =
        s.exec(select::<Hero>().order_by(Hero::id()).offset(page.offset as u64).limit(page.limit as u64)).await?;
    Ok(Json(heroes.into_iter().map(HeroPublic::try_from).collect::<Result<_, _>>()?))
}

async fn read_hero(mut s: DbSession, Path(hero_id): Path<i64>) -> Answer<HeroPublicWithTeam> {
    let mut hero = hero_or_404(&mut s, hero_id).await?;
    s.load(&mut hero, Hero::team()).await?;
    let team = hero.team.take().flatten().map(TeamPublic::try_from).transpose()?;
    Ok(Json(HeroPublicWithTeam { hero: hero.try_into()?, team }))
}

async fn update_hero(mut s: DbSession, Path(hero_id): Path<i64>, Json(update): Json<HeroUpdate>) -> Answer<HeroPublic> {
    let mut hero = hero_or_404(&mut s, hero_id).await?;
    hero.apply(update);
    s.save(&mut hero).await?;
    s.commit().await?;
    Ok(Json(hero.try_into()?))
}

async fn delete_hero(mut s: DbSession, Path(hero_id): Path<i64>) -> Result<Json<Value>, HttpError> {
    let hero = hero_or_404(&mut s, hero_id).await?;
    s.delete(&hero).await?;
    s.commit().await?;
    Ok(Json(json!({"ok": true})))
}

async fn create_team(mut s: DbSession, Json(team): Json<TeamCreate>) -> Answer<TeamPublic> {
    let team = s.add(Team::from(team)).await?;
    s.commit().await?;
    Ok(Json(team.try_into()?))
}

async fn read_teams(mut s: DbSession, Query(page): Query<Page>) -> Answer<Vec<TeamPublic>> {
    let teams =
        s.exec(select::<Team>().order_by(Team::id()).offset(page.offset as u64).limit(page.limit as u64)).await?;
    Ok(Json(teams.into_iter().map(TeamPublic::try_from).collect::<Result<_, _>>()?))
}

async fn read_team(mut s: DbSession, Path(team_id): Path<i64>) -> Answer<TeamPublicWithHeroes> {
    let mut team = team_or_404(&mut s, team_id).await?;
    s.load(&mut team, Team::heroes()).await?;
    let heroes = team.heroes.take().unwrap_or_default();
    Ok(Json(TeamPublicWithHeroes {
        team: team.try_into()?,
        heroes: heroes.into_iter().map(HeroPublic::try_from).collect::<Result<_, _>>()?,
    }))
}

async fn update_team(mut s: DbSession, Path(team_id): Path<i64>, Json(update): Json<TeamUpdate>) -> Answer<TeamPublic> {
    let mut team = team_or_404(&mut s, team_id).await?;
    team.apply(update);
    s.save(&mut team).await?;
    s.commit().await?;
    Ok(Json(team.try_into()?))
}

async fn delete_team(mut s: DbSession, Path(team_id): Path<i64>) -> Result<Json<Value>, HttpError> {
    let team = team_or_404(&mut s, team_id).await?;
    s.delete(&team).await?;
    s.commit().await?;
    Ok(Json(json!({"ok": true})))
}
