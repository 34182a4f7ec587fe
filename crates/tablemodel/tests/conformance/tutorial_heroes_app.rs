//! SQLModel's tutorial heroes as a user writes them today, through the axum router: a shared
//! `HeroBase` inlined into the table and flattened into the hand-written `HeroCreate` and
//! `HeroPublic`, a `created_at` filled by the database (`CURRENT_TIMESTAMP`) and read back on
//! insert, tags in a JSON list column, and two PATCHes of one hero that run at the same time:
//! changing different fields, both changes survive; with a version column, the stale one is
//! a 409.

use std::sync::Arc;

use axum::extract::{FromRef, State};
use axum::routing::{patch, post};
use serde_json::json;
use tablemodel::prelude::*;
use tablemodel::types::Json as JsonColumn;
use tablemodel::web::{DbSession, HttpError, Json, Path, TestClient};
use tablemodel_testkit::on_every_backend;
use tokio::sync::Barrier;

/// The fields every hero schema shares: SQLModel's `HeroBase`.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(base)]
pub(crate) struct HeroBase {
    #[field(index, min_length = 1)]
    pub(crate) name: String,
    pub(crate) secret_name: String,
    #[field(index, ge = 0)]
    pub(crate) age: Option<i32>,
    /// A JSON list column (`TEXT` on SQLite, `JSONB` on PostgreSQL, `JSON` on MariaDB).
    #[field(default = JsonColumn(Vec::new()))]
    pub(crate) tags: JsonColumn<Vec<String>>,
}

/// `class Hero(HeroBase, table=True)`, with a timestamp the database sets.
#[inline_bases]
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "app_hero", update = "HeroUpdate")]
pub(crate) struct Hero {
    #[field(flatten)]
    pub(crate) base: HeroBase,
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    #[field(server_default = "CURRENT_TIMESTAMP")]
    pub(crate) created_at: Option<chrono::NaiveDateTime>,
}

/// The same hero with optimistic concurrency: SQLAlchemy's `version_id_col`.
#[inline_bases]
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "app_versioned_hero", update = "VersionedHeroUpdate")]
pub(crate) struct VersionedHero {
    #[field(flatten)]
    pub(crate) base: HeroBase,
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    #[field(version, default = 1)]
    pub(crate) version: i64,
}

/// `class HeroCreate(HeroBase)`: the request body of `POST /heroes/`.
#[derive(Model, Debug, Clone, PartialEq)]
pub(crate) struct HeroCreate {
    #[field(flatten)]
    pub(crate) base: HeroBase,
}

/// `class HeroPublic(HeroBase)`: the response body, the base's fields first.
#[derive(Model, Debug, Clone, PartialEq)]
pub(crate) struct HeroPublic {
    #[field(flatten)]
    pub(crate) base: HeroBase,
    pub(crate) id: i64,
    pub(crate) created_at: Option<chrono::NaiveDateTime>,
}

impl From<Hero> for HeroPublic {
    fn from(h: Hero) -> HeroPublic {
        let base = HeroBase { name: h.name, secret_name: h.secret_name, age: h.age, tags: h.tags };
        HeroPublic { base, id: h.id.unwrap_or_default(), created_at: h.created_at }
    }
}

/// The app's state: the engine, and where each PATCH waits once it has read its hero, so
/// that two PATCHes both read the row before either writes (the race a lost update needs).
#[derive(Clone)]
struct AppState {
    engine: Engine,
    lineup: Arc<Barrier>,
}

impl FromRef<AppState> for Engine {
    fn from_ref(state: &AppState) -> Engine {
        state.engine.clone()
    }
}

async fn create_hero(mut s: DbSession, Json(create): Json<HeroCreate>) -> Result<Json<HeroPublic>, HttpError> {
    let HeroBase { name, secret_name, age, tags } = create.base;
    let hero = s.add(Hero { name, secret_name, age, tags, id: None, created_at: None }).await?;
    s.commit().await?;
    Ok(Json(hero.into()))
}

async fn update_hero(
    State(state): State<AppState>,
    mut s: DbSession,
    Path(hero_id): Path<i64>,
    Json(update): Json<HeroUpdate>,
) -> Result<Json<HeroPublic>, HttpError> {
    let mut hero = s.get::<Hero>(hero_id).await?.ok_or_else(|| HttpError::not_found("Hero not found"))?;
    state.lineup.wait().await;
    hero.apply(update);
    s.save(&mut hero).await?;
    s.commit().await?;
    Ok(Json(hero.into()))
}

async fn create_versioned(
    mut s: DbSession,
    Json(create): Json<HeroCreate>,
) -> Result<Json<serde_json::Value>, HttpError> {
    let HeroBase { name, secret_name, age, tags } = create.base;
    let hero = s.add(VersionedHero { name, secret_name, age, tags, id: None, version: 1 }).await?;
    s.commit().await?;
    Ok(Json(hero.dump()))
}

async fn update_versioned(
    State(state): State<AppState>,
    mut s: DbSession,
    Path(hero_id): Path<i64>,
    Json(update): Json<VersionedHeroUpdate>,
) -> Result<Json<serde_json::Value>, HttpError> {
    let mut hero = s.get::<VersionedHero>(hero_id).await?.ok_or_else(|| HttpError::not_found("Hero not found"))?;
    state.lineup.wait().await;
    hero.apply(update);
    s.save(&mut hero).await?;
    s.commit().await?;
    Ok(Json(hero.dump()))
}

/// The app over `engine`, its tables created; PATCHes wait for each other in pairs.
async fn app(engine: &Engine) -> TestClient {
    engine.create_all::<(Hero, VersionedHero)>().await.unwrap();
    let state = AppState { engine: engine.clone(), lineup: Arc::new(Barrier::new(2)) };
    let app = axum::Router::new()
        .route("/heroes/", post(create_hero))
        .route("/heroes/{hero_id}", patch(update_hero))
        .route("/versioned/", post(create_versioned))
        .route("/versioned/{hero_id}", patch(update_versioned))
        .with_state(state);
    TestClient::new(app)
}

async fn created_at_and_tags_come_back_from_the_database(engine: Engine) {
    let client = app(&engine).await;
    let body = json!({"name": "Deadpond", "secret_name": "Dive Wilson", "tags": ["funny", "mercenary"]});
    let response = client.post("/heroes/", &body).await;
    assert_eq!(response.status, 200, "{}", response.text());
    let hero = response.json();
    // FastAPI's order: the base's fields first, in declaration order.
    let keys: Vec<&str> = hero.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["name", "secret_name", "age", "tags", "id", "created_at"]);
    assert_eq!(hero["tags"], json!(["funny", "mercenary"]));
    let created = hero["created_at"].as_str().expect("CURRENT_TIMESTAMP read back on insert");
    let created = chrono::NaiveDateTime::parse_from_str(created, "%Y-%m-%dT%H:%M:%S%.f").unwrap();
    assert!((chrono::Utc::now().naive_utc() - created).num_hours().abs() < 24, "{created}");
    let mut s = engine.session().await.unwrap();
    let stored = s.get::<Hero>(hero["id"].as_i64().unwrap()).await.unwrap().unwrap();
    assert_eq!(
        (stored.tags.0.as_slice(), stored.created_at),
        (["funny", "mercenary"].map(String::from).as_slice(), Some(created))
    );

    // Tags default to an empty list; a wrong element is a 422 located inside the list.
    let plain = client.post("/heroes/", &json!({"name": "Rusty-Man", "secret_name": "Tommy Sharp"})).await.json();
    assert_eq!(plain["tags"], json!([]));
    let bad = client.post("/heroes/", &json!({"name": "X", "secret_name": "Y", "tags": ["ok", 7]})).await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    assert_eq!(bad.json()["detail"][0]["loc"], json!(["body", "tags", 1]));
}

async fn two_concurrent_patches_of_different_fields_both_survive(engine: Engine) {
    let client = app(&engine).await;
    let hero = client.post("/heroes/", &json!({"name": "Spider-Boy", "secret_name": "Pedro Parqueador"})).await.json();
    let id = hero["id"].as_i64().unwrap();
    let uri = format!("/heroes/{id}");
    // Both requests read the hero before either writes.
    let (rename, age) = (json!({"name": "Spider-Youngster"}), json!({"age": 16, "tags": ["young"]}));
    let (renamed, aged) = tokio::join!(client.patch(&uri, &rename), client.patch(&uri, &age));
    assert_eq!((renamed.status.as_u16(), aged.status.as_u16()), (200, 200), "{} {}", renamed.text(), aged.text());
    assert_eq!(renamed.json()["name"], "Spider-Youngster");
    assert_eq!(aged.json()["age"], 16);

    // The row has both changes: the later save did not write the earlier one's field back.
    let mut s = engine.session().await.unwrap();
    let stored = s.get::<Hero>(id).await.unwrap().unwrap();
    assert_eq!(
        (stored.name.as_str(), stored.age, stored.tags.0.as_slice(), stored.secret_name.as_str()),
        ("Spider-Youngster", Some(16), ["young".to_owned()].as_slice(), "Pedro Parqueador")
    );
    assert_eq!(json!(stored.created_at), hero["created_at"], "untouched by the PATCHes");
}

async fn a_stale_patch_is_a_409_with_a_version_column(engine: Engine) {
    let client = app(&engine).await;
    let hero = client.post("/versioned/", &json!({"name": "Dr. Weird", "secret_name": "Steve Weird"})).await.json();
    assert_eq!(hero["version"], 1);
    let id = hero["id"].as_i64().unwrap();
    let uri = format!("/versioned/{id}");
    let (rename, age) = (json!({"name": "Dr. Weirder"}), json!({"age": 36}));
    let (first, second) = tokio::join!(client.patch(&uri, &rename), client.patch(&uri, &age));
    let mut statuses = [first.status.as_u16(), second.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} {}", first.text(), second.text());
    let (won, lost) = if first.status == 200 { (first.json(), second) } else { (second.json(), first) };
    assert_eq!(won["version"], 2);
    assert!(lost.json()["detail"].is_string(), "{}", lost.text());

    // The stored row has the winner's change only.
    let mut s = engine.session().await.unwrap();
    let stored = s.get::<VersionedHero>(id).await.unwrap().unwrap();
    assert_eq!(stored.version, 2);
    if won["name"] == "Dr. Weirder" {
        assert_eq!((stored.name.as_str(), stored.age), ("Dr. Weirder", None));
    } else {
        assert_eq!((stored.name.as_str(), stored.age), ("Dr. Weird", Some(36)));
    }
}

on_every_backend!(
    created_at_and_tags_come_back_from_the_database,
    two_concurrent_patches_of_different_fields_both_survive,
    a_stale_patch_is_a_409_with_a_version_column,
);
