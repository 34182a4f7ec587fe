//! `impl Model`: metadata, key type, row decoding and parameter encoding.

use quote::quote;

use crate::model::ir::Model;

pub(crate) fn expand(model: &Model, meta: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let ident = &model.ident;
    let keys: Vec<_> = model.key_fields().collect();
    let key_params = if keys.len() == 1 {
        quote! { ::tablemodel::__private::KeyParams::one(::tablemodel::SqlType::to_value(key)) }
    } else {
        quote! { ::tablemodel::__private::KeyParams::Many(<Self as ::tablemodel::Model>::key_values(key)) }
    };
    let (key_type, key_values) = if keys.len() == 1 {
        let ty = &keys[0].1.ty;
        (quote! { <#ty as ::tablemodel::SqlType>::Base }, quote! { ::std::vec![::tablemodel::SqlType::to_value(key)] })
    } else {
        let tys = keys.iter().map(|(_, f)| {
            let ty = &f.ty;
            quote! { <#ty as ::tablemodel::SqlType>::Base }
        });
        let idx = (0..keys.len()).map(syn::Index::from);
        (quote! { (#(#tys,)*) }, quote! { ::std::vec![#(::tablemodel::SqlType::to_value(&key.#idx)),*] })
    };
    let decode_fields = model.fields.iter().map(|f| {
        let name = &f.ident;
        if f.skip || f.relationship.is_some() {
            quote! { #name: ::core::default::Default::default() }
        } else {
            let ty = &f.ty;
            let index = model.columns().find(|(_, c)| c.ident == f.ident).map(|(i, _)| i).unwrap_or_default();
            quote! { #name: row.read::<#ty>(&<Self as ::tablemodel::Model>::META.columns[#index])? }
        }
    });
    let value_arms = model.columns().map(|(i, f)| {
        let name = &f.ident;
        quote! { #i => ::tablemodel::SqlType::to_value(&self.#name) }
    });
    let each_value = model.columns().map(|(i, f)| {
        let name = &f.ident;
        quote! { each(#i, ::tablemodel::SqlType::to_value(&self.#name)); }
    });
    let snapshot_fields = model.columns().map(|(_, f)| {
        let name = &f.ident;
        quote! { ::tablemodel::SqlType::snapshot_to(&self.#name, &mut image); }
    });
    let snapshot_arms = model.columns().map(|(i, f)| {
        let name = &f.ident;
        quote! { #i => ::tablemodel::SqlType::snapshot(&self.#name, out) }
    });
    let unreachable = format!("{} has no column at position {{}}", model.ident);
    let check = super::validate::check_body(model);
    let validate_write = super::write_validate::expand(model);
    let set_arms = model.columns().map(|(i, f)| {
        let name = &f.ident;
        let ty = &f.ty;
        let column = &f.column_name;
        quote! {
            #i => {
                self.#name = <#ty as ::tablemodel::SqlType>::from_value(value).map_err(|source| {
                    ::tablemodel::Error::Decode { column: ::std::string::ToString::to_string(#column), source }
                })?;
            }
        }
    });
    let relations = super::relationships::in_model_impl(model);
    quote! {
        impl ::tablemodel::Model for #ident {
            const META: &'static ::tablemodel::TableMeta = #meta;
            type Key = #key_type;

            fn key_values(key: &Self::Key) -> ::std::vec::Vec<::tablemodel::Value> {
                #key_values
            }

            #[inline]
            fn key_params(key: &Self::Key) -> ::tablemodel::__private::KeyParams {
                #key_params
            }

            #[inline]
            fn fixed_statements() -> ::core::option::Option<&'static ::tablemodel::__private::FixedStatements> {
                static STATEMENTS: ::tablemodel::__private::FixedStatements = ::tablemodel::__private::FixedStatements::new();
                ::core::option::Option::Some(&STATEMENTS)
            }

            fn decode(row: &mut ::tablemodel::RowReader<'_>) -> ::core::result::Result<Self, ::tablemodel::Error> {
                ::core::result::Result::Ok(#ident { #(#decode_fields),* })
            }

            fn check(&self) -> ::core::result::Result<(), ::tablemodel::validate::ValidationErrors> {
                #check
            }

            #validate_write

            fn set_column(&mut self, index: usize, value: ::tablemodel::Value) -> ::core::result::Result<(), ::tablemodel::Error> {
                match index {
                    #(#set_arms)*
                    other => {
                        return ::core::result::Result::Err(::tablemodel::Error::InvalidQuery(
                            ::std::format!(#unreachable, other),
                        ));
                    }
                }
                ::core::result::Result::Ok(())
            }

            #relations

            fn column_value(&self, index: usize) -> ::tablemodel::Value {
                match index {
                    #(#value_arms,)*
                    other => ::core::unreachable!(#unreachable, other),
                }
            }

            #[inline]
            fn each_value(&self, mut each: impl ::core::ops::FnMut(usize, ::tablemodel::Value)) {
                #(#each_value)*
            }

            #[inline]
            fn snapshot(&self, out: &mut ::std::vec::Vec<u8>) {
                let mut image = ::tablemodel::__private::Image::new(out);
                #(#snapshot_fields)*
            }

            #[inline]
            fn snapshot_column(&self, index: usize, out: &mut ::std::vec::Vec<u8>) {
                match index {
                    #(#snapshot_arms,)*
                    other => ::core::unreachable!(#unreachable, other),
                }
            }
        }
    }
}
