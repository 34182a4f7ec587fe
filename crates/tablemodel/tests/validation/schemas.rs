//! JSON Schemas compared key by key with what Pydantic/SQLModel emit for the same models.
//!
//! One difference is deliberate and asserted here: an Update type's field for a NOT NULL
//! column (`HeroUpdate.name`) is `{"type": "string"}` (may be absent, may not be `null`),
//! where SQLModel says `anyOf [string, null]` and then fails at commit with a 500 when a
//! client sends `null`.

use serde_json::{Value, json};
use tablemodel::Schema;

use crate::models::*;

fn pydantic(name: &str) -> Value {
    fixture()["schemas"][name].clone()
}

/// Compares two schemas key by key, listing every difference with its path.
pub(crate) fn differences(ours: &Value, theirs: &Value, path: &str, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                let p = format!("{path}/{key}");
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => differences(x, y, &p, out),
                    (Some(x), None) => out.push(format!("{p}: only ours ({x})")),
                    (None, Some(y)) => out.push(format!("{p}: only Pydantic's ({y})")),
                    (None, None) => unreachable!(),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if path.ends_with("/required") => {
            // `required` is a set; Pydantic lists inherited fields first.
            let (mut a, mut b) = (a.clone(), b.clone());
            a.sort_by_key(|v| v.to_string());
            b.sort_by_key(|v| v.to_string());
            if a != b {
                out.push(format!("{path}: ours {a:?}, Pydantic's {b:?}"));
            }
        }
        (a, b) if a != b => out.push(format!("{path}: ours {a}, Pydantic's {b}")),
        _ => {}
    }
}

fn assert_same<S: Schema>(name: &str) {
    let mut diffs = Vec::new();
    differences(&S::model_json_schema(), &pydantic(name), "", &mut diffs);
    assert!(diffs.is_empty(), "{name} schema differs:\n{}", diffs.join("\n"));
}

#[test]
fn table_models_match_sqlmodel() {
    assert_same::<Hero>("Hero");
    assert_same::<Team>("Team");
}

#[test]
fn create_and_public_companions_match_the_hand_written_python_ones() {
    assert_same::<HeroCreate>("HeroCreate");
    assert_same::<HeroPublic>("HeroPublic");
    assert_same::<TeamCreate>("TeamCreate");
    assert_same::<TeamPublic>("TeamPublic");
}

#[test]
fn update_companions_differ_only_where_null_would_break_a_not_null_column() {
    for (name, ours, not_null) in [
        ("HeroUpdate", HeroUpdate::model_json_schema(), &["name", "secret_name"][..]),
        ("TeamUpdate", TeamUpdate::model_json_schema(), &["name", "headquarters"][..]),
    ] {
        let mut theirs = pydantic(name);
        for field in not_null {
            let prop = &mut theirs["properties"][*field];
            assert_eq!(prop["anyOf"], json!([{"type": "string"}, {"type": "null"}]), "{name}.{field}");
            assert_eq!(ours["properties"][*field]["type"], "string", "{name}.{field}");
            *prop = ours["properties"][*field].clone();
        }
        let mut diffs = Vec::new();
        differences(&ours, &theirs, "", &mut diffs);
        assert!(diffs.is_empty(), "{name} schema differs beyond the NOT NULL fields:\n{}", diffs.join("\n"));
        assert!(ours.get("required").is_none(), "an Update type requires nothing");
    }
}

#[test]
fn constraints_formats_enums_and_nested_models_match() {
    assert_same::<Profile>("Profile");
}

#[test]
fn schema_titles_descriptions_and_examples_come_from_attributes() {
    #[derive(tablemodel::Model)]
    #[model(title = "A Signup", description = "Who signs up.")]
    #[allow(dead_code)]
    struct Signup {
        #[field(title = "Login", description = "Lower case.", examples = ["deadpond", "rusty"], alias = "userName")]
        user: String,
    }
    let schema = Signup::model_json_schema();
    assert_eq!(
        schema,
        json!({
            "type": "object", "title": "A Signup", "description": "Who signs up.", "required": ["userName"],
            "properties": {"userName": {
                "type": "string", "title": "Login", "description": "Lower case.", "examples": ["deadpond", "rusty"]
            }}
        })
    );
}
