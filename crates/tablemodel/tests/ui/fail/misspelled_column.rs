// A column that does not exist is a compile error, not a runtime SQL error.
use tablemodel::prelude::*;

#[derive(Model)]
#[model(table)]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
}

fn main() {
    let _ = select::<Hero>().filter(Hero::nme().eq("Deadpond"));
}
