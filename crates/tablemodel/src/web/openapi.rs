//! The OpenAPI 3.1 document of an app, built by aide from the routes and the models'
//! JSON Schemas, finished the way FastAPI's looks: path parameters named after the route
//! template, and a `422` "Validation Error" response on every operation that validates input.

use aide::openapi::{Info, OpenApi, Parameter, ParameterData, ParameterSchemaOrContent, PathStyle, SchemaObject};
use serde_json::{Value, json};

use crate::validate::FromJson;

/// The name given to a [`Path`](super::Path) parameter until the route template names it.
const PLACEHOLDER: &str = "{path parameter}";

/// Adds a path parameter of type `T`, named later by [`finish`].
pub(crate) fn add_path_placeholder<T: FromJson>(
    ctx: &mut aide::generate::GenContext,
    operation: &mut aide::openapi::Operation,
) {
    let schema = T::field_schema(&mut ctx.schema);
    let json_schema = schemars::Schema::try_from(schema).unwrap_or_default();
    let parameter = Parameter::Path {
        parameter_data: ParameterData {
            name: PLACEHOLDER.to_owned(),
            description: None,
            required: true,
            format: ParameterSchemaOrContent::Schema(SchemaObject { json_schema, example: None, external_docs: None }),
            extensions: Default::default(),
            deprecated: None,
            example: None,
            examples: Default::default(),
            explode: None,
        },
        style: PathStyle::Simple,
    };
    aide::operation::add_parameters(ctx, operation, vec![parameter]);
}

/// A new document with this title and version.
pub(crate) fn document(title: &str, version: &str) -> OpenApi {
    OpenApi {
        info: Info { title: title.to_owned(), version: version.to_owned(), ..Default::default() },
        ..Default::default()
    }
}

/// The finished document as JSON.
pub(crate) fn finish(api: &OpenApi) -> Value {
    let mut doc = serde_json::to_value(api).unwrap_or_else(|_| json!({}));
    let mut validates = false;
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (template, item) in paths.iter_mut() {
            let names = template_parameters(template);
            let Some(item) = item.as_object_mut() else { continue };
            for operation in item.values_mut().filter_map(Value::as_object_mut) {
                name_path_parameters(operation, &names);
                let has_input = operation.contains_key("requestBody")
                    || operation.get("parameters").and_then(Value::as_array).is_some_and(|p| !p.is_empty());
                if has_input {
                    validates = true;
                    let responses = operation.entry("responses").or_insert_with(|| json!({}));
                    responses["422"] = json!({
                        "description": "Validation Error",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}
                    });
                }
            }
        }
    }
    if validates {
        let components = doc.as_object_mut().map(|d| d.entry("components").or_insert_with(|| json!({})));
        if let Some(components) = components {
            let schemas = components.as_object_mut().map(|c| c.entry("schemas").or_insert_with(|| json!({})));
            if let Some(Value::Object(schemas)) = schemas {
                schemas.insert("ValidationError".into(), validation_error_schema());
                schemas.insert("HTTPValidationError".into(), http_validation_error_schema());
            }
        }
    }
    doc
}

fn template_parameters(template: &str) -> Vec<String> {
    template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.trim_start_matches('*').to_owned()))
        .collect()
}

fn name_path_parameters(operation: &mut serde_json::Map<String, Value>, names: &[String]) {
    let Some(parameters) = operation.get_mut("parameters").and_then(Value::as_array_mut) else { return };
    let mut next = names.iter();
    for p in parameters.iter_mut().filter(|p| p["in"] == "path" && p["name"] == PLACEHOLDER) {
        if let Some(name) = next.next() {
            p["name"] = Value::String(name.clone());
            if let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) {
                schema.entry("title").or_insert_with(|| crate::validate::title_case(name).into());
            }
        }
    }
}

/// The schema of one entry of a 422 `detail` list: [`ValidationError`](crate::validate::ValidationError)
/// as it serializes, under FastAPI's component name.
fn validation_error_schema() -> Value {
    json!({
        "title": "ValidationError",
        "type": "object",
        "properties": {
            "loc": {"title": "Location", "type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            "msg": {"title": "Message", "type": "string"},
            "type": {"title": "Error Type", "type": "string"},
            "input": {"title": "Input"},
            "ctx": {"title": "Context", "type": "object"}
        },
        "required": ["loc", "msg", "type"]
    })
}

/// The schema of a 422 body, `{"detail": [ValidationError, …]}`.
fn http_validation_error_schema() -> Value {
    json!({
        "title": "HTTPValidationError",
        "type": "object",
        "properties": {
            "detail": {"title": "Detail", "type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}
        }
    })
}
