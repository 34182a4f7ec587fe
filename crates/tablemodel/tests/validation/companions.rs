//! Generated Create / Public / Update types: what each accepts, the conversions to and from
//! the table model, three-state PATCH, and dumping with `model_dump`'s options.

use serde_json::json;
use tablemodel::Schema;
use tablemodel::validate::{Dump, Patch};

use crate::models::*;

#[test]
fn create_has_no_key_and_ignores_a_client_sent_id() {
    let create = HeroCreate::validate(&json!({"id": 99, "name": "Deadpond", "secret_name": "Dive Wilson"})).unwrap();
    assert_eq!(
        create,
        HeroCreate { name: "Deadpond".into(), secret_name: "Dive Wilson".into(), age: None, team_id: None }
    );
    let hero = Hero::from(create);
    assert_eq!(hero.id, None, "the database assigns the key");
    assert_eq!(hero.name, "Deadpond");
}

#[test]
fn create_reports_every_missing_field() {
    let err = HeroCreate::validate(&json!({"age": "x"})).unwrap_err();
    let found: Vec<(String, String)> =
        err.errors().iter().map(|e| (e.kind.to_string(), serde_json::to_string(&e.loc).unwrap())).collect();
    assert_eq!(
        found,
        [
            ("missing".into(), r#"["name"]"#.into()),
            ("missing".into(), r#"["secret_name"]"#.into()),
            ("int_parsing".into(), r#"["age"]"#.into()),
        ]
    );
}

#[test]
fn public_requires_the_key_and_refuses_an_unsaved_row() {
    let saved =
        Hero { id: Some(7), name: "Rusty-Man".into(), secret_name: "Tommy Sharp".into(), age: Some(48), team_id: None };
    let public = HeroPublic::try_from(saved).unwrap();
    assert_eq!(public.id, 7);
    assert_eq!(
        public.dump(),
        json!({"id": 7, "name": "Rusty-Man", "secret_name": "Tommy Sharp", "age": 48, "team_id": null})
    );
    let unsaved =
        Hero { id: None, ..Hero::from(HeroCreate::validate(&json!({"name": "a", "secret_name": "b"})).unwrap()) };
    assert!(matches!(HeroPublic::try_from(unsaved), Err(tablemodel::Error::MissingKey { table: "hero" })));
    let err = HeroPublic::validate(&json!({"name": "a", "secret_name": "b"})).unwrap_err();
    assert_eq!(err.errors()[0].kind, "missing");
    assert_eq!(serde_json::to_value(&err.errors()[0].loc).unwrap(), json!(["id"]));
}

fn spider_boy() -> Hero {
    Hero {
        id: Some(2),
        name: "Spider-Boy".into(),
        secret_name: "Pedro Parqueador".into(),
        age: Some(16),
        team_id: Some(1),
    }
}

#[test]
fn patch_changes_only_what_was_sent() {
    let mut hero = spider_boy();
    let update = HeroUpdate::validate(&json!({"age": 17})).unwrap();
    assert_eq!(update.age, Patch::Set(17));
    assert_eq!(update.name, None);
    assert_eq!(update.team_id, Patch::Unset);
    hero.apply(update);
    assert_eq!(hero, Hero { age: Some(17), ..spider_boy() });
}

#[test]
fn patch_with_null_clears_a_nullable_field() {
    let mut hero = spider_boy();
    hero.apply_json(&json!({"team_id": null, "name": "Spider-Youngster"})).unwrap();
    assert_eq!(hero.team_id, None);
    assert_eq!(hero.name, "Spider-Youngster");
    assert_eq!(hero.age, Some(16), "absent stays");
}

#[test]
fn patch_with_null_for_a_not_null_column_is_rejected_and_changes_nothing() {
    let mut hero = spider_boy();
    let err = hero.apply_json(&json!({"name": null, "age": 20})).unwrap_err();
    assert_eq!(
        err.to_json(),
        json!([{"type": "string_type", "loc": ["name"], "msg": "Input should be a valid string", "input": null}])
    );
    assert_eq!(hero, spider_boy());
}

#[test]
fn update_dump_exclude_unset_is_what_the_client_sent() {
    let update = HeroUpdate::validate(&json!({"age": null, "secret_name": "Pedro"})).unwrap();
    assert_eq!(update.dump_with(&Dump::new().exclude_unset()), json!({"secret_name": "Pedro", "age": null}));
    assert_eq!(update.dump(), json!({"name": null, "secret_name": "Pedro", "age": null, "team_id": null}));
    assert_eq!(HeroUpdate::default().dump_with(&Dump::new().exclude_unset()), json!({}));
}

#[test]
fn dump_include_exclude_and_exclude_none() {
    let hero = Hero { team_id: None, ..spider_boy() };
    assert_eq!(hero.dump_with(&Dump::new().include(["id", "name"])), json!({"id": 2, "name": "Spider-Boy"}));
    assert_eq!(
        hero.dump_with(&Dump::new().exclude(["secret_name"]).exclude_none()),
        json!({"id": 2, "name": "Spider-Boy", "age": 16})
    );
}

#[test]
fn validate_from_another_model_with_server_values() {
    let create = HeroCreate::validate(&json!({"name": "Deadpond", "secret_name": "Dive Wilson"})).unwrap();
    let hero = Hero::validate_from(&create, json!({"id": 5, "age": 30})).unwrap();
    assert_eq!(hero.id, Some(5));
    assert_eq!(hero.age, Some(30));
    let err = Hero::validate_from(&create, json!({"age": "old"})).unwrap_err();
    assert_eq!(err.errors()[0].kind, "int_parsing");
}
