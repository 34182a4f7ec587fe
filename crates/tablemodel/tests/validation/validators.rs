//! Custom field and model validators, aliases and excluded fields.

use serde_json::json;
use tablemodel::Schema;
use tablemodel::prelude::*;
use tablemodel::validate::{Validator, ValueError};

fn title_name(name: String) -> Result<String, ValueError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err("name must not be blank".into());
    }
    Ok(trimmed
        .split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c.flat_map(char::to_lowercase)).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" "))
}

fn comma_list(value: serde_json::Value) -> Result<serde_json::Value, ValueError> {
    Ok(match value {
        serde_json::Value::String(s) => s.split(',').map(|p| json!(p.trim())).collect(),
        other => other,
    })
}

fn passwords_match(signup: Signup) -> Result<Signup, ValueError> {
    if signup.password == signup.password_repeat { Ok(signup) } else { Err(ValueError::new("passwords do not match")) }
}

#[derive(Model, Debug)]
#[model(validator = passwords_match)]
struct Signup {
    #[field(validator = title_name, alias = "fullName")]
    name: String,
    #[field(validator_before = comma_list, max_items = 3)]
    tags: Vec<String>,
    #[field(exclude, min_length = 8)]
    password: String,
    #[field(exclude, serialization_alias = "unused", validation_alias = "repeat")]
    password_repeat: String,
}

#[test]
fn a_field_validator_transforms_the_value_after_type_checks() {
    let s = Signup::validate(
        &json!({"fullName": "  deadPOND  wilson ", "tags": [], "password": "12345678", "repeat": "12345678"}),
    )
    .unwrap();
    assert_eq!(s.name, "Deadpond Wilson");
}

#[test]
fn a_before_validator_sees_the_raw_input() {
    let s = Signup::validate(&json!({"fullName": "x", "tags": "a, b", "password": "12345678", "repeat": "12345678"}))
        .unwrap();
    assert_eq!(s.tags, ["a", "b"]);
    let err =
        Signup::validate(&json!({"fullName": "x", "tags": "a,b,c,d", "password": "12345678", "repeat": "12345678"}))
            .unwrap_err();
    assert_eq!(err.errors()[0].kind, "too_long");
}

#[test]
fn validator_failures_are_value_errors_at_the_field() {
    let err =
        Signup::validate(&json!({"fullName": "   ", "tags": [], "password": "short", "repeat": "short"})).unwrap_err();
    assert_eq!(
        err.to_json(),
        json!([
            {"type": "value_error", "loc": ["fullName"], "msg": "Value error, name must not be blank", "input": "   ",
             "ctx": {"error": "name must not be blank"}},
            {"type": "string_too_short", "loc": ["password"], "msg": "String should have at least 8 characters",
             "input": "short", "ctx": {"min_length": 8}},
        ])
    );
}

#[test]
fn a_model_validator_checks_across_fields_once_they_are_valid() {
    let input = json!({"fullName": "x", "tags": [], "password": "12345678", "repeat": "87654321"});
    let err = Signup::validate(&input).unwrap_err();
    assert_eq!(err.errors().len(), 1);
    assert_eq!(err.errors()[0].kind, "value_error");
    assert!(err.errors()[0].loc.is_empty());
    assert_eq!(err.errors()[0].msg, "Value error, passwords do not match");
}

#[test]
fn aliases_rename_and_exclude_hides_on_output() {
    let s = Signup::validate(&json!({"fullName": "ada", "tags": ["x"], "password": "12345678", "repeat": "12345678"}))
        .unwrap();
    assert_eq!(s.dump(), json!({"fullName": "Ada", "tags": ["x"]}));
    let err = Signup::validate(&json!({"name": "ada", "tags": [], "password": "12345678", "repeat": "12345678"}))
        .unwrap_err();
    assert_eq!(serde_json::to_value(&err.errors()[0].loc).unwrap(), json!(["fullName"]), "the alias is the input key");
}

#[test]
fn a_field_type_of_your_own_implements_from_json() {
    #[derive(Debug, PartialEq, serde::Serialize)]
    struct Rgb(u8, u8, u8);
    impl tablemodel::validate::FromJson for Rgb {
        fn from_json(value: &serde_json::Value, v: &mut Validator) -> Option<Self> {
            let s = value.as_str().and_then(|s| s.strip_prefix('#')).filter(|s| s.len() == 6);
            let parsed = s.and_then(|s| {
                let byte = |i: usize| u8::from_str_radix(&s[i..i + 2], 16).ok();
                Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
            });
            if parsed.is_none() {
                v.push(tablemodel::validate::ValidationError::new(
                    "color_type",
                    "Input should be #rrggbb",
                    value.clone(),
                ));
            }
            parsed
        }
        fn field_schema(_: &mut tablemodel::__private::schemars::SchemaGenerator) -> serde_json::Value {
            json!({"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"})
        }
    }
    #[derive(Model, Debug)]
    struct Cape {
        color: Rgb,
    }
    assert_eq!(Cape::validate(&json!({"color": "#ff0080"})).unwrap().color, Rgb(255, 0, 128));
    assert_eq!(Cape::validate(&json!({"color": "red"})).unwrap_err().errors()[0].kind, "color_type");
    assert_eq!(Cape::model_json_schema()["properties"]["color"]["pattern"], "^#[0-9a-fA-F]{6}$");
}
