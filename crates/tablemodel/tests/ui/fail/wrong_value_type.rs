// Comparing an integer column with a string is a compile error.
use tablemodel::prelude::*;

#[derive(Model)]
#[model(table)]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    age: Option<i32>,
}

fn main() {
    let _ = select::<Hero>().filter(Hero::age().gt("thirty"));
}
