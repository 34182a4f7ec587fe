//! What the derive records about a relationship, and how its join columns are found in
//! the tables' foreign keys when it is first used.

use crate::error::{Error, Result};
use crate::meta::TableMeta;

/// The shape of a relationship field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelationKind {
    /// `Related<T>` or `Related<Option<T>>`: many-to-one, or the reverse side of a one-to-one.
    ToOne,
    /// `Related<Vec<T>>` without a link model: one-to-many.
    ToMany,
    /// `Related<Vec<T>>` with `link_model`: many-to-many through a link table.
    ManyToMany,
}

/// One relationship of a model, as declared with `#[relationship(...)]`.
#[derive(Debug)]
pub struct RelationMeta {
    /// The field name.
    pub name: &'static str,
    /// The related table.
    pub target: &'static TableMeta,
    /// Its shape.
    pub kind: RelationKind,
    /// The link table of a many-to-many relationship.
    pub link: Option<&'static TableMeta>,
    /// The foreign-key column that disambiguates, when two keys could serve.
    pub foreign_key: Option<&'static str>,
    /// The relationship on the other model that mirrors this one.
    pub back_populates: Option<&'static str>,
    /// Deleting the owner deletes the related rows (`cascade_delete`).
    pub cascade_delete: bool,
    /// Deleting the owner leaves the related rows to the database's `ON DELETE`.
    pub passive_deletes: bool,
}

/// The columns a relationship joins on, as positions in each table's `columns`.
#[derive(Clone, Copy, Debug)]
pub struct Resolved {
    /// The owner's column whose value identifies its related rows.
    pub local: usize,
    /// The target's column compared with it (for many-to-many: the target's key).
    pub remote: usize,
    /// Whether the foreign key is on the owner (many-to-one) rather than the target.
    pub owner_holds_key: bool,
    /// For many-to-many: the link table, its column naming the owner and the one naming the target.
    pub link: Option<(&'static TableMeta, usize, usize)>,
}

fn column(table: &TableMeta, name: &str) -> Option<usize> {
    table.columns.iter().position(|c| c.name == name)
}

/// The foreign-key columns of `table` that reference `to`, or the one named `named`.
fn keys_to(table: &TableMeta, to: &TableMeta, named: Option<&str>) -> Vec<usize> {
    table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.foreign_key.is_some_and(|fk| fk.table == to.name))
        .filter(|(_, c)| named.is_none_or(|n| c.name == n || c.field == n))
        .map(|(i, _)| i)
        .collect()
}

/// Whether `rel` of `owner` resolves to a many-to-one whose foreign key is on `owner`
/// (as [`resolve`] finds it, without its allocations): deleting an owner leaves such a
/// relationship's rows alone.
pub(crate) fn owner_holds_key(owner: &TableMeta, rel: &RelationMeta) -> bool {
    if rel.kind != RelationKind::ToOne {
        return false;
    }
    let target = rel.target;
    let mut keys = owner
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.foreign_key.is_some_and(|fk| fk.table == target.name))
        .filter(|(_, c)| rel.foreign_key.is_none_or(|n| c.name == n || c.field == n));
    match (keys.next(), keys.next()) {
        (Some((fk, _)), None) => referenced(target, owner, fk).is_ok(),
        _ => false,
    }
}

fn ambiguity(owner: &TableMeta, rel: &RelationMeta, found: usize) -> Error {
    Error::InvalidRelationship(format!(
        "relationship `{}.{}`: {} foreign keys could join `{}` to `{}`; name one with \
         #[relationship(foreign_key = \"column\")]",
        owner.name,
        rel.name,
        if found == 0 { "no".to_owned() } else { found.to_string() },
        owner.name,
        rel.target.name
    ))
}

fn referenced(table: &TableMeta, fk_holder: &TableMeta, fk: usize) -> Result<usize> {
    let target = fk_holder.columns[fk].foreign_key.map(|f| f.column).unwrap_or_default();
    column(table, target).ok_or_else(|| {
        Error::InvalidRelationship(format!(
            "`{}.{}` references a missing column `{}.{target}`",
            fk_holder.name, fk_holder.columns[fk].name, table.name
        ))
    })
}

/// Finds the join columns of `rel`, declared on `owner`.
pub fn resolve(owner: &'static TableMeta, rel: &RelationMeta) -> Result<Resolved> {
    let target = rel.target;
    match rel.kind {
        RelationKind::ManyToMany => {
            let link = rel.link.ok_or_else(|| ambiguity(owner, rel, 0))?;
            let to_owner = keys_to(link, owner, None);
            let to_target = keys_to(link, target, None);
            let (&o, &t) = match (to_owner.as_slice(), to_target.as_slice()) {
                ([o], [t]) => (o, t),
                _ => return Err(ambiguity(link, rel, to_owner.len().max(to_target.len()))),
            };
            Ok(Resolved {
                local: referenced(owner, link, o)?,
                remote: referenced(target, link, t)?,
                owner_holds_key: false,
                link: Some((link, o, t)),
            })
        }
        RelationKind::ToOne => {
            // The key is on the owner (many-to-one), else on the target (reverse one-to-one).
            let on_owner = keys_to(owner, target, rel.foreign_key);
            if let [fk] = on_owner.as_slice() {
                return Ok(Resolved {
                    local: *fk,
                    remote: referenced(target, owner, *fk)?,
                    owner_holds_key: true,
                    link: None,
                });
            }
            let on_target = keys_to(target, owner, rel.foreign_key);
            match on_target.as_slice() {
                [fk] if on_owner.is_empty() => Ok(Resolved {
                    local: referenced(owner, target, *fk)?,
                    remote: *fk,
                    owner_holds_key: false,
                    link: None,
                }),
                _ => Err(ambiguity(owner, rel, on_owner.len() + on_target.len())),
            }
        }
        RelationKind::ToMany => match keys_to(target, owner, rel.foreign_key).as_slice() {
            [fk] => {
                Ok(Resolved { local: referenced(owner, target, *fk)?, remote: *fk, owner_holds_key: false, link: None })
            }
            other => Err(ambiguity(owner, rel, other.len())),
        },
    }
}

/// Whether `relations` has one named `name` whose target table is `target`: the
/// compile-time check of `back_populates`.
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
