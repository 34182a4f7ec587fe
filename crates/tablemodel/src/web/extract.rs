//! Request extractors that validate like FastAPI: a body, query or path that does not
//! validate is a 422 whose `detail` lists every error with its `loc` starting `"body"`,
//! `"query"` or `"path"`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::error::HttpError;
use super::pyjson;
use crate::validate::{FromJson, Schema, ValidationError, ValidationErrors, Validator};

/// A validated JSON body (`hero: HeroCreate` in a FastAPI handler), and a JSON response.
///
/// The body can be any [`FromJson`] type: a model, `Vec<Model>`, or `serde_json::Value`
/// (FastAPI's `body: dict`, any JSON).
///
/// As FastAPI does: an empty body (or JSON `null`) is `missing` at `["body"]`; the body is
/// parsed as JSON only under an `application/json` or `application/*+json` content type
/// (FastAPI's default `strict_content_type`: without one a browser form cannot post JSON
/// across origins), otherwise its text is validated, and a model rejects it with
/// `model_attributes_type`; malformed JSON is one `json_invalid` error at
/// `["body", position]` with Python's message in `ctx.error`; a body that is not UTF-8 is a
/// 400. Otherwise the model's own errors, under `"body"`.
///
/// As an input, it documents in the OpenAPI document the statuses reading the body
/// answers: 400, 408 (a body later than the [`Server`](super::Server)'s body read timeout)
/// and 413 (over the body size limit), each with the `{"detail": "…"}` body.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: FromJson> FromRequest<S> for Json<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &S) -> Result<Self, HttpError> {
        let json = is_json(req.headers().get(header::CONTENT_TYPE));
        let deadline = req.extensions().get::<super::server::BodyDeadline>().copied();
        let read = Bytes::from_request(req, state);
        let bytes = match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline.0.into(), read).await.map_err(|_| body_timed_out())?,
            None => read.await,
        }
        .map_err(|e| HttpError::new(e.status(), e.body_text()))?;
        parse_body(json, &bytes).map(Json)
    }
}

/// The answer to a body that did not arrive by its [`Server`](super::Server) deadline; the
/// connection is closed, its client still being in the middle of the body.
fn body_timed_out() -> HttpError {
    HttpError::new(StatusCode::REQUEST_TIMEOUT, BODY_ERRORS[1].1).with_header("connection", "close")
}

/// Whether FastAPI would parse a body with this content type as JSON.
fn is_json(content_type: Option<&HeaderValue>) -> bool {
    let Some(value) = content_type.and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match essence.split_once('/') {
        Some(("application", subtype)) => subtype == "json" || subtype.ends_with("+json"),
        _ => false,
    }
}

/// Validates a request body as FastAPI does; `json` tells whether its content type is JSON.
fn parse_body<T: FromJson>(json: bool, bytes: &[u8]) -> Result<T, HttpError> {
    let missing = || {
        let missing = ValidationError::new("missing", "Field required", Value::Null).at("body");
        HttpError::unprocessable(ValidationErrors::new("body", vec![missing]))
    };
    if bytes.is_empty() {
        return Err(missing());
    }
    let value = if json { decode_json(bytes)? } else { Value::String(String::from_utf8_lossy(bytes).into_owned()) };
    if value.is_null() {
        return Err(missing());
    }
    let mut v = Validator::new();
    let parsed = T::from_json(&value, &mut v);
    v.finish("body", parsed).map_err(|e| HttpError::unprocessable(from_attributes(e).prefixed("body")))
}

/// FastAPI validates with `from_attributes=True`, so what is not an object is reported as
/// `model_attributes_type`, not `model_type`.
fn from_attributes(errors: ValidationErrors) -> ValidationErrors {
    let title = errors.title().to_owned();
    let errors = errors
        .into_errors()
        .into_iter()
        .map(|mut e| {
            if e.kind == "model_type" {
                e.kind = "model_attributes_type".into();
                e.msg = "Input should be a valid dictionary or object to extract fields from".into();
                e.ctx = None;
            }
            e
        })
        .collect();
    ValidationErrors::new(title, errors)
}

/// `json.loads(body)` as Starlette calls it: UTF-8 with an optional byte order mark, the
/// errors located and worded as Python does.
fn decode_json(bytes: &[u8]) -> Result<Value, HttpError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let unparsable = || HttpError::new(StatusCode::BAD_REQUEST, BODY_ERRORS[0].1);
    let text = std::str::from_utf8(bytes).map_err(|_| unparsable())?;
    serde_json::from_str(text).map_err(|e| {
        if e.to_string().starts_with("recursion limit exceeded") {
            return unparsable();
        }
        let (position, reason) = match pyjson::first_error(text) {
            Some((position, reason)) => (position, reason.to_owned()),
            None => {
                let message = e.to_string();
                let reason = message.split(" at line ").next().unwrap_or(&message).to_owned();
                (char_position(text, e.line(), e.column()), reason)
            }
        };
        let error = ValidationError::new("json_invalid", "JSON decode error", json!({}))
            .with_ctx("error", reason)
            .at(position)
            .at("body");
        HttpError::unprocessable(ValidationErrors::new("body", vec![error]))
    })
}

/// The character position of serde_json's 1-based line and byte column.
fn char_position(text: &str, line: usize, column: usize) -> usize {
    let mut chars = 0;
    for (i, l) in text.split('\n').enumerate() {
        if i + 1 == line {
            let column = column.saturating_sub(1).min(l.len());
            return chars + l.get(..column).map_or(column, |prefix| prefix.chars().count());
        }
        chars += l.chars().count() + 1;
    }
    text.chars().count()
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// The statuses a [`Json`] body answers by itself, before the handler runs, as the OpenAPI
/// document lists them (besides the 422 of a body that does not validate): a body that
/// cannot be read as JSON text, one that did not arrive by the [`Server`](super::Server)'s
/// body read timeout, and one over the body size limit (axum's, 2 MB by default).
pub(crate) const BODY_ERRORS: [(u16, &str); 3] = [
    (400, "There was an error parsing the body"),
    (408, "Request body not received in time"),
    (413, "The request body is too large"),
];

impl<T: schemars::JsonSchema> aide::OperationInput for Json<T> {
    /// The request body's schema, and the statuses reading it can answer (400, 408, 413).
    fn operation_input(ctx: &mut aide::generate::GenContext, operation: &mut aide::openapi::Operation) {
        <axum::Json<T> as aide::OperationInput>::operation_input(ctx, operation);
        super::routing::document_errors(operation, &BODY_ERRORS);
    }
}

impl<T: schemars::JsonSchema> aide::OperationOutput for Json<T> {
    type Inner = T;
    fn operation_response(
        ctx: &mut aide::generate::GenContext,
        operation: &mut aide::openapi::Operation,
    ) -> Option<aide::openapi::Response> {
        <axum::Json<T> as aide::OperationOutput>::operation_response(ctx, operation)
    }
    fn inferred_responses(
        ctx: &mut aide::generate::GenContext,
        operation: &mut aide::openapi::Operation,
    ) -> Vec<(Option<u16>, aide::openapi::Response)> {
        <axum::Json<T> as aide::OperationOutput>::inferred_responses(ctx, operation)
    }
}

/// Validated query parameters: a model whose fields are the parameters
/// (`offset: i64` with `default = 0`, `limit` with `le = 100`). Values arrive as strings
/// and are coerced as Pydantic does; errors are at `["query", name]`.
///
/// As in FastAPI, a parameter given twice keeps its last value, except for a list field
/// (`Vec<T>`, `Option<Vec<T>>`), which receives every value in order: `?team=A&team=B` is
/// `vec!["A", "B"]`, and an item that does not validate is reported at
/// `["query", "team", 1]`. The OpenAPI document shows such a parameter as an array.
///
/// ```
/// use tablemodel::prelude::*;
/// use tablemodel::web::Query;
/// use axum::extract::FromRequestParts;
///
/// #[derive(Model, Debug)]
/// struct Search {
///     #[field(default = Vec::new())]
///     team: Vec<String>,
///     #[field(default = 10)]
///     limit: i64,
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = axum::http::Request::get("/heroes/?team=A&limit=1&team=B&limit=5").body(()).unwrap();
/// let (mut parts, ()) = request.into_parts();
/// let Query(search) = Query::<Search>::from_request_parts(&mut parts, &()).await.unwrap();
/// assert_eq!(search.team, ["A", "B"]);
/// assert_eq!(search.limit, 5, "a scalar keeps the last value");
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: Schema + 'static> FromRequestParts<S> for Query<T> {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, HttpError> {
        let lists = list_fields::<T>();
        let mut params = Map::new();
        for (key, value) in url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes()) {
            let value = Value::String(value.into_owned());
            if lists.iter().any(|name| *name == key) {
                match params.entry(key.into_owned()).or_insert_with(|| Value::Array(Vec::new())) {
                    Value::Array(items) => items.push(value),
                    other => *other = Value::Array(vec![value]),
                }
            } else {
                params.insert(key.into_owned(), value);
            }
        }
        T::validate(&Value::Object(params)).map(Query).map_err(|e| parameter_errors(e, "query"))
    }
}

/// The names of `T`'s properties whose JSON Schema is an array (possibly nullable): the
/// query parameters that collect every repeated value. Read once per type from its schema.
fn list_fields<T: schemars::JsonSchema + 'static>() -> &'static [String] {
    use std::any::TypeId;
    use std::collections::HashMap;
    use std::sync::{OnceLock, RwLock};

    type Lists = RwLock<HashMap<TypeId, &'static [String]>>;
    static LISTS: OnceLock<Lists> = OnceLock::new();
    let lists = LISTS.get_or_init(Default::default);
    let id = TypeId::of::<T>();
    if let Some(found) = lists.read().unwrap_or_else(|e| e.into_inner()).get(&id) {
        return found;
    }
    let schema = schemars::SchemaGenerator::default().into_root_schema_for::<T>().to_value();
    let is_array = |s: &Value| s.get("type").and_then(Value::as_str) == Some("array");
    let names: Vec<String> = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, s)| {
            is_array(s)
                || s.get("anyOf").and_then(Value::as_array).is_some_and(|branches| branches.iter().any(is_array))
        })
        .map(|(name, _)| name.clone())
        .collect();
    // One small leak per query type, so requests read the list without locking it twice.
    let names: &'static [String] = Box::leak(names.into_boxed_slice());
    lists.write().unwrap_or_else(|e| e.into_inner()).entry(id).or_insert(names)
}

/// FastAPI validates each parameter on its own: a missing one has `input: null`.
fn parameter_errors(errors: ValidationErrors, location: &'static str) -> HttpError {
    let title = errors.title().to_owned();
    let errors: Vec<ValidationError> = errors
        .into_errors()
        .into_iter()
        .map(|mut e| {
            if e.kind == "missing" && e.loc.len() == 1 {
                e.input = Value::Null;
            }
            e.at(location)
        })
        .collect();
    HttpError::unprocessable(ValidationErrors::new(title, errors))
}

impl<T: schemars::JsonSchema> aide::OperationInput for Query<T> {
    fn operation_input(ctx: &mut aide::generate::GenContext, operation: &mut aide::openapi::Operation) {
        <axum::extract::Query<T> as aide::OperationInput>::operation_input(ctx, operation);
    }
}
