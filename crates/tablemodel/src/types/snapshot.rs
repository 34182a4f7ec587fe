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
//!
//! A whole row is written through one [`Image`], which keeps the buffer's length out of
//! memory while the row's fields write; that is what the module's `unsafe` (a copy into
//! room it made, and giving the vector the length written) is for.

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
#[cfg(test)]
pub(crate) fn null(out: &mut Vec<u8>) {
    out.extend_from_slice(&NULL);
}

/// The image of NULL: its length (1) and the NULL marker.
const NULL: [u8; 5] = [1, 0, 0, 0, 0];

/// The end of a buffer that one row's column images are being appended to.
///
/// `Vec::extend_from_slice` would load the vector's length and capacity, check them and
/// store the new length for every piece of every column; an `Image` keeps the three in
/// registers while a row is written, checks the room once per column, and gives the vector
/// its length once, when dropped: about a fifth less for the image of a row, which every
/// row a session hands out pays (BENCHMARKS.md, fifteenth session).
#[doc(hidden)]
pub struct Image<'a> {
    out: &'a mut Vec<u8>,
    /// The length of `out` as written so far: `out[..len]` is initialized.
    len: usize,
    /// The capacity of `out` and where its buffer starts, kept here so that a write
    /// neither reads them from `out` again nor stores its length there.
    capacity: usize,
    start: *mut u8,
}

impl<'a> Image<'a> {
    /// Starts appending to `out`.
    #[inline]
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        let len = out.len();
        let capacity = out.capacity();
        let start = out.as_mut_ptr();
        Image { out, len, capacity, start }
    }

    /// Appends the image of NULL.
    #[inline]
    pub fn null(&mut self) {
        self.room(NULL.len());
        self.put(&NULL);
    }

    /// Appends the image of a non-NULL value whose bytes are `bytes` (text, bytes, or a
    /// number's little-endian bytes).
    #[inline]
    pub fn bytes(&mut self, bytes: &[u8]) {
        self.room(5 + bytes.len());
        let [a, b, c, d] = (bytes.len() as u32 + 1).to_le_bytes();
        self.put(&[a, b, c, d, 1]);
        self.put(bytes);
    }

    /// Appends the image of a non-NULL value of `N` ≤ 8 bytes (a number's little-endian
    /// bytes), as [`bytes`](Self::bytes) does, in one write of a constant length.
    #[inline]
    pub fn fixed<const N: usize>(&mut self, bytes: [u8; N]) {
        const { assert!(N <= 8) };
        let mut image = [0u8; 13];
        image[..4].copy_from_slice(&(N as u32 + 1).to_le_bytes());
        image[4] = 1;
        image[5..5 + N].copy_from_slice(&bytes);
        self.room(5 + N);
        self.put(&image[..5 + N]);
    }

    /// Appends an image written by `write` to the buffer itself (JSON, or a value's
    /// generic image), which checks its own room.
    #[inline]
    pub(crate) fn with_buffer(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        self.sync();
        write(self.out);
        self.len = self.out.len();
        self.capacity = self.out.capacity();
        self.start = self.out.as_mut_ptr();
    }

    /// Makes room for `more` bytes past those written.
    #[inline]
    fn room(&mut self, more: usize) {
        if self.capacity - self.len < more {
            (self.capacity, self.start) = grow(self.out, self.len, more);
        }
    }

    /// Copies `bytes` to the end, into room that [`room`](Self::room) made for them: each
    /// public write asks for the room of all it puts first.
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        debug_assert!(bytes.len() <= self.capacity - self.len, "a row image wrote past the room it made");
        // SAFETY: `start` is the buffer of `out`, whose capacity holds `len + bytes.len()`
        // bytes (the caller made that room: `room` checks the capacity, and `grow`'s
        // `reserve` guarantees it), and `bytes`, borrowed apart from `out`, cannot overlap
        // its spare room.
        #[allow(unsafe_code)]
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.start.add(self.len), bytes.len());
        }
        self.len += bytes.len();
    }

    /// Gives `out` the length written so far.
    #[inline]
    fn sync(&mut self) {
        // SAFETY: `len` never exceeds the capacity, and every byte below it was written:
        // `len` only grows past bytes that `put` copied or that `out` itself wrote.
        #[allow(unsafe_code)]
        unsafe {
            self.out.set_len(self.len);
        }
    }
}

/// Makes room for `more` bytes past the `len` written to `out`; its new capacity and start.
/// Apart from the `Image`, so that its fields can stay out of memory.
#[cold]
#[inline(never)]
fn grow(out: &mut Vec<u8>, len: usize, more: usize) -> (usize, *mut u8) {
    // SAFETY: as in `Image::sync`: every byte below `len` was written.
    #[allow(unsafe_code)]
    unsafe {
        out.set_len(len);
    }
    out.reserve(more);
    (out.capacity(), out.as_mut_ptr())
}

impl Drop for Image<'_> {
    #[inline]
    fn drop(&mut self) {
        self.sync();
    }
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
    fn a_row_image_makes_room_as_it_goes_and_matches_its_columns_images() {
        // Fields of every kind of write (fixed, bytes, NULL, and JSON through the buffer
        // itself), appended after earlier rows into buffers of every starting room: the
        // image is each column's own image, back to back, whatever had to grow when.
        let long = "x".repeat(300);
        let json = serde_json::json!({"tags": ["a", "b"]});
        let write_row = |out: &mut Vec<u8>| {
            let mut image = Image::new(out);
            7i64.snapshot_to(&mut image);
            long.snapshot_to(&mut image);
            None::<i32>.snapshot_to(&mut image);
            json.snapshot_to(&mut image);
            Some(2.5f64).snapshot_to(&mut image);
            "ab".to_owned().snapshot_to(&mut image);
        };
        let mut expected = b"earlier row".to_vec();
        for v in [7i64.to_value(), long.to_value(), None::<i32>.to_value(), json.to_value()] {
            value(&v, &mut expected);
        }
        value(&2.5f64.to_value(), &mut expected);
        value(&"ab".to_owned().to_value(), &mut expected);
        for room in [0, 11, 12, 20, 330, 400, 4096] {
            let mut out = Vec::with_capacity(room);
            out.extend_from_slice(b"earlier row");
            write_row(&mut out);
            assert_eq!(out, expected, "starting with room for {room} bytes");
            write_row(&mut out);
            assert_eq!(out.len(), 2 * expected.len() - 11);
            assert_eq!(columns(&out[expected.len()..]).count(), 6);
        }
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
