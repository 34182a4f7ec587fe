//! The write path with and without `RETURNING`: `add`, `add_all`, `save` and `refresh` give
//! back the rows as stored (generated keys, input order, composite keys, batches larger
//! than one statement), on SQLite and PostgreSQL with `RETURNING`, and on SQLite forced to
//! write as a database without it (insert or update, then read the row back by key in the
//! same transaction). Link rows are re-synced without `ON CONFLICT` too.

use tablemodel::prelude::*;

use crate::common::{Hero, Team, names, tutorial_heroes};
use tablemodel_testkit::on_every_backend;

/// A table whose key is two texts the caller chooses.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
pub(crate) struct Membership {
    #[field(primary_key)]
    pub(crate) club: String,
    #[field(primary_key)]
    pub(crate) member: String,
    pub(crate) role: String,
}

fn membership(club: &str, member: &str, role: &str) -> Membership {
    Membership { club: club.into(), member: member.into(), role: role.into() }
}

async fn add_fills_generated_keys(engine: Engine) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let team = s.add(Team { id: None, name: "Preventers".into(), headquarters: "Sharp Tower".into() }).await.unwrap();
    assert_eq!(team.id, Some(1));
    let mut hero = Hero::new("Rusty-Man", "Tommy Sharp", Some(48));
    hero.team_id = team.id;
    let first = s.add(hero).await.unwrap();
    let second = s.add(Hero::new("Spider-Boy", "Pedro Parqueador", None)).await.unwrap();
    assert_eq!((first.id, second.id), (Some(1), Some(2)));
    assert_eq!((first.team_id, first.age, second.age), (Some(1), Some(48), None));
    // A key the caller sets is kept.
    let mut chosen = Hero::new("Dr. Weird", "Steve Weird", Some(36));
    chosen.id = Some(40);
    assert_eq!(s.add(chosen.clone()).await.unwrap(), chosen);
    s.commit().await.unwrap();
    assert_eq!(s.get::<Hero>(1).await.unwrap(), Some(first));
    assert_eq!(s.get::<Hero>(40).await.unwrap(), Some(chosen));
}

async fn add_all_returns_rows_in_input_order(engine: Engine) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let stored = s.add_all(tutorial_heroes()).await.unwrap();
    let expected: Vec<Hero> = tutorial_heroes().into_iter().collect();
    assert_eq!(names(&stored), names(&expected));
    assert_eq!(stored.iter().map(|h| h.id).collect::<Vec<_>>(), (1..=7).map(Some).collect::<Vec<_>>());
    // Chosen keys out of order, mixed with generated ones.
    let mut mixed = vec![Hero::new("a", "a", None), Hero::new("b", "b", None), Hero::new("c", "c", None)];
    mixed[0].id = Some(100);
    mixed[2].id = Some(50);
    let stored = s.add_all(mixed).await.unwrap();
    assert_eq!(names(&stored), ["a", "b", "c"]);
    assert_eq!((stored[0].id, stored[2].id), (Some(100), Some(50)));
    assert!(stored[1].id.is_some_and(|id| id > 7), "{stored:?}");
    s.commit().await.unwrap();
}

async fn add_all_matches_chosen_composite_keys_to_models(engine: Engine) {
    engine.create_all::<Membership>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let sent = vec![
        membership("z-force", "deadpond", "founder"),
        membership("avengers", "rusty-man", "member"),
        membership("preventers", "rusty-man", "leader"),
        membership("avengers", "deadpond", "reserve"),
    ];
    let stored = s.add_all(sent.clone()).await.unwrap();
    assert_eq!(stored, sent, "every row comes back next to the model it was sent as");
    s.commit().await.unwrap();
}

async fn a_batch_larger_than_one_statement_keeps_its_order(engine: Engine) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let heroes: Vec<Hero> = (0..1500).map(|i| Hero::new(&format!("hero {i}"), "secret", Some(i))).collect();
    let log = tablemodel_testkit::SqlLog::capture();
    let stored = s.add_all(heroes).await.unwrap();
    assert_eq!(stored.len(), 1500);
    // Two multi-row INSERTs (1,000 rows, then 500), also without RETURNING where the
    // database gives one statement consecutive keys (MariaDB's default lock mode); one
    // per row where nothing says so.
    let caps = engine.capabilities();
    let batched = caps.returning_on_insert || caps.consecutive_keys_check.is_some();
    assert_eq!(log.starting_with("INSERT").len(), if batched { 2 } else { 1500 });
    drop(log);
    for (i, hero) in stored.iter().enumerate() {
        assert_eq!((hero.id, hero.age), (Some(i as i64 + 1), Some(i as i32)));
    }
    s.commit().await.unwrap();
    assert_eq!(s.exec(select::<Hero>()).await.unwrap().len(), 1500);
}

async fn save_and_refresh_read_the_stored_row(engine: Engine) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let mut hero = s.add(Hero::new("Spider-Boy", "Pedro Parqueador", None)).await.unwrap();
    hero.age = Some(16);
    s.save(&mut hero).await.unwrap();
    assert_eq!((hero.id, hero.age), (Some(1), Some(16)));
    s.exec(update::<Hero>().set(Hero::secret_name(), "Peter".to_owned())).await.unwrap();
    s.refresh(&mut hero).await.unwrap();
    assert_eq!(hero.secret_name, "Peter");
    s.commit().await.unwrap();

    let mut gone = hero.clone();
    s.delete(&hero).await.unwrap();
    let err = s.save(&mut gone).await.unwrap_err();
    assert!(matches!(err, Error::RowNotFound { action: "updated", .. }), "{err:?}");
    assert_eq!(gone, hero, "a failed save leaves the model as it was");
}

/// `save`s that change different columns of one model run different `UPDATE`s, and adds
/// leaving the key to the database or not different `INSERT`s: each writes what it changed
/// (a model keeps the first shape of each it ran beside the others).
async fn writes_of_different_shapes_on_one_model_each_send_their_own(engine: Engine) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let mut chosen = Hero::new("Dr. Weird", "Steve Weird", None);
    chosen.id = Some(7);
    let generated = s.add(Hero::new("Spider-Boy", "Pedro Parqueador", None)).await.unwrap();
    let chosen = s.add(chosen).await.unwrap();
    let again = s.add(Hero::new("Rusty-Man", "Tommy Sharp", Some(48))).await.unwrap();
    assert_eq!((generated.id, chosen.id), (Some(1), Some(7)));
    let mut a = generated;
    a.age = Some(16);
    s.save(&mut a).await.unwrap();
    let mut b = chosen;
    b.name = "Dr. Weirder".into();
    s.save(&mut b).await.unwrap();
    let mut c = again;
    c.age = Some(49);
    c.secret_name = "Tom".into();
    s.save(&mut c).await.unwrap();
    s.commit().await.unwrap();
    let mut fresh = engine.session().await.unwrap();
    for (id, name, secret_name, age) in [
        (a.id, "Spider-Boy", "Pedro Parqueador", Some(16)),
        (b.id, "Dr. Weirder", "Steve Weird", None),
        (c.id, "Rusty-Man", "Tom", Some(49)),
    ] {
        let stored = fresh.get::<Hero>(id.unwrap()).await.unwrap().unwrap();
        assert_eq!((stored.name.as_str(), stored.secret_name.as_str(), stored.age), (name, secret_name, age));
    }
    assert_eq!(fresh.exec(select::<Hero>()).await.unwrap().len(), 3);
}

async fn composite_keys_save_refresh_and_delete(engine: Engine) {
    engine.create_all::<Membership>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let mut m = s.add(membership("preventers", "rusty-man", "member")).await.unwrap();
    m.role = "leader".into();
    s.save(&mut m).await.unwrap();
    assert_eq!(m, membership("preventers", "rusty-man", "leader"));
    let mut stale = membership("preventers", "rusty-man", "?");
    s.refresh(&mut stale).await.unwrap();
    assert_eq!(stale, m);
    s.delete(&m).await.unwrap();
    s.commit().await.unwrap();
    assert!(s.exec(select::<Membership>()).await.unwrap().is_empty());
}

on_every_backend!(
    add_fills_generated_keys,
    add_all_returns_rows_in_input_order,
    add_all_matches_chosen_composite_keys_to_models,
    a_batch_larger_than_one_statement_keeps_its_order,
    save_and_refresh_read_the_stored_row,
    composite_keys_save_refresh_and_delete,
    writes_of_different_shapes_on_one_model_each_send_their_own,
    link_rows_follow_the_list,
);

/// The same tests on SQLite written as a database without `RETURNING` would be.
mod sqlite_without_returning {
    async fn engine() -> tablemodel::Engine {
        let engine = tablemodel::Engine::builder("sqlite::memory:").without_returning().connect().await.unwrap();
        assert!(!engine.capabilities().returning_on_insert && !engine.capabilities().returning_on_update);
        engine
    }

    macro_rules! without_returning {
        ($($name:ident),* $(,)?) => {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(engine().await).await
                }
            )*
        };
    }

    without_returning!(
        add_fills_generated_keys,
        add_all_returns_rows_in_input_order,
        add_all_matches_chosen_composite_keys_to_models,
        a_batch_larger_than_one_statement_keeps_its_order,
        save_and_refresh_read_the_stored_row,
        composite_keys_save_refresh_and_delete,
    );
}

mod links {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table)]
    pub(crate) struct ClubLink {
        #[field(primary_key, foreign_key = "club.id")]
        pub(crate) club_id: Option<i64>,
        #[field(primary_key, foreign_key = "person.id")]
        pub(crate) person_id: Option<i64>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table)]
    pub(crate) struct Club {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        pub(crate) name: String,
        #[relationship(back_populates = "clubs", link_model = ClubLink)]
        pub(crate) people: Related<Vec<Person>>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table)]
    pub(crate) struct Person {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        pub(crate) name: String,
        #[relationship(back_populates = "people", link_model = ClubLink)]
        pub(crate) clubs: Related<Vec<Club>>,
    }
}

/// Changing a row's many-to-many list keeps the links listed, adds the new ones and drops
/// the others, also where the database has no `ON CONFLICT DO NOTHING`.
async fn link_rows_follow_the_list(engine: Engine) {
    use links::*;
    engine.create_all::<(Club, Person, ClubLink)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let club = |name: &str| Club { id: None, name: name.into(), people: Related::NotLoaded };
    let a = s.add(club("a")).await.unwrap();
    let b = s.add(club("b")).await.unwrap();
    let c = s.add(club("c")).await.unwrap();
    let mut person =
        s.add(Person { id: None, name: "p".into(), clubs: Related::from(vec![a.clone(), b.clone()]) }).await.unwrap();
    // `b` stays (listed twice), `a` goes, `c` comes.
    person.clubs = Related::from(vec![b.clone(), c.clone(), b.clone()]);
    s.save(&mut person).await.unwrap();
    s.commit().await.unwrap();
    let mut links: Vec<(Option<i64>, Option<i64>)> =
        s.exec(select::<ClubLink>()).await.unwrap().into_iter().map(|l| (l.club_id, l.person_id)).collect();
    links.sort();
    assert_eq!(links, [(b.id, person.id), (c.id, person.id)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_rows_follow_the_list_without_on_conflict() {
    let engine = Engine::builder("sqlite::memory:")
        .adjust_capabilities(|c| c.on_conflict_do_nothing = false)
        .connect()
        .await
        .unwrap();
    link_rows_follow_the_list(engine).await
}
