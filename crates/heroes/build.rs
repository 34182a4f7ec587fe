//! Rebuilds the app when a migration file is added or removed (`embed_migrations!`
//! includes each file, so edits are seen anyway).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
