//! JSON columns (`Json<T>` and `serde_json::Value`), as SQLModel's `Column(JSON)` /
//! `Column(JSONB)`: stored and read back whole, `NULL` for `None`, compared in filters,
//! `JSONB` on PostgreSQL.

use std::collections::BTreeMap;

use serde_json::json;
use tablemodel::prelude::*;
use tablemodel::schema::ColumnType;
use tablemodel::types::Json;
use tablemodel_testkit::on_every_backend;

/// A nested schema stored in one column.
#[derive(Model, Debug, Clone, PartialEq)]
pub(crate) struct Address {
    pub(crate) street: String,
    #[field(ge = 1)]
    pub(crate) number: i32,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
pub(crate) struct Profile {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    pub(crate) name: String,
    pub(crate) tags: Json<Vec<String>>,
    pub(crate) scores: Option<Json<BTreeMap<String, i64>>>,
    pub(crate) address: Option<Json<Address>>,
    pub(crate) doc: Option<serde_json::Value>,
}

fn profile(name: &str, tags: &[&str], doc: Option<serde_json::Value>) -> Profile {
    Profile {
        id: None,
        name: name.to_owned(),
        tags: Json(tags.iter().map(|t| (*t).to_owned()).collect()),
        scores: None,
        address: None,
        doc,
    }
}

async fn json_values_round_trip_and_none_is_null(engine: Engine) {
    engine.create_all::<Profile>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let full = Profile {
        scores: Some(Json(BTreeMap::from([("a".to_owned(), 1), ("b".to_owned(), -2)]))),
        address: Some(Json(Address { street: "Main".into(), number: 7 })),
        ..profile("full", &["x", "y"], Some(json!({"k": [1, 2.5, null, "s"], "t": true})))
    };
    let full = s.add(full).await.unwrap();
    let empty = s.add(profile("empty", &[], None)).await.unwrap();
    // Scalars are JSON too; SQLite stores a number's text in a `JSON` column as a number.
    let scalar = s.add(profile("scalar", &[], Some(json!(5)))).await.unwrap();
    let real = s.add(profile("real", &[], Some(json!(2.5)))).await.unwrap();
    let text = s.add(profile("text", &[], Some(json!("5")))).await.unwrap();
    s.commit().await.unwrap();

    let mut s = engine.session().await.unwrap();
    for stored in [&full, &empty, &scalar, &real, &text] {
        assert_eq!(&s.get::<Profile>(stored.id.unwrap()).await.unwrap().unwrap(), stored);
    }
    assert_eq!(full.address.as_ref().unwrap().street, "Main", "Json<T> derefs to T");

    // `None` is SQL NULL, not JSON null.
    let nulls = s.exec(select::<Profile>().filter(Profile::address().is_null()).order_by(Profile::id())).await.unwrap();
    assert_eq!(nulls.len(), 4);
    let no_doc = s.exec(select::<Profile>().filter(Profile::doc().is_null())).await.unwrap();
    assert_eq!(no_doc.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["empty"]);

    // Saving a changed JSON field writes it.
    let mut changed = s.get::<Profile>(empty.id.unwrap()).await.unwrap().unwrap();
    changed.tags.push("new".into());
    s.save(&mut changed).await.unwrap();
    s.commit().await.unwrap();
    let mut s = engine.session().await.unwrap();
    assert_eq!(s.get::<Profile>(empty.id.unwrap()).await.unwrap().unwrap().tags, Json(vec!["new".to_owned()]));
}

async fn json_columns_compare_whole_values_in_filters(engine: Engine) {
    engine.create_all::<Profile>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    s.add(profile("a", &["red", "blue"], Some(json!({"level": 3})))).await.unwrap();
    s.add(profile("b", &["red"], Some(json!({"level": 4})))).await.unwrap();
    s.add(profile("c", &[], Some(json!(5)))).await.unwrap();
    s.commit().await.unwrap();

    let names = |found: Vec<Profile>| found.into_iter().map(|p| p.name).collect::<Vec<_>>();
    let tagged = Json(vec!["red".to_owned(), "blue".to_owned()]);
    let found = s.exec(select::<Profile>().filter(Profile::tags().eq(&tagged))).await.unwrap();
    assert_eq!(names(found), ["a"]);
    let found = s.exec(select::<Profile>().filter(Profile::doc().eq(json!({"level": 4})))).await.unwrap();
    assert_eq!(names(found), ["b"]);
    let found = s.exec(select::<Profile>().filter(Profile::doc().eq(json!(5)))).await.unwrap();
    assert_eq!(names(found), ["c"]);
    let found = s
        .exec(select::<Profile>().filter(Profile::tags().ne(Json(Vec::<String>::new()))).order_by(Profile::name()))
        .await
        .unwrap();
    assert_eq!(names(found), ["a", "b"]);
}

async fn a_json_column_is_jsonb_on_postgres_and_json_elsewhere(engine: Engine) {
    engine.create_all::<Profile>().await.unwrap();
    let live = engine.reflect().await.unwrap();
    let table = live.table("profile").unwrap();
    for column in ["tags", "scores", "address", "doc"] {
        assert_eq!(table.column(column).unwrap().ty, ColumnType::Json, "{column}");
    }
    let ddl = tablemodel::ddl::create_table_sql(Profile::META, engine.dialect()).join(";\n");
    let expected = match engine.dialect() {
        Dialect::Postgres => r#""tags" JSONB NOT NULL"#,
        Dialect::Mysql => "`tags` JSON NOT NULL",
        _ => r#""tags" JSON NOT NULL"#,
    };
    assert!(ddl.contains(expected), "{ddl}");
}

on_every_backend!(
    json_values_round_trip_and_none_is_null,
    json_columns_compare_whole_values_in_filters,
    a_json_column_is_jsonb_on_postgres_and_json_elsewhere,
);
