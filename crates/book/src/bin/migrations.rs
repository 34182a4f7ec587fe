//! Chapter "Migrations": the `db` commands an application gets from
//! `tablemodel::migrate::cli`, run as a user types them while the hero model changes
//! (created; `age` added; `secret_name` renamed; `age` dropped), in a scratch folder
//! with a SQLite file.
//!
//! Each command is parsed and run by the same `DbArgs` a real binary nests (the heroes
//! app does), with the models of that moment. Generated ids and times are random; the
//! program pins each new migration to a fixed id and time right after `revision` writes
//! it (before anything applies it), so the chapter's listings stay the same run to run.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Parser;
use tablemodel::migrate::cli::{DbArgs, Outcome, Project};
use tablemodel::prelude::*;
use tablemodel::schema::Schema;
use tablemodel_book::section;

// ANCHOR: v1
/// The first version: what `db revision -m "create hero"` starts from.
mod v1 {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        #[field(index)]
        pub(crate) name: String,
        pub(crate) secret_name: String,
    }
}
// ANCHOR_END: v1

// ANCHOR: v2
/// `age` added, and indexed.
mod v2 {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        #[field(index)]
        pub(crate) name: String,
        pub(crate) secret_name: String,
        #[field(index)]
        pub(crate) age: Option<i32>,
    }
}
// ANCHOR_END: v2

// ANCHOR: v3
/// `secret_name` is now `alias`: a rename, so the values stay.
mod v3 {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        #[field(index)]
        pub(crate) name: String,
        #[field(renamed_from = "secret_name")]
        pub(crate) alias: String,
        #[field(index)]
        pub(crate) age: Option<i32>,
    }
}
// ANCHOR_END: v3

// ANCHOR: v4
/// `age` dropped: its values go with it.
mod v4 {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        #[field(index)]
        pub(crate) name: String,
        #[field(renamed_from = "secret_name")]
        pub(crate) alias: String,
    }
}
// ANCHOR_END: v4

/// The command line of the application this program stands for.
#[derive(Parser)]
#[command(name = "app")]
enum Cli {
    /// Manage the database schema.
    Db(DbArgs),
}

/// The fixed ids and times the generated migrations are pinned to, in order.
const PINNED: [(&str, &str); 6] = [
    ("1f0e3a5b7c9d", "2026-12-01T09:00:00Z"),
    ("2a4c6e8f0b1d", "2026-12-01T09:10:00Z"),
    ("3b5d7f9a1c2e", "2026-12-01T09:20:00Z"),
    ("4c6e8a0b2d3f", "2026-12-01T09:30:00Z"),
    ("5d7f9b1c3e4a", "2026-12-01T09:40:00Z"),
    ("6e8a0c2d4f5b", "2026-12-01T09:50:00Z"),
];

/// Runs `app db <args>` on `database_url` (written before the command when it is not the
/// default), the models being `models`, and prints the command and what it prints.
async fn db(models: &Schema, database_url: &str, args: &[&str]) {
    let env = if database_url == "sqlite:app.db" { String::new() } else { format!("DATABASE_URL={database_url} ") };
    let shown: Vec<String> =
        args.iter().map(|a| if a.contains(' ') { format!("\"{a}\"") } else { (*a).to_owned() }).collect();
    println!("$ {env}app db {}", shown.join(" "));
    let Cli::Db(command) = Cli::parse_from(["app", "db"].iter().chain(args));
    let project = Project::new(models.clone(), "migrations", database_url);
    let mut out = Vec::new();
    let result = command.run(&project, &mut out).await;
    let mut text = String::from_utf8(out).expect("UTF-8 output");
    if matches!(args[0], "revision" | "squash") {
        text = pin_new_migration(&text);
    }
    print!("{}", plain_times(&text));
    match result {
        Ok(Outcome::Differs) => println!("(exit code 1)"),
        Ok(_) => {}
        Err(e) => println!("error: {e}\n(exit code 2)"),
    }
    println!();
}

/// Gives the migration `revision` or `squash` just wrote the next pinned id and time, in
/// its text and its file name, and names it so in `output` (what the command printed).
fn pin_new_migration(output: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let Some(line) = output.lines().next().filter(|l| l.starts_with("Generated ") || l.starts_with("Squashed ")) else {
        return output.into();
    };
    let line = line.strip_prefix("Generated ").unwrap_or(line);
    let line = line.rsplit_once(" into ").map_or(line, |(_, rest)| rest);
    let (path, id) = line.rsplit_once(" (").expect("<path> (<id>)");
    let id = id.trim_end_matches(')');
    let (pinned_id, pinned_time) = PINNED[NEXT.fetch_add(1, Ordering::Relaxed)];
    let text = std::fs::read_to_string(path).unwrap();
    let created = text.lines().find_map(|l| l.strip_prefix("created = \"")).unwrap().trim_end_matches('"');
    let text = text.replace(id, pinned_id).replace(created, pinned_time);
    let stamp: String = pinned_time.chars().filter(char::is_ascii_digit).collect();
    let name = Path::new(path).file_name().unwrap().to_str().unwrap();
    let pinned_path = format!("migrations/{stamp}_{pinned_id}_{}", name.splitn(3, '_').nth(2).unwrap());
    std::fs::remove_file(path).unwrap();
    std::fs::write(&pinned_path, text).unwrap();
    output.replace(path, &pinned_path).replace(id, pinned_id)
}

/// The time `upgrade --sql` records as applied, which changes every run.
fn plain_times(text: &str) -> String {
    let now = regex::Regex::new(r"'\d{4}-\d\d-\d\dT[0-9:.]+\+00:00'").unwrap();
    now.replace_all(text, "'<now>'").into_owned()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let scratch = std::env::temp_dir().join(format!("tablemodel-book-migrations-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    std::env::set_current_dir(&scratch).unwrap();
    let (v1, v2, v3, v4) = (
        Schema::from_tables(&[v1::Hero::META]),
        Schema::from_tables(&[v2::Hero::META]),
        Schema::from_tables(&[v3::Hero::META]),
        Schema::from_tables(&[v4::Hero::META]),
    );
    let app = "sqlite:app.db";

    section("first migration");
    db(&v1, app, &["revision", "-m", "create hero"]).await;
    db(&v1, app, &["upgrade"]).await;
    db(&v1, app, &["current"]).await;
    let engine = Engine::connect(app).await.unwrap();
    let mut session = engine.session().await.unwrap();
    let hero = v1::Hero { id: None, name: "Deadpond".into(), secret_name: "Dive Wilson".into() };
    session.add(hero).await.unwrap();
    session.commit().await.unwrap();
    drop(session);

    section("check");
    db(&v2, app, &["check"]).await;

    section("revision");
    db(&v2, app, &["revision", "-m", "add hero age"]).await;

    section("file");
    let file = std::fs::read_dir("migrations")
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains(PINNED[1].0))
        .unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    print!("{text}");

    section("data step");
    // What a reviewer adds at the end of the file: a raw SQL step, run after the others.
    let step = "\n[[up]]\nsql = \"UPDATE hero SET age = 0 WHERE age IS NULL\"\n";
    print!("{}", step.trim_start());
    std::fs::write(&file, format!("{text}{step}")).unwrap();

    section("upgrade and downgrade");
    db(&v2, app, &["upgrade"]).await;
    let heroes = engine.session().await.unwrap().all(select::<v2::Hero>()).await.unwrap();
    let rows: Vec<(&str, Option<i32>)> = heroes.iter().map(|h| (h.name.as_str(), h.age)).collect();
    println!("(the heroes now: {rows:?})\n");
    db(&v2, app, &["history"]).await;
    db(&v2, app, &["downgrade", "-1"]).await;
    db(&v2, app, &["check", "--database"]).await;
    db(&v2, app, &["upgrade"]).await;

    section("sql");
    db(&v2, "postgres://app@db.example.com/app", &["upgrade", "--sql", &format!("{}:head", PINNED[0].0)]).await;

    section("rename");
    db(&v3, app, &["revision", "-m", "rename secret name"]).await;
    db(&v3, app, &["upgrade"]).await;

    section("destructive");
    db(&v4, app, &["revision", "-m", "drop hero age"]).await;
    db(&v4, app, &["upgrade"]).await;
    db(&v4, app, &["upgrade", "--allow-destructive"]).await;

    section("stamp");
    // A database whose tables `create_all` made, before the app had migrations.
    let old = Engine::connect("sqlite:old.db").await.unwrap();
    old.create_all::<v4::Hero>().await.unwrap();
    db(&v4, "sqlite:old.db", &["current"]).await;
    db(&v4, "sqlite:old.db", &["stamp", "head"]).await;
    db(&v4, "sqlite:old.db", &["check", "--database"]).await;

    section("squash");
    db(&v4, app, &["squash", PINNED[0].0, PINNED[2].0, "-m", "hero"]).await;
    db(&v4, app, &["history"]).await;
    db(&v4, app, &["current"]).await;
    db(&v4, app, &["check", "--database"]).await;

    std::env::set_current_dir(std::env::temp_dir()).unwrap();
    std::fs::remove_dir_all(&scratch).unwrap();
}
