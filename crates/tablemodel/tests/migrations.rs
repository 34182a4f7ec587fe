//! Migrations over a model history of nine steps, on every backend: each step's models
//! are their own structs; the migration between two steps is `migrate::diff` of their
//! schemas, renames declared on the models (`renamed_from`). After each upgrade the
//! reflected database equals what `create_all` of that step's models builds in a fresh
//! database, and every row inserted before is still there with its values (SQLite
//! rebuilds the tables it cannot alter, the referenced `team` included); then the history
//! is undone step by step with the inverse operations, checked the same way.
//!
//! Columns compare by name, not position: `ADD COLUMN` appends, and no dialect moves a
//! column without rewriting the table, so a column added in the middle of a model sits
//! last in a migrated database (`hero.age` here).

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};
use tablemodel::migrate::{self, ApplyOptions, MigrateError, Operation, Renames};
use tablemodel::prelude::*;
use tablemodel::schema::Schema;
use tablemodel_testkit::on_every_backend;

use renamed_table::a_renamed_table_keeps_its_rows_keys_and_references;

/// Every row of `team` and `hero`, by table and key, as their models serialize them.
type Rows = BTreeMap<(&'static str, i64), serde_json::Map<String, Json>>;

fn rows_of<M: serde::Serialize>(table: &'static str, models: Vec<M>, rows: &mut Rows) {
    for model in models {
        let Json::Object(row) = serde_json::to_value(model).unwrap() else { panic!("a model serializes as an object") };
        rows.insert((table, row["id"].as_i64().unwrap()), row);
    }
}

/// The pieces each step module defines around its `Team` and `Hero`.
macro_rules! step {
    () => {
        pub(crate) fn schema() -> Schema {
            Schema::from_tables(&[Team::META, Hero::META])
        }

        pub(crate) async fn rows(engine: &Engine) -> Rows {
            let mut s = engine.session().await.unwrap();
            let mut rows = Rows::new();
            rows_of("team", s.all(select::<Team>()).await.unwrap(), &mut rows);
            rows_of("hero", s.all(select::<Hero>()).await.unwrap(), &mut rows);
            rows
        }
    };
}

/// `Team` with a motto, until step 8 drops it.
mod team_with_motto {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Team {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        #[field(max_length = 20)]
        pub(crate) name: String,
        pub(crate) motto: Option<String>,
    }
}

/// Step 1: `team` and `hero`, created from nothing.
mod v1 {
    pub(crate) use super::team_with_motto::Team;
    use super::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        pub(crate) name: String,
        #[field(max_length = 20)]
        pub(crate) secret_name: String,
        pub(crate) team_id: Option<i64>,
    }
    step!();
}

/// Step 2: `hero.age` added.
mod v2 {
    pub(crate) use super::team_with_motto::Team;
    use super::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        pub(crate) name: String,
        #[field(max_length = 20)]
        pub(crate) secret_name: String,
        pub(crate) age: Option<i32>,
        pub(crate) team_id: Option<i64>,
    }
    step!();
}

/// Step 3: an index on `hero.name`.
mod v3 {
    pub(crate) use super::team_with_motto::Team;
    use super::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        #[field(index)]
        pub(crate) name: String,
        #[field(max_length = 20)]
        pub(crate) secret_name: String,
        pub(crate) age: Option<i32>,
        pub(crate) team_id: Option<i64>,
    }
    step!();
}

/// Step 4: `hero.secret_name` renamed `alias`.
mod v4 {
    pub(crate) use super::team_with_motto::Team;
    use super::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        #[field(index)]
        pub(crate) name: String,
        #[field(max_length = 20, renamed_from = "secret_name")]
        pub(crate) alias: String,
        pub(crate) age: Option<i32>,
        pub(crate) team_id: Option<i64>,
    }
    step!();
}

/// Step 5: types widened with data present: `alias` to 100 characters, `age` to 64 bits.
mod v5 {
    pub(crate) use super::team_with_motto::Team;
    use super::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        #[field(index)]
        pub(crate) name: String,
        #[field(max_length = 100)]
        pub(crate) alias: String,
        pub(crate) age: Option<i64>,
        pub(crate) team_id: Option<i64>,
    }
    step!();
}

/// Step 6: `age` becomes NOT NULL with a server default.
mod v6 {
    pub(crate) use super::team_with_motto::Team;
    use super::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        #[field(index)]
        pub(crate) name: String,
        #[field(max_length = 100)]
        pub(crate) alias: String,
        #[field(server_default = "0")]
        pub(crate) age: i64,
        pub(crate) team_id: Option<i64>,
    }
    step!();
}

/// Step 7: `hero.team_id` becomes a foreign key, `ON DELETE SET NULL`.
mod v7 {
    pub(crate) use super::team_with_motto::Team;
    use super::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        #[field(index)]
        pub(crate) name: String,
        #[field(max_length = 100)]
        pub(crate) alias: String,
        #[field(server_default = "0")]
        pub(crate) age: i64,
        #[field(foreign_key = "team.id", ondelete = "SET NULL")]
        pub(crate) team_id: Option<i64>,
    }
    step!();
}

/// Step 8: `team.motto` dropped.
mod v8 {
    pub(crate) use super::v7::Hero;
    use super::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Team {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        #[field(max_length = 20)]
        pub(crate) name: String,
    }
    step!();
}

/// Step 9: `team.name` widened to 100 characters while `hero.team_id` references `team`
/// (SQLite rebuilds the referenced table).
mod v9 {
    pub(crate) use super::v7::Hero;
    use super::*;

    #[derive(Model, Debug, Clone)]
    #[model(table)]
    pub(crate) struct Team {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        #[field(max_length = 100)]
        pub(crate) name: String,
    }
    step!();
}

/// The number of steps.
const STEPS: usize = 9;

/// The schema of each step (index 0: no tables).
fn schemas() -> [Schema; STEPS + 1] {
    [
        Schema::new(),
        v1::schema(),
        v2::schema(),
        v3::schema(),
        v4::schema(),
        v5::schema(),
        v6::schema(),
        v7::schema(),
        v8::schema(),
        v9::schema(),
    ]
}

/// The rows as step `step`'s models read them.
async fn rows_at(engine: &Engine, step: usize) -> Rows {
    match step {
        0 => Rows::new(),
        1 => v1::rows(engine).await,
        2 => v2::rows(engine).await,
        3 => v3::rows(engine).await,
        4 => v4::rows(engine).await,
        5 => v5::rows(engine).await,
        6 => v6::rows(engine).await,
        7 => v7::rows(engine).await,
        8 => v8::rows(engine).await,
        _ => v9::rows(engine).await,
    }
}

/// Adds one hero through step `step`'s model (and at step 1 two teams), so every later
/// step has rows written at each earlier one.
async fn insert_at(engine: &Engine, step: usize) {
    let mut s = engine.session().await.unwrap();
    let name = format!("Hero {step}");
    let team_id = Some(1 + (step as i64 % 2));
    match step {
        1 => {
            for (name, motto) in [("Preventers", Some("Prevent")), ("Z-Force", None)] {
                s.add(v1::Team { id: None, name: name.into(), motto: motto.map(Into::into) }).await.unwrap();
            }
            let hero = v1::Hero { id: None, name, secret_name: "Dive Wilson".into(), team_id };
            s.add(hero).await.unwrap();
        }
        2 => {
            s.add(v2::Hero { id: None, name, secret_name: "Tommy".into(), team_id, age: None }).await.unwrap();
        }
        3 => {
            s.add(v3::Hero { id: None, name, secret_name: "Pedro".into(), team_id: None, age: Some(48) })
                .await
                .unwrap();
        }
        4 => {
            s.add(v4::Hero { id: None, name, alias: "Natalia".into(), team_id, age: None }).await.unwrap();
        }
        5 => {
            let alias = "a longer alias than twenty characters".to_owned();
            s.add(v5::Hero { id: None, name, alias, team_id, age: Some(5_000_000_000) }).await.unwrap();
        }
        6 => {
            s.add(v6::Hero { id: None, name, alias: "Steve".into(), team_id, age: 35 }).await.unwrap();
        }
        7 => {
            s.add(v7::Hero { id: None, name, alias: "Esteban".into(), team_id, age: 93 }).await.unwrap();
        }
        8 => {
            s.add(v8::Team { id: None, name: "Avengers".into() }).await.unwrap();
        }
        _ => {
            s.add(v9::Team { id: None, name: "A team whose name is longer than twenty".into() }).await.unwrap();
        }
    }
    s.commit().await.unwrap();
}

/// `rows` as they read after moving from step `from` to the next step up or down.
fn expected(mut rows: Rows, from: usize, to: usize) -> Rows {
    for ((table, _), row) in rows.iter_mut() {
        let hero = *table == "hero";
        match (from, to) {
            (1, 2) if hero => {
                row.insert("age".into(), Json::Null);
            }
            (2, 1) if hero => {
                row.remove("age");
            }
            (3, 4) | (4, 3) if hero => {
                let (old, new) = if from == 3 { ("secret_name", "alias") } else { ("alias", "secret_name") };
                let value = row.remove(old).unwrap();
                row.insert(new.into(), value);
            }
            // The rows the column took NULL in get its server default.
            (5, 6) if hero && row["age"].is_null() => {
                row.insert("age".into(), json!(0));
            }
            (7, 8) if !hero => {
                row.remove("motto");
            }
            // The dropped column comes back empty.
            (8, 7) if !hero => {
                row.insert("motto".into(), Json::Null);
            }
            _ => {}
        }
    }
    if to == 0 {
        rows.clear();
    }
    rows
}

/// The migration from step `from` to step `to = from + 1`: the renames come from the
/// models' `renamed_from`.
fn migration(schemas: &[Schema; STEPS + 1], from: usize) -> Vec<Operation> {
    migrate::diff(&schemas[from], &schemas[from + 1])
}

/// What `create_all` of step `step`'s models builds in a fresh database of the engine's
/// kind, reflected.
async fn created_at(engine: &Engine, step: usize) -> Schema {
    let url = match engine.dialect() {
        Dialect::Sqlite => tablemodel_testkit::sqlite_url(),
        _ => tablemodel_testkit::postgres_url(),
    };
    let fresh = Engine::connect(&url).await.unwrap();
    match step {
        0 => {}
        1 => fresh.create_all::<(v1::Team, v1::Hero)>().await.unwrap(),
        2 => fresh.create_all::<(v2::Team, v2::Hero)>().await.unwrap(),
        3 => fresh.create_all::<(v3::Team, v3::Hero)>().await.unwrap(),
        4 => fresh.create_all::<(v4::Team, v4::Hero)>().await.unwrap(),
        5 => fresh.create_all::<(v5::Team, v5::Hero)>().await.unwrap(),
        6 => fresh.create_all::<(v6::Team, v6::Hero)>().await.unwrap(),
        7 => fresh.create_all::<(v7::Team, v7::Hero)>().await.unwrap(),
        8 => fresh.create_all::<(v8::Team, v8::Hero)>().await.unwrap(),
        _ => fresh.create_all::<(v9::Team, v9::Hero)>().await.unwrap(),
    }
    let schema = fresh.reflect().await.unwrap();
    fresh.close();
    schema
}

async fn assert_at(engine: &Engine, schemas: &[Schema; STEPS + 1], step: usize, rows: &Rows) {
    let live = engine.reflect().await.unwrap().ignoring_column_order();
    let created = created_at(engine, step).await.ignoring_column_order();
    assert_eq!(live, created, "the schema after reaching step {step}, and create_all's");
    assert_eq!(live, schemas[step].for_dialect(engine.dialect()).ignoring_column_order(), "step {step}'s models");
    assert_eq!(&rows_at(engine, step).await, rows, "the rows after reaching step {step}");
}

async fn nine_steps_up_and_down_keep_schema_and_rows(engine: Engine) {
    let schemas = schemas();
    let allow = ApplyOptions::new().allow_destructive(true);
    let mut rows = Rows::new();
    for step in 0..STEPS {
        let ops = migration(&schemas, step);
        assert!(!ops.is_empty(), "step {} changes something", step + 1);
        if step + 1 == 4 {
            assert!(
                matches!(&ops[0], Operation::RenameColumn { from, to, .. } if from == "secret_name" && to == "alias"),
                "the declared rename is a rename: {ops:#?}"
            );
        }
        let destructive = ops.iter().any(Operation::is_destructive);
        assert_eq!(destructive, step + 1 == 8, "only dropping `motto` destroys data (step {})", step + 1);
        if destructive {
            let refused = migrate::apply(&engine, &ops, ApplyOptions::new()).await;
            assert!(
                matches!(refused, Err(MigrateError::Destructive { ref table, .. }) if table == "team"),
                "{refused:?}"
            );
            assert_at(&engine, &schemas, step, &rows).await;
        }
        migrate::apply(&engine, &ops, allow).await.unwrap_or_else(|e| panic!("step {}: {e}", step + 1));
        rows = expected(rows, step, step + 1);
        assert_at(&engine, &schemas, step + 1, &rows).await;
        insert_at(&engine, step + 1).await;
        rows = rows_at(&engine, step + 1).await;
    }
    assert_eq!(rows.keys().filter(|(t, _)| *t == "hero").count(), 7, "one hero written at steps 1 to 7");
    assert_eq!(rows.keys().filter(|(t, _)| *t == "team").count(), 4, "two teams at step 1, one at 8 and 9");
    assert_eq!(rows[&("hero", 2)]["age"], json!(0), "the NULL age took the server default");
    assert_eq!(rows[&("hero", 5)]["age"], json!(5_000_000_000_i64), "the widened column holds 64 bits");
    // The rebuilt table's foreign key is enforced, and enforcement is back on.
    let mut s = engine.session().await.unwrap();
    let orphan = v9::Hero { id: None, name: "Orphan".into(), alias: "x".into(), team_id: Some(99), age: 1 };
    let refused = s.add(orphan).await.unwrap_err();
    assert_eq!(refused.db_kind(), Some(tablemodel::DbErrorKind::ForeignKeyViolation), "{refused}");
    s.rollback().await.unwrap();
    // ON DELETE SET NULL still acts, on the rebuilt `team`.
    let avengers = v9::Team { id: Some(3), name: "Avengers".into() };
    let thor = v9::Hero { id: None, name: "Thor".into(), alias: "Odinson".into(), team_id: Some(3), age: 1500 };
    let thor_id = s.add(thor).await.unwrap().id.unwrap();
    s.commit().await.unwrap();
    s.delete(&avengers).await.unwrap();
    s.commit().await.unwrap();
    let thor = s.get::<v9::Hero>(thor_id).await.unwrap().unwrap();
    assert_eq!(thor.team_id, None, "the key was set NULL when its team went");
    s.delete(&thor).await.unwrap();
    s.commit().await.unwrap();
    drop(s);
    rows.remove(&("team", 3));

    for step in (1..=STEPS).rev() {
        let ops = migration(&schemas, step - 1);
        let loses_data = ops.iter().any(|op| matches!(op.inverse(), migrate::Inverse::WithoutData(_)));
        if loses_data {
            assert!(matches!(migrate::invert(&ops, false), Err(MigrateError::Irreversible { .. })), "step {step}");
        }
        if step == 9 {
            // Written under step 9, the team's name does not fit the 20 characters of step 8.
            let mut s = engine.session().await.unwrap();
            let team = s.get::<v9::Team>(4).await.unwrap().unwrap();
            s.delete(&team).await.unwrap();
            s.commit().await.unwrap();
            rows.remove(&("team", 4));
        }
        if step == 5 {
            // Written under step 5, the hero's age does not fit the 32 bits step 4 has.
            let mut s = engine.session().await.unwrap();
            let hero = s.get::<v5::Hero>(5).await.unwrap().unwrap();
            s.delete(&hero).await.unwrap();
            s.commit().await.unwrap();
            rows.remove(&("hero", 5));
        }
        let undo = migrate::invert(&ops, true).unwrap();
        migrate::apply(&engine, &undo, allow).await.unwrap_or_else(|e| panic!("undoing step {step}: {e}"));
        rows = expected(rows, step, step - 1);
        assert_at(&engine, &schemas, step - 1, &rows).await;
    }
}

async fn a_foreign_key_the_rows_break_is_refused_and_nothing_changes(engine: Engine) {
    let schemas = schemas();
    migrate::apply(&engine, &migration(&schemas, 0), ApplyOptions::new()).await.unwrap();
    let mut s = engine.session().await.unwrap();
    s.add(v1::Hero { id: None, name: "Orphan".into(), secret_name: "x".into(), team_id: Some(99) }).await.unwrap();
    s.commit().await.unwrap();
    drop(s);
    // Step 7's models no longer declare the rename step 4 made.
    let to_v7 =
        migrate::diff_with_renames(&schemas[1], &schemas[7], &Renames::new().column("hero", "secret_name", "alias"));
    let result = migrate::apply(&engine, &to_v7, ApplyOptions::new()).await;
    // A dialect that adds the key in place has the database refuse it; SQLite's rebuild
    // finds the dangling key before it commits.
    match result {
        Err(MigrateError::Database(e)) if engine.capabilities().alter.alter_constraints => {
            assert_eq!(e.db_kind(), Some(tablemodel::DbErrorKind::ForeignKeyViolation), "{e}")
        }
        Err(MigrateError::ForeignKeyViolation { table, referenced_table }) => {
            assert!(!engine.capabilities().alter.alter_constraints);
            assert_eq!((table.as_str(), referenced_table.as_str()), ("hero", "team"));
        }
        other => panic!("a foreign key to team 99, which does not exist: {other:?}"),
    }
    if engine.capabilities().transactional_ddl {
        assert_eq!(engine.reflect().await.unwrap(), schemas[1].for_dialect(engine.dialect()), "nothing was committed");
        assert_eq!(rows_at(&engine, 1).await.len(), 1, "the row is still there");
    } else {
        // MySQL commits every DDL statement: what ran before the refused key stays, and the
        // key is not there.
        let live = engine.reflect().await.unwrap();
        assert!(live.table("hero").unwrap().foreign_keys.is_empty(), "{live:#?}");
        let mut s = engine.session().await.unwrap();
        assert_eq!(s.one(select_only(count()).from::<v1::Hero>()).await.unwrap(), 1, "the row is still there");
        return;
    }
    let a_hero = v1::Hero { id: None, name: "Second".into(), secret_name: "y".into(), team_id: None };
    let mut s = engine.session().await.unwrap();
    s.add(a_hero).await.unwrap();
    s.commit().await.expect("the engine still works after the failed migration");
}

on_every_backend!(
    nine_steps_up_and_down_keep_schema_and_rows,
    a_foreign_key_the_rows_break_is_refused_and_nothing_changes,
    a_renamed_table_keeps_its_rows_keys_and_references
);

/// A table renamed on the model (`#[model(renamed_from)]`), with an index, a key that
/// another table references, and rows.
mod renamed_table {
    use super::*;

    pub(crate) mod before {
        use tablemodel::prelude::*;

        #[derive(Model, Debug, Clone)]
        #[model(table, table_name = "heroes")]
        pub(crate) struct Hero {
            #[field(primary_key)]
            pub(crate) id: Option<i64>,
            #[field(index)]
            pub(crate) name: String,
            #[field(unique)]
            pub(crate) alias: String,
        }

        #[derive(Model, Debug, Clone)]
        #[model(table)]
        pub(crate) struct Power {
            #[field(primary_key)]
            pub(crate) id: Option<i64>,
            #[field(foreign_key = "heroes.id", ondelete = "CASCADE")]
            pub(crate) hero_id: i64,
        }
    }

    pub(crate) mod after {
        use tablemodel::prelude::*;

        #[derive(Model, Debug, Clone)]
        #[model(table, renamed_from = "heroes")]
        pub(crate) struct Hero {
            #[field(primary_key)]
            pub(crate) id: Option<i64>,
            #[field(index)]
            pub(crate) name: String,
            #[field(unique)]
            pub(crate) alias: String,
        }

        #[derive(Model, Debug, Clone)]
        #[model(table)]
        pub(crate) struct Power {
            #[field(primary_key)]
            pub(crate) id: Option<i64>,
            #[field(foreign_key = "hero.id", ondelete = "CASCADE")]
            pub(crate) hero_id: i64,
        }
    }

    pub(crate) async fn a_renamed_table_keeps_its_rows_keys_and_references(engine: Engine) {
        let before = Schema::from_tables(&[before::Hero::META, before::Power::META]);
        let after = Schema::from_tables(&[after::Hero::META, after::Power::META]);
        engine.create_all::<(before::Hero, before::Power)>().await.unwrap();
        let mut s = engine.session().await.unwrap();
        let hero =
            s.add(before::Hero { id: None, name: "Deadpond".into(), alias: "Dive Wilson".into() }).await.unwrap();
        s.add(before::Power { id: None, hero_id: hero.id.unwrap() }).await.unwrap();
        s.commit().await.unwrap();
        drop(s);

        let ops = migrate::diff(&before, &after);
        assert!(matches!(&ops[0], Operation::RenameTable { from, to } if from == "heroes" && to == "hero"), "{ops:#?}");
        assert!(!ops.iter().any(Operation::is_destructive), "{ops:#?}");
        migrate::apply(&engine, &ops, ApplyOptions::new()).await.unwrap();

        let url = match engine.dialect() {
            Dialect::Sqlite => tablemodel_testkit::sqlite_url(),
            _ => tablemodel_testkit::postgres_url(),
        };
        let fresh = Engine::connect(&url).await.unwrap();
        fresh.create_all::<(after::Hero, after::Power)>().await.unwrap();
        let live = engine.reflect().await.unwrap();
        assert_eq!(live, fresh.reflect().await.unwrap(), "the renamed table is what create_all builds");
        assert_eq!(live, after.for_dialect(engine.dialect()));

        let mut s = engine.session().await.unwrap();
        let hero = s.get::<after::Hero>(hero.id.unwrap()).await.unwrap().expect("the row moved with the table");
        assert_eq!(s.all(select::<after::Power>()).await.unwrap().len(), 1);
        s.delete(&hero).await.unwrap();
        s.commit().await.unwrap();
        assert!(s.all(select::<after::Power>()).await.unwrap().is_empty(), "the foreign key still cascades");
        drop(s);

        migrate::apply(&engine, &migrate::invert(&ops, false).unwrap(), ApplyOptions::new()).await.unwrap();
        assert_eq!(engine.reflect().await.unwrap(), before.for_dialect(engine.dialect()), "renamed back");
    }
}
