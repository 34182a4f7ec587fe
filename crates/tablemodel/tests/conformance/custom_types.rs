//! A user's own column type (`Cents`, stored as a BIGINT through `SqlConvert`): it is
//! written, read back, and compared in filters like the built-in types.

use serde_json::Value;
use tablemodel::prelude::*;
use tablemodel::validate::{FromJson, Validator};
use tablemodel::{SqlConvert, sql_type_via_convert};
use tablemodel_testkit::on_every_backend;

/// An amount of money in cents.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, serde::Serialize)]
#[serde(transparent)]
pub(crate) struct Cents(i64);

impl SqlConvert for Cents {
    type Repr = i64;
    fn to_repr(&self) -> i64 {
        self.0
    }
    fn from_repr(repr: i64) -> Result<Self, String> {
        Ok(Cents(repr))
    }
}
sql_type_via_convert!(Cents);

impl FromJson for Cents {
    fn from_json(value: &Value, v: &mut Validator) -> Option<Self> {
        i64::from_json(value, v).map(Cents)
    }
    fn field_schema(generator: &mut tablemodel::__private::schemars::SchemaGenerator) -> Value {
        i64::field_schema(generator)
    }
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
pub(crate) struct Invoice {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    pub(crate) total: Cents,
    pub(crate) discount: Option<Cents>,
}

async fn a_custom_type_is_stored_and_filtered(engine: Engine) {
    engine.create_all::<Invoice>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    for (total, discount) in [(1_000, None), (2_500, Some(Cents(100))), (9_900, None)] {
        s.add(Invoice { id: None, total: Cents(total), discount }).await.unwrap();
    }
    s.commit().await.unwrap();
    let big =
        s.exec(select::<Invoice>().filter(Invoice::total().ge(Cents(2_500))).order_by(Invoice::id())).await.unwrap();
    assert_eq!(big.iter().map(|i| i.total).collect::<Vec<_>>(), [Cents(2_500), Cents(9_900)]);
    let discounted = s.exec(select::<Invoice>().filter(Invoice::discount().eq(Cents(100)))).await.unwrap();
    assert_eq!(discounted.len(), 1);
    let some = s.exec(select::<Invoice>().filter(Invoice::total().in_([Cents(1_000), Cents(9_900)]))).await.unwrap();
    assert_eq!(some.len(), 2);
}

on_every_backend!(a_custom_type_is_stored_and_filtered);
