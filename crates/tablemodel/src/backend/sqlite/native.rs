//! The built-in types read straight from SQLite's column value: the hot path of every
//! SQLite read, which skips the intermediate [`Value`](crate::Value).

use rusqlite::types::ValueRef;

use super::{decode_ref, int_of, real_of, text_of};
use crate::error::DecodeError;
use crate::types::{SqlType, is_null};

/// A type read directly from a SQLite value; `None` for NULL.
pub(crate) trait Native: SqlType {
    /// Types without a faster way decode by kind and go through `from_value`.
    #[inline]
    fn from_sqlite(raw: ValueRef<'_>) -> Result<Option<Self>, DecodeError> {
        let value = decode_ref(raw, Self::TYPE.kind)?;
        if is_null(&value) { Ok(None) } else { Self::from_value(value).map(Some) }
    }
}

/// An SQLite integer narrowed to `T`, or the same error the generic path gives.
#[inline]
fn narrow<T: TryFrom<i64>>(raw: ValueRef<'_>) -> Result<T, DecodeError> {
    let wide = int_of(raw)?;
    T::try_from(wide).map_err(|_| DecodeError::new(std::any::type_name::<T>(), format!("found SQLite value {raw:?}")))
}

macro_rules! native {
    ($($ty:ty $(=> |$raw:ident| $read:expr)?;)*) => {
        $(impl Native for $ty {
            $(
                #[inline]
                fn from_sqlite($raw: ValueRef<'_>) -> Result<Option<Self>, DecodeError> {
                    if let ValueRef::Null = $raw {
                        return Ok(None);
                    }
                    $read.map(Some)
                }
            )?
        })*
    };
}

native! {
    bool => |raw| int_of(raw).map(|i| i != 0);
    i16 => |raw| narrow(raw);
    i32 => |raw| narrow(raw);
    i64 => |raw| int_of(raw);
    f32 => |raw| real_of(raw).map(|f| f as f32);
    f64 => |raw| real_of(raw);
    String => |raw| text_of(raw).map(str::to_owned);
    Vec<u8>;
    chrono::NaiveDate;
    chrono::NaiveTime;
    chrono::NaiveDateTime;
    chrono::DateTime<chrono::Utc>;
    uuid::Uuid;
    rust_decimal::Decimal;
}

#[cfg(test)]
mod tests {
    use crate::backend::RowRef;
    use crate::error::{Error, Result};
    use crate::row::RowReader;
    use crate::types::SqlType;

    /// Decodes column `idx` of `SELECT <select>` as a `T`, the way a model's `decode` does.
    fn read<T: SqlType>(select: &str, idx: usize) -> Result<T> {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let mut stmt = conn.prepare(&format!("SELECT {select}")).unwrap();
        let mut rows = stmt.query([]).unwrap();
        let row = rows.next().unwrap().unwrap();
        let mut reader = RowReader::new(RowRef::Sqlite(row));
        reader.skip(idx);
        reader.read_unnamed::<T>("col")
    }

    #[test]
    fn scalars_accept_sqlite_loose_storage_classes() {
        assert_eq!(read::<i64>("42", 0).unwrap(), 42);
        assert_eq!(read::<i64>("7.0", 0).unwrap(), 7, "a whole REAL is an integer");
        assert_eq!(read::<f64>("3", 0).unwrap(), 3.0, "an INTEGER is a number");
        assert_eq!(read::<f32>("1.5", 0).unwrap(), 1.5);
        assert!(read::<bool>("1", 0).unwrap());
        assert_eq!(read::<String>("'Deadpond'", 0).unwrap(), "Deadpond");
        assert_eq!(read::<Option<i32>>("NULL", 0).unwrap(), None);
        assert_eq!(read::<Option<String>>("1, 'x'", 1).unwrap().as_deref(), Some("x"));
    }

    #[test]
    fn mismatches_name_the_column_and_the_expected_type() {
        let err = read::<i32>("3000000000", 0).unwrap_err();
        let Error::Decode { column, source } = err else { panic!("{err:?}") };
        assert_eq!((column.as_str(), source.expected), ("col", "i32"));
        let Error::Decode { source, .. } = read::<i16>("70000", 0).unwrap_err() else { panic!() };
        assert_eq!(source.expected, "i16");
        let Error::Decode { source, .. } = read::<String>("NULL", 0).unwrap_err() else { panic!() };
        assert!(source.message.contains("NULL"), "{source:?}");
        let Error::Decode { source, .. } = read::<i64>("'ten'", 0).unwrap_err() else { panic!() };
        assert_eq!(source.expected, "an integer");
        let Error::Decode { source, .. } = read::<i64>("2.5", 0).unwrap_err() else { panic!() };
        assert_eq!(source.expected, "an integer", "a fractional REAL is not an integer");
        let Error::Decode { source, .. } = read::<String>("X'ff'", 0).unwrap_err() else { panic!() };
        assert_eq!(source.expected, "text");
    }
}
