//! Reads the struct and its `#[model]` / `#[field]` attributes into the IR, reporting every
//! attribute error at once.

use syn::spanned::Spanned;

use super::ir::{Bound, Companions, Comparison, Default, Field, Format, Model, OnDelete, Validation};
use crate::attr::{boolean, combine, int, parse_keys, string};

const MODEL_KEYS: &str = "`table`, `base`, `table_name`, `renamed_from`, `create`, `public`, `update`, `validator`, `validator_before`, `title`, `description`";
const FIELD_KEYS: &str = "`primary_key`, `foreign_key`, `ondelete`, `unique`, `index`, `nullable`, `default`, \
    `default_factory`, `server_default`, `renamed_from`, `generated`, `version`, `max_length`, `max_digits`, `decimal_places`, `column_name`, `sql_type`, `skip`, \
    `min_length`, `pattern`, `gt`, `ge`, `lt`, `le`, `multiple_of`, `min_items`, `max_items`, `format`, `validator`, \
    `validator_before`, `alias`, `validation_alias`, `serialization_alias`, `exclude`, `flatten`, `title`, `description`, `examples`";
pub(crate) const TABLE_ONLY: &[&str] = &[
    "primary_key",
    "foreign_key",
    "ondelete",
    "unique",
    "index",
    "nullable",
    "server_default",
    "renamed_from",
    "generated",
    "version",
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
    let mut base: Option<proc_macro2::Span> = None;
    let mut populate_by_name = false;
    let mut table_name: Option<syn::LitStr> = None;
    let mut renamed_from: Option<syn::LitStr> = None;
    let mut companions = Companions::default();
    let mut companion_spans = Vec::new();
    let mut validator = None;
    let mut validator_before = None;
    let mut title = None;
    let mut description = None;
    parse_keys(&input.attrs, "model", &mut errors, |key, meta| {
        match key {
            "table" => is_table = true,
            "base" => base = Some(meta.path.span()),
            "populate_by_name" => populate_by_name = true,
            "table_name" => table_name = Some(string(meta)?),
            "renamed_from" => renamed_from = Some(nonempty(string(meta)?)?),
            "create" | "public" | "update" => {
                let lit = string(meta)?;
                companion_spans.push(lit.span());
                let ident: syn::Ident = lit.parse()?;
                *match key {
                    "create" => &mut companions.create,
                    "public" => &mut companions.public,
                    _ => &mut companions.update,
                } = Some(ident);
            }
            "validator" => validator = Some(meta.value()?.parse()?),
            "validator_before" => validator_before = Some(meta.value()?.parse()?),
            "title" => title = Some(string(meta)?.value()),
            "description" => description = Some(string(meta)?.value()),
            other => return Err(meta.error(format!("unknown model attribute `{other}`; expected one of {MODEL_KEYS}"))),
        }
        Ok(())
    });
    if let Some(name) = &table_name
        && !is_table
    {
        errors.push(syn::Error::new(name.span(), "`table_name` applies to table models; add `table`"));
    }
    if let Some(old) = &renamed_from
        && !is_table
    {
        errors.push(syn::Error::new(old.span(), "`renamed_from` applies to table models; add `table`"));
    }

    if !is_table && let Some(span) = companion_spans.first() {
        errors.push(syn::Error::new(*span, "companion types are generated for table models; add `table`"));
    }
    if is_table && let Some(span) = base {
        errors.push(syn::Error::new(
            span,
            "a base is flattened into tables, not a table itself: remove `table` or `base`",
        ));
    }
    let mut fields = Vec::new();
    for field in &named.named {
        // A base accepts column attributes: they are for the tables it is inlined into.
        let mut field = parse_field(field, is_table, base.is_some(), &mut errors);
        field.validation.populate_by_name = populate_by_name;
        fields.push(field);
    }
    let model = Model {
        base: base.is_some(),
        ident: input.ident.clone(),
        vis: input.vis.clone(),
        companions,
        validator,
        validator_before,
        title: title.unwrap_or_else(|| input.ident.to_string()),
        description,
        table: is_table
            .then(|| table_name.map(|n| n.value()).unwrap_or_else(|| input.ident.to_string().to_lowercase())),
        renamed_from: renamed_from.map(|n| n.value()),
        fields,
    };
    if let Some(old) = &model.renamed_from
        && model.table.as_ref() == Some(old)
    {
        errors.push(syn::Error::new(
            input.ident.span(),
            format!("the table is already named `{old}`: `renamed_from` names its previous name"),
        ));
    }
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

fn parse_field(field: &syn::Field, is_table: bool, is_base: bool, errors: &mut Vec<syn::Error>) -> Field {
    let ident = field.ident.clone().expect("named field");
    let mut out = Field {
        column_name: ident.to_string(),
        ident,
        vis: field.vis.clone(),
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
        renamed_from: None,
        max_length: None,
        precision: None,
        sql_type: None,
        validation: Validation::default(),
        update_non_null: false,
        update_patch: false,
        generated: false,
        version: false,
        relationship: super::relationship::parse(field, is_table, errors),
    };
    let mut keys: Vec<(String, proc_macro2::Span)> = Vec::new();
    let mut ondelete_span = None;
    let mut renamed_span = None;
    let mut max_digits = None;
    let mut decimal_places = None;
    parse_keys(&field.attrs, "field", errors, |key, meta| {
        let span = meta.path.span();
        keys.push((key.to_owned(), span));
        if !is_table && !is_base && TABLE_ONLY.contains(&key) {
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
            "renamed_from" => {
                let old = nonempty(string(meta)?)?;
                out.renamed_from = Some(old.value());
                renamed_span = Some(old.span());
            }
            "generated" => out.generated = true,
            "version" => out.version = true,
            "max_length" => out.max_length = Some((int(meta)?, span)),
            "max_digits" => max_digits = Some(int(meta)?),
            "decimal_places" => decimal_places = Some(int(meta)?),
            "default" => out.default = Some(Default::Expr(meta.value()?.parse()?)),
            "min_length" => out.validation.min_length = Some(int(meta)?),
            "min_items" => out.validation.min_items = Some(int(meta)?),
            "max_items" => out.validation.max_items = Some(int(meta)?),
            "pattern" => {
                let lit = string(meta)?;
                if let Err(e) = regex_syntax::Parser::new().parse(&lit.value()) {
                    return Err(syn::Error::new(lit.span(), format!("invalid regex: {e}")));
                }
                out.validation.pattern = Some(lit.value());
            }
            "gt" | "ge" | "lt" | "le" => {
                let op = match key {
                    "gt" => Comparison::Gt,
                    "ge" => Comparison::Ge,
                    "lt" => Comparison::Lt,
                    _ => Comparison::Le,
                };
                out.validation.bounds.push((op, bound(meta)?));
            }
            "multiple_of" => out.validation.multiple_of = Some(bound(meta)?),
            "format" => {
                let lit = string(meta)?;
                out.validation.format = Some(match lit.value().as_str() {
                    "email" => Format::Email,
                    "url" => Format::Url,
                    _ => return Err(syn::Error::new(lit.span(), "format must be \"email\" or \"url\"")),
                });
            }
            "validator" => out.validation.validator = Some(meta.value()?.parse()?),
            "validator_before" => out.validation.validator_before = Some(meta.value()?.parse()?),
            "alias" => out.validation.alias = Some(string(meta)?.value()),
            "validation_alias" => out.validation.validation_alias = Some(string(meta)?.value()),
            "serialization_alias" => out.validation.serialization_alias = Some(string(meta)?.value()),
            "exclude" => out.validation.exclude = true,
            "flatten" => {
                if is_table {
                    return Err(meta.error(
                        "a table's columns are its own fields: to share a `#[model(base)]` struct's \
                         fields, put #[tablemodel::inline_bases] above #[derive(Model)], which \
                         inlines them here",
                    ));
                }
                out.validation.flatten = true;
            }
            "title" => out.validation.title = Some(string(meta)?.value()),
            "description" => out.validation.description = Some(string(meta)?.value()),
            "examples" => out.validation.examples = Some(meta.value()?.parse()?),
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
            other => {
                let hint = match other {
                    "regex" => "did you mean `pattern`? (SQLModel's `regex` was silently ignored; ours is checked) ",
                    "gte" => "did you mean `ge`? ",
                    "lte" => "did you mean `le`? ",
                    _ => "",
                };
                return Err(
                    meta.error(format!("unknown field attribute `{other}`; {hint}expected one of {FIELD_KEYS}"))
                );
            }
        }
        Ok(())
    });
    let has = |k: &str| keys.iter().find(|(key, _)| key == k).map(|(_, s)| *s);
    if let (Some(_), Some(span)) = (has("default"), has("default_factory")) {
        errors.push(syn::Error::new(span, "`default` and `default_factory` conflict: give one"));
    }
    if out.skip
        && let Some((key, span)) = keys.iter().find(|(k, _)| TABLE_ONLY.contains(&k.as_str()))
    {
        errors.push(syn::Error::new(*span, format!("a `skip` field is not a column: `{key}` does not apply")));
    }
    if out.primary_key && out.nullable == Some(true) {
        errors.push(syn::Error::new(
            has("nullable").unwrap_or_else(|| out.ident.span()),
            "a primary key cannot be nullable",
        ));
    }
    if let Some(span) = has("generated")
        && out.primary_key
    {
        errors.push(syn::Error::new(span, "a key the database generates needs no `generated`: make it an Option"));
    }
    if let Some(span) = has("version")
        && (out.primary_key || out.generated || is_option(&out.ty))
    {
        errors.push(syn::Error::new(
            span,
            "`version` applies to a non-key, non-generated integer field that is not an Option (e.g. `version: i64`)",
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
    if let (Some(span), Some(old)) = (renamed_span, &out.renamed_from)
        && *old == out.column_name
    {
        errors.push(syn::Error::new(
            span,
            format!("the column is already named `{old}`: `renamed_from` names its previous name"),
        ));
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

/// `ge = 0`, `lt = 2.5`, `gt = -1`.
fn bound(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<Bound> {
    let expr: syn::Expr = meta.value()?.parse()?;
    let (negative, lit) = match &expr {
        syn::Expr::Unary(syn::ExprUnary { op: syn::UnOp::Neg(_), expr, .. }) => (true, &**expr),
        other => (false, other),
    };
    let sign = if negative { -1 } else { 1 };
    match lit {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) => Ok(Bound::Int(sign * i.base10_parse::<i128>()?)),
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Float(f), .. }) => {
            Ok(Bound::Float(f64::from(sign as i8) * f.base10_parse::<f64>()?))
        }
        _ => Err(syn::Error::new(expr.span(), "expected a number literal, e.g. `ge = 0` or `lt = 2.5`")),
    }
}

/// A string attribute that must not be empty.
fn nonempty(lit: syn::LitStr) -> syn::Result<syn::LitStr> {
    if lit.value().trim().is_empty() {
        return Err(syn::Error::new(lit.span(), "`renamed_from` needs the previous name"));
    }
    Ok(lit)
}
