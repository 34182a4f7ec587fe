//! `embed_migrations!`: a migrations folder as `(file name, text)` pairs in the binary.

use proc_macro2::TokenStream;
use quote::quote;

/// The expansion for folder `dir` (relative to the crate's manifest).
pub(crate) fn migrations(dir: &syn::LitStr) -> syn::Result<TokenStream> {
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let path = std::path::Path::new(&root).join(dir.value());
    let entries = std::fs::read_dir(&path).map_err(|e| {
        syn::Error::new(dir.span(), format!("cannot read the migrations folder {}: {e}", path.display()))
    })?;
    let mut files: Vec<(String, String)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| syn::Error::new(dir.span(), e.to_string()))?;
        let file = entry.path();
        if file.extension().is_some_and(|e| e == "toml") {
            let name = entry.file_name().to_string_lossy().into_owned();
            files.push((name, file.to_string_lossy().into_owned()));
        }
    }
    files.sort();
    let pairs = files.iter().map(|(name, file)| quote! { (#name, ::core::include_str!(#file)) });
    Ok(quote! {
        ::tablemodel::migrate::Migrations::from_sources(&[#(#pairs),*])
    })
}
