//! sqlx: `query_as` with `FromRow` on a connection acquired from a pool, a transaction per insert.

use crate::{ROUNDS, create_sql, emit, per_op_async, seed_sql};

#[derive(Debug, sqlx::FromRow)]
#[allow(dead_code)]
struct Hero {
    id: i64,
    name: String,
    secret_name: String,
    age: Option<i32>,
}

pub(crate) async fn run(url: &str, postgres: bool) {
    let backend = if postgres { "postgres" } else { "sqlite" };
    let (get_n, write_n, filter_n) = if postgres { (500, 100, 100) } else { (2000, 200, 200) };
    let p = |i: usize| if postgres { format!("${i}") } else { "?".to_owned() };
    let get = format!(r#"SELECT "id", "name", "secret_name", "age" FROM "hero" WHERE "id" = {}"#, p(1));
    let insert = format!(
        r#"INSERT INTO "hero" ("name", "secret_name", "age") VALUES ({}, {}, {}) RETURNING "id", "name", "secret_name", "age""#,
        p(1), p(2), p(3)
    );
    // A literal LIMIT, as tablemodel renders it (a bound one lets the SQLite of rusqlite 0.43,
    // 3.54, plan the statement again on a new value; the peers' 3.46 does not).
    let filter = format!(
        r#"SELECT "id", "name", "secret_name", "age" FROM "hero" WHERE "age" >= {} ORDER BY "name" ASC LIMIT 100"#,
        p(1)
    );
    macro_rules! cases {
        ($pool:expr) => {{
            let pool = $pool;
            sqlx::raw_sql(create_sql(postgres)).execute(&pool).await.unwrap();
            sqlx::raw_sql(&seed_sql()).execute(&pool).await.unwrap();
            // One connection held for the reads, as a tablemodel session holds one (a query on
            // `&pool` acquires and releases a connection each time).
            let mut conn = pool.acquire().await.unwrap();
            let mut samples = Vec::new();
            for round in 0..ROUNDS {
                samples.push(per_op_async(get_n, async |i| {
                    let id = ((i as usize + round) % 1000 + 1) as i64;
                    std::hint::black_box(sqlx::query_as::<_, Hero>(&get).bind(id).fetch_one(&mut *conn).await.unwrap());
                }).await);
            }
            emit(backend, "get by key", "sqlx", &samples);
            let mut samples = Vec::new();
            for _ in 0..ROUNDS {
                samples.push(per_op_async(filter_n, async |_| {
                    let rows = sqlx::query_as::<_, Hero>(&filter).bind(10i32).fetch_all(&mut *conn).await.unwrap();
                    std::hint::black_box(rows);
                }).await);
            }
            emit(backend, "filter+order+limit 100", "sqlx", &samples);
            let mut samples = Vec::new();
            for _ in 0..ROUNDS {
                samples.push(per_op_async(write_n, async |_| {
                    let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
                    let h = sqlx::query_as::<_, Hero>(&insert).bind("n").bind("s").bind(1i32).fetch_one(&mut *tx).await.unwrap();
                    tx.commit().await.unwrap();
                    std::hint::black_box(h);
                }).await);
            }
            emit(backend, "insert one + commit", "sqlx", &samples);
        }};
    }
    if postgres {
        cases!(sqlx::postgres::PgPoolOptions::new().max_connections(4).connect(url).await.unwrap());
    } else {
        let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
        let options = options.journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        cases!(sqlx::sqlite::SqlitePoolOptions::new().max_connections(4).connect_with(options).await.unwrap());
    }
}
