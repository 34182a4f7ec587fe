//! Reads the struct and its `#[model]` / `#[field]` attributes into the IR, reporting every
//! attribute error at once.

use syn::spanned::Spanned;

use super::ir::{Default, Field, Model, OnDelete};
use crate::attr::{boolean, combine, int, parse_keys, string};

const MODEL_KEYS: &str = "`table`, `table_name`";
const FIELD_KEYS: &str = "`primary_key`, `foreign_key`, `ondelete`, `unique`, `index`, `nullable`, `default`, \
    `default_factory`, `server_default`, `max_length`, `max_digits`, `decimal_places`, `column_name`, `sql_type`, `skip`";
const TABLE_ONLY: &[&str] = &[
    "primary_key",
    "foreign_key",
    "ondelete",
    "unique",
    "index",
    "nullable",
    "server_default",
    "column_name",
    "sql_type",
];

/// Parses and validates a derive input.
pub(crate) fn parse(input: &syn::DeriveInput) -> syn::Result<Model> {
    let mut errors = Vec::new();
    if !input.generics.params.is_empty() {
        errors.push(syn::Error::new(input.generics.span(), "a Model cannot be generic"));
    }
    let syn::Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(input.ident.span(), "#[derive(Model)] applies to structs with named fields"));
    };
    let syn::Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new(input.ident.span(), "#[derive(Model)] needs named fields"));
    };

    let mut is_table = false;
    let mut table_name: Option<syn::LitStr> = None;
    parse_keys(&input.attrs, "model", &mut errors, |key, meta| {
        match key {
            "table" => is_table = true,
            "table_name" => table_name = Some(string(meta)?),
            other => return Err(meta.error(format!("unknown model attribute `{other}`; expected one of {MODEL_KEYS}"))),
        }
        Ok(())
    });
    if let Some(name) = &table_name
        && !is_table
    {
        errors.push(syn::Error::new(name.span(), "`table_name` applies to table models; add `table`"));
    }

    let mut fields = Vec::new();
    for field in &named.named {
        fields.push(parse_field(field, is_table, &mut errors));
    }
    let model = Model {
        ident: input.ident.clone(),
        table: is_table
            .then(|| table_name.map(|n| n.value()).unwrap_or_else(|| input.ident.to_string().to_lowercase())),
        fields,
    };
    if is_table && model.key_fields().next().is_none() {
        errors.push(syn::Error::new(
            input.ident.span(),
            "a table model needs a primary key: add #[field(primary_key)] to its key field",
        ));
    }
    combine(errors)?;
    Ok(model)
}

fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

fn parse_field(field: &syn::Field, is_table: bool, errors: &mut Vec<syn::Error>) -> Field {
    let ident = field.ident.clone().expect("named field");
    let mut out = Field {
        column_name: ident.to_string(),
        ident,
        ty: field.ty.clone(),
        skip: false,
        primary_key: false,
        foreign_key: None,
        on_delete: None,
        unique: false,
        index: false,
        nullable: None,
        default: None,
        server_default: None,
        max_length: None,
        precision: None,
        sql_type: None,
    };
    let mut keys: Vec<(String, proc_macro2::Span)> = Vec::new();
    let mut ondelete_span = None;
    let mut max_digits = None;
    let mut decimal_places = None;
    parse_keys(&field.attrs, "field", errors, |key, meta| {
        let span = meta.path.span();
        keys.push((key.to_owned(), span));
        if !is_table && TABLE_ONLY.contains(&key) {
            return Err(meta.error(format!("`{key}` only applies to table models; add #[model(table)]")));
        }
        match key {
            "primary_key" => out.primary_key = true,
            "unique" => out.unique = true,
            "index" => out.index = true,
            "skip" => out.skip = true,
            "nullable" => out.nullable = Some(boolean(meta)?),
            "column_name" => out.column_name = string(meta)?.value(),
            "sql_type" => out.sql_type = Some(string(meta)?.value()),
            "server_default" => out.server_default = Some(string(meta)?.value()),
            "max_length" => out.max_length = Some((int(meta)?, span)),
            "max_digits" => max_digits = Some(int(meta)?),
            "decimal_places" => decimal_places = Some(int(meta)?),
            "default" => out.default = Some(Default::Expr(meta.value()?.parse()?)),
            "default_factory" => out.default = Some(Default::Factory(meta.value()?.parse()?)),
            "foreign_key" => {
                let lit = string(meta)?;
                match lit.value().split_once('.') {
                    Some((t, c)) if !t.is_empty() && !c.is_empty() && !c.contains('.') => {
                        out.foreign_key = Some((t.to_owned(), c.to_owned()))
                    }
                    _ => {
                        return Err(syn::Error::new(
                            lit.span(),
                            "foreign_key must be \"table.column\", e.g. \"team.id\"",
                        ));
                    }
                }
            }
            "ondelete" => {
                let lit = string(meta)?;
                ondelete_span = Some(lit.span());
                out.on_delete = Some(match lit.value().to_uppercase().as_str() {
                    "CASCADE" => OnDelete::Cascade,
                    "SET NULL" => OnDelete::SetNull,
                    "RESTRICT" => OnDelete::Restrict,
                    "NO ACTION" => OnDelete::NoAction,
                    _ => {
                        return Err(syn::Error::new(
                            lit.span(),
                            "ondelete must be \"CASCADE\", \"SET NULL\", \"RESTRICT\" or \"NO ACTION\"",
                        ));
                    }
                });
            }
            other => return Err(meta.error(format!("unknown field attribute `{other}`; expected one of {FIELD_KEYS}"))),
        }
        Ok(())
    });
    let has = |k: &str| keys.iter().find(|(key, _)| key == k).map(|(_, s)| *s);
    if let (Some(_), Some(span)) = (has("default"), has("default_factory")) {
        errors.push(syn::Error::new(span, "`default` and `default_factory` conflict: give one"));
    }
    if out.skip
        && let Some((key, span)) = keys.iter().find(|(k, _)| k != "skip")
    {
        errors.push(syn::Error::new(*span, format!("a `skip` field is not a column: `{key}` does not apply")));
    }
    if out.primary_key && out.nullable == Some(true) {
        errors.push(syn::Error::new(
            has("nullable").unwrap_or_else(|| out.ident.span()),
            "a primary key cannot be nullable",
        ));
    }
    if let Some(span) = ondelete_span {
        if out.foreign_key.is_none() {
            errors.push(syn::Error::new(span, "`ondelete` needs a `foreign_key` on the same field"));
        }
        if out.on_delete == Some(OnDelete::SetNull) && !is_option(&out.ty) {
            errors.push(syn::Error::new(
                out.ty.span(),
                "ondelete = \"SET NULL\" needs an Option<...> field: the database will store NULL in it",
            ));
        }
    }
    match (max_digits, decimal_places) {
        (Some(d), Some(p)) => out.precision = Some((d, p)),
        (None, None) => {}
        _ => errors.push(syn::Error::new(
            has("max_digits").or(has("decimal_places")).unwrap_or_else(|| out.ident.span()),
            "`max_digits` and `decimal_places` go together",
        )),
    }
    out
}
