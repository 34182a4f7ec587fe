//! `#[db_enum(native)]`, SQLAlchemy's `Enum`: a PostgreSQL `CREATE TYPE … AS ENUM` made by
//! `create_all` and by migrations, a `VARCHAR` with a `CHECK` on the labels elsewhere; the
//! database refuses any other label, values round-trip and compare in filters.

use tablemodel::DbErrorKind;
use tablemodel::migrate::{self, ApplyOptions};
use tablemodel::prelude::*;
use tablemodel::schema::{ColumnType, Schema};
use tablemodel_testkit::on_every_backend;

#[derive(DbEnum, Debug, Clone, Copy, PartialEq)]
#[db_enum(native)]
pub(crate) enum Power {
    Fire,
    Ice,
    // A label that needs quoting in DDL.
    #[db_enum(rename = "it's")]
    Quote,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table)]
pub(crate) struct Mutant {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    pub(crate) name: String,
    pub(crate) power: Power,
    pub(crate) backup: Option<Power>,
}

/// The same table seen as plain text, to write a label the enum does not have.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "mutant")]
pub(crate) struct MutantAsText {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    pub(crate) name: String,
    pub(crate) power: String,
    pub(crate) backup: Option<String>,
}

fn mutant(name: &str, power: Power, backup: Option<Power>) -> Mutant {
    Mutant { id: None, name: name.to_owned(), power, backup }
}

async fn native_enum_values_round_trip_and_filter(engine: Engine) {
    engine.create_all::<Mutant>().await.unwrap();
    // Idempotent, the type included.
    engine.create_all::<Mutant>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let stored = s
        .add_all([
            mutant("Pyro", Power::Fire, None),
            mutant("Iceman", Power::Ice, Some(Power::Quote)),
            mutant("Storm", Power::Ice, Some(Power::Fire)),
        ])
        .await
        .unwrap();
    s.commit().await.unwrap();
    let mut s = engine.session().await.unwrap();
    for m in &stored {
        assert_eq!(&s.get::<Mutant>(m.id.unwrap()).await.unwrap().unwrap(), m);
    }
    let names = |found: Vec<Mutant>| found.into_iter().map(|m| m.name).collect::<Vec<_>>();
    let ice = s.exec(select::<Mutant>().filter(Mutant::power().eq(Power::Ice)).order_by(Mutant::id())).await.unwrap();
    assert_eq!(names(ice), ["Iceman", "Storm"]);
    let quoted = s.exec(select::<Mutant>().filter(Mutant::backup().eq(Power::Quote))).await.unwrap();
    assert_eq!(names(quoted), ["Iceman"]);
    let none = s.exec(select::<Mutant>().filter(Mutant::backup().is_null())).await.unwrap();
    assert_eq!(names(none), ["Pyro"]);
    let mut storm = s.get::<Mutant>(stored[2].id.unwrap()).await.unwrap().unwrap();
    storm.power = Power::Quote;
    s.save(&mut storm).await.unwrap();
    s.commit().await.unwrap();
    let mut s = engine.session().await.unwrap();
    assert_eq!(s.get::<Mutant>(stored[2].id.unwrap()).await.unwrap().unwrap().power, Power::Quote);
}

async fn the_database_refuses_a_label_the_enum_does_not_have(engine: Engine) {
    engine.create_all::<Mutant>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let row = MutantAsText { id: None, name: "Wind".into(), power: "wind".into(), backup: None };
    let err = s.add(row).await.unwrap_err();
    let expected = match engine.dialect() {
        // invalid_text_representation (22P02): not a label of the type.
        Dialect::Postgres => DbErrorKind::InvalidValue,
        _ => DbErrorKind::CheckViolation,
    };
    assert_eq!(err.db_kind(), Some(expected), "{err}");
}

async fn the_enum_type_reflects_and_migrates(engine: Engine) {
    let target = Schema::from_tables(&[Mutant::META]);
    let ops = migrate::diff(&Schema::new(), &target);
    migrate::apply(&engine, &ops, ApplyOptions::new()).await.unwrap();
    let live = engine.reflect().await.unwrap();
    assert_eq!(live, target.for_dialect(engine.dialect()));
    let power = live.table("mutant").unwrap().column("power").unwrap().ty.clone();
    let expected = match engine.dialect() {
        Dialect::Postgres => {
            ColumnType::Enum { name: "power".into(), labels: vec!["Fire".into(), "Ice".into(), "it's".into()] }
        }
        _ => ColumnType::Varchar(Some(4)),
    };
    assert_eq!(power, expected);
    assert!(migrate::diff(&live, &target.for_dialect(engine.dialect())).is_empty());
    let mut s = engine.session().await.unwrap();
    s.add(mutant("Pyro", Power::Fire, Some(Power::Quote))).await.unwrap();
    s.commit().await.unwrap();
}

/// The next version of `Power`: the same database type, one label more.
#[derive(DbEnum, Debug, Clone, Copy, PartialEq)]
#[db_enum(native = "power")]
pub(crate) enum PowerWithEarth {
    Fire,
    Earth,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "mutant")]
pub(crate) struct MutantWithEarth {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    pub(crate) name: String,
    pub(crate) power: PowerWithEarth,
    pub(crate) backup: Option<PowerWithEarth>,
}

/// `drop_all` drops the enum types `create_all` made, so the next `create_all` makes the
/// type with the labels the model has now (a type left behind would keep the old labels
/// and refuse `Earth`).
async fn drop_all_drops_the_enum_types_it_created(engine: Engine) {
    engine.create_all::<Mutant>().await.unwrap();
    engine.drop_all::<Mutant>().await.unwrap();
    engine.create_all::<MutantWithEarth>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let earth = MutantWithEarth {
        id: None,
        name: "Terra".into(),
        power: PowerWithEarth::Earth,
        backup: Some(PowerWithEarth::Fire),
    };
    let stored = s.add(earth).await.unwrap();
    s.commit().await.unwrap();
    let mut s = engine.session().await.unwrap();
    assert_eq!(s.get::<MutantWithEarth>(stored.id.unwrap()).await.unwrap().unwrap(), stored);
    // Dropped twice (nothing left the second time) and made again: no error.
    engine.drop_all::<MutantWithEarth>().await.unwrap();
    engine.drop_all::<MutantWithEarth>().await.unwrap();
    engine.create_all::<Mutant>().await.unwrap();
}

on_every_backend!(
    drop_all_drops_the_enum_types_it_created,
    native_enum_values_round_trip_and_filter,
    the_database_refuses_a_label_the_enum_does_not_have,
    the_enum_type_reflects_and_migrates,
);
