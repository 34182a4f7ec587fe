//! Migrations over a model history of eight steps, on every backend: each step's models
//! are their own structs; the migration between two steps is `migrate::diff` of their
//! schemas. After each upgrade the reflected database equals what `create_all` builds
//! from that step's models, and every row inserted before is still there with its values
//! (SQLite rebuilds the tables it cannot alter); then the history is undone step by step
//! with the inverse operations, checked the same way.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};
use tablemodel::migrate::{self, ApplyOptions, MigrateError, Operation, Renames};
use tablemodel::prelude::*;
use tablemodel::schema::Schema;
use tablemodel_testkit::on_every_backend;

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
        pub(crate) team_id: Option<i64>,
        pub(crate) age: Option<i32>,
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
        pub(crate) team_id: Option<i64>,
        pub(crate) age: Option<i32>,
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
        #[field(max_length = 20)]
        pub(crate) alias: String,
        pub(crate) team_id: Option<i64>,
        pub(crate) age: Option<i32>,
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
        pub(crate) team_id: Option<i64>,
        pub(crate) age: Option<i64>,
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
        pub(crate) team_id: Option<i64>,
        #[field(server_default = "0")]
        pub(crate) age: i64,
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
        #[field(foreign_key = "team.id", ondelete = "SET NULL")]
        pub(crate) team_id: Option<i64>,
        #[field(server_default = "0")]
        pub(crate) age: i64,
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
        pub(crate) name: String,
    }
    step!();
}

/// The schema of each step (index 0: no tables).
fn schemas() -> [Schema; 9] {
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
        _ => v8::rows(engine).await,
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
        _ => {
            s.add(v8::Team { id: None, name: "Avengers".into() }).await.unwrap();
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

/// The migration from step `from` to step `to = from + 1`.
fn migration(schemas: &[Schema; 9], from: usize) -> Vec<Operation> {
    let renames = Renames::new().column("hero", "secret_name", "alias");
    migrate::diff_with_renames(&schemas[from], &schemas[from + 1], &renames)
}

async fn assert_at(engine: &Engine, schemas: &[Schema; 9], step: usize, rows: &Rows) {
    let live = engine.reflect().await.unwrap();
    assert_eq!(live, schemas[step].for_dialect(engine.dialect()), "the schema after reaching step {step}");
    assert_eq!(&rows_at(engine, step).await, rows, "the rows after reaching step {step}");
}

async fn eight_steps_up_and_down_keep_schema_and_rows(engine: Engine) {
    let schemas = schemas();
    let allow = ApplyOptions::new().allow_destructive(true);
    let mut rows = Rows::new();
    for step in 0..8 {
        let ops = migration(&schemas, step);
        assert!(!ops.is_empty(), "step {} changes something", step + 1);
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
    assert_eq!(rows.keys().filter(|(t, _)| *t == "hero").count(), 7, "one hero written at each step but the last");
    assert_eq!(rows[&("hero", 2)]["age"], json!(0), "the NULL age took the server default");
    assert_eq!(rows[&("hero", 5)]["age"], json!(5_000_000_000_i64), "the widened column holds 64 bits");
    // The rebuilt table's foreign key is enforced, and enforcement is back on.
    let mut s = engine.session().await.unwrap();
    let orphan = v8::Hero { id: None, name: "Orphan".into(), alias: "x".into(), team_id: Some(99), age: 1 };
    let refused = s.add(orphan).await.unwrap_err();
    assert_eq!(refused.db_kind(), Some(tablemodel::DbErrorKind::ForeignKeyViolation), "{refused}");
    s.rollback().await.unwrap();
    drop(s);

    for step in (1..=8).rev() {
        let ops = migration(&schemas, step - 1);
        let loses_data = ops.iter().any(|op| matches!(op.inverse(), migrate::Inverse::WithoutData(_)));
        if loses_data {
            assert!(matches!(migrate::invert(&ops, false), Err(MigrateError::Irreversible { .. })), "step {step}");
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
    eight_steps_up_and_down_keep_schema_and_rows,
    a_foreign_key_the_rows_break_is_refused_and_nothing_changes
);
