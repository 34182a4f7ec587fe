//! The static `TableMeta` of a table model.

use quote::quote;

use crate::model::ir::{Model, OnDelete};

pub(crate) fn expand(model: &Model) -> proc_macro2::TokenStream {
    let table = model.table.as_deref().unwrap_or_default();
    let rust_name = model.ident.to_string();
    let single_key = model.key_fields().count() == 1;
    let columns = model.columns().map(|(_, f)| {
        let ty = &f.ty;
        let name = &f.column_name;
        let field = f.ident.to_string();
        let mut sql_ty = quote! { <#ty as ::tablemodel::SqlType>::TYPE };
        if let Some((n, _)) = f.max_length {
            sql_ty = quote! { #sql_ty.with_max_length(#n) };
        }
        if let Some((d, p)) = f.precision {
            sql_ty = quote! { #sql_ty.with_precision(#d, #p) };
        }
        if let Some(sql) = &f.sql_type {
            sql_ty = quote! { #sql_ty.with_sql(#sql) };
        }
        let nullable = match (f.primary_key, f.nullable) {
            (true, _) => quote! { false },
            (false, Some(n)) => quote! { #n },
            (false, None) => quote! { <#ty as ::tablemodel::SqlType>::NULLABLE },
        };
        let primary_key = f.primary_key;
        // `&`, not `&&`: the metadata is built by const fn calls nested in `&[…]`, which
        // the compiler promotes to statics only when they contain no control flow.
        let autoincrement = if f.primary_key && single_key {
            quote! { <#ty as ::tablemodel::SqlType>::NULLABLE & <#ty as ::tablemodel::SqlType>::TYPE.kind.is_integer() }
        } else {
            quote! { false }
        };
        // SQLModel: `index=True, unique=True` makes a UNIQUE index and no separate constraint.
        let unique = f.unique && !f.index;
        let index = f.index;
        let mut column = quote! {
            ::tablemodel::ColumnMeta::new(#name, #field, #sql_ty)
                .with_nullable(#nullable)
                .with_primary_key(#primary_key)
                .with_autoincrement(#autoincrement)
                .with_unique(#unique)
                .with_index(#index)
        };
        if f.generated {
            column = quote! { #column.with_generated(true) };
        }
        if f.version {
            column = quote! { #column.with_version(true) };
        }
        if let Some(s) = &f.server_default {
            column = quote! { #column.with_server_default(#s) };
        }
        if let Some(old) = &f.renamed_from {
            column = quote! { #column.with_renamed_from(#old) };
        }
        if let Some((t, c)) = &f.foreign_key {
            let mut key = quote! { ::tablemodel::ForeignKeyMeta::new(#t, #c) };
            let action = match f.on_delete {
                Some(OnDelete::Cascade) => Some(quote! { Cascade }),
                Some(OnDelete::SetNull) => Some(quote! { SetNull }),
                Some(OnDelete::Restrict) => Some(quote! { Restrict }),
                Some(OnDelete::NoAction) => Some(quote! { NoAction }),
                None => None,
            };
            if let Some(action) = action {
                key = quote! { #key.with_on_delete(::tablemodel::OnDelete::#action) };
            }
            column = quote! { #column.with_foreign_key(#key) };
        }
        column
    });
    let key_positions = model.key_fields().map(|(i, _)| i);
    let indexes = model.columns().filter(|(_, f)| f.index).map(|(_, f)| {
        let name = format!("ix_{table}_{}", f.column_name);
        let column = &f.column_name;
        let unique = f.unique;
        quote! { ::tablemodel::IndexMeta::new(#name, &[#column], #unique) }
    });
    let mut meta = quote! {
        ::tablemodel::TableMeta::new(
            #table,
            #rust_name,
            &[#(#columns),*],
            &[#(#key_positions),*],
            &[#(#indexes),*],
        )
    };
    if let Some(old) = &model.renamed_from {
        meta = quote! { #meta.with_renamed_from(#old) };
    }
    quote! { &#meta }
}
