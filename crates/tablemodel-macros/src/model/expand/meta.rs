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
        let autoincrement = if f.primary_key && single_key {
            quote! { <#ty as ::tablemodel::SqlType>::NULLABLE && <#ty as ::tablemodel::SqlType>::TYPE.kind.is_integer() }
        } else {
            quote! { false }
        };
        // SQLModel: `index=True, unique=True` makes a UNIQUE index and no separate constraint.
        let unique = f.unique && !f.index;
        let index = f.index;
        let server_default = match &f.server_default {
            Some(s) => quote! { ::core::option::Option::Some(#s) },
            None => quote! { ::core::option::Option::None },
        };
        let foreign_key = match &f.foreign_key {
            Some((t, c)) => {
                let on_delete = match f.on_delete {
                    Some(OnDelete::Cascade) => quote! { ::core::option::Option::Some(::tablemodel::OnDelete::Cascade) },
                    Some(OnDelete::SetNull) => quote! { ::core::option::Option::Some(::tablemodel::OnDelete::SetNull) },
                    Some(OnDelete::Restrict) => quote! { ::core::option::Option::Some(::tablemodel::OnDelete::Restrict) },
                    Some(OnDelete::NoAction) => quote! { ::core::option::Option::Some(::tablemodel::OnDelete::NoAction) },
                    None => quote! { ::core::option::Option::None },
                };
                quote! { ::core::option::Option::Some(::tablemodel::ForeignKeyMeta { table: #t, column: #c, on_delete: #on_delete }) }
            }
            None => quote! { ::core::option::Option::None },
        };
        quote! {
            ::tablemodel::ColumnMeta {
                name: #name,
                field: #field,
                ty: #sql_ty,
                nullable: #nullable,
                primary_key: #primary_key,
                autoincrement: #autoincrement,
                unique: #unique,
                index: #index,
                server_default: #server_default,
                foreign_key: #foreign_key,
            }
        }
    });
    let key_positions = model.key_fields().map(|(i, _)| i);
    let indexes = model.columns().filter(|(_, f)| f.index).map(|(_, f)| {
        let name = format!("ix_{table}_{}", f.column_name);
        let column = &f.column_name;
        let unique = f.unique;
        quote! { ::tablemodel::IndexMeta { name: #name, columns: &[#column], unique: #unique } }
    });
    quote! {
        &::tablemodel::TableMeta {
            name: #table,
            rust_name: #rust_name,
            columns: &[#(#columns),*],
            primary_key: &[#(#key_positions),*],
            indexes: &[#(#indexes),*],
        }
    }
}
