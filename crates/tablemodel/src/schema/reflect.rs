//! Reading a live database's schema: [`Engine::reflect`] and [`Session::reflect`] hand the
//! session to the backend's reflection (`backend/<name>/reflect.rs`), whose catalog queries
//! run through the session's logged execution like any other statement.

use super::Schema;
use crate::backend::Rows;
use crate::engine::Engine;
use crate::error::Result;
use crate::session::Session;
use crate::types::Value;

impl Engine {
    /// The tables of the database as they are now: columns, types, nullability, server
    /// defaults, primary keys, generated keys, indexes, unique constraints and foreign
    /// keys. The database's own tables and the migrations' version table are left out.
    ///
    /// ```
    /// # use tablemodel::prelude::*;
    /// use tablemodel::schema::Schema;
    /// # #[derive(Model)]
    /// # #[model(table)]
    /// # struct Hero { #[field(primary_key)] id: Option<i64>, #[field(index)] name: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), tablemodel::Error> {
    /// let engine = Engine::connect("sqlite::memory:").await?;
    /// engine.create_all::<Hero>().await?;
    /// let live = engine.reflect().await?;
    /// assert_eq!(live, Schema::from_tables(&[Hero::META]).for_dialect(engine.dialect()));
    /// # Ok(()) }
    /// ```
    pub async fn reflect(&self) -> Result<Schema> {
        self.primary_session().await?.reflect().await
    }
}

impl Session {
    /// [`Engine::reflect`] on this session's connection, inside its transaction if one is
    /// open (so it sees the session's own uncommitted DDL).
    pub async fn reflect(&mut self) -> Result<Schema> {
        crate::backend::reflect(self).await
    }
}

/// The rows of a catalog query, every column read as text (the queries cast what is not).
pub(crate) async fn text_rows(session: &mut Session, sql: &str, params: &[Value]) -> Result<Vec<Vec<Option<String>>>> {
    let mut rows = Vec::new();
    session
        .query_rows(sql, params, Rows::All, |row| {
            rows.push(row.rest_as_text("catalog")?);
            Ok(())
        })
        .await?;
    Ok(rows)
}

/// The cells of a catalog row of `N` columns (missing ones `None`).
pub(crate) fn cells<const N: usize>(row: Vec<Option<String>>) -> [Option<String>; N] {
    let mut row = row.into_iter();
    std::array::from_fn(|_| row.next().flatten())
}
