//! Rust mirrors of the Python models in `fixtures/generate.py`.

use rust_decimal::Decimal;
use tablemodel::prelude::*;

#[derive(DbEnum, Clone, Copy, Debug, PartialEq)]
pub(crate) enum Power {
    Flight,
    Strength,
    Speed,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub(crate) struct Sidekick {
    #[field(min_length = 2)]
    pub(crate) name: String,
    #[field(ge = 0)]
    pub(crate) age: Option<i32>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub(crate) struct Profile {
    #[field(min_length = 1, max_length = 20, pattern = "^[A-Za-z ]+$")]
    pub(crate) name: String,
    #[field(ge = 0, le = 150)]
    pub(crate) age: i32,
    #[field(gt = 0, lt = 100, multiple_of = 0.5)]
    pub(crate) score: f64,
    #[field(min_items = 1, max_items = 3)]
    pub(crate) tags: Vec<String>,
    #[field(max_digits = 6, decimal_places = 2)]
    pub(crate) price: Decimal,
    pub(crate) active: bool,
    #[field(max_length = 5)]
    pub(crate) nickname: Option<String>,
    pub(crate) power: Power,
    #[field(default = 1, ge = 1)]
    pub(crate) level: i64,
    pub(crate) sidekick: Option<Sidekick>,
}

/// The tutorial's `Team`, with generated companions.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, create = "TeamCreate", public = "TeamPublic", update = "TeamUpdate")]
pub(crate) struct Team {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    #[field(index)]
    pub(crate) name: String,
    pub(crate) headquarters: String,
}

/// The tutorial's `Hero`, with generated companions.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, create = "HeroCreate", public = "HeroPublic", update = "HeroUpdate")]
pub(crate) struct Hero {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    #[field(index)]
    pub(crate) name: String,
    pub(crate) secret_name: String,
    #[field(index)]
    pub(crate) age: Option<i32>,
    #[field(foreign_key = "team.id")]
    pub(crate) team_id: Option<i64>,
}

/// The committed Pydantic answers.
pub(crate) fn fixture() -> serde_json::Value {
    serde_json::from_str(include_str!("fixtures/pydantic.json")).expect("fixture is JSON")
}
