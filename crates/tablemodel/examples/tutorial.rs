//! The heroes and teams of SQLModel's tutorial on an embedded SQLite database file
//! (`database.db` in the working directory, or `DATABASE_URL`): create the tables, add
//! teams and heroes, query, join, update and delete, printing what each step returns.
//!
//! Run with `cargo run -p tablemodel --example tutorial`; `RUST_LOG=tablemodel::sql=info` also prints
//! every SQL statement with its parameters and duration.

use tablemodel::prelude::*;

#[derive(Model, Debug, Clone)]
#[model(table)]
struct Team {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(index)]
    name: String,
    headquarters: String,
}

#[derive(Model, Debug, Clone)]
#[model(table)]
struct Hero {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(index)]
    name: String,
    secret_name: String,
    #[field(index)]
    age: Option<i32>,
    #[field(foreign_key = "team.id", ondelete = "SET NULL")]
    team_id: Option<i64>,
}

fn hero(name: &str, secret_name: &str, age: Option<i32>, team_id: Option<i64>) -> Hero {
    Hero { id: None, name: name.into(), secret_name: secret_name.into(), age, team_id }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), tablemodel::Error> {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite:///database.db".to_owned());
    let engine = Engine::builder(&url).echo(true).connect().await?;
    engine.drop_all::<(Team, Hero)>().await?;
    engine.create_all::<(Team, Hero)>().await?;

    let mut s = engine.session().await?;
    let preventers = s.add(Team { id: None, name: "Preventers".into(), headquarters: "Sharp Tower".into() }).await?;
    let z_force =
        s.add(Team { id: None, name: "Z-Force".into(), headquarters: "Sister Margaret's Bar".into() }).await?;
    s.add_all([
        hero("Deadpond", "Dive Wilson", None, z_force.id),
        hero("Rusty-Man", "Tommy Sharp", Some(48), preventers.id),
        hero("Spider-Boy", "Pedro Parqueador", None, None),
        hero("Tarantula", "Natalia Roman-on", Some(32), None),
        hero("Black Lion", "Trevor Challa", Some(35), None),
    ])
    .await?;
    s.commit().await?;

    println!("Heroes aged 35 or more:");
    for h in s.exec(select::<Hero>().filter(Hero::age().ge(35)).order_by(Hero::id())).await? {
        println!("  {} ({:?})", h.name, h.age);
    }

    println!("Heroes with their team (outer join):");
    for (h, t) in s.exec(select::<(Hero, Option<Team>)>().outer_join::<Team>().order_by(Hero::id())).await? {
        println!("  {} -> {}", h.name, t.map_or("no team".to_owned(), |t| t.name));
    }

    let mut spider = s.one(select::<Hero>().filter(Hero::name().eq("Spider-Boy"))).await?;
    spider.team_id = preventers.id;
    spider.age = Some(16);
    s.save(&mut spider).await?;
    s.commit().await?;
    println!("Updated: {spider:?}");

    let per_team = s
        .exec(
            select_only((Team::name(), Hero::id().count()))
                .join::<Hero>()
                .group_by(Team::name())
                .order_by(Team::name()),
        )
        .await?;
    println!("Heroes per team: {per_team:?}");

    let removed = s.exec(delete::<Hero>().filter(Hero::age().lt(33))).await?;
    s.commit().await?;
    println!("Deleted {removed} heroes younger than 33");
    Ok(())
}
