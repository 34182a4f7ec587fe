//! Chapter "Read data": `select`, `exec`, and what a row turns into.

use tablemodel::blocking::{Engine, Session};
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

fn create_heroes(session: &mut Session) -> Result<(), tablemodel::Error> {
    session.add_all([
        Hero { id: None, name: "Deadpond".into(), secret_name: "Dive Wilson".into(), age: None },
        Hero { id: None, name: "Spider-Boy".into(), secret_name: "Pedro Parqueador".into(), age: None },
        Hero { id: None, name: "Rusty-Man".into(), secret_name: "Tommy Sharp".into(), age: Some(48) },
    ])?;
    session.commit()
}

// ANCHOR: select
fn select_heroes(session: &mut Session) -> Result<(), tablemodel::Error> {
    let statement = select::<Hero>();
    let heroes: Vec<Hero> = session.exec(statement)?;
    for hero in &heroes {
        println!("{hero:?}");
    }
    Ok(())
}
// ANCHOR_END: select

// ANCHOR: columns
fn select_names(session: &mut Session) -> Result<(), tablemodel::Error> {
    let names: Vec<(String, Option<i32>)> = session.exec(select_only((Hero::name(), Hero::age())))?;
    println!("{names:?}");
    Ok(())
}
// ANCHOR_END: columns

fn main() -> Result<(), tablemodel::Error> {
    tablemodel_book::log_sql();
    let engine = Engine::connect("sqlite::memory:")?;
    engine.create_all::<Hero>()?;
    let mut session = engine.session()?;
    create_heroes(&mut session)?;
    select_heroes(&mut session)?;
    select_names(&mut session)
}
