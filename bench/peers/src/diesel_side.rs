//! Diesel: the `table!` schema, `find`, `insert_into(...).returning(...)` in a transaction,
//! `filter/order/limit`, with its synchronous connections.

use diesel::prelude::*;

use crate::{ROUNDS, create_sql, emit, per_op, seed_sql};

diesel::table! {
    hero (id) {
        id -> BigInt,
        name -> Text,
        secret_name -> Text,
        age -> Nullable<Integer>,
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = hero)]
#[allow(dead_code)]
struct Hero {
    id: i64,
    name: String,
    secret_name: String,
    age: Option<i32>,
}

#[derive(Insertable)]
#[diesel(table_name = hero)]
struct NewHero<'a> {
    name: &'a str,
    secret_name: &'a str,
    age: Option<i32>,
}

macro_rules! cases {
    ($conn:expr, $backend:expr, $get_n:expr, $write_n:expr, $filter_n:expr) => {{
        let conn = $conn;
        let mut samples = Vec::new();
        for round in 0..ROUNDS {
            samples.push(per_op($get_n, |i| {
                let id = ((i as usize + round) % 1000 + 1) as i64;
                std::hint::black_box(hero::table.find(id).select(Hero::as_select()).first(conn).unwrap());
            }));
        }
        emit($backend, "get by key", "diesel", &samples);
        let mut samples = Vec::new();
        for _ in 0..ROUNDS {
            samples.push(per_op($filter_n, |_| {
                let rows: Vec<Hero> = hero::table
                    .filter(hero::age.ge(10))
                    .order(hero::name.asc())
                    .limit(100)
                    .select(Hero::as_select())
                    .load(conn)
                    .unwrap();
                std::hint::black_box(rows);
            }));
        }
        emit($backend, "filter+order+limit 100", "diesel", &samples);
        let mut samples = Vec::new();
        for _ in 0..ROUNDS {
            samples.push(per_op($write_n, |_| {
                let h = conn
                    .transaction(|c| {
                        diesel::insert_into(hero::table)
                            .values(&NewHero { name: "n", secret_name: "s", age: Some(1) })
                            .returning(Hero::as_returning())
                            .get_result(c)
                    })
                    .unwrap();
                std::hint::black_box(h);
            }));
        }
        emit($backend, "insert one + commit", "diesel", &samples);
    }};
}

pub(crate) fn run_sqlite(path: &str) {
    let mut conn = SqliteConnection::establish(path).unwrap();
    diesel::sql_query("PRAGMA journal_mode=WAL").execute(&mut conn).unwrap();
    for statement in create_sql(false).split("; ") {
        diesel::sql_query(statement).execute(&mut conn).unwrap();
    }
    diesel::sql_query(seed_sql()).execute(&mut conn).unwrap();
    cases!(&mut conn, "sqlite", 2000, 200, 200);
}

pub(crate) fn run_postgres(url: &str) {
    let mut conn = PgConnection::establish(url).unwrap();
    for statement in create_sql(true).split("; ") {
        diesel::sql_query(statement).execute(&mut conn).unwrap();
    }
    diesel::sql_query(seed_sql()).execute(&mut conn).unwrap();
    cases!(&mut conn, "postgres", 500, 100, 100);
}
