//! `Vec` of scalars as an array column: `TEXT[]`/`BIGINT[]` on PostgreSQL, JSON text where
//! the database has no arrays (`Capabilities::arrays`); the same values come back
//! everywhere and compare whole in filters.

use tablemodel::prelude::*;
use tablemodel::schema::ColumnType;
use tablemodel_testkit::on_every_backend;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
pub(crate) struct Post {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    pub(crate) tags: Vec<String>,
    pub(crate) scores: Option<Vec<i64>>,
    pub(crate) flags: Vec<bool>,
    pub(crate) weights: Vec<f64>,
}

fn post(tags: &[&str], scores: Option<Vec<i64>>) -> Post {
    Post {
        id: None,
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        scores,
        flags: vec![true, false],
        weights: vec![0.5, -2.0],
    }
}

async fn arrays_round_trip_and_compare_whole(engine: Engine) {
    engine.create_all::<Post>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let stored = s
        .add_all([
            post(&["rust", "sql"], Some(vec![1, -2, i64::MAX])),
            post(&[], None),
            post(&["it's", "a \"quote\"", "ünï"], Some(vec![])),
        ])
        .await
        .unwrap();
    s.commit().await.unwrap();
    let mut s = engine.session().await.unwrap();
    for p in &stored {
        assert_eq!(&s.get::<Post>(p.id.unwrap()).await.unwrap().unwrap(), p);
    }
    let ids = |found: Vec<Post>| found.into_iter().map(|p| p.id.unwrap()).collect::<Vec<_>>();
    let rust =
        s.exec(select::<Post>().filter(Post::tags().eq(vec!["rust".to_owned(), "sql".to_owned()]))).await.unwrap();
    assert_eq!(ids(rust), [stored[0].id.unwrap()]);
    let no_scores = s.exec(select::<Post>().filter(Post::scores().is_null())).await.unwrap();
    assert_eq!(ids(no_scores), [stored[1].id.unwrap()]);
    let empty = s.exec(select::<Post>().filter(Post::scores().eq(Vec::<i64>::new()))).await.unwrap();
    assert_eq!(ids(empty), [stored[2].id.unwrap()]);

    let mut changed = s.get::<Post>(stored[1].id.unwrap()).await.unwrap().unwrap();
    changed.tags.push("new".into());
    changed.scores = Some(vec![7]);
    s.save(&mut changed).await.unwrap();
    s.commit().await.unwrap();
    let mut s = engine.session().await.unwrap();
    assert_eq!(s.get::<Post>(stored[1].id.unwrap()).await.unwrap().unwrap(), changed);
}

async fn an_array_is_a_native_array_on_postgres_and_json_elsewhere(engine: Engine) {
    engine.create_all::<Post>().await.unwrap();
    let live = engine.reflect().await.unwrap();
    assert_eq!(live, tablemodel::schema::Schema::from_tables(&[Post::META]).for_dialect(engine.dialect()));
    let ty = |name: &str| live.table("post").unwrap().column(name).unwrap().ty.clone();
    if engine.capabilities().arrays {
        assert_eq!(ty("tags"), ColumnType::Array(Box::new(ColumnType::Text)));
        assert_eq!(ty("scores"), ColumnType::Array(Box::new(ColumnType::BigInt)));
        assert_eq!(ty("weights"), ColumnType::Array(Box::new(ColumnType::Double)));
    } else {
        assert_eq!(ty("tags"), ColumnType::Json);
        assert_eq!(ty("scores"), ColumnType::Json);
    }
}

on_every_backend!(arrays_round_trip_and_compare_whole, an_array_is_a_native_array_on_postgres_and_json_elsewhere);
