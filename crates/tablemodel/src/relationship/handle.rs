//! The typed handle of one relationship (`Team::heroes()`), and the shapes a relationship
//! field can have.

use super::meta::RelationMeta;
use super::related::Related;
use crate::model::Model;

/// What a relationship field holds once loaded: one row (`T`), maybe one (`Option<T>`), or
/// many (`Vec<T>`).
pub trait Shape: Sized + Send + Sync + 'static {
    /// The related model.
    type Target: Model + Clone;
    /// Builds the field value from the rows found for one owner; `None` when a required
    /// single row is missing.
    fn from_found(found: Vec<Self::Target>) -> Option<Self>;
    /// Builds the field value from one row: what a loaded row's back reference holds. The
    /// same as `from_found(vec![row])`, without the vector.
    fn from_one(row: Self::Target) -> Self;
    /// The loaded rows, to load nested relationships into.
    fn rows_mut(&mut self) -> Vec<&mut Self::Target>;
    /// The rows, to write them.
    fn rows(&self) -> Vec<&Self::Target>;
}

/// One related row held directly (`Team`) or boxed (`Box<Person>`, for a model that refers
/// to itself or to a model referring back to it). `#[derive(Model)]` implements it.
pub trait Single: Sized + Send + Sync + 'static {
    /// The model.
    type Target: Model;
    /// Wraps a row.
    fn wrap(row: Self::Target) -> Self;
    /// The row.
    fn row(&self) -> &Self::Target;
    /// The row, to change.
    fn row_mut(&mut self) -> &mut Self::Target;
}

impl<T: Single> Single for Box<T> {
    type Target = T::Target;
    fn wrap(row: T::Target) -> Self {
        Box::new(T::wrap(row))
    }
    fn row(&self) -> &T::Target {
        (**self).row()
    }
    fn row_mut(&mut self) -> &mut T::Target {
        (**self).row_mut()
    }
}

impl<T: Single> Shape for Vec<T>
where
    T::Target: Clone,
{
    type Target = T::Target;
    fn from_found(found: Vec<T::Target>) -> Option<Self> {
        Some(found.into_iter().map(T::wrap).collect())
    }
    fn from_one(row: T::Target) -> Self {
        vec![T::wrap(row)]
    }
    fn rows_mut(&mut self) -> Vec<&mut T::Target> {
        self.iter_mut().map(T::row_mut).collect()
    }
    fn rows(&self) -> Vec<&T::Target> {
        self.iter().map(T::row).collect()
    }
}

impl<T: Single> Shape for Option<T>
where
    T::Target: Clone,
{
    type Target = T::Target;
    fn from_found(found: Vec<T::Target>) -> Option<Self> {
        Some(found.into_iter().next().map(T::wrap))
    }
    fn from_one(row: T::Target) -> Self {
        Some(T::wrap(row))
    }
    fn rows_mut(&mut self) -> Vec<&mut T::Target> {
        self.iter_mut().map(T::row_mut).collect()
    }
    fn rows(&self) -> Vec<&T::Target> {
        self.iter().map(T::row).collect()
    }
}

impl<T: Single> Shape for T
where
    T::Target: Clone,
{
    type Target = T::Target;
    fn from_found(found: Vec<T::Target>) -> Option<Self> {
        found.into_iter().next().map(T::wrap)
    }
    fn from_one(row: T::Target) -> Self {
        T::wrap(row)
    }
    fn rows_mut(&mut self) -> Vec<&mut T::Target> {
        vec![self.row_mut()]
    }
    fn rows(&self) -> Vec<&T::Target> {
        vec![self.row()]
    }
}

/// One relationship of model `O` whose field holds an `S`: what `Team::heroes()` returns.
pub struct Relationship<O, S> {
    pub(crate) meta: &'static RelationMeta,
    pub(crate) field: fn(&mut O) -> &mut Related<S>,
    pub(crate) field_ref: fn(&O) -> &Related<S>,
}

impl<O, S> Clone for Relationship<O, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<O, S> Copy for Relationship<O, S> {}

impl<O, S> Relationship<O, S> {
    /// Used by `#[derive(Model)]`.
    #[doc(hidden)]
    pub const fn new(
        meta: &'static RelationMeta,
        field: fn(&mut O) -> &mut Related<S>,
        field_ref: fn(&O) -> &Related<S>,
    ) -> Self {
        Relationship { meta, field, field_ref }
    }

    /// The relationship field of `owner`.
    pub fn of<'a>(&self, owner: &'a O) -> &'a Related<S> {
        (self.field_ref)(owner)
    }

    /// What the derive recorded about it.
    pub fn meta(&self) -> &'static RelationMeta {
        self.meta
    }
}
