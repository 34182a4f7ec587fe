//! Relationships between models (SQLModel's `Relationship()`): many-to-one, one-to-many,
//! one-to-one, many-to-many through a link model, self-referential; lazy and eager loading;
//! writes that follow relationships; what deleting does to related rows.
//!
//! Declared on a `#[derive(Model)]` field of type [`Related<T>`], [`Related<Option<T>>`] or
//! [`Related<Vec<T>>`] with `#[relationship(...)]`; the join columns come from the foreign
//! keys of the two tables (or the link table), found when the relationship is first used.

mod handle;
mod load;
mod meta;
mod related;
mod write;

pub use handle::{Relationship, Shape, Single};
pub use load::{Loader, Loading, Planned, Then};
pub use meta::{RelationKind, RelationMeta, Resolved, resolve};
pub use related::Related;
pub(crate) use write::{before_delete, before_delete_needed};
/// What the code `#[derive(Model)]` generates calls; re-exported by `crate::__private`, not
/// a public API.
pub(crate) mod support {
    pub use super::meta::has_relation;
    pub use super::write::{write_children, write_parent};
}
