//! PostgreSQL through PgBouncer in transaction pooling mode (Debian's `pgbouncer`, started
//! by the test kit in front of the test server): each transaction may run on another
//! server connection, so a statement prepared under a name on one is unknown on the next.
//! `prepared_statements=false` runs every statement as the unnamed statement instead.

use tablemodel::prelude::*;
use tablemodel::{DbErrorKind, Filter};
use tablemodel_testkit::{PgBouncer, pg_server};

use crate::common::{Hero, Team, seeded};

/// A fresh database behind a new PgBouncer that shares `server_connections` server
/// connections among its clients.
fn through_pgbouncer(server_connections: u32) -> (PgBouncer, String) {
    let server = pg_server();
    let bouncer = PgBouncer::transaction_pooling(server, server_connections);
    let url = bouncer.url_for(server, &server.fresh_database());
    (bouncer, url)
}

/// One client prepares a statement in a transaction on server connection X; another
/// client's open transaction then holds X, so the first client's next transaction runs on
/// a new connection Y, where the statement was never prepared. The first client's result.
async fn reuse_a_statement_on_another_server_connection(url: &str, prepared: bool) -> tablemodel::Result<()> {
    let first = Engine::builder(url).max_connections(1).prepared_statements(prepared).connect().await?;
    let other = Engine::builder(url).max_connections(1).prepared_statements(prepared).connect().await?;
    let mut s = first.session().await?;
    let hero = s.get::<Hero>(1).await?.expect("hero 1");
    s.commit().await?;
    drop(s);

    let mut holding = other.session().await?;
    holding.add(Hero::new("Holder", "Holds X", None)).await?;

    let mut s = first.session().await?;
    let again = s.get::<Hero>(1).await?;
    s.commit().await?;
    assert_eq!(again.as_ref(), Some(&hero));
    holding.commit().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn named_statements_break_under_transaction_pooling_and_unnamed_ones_do_not() {
    let (bouncer, url) = through_pgbouncer(2);
    seeded(&Engine::connect(&url).await.unwrap()).await;

    if bouncer.version() < (1, 21) {
        let err = reuse_a_statement_on_another_server_connection(&url, true).await.unwrap_err();
        let message = err.to_string();
        assert!(message.contains("prepared statement") && message.contains("does not exist"), "{message}");
        assert_eq!(err.db_kind(), Some(DbErrorKind::Other), "{err}");
    }
    reuse_a_statement_on_another_server_connection(&url, false).await.unwrap();
    let url = format!("{url}?prepared_statements=false");
    reuse_a_statement_on_another_server_connection(&url, false).await.unwrap();
}

/// The heroes app's work (create, read, update, list with a filter, delete) from many
/// clients at once through PgBouncer with two server connections: every write lands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crud_from_many_clients_through_two_server_connections() {
    let (_bouncer, url) = through_pgbouncer(2);
    let engine = Engine::connect(&format!("{url}?prepared_statements=false&max_connections=8")).await.unwrap();
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let team = s.add(Team { id: None, name: "Preventers".into(), headquarters: "Sharp Tower".into() }).await.unwrap();
    s.commit().await.unwrap();
    drop(s);

    const CLIENTS: i32 = 8;
    const HEROES: i32 = 15;
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let engine = engine.clone();
        let team_id = team.id;
        tasks.push(tokio::spawn(async move {
            for n in 0..HEROES {
                let mut s = engine.session().await.unwrap();
                let mut hero = Hero::new(&format!("hero-{client}-{n}"), "secret", Some(n));
                hero.team_id = team_id;
                let mut hero = s.add(hero).await.unwrap();
                s.commit().await.unwrap();
                drop(s);

                let mut s = engine.session().await.unwrap();
                let read = s.get::<Hero>(hero.id.unwrap()).await.unwrap().unwrap();
                assert_eq!(read, hero);
                hero.age = Some(100 + n);
                s.save(&mut hero).await.unwrap();
                if n % 3 == 0 {
                    s.delete(&hero).await.unwrap();
                }
                s.commit().await.unwrap();
            }
            let mut s = engine.session().await.unwrap();
            let mine = Filter::from_expr(tablemodel::sea_query::Expr::cust(format!("name LIKE 'hero-{client}-%'")));
            s.exec(select::<Hero>().filter(mine)).await.unwrap()
        }));
    }
    for task in tasks {
        let mine = task.await.unwrap();
        assert_eq!(mine.len(), 10, "a third of each client's 15 heroes were deleted");
        assert!(mine.iter().all(|h| h.age >= Some(100) && h.team_id == team.id), "{mine:?}");
    }
    let database = url.rsplit('/').next().unwrap();
    let counted = pg_server().psql(database, "SELECT count(*), min(age) FROM hero");
    assert_eq!(counted, "80|101", "the rows as the server has them, read past PgBouncer");
}
