//! Two models linked into one program that name the same table: the registry refuses to
//! make a schema of them, naming the table and both Rust types.

use tablemodel::registry::{self, RegistryError};

mod first {
    use tablemodel::prelude::*;

    #[derive(Model)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
    }
}

mod second {
    use tablemodel::prelude::*;

    #[derive(Model)]
    #[model(table, table_name = "hero")]
    pub(crate) struct Champion {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        pub(crate) name: String,
    }
}

#[test]
fn two_models_of_one_table_are_an_error_naming_both() {
    let expected = RegistryError::DuplicateTable {
        table: "hero".into(),
        first: "registry_duplicate::first::Hero".into(),
        second: "registry_duplicate::second::Champion".into(),
    };
    assert_eq!(registry::schema(), Err(expected.clone()));
    assert_eq!(registry::tables().unwrap_err(), expected);
    assert_eq!(
        expected.to_string(),
        "two models are table `hero`: `registry_duplicate::first::Hero` and \
         `registry_duplicate::second::Champion`; give one a `table_name`"
    );
    assert_eq!(registry::registered().len(), 2, "both are still listed");
}
