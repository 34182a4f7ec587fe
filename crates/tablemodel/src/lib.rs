#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
compile_error!("enable at least one backend feature of tablemodel: `sqlite`, `postgres` or `mysql`");

mod backend;
pub mod blocking;
mod column;
pub mod ddl;
mod engine;
mod error;
mod expr;
mod log;
mod meta;
pub mod migrate;
mod model;
mod query;
pub mod registry;
pub mod relationship;
mod row;
pub mod schema;
mod session;
pub mod types;
pub mod validate;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod web;

#[doc(hidden)]
pub use backend::RawColumn;
pub use backend::{AlterSupport, Capabilities, Dialect, MigrationLock, OnlineDdl};
pub use column::Column;
pub use engine::{Engine, EngineBuilder, PoolStatus, ReplicaStatus, parse_duration};
pub use error::{DatabaseError, DbErrorKind, DecodeError, Error, Result};
pub use expr::{Filter, IntoOrderBy, Operand, OrderBy, and_, not_, or_};
pub use meta::{ColumnMeta, ForeignKeyMeta, IndexMeta, OnDelete, TableMeta};
pub use model::Model;
pub use query::{
    Aggregate, Delete, LockWait, ModelSel, OptionalModelSel, Select, Selectable, Selection, SetValue, Summable, Update,
    count, delete, select, select_only, update,
};
pub use relationship::{Related, Relationship};
pub use row::RowReader;
/// The SQL builder tablemodel renders with, for hand-built expressions.
pub use sea_query;
pub use session::{Executable, Savepoint, Session};
pub use tablemodel_macros::{DbEnum, Model, embed_migrations, inline_bases};
pub use types::{ArrayOf, DbEnum, NativeEnum, SqlConvert, SqlType, SqlTypeInfo, Value, ValueKind};
pub use validate::{Patch, Schema, ValidationErrors};

/// Everything a model file and a handler need: `use tablemodel::prelude::*;`.
pub mod prelude {
    pub use crate::{
        DbEnum, Dialect, Engine, Error, Filter, Model, Patch, Related, Schema, Session, and_, count, delete,
        inline_bases, not_, or_, select, select_only, update,
    };
}

/// Support for generated code; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::model::KeyParams;
    pub use crate::query::FixedStatements;
    pub use crate::relationship::support::*;
    pub use crate::types::enums::longest_name;
    pub use crate::types::snapshot::Image;
    pub use crate::validate::support::*;
    pub use futures_util::future::BoxFuture;
    pub use inventory;
    pub use regex;
    pub use schemars;
    pub use sea_query;
    pub use serde;
    pub use serde_json;
    pub use tablemodel_macros::inline_base;
}
