//! PostgreSQL's spelling of the schema model: the SQL standard's type names (with `BYTEA`
//! for bytes and `JSONB` for JSON), read back from `format_type`, and server defaults the way
//! `pg_get_expr` reports them (`'abc'::character varying`).

use crate::schema::dialect::DialectSchema;
use crate::schema::{Column, ColumnType, custom_type, labels_only_added, split_type_name};

/// PostgreSQL's [`DialectSchema`].
pub(crate) struct Postgres;

/// The one value of [`Postgres`].
pub(crate) static POSTGRES: Postgres = Postgres;

impl DialectSchema for Postgres {
    fn type_name(&self, ty: &ColumnType) -> String {
        match ty {
            ColumnType::Blob => "BYTEA".to_owned(),
            // Binary JSON: compared with `=`, indexable, keys deduplicated (plain `json`
            // has no equality operator, so a filter on it could not work).
            ColumnType::Json => "JSONB".to_owned(),
            ColumnType::Enum { name, .. } => quote(name),
            ColumnType::Array(element) => format!("{}[]", self.type_name(element)),
            other => other.standard_name(),
        }
    }

    fn native_enums(&self) -> bool {
        true
    }

    /// `CREATE TYPE` has no `IF NOT EXISTS`: an existing type of that name is kept.
    fn create_enum_type(&self, name: &str, labels: &[String]) -> Option<String> {
        Some(format!(
            "DO $$ BEGIN CREATE TYPE {} AS ENUM ({}); EXCEPTION WHEN duplicate_object THEN NULL; END $$",
            quote(name),
            literals(labels)
        ))
    }

    /// A type another table still uses is kept (`DROP TYPE` has no such option).
    fn drop_enum_type(&self, name: &str) -> Option<String> {
        Some(format!(
            "DO $$ BEGIN DROP TYPE IF EXISTS {}; EXCEPTION WHEN dependent_objects_still_exist THEN NULL; END $$",
            quote(name)
        ))
    }

    /// Labels only added (the old ones kept, in their order) are `ALTER TYPE … ADD VALUE`,
    /// which rewrites nothing; PostgreSQL then refuses to store a new label before the
    /// migration's transaction commits. Any other change makes the type again: the old one
    /// is renamed aside (once, by the first column to move), each column is cast to the new
    /// one through its text (a row holding a removed label fails the migration, which rolls
    /// back), and the old type is dropped once no column uses it.
    fn change_enum_labels(
        &self,
        table: &str,
        column: &Column,
        name: &str,
        from: &[String],
        to: &[String],
    ) -> Vec<String> {
        if labels_only_added(from, to) {
            return added_labels(name, from, to);
        }
        let (ty, old) = (quote(name), quote(&format!("{name}__old")));
        let (t, c) = (quote(table), quote(&column.name));
        let labels = literals(to);
        let mut out = vec![format!(
            "DO $$ BEGIN IF (SELECT array_agg(enumlabel::text ORDER BY enumsortorder) FROM pg_enum \
             WHERE enumtypid = to_regtype({type_literal})) IS DISTINCT FROM ARRAY[{labels}]::text[] THEN \
             ALTER TYPE {ty} RENAME TO {old}; CREATE TYPE {ty} AS ENUM ({labels}); END IF; END $$",
            type_literal = literal(&ty),
        )];
        // A default in the old type cannot be cast along with the column.
        if column.default.is_some() {
            out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"));
        }
        out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE {ty} USING {c}::text::{ty}"));
        if let Some(default) = &column.default {
            out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {default}"));
        }
        out.extend(self.drop_enum_type(&format!("{name}__old")));
        out
    }

    fn parse_type(&self, name: &str) -> ColumnType {
        if let Some(element) = name.trim().strip_suffix("[]") {
            return ColumnType::Array(Box::new(self.parse_type(element)));
        }
        let Some((base, args)) = split_type_name(name) else { return custom_type(name) };
        match (base.as_str(), args.as_slice()) {
            ("boolean" | "bool", []) => ColumnType::Boolean,
            ("smallint" | "int2", []) => ColumnType::SmallInt,
            ("integer" | "int" | "int4", []) => ColumnType::Integer,
            ("bigint" | "int8", []) => ColumnType::BigInt,
            ("real" | "float4", []) => ColumnType::Real,
            ("double precision" | "float8", []) => ColumnType::Double,
            ("character varying" | "varchar", []) => ColumnType::Varchar(None),
            ("character varying" | "varchar", [n]) => ColumnType::Varchar(Some(*n)),
            ("text", []) => ColumnType::Text,
            ("bytea", []) => ColumnType::Blob,
            ("jsonb", []) => ColumnType::Json,
            ("date", []) => ColumnType::Date,
            ("time" | "time without time zone", []) => ColumnType::Time,
            ("timestamp" | "timestamp without time zone", []) => ColumnType::Timestamp,
            ("timestamptz" | "timestamp with time zone", []) => ColumnType::TimestampTz,
            ("uuid", []) => ColumnType::Uuid,
            ("numeric" | "decimal", []) => ColumnType::Numeric(None),
            ("numeric" | "decimal", [p, s]) => ColumnType::Numeric(Some((*p, *s))),
            _ => custom_type(name),
        }
    }

    /// `'abc'::character varying` → `'abc'`, `'-1'::integer` → `-1`, `TRUE` → `true`,
    /// `current_timestamp` → `CURRENT_TIMESTAMP`, `NOW()` → `now()`.
    fn normalize_default(&self, sql: &str) -> String {
        normalize_default(sql)
    }
}

/// `name` as a quoted identifier.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The SQL functions PostgreSQL reports in upper case without parentheses.
const VALUE_FUNCTIONS: [&str; 7] = [
    "CURRENT_TIMESTAMP",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "LOCALTIMESTAMP",
    "LOCALTIME",
    "CURRENT_USER",
    "SESSION_USER",
];

/// Type names whose quoted literals PostgreSQL shows for negative numbers (`'-1'::integer`).
const NUMERIC_TYPES: [&str; 6] = ["smallint", "integer", "bigint", "numeric", "real", "double precision"];

fn normalize_default(sql: &str) -> String {
    let mut text = sql.trim().to_owned();
    let mut numeric_cast = false;
    loop {
        if let Some(inner) = unwrap_parens(&text) {
            text = inner.trim().to_owned();
        } else if let Some((value, ty)) = split_cast(&text) {
            numeric_cast = NUMERIC_TYPES.iter().any(|n| ty.eq_ignore_ascii_case(n) || ty.starts_with(&format!("{n}(")));
            text = value.trim().to_owned();
        } else {
            break;
        }
    }
    if numeric_cast
        && let Some(number) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\''))
        && number.parse::<f64>().is_ok()
    {
        text = number.to_owned();
    }
    if text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false") || text.eq_ignore_ascii_case("null") {
        return text.to_ascii_lowercase();
    }
    if let Some(f) = VALUE_FUNCTIONS.iter().find(|f| text.eq_ignore_ascii_case(f)) {
        return (*f).to_owned();
    }
    if text.eq_ignore_ascii_case("now()") {
        return "now()".to_owned();
    }
    text
}

/// `(expr)` → `expr`, when the parentheses enclose the whole text.
fn unwrap_parens(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('(')?.strip_suffix(')')?;
    // The opening parenthesis must close at the very end, not earlier: `(a) + (b)`.
    top_level(inner).all(|(_, depth)| depth >= 0).then_some(inner)
}

/// `value::type` at the top level (outside quotes and parentheses), split at the last cast.
fn split_cast(text: &str) -> Option<(&str, &str)> {
    let bytes = text.as_bytes();
    let cast = top_level(text)
        .filter(|&(i, depth)| depth == 0 && bytes[i] == b':' && bytes.get(i + 1) == Some(&b':'))
        .map(|(i, _)| i)
        .last()?;
    let (value, ty) = (text[..cast].trim(), text[cast + 2..].trim());
    let is_type = !ty.is_empty() && ty.bytes().all(|b| b.is_ascii_alphanumeric() || b" _(),[]\"".contains(&b));
    // The cast binds to the last operand only: strip it when that operand is all there is.
    (is_type && is_atom(value)).then_some((value, ty))
}

/// Whether `value` is one operand: a quoted literal, a parenthesized group, or a word.
fn is_atom(value: &str) -> bool {
    let quoted =
        value.len() >= 2 && value.starts_with('\'') && value.ends_with('\'') && top_level(value).next().is_none();
    let word = !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    quoted || word || unwrap_parens(value).is_some()
}

/// The byte positions of `text` outside single-quoted strings, with the parenthesis depth
/// at each (negative once a parenthesis closes that was not opened in `text`).
fn top_level(text: &str) -> impl Iterator<Item = (usize, i32)> + '_ {
    let mut in_quote = false;
    let mut depth = 0i32;
    text.bytes().enumerate().filter_map(move |(i, b)| {
        if b == b'\'' {
            in_quote = !in_quote;
            return None;
        }
        if in_quote {
            return None;
        }
        match b {
            b'(' => depth += 1,
            b')' => depth -= 1,
            _ => {}
        }
        Some((i, depth))
    })
}

/// A string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Labels as a list of string literals.
fn literals(labels: &[String]) -> String {
    labels.iter().map(|l| literal(l)).collect::<Vec<_>>().join(", ")
}

/// `ADD VALUE` for each label of `to` that `from` lacks, placed after the label before it
/// (or before the first old one), so the type's order is the model's.
fn added_labels(name: &str, from: &[String], to: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, label) in to.iter().enumerate() {
        if from.contains(label) {
            continue;
        }
        let place = match i.checked_sub(1) {
            Some(before) => format!(" AFTER {}", literal(&to[before])),
            None => from.first().map(|first| format!(" BEFORE {}", literal(first))).unwrap_or_default(),
        };
        out.push(format!("ALTER TYPE {} ADD VALUE IF NOT EXISTS {}{place}", quote(name), literal(label)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_reads_back_from_what_postgres_reports() {
        // (type, the DDL spelling, what format_type() reports for it)
        let cases = [
            (ColumnType::Boolean, "BOOLEAN", "boolean"),
            (ColumnType::SmallInt, "SMALLINT", "smallint"),
            (ColumnType::Integer, "INTEGER", "integer"),
            (ColumnType::BigInt, "BIGINT", "bigint"),
            (ColumnType::Real, "REAL", "real"),
            (ColumnType::Double, "DOUBLE PRECISION", "double precision"),
            (ColumnType::Varchar(None), "VARCHAR", "character varying"),
            (ColumnType::Varchar(Some(20)), "VARCHAR(20)", "character varying(20)"),
            (ColumnType::Text, "TEXT", "text"),
            (ColumnType::Blob, "BYTEA", "bytea"),
            (ColumnType::Json, "JSONB", "jsonb"),
            (ColumnType::Date, "DATE", "date"),
            (ColumnType::Time, "TIME WITHOUT TIME ZONE", "time without time zone"),
            (ColumnType::Timestamp, "TIMESTAMP WITHOUT TIME ZONE", "timestamp without time zone"),
            (ColumnType::TimestampTz, "TIMESTAMP WITH TIME ZONE", "timestamp with time zone"),
            (ColumnType::Uuid, "UUID", "uuid"),
            (ColumnType::Numeric(None), "NUMERIC", "numeric"),
            (ColumnType::Numeric(Some((10, 2))), "NUMERIC(10, 2)", "numeric(10,2)"),
            (ColumnType::Custom("JSON".into()), "JSON", "json"),
        ];
        for (ty, name, reported) in cases {
            assert_eq!(POSTGRES.type_name(&ty), name, "{ty:?}");
            assert_eq!(POSTGRES.parse_type(name), ty, "{name}");
            assert_eq!(POSTGRES.parse_type(reported), ty, "{reported}");
        }
        assert_eq!(
            POSTGRES.parse_type("character varying(20)[]"),
            ColumnType::Array(Box::new(ColumnType::Varchar(Some(20))))
        );
        let tags = ColumnType::Array(Box::new(ColumnType::Text));
        assert_eq!(POSTGRES.type_name(&tags), "TEXT[]");
        assert_eq!(POSTGRES.parse_type("text[]"), tags);
    }

    #[test]
    fn defaults_lose_the_casts_and_case_postgres_adds() {
        let cases = [
            ("'abc'::character varying", "'abc'"),
            ("'it''s'::text", "'it''s'"),
            ("'a::b'::text", "'a::b'"),
            ("'{}'::json", "'{}'"),
            ("'2020-01-01'::date", "'2020-01-01'"),
            ("'-1'::integer", "-1"),
            ("'-1.5'::numeric", "-1.5"),
            ("'-1'::text", "'-1'"),
            ("0", "0"),
            ("1.50", "1.50"),
            ("TRUE", "true"),
            ("false", "false"),
            ("current_timestamp", "CURRENT_TIMESTAMP"),
            ("NOW()", "now()"),
            ("(now() + '1 day'::interval)", "now() + '1 day'::interval"),
            ("('now'::text)::date", "'now'"),
            ("(1) + (2)", "(1) + (2)"),
            ("  'x'  ", "'x'"),
        ];
        for (reported, normalized) in cases {
            assert_eq!(normalize_default(reported), normalized, "{reported}");
        }
    }
}
