//! Writing through relationships, as SQLAlchemy's save-update cascade does: a loaded parent
//! is written before its child and sets the child's foreign key; loaded children and
//! many-to-many lists are written after their owner, with link rows added and removed to
//! match; and what deleting a row does to the rows that point at it.

use sea_query::{ExprTrait, Query};

use super::handle::{Relationship, Shape};
use super::meta::{RelationKind, resolve};
use crate::error::Result;
use crate::meta::TableMeta;
use crate::model::Model;
use crate::session::Session;
use crate::types::Value;

fn is_new<M: Model>(model: &M) -> bool {
    M::META.primary_key.iter().all(|&k| crate::types::builtin::is_null(&model.column_value(k)))
}

/// Before `owner` is written: a loaded many-to-one parent is stored first (if new) and the
/// owner's foreign key set from it; a loaded `None` clears the key.
#[doc(hidden)]
pub async fn write_parent<O: Model, S: Shape>(s: &mut Session, owner: &mut O, rel: Relationship<O, S>) -> Result<()> {
    if rel.meta.kind != RelationKind::ToOne {
        return Ok(());
    }
    let r = resolve(O::META, rel.meta)?;
    if !r.owner_holds_key {
        return Ok(());
    }
    let Some(value) = (rel.field)(owner).get_mut() else { return Ok(()) };
    let key = match value.rows_mut().into_iter().next() {
        None => owner.column_value(r.local).as_null(),
        Some(parent) => {
            if is_new(parent) {
                *parent = s.add(parent.clone()).await?;
            }
            parent.column_value(r.remote)
        }
    };
    owner.set_column(r.local, key)?;
    Ok(())
}

/// After `owner` is written: loaded children get the owner's key and are stored; for an
/// owner that existed, rows it no longer lists are detached (their key set to NULL, or the
/// rows deleted with `cascade_delete`); many-to-many link rows are made to match the list.
#[doc(hidden)]
pub async fn write_children<O: Model, S: Shape>(
    s: &mut Session,
    owner: &mut O,
    rel: Relationship<O, S>,
    existed: bool,
) -> Result<()> {
    let r = resolve(O::META, rel.meta)?;
    if r.owner_holds_key {
        return Ok(());
    }
    let local = owner.column_value(r.local);
    let Some(value) = (rel.field)(owner).get_mut() else { return Ok(()) };
    let target = S::Target::META;
    let mut kept: Vec<Value> = Vec::new();
    match r.link {
        None => {
            for child in value.rows_mut() {
                child.set_column(r.remote, local.clone())?;
                store(s, child).await?;
                if let [k] = target.primary_key {
                    kept.push(child.column_value(*k));
                }
            }
            if existed && let [pk] = target.primary_key {
                detach_others(s, target, r.remote, *pk, local, kept, rel.meta.cascade_delete).await?;
            }
        }
        Some((link, owner_column, target_column)) => {
            for row in value.rows_mut() {
                if is_new(row) {
                    *row = s.add(row.clone()).await?;
                }
                kept.push(row.column_value(r.remote));
            }
            sync_links(s, link, owner_column, target_column, local, kept, existed).await?;
        }
    }
    Ok(())
}

/// Inserts a row without a key; updates one with a key, inserting it when no row has that
/// key yet (a link row whose key is its two foreign keys is new although its key is set).
async fn store<M: Model + Clone>(s: &mut Session, row: &mut M) -> Result<()> {
    if row.has_loaded_related() {
        // Parents first: their keys may be part of this row's key.
        row.write_related_before(s).await?;
    }
    if is_new(row) {
        *row = s.add(row.clone()).await?;
        return Ok(());
    }
    let plain_columns = M::META.columns.iter().any(|c| !c.primary_key);
    if plain_columns {
        match s.save(row).await {
            Err(crate::Error::RowNotFound { .. }) => {}
            other => return other,
        }
    } else if exists(s, row).await? {
        return Ok(());
    }
    *row = s.add(row.clone()).await?;
    Ok(())
}

/// Whether a row with `row`'s key is stored.
async fn exists<M: Model>(s: &mut Session, row: &M) -> Result<bool> {
    let mut q = crate::query::select::<M>();
    for &k in M::META.primary_key {
        let column = sea_query::Expr::col((M::META.name, M::META.columns[k].name));
        q = q.filter(crate::expr::Filter::from_expr(column.eq(row.column_value(k))));
    }
    Ok(s.first(q).await?.is_some())
}

async fn detach_others(
    s: &mut Session,
    target: &'static TableMeta,
    foreign_key: usize,
    pk: usize,
    local: Value,
    kept: Vec<Value>,
    delete: bool,
) -> Result<()> {
    let fk = sea_query::Expr::col((target.name, target.columns[foreign_key].name));
    let mut condition = fk.eq(local.clone());
    if !kept.is_empty() {
        condition = condition.and(sea_query::Expr::col((target.name, target.columns[pk].name)).is_not_in(kept));
    }
    let (sql, params) = if delete {
        s.dialect().render(Query::delete().from_table(target.name).cond_where(condition))
    } else {
        s.dialect().render(
            Query::update()
                .table(target.name)
                .value(target.columns[foreign_key].name, local.as_null())
                .cond_where(condition),
        )
    };
    s.write_sql(&sql, &params).await?;
    Ok(())
}

async fn sync_links(
    s: &mut Session,
    link: &'static TableMeta,
    owner_column: usize,
    target_column: usize,
    local: Value,
    kept: Vec<Value>,
    existed: bool,
) -> Result<()> {
    let owner_name = link.columns[owner_column].name;
    let target_name = link.columns[target_column].name;
    // Without `ON CONFLICT DO NOTHING` every link is deleted and the kept ones inserted again.
    let on_conflict = s.capabilities().on_conflict_do_nothing;
    let mut kept = kept;
    if !on_conflict {
        // A row listed twice must not insert its link twice.
        let mut unique: Vec<Value> = Vec::with_capacity(kept.len());
        for key in kept {
            if !unique.contains(&key) {
                unique.push(key);
            }
        }
        kept = unique;
    }
    if existed {
        let mut condition = sea_query::Expr::col((link.name, owner_name)).eq(local.clone());
        if on_conflict && !kept.is_empty() {
            condition = condition.and(sea_query::Expr::col((link.name, target_name)).is_not_in(kept.clone()));
        }
        let (sql, params) = s.dialect().render(Query::delete().from_table(link.name).cond_where(condition));
        s.write_sql(&sql, &params).await?;
    }
    for chunk in kept.chunks((s.capabilities().max_params / 2).min(10_000)) {
        let mut insert = Query::insert();
        insert.into_table(link.name).columns([owner_name, target_name]);
        for key in chunk {
            insert.values_panic([local.clone().into(), key.clone().into()]);
        }
        if on_conflict {
            insert.on_conflict(sea_query::OnConflict::columns([owner_name, target_name]).do_nothing().to_owned());
        }
        let (sql, params) = s.dialect().render(&insert);
        s.write_sql(&sql, &params).await?;
    }
    Ok(())
}

/// Whether deleting an `M` row may have to touch the rows of its relationships: `false`
/// when each is a many-to-one whose key `M` holds ([`before_delete`] would do nothing),
/// so that `delete` need not build its future.
#[inline]
pub(crate) fn before_delete_needed<M: Model>() -> bool {
    M::RELATIONS.iter().any(|rel| !super::meta::owner_holds_key(M::META, rel))
}

/// Before `model` is deleted: what its relationships ask for. Related rows are deleted
/// (`cascade_delete`), left to the database's `ON DELETE` (`passive_deletes`), or detached by
/// setting their foreign key to NULL (the default, as in SQLAlchemy); many-to-many link rows
/// are deleted unless `passive_deletes`.
pub(crate) async fn before_delete<M: Model>(s: &mut Session, model: &M) -> Result<()> {
    for rel in M::RELATIONS {
        let r = resolve(M::META, rel)?;
        if r.owner_holds_key || rel.passive_deletes {
            continue;
        }
        let local = model.column_value(r.local);
        let (sql, params) = match r.link {
            Some((link, owner_column, _)) => s.dialect().render(
                Query::delete()
                    .from_table(link.name)
                    .cond_where(sea_query::Expr::col((link.name, link.columns[owner_column].name)).eq(local)),
            ),
            None => {
                let target = rel.target;
                let fk = target.columns[r.remote].name;
                let condition = sea_query::Expr::col((target.name, fk)).eq(local.clone());
                if rel.cascade_delete {
                    s.dialect().render(Query::delete().from_table(target.name).cond_where(condition))
                } else {
                    s.dialect()
                        .render(Query::update().table(target.name).value(fk, local.as_null()).cond_where(condition))
                }
            }
        };
        s.write_sql(&sql, &params).await?;
    }
    Ok(())
}
