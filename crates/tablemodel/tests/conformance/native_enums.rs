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

/// `Power` with labels added: one before an old label, one at the end.
#[derive(DbEnum, Debug, Clone, Copy, PartialEq)]
#[db_enum(native = "power")]
pub(crate) enum PowerPlus {
    Fire,
    Earth,
    Ice,
    #[db_enum(rename = "it's")]
    Quote,
    Wind,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "mutant")]
pub(crate) struct MutantPlus {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    pub(crate) name: String,
    pub(crate) power: PowerPlus,
    pub(crate) backup: Option<PowerPlus>,
}

fn mutant_plus(name: &str, power: PowerPlus, backup: Option<PowerPlus>) -> MutantPlus {
    MutantPlus { id: None, name: name.to_owned(), power, backup }
}

/// Migrates the database of `engine` from `from` to `to` the way a generated migration does.
async fn migrate(
    engine: &Engine,
    from: &Schema,
    to: &Schema,
    options: ApplyOptions,
) -> Result<(), migrate::MigrateError> {
    migrate::apply(engine, &migrate::diff(from, to), options).await
}

/// The labels the database holds for `mutant.power`: the type's on PostgreSQL; elsewhere
/// what its `CHECK` lets through, tried label by label in a transaction rolled back.
async fn accepted_labels(engine: &Engine, candidates: &[&str]) -> Vec<String> {
    let mut accepted = Vec::new();
    for label in candidates {
        let mut s = engine.session().await.unwrap();
        let row = MutantAsText { id: None, name: "probe".into(), power: (*label).into(), backup: None };
        if s.add(row).await.is_ok() {
            accepted.push((*label).to_owned());
        }
        s.rollback().await.unwrap();
    }
    accepted
}

const EVERY_LABEL: [&str; 5] = ["Fire", "Earth", "Ice", "it's", "Wind"];

/// Alembic leaves enum label changes to hand-written SQL; here the generated migration
/// makes them: `ALTER TYPE … ADD VALUE` on PostgreSQL (not destructive: no row changes),
/// the column's `CHECK` rewritten elsewhere. Rows stored before keep their values.
async fn labels_added_to_an_enum_migrate(engine: Engine) {
    let (v1, v2) = (Schema::from_tables(&[Mutant::META]), Schema::from_tables(&[MutantPlus::META]));
    migrate(&engine, &Schema::new(), &v1, ApplyOptions::new()).await.unwrap();
    let mut s = engine.session().await.unwrap();
    let pyro = s.add(mutant("Pyro", Power::Fire, Some(Power::Quote))).await.unwrap();
    s.commit().await.unwrap();
    drop(s);
    assert_eq!(accepted_labels(&engine, &EVERY_LABEL).await, ["Fire", "Ice", "it's"]);

    let ops = migrate::diff(&v1, &v2);
    assert!(!ops.is_empty() && ops.iter().all(|op| !op.is_destructive()), "{ops:?}");
    migrate(&engine, &v1, &v2, ApplyOptions::new()).await.unwrap();
    assert_eq!(accepted_labels(&engine, &EVERY_LABEL).await, EVERY_LABEL);

    let mut s = engine.session().await.unwrap();
    let terra = s.add(mutant_plus("Terra", PowerPlus::Earth, Some(PowerPlus::Wind))).await.unwrap();
    s.commit().await.unwrap();
    let mut s = engine.session().await.unwrap();
    assert_eq!(s.get::<MutantPlus>(terra.id.unwrap()).await.unwrap().unwrap(), terra);
    let pyro = s.get::<MutantPlus>(pyro.id.unwrap()).await.unwrap().unwrap();
    assert_eq!((pyro.power, pyro.backup), (PowerPlus::Fire, Some(PowerPlus::Quote)));

    let live = engine.reflect().await.unwrap();
    assert!(migrate::diff(&live, &v2.for_dialect(engine.dialect())).is_empty());
    if engine.dialect() == Dialect::Postgres {
        // In the model's order, the new labels placed among the old ones.
        let ty = &live.table("mutant").unwrap().column("power").unwrap().ty;
        let labels: Vec<String> = EVERY_LABEL.iter().map(|l| (*l).to_owned()).collect();
        assert_eq!(ty, &ColumnType::Enum { name: "power".into(), labels });
    }
}

/// Removing labels destroys the values that use them: the migration is destructive, fails
/// while a row still holds a removed label, and goes through once none does. Removing and adding labels in turn leaves no type
/// behind on PostgreSQL (the next removal would find the name of the old one taken).
async fn labels_removed_from_an_enum_migrate_once_no_row_holds_them(engine: Engine) {
    let (v1, v2, v3) = (
        Schema::from_tables(&[Mutant::META]),
        Schema::from_tables(&[MutantPlus::META]),
        Schema::from_tables(&[MutantWithEarth::META]),
    );
    migrate(&engine, &Schema::new(), &v2, ApplyOptions::new()).await.unwrap();
    let mut s = engine.session().await.unwrap();
    let [mut pyro, terra]: [MutantPlus; 2] = s
        .add_all([
            mutant_plus("Pyro", PowerPlus::Fire, Some(PowerPlus::Ice)),
            mutant_plus("Terra", PowerPlus::Earth, None),
        ])
        .await
        .unwrap()
        .try_into()
        .unwrap();
    s.commit().await.unwrap();
    drop(s);

    assert!(migrate::diff(&v2, &v3).iter().any(|op| op.is_destructive()));
    let refused = migrate(&engine, &v2, &v3, ApplyOptions::new()).await.unwrap_err();
    assert!(matches!(refused, migrate::MigrateError::Destructive { .. }), "{refused}");
    let failed = migrate(&engine, &v2, &v3, ApplyOptions::new().allow_destructive(true)).await.unwrap_err();
    assert!(matches!(failed, migrate::MigrateError::Database(_)), "{failed}");
    // `power` (no row holds a removed label there) comes before `backup` (Pyro's is `Ice`):
    // rolled back where DDL is transactional; MySQL keeps the column changed before the
    // failure, and running the migration again finishes it.
    let power_now: &[&str] = if engine.capabilities().transactional_ddl { &EVERY_LABEL } else { &["Fire", "Earth"] };
    assert_eq!(accepted_labels(&engine, &EVERY_LABEL).await, power_now);

    let mut s = engine.session().await.unwrap();
    pyro.backup = None;
    s.save(&mut pyro).await.unwrap();
    s.commit().await.unwrap();
    drop(s);
    migrate(&engine, &v2, &v3, ApplyOptions::new().allow_destructive(true)).await.unwrap();
    assert_eq!(accepted_labels(&engine, &EVERY_LABEL).await, ["Fire", "Earth"]);
    let mut s = engine.session().await.unwrap();
    let found = s.exec(select::<MutantWithEarth>().order_by(MutantWithEarth::id())).await.unwrap();
    let found: Vec<_> = found.into_iter().map(|m| (m.name, m.power, m.backup)).collect();
    assert_eq!(
        found,
        [("Pyro".to_owned(), PowerWithEarth::Fire, None), (terra.name.clone(), PowerWithEarth::Earth, None)]
    );
    drop(s);
    assert!(migrate::diff(&engine.reflect().await.unwrap(), &v3.for_dialect(engine.dialect())).is_empty());

    // Back to the first labels: some added, then some removed again.
    migrate(&engine, &v3, &v2, ApplyOptions::new()).await.unwrap();
    let mut s = engine.session().await.unwrap();
    s.exec(delete::<MutantPlus>().filter(MutantPlus::power().eq(PowerPlus::Earth))).await.unwrap();
    s.commit().await.unwrap();
    drop(s);
    migrate(&engine, &v2, &v1, ApplyOptions::new().allow_destructive(true)).await.unwrap();
    assert_eq!(accepted_labels(&engine, &EVERY_LABEL).await, ["Fire", "Ice", "it's"]);
    assert!(migrate::diff(&engine.reflect().await.unwrap(), &v1.for_dialect(engine.dialect())).is_empty());
}

on_every_backend!(
    labels_added_to_an_enum_migrate,
    labels_removed_from_an_enum_migrate_once_no_row_holds_them,
    drop_all_drops_the_enum_types_it_created,
    native_enum_values_round_trip_and_filter,
    the_database_refuses_a_label_the_enum_does_not_have,
    the_enum_type_reflects_and_migrates,
);
