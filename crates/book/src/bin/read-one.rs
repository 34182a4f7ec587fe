//! Chapter "Read one row": `first`, `one`, `one_or_none`, `get`.

use tablemodel::blocking::Engine;
use tablemodel::prelude::*;
use tablemodel_book::heroes::{Hero, create_heroes};

fn main() -> Result<(), tablemodel::Error> {
    let engine = Engine::connect("sqlite::memory:")?;
    engine.create_all::<Hero>()?;
    let mut session = engine.session()?;
    create_heroes(&mut session)?;
    tablemodel_book::log_sql();

    // ANCHOR: first
    let first = session.first(select::<Hero>().filter(Hero::age().le(35)))?;
    println!("first: {first:?}");
    let none = session.first(select::<Hero>().filter(Hero::age().lt(25)))?;
    println!("first (none): {none:?}");
    // ANCHOR_END: first

    // ANCHOR: one
    let one = session.one(select::<Hero>().filter(Hero::name().eq("Deadpond")))?;
    println!("one: {one:?}");
    let too_many = session.one(select::<Hero>().filter(Hero::age().le(35)));
    println!("one (too many): {too_many:?}");
    let missing = session.one_or_none(select::<Hero>().filter(Hero::name().eq("Nobody")))?;
    println!("one_or_none (none): {missing:?}");
    // ANCHOR_END: one

    // ANCHOR: get
    let by_key = session.get::<Hero>(1)?;
    println!("get(1): {by_key:?}");
    let no_key = session.get::<Hero>(9001)?;
    println!("get(9001): {no_key:?}");
    // ANCHOR_END: get
    Ok(())
}
