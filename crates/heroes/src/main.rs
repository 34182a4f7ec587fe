//! Runs the heroes API: `cargo run -p heroes` applies the migrations the database does
//! not have yet and serves http://127.0.0.1:8000 (docs at `/docs`) on `database.db` in
//! the working directory. `cargo run -p heroes -- db …` manages the schema (`db --help`).
//! Pool, timeout, read replica and shutdown settings come from the environment: see the
//! `heroes::server` module.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tablemodel::migrate::cli::{DbArgs, Project};

/// The heroes API server.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address to listen on. (Not read from `HOST`, which some shells set to the machine's name.)
    #[arg(long, env = "HEROES_HOST", default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// Port to listen on.
    #[arg(long, env = "PORT", default_value_t = 8000)]
    port: u16,
    /// Database URL: `sqlite://database.db` (default) `postgres://…` or `mysql://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://database.db", global = true)]
    database_url: String,
    /// Without a command: migrate, then serve.
    #[command(subcommand)]
    command: Option<Command>,
}

// ANCHOR: cli
#[derive(Subcommand, Debug)]
enum Command {
    /// Manage the database schema: revision, upgrade, downgrade, current, history, heads, check, squash, stamp.
    Db(DbArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match args.command {
        Some(Command::Db(db)) => {
            let mut project = Project::new(
                heroes::models(),
                concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"),
                args.database_url.as_str(),
            );
            match heroes::migrations() {
                Ok(embedded) => project = project.embedded(embedded),
                Err(e) => eprintln!("warning: the built-in migrations do not load: {e}"),
            }
            match db.run(&project, &mut std::io::stdout()).await {
                Ok(outcome) => outcome.exit_code(),
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        None => match serve(args).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
    }
}
// ANCHOR_END: cli

async fn serve(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let engine = heroes::server::engine_builder(&args.database_url, &heroes::server::env)?.connect().await?;
    // ANCHOR: serve
    for id in heroes::migrate(&engine).await? {
        tracing::info!("applied migration {id}");
    }
    // ANCHOR_END: serve
    let addr = SocketAddr::new(args.host, args.port);
    tracing::info!("docs at http://{addr}/docs");
    heroes::server::server(engine, &heroes::server::env)?.serve(addr).await?;
    // Past the grace period a statement may still hold a runtime thread (SQLite's run on
    // them): exit without waiting for it, as the grace period promises.
    std::process::exit(0)
}
