//! What a SQLModel user relies on when a model is written: server defaults and
//! database-generated columns left to the database and read back, `save` sending only what
//! changed (so two PATCHes of different fields both survive), optimistic concurrency with a
//! version column, and validators that run on every write.

use serde_json::json;
use tablemodel::prelude::*;
use tablemodel::validate::ValueError;
use tablemodel_testkit::{SqlLog, on_every_backend};

// ---- server defaults and generated columns -------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "event", create = "EventCreate")]
struct Event {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
    #[field(server_default = "CURRENT_TIMESTAMP")]
    created_at: Option<chrono::NaiveDateTime>,
    /// A computed default.
    #[field(server_default = "(6 * 7)")]
    priority: Option<i32>,
    /// Always the database's: never sent, even when the model holds a value.
    #[field(generated, server_default = "(upper('draft'))")]
    status: Option<String>,
}

fn event(name: &str) -> Event {
    Event { id: None, name: name.into(), created_at: None, priority: None, status: None }
}

async fn server_defaults_fill_the_columns_a_model_leaves_unset(engine: Engine) {
    engine.create_all::<Event>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let log = SqlLog::capture();
    let stored = s.add(Event { status: Some("ignored".into()), ..event("launch") }).await.unwrap();
    let id = stored.id.expect("identity key read back");
    let created = stored.created_at.expect("CURRENT_TIMESTAMP applied and read back");
    assert!((chrono::Utc::now().naive_utc() - created).num_minutes().abs() < 60 * 24, "{created}");
    assert_eq!(stored.priority, Some(42), "the computed default");
    assert_eq!(stored.status.as_deref(), Some("DRAFT"), "a generated column is the database's");
    let insert = log.starting_with("INSERT")[0].split("RETURNING").next().unwrap().to_owned();
    for left_out in ["created_at", "priority", "status"] {
        assert!(!insert.contains(left_out), "{left_out} sent in {insert}");
    }
    s.commit().await.unwrap();
    assert_eq!(s.get::<Event>(id).await.unwrap().unwrap(), stored);

    // A value given is stored as given.
    let at = chrono::NaiveDate::from_ymd_opt(2020, 1, 2).unwrap().and_hms_opt(3, 4, 5).unwrap();
    let given = s.add(Event { created_at: Some(at), priority: Some(1), ..event("given") }).await.unwrap();
    assert_eq!((given.created_at, given.priority, given.id), (Some(at), Some(1), Some(id + 1)));
}

async fn a_batch_with_different_unset_columns_keeps_the_callers_order(engine: Engine) {
    engine.create_all::<Event>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let at = chrono::NaiveDate::from_ymd_opt(2021, 5, 6).unwrap().and_hms_opt(7, 8, 9).unwrap();
    let rows = vec![
        event("a"),
        Event { priority: Some(7), ..event("b") },
        Event { created_at: Some(at), ..event("c") },
        event("d"),
        Event { priority: Some(9), created_at: Some(at), ..event("e") },
    ];
    let stored = s.add_all(rows).await.unwrap();
    let names: Vec<&str> = stored.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c", "d", "e"]);
    let priorities: Vec<Option<i32>> = stored.iter().map(|e| e.priority).collect();
    assert_eq!(priorities, [Some(42), Some(7), Some(42), Some(42), Some(9)]);
    assert_eq!(stored[2].created_at, Some(at));
    assert!(stored.iter().all(|e| e.created_at.is_some() && e.status.as_deref() == Some("DRAFT")));
    let mut ids: Vec<i64> = stored.iter().map(|e| e.id.unwrap()).collect();
    ids.sort_unstable();
    assert_eq!(ids, [1, 2, 3, 4, 5], "the identity key fills every row");
}

#[test]
fn create_types_do_not_accept_database_generated_fields() {
    let schema = EventCreate::model_json_schema();
    let properties = schema["properties"].as_object().unwrap();
    let mut names: Vec<&str> = properties.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["created_at", "name", "priority"], "no `id`, no `status`");
    let create = EventCreate::validate(&json!({"name": "x", "status": "LIVE"})).unwrap();
    assert_eq!(Event::from(create).status, None);
}

/// A UUID key the database generates: `gen_random_uuid()` on PostgreSQL, 32 random hex
/// digits (SQLite's UUID storage) on SQLite.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "ticket")]
struct PgTicket {
    #[field(primary_key, server_default = "gen_random_uuid()")]
    id: Option<uuid::Uuid>,
    title: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "ticket")]
struct SqliteTicket {
    #[field(primary_key, server_default = "(lower(hex(randomblob(16))))")]
    id: Option<uuid::Uuid>,
    title: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "ticket")]
struct MysqlTicket {
    #[field(primary_key, server_default = "(uuid())")]
    id: Option<uuid::Uuid>,
    title: String,
}

async fn uuid_keys_come_from_the_database(engine: Engine) {
    async fn run<M: Model<Key = uuid::Uuid> + Clone>(
        engine: &Engine,
        make: fn(&str) -> M,
        id: fn(&M) -> Option<uuid::Uuid>,
    ) {
        engine.create_all::<M>().await.unwrap();
        let mut s = engine.session().await.unwrap();
        let one = s.add(make("one")).await.unwrap();
        let many = s.add_all([make("two"), make("three")]).await.unwrap();
        let ids: Vec<uuid::Uuid> = [&one, &many[0], &many[1]].iter().map(|m| id(m).expect("generated")).collect();
        assert!(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]);
        s.commit().await.unwrap();
        assert!(s.get::<M>(ids[2]).await.unwrap().is_some());
    }
    if engine.dialect() == Dialect::Postgres {
        run(&engine, |t| PgTicket { id: None, title: t.into() }, |m| m.id).await;
    } else if engine.dialect() == Dialect::Mysql {
        // No RETURNING: the key's default is computed first and sent with the row.
        run(&engine, |t| MysqlTicket { id: None, title: t.into() }, |m| m.id).await;
    } else {
        run(&engine, |t| SqliteTicket { id: None, title: t.into() }, |m| m.id).await;
    }
}

// ---- changed-column saves and optimistic concurrency ----------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "profile", update = "ProfileUpdate")]
struct Profile {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
    age: Option<i32>,
    city: String,
}

async fn two_patches_of_different_fields_both_survive(engine: Engine) {
    engine.create_all::<Profile>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let p = s.add(Profile { id: None, name: "Ada".into(), age: Some(36), city: "London".into() }).await.unwrap();
    s.commit().await.unwrap();
    let id = p.id.unwrap();

    // Two requests load the same row, each in its own session.
    let mut first = engine.session().await.unwrap();
    let mut second = engine.session().await.unwrap();
    let mut a = first.get::<Profile>(id).await.unwrap().unwrap();
    let mut b = second.get::<Profile>(id).await.unwrap().unwrap();
    a.apply_json(&json!({"name": "Ada Lovelace"})).unwrap();
    b.apply_json(&json!({"age": 37})).unwrap();
    let log = SqlLog::capture();
    first.save(&mut a).await.unwrap();
    first.commit().await.unwrap();
    second.save(&mut b).await.unwrap();
    second.commit().await.unwrap();
    let updates: Vec<String> =
        log.starting_with("UPDATE").iter().map(|u| u.split(" WHERE ").next().unwrap().to_owned()).collect();
    assert_eq!(updates.len(), 2, "{updates:?}");
    assert!(updates[0].contains("name") && !updates[0].contains("age") && !updates[0].contains("city"));
    assert!(updates[1].contains("age") && !updates[1].contains("name"));

    let stored = s.get::<Profile>(id).await.unwrap().unwrap();
    assert_eq!((stored.name.as_str(), stored.age), ("Ada Lovelace", Some(37)));
    // Each saved model is reloaded as stored: the other request's change shows.
    assert_eq!(b.name, "Ada Lovelace");
}

async fn a_save_with_nothing_changed_sends_nothing(engine: Engine) {
    engine.create_all::<Profile>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let mut p = s.add(Profile { id: None, name: "Ada".into(), age: None, city: "Paris".into() }).await.unwrap();
    s.commit().await.unwrap();
    let log = SqlLog::capture();
    s.save(&mut p).await.unwrap();
    p.city = "Paris".into(); // set to the same value: not a change
    s.save(&mut p).await.unwrap();
    assert!(log.statements().is_empty(), "{:?}", log.statements());

    // Models loaded by a select are remembered too.
    let mut other = engine.session().await.unwrap();
    let mut listed = other.all(select::<Profile>()).await.unwrap().remove(0);
    let mut first = other.first(select::<Profile>()).await.unwrap().unwrap();
    log.clear();
    other.save(&mut listed).await.unwrap();
    other.save(&mut first).await.unwrap();
    assert!(log.statements().is_empty(), "{:?}", log.statements());
    drop(other);

    p.city = "Rome".into();
    s.save(&mut p).await.unwrap();
    assert_eq!(log.starting_with("UPDATE").len(), 1);
    log.clear();
    s.save(&mut p).await.unwrap();
    assert!(log.statements().is_empty(), "saved once, unchanged since: {:?}", log.statements());
}

async fn a_model_the_session_never_loaded_writes_every_column(engine: Engine) {
    engine.create_all::<Profile>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let p = s.add(Profile { id: None, name: "Ada".into(), age: Some(1), city: "Paris".into() }).await.unwrap();
    s.commit().await.unwrap();
    let mut other = engine.session().await.unwrap();
    let mut built = Profile { id: p.id, name: "Grace".into(), age: None, city: "Paris".into() };
    let log = SqlLog::capture();
    other.save(&mut built).await.unwrap();
    let update = &log.starting_with("UPDATE")[0];
    assert!(update.contains("name") && update.contains("age") && update.contains("city"), "{update}");
}

async fn a_rollback_forgets_what_was_saved(engine: Engine) {
    engine.create_all::<Profile>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let mut p = s.add(Profile { id: None, name: "Ada".into(), age: None, city: "Paris".into() }).await.unwrap();
    s.commit().await.unwrap();
    p.city = "Rome".into();
    s.save(&mut p).await.unwrap();
    s.rollback().await.unwrap();
    // The row says Paris again; saving the model must write Rome, not skip it as unchanged.
    s.save(&mut p).await.unwrap();
    s.commit().await.unwrap();
    assert_eq!(s.get::<Profile>(p.id.unwrap()).await.unwrap().unwrap().city, "Rome");
}

async fn a_long_session_saves_against_the_latest_read_of_each_row(engine: Engine) {
    engine.create_all::<Profile>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let rows = (0..100).map(|i| Profile { id: None, name: format!("P{i}"), age: Some(i), city: "Paris".into() });
    s.add_all(rows).await.unwrap();
    s.commit().await.unwrap();
    // Every row read 1,000 times: more images (over 10 MB) than the session keeps before it
    // drops the older ones, so some of these reads are from before that and some after.
    let mut first = Vec::new();
    for round in 0..1000 {
        let rows = s.all(select::<Profile>().order_by(Profile::id())).await.unwrap();
        if round == 0 {
            first = rows;
        }
    }
    let log = SqlLog::capture();
    s.save(&mut first[5]).await.unwrap();
    assert!(log.statements().is_empty(), "unchanged: {:?}", log.statements());
    first[7].age = Some(99);
    s.save(&mut first[7]).await.unwrap();
    s.commit().await.unwrap();
    let updates = log.starting_with("UPDATE");
    assert_eq!(updates.len(), 1, "{updates:?}");
    let set = updates[0].split(" WHERE ").next().unwrap();
    assert!(set.contains("age") && !set.contains("name") && !set.contains("city"), "{set}");

    // Another session moves a row; this one reads it again and changes another column:
    // only that column is written, the city read last is not sent back.
    let id = first[0].id.unwrap();
    let mut other = engine.session().await.unwrap();
    let mut moved = other.get::<Profile>(id).await.unwrap().unwrap();
    moved.city = "Rome".into();
    other.save(&mut moved).await.unwrap();
    other.commit().await.unwrap();
    let mut again = s.get::<Profile>(id).await.unwrap().unwrap();
    again.name = "Ada".into();
    log.clear();
    s.save(&mut again).await.unwrap();
    s.commit().await.unwrap();
    let updates = log.starting_with("UPDATE");
    let set = updates[0].split(" WHERE ").next().unwrap();
    assert!(set.contains("name") && !set.contains("city") && !set.contains("age"), "{set}");
    let stored = s.get::<Profile>(id).await.unwrap().unwrap();
    assert_eq!((stored.name.as_str(), stored.city.as_str()), ("Ada", "Rome"));
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "account")]
struct Account {
    #[field(primary_key)]
    id: Option<i64>,
    owner: String,
    balance: i64,
    #[field(version, default = 1)]
    version: i64,
}

async fn a_version_column_detects_a_stale_save(engine: Engine) {
    engine.create_all::<Account>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let acc = s.add(Account { id: None, owner: "Ada".into(), balance: 10, version: 1 }).await.unwrap();
    s.commit().await.unwrap();
    let id = acc.id.unwrap();

    let mut first = engine.session().await.unwrap();
    let mut second = engine.session().await.unwrap();
    let mut a = first.get::<Account>(id).await.unwrap().unwrap();
    let mut b = second.get::<Account>(id).await.unwrap().unwrap();
    a.balance += 5;
    let log = SqlLog::capture();
    first.save(&mut a).await.unwrap();
    first.commit().await.unwrap();
    assert_eq!(a.version, 2, "the version is incremented and read back");
    let update = &log.starting_with("UPDATE")[0];
    assert!(update.matches("version").count() >= 2, "checked and incremented: {update}");

    b.owner = "Grace".into();
    let err = second.save(&mut b).await.unwrap_err();
    let Error::StaleData { table, ref key } = err else { panic!("not a stale-data error: {err:?}") };
    assert_eq!(table, "account");
    assert!(key.contains(&id.to_string()), "{key}");
    #[cfg(feature = "axum")]
    assert_eq!(tablemodel::web::HttpError::from(err).status.as_u16(), 409, "a web handler answers 409");
    second.rollback().await.unwrap();
    let stored = s.get::<Account>(id).await.unwrap().unwrap();
    assert_eq!((stored.owner.as_str(), stored.balance, stored.version), ("Ada", 15, 2));

    // Reloaded, the second request can save.
    second.refresh(&mut b).await.unwrap();
    b.owner = "Grace".into();
    second.save(&mut b).await.unwrap();
    second.commit().await.unwrap();
    assert_eq!(b.version, 3);
}

// ---- validators on write ---------------------------------------------------------------

fn title_case(name: String) -> Result<String, ValueError> {
    let name = name.trim();
    if name.is_empty() {
        return Err("name must not be blank".into());
    }
    Ok(name
        .split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c.flat_map(char::to_lowercase)).collect()).unwrap_or_default()
        })
        .collect::<Vec<String>>()
        .join(" "))
}

fn strip(value: Option<String>) -> Result<Option<String>, ValueError> {
    Ok(value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()))
}

fn no_self_reference(m: Member) -> Result<Member, ValueError> {
    match &m.nickname {
        Some(n) if n.eq_ignore_ascii_case(&m.name) => Err("the nickname must differ from the name".into()),
        _ => Ok(m),
    }
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "member", update = "MemberUpdate", create = "MemberCreate", validator = no_self_reference)]
struct Member {
    #[field(primary_key)]
    id: Option<i64>,
    #[field(validator = title_case, max_length = 40)]
    name: String,
    #[field(validator = strip)]
    nickname: Option<String>,
}

fn member(name: &str, nickname: Option<&str>) -> Member {
    Member { id: None, name: name.into(), nickname: nickname.map(Into::into) }
}

async fn count_members(s: &mut Session) -> i64 {
    s.one(select_only(count()).from::<Member>()).await.unwrap()
}

async fn validators_run_and_transform_on_every_write(engine: Engine) {
    engine.create_all::<Member>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let stored = s.add(member("  ada   LOVELACE ", Some("  countess "))).await.unwrap();
    assert_eq!((stored.name.as_str(), stored.nickname.as_deref()), ("Ada Lovelace", Some("countess")));
    let many = s.add_all([member("grace hopper", Some("   ")), member("alan", None)]).await.unwrap();
    assert_eq!(many[0].name, "Grace Hopper");
    assert_eq!(many[0].nickname, None);
    assert_eq!(many[1].name, "Alan");

    let mut saved = stored.clone();
    saved.name = "ada byron".into();
    s.save(&mut saved).await.unwrap();
    assert_eq!(saved.name, "Ada Byron");
    s.commit().await.unwrap();
    assert_eq!(s.get::<Member>(stored.id.unwrap()).await.unwrap().unwrap().name, "Ada Byron");
}

async fn a_rejected_write_sends_nothing(engine: Engine) {
    engine.create_all::<Member>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let log = SqlLog::capture();
    let Err(Error::Validation(err)) = s.add(member("   ", None)).await else { panic!("a blank name was stored") };
    assert_eq!(
        err.to_json(),
        json!([{"type": "value_error", "loc": ["name"], "msg": "Value error, name must not be blank",
                "input": "   ", "ctx": {"error": "name must not be blank"}}])
    );
    let Err(Error::Validation(err)) = s.add_all([member("ada", None), member("bob", Some("BOB"))]).await else {
        panic!("the model validator did not run")
    };
    assert_eq!(
        err.to_json(),
        json!([{"type": "value_error", "loc": [1], "msg": "Value error, the nickname must differ from the name",
                "input": {"id": null, "name": "Bob", "nickname": "BOB"},
                "ctx": {"error": "the nickname must differ from the name"}}])
    );
    assert!(log.statements().is_empty(), "{:?}", log.statements());

    let mut ok = s.add(member("ada", None)).await.unwrap();
    log.clear();
    ok.nickname = Some("ADA".into());
    assert!(matches!(s.save(&mut ok).await, Err(Error::Validation(_))));
    assert!(log.statements().is_empty(), "{:?}", log.statements());
    assert_eq!(ok.nickname.as_deref(), Some("ADA"), "a refused save leaves the model as it was");
}

async fn bulk_loads_can_skip_validation_explicitly(engine: Engine) {
    engine.create_all::<Member>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let raw = s.add_unchecked(member("  as is ", None)).await.unwrap();
    assert_eq!(raw.name, "  as is ");
    let many = s.add_all_unchecked([member("x", Some("X")), member("  y", None)]).await.unwrap();
    assert_eq!((many[0].nickname.as_deref(), many[1].name.as_str()), (Some("X"), "  y"));
    assert_eq!(count_members(&mut s).await, 3);
}

#[test]
fn a_field_validator_applies_to_the_companions_inner_value() {
    let update = MemberUpdate::validate(&json!({"name": "  grace  hopper "})).unwrap();
    assert_eq!(update.name.as_deref(), Some("Grace Hopper"));
    assert!(!update.nickname.is_set());
    let err = MemberUpdate::validate(&json!({"name": "  "})).unwrap_err();
    assert_eq!(err.errors()[0].kind, "value_error");
    let update = MemberUpdate::validate(&json!({"nickname": "  amazing grace "})).unwrap();
    assert_eq!(update.nickname, tablemodel::validate::Patch::Set("amazing grace".to_owned()));
    let update = MemberUpdate::validate(&json!({"nickname": null})).unwrap();
    assert_eq!(update.nickname, tablemodel::validate::Patch::Null);
    let create = MemberCreate::validate(&json!({"name": "alan  turing"})).unwrap();
    assert_eq!(create.name, "Alan Turing");
}

on_every_backend!(
    server_defaults_fill_the_columns_a_model_leaves_unset,
    a_batch_with_different_unset_columns_keeps_the_callers_order,
    uuid_keys_come_from_the_database,
    two_patches_of_different_fields_both_survive,
    a_save_with_nothing_changed_sends_nothing,
    a_model_the_session_never_loaded_writes_every_column,
    a_rollback_forgets_what_was_saved,
    a_long_session_saves_against_the_latest_read_of_each_row,
    a_version_column_detects_a_stale_save,
    validators_run_and_transform_on_every_write,
    a_rejected_write_sends_nothing,
    bulk_loads_can_skip_validation_explicitly,
);
