//! The tables `create_all` makes, read back from each database's catalog: column types,
//! NOT NULL, keys, foreign keys and index names.

use tablemodel::prelude::*;

use crate::common::{Hero, Team};

#[derive(Model, Debug)]
#[model(table, table_name = "gadgets")]
pub(crate) struct HeroTeamLink {
    #[field(primary_key, foreign_key = "team.id", ondelete = "CASCADE")]
    pub(crate) team_id: i64,
    #[field(primary_key, foreign_key = "hero.id", ondelete = "CASCADE")]
    pub(crate) hero_id: i64,
    #[field(max_length = 20, unique)]
    pub(crate) code: String,
    #[field(server_default = "0")]
    pub(crate) rank: i32,
    #[field(column_name = "is_training", index)]
    pub(crate) training: bool,
}

/// `(name, type, not null, pk position)` of every column of an SQLite table.
fn sqlite_columns(conn: &rusqlite::Connection, table: &str) -> Vec<(String, String, bool, i64)> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info(\"{table}\")")).unwrap();
    stmt.query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? == 1, r.get(5)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn sqlite_list(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    let mut out: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    out.sort();
    out
}

#[tokio::test]
async fn sqlite_ddl_matches_sqlmodel() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ddl.db");
    let engine = Engine::connect(&format!("sqlite:///{}", path.display())).await.unwrap();
    engine.create_all::<(HeroTeamLink, Hero, Team)>().await.unwrap();
    engine.create_all::<(Team, Hero, HeroTeamLink)>().await.expect("create_all is idempotent");

    let conn = rusqlite::Connection::open(&path).unwrap();
    let s = |v: &str| v.to_owned();
    assert_eq!(
        sqlite_columns(&conn, "hero"),
        [
            (s("id"), s("INTEGER"), true, 1),
            (s("name"), s("VARCHAR"), true, 0),
            (s("secret_name"), s("VARCHAR"), true, 0),
            (s("age"), s("INTEGER"), false, 0),
            (s("team_id"), s("INTEGER"), false, 0),
        ]
    );
    assert_eq!(
        sqlite_list(&conn, "SELECT name FROM pragma_index_list('hero') WHERE origin = 'c'"),
        ["ix_hero_age", "ix_hero_name"]
    );
    assert_eq!(sqlite_list(&conn, "SELECT name FROM pragma_index_list('team') WHERE origin = 'c'"), ["ix_team_name"]);
    assert_eq!(
        sqlite_list(
            &conn,
            "SELECT \"table\" || '.' || \"to\" || ' from ' || \"from\" FROM pragma_foreign_key_list('hero')"
        ),
        ["team.id from team_id"]
    );
    assert_eq!(
        sqlite_columns(&conn, "gadgets"),
        [
            (s("team_id"), s("INTEGER"), true, 1),
            (s("hero_id"), s("INTEGER"), true, 2),
            (s("code"), s("VARCHAR(20)"), true, 0),
            (s("rank"), s("INTEGER"), true, 0),
            (s("is_training"), s("BOOLEAN"), true, 0),
        ]
    );
    assert_eq!(
        sqlite_list(&conn, "SELECT \"table\" || ':' || on_delete FROM pragma_foreign_key_list('gadgets')"),
        ["hero:CASCADE", "team:CASCADE"]
    );
    assert_eq!(
        sqlite_list(&conn, "SELECT name FROM pragma_index_list('gadgets') WHERE origin = 'c'"),
        ["ix_gadgets_is_training"]
    );
    assert_eq!(
        sqlite_list(&conn, "SELECT origin FROM pragma_index_list('gadgets') WHERE \"unique\" = 1 AND origin = 'u'"),
        ["u"]
    );
    assert_eq!(sqlite_list(&conn, "PRAGMA journal_mode"), ["wal"], "file databases run in WAL mode");

    engine.drop_all::<(Team, Hero, HeroTeamLink)>().await.unwrap();
    assert!(sqlite_list(&conn, "SELECT name FROM sqlite_master WHERE type = 'table'").is_empty());
}

#[tokio::test]
async fn postgres_ddl_matches_sqlmodel() {
    let server = tablemodel_testkit::pg_server();
    let url = server.fresh_database();
    let db = url.rsplit('/').next().unwrap().to_owned();
    let engine = Engine::connect(&url).await.unwrap();
    engine.create_all::<(HeroTeamLink, Hero, Team)>().await.unwrap();
    engine.create_all::<(Team, Hero, HeroTeamLink)>().await.expect("create_all is idempotent");

    let columns = |table: &str| {
        server.psql(
            &db,
            &format!(
                "SELECT column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '') || ' ' || is_nullable || ' ' || is_identity \
                 FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position"
            ),
        )
    };
    assert_eq!(
        columns("hero").lines().collect::<Vec<_>>(),
        [
            "id bigint NO YES",
            "name character varying NO NO",
            "secret_name character varying NO NO",
            "age integer YES NO",
            "team_id bigint YES NO",
        ]
    );
    assert_eq!(
        columns("gadgets").lines().collect::<Vec<_>>(),
        [
            "team_id bigint NO NO",
            "hero_id bigint NO NO",
            "code character varying(20) NO NO",
            "rank integer NO NO",
            "is_training boolean NO NO",
        ]
    );
    let indexes = server.psql(&db, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname");
    assert_eq!(
        indexes.lines().collect::<Vec<_>>(),
        [
            "gadgets_code_key",
            "gadgets_pkey",
            "hero_pkey",
            "ix_gadgets_is_training",
            "ix_hero_age",
            "ix_hero_name",
            "ix_team_name",
            "team_pkey"
        ]
    );
    let fks = server.psql(
        &db,
        "SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' ORDER BY 1",
    );
    assert_eq!(
        fks.lines().collect::<Vec<_>>(),
        [
            "gadgets FOREIGN KEY (hero_id) REFERENCES hero(id) ON DELETE CASCADE",
            "gadgets FOREIGN KEY (team_id) REFERENCES team(id) ON DELETE CASCADE",
            "hero FOREIGN KEY (team_id) REFERENCES team(id)",
        ]
    );
    let default = server.psql(
        &db,
        "SELECT column_default FROM information_schema.columns WHERE table_name = 'gadgets' AND column_name = 'rank'",
    );
    assert_eq!(default.trim(), "0");

    engine.drop_all::<(Team, Hero, HeroTeamLink)>().await.unwrap();
    assert_eq!(server.psql(&db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").trim(), "0");
}
