//! `#[derive(DbEnum)]`: a fieldless enum stored by variant name.

use quote::quote;

use crate::attr::{combine, parse_keys, string};

pub(crate) fn derive(input: &syn::DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let syn::Data::Enum(data) = &input.data else {
        return Err(syn::Error::new(input.ident.span(), "#[derive(DbEnum)] applies to enums"));
    };
    let mut errors = Vec::new();
    // `#[db_enum(native)]` (the type named as SQLAlchemy names it: the enum's name in
    // lower case) or `#[db_enum(native = "name")]`.
    let mut native: Option<String> = None;
    parse_keys(&input.attrs, "db_enum", &mut errors, |key, meta| match key {
        "native" => {
            let name = if meta.input.peek(syn::Token![=]) {
                string(meta)?.value()
            } else {
                input.ident.to_string().to_lowercase()
            };
            if name.trim().is_empty() {
                return Err(meta.error("`native` needs a type name, or none for the enum's name in lower case"));
            }
            native = Some(name);
            Ok(())
        }
        other => Err(meta.error(format!("unknown db_enum attribute `{other}`; expected `native`"))),
    });
    let mut variants = Vec::new();
    for v in &data.variants {
        if !matches!(v.fields, syn::Fields::Unit) {
            errors.push(syn::Error::new_spanned(v, "DbEnum variants cannot carry fields"));
            continue;
        }
        let mut stored = v.ident.to_string();
        parse_keys(&v.attrs, "db_enum", &mut errors, |key, meta| match key {
            "rename" => {
                stored = string(meta)?.value();
                Ok(())
            }
            other => Err(meta.error(format!("unknown db_enum attribute `{other}`; expected `rename`"))),
        });
        variants.push((v.ident.clone(), stored));
    }
    combine(errors)?;
    let ident = &input.ident;
    let type_name = ident.to_string();
    let names = variants.iter().map(|(_, s)| s);
    let native_type = native.map(|name| {
        quote! { .with_native_enum(#name, <#ident as ::tablemodel::DbEnum>::VARIANTS) }
    });
    let to_name = variants.iter().map(|(v, s)| quote! { #ident::#v => #s });
    let from_name = variants.iter().map(|(v, s)| quote! { #s => ::core::option::Option::Some(#ident::#v) });
    Ok(quote! {
        impl ::tablemodel::DbEnum for #ident {
            const VARIANTS: &'static [&'static str] = &[#(#names),*];
            fn variant_name(self) -> &'static str {
                match self { #(#to_name,)* }
            }
            fn from_variant_name(name: &str) -> ::core::option::Option<Self> {
                match name { #(#from_name,)* _ => ::core::option::Option::None }
            }
        }

        impl ::tablemodel::SqlType for #ident {
            const TYPE: ::tablemodel::SqlTypeInfo = ::tablemodel::SqlTypeInfo::of(::tablemodel::ValueKind::Text)
                .with_max_length(::tablemodel::__private::longest_name(<#ident as ::tablemodel::DbEnum>::VARIANTS))
                #native_type;
            type Base = #ident;
            fn to_value(&self) -> ::tablemodel::Value {
                ::tablemodel::Value::String(::core::option::Option::Some(
                    ::std::string::ToString::to_string(::tablemodel::DbEnum::variant_name(*self)),
                ))
            }
            fn from_value(value: ::tablemodel::Value) -> ::core::result::Result<Self, ::tablemodel::DecodeError> {
                match value {
                    ::tablemodel::Value::String(::core::option::Option::Some(s)) => {
                        <#ident as ::tablemodel::DbEnum>::from_variant_name(&s).ok_or_else(|| {
                            ::tablemodel::DecodeError::new(#type_name, ::std::format!("unknown variant {s:?}"))
                        })
                    }
                    other => ::core::result::Result::Err(::tablemodel::DecodeError::new(
                        #type_name,
                        ::std::format!("unexpected value {other:?}"),
                    )),
                }
            }
        }

        impl ::tablemodel::validate::FromJson for #ident {
            fn from_json(
                value: &::tablemodel::__private::serde_json::Value,
                v: &mut ::tablemodel::validate::Validator,
            ) -> ::core::option::Option<Self> {
                ::tablemodel::__private::enum_from_json(value, v)
            }
            fn field_schema(
                generator: &mut ::tablemodel::__private::schemars::SchemaGenerator,
            ) -> ::tablemodel::__private::serde_json::Value {
                ::tablemodel::__private::enum_json_schema::<Self>(generator)
            }
        }

        impl ::tablemodel::__private::schemars::JsonSchema for #ident {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#type_name)
            }
            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(::core::concat!(::core::module_path!(), "::", #type_name))
            }
            fn json_schema(
                _: &mut ::tablemodel::__private::schemars::SchemaGenerator,
            ) -> ::tablemodel::__private::schemars::Schema {
                match ::tablemodel::__private::enum_definition(#type_name, <Self as ::tablemodel::DbEnum>::VARIANTS) {
                    ::tablemodel::__private::serde_json::Value::Object(map) => map.into(),
                    _ => ::tablemodel::__private::schemars::Schema::default(),
                }
            }
        }

        impl ::tablemodel::__private::serde::Serialize for #ident {
            fn serialize<S: ::tablemodel::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(::tablemodel::DbEnum::variant_name(*self))
            }
        }

        ::tablemodel::__impl_operand!(#ident);
    })
}
