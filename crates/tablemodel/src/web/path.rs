//! Validated path parameters: `Path<i64>` for `/heroes/{hero_id}`, a tuple
//! `Path<(i64, i64)>` for `/teams/{team_id}/heroes/{hero_id}`. A value that does not
//! validate is a 422 at `["path", "<name>"]`, every parameter's errors at once, as FastAPI
//! reports them; so is one that is not UTF-8 once percent-decoded (read as U+FFFD, as
//! Python's servers decode it).

use axum::extract::{FromRequestParts, MatchedPath, OriginalUri, RawPathParams};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde_json::Value;

use super::error::HttpError;
use crate::validate::{FromJson, LocItem, Validator};

/// Validated path parameters, in the order the route template names them.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use tablemodel::web::routing::{ApiRouter, get};
/// use tablemodel::web::{Path, TestClient, with_docs};
///
/// async fn read_member(Path((team_id, hero_id)): Path<(i64, i64)>) -> String {
///     format!("hero {hero_id} of team {team_id}")
/// }
///
/// let routes = ApiRouter::new().api_route("/teams/{team_id}/heroes/{hero_id}", get(read_member));
/// let client = TestClient::new(with_docs(routes, "Teams", "1"));
/// assert_eq!(client.get("/teams/1/heroes/2").await.text(), "hero 2 of team 1");
///
/// let detail = client.get("/teams/x/heroes/y").await.json()["detail"].clone();
/// assert_eq!(detail[0]["loc"], serde_json::json!(["path", "team_id"]));
/// assert_eq!(detail[1]["loc"], serde_json::json!(["path", "hero_id"]));
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Path<T>(pub T);

/// What a [`Path`] can hold: one parameter's type (any [`FromJson`] type), or a tuple of
/// them, one per parameter of the route.
pub trait PathParams: Sized {
    /// How many parameters the route must have.
    const COUNT: usize;

    /// Reads the parameters (name, raw value), recording errors at each one's name.
    fn from_params(params: &[(&str, &str)], v: &mut Validator) -> Option<Self>;

    /// Adds the parameters to an operation of the OpenAPI document.
    fn document(ctx: &mut aide::generate::GenContext, operation: &mut aide::openapi::Operation);
}

/// One parameter, read from its string as Pydantic reads a path parameter.
fn read<T: FromJson>(param: (&str, &str), v: &mut Validator) -> Option<T> {
    let (name, value) = param;
    v.nested(LocItem::from(name.to_owned()), |v| T::from_json(&Value::String(value.to_owned()), v))
}

impl<T: FromJson> PathParams for T {
    const COUNT: usize = 1;

    fn from_params(params: &[(&str, &str)], v: &mut Validator) -> Option<Self> {
        read(params[0], v)
    }

    fn document(ctx: &mut aide::generate::GenContext, operation: &mut aide::openapi::Operation) {
        super::openapi::add_path_placeholder::<T>(ctx, operation, 0);
    }
}

macro_rules! tuple_params {
    ($count:literal: $($t:ident $i:tt),+) => {
        impl<$($t: FromJson),+> PathParams for ($($t,)+) {
            const COUNT: usize = $count;

            fn from_params(params: &[(&str, &str)], v: &mut Validator) -> Option<Self> {
                // Every parameter is read, so that all their errors are reported.
                let values = ($(read::<$t>(params[$i], v),)+);
                Some(($(values.$i?,)+))
            }

            fn document(ctx: &mut aide::generate::GenContext, operation: &mut aide::openapi::Operation) {
                $(super::openapi::add_path_placeholder::<$t>(ctx, operation, $i);)+
            }
        }
    };
}

tuple_params!(2: A 0, B 1);
tuple_params!(3: A 0, B 1, C 2);
tuple_params!(4: A 0, B 1, C 2, D 3);

impl<S: Send + Sync, T: PathParams> FromRequestParts<S> for Path<T> {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HttpError> {
        let owned: Vec<(String, String)>;
        let raw = RawPathParams::from_request_parts(parts, state).await;
        let params: Vec<(&str, &str)> = match &raw {
            Ok(raw) => raw.iter().collect(),
            Err(e) => {
                owned = lossy_params(parts).ok_or_else(|| HttpError::new(e.status(), e.body_text()))?;
                owned.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect()
            }
        };
        if params.len() != T::COUNT {
            tracing::error!(
                target: "tablemodel::web",
                "{}: a Path of {} parameter(s) on a route with {}",
                parts.uri.path(),
                T::COUNT,
                params.len()
            );
            return Err(HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"));
        }
        let mut v = Validator::new();
        let parsed = T::from_params(&params, &mut v);
        v.finish("path", parsed).map(Path).map_err(|e| HttpError::unprocessable(e.prefixed("path")))
    }
}

/// The route's parameters decoded as the Python servers decode a path (`%FF` is not UTF-8:
/// it becomes U+FFFD), so that a value that is not UTF-8 is validated like any other and
/// answered 422 where FastAPI answers it, rather than axum's 400. Read from the route
/// template and the request's path, segment by segment; `None` when a parameter is not a
/// whole segment (`{*rest}`, `file.{ext}`) or the two do not line up.
fn lossy_params(parts: &Parts) -> Option<Vec<(String, String)>> {
    let template = parts.extensions.get::<MatchedPath>()?.as_str();
    let path = parts.extensions.get::<OriginalUri>().map_or(parts.uri.path(), |uri| uri.0.path());
    let (template, path): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    if template.len() != path.len() {
        return None;
    }
    let mut params = Vec::new();
    for (pattern, segment) in template.into_iter().zip(path) {
        if !pattern.contains('{') {
            continue;
        }
        let name = pattern.strip_prefix('{')?.strip_suffix('}')?;
        if name.starts_with('*') || name.contains(['{', '}']) {
            return None;
        }
        let value = percent_encoding::percent_decode_str(segment).decode_utf8_lossy().into_owned();
        params.push((name.to_owned(), value));
    }
    Some(params)
}

impl<T: PathParams> aide::OperationInput for Path<T> {
    fn operation_input(ctx: &mut aide::generate::GenContext, operation: &mut aide::openapi::Operation) {
        T::document(ctx, operation);
    }
}
