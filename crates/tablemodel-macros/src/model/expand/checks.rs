//! Compile-time checks spanned at field types, so a wrong type points at the field.

use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::ir::Model;

pub(crate) fn expand(model: &Model) -> proc_macro2::TokenStream {
    if model.table.is_none() {
        return quote! {};
    }
    let mut checks = Vec::new();
    for (_, field) in model.columns() {
        let ty = &field.ty;
        checks.push(quote_spanned! {ty.span()=>
            const _: fn() = || {
                fn column_type<T: ::tablemodel::SqlType>() {}
                column_type::<#ty>();
            };
        });
        if let Some((_, span)) = field.max_length {
            let message = format!("max_length applies to text fields (field `{}`)", field.ident);
            checks.push(quote_spanned! {span=>
                const _: () = ::core::assert!(
                    ::core::matches!(<#ty as ::tablemodel::SqlType>::TYPE.kind, ::tablemodel::ValueKind::Text),
                    #message
                );
            });
        }
    }
    quote! { #(#checks)* }
}
