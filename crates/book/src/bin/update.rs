//! Chapter "Update data": change fields, `save`, `commit`, `refresh`; a bulk `update`.

use tablemodel::blocking::Engine;
use tablemodel::prelude::*;
use tablemodel_book::heroes::{Hero, create_heroes};

fn main() -> Result<(), tablemodel::Error> {
    let engine = Engine::connect("sqlite::memory:")?;
    engine.create_all::<Hero>()?;
    let mut session = engine.session()?;
    create_heroes(&mut session)?;
    tablemodel_book::log_sql();

    // ANCHOR: save
    let mut spider_boy = session.one(select::<Hero>().filter(Hero::name().eq("Spider-Boy")))?;
    println!("Hero: {spider_boy:?}");
    spider_boy.age = Some(16);
    session.save(&mut spider_boy)?;
    session.commit()?;
    println!("Updated hero: {spider_boy:?}");
    // ANCHOR_END: save

    // ANCHOR: refresh
    let mut same_row = session.get::<Hero>(2)?.expect("Spider-Boy is hero 2");
    spider_boy.name = "Spider-Youngster".into();
    session.save(&mut spider_boy)?;
    session.commit()?;
    println!("Before refresh: {same_row:?}");
    session.refresh(&mut same_row)?;
    println!("After refresh:  {same_row:?}");
    // ANCHOR_END: refresh

    // ANCHOR: bulk
    let changed = session.exec(update::<Hero>().set(Hero::age(), Some(49)).filter(Hero::name().eq("Rusty-Man")))?;
    session.commit()?;
    println!("Rows changed by the bulk update: {changed}");
    // ANCHOR_END: bulk
    Ok(())
}
