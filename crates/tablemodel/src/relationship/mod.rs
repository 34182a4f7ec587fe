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
pub use load::{Loader, Loading, Then};
pub use meta::{RelationKind, RelationMeta, Resolved, resolve};
pub use related::Related;
pub(crate) use write::before_delete;
#[doc(hidden)]
pub use write::{write_children, write_parent};

/// Whether `relations` has one named `name` whose target table is `target`: the
/// compile-time check of `back_populates`.
#[doc(hidden)]
pub const fn has_relation(relations: &[RelationMeta], name: &str, target: &str) -> bool {
    let mut i = 0;
    while i < relations.len() {
        if str_eq(relations[i].name, name) && str_eq(relations[i].target.name, target) {
            return true;
        }
        i += 1;
    }
    false
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
