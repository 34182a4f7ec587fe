//! Shared bases, as in every SQLModel tutorial (`class Hero(HeroBase, table=True)`): a
//! `#[model(base)]` struct inlined into a table by `#[inline_bases]` gives it columns with
//! the base's attributes, in place; hand-written schemas share it too, inlined or flattened.

use serde_json::json;
use tablemodel::prelude::*;
use tablemodel_testkit::on_every_backend;

/// The fields every hero type shares: SQLModel's `HeroBase`.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(base)]
pub(crate) struct HeroBase {
    #[field(index, min_length = 1, max_length = 100)]
    pub(crate) name: String,
    pub(crate) secret_name: String,
    #[field(index, ge = 0)]
    pub(crate) age: Option<i32>,
}

/// The table: the base's fields first, then its own.
#[inline_bases]
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "based_hero", public = "BasedHeroPublic")]
pub(crate) struct BasedHero {
    #[field(flatten)]
    pub(crate) base: HeroBase,
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
}

/// A hand-written schema with the base's fields inlined (their column attributes dropped).
#[inline_bases]
#[derive(Model, Debug, Clone, PartialEq)]
pub(crate) struct HeroSignup {
    #[field(flatten)]
    pub(crate) base: HeroBase,
    #[field(min_length = 8)]
    pub(crate) password: String,
}

/// A hand-written schema holding the base as a flattened value.
#[derive(Model, Debug, Clone, PartialEq)]
pub(crate) struct HeroWithRank {
    #[field(flatten)]
    pub(crate) hero: HeroBase,
    pub(crate) rank: i32,
}

/// A base declared in another module: its path names it.
mod shared {
    use tablemodel::prelude::*;

    /// SQLModel's `TeamBase`.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(base)]
    pub(crate) struct TeamBase {
        #[field(unique)]
        pub(crate) name: String,
        pub(crate) headquarters: String,
    }
}

/// A table whose base comes from another module, its key declared first.
#[inline_bases]
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "based_team")]
pub(crate) struct BasedTeam {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    #[field(flatten)]
    pub(crate) base: shared::TeamBase,
}

fn deadpond() -> BasedHero {
    BasedHero { name: "Deadpond".into(), secret_name: "Dive Wilson".into(), age: None, id: None }
}

async fn the_bases_fields_are_columns_with_their_attributes(engine: Engine) {
    let names: Vec<&str> = BasedHero::META.columns.iter().map(|c| c.name).collect();
    assert_eq!(names, ["name", "secret_name", "age", "id"]);
    let ddl = tablemodel::ddl::create_table_sql(BasedHero::META, engine.dialect()).join(";\n");
    assert!(ddl.contains("ix_based_hero_name") && ddl.contains("ix_based_hero_age"), "{ddl}");
    assert!(ddl.contains("VARCHAR(100)"), "max_length sizes the column: {ddl}");
    engine.create_all::<BasedHero>().await.unwrap();

    let mut s = engine.session().await.unwrap();
    let hero = s.add(deadpond()).await.unwrap();
    s.add(BasedHero { name: "Rusty-Man".into(), secret_name: "Tommy Sharp".into(), age: Some(48), id: None })
        .await
        .unwrap();
    s.commit().await.unwrap();
    let found = s.exec(select::<BasedHero>().filter(BasedHero::age().ge(18))).await.unwrap();
    assert_eq!(found.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["Rusty-Man"]);
    let again = s.get::<BasedHero>(hero.id.unwrap()).await.unwrap().unwrap();
    assert_eq!(again, hero);
    assert_eq!(again.secret_name, "Dive Wilson");

    engine.create_all::<BasedTeam>().await.unwrap();
    let team = BasedTeam { id: None, name: "Z-Force".into(), headquarters: "Sister Margaret's Bar".into() };
    s.add(team.clone()).await.unwrap();
    let twice = s.add(team).await.unwrap_err();
    assert!(matches!(&twice, Error::Database(db) if db.kind == tablemodel::DbErrorKind::UniqueViolation), "{twice}");
}

async fn the_bases_constraints_validate_the_table(engine: Engine) {
    engine.create_all::<BasedHero>().await.unwrap();
    let err = BasedHero::validate(&json!({"name": "", "secret_name": "x", "age": -1})).unwrap_err();
    let locs: Vec<String> = err.errors().iter().map(|e| format!("{}:{}", e.loc[0], e.kind)).collect();
    assert_eq!(locs, ["name:string_too_short", "age:greater_than_equal"]);
}

#[test]
fn json_keeps_the_base_first_in_declaration_order() {
    let hero = BasedHero { id: Some(1), ..deadpond() };
    let text = serde_json::to_string(&hero).unwrap();
    assert_eq!(text, r#"{"name":"Deadpond","secret_name":"Dive Wilson","age":null,"id":1}"#);
    let public = BasedHeroPublic::try_from(hero).unwrap();
    assert_eq!(serde_json::to_string(&public).unwrap(), text);

    let signup = HeroSignup::validate(&json!({"password": "12345678", "secret_name": "S", "name": "N"})).unwrap();
    assert_eq!(
        serde_json::to_string(&signup).unwrap(),
        r#"{"name":"N","secret_name":"S","age":null,"password":"12345678"}"#
    );
    let base = shared::TeamBase::validate(&json!({"headquarters": "H", "name": "T"})).unwrap();
    assert_eq!(serde_json::to_string(&base).unwrap(), r#"{"name":"T","headquarters":"H"}"#);
    let ranked = HeroWithRank::validate(&json!({"rank": 2, "name": "N", "secret_name": "S"})).unwrap();
    assert_eq!(ranked.hero.name, "N");
    assert_eq!(serde_json::to_string(&ranked).unwrap(), r#"{"name":"N","secret_name":"S","age":null,"rank":2}"#);
}

#[test]
fn the_schema_lists_the_base_fields_in_place() {
    let keys = |schema: &serde_json::Value| -> Vec<String> {
        schema["properties"].as_object().unwrap().keys().cloned().collect()
    };
    let table = BasedHero::model_json_schema();
    assert_eq!(keys(&table), ["name", "secret_name", "age", "id"]);
    assert_eq!(table["properties"]["name"]["maxLength"], 100);
    assert_eq!(table["required"], json!(["name", "secret_name"]));
    let signup = HeroSignup::model_json_schema();
    assert_eq!(keys(&signup), ["name", "secret_name", "age", "password"]);
    assert_eq!(signup["properties"]["name"]["minLength"], 1);
    assert_eq!(keys(&HeroWithRank::model_json_schema()), ["name", "secret_name", "age", "rank"]);
}

on_every_backend!(the_bases_fields_are_columns_with_their_attributes, the_bases_constraints_validate_the_table);
