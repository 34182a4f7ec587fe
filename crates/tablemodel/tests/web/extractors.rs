//! Path parameters (one or several), and what the documentation says of them.

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

on_every_backend!(several_path_parameters_are_validated_together, the_document_names_each_path_parameter);
