//! Rust enums stored by variant name, as SQLModel stores Python enums.

/// An enum stored in a text column by variant name.
///
/// Derive it with `#[derive(DbEnum)]`: the column is `VARCHAR(n)` with `n` the longest
/// variant name, and an unknown name read from the database is a decode error naming it.
/// `#[db_enum(rename = "…")]` on a variant stores it under another name. Input that names
/// no variant is Pydantic's `enum` error (`Input should be 'fire' or 'ice'`).
///
/// `#[db_enum(native)]` on the enum makes the database enforce the names, as SQLAlchemy's
/// `Enum` does: a PostgreSQL enum type (`CREATE TYPE power AS ENUM (…)`, named after the
/// enum in lower case, or `#[db_enum(native = "name")]`), created by `create_all` and by
/// migrations before the tables that use it; elsewhere the `VARCHAR(n)` column gets a
/// `CHECK (column IN (…))`. PostgreSQL reflection reads the type back with its labels;
/// SQLite's reflection does not read `CHECK`s, so changing the names there needs a
/// hand-written migration step.
///
/// ```
/// use tablemodel::prelude::*;
/// use tablemodel::{Dialect, ddl};
///
/// #[derive(DbEnum, Clone, Copy, Debug, PartialEq)]
/// #[db_enum(native)]
/// enum Power {
///     Fire,
///     Ice,
/// }
///
/// #[derive(Model, Debug)]
/// #[model(table)]
/// struct Mutant {
///     #[field(primary_key)]
///     id: Option<i64>,
///     power: Power,
/// }
///
/// let postgres = ddl::create_table_sql(Mutant::META, Dialect::Postgres);
/// assert!(postgres[0].contains(r#"CREATE TYPE "power" AS ENUM ('Fire', 'Ice')"#));
/// assert!(postgres[1].contains(r#""power" "power" NOT NULL"#));
/// let sqlite = ddl::create_table_sql(Mutant::META, Dialect::Sqlite);
/// assert!(sqlite[0].contains(r#""power" VARCHAR(4) NOT NULL CHECK ("power" IN ('Fire', 'Ice'))"#));
///
/// let err = Mutant::validate(&serde_json::json!({"power": "Wind"})).unwrap_err();
/// assert_eq!(err.errors()[0].kind, "enum");
/// ```
pub trait DbEnum: Sized + Copy + Send + Sync + 'static {
    /// The variant names, in declaration order.
    const VARIANTS: &'static [&'static str];
    /// The stored name of this variant.
    fn variant_name(self) -> &'static str;
    /// The variant stored under `name`.
    fn from_variant_name(name: &str) -> Option<Self>;
}

/// The length of the longest variant name, for the `VARCHAR(n)` column of an enum.
pub const fn longest_name(names: &[&str]) -> u32 {
    let mut longest = 0;
    let mut i = 0;
    while i < names.len() {
        if names[i].len() > longest {
            longest = names[i].len();
        }
        i += 1;
    }
    longest as u32
}
