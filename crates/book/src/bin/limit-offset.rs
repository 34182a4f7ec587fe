//! Chapter "Read a range of data": `limit`, `offset`, pages.

use tablemodel::blocking::Engine;
use tablemodel::prelude::*;
use tablemodel_book::heroes::{Hero, create_heroes};

fn main() -> Result<(), tablemodel::Error> {
    let engine = Engine::connect("sqlite::memory:")?;
    engine.create_all::<Hero>()?;
    let mut session = engine.session()?;
    create_heroes(&mut session)?;
    tablemodel_book::log_sql();

    // ANCHOR: pages
    for page in 0..3 {
        let statement = select::<Hero>().order_by(Hero::id()).offset(page * 3).limit(3);
        let heroes = session.exec(statement)?;
        let names: Vec<&str> = heroes.iter().map(|h| h.name.as_str()).collect();
        println!("page {page}: {names:?}");
    }
    // ANCHOR_END: pages

    // ANCHOR: where
    let older = session.exec(select::<Hero>().filter(Hero::age().gt(32)).order_by(Hero::id()).offset(1).limit(2))?;
    let names: Vec<&str> = older.iter().map(|h| h.name.as_str()).collect();
    println!("age > 32, second and third: {names:?}");
    // ANCHOR_END: where
    Ok(())
}
