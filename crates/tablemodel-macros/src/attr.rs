//! The one helper every attribute parser uses: it walks `#[name(key, key = value)]`
//! lists and rejects a key given twice, with a spanned error.

use syn::meta::ParseNestedMeta;

/// Parses every `#[name(...)]` attribute in `attrs`, calling `each` per key; repeated keys
/// and the errors `each` returns are all collected.
pub(crate) fn parse_keys(
    attrs: &[syn::Attribute],
    name: &str,
    errors: &mut Vec<syn::Error>,
    mut each: impl FnMut(&str, &ParseNestedMeta<'_>) -> syn::Result<()>,
) {
    let mut seen: Vec<String> = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident(name)) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
            if seen.contains(&key) {
                return Err(meta.error(format!("duplicate key `{key}` in #[{name}(...)]")));
            }
            seen.push(key.clone());
            if let Err(e) = each(&key, &meta) {
                errors.push(e);
                // Skip the value so parsing can go on to the next key.
                if meta.input.peek(syn::Token![=]) {
                    let _ = meta.value().and_then(|v| v.parse::<syn::Expr>());
                }
            }
            Ok(())
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
}

/// `key = "text"`.
pub(crate) fn string(meta: &ParseNestedMeta<'_>) -> syn::Result<syn::LitStr> {
    meta.value()?.parse()
}

/// `key = 12`.
pub(crate) fn int(meta: &ParseNestedMeta<'_>) -> syn::Result<u32> {
    let lit: syn::LitInt = meta.value()?.parse()?;
    lit.base10_parse()
}

/// `key = true|false`.
pub(crate) fn boolean(meta: &ParseNestedMeta<'_>) -> syn::Result<bool> {
    let lit: syn::LitBool = meta.value()?.parse()?;
    Ok(lit.value)
}

/// Combines collected errors into one, or `Ok` when there are none.
pub(crate) fn combine(errors: Vec<syn::Error>) -> syn::Result<()> {
    let mut iter = errors.into_iter();
    match iter.next() {
        None => Ok(()),
        Some(mut first) => {
            for e in iter {
                first.combine(e);
            }
            Err(first)
        }
    }
}
