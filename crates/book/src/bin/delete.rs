//! Chapter "Delete data": `delete` one row, then a bulk `delete`.

use tablemodel::blocking::Engine;
use tablemodel::prelude::*;
use tablemodel_book::heroes::{Hero, create_heroes};

fn main() -> Result<(), tablemodel::Error> {
    let engine = Engine::connect("sqlite::memory:")?;
    engine.create_all::<Hero>()?;
    let mut session = engine.session()?;
    create_heroes(&mut session)?;
    tablemodel_book::log_sql();

    // ANCHOR: delete
    let spider_boy = session.one(select::<Hero>().filter(Hero::name().eq("Spider-Boy")))?;
    session.delete(&spider_boy)?;
    session.commit()?;
    println!("Deleted: {spider_boy:?}");
    let gone = session.one_or_none(select::<Hero>().filter(Hero::name().eq("Spider-Boy")))?;
    println!("Spider-Boy now: {gone:?}");
    // ANCHOR_END: delete

    // ANCHOR: bulk
    let removed = session.exec(delete::<Hero>().filter(Hero::age().is_null()))?;
    session.commit()?;
    println!("Heroes without an age deleted: {removed}");
    // ANCHOR_END: bulk
    Ok(())
}
