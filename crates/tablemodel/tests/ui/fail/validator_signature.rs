use tablemodel::prelude::*;
use tablemodel::validate::ValueError;

fn shout(value: i32) -> Result<i32, ValueError> {
    Ok(value)
}

#[derive(Model, Debug, Clone)]
#[model(table, update = "HeroUpdate")]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(validator = shout)]
    name: String,
}

fn main() {}
