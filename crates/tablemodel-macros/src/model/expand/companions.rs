//! The Create / Public / Update types a table model asks for with
//! `#[model(create = "HeroCreate", public = "HeroPublic", update = "HeroUpdate")]`, and the
//! conversions between them and the table model.
//!
//! Each companion is described as a non-table [`Model`] and expanded by the same
//! validation, serialization and schema code as a hand-written schema type.

use proc_macro2::TokenStream;
use quote::quote;

use super::validate::option_inner;
use crate::model::ir::{Companions, Default, Field, Model};

/// A key the database or a default fills in, or a column the database generates: left out
/// of the Create type.
fn is_generated_key(f: &Field) -> bool {
    f.generated || (f.primary_key && (option_inner(&f.ty).is_some() || f.default.is_some()))
}

fn companion(model: &Model, ident: &syn::Ident, fields: Vec<Field>) -> Model {
    Model {
        ident: ident.clone(),
        vis: model.vis.clone(),
        table: None,
        renamed_from: None,
        base: false,
        fields,
        companions: Companions::default(),
        validator: None,
        validator_before: None,
        title: ident.to_string(),
        description: None,
    }
}

fn struct_def(model: &Model, doc: &str) -> TokenStream {
    let ident = &model.ident;
    let vis = &model.vis;
    let fields = model.fields.iter().map(|f| {
        let name = &f.ident;
        let fvis = &f.vis;
        let ty = &f.ty;
        let doc = format!("The `{name}` field.");
        quote! { #[doc = #doc] #fvis #name: #ty }
    });
    quote! {
        #[doc = #doc]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq)]
        #vis struct #ident { #(#fields),* }
    }
}

fn expand_schema_type(model: &Model, doc: &str) -> TokenStream {
    let def = struct_def(model, doc);
    let validate = super::validate::expand(model);
    let serialize = super::serialize::expand(model);
    let schema = super::schema::expand(model);
    quote! { #def #validate #serialize #schema }
}

pub(crate) fn expand(model: &Model) -> TokenStream {
    let table = &model.ident;
    let mut out = TokenStream::new();
    if let Some(create) = &model.companions.create {
        let fields: Vec<Field> =
            model.fields.iter().filter(|f| !is_generated_key(f) && f.relationship.is_none()).cloned().collect();
        let c = companion(model, create, fields);
        let doc = format!("The fields a client sends to create a [`{table}`]: everything but the generated key.");
        out.extend(expand_schema_type(&c, &doc));
        let assigns = model.fields.iter().map(|f| {
            let name = &f.ident;
            if f.relationship.is_some() {
                quote! { #name: ::core::default::Default::default() }
            } else if !is_generated_key(f) {
                quote! { #name: value.#name }
            } else {
                match &f.default {
                    Some(Default::Expr(e)) => quote! { #name: ::core::convert::Into::into(#e) },
                    Some(Default::Factory(p)) => quote! { #name: #p() },
                    None => quote! { #name: ::core::default::Default::default() },
                }
            }
        });
        out.extend(quote! {
            impl ::core::convert::From<#create> for #table {
                fn from(value: #create) -> Self {
                    #table { #(#assigns),* }
                }
            }
        });
    }
    if let Some(public) = &model.companions.public {
        let fields: Vec<Field> = model
            .fields
            .iter()
            .filter(|f| !f.validation.exclude && f.relationship.is_none())
            .map(|f| {
                let mut f = f.clone();
                if f.primary_key
                    && let Some(inner) = option_inner(&f.ty)
                {
                    f.ty = inner.clone();
                    f.default = None;
                }
                f
            })
            .collect();
        let c = companion(model, public, fields);
        let doc = format!("A [`{table}`] as the API returns it: the key is always present.");
        out.extend(expand_schema_type(&c, &doc));
        let table_name = model.table.clone().unwrap_or_default();
        let assigns = c.fields.iter().map(|f| {
            let name = &f.ident;
            let original = model.fields.iter().find(|o| o.ident == f.ident).expect("same field");
            if original.primary_key && option_inner(&original.ty).is_some() {
                quote! { #name: value.#name.ok_or(::tablemodel::Error::MissingKey { table: #table_name })? }
            } else {
                quote! { #name: value.#name }
            }
        });
        out.extend(quote! {
            impl ::core::convert::TryFrom<#table> for #public {
                type Error = ::tablemodel::Error;
                /// Fails with `Error::MissingKey` for a row that was never added.
                fn try_from(value: #table) -> ::core::result::Result<Self, ::tablemodel::Error> {
                    ::core::result::Result::Ok(#public { #(#assigns),* })
                }
            }
        });
    }
    if let Some(update) = &model.companions.update {
        let fields: Vec<Field> = model
            .fields
            .iter()
            .filter(|f| !f.primary_key && !f.generated && !f.version && f.relationship.is_none())
            .map(|f| {
                let mut f = f.clone();
                f.default = None;
                match option_inner(&f.ty) {
                    Some(inner) => {
                        let inner = inner.clone();
                        f.ty = syn::parse_quote! { ::tablemodel::validate::Patch<#inner> };
                        f.update_patch = true;
                    }
                    None => {
                        let ty = f.ty.clone();
                        f.ty = syn::parse_quote! { ::core::option::Option<#ty> };
                        f.update_non_null = true;
                    }
                }
                f
            })
            .collect();
        let c = companion(model, update, fields);
        let doc = format!(
            "A partial update of a [`{table}`] (HTTP PATCH): only the fields sent change, and `null` clears a \
             nullable field. Apply it with `{table}::apply`."
        );
        let mut def = expand_schema_type(&c, &doc);
        // Every field is optional, so the empty update (nothing sent) is the default.
        let names = c.fields.iter().map(|f| &f.ident);
        def.extend(quote! {
            impl ::core::default::Default for #update {
                fn default() -> Self {
                    #update { #(#names: ::core::default::Default::default()),* }
                }
            }
        });
        out.extend(def);
        let applies = c.fields.iter().map(|f| {
            let name = &f.ident;
            if f.update_non_null {
                quote! { if let ::core::option::Option::Some(v) = update.#name { self.#name = v; } }
            } else {
                quote! { update.#name.apply_to(&mut self.#name); }
            }
        });
        let vis = &model.vis;
        let doc = format!("Applies a [`{update}`]: sent fields change, the rest stay (`sqlmodel_update`).");
        out.extend(quote! {
            impl #table {
                #[doc = #doc]
                #vis fn apply(&mut self, update: #update) {
                    #(#applies)*
                }

                /// Validates a JSON object as the Update type and applies it; nothing changes
                /// when it is invalid.
                #vis fn apply_json(
                    &mut self,
                    value: &::tablemodel::__private::serde_json::Value,
                ) -> ::core::result::Result<(), ::tablemodel::validate::ValidationErrors> {
                    let update = <#update as ::tablemodel::validate::Schema>::validate(value)?;
                    self.apply(update);
                    ::core::result::Result::Ok(())
                }
            }
        });
    }
    out
}
