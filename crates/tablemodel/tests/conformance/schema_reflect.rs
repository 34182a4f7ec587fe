//! Reflection: the schema read back from a live database equals the schema of the models
//! `create_all` made it from, on every backend; and hand-written DDL (named constraints,
//! serial and identity columns, defaults with casts) reads back as the same model.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use tablemodel::prelude::*;
use tablemodel::schema::{Column, ColumnType, ForeignKey, Index, PrimaryKey, Schema, Table, UniqueConstraint};
use tablemodel::{OnDelete, TableMeta};
use tracing::instrument::WithSubscriber;
use tracing_subscriber::layer::SubscriberExt;
use uuid::Uuid;

use crate::common::{Hero, Team};
use crate::types::Power;
use tablemodel_testkit::on_every_backend;

/// The referenced side of every kind of foreign key.
#[derive(Model, Debug)]
#[model(table)]
pub(crate) struct Owner {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    #[field(unique)]
    pub(crate) email: String,
}

/// Every column type, nullability, server defaults, uniques, indexes and `ON DELETE`.
#[derive(Model, Debug)]
#[model(table)]
pub(crate) struct Gadget {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    pub(crate) flag: bool,
    pub(crate) small: i16,
    #[field(server_default = "-1")]
    pub(crate) int: i32,
    #[field(index)]
    pub(crate) big: i64,
    pub(crate) float: f32,
    pub(crate) double: Option<f64>,
    #[field(server_default = "'abc'")]
    pub(crate) label: String,
    #[field(max_length = 20, unique)]
    pub(crate) code: String,
    #[field(max_length = 40, index, unique)]
    pub(crate) slug: String,
    pub(crate) bytes: Vec<u8>,
    pub(crate) json: serde_json::Value,
    #[field(sql_type = "JSONB")]
    pub(crate) doc: Option<serde_json::Value>,
    pub(crate) date: NaiveDate,
    pub(crate) time: NaiveTime,
    pub(crate) naive: NaiveDateTime,
    #[field(server_default = "CURRENT_TIMESTAMP")]
    pub(crate) created: DateTime<Utc>,
    pub(crate) token: Uuid,
    pub(crate) amount: Decimal,
    #[field(max_digits = 10, decimal_places = 2)]
    pub(crate) price: Decimal,
    pub(crate) power: Power,
    #[field(nullable = true, server_default = "true")]
    pub(crate) active: bool,
    #[field(foreign_key = "owner.id", ondelete = "CASCADE")]
    pub(crate) cascade_id: i64,
    #[field(foreign_key = "owner.id", ondelete = "SET NULL")]
    pub(crate) set_null_id: Option<i64>,
    #[field(foreign_key = "owner.id", ondelete = "RESTRICT")]
    pub(crate) restrict_id: Option<i64>,
    #[field(foreign_key = "owner.id", ondelete = "NO ACTION")]
    pub(crate) no_action_id: Option<i64>,
    #[field(foreign_key = "owner.id")]
    pub(crate) plain_id: Option<i64>,
}

/// A composite primary key made of two foreign keys.
#[derive(Model, Debug)]
#[model(table, table_name = "gadget_owner")]
pub(crate) struct GadgetOwner {
    #[field(primary_key, foreign_key = "gadget.id", ondelete = "CASCADE")]
    pub(crate) gadget_id: i64,
    #[field(primary_key, foreign_key = "owner.id", ondelete = "CASCADE")]
    pub(crate) owner_id: i64,
    pub(crate) since: Option<NaiveDate>,
}

/// Stands in for the migrations' version table, which reflection leaves out.
#[derive(Model, Debug)]
#[model(table, table_name = "tablemodel_migrations")]
pub(crate) struct Versions {
    #[field(primary_key)]
    pub(crate) id: String,
}

const TUTORIAL: [&TableMeta; 2] = [Team::META, Hero::META];
const GADGETS: [&TableMeta; 3] = [Owner::META, Gadget::META, GadgetOwner::META];

async fn tutorial_models_reflect_as_created(engine: Engine) {
    engine.create_all::<(Team, Hero)>().await.unwrap();
    let live = engine.reflect().await.unwrap();
    assert_eq!(live, Schema::from_tables(&TUTORIAL).for_dialect(engine.dialect()));

    let hero = live.table("hero").unwrap();
    assert!(hero.column("id").unwrap().autoincrement, "the key is generated");
    assert_eq!(hero.column("age").unwrap().ty, ColumnType::Integer);
    assert!(hero.column("age").unwrap().nullable);
    assert!(!hero.column("name").unwrap().nullable);
    assert_eq!(hero.primary_key, Some(PrimaryKey::new("hero_pkey", vec!["id".into()])));
    assert_eq!(
        hero.indexes,
        [Index::new("ix_hero_name", vec!["name".into()], false), Index::new("ix_hero_age", vec!["age".into()], false)]
    );
    // InnoDB reports a key without an action as RESTRICT, which is what NO ACTION does there.
    let no_action = if engine.dialect() == Dialect::Mysql { OnDelete::Restrict } else { OnDelete::NoAction };
    assert_eq!(
        hero.foreign_keys,
        [ForeignKey::new("hero_team_id_fkey", vec!["team_id".into()], "team", vec!["id".into()], no_action)]
    );
}

async fn every_column_feature_reflects_as_created(engine: Engine) {
    let mut expected = Schema::from_tables(&GADGETS);
    // The gadget's `doc` column is PostgreSQL's `JSONB` (SQLite takes any type name); on
    // MySQL one of its own types stands in, and the tables are made from the schema.
    let doc_type = if engine.dialect() == Dialect::Mysql { "MEDIUMTEXT" } else { "JSONB" };
    if engine.dialect() == Dialect::Mysql {
        let gadget = expected.tables.get_mut("gadget").unwrap();
        gadget.columns.iter_mut().find(|c| c.name == "doc").unwrap().ty = ColumnType::Custom(doc_type.into());
        let mut with_versions = expected.clone();
        with_versions.insert(Table::from_meta(Versions::META));
        let ops = tablemodel::migrate::diff(&Schema::new(), &with_versions);
        tablemodel::migrate::apply(&engine, &ops, tablemodel::migrate::ApplyOptions::new()).await.unwrap();
    } else {
        engine.create_all::<(GadgetOwner, Gadget, Owner, Versions)>().await.unwrap();
    }
    let live = engine.reflect().await.unwrap();
    assert_eq!(live, expected.for_dialect(engine.dialect()));
    assert!(live.table("tablemodel_migrations").is_none(), "the version table is not part of the schema");

    let gadget = live.table("gadget").unwrap();
    let column = |name: &str| gadget.column(name).unwrap().clone();
    assert_eq!(column("code").ty, ColumnType::Varchar(Some(20)));
    assert_eq!(column("label").ty, ColumnType::Varchar(None));
    assert_eq!(column("power").ty, ColumnType::Varchar(Some(8)), "an enum stores its longest name");
    assert_eq!(column("price").ty, ColumnType::Numeric(Some((10, 2))));
    assert_eq!(column("amount").ty, ColumnType::Numeric(None));
    // `JSONB` is how PostgreSQL spells a JSON column; elsewhere it is a type of its own.
    let doc = match engine.dialect() {
        Dialect::Postgres => ColumnType::Json,
        _ => ColumnType::Custom(doc_type.into()),
    };
    assert_eq!(column("doc").ty, doc);
    assert_eq!(column("token").ty, ColumnType::Uuid);
    assert_eq!(column("double").ty, ColumnType::Double);
    assert_eq!(column("float").ty, ColumnType::Real);
    assert_eq!(column("bytes").ty, ColumnType::Blob);
    assert_eq!(column("json").ty, ColumnType::Json);
    assert_eq!(column("time").ty, ColumnType::Time);
    assert!(column("double").nullable && column("active").nullable && !column("flag").nullable);
    assert_eq!(column("int").default.as_deref(), Some("-1"));
    assert_eq!(column("label").default.as_deref(), Some("'abc'"));
    assert_eq!(column("created").default.as_deref(), Some("CURRENT_TIMESTAMP"));
    let true_default = if engine.dialect() == Dialect::Mysql { "1" } else { "true" };
    assert_eq!(column("active").default.as_deref(), Some(true_default), "MySQL's booleans are TINYINT(1)");
    assert_eq!(column("flag").default, None);
    assert_eq!(gadget.uniques, [UniqueConstraint::new("gadget_code_key", vec!["code".into()])]);
    assert_eq!(
        gadget.indexes,
        [
            Index::new("ix_gadget_big", vec!["big".into()], false),
            Index::new("ix_gadget_slug", vec!["slug".into()], true)
        ]
    );
    // InnoDB reports NO ACTION as RESTRICT, which is what it does there.
    let no_action = if engine.dialect() == Dialect::Mysql { OnDelete::Restrict } else { OnDelete::NoAction };
    let actions: Vec<(&str, OnDelete)> =
        gadget.foreign_keys.iter().map(|fk| (fk.name.as_str(), fk.on_delete)).collect();
    assert_eq!(
        actions,
        [
            ("gadget_cascade_id_fkey", OnDelete::Cascade),
            ("gadget_set_null_id_fkey", OnDelete::SetNull),
            ("gadget_restrict_id_fkey", OnDelete::Restrict),
            ("gadget_no_action_id_fkey", no_action),
            ("gadget_plain_id_fkey", no_action),
        ]
    );

    let link = live.table("gadget_owner").unwrap();
    assert_eq!(
        link.primary_key,
        Some(PrimaryKey::new("gadget_owner_pkey", vec!["gadget_id".into(), "owner_id".into()]))
    );
    assert!(link.columns.iter().all(|c| !c.autoincrement), "no column of a composite key is generated");
    assert_eq!(live.table("owner").unwrap().uniques, [UniqueConstraint::new("owner_email_key", vec!["email".into()])]);
}

/// Reflection's catalog queries go through the session's statement log.
async fn reflection_is_logged(engine: Engine) {
    engine.create_all::<Team>().await.unwrap();
    let statements = Arc::new(Mutex::new(Vec::<String>::new()));
    let subscriber = tracing_subscriber::registry().with(Capture(statements.clone()));
    let live = engine.reflect().with_subscriber(subscriber).await.unwrap();
    assert!(live.table("team").is_some());
    let statements = statements.lock().unwrap();
    assert!(!statements.is_empty(), "no statement was logged");
    assert!(statements.iter().all(|sql| sql.starts_with("SELECT")), "{statements:?}");
}

/// A database holding no tables reflects as an empty schema.
async fn an_empty_database_has_no_tables(engine: Engine) {
    assert_eq!(engine.reflect().await.unwrap(), Schema::new());
}

/// A table whose made-up key, constraint and index names are longer than PostgreSQL's 63
/// bytes and MySQL's 64.
#[derive(Model, Debug, Clone)]
#[model(table, table_name = "superhero_registration_office_records")]
pub(crate) struct LongNamed {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    #[field(unique)]
    pub(crate) registered_superhero_secret_identity_name: String,
    #[field(index)]
    pub(crate) registered_superhero_headquarters_address: String,
    #[field(foreign_key = "owner.id")]
    pub(crate) responsible_registration_officer_owner_id: Option<i64>,
}

async fn names_past_the_identifier_limit_are_shortened_alike_everywhere(engine: Engine) {
    engine.create_all::<(Owner, LongNamed)>().await.unwrap();
    let live = engine.reflect().await.unwrap();
    assert_eq!(live, Schema::from_tables(&[Owner::META, LongNamed::META]).for_dialect(engine.dialect()));
    let table = live.table("superhero_registration_office_records").unwrap();
    let names: Vec<&str> = table
        .uniques
        .iter()
        .map(|u| u.name.as_str())
        .chain(table.indexes.iter().map(|i| i.name.as_str()))
        .chain(table.foreign_keys.iter().map(|f| f.name.as_str()))
        .collect();
    assert_eq!(names.len(), 3, "{table:#?}");
    for name in names {
        assert_eq!(name.len(), tablemodel::schema::MAX_NAME_LENGTH, "{name}");
    }
    // The shortened unique constraint is the one a violation names.
    let mut s = engine.session().await.unwrap();
    let row = |id| LongNamed {
        id: Some(id),
        registered_superhero_secret_identity_name: "Dive Wilson".into(),
        registered_superhero_headquarters_address: "Sharp Tower".into(),
        responsible_registration_officer_owner_id: None,
    };
    s.add(row(1)).await.unwrap();
    let Err(Error::Database(db)) = s.add(row(2)).await else { panic!("a duplicate name must be refused") };
    assert_eq!(db.kind, tablemodel::DbErrorKind::UniqueViolation);
    let named = match engine.dialect() {
        // SQLite names the column, not the constraint.
        Dialect::Sqlite => "superhero_registration_office_records.registered_superhero_secret_identity_name".to_owned(),
        _ => table.uniques[0].name.clone(),
    };
    assert_eq!(db.constraint, Some(named), "{db:?}");
}

on_every_backend!(
    names_past_the_identifier_limit_are_shortened_alike_everywhere,
    tutorial_models_reflect_as_created,
    every_column_feature_reflects_as_created,
    reflection_is_logged,
    an_empty_database_has_no_tables,
);

struct Capture(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Sql(Option<String>);
        impl tracing::field::Visit for Sql {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                if field.name() == "sql" {
                    self.0 = Some(value.to_owned());
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        if event.metadata().target() == "tablemodel::sql" {
            let mut sql = Sql(None);
            event.record(&mut sql);
            self.0.lock().unwrap().extend(sql.0);
        }
    }
}

fn names(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| (*c).to_owned()).collect()
}

/// DDL written by hand (not by tablemodel): composite uniques and indexes, a foreign key
/// naming no column, `AUTOINCREMENT` (whose `sqlite_sequence` is not a user table).
#[tokio::test]
async fn sqlite_reads_hand_written_ddl() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reflect.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE team (id INTEGER PRIMARY KEY AUTOINCREMENT, name varchar(30) NOT NULL DEFAULT 'x', \
             city TEXT, UNIQUE (name, city));
         CREATE TABLE member (team_id BIGINT NOT NULL REFERENCES team ON DELETE SET DEFAULT, \
             nick Text, score numeric(5,1) DEFAULT 0.5, PRIMARY KEY (team_id, nick));
         CREATE INDEX member_nick_score ON member (nick, score);
         INSERT INTO team (name) VALUES ('a');",
    )
    .unwrap();
    let engine = Engine::connect(&format!("sqlite:///{}", path.display())).await.unwrap();
    let live = engine.reflect().await.unwrap();
    assert_eq!(live.tables.keys().collect::<Vec<_>>(), ["member", "team"], "sqlite_sequence is internal");

    let mut team = Table::new("team");
    team.columns = vec![
        Column::new("id", ColumnType::Integer, true).with_autoincrement(true),
        Column::new("name", ColumnType::Varchar(Some(30)), false).with_default("'x'"),
        Column::new("city", ColumnType::Text, true),
    ];
    team.primary_key = Some(PrimaryKey::new("team_pkey", names(&["id"])));
    team.uniques = vec![UniqueConstraint::new("team_name_city_key", names(&["name", "city"]))];
    assert_eq!(live.table("team"), Some(&team));

    let mut member = Table::new("member");
    member.columns = vec![
        Column::new("team_id", ColumnType::BigInt, false),
        Column::new("nick", ColumnType::Text, true),
        Column::new("score", ColumnType::Numeric(Some((5, 1))), true).with_default("0.5"),
    ];
    member.primary_key = Some(PrimaryKey::new("member_pkey", names(&["team_id", "nick"])));
    member.indexes = vec![Index::new("member_nick_score", names(&["nick", "score"]), false)];
    member.foreign_keys =
        vec![ForeignKey::new("member_team_id_fkey", names(&["team_id"]), "team", names(&["id"]), OnDelete::SetDefault)];
    assert_eq!(live.table("member"), Some(&member));
}

/// DDL written by hand: serial and `ALWAYS` identity columns, defaults PostgreSQL reports
/// with casts, named and composite constraints, a multi-column foreign key.
#[tokio::test]
async fn postgres_reads_hand_written_ddl() {
    let server = tablemodel_testkit::pg_server();
    let url = server.fresh_database();
    let db = url.rsplit('/').next().unwrap().to_owned();
    server.psql(
        &db,
        "CREATE TABLE team (id serial PRIMARY KEY, name varchar(30) NOT NULL DEFAULT 'x', city text DEFAULT 'Paris', \
             score integer DEFAULT -3, born timestamptz DEFAULT now(), CONSTRAINT team_place UNIQUE (name, city));
         CREATE TABLE member (id bigint GENERATED ALWAYS AS IDENTITY, team_name varchar(30), team_city text, \
             tags jsonb DEFAULT '{}', ok boolean DEFAULT TRUE, CONSTRAINT member_key PRIMARY KEY (id), \
             CONSTRAINT member_team FOREIGN KEY (team_name, team_city) REFERENCES team (name, city) ON DELETE SET NULL);
         CREATE UNIQUE INDEX member_tags ON member (team_city, team_name);",
    );
    let engine = Engine::connect(&url).await.unwrap();
    let live = engine.reflect().await.unwrap();

    let mut team = Table::new("team");
    team.columns = vec![
        Column::new("id", ColumnType::Integer, false).with_autoincrement(true),
        Column::new("name", ColumnType::Varchar(Some(30)), false).with_default("'x'"),
        Column::new("city", ColumnType::Text, true).with_default("'Paris'"),
        Column::new("score", ColumnType::Integer, true).with_default("-3"),
        Column::new("born", ColumnType::TimestampTz, true).with_default("now()"),
    ];
    team.primary_key = Some(PrimaryKey::new("team_pkey", names(&["id"])));
    team.uniques = vec![UniqueConstraint::new("team_place", names(&["name", "city"]))];
    assert_eq!(live.table("team"), Some(&team));

    let mut member = Table::new("member");
    member.columns = vec![
        Column::new("id", ColumnType::BigInt, false).with_autoincrement(true),
        Column::new("team_name", ColumnType::Varchar(Some(30)), true),
        Column::new("team_city", ColumnType::Text, true),
        Column::new("tags", ColumnType::Json, true).with_default("'{}'"),
        Column::new("ok", ColumnType::Boolean, true).with_default("true"),
    ];
    member.primary_key = Some(PrimaryKey::new("member_key", names(&["id"])));
    member.indexes = vec![Index::new("member_tags", names(&["team_city", "team_name"]), true)];
    member.foreign_keys = vec![ForeignKey::new(
        "member_team",
        names(&["team_name", "team_city"]),
        "team",
        names(&["name", "city"]),
        OnDelete::SetNull,
    )];
    assert_eq!(live.table("member"), Some(&member));
    assert_eq!(live.tables.len(), 2);

    // Rendered back from the model, the named constraints keep their names.
    drop(engine);
    let url = server.fresh_database();
    let copy = url.rsplit('/').next().unwrap().to_owned();
    for table in [&team, &member] {
        for sql in tablemodel::ddl::create_table_statements(table, Dialect::Postgres) {
            server.psql(&copy, &sql);
        }
    }
    let engine = Engine::connect(&url).await.unwrap();
    // The serial and `ALWAYS` identity columns come back as `BY DEFAULT` identity columns:
    // the model keeps only that the database generates them.
    assert_eq!(engine.reflect().await.unwrap(), live);
}
