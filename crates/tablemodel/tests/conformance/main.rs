//! The backend conformance suite: every test here runs once on SQLite (a shared in-memory
//! database), once on a real PostgreSQL server and once on a real MariaDB server, both
//! started by the test harness.
//!
//! The tutorial modules reproduce the chapters of SQLModel's tutorial with its data and
//! assert the rows SQLModel returns for them.

mod array_columns;
mod cascade_delete;
mod common;
mod custom_types;
mod ddl;
mod engine_settings;
mod error_kinds;
mod errors;
mod json_columns;
mod many_to_many;
mod migrate_constraints;
mod migrate_files;
mod model_semantics;
mod mysql_collation;
mod mysql_generated_keys;
mod native_enums;
mod observability;
#[cfg(feature = "postgres")]
mod pgbouncer;
#[cfg(feature = "postgres")]
mod postgres_decode;
#[cfg(feature = "tls")]
mod postgres_tls;
mod queries;
#[cfg(feature = "postgres")]
mod read_replicas;
mod relationships;
mod row_locks;
mod schema_reflect;
mod session_state;
mod shared_bases;
mod sqlite_statements;
mod sqlite_stream;
mod sqlite_writers;
mod statement_cache;
mod traps;
mod tutorial_basics;
mod tutorial_connect;
#[cfg(feature = "axum")]
mod tutorial_heroes_app;
mod types;
mod validated_writes;
mod write_paths;
