//! SQLModel's best-known trap (issues #52, #453): table models skip validation. Ours
//! validate, so invalid input never reaches `Session::add`; valid input round-trips through
//! the database and back out as the Public type.

use serde_json::json;
use tablemodel::prelude::*;

use tablemodel_testkit::on_every_backend;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "recruit", create = "RecruitCreate", public = "RecruitPublic", update = "RecruitUpdate")]
struct Recruit {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(min_length = 1, max_length = 30, index)]
    name: String,
    #[field(ge = 0, le = 150)]
    age: Option<i32>,
    #[field(pattern = "^[A-Z]{2}$")]
    country: String,
}

async fn rows(s: &mut Session) -> i64 {
    s.one(select_only(count()).from::<Recruit>()).await.unwrap()
}

async fn invalid_input_never_reaches_the_table(engine: Engine) {
    engine.create_all::<Recruit>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    for bad in [
        json!({"name": "", "country": "FR"}),
        json!({"name": "Ada", "age": 151, "country": "FR"}),
        json!({"name": "Ada", "country": "France"}),
        json!({"name": "x".repeat(31), "country": "FR"}),
    ] {
        let err = Recruit::validate(&bad).unwrap_err();
        assert_eq!(err.errors().len(), 1, "{bad}: {err}");
        // The same rules hold for the Create type the API would receive.
        let err = RecruitCreate::validate(&bad).unwrap_err();
        assert_eq!(err.errors().len(), 1, "{bad}: {err}");
    }
    assert_eq!(rows(&mut s).await, 0);
}

async fn validated_rows_round_trip_as_public(engine: Engine) {
    engine.create_all::<Recruit>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let create = RecruitCreate::validate(&json!({"name": "Ada", "age": "36", "country": "GB"})).unwrap();
    let stored = s.add(Recruit::from(create)).await.unwrap();
    s.commit().await.unwrap();
    let id = stored.id.expect("the database assigned a key");
    let mut fetched = s.get::<Recruit>(id).await.unwrap().expect("stored");
    let public = RecruitPublic::try_from(fetched.clone()).unwrap();
    assert_eq!(public.dump(), json!({"id": id, "name": "Ada", "age": 36, "country": "GB"}));

    fetched.apply_json(&json!({"age": null})).unwrap();
    s.save(&mut fetched).await.unwrap();
    s.commit().await.unwrap();
    assert_eq!(s.get::<Recruit>(id).await.unwrap().unwrap().age, None);
    assert!(fetched.clone().apply_json(&json!({"country": "gb"})).is_err(), "updates are validated too");
    assert_eq!(s.get::<Recruit>(id).await.unwrap().unwrap().country, "GB");
}

on_every_backend!(
    invalid_input_never_reaches_the_table,
    validated_rows_round_trip_as_public,
    models_built_in_code_are_checked_before_any_write,
);

async fn models_built_in_code_are_checked_before_any_write(engine: Engine) {
    engine.create_all::<Recruit>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let bad = Recruit { id: None, name: String::new(), age: Some(200), country: "GB".into() };
    let Err(Error::Validation(err)) = s.add(bad.clone()).await else { panic!("an invalid row was accepted") };
    assert_eq!(
        err.to_json(),
        json!([
            {"type": "string_too_short", "loc": ["name"], "msg": "String should have at least 1 character",
             "input": "", "ctx": {"min_length": 1}},
            {"type": "less_than_equal", "loc": ["age"], "msg": "Input should be less than or equal to 150",
             "input": 200, "ctx": {"le": 150}},
        ])
    );
    let good = Recruit { id: None, name: "Ada".into(), age: None, country: "GB".into() };
    let Err(Error::Validation(err)) = s.add_all([good.clone(), bad]).await else { panic!("accepted") };
    assert_eq!(serde_json::to_value(&err.errors()[0].loc).unwrap(), json!([1, "name"]));
    assert_eq!(rows(&mut s).await, 0, "nothing of the batch was written");

    let mut stored = s.add(good).await.unwrap();
    s.commit().await.unwrap();
    stored.country = "Great Britain".into();
    assert!(matches!(s.save(&mut stored).await, Err(Error::Validation(_))));
    s.rollback().await.unwrap();
    let id = stored.id.unwrap();
    assert_eq!(s.get::<Recruit>(id).await.unwrap().unwrap().country, "GB");
}

mod construct_unchecked {
    //! `construct_unchecked` (Pydantic's `model_construct`): built without constraints or
    //! validators, then still checked when written unless written unchecked.

    use tablemodel::prelude::*;
    use tablemodel_testkit::on_every_backend;

    fn shout(name: String) -> Result<String, String> {
        if name.is_empty() { Err("empty".into()) } else { Ok(name.to_uppercase()) }
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table, table_name = "constructed")]
    pub(crate) struct Constructed {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        #[field(max_length = 5, validator = shout)]
        pub(crate) name: String,
        #[field(ge = 0, default = 3)]
        pub(crate) level: i32,
    }

    async fn constructed_models_skip_checks_until_written(engine: Engine) {
        engine.create_all::<Constructed>().await.unwrap();
        let input = serde_json::json!({"name": "far too long", "level": -1});
        assert!(Constructed::validate(&input).is_err());
        let built = Constructed::construct_unchecked(&input).unwrap();
        assert_eq!((built.name.as_str(), built.level), ("far too long", -1), "no validator ran, no constraint");
        let defaulted = Constructed::construct_unchecked(&serde_json::json!({"name": "ok"})).unwrap();
        assert_eq!((defaulted.name.as_str(), defaulted.level), ("ok", 3));
        let wrong_type = Constructed::construct_unchecked(&serde_json::json!({"name": 5})).unwrap_err();
        assert_eq!(wrong_type.errors()[0].kind, "string_type");

        let mut s = engine.session().await.unwrap();
        let err = s.add(built.clone()).await.unwrap_err();
        assert!(matches!(err, Error::Validation(_)), "{err}");
        // Trusted data goes in through the explicit unchecked path (SQLite does not enforce
        // VARCHAR lengths; PostgreSQL does, so the row stays within them).
        let trusted = Constructed { name: "abc".into(), ..built };
        let stored = s.add_unchecked(trusted).await.unwrap();
        assert_eq!((stored.name.as_str(), stored.level), ("abc", -1));
        s.commit().await.unwrap();
    }

    on_every_backend!(constructed_models_skip_checks_until_written);
}
