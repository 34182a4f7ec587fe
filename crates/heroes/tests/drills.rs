//! Fault drills through the real server on a real socket, on an SQLite file and on
//! PostgreSQL: many concurrent writers, a table locked by another connection, slow clients,
//! SIGTERM of the heroes binary under load, SIGKILL of it during writes, and fuzzing from
//! the OpenAPI document (schemathesis: `--ignored`, which `scripts/test.sh` runs after
//! installing it). Each is bounded in time and prints its figures (`cargo test -p heroes
//! --test drills -- --nocapture` shows them).

use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tablemodel::Engine;

/// A response: status and body.
struct Reply {
    status: u16,
    body: String,
}

/// One HTTP/1.1 request on a new connection (`Connection: close`), with a read timeout.
fn request(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw)?;
    let status = raw.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    Ok(Reply { status, body })
}

/// `url`, or for SQLite a database file in `dir` (the drills need a file: several engines
/// and processes share it).
fn on_disk(url: String, dir: &tempfile::TempDir) -> String {
    if url.starts_with("sqlite:") { format!("sqlite:///{}/heroes.db", dir.path().display()) } else { url }
}

/// The heroes app served in this process on a real socket, configured as the binary is
/// from the environment (here a map), until the returned sender fires.
async fn serve(url: &str, vars: &[(&str, &str)]) -> (SocketAddr, Engine, tokio::sync::oneshot::Sender<()>) {
    let vars: BTreeMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let lookup = move |name: &str| vars.get(name).cloned();
    let engine = heroes::server::engine_builder(url, &lookup).unwrap().connect().await.unwrap();
    heroes::create_tables(&engine).await.unwrap();
    let server = heroes::server::server(engine.clone(), &lookup).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve_on(listener, async {
        stopped.await.ok();
    }));
    (addr, engine, stop)
}

/// The heroes binary (migrating, then serving `url` on a free loopback port, with `vars` in
/// its environment) once `/health` answers 200, and its address.
fn start_binary(url: &str, vars: &[(&str, &str)]) -> (std::process::Child, SocketAddr) {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_heroes"))
        .env("DATABASE_URL", url)
        .env("PORT", port.to_string())
        .env("HEROES_HOST", "127.0.0.1")
        .env("RUST_LOG", "warn")
        .envs(vars.iter().copied())
        .spawn()
        .unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let ready = Instant::now();
    while request(addr, "GET", "/health", None).map_or(0, |r| r.status) != 200 {
        if ready.elapsed() > Duration::from_secs(30) || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            panic!("the server did not start: {:?}", child.wait());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, addr)
}

/// Drill 1: 64 clients POST heroes for three seconds. Every 200 is a row, no row exists
/// without its 200, and nothing is a 5xx.
async fn concurrent_writers_lose_nothing(url: String) {
    let dir = tempfile::tempdir().unwrap();
    let url = on_disk(url, &dir);
    let (addr, engine, _stop) = serve(&url, &[]).await;
    let until = Instant::now() + Duration::from_secs(3);
    let acknowledged = Arc::new(Mutex::new(HashSet::new()));
    let statuses = Arc::new(Mutex::new(BTreeMap::<u16, usize>::new()));
    let clients: Vec<_> = (0..64)
        .map(|c| {
            let (acknowledged, statuses) = (acknowledged.clone(), statuses.clone());
            tokio::task::spawn_blocking(move || {
                let mut n = 0;
                while Instant::now() < until {
                    let name = format!("c{c}-{n}");
                    n += 1;
                    let reply = request(addr, "POST", "/heroes/", Some(&json!({"name": name, "secret_name": "s"})));
                    let status = reply.as_ref().map_or(0, |r| r.status);
                    *statuses.lock().unwrap().entry(status).or_default() += 1;
                    if status == 200 {
                        acknowledged.lock().unwrap().insert(name);
                    }
                }
            })
        })
        .collect();
    for c in clients {
        c.await.unwrap();
    }
    let statuses = statuses.lock().unwrap().clone();
    let acknowledged = acknowledged.lock().unwrap().clone();
    let mut s = engine.session().await.unwrap();
    let stored: HashSet<String> =
        s.exec(tablemodel::select::<heroes::Hero>()).await.unwrap().into_iter().map(|h| h.name).collect();
    println!("drill 1 ({}): statuses {statuses:?}, {} rows", engine.dialect().otel_system(), stored.len());
    assert!(statuses.keys().all(|&s| s == 200), "only 200s: {statuses:?}");
    assert!(!acknowledged.is_empty());
    assert_eq!(stored, acknowledged, "every 200 is a row and every row had its 200");
}

/// Drill 7: 32 sockets send a POST's headers and half its body and stall. Other clients
/// keep being served meanwhile (the stalled requests hold no database connection), and
/// each stalled one is answered 408 at the body read timeout.
async fn slow_clients_get_408_and_hold_nothing(url: String) {
    let dir = tempfile::tempdir().unwrap();
    let url = on_disk(url, &dir);
    // A pool of two connections: without the lazy session, two stalled clients would take
    // the whole pool.
    let (addr, _engine, _stop) =
        serve(&url, &[("DB_MAX_CONNECTIONS", "2"), ("DB_ACQUIRE_TIMEOUT", "2s"), ("HTTP_BODY_TIMEOUT", "4s")]).await;
    let stalled: Vec<_> = (0..32)
        .map(|_| {
            tokio::task::spawn_blocking(move || {
                let mut stream = TcpStream::connect(addr).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
                let started = Instant::now();
                write!(stream, "POST /heroes/ HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{{\"name\": \"slo").unwrap();
                let mut raw = String::new();
                let _ = stream.read_to_string(&mut raw);
                (raw.get(9..12).unwrap_or("").to_owned(), started.elapsed())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Meanwhile, ordinary requests are served, all before any stalled one is answered.
    let ordinary = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let mut served = 0;
        while served < 10 {
            let r = request(addr, "POST", "/heroes/", Some(&json!({"name": "fast", "secret_name": "s"}))).unwrap();
            assert_eq!(r.status, 200, "{}", r.body);
            served += 1;
        }
        started.elapsed()
    })
    .await
    .unwrap();
    let still_stalled = stalled.iter().filter(|s| !s.is_finished()).count();
    let mut answers = BTreeMap::<String, usize>::new();
    let mut slowest = Duration::ZERO;
    for s in stalled {
        let (status, took) = s.await.unwrap();
        *answers.entry(status).or_default() += 1;
        slowest = slowest.max(took);
    }
    println!(
        "drill 7 ({url}): 10 ordinary POSTs in {ordinary:?} while 32 clients stalled; stalled answered {answers:?}, last after {slowest:?}"
    );
    assert_eq!(answers, BTreeMap::from([("408".to_owned(), 32)]));
    assert_eq!(still_stalled, 32, "the ordinary requests were served without waiting for the stalled ones");
}

/// Drill 3 on PostgreSQL: `LOCK TABLE hero` held by psql for four seconds. Reads of heroes
/// end with 503 at the one-second lock timeout instead of waiting, teams (not locked) are
/// served throughout, and heroes are served again once the lock is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_locked_table_is_503_at_the_lock_timeout_then_resumes() {
    let url = tablemodel_testkit::postgres_url();
    let (addr, _engine, _stop) = serve(&url, &[("DB_LOCK_TIMEOUT", "1s"), ("DB_STATEMENT_TIMEOUT", "3s")]).await;
    let database = url.rsplit('/').next().unwrap().to_owned();
    let locker = std::thread::spawn(move || {
        tablemodel_testkit::pg_server()
            .psql(&database, "BEGIN; LOCK TABLE hero IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT;")
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let probe = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let heroes = request(addr, "GET", "/heroes/", None).unwrap();
        let heroes_took = started.elapsed();
        let teams = request(addr, "GET", "/teams/", None).unwrap();
        (heroes.status, heroes.body, heroes_took, teams.status)
    })
    .await
    .unwrap();
    locker.join().unwrap();
    let after =
        tokio::task::spawn_blocking(move || request(addr, "GET", "/heroes/", None).unwrap().status).await.unwrap();
    println!(
        "drill 3 (postgresql): heroes {} after {:?} while locked, teams {}, heroes {} after",
        probe.0, probe.2, probe.3, after
    );
    assert_eq!(probe.0, 503, "{}", probe.1);
    assert!(probe.2 < Duration::from_secs(3), "answered at the lock timeout, not when the lock went: {:?}", probe.2);
    assert_eq!((probe.3, after), (200, 200));
}

/// Drill 3 on an SQLite file: another process's connection (here another engine) keeps a
/// write transaction open. Writes end with 503 at the one-second lock (busy) timeout,
/// reads go on (WAL), and writes resume once the transaction ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_held_write_lock_is_503_at_the_lock_timeout_then_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let url = on_disk(tablemodel_testkit::sqlite_url(), &dir);
    let (addr, _engine, _stop) = serve(&url, &[("DB_LOCK_TIMEOUT", "1s")]).await;
    let other = Engine::connect(&url).await.unwrap();
    let mut holder = other.session().await.unwrap();
    let hero = heroes::Hero {
        id: None,
        name: "holder".into(),
        secret_name: "s".into(),
        age: None,
        team_id: None,
        team: Default::default(),
    };
    holder.add(hero).await.unwrap();
    let probe = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let write = request(addr, "POST", "/heroes/", Some(&json!({"name": "w", "secret_name": "s"}))).unwrap();
        let took = started.elapsed();
        let read = request(addr, "GET", "/heroes/", None).unwrap();
        (write.status, took, read.status)
    })
    .await
    .unwrap();
    holder.commit().await.unwrap();
    let after = tokio::task::spawn_blocking(move || {
        request(addr, "POST", "/heroes/", Some(&json!({"name": "w", "secret_name": "s"}))).unwrap().status
    })
    .await
    .unwrap();
    println!(
        "drill 3 (sqlite): write {} after {:?} while locked, read {}, write {} after",
        probe.0, probe.1, probe.2, after
    );
    assert_eq!((probe.0, probe.2, after), (503, 200, 200));
    assert!(probe.1 < Duration::from_secs(3), "{:?}", probe.1);
}

/// Drill 5: SIGTERM to the heroes binary under load, with a client stalled mid-headers and
/// a request stuck behind a lock: the process exits within its grace period (2 s here),
/// and every request answered 200 before is stored.
async fn sigterm_under_load_exits_within_the_grace_period(url: String) {
    let dir = tempfile::tempdir().unwrap();
    let url = on_disk(url, &dir);
    let (mut child, addr) =
        start_binary(&url, &[("SHUTDOWN_GRACE", "2s"), ("DB_LOCK_TIMEOUT", "60s"), ("DB_STATEMENT_TIMEOUT", "60s")]);
    // A client stalled in the middle of its headers.
    let mut stalled = TcpStream::connect(addr).unwrap();
    write!(stalled, "GET /heroes/ HTTP/1.1\r\nHost: t\r\nX-Half").unwrap();
    // A request stuck behind another connection's write transaction on the same row.
    let created = request(addr, "POST", "/heroes/", Some(&json!({"name": "held", "secret_name": "s"}))).unwrap();
    let id: i64 = serde_json::from_str::<Value>(&created.body).unwrap()["id"].as_i64().unwrap();
    let other = Engine::connect(&url).await.unwrap();
    let mut holder = other.session().await.unwrap();
    let mut held = holder.get::<heroes::Hero>(id).await.unwrap().unwrap();
    held.age = Some(1);
    holder.save(&mut held).await.unwrap();
    let stuck =
        tokio::task::spawn_blocking(move || request(addr, "PATCH", &format!("/heroes/{id}"), Some(&json!({"age": 3}))));
    // Load.
    let running = Arc::new(AtomicBool::new(true));
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let load: Vec<_> = (0..8)
        .map(|c| {
            let (running, acknowledged) = (running.clone(), acknowledged.clone());
            tokio::task::spawn_blocking(move || {
                let mut n = 0;
                while running.load(Ordering::Relaxed) {
                    let name = format!("t{c}-{n}");
                    n += 1;
                    match request(addr, "GET", "/teams/", None) {
                        Ok(r) if r.status == 200 => acknowledged.lock().unwrap().push(name),
                        _ => {}
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let signalled = Instant::now();
    let kill = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let exit = tokio::task::spawn_blocking(move || {
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return Some(status);
            }
            if signalled.elapsed() > Duration::from_secs(15) {
                let _ = child.kill();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    })
    .await
    .unwrap();
    let took = signalled.elapsed();
    running.store(false, Ordering::Relaxed);
    for l in load {
        l.await.unwrap();
    }
    let stuck = stuck.await.unwrap();
    holder.rollback().await.unwrap();
    drop(stalled);
    println!(
        "drill 5 ({url}): exited {exit:?} {took:?} after SIGTERM (grace 2 s); {} requests answered under load; the stuck request: {}",
        acknowledged.lock().unwrap().len(),
        stuck.map(|r| r.status.to_string()).unwrap_or_else(|e| format!("cut ({e})"))
    );
    assert!(exit.is_some_and(|s| s.success()), "the server exits cleanly: {exit:?}");
    assert!(took < Duration::from_secs(5), "exited within the grace period and a margin: {took:?}");
}

/// Runs the `sqlite3` shell on `file`; its standard output.
fn sqlite3(file: &std::path::Path, sql: &str) -> String {
    let out =
        std::process::Command::new("sqlite3").arg(file).arg(sql).output().expect("sqlite3 runs (scripts/setup.sh)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// What the writers of drill 4 were answered: the acknowledged teams and heroes (a hero
/// with the team it named), the names of the writes the kill cut (sent, never answered),
/// and any other status.
#[derive(Default)]
struct Writes {
    teams: HashSet<String>,
    heroes: HashSet<(String, Option<i64>)>,
    unanswered: HashSet<String>,
    other: BTreeMap<u16, usize>,
}

/// Drill 4: SIGKILL of the heroes binary while 16 clients write to its SQLite file (teams,
/// and heroes in the teams they created). After a restart on the same file, the database
/// passes `integrity_check` and `foreign_key_check`, every acknowledged write is there
/// (hero with its team), and a row nobody was answered for comes from a request the kill cut
/// (committed, its answer lost).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_sigkill_under_write_load_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("heroes.db");
    let url = format!("sqlite:{}", file.display());
    let (mut child, addr) = start_binary(&url, &[]);
    let running = Arc::new(AtomicBool::new(true));
    let writes = Arc::new(Mutex::new(Writes::default()));
    let writers: Vec<_> = (0..16)
        .map(|c| {
            let (running, writes) = (running.clone(), writes.clone());
            tokio::task::spawn_blocking(move || {
                let mut team_id: Option<i64> = None;
                let mut n = 0;
                while running.load(Ordering::Relaxed) {
                    n += 1;
                    let name = format!("w{c}-{n}");
                    let team = n % 4 == 1;
                    let reply = if team {
                        request(addr, "POST", "/teams/", Some(&json!({"name": name, "headquarters": "hq"})))
                    } else {
                        request(
                            addr,
                            "POST",
                            "/heroes/",
                            Some(&json!({"name": name, "secret_name": "s", "team_id": team_id})),
                        )
                    };
                    let mut writes = writes.lock().unwrap();
                    match reply {
                        // The server is gone: nothing of this request reached it.
                        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => break,
                        Ok(r) if r.status == 200 && team => {
                            team_id = serde_json::from_str::<Value>(&r.body).unwrap()["id"].as_i64();
                            writes.teams.insert(name);
                        }
                        Ok(r) if r.status == 200 => {
                            writes.heroes.insert((name, team_id));
                        }
                        Ok(r) if r.status != 0 => *writes.other.entry(r.status).or_default() += 1,
                        _ => {
                            writes.unanswered.insert(name);
                        }
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    running.store(false, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let writes = std::mem::take(&mut *writes.lock().unwrap());

    let restarted = Instant::now();
    let (mut child, addr) = start_binary(&url, &[]);
    let ready_after = restarted.elapsed();
    let integrity = sqlite3(&file, "PRAGMA integrity_check;");
    let foreign_keys = sqlite3(&file, "PRAGMA foreign_key_check;");
    let teams: HashSet<String> = sqlite3(&file, "SELECT name FROM team;").lines().map(str::to_owned).collect();
    let heroes: HashSet<(String, Option<i64>)> = sqlite3(&file, "SELECT name, team_id FROM hero;")
        .lines()
        .map(|l| {
            let (name, team) = l.split_once('|').unwrap();
            (name.to_owned(), team.parse().ok())
        })
        .collect();
    let served =
        tokio::task::spawn_blocking(move || request(addr, "GET", "/heroes/?limit=100", None).unwrap()).await.unwrap();
    child.kill().unwrap();
    child.wait().unwrap();

    let unacknowledged: Vec<&String> = teams
        .iter()
        .filter(|t| !writes.teams.contains(*t))
        .chain(heroes.iter().filter(|h| !writes.heroes.contains(*h)).map(|(name, _)| name))
        .collect();
    println!(
        "drill 4 (sqlite): SIGKILL after 1.5 s of 16 writers: {} teams and {} heroes acknowledged, {} requests \
         cut, other statuses {:?}; restarted and healthy in {ready_after:?}: integrity_check {:?}, \
         foreign_key_check {:?}, {} teams and {} heroes found ({} of them committed without an answer)",
        writes.teams.len(),
        writes.heroes.len(),
        writes.unanswered.len(),
        writes.other,
        integrity.trim(),
        foreign_keys.trim(),
        teams.len(),
        heroes.len(),
        unacknowledged.len(),
    );
    assert_eq!(integrity, "ok\n");
    assert_eq!(foreign_keys, "", "no hero names a missing team");
    assert!(writes.heroes.len() >= 20 && writes.teams.len() >= 5, "the load ran");
    assert!(writes.other.is_empty(), "every answer was a 200: {:?}", writes.other);
    assert!(writes.teams.is_subset(&teams), "every acknowledged team is stored");
    assert!(writes.heroes.is_subset(&heroes), "every acknowledged hero is stored, in its team");
    for name in unacknowledged {
        assert!(writes.unanswered.contains(name), "{name} was stored although it was refused");
    }
    let listed = serde_json::from_str::<Value>(&served.body).unwrap().as_array().map(Vec::len);
    assert_eq!((served.status, listed), (200, Some(heroes.len().min(100))), "the restarted server serves them");
}

/// One request of a load: when it started (since the drill began), how long it took, and
/// its status (0: no HTTP answer).
type Sample = (Duration, Duration, u16);

/// Drill 2: PostgreSQL restarted (`pg_ctl restart -m fast`: a fast stop, then a start)
/// under load, and later stopped for three seconds. During each outage requests fail fast
/// with 503 (none hangs past the acquire timeout, 2 s here), and with pre-ping on no
/// request started after the server is back fails; the app is never restarted. (Three
/// seconds rather than twenty: the outage is in its steady state, refused connections
/// answered at once, after the first; a longer one only repeats it.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restart_and_outage_are_503_then_nothing_fails() {
    let server = Arc::new(tablemodel_testkit::PgServer::dedicated());
    let url = server.fresh_database();
    let (addr, _engine, _stop) = serve(
        &url,
        &[
            ("DB_PRE_PING", "true"),
            ("DB_ACQUIRE_TIMEOUT", "2s"),
            ("DB_CONNECT_TIMEOUT", "1s"),
            ("DB_MAX_CONNECTIONS", "8"),
        ],
    )
    .await;
    let began = Instant::now();
    let running = Arc::new(AtomicBool::new(true));
    let samples = Arc::new(Mutex::new(Vec::<Sample>::new()));
    let load: Vec<_> = (0..16)
        .map(|c| {
            let (running, samples) = (running.clone(), samples.clone());
            tokio::task::spawn_blocking(move || {
                let mut n = 0;
                while running.load(Ordering::Relaxed) {
                    let started = began.elapsed();
                    let reply = if c % 2 == 0 {
                        request(addr, "GET", "/heroes/", None)
                    } else {
                        n += 1;
                        request(
                            addr,
                            "POST",
                            "/heroes/",
                            Some(&json!({"name": format!("r{c}-{n}"), "secret_name": "s"})),
                        )
                    };
                    let status = reply.map_or(0, |r| r.status);
                    samples.lock().unwrap().push((started, began.elapsed() - started, status));
                }
            })
        })
        .collect();
    let pause = |ms| tokio::time::sleep(Duration::from_millis(ms));
    let blocking = |f: fn(&tablemodel_testkit::PgServer)| {
        let server = server.clone();
        tokio::task::spawn_blocking(move || f(&server))
    };
    pause(1000).await;
    let restart_began = began.elapsed();
    blocking(|s| s.stop()).await.unwrap();
    blocking(|s| s.start_again()).await.unwrap();
    let back_after_restart = began.elapsed();
    pause(1500).await;
    let outage_began = began.elapsed();
    blocking(|s| s.stop()).await.unwrap();
    pause(3000).await;
    blocking(|s| s.start_again()).await.unwrap();
    let back_after_outage = began.elapsed();
    pause(1500).await;
    running.store(false, Ordering::Relaxed);
    for l in load {
        l.await.unwrap();
    }
    let samples = samples.lock().unwrap().clone();
    let settle = Duration::from_millis(200);
    // The requests that started at `from` or later and ended before `to`.
    let phase = |from: Duration, to: Duration| {
        let mut counts = BTreeMap::<u16, usize>::new();
        let mut slowest = Duration::ZERO;
        for &(_, took, status) in samples.iter().filter(|&&(at, took, _)| at >= from && at.saturating_add(took) < to) {
            *counts.entry(status).or_default() += 1;
            slowest = slowest.max(took);
        }
        (counts, slowest)
    };
    let restart = phase(restart_began, back_after_restart);
    let outage = phase(outage_began, back_after_outage);
    let after_restart = phase(back_after_restart + settle, outage_began);
    let after_outage = phase(back_after_outage + settle, Duration::MAX);
    println!(
        "drill 2 (postgresql): restart took {:?}: {:?}, slowest {:?}; after it: {:?}; 3 s outage: {:?}, slowest {:?}; after it: {:?}",
        back_after_restart - restart_began,
        restart.0,
        restart.1,
        after_restart.0,
        outage.0,
        outage.1,
        after_outage.0
    );
    let all = phase(Duration::ZERO, Duration::MAX);
    assert!(all.0.keys().all(|s| [200, 503].contains(s)), "only 200 and 503: {:?}", all.0);
    assert!(all.1 < Duration::from_secs(5), "no request hung past the acquire timeout: {:?}", all.1);
    assert!(outage.0.get(&503).is_some_and(|&n| n > 0), "the outage answered 503: {:?}", outage.0);
    for (name, (counts, _)) in [("restart", after_restart), ("outage", after_outage)] {
        assert_eq!(counts.keys().collect::<Vec<_>>(), [&200], "nothing fails once the server is back from the {name}");
    }
}

/// The schemathesis command: `$SCHEMATHESIS`, else the one `scripts/test.sh` installs
/// into the workspace's `target/tools`.
fn schemathesis() -> std::path::PathBuf {
    match std::env::var_os("SCHEMATHESIS") {
        Some(path) => path.into(),
        None => {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/tools/schemathesis/bin/schemathesis")
        }
    }
}

/// Test cases per operation and phase: enough to cover every operation's parameters and
/// bodies, few enough that CI stays short (about half a minute per backend). More:
/// `SCHEMATHESIS_EXAMPLES=500`; another seed: `SCHEMATHESIS_SEED`.
const EXAMPLES: &str = "30";

/// Drill 6: schemathesis generates requests from `/openapi.json` (valid and invalid
/// parameters and bodies, then stateful sequences following the links between
/// operations) against the app served on a socket. Every response must be a status the
/// operation declares, with a body valid against the declared schema and the declared
/// content type, and none a 5xx. Two of schemathesis's checks are left out on purpose:
/// `negative_data_rejection` (the app coerces as Pydantic does: `"5"` or `true` for an
/// integer is accepted, as FastAPI accepts them) and `positive_data_acceptance` (integers
/// are 64-bit, or 32-bit for `age`, while the schema, like FastAPI's, gives no range).
async fn schemathesis_finds_no_5xx_and_no_undeclared_response(url: String) {
    let dir = tempfile::tempdir().unwrap();
    let url = on_disk(url, &dir);
    let (addr, engine, _stop) = serve(&url, &[]).await;
    let backend = engine.dialect().otel_system();
    let program = schemathesis();
    assert!(program.exists(), "{} is missing: scripts/test.sh installs schemathesis", program.display());
    let examples = std::env::var("SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| EXAMPLES.to_owned());
    let seed = std::env::var("SCHEMATHESIS_SEED").unwrap_or_else(|_| "1".to_owned());
    let log = dir.path().join("schemathesis.log");
    let mut child = std::process::Command::new(&program)
        // Its cache (`.schemathesis/`) goes to the temporary directory, not the crate.
        .current_dir(dir.path())
        .args(["run", &format!("http://{addr}/openapi.json"), "--checks", "all"])
        .args(["--exclude-checks", "negative_data_rejection,positive_data_acceptance"])
        .args(["--max-examples", &examples, "--seed", &seed, "--workers", "2", "--request-timeout", "20"])
        .args(["--output-sanitize", "false", "--no-color"])
        .env("NO_COLOR", "1")
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = tokio::task::spawn_blocking(move || {
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return Some(status);
            }
            if started.elapsed() > Duration::from_secs(600) {
                let _ = child.kill();
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    })
    .await
    .unwrap();
    let took = started.elapsed();
    let output = std::fs::read_to_string(&log).unwrap();
    let line = |prefix: &str| {
        let mut lines = output.lines().map(str::trim);
        lines.find(|l| l.starts_with(prefix)).and_then(|_| lines.next()).unwrap_or("?").trim().to_owned()
    };
    println!(
        "drill 6 ({backend}): schemathesis, {examples} examples per operation and phase, seed {seed}: {} in {took:?}",
        line("Test cases:")
    );
    assert!(status.is_some_and(|s| s.success()), "schemathesis failed ({status:?}):\n{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs schemathesis (Python): scripts/test.sh installs it and runs this"]
async fn sqlite_schemathesis_finds_no_5xx_and_no_undeclared_response() {
    schemathesis_finds_no_5xx_and_no_undeclared_response(tablemodel_testkit::sqlite_url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs schemathesis (Python): scripts/test.sh installs it and runs this"]
async fn postgres_schemathesis_finds_no_5xx_and_no_undeclared_response() {
    schemathesis_finds_no_5xx_and_no_undeclared_response(tablemodel_testkit::postgres_url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs schemathesis (Python): scripts/test.sh installs it and runs this"]
async fn mysql_schemathesis_finds_no_5xx_and_no_undeclared_response() {
    schemathesis_finds_no_5xx_and_no_undeclared_response(tablemodel_testkit::mysql_url()).await;
}

tablemodel_testkit::on_every_backend!(url; concurrent_writers_lose_nothing, slow_clients_get_408_and_hold_nothing, sigterm_under_load_exits_within_the_grace_period);
