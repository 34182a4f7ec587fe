//! The registry finds every table model linked into the test binary, none of which this
//! file names outside its own module: the schema is what `create_all` of them builds.

use tablemodel::registry::{self, RegistryError};
use tablemodel::schema::Schema;

/// The models, never imported by the tests below.
mod models {
    use tablemodel::prelude::*;

    #[derive(Model, Debug)]
    #[model(table)]
    pub(crate) struct Team {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        pub(crate) name: String,
    }

    #[derive(Model, Debug)]
    #[model(table, table_name = "heroes")]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        #[field(index)]
        pub(crate) name: String,
        #[field(foreign_key = "team.id", ondelete = "CASCADE")]
        pub(crate) team_id: Option<i64>,
    }

    /// A schema model: not a table, so it does not register.
    #[derive(Model, Debug)]
    #[allow(dead_code)] // only its derive matters
    pub(crate) struct HeroCreate {
        pub(crate) name: String,
    }

    pub(crate) mod nested {
        use tablemodel::prelude::*;

        #[derive(Model, Debug)]
        #[model(table)]
        pub(crate) struct Audit {
            #[field(primary_key)]
            pub(crate) id: Option<i64>,
            pub(crate) note: Option<String>,
        }
    }
}

#[test]
fn every_table_model_registers_once_in_name_order_and_schema_models_do_not() {
    let names: Vec<&str> = registry::tables().unwrap().iter().map(|t| t.name).collect();
    assert_eq!(names, ["audit", "heroes", "team"]);
    let paths: Vec<&str> = registry::registered().iter().map(|r| r.type_path()).collect();
    assert_eq!(paths, ["registry::models::nested::Audit", "registry::models::Hero", "registry::models::Team"]);
}

#[test]
fn the_schema_is_what_the_models_describe() {
    use tablemodel::Model;
    let expected = Schema::from_tables(&[models::Team::META, models::Hero::META, models::nested::Audit::META]);
    assert_eq!(registry::schema(), Ok::<_, RegistryError>(expected));
}

#[tokio::test]
async fn create_all_from_the_registry_builds_the_registered_schema() {
    let engine = tablemodel::Engine::connect("sqlite::memory:").await.unwrap();
    let schema = registry::schema().unwrap();
    engine.create_tables(&registry::tables().unwrap()).await.unwrap();
    assert_eq!(engine.reflect().await.unwrap(), schema.for_dialect(engine.dialect()));
}
