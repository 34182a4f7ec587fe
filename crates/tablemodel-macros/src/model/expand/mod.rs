//! Code generation, one module per generated artefact. Expansion cannot fail: every
//! check happened while parsing.

mod checks;
mod columns;
mod default_impl;
mod meta;
mod model_impl;

use super::ir::Model;

pub(crate) fn expand(model: &Model) -> proc_macro2::TokenStream {
    let checks = checks::expand(model);
    let default_impl = default_impl::expand(model);
    let Some(_) = &model.table else {
        return quote::quote! { #checks #default_impl };
    };
    let columns = columns::expand(model);
    let model_impl = model_impl::expand(model, meta::expand(model));
    quote::quote! { #checks #default_impl #columns #model_impl }
}
