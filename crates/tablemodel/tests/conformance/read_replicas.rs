//! Read replicas: real streaming replication on loopback (standbys made with
//! `pg_basebackup -R` from a dedicated primary). Read sessions go to the replicas in turn,
//! skip one that stopped, fall back to the primary when none answers, and use a replica
//! again once it is back; other sessions always use the primary. Which server a session
//! is on is read from the server itself (`inet_server_port()`, `pg_is_in_recovery()`).

use std::time::{Duration, Instant};

use tablemodel::prelude::*;
use tablemodel::{Filter, sea_query::Expr};
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
    let on = |server: &PgServer| url.replacen(&format!(":{}/", primary.port()), &format!(":{}/", server.port()), 1);
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
