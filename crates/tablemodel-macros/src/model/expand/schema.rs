//! `impl JsonSchema` (schemars): the model's object schema with each field's type,
//! constraints, title, default, description and examples, laid out as Pydantic does.

use proc_macro2::TokenStream;
use quote::quote;

use super::validate::{bound_tokens, option_inner};
use crate::model::ir::{Comparison, Default, Field, Format, Model};

fn property(field: &Field) -> TokenStream {
    let ty = &field.ty;
    // An Update field for a NOT NULL column may be absent but not null: its schema is T's.
    let schema_ty = if field.update_non_null { option_inner(ty).unwrap_or(ty) } else { ty };
    let v = &field.validation;
    let mut constraints = Vec::new();
    let mut push = |key: &str, value: TokenStream| constraints.push(quote! { (#key, #value) });
    if let Some(n) = v.min_length {
        push("minLength", quote! { #n.into() });
    }
    if let Some((n, _)) = field.max_length {
        push("maxLength", quote! { #n.into() });
    }
    if let Some(p) = &v.pattern {
        push("pattern", quote! { #p.into() });
    }
    for (op, b) in &v.bounds {
        let key = match op {
            Comparison::Gt => "exclusiveMinimum",
            Comparison::Ge => "minimum",
            Comparison::Lt => "exclusiveMaximum",
            Comparison::Le => "maximum",
        };
        let b = bound_tokens(*b);
        push(key, quote! { #b.to_json() });
    }
    if let Some(b) = v.multiple_of {
        let b = bound_tokens(b);
        push("multipleOf", quote! { #b.to_json() });
    }
    if let Some(n) = v.min_items {
        push("minItems", quote! { #n.into() });
    }
    if let Some(n) = v.max_items {
        push("maxItems", quote! { #n.into() });
    }
    match v.format {
        Some(Format::Email) => push("format", quote! { "email".into() }),
        Some(Format::Url) => push("format", quote! { "uri".into() }),
        None => {}
    }
    let title = v.title.clone();
    let mut annotations = Vec::new();
    annotations.push(match title {
        Some(t) => quote! { ("title", #t.into()) },
        None => {
            let name = field.ident.to_string();
            quote! { ("default_title", ::tablemodel::__private::title_case(#name).into()) }
        }
    });
    if let Some(d) = &v.description {
        annotations.push(quote! { ("description", #d.into()) });
    }
    if let Some(examples) = &v.examples {
        let items = examples.elems.iter();
        annotations.push(quote! {
            ("examples", ::tablemodel::__private::serde_json::json!([#(#items),*]))
        });
    }
    if !field.update_non_null {
        match &field.default {
            Some(Default::Expr(e)) => annotations.push(quote! {
                ("default", {
                    let d: #ty = ::core::convert::Into::into(#e);
                    ::tablemodel::__private::serde_json::to_value(&d)
                        .unwrap_or(::tablemodel::__private::serde_json::Value::Null)
                })
            }),
            Some(Default::Factory(_)) => {}
            None => annotations.push(quote! {
                ("default", ::tablemodel::__private::serde_json::Value::Null)
            }),
        }
    }
    let default_when_optional = field.default.is_none() && !field.update_non_null;
    // Only types with a missing value (Option, Patch) get the `"default": null` annotation.
    let annotations = if default_when_optional {
        let (last, rest) = annotations.split_last().expect("has the default annotation");
        quote! {{
            let mut a: ::std::vec::Vec<(&str, ::tablemodel::__private::serde_json::Value)> = ::std::vec![#(#rest),*];
            if <#ty as ::tablemodel::validate::FromJson>::when_missing().is_some() {
                a.push(#last);
            }
            a
        }}
    } else {
        quote! { ::std::vec![#(#annotations),*] }
    };
    quote! {
        ::tablemodel::__private::schema_property(
            <#schema_ty as ::tablemodel::validate::FromJson>::field_schema(generator),
            ::std::vec![#(#constraints),*],
            #annotations,
        )
    }
}

pub(crate) fn expand(model: &Model) -> TokenStream {
    let ident = &model.ident;
    let title = &model.title;
    let description = match &model.description {
        Some(d) => quote! { ::core::option::Option::Some(#d) },
        None => quote! { ::core::option::Option::None },
    };
    // Relationships are not in a table model's schema, as in SQLModel; public types that
    // nest related rows declare them as plain fields.
    let inserts = model.fields.iter().filter(|f| f.relationship.is_none()).map(|f| {
        let key = f.input_key();
        if f.validation.flatten {
            let ty = &f.ty;
            return quote! {
                ::tablemodel::__private::merge_flattened(
                    <#ty as ::tablemodel::__private::schemars::JsonSchema>::json_schema(generator).to_value(),
                    &mut properties,
                    &mut required,
                );
            };
        }
        let prop = property(f);
        let ty = &f.ty;
        let required = if f.default.is_some() || f.update_non_null {
            quote! {}
        } else {
            quote! {
                if <#ty as ::tablemodel::validate::FromJson>::when_missing().is_none() {
                    required.push(::std::string::ToString::to_string(#key));
                }
            }
        };
        quote! {
            properties.insert(#key.into(), #prop);
            #required
        }
    });
    quote! {
        impl ::tablemodel::__private::schemars::JsonSchema for #ident {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#title)
            }

            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(::core::concat!(::core::module_path!(), "::", #title))
            }

            fn json_schema(
                generator: &mut ::tablemodel::__private::schemars::SchemaGenerator,
            ) -> ::tablemodel::__private::schemars::Schema {
                let mut properties = ::tablemodel::__private::serde_json::Map::new();
                let mut required: ::std::vec::Vec<::std::string::String> = ::std::vec::Vec::new();
                #(#inserts)*
                let object = ::tablemodel::__private::schema_object(#title, #description, properties, required);
                match object {
                    ::tablemodel::__private::serde_json::Value::Object(map) => map.into(),
                    _ => ::tablemodel::__private::schemars::Schema::default(),
                }
            }
        }
    }
}
