//! Chapter "Filter data with where": comparisons, several conditions, `or_`, NULL.

use tablemodel::blocking::Engine;
use tablemodel::prelude::*;
use tablemodel_book::heroes::{Hero, create_heroes};

fn main() -> Result<(), tablemodel::Error> {
    let engine = Engine::connect("sqlite::memory:")?;
    engine.create_all::<Hero>()?;
    let mut session = engine.session()?;
    create_heroes(&mut session)?;
    tablemodel_book::log_sql();

    // ANCHOR: eq
    let deadpond = session.exec(select::<Hero>().filter(Hero::name().eq("Deadpond")))?;
    println!("name = Deadpond: {:?}", names(&deadpond));
    // ANCHOR_END: eq

    // ANCHOR: compare
    let older = session.exec(select::<Hero>().filter(Hero::age().gt(35)))?;
    println!("age > 35: {:?}", names(&older));
    let not_deadpond = session.exec(select::<Hero>().filter(Hero::name().ne("Deadpond")))?;
    println!("name != Deadpond: {:?}", names(&not_deadpond));
    // ANCHOR_END: compare

    // ANCHOR: and
    let between = session.exec(select::<Hero>().filter(Hero::age().ge(35)).filter(Hero::age().lt(40)))?;
    println!("35 <= age < 40: {:?}", names(&between));
    // ANCHOR_END: and

    // ANCHOR: or
    let either = session.exec(select::<Hero>().filter(or_(Hero::age().le(35), Hero::age().gt(90))))?;
    println!("age <= 35 or age > 90: {:?}", names(&either));
    // ANCHOR_END: or

    // ANCHOR: null
    let unknown = session.exec(select::<Hero>().filter(Hero::age().is_null()))?;
    println!("age unknown: {:?}", names(&unknown));
    // ANCHOR_END: null
    Ok(())
}

fn names(heroes: &[Hero]) -> Vec<&str> {
    heroes.iter().map(|h| h.name.as_str()).collect()
}
