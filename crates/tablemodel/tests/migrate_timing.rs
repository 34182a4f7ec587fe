//! How long autogenerating (`migrate::diff`, what `revision` does) and upgrading
//! (`migrate::render` + `migrate::apply`, what `upgrade` does) take for a 50-table schema
//! on SQLite. Ignored by default; it prints, and asserts no time:
//!
//! ```sh
//! cargo test -p tablemodel --release --test migrate_timing -- --ignored --nocapture
//! ```

use std::time::{Duration, Instant};

use tablemodel::OnDelete;
use tablemodel::migrate::{self, ApplyOptions};
use tablemodel::schema::{Column, ColumnType, ForeignKey, Index, PrimaryKey, Schema, Table};

const TABLES: usize = 50;

/// 50 tables of eight columns, an index and a foreign key to the table before; `changed`
/// adds a column to each, widens one type (SQLite rebuilds every table) and indexes it.
fn schema(changed: bool) -> Schema {
    let mut schema = Schema::new();
    for i in 0..TABLES {
        let name = format!("table_{i:02}");
        let mut t = Table::new(&name);
        t.columns = vec![
            Column::new("id", ColumnType::BigInt, false).with_autoincrement(true),
            Column::new("name", ColumnType::Varchar(Some(if changed { 200 } else { 100 })), false),
            Column::new("title", ColumnType::Text, true),
            Column::new("amount", ColumnType::Numeric(Some((10, 2))), true),
            Column::new("created", ColumnType::TimestampTz, false).with_default("CURRENT_TIMESTAMP"),
            Column::new("active", ColumnType::Boolean, false).with_default("TRUE"),
            Column::new("score", ColumnType::Integer, true),
            Column::new("parent_id", ColumnType::BigInt, true),
        ];
        if changed {
            t.columns.push(Column::new("note", ColumnType::Text, true));
            t.indexes.push(Index::new(format!("ix_{name}_score"), vec!["score".into()], false));
        }
        t.primary_key = Some(PrimaryKey::new(format!("{name}_pkey"), vec!["id".into()]));
        t.indexes.push(Index::new(format!("ix_{name}_name"), vec!["name".into()], false));
        if i > 0 {
            let parent = format!("table_{:02}", i - 1);
            let fk = ForeignKey::new(
                format!("{name}_parent_id_fkey"),
                vec!["parent_id".into()],
                parent,
                vec!["id".into()],
                OnDelete::SetNull,
            );
            t.foreign_keys.push(fk);
        }
        t.canonicalize();
        schema.insert(t);
    }
    schema
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "prints timings; run with --ignored --nocapture"]
async fn fifty_tables_revision_and_upgrade_on_sqlite() {
    let (empty, v1, v2) = (Schema::new(), schema(false), schema(true));

    let start = Instant::now();
    let create = migrate::diff(&empty, &v1);
    let diff_create = start.elapsed();
    let start = Instant::now();
    let change = migrate::diff(&v1, &v2);
    let diff_change = start.elapsed();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("timing.db");
    let url = format!("sqlite:{}", path.display());
    let engine = tablemodel::Engine::connect(&url).await.unwrap();
    let start = Instant::now();
    migrate::apply(&engine, &create, ApplyOptions::new()).await.unwrap();
    let apply_create = start.elapsed();
    // Ten rows a table, so the rebuilds copy data.
    let raw = rusqlite::Connection::open(&path).unwrap();
    for i in 0..TABLES {
        let sql = format!(
            "INSERT INTO \"table_{i:02}\" (\"name\") VALUES ('a'), ('b'), ('c'), ('d'), ('e'), ('f'), ('g'), ('h'), ('i'), ('j')"
        );
        raw.execute(&sql, []).unwrap();
    }
    drop(raw);
    let start = Instant::now();
    let live = engine.reflect().await.unwrap();
    let reflect = start.elapsed();
    let start = Instant::now();
    let plan = migrate::render(&live, &change, engine.dialect()).unwrap();
    let render_change = start.elapsed();
    let start = Instant::now();
    migrate::apply(&engine, &change, ApplyOptions::new()).await.unwrap();
    let apply_change = start.elapsed();
    let live = engine.reflect().await.unwrap().ignoring_column_order();
    assert_eq!(live, v2.for_dialect(engine.dialect()).ignoring_column_order());

    println!("50 tables, SQLite (file database)");
    println!("revision, create all ({} operations): diff {}", create.len(), ms(diff_create));
    println!("upgrade, create all: apply {}", ms(apply_create));
    println!(
        "revision, change all ({} operations): diff {}; upgrade: reflect {}, render {} ({} statements), \
         apply (reflect + render + run, every table rebuilt) {}",
        change.len(),
        ms(diff_change),
        ms(reflect),
        ms(render_change),
        plan.statements.len(),
        ms(apply_change)
    );
}
