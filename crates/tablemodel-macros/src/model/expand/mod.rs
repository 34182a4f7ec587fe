//! Code generation, one module per generated artefact. Expansion cannot fail: every
//! check happened while parsing.

mod checks;
mod columns;
mod companions;
mod default_impl;
mod meta;
mod model_impl;
mod relationships;
mod schema;
mod serialize;
mod validate;
mod write_validate;

use super::ir::Model;

pub(crate) fn expand(model: &Model) -> proc_macro2::TokenStream {
    let checks = checks::expand(model);
    let schema = [validate::expand(model), serialize::expand(model), schema::expand(model)];
    let Some(_) = &model.table else {
        return quote::quote! { #checks #(#schema)* };
    };
    let default_impl = default_impl::expand(model);
    let columns = columns::expand(model);
    let model_impl = model_impl::expand(model, meta::expand(model));
    let companions = companions::expand(model);
    let relationships = relationships::outside(model);
    let register = register(model);
    quote::quote! { #checks #default_impl #(#schema)* #columns #model_impl #companions #relationships #register }
}

/// Registers the table model with `tablemodel::registry` when the program starts.
fn register(model: &Model) -> proc_macro2::TokenStream {
    let ident = &model.ident;
    let name = ident.to_string();
    quote::quote! {
        ::tablemodel::__private::inventory::submit! {
            ::tablemodel::registry::RegisteredTable::new(
                <#ident as ::tablemodel::Model>::META,
                ::core::concat!(::core::module_path!(), "::", #name),
            )
        }
    }
}
