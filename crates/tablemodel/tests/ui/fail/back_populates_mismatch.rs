use tablemodel::prelude::*;

#[derive(Model, Clone)]
#[model(table)]
struct Team {
    #[field(primary_key)]
    id: Option<i64>,
    #[relationship(back_populates = "team")]
    heroes: Related<Vec<Hero>>,
}

#[derive(Model, Clone)]
#[model(table)]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(foreign_key = "team.id")]
    team_id: Option<i64>,
    #[relationship(back_populates = "heros")]
    team: Related<Option<Team>>,
}

fn main() {}
