//! Pydantic v2's dump calls: `model_dump(by_alias=…)`, `model_dump_json()`,
//! `model_fields_set` with `exclude_unset` (a defaulted field is not set), and
//! `model_validate` of a dict that keeps the related rows (SQLModel's open bug).

use serde_json::json;
use tablemodel::prelude::*;
use tablemodel::validate::Dump;

#[derive(Model, Debug, Clone, PartialEq)]
struct Power {
    #[field(alias = "powerName")]
    power_name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Caped {
    #[field(alias = "secretName")]
    secret_name: String,
    #[field(serialization_alias = "years")]
    age: Option<i32>,
    #[field(default = 0)]
    rank: i32,
    #[field(default = Vec::new())]
    powers: Vec<Power>,
}

/// Pydantic's `populate_by_name=True`: the alias or the field name.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(populate_by_name)]
struct Lenient {
    #[field(alias = "secretName", min_length = 2)]
    secret_name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "dump_team")]
struct DumpTeam {
    name: String,
    #[field(primary_key)]
    id: Option<i64>,
    #[relationship(back_populates = "team")]
    heroes: Related<Vec<DumpHero>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "dump_hero")]
struct DumpHero {
    name: String,
    #[field(foreign_key = "dump_team.id")]
    team_id: Option<i64>,
    #[field(primary_key)]
    id: Option<i64>,
    #[relationship(back_populates = "heroes")]
    team: Related<Option<DumpTeam>>,
}

#[test]
fn by_alias_false_writes_field_names_in_nested_models_too() {
    let caped = Caped::validate(&json!({"secretName": "Dive", "age": 30, "powers": [{"powerName": "regen"}]})).unwrap();
    assert_eq!(caped.dump_json(), r#"{"secretName":"Dive","years":30,"rank":0,"powers":[{"powerName":"regen"}]}"#);
    assert_eq!(
        caped.dump_json_with(&Dump::new().by_alias(false)),
        r#"{"secret_name":"Dive","age":30,"rank":0,"powers":[{"power_name":"regen"}]}"#
    );
    // The naming applies to that dump only.
    assert_eq!(serde_json::to_value(&caped).unwrap()["secretName"], "Dive");
    assert_eq!(
        caped.dump_with(&Dump::new().by_alias(false).exclude(["rank", "powers"])),
        json!({"secret_name": "Dive", "age": 30})
    );
}

#[test]
fn exclude_unset_leaves_out_defaulted_fields() {
    let tracked = Caped::validate_tracked(&json!({"rank": 3, "secretName": "Dive", "unknown": 1})).unwrap();
    assert_eq!(tracked.fields_set(), ["rank", "secretName"]);
    assert_eq!(tracked.dump_with(&Dump::new().exclude_unset()), json!({"secretName": "Dive", "rank": 3}));
    assert_eq!(tracked.model().powers, []);
    // Without tracking, every field of a model counts as set.
    let plain = tracked.into_inner();
    assert_eq!(plain.dump_with(&Dump::new().exclude_unset()).as_object().unwrap().len(), 4);
}

#[test]
fn validating_a_dict_keeps_its_relationships() {
    let input = json!({"name": "Z-Force", "id": 2, "heroes": [{"name": "Deadpond", "team_id": 2, "id": 1}]});
    let team = DumpTeam::validate(&input).unwrap();
    let Related::Loaded(heroes) = &team.heroes else { panic!("heroes dropped") };
    assert_eq!(heroes[0].name, "Deadpond");
    assert_eq!(heroes[0].team, Related::NotLoaded);
    assert_eq!(team.dump_json(), r#"{"name":"Z-Force","id":2,"heroes":[{"name":"Deadpond","team_id":2,"id":1}]}"#);
    let hero = DumpHero::validate(&json!({"name": "Deadpond", "team": {"name": "Z-Force", "id": 2}})).unwrap();
    assert!(matches!(&hero.team, Related::Loaded(Some(t)) if t.name == "Z-Force"));
}

#[test]
fn populate_by_name_accepts_the_field_name_too() {
    let by_alias = Lenient::validate(&json!({"secretName": "Dive"})).unwrap();
    let by_name = Lenient::validate(&json!({"secret_name": "Dive"})).unwrap();
    assert_eq!(by_alias, by_name);
    assert_eq!(by_name.dump_json(), r#"{"secretName":"Dive"}"#, "output keeps the alias");
    // Constraints still apply; the alias wins when both are given.
    let err = Lenient::validate(&json!({"secret_name": "D"})).unwrap_err();
    assert_eq!(err.errors()[0].kind, "string_too_short");
    assert_eq!(Lenient::validate(&json!({"secretName": "A1", "secret_name": "B2"})).unwrap().secret_name, "A1");
    // Without the option, only the alias is read.
    let strict = Caped::validate(&json!({"secret_name": "Dive"})).unwrap_err();
    assert_eq!(strict.errors()[0].kind, "missing");
}
