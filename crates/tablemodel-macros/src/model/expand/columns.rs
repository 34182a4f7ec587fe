//! One typed column handle per column field: `Hero::name()`.

use quote::quote;

use crate::model::ir::Model;

pub(crate) fn expand(model: &Model) -> proc_macro2::TokenStream {
    let ident = &model.ident;
    let table = model.table.as_deref().unwrap_or_default();
    let fns = model.columns().map(|(index, field)| {
        let name = &field.ident;
        let ty = &field.ty;
        let doc = format!("The `{table}.{}` column.", field.column_name);
        quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            pub const fn #name() -> ::tablemodel::Column<#ident, #ty> {
                ::tablemodel::Column::new(#index)
            }
        }
    });
    quote! {
        impl #ident {
            #(#fns)*
        }
    }
}
