//! A one-column key's parameters drop what they hold exactly once: `KeyParams` drops its
//! value by hand (an integer key, holding nothing, skips `Value`'s drop glue), so a text
//! key must still free its text, and nothing may be freed twice.
//!
//! Its own test binary: it counts this thread's live allocations through a global
//! allocator.

#![allow(unsafe_code)] // the counting allocator

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use tablemodel::__private::KeyParams;
use tablemodel::Value;

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LIVE.try_with(|live| live.set(live.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE.try_with(|live| live.set(live.get() - 1));
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.with(Cell::get)
}

#[test]
fn a_text_key_frees_its_text_once() {
    let before = live();
    let key = KeyParams::one(Value::String(Some("a hero's name".to_owned())));
    assert_eq!(live(), before + 1, "the text is the key's one allocation");
    assert_eq!(&*key, [Value::String(Some("a hero's name".to_owned()))].as_slice());
    drop(key);
    assert_eq!(live(), before, "dropping the key frees its text");
}

#[test]
fn a_bytes_key_frees_its_bytes_once() {
    let before = live();
    let key = KeyParams::one(Value::Bytes(Some(vec![1, 2, 3])));
    assert_eq!(live(), before + 1);
    drop(key);
    assert_eq!(live(), before);
}

#[test]
fn an_integer_key_holds_nothing_and_reads_back() {
    let before = live();
    let key = KeyParams::one(Value::BigInt(Some(42)));
    assert_eq!(live(), before);
    assert_eq!(&*key, [Value::BigInt(Some(42))].as_slice());
    drop(key);
    assert_eq!(live(), before);
}

#[test]
fn a_composite_key_frees_its_values() {
    let before = live();
    let key = KeyParams::Many(vec![Value::String(Some("a".to_owned())), Value::BigInt(Some(1))]);
    assert_eq!(live(), before + 2, "the vector and the text");
    drop(key);
    assert_eq!(live(), before);
}
