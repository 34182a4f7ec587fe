// ON DELETE SET NULL needs a nullable field; several attribute errors are reported at once.
use tablemodel::prelude::*;

#[derive(Model)]
#[model(table)]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(foreign_key = "team.id", ondelete = "SET NULL")]
    team_id: i64,
    #[field(default = 1, default_factory = make, index, index)]
    rank: i32,
}

fn make() -> i32 {
    1
}

fn main() {}
