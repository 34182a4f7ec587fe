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
