use tablemodel::prelude::*;

// A schema model has no table to rename.
#[derive(Model)]
#[model(renamed_from = "heroes")]
struct HeroCreate {
    name: String,
}

// The previous name must differ from the current one, and not be empty.
#[derive(Model)]
#[model(table, renamed_from = "hero")]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(renamed_from = "name")]
    name: String,
    #[field(renamed_from = "")]
    age: i32,
}

fn main() {}
