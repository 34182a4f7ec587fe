//! Derive macros for [tablemodel](https://docs.rs/tablemodel). Use them through the
//! `tablemodel` crate, which re-exports them; the generated code refers to it.

mod attr;
mod db_enum;
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
