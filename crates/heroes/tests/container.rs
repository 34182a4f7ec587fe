//! The container image's health check, run as the image runs it. This machine has no
//! container engine to build `crates/heroes/Dockerfile` with, so the test takes the
//! `HEALTHCHECK` command out of the file and runs it against the real heroes binary: the
//! check must pass while the app serves and fail once it is gone.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DOCKERFILE: &str = include_str!("../Dockerfile");

/// The exec form of the Dockerfile's `HEALTHCHECK … CMD [...]` (its continuation lines joined).
fn healthcheck_command() -> Vec<String> {
    let joined = DOCKERFILE.replace("\\\n", " ");
    let line = joined
        .lines()
        .find(|l| l.trim_start().starts_with("HEALTHCHECK"))
        .expect("the Dockerfile declares a HEALTHCHECK");
    let exec_form = &line[line.find("CMD").expect("HEALTHCHECK … CMD") + 3..];
    serde_json::from_str(exec_form.trim()).expect("the health check is in exec form (a JSON array)")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn run_check(port: u16) -> bool {
    let command = healthcheck_command();
    Command::new(&command[0])
        .args(&command[1..])
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the health check's program runs")
        .success()
}

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_images_health_check_passes_while_the_app_serves_and_fails_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    assert!(!run_check(port), "nothing listens yet, the check must fail");

    let server = Served(
        Command::new(env!("CARGO_BIN_EXE_heroes"))
            .current_dir(dir.path())
            .env("DATABASE_URL", format!("sqlite:{}", dir.path().join("database.db").display()))
            .env("HEROES_HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    let mut healthy = false;
    while !healthy && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(100));
        healthy = run_check(port);
    }
    assert!(healthy, "the health check never passed against the running app");

    drop(server);
    assert!(!run_check(port), "the app is gone, the check must fail");
}

#[test]
fn the_image_is_built_locked_and_runs_as_a_user_that_is_not_root() {
    assert!(DOCKERFILE.contains("cargo build --release --locked -p heroes"));
    let user =
        DOCKERFILE.lines().filter_map(|l| l.strip_prefix("USER ")).next_back().expect("the runtime stage sets a USER");
    assert!(!["root", "0"].contains(&user.trim()), "runs as {user}");
    assert_eq!(DOCKERFILE.matches("\nFROM ").count() + usize::from(DOCKERFILE.starts_with("FROM ")), 2, "two stages");
}
