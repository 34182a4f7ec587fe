//! What Starlette answers when no route takes a request: `404 {"detail": "Not Found"}`,
//! `405 {"detail": "Method Not Allowed"}` (with `Allow`), and a `307` redirect to the same
//! path with the trailing slash added or removed when that path has a route (`/heroes` →
//! `/heroes/`), so clients written against FastAPI meet the same answers.

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::HttpError;

/// Adds Starlette's 404, 405 and trailing-slash redirects to `router`, whose routes are the
/// `templates` (`/heroes/{hero_id}`). Routes added to the router afterwards answer normally
/// but are not redirect targets.
pub(crate) fn starlette_fallbacks<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    templates: Vec<String>,
) -> Router<S> {
    let templates: Arc<[String]> = templates.into();
    router
        .method_not_allowed_fallback(|| async {
            HttpError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed").into_response()
        })
        .fallback(move |request: Request| {
            let templates = Arc::clone(&templates);
            async move { not_found(&request, &templates) }
        })
}

fn not_found(request: &Request, templates: &[String]) -> Response {
    let path = request.uri().path();
    if path != "/" {
        let other = match path.strip_suffix('/') {
            Some(stripped) => stripped.to_owned(),
            None => format!("{path}/"),
        };
        if templates.iter().any(|t| matches(t, &other)) {
            return redirect(request, &other);
        }
    }
    HttpError::new(StatusCode::NOT_FOUND, "Not Found").into_response()
}

/// A 307 to `path` with the request's query, absolute like Starlette's when the request
/// names its host.
fn redirect(request: &Request, path: &str) -> Response {
    let query = request.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    let location = match host {
        Some(host) => {
            let scheme = request.uri().scheme_str().unwrap_or("http");
            format!("{scheme}://{host}{path}{query}")
        }
        None => format!("{path}{query}"),
    };
    let mut response = StatusCode::TEMPORARY_REDIRECT.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Whether a route template (`/heroes/{hero_id}`, `/docs/{*rest}`) matches `path`: a
/// `{name}` segment takes one non-empty segment, `{*name}` the rest.
fn matches(template: &str, path: &str) -> bool {
    let mut wanted = template.split('/');
    let mut given = path.split('/');
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return true,
            (Some(w), _) if w.starts_with("{*") => return true,
            (Some(w), Some(g)) if w.starts_with('{') && w.ends_with('}') => {
                if g.is_empty() {
                    return false;
                }
            }
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn templates_match_like_starlettes_default_convertor() {
        assert!(matches("/heroes/", "/heroes/"));
        assert!(!matches("/heroes/", "/heroes"));
        assert!(matches("/heroes/{hero_id}", "/heroes/1"));
        assert!(matches("/heroes/{hero_id}", "/heroes/abc"));
        assert!(!matches("/heroes/{hero_id}", "/heroes/"));
        assert!(!matches("/heroes/{hero_id}", "/heroes/1/"));
        assert!(!matches("/heroes/{hero_id}", "/heroes/1/x"));
        assert!(matches("/docs/{*rest}", "/docs/a/b"));
        assert!(matches("/openapi.json", "/openapi.json"));
    }
}
