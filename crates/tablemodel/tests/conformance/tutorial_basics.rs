//! SQLModel tutorial chapters: create-db-and-table, insert, automatic id, select, where,
//! indexes, one/first/get, limit and offset, update, delete.

use tablemodel::prelude::*;

use crate::common::{Hero, Team, names, seeded, tutorial_heroes};
use tablemodel_testkit::on_every_backend;

async fn insert_fills_automatic_ids(engine: Engine) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let deadpond = Hero::new("Deadpond", "Dive Wilson", None);
    assert_eq!(deadpond.id, None, "before adding, the id is not set");
    let deadpond = s.add(deadpond).await.unwrap();
    let spider = s.add(Hero::new("Spider-Boy", "Pedro Parqueador", None)).await.unwrap();
    let rusty = s.add(Hero::new("Rusty-Man", "Tommy Sharp", Some(48))).await.unwrap();
    s.commit().await.unwrap();
    assert_eq!((deadpond.id, spider.id, rusty.id), (Some(1), Some(2), Some(3)));
    assert_eq!(rusty.age, Some(48));

    // A second session sees the committed rows.
    let mut other = engine.session().await.unwrap();
    let all = other.exec(select::<Hero>().order_by(Hero::id())).await.unwrap();
    assert_eq!(all, vec![deadpond, spider, rusty]);
}

async fn select_all_heroes(engine: Engine) {
    let stored = seeded(&engine).await;
    let mut s = engine.session().await.unwrap();
    let heroes = s.exec(select::<Hero>().order_by(Hero::id())).await.unwrap();
    assert_eq!(heroes, stored);
    assert_eq!(heroes.len(), 7);
    assert_eq!(heroes[0].name, "Deadpond");
    assert_eq!(heroes[0].secret_name, "Dive Wilson");
    assert_eq!(heroes[0].age, None);
}

async fn where_every_operator(engine: Engine) {
    seeded(&engine).await;
    let mut s = engine.session().await.unwrap();
    let q = || select::<Hero>().order_by(Hero::id());

    let eq = s.exec(q().filter(Hero::name().eq("Deadpond"))).await.unwrap();
    assert_eq!(names(&eq), ["Deadpond"]);
    let ne = s.exec(q().filter(Hero::name().ne("Deadpond"))).await.unwrap();
    assert_eq!(
        names(&ne),
        ["Spider-Boy", "Rusty-Man", "Tarantula", "Black Lion", "Dr. Weird", "Captain North America"]
    );
    let gt = s.exec(q().filter(Hero::age().gt(35))).await.unwrap();
    assert_eq!(names(&gt), ["Rusty-Man", "Dr. Weird", "Captain North America"]);
    let ge = s.exec(q().filter(Hero::age().ge(35))).await.unwrap();
    assert_eq!(names(&ge), ["Rusty-Man", "Black Lion", "Dr. Weird", "Captain North America"]);
    let lt = s.exec(q().filter(Hero::age().lt(35))).await.unwrap();
    assert_eq!(names(&lt), ["Tarantula"]);
    let le = s.exec(q().filter(Hero::age().le(35))).await.unwrap();
    assert_eq!(names(&le), ["Tarantula", "Black Lion"]);

    // Several filters are combined with AND, like `.where(a, b)`.
    let both = s.exec(q().filter(Hero::age().ge(35)).filter(Hero::age().lt(40))).await.unwrap();
    assert_eq!(names(&both), ["Black Lion", "Dr. Weird"]);
    let and = s.exec(q().filter(and_(Hero::age().ge(35), Hero::age().lt(40)))).await.unwrap();
    assert_eq!(names(&and), ["Black Lion", "Dr. Weird"]);
    let or = s.exec(q().filter(or_(Hero::age().le(35), Hero::age().gt(90)))).await.unwrap();
    assert_eq!(names(&or), ["Tarantula", "Black Lion", "Captain North America"]);
    let not = s.exec(q().filter(not_(Hero::age().ge(35)))).await.unwrap();
    assert_eq!(names(&not), ["Tarantula"], "NOT of a comparison leaves out NULL ages, as in SQL");

    let in_ = s.exec(q().filter(Hero::name().in_(["Deadpond", "Tarantula", "Nobody"]))).await.unwrap();
    assert_eq!(names(&in_), ["Deadpond", "Tarantula"]);
    let not_in = s.exec(q().filter(Hero::age().not_in([48, 93, 32]))).await.unwrap();
    assert_eq!(names(&not_in), ["Black Lion", "Dr. Weird"]);
    let empty_in = s.exec(q().filter(Hero::name().in_(Vec::<String>::new()))).await.unwrap();
    assert!(empty_in.is_empty(), "IN of nothing matches nothing");

    let like = s.exec(q().filter(Hero::name().like("%-%"))).await.unwrap();
    assert_eq!(names(&like), ["Spider-Boy", "Rusty-Man"]);
    let ilike = s.exec(q().filter(Hero::secret_name().ilike("%WEIRD%"))).await.unwrap();
    assert_eq!(names(&ilike), ["Dr. Weird"]);
    let null = s.exec(q().filter(Hero::age().is_null())).await.unwrap();
    assert_eq!(names(&null), ["Deadpond", "Spider-Boy"]);
    let not_null = s.exec(q().filter(Hero::age().is_not_null())).await.unwrap();
    assert_eq!(not_null.len(), 5);
    let between = s.exec(q().filter(Hero::age().between(33, 48))).await.unwrap();
    assert_eq!(names(&between), ["Rusty-Man", "Black Lion", "Dr. Weird"]);
}

async fn one_first_and_get(engine: Engine) {
    seeded(&engine).await;
    let mut s = engine.session().await.unwrap();

    let first = s.first(select::<Hero>().filter(Hero::age().le(35)).order_by(Hero::id())).await.unwrap();
    assert_eq!(first.map(|h| h.name), Some("Tarantula".to_owned()));
    let none = s.first(select::<Hero>().filter(Hero::age().lt(25))).await.unwrap();
    assert!(none.is_none());

    let err = s.one(select::<Hero>().filter(Hero::age().le(35))).await.unwrap_err();
    assert!(matches!(err, Error::MultipleResults), "{err:?}");
    let err = s.one(select::<Hero>().filter(Hero::age().lt(25))).await.unwrap_err();
    assert!(matches!(err, Error::NoResult), "{err:?}");
    let one = s.one(select::<Hero>().filter(Hero::name().eq("Deadpond"))).await.unwrap();
    assert_eq!(one.secret_name, "Dive Wilson");
    assert!(s.one_or_none(select::<Hero>().filter(Hero::id().eq(9001))).await.unwrap().is_none());

    let hero = s.get::<Hero>(1).await.unwrap().expect("hero 1 exists");
    assert_eq!(hero.name, "Deadpond");
    assert!(s.get::<Hero>(9001).await.unwrap().is_none());
}

async fn limit_and_offset(engine: Engine) {
    seeded(&engine).await;
    let mut s = engine.session().await.unwrap();
    let page = |offset: u64| select::<Hero>().order_by(Hero::id()).offset(offset).limit(3);
    assert_eq!(names(&s.exec(page(0)).await.unwrap()), ["Deadpond", "Spider-Boy", "Rusty-Man"]);
    assert_eq!(names(&s.exec(page(3)).await.unwrap()), ["Tarantula", "Black Lion", "Dr. Weird"]);
    assert_eq!(names(&s.exec(page(6)).await.unwrap()), ["Captain North America"]);
    let filtered =
        s.exec(select::<Hero>().filter(Hero::age().gt(32)).order_by(Hero::id()).offset(1).limit(2)).await.unwrap();
    assert_eq!(names(&filtered), ["Black Lion", "Dr. Weird"]);
    let only_offset = s.exec(select::<Hero>().order_by(Hero::id()).offset(5)).await.unwrap();
    assert_eq!(names(&only_offset), ["Dr. Weird", "Captain North America"]);
}

async fn update_heroes(engine: Engine) {
    seeded(&engine).await;
    let mut s = engine.session().await.unwrap();
    let mut spider = s.one(select::<Hero>().filter(Hero::name().eq("Spider-Boy"))).await.unwrap();
    assert_eq!(spider.age, None);
    spider.age = Some(16);
    s.save(&mut spider).await.unwrap();
    let mut captain = s.one(select::<Hero>().filter(Hero::name().eq("Captain North America"))).await.unwrap();
    captain.name = "Captain North America Except Canada".to_owned();
    captain.age = Some(110);
    s.save(&mut captain).await.unwrap();
    s.commit().await.unwrap();

    let mut fresh = engine.session().await.unwrap();
    let spider = fresh.get::<Hero>(2).await.unwrap().unwrap();
    assert_eq!(spider.age, Some(16));
    let captain = fresh.get::<Hero>(7).await.unwrap().unwrap();
    assert_eq!((captain.name.as_str(), captain.age), ("Captain North America Except Canada", Some(110)));

    // A bulk UPDATE reports how many rows it changed.
    let changed = fresh.exec(update::<Hero>().set(Hero::age(), Some(1)).filter(Hero::age().gt(100))).await.unwrap();
    assert_eq!(changed, 1);
    fresh.commit().await.unwrap();
    assert_eq!(fresh.get::<Hero>(7).await.unwrap().unwrap().age, Some(1));
}

async fn delete_heroes(engine: Engine) {
    seeded(&engine).await;
    let mut s = engine.session().await.unwrap();
    let mut spider = s.one(select::<Hero>().filter(Hero::name().eq("Spider-Boy"))).await.unwrap();
    spider.name = "Spider-Youngster".to_owned();
    spider.age = Some(16);
    s.save(&mut spider).await.unwrap();
    s.commit().await.unwrap();

    let youngster = s.one(select::<Hero>().filter(Hero::name().eq("Spider-Youngster"))).await.unwrap();
    s.delete(&youngster).await.unwrap();
    s.commit().await.unwrap();
    assert!(s.first(select::<Hero>().filter(Hero::name().eq("Spider-Youngster"))).await.unwrap().is_none());
    assert!(s.get::<Hero>(2).await.unwrap().is_none());

    // Deleting it again names the table and key instead of passing silently.
    let err = s.delete(&youngster).await.unwrap_err();
    assert!(matches!(err, Error::RowNotFound { table: "hero", action: "deleted", .. }), "{err:?}");
    s.rollback().await.unwrap();

    let removed = s.exec(delete::<Hero>().filter(Hero::age().is_null())).await.unwrap();
    assert_eq!(removed, 1, "only Deadpond has no age now");
    s.commit().await.unwrap();
    assert_eq!(s.exec(select::<Hero>()).await.unwrap().len(), 5);
}

async fn add_all_inserts_every_hero(engine: Engine) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let stored = s.add_all(tutorial_heroes()).await.unwrap();
    s.commit().await.unwrap();
    let ids: Vec<Option<i64>> = stored.iter().map(|h| h.id).collect();
    assert_eq!(ids, (1..=7).map(Some).collect::<Vec<_>>());
    assert_eq!(names(&stored), names(&tutorial_heroes()));
    let loaded = s.exec(select::<Hero>().order_by(Hero::id())).await.unwrap();
    assert_eq!(loaded, stored);
}

on_every_backend!(
    insert_fills_automatic_ids,
    select_all_heroes,
    where_every_operator,
    one_first_and_get,
    limit_and_offset,
    update_heroes,
    delete_heroes,
    add_all_inserts_every_hero,
);
