//! Integration tests: a real server starts, hands out working databases, and
//! goes away again when the test process ends.

use std::collections::HashSet;
use std::env;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use tablemodel_testkit::{PgServer, pg_server};

/// The database name at the end of a URL from `fresh_database`.
fn database_of(url: &str) -> &str {
    url.rsplit('/').next().expect("url has a path")
}

/// Creates `count` databases from `count` threads released at the same moment.
fn fresh_databases_concurrently(count: usize) -> Vec<String> {
    let barrier = Arc::new(Barrier::new(count));
    let handles: Vec<_> = (0..count)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                pg_server().fresh_database()
            })
        })
        .collect();
    handles.into_iter().map(|handle| handle.join().expect("fresh_database panicked")).collect()
}

#[test]
fn two_databases_created_concurrently_exist_and_run_postgresql_15_or_newer() {
    let urls = fresh_databases_concurrently(2);
    let server = pg_server();
    assert_ne!(urls[0], urls[1], "each call must create a new database");

    for url in &urls {
        let prefix = format!("postgres://postgres@127.0.0.1:{}/", server.port());
        assert!(url.starts_with(&prefix), "{url} should start with {prefix}");
        let name = database_of(url);
        assert!(name.starts_with(&format!("t_{}_", std::process::id())), "{name}");

        // Ask the server itself, with the psql from the same installation.
        let output = Command::new(server.bin_dir().join("psql"))
            .args(["-X", "-h", "127.0.0.1", "-p", &server.port().to_string()])
            .args(["-U", "postgres", "-d", name])
            .args(["-tAc", "select current_database(), version()"])
            .output()
            .expect("run psql");
        assert!(output.status.success(), "psql failed: {}", String::from_utf8_lossy(&output.stderr));
        let stdout = String::from_utf8(output.stdout).expect("utf-8");
        let (database, version) = stdout.trim_end().split_once('|').expect("two columns");
        assert_eq!(database, name);
        assert!(version.starts_with("PostgreSQL "), "{version}");
        let major: u32 = version["PostgreSQL ".len()..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|digits| digits.parse().ok())
            .expect("a major version number");
        assert!(major >= 15, "need PostgreSQL 15 or newer, got {version}");
    }
}

#[test]
fn many_concurrent_databases_are_all_distinct_and_real() {
    let urls = fresh_databases_concurrently(12);
    let names: HashSet<&str> = urls.iter().map(|url| database_of(url)).collect();
    assert_eq!(names.len(), urls.len(), "duplicate names in {urls:?}");

    let server = pg_server();
    let existing = server.psql("postgres", "select datname from pg_database");
    let existing: HashSet<&str> = existing.lines().collect();
    for name in &names {
        assert!(existing.contains(name), "{name} not in {existing:?}");
    }
}

#[test]
fn every_call_returns_the_same_running_server() {
    let here: &'static PgServer = pg_server();
    let there = thread::spawn(|| pg_server() as *const PgServer as usize).join().expect("thread");
    assert_eq!(here as *const PgServer as usize, there);

    assert_ne!(here.port(), 0);
    TcpStream::connect(("127.0.0.1", here.port())).expect("server accepts TCP connections");
    assert_eq!(here.url("some db"), format!("postgres://postgres@127.0.0.1:{}/some%20db", here.port()));
    assert!(here.data_dir().join("PG_VERSION").is_file());
    assert!(here.log_file().is_file());
}

#[test]
fn server_runs_with_the_throwaway_settings() {
    let server = pg_server();
    let show = |setting: &str| server.psql("postgres", &format!("show {setting}"));
    assert_eq!(show("fsync"), "off");
    assert_eq!(show("synchronous_commit"), "off");
    assert_eq!(show("full_page_writes"), "off");
    assert_eq!(show("max_connections"), "200");
    assert_eq!(show("listen_addresses"), "127.0.0.1");
    assert_eq!(show("port"), server.port().to_string());
    assert_eq!(show("server_encoding"), "UTF8");
    assert_eq!(show("lc_collate"), "C");
    assert_eq!(server.psql("postgres", "select current_user"), "postgres");
}

#[test]
fn fresh_databases_do_not_share_tables() {
    let server = pg_server();
    let first = server.fresh_database();
    let second = server.fresh_database();
    let (first, second) = (database_of(&first), database_of(&second));

    server.psql(first, "create table hero (id int primary key, name text not null)");
    server.psql(first, "insert into hero values (1, 'Deadpond'), (2, 'Spider-Boy')");
    assert_eq!(server.psql(first, "select id, name from hero order by id"), "1|Deadpond\n2|Spider-Boy");
    assert_eq!(server.psql(second, "select to_regclass('hero') is null"), "t");
}

#[test]
#[should_panic(expected = "relation \"missing\" does not exist")]
fn psql_panics_with_the_server_error() {
    let server = pg_server();
    server.psql("postgres", "select * from missing");
}

// ----- lifecycle: the server goes away with the test process ----------------

/// Set in a child copy of this test binary to make `lifecycle_child` start a
/// server; `exit` returns normally, `hang` waits to be killed.
const CHILD_ENV: &str = "TABLEMODEL_TESTKIT_LIFECYCLE_CHILD";

#[test]
#[ignore = "helper: runs only inside a child process started by the lifecycle tests"]
fn lifecycle_child() {
    let Ok(mode) = env::var(CHILD_ENV) else {
        return;
    };
    let server = pg_server();
    let pid_file = fs::read_to_string(server.data_dir().join("postmaster.pid")).expect("pid file");
    let pid = pid_file.lines().next().expect("pid line");
    let root = server.data_dir().parent().expect("temporary directory");
    println!("READY {pid} {}", root.display());
    if mode == "hang" {
        // Bounded, in case nobody kills us.
        thread::sleep(Duration::from_secs(120));
    }
}

/// Starts `lifecycle_child` in a new process.
fn start_child(mode: &str) -> Child {
    Command::new(env::current_exe().expect("test binary"))
        .args(["--exact", "lifecycle_child", "--ignored", "--nocapture"])
        .env(CHILD_ENV, mode)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start child test process")
}

/// Waits for the child's server to be up; returns the postmaster's PID and
/// the server's temporary directory.
fn wait_for_child_server(child: &mut Child) -> (u32, PathBuf) {
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    loop {
        line.clear();
        let read = stdout.read_line(&mut line).expect("read child stdout");
        if read == 0 {
            let status = child.wait().expect("wait for child");
            panic!("child test process ended ({status}) without starting a server");
        }
        if let Some(rest) = line.trim_end().strip_prefix("READY ") {
            let (pid, root) = rest.split_once(' ').expect("pid and directory");
            let pid = pid.parse().expect("pid");
            // Keep draining so the child never blocks on a full pipe.
            thread::spawn(move || {
                let _ = stdout.read_to_end(&mut Vec::new());
            });
            return (pid, PathBuf::from(root));
        }
    }
}

/// Whether a process exists and is not a zombie.
fn is_running(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // Field 3, after the parenthesised command name, is the state.
        Ok(stat) => stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

/// Waits (up to 20 s) for the server to be stopped and its files deleted.
fn assert_cleaned_up(pid: u32, root: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while is_running(pid) || root.exists() {
        assert!(
            Instant::now() < deadline,
            "20 s after the test process ended: postmaster {pid} running: {}, {} exists: {}",
            is_running(pid),
            root.display(),
            root.exists()
        );
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn server_is_stopped_and_deleted_after_the_test_process_exits() {
    let mut child = start_child("exit");
    let (pid, root) = wait_for_child_server(&mut child);
    assert!(is_running(pid), "postmaster {pid} should run while the child does");
    assert!(root.join("data").is_dir());
    let status = child.wait().expect("wait for child");
    assert!(status.success(), "child test failed: {status}");
    assert_cleaned_up(pid, &root);
}

#[test]
fn server_is_stopped_and_deleted_after_the_test_process_is_killed() {
    let mut child = start_child("hang");
    let (pid, root) = wait_for_child_server(&mut child);
    assert!(is_running(pid), "postmaster {pid} should run while the child does");
    child.kill().expect("SIGKILL the child");
    child.wait().expect("reap child");
    assert_cleaned_up(pid, &root);
}
