//! Reads `#[relationship(...)]` on a `Related<…>` field.

use syn::spanned::Spanned;

use super::ir::{RelationKind, Relationship};
use crate::attr::{parse_keys, string};

const KEYS: &str = "`back_populates`, `link_model`, `foreign_key`, `cascade_delete`, `passive_deletes`";

/// The argument of the last path segment named `name`: `Vec<T>` → `T`.
fn generic_arg<'a>(ty: &'a syn::Type, name: &str) -> Option<&'a syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

/// The relationship of `field`, if it has `#[relationship]`.
pub(crate) fn parse(field: &syn::Field, is_table: bool, errors: &mut Vec<syn::Error>) -> Option<Relationship> {
    let attr = field.attrs.iter().find(|a| a.path().is_ident("relationship"))?;
    if !is_table {
        errors.push(syn::Error::new(attr.span(), "relationships belong to table models; add #[model(table)]"));
        return None;
    }
    let Some(shape) = generic_arg(&field.ty, "Related") else {
        errors.push(syn::Error::new(
            field.ty.span(),
            "a relationship field has type Related<T>, Related<Option<T>> or Related<Vec<T>>",
        ));
        return None;
    };
    let (target, many) = match (generic_arg(shape, "Vec"), generic_arg(shape, "Option")) {
        (Some(t), _) => (t.clone(), true),
        (None, Some(t)) => (t.clone(), false),
        (None, None) => (shape.clone(), false),
    };
    // `Box<T>` (for self-reference) relates to `T`.
    let target = generic_arg(&target, "Box").cloned().unwrap_or(target);
    let mut out = Relationship {
        shape: shape.clone(),
        target,
        kind: if many { RelationKind::ToMany } else { RelationKind::ToOne },
        back_populates: None,
        link_model: None,
        foreign_key: None,
        cascade_delete: false,
        passive_deletes: false,
    };
    parse_keys(&field.attrs, "relationship", errors, |key, meta| {
        match key {
            "back_populates" => out.back_populates = Some(string(meta)?),
            "link_model" => out.link_model = Some(meta.value()?.parse()?),
            "foreign_key" => out.foreign_key = Some(string(meta)?.value()),
            "cascade_delete" => out.cascade_delete = true,
            "passive_deletes" => {
                // SQLAlchemy spells it `passive_deletes=True` or `"all"`; both mean the same here.
                if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                out.passive_deletes = true;
            }
            other => {
                return Err(meta.error(format!("unknown relationship attribute `{other}`; expected one of {KEYS}")));
            }
        }
        Ok(())
    });
    if out.link_model.is_some() {
        if many {
            out.kind = RelationKind::ManyToMany;
        } else {
            errors.push(syn::Error::new(field.ty.span(), "`link_model` needs a Related<Vec<T>> field"));
        }
    }
    Some(out)
}
