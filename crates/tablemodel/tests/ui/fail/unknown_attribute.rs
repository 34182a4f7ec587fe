// An attribute the derive does not know is an error (SQLModel silently ignores `regex`).
use tablemodel::prelude::*;

#[derive(Model)]
#[model(table)]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(regex = "^[a-z]+$")]
    name: String,
}

fn main() {}
