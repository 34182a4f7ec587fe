//! Typed statements over the model metadata: `select`, bulk `update` and `delete`, and the
//! fixed per-model statements (get, insert, update and delete by key) that are rendered
//! once per engine and reused.

/// Only the backends that keep statements by their text's address use it.
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) mod lasting_text;
mod model_statements;
mod mutate;
mod select;
mod selection;
mod statement_cache;

pub use model_statements::FixedStatements;
pub(crate) use model_statements::{ModelStatements, StatementKind, update_statement};
pub use mutate::{Delete, SetValue, Update, delete, update};
pub use select::{LockWait, Select, select, select_only};
pub use selection::{Aggregate, ModelSel, OptionalModelSel, Selectable, Selection, Summable, count};
pub(crate) use statement_cache::{Bound, prepare};
