use tablemodel::prelude::*;

#[derive(Model)]
#[model(base)]
struct HeroBase {
    #[field(index)]
    name: String,
}

// Flattening a base into a table needs #[inline_bases].
#[derive(Model)]
#[model(table)]
struct Hero {
    #[field(flatten)]
    base: HeroBase,
    #[field(primary_key)]
    id: Option<i64>,
}

// A base is not a table itself.
#[derive(Model)]
#[model(table, base)]
struct Team {
    #[field(primary_key)]
    id: Option<i64>,
}

// A flattened base takes no other attribute.
#[inline_bases]
#[derive(Model)]
#[model(table)]
struct Villain {
    #[field(flatten, alias = "b")]
    base: HeroBase,
    #[field(primary_key)]
    id: Option<i64>,
}

fn main() {}
