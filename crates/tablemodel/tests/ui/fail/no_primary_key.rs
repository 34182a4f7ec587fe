// A table needs a primary key; table-only attributes need a table.
use tablemodel::prelude::*;

#[derive(Model)]
#[model(table)]
struct Hero {
    name: String,
}

#[derive(Model)]
struct HeroCreate {
    #[field(primary_key)]
    id: Option<i64>,
}

fn main() {}
