//! Query parameters as FastAPI reads them: a repeated parameter fills a list field with every
//! value, a scalar keeps the last one, and the document shows list parameters as arrays.

use serde_json::{Value, json};
use tablemodel::Engine;

use crate::app::client;
use tablemodel_testkit::on_every_backend;

async fn repeated_parameters_fill_a_list(engine: Engine) {
    let c = client(engine).await;
    for (email, name) in [("a@x.io", "Ann"), ("b@x.io", "Bob"), ("c@x.io", "Cid")] {
        assert_eq!(c.post("/users/", &json!({"email": email, "name": name})).await.status, 200);
    }
    let names = |body: Value| -> Vec<Value> { body.as_array().unwrap().iter().map(|u| u["name"].clone()).collect() };
    let r = c.get("/users/search?name=Ann&name=Cid").await;
    assert_eq!((r.status.as_u16(), names(r.json())), (200, vec![json!("Ann"), json!("Cid")]));
    // A single value is a list of one; a scalar given twice keeps its last value.
    assert_eq!(names(c.get("/users/search?name=Bob").await.json()), [json!("Bob")]);
    assert_eq!(names(c.get("/users/search?limit=1&limit=2").await.json()), [json!("Ann"), json!("Bob")]);
    assert_eq!(names(c.get("/users/search?id=3&name=Cid&id=1&name=Ann").await.json()), [json!("Ann"), json!("Cid")]);
}

async fn a_bad_list_item_is_located_by_its_position(engine: Engine) {
    let r = client(engine).await.get("/users/search?id=1&id=x").await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(
        r.text(),
        r#"{"detail":[{"type":"int_parsing","loc":["query","id",1],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"x"}]}"#
    );
}

async fn the_document_shows_a_list_parameter_as_an_array(engine: Engine) {
    let doc = client(engine).await.get("/openapi.json").await.json();
    let parameters = doc["paths"]["/users/search"]["get"]["parameters"].as_array().unwrap().clone();
    let names: Vec<&str> = parameters.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["name", "id", "limit"], "declaration order");
    assert_eq!(parameters[0]["in"], "query");
    assert_eq!(parameters[0]["schema"]["type"], "array");
    assert_eq!(parameters[0]["schema"]["items"], json!({"type": "string"}));
    assert_eq!(parameters[1]["schema"]["items"], json!({"type": "integer"}));
}

on_every_backend!(
    repeated_parameters_fill_a_list,
    a_bad_list_item_is_located_by_its_position,
    the_document_shows_a_list_parameter_as_an_array
);
