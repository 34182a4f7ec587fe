//! A real, throwaway PostgreSQL server for tablemodel's integration tests.
//!
//! # Why this exists
//!
//! tablemodel's PostgreSQL backend has to be tested against PostgreSQL
//! itself: type mapping, `RETURNING`, constraint errors, transactions and
//! pooling all behave in ways no mock reproduces. This crate starts a
//! genuine PostgreSQL server (15 or newer) from the binaries installed on
//! the machine, so `cargo test` needs no Docker, no running service and no
//! configuration. It is a dev-dependency only and is never published.
//!
//! # How it works
//!
//! * [`pg_server`] starts **one server per test process**, the first time
//!   any test asks for it; every later call returns the same server. A test
//!   binary that never calls it never starts one.
//! * The server lives in a fresh temporary directory (data directory,
//!   Unix socket directory, `server.log`) and listens on a free port on
//!   `127.0.0.1` only, with trust authentication for the `postgres`
//!   superuser. Durability is switched off (`fsync`, `synchronous_commit`,
//!   `full_page_writes`) because the data is thrown away anyway.
//! * Each test should call [`PgServer::fresh_database`] to get its own,
//!   empty database, so tests running in parallel threads never see each
//!   other's tables.
//! * The binaries are found in `$TABLEMODEL_PG_BIN` if set, else in the
//!   highest-versioned `/usr/lib/postgresql/*/bin` (Debian's layout), else
//!   next to an `initdb` on `PATH`. `scripts/setup.sh` at the root of the
//!   repository installs them.
//! * PostgreSQL refuses to run as root. When the tests run as root (as on
//!   CI), `initdb` and `postgres` run as the `postgres` system user, which
//!   owns the temporary directory.
//!
//! # Stopping the server
//!
//! Next to the server runs a tiny watchdog (`/bin/sh`) whose standard input
//! is a pipe whose only writer is the test process. However the test process
//! ends — the test harness returning normally, a panic, an abort, `SIGKILL`
//! or Ctrl-C — the kernel closes that pipe, and the watchdog then shuts the
//! server down (`SIGQUIT`, PostgreSQL's immediate shutdown, the same as
//! `pg_ctl stop -m immediate`) and deletes the temporary directory. So
//! cleanup happens a moment *after* the test process has exited.
//!
//! This replaces an `atexit` hook, which would need `unsafe` (forbidden in
//! this workspace) and would not run when the process is killed. The server
//! and the watchdog each run in their own process group, so a Ctrl-C in the
//! terminal reaches neither directly.
//!
//! **Limitation:** if the watchdog itself is killed (say `kill -9` of its
//! process, or the machine's processes being torn down at once), the server
//! and its `tablemodel-pg-*` directory under the temporary directory are
//! left behind until someone stops them.
//!
//! # Dedicated servers
//!
//! A test that breaks the server on purpose (stops it to see how a lost
//! connection is reported) must not take the shared one down with it:
//! [`PgServer::dedicated`] starts a separate server owned by the caller, and
//! [`PgServer::stop`] shuts it down the way an operator would. Dropping a
//! dedicated server stops it and deletes its directory.
//!
//! # Every backend
//!
//! [`on_every_backend!`] turns `async fn(Engine)` test bodies into one
//! `#[tokio::test]` per backend, each on a fresh database.
//!
//! # The SQL sent
//!
//! [`SqlLog`] captures the statements tablemodel runs on the test's thread,
//! for tests that assert which SQL a call sends.
//!
//! # Example
//!
//! ```
//! let server = tablemodel_testkit::pg_server();
//! let url = server.fresh_database();
//! assert!(url.starts_with(&format!("postgres://postgres@127.0.0.1:{}/t_", server.port())));
//!
//! let database = url.rsplit('/').next().unwrap();
//! assert_eq!(server.psql(database, "select 40 + 2"), "42");
//! ```

mod backends;
mod binaries;
mod identity;
mod mariadb;
mod pgbouncer;
mod round_trips;
mod sql_log;
mod tls;

use std::env;
use std::fs::{self, OpenOptions, Permissions};
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::{PermissionsExt, chown};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

pub use backends::{fresh_url_like, mysql_url, postgres_url, sqlite_url};
use identity::RunAs;
pub use mariadb::{MariaDbServer, mariadb_server};
pub use pgbouncer::PgBouncer;
pub use round_trips::RoundTripCounter;
pub use sql_log::{SqlLog, capture_on_this_thread};
pub use tls::TlsFiles;

/// How long one attempt to start the server may take before giving up.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// How many ports to try: another process may take the free port we picked
/// in the moment between our probe and PostgreSQL binding it.
const PORT_ATTEMPTS: u32 = 5;

/// The superuser `initdb` creates; every connection uses it.
const SUPERUSER: &str = "postgres";

/// The only address the server listens on.
const HOST: &str = "127.0.0.1";

/// `url`, a URL of a server on `127.0.0.1:from`, leading to `127.0.0.1:to` instead (the
/// same server behind a proxy or pooler, or another server of the same databases, such as
/// a replica).
///
/// ```
/// let url = "postgres://postgres@127.0.0.1:5432/t_1";
/// assert_eq!(tablemodel_testkit::url_on_port(url, 5432, 6432), "postgres://postgres@127.0.0.1:6432/t_1");
/// ```
pub fn url_on_port(url: &str, from: u16, to: u16) -> String {
    url.replacen(&format!("{HOST}:{from}/"), &format!("{HOST}:{to}/"), 1)
}

/// Server settings: loopback only, enough connections for parallel tests
/// with pools, and no durability (the data is thrown away).
const SERVER_SETTINGS: &[&str] = &[
    "listen_addresses=127.0.0.1",
    "max_connections=200",
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
];

/// Waits for the test process to exit (end of file on standard input), then
/// sends signal `$3` to the server whose PID was written last (if the pid file
/// `$2` still names it), kills it if it is still running 10 s later, and
/// deletes the temporary directory `$1`. Signals are ignored so that only the
/// pipe closing ends it.
const WATCHDOG_SCRIPT: &str = r#"
trap '' HUP INT QUIT TERM PIPE
pid=
while IFS= read -r line; do pid=$line; done
pidfile="$2"
if [ -n "$pid" ] && [ -f "$pidfile" ] && [ "$(head -n 1 "$pidfile")" = "$pid" ]; then
    kill -"$3" "$pid" 2>/dev/null
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$pid" 2>/dev/null
fi
rm -rf "$1"
"#;

/// The server of this test process, or why it could not be started.
static SERVER: OnceLock<Result<PgServer, String>> = OnceLock::new();

/// Returns this test process's PostgreSQL server, starting it on first use.
///
/// Safe to call from many test threads at once: the first caller starts the
/// server (typically about a second) while the others wait for it.
///
/// # Panics
///
/// If the server cannot be started: no PostgreSQL 15+ binaries, no
/// `postgres` user while running as root, `initdb` failing, or the server
/// not accepting connections within 30 seconds. The message says which, and
/// includes the server log where there is one. Once starting has failed,
/// every later call panics with the same message rather than retrying.
pub fn pg_server() -> &'static PgServer {
    match SERVER.get_or_init(|| PgServer::start(None)) {
        Ok(server) => server,
        Err(message) => panic!("tablemodel-testkit: could not start PostgreSQL: {message}"),
    }
}

/// A running PostgreSQL server owned by this test process.
///
/// Get it with [`pg_server`]. Connect as the `postgres` superuser over TCP
/// to `127.0.0.1:`[`port`](Self::port); no password is needed.
#[derive(Debug)]
pub struct PgServer {
    bin_dir: PathBuf,
    data_dir: PathBuf,
    log_file: PathBuf,
    port: u16,
    next_database: AtomicU64,
    /// The postmaster, for [`stop`](Self::stop) and [`start_again`](Self::start_again).
    postmaster: Mutex<Child>,
    /// The write end of the watchdog's standard input, where the pid of each
    /// postmaster goes. Never closed: the kernel closes it when this process
    /// exits, which tells the watchdog to stop the server.
    watchdog: Mutex<ChildStdin>,
    /// What starting the postmaster again needs.
    root: PathBuf,
    run_as: Option<identity::RunAs>,
    /// The certificates of a server started with `ssl=on`.
    tls: Option<TlsFiles>,
}

/// Where a server's data directory comes from.
enum Origin {
    /// `initdb`, with TLS set up when asked.
    New(Option<PlainConnections>),
    /// A base backup of the server on this port, started as its standby.
    StandbyOf(u16),
}

/// How a [`PgServer::dedicated_tls`] server treats connections without TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlainConnections {
    /// Accepted, as with `ssl=on` and `host` lines in `pg_hba.conf`.
    Accepted,
    /// Refused: `pg_hba.conf` has only `hostssl` lines for TCP.
    Refused,
}

/// The database of a TLS server where clients must show a certificate signed by the test
/// CA (`pg_hba.conf` method `cert`); create it with [`PgServer::create_named_database`].
pub const CLIENT_CERT_DATABASE: &str = "client_cert_only";

impl PgServer {
    /// The TCP port the server listens on, on `127.0.0.1`.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The connection URL of `database` for the `postgres` superuser:
    /// `postgres://postgres@127.0.0.1:PORT/DATABASE`.
    ///
    /// The database name is percent-encoded where needed. The database is
    /// not created; use [`fresh_database`](Self::fresh_database) for that.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}@{HOST}:{}/{}", self.port, encode_path_segment(database))
    }

    /// Creates a new, empty database with a unique name (`t_<pid>_<n>`) and
    /// returns its URL (see [`url`](Self::url)).
    ///
    /// Call it once per test so that tests running in parallel do not share
    /// tables. It may be called from many threads at once. The database is
    /// never dropped; it goes away with the server.
    ///
    /// # Panics
    ///
    /// If `createdb` fails.
    pub fn fresh_database(&self) -> String {
        let n = self.next_database.fetch_add(1, Ordering::Relaxed);
        let name = format!("t_{}_{n}", std::process::id());
        self.create_database(&name);
        self.url(&name)
    }

    /// Runs `sql` with `psql` in `database` (a name, not a URL) and returns
    /// what it printed: unaligned, tuples only (`psql -tA`), so one row per
    /// line with `|` between columns, without the final newline.
    ///
    /// Meant for setting up and checking tests independently of the code
    /// under test.
    ///
    /// # Panics
    ///
    /// If `psql` cannot run or the SQL fails; the message has psql's error.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        let output = self
            .client("psql")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA"])
            .args(["-d", database, "-c", sql])
            .output();
        let output = succeeded(output, || format!("psql -d {database} -c {sql:?}"))
            .unwrap_or_else(|message| panic!("tablemodel-testkit: {message}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        stdout.strip_suffix('\n').unwrap_or(&stdout).to_owned()
    }

    /// The directory holding the PostgreSQL binaries in use (`psql`,
    /// `createdb`, `pg_dump`, ...).
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// The server's data directory (inside the temporary directory that is
    /// deleted after the test process exits).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The server's log file, handy when a test needs to see what the
    /// server said.
    pub fn log_file(&self) -> &Path {
        &self.log_file
    }

    /// Starts a new server of its own, separate from the shared one of
    /// [`pg_server`], for a test that stops it or otherwise breaks it.
    /// Dropping it stops the server and deletes its directory.
    ///
    /// # Panics
    ///
    /// If the server cannot be started (see [`pg_server`]).
    pub fn dedicated() -> PgServer {
        PgServer::start(None)
            .unwrap_or_else(|message| panic!("tablemodel-testkit: could not start PostgreSQL: {message}"))
    }

    /// Starts a dedicated server with `ssl=on`, its certificates made now (see
    /// [`TlsFiles`]: the server's names `localhost` only), listening on `127.0.0.1`.
    /// The database [`CLIENT_CERT_DATABASE`] (once created) admits only clients with a
    /// certificate of the test CA.
    ///
    /// # Panics
    ///
    /// If the certificates cannot be made or the server cannot be started.
    pub fn dedicated_tls(plain: PlainConnections) -> PgServer {
        PgServer::start(Some(plain))
            .unwrap_or_else(|message| panic!("tablemodel-testkit: could not start PostgreSQL with TLS: {message}"))
    }

    /// The certificates of a [`dedicated_tls`](Self::dedicated_tls) server.
    pub fn tls(&self) -> Option<&TlsFiles> {
        self.tls.as_ref()
    }

    /// Creates the database `name` (see [`fresh_database`](Self::fresh_database)) and
    /// returns its URL.
    ///
    /// # Panics
    ///
    /// If `createdb` fails (say the database exists).
    pub fn create_named_database(&self, name: &str) -> String {
        self.create_database(name);
        self.url(name)
    }

    /// Shuts the server down as `pg_ctl stop -m fast` does: open sessions
    /// are ended (their clients are told `57P01`, "terminating connection
    /// due to administrator command") and new connections are refused.
    /// Returns once the server has exited. Calling it again does nothing.
    ///
    /// Meant for a [`dedicated`](Self::dedicated) server: stopping the
    /// shared one breaks every other test of the process.
    ///
    /// # Panics
    ///
    /// If the signal cannot be sent, or the server is still running after
    /// 30 seconds.
    pub fn stop(&self) {
        let mut postmaster = self.postmaster.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Ok(Some(_)) = postmaster.try_wait() {
            return;
        }
        // SIGINT is PostgreSQL's fast shutdown; `kill` keeps the workspace
        // free of `unsafe` signal calls.
        let output = Command::new("kill").args(["-INT", &postmaster.id().to_string()]).output();
        succeeded(output, || "kill -INT <postmaster>".to_owned())
            .unwrap_or_else(|message| panic!("tablemodel-testkit: {message}"));
        let deadline = Instant::now() + START_TIMEOUT;
        while !matches!(postmaster.try_wait(), Ok(Some(_))) {
            assert!(Instant::now() < deadline, "tablemodel-testkit: postgres did not stop within 30 s");
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts a [`stop`](Self::stop)ped server again, on the same port and
    /// data directory, and returns once it accepts connections: with `stop`,
    /// what `pg_ctl restart -m fast` does. Does nothing if it is running.
    ///
    /// # Panics
    ///
    /// If the server cannot be started within 30 seconds.
    pub fn start_again(&self) {
        let mut postmaster = self.postmaster.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Ok(None) = postmaster.try_wait() {
            return;
        }
        let started =
            spawn_postmaster(&self.bin_dir, self.run_as, &self.root, &self.data_dir, &self.log_file, self.port)
                .and_then(|mut child| {
                    let mut watchdog = self.watchdog.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    writeln!(watchdog, "{}", child.id()).map_err(|e| format!("the cleanup watchdog has died: {e}"))?;
                    match wait_until_ready(&self.bin_dir, self.port, &mut child) {
                        Ready::Yes => Ok(child),
                        Ready::Exited(status) => Err(format!("postgres exited with {status} while starting again")),
                        Ready::TimedOut(probe) => Err(format!("postgres did not start again in time: {probe}")),
                    }
                });
        *postmaster = started.unwrap_or_else(|message| panic!("tablemodel-testkit: {message}"));
    }

    /// A command for one of the client binaries, with the connection
    /// options for this server already given.
    fn client(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin_dir.join(program));
        scrub_pg_env(&mut command);
        command.args(["-h", HOST, "-p", &self.port.to_string(), "-U", SUPERUSER]);
        command
    }

    /// `createdb NAME`, retrying while another session is connected to the
    /// template database (which makes `CREATE DATABASE` fail).
    fn create_database(&self, name: &str) {
        const ATTEMPTS: u32 = 50;
        for attempt in 1..=ATTEMPTS {
            let output = self.client("createdb").arg(name).output();
            match succeeded(output, || format!("createdb {name}")) {
                Ok(_) => return,
                Err(message) if attempt < ATTEMPTS && message.contains("is being accessed by other users") => {
                    thread::sleep(Duration::from_millis(100));
                }
                Err(message) => panic!("tablemodel-testkit: {message}"),
            }
        }
    }

    /// Starts the server: everything [`pg_server`] does on first use; with TLS when
    /// `tls` says how plain connections are treated.
    fn start(tls: Option<PlainConnections>) -> Result<PgServer, String> {
        PgServer::start_as(Origin::New(tls))
    }

    /// Starts a dedicated streaming-replication standby of `primary` (a
    /// [`dedicated`](Self::dedicated) server: the copy holds every database of
    /// the primary): a base backup taken with `pg_basebackup -R`, started on a
    /// port of its own. It answers read-only queries (`hot_standby`) and
    /// replays the primary's writes a moment after they commit. Dropping it or
    /// [`stop`](Self::stop)ping it leaves the primary running.
    ///
    /// # Panics
    ///
    /// If the base backup fails or the standby does not start within 30 s.
    pub fn replica_of(primary: &PgServer) -> PgServer {
        PgServer::start_as(Origin::StandbyOf(primary.port))
            .unwrap_or_else(|message| panic!("tablemodel-testkit: could not start a replica: {message}"))
    }

    fn start_as(origin: Origin) -> Result<PgServer, String> {
        let bin_dir = binaries::find_bin_dir()?;
        binaries::check_version(&bin_dir)?;
        let run_as = identity::server_user()?;

        // The temporary directory: owned by whoever runs the server, and
        // world-traversable so that user can reach it.
        let temp = tempfile::Builder::new()
            .prefix("tablemodel-pg-")
            .tempdir_in(base_dir(run_as))
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let root = temp.path().to_owned();
        let data_dir = root.join("data");
        let socket_dir = root.join("socket");
        let log_file = root.join("server.log");
        fs::create_dir(&socket_dir).map_err(|e| format!("cannot create {}: {e}", socket_dir.display()))?;
        for dir in [&root, &socket_dir] {
            fs::set_permissions(dir, Permissions::from_mode(0o755))
                .map_err(|e| format!("cannot chmod {}: {e}", dir.display()))?;
            if let Some(user) = run_as {
                chown(dir, Some(user.uid), Some(user.gid))
                    .map_err(|e| format!("cannot give {} to the postgres user: {e}", dir.display()))?;
            }
        }

        // From here on the watchdog deletes the directory once this process
        // exits, or as soon as `watchdog` is dropped by an early return.
        let mut watchdog = spawn_watchdog(&root, &data_dir.join("postmaster.pid"), "QUIT")?;
        let _ = temp.keep();

        let tls = match origin {
            Origin::New(tls) => {
                let initdb = bin_dir.join("initdb");
                let output = server_command(&initdb, run_as, &root)
                    .arg("-D")
                    .arg(&data_dir)
                    .args(["-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C"])
                    .arg("--no-sync")
                    .output();
                succeeded(output, || format!("{} -D {}", initdb.display(), data_dir.display()))?;
                tls
            }
            Origin::StandbyOf(primary_port) => {
                let basebackup = bin_dir.join("pg_basebackup");
                let output = server_command(&basebackup, run_as, &root)
                    .args(["-h", HOST, "-p", &primary_port.to_string(), "-U", SUPERUSER, "-D"])
                    .arg(&data_dir)
                    .args(["-R", "-X", "stream", "--no-sync", "-c", "fast"])
                    .output();
                succeeded(output, || format!("{} -D {}", basebackup.display(), data_dir.display()))?;
                None
            }
        };
        let tls = match tls {
            Some(plain) => Some(configure_tls(&root, &data_dir, run_as, plain)?),
            None => None,
        };

        for attempt in 1..=PORT_ATTEMPTS {
            let port = free_port()?;
            let mut log = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log_file)
                .map_err(|e| format!("cannot open {}: {e}", log_file.display()))?;
            let marker = format!("--- tablemodel-testkit: starting postgres on port {port} ---");
            writeln!(log, "{marker}").map_err(|e| format!("cannot write {}: {e}", log_file.display()))?;
            drop(log);
            let mut postmaster = spawn_postmaster(&bin_dir, run_as, &root, &data_dir, &log_file, port)?;
            writeln!(watchdog, "{}", postmaster.id()).map_err(|e| format!("the cleanup watchdog has died: {e}"))?;

            let log_text = || fs::read_to_string(&log_file).unwrap_or_default();
            match wait_until_ready(&bin_dir, port, &mut postmaster) {
                Ready::Yes => {
                    return Ok(PgServer {
                        bin_dir,
                        data_dir,
                        log_file,
                        port,
                        next_database: AtomicU64::new(0),
                        postmaster: Mutex::new(postmaster),
                        watchdog: Mutex::new(watchdog),
                        root,
                        run_as,
                        tls,
                    });
                }
                Ready::Exited(status) => {
                    let log = log_text();
                    let this_attempt = log.rsplit(&marker).next().unwrap_or_default();
                    if attempt < PORT_ATTEMPTS && this_attempt.contains("could not bind") {
                        continue;
                    }
                    return Err(format!(
                        "postgres exited with {status} while starting; server log ({}, deleted with the server):\n{log}",
                        log_file.display()
                    ));
                }
                Ready::TimedOut(probe) => {
                    return Err(format!(
                        "postgres did not accept connections on port {port} within {}s \
                         (last check: {probe}); server log ({}, deleted with the server):\n{}",
                        START_TIMEOUT.as_secs(),
                        log_file.display(),
                        log_text()
                    ));
                }
            }
        }
        unreachable!("the last port attempt always returns")
    }
}

/// Makes the certificates in `root/tls`, and writes the `ssl` settings and a
/// `pg_hba.conf` that admits plain TCP connections or not, as `plain` says.
fn configure_tls(
    root: &Path,
    data_dir: &Path,
    run_as: Option<RunAs>,
    plain: PlainConnections,
) -> Result<TlsFiles, String> {
    let files = tls::generate(&root.join("tls"), run_as)?;
    let host = match plain {
        PlainConnections::Accepted => "host",
        PlainConnections::Refused => "hostssl",
    };
    let hba = format!(
        "local all all trust\n\
         hostssl {CLIENT_CERT_DATABASE} all 127.0.0.1/32 cert\n\
         {host} all all 127.0.0.1/32 trust\n\
         {host} all all ::1/128 trust\n"
    );
    let settings = format!(
        "ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\nssl_ca_file = '{}'\n",
        files.server_cert.display(),
        files.server_key.display(),
        files.ca_cert.display()
    );
    for (name, text, append) in [("pg_hba.conf", hba, false), ("postgresql.conf", settings, true)] {
        let path = data_dir.join(name);
        let mut file = OpenOptions::new()
            .write(true)
            .append(append)
            .truncate(!append)
            .open(&path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        file.write_all(text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(files)
}

/// Runs the postmaster on `data_dir` and `port`, its output appended to `log_file`.
fn spawn_postmaster(
    bin_dir: &Path,
    run_as: Option<identity::RunAs>,
    root: &Path,
    data_dir: &Path,
    log_file: &Path,
    port: u16,
) -> Result<Child, String> {
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_file)
        .map_err(|e| format!("cannot open {}: {e}", log_file.display()))?;
    let log_copy = log.try_clone().map_err(|e| format!("cannot duplicate the log file handle: {e}"))?;
    let postgres = bin_dir.join("postgres");
    server_command(&postgres, run_as, root)
        .arg("-D")
        .arg(data_dir)
        .args(["-p", &port.to_string()])
        .arg("-k")
        .arg(root.join("socket"))
        .args(SERVER_SETTINGS.iter().flat_map(|&setting| ["-c", setting]))
        .stdin(Stdio::null())
        .stdout(log_copy)
        .stderr(log)
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", postgres.display()))
}

/// The outcome of waiting for a freshly started server.
enum Ready {
    /// It accepts connections and answers queries.
    Yes,
    /// The postmaster exited.
    Exited(ExitStatus),
    /// It did not get ready in time; what the last probe said.
    TimedOut(String),
}

/// Polls until the server answers `select 1`, the postmaster exits, or
/// [`START_TIMEOUT`] passes.
fn wait_until_ready(bin_dir: &Path, port: u16, postmaster: &mut Child) -> Ready {
    let deadline = Instant::now() + START_TIMEOUT;
    let port = port.to_string();
    let connection = ["-h", HOST, "-p", &port, "-U", SUPERUSER, "-d", "postgres"];
    loop {
        if let Ok(Some(status)) = postmaster.try_wait() {
            return Ready::Exited(status);
        }
        let mut isready = Command::new(bin_dir.join("pg_isready"));
        scrub_pg_env(&mut isready);
        let isready = isready.args(connection).args(["-t", "2"]).output();
        let probe = match succeeded(isready, || "pg_isready".to_owned()) {
            Ok(_) => {
                let mut psql = Command::new(bin_dir.join("psql"));
                scrub_pg_env(&mut psql);
                let select = psql.args(connection).args(["-X", "-tAc", "select 1"]).output();
                match succeeded(select, || "psql -c 'select 1'".to_owned()) {
                    Ok(output) if output.stdout == b"1\n" => return Ready::Yes,
                    Ok(output) => format!("select 1 printed {:?}", String::from_utf8_lossy(&output.stdout)),
                    Err(message) => message,
                }
            }
            Err(message) => message,
        };
        if Instant::now() >= deadline {
            return Ready::TimedOut(probe);
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// Starts the watchdog described in the crate docs for the server whose pid
/// file is `pid_file`, stopped with `signal`, and returns the write end of its
/// standard input.
fn spawn_watchdog(root: &Path, pid_file: &Path, signal: &str) -> Result<ChildStdin, String> {
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(WATCHDOG_SCRIPT)
        .arg("tablemodel-testkit-watchdog")
        .arg(root)
        .arg(pid_file)
        .arg(signal)
        .current_dir("/")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start the cleanup watchdog (/bin/sh): {e}"))?;
    child.stdin.take().ok_or_else(|| "the cleanup watchdog has no standard input".to_owned())
}

/// A command for `initdb` or `postgres`: run as `run_as` (if given) in `cwd`.
fn server_command(program: &Path, run_as: Option<RunAs>, cwd: &Path) -> Command {
    let mut command = Command::new(program);
    command.current_dir(cwd);
    scrub_pg_env(&mut command);
    if let Some(user) = run_as {
        command.uid(user.uid).gid(user.gid);
    }
    command
}

/// Removes every `PG*` variable (`PGDATA`, `PGHOST`, `PGOPTIONS`, ...) from
/// a child's environment, so the developer's own settings cannot redirect
/// or alter the test server.
fn scrub_pg_env(command: &mut Command) {
    for (key, _) in env::vars_os() {
        if key.as_encoded_bytes().starts_with(b"PG") {
            command.env_remove(key);
        }
    }
}

/// The output of a finished command, or an error naming it with its output.
fn succeeded(output: std::io::Result<Output>, what: impl FnOnce() -> String) -> Result<Output, String> {
    match output {
        Ok(output) if output.status.success() => Ok(output),
        Ok(output) => Err(format!(
            "`{}` failed with {}:\n{}{}",
            what(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )),
        Err(e) => Err(format!("cannot run `{}`: {e}", what())),
    }
}

/// A port on `127.0.0.1` that was free a moment ago.
fn free_port() -> Result<u16, String> {
    TcpListener::bind((HOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("cannot find a free port on {HOST}: {e}"))
}

/// Where to make the temporary directory: the usual temporary directory,
/// unless the server runs as another user who could not get into it, in
/// which case `/tmp`.
fn base_dir(run_as: Option<RunAs>) -> PathBuf {
    let temp = env::temp_dir();
    if run_as.is_none() || traversable_by_anyone(&temp) { temp } else { PathBuf::from("/tmp") }
}

/// Whether every directory from `/` down to `dir` is searchable by others.
fn traversable_by_anyone(dir: &Path) -> bool {
    dir.ancestors().all(|ancestor| fs::metadata(ancestor).is_ok_and(|meta| meta.permissions().mode() & 0o001 != 0))
}

/// Percent-encodes everything in `segment` but unreserved URL characters.
fn encode_path_segment(segment: &str) -> String {
    let mut encoded = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_database_names_for_urls() {
        assert_eq!(encode_path_segment("t_1_2"), "t_1_2");
        assert_eq!(encode_path_segment("a b/c?"), "a%20b%2Fc%3F");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
    }

    #[test]
    fn root_is_traversable_and_a_private_dir_is_not() {
        assert!(traversable_by_anyone(Path::new("/")));
        let dir = tempfile::tempdir().expect("temp dir");
        fs::set_permissions(dir.path(), Permissions::from_mode(0o700)).expect("chmod");
        assert!(!traversable_by_anyone(dir.path()));
    }
}
