//! Column types beyond scalars through the web layer: a JSON column's contents are
//! validated as its inner type (Pydantic's 422 with the item's location) and described by
//! that type's schema in OpenAPI; a native enum's bad label is Pydantic's `enum` error.

use serde_json::{Value, json};
use tablemodel::prelude::*;
use tablemodel::types::Json as JsonColumn;
use tablemodel::web::routing::{ApiRouter, get, post};
use tablemodel::web::{DbSession, HttpError, Json, Path, TestClient, with_docs};
use tablemodel_testkit::on_every_backend;

/// Dimensions of a gadget, stored in one JSON column.
#[derive(Model, Debug, Clone, PartialEq)]
pub(crate) struct Size {
    #[field(gt = 0)]
    pub(crate) width: i32,
    #[field(gt = 0)]
    pub(crate) height: i32,
}

/// A native enum (`CREATE TYPE kind AS ENUM` on PostgreSQL, a checked `VARCHAR` elsewhere).
#[derive(DbEnum, Debug, Clone, Copy, PartialEq)]
#[db_enum(native)]
pub(crate) enum Kind {
    #[db_enum(rename = "tool")]
    Tool,
    #[db_enum(rename = "toy")]
    Toy,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, create = "GadgetCreate", public = "GadgetPublic")]
pub(crate) struct Gadget {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    pub(crate) name: String,
    #[field(max_items = 3)]
    pub(crate) tags: JsonColumn<Vec<String>>,
    pub(crate) size: Option<JsonColumn<Size>>,
    pub(crate) extra: Option<Value>,
    #[field(default = Kind::Tool)]
    pub(crate) kind: Kind,
}

async fn create_gadget(mut s: DbSession, Json(gadget): Json<GadgetCreate>) -> Result<Json<GadgetPublic>, HttpError> {
    let gadget = s.add(Gadget::from(gadget)).await?;
    s.commit().await?;
    Ok(Json(gadget.try_into()?))
}

async fn read_gadget(mut s: DbSession, Path(id): Path<i64>) -> Result<Json<GadgetPublic>, HttpError> {
    let gadget = s.get::<Gadget>(id).await?.ok_or_else(|| HttpError::not_found("Gadget not found"))?;
    Ok(Json(gadget.try_into()?))
}

async fn client(engine: Engine) -> TestClient {
    engine.create_all::<Gadget>().await.unwrap();
    let routes =
        ApiRouter::new().api_route("/gadgets/", post(create_gadget)).api_route("/gadgets/{id}", get(read_gadget));
    TestClient::new(with_docs(routes, "Gadgets", "1").with_state(engine))
}

async fn json_columns_round_trip_through_the_api(engine: Engine) {
    let c = client(engine).await;
    let body = json!({"name": "box", "tags": ["a", "b"], "size": {"width": 2, "height": 3}, "extra": {"k": [1]}});
    let created = c.post("/gadgets/", &body).await;
    assert_eq!(created.status.as_u16(), 200, "{}", created.text());
    let read = c.get("/gadgets/1").await;
    assert_eq!(
        read.text(),
        r#"{"id":1,"name":"box","tags":["a","b"],"size":{"width":2,"height":3},"extra":{"k":[1]},"kind":"tool"}"#
    );
}

async fn bad_json_column_contents_are_a_422_at_the_item(engine: Engine) {
    let c = client(engine).await;
    let r = c.post("/gadgets/", &json!({"name": "box", "tags": ["a", 7], "size": {"width": 0, "height": "x"}})).await;
    assert_eq!(
        (r.status.as_u16(), r.json()),
        (
            422,
            json!({"detail": [
                {"type": "string_type", "loc": ["body", "tags", 1], "msg": "Input should be a valid string", "input": 7},
                {"type": "greater_than", "loc": ["body", "size", "width"], "msg": "Input should be greater than 0", "input": 0, "ctx": {"gt": 0}},
                {"type": "int_parsing", "loc": ["body", "size", "height"], "msg": "Input should be a valid integer, unable to parse string as an integer", "input": "x"}
            ]})
        )
    );
    let r = c.post("/gadgets/", &json!({"name": "box", "tags": ["a", "b", "c", "d"]})).await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(r.json()["detail"][0]["type"], "too_long", "{}", r.text());
    let r = c.post("/gadgets/", &json!({"name": "box", "tags": "a"})).await;
    assert_eq!(r.json()["detail"][0]["type"], "list_type", "{}", r.text());
}

async fn a_label_the_enum_does_not_have_is_pydantics_enum_error(engine: Engine) {
    let c = client(engine).await;
    let r = c.post("/gadgets/", &json!({"name": "box", "tags": [], "kind": "weapon"})).await;
    assert_eq!(
        (r.status.as_u16(), r.json()),
        (
            422,
            json!({"detail": [
                {"type": "enum", "loc": ["body", "kind"], "msg": "Input should be 'tool' or 'toy'", "input": "weapon", "ctx": {"expected": "'tool' or 'toy'"}}
            ]})
        )
    );
    let r = c.post("/gadgets/", &json!({"name": "box", "tags": [], "kind": "toy"})).await;
    assert_eq!(r.json()["kind"], "toy", "{}", r.text());
}

async fn a_json_column_is_described_by_its_inner_type(engine: Engine) {
    let doc = client(engine).await.get("/openapi.json").await.json();
    let schemas = &doc["components"]["schemas"];
    let create = &schemas["GadgetCreate"]["properties"];
    assert_eq!(create["tags"], json!({"type": "array", "items": {"type": "string"}, "maxItems": 3, "title": "Tags"}));
    assert_eq!(create["size"], json!({"anyOf": [{"$ref": "#/components/schemas/Size"}, {"type": "null"}]}), "{create}");
    assert_eq!(create["extra"], json!({"anyOf": [{}, {"type": "null"}], "title": "Extra"}), "{create}");
    assert_eq!(
        schemas["Size"]["properties"]["width"],
        json!({"type": "integer", "exclusiveMinimum": 0, "title": "Width"})
    );
}

on_every_backend!(
    json_columns_round_trip_through_the_api,
    bad_json_column_contents_are_a_422_at_the_item,
    a_label_the_enum_does_not_have_is_pydantics_enum_error,
    a_json_column_is_described_by_its_inner_type,
);
