// A field type that cannot be stored is an error pointing at the field.
use tablemodel::prelude::*;

#[derive(Model)]
#[model(table)]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    file: std::fs::File,
}

fn main() {}
