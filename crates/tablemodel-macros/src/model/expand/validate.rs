//! `impl FromJson`, `impl Schema` and `impl Deserialize` (through validation): reading a
//! JSON object field by field, checking constraints, running custom validators, and
//! collecting every error before answering.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::ir::{Bound, Comparison, Default, Field, Format, Model};

/// The runtime path of the validation module.
fn rt() -> TokenStream {
    quote! { ::tablemodel::validate }
}

pub(crate) fn bound_tokens(bound: Bound) -> TokenStream {
    let rt = rt();
    match bound {
        Bound::Int(i) => quote! { #rt::constraints::Bound::Int(#i) },
        Bound::Float(f) => quote! { #rt::constraints::Bound::Float(#f) },
    }
}

/// The checks run on the value `value` (a reference expression) whose raw input is `raw`;
/// they record errors only while `v.error_count() == start`.
pub(crate) fn constraint_checks(field: &Field, value: TokenStream) -> TokenStream {
    let rt = rt();
    let c = quote! { #rt::constraints };
    let v = &field.validation;
    let mut checks = Vec::new();
    if let Some(n) = v.min_length {
        let n = n as usize;
        checks.push(quote! { #c::min_length(v, inner, raw, #n); });
    }
    if let Some((n, _)) = field.max_length {
        let n = n as usize;
        checks.push(quote! { #c::max_length(v, inner, raw, #n); });
    }
    if let Some(n) = v.min_items {
        let n = n as usize;
        checks.push(quote! { #c::min_length(v, inner, raw, #n); });
    }
    if let Some(n) = v.max_items {
        let n = n as usize;
        checks.push(quote! { #c::max_length(v, inner, raw, #n); });
    }
    if let Some(p) = &v.pattern {
        checks.push(quote! {
            static PATTERN: ::std::sync::LazyLock<::core::option::Option<::tablemodel::__private::regex::Regex>> =
                ::std::sync::LazyLock::new(|| ::tablemodel::__private::regex::Regex::new(#p).ok());
            if let ::core::option::Option::Some(re) = &*PATTERN {
                #c::pattern(v, inner, raw, re);
            }
        });
    }
    if let Some(b) = v.multiple_of {
        let b = bound_tokens(b);
        checks.push(quote! { #c::multiple_of(v, inner, raw, #b); });
    }
    // Pydantic's order: le, lt, ge, gt.
    let rank = |op: &Comparison| match op {
        Comparison::Le => 0,
        Comparison::Lt => 1,
        Comparison::Ge => 2,
        Comparison::Gt => 3,
    };
    let mut bounds = v.bounds.clone();
    bounds.sort_by_key(|(op, _)| rank(op));
    for (op, b) in &bounds {
        let op = match op {
            Comparison::Gt => quote! { Gt },
            Comparison::Ge => quote! { Ge },
            Comparison::Lt => quote! { Lt },
            Comparison::Le => quote! { Le },
        };
        let b = bound_tokens(*b);
        checks.push(quote! { #c::compare(v, inner, raw, #c::Comparison::#op, #b); });
    }
    if let Some((digits, places)) = field.precision {
        checks.push(quote! {
            #c::decimal_digits(v, inner, raw, ::core::option::Option::Some(#digits), ::core::option::Option::Some(#places));
        });
    }
    match v.format {
        Some(Format::Email) => checks.push(quote! { #c::email(v, inner, raw); }),
        Some(Format::Url) => checks.push(quote! { #c::url(v, inner, raw); }),
        None => {}
    }
    if checks.is_empty() {
        return quote! {};
    }
    // Like Pydantic, a field reports its first failed constraint only.
    quote! {
        if v.checks() {
            if let ::core::option::Option::Some(inner) = #c::Constrained::constrained(#value) {
                #( if v.error_count() == start { #checks } )*
            }
        }
    }
}

/// Rebinds `input` to what the `validator_before` function returns; a failure is a
/// `value_error` and ends this value's validation.
fn before_validator(path: Option<&syn::Path>, input: &syn::Ident) -> TokenStream {
    let Some(path) = path else { return quote! {} };
    quote! {
        let __changed;
        let #input: &::tablemodel::__private::serde_json::Value = if v.checks() {
            __changed = match #path(#input.clone()) {
                ::core::result::Result::Ok(changed) => changed,
                ::core::result::Result::Err(e) => {
                    v.value_error(::core::convert::Into::into(e), #input);
                    return ::core::option::Option::None;
                }
            };
            &__changed
        } else {
            #input
        };
    }
}

/// `Some(value)` passed through the `validator` function, if any; a failure is a
/// `value_error` about `input`. The validator is written for the table model's field type:
/// on an Update companion's field it applies to the value sent (an `Option<T>` field's inner
/// `T`; a `Patch<T>` field's value or null as the model's `Option<T>`).
fn after_validator(
    field: Option<&Field>,
    path: Option<&syn::Path>,
    value: &syn::Ident,
    input: &syn::Ident,
) -> TokenStream {
    if path.is_none() {
        return quote! { ::core::option::Option::Some(#value) };
    }
    let run = run_after_validator(field, path, value, input);
    // `construct_unchecked` runs no validator.
    quote! {
        if v.checks() { #run } else { ::core::option::Option::Some(#value) }
    }
}

fn run_after_validator(
    field: Option<&Field>,
    path: Option<&syn::Path>,
    value: &syn::Ident,
    input: &syn::Ident,
) -> TokenStream {
    let Some(path) = path else { return quote! { ::core::option::Option::Some(#value) } };
    let rt = rt();
    let ok_or_error = |ty: TokenStream, arg: TokenStream, wrap: TokenStream| {
        let run = quote_spanned! {path.span()=> <_ as #rt::FieldValidator<#ty, _>>::run(&#path, #arg) };
        quote! {
            match #run {
                ::core::result::Result::Ok(value) => ::core::option::Option::Some(#wrap),
                ::core::result::Result::Err(e) => {
                    v.value_error(e, #input);
                    ::core::option::Option::None
                }
            }
        }
    };
    match field {
        Some(f) if f.update_non_null => {
            let inner = option_inner(&f.ty).unwrap_or(&f.ty);
            let run = ok_or_error(quote! { #inner }, quote! { value }, quote! { ::core::option::Option::Some(value) });
            quote! {
                match #value {
                    ::core::option::Option::Some(value) => #run,
                    ::core::option::Option::None => ::core::option::Option::Some(::core::option::Option::None),
                }
            }
        }
        Some(f) if f.update_patch => {
            let inner = patch_inner(&f.ty);
            let ty = quote! { ::core::option::Option<#inner> };
            let run = ok_or_error(ty, quote! { value }, quote! { #rt::Patch::from(value) });
            quote! {
                match #rt::Patch::into_option(#value) {
                    ::core::option::Option::Some(value) => #run,
                    ::core::option::Option::None => ::core::option::Option::Some(#rt::Patch::Unset),
                }
            }
        }
        Some(f) => {
            let ty = &f.ty;
            ok_or_error(quote! { #ty }, quote! { #value }, quote! { value })
        }
        None => quote! {
            match #path(#value) {
                ::core::result::Result::Ok(value) => ::core::option::Option::Some(value),
                ::core::result::Result::Err(e) => {
                    v.value_error(::core::convert::Into::into(e), #input);
                    ::core::option::Option::None
                }
            }
        },
    }
}

/// `T` of a `Patch<T>`.
fn patch_inner(ty: &syn::Type) -> &syn::Type {
    let syn::Type::Path(p) = ty else { return ty };
    let Some(last) = p.path.segments.last() else { return ty };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return ty };
    match args.args.first() {
        Some(syn::GenericArgument::Type(t)) => t,
        _ => ty,
    }
}

/// The expression reading field `field` from `object` into an `Option<FieldType>`.
fn read_field(field: &Field) -> TokenStream {
    let rt = rt();
    let ty = &field.ty;
    if field.validation.flatten {
        return quote! { <#ty as #rt::FromJson>::from_json(value, v) };
    }
    let key = field.input_key();
    let v = &field.validation;
    let before = before_validator(v.validator_before.as_ref(), &quote::format_ident!("raw"));
    // An Update field for a NOT NULL column is `Option<T>`: read a `T`, so `null` is T's error.
    let (parse, missing) = if field.update_non_null {
        let inner = option_inner(ty).unwrap_or(ty);
        (
            quote! { <#inner as #rt::FromJson>::from_json(raw, v).map(::core::option::Option::Some) },
            quote! { ::core::option::Option::Some(::core::option::Option::None) },
        )
    } else {
        let default = match &field.default {
            Some(Default::Expr(e)) => quote! { ::core::option::Option::Some(::core::convert::Into::into(#e)) },
            Some(Default::Factory(p)) => quote! { ::core::option::Option::Some(#p()) },
            None => quote! { <#ty as #rt::FromJson>::when_missing() },
        };
        (quote! { <#ty as #rt::FromJson>::from_json(raw, v) }, default)
    };
    let checks = constraint_checks(field, quote! { &parsed });
    let after = after_validator(
        Some(field),
        v.validator.as_ref(),
        &quote::format_ident!("parsed"),
        &quote::format_ident!("raw"),
    );
    let name = field.ident.to_string();
    let lookup = if v.populate_by_name && name != key {
        quote! { object.get(#key).or_else(|| object.get(#name)) }
    } else {
        quote! { object.get(#key) }
    };
    quote! {
        match #lookup {
            ::core::option::Option::Some(raw) => v.nested(#key, |v| {
                #before
                let start = v.error_count();
                let parsed: #ty = #parse?;
                #checks
                if v.error_count() != start {
                    return ::core::option::Option::None;
                }
                #after
            }),
            ::core::option::Option::None => {
                let missing: ::core::option::Option<#ty> = #missing;
                if missing.is_none() {
                    v.push(#rt::ValidationError::new("missing", "Field required", value.clone()).at(#key));
                }
                missing
            }
        }
    }
}

/// `T` when `ty` is `Option<T>`.
pub(crate) fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

pub(crate) fn expand(model: &Model) -> TokenStream {
    let rt = rt();
    let ident = &model.ident;
    let title = &model.title;
    let names: Vec<_> = model.fields.iter().map(|f| quote::format_ident!("__field_{}", f.ident)).collect();
    let reads = model.fields.iter().map(read_field);
    let idents = model.fields.iter().map(|f| &f.ident);
    let before = before_validator(model.validator_before.as_ref(), &quote::format_ident!("value"));
    let after =
        after_validator(None, model.validator.as_ref(), &quote::format_ident!("built"), &quote::format_ident!("value"));
    let set_fields = model.fields.iter().filter(|f| !f.validation.exclude).map(|f| {
        let name = &f.ident;
        let key = f.output_key();
        if f.validation.flatten {
            quote! { set.extend(#rt::Schema::fields_set(&self.#name)); }
        } else if f.relationship.is_some() {
            quote! { if self.#name.is_loaded() { set.push(#key); } }
        } else if f.update_non_null {
            quote! { if self.#name.is_some() { set.push(#key); } }
        } else if is_patch(&f.ty) {
            quote! { if self.#name.is_set() { set.push(#key); } }
        } else {
            quote! { set.push(#key); }
        }
    });
    quote! {
        impl #rt::FromJson for #ident {
            fn from_json(
                value: &::tablemodel::__private::serde_json::Value,
                v: &mut #rt::Validator,
            ) -> ::core::option::Option<Self> {
                #before
                let ::core::option::Option::Some(object) = value.as_object() else {
                    v.push(
                        #rt::ValidationError::new("model_type", "Input should be an object", value.clone())
                            .with_ctx("class_name", #title),
                    );
                    return ::core::option::Option::None;
                };
                let start = v.error_count();
                #( let #names = #reads; )*
                if v.error_count() != start {
                    return ::core::option::Option::None;
                }
                let built = #ident { #( #idents: #names? ),* };
                #after
            }

            fn field_schema(
                generator: &mut ::tablemodel::__private::schemars::SchemaGenerator,
            ) -> ::tablemodel::__private::serde_json::Value {
                generator.subschema_for::<Self>().to_value()
            }
        }

        impl #rt::Schema for #ident {
            const TITLE: &'static str = #title;

            fn fields_set(&self) -> ::std::vec::Vec<&'static str> {
                let mut set = ::std::vec::Vec::new();
                #(#set_fields)*
                set
            }
        }

        impl<'de> ::tablemodel::__private::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::tablemodel::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                let value = <::tablemodel::__private::serde_json::Value as ::tablemodel::__private::serde::Deserialize>::deserialize(deserializer)?;
                <Self as #rt::Schema>::validate(&value)
                    .map_err(<D::Error as ::tablemodel::__private::serde::de::Error>::custom)
            }
        }
    }
}

/// Whether `ty` is spelled `Patch<…>`.
pub(crate) fn is_patch(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Patch"))
}

/// The body of `Model::check`: the constraints of every field on the value as it is now, so
/// that a model built in Rust code rather than validated cannot be written when it breaks
/// them. Custom validators, which may transform values, run in `validate_write`
/// (see `write_validate`).
pub(crate) fn check_body(model: &Model) -> TokenStream {
    let rt = rt();
    let title = &model.title;
    let fields = model.fields.iter().filter_map(|f| {
        let name = &f.ident;
        let checks = constraint_checks(f, quote! { &self.#name });
        if checks.is_empty() {
            return None;
        }
        let key = f.input_key();
        Some(quote! {
            v.nested(#key, |v| {
                let raw = &::tablemodel::__private::serde_json::to_value(&self.#name)
                    .unwrap_or(::tablemodel::__private::serde_json::Value::Null);
                let start = v.error_count();
                #checks
            });
        })
    });
    quote! {
        let mut v = #rt::Validator::new();
        #(#fields)*
        v.finish(#title, ::core::option::Option::Some(()))
    }
}
