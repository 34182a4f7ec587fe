//! `impl Serialize`: every field under its serialization name, except `exclude` fields.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::ir::Model;

pub(crate) fn expand(model: &Model) -> TokenStream {
    let ident = &model.ident;
    let entries = model.fields.iter().filter(|f| !f.validation.exclude).map(|f| {
        let name = &f.ident;
        let key = f.output_key();
        if f.validation.flatten {
            return quote! {
                let flat = ::tablemodel::__private::serde_json::to_value(&self.#name)
                    .map_err(<S::Error as ::tablemodel::__private::serde::ser::Error>::custom)?;
                if let ::tablemodel::__private::serde_json::Value::Object(entries) = flat {
                    for (key, value) in &entries {
                        ::tablemodel::__private::serde::ser::SerializeMap::serialize_entry(&mut map, key, value)?;
                    }
                }
            };
        }
        if f.relationship.is_some() {
            return quote! {
                if self.#name.is_loaded() {
                    ::tablemodel::__private::serde::ser::SerializeMap::serialize_entry(&mut map, #key, &self.#name)?;
                }
            };
        }
        let field_name = name.to_string();
        if key != field_name {
            // `Dump::by_alias(false)` writes the Rust field name instead of the alias.
            return quote! {
                ::tablemodel::__private::serde::ser::SerializeMap::serialize_entry(
                    &mut map,
                    if ::tablemodel::__private::serialize_by_name() { #field_name } else { #key },
                    &self.#name,
                )?;
            };
        }
        quote! { ::tablemodel::__private::serde::ser::SerializeMap::serialize_entry(&mut map, #key, &self.#name)?; }
    });
    quote! {
        impl ::tablemodel::__private::serde::Serialize for #ident {
            fn serialize<S: ::tablemodel::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(::core::option::Option::None)?;
                #(#entries)*
                ::tablemodel::__private::serde::ser::SerializeMap::end(map)
            }
        }
    }
}
