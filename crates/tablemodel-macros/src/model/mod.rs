//! `#[derive(Model)]`: parse into the IR, then expand each output from it.

pub(crate) mod base;
mod expand;
pub(crate) mod ir;
mod parse;
mod relationship;

/// Expands the derive, or the combined attribute errors.
pub(crate) fn derive(input: &syn::DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let model = parse::parse(input)?;
    let mut out = expand::expand(&model);
    if model.base {
        out.extend(base::definition(input));
    }
    Ok(out)
}
