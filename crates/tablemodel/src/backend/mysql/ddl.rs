//! MySQL's and MariaDB's spelling of the schema model: the column types SQLAlchemy emits
//! for the same SQLModel fields on MySQL (`VARCHAR(255)` for a string without a length,
//! `DATETIME(6)` so microseconds survive, `CHAR(36)` UUIDs), read back from
//! `information_schema.COLUMNS.COLUMN_TYPE`.

use crate::meta::OnDelete;
use crate::schema::dialect::DialectSchema;
use crate::schema::{ColumnType, custom_type, split_type_name};

/// MySQL's [`DialectSchema`].
pub(crate) struct Mysql;

/// The one value of [`Mysql`].
pub(crate) static MYSQL: Mysql = Mysql;

/// The length of a `VARCHAR` the model gives none: MySQL requires one, and 255 is what
/// SQLAlchemy picks for SQLModel's strings (it keeps an index on it under InnoDB's limit).
pub(crate) const DEFAULT_VARCHAR_LENGTH: u32 = 255;

/// What MySQL and MariaDB report for `CURRENT_TIMESTAMP` and its synonyms.
const NOW_SPELLINGS: [&str; 6] =
    ["current_timestamp()", "current_timestamp", "now()", "current_timestamp(6)", "now(6)", "localtimestamp()"];

impl DialectSchema for Mysql {
    fn type_name(&self, ty: &ColumnType) -> String {
        let name = match ty {
            ColumnType::Boolean => "BOOL",
            ColumnType::Integer => "INT",
            ColumnType::Real => "FLOAT",
            ColumnType::Double => "DOUBLE",
            ColumnType::Varchar(None) => return format!("VARCHAR({DEFAULT_VARCHAR_LENGTH})"),
            ColumnType::Time => "TIME(6)",
            ColumnType::Timestamp | ColumnType::TimestampTz => "DATETIME(6)",
            ColumnType::Uuid => "CHAR(36)",
            // DECIMAL alone is DECIMAL(10, 0): it would drop every fraction.
            ColumnType::Numeric(None) => "DECIMAL(65, 30)",
            ColumnType::Numeric(Some((p, s))) => return format!("DECIMAL({p}, {s})"),
            // No array type: a `Vec` of scalars is stored as JSON (`Capabilities::arrays`).
            ColumnType::Array(_) => "JSON",
            other => return other.standard_name(),
        };
        name.to_owned()
    }

    fn parse_type(&self, name: &str) -> ColumnType {
        let Some((base, args)) = split_type_name(name) else { return custom_type(name) };
        match (base.as_str(), args.as_slice()) {
            ("tinyint", [1]) | ("bool" | "boolean", []) => ColumnType::Boolean,
            // MariaDB and MySQL 5.7 show display widths: `int(11)`, `bigint(20)`.
            ("smallint", [] | [_]) => ColumnType::SmallInt,
            ("int" | "integer", [] | [_]) => ColumnType::Integer,
            ("bigint", [] | [_]) => ColumnType::BigInt,
            ("float", []) => ColumnType::Real,
            ("double" | "double precision", []) => ColumnType::Double,
            ("varchar", [n]) if *n == DEFAULT_VARCHAR_LENGTH => ColumnType::Varchar(None),
            ("varchar", [n]) => ColumnType::Varchar(Some(*n)),
            ("text", []) => ColumnType::Text,
            ("blob", []) => ColumnType::Blob,
            // MariaDB's JSON is an alias of LONGTEXT with a `json_valid` check.
            ("json" | "longtext", []) => ColumnType::Json,
            ("date", []) => ColumnType::Date,
            ("time", [6]) => ColumnType::Time,
            ("datetime", [6]) => ColumnType::Timestamp,
            ("char", [36]) => ColumnType::Uuid,
            ("decimal", [65, 30]) => ColumnType::Numeric(None),
            ("decimal", [p, s]) => ColumnType::Numeric(Some((*p, *s))),
            _ => custom_type(name),
        }
    }

    /// InnoDB checks a foreign key at once either way, and reports no action as `RESTRICT`.
    fn normalize_on_delete(&self, action: OnDelete) -> OnDelete {
        match action {
            OnDelete::NoAction => OnDelete::Restrict,
            other => other,
        }
    }

    /// `current_timestamp()` → `CURRENT_TIMESTAMP`; `NULL` (MariaDB's "no default" on a
    /// nullable column) stays `NULL` and is dropped by reflection.
    fn normalize_default(&self, sql: &str) -> String {
        let text = sql.trim();
        if NOW_SPELLINGS.iter().any(|s| text.eq_ignore_ascii_case(s)) {
            return "CURRENT_TIMESTAMP".to_owned();
        }
        // A boolean is a TINYINT(1): its default reads back as a number.
        if text.eq_ignore_ascii_case("true") {
            return "1".to_owned();
        }
        if text.eq_ignore_ascii_case("false") {
            return "0".to_owned();
        }
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_reads_back_from_what_mysql_reports() {
        // (type, the DDL spelling, what information_schema reports for it)
        let cases = [
            (ColumnType::Boolean, "BOOL", "tinyint(1)"),
            (ColumnType::SmallInt, "SMALLINT", "smallint(6)"),
            (ColumnType::Integer, "INT", "int(11)"),
            (ColumnType::BigInt, "BIGINT", "bigint(20)"),
            (ColumnType::Real, "FLOAT", "float"),
            (ColumnType::Double, "DOUBLE", "double"),
            (ColumnType::Varchar(None), "VARCHAR(255)", "varchar(255)"),
            (ColumnType::Varchar(Some(20)), "VARCHAR(20)", "varchar(20)"),
            (ColumnType::Text, "TEXT", "text"),
            (ColumnType::Blob, "BLOB", "blob"),
            (ColumnType::Json, "JSON", "longtext"),
            (ColumnType::Date, "DATE", "date"),
            (ColumnType::Time, "TIME(6)", "time(6)"),
            (ColumnType::Timestamp, "DATETIME(6)", "datetime(6)"),
            (ColumnType::Uuid, "CHAR(36)", "char(36)"),
            (ColumnType::Numeric(None), "DECIMAL(65, 30)", "decimal(65,30)"),
            (ColumnType::Numeric(Some((10, 2))), "DECIMAL(10, 2)", "decimal(10,2)"),
        ];
        for (ty, name, reported) in cases {
            assert_eq!(MYSQL.type_name(&ty), name, "{ty:?}");
            assert_eq!(MYSQL.parse_type(reported), ty, "{reported}");
        }
        assert_eq!(MYSQL.normalize_default("current_timestamp()"), "CURRENT_TIMESTAMP");
        assert_eq!(MYSQL.normalize_default("'abc'"), "'abc'");
    }
}
