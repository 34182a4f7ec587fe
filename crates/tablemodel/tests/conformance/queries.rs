//! The rest of the query builder: single columns, aggregates, group by / having,
//! distinct, NULL ordering, streams, bulk statements.

use futures_util::TryStreamExt;
use tablemodel::prelude::*;

use crate::common::{Hero, Team, seeded};
use tablemodel_testkit::on_every_backend;

async fn single_columns_and_aggregates(engine: Engine) {
    seeded(&engine).await;
    let mut s = engine.session().await.unwrap();
    let names: Vec<String> =
        s.exec(select_only(Hero::name()).filter(Hero::age().gt(40)).order_by(Hero::name())).await.unwrap();
    assert_eq!(names, ["Captain North America", "Rusty-Man"]);
    let pairs: Vec<(String, Option<i32>)> =
        s.exec(select_only((Hero::name(), Hero::age())).order_by(Hero::id()).limit(2)).await.unwrap();
    assert_eq!(pairs, [("Deadpond".to_owned(), None), ("Spider-Boy".to_owned(), None)]);

    assert_eq!(s.one(select_only(count()).from::<Hero>()).await.unwrap(), 7);
    assert_eq!(s.one(select_only(Hero::age().count())).await.unwrap(), 5, "COUNT(column) skips NULLs");
    assert_eq!(s.one(select_only(Hero::age().max())).await.unwrap(), Some(93));
    assert_eq!(s.one(select_only(Hero::age().min())).await.unwrap(), Some(32));
    assert_eq!(s.one(select_only(Hero::age().sum())).await.unwrap(), Some(48 + 32 + 35 + 36 + 93));
    let avg = s.one(select_only(Hero::age().avg())).await.unwrap().unwrap();
    assert!((avg - 48.8).abs() < 1e-9, "{avg}");
    let none = s.one(select_only(Hero::age().max()).filter(Hero::age().gt(1000))).await.unwrap();
    assert_eq!(none, None, "MAX over no rows is NULL");
}

async fn group_by_having_and_distinct(engine: Engine) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let a = s.add(Team { id: None, name: "A".into(), headquarters: "x".into() }).await.unwrap();
    let b = s.add(Team { id: None, name: "B".into(), headquarters: "x".into() }).await.unwrap();
    let mut heroes = Vec::new();
    for (i, team) in [a.id, a.id, a.id, b.id, None].into_iter().enumerate() {
        let mut h = Hero::new(&format!("h{i}"), "s", Some(20));
        h.team_id = team;
        heroes.push(h);
    }
    s.add_all(heroes).await.unwrap();
    s.commit().await.unwrap();

    let per_team: Vec<(String, i64)> = s
        .exec(
            select_only((Team::name(), Hero::id().count()))
                .join::<Hero>()
                .group_by(Team::name())
                .order_by(Team::name()),
        )
        .await
        .unwrap();
    assert_eq!(per_team, [("A".to_owned(), 3), ("B".to_owned(), 1)]);
    let big: Vec<(String, i64)> = s
        .exec(
            select_only((Team::name(), Hero::id().count()))
                .join::<Hero>()
                .group_by(Team::name())
                .having(Hero::id().count().gt(2)),
        )
        .await
        .unwrap();
    assert_eq!(big, [("A".to_owned(), 3)]);
    let ages: Vec<Option<i32>> = s.exec(select_only(Hero::age()).distinct()).await.unwrap();
    assert_eq!(ages, [Some(20)]);
    let hqs: Vec<String> = s.exec(select_only(Team::headquarters()).distinct()).await.unwrap();
    assert_eq!(hqs, ["x"]);
}

async fn order_with_nulls_first_and_last(engine: Engine) {
    seeded(&engine).await;
    let mut s = engine.session().await.unwrap();
    let last = s.exec(select::<Hero>().order_by(Hero::age().desc().nulls_last()).order_by(Hero::id())).await.unwrap();
    let ages: Vec<Option<i32>> = last.iter().map(|h| h.age).collect();
    assert_eq!(ages, [Some(93), Some(48), Some(36), Some(35), Some(32), None, None]);
    let first = s.exec(select::<Hero>().order_by(Hero::age().asc().nulls_first()).order_by(Hero::id())).await.unwrap();
    let ages: Vec<Option<i32>> = first.iter().map(|h| h.age).collect();
    assert_eq!(ages, [None, None, Some(32), Some(35), Some(36), Some(48), Some(93)]);
}

async fn stream_large_result(engine: Engine) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let heroes: Vec<Hero> = (0..5_000).map(|i| Hero::new(&format!("hero {i}"), "s", Some(i % 100))).collect();
    let stored = s.add_all(heroes).await.unwrap();
    assert_eq!(stored.len(), 5_000);
    assert_eq!(stored[4_999].name, "hero 4999");
    s.commit().await.unwrap();

    let mut stream = s.stream(select::<Hero>().order_by(Hero::id())).await.unwrap();
    let mut seen = 0;
    while let Some(hero) = stream.try_next().await.unwrap() {
        assert_eq!(hero.name, format!("hero {seen}"));
        seen += 1;
    }
    drop(stream);
    assert_eq!(seen, 5_000);

    // Dropping a stream half-way leaves the session usable.
    let mut stream = s.stream(select::<Hero>().order_by(Hero::id())).await.unwrap();
    let first = stream.try_next().await.unwrap().unwrap();
    assert_eq!(first.name, "hero 0");
    drop(stream);
    assert_eq!(s.one(select_only(count()).from::<Hero>()).await.unwrap(), 5_000);

    // The same query again, its statement reused: from its first row, with its own values
    // bound, whether the stream before it was read to the end or stopped half-way.
    let aged = |age: i32| select::<Hero>().filter(Hero::age().eq(age)).order_by(Hero::id());
    let mut stream = s.stream(aged(7)).await.unwrap();
    assert_eq!(stream.try_next().await.unwrap().unwrap().name, "hero 7");
    drop(stream);
    for age in [8, 8, 9] {
        let names: Vec<String> = s.stream(aged(age)).await.unwrap().map_ok(|h| h.name).try_collect().await.unwrap();
        assert_eq!(names.len(), 50);
        assert_eq!(names[..2], [format!("hero {age}"), format!("hero {}", age + 100)]);
    }
}

/// Wide rows (6 MiB of text in all) stream back intact, in order, in bounded batches.
async fn stream_wide_rows(engine: Engine) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    // MySQL keeps a name without `max_length` in `VARCHAR(255)`.
    let width = if engine.dialect() == tablemodel::Dialect::Mysql { 250 } else { 50_000 };
    let name = |i: usize| format!("{i:03}-{}", "ü".repeat(width));
    s.add_all((0..60).map(|i| Hero::new(&name(i), "s", None))).await.unwrap();
    s.commit().await.unwrap();
    let mut stream = s.stream(select::<Hero>().order_by(Hero::id())).await.unwrap();
    let mut seen = 0;
    while let Some(hero) = stream.try_next().await.unwrap() {
        assert!(hero.name == name(seen), "row {seen} came back changed");
        seen += 1;
    }
    assert_eq!(seen, 60);
}

async fn refresh_reloads_from_the_database(engine: Engine) {
    seeded(&engine).await;
    let mut s = engine.session().await.unwrap();
    let mut hero = s.get::<Hero>(3).await.unwrap().unwrap();
    let mut other = engine.session().await.unwrap();
    other.exec(update::<Hero>().set(Hero::age(), Some(49)).filter(Hero::id().eq(3))).await.unwrap();
    other.commit().await.unwrap();
    assert_eq!(hero.age, Some(48));
    s.refresh(&mut hero).await.unwrap();
    assert_eq!(hero.age, Some(49));
}

#[derive(Model, Debug)]
#[model(table)]
struct Lonely {
    #[field(primary_key)]
    id: Option<i64>,
}

async fn join_without_foreign_key_is_a_clear_error(engine: Engine) {
    seeded(&engine).await;
    engine.create_all::<Lonely>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let lonely = s.add(Lonely { id: None }).await.unwrap();
    assert_eq!(lonely.id, Some(1), "a table of only a generated key inserts DEFAULT VALUES");
    let err = s.exec(select::<Team>().join::<Lonely>()).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidQuery(m) if m.contains("join_on")), "{err}");
}

on_every_backend!(
    single_columns_and_aggregates,
    group_by_having_and_distinct,
    order_with_nulls_first_and_last,
    stream_large_result,
    stream_wide_rows,
    refresh_reloads_from_the_database,
    join_without_foreign_key_is_a_clear_error,
);
