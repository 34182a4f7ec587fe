//! The Pydantic half of tablemodel models: validation errors compared with what Pydantic v2
//! answers for the same model and input, JSON Schemas compared with SQLModel's, companion
//! types, PATCH semantics, custom validators, aliases and dumping.

mod companions;
mod composition;
mod dumping;
#[cfg(all(feature = "email", feature = "url"))]
mod formats;
mod models;
mod parity;
mod properties;
mod schemas;
mod validators;
