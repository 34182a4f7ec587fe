//! [`ColumnType`]: a column's type without any dialect's spelling of it.

use serde::{Deserialize, Serialize};

use crate::types::{SqlTypeInfo, ValueKind};

/// A column type, normalized across dialects.
///
/// Each backend spells these its own way (`BIGINT` is `INTEGER` on SQLite, `BLOB` is
/// `BYTEA` on PostgreSQL) and parses its spelling back when it reflects a database, so a
/// schema compares equal whichever database it came from. A type the model does not know
/// is [`ColumnType::Custom`], kept as written.
///
/// ```
/// use tablemodel::schema::ColumnType;
/// use tablemodel::{SqlType, SqlTypeInfo};
/// assert_eq!(ColumnType::from_info(&<i64 as SqlType>::TYPE), ColumnType::BigInt);
/// assert_eq!(ColumnType::from_info(&<String as SqlType>::TYPE.with_max_length(20)), ColumnType::Varchar(Some(20)));
/// ```
///
/// It serializes as its SQL standard name (`"BIGINT"`, `"VARCHAR(20)"`), a custom type
/// as written (prefixed `custom:` only where it reads like a standard name), so schema
/// and migration files stay readable:
///
/// ```
/// use tablemodel::schema::ColumnType;
/// let json = serde_json::to_string(&[ColumnType::Varchar(Some(20)), ColumnType::Custom("jsonb".into())]).unwrap();
/// assert_eq!(json, r#"["VARCHAR(20)","jsonb"]"#);
/// assert_eq!(serde_json::from_str::<ColumnType>(r#""NUMERIC(10, 2)""#).unwrap(), ColumnType::Numeric(Some((10, 2))));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ColumnType {
    /// `BOOLEAN`.
    Boolean,
    /// A 16-bit integer.
    SmallInt,
    /// A 32-bit integer.
    Integer,
    /// A 64-bit integer.
    BigInt,
    /// A 32-bit float.
    Real,
    /// A 64-bit float.
    Double,
    /// `VARCHAR`, with its length if it has one.
    Varchar(Option<u32>),
    /// Text of any length.
    Text,
    /// Bytes.
    Blob,
    /// JSON.
    Json,
    /// A calendar date.
    Date,
    /// A time of day without time zone.
    Time,
    /// A date and time without time zone.
    Timestamp,
    /// A point in time (a timestamp with time zone).
    TimestampTz,
    /// A UUID.
    Uuid,
    /// A decimal, with its precision and scale if it has them.
    Numeric(Option<(u32, u32)>),
    /// A named enum type (`#[db_enum(native)]`): PostgreSQL's `CREATE TYPE name AS ENUM`;
    /// elsewhere a `VARCHAR` as long as the longest label, with a `CHECK` on the labels.
    Enum {
        /// The type's name.
        name: String,
        /// The labels, in order.
        labels: Vec<String>,
    },
    /// An array of the element type (PostgreSQL's `TEXT[]`); JSON where the database has
    /// no arrays.
    Array(Box<ColumnType>),
    /// A type given verbatim (a field's `sql_type`), or a reflected type outside this list.
    Custom(String),
}

impl ColumnType {
    /// The type of a field, from the derive's metadata: its `sql_type` override if it has
    /// one, else its kind with the length or precision attributes gave it.
    pub fn from_info(info: &SqlTypeInfo) -> ColumnType {
        if let Some(sql) = info.sql {
            return ColumnType::Custom(sql.trim().to_owned());
        }
        if let Some(native) = info.native_enum {
            let labels = native.labels.iter().map(|l| (*l).to_owned()).collect();
            return ColumnType::Enum { name: native.name.to_owned(), labels };
        }
        match info.kind {
            ValueKind::Bool => ColumnType::Boolean,
            ValueKind::SmallInt => ColumnType::SmallInt,
            ValueKind::Int => ColumnType::Integer,
            ValueKind::BigInt => ColumnType::BigInt,
            ValueKind::Float => ColumnType::Real,
            ValueKind::Double => ColumnType::Double,
            ValueKind::Text => ColumnType::Varchar(info.max_length),
            ValueKind::Bytes => ColumnType::Blob,
            ValueKind::Json => ColumnType::Json,
            ValueKind::Date => ColumnType::Date,
            ValueKind::Time => ColumnType::Time,
            ValueKind::DateTime => ColumnType::Timestamp,
            ValueKind::DateTimeUtc => ColumnType::TimestampTz,
            ValueKind::Uuid => ColumnType::Uuid,
            ValueKind::Decimal => ColumnType::Numeric(info.precision),
            ValueKind::Array(element) => {
                let element = match element.kind() {
                    // Array elements are unbounded text, as SQLAlchemy's `ARRAY(String)`.
                    ValueKind::Text => ColumnType::Text,
                    kind => ColumnType::from_info(&SqlTypeInfo::of(kind)),
                };
                ColumnType::Array(Box::new(element))
            }
        }
    }

    /// The SQL standard spelling of this type, which a dialect uses unless it spells the
    /// type its own way.
    pub fn standard_name(&self) -> String {
        let name = match self {
            ColumnType::Boolean => "BOOLEAN",
            ColumnType::SmallInt => "SMALLINT",
            ColumnType::Integer => "INTEGER",
            ColumnType::BigInt => "BIGINT",
            ColumnType::Real => "REAL",
            ColumnType::Double => "DOUBLE PRECISION",
            ColumnType::Varchar(Some(n)) => return format!("VARCHAR({n})"),
            ColumnType::Varchar(None) => "VARCHAR",
            ColumnType::Text => "TEXT",
            ColumnType::Blob => "BLOB",
            ColumnType::Json => "JSON",
            ColumnType::Date => "DATE",
            ColumnType::Time => "TIME WITHOUT TIME ZONE",
            ColumnType::Timestamp => "TIMESTAMP WITHOUT TIME ZONE",
            ColumnType::TimestampTz => "TIMESTAMP WITH TIME ZONE",
            ColumnType::Uuid => "UUID",
            ColumnType::Numeric(Some((p, s))) => return format!("NUMERIC({p}, {s})"),
            ColumnType::Numeric(None) => "NUMERIC",
            // Where the database has no enum types: text that holds the longest label.
            ColumnType::Enum { labels, .. } => {
                return format!("VARCHAR({})", labels.iter().map(|l| l.chars().count()).max().unwrap_or(1).max(1));
            }
            ColumnType::Array(element) => return format!("{}[]", element.standard_name()),
            ColumnType::Custom(sql) => return sql.clone(),
        };
        name.to_owned()
    }
}

/// Marks a custom type whose name reads like a standard one, in the serialized form.
const CUSTOM_PREFIX: &str = "custom:";

/// Whether enum labels `to` keep every label of `from`, in the same order: labels only
/// added, which a database with enum types does without rewriting a row.
pub(crate) fn labels_only_added(from: &[String], to: &[String]) -> bool {
    let mut rest = to.iter();
    from.iter().all(|label| rest.any(|l| l == label))
}

/// How an enum type is written in schema files: `{"enum": name, "labels": [...]}`.
#[derive(Serialize, Deserialize)]
struct EnumForm {
    #[serde(rename = "enum")]
    name: String,
    labels: Vec<String>,
}

/// A serialized type: its name, or an enum type's object.
#[derive(Deserialize)]
#[serde(untagged)]
enum Serialized {
    Name(String),
    Enum(EnumForm),
}

impl Serialize for ColumnType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ColumnType::Enum { name, labels } => {
                EnumForm { name: name.clone(), labels: labels.clone() }.serialize(serializer)
            }
            ColumnType::Custom(sql) if !matches!(super::dialect::standard_type(sql), ColumnType::Custom(_)) => {
                serializer.serialize_str(&format!("{CUSTOM_PREFIX}{sql}"))
            }
            _ => serializer.serialize_str(&self.standard_name()),
        }
    }
}

impl<'de> Deserialize<'de> for ColumnType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<ColumnType, D::Error> {
        let name = match Serialized::deserialize(deserializer)? {
            Serialized::Name(name) => name,
            Serialized::Enum(EnumForm { name, labels }) => return Ok(ColumnType::Enum { name, labels }),
        };
        if let Some(custom) = name.strip_prefix(CUSTOM_PREFIX) {
            return Ok(ColumnType::Custom(custom.to_owned()));
        }
        Ok(match super::dialect::standard_type(&name) {
            ColumnType::Custom(_) => ColumnType::Custom(name),
            standard => standard,
        })
    }
}

/// A type name as the backends' parsers read it: the base name in lower case with single
/// spaces, and the numbers in parentheses after it (`numeric(10,2)` → `("numeric", [10, 2])`).
/// `None` when the parentheses hold something other than numbers, or text follows them.
pub(crate) fn split_type_name(name: &str) -> Option<(String, Vec<u32>)> {
    let name = name.trim();
    let (base, args) = match name.find('(') {
        Some(open) => {
            let close = name.rfind(')')?;
            if close < open || !name[close + 1..].trim().is_empty() {
                return None;
            }
            let args: Option<Vec<u32>> = name[open + 1..close].split(',').map(|a| a.trim().parse().ok()).collect();
            (&name[..open], args?)
        }
        None => (name, Vec::new()),
    };
    let base = base.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
    Some((base, args))
}

/// A type name no parser recognised, as [`ColumnType::Custom`]: upper case, single spaces
/// (databases fold unquoted type names, so `jsonb` and `JSONB` are one type).
pub(crate) fn custom(name: &str) -> ColumnType {
    ColumnType::Custom(name.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_survives_serialization() {
        let types = [
            ColumnType::Varchar(None),
            ColumnType::Numeric(None),
            ColumnType::Numeric(Some((10, 2))),
            ColumnType::TimestampTz,
            ColumnType::Custom("jsonb".into()),
            ColumnType::Custom("TEXT".into()),
            ColumnType::Enum { name: "power".into(), labels: vec!["fire".into(), "it's".into()] },
            ColumnType::Array(Box::new(ColumnType::Text)),
            ColumnType::Array(Box::new(ColumnType::BigInt)),
        ];
        for ty in types {
            let json = serde_json::to_string(&ty).unwrap();
            assert_eq!(serde_json::from_str::<ColumnType>(&json).unwrap(), ty, "{json}");
        }
    }

    #[test]
    fn type_names_split_into_base_and_arguments() {
        assert_eq!(split_type_name(" Character  Varying(20) "), Some(("character varying".to_owned(), vec![20])));
        assert_eq!(split_type_name("NUMERIC(10, 2)"), Some(("numeric".to_owned(), vec![10, 2])));
        assert_eq!(split_type_name("numeric"), Some(("numeric".to_owned(), vec![])));
        assert_eq!(split_type_name("varchar(20)[]"), None);
        assert_eq!(split_type_name("geometry(Point, 4326)"), None);
    }
}
