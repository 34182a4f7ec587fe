//! Every supported field type round-trips through each backend.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use tablemodel::prelude::*;
use uuid::Uuid;

use tablemodel_testkit::on_every_backend;

#[derive(DbEnum, Debug, Clone, Copy, PartialEq)]
pub(crate) enum Power {
    Flight,
    Strength,
    #[db_enum(rename = "x-ray")]
    XRay,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
pub(crate) struct Everything {
    #[field(primary_key)]
    pub(crate) id: Uuid,
    pub(crate) flag: bool,
    pub(crate) small: i16,
    pub(crate) int: i32,
    pub(crate) big: i64,
    pub(crate) float: f32,
    pub(crate) double: f64,
    pub(crate) text: String,
    pub(crate) bytes: Vec<u8>,
    pub(crate) date: NaiveDate,
    pub(crate) time: NaiveTime,
    pub(crate) naive: NaiveDateTime,
    pub(crate) utc: DateTime<Utc>,
    #[field(max_digits = 10, decimal_places = 2)]
    pub(crate) price: Decimal,
    pub(crate) json: serde_json::Value,
    pub(crate) power: Power,
    pub(crate) maybe: Option<Power>,
    pub(crate) nothing: Option<String>,
    #[field(skip)]
    pub(crate) cache: Vec<u32>,
}

fn sample() -> Everything {
    Everything {
        id: Uuid::new_v4(),
        flag: true,
        small: -12,
        int: i32::MAX,
        big: i64::MIN,
        float: 1.5,
        double: 3.25,
        text: "O'Reilly \"quoted\"".into(),
        bytes: vec![0, 1, 2, 255],
        date: NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
        time: NaiveTime::from_hms_micro_opt(23, 59, 58, 123_456).unwrap(),
        naive: NaiveDate::from_ymd_opt(1999, 12, 31).unwrap().and_hms_micro_opt(12, 0, 1, 5).unwrap(),
        utc: DateTime::from_timestamp(1_700_000_000, 250_000_000).unwrap(),
        price: Decimal::new(123_456, 2),
        json: serde_json::json!({"a": [1, 2, {"b": null}], "s": "x"}),
        power: Power::XRay,
        maybe: None,
        nothing: None,
        cache: vec![1, 2, 3],
    }
}

async fn every_type_round_trips(engine: Engine) {
    engine.create_all::<Everything>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let original = sample();
    let stored = s.add(original.clone()).await.unwrap();
    s.commit().await.unwrap();
    let expected = Everything { cache: Vec::new(), ..original.clone() };
    assert_eq!(stored, expected, "RETURNING gives back what was sent (skip fields reset)");
    let loaded = s.get::<Everything>(original.id).await.unwrap().unwrap();
    assert_eq!(loaded, expected);

    let by_enum = s.exec(select::<Everything>().filter(Everything::power().eq(Power::XRay))).await.unwrap();
    assert_eq!(by_enum.len(), 1);
    let by_date = s
        .exec(select::<Everything>().filter(Everything::date().lt(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap())))
        .await
        .unwrap();
    assert_eq!(by_date.len(), 1);
    let mut changed = loaded;
    changed.maybe = Some(Power::Flight);
    changed.nothing = Some("now set".into());
    s.save(&mut changed).await.unwrap();
    s.commit().await.unwrap();
    let again = s.get::<Everything>(original.id).await.unwrap().unwrap();
    assert_eq!((again.maybe, again.nothing.as_deref()), (Some(Power::Flight), Some("now set")));
}

on_every_backend!(every_type_round_trips);
