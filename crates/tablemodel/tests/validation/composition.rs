//! Hand-written companions by composition, SQLModel's `HeroBase` pattern: a shared base
//! struct flattened into several schema types, and public types that nest related rows
//! (`HeroPublicWithTeam`, `TeamPublicWithHeroes`). Their schemas match SQLModel's.

use serde_json::json;
use tablemodel::Schema;
use tablemodel::prelude::*;

use crate::models::{HeroPublic, TeamPublic, fixture};

#[derive(Model, Debug, Clone, PartialEq)]
struct HeroBase {
    name: String,
    secret_name: String,
    age: Option<i32>,
    team_id: Option<i64>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(title = "HeroCreate")]
struct HandHeroCreate {
    #[field(flatten)]
    base: HeroBase,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(title = "HeroPublic")]
struct HandHeroPublic {
    #[field(flatten)]
    base: HeroBase,
    id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct HeroPublicWithTeam {
    #[field(flatten)]
    hero: HeroPublic,
    team: Option<TeamPublic>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct TeamPublicWithHeroes {
    #[field(flatten)]
    team: TeamPublic,
    #[field(default = Vec::new())]
    heroes: Vec<HeroPublic>,
}

fn same_as_pydantic<S: Schema>(name: &str) {
    let mut diffs = Vec::new();
    crate::schemas::differences(&S::model_json_schema(), &fixture()["schemas"][name], "", &mut diffs);
    assert!(diffs.is_empty(), "{name} differs from SQLModel's:\n{}", diffs.join("\n"));
}

#[test]
fn a_flattened_base_reads_and_writes_at_the_same_level() {
    let input = json!({"name": "Deadpond", "secret_name": "Dive Wilson", "id": 1});
    let public = HandHeroPublic::validate(&input).unwrap();
    assert_eq!(public.base.name, "Deadpond");
    assert_eq!(
        public.dump(),
        json!({"name": "Deadpond", "secret_name": "Dive Wilson", "age": null, "team_id": null, "id": 1})
    );
    let err = HandHeroPublic::validate(&json!({"age": "x"})).unwrap_err();
    let locs: Vec<String> = err.errors().iter().map(|e| serde_json::to_string(&e.loc).unwrap()).collect();
    assert_eq!(locs, [r#"["name"]"#, r#"["secret_name"]"#, r#"["age"]"#, r#"["id"]"#]);
}

#[test]
fn composed_schemas_match_sqlmodels_inherited_ones() {
    same_as_pydantic::<HandHeroCreate>("HeroCreate");
    same_as_pydantic::<HandHeroPublic>("HeroPublic");
    same_as_pydantic::<HeroPublicWithTeam>("HeroPublicWithTeam");
    same_as_pydantic::<TeamPublicWithHeroes>("TeamPublicWithHeroes");
}

#[test]
fn nested_public_types_serialize_like_the_tutorial_api() {
    let with_team = HeroPublicWithTeam::validate(&json!({
        "id": 1, "name": "Deadpond", "secret_name": "Dive Wilson", "team_id": 1,
        "team": {"id": 1, "name": "Z-Force", "headquarters": "Sister Margaret's Bar"}
    }))
    .unwrap();
    assert_eq!(with_team.dump()["team"]["name"], "Z-Force");
    let empty =
        TeamPublicWithHeroes::validate(&json!({"id": 2, "name": "Preventers", "headquarters": "Sharp Tower"})).unwrap();
    assert_eq!(empty.dump()["heroes"], json!([]));
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Node {
    name: String,
    #[field(default = Vec::new())]
    children: Vec<Node>,
}

#[test]
fn recursive_models_validate_and_refer_to_themselves_in_the_schema() {
    let tree =
        Node::validate(&json!({"name": "root", "children": [{"name": "a"}, {"name": "b", "children": [{"name": 1}]}]}));
    let err = tree.unwrap_err();
    assert_eq!(serde_json::to_value(&err.errors()[0].loc).unwrap(), json!(["children", 1, "children", 0, "name"]));
    let schema = Node::model_json_schema();
    assert_eq!(schema["properties"]["children"]["items"], json!({"$ref": "#/$defs/Node"}));
    assert_eq!(schema["$defs"]["Node"]["properties"]["name"], json!({"type": "string", "title": "Name"}));
}
