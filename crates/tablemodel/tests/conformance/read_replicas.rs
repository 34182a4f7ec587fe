//! Read replicas: real streaming replication on loopback (standbys made with
//! `pg_basebackup -R` from a dedicated primary). Read sessions go to the replicas in turn,
//! skip one that stopped, fall back to the primary when none answers, and use a replica
//! again once it is back; other sessions use the primary unless the engine routes reads,
//! in which case they read from a replica until they write. Which server a session is on
//! is read from the server itself (`inet_server_port()`).

use std::time::{Duration, Instant};

use tablemodel::prelude::*;
use tablemodel::{DbErrorKind, Filter, sea_query::Expr};
use tablemodel_testkit::PgServer;

use crate::common::{Hero, seeded};

/// The port of the server `session` runs on: the heroes are counted there only if the
/// server's port is `port`, for each candidate.
async fn server_port(session: &mut Session, ports: &[u16]) -> u16 {
    for &port in ports {
        let here = Filter::from_expr(Expr::cust(format!("inet_server_port() = {port}")));
        if !session.exec(select::<Hero>().filter(here).limit(1)).await.unwrap().is_empty() {
            return port;
        }
    }
    panic!("the session is on none of {ports:?}");
}

/// Waits (at most 30 s) until `done` says yes.
async fn eventually<F: AsyncFnMut() -> bool>(what: &str, mut done: F) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done().await {
        assert!(Instant::now() < deadline, "{what} did not happen within 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_sessions_use_the_replicas_in_turn_skip_a_stopped_one_and_fall_back_to_the_primary() {
    let primary = PgServer::dedicated();
    let url = primary.fresh_database();
    seeded(&Engine::connect(&url).await.unwrap()).await;
    let (a, b) = (PgServer::replica_of(&primary), PgServer::replica_of(&primary));
    let on = |server: &PgServer| tablemodel_testkit::url_on_port(&url, primary.port(), server.port());
    let engine = Engine::builder(&url).replica(&on(&a)).replica(&on(&b)).connect().await.unwrap();
    let ports = [primary.port(), a.port(), b.port()];

    // A commit on the primary reaches the replicas a moment later.
    let mut s = engine.session().await.unwrap();
    s.add(Hero::new("Replicated", "Streamed", None)).await.unwrap();
    s.commit().await.unwrap();
    assert_eq!(server_port(&mut s, &ports).await, primary.port(), "ordinary sessions use the primary");
    drop(s);
    eventually("replay on both replicas", async || {
        let mut seen = 0;
        for _ in 0..2 {
            let mut r = engine.read_session().await.unwrap();
            seen += usize::from(r.exec(select::<Hero>()).await.unwrap().len() == 8);
        }
        seen == 2
    })
    .await;

    // In turn: four read sessions, two on each replica, alternating.
    let mut used = Vec::new();
    for _ in 0..4 {
        let mut r = engine.read_session().await.unwrap();
        used.push(server_port(&mut r, &ports).await);
    }
    assert!(used[0] != used[1] && used[0] == used[2] && used[1] == used[3], "{used:?}");
    assert!(!used.contains(&primary.port()), "{used:?}");

    // A replica is read-only: a write there fails with the server's reason.
    let mut r = engine.read_session().await.unwrap();
    let err = r.add(Hero::new("Nope", "Read-only", None)).await.unwrap_err();
    assert!(err.to_string().contains("read-only transaction"), "{err}");
    drop(r);

    // One replica stopped: every read session goes to the other.
    a.stop();
    for _ in 0..3 {
        let mut r = engine.read_session().await.unwrap();
        assert_eq!(server_port(&mut r, &ports).await, b.port());
    }
    // Both stopped: the primary answers.
    b.stop();
    let mut r = engine.read_session().await.unwrap();
    assert_eq!(r.exec(select::<Hero>()).await.unwrap().len(), 8);
    assert_eq!(server_port(&mut r, &ports).await, primary.port());
    drop(r);

    // Back: read sessions find it again.
    a.start_again();
    eventually("a restarted replica taking reads again", async || {
        let mut r = engine.read_session().await.unwrap();
        server_port(&mut r, &ports).await == a.port()
    })
    .await;
}

/// The database name at the end of `url`.
fn database(url: &str) -> &str {
    url.rsplit('/').next().unwrap().split('?').next().unwrap()
}

/// The heroes named `name` that `session` sees.
async fn named(session: &mut Session, name: &str) -> usize {
    session.exec(select::<Hero>().filter(Hero::name().eq(name))).await.unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routed_sessions_read_from_a_replica_until_they_write_then_read_their_writes_from_the_primary() {
    let primary = PgServer::dedicated();
    let url = primary.fresh_database();
    seeded(&Engine::connect(&url).await.unwrap()).await;
    let a = PgServer::replica_of(&primary);
    let replica_url = tablemodel_testkit::url_on_port(&url, primary.port(), a.port());
    let ports = [primary.port(), a.port()];

    // Off by default: every session but a read session uses the primary.
    let plain = Engine::builder(&url).replica(&replica_url).connect().await.unwrap();
    assert_eq!(server_port(&mut plain.lazy_session(), &ports).await, primary.port());
    assert_eq!(server_port(&mut plain.session().await.unwrap(), &ports).await, primary.port());
    drop(plain);

    // On (here as a URL parameter): lazy and eager sessions read from the replica, and the
    // replica's pool shows the connection in use.
    let engine =
        Engine::builder(&format!("{url}?route_reads_to_replicas=true")).replica(&replica_url).connect().await.unwrap();
    let mut lazy = engine.lazy_session();
    assert!(lazy.routed_to_replica());
    assert_eq!(server_port(&mut lazy, &ports).await, a.port());
    assert_eq!(server_port(&mut engine.session().await.unwrap(), &ports).await, a.port());
    let status = engine.replica_status();
    assert_eq!((status[0].healthy, status[0].pool.in_use), (Some(true), 1), "{status:?}");
    assert!(!status[0].url.is_empty());

    // Replay paused on the replica: a commit of another session stays out of its sight.
    a.psql(database(&url), "SELECT pg_wal_replay_pause()");
    let mut other = engine.primary_session().await.unwrap();
    other.add(Hero::new("Committed elsewhere", "Elsewhere", None)).await.unwrap();
    other.commit().await.unwrap();
    drop(other);
    assert_eq!(named(&mut lazy, "Committed elsewhere").await, 0, "replication lag, as documented");

    // Its first write moves it to the primary: it reads its own write there at once (and
    // the other commit), and stays there after its commit.
    let mine = lazy.add(Hero::new("Mine", "Own write", None)).await.unwrap();
    assert!(!lazy.routed_to_replica());
    assert_eq!(lazy.get::<Hero>(mine.id.unwrap()).await.unwrap().map(|h| h.name), Some("Mine".to_owned()));
    lazy.commit().await.unwrap();
    assert_eq!(server_port(&mut lazy, &ports).await, primary.port());
    assert_eq!(named(&mut lazy, "Committed elsewhere").await, 1);
    assert_eq!(named(&mut lazy, "Mine").await, 1);
    drop(lazy);
    assert_eq!(engine.replica_status()[0].pool.in_use, 0, "the replica's connection went back");

    // An explicit transaction, or `use_primary`, does the same before any write.
    let mut s = engine.lazy_session();
    s.begin().await.unwrap();
    assert_eq!(named(&mut s, "Committed elsewhere").await, 1);
    assert_eq!(server_port(&mut s, &ports).await, primary.port());
    drop(s);
    let mut s = engine.session().await.unwrap();
    assert_eq!(named(&mut s, "Committed elsewhere").await, 0);
    s.use_primary();
    assert_eq!(named(&mut s, "Committed elsewhere").await, 1);
    drop(s);
    // So does a locking read (a replica could not lock rows): it sees every commit.
    let mut s = engine.lazy_session();
    let locked = select::<Hero>().filter(Hero::name().eq("Committed elsewhere")).for_update();
    assert_eq!(s.exec(locked).await.unwrap().len(), 1);
    assert!(!s.routed_to_replica() && s.in_transaction());
    s.rollback().await.unwrap();
    drop(s);

    // Work that must see every commit runs on the primary.
    let mut p = engine.primary_session().await.unwrap();
    assert_eq!(server_port(&mut p, &ports).await, primary.port());
    drop(p);

    // A timeout the session set on itself follows it to the primary.
    let mut s = engine.lazy_session();
    s.set_statement_timeout(Some(Duration::from_millis(100))).await.unwrap();
    assert_eq!(server_port(&mut s, &ports).await, a.port());
    s.use_primary();
    let sleep = Filter::from_expr(Expr::cust("(SELECT true FROM pg_sleep(2))"));
    let err = s.exec(select::<Hero>().filter(sleep)).await.unwrap_err();
    assert_eq!(err.db_kind(), Some(DbErrorKind::Timeout), "{err}");
    drop(s);

    a.psql(database(&url), "SELECT pg_wal_replay_resume()");
    eventually("replay resumed", async || named(&mut engine.lazy_session(), "Mine").await == 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routed_reads_take_the_replicas_in_turn_and_fall_back_without_error_when_they_stop() {
    let primary = PgServer::dedicated();
    let url = primary.fresh_database();
    seeded(&Engine::connect(&url).await.unwrap()).await;
    let (a, b) = (PgServer::replica_of(&primary), PgServer::replica_of(&primary));
    let on = |server: &PgServer| tablemodel_testkit::url_on_port(&url, primary.port(), server.port());
    let engine =
        Engine::builder(&url).replica(&on(&a)).replica(&on(&b)).route_reads_to_replicas(true).connect().await.unwrap();
    let ports = [primary.port(), a.port(), b.port()];

    // In turn.
    let mut used = Vec::new();
    for _ in 0..4 {
        used.push(server_port(&mut engine.lazy_session(), &ports).await);
    }
    assert!(used[0] != used[1] && used[0] == used[2] && used[1] == used[3], "{used:?}");
    assert!(!used.contains(&primary.port()), "{used:?}");

    // A session on a replica that stops mid-session: its next read runs on the other
    // replica, without an error.
    let mut s = engine.lazy_session();
    let first = server_port(&mut s, &ports).await;
    let (stopped, left) = if first == a.port() { (&a, &b) } else { (&b, &a) };
    stopped.stop();
    assert_eq!(s.exec(select::<Hero>()).await.unwrap().len(), 7);
    assert_eq!(server_port(&mut s, &ports).await, left.port());
    let healthy: Vec<Option<bool>> = engine.replica_status().iter().map(|r| r.healthy).collect();
    let down = usize::from(stopped.port() == b.port());
    assert_eq!(healthy[down], Some(false), "{healthy:?}");
    assert_eq!(healthy[1 - down], Some(true), "{healthy:?}");

    // Both stopped: the same session, and new ones, read from the primary.
    left.stop();
    assert_eq!(s.exec(select::<Hero>()).await.unwrap().len(), 7);
    assert_eq!(server_port(&mut s, &ports).await, primary.port());
    for _ in 0..2 {
        let mut t = engine.lazy_session();
        assert_eq!(t.exec(select::<Hero>()).await.unwrap().len(), 7);
        assert_eq!(server_port(&mut t, &ports).await, primary.port());
    }
    assert!(engine.check_replicas().await.iter().all(|r| r.healthy == Some(false)));

    // Back: routed reads find it again, and the check says so.
    a.start_again();
    eventually("a restarted replica taking routed reads again", async || {
        server_port(&mut engine.lazy_session(), &ports).await == a.port()
    })
    .await;
    let healthy: Vec<Option<bool>> = engine.check_replicas().await.iter().map(|r| r.healthy).collect();
    assert_eq!(healthy, [Some(true), Some(false)]);
}
