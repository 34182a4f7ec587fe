//! Starts a throwaway PostgreSQL server (as the tests do), prints a URL to a fresh database
//! on it, and keeps it running until standard input closes; for scripts such as
//! `bench/run.sh` that need a server for programs other than Rust tests.

use std::io::Read;

fn main() {
    let server = tablemodel_testkit::pg_server();
    println!("{}", server.fresh_database());
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
}
