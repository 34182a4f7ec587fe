//! The byte image of a column value that a session keeps of each row it hands out, so that
//! `save` can tell which columns changed (see the session's change tracking).
//!
//! A row's image is one buffer: per column a little-endian `u32` length, then a NULL marker
//! (`0`) or a non-NULL marker (`1`) followed by the value's bytes. Equal bytes mean equal
//! values: integers, floats (their bits), text and bytes are written as they are, JSON as
//! its text, other kinds as their `Debug` form, which shows every digit. Values that compare
//! equal may still differ in bytes (`1.0` and `1.00` as decimals): `save` then writes that
//! column, which is harmless; it never skips a changed one.
//!
//! Built-in text, bytes and JSON fields write their image from the field itself, without
//! the copy that [`SqlType::to_value`](crate::SqlType::to_value) makes.

use std::io::Write;

use crate::types::Value;

/// Appends the image of `value`.
pub(crate) fn value(value: &Value, out: &mut Vec<u8>) {
    let start = begin(out);
    if crate::types::is_null(value) {
        out.push(0);
    } else {
        out.push(1);
        match value {
            Value::Bool(Some(v)) => out.push(u8::from(*v)),
            Value::TinyInt(Some(v)) => out.extend_from_slice(&v.to_le_bytes()),
            Value::SmallInt(Some(v)) => out.extend_from_slice(&v.to_le_bytes()),
            Value::Int(Some(v)) => out.extend_from_slice(&v.to_le_bytes()),
            Value::BigInt(Some(v)) => out.extend_from_slice(&v.to_le_bytes()),
            Value::TinyUnsigned(Some(v)) => out.extend_from_slice(&v.to_le_bytes()),
            Value::SmallUnsigned(Some(v)) => out.extend_from_slice(&v.to_le_bytes()),
            Value::Unsigned(Some(v)) => out.extend_from_slice(&v.to_le_bytes()),
            Value::BigUnsigned(Some(v)) => out.extend_from_slice(&v.to_le_bytes()),
            Value::Float(Some(v)) => out.extend_from_slice(&v.to_bits().to_le_bytes()),
            Value::Double(Some(v)) => out.extend_from_slice(&v.to_bits().to_le_bytes()),
            Value::String(Some(v)) => out.extend_from_slice(v.as_bytes()),
            Value::Bytes(Some(v)) => out.extend_from_slice(v),
            Value::Uuid(Some(v)) => out.extend_from_slice(v.as_bytes()),
            Value::Json(Some(v)) => json_bytes(v, out),
            other => {
                let _ = write!(out, "{other:?}");
            }
        }
    }
    end(out, start);
}

/// Appends the image of NULL.
#[inline]
pub(crate) fn null(out: &mut Vec<u8>) {
    out.extend_from_slice(&[1, 0, 0, 0, 0]);
}

/// Appends the image of a non-NULL value whose bytes are `bytes` (text, bytes, or a
/// number's little-endian bytes).
#[inline]
pub(crate) fn bytes(bytes: &[u8], out: &mut Vec<u8>) {
    let [a, b, c, d] = (bytes.len() as u32 + 1).to_le_bytes();
    out.extend_from_slice(&[a, b, c, d, 1]);
    out.extend_from_slice(bytes);
}

/// Appends the image of a non-NULL value of `N` ≤ 8 bytes (a number's little-endian
/// bytes), as [`bytes`] does, in one write of a constant length.
#[inline]
pub(crate) fn fixed<const N: usize>(bytes: [u8; N], out: &mut Vec<u8>) {
    const { assert!(N <= 8) };
    let mut image = [0u8; 13];
    image[..4].copy_from_slice(&(N as u32 + 1).to_le_bytes());
    image[4] = 1;
    image[5..5 + N].copy_from_slice(&bytes);
    out.extend_from_slice(&image[..5 + N]);
}

/// Appends the image of a non-NULL JSON value.
pub(crate) fn json(json: &serde_json::Value, out: &mut Vec<u8>) {
    let start = begin(out);
    out.push(1);
    json_bytes(json, out);
    end(out, start);
}

fn json_bytes(json: &serde_json::Value, out: &mut Vec<u8>) {
    // Writing a JSON value to memory cannot fail.
    let _ = serde_json::to_writer(&mut *out, json);
}

/// Reserves a column's length; returns where it is.
#[inline]
fn begin(out: &mut Vec<u8>) -> usize {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    start
}

/// Fills in the length reserved at `start`.
#[inline]
fn end(out: &mut [u8], start: usize) {
    let len = (out.len() - start - 4) as u32;
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
}

/// The columns of a row image, in order.
pub(crate) fn columns(mut image: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        let (len, rest) = image.split_first_chunk::<4>()?;
        let (column, rest) = rest.split_at_checked(u32::from_le_bytes(*len) as usize)?;
        image = rest;
        Some(column)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqlType;

    fn image_of<T: SqlType>(v: &T) -> Vec<u8> {
        let mut out = Vec::new();
        v.snapshot(&mut out);
        out
    }

    fn image_via_value<T: SqlType>(v: &T) -> Vec<u8> {
        let mut out = Vec::new();
        value(&v.to_value(), &mut out);
        out
    }

    #[test]
    fn a_field_and_its_value_have_one_image() {
        assert_eq!(image_of(&"Deadpond".to_owned()), image_via_value(&"Deadpond".to_owned()));
        assert_eq!(image_of(&Some("x".to_owned())), image_via_value(&Some("x".to_owned())));
        assert_eq!(image_of(&None::<String>), image_via_value(&None::<String>));
        assert_eq!(image_of(&vec![1u8, 2]), image_via_value(&vec![1u8, 2]));
        let json = serde_json::json!({"a": [1, 2]});
        assert_eq!(image_of(&json), image_via_value(&json));
        assert_eq!(image_of(&Some(7i64)), image_via_value(&Some(7i64)));
        assert_eq!(image_of(&None::<i64>), image_via_value(&None::<i64>));
        assert_eq!(image_of(&-3i32), image_via_value(&-3i32));
        assert_eq!(image_of(&12i16), image_via_value(&12i16));
        assert_eq!(image_of(&true), image_via_value(&true));
        assert_eq!(image_of(&1.25f32), image_via_value(&1.25f32));
        assert_eq!(image_of(&-1.25f64), image_via_value(&-1.25f64));
    }

    #[test]
    fn different_values_have_different_images() {
        assert_ne!(image_of(&None::<String>), image_of(&Some(String::new())));
        assert_ne!(image_of(&Some(0i64)), image_of(&None::<i64>));
        assert_ne!(image_of(&1.5f64), image_of(&2.5f64));
        let date = chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        assert_ne!(image_of(&date), image_of(&date.succ_opt().unwrap()));
    }

    #[test]
    fn columns_come_back_in_order() {
        let mut row = Vec::new();
        1i64.snapshot(&mut row);
        "ab".to_owned().snapshot(&mut row);
        None::<i32>.snapshot(&mut row);
        let columns: Vec<&[u8]> = columns(&row).collect();
        assert_eq!(columns, [&[1, 1, 0, 0, 0, 0, 0, 0, 0][..], &[1, b'a', b'b'][..], &[0][..]]);
    }
}
