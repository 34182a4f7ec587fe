//! Shared bases (`HeroBase` in SQLModel's tutorials): a `#[model(base)]` struct's fields
//! inlined into the tables and schemas that flatten it, so that they become real fields
//! (columns, with their attributes) of those structs.
//!
//! A derive sees one struct only, so the base's fields travel through a macro: the base's
//! derive defines a `macro_rules!` macro named like the struct (types and macros live in
//! different namespaces, so wherever `HeroBase` the type is in scope, `HeroBase!` is too);
//! `#[inline_bases]` on the table calls it with the table's tokens, and the macro hands both
//! to [`inline_base`], which replaces the `#[field(flatten)]` field with the base's fields.
//! The attribute stays on the struct until no flatten field is left, so several bases work.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::spanned::Spanned;

/// What a `#[model(base)]` derive adds: the macro carrying its fields.
pub(crate) fn definition(input: &syn::DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let hidden = format_ident!("__tablemodel_base_{}", ident);
    let syn::Data::Struct(syn::DataStruct { fields: syn::Fields::Named(fields), .. }) = &input.data else {
        return TokenStream::new();
    };
    quote! {
        #[doc(hidden)]
        macro_rules! #hidden {
            ($($item:tt)*) => { ::tablemodel::__private::inline_base! { #fields $($item)* } };
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        pub(crate) use #hidden as #ident;
    }
}

/// Whether `field` is marked `#[field(flatten)]`; an error when it also has other keys (they
/// would be lost with the field).
fn is_flatten(field: &syn::Field) -> syn::Result<bool> {
    let mut found = false;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("field")) {
        let mut other = None;
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("flatten") {
                found = true;
            } else {
                other = Some(meta.path.span());
            }
            if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        })?;
        if found && let Some(span) = other {
            return Err(syn::Error::new(span, "a flattened base takes no other field attribute"));
        }
    }
    Ok(found)
}

/// The named fields of a struct item.
fn named_fields(item: &mut syn::DeriveInput) -> syn::Result<&mut syn::FieldsNamed> {
    let span = item.ident.span();
    match &mut item.data {
        syn::Data::Struct(syn::DataStruct { fields: syn::Fields::Named(named), .. }) => Ok(named),
        _ => Err(syn::Error::new(span, "#[inline_bases] applies to structs with named fields")),
    }
}

/// The position of the first `#[field(flatten)]` field.
fn first_flatten(named: &syn::FieldsNamed) -> syn::Result<Option<usize>> {
    for (i, field) in named.named.iter().enumerate() {
        if is_flatten(field)? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// `#[inline_bases]`: asks the first flattened base for its fields, or returns the struct
/// unchanged when none is left.
pub(crate) fn inline_bases(item: TokenStream) -> syn::Result<TokenStream> {
    let mut input: syn::DeriveInput = syn::parse2(item)?;
    let named = named_fields(&mut input)?;
    let Some(at) = first_flatten(named)? else {
        return Ok(quote! { #input });
    };
    let field = &named.named[at];
    let syn::Type::Path(syn::TypePath { qself: None, path }) = &field.ty else {
        return Err(syn::Error::new(
            field.ty.span(),
            "a flattened base is a struct deriving Model with #[model(base)]",
        ));
    };
    if path.segments.iter().any(|s| !s.arguments.is_none()) {
        return Err(syn::Error::new(field.ty.span(), "a base cannot be generic"));
    }
    Ok(quote! { #path! { #[::tablemodel::inline_bases] #input } })
}

/// `inline_base! { { base fields } struct item }`: the item with its first flattened field
/// replaced by the base's fields, in place.
pub(crate) fn inline_base(input: TokenStream) -> syn::Result<TokenStream> {
    let (base, mut item) = syn::parse::Parser::parse2(
        |stream: syn::parse::ParseStream<'_>| {
            Ok((stream.parse::<syn::FieldsNamed>()?, stream.parse::<syn::DeriveInput>()?))
        },
        input,
    )?;
    let Some(at) = first_flatten(named_fields(&mut item)?)? else {
        return Ok(quote! { #item });
    };
    let mut inlined: Vec<syn::Field> = base.named.into_iter().collect();
    if !is_table(&item.attrs) {
        for field in &mut inlined {
            without_column_keys(field)?;
        }
    }
    let named = named_fields(&mut item)?;
    let mut fields: Vec<syn::Field> = named.named.iter().cloned().collect();
    fields.splice(at..=at, inlined);
    named.named = fields.into_iter().collect();
    Ok(quote! { #item })
}

/// Whether the item is a table model (`#[model(table, …)]`).
fn is_table(attrs: &[syn::Attribute]) -> bool {
    let mut table = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("model")) {
        let _ = attr.parse_nested_meta(|meta| {
            table |= meta.path.is_ident("table");
            if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    table
}

/// Drops the column attributes (`index`, `foreign_key`, …) of a base field inlined into a
/// schema that is not a table: they describe the tables the base is shared with.
fn without_column_keys(field: &mut syn::Field) -> syn::Result<()> {
    type Metas = syn::punctuated::Punctuated<syn::Meta, syn::Token![,]>;
    let mut kept = Vec::new();
    for mut attr in std::mem::take(&mut field.attrs) {
        if attr.path().is_ident("field") {
            let metas = attr.parse_args_with(Metas::parse_terminated)?;
            let metas: Metas = metas
                .into_iter()
                .filter(|m| {
                    !m.path().get_ident().is_some_and(|k| super::parse::TABLE_ONLY.contains(&k.to_string().as_str()))
                })
                .collect();
            if metas.is_empty() {
                continue;
            }
            attr = syn::parse_quote!(#[field(#metas)]);
        }
        kept.push(attr);
    }
    field.attrs = kept;
    Ok(())
}
