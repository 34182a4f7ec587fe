//! Assembling a model's JSON Schema from its fields, as Pydantic v2 lays it out: constraint
//! keywords go inside the non-null branch of an optional field, titles are the field names
//! in title case, nullable fields are `anyOf [T, {"type": "null"}]`.

use serde_json::{Map, Value};

/// Adds constraint keywords to a field's type schema and annotations (title, default, …)
/// around it; used by generated `JsonSchema` impls. A `default_title` annotation becomes
/// `title` unless the field's schema refers to a definition.
pub fn property(mut base: Value, constraints: Vec<(&str, Value)>, annotations: Vec<(&str, Value)>) -> Value {
    if !constraints.is_empty() {
        let target = match base.get_mut("anyOf").and_then(Value::as_array_mut) {
            Some(branches) => branches.iter_mut().find(|b| b.get("type").and_then(Value::as_str) != Some("null")),
            None => Some(&mut base),
        };
        if let Some(Value::Object(map)) = target {
            for (key, value) in constraints {
                map.insert(key.to_owned(), value);
            }
        }
    }
    let refers = refers_to_definition(&base);
    if let Value::Object(map) = &mut base {
        for (key, value) in annotations {
            match key {
                // Pydantic leaves the generated title off fields that point at a definition.
                "default_title" if refers => {}
                "default_title" => {
                    map.insert("title".to_owned(), value);
                }
                _ => {
                    map.insert(key.to_owned(), value);
                }
            }
        }
    }
    base
}

fn refers_to_definition(schema: &Value) -> bool {
    schema.get("$ref").is_some()
        || schema.get("anyOf").and_then(Value::as_array).is_some_and(|b| b.iter().any(|b| b.get("$ref").is_some()))
}

/// A model's object schema from its properties.
pub fn object(title: &str, description: Option<&str>, properties: Map<String, Value>, required: Vec<String>) -> Value {
    let mut map = Map::new();
    map.insert("type".into(), "object".into());
    map.insert("title".into(), title.into());
    if let Some(d) = description {
        map.insert("description".into(), d.into());
    }
    map.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        map.insert("required".into(), required.into());
    }
    Value::Object(map)
}

/// Pydantic's default field title: `secret_name` → `Secret Name`.
///
/// ```
/// assert_eq!(tablemodel::__private::title_case("secret_name"), "Secret Name");
/// assert_eq!(tablemodel::__private::title_case("team_id"), "Team Id");
/// ```
pub fn title_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut start = true;
    for c in name.chars() {
        let c = if c == '_' { ' ' } else { c };
        if c.is_alphabetic() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
        } else {
            out.push(c);
            start = true;
        }
    }
    out
}

/// Moves a flattened field's properties and required names into the enclosing schema.
pub fn merge_flattened(flattened: Value, properties: &mut Map<String, Value>, required: &mut Vec<String>) {
    if let Some(Value::Object(props)) = flattened.get("properties") {
        properties.extend(props.clone());
    }
    if let Some(Value::Array(names)) = flattened.get("required") {
        required.extend(names.iter().filter_map(Value::as_str).map(str::to_owned));
    }
}
