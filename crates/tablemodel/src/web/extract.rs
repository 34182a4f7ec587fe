//! Request extractors that validate like FastAPI: a body, query or path that does not
//! validate is a 422 whose `detail` lists every error with its `loc` starting `"body"`,
//! `"query"` or `"path"`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::error::HttpError;
use crate::validate::{FromJson, LocItem, Schema, ValidationError, ValidationErrors, Validator};

/// A validated JSON body (`hero: HeroCreate` in a FastAPI handler), and a JSON response.
///
/// Malformed JSON is one `json_invalid` error at `["body", position]`; an empty body is
/// `missing` at `["body"]`; otherwise the model's errors, under `"body"`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: Schema> FromRequest<S> for Json<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &S) -> Result<Self, HttpError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| HttpError::new(e.status(), e.body_text()))?;
        parse_body(&bytes).map(Json)
    }
}

/// Validates a request body as FastAPI does.
pub(crate) fn parse_body<T: Schema>(bytes: &[u8]) -> Result<T, HttpError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        let missing = ValidationError::new("missing", "Field required", Value::Null).at("body");
        return Err(HttpError::unprocessable(ValidationErrors::new(T::TITLE, vec![missing])));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        let (position, reason) = python_json_error(bytes, &e);
        let error = ValidationError::new("json_invalid", "JSON decode error", json!({}))
            .with_ctx("error", reason)
            .at(position)
            .at("body");
        HttpError::unprocessable(ValidationErrors::new(T::TITLE, vec![error]))
    })?;
    T::validate(&value).map_err(|e| HttpError::unprocessable(e.prefixed("body")))
}

/// The position and message Python's `json` module gives for the same malformed input,
/// which FastAPI puts in `loc` and `ctx.error`; clients written against FastAPI see the same.
fn python_json_error(bytes: &[u8], e: &serde_json::Error) -> (usize, &'static str) {
    let text = String::from_utf8_lossy(bytes);
    let message = e.to_string();
    let reason = message.split(" at line ").next().unwrap_or(&message);
    let python = match reason {
        "EOF while parsing a value" | "expected value" => "Expecting value",
        "key must be a string" | "trailing comma" => "Expecting property name enclosed in double quotes",
        "EOF while parsing an object" | "EOF while parsing a list" | "expected `,` or `}`" | "expected `,` or `]`" => {
            "Expecting ',' delimiter"
        }
        "expected `:`" => "Expecting ':' delimiter",
        "trailing characters" => "Extra data",
        "EOF while parsing a string" => "Unterminated string starting at",
        _ => "Invalid JSON",
    };
    let position =
        if e.is_eof() { text.chars().count() } else { char_offset(&text, e.line(), e.column()).saturating_sub(1) };
    (position, python)
}

/// The character offset just after a 1-based line and column.
fn char_offset(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split('\n').enumerate() {
        if i + 1 == line {
            return offset + column;
        }
        offset += l.chars().count() + 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::python_json_error;

    #[test]
    fn malformed_json_is_located_and_named_as_python_does() {
        // (input, position, message) as Python's json.loads reports them.
        let cases = [
            ("{\"name\": ", 9, "Expecting value"),
            ("{bad", 1, "Expecting property name enclosed in double quotes"),
            ("{\"a\": 1", 7, "Expecting ',' delimiter"),
            ("{\"a\": 1,}", 8, "Expecting property name enclosed in double quotes"),
            ("[1, 2", 5, "Expecting ',' delimiter"),
            ("{\"a\" 1}", 5, "Expecting ':' delimiter"),
            ("{\"a\": x}", 6, "Expecting value"),
            ("{} extra", 3, "Extra data"),
            ("{\"a\": 1 \"b\": 2}", 8, "Expecting ',' delimiter"),
            ("\n\n  {\"a\": ]", 10, "Expecting value"),
        ];
        let mut wrong = Vec::new();
        for (input, position, message) in cases {
            let e = serde_json::from_str::<serde_json::Value>(input).unwrap_err();
            let got = python_json_error(input.as_bytes(), &e);
            if got != (position, message) {
                wrong.push(format!("{input:?}: got {got:?}, Python ({position}, {message:?}); serde said {e}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl<T: schemars::JsonSchema> aide::OperationInput for Json<T> {
    fn operation_input(ctx: &mut aide::generate::GenContext, operation: &mut aide::openapi::Operation) {
        <axum::Json<T> as aide::OperationInput>::operation_input(ctx, operation);
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
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: Schema> FromRequestParts<S> for Query<T> {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, HttpError> {
        let mut params = Map::new();
        for (key, value) in url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes()) {
            params.insert(key.into_owned(), Value::String(value.into_owned()));
        }
        T::validate(&Value::Object(params)).map(Query).map_err(|e| parameter_errors(e, "query"))
    }
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

/// One validated path parameter (`hero_id: int`): `Path<i64>` in a `/heroes/{hero_id}`
/// route. A value that does not validate is a 422 at `["path", "hero_id"]`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: FromJson> FromRequestParts<S> for Path<T> {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HttpError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| HttpError::new(e.status(), e.body_text()))?;
        let Some((name, value)) = params.iter().next() else {
            return Err(HttpError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "Path<T> used on a route without a path parameter",
            ));
        };
        let mut v = Validator::new();
        let parsed = v.nested(LocItem::from(name.to_owned()), |v| T::from_json(&Value::String(value.to_owned()), v));
        v.finish("path", parsed).map(Path).map_err(|e| HttpError::unprocessable(e.prefixed("path")))
    }
}

impl<T: FromJson> aide::OperationInput for Path<T> {
    fn operation_input(ctx: &mut aide::generate::GenContext, operation: &mut aide::openapi::Operation) {
        super::openapi::add_path_placeholder::<T>(ctx, operation);
    }
}
