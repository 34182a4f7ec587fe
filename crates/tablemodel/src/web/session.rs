//! One database session per request, FastAPI's `Depends(get_session)`: the handler commits
//! what it wants kept; anything left uncommitted is rolled back when the request ends.
//!
//! The session takes its pooled connection at its first statement, not when the request
//! arrives: axum runs this extractor before the body is read, and a client that sends its
//! body slowly must not hold a connection the other requests need.

use std::ops::{Deref, DerefMut};

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use super::error::HttpError;
use crate::{Engine, Session};

/// A [`Session`] from the [`Engine`] in the app state, opened for this request
/// ([`Engine::lazy_session`]: its connection is taken at its first statement).
///
/// It dereferences to the session; dropping it (when the handler returns) rolls back any
/// transaction the handler did not commit.
pub struct DbSession(pub Session);

impl Deref for DbSession {
    type Target = Session;
    fn deref(&self) -> &Session {
        &self.0
    }
}

impl DerefMut for DbSession {
    fn deref_mut(&mut self) -> &mut Session {
        &mut self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for DbSession
where
    Engine: FromRef<S>,
{
    type Rejection = HttpError;

    async fn from_request_parts(_: &mut Parts, state: &S) -> Result<Self, HttpError> {
        Ok(DbSession(Engine::from_ref(state).lazy_session()))
    }
}

impl aide::OperationInput for DbSession {}
