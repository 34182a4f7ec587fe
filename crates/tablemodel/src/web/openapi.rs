//! The OpenAPI 3.1 document of an app, built by aide from the routes and the models'
//! JSON Schemas, finished the way FastAPI's looks: path parameters named after the route
//! template, and a `422` "Validation Error" response on every operation that validates input.

use aide::openapi::{Info, OpenApi, Parameter, ParameterData, ParameterSchemaOrContent, PathStyle, SchemaObject};
use serde_json::{Value, json};

use crate::validate::FromJson;

/// The name given to a [`Path`](super::Path) parameter until the route template names it.
const PLACEHOLDER: &str = "{path parameter}";

/// Adds the `index`th path parameter, of type `T`, named later by [`finish`].
pub(crate) fn add_path_placeholder<T: FromJson>(
    ctx: &mut aide::generate::GenContext,
    operation: &mut aide::openapi::Operation,
    index: usize,
) {
    let schema = T::field_schema(&mut ctx.schema);
    let json_schema = schemars::Schema::try_from(schema).unwrap_or_default();
    let parameter = Parameter::Path {
        parameter_data: ParameterData {
            name: format!("{PLACEHOLDER} {index}"),
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
            for (method, operation) in item.iter_mut() {
                let Some(operation) = operation.as_object_mut() else { continue };
                name_path_parameters(operation, &names);
                name_like_fastapi(operation, template, method);
                describe_success(operation);
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
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for schema in schemas.values_mut() {
            drop_null_defaults(schema);
        }
    }
    drop_unreferenced_schemas(&mut doc);
    let documents_errors = doc.get("paths").is_some_and(|paths| refers_to(paths, super::routing::HTTP_ERROR_REF));
    if documents_errors {
        let components = doc.as_object_mut().map(|d| d.entry("components").or_insert_with(|| json!({})));
        if let Some(components) = components {
            let schemas = components.as_object_mut().map(|c| c.entry("schemas").or_insert_with(|| json!({})));
            if let Some(Value::Object(schemas)) = schemas {
                schemas.insert("HTTPError".into(), http_error_schema());
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

/// An operation named after its handler (`read_heroes`) gets FastAPI's operation id
/// (`read_heroes_heroes__get`) and summary (`Read Heroes`), so generated clients keep their
/// method names.
fn name_like_fastapi(operation: &mut serde_json::Map<String, Value>, template: &str, method: &str) {
    let Some(name) = operation.get("operationId").and_then(Value::as_str).map(str::to_owned) else { return };
    let unique: String =
        format!("{name}{template}").chars().map(|c| if c.is_alphanumeric() || c == '_' { c } else { '_' }).collect();
    operation.insert("operationId".into(), format!("{unique}_{method}").into());
    let summary = crate::validate::support::title_case(&name);
    operation.entry("summary").or_insert_with(|| summary.into());
}

/// FastAPI's wording for the success response, and `{}` for "any JSON".
fn describe_success(operation: &mut serde_json::Map<String, Value>) {
    let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { return };
    for (status, response) in responses.iter_mut().filter(|(s, _)| s.starts_with('2')) {
        let _ = status;
        if response.get("description").and_then(Value::as_str).is_some_and(str::is_empty) {
            response["description"] = "Successful Response".into();
        }
        if let Some(media) = response.get_mut("content").and_then(|c| c.get_mut("application/json"))
            && media.get("schema") == Some(&Value::Bool(true))
        {
            media["schema"] = json!({});
        }
    }
}

/// FastAPI leaves `"default": null` out of its component schemas (Pydantic's own schema
/// has it); so do we, in the OpenAPI document only.
fn drop_null_defaults(schema: &mut Value) {
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        for property in properties.values_mut().filter_map(Value::as_object_mut) {
            if property.get("default") == Some(&Value::Null) {
                property.remove("default");
            }
        }
    }
}

/// Removes component schemas nothing refers to, such as the model behind a `Query`, whose
/// fields became parameters.
fn drop_unreferenced_schemas(doc: &mut Value) {
    fn collect_refs(value: &Value, out: &mut std::collections::BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref")
                    && let Some(name) = r.strip_prefix("#/components/schemas/")
                {
                    out.insert(name.to_owned());
                }
                map.values().for_each(|v| collect_refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
            _ => {}
        }
    }
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object).cloned() else { return };
    let mut used = std::collections::BTreeSet::new();
    collect_refs(doc.get("paths").unwrap_or(&Value::Null), &mut used);
    // Follow references between schemas until nothing new is reached.
    loop {
        let before = used.len();
        for name in used.clone() {
            if let Some(schema) = schemas.get(&name) {
                collect_refs(schema, &mut used);
            }
        }
        if used.len() == before {
            break;
        }
    }
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        schemas.retain(|name, _| used.contains(name));
    }
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
    for p in parameters
        .iter_mut()
        .filter(|p| p["in"] == "path" && p["name"].as_str().is_some_and(|n| n.starts_with(PLACEHOLDER)))
    {
        if let Some(name) = next.next() {
            p["name"] = Value::String(name.clone());
            if let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) {
                schema.entry("title").or_insert_with(|| crate::validate::support::title_case(name).into());
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

/// Whether `value` contains a `$ref` to `reference`.
fn refers_to(value: &Value, reference: &str) -> bool {
    match value {
        Value::Object(map) => {
            map.get("$ref").and_then(Value::as_str) == Some(reference) || map.values().any(|v| refers_to(v, reference))
        }
        Value::Array(items) => items.iter().any(|v| refers_to(v, reference)),
        _ => false,
    }
}

/// The schema of an [`HttpError`](super::HttpError) body with a message, `{"detail": "…"}`,
/// for the error responses routes document with [`responses`](super::routing::responses).
fn http_error_schema() -> Value {
    json!({
        "title": "HTTPError",
        "type": "object",
        "properties": {"detail": {"title": "Detail", "type": "string"}},
        "required": ["detail"]
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
