use tablemodel::prelude::*;

#[derive(Model, Clone)]
#[model(table)]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    #[relationship(back_populates = "heroes", cascade = true)]
    team: Option<i64>,
}

fn main() {}
