//! PgBouncer in front of a test server, in transaction pooling mode: each transaction of a
//! client may run on another server connection, as in many production deployments.
//!
//! Debian's `pgbouncer` package (`scripts/setup.sh` installs it); `$TABLEMODEL_PGBOUNCER`
//! names another binary. It listens on a free port on `127.0.0.1`, admits the `postgres`
//! user without a password, forwards every database name to the server, and lives in a
//! temporary directory of its own. A watchdog like the server's stops it and deletes the
//! directory when the test process exits, however it exits; dropping the [`PgBouncer`]
//! does the same at once.

use std::fs::{self, Permissions};
use std::io::Write;
use std::net::TcpStream;
use std::os::unix::fs::{PermissionsExt, chown};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::{HOST, PgServer, START_TIMEOUT, SUPERUSER, base_dir, free_port};

/// The environment variable naming the `pgbouncer` binary, overriding the search.
const BIN_ENV: &str = "TABLEMODEL_PGBOUNCER";

/// Stops PgBouncer (pid on the first line of standard input) and deletes the directory
/// `$1` once the test process has exited and closed the pipe.
const WATCHDOG_SCRIPT: &str = r#"
trap '' HUP INT QUIT TERM PIPE
IFS= read -r pid
while IFS= read -r line; do :; done
alive() { [ -n "$pid" ] && grep -q pgbouncer "/proc/$pid/cmdline" 2>/dev/null; }
alive && kill -INT "$pid" 2>/dev/null
sleep 0.2
alive && kill -KILL "$pid" 2>/dev/null
rm -rf "$1"
"#;

/// A running PgBouncer in front of a [`PgServer`]; dropping it stops it.
#[derive(Debug)]
pub struct PgBouncer {
    port: u16,
    /// The major and minor version (`pgbouncer --version`).
    version: (u32, u32),
    process: Child,
    log_file: PathBuf,
    /// Closing it (on drop, or when the process exits) tells the watchdog to clean up.
    _watchdog: ChildStdin,
}

impl PgBouncer {
    /// Starts PgBouncer with `pool_mode = transaction` in front of `server`, with at most
    /// `server_connections` server connections per database (so that clients share them).
    ///
    /// # Panics
    ///
    /// If there is no `pgbouncer` binary or it does not accept connections within 30 s;
    /// the message has its log.
    pub fn transaction_pooling(server: &PgServer, server_connections: u32) -> PgBouncer {
        PgBouncer::start(server, server_connections)
            .unwrap_or_else(|message| panic!("tablemodel-testkit: could not start PgBouncer: {message}"))
    }

    /// The port PgBouncer listens on, on `127.0.0.1`.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `url` (one of the server's, such as [`PgServer::fresh_database`] returns) leading
    /// through PgBouncer instead.
    pub fn url_for(&self, server: &PgServer, url: &str) -> String {
        crate::url_on_port(url, server.port(), self.port)
    }

    /// PgBouncer's major and minor version: 1.21 and later can keep clients' prepared
    /// statements across server connections (`max_prepared_statements`).
    pub fn version(&self) -> (u32, u32) {
        self.version
    }

    /// What PgBouncer logged so far.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log_file).unwrap_or_default()
    }

    fn start(server: &PgServer, server_connections: u32) -> Result<PgBouncer, String> {
        let binary = find_binary()?;
        let version = version(&binary)?;
        let temp = tempfile::Builder::new()
            .prefix("tablemodel-pgbouncer-")
            .tempdir_in(base_dir(server.run_as))
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let dir = temp.path().to_owned();
        let mut watchdog = spawn_watchdog(&dir)?;
        let _ = temp.keep();

        let port = free_port()?;
        let log_file = dir.join("pgbouncer.log");
        let config = dir.join("pgbouncer.ini");
        let users = dir.join("userlist.txt");
        fs::write(&users, format!("\"{SUPERUSER}\" \"\"\n")).map_err(|e| format!("cannot write userlist: {e}"))?;
        fs::write(
            &config,
            format!(
                "[databases]\n\
                 * = host={HOST} port={server_port}\n\
                 [pgbouncer]\n\
                 listen_addr = {HOST}\n\
                 listen_port = {port}\n\
                 unix_socket_dir =\n\
                 auth_type = trust\n\
                 auth_file = {users}\n\
                 pool_mode = transaction\n\
                 default_pool_size = {server_connections}\n\
                 max_client_conn = 500\n\
                 ignore_startup_parameters = extra_float_digits,options\n\
                 logfile = {log}\n\
                 pidfile = {pid}\n",
                server_port = server.port(),
                users = users.display(),
                log = log_file.display(),
                pid = dir.join("pgbouncer.pid").display(),
            ),
        )
        .map_err(|e| format!("cannot write {}: {e}", config.display()))?;
        for path in [&dir, &config, &users] {
            let mode = if path == &dir { 0o755 } else { 0o644 };
            fs::set_permissions(path, Permissions::from_mode(mode))
                .map_err(|e| format!("cannot chmod {}: {e}", path.display()))?;
            if let Some(user) = server.run_as {
                chown(path, Some(user.uid), Some(user.gid))
                    .map_err(|e| format!("cannot give {} to the postgres user: {e}", path.display()))?;
            }
        }

        // PgBouncer refuses to run as root: it runs as the server's user.
        let mut command = Command::new(&binary);
        command.arg(&config).current_dir(&dir).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        command.process_group(0);
        if let Some(user) = server.run_as {
            command.uid(user.uid).gid(user.gid);
        }
        let mut process = command.spawn().map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
        writeln!(watchdog, "{}", process.id()).map_err(|e| format!("the cleanup watchdog has died: {e}"))?;

        let deadline = Instant::now() + START_TIMEOUT;
        while TcpStream::connect((HOST, port)).is_err() {
            let log = || fs::read_to_string(&log_file).unwrap_or_default();
            if let Ok(Some(status)) = process.try_wait() {
                return Err(format!("pgbouncer exited with {status} while starting; its log:\n{}", log()));
            }
            if Instant::now() >= deadline {
                let _ = process.kill();
                return Err(format!("pgbouncer did not listen on port {port} within 30 s; its log:\n{}", log()));
            }
            thread::sleep(Duration::from_millis(20));
        }
        Ok(PgBouncer { port, version, process, log_file, _watchdog: watchdog })
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// `$TABLEMODEL_PGBOUNCER`, Debian's `/usr/sbin/pgbouncer`, or `pgbouncer` on `PATH`.
fn find_binary() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(BIN_ENV) {
        return Ok(PathBuf::from(path));
    }
    let debian = Path::new("/usr/sbin/pgbouncer");
    if debian.exists() {
        return Ok(debian.to_owned());
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("pgbouncer"))
        .find(|path| path.exists())
        .ok_or_else(|| {
            format!("no pgbouncer binary: not at /usr/sbin/pgbouncer nor on PATH (scripts/setup.sh installs Debian's `pgbouncer`; ${BIN_ENV} names another)")
        })
}

/// The version `binary --version` prints on its first line (`PgBouncer 1.18.0`).
fn version(binary: &Path) -> Result<(u32, u32), String> {
    let output =
        Command::new(binary).arg("--version").output().map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let parsed = text.lines().next().and_then(|line| line.split_whitespace().nth(1)).and_then(|number| {
        let mut parts = number.split('.').map(str::parse::<u32>);
        Some((parts.next()?.ok()?, parts.next()?.ok()?))
    });
    parsed.ok_or_else(|| format!("cannot read the version of {} from {text:?}", binary.display()))
}

fn spawn_watchdog(dir: &Path) -> Result<ChildStdin, String> {
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(WATCHDOG_SCRIPT)
        .arg("tablemodel-testkit-pgbouncer-watchdog")
        .arg(dir)
        .current_dir("/")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start the cleanup watchdog (/bin/sh): {e}"))?;
    child.stdin.take().ok_or_else(|| "the cleanup watchdog has no standard input".to_owned())
}
