//! Chapter "Create a table": a model, an engine, `create_all`.

// ANCHOR: model
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
// ANCHOR_END: model

// ANCHOR: main
fn main() -> Result<(), tablemodel::Error> {
    tablemodel_book::log_sql();
    let engine = Engine::connect("sqlite::memory:")?;
    engine.create_all::<Hero>()?;
    println!("The hero table exists");
    Ok(())
}
// ANCHOR_END: main
