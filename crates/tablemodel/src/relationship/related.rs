//! The value of a relationship field: loaded or not, never a silent empty list.

use serde::{Serialize, Serializer};

/// A relationship field: `team: Related<Option<Team>>`, `heroes: Related<Vec<Hero>>`.
///
/// Rows read from the database have their relationships `NotLoaded` until they are loaded
/// (lazily with [`Session::load`](crate::Session::load), or eagerly with
/// `select::<Team>().load(Team::heroes())`). A loaded empty list means "no rows", which is
/// never confused with "not asked".
///
/// ```
/// use tablemodel::Related;
/// let heroes: Related<Vec<&str>> = Related::default();
/// assert!(!heroes.is_loaded());
/// let heroes = Related::from(vec!["Deadpond"]);
/// assert_eq!(heroes.get().map(Vec::len), Some(1));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Related<T> {
    /// Not read from the database (or not given).
    #[default]
    NotLoaded,
    /// Read, or set by the program.
    Loaded(T),
}

impl<T> Related<T> {
    /// Whether the value is present.
    pub fn is_loaded(&self) -> bool {
        matches!(self, Related::Loaded(_))
    }

    /// The value, if loaded.
    pub fn get(&self) -> Option<&T> {
        match self {
            Related::Loaded(v) => Some(v),
            Related::NotLoaded => None,
        }
    }

    /// The value to change in place, if loaded.
    pub fn get_mut(&mut self) -> Option<&mut T> {
        match self {
            Related::Loaded(v) => Some(v),
            Related::NotLoaded => None,
        }
    }

    /// Sets the value (marks it loaded).
    pub fn set(&mut self, value: T) {
        *self = Related::Loaded(value);
    }

    /// The value, leaving `NotLoaded` behind.
    pub fn take(&mut self) -> Option<T> {
        match std::mem::take(self) {
            Related::Loaded(v) => Some(v),
            Related::NotLoaded => None,
        }
    }

    /// The value if loaded, else [`Error::NotLoaded`](crate::Error::NotLoaded) naming the field.
    pub fn loaded(&self, field: &'static str) -> crate::Result<&T> {
        self.get().ok_or(crate::Error::NotLoaded { field })
    }
}

impl<T> From<T> for Related<T> {
    fn from(value: T) -> Self {
        Related::Loaded(value)
    }
}

impl<T: Serialize> Serialize for Related<T> {
    /// A loaded value serializes as itself; model serializers leave unloaded fields out.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Related::Loaded(v) => v.serialize(s),
            Related::NotLoaded => s.serialize_none(),
        }
    }
}
