//! Chapter "Indexes": `#[field(index)]` and the CREATE INDEX statements it adds.

use tablemodel::blocking::Engine;
use tablemodel::prelude::*;
use tablemodel_book::heroes::{Hero, create_heroes};

// ANCHOR: main
fn main() -> Result<(), tablemodel::Error> {
    tablemodel_book::log_sql();
    let engine = Engine::connect("sqlite::memory:")?;
    engine.create_all::<Hero>()?;
    let mut session = engine.session()?;
    create_heroes(&mut session)?;

    let deadpond = session.one(select::<Hero>().filter(Hero::name().eq("Deadpond")))?;
    println!("{deadpond:?}");
    let old = session.exec(select::<Hero>().filter(Hero::age().le(35)))?;
    println!("{} heroes aged 35 or less", old.len());
    Ok(())
}
// ANCHOR_END: main
