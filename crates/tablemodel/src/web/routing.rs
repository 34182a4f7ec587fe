//! Documented routes: aide's `ApiRouter`, and method routers that name each operation after
//! its handler function, so the OpenAPI document has FastAPI's operation ids and summaries
//! (`read_heroes` → `read_heroes_heroes__get`, "Read Heroes"), and the `*_with` forms that
//! also document the error statuses a route answers, as FastAPI's `responses=` does.

pub use aide::axum::ApiRouter;
use aide::axum::routing as aide_routing;
use aide::axum::routing::ApiMethodRouter;
use aide::openapi::{ReferenceOr, StatusCode};
use aide::operation::{OperationHandler, OperationInput, OperationOutput};
use aide::transform::TransformOperation;
use axum::handler::Handler;

/// The handler's function name: `heroes::routes::read_heroes` → `read_heroes`; `None` for a
/// closure.
fn handler_name<H>() -> Option<&'static str> {
    let full = std::any::type_name::<H>();
    let last = full.rsplit("::").next().unwrap_or(full);
    (!last.contains('{') && !last.contains('<')).then_some(last)
}

macro_rules! method {
    ($($name:ident),*) => {$(
        #[doc = concat!("A documented `", stringify!($name), "` route named after its handler.")]
        pub fn $name<H, I, O, T, S>(handler: H) -> ApiMethodRouter<S>
        where
            H: Handler<T, S> + OperationHandler<I, O>,
            I: OperationInput,
            O: OperationOutput,
            T: 'static,
            S: Clone + Send + Sync + 'static,
        {
            match handler_name::<H>() {
                Some(id) => with_id::$name(handler, id),
                None => aide_routing::$name(handler),
            }
        }
    )*};
}

method!(get, post, put, patch, delete);

macro_rules! method_with {
    ($($name:ident => $with:ident),*) => {$(
        #[doc = concat!("A documented `", stringify!($name), "` route named after its handler, whose operation ")]
        #[doc = "`transform` completes, usually with [`responses`]."]
        pub fn $with<H, I, O, T, S>(
            handler: H,
            transform: impl FnOnce(TransformOperation<'_>) -> TransformOperation<'_>,
        ) -> ApiMethodRouter<S>
        where
            H: Handler<T, S> + OperationHandler<I, O>,
            I: OperationInput,
            O: OperationOutput,
            T: 'static,
            S: Clone + Send + Sync + 'static,
        {
            let id = handler_name::<H>();
            aide_routing::$with(handler, move |op| {
                let op = match id {
                    Some(id) => op.id(id),
                    None => op,
                };
                transform(op)
            })
        }
    )*};
}

method_with!(get => get_with, post => post_with, put => put_with, patch => patch_with, delete => delete_with);

/// The reference of the `{"detail": "…"}` body of an error response, the `HTTPError`
/// component schema that the finished document defines.
pub(crate) const HTTP_ERROR_REF: &str = "#/components/schemas/HTTPError";

/// Documents error statuses an operation answers besides its success and the 422 of its
/// input, each with a description and [`HttpError`](super::HttpError)'s body
/// (`{"detail": "…"}`): FastAPI's `responses={404: {"model": HTTPError, "description": …}}`.
/// (A [`Json`](super::Json) body documents its own 400, 408 and 413.)
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use tablemodel::web::routing::{ApiRouter, get_with, responses};
/// use tablemodel::web::{HttpError, Json, Path, TestClient, with_docs};
///
/// async fn read_item(Path(id): Path<i64>) -> Result<Json<i64>, HttpError> {
///     if id == 1 { Ok(Json(1)) } else { Err(HttpError::not_found("Item not found")) }
/// }
///
/// let routes = ApiRouter::new()
///     .api_route("/items/{id}", get_with(read_item, |op| responses(op, &[(404, "Item not found")])));
/// let doc = TestClient::new(with_docs(routes, "Items", "1.0")).get("/openapi.json").await.json();
/// let not_found = &doc["paths"]["/items/{id}"]["get"]["responses"]["404"];
/// assert_eq!(not_found["description"], "Item not found");
/// assert_eq!(doc["components"]["schemas"]["HTTPError"]["required"], serde_json::json!(["detail"]));
/// # }
/// ```
pub fn responses<'a>(mut op: TransformOperation<'a>, list: &[(u16, &str)]) -> TransformOperation<'a> {
    document_errors(op.inner_mut(), list);
    op
}

/// Adds error responses (status, description) with the `HTTPError` body to `operation`: what
/// [`responses`] does, and what an extractor calls for the statuses it answers itself.
pub(crate) fn document_errors(operation: &mut aide::openapi::Operation, list: &[(u16, &str)]) {
    let responses = operation.responses.get_or_insert_with(Default::default);
    for &(status, description) in list {
        let response = serde_json::json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": HTTP_ERROR_REF}}}
        });
        match serde_json::from_value(response) {
            Ok(response) => {
                responses.responses.insert(StatusCode::Code(status), ReferenceOr::Item(response));
            }
            Err(e) => tracing::error!(target: "tablemodel::web", "cannot document response {status}: {e}"),
        }
    }
}

/// The `*_with` forms, setting the operation id.
mod with_id {
    use super::*;

    macro_rules! with {
        ($($name:ident => $with:ident),*) => {$(
            pub(super) fn $name<H, I, O, T, S>(handler: H, id: &'static str) -> ApiMethodRouter<S>
            where
                H: Handler<T, S> + OperationHandler<I, O>,
                I: OperationInput,
                O: OperationOutput,
                T: 'static,
                S: Clone + Send + Sync + 'static,
            {
                aide_routing::$with(handler, move |op| op.id(id))
            }
        )*};
    }

    with!(get => get_with, post => post_with, put => put_with, patch => patch_with, delete => delete_with);
}
