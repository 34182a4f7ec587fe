//! A real, throwaway MariaDB server, the MySQL-family backend's counterpart of
//! [`PgServer`](crate::PgServer).
//!
//! [`mariadb_server`] starts one server per test process on first use, from
//! Debian's `mariadb-server` binaries (`mariadb-install-db`, `mariadbd`;
//! `$TABLEMODEL_MARIADB_BIN` names another directory holding them): its own
//! data directory in a temporary directory, a free port on `127.0.0.1`, the
//! `root` user without a password, `utf8mb4` and UTC, durability off. The same
//! watchdog as PostgreSQL's kills it and deletes the directory once the test
//! process is gone, however it ended.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use std::os::unix::process::CommandExt;

use crate::{HOST, PORT_ATTEMPTS, START_TIMEOUT, free_port, spawn_watchdog, succeeded};

/// The environment variable naming the directory holding `mariadbd` and
/// `mariadb-install-db`, overriding the search.
const BIN_ENV: &str = "TABLEMODEL_MARIADB_BIN";

/// Where Debian puts the server and the install script.
const DEBIAN_SERVER: &str = "/usr/sbin/mariadbd";
const DEBIAN_INSTALL_DB: &str = "/usr/bin/mariadb-install-db";

/// The superuser every connection uses; it has no password.
const SUPERUSER: &str = "root";

/// Server settings: loopback only, `utf8mb4`, UTC, enough connections for
/// parallel tests with pools, small buffers and no durability (the data is
/// thrown away).
const SERVER_SETTINGS: &[&str] = &[
    "--bind-address=127.0.0.1",
    "--skip-name-resolve",
    "--character-set-server=utf8mb4",
    "--default-time-zone=+00:00",
    "--max-connections=500",
    "--innodb-buffer-pool-size=64M",
    "--innodb-log-file-size=16M",
    "--innodb-flush-log-at-trx-commit=0",
    "--innodb-doublewrite=0",
    "--skip-log-bin",
    "--performance-schema=OFF",
];

static SERVER: OnceLock<Result<MariaDbServer, String>> = OnceLock::new();

/// Returns this test process's MariaDB server, starting it on first use
/// (about a second); safe to call from many threads at once.
///
/// # Panics
///
/// If the server cannot be started: no MariaDB binaries (run
/// `scripts/setup.sh`), `mariadb-install-db` failing, or the server not
/// answering within 30 seconds. Every later call panics with the same message.
pub fn mariadb_server() -> &'static MariaDbServer {
    match SERVER.get_or_init(|| MariaDbServer::start(&[])) {
        Ok(server) => server,
        Err(message) => panic!("tablemodel-testkit: could not start MariaDB: {message}"),
    }
}

/// A running MariaDB server owned by this test process.
#[derive(Debug)]
pub struct MariaDbServer {
    client: PathBuf,
    data_dir: PathBuf,
    port: u16,
    next_database: AtomicU64,
    server: Mutex<Child>,
    /// Closed by the kernel when this process exits, which tells the watchdog
    /// to kill the server and delete its directory.
    _watchdog: ChildStdin,
}

impl MariaDbServer {
    /// The TCP port the server listens on, on `127.0.0.1`.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The connection URL of `database` for `root`:
    /// `mysql://root@127.0.0.1:PORT/DATABASE`. The database is not created.
    pub fn url(&self, database: &str) -> String {
        format!("mysql://{SUPERUSER}@{HOST}:{}/{database}", self.port)
    }

    /// Creates a new, empty database with a unique name (`t_<pid>_<n>`) and
    /// returns its URL.
    ///
    /// # Panics
    ///
    /// If the database cannot be created.
    pub fn fresh_database(&self) -> String {
        let n = self.next_database.fetch_add(1, Ordering::Relaxed);
        let name = format!("t_{}_{n}", std::process::id());
        self.sql("", &format!("CREATE DATABASE `{name}`"));
        self.url(&name)
    }

    /// Runs `sql` with the `mariadb` client in `database` (a name; empty for
    /// none) and returns what it printed: tab-separated rows without column
    /// names, without the final newline.
    ///
    /// # Panics
    ///
    /// If the client cannot run or the SQL fails; the message has its error.
    pub fn sql(&self, database: &str, sql: &str) -> String {
        let mut command = Command::new(&self.client);
        command.args(["--no-defaults", "--batch", "--skip-column-names", "--protocol=TCP"]).args([
            "-h",
            HOST,
            "-P",
            &self.port.to_string(),
            "-u",
            SUPERUSER,
        ]);
        if !database.is_empty() {
            command.args(["-D", database]);
        }
        let output = command.args(["-e", sql]).output();
        let output = succeeded(output, || format!("mariadb -D {database} -e {sql:?}"))
            .unwrap_or_else(|message| panic!("tablemodel-testkit: {message}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        stdout.strip_suffix('\n').unwrap_or(&stdout).to_owned()
    }

    /// Starts a new server of its own, separate from the shared one of
    /// [`mariadb_server`], with `settings` added to the command line (server
    /// options such as `--innodb-autoinc-lock-mode=2` that cannot change while
    /// it runs). Dropping it stops the server and deletes its directory.
    ///
    /// # Panics
    ///
    /// If the server cannot be started (see [`mariadb_server`]).
    pub fn dedicated(settings: &[&str]) -> MariaDbServer {
        MariaDbServer::start(settings)
            .unwrap_or_else(|message| panic!("tablemodel-testkit: could not start MariaDB: {message}"))
    }

    /// The server's data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Kills the server (`SIGKILL`), for a test that needs it gone; calling it
    /// again does nothing.
    pub fn kill(&self) {
        let mut server = self.server.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let _ = server.kill();
        let _ = server.wait();
    }

    fn start(settings: &[&str]) -> Result<MariaDbServer, String> {
        let (server_bin, install_db) = find_binaries()?;
        let client = server_bin.with_file_name("mariadb");
        let client = if client.is_file() { client } else { PathBuf::from("/usr/bin/mariadb") };
        let temp = tempfile::Builder::new()
            .prefix("tablemodel-mariadb-")
            .tempdir()
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let root = temp.path().to_owned();
        let data_dir = root.join("data");
        let pid_file = root.join("mariadbd.pid");
        let log_file = root.join("server.log");
        // The server's temporary files (`#sql-temptable-…`) in a directory of its own, not
        // the `/tmp` that every other server on the machine writes to as well.
        let tmp_dir = root.join("tmp");
        fs::create_dir(&tmp_dir).map_err(|e| format!("cannot create {}: {e}", tmp_dir.display()))?;
        let mut watchdog = spawn_watchdog(&root, &pid_file, "KILL")?;
        let _ = temp.keep();

        let user = current_user();
        let output = Command::new(&install_db)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data_dir.display()))
            .args(["--auth-root-authentication-method=normal", "--skip-test-db"])
            .arg(format!("--user={user}"))
            .current_dir(&root)
            .env("TMPDIR", &tmp_dir)
            .output();
        succeeded(output, || format!("{} --datadir={}", install_db.display(), data_dir.display()))?;

        for attempt in 1..=PORT_ATTEMPTS {
            let port = free_port()?;
            let _ = fs::remove_file(&log_file);
            let server = Command::new(&server_bin)
                .arg("--no-defaults")
                .arg(format!("--datadir={}", data_dir.display()))
                .arg(format!("--port={port}"))
                .arg(format!("--socket={}", root.join("mariadbd.sock").display()))
                .arg(format!("--pid-file={}", pid_file.display()))
                .arg(format!("--log-error={}", log_file.display()))
                .arg(format!("--user={user}"))
                .args(SERVER_SETTINGS)
                .args(settings)
                .current_dir(&root)
                .env("TMPDIR", &tmp_dir)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .map_err(|e| format!("cannot run {}: {e}", server_bin.display()))?;
            use std::io::Write;
            writeln!(watchdog, "{}", server.id()).map_err(|e| format!("the cleanup watchdog has died: {e}"))?;
            let mut started = MariaDbServer {
                client: client.clone(),
                data_dir: data_dir.clone(),
                port,
                next_database: AtomicU64::new(0),
                server: Mutex::new(server),
                _watchdog: watchdog,
            };
            match started.wait_until_ready() {
                Ok(()) => return Ok(started),
                Err(why) => {
                    let log = fs::read_to_string(&log_file).unwrap_or_default();
                    if attempt < PORT_ATTEMPTS && log.contains("Address already in use") {
                        watchdog = started.release_watchdog();
                        continue;
                    }
                    return Err(format!("{why}; server log:\n{log}"));
                }
            }
        }
        unreachable!("the last port attempt always returns")
    }

    /// Polls until the server answers `SELECT 1`, it exits, or the start
    /// timeout passes.
    fn wait_until_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.server.get_mut().map_err(|e| e.to_string())?.try_wait() {
                return Err(format!("mariadbd exited with {status} while starting"));
            }
            let probe = Command::new(&self.client)
                .args(["--no-defaults", "--batch", "--skip-column-names", "--protocol=TCP", "--connect-timeout=2"])
                .args(["-h", HOST, "-P", &self.port.to_string(), "-u", SUPERUSER, "-e", "SELECT 1"])
                .output();
            if let Ok(output) = &probe
                && output.stdout == b"1\n"
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "mariadbd did not answer on port {} within {}s",
                    self.port,
                    START_TIMEOUT.as_secs()
                ));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills a server that failed to start and hands back the watchdog for the
    /// next attempt.
    fn release_watchdog(self) -> ChildStdin {
        self.kill();
        self._watchdog
    }
}

/// The server binary and the install script.
fn find_binaries() -> Result<(PathBuf, PathBuf), String> {
    if let Some(dir) = env::var_os(BIN_ENV) {
        let dir = PathBuf::from(dir);
        let (server, install) = (dir.join("mariadbd"), dir.join("mariadb-install-db"));
        return if server.is_file() && install.is_file() {
            Ok((server, install))
        } else {
            Err(format!("${BIN_ENV} is {}, which has no `mariadbd` and `mariadb-install-db`", dir.display()))
        };
    }
    let (server, install) = (PathBuf::from(DEBIAN_SERVER), PathBuf::from(DEBIAN_INSTALL_DB));
    if server.is_file() && install.is_file() {
        return Ok((server, install));
    }
    Err(format!(
        "no MariaDB server binaries: {DEBIAN_SERVER} or {DEBIAN_INSTALL_DB} is missing and ${BIN_ENV} is not set; \
         run scripts/setup.sh (installs Debian's `mariadb-server`)"
    ))
}

/// The name of the user this process runs as, which the server runs as too
/// (`mariadbd` accepts root when told so with `--user=root`).
fn current_user() -> String {
    Command::new("id")
        .arg("-un")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "root".to_owned())
}
