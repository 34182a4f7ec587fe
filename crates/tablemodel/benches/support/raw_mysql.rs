//! The instruction benchmark's cases by hand with mysql_async: statements prepared once,
//! rows decoded with `Row::get`, as careful hand-written code does. Included by
//! `instructions.rs`.

use mysql_async::prelude::Queryable;
use tablemodel::prelude::*;

use super::team_hero::{Hero, Team};

/// The MySQL cases' statements, prepared once.
pub(crate) struct MysqlStatements {
    get: mysql_async::Statement,
    first: mysql_async::Statement,
    filter: mysql_async::Statement,
    join: mysql_async::Statement,
    stream: mysql_async::Statement,
    page: mysql_async::Statement,
    insert: mysql_async::Statement,
}

/// A connection as the engine opens its own (`backend/mysql`'s `open_pool`): over TCP, not
/// the Unix socket mysql_async switches to by default (`prefer_socket`), with the found-rows
/// flag, without the driver's statement cache (the statements are kept here) and with the
/// engine's session setup, so that both sides send and receive the same bytes the same way.
pub(crate) async fn connect(url: &str) -> mysql_async::Conn {
    let opts = mysql_async::OptsBuilder::from_opts(mysql_async::Opts::from_url(url).unwrap())
        .prefer_socket(false)
        .client_found_rows(true)
        .stmt_cache_size(0)
        .init(tablemodel::Dialect::Mysql.capabilities().session_setup.to_vec());
    mysql_async::Conn::new(opts).await.unwrap()
}

const COLS: &str = "`hero`.`id`, `hero`.`name`, `hero`.`secret_name`, `hero`.`age`, `hero`.`team_id`";

/// Fills the tables the engine created with 100 teams of 100 heroes, in one statement each
/// (row-by-row inserts would dominate the count under callgrind).
pub(crate) async fn seed(conn: &mut mysql_async::Conn) {
    const SEQ: &str = "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 99)";
    conn.query_drop(format!("INSERT INTO `team` (`name`) {SEQ} SELECT CONCAT('team ', i) FROM s")).await.unwrap();
    conn.query_drop(format!(
        "INSERT INTO `hero` (`name`, `secret_name`, `age`, `team_id`) {SEQ} \
         SELECT CONCAT('hero ', h.i), CONCAT('secret ', h.i), h.i % 90, t.`id` FROM `team` t CROSS JOIN s h \
         ORDER BY t.`id`, h.i"
    ))
    .await
    .unwrap();
}

impl MysqlStatements {
    pub(crate) async fn prepare(conn: &mut mysql_async::Conn) -> Self {
        let mut prep = async |sql: String| conn.prep(sql).await.unwrap();
        MysqlStatements {
            get: prep(format!("SELECT {COLS} FROM `hero` WHERE `hero`.`id` = ?")).await,
            first: prep(format!("SELECT {COLS} FROM `hero` WHERE `hero`.`id` = ? LIMIT ?")).await,
            filter: prep(format!(
                "SELECT {COLS} FROM `hero` WHERE `hero`.`team_id` <= ? AND `hero`.`age` >= ? ORDER BY `hero`.`name` ASC LIMIT ?"
            ))
            .await,
            join: prep(format!(
                "SELECT {COLS}, `team`.`id`, `team`.`name` FROM `hero` INNER JOIN `team` ON `hero`.`team_id` = `team`.`id` \
                 ORDER BY `hero`.`id` ASC LIMIT ?"
            ))
            .await,
            stream: prep(format!("SELECT {COLS} FROM `hero`")).await,
            page: prep(format!("SELECT {COLS} FROM `hero` ORDER BY `hero`.`id` ASC LIMIT ? OFFSET ?")).await,
            insert: prep(
                "INSERT INTO `hero` (`name`, `secret_name`, `age`, `team_id`) VALUES (?, ?, ?, ?)".to_owned(),
            )
            .await,
        }
    }
}

fn decode(r: &mysql_async::Row) -> Hero {
    Hero {
        id: r.get(0).unwrap(),
        name: r.get(1).unwrap(),
        secret_name: r.get(2).unwrap(),
        age: r.get(3).unwrap(),
        team_id: r.get(4).unwrap(),
        team: Related::NotLoaded,
    }
}

/// One operation of `case`.
pub(crate) async fn run(conn: &mut mysql_async::Conn, st: &MysqlStatements, case: &str, i: i64, page_offset: u64) {
    let id = i % 10_000 + 1;
    match case {
        "get" | "one" | "one_or_none" | "all1" => {
            let rows: Vec<mysql_async::Row> = conn.exec(&st.get, (id,)).await.unwrap();
            drop(std::hint::black_box(rows.iter().map(decode).collect::<Vec<_>>()));
        }
        "first" => {
            let row: Option<mysql_async::Row> = conn.exec_first(&st.first, (id, 1u64)).await.unwrap();
            drop(std::hint::black_box(row.as_ref().map(decode)));
        }
        "page" => {
            let rows: Vec<mysql_async::Row> = conn.exec(&st.page, (10u64, page_offset)).await.unwrap();
            drop(std::hint::black_box(rows.iter().map(decode).collect::<Vec<_>>()));
        }
        "filter" => {
            let rows: Vec<mysql_async::Row> = conn.exec(&st.filter, (10i64, 10i32, 100u64)).await.unwrap();
            drop(std::hint::black_box(rows.iter().map(decode).collect::<Vec<_>>()));
        }
        "join" => {
            let rows: Vec<mysql_async::Row> = conn.exec(&st.join, (100u64,)).await.unwrap();
            let pairs: Vec<(Hero, Team)> = rows
                .iter()
                .map(|r| {
                    (decode(r), Team { id: r.get(5).unwrap(), name: r.get(6).unwrap(), heroes: Related::NotLoaded })
                })
                .collect();
            drop(std::hint::black_box(pairs));
        }
        "stream" => {
            let rows: Vec<mysql_async::Row> = conn.exec(&st.stream, ()).await.unwrap();
            for row in &rows {
                drop(std::hint::black_box(decode(row)));
            }
        }
        "insert" => {
            // What `add` + `commit` promise: the row as stored. A hero's row is the hero as
            // sent with the key the OK packet reports (no server default, nothing the
            // server changes), so nothing is read back, as SQLAlchemy reads nothing back.
            let mut h = super::team_hero::hero(i as usize, Some(i % 100 + 1));
            conn.query_drop("BEGIN").await.unwrap();
            conn.exec_drop(&st.insert, (&h.name, &h.secret_name, h.age, h.team_id)).await.unwrap();
            h.id = Some(conn.last_insert_id().unwrap() as i64);
            conn.query_drop("COMMIT").await.unwrap();
            drop(std::hint::black_box(h));
        }
        other => panic!("unknown MySQL case {other}"),
    }
}
