//! Runs the heroes API: `cargo run -p heroes` serves http://127.0.0.1:8000 (docs at
//! `/docs`) on `database.db` in the working directory.

use std::net::SocketAddr;

use clap::Parser;
use tablemodel::Engine;

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
    /// Database URL: `sqlite://database.db` (default), `postgres://…` or `mysql://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://database.db")]
    database_url: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let args = Args::parse();
    let engine = Engine::connect(&args.database_url).await?;
    heroes::create_tables(&engine).await?;
    let addr = SocketAddr::new(args.host, args.port);
    tracing::info!("docs at http://{addr}/docs");
    tablemodel::web::serve(heroes::app(engine.clone()), addr, engine).await?;
    Ok(())
}
