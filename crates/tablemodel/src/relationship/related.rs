//! The value of a relationship field: loaded or not, never a silent empty list.

use serde::{Serialize, Serializer};

/// A relationship field: `team: Related<Option<Team>>`, `heroes: Related<Vec<Hero>>`.
///
/// Rows read from the database have their relationships `NotLoaded` until they are loaded
/// (lazily with [`Session::load`](crate::Session::load), or eagerly with
/// `select::<Team>().load(Team::heroes())`). A loaded empty list means "no rows", which is
/// never confused with "not asked". Read a loaded value with [`Related::loaded`] (or
/// [`Related::one`] for a many-to-one), which name the field in
/// [`Error::NotLoaded`](crate::Error::NotLoaded) when it was never loaded.
///
/// `Related::default()` is `NotLoaded`, so a table model that derives (or gets from
/// `#[derive(Model)]`) `Default` is written without naming its relationships:
/// `Hero { name: "Deadpond".into(), ..Default::default() }`.
///
/// Loading a one-to-many list (`Team::heroes()`) also fills each loaded row's many-to-one
/// side named by `back_populates` (`hero.team`) with a copy of the parent, without another
/// query; that copy has its own relationships `NotLoaded` (so the two never refer to each
/// other without end; each row costs one copy of its parent). Loading a one-to-one fills
/// the other side the same way. Loading a
/// many-to-one (`Hero::team()`) does not fill the parent's list, and a many-to-many does not
/// fill the other side's list: only some of their rows would be in hand, and a partial list
/// would read as the whole one.
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

impl<T> Related<Option<T>> {
    /// The related row of a loaded many-to-one (or one-to-one) relationship:
    /// `Ok(Some(row))`, `Ok(None)` when it was loaded and there is no row (a hero without a
    /// team), and [`Error::NotLoaded`](crate::Error::NotLoaded) naming the field when it was
    /// never loaded, so "not asked" is never read as "no row".
    ///
    /// ```
    /// use tablemodel::{Error, Related};
    /// let team: Related<Option<&str>> = Related::from(Some("Preventers"));
    /// assert_eq!(team.one("team")?, Some(&"Preventers"));
    ///
    /// let no_team: Related<Option<&str>> = Related::from(None);
    /// assert_eq!(no_team.one("team")?, None);
    ///
    /// let not_loaded: Related<Option<&str>> = Related::NotLoaded;
    /// assert!(matches!(not_loaded.one("team"), Err(Error::NotLoaded { field: "team" })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn one(&self, field: &'static str) -> crate::Result<Option<&T>> {
        self.loaded(field).map(Option::as_ref)
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
