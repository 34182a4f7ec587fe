//! The routes, one handler each, as in the Python tutorial app.

use std::time::Duration;

use axum::extract::State;
use serde_json::{Value, json};
use tablemodel::prelude::*;
use tablemodel::web::routing::{ApiRouter, delete_with, get_with, patch_with, post_with, responses};
use tablemodel::web::{DbSession, HttpError, Json, Path, Query};

use crate::models::*;

/// The database is down, unreachable or saturated (every route that uses it).
const UNAVAILABLE: (u16, &str) = (503, "The database is unavailable, retry later");
/// A `team_id` that names no team.
const NO_SUCH_TEAM: (u16, &str) = (409, "Conflict: the team_id names no team");
const HERO_NOT_FOUND: (u16, &str) = (404, "Hero not found");
const TEAM_NOT_FOUND: (u16, &str) = (404, "Team not found");

/// The documented routes, over an app state that gives an [`Engine`]. Each declares the
/// error statuses it answers besides 200 and 422 (FastAPI's `responses=`); those of reading
/// a JSON body (400, 408, 413) are declared by the `Json` extractor.
pub fn routes() -> ApiRouter<Engine> {
    ApiRouter::new()
        .api_route("/heroes/", post_with(create_hero, |op| responses(op, &[NO_SUCH_TEAM, UNAVAILABLE])))
        .api_route("/heroes/", get_with(read_heroes, |op| responses(op, &[UNAVAILABLE])))
        .api_route("/heroes/{hero_id}", get_with(read_hero, |op| responses(op, &[HERO_NOT_FOUND, UNAVAILABLE])))
        .api_route(
            "/heroes/{hero_id}",
            patch_with(update_hero, |op| responses(op, &[HERO_NOT_FOUND, NO_SUCH_TEAM, UNAVAILABLE])),
        )
        .api_route("/heroes/{hero_id}", delete_with(delete_hero, |op| responses(op, &[HERO_NOT_FOUND, UNAVAILABLE])))
        .api_route("/teams/", post_with(create_team, |op| responses(op, &[UNAVAILABLE])))
        .api_route("/teams/", get_with(read_teams, |op| responses(op, &[UNAVAILABLE])))
        .api_route("/teams/{team_id}", get_with(read_team, |op| responses(op, &[TEAM_NOT_FOUND, UNAVAILABLE])))
        .api_route("/teams/{team_id}", patch_with(update_team, |op| responses(op, &[TEAM_NOT_FOUND, UNAVAILABLE])))
        .api_route("/teams/{team_id}", delete_with(delete_team, |op| responses(op, &[TEAM_NOT_FOUND, UNAVAILABLE])))
        .api_route("/health", get_with(health, |op| responses(op, &[UNAVAILABLE])))
}

/// How long `/health` waits for a connection and the answer to its query: a load balancer
/// probing a stalled database gets its 503 in bounded time, not when the pool gives up.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /health`: `{"status": "ok"}` when the database answers a query within
/// [`HEALTH_TIMEOUT`], else 503. It takes its own session (not [`DbSession`]) so that the
/// wait for a connection is bounded too. With read replicas it also asks each of them
/// (within the same bound) and lists them, `{"status": "degraded", "replicas": [{"healthy":
/// false, …}]}` when one does not answer: still 200, since reads go to the primary then.
async fn health(State(engine): State<Engine>) -> Result<Json<Value>, HttpError> {
    let probe = async {
        let mut s = engine.primary_session().await?;
        s.exec(select::<Team>().limit(1)).await?;
        Ok::<(), tablemodel::Error>(())
    };
    match tokio::time::timeout(HEALTH_TIMEOUT, probe).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(HttpError::from(e)),
        Err(_) => {
            tracing::error!("health check: the database did not answer within {HEALTH_TIMEOUT:?}");
            return Err(HttpError::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE.1));
        }
    }
    if engine.replica_status().is_empty() {
        return Ok(Json(json!({"status": "ok"})));
    }
    // A replica that does not answer in time is reported as last seen.
    let replicas = match tokio::time::timeout(HEALTH_TIMEOUT, engine.check_replicas()).await {
        Ok(replicas) => replicas,
        Err(_) => engine.replica_status(),
    };
    let all_up = replicas.iter().all(|r| r.healthy == Some(true));
    let replicas: Vec<Value> = replicas
        .iter()
        .map(|r| json!({"healthy": r.healthy == Some(true), "in_use": r.pool.in_use, "idle": r.pool.idle}))
        .collect();
    Ok(Json(json!({"status": if all_up { "ok" } else { "degraded" }, "replicas": replicas})))
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
    // The hero and its team in one query (one round trip), where `get` and `load` take two.
    let q = select::<Hero>().filter(Hero::id().eq(hero_id)).load_joined(Hero::team());
    let mut hero = s.exec(q).await?.pop().ok_or_else(|| HttpError::not_found("Hero not found"))?;
    let team = hero.team.take().flatten().map(TeamPublic::try_from).transpose()?;
    Ok(Json(HeroPublicWithTeam { hero: hero.try_into()?, team }))
}

async fn update_hero(mut s: DbSession, Path(hero_id): Path<i64>, Json(update): Json<HeroUpdate>) -> Answer<HeroPublic> {
    s.use_primary(); // the row about to change is read from the primary, not a replica
    let mut hero = hero_or_404(&mut s, hero_id).await?;
    hero.apply(update);
    s.save(&mut hero).await?;
    s.commit().await?;
    Ok(Json(hero.try_into()?))
}

async fn delete_hero(mut s: DbSession, Path(hero_id): Path<i64>) -> Result<Json<Value>, HttpError> {
    s.use_primary();
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
    // The team and its heroes in one query (one round trip), where `get` and `load` take two.
    let q = select::<Team>().filter(Team::id().eq(team_id)).load_joined(Team::heroes());
    let mut team = s.exec(q).await?.pop().ok_or_else(|| HttpError::not_found("Team not found"))?;
    let heroes = team.heroes.take().unwrap_or_default();
    Ok(Json(TeamPublicWithHeroes {
        team: team.try_into()?,
        heroes: heroes.into_iter().map(HeroPublic::try_from).collect::<Result<_, _>>()?,
    }))
}

async fn update_team(mut s: DbSession, Path(team_id): Path<i64>, Json(update): Json<TeamUpdate>) -> Answer<TeamPublic> {
    s.use_primary();
    let mut team = team_or_404(&mut s, team_id).await?;
    team.apply(update);
    s.save(&mut team).await?;
    s.commit().await?;
    Ok(Json(team.try_into()?))
}

async fn delete_team(mut s: DbSession, Path(team_id): Path<i64>) -> Result<Json<Value>, HttpError> {
    s.use_primary();
    let team = team_or_404(&mut s, team_id).await?;
    s.delete(&team).await?;
    s.commit().await?;
    Ok(Json(json!({"ok": true})))
}
