//! An SQLite connection keeps the statements it prepared and moves between threads with
//! them: sessions on a multi-thread runtime, handing two pooled connections to one another
//! across worker threads, read and write through the same kept statements and always get
//! their own rows.

use crate::common::{Hero, Team};
use tablemodel::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kept_statements_follow_their_connection_across_threads() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:///{}?max_connections=2", dir.path().join("s.db").display());
    let engine = Engine::connect(&url).await.unwrap();
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let heroes =
        s.add_all((0..8).map(|i| Hero::new(&format!("hero {i}"), &format!("secret {i}"), Some(i)))).await.unwrap();
    s.commit().await.unwrap();

    let tasks = heroes.into_iter().map(|hero| {
        let engine = engine.clone();
        tokio::spawn(async move {
            let id = hero.id.unwrap();
            for round in 0..40 {
                let mut s = engine.session().await.unwrap();
                // The model's fixed statement and a query shape's statement, each kept.
                let got = s.get::<Hero>(id).await.unwrap().unwrap();
                assert_eq!(got.name, hero.name);
                tokio::task::yield_now().await;
                let same = s.first(select::<Hero>().filter(Hero::name().eq(hero.name.clone()))).await.unwrap();
                assert_eq!(same.and_then(|h| h.id), Some(id));
                if round % 10 == 0 {
                    let mut changed = got;
                    changed.age = Some(round);
                    s.save(&mut changed).await.unwrap();
                    s.commit().await.unwrap();
                }
                // The session ends here and its connection goes back to the pool, to be
                // taken up by another task, perhaps on another worker thread.
            }
            id
        })
    });
    for task in tasks {
        let id = task.await.unwrap();
        let mut s = engine.session().await.unwrap();
        assert_eq!(s.get::<Hero>(id).await.unwrap().unwrap().age, Some(30));
    }
}
