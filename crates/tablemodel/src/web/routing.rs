//! Documented routes: aide's `ApiRouter`, and method routers that name each operation after
//! its handler function, so the OpenAPI document has FastAPI's operation ids and summaries
//! (`read_heroes` → `read_heroes_heroes__get`, "Read Heroes").

pub use aide::axum::ApiRouter;
use aide::axum::routing as aide_routing;
use aide::axum::routing::ApiMethodRouter;
use aide::operation::{OperationHandler, OperationInput, OperationOutput};
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
