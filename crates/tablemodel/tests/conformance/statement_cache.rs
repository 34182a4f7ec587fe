//! The statement cache renders a query once per shape and afterwards binds only its values:
//! queries of one shape with different values, IN lists of different lengths (different
//! shapes), nested `and`/`or`/`not`, values in join conditions and eager loads all return
//! the rows the values ask for, however often they repeat. The SQL log shows the values
//! bound in the order the SQL reads them, and `LIMIT`/`OFFSET` written as literals on
//! SQLite (which plans a statement again for every bound limit) and bound on PostgreSQL,
//! except the `LIMIT` of `first` and `one`, a literal everywhere.

use std::sync::{Arc, Mutex, OnceLock};

use tablemodel::prelude::*;
use tracing_subscriber::layer::SubscriberExt;

use tablemodel_testkit::on_every_backend;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "cache_team")]
struct CacheTeam {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
    #[relationship(back_populates = "team")]
    heroes: Related<Vec<CacheHero>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table, table_name = "cache_hero")]
struct CacheHero {
    #[field(primary_key)]
    id: Option<i64>,
    name: String,
    age: Option<i32>,
    #[field(foreign_key = "cache_team.id")]
    team_id: Option<i64>,
    #[relationship(back_populates = "heroes")]
    team: Related<Option<CacheTeam>>,
}

/// 30 heroes in 3 teams: hero `i` is 20 + i years old (none for every seventh).
async fn seed(engine: &Engine) -> Vec<CacheHero> {
    engine.create_all::<(CacheTeam, CacheHero)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let teams = s
        .add_all(["Preventers", "Z-Force", "Avengers"].map(|n| CacheTeam {
            id: None,
            name: n.into(),
            heroes: Related::NotLoaded,
        }))
        .await
        .unwrap();
    let heroes = s
        .add_all((0..30).map(|i| CacheHero {
            id: None,
            name: format!("hero {i:02}"),
            age: (i % 7 != 0).then_some(20 + i),
            team_id: teams[i as usize % 3].id,
            team: Related::NotLoaded,
        }))
        .await
        .unwrap();
    s.commit().await.unwrap();
    heroes
}

fn ids(heroes: &[CacheHero]) -> Vec<i64> {
    heroes.iter().map(|h| h.id.unwrap()).collect()
}

/// The ids of the seeded heroes that `keep` keeps, in key order.
fn expected(all: &[CacheHero], keep: impl Fn(&CacheHero) -> bool) -> Vec<i64> {
    all.iter().filter(|h| keep(h)).map(|h| h.id.unwrap()).collect()
}

/// The statements (SQL and the debug form of their parameters) logged for the tables of
/// this file, from every test of this binary.
#[derive(Clone, Default)]
struct StatementLog(Arc<Mutex<Vec<(String, String)>>>);

struct Capture(StatementLog);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() != "tablemodel::sql" {
            return;
        }
        #[derive(Default)]
        struct Fields(Option<String>, String);
        impl tracing::field::Visit for Fields {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                if field.name() == "sql" {
                    self.0 = Some(value.to_owned());
                }
            }
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "params" {
                    self.1 = format!("{value:?}");
                }
            }
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        if let Some(sql) = fields.0.filter(|sql| sql.contains("cache_hero")) {
            self.0.0.lock().unwrap().push((sql, fields.1));
        }
    }
}

/// `sql` quoted the way `engine`'s dialect quotes identifiers (MySQL: backticks).
fn spell(engine: &Engine, sql: &str) -> String {
    if engine.dialect() == Dialect::Mysql { sql.replace('"', "`") } else { sql.to_owned() }
}

fn log() -> StatementLog {
    static LOG: OnceLock<StatementLog> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = StatementLog::default();
        let subscriber = tracing_subscriber::registry().with(Capture(log.clone()));
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber per test binary");
        log
    })
    .clone()
}

impl StatementLog {
    /// The last logged statement whose SQL contains `marker`, with its parameters.
    fn last(&self, marker: &str) -> (String, String) {
        let entries = self.0.lock().unwrap();
        entries.iter().rev().find(|(sql, _)| sql.contains(marker)).cloned().unwrap_or_default()
    }
}

async fn same_shape_other_values(engine: Engine) {
    let all = seed(&engine).await;
    let mut s = engine.session().await.unwrap();
    for round in 0..3 {
        for (min_age, not_name) in [(25, "hero 07"), (30, "hero 33"), (0, "hero 10"), (45, "hero 25"), (49, "x")] {
            let q = select::<CacheHero>()
                .filter(CacheHero::age().ge(min_age))
                .filter(CacheHero::name().ne(not_name))
                .order_by(CacheHero::id());
            let got = ids(&s.all(q).await.unwrap());
            let want = expected(&all, |h| h.age.is_some_and(|a| a >= min_age) && h.name != not_name);
            assert_eq!(got, want, "round {round}: age >= {min_age} and name != {not_name:?}");
        }
    }
}

async fn in_lists_of_every_length(engine: Engine) {
    let all = seed(&engine).await;
    let key = ids(&all);
    let mut s = engine.session().await.unwrap();
    for round in 0..2 {
        for len in 0..8 {
            let wanted: Vec<i64> = key.iter().copied().skip(round * 3 + len).step_by(2).take(len).collect();
            let q = select::<CacheHero>()
                .filter(CacheHero::id().in_(wanted.clone()))
                .filter(CacheHero::age().is_not_null().or(CacheHero::name().eq("hero 14")))
                .order_by(CacheHero::id());
            let got = ids(&s.all(q).await.unwrap());
            let want = expected(&all, |h| wanted.contains(&h.id.unwrap()) && (h.age.is_some() || h.name == "hero 14"));
            assert_eq!(got, want, "{len} ids: {wanted:?}");
        }
    }
}

async fn nested_and_or_not(engine: Engine) {
    let all = seed(&engine).await;
    let mut s = engine.session().await.unwrap();
    for (a, b, c, name) in [(22, 40, 30, "hero 05"), (40, 22, 21, "hero 29"), (30, 30, 45, "hero 00"), (0, 100, 20, "")]
    {
        let q = select::<CacheHero>()
            .filter(
                CacheHero::age()
                    .lt(a)
                    .or(CacheHero::age().gt(b).and(!CacheHero::name().eq(name)))
                    .and(not_(CacheHero::age().between(c, c + 3))),
            )
            .order_by(CacheHero::id().desc());
        let got = ids(&s.all(q).await.unwrap());
        let mut want = expected(&all, |h| {
            let Some(age) = h.age else { return false };
            (age < a || (age > b && h.name != name)) && !(c..=c + 3).contains(&age)
        });
        want.reverse();
        assert_eq!(got, want, "age < {a} or (age > {b} and name != {name:?}), not between {c} and {}", c + 3);
    }
}

async fn values_in_join_conditions_come_first(engine: Engine) {
    let all = seed(&engine).await;
    let mut s = engine.session().await.unwrap();
    let teams = s.all(select::<CacheTeam>().order_by(CacheTeam::id())).await.unwrap();
    for (team_name, min_age) in [("Z-Force", 30), ("Preventers", 41), ("Avengers", 0), ("Z-Force", 44)] {
        let team_id = teams.iter().find(|t| t.name == team_name).unwrap().id;
        let q = select::<(CacheHero, CacheTeam)>()
            .join_on::<CacheTeam>(CacheHero::team_id().eq(CacheTeam::id()).and(CacheTeam::name().eq(team_name)))
            .filter(CacheHero::age().ge(min_age))
            .order_by(CacheHero::id());
        let rows = s.all(q).await.unwrap();
        assert!(rows.iter().all(|(_, t)| t.name == team_name));
        let got: Vec<i64> = rows.iter().map(|(h, _)| h.id.unwrap()).collect();
        let want = expected(&all, |h| h.team_id == team_id && h.age.is_some_and(|a| a >= min_age));
        assert_eq!(got, want, "team {team_name}, age >= {min_age}");
    }
}

async fn eager_loads_of_different_sizes(engine: Engine) {
    let all = seed(&engine).await;
    let mut s = engine.session().await.unwrap();
    for names in [vec!["Z-Force"], vec!["Preventers", "Avengers"], vec!["Avengers", "Z-Force", "Preventers"], vec![]] {
        let q = select::<CacheTeam>()
            .filter(CacheTeam::name().in_(names.clone()))
            .order_by(CacheTeam::name())
            .load(CacheTeam::heroes());
        let teams = s.exec(q).await.unwrap();
        let mut want_names = names.clone();
        want_names.sort();
        assert_eq!(teams.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), want_names);
        for t in &teams {
            let Related::Loaded(heroes) = &t.heroes else { panic!("heroes of {} not loaded", t.name) };
            let mut got = ids(heroes);
            got.sort();
            assert_eq!(got, expected(&all, |h| h.team_id == t.id), "heroes of {}", t.name);
        }
    }
}

async fn one_row_verbs(engine: Engine) {
    let all = seed(&engine).await;
    let mut s = engine.session().await.unwrap();
    for round in 0..2 {
        for h in all.iter().skip(round).step_by(4) {
            let by_id = || select::<CacheHero>().filter(CacheHero::id().eq(h.id.unwrap()));
            assert_eq!(s.get::<CacheHero>(h.id.unwrap()).await.unwrap().as_ref(), Some(h));
            assert_eq!(s.first(by_id()).await.unwrap().as_ref(), Some(h));
            assert_eq!(&s.one(by_id()).await.unwrap(), h);
            assert_eq!(s.one_or_none(by_id()).await.unwrap().as_ref(), Some(h));
            assert_eq!(s.all(by_id()).await.unwrap(), vec![h.clone()]);
        }
    }
    let none = select::<CacheHero>().filter(CacheHero::id().eq(-1));
    assert_eq!(s.first(none.clone()).await.unwrap(), None);
    assert_eq!(s.one_or_none(none.clone()).await.unwrap(), None);
    assert!(matches!(s.one(none).await, Err(Error::NoResult)));
    let many = select::<CacheHero>().filter(CacheHero::age().gt(25));
    assert!(matches!(s.one_or_none(many.clone()).await, Err(Error::MultipleResults)));
    let oldest = s.first(many.order_by(CacheHero::age().desc())).await.unwrap().unwrap();
    assert_eq!(oldest.name, "hero 29");
}

async fn pages_bind_or_write_their_limits(engine: Engine) {
    let log = log();
    let all = seed(&engine).await;
    let key = ids(&all);
    let mut s = engine.session().await.unwrap();
    for round in 0..2 {
        for (offset, limit) in [(0u64, 10u64), (10, 10), (20, 10), (25, 10), (3, 4), (0, 1)] {
            let q = select::<CacheHero>()
                .filter(CacheHero::name().ne("hero 02"))
                .order_by(CacheHero::id())
                .offset(offset)
                .limit(limit);
            let got = ids(&s.all(q).await.unwrap());
            let want: Vec<i64> = key
                .iter()
                .zip(&all)
                .filter(|(_, h)| h.name != "hero 02")
                .map(|(k, _)| *k)
                .skip(offset as usize)
                .take(limit as usize)
                .collect();
            assert_eq!(got, want, "round {round}, offset {offset}, limit {limit}");
        }
    }
    // The tests of every backend run at once: each finds its own statements by placeholder
    // (and MySQL by its backtick quotes).
    let marker =
        if engine.dialect() == Dialect::Postgres { r#""name" <> $1 ORDER BY"# } else { r#""name" <> ? ORDER BY"# };
    let (sql, params) = log.last(&spell(&engine, marker));
    match engine.dialect() {
        Dialect::Mysql => {
            assert!(
                sql.ends_with("WHERE `cache_hero`.`name` <> ? ORDER BY `cache_hero`.`id` ASC LIMIT ? OFFSET ?"),
                "{sql}"
            );
            assert_eq!(params, r#"[String(Some("hero 02")), BigUnsigned(Some(1)), BigUnsigned(Some(0))]"#);
        }
        Dialect::Sqlite => {
            assert!(sql.ends_with(r#"WHERE "cache_hero"."name" <> ? ORDER BY "cache_hero"."id" ASC LIMIT 1 OFFSET 0"#));
            assert_eq!(params, r#"[String(Some("hero 02"))]"#);
        }
        _ => {
            assert!(
                sql.ends_with(r#"WHERE "cache_hero"."name" <> $1 ORDER BY "cache_hero"."id" ASC LIMIT $2 OFFSET $3"#)
            );
            assert_eq!(params, r#"[String(Some("hero 02")), BigUnsigned(Some(1)), BigUnsigned(Some(0))]"#);
        }
    }

    // `first` adds `LIMIT 1` and `one` `LIMIT 2`, literals on every dialect: the verb's own
    // limit is not a parameter. An offset alone still needs a limit on SQLite.
    for (limit, age) in [(1, 33), (2, 34)] {
        let q = select::<CacheHero>().filter(CacheHero::age().eq(age));
        if limit == 1 {
            s.first(q).await.unwrap();
        } else {
            s.one_or_none(q).await.unwrap();
        }
        let tail = match engine.dialect() {
            Dialect::Postgres => format!(r#""age" = $1 LIMIT {limit}"#),
            _ => spell(&engine, &format!(r#""age" = ? LIMIT {limit}"#)),
        };
        let (sql, params) = log.last(&tail);
        assert!(sql.ends_with(&tail), "{sql}");
        assert_eq!(params, format!("[Int(Some({age}))]"));
    }
    // The caller's own limit stays a parameter where the dialect binds limits.
    s.first(select::<CacheHero>().filter(CacheHero::age().eq(35)).limit(1)).await.unwrap();
    let tail = match engine.dialect() {
        Dialect::Sqlite => r#""age" = ? LIMIT 1"#.to_owned(),
        Dialect::Mysql => "`age` = ? LIMIT ?".to_owned(),
        _ => r#""age" = $1 LIMIT $2"#.to_owned(),
    };
    let (sql, params) = log.last(&tail);
    assert!(sql.ends_with(&tail), "{sql}");
    assert!(params.starts_with("[Int(Some(35))"), "{params}");
    let rest = s.all(select::<CacheHero>().order_by(CacheHero::id()).offset(28)).await.unwrap();
    assert_eq!(ids(&rest), key[28..]);
}

async fn values_are_logged_in_the_order_the_sql_binds_them(engine: Engine) {
    let log = log();
    seed(&engine).await;
    let mut s = engine.session().await.unwrap();
    for (first, second, third) in [(21, "hero 03", 5i64), (40, "hero 17", 9)] {
        let q = select::<(CacheHero, CacheTeam)>()
            .join_on::<CacheTeam>(CacheHero::team_id().eq(CacheTeam::id()).and(CacheTeam::id().lt(third)))
            .filter(CacheHero::age().gt(first).or(CacheHero::name().eq(second)))
            .filter(CacheHero::id().in_([third, third + 1]));
        s.all(q).await.unwrap();
        let marker = match engine.dialect() {
            Dialect::Sqlite => r#""cache_team"."id" < ?"#,
            Dialect::Mysql => "`cache_team`.`id` < ?",
            _ => r#""cache_team"."id" < $1"#,
        };
        let (_, params) = log.last(marker);
        assert_eq!(
            params,
            format!(
                r#"[BigInt(Some({third})), Int(Some({first})), String(Some("{second}")), BigInt(Some({third})), BigInt(Some({}))]"#,
                third + 1
            )
        );
    }
}

/// Bulk updates and deletes are cached by shape too: the same statement with other values
/// changes the rows those values name, an update of another column (with as many values)
/// is another statement, and the values bind `SET` first, then `WHERE`.
async fn bulk_writes_of_one_shape_with_other_values(engine: Engine) {
    let log = log();
    let all = seed(&engine).await;
    let mut s = engine.session().await.unwrap();
    let mut renamed = Vec::new();
    for round in 0..2 {
        for (i, age) in [(1, 70), (2, 71), (4, 72)] {
            let name = format!("hero {:02}", i + round * 10);
            let aged = update::<CacheHero>()
                .set(CacheHero::age(), Some(age + round))
                .filter(CacheHero::name().eq(name.as_str()));
            assert_eq!(s.exec(aged).await.unwrap(), 1, "{name}");
            let (_, params) = log.last(if engine.dialect() == Dialect::Postgres { r#"SET "age" = $1"# } else { "SET" });
            assert_eq!(params, format!(r#"[Int(Some({})), String(Some("{name}"))]"#, age + round));
            let named = update::<CacheHero>()
                .set(CacheHero::name(), format!("{name}!"))
                .filter(CacheHero::name().eq(name.as_str()));
            assert_eq!(s.exec(named).await.unwrap(), 1, "{name}");
            renamed.push((all[(i + round * 10) as usize].id.unwrap(), format!("{name}!"), age + round));
        }
    }
    for (id, name, age) in &renamed {
        let hero = s.get::<CacheHero>(*id).await.unwrap().unwrap();
        assert_eq!((&hero.name, hero.age), (name, Some(*age)));
    }
    let key = ids(&all);
    let mut gone = 0;
    for len in [1, 3, 2] {
        let doomed: Vec<i64> = key[20 + gone..20 + gone + len].to_vec();
        assert_eq!(s.exec(delete::<CacheHero>().filter(CacheHero::id().in_(doomed))).await.unwrap(), len as u64);
        gone += len;
    }
    // The renamed heroes are 70 to 73 years old, the others younger.
    for (age, older) in [(72, 3), (71, 2)] {
        assert_eq!(s.exec(delete::<CacheHero>().filter(CacheHero::age().ge(age))).await.unwrap(), older);
    }
    let left = ids(&s.all(select::<CacheHero>().order_by(CacheHero::id())).await.unwrap());
    let want = expected(&all, |h| {
        let id = h.id.unwrap();
        !key[20..26].contains(&id) && renamed.iter().all(|(r, _, a)| *r != id || *a < 71)
    });
    assert_eq!(left, want);
}

on_every_backend!(
    same_shape_other_values,
    in_lists_of_every_length,
    nested_and_or_not,
    values_in_join_conditions_come_first,
    eager_loads_of_different_sizes,
    one_row_verbs,
    pages_bind_or_write_their_limits,
    values_are_logged_in_the_order_the_sql_binds_them,
    bulk_writes_of_one_shape_with_other_values,
);
