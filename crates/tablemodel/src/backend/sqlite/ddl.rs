//! SQLite's spelling of the schema model: the column types SQLAlchemy emits for the same
//! SQLModel fields on SQLite (so a database file is shared with a Python app), read back
//! from the declared type SQLite keeps verbatim.

use crate::schema::dialect::DialectSchema;
use crate::schema::{Column, ColumnType, Table, custom_type, split_type_name};

/// SQLite's [`DialectSchema`].
pub(crate) struct Sqlite;

/// The one value of [`Sqlite`].
pub(crate) static SQLITE: Sqlite = Sqlite;

impl DialectSchema for Sqlite {
    fn type_name(&self, ty: &ColumnType) -> String {
        let name = match ty {
            // Only `INTEGER PRIMARY KEY`, spelled exactly so, makes a column the rowid.
            ColumnType::BigInt => "INTEGER",
            ColumnType::Double => "FLOAT",
            ColumnType::Time => "TIME",
            ColumnType::Timestamp | ColumnType::TimestampTz => "DATETIME",
            // 32 hex digits, as SQLAlchemy stores a UUID on SQLite.
            ColumnType::Uuid => "CHAR(32)",
            // No arrays: stored as JSON text (see `Capabilities::arrays`).
            ColumnType::Array(_) => "JSON",
            other => return other.standard_name(),
        };
        name.to_owned()
    }

    fn parse_type(&self, name: &str) -> ColumnType {
        let Some((base, args)) = split_type_name(name) else { return custom_type(name) };
        match (base.as_str(), args.as_slice()) {
            ("boolean" | "bool", []) => ColumnType::Boolean,
            ("smallint", []) => ColumnType::SmallInt,
            ("integer" | "int", []) => ColumnType::Integer,
            ("bigint", []) => ColumnType::BigInt,
            ("real", []) => ColumnType::Real,
            ("float" | "double" | "double precision", []) => ColumnType::Double,
            ("varchar" | "character varying", []) => ColumnType::Varchar(None),
            ("varchar" | "character varying", [n]) => ColumnType::Varchar(Some(*n)),
            ("text", []) => ColumnType::Text,
            ("blob", []) => ColumnType::Blob,
            ("json", []) => ColumnType::Json,
            ("date", []) => ColumnType::Date,
            ("time" | "time without time zone", []) => ColumnType::Time,
            ("datetime" | "timestamp" | "timestamp without time zone", []) => ColumnType::Timestamp,
            ("timestamp with time zone", []) => ColumnType::TimestampTz,
            ("char", [32]) | ("uuid", []) => ColumnType::Uuid,
            ("numeric" | "decimal", []) => ColumnType::Numeric(None),
            ("numeric" | "decimal", [p, s]) => ColumnType::Numeric(Some((*p, *s))),
            _ => custom_type(name),
        }
    }

    fn keeps_constraint_names(&self) -> bool {
        false
    }

    /// The sole primary key column declared `INTEGER` is the rowid: SQLite fills it in
    /// whether or not the model asked for it.
    fn generates_values(&self, table: &Table, column: &Column) -> bool {
        is_rowid(table, &column.name, &self.type_name(&column.ty))
    }
}

/// Whether `column`, declared as `declared`, is `table`'s rowid alias.
pub(crate) fn is_rowid(table: &Table, column: &str, declared: &str) -> bool {
    let sole_key = table.primary_key.as_ref().is_some_and(|pk| pk.columns.len() == 1 && pk.columns[0] == column);
    sole_key && declared.trim().eq_ignore_ascii_case("INTEGER")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_reads_back_as_what_sqlite_can_tell_apart() {
        let cases = [
            (ColumnType::Boolean, "BOOLEAN", ColumnType::Boolean),
            (ColumnType::SmallInt, "SMALLINT", ColumnType::SmallInt),
            (ColumnType::Integer, "INTEGER", ColumnType::Integer),
            (ColumnType::BigInt, "INTEGER", ColumnType::Integer),
            (ColumnType::Real, "REAL", ColumnType::Real),
            (ColumnType::Double, "FLOAT", ColumnType::Double),
            (ColumnType::Varchar(None), "VARCHAR", ColumnType::Varchar(None)),
            (ColumnType::Varchar(Some(20)), "VARCHAR(20)", ColumnType::Varchar(Some(20))),
            (ColumnType::Text, "TEXT", ColumnType::Text),
            (ColumnType::Blob, "BLOB", ColumnType::Blob),
            (ColumnType::Json, "JSON", ColumnType::Json),
            (ColumnType::Date, "DATE", ColumnType::Date),
            (ColumnType::Time, "TIME", ColumnType::Time),
            (ColumnType::Timestamp, "DATETIME", ColumnType::Timestamp),
            (ColumnType::TimestampTz, "DATETIME", ColumnType::Timestamp),
            (ColumnType::Uuid, "CHAR(32)", ColumnType::Uuid),
            (ColumnType::Numeric(None), "NUMERIC", ColumnType::Numeric(None)),
            (ColumnType::Numeric(Some((10, 2))), "NUMERIC(10, 2)", ColumnType::Numeric(Some((10, 2)))),
            (ColumnType::Custom("JSONB".into()), "JSONB", ColumnType::Custom("JSONB".into())),
            (ColumnType::Array(Box::new(ColumnType::Text)), "JSON", ColumnType::Json),
            (ColumnType::Custom("TEXT".into()), "TEXT", ColumnType::Text),
        ];
        for (ty, name, back) in cases {
            assert_eq!(SQLITE.type_name(&ty), name, "{ty:?}");
            assert_eq!(SQLITE.parse_type(name), back, "{name}");
        }
    }

    #[test]
    fn declared_types_are_read_whatever_their_case_and_spacing() {
        assert_eq!(SQLITE.parse_type("varchar( 20 )"), ColumnType::Varchar(Some(20)));
        assert_eq!(SQLITE.parse_type("Numeric(10,2)"), ColumnType::Numeric(Some((10, 2))));
        assert_eq!(SQLITE.parse_type("char(36)"), ColumnType::Custom("CHAR(36)".into()));
        assert_eq!(SQLITE.parse_type("my  type"), ColumnType::Custom("MY TYPE".into()));
    }
}
