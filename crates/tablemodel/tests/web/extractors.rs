//! Path parameters (one or several), and what the documentation says of them and of a
//! JSON body.

use serde_json::json;
use tablemodel::Engine;

use crate::app::client;
use tablemodel_testkit::on_every_backend;

async fn several_path_parameters_are_validated_together(engine: Engine) {
    let c = client(engine).await;
    assert_eq!(c.get("/teams/3/users/4").await.json(), json!({"team_id": 3, "user_id": 4}));
    let r = c.get("/teams/x/users/4.5").await;
    assert_eq!(
        (r.status.as_u16(), r.json()),
        (
            422,
            json!({"detail": [
                {"type": "int_parsing", "loc": ["path", "team_id"], "msg": "Input should be a valid integer, unable to parse string as an integer", "input": "x"},
                {"type": "int_parsing", "loc": ["path", "user_id"], "msg": "Input should be a valid integer, unable to parse string as an integer", "input": "4.5"}
            ]})
        )
    );
}

async fn the_document_names_each_path_parameter(engine: Engine) {
    let doc = client(engine).await.get("/openapi.json").await.json();
    let parameters = &doc["paths"]["/teams/{team_id}/users/{user_id}"]["get"]["parameters"];
    assert_eq!(
        parameters,
        &json!([
            {"in": "path", "name": "team_id", "required": true, "style": "simple", "schema": {"type": "integer", "title": "Team Id"}},
            {"in": "path", "name": "user_id", "required": true, "style": "simple", "schema": {"type": "integer", "title": "User Id"}}
        ])
    );
    assert!(doc["components"]["schemas"]["UserCreate"]["properties"]["email"]["minLength"] == 1);
}

/// A parameter that is not UTF-8 once percent-decoded is read as U+FFFD, as Python's
/// servers read it, and answered as any other bad value: a 422 at its name (axum: a 400),
/// next to the other parameter's errors.
async fn a_path_parameter_that_is_not_utf8_is_a_422(engine: Engine) {
    let c = client(engine).await;
    let r = c.get("/teams/%FF%FE/users/x").await;
    let parsing = "Input should be a valid integer, unable to parse string as an integer";
    assert_eq!(
        (r.status.as_u16(), r.json()),
        (
            422,
            json!({"detail": [
                {"type": "int_parsing", "loc": ["path", "team_id"], "msg": parsing, "input": "\u{fffd}\u{fffd}"},
                {"type": "int_parsing", "loc": ["path", "user_id"], "msg": parsing, "input": "x"}
            ]})
        )
    );
}

/// An operation with a JSON body declares what reading the body answers besides 422: 400
/// (not JSON text), 408 (late) and 413 (too large), with the `{"detail": "…"}` body.
async fn a_json_body_declares_400_408_and_413(engine: Engine) {
    let doc = client(engine).await.get("/openapi.json").await.json();
    let responses = doc["paths"]["/users/"]["post"]["responses"].as_object().unwrap();
    let mut statuses: Vec<&str> = responses.keys().map(String::as_str).collect();
    statuses.sort();
    assert_eq!(statuses, ["200", "400", "408", "413", "422"]);
    assert_eq!(
        responses["413"],
        json!({"description": "The request body is too large",
               "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPError"}}}})
    );
    assert_eq!(doc["components"]["schemas"]["HTTPError"]["required"], json!(["detail"]));
    let read = doc["paths"]["/users/{user_id}"]["get"]["responses"].as_object().unwrap();
    assert!(!read.contains_key("400") && !read.contains_key("413"), "no body, no body errors: {read:?}");
}

on_every_backend!(
    several_path_parameters_are_validated_together,
    the_document_names_each_path_parameter,
    a_path_parameter_that_is_not_utf8_is_a_422,
    a_json_body_declares_400_408_and_413,
);
