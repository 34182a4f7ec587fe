//! `#[derive(Model)]`: parse into the IR, then expand each output from it.

mod expand;
pub(crate) mod ir;
mod parse;
mod relationship;

/// Expands the derive, or the combined attribute errors.
pub(crate) fn derive(input: &syn::DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let model = parse::parse(input)?;
    Ok(expand::expand(&model))
}
