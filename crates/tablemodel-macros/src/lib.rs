//! Derive macros for [tablemodel](https://docs.rs/tablemodel). Use them through the
//! `tablemodel` crate, which re-exports them; the generated code refers to it.

mod attr;
mod db_enum;
mod embed;
mod model;

use proc_macro::TokenStream;

/// Maps a struct to a table (`#[model(table)]`) or declares a plain schema type.
///
/// See the `tablemodel` crate documentation for the attributes.
#[proc_macro_derive(Model, attributes(model, field, relationship))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    model::derive(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Stores a fieldless enum in a text column by variant name.
#[proc_macro_derive(DbEnum, attributes(db_enum))]
pub fn derive_db_enum(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    db_enum::derive(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Builds a migrations folder into the binary: `embed_migrations!("migrations")`, the path
/// relative to the crate's `Cargo.toml`, is a
/// `Result<tablemodel::migrate::Migrations, tablemodel::migrate::MigrateError>` of its
/// `*.toml` files.
///
/// Each file is included with `include_str!`, so editing one rebuilds the crate; a file
/// added or removed is seen when the crate is next built (a `build.rs` printing
/// `cargo:rerun-if-changed=migrations` makes that happen at once).
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    let dir = syn::parse_macro_input!(input as syn::LitStr);
    embed::migrations(&dir).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Inlines the fields of every `#[field(flatten)]` base of a struct (a `#[derive(Model)]`
/// struct marked `#[model(base)]`) in place, so that they become the struct's own fields:
/// columns of a table, with the base's attributes. Put it above `#[derive(Model)]`.
///
/// See the `tablemodel` crate documentation (`inline_bases`) for an example.
#[proc_macro_attribute]
pub fn inline_bases(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        let error = syn::Error::new(proc_macro2::Span::call_site(), "#[inline_bases] takes no arguments");
        return error.into_compile_error().into();
    }
    model::base::inline_bases(item.into()).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Used by the macro a `#[model(base)]` derive defines; not a public API.
#[doc(hidden)]
#[proc_macro]
pub fn inline_base(input: TokenStream) -> TokenStream {
    model::base::inline_base(input.into()).unwrap_or_else(syn::Error::into_compile_error).into()
}
