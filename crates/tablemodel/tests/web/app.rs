//! A small app exercising the web layer: users with a unique email, and the engines it runs
//! on.

use axum::extract::{FromRef, State};
use serde_json::{Value, json};
use tablemodel::prelude::*;
use tablemodel::web::routing::{ApiRouter, delete, get, post};
use tablemodel::web::{DbSession, HttpError, Json, Path, Query, TestClient, with_docs};

/// A user; the email is unique.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, create = "UserCreate", public = "UserPublic")]
pub(crate) struct User {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    #[field(unique, min_length = 1)]
    pub(crate) email: String,
    pub(crate) name: String,
}

/// `GET /users/search?name=A&name=B&id=1`: repeated parameters collected into lists.
#[derive(Model, Debug, Clone, PartialEq)]
pub(crate) struct UserSearch {
    #[field(default = Vec::new())]
    pub(crate) name: Vec<String>,
    #[field(default = Vec::new())]
    pub(crate) id: Vec<i64>,
    #[field(default = 100)]
    pub(crate) limit: i64,
}

/// What the app needs: the engine, and a setting a test may override.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) engine: Engine,
    pub(crate) greeting: Greeting,
}

/// A dependency other than the database, taken from the state.
#[derive(Clone, Debug)]
pub(crate) struct Greeting(pub(crate) String);

impl FromRef<AppState> for Engine {
    fn from_ref(state: &AppState) -> Engine {
        state.engine.clone()
    }
}

impl FromRef<AppState> for Greeting {
    fn from_ref(state: &AppState) -> Greeting {
        state.greeting.clone()
    }
}

async fn create_user(mut s: DbSession, Json(user): Json<UserCreate>) -> Result<Json<UserPublic>, HttpError> {
    let user = s.add(User::from(user)).await?;
    s.commit().await?;
    Ok(Json(user.try_into()?))
}

/// Adds a user and returns it without committing: nothing must stay in the database.
async fn create_user_uncommitted(
    mut s: DbSession,
    Json(user): Json<UserCreate>,
) -> Result<Json<UserPublic>, HttpError> {
    let user = s.add(User::from(user)).await?;
    Ok(Json(user.try_into()?))
}

/// Adds a user, then fails: nothing must stay in the database.
async fn create_user_then_fail(mut s: DbSession, Json(user): Json<UserCreate>) -> Result<Json<Value>, HttpError> {
    s.add(User::from(user)).await?;
    Err(HttpError::new(axum::http::StatusCode::BAD_REQUEST, "Refused after writing"))
}

/// Validates a body inside the handler: a failure is a 422 located in the body.
async fn create_user_validated_in_handler(
    mut s: DbSession,
    Json(body): Json<Value>,
) -> Result<Json<UserPublic>, HttpError> {
    let mut fields = body;
    fields["email"] = json!("");
    let user = s.add(User::validate(&fields)?).await?;
    s.commit().await?;
    Ok(Json(user.try_into()?))
}

async fn read_users(mut s: DbSession) -> Result<Json<Vec<UserPublic>>, HttpError> {
    let users = s.exec(select::<User>().order_by(User::id())).await?;
    Ok(Json(users.into_iter().map(UserPublic::try_from).collect::<Result<_, _>>()?))
}

async fn search_users(mut s: DbSession, Query(q): Query<UserSearch>) -> Result<Json<Vec<UserPublic>>, HttpError> {
    let mut query = select::<User>().order_by(User::id()).limit(u64::try_from(q.limit).unwrap_or(0));
    if !q.name.is_empty() {
        query = query.filter(User::name().in_(q.name));
    }
    if !q.id.is_empty() {
        query = query.filter(User::id().in_(q.id));
    }
    let users = s.exec(query).await?;
    Ok(Json(users.into_iter().map(UserPublic::try_from).collect::<Result<_, _>>()?))
}

async fn read_user(mut s: DbSession, Path(user_id): Path<i64>) -> Result<Json<UserPublic>, HttpError> {
    let user = s.get::<User>(user_id).await?.ok_or_else(|| HttpError::not_found("User not found"))?;
    Ok(Json(user.try_into()?))
}

/// Deletes by key without reading first: a missing row is the library's `RowNotFound`.
async fn delete_user(mut s: DbSession, Path(user_id): Path<i64>) -> Result<Json<Value>, HttpError> {
    let user = User { id: Some(user_id), email: String::new(), name: String::new() };
    s.delete(&user).await?;
    s.commit().await?;
    Ok(Json(json!({"ok": true})))
}

async fn read_membership(Path((team_id, user_id)): Path<(i64, i64)>) -> Json<Value> {
    Json(json!({"team_id": team_id, "user_id": user_id}))
}

async fn greet(State(greeting): State<Greeting>) -> Json<Value> {
    Json(json!({"greeting": greeting.0}))
}

async fn forbidden() -> Result<Json<Value>, HttpError> {
    Err(HttpError::new(axum::http::StatusCode::UNAUTHORIZED, "Not authenticated")
        .with_header("www-authenticate", "Bearer"))
}

pub(crate) fn routes() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route("/users/", post(create_user))
        .api_route("/users/", get(read_users))
        .api_route("/users/uncommitted", post(create_user_uncommitted))
        .api_route("/users/failing", post(create_user_then_fail))
        .api_route("/users/validated", post(create_user_validated_in_handler))
        .api_route("/users/search", get(search_users))
        .api_route("/users/{user_id}", get(read_user))
        .api_route("/users/{user_id}", delete(delete_user))
        .api_route("/teams/{team_id}/users/{user_id}", get(read_membership))
        .api_route("/greeting", get(greet))
        .api_route("/private", get(forbidden))
}

/// The app over `state`, its tables created.
pub(crate) async fn client_with(state: AppState) -> TestClient {
    state.engine.create_all::<User>().await.unwrap();
    TestClient::new(with_docs(routes(), "Users", "1").with_state(state))
}

/// The app over `engine`, with the production greeting.
pub(crate) async fn client(engine: Engine) -> TestClient {
    client_with(AppState { engine, greeting: Greeting("Hello".into()) }).await
}

pub(crate) async fn sqlite() -> Engine {
    tablemodel::web::memory_engine().await.unwrap()
}
