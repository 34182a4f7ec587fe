//! What a dialect does to a schema: how it spells column types and reads them back, how it
//! reports server defaults, which names it keeps. Each backend describes itself with a
//! [`DialectSchema`] in its own `ddl.rs`; this module picks the one for a [`Dialect`].

use super::{Column, ColumnType, Table};
use crate::backend::Dialect;
use crate::meta::OnDelete;

/// A dialect's spelling of the schema model. Only what differs from the SQL standard needs
/// overriding.
pub(crate) trait DialectSchema: Sync {
    /// The column type in this dialect's DDL.
    fn type_name(&self, ty: &ColumnType) -> String {
        ty.standard_name()
    }

    /// The type a reflected column type name stands for; [`ColumnType::Custom`] when it is
    /// not one this dialect renders.
    fn parse_type(&self, name: &str) -> ColumnType;

    /// A server default as this dialect reports it back (casts and case folded the way its
    /// catalog shows them), so a model's default and a reflected one compare equal.
    fn normalize_default(&self, sql: &str) -> String {
        sql.trim().to_owned()
    }

    /// The `ON DELETE` action as this dialect reports it back (MySQL makes no difference
    /// between `NO ACTION` and `RESTRICT`).
    fn normalize_on_delete(&self, action: OnDelete) -> OnDelete {
        action
    }

    /// Whether reflection reads constraint names back (SQLite's catalog does not keep the
    /// names of primary keys, unique constraints and foreign keys).
    fn keeps_constraint_names(&self) -> bool {
        true
    }

    /// Whether the dialect has named enum types ([`ColumnType::Enum`] is a type of its own
    /// there, read back with its labels); elsewhere an enum is text with a `CHECK`.
    fn native_enums(&self) -> bool {
        false
    }

    /// The statement that creates enum type `name` unless it exists, where the dialect has
    /// named enum types.
    fn create_enum_type(&self, _name: &str, _labels: &[String]) -> Option<String> {
        None
    }

    /// The statement that drops enum type `name` if it exists and nothing uses it any more,
    /// where the dialect has named enum types.
    fn drop_enum_type(&self, _name: &str) -> Option<String> {
        None
    }

    /// The statements that give enum type `name` the labels `to` (it has `from`) and move
    /// `column` of `table` onto it, where the dialect has named enum types; none elsewhere
    /// (there the column's `CHECK` is rewritten with the column). Run once per column that
    /// uses the type: the type changes once, each column follows.
    fn change_enum_labels(
        &self,
        _table: &str,
        _column: &Column,
        _name: &str,
        _from: &[String],
        _to: &[String],
    ) -> Vec<String> {
        Vec::new()
    }

    /// Whether the database generates `column`'s values, as reflection will report it.
    fn generates_values(&self, _table: &Table, column: &Column) -> bool {
        column.autoincrement
    }
}

/// The SQL standard's spelling, for a dialect whose backend is not compiled in (its DDL can
/// still be rendered, e.g. to print it).
struct Standard;

impl DialectSchema for Standard {
    fn parse_type(&self, name: &str) -> ColumnType {
        if let Some(element) = name.trim().strip_suffix("[]") {
            return ColumnType::Array(Box::new(self.parse_type(element)));
        }
        let Some((base, args)) = super::types::split_type_name(name) else { return super::types::custom(name) };
        match (base.as_str(), args.as_slice()) {
            ("boolean", []) => ColumnType::Boolean,
            ("smallint", []) => ColumnType::SmallInt,
            ("integer", []) => ColumnType::Integer,
            ("bigint", []) => ColumnType::BigInt,
            ("real", []) => ColumnType::Real,
            ("double precision", []) => ColumnType::Double,
            ("varchar", []) => ColumnType::Varchar(None),
            ("varchar", [n]) => ColumnType::Varchar(Some(*n)),
            ("text", []) => ColumnType::Text,
            ("blob", []) => ColumnType::Blob,
            ("json", []) => ColumnType::Json,
            ("date", []) => ColumnType::Date,
            ("time without time zone", []) => ColumnType::Time,
            ("timestamp without time zone", []) => ColumnType::Timestamp,
            ("timestamp with time zone", []) => ColumnType::TimestampTz,
            ("uuid", []) => ColumnType::Uuid,
            ("numeric", []) => ColumnType::Numeric(None),
            ("numeric", [p, s]) => ColumnType::Numeric(Some((*p, *s))),
            _ => super::types::custom(name),
        }
    }
}

/// The type a standard type name stands for ([`ColumnType::Custom`] if none).
pub(crate) fn standard_type(name: &str) -> ColumnType {
    Standard.parse_type(name)
}

/// The schema spelling of `dialect`.
pub(crate) fn of(dialect: Dialect) -> &'static dyn DialectSchema {
    crate::backend::schema_spelling(dialect).unwrap_or(&Standard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_names_read_back_as_the_same_type() {
        let types = [
            ColumnType::Boolean,
            ColumnType::SmallInt,
            ColumnType::Integer,
            ColumnType::BigInt,
            ColumnType::Real,
            ColumnType::Double,
            ColumnType::Varchar(None),
            ColumnType::Varchar(Some(20)),
            ColumnType::Text,
            ColumnType::Blob,
            ColumnType::Json,
            ColumnType::Date,
            ColumnType::Time,
            ColumnType::Timestamp,
            ColumnType::TimestampTz,
            ColumnType::Uuid,
            ColumnType::Numeric(None),
            ColumnType::Numeric(Some((10, 2))),
            ColumnType::Array(Box::new(ColumnType::Text)),
            ColumnType::Custom("GEOMETRY".to_owned()),
        ];
        for ty in types {
            assert_eq!(Standard.parse_type(&Standard.type_name(&ty)), ty);
        }
    }
}
