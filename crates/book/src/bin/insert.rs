//! Chapter "Insert rows": `add`, `add_all`, `commit`; the key the database generates.

use tablemodel::blocking::Engine;
use tablemodel::prelude::*;

#[derive(Model, Debug)]
#[model(table)]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
    secret_name: String,
    age: Option<i32>,
}

// ANCHOR: main
fn main() -> Result<(), tablemodel::Error> {
    tablemodel_book::log_sql();
    let engine = Engine::connect("sqlite::memory:")?;
    engine.create_all::<Hero>()?;

    let hero_1 = Hero { id: None, name: "Deadpond".into(), secret_name: "Dive Wilson".into(), age: None };
    let hero_2 = Hero { id: None, name: "Spider-Boy".into(), secret_name: "Pedro Parqueador".into(), age: None };
    let hero_3 = Hero { id: None, name: "Rusty-Man".into(), secret_name: "Tommy Sharp".into(), age: Some(48) };
    println!("Before adding: {hero_1:?}");

    let mut session = engine.session()?;
    let hero_1 = session.add(hero_1)?;
    let others = session.add_all([hero_2, hero_3])?;
    session.commit()?;

    println!("After adding:  {hero_1:?}");
    for hero in &others {
        println!("After adding:  {hero:?}");
    }
    Ok(())
}
// ANCHOR_END: main
