//! `Model::validate_write`: the table model's validation run on a value built in Rust code,
//! before `add`, `add_all` or `save` write it. Each field goes through its `validator_before`
//! (on its JSON form, read back as the field's type), its constraints and its `validator`,
//! then the `#[model(validator = …)]` runs on the whole model; the values validators
//! return replace the model's only when every check passed.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::validate::constraint_checks;
use crate::model::ir::Model;

pub(crate) fn expand(model: &Model) -> TokenStream {
    let rt = quote! { ::tablemodel::validate };
    let json = quote! { ::tablemodel::__private::serde_json };
    let title = &model.title;
    let mut steps = Vec::new();
    let mut assigns = Vec::new();
    for f in model.fields.iter().filter(|f| !f.skip && f.relationship.is_none()) {
        let name = &f.ident;
        let ty = &f.ty;
        let v = &f.validation;
        let checks = constraint_checks(f, quote! { current });
        if checks.is_empty() && v.validator.is_none() && v.validator_before.is_none() {
            continue;
        }
        let key = f.input_key();
        let new = format_ident!("__new_{}", name);
        let before = v.validator_before.as_ref().map(|path| {
            quote! {
                let original = #json::to_value(&self.#name).unwrap_or(#json::Value::Null);
                match #path(original.clone()) {
                    ::core::result::Result::Ok(changed) => match <#ty as #rt::FromJson>::from_json(&changed, v) {
                        ::core::option::Option::Some(value) => new = ::core::option::Option::Some(value),
                        ::core::option::Option::None => return ::core::option::Option::None,
                    },
                    ::core::result::Result::Err(e) => {
                        v.value_error(::core::convert::Into::into(e), &original);
                        return ::core::option::Option::None;
                    }
                }
            }
        });
        let after = v.validator.as_ref().map(|path| {
            let run = quote_spanned! {path.span()=>
                <_ as #rt::FieldValidator<#ty, _>>::run(&#path, ::core::clone::Clone::clone(current))
            };
            quote! {
                match #run {
                    ::core::result::Result::Ok(value) => new = ::core::option::Option::Some(value),
                    ::core::result::Result::Err(e) => v.value_error(e, raw),
                }
            }
        });
        steps.push(quote! {
            let #new: ::core::option::Option<#ty> = v.nested(#key, |v| {
                let mut new: ::core::option::Option<#ty> = ::core::option::Option::None;
                #before
                let current: &#ty = new.as_ref().unwrap_or(&self.#name);
                let raw = &#json::to_value(current).unwrap_or(#json::Value::Null);
                let start = v.error_count();
                #checks
                if v.error_count() != start {
                    return ::core::option::Option::None;
                }
                #after
                new
            });
        });
        assigns.push(quote! {
            if let ::core::option::Option::Some(value) = #new {
                target.#name = value;
            }
        });
    }
    let finish = match &model.validator {
        None => quote! {
            let target = self;
            #(#assigns)*
        },
        Some(path) => quote! {
            let mut candidate = ::core::clone::Clone::clone(&*self);
            {
                let target = &mut candidate;
                #(#assigns)*
            }
            let input = #json::to_value(&candidate).unwrap_or(#json::Value::Null);
            match #path(candidate) {
                ::core::result::Result::Ok(value) => *self = value,
                ::core::result::Result::Err(e) => v.value_error(::core::convert::Into::into(e), &input),
            }
        },
    };
    quote! {
        #[allow(unused_mut, unused_variables)]
        fn validate_write(&mut self) -> ::core::result::Result<(), #rt::ValidationErrors> {
            let mut v = #rt::Validator::new();
            #(#steps)*
            if v.error_count() == 0 {
                #finish
            }
            v.finish(#title, ::core::option::Option::Some(()))
        }
    }
}
