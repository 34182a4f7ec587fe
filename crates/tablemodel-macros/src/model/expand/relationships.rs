//! Relationship fields: their metadata (`Model::RELATIONS`), typed handles
//! (`Team::heroes()`), the write hooks that follow loaded relationships, and the
//! compile-time check that `back_populates` names a relationship pointing back.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::ir::{Model, RelationKind};

/// Items inside `impl Model for …`.
pub(crate) fn in_model_impl(model: &Model) -> TokenStream {
    let rels: Vec<_> = model.relationships().collect();
    if rels.is_empty() {
        return quote! {};
    }
    let metas = rels.iter().map(|(f, r)| {
        let name = f.ident.to_string();
        let target = &r.target;
        let kind = match r.kind {
            RelationKind::ToOne => quote! { ToOne },
            RelationKind::ToMany => quote! { ToMany },
            RelationKind::ManyToMany => quote! { ManyToMany },
        };
        let link = match &r.link_model {
            Some(l) => quote! { ::core::option::Option::Some(<#l as ::tablemodel::Model>::META) },
            None => quote! { ::core::option::Option::None },
        };
        let fk = match &r.foreign_key {
            Some(k) => quote! { ::core::option::Option::Some(#k) },
            None => quote! { ::core::option::Option::None },
        };
        let back = match &r.back_populates {
            Some(b) => quote! { ::core::option::Option::Some(#b) },
            None => quote! { ::core::option::Option::None },
        };
        let (cascade, passive) = (r.cascade_delete, r.passive_deletes);
        quote! {
            ::tablemodel::relationship::RelationMeta {
                name: #name,
                target: <#target as ::tablemodel::Model>::META,
                kind: ::tablemodel::relationship::RelationKind::#kind,
                link: #link,
                foreign_key: #fk,
                back_populates: #back,
                cascade_delete: #cascade,
                passive_deletes: #passive,
            }
        }
    });
    let names: Vec<_> = rels.iter().map(|(f, _)| &f.ident).collect();
    let back_fills = rels.iter().filter(|(_, r)| r.kind == RelationKind::ToOne).map(|(f, r)| {
        let name = &f.ident;
        let relation = name.to_string();
        let shape = &r.shape;
        quote! {
            if relation == #relation {
                type Parent = <#shape as ::tablemodel::relationship::Shape>::Target;
                if let ::core::option::Option::Some(parent) = parent.downcast_ref::<Parent>() {
                    let mut parent = ::core::clone::Clone::clone(parent);
                    ::tablemodel::Model::clear_related(&mut parent);
                    for row in rows.iter_mut() {
                        row.#name = ::tablemodel::Related::Loaded(
                            <#shape as ::tablemodel::relationship::Shape>::from_one(::core::clone::Clone::clone(&parent)),
                        );
                    }
                    return true;
                }
            }
        }
    });
    quote! {
        const RELATIONS: &'static [::tablemodel::relationship::RelationMeta] = &[#(#metas),*];

        fn has_loaded_related(&self) -> bool {
            false #(|| self.#names.is_loaded())*
        }

        fn clear_related(&mut self) {
            #( self.#names = ::tablemodel::Related::NotLoaded; )*
        }

        fn fill_back_references(rows: &mut [&mut Self], relation: &str, parent: &dyn ::core::any::Any) -> bool {
            #(#back_fills)*
            let _ = (rows, relation, parent);
            false
        }

        fn take_related(&mut self, from: &mut Self) {
            #( self.#names = ::core::mem::take(&mut from.#names); )*
        }

        fn write_related_before<'a>(
            &'a mut self,
            session: &'a mut ::tablemodel::Session,
        ) -> ::tablemodel::__private::BoxFuture<'a, ::core::result::Result<(), ::tablemodel::Error>> {
            ::std::boxed::Box::pin(async move {
                #( ::tablemodel::__private::write_parent(session, self, Self::#names()).await?; )*
                ::core::result::Result::Ok(())
            })
        }

        fn write_related_after<'a>(
            &'a mut self,
            session: &'a mut ::tablemodel::Session,
            existed: bool,
        ) -> ::tablemodel::__private::BoxFuture<'a, ::core::result::Result<(), ::tablemodel::Error>> {
            ::std::boxed::Box::pin(async move {
                #( ::tablemodel::__private::write_children(session, self, Self::#names(), existed).await?; )*
                ::core::result::Result::Ok(())
            })
        }
    }
}

/// The handles and the `back_populates` checks, outside the trait impl.
pub(crate) fn outside(model: &Model) -> TokenStream {
    let ident = &model.ident;
    let vis = &model.vis;
    let table = model.table.clone().unwrap_or_default();
    let mut handles = Vec::new();
    let mut checks = Vec::new();
    for (index, (f, r)) in model.relationships().enumerate() {
        let name = &f.ident;
        let shape = &r.shape;
        let doc = format!("The `{name}` relationship, to load it or name it in a query.");
        handles.push(quote! {
            #[doc = #doc]
            #vis fn #name() -> ::tablemodel::Relationship<#ident, #shape> {
                ::tablemodel::Relationship::new(
                    &<#ident as ::tablemodel::Model>::RELATIONS[#index],
                    |m| &mut m.#name,
                    |m| &m.#name,
                )
            }
        });
        if let Some(back) = &r.back_populates {
            let target = &r.target;
            let message = format!(
                "back_populates = \"{}\" on `{ident}.{name}`: the target model has no relationship `{}` pointing back to `{ident}`",
                back.value(),
                back.value()
            );
            checks.push(quote::quote_spanned! {back.span()=>
                const _: () = ::core::assert!(
                    ::tablemodel::__private::has_relation(<#target as ::tablemodel::Model>::RELATIONS, #back, #table),
                    #message
                );
            });
        }
    }
    let single = quote! {
        impl ::tablemodel::relationship::Single for #ident {
            type Target = #ident;
            fn wrap(row: #ident) -> Self {
                row
            }
            fn row(&self) -> &#ident {
                self
            }
            fn row_mut(&mut self) -> &mut #ident {
                self
            }
        }
    };
    if handles.is_empty() {
        return single;
    }
    quote! {
        #single
        impl #ident {
            #(#handles)*
        }
        #(#checks)*
    }
}
