//! `impl Default` when fields declare `default` / `default_factory`, so a model can be
//! written `Hero { name: "x".into(), ..Default::default() }`.

use quote::quote;

use crate::model::ir::{Default, Model};

pub(crate) fn expand(model: &Model) -> proc_macro2::TokenStream {
    if model.fields.iter().all(|f| f.default.is_none()) {
        return quote! {};
    }
    let ident = &model.ident;
    let fields = model.fields.iter().map(|f| {
        let name = &f.ident;
        match &f.default {
            Some(Default::Expr(e)) => quote! { #name: ::core::convert::Into::into(#e) },
            Some(Default::Factory(p)) => quote! { #name: #p() },
            None => quote! { #name: ::core::default::Default::default() },
        }
    });
    quote! {
        impl ::core::default::Default for #ident {
            fn default() -> Self {
                #ident { #(#fields),* }
            }
        }
    }
}
