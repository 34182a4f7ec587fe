//! The session: one connection, one transaction at a time, and the unit-of-work verbs
//! (`add`, `get`, `save`, `delete`, `refresh`, `exec`, `commit`, `rollback`).
//!
//! Reads outside a transaction run on their own; the first write opens a transaction that
//! lasts until `commit` or `rollback`, as SQLAlchemy's autobegin does. A statement that
//! fails inside a transaction poisons it: every later statement answers
//! [`Error::PendingRollback`] until `rollback()`, on every backend alike, so nothing
//! half-done is ever committed. Dropping a session with an open transaction rolls it back.

use crate::backend::{Conn, Dialect, Rows};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::query::{Delete, Select, Selection, StatementKind, Update};
use crate::row::RowReader;
use crate::types::Value;

/// A unit of work on one pooled connection. Get one from [`Engine::session`].
pub struct Session {
    engine: Engine,
    conn: Option<Conn>,
    /// Where a streaming SQLite query sends the connection back when it is done.
    #[cfg(feature = "sqlite")]
    lent: Option<tokio::sync::oneshot::Receiver<Conn>>,
    in_tx: bool,
    failed: bool,
    savepoints: u32,
    /// This session's turn to write (SQLite), held from `BEGIN` to `COMMIT`/`ROLLBACK`.
    write_permit: Option<tokio::sync::OwnedMutexGuard<()>>,
}

/// A savepoint inside a session's transaction, from [`Session::savepoint`].
#[derive(Debug)]
#[must_use = "roll back to the savepoint or release it"]
pub struct Savepoint {
    name: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("in_transaction", &self.in_tx).field("failed", &self.failed).finish()
    }
}

impl Session {
    pub(crate) fn new(engine: Engine, conn: Conn) -> Self {
        Session {
            engine,
            conn: Some(conn),
            #[cfg(feature = "sqlite")]
            lent: None,
            in_tx: false,
            failed: false,
            savepoints: 0,
            write_permit: None,
        }
    }

    /// The engine this session came from.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The dialect of the session's database.
    pub fn dialect(&self) -> Dialect {
        self.engine.dialect()
    }

    /// Whether a transaction is open (a write happened since the last commit/rollback).
    pub fn in_transaction(&self) -> bool {
        self.in_tx
    }

    async fn conn(&mut self) -> Result<&mut Conn> {
        #[cfg(feature = "sqlite")]
        if let Some(lent) = self.lent.take() {
            self.conn = Some(lent.await.map_err(|_| Error::Pool("a streaming query lost the connection".to_owned()))?);
        }
        self.conn.as_mut().ok_or_else(|| Error::Pool("the session has no connection".to_owned()))
    }

    fn check_usable(&self) -> Result<()> {
        if self.failed { Err(Error::PendingRollback) } else { Ok(()) }
    }

    fn note_failure(&mut self, result: &Result<impl Sized>) {
        if result.is_err() && self.in_tx {
            self.failed = true;
        }
    }

    /// Runs a row-returning statement; every row read (all, or only the first) goes
    /// through `each`. Refused after an earlier failure until the session rolls back.
    pub(crate) async fn query_rows(
        &mut self,
        sql: &str,
        params: &[Value],
        read: Rows,
        each: impl FnMut(&mut RowReader<'_>) -> Result<()> + Send,
    ) -> Result<u64> {
        self.check_usable()?;
        let result = self.logged_query(sql, params, read, each).await;
        self.note_failure(&result);
        result
    }

    /// Runs a row-returning statement and logs it; the number of rows read.
    async fn logged_query(
        &mut self,
        sql: &str,
        params: &[Value],
        read: Rows,
        mut each: impl FnMut(&mut RowReader<'_>) -> Result<()> + Send,
    ) -> Result<u64> {
        let echo = self.engine.inner.echo;
        let started = crate::log::start(echo);
        let mut rows = 0u64;
        let result = self
            .conn()
            .await?
            .query(sql, params, read, |row| {
                rows += 1;
                each(row)
            })
            .await
            .map(|()| rows);
        crate::log::statement(echo, started, sql, params, result.as_ref().map(|n| *n));
        result
    }

    /// Whether a diagnostic query returns a row. Runs even after a failed statement (it
    /// explains that failure), so it skips the pending-rollback check.
    pub(crate) async fn probe_exists(&mut self, sql: &str, params: &[Value]) -> Result<bool> {
        self.logged_query(sql, params, Rows::First, |_| Ok(())).await.map(|n| n > 0)
    }

    /// The rows of a diagnostic query of text columns; see [`Session::probe_exists`].
    pub(crate) async fn probe_rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Option<String>>>> {
        let mut rows = Vec::new();
        self.logged_query(sql, params, Rows::All, |row| {
            let mut cells = Vec::new();
            while !row.at_end() {
                cells.push(row.read_unnamed::<Option<String>>("probe")?);
            }
            rows.push(cells);
            Ok(())
        })
        .await?;
        Ok(rows)
    }

    /// Runs a statement that returns no rows.
    pub(crate) async fn execute_sql(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        self.check_usable()?;
        let echo = self.engine.inner.echo;
        let started = crate::log::start(echo);
        let result = self.conn().await?.execute(sql, params).await;
        crate::log::statement(echo, started, sql, params, result.as_ref().map(|n| *n));
        self.note_failure(&result);
        result
    }

    async fn control(&mut self, sql: &str) -> Result<()> {
        let echo = self.engine.inner.echo;
        let started = crate::log::start(echo);
        let result = self.conn().await?.batch(sql).await;
        crate::log::statement(echo, started, sql, &[], result.as_ref().map(|_| 0));
        result
    }

    /// Runs DDL inside the session's transaction.
    pub(crate) async fn execute_ddl(&mut self, sql: &str) -> Result<()> {
        self.begin().await?;
        self.check_usable()?;
        let result = self.control(sql).await;
        self.note_failure(&result);
        result
    }

    /// Opens a transaction now (otherwise the first write opens one).
    pub async fn begin(&mut self) -> Result<()> {
        self.check_usable()?;
        if !self.in_tx {
            if let Some(gate) = self.engine.inner.write_gate.clone() {
                self.write_permit = Some(wait_for_turn(gate).await?);
            }
            let echo = self.engine.inner.echo;
            let started = crate::log::start(echo);
            let result = self.conn().await?.begin().await;
            crate::log::statement(echo, started, "BEGIN", &[], result.as_ref().map(|_| 0));
            if result.is_err() {
                self.write_permit = None;
            }
            result?;
            self.in_tx = true;
        }
        Ok(())
    }

    /// Commits the open transaction, if any.
    pub async fn commit(&mut self) -> Result<()> {
        self.check_usable()?;
        if self.in_tx {
            let result = self.control("COMMIT").await;
            if result.is_err() {
                self.failed = true;
                return result;
            }
            self.in_tx = false;
            self.savepoints = 0;
            self.write_permit = None;
        }
        Ok(())
    }

    /// Rolls back the open transaction, if any, and makes the session usable again after
    /// a failed statement.
    pub async fn rollback(&mut self) -> Result<()> {
        if self.in_tx {
            self.control("ROLLBACK").await?;
        }
        self.in_tx = false;
        self.failed = false;
        self.savepoints = 0;
        self.write_permit = None;
        Ok(())
    }

    /// Sets a savepoint in the transaction (opening one if needed).
    pub async fn savepoint(&mut self) -> Result<Savepoint> {
        self.begin().await?;
        self.savepoints += 1;
        let name = format!("tm_sp_{}", self.savepoints);
        self.control(&format!("SAVEPOINT {name}")).await?;
        Ok(Savepoint { name })
    }

    /// Undoes everything since `savepoint`; the transaction goes on, usable again even if
    /// a statement failed after the savepoint.
    pub async fn rollback_to_savepoint(&mut self, savepoint: Savepoint) -> Result<()> {
        self.control(&format!("ROLLBACK TO SAVEPOINT {}", savepoint.name)).await?;
        self.control(&format!("RELEASE SAVEPOINT {}", savepoint.name)).await?;
        self.failed = false;
        Ok(())
    }

    /// Keeps the work since `savepoint` as part of the transaction.
    pub async fn release_savepoint(&mut self, savepoint: Savepoint) -> Result<()> {
        self.check_usable()?;
        self.control(&format!("RELEASE SAVEPOINT {}", savepoint.name)).await
    }

    pub(crate) async fn write_sql(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        self.begin().await?;
        self.execute_sql(sql, params).await
    }

    async fn write_rows<M: Model>(&mut self, sql: &str, params: &[Value], out: &mut Vec<M>) -> Result<u64> {
        self.begin().await?;
        self.query_rows(sql, params, Rows::All, |row| {
            out.push(M::decode(row)?);
            Ok(())
        })
        .await
    }

    /// Inserts `model` with one `INSERT … RETURNING` and returns it as stored: with its
    /// generated key and server defaults filled in.
    ///
    /// A key field left `None` is not sent (the database generates it). A model breaking its
    /// field constraints is refused with [`Error::Validation`] before anything is sent.
    pub async fn add<M: Model>(&mut self, mut model: M) -> Result<M> {
        model.check()?;
        let related = !M::RELATIONS.is_empty() && model.has_loaded_related();
        if related {
            model.write_related_before(self).await?;
        }
        let omitted = omitted_columns(&model);
        let sql = self.statement::<M>(StatementKind::Insert { omitted });
        let params: Vec<Value> =
            (0..M::META.columns.len()).filter(|i| omitted & (1 << i) == 0).map(|i| model.column_value(i)).collect();
        let mut out = Vec::with_capacity(1);
        if let Err(err) = self.write_rows(sql, &params, &mut out).await {
            return Err(crate::fk_names::name_for_write(self, [&model], err).await);
        }
        let mut stored: M =
            out.pop().ok_or_else(|| Error::InvalidQuery(format!("INSERT into `{}` returned no row", M::META.name)))?;
        if related {
            stored.take_related(&mut model);
            stored.write_related_after(self, false).await?;
        }
        Ok(stored)
    }

    /// Inserts many models with multi-row `INSERT … RETURNING` statements (split to stay
    /// under the backend's parameter limit) and returns them as stored, in input order.
    ///
    /// When any model breaks its field constraints, none is written; the error's locations
    /// start with the model's position.
    pub async fn add_all<M: Model>(&mut self, models: impl IntoIterator<Item = M>) -> Result<Vec<M>> {
        let models: Vec<M> = models.into_iter().collect();
        for (i, m) in models.iter().enumerate() {
            m.check().map_err(|e| e.prefixed(i))?;
        }
        if !M::RELATIONS.is_empty() && models.iter().any(Model::has_loaded_related) {
            // Rows with loaded relationships are written one by one, each with its related rows.
            let mut stored = Vec::with_capacity(models.len());
            for m in models {
                stored.push(Box::pin(self.add(m)).await?);
            }
            return Ok(stored);
        }
        let mut stored: Vec<Option<M>> = (0..models.len()).map(|_| None).collect();
        // Rows leaving out different generated columns need different column lists.
        let mut groups: Vec<(u64, Vec<usize>)> = Vec::new();
        for (i, m) in models.iter().enumerate() {
            let omitted = omitted_columns(m);
            match groups.iter_mut().find(|(o, _)| *o == omitted) {
                Some((_, members)) => members.push(i),
                None => groups.push((omitted, vec![i])),
            }
        }
        for (omitted, members) in groups {
            let columns: Vec<usize> = (0..M::META.columns.len()).filter(|i| omitted & (1 << i) == 0).collect();
            let per_statement = (self.dialect().max_params() / columns.len().max(1)).clamp(1, 1000);
            for chunk in members.chunks(per_statement) {
                let (sql, params) = multi_insert_sql::<M>(&models, chunk, &columns, self.dialect());
                let mut rows: Vec<M> = Vec::with_capacity(chunk.len());
                if let Err(err) = self.write_rows(&sql, &params, &mut rows).await {
                    return Err(crate::fk_names::name_for_write(self, chunk.iter().map(|&i| &models[i]), err).await);
                }
                if rows.len() != chunk.len() {
                    return Err(Error::InvalidQuery(format!(
                        "INSERT into `{}` returned {} rows for {} models",
                        M::META.name,
                        rows.len(),
                        chunk.len()
                    )));
                }
                order_like_input(&models, chunk, &mut rows, omitted);
                for (&i, row) in chunk.iter().zip(rows) {
                    stored[i] = Some(row);
                }
            }
        }
        Ok(stored.into_iter().flatten().collect())
    }

    /// The `M` row with primary key `key`, or `None`.
    pub async fn get<M: Model>(&mut self, key: M::Key) -> Result<Option<M>> {
        let sql = self.statement::<M>(StatementKind::Get);
        let params = M::key_values(&key);
        let mut found = None;
        self.query_rows(sql, &params, Rows::First, |row| {
            found = Some(M::decode(row)?);
            Ok(())
        })
        .await?;
        Ok(found)
    }

    /// Writes every column of a model loaded earlier back to its row (by primary key) and
    /// reloads it from the `RETURNING` row. Saving a model whose row is gone, or that has
    /// no key, is an error, never a silent no-op.
    pub async fn save<M: Model>(&mut self, model: &mut M) -> Result<()> {
        model.check()?;
        let related = !M::RELATIONS.is_empty() && model.has_loaded_related();
        if related {
            model.write_related_before(self).await?;
        }
        let key = key_values(model)?;
        if M::META.columns.iter().all(|c| c.primary_key) {
            return Err(Error::InvalidQuery(format!(
                "`{}` has only key columns: there is nothing to save",
                M::META.name
            )));
        }
        let sql = self.statement::<M>(StatementKind::UpdateByKey);
        let mut params: Vec<Value> = (0..M::META.columns.len())
            .filter(|&i| !M::META.columns[i].primary_key)
            .map(|i| model.column_value(i))
            .collect();
        params.extend(key.iter().cloned());
        let mut out: Vec<M> = Vec::with_capacity(1);
        if let Err(err) = self.write_rows(sql, &params, &mut out).await {
            return Err(crate::fk_names::name_for_write(self, [&*model], err).await);
        }
        match out.pop() {
            Some(mut fresh) => {
                if related {
                    fresh.take_related(model);
                    *model = fresh;
                    model.write_related_after(self, true).await?;
                } else {
                    *model = fresh;
                }
                Ok(())
            }
            None => Err(Error::RowNotFound { table: M::META.name, key: format_key(&key), action: "updated" }),
        }
    }

    /// Deletes the model's row (by primary key); an error if no row was deleted.
    ///
    /// Rows related through its one-to-many and many-to-many relationships are first
    /// deleted (`cascade_delete`), left to the database (`passive_deletes`), or detached
    /// (foreign key set to NULL; link rows deleted), as SQLAlchemy does.
    pub async fn delete<M: Model>(&mut self, model: &M) -> Result<()> {
        let key = key_values(model)?;
        if !M::RELATIONS.is_empty() {
            crate::relationship::before_delete(self, model).await?;
        }
        let sql = self.statement::<M>(StatementKind::DeleteByKey);
        let deleted = match self.write_sql(sql, &key).await {
            Ok(n) => n,
            Err(err) => return Err(crate::fk_names::name_for_delete(self, model, err).await),
        };
        match deleted {
            0 => Err(Error::RowNotFound { table: M::META.name, key: format_key(&key), action: "deleted" }),
            _ => Ok(()),
        }
    }

    /// Reloads every column of the model from its row.
    pub async fn refresh<M: Model>(&mut self, model: &mut M) -> Result<()> {
        let key = key_values(model)?;
        let sql = self.statement::<M>(StatementKind::Get);
        let mut found = None;
        self.query_rows(sql, &key, Rows::First, |row| {
            found = Some(M::decode(row)?);
            Ok(())
        })
        .await?;
        match found {
            Some(fresh) => {
                *model = fresh;
                Ok(())
            }
            None => Err(Error::RowNotFound { table: M::META.name, key: format_key(&key), action: "refreshed" }),
        }
    }

    /// Runs a statement: a `select` gives its rows, a bulk `update`/`delete` the number of
    /// rows it changed.
    pub async fn exec<Q: Executable>(&mut self, statement: Q) -> Result<Q::Output> {
        statement.execute(self).await
    }

    /// Every row of a `select`.
    pub async fn all<S: Selection>(&mut self, select: Select<S>) -> Result<Vec<S::Output>> {
        let mut out = Vec::new();
        crate::query::fetch(self, select, Rows::All, |row| out.push(row)).await?;
        Ok(out)
    }

    /// The first row of a `select`, or `None` (adds `LIMIT 1` when no limit is set).
    pub async fn first<S: Selection>(&mut self, select: Select<S>) -> Result<Option<S::Output>> {
        let select = if select.limit.is_none() { select.limit(1) } else { select };
        let mut first = None;
        crate::query::fetch(self, select, Rows::First, |row| first = Some(row)).await?;
        Ok(first)
    }

    /// The one row of a `select`: [`Error::NoResult`] when there is none,
    /// [`Error::MultipleResults`] when there are more.
    pub async fn one<S: Selection>(&mut self, select: Select<S>) -> Result<S::Output> {
        self.one_or_none(select).await?.ok_or(Error::NoResult)
    }

    /// The row of a `select` if there is exactly one, `None` if there is none,
    /// [`Error::MultipleResults`] if there are more.
    pub async fn one_or_none<S: Selection>(&mut self, select: Select<S>) -> Result<Option<S::Output>> {
        let select = match select.limit {
            Some(n) if n <= 2 => select,
            _ => select.limit(2),
        };
        let mut rows = self.all(select).await?.into_iter();
        match (rows.next(), rows.next()) {
            (None, _) => Ok(None),
            (Some(row), None) => Ok(Some(row)),
            (Some(_), Some(_)) => Err(Error::MultipleResults),
        }
    }

    /// The rows of a `select` one at a time, without holding them all in memory.
    pub async fn stream<S: Selection>(
        &mut self,
        select: Select<S>,
    ) -> Result<futures_util::stream::BoxStream<'_, Result<S::Output>>> {
        self.check_usable()?;
        let (sql, params) = select.build(self.dialect())?;
        crate::stream::open(self, sql, params, select.selection).await
    }

    #[cfg(feature = "sqlite")]
    pub(crate) fn take_conn_for_stream(&mut self) -> Option<Conn> {
        self.conn.take()
    }

    #[cfg(feature = "sqlite")]
    pub(crate) fn lend(&mut self, back: tokio::sync::oneshot::Receiver<Conn>) {
        self.lent = Some(back);
    }

    pub(crate) async fn conn_for_stream(&mut self) -> Result<&mut Conn> {
        self.conn().await
    }

    pub(crate) fn echo(&self) -> bool {
        self.engine.inner.echo
    }

    fn statement<M: Model>(&self, kind: StatementKind) -> &'static str {
        self.engine.inner.statements.sql(M::META, kind, self.dialect())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if !self.in_tx {
            return;
        }
        let Some(conn) = self.conn.take() else { return };
        match conn {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(conn) => {
                // Best effort: if even ROLLBACK fails the pool's recycle check rolls back.
                let _ = conn.execute_batch("ROLLBACK");
            }
            #[cfg(feature = "postgres")]
            Conn::Postgres(client) => match tokio::runtime::Handle::try_current() {
                Ok(handle) => {
                    handle.spawn(async move {
                        if client.batch_execute("ROLLBACK").await.is_err() {
                            drop(deadpool_postgres::Object::take(client));
                        }
                    });
                }
                // No runtime to roll back on: close the connection, and the server rolls back.
                Err(_) => drop(deadpool_postgres::Object::take(client)),
            },
        }
    }
}

/// Waits for this engine's SQLite write turn, as long as SQLite itself would wait for a
/// lock; then the same "database is locked" error SQLite would give.
async fn wait_for_turn(gate: std::sync::Arc<tokio::sync::Mutex<()>>) -> Result<tokio::sync::OwnedMutexGuard<()>> {
    #[cfg(feature = "sqlite")]
    let limit = crate::backend::sqlite::BUSY_TIMEOUT;
    #[cfg(not(feature = "sqlite"))]
    let limit = std::time::Duration::from_secs(5);
    tokio::time::timeout(limit, gate.lock_owned()).await.map_err(|_| {
        crate::error::DatabaseError {
            kind: crate::error::DbErrorKind::Busy,
            code: Some("SQLITE_BUSY".to_owned()),
            constraint: None,
            table: None,
            message: "database is locked: another session of this engine kept its write transaction open".to_owned(),
            sql: Some("BEGIN IMMEDIATE".to_owned()),
        }
        .into()
    })
}

/// A statement [`Session::exec`] runs.
pub trait Executable: Send {
    /// What running it gives.
    type Output: Send;
    /// Runs it.
    fn execute(self, session: &mut Session) -> impl std::future::Future<Output = Result<Self::Output>> + Send;
}

impl<S: Selection> Executable for Select<S> {
    type Output = Vec<S::Output>;
    async fn execute(self, session: &mut Session) -> Result<Vec<S::Output>> {
        session.all(self).await
    }
}

impl<M: Model> Executable for Update<M> {
    type Output = u64;
    async fn execute(self, session: &mut Session) -> Result<u64> {
        if self.is_empty() {
            return Err(Error::InvalidQuery(format!("UPDATE of `{}` sets no column", M::META.name)));
        }
        let (sql, params) = self.build(session.dialect());
        session.write_sql(&sql, &params).await
    }
}

impl<M: Model> Executable for Delete<M> {
    type Output = u64;
    async fn execute(self, session: &mut Session) -> Result<u64> {
        let (sql, params) = self.build(session.dialect());
        session.write_sql(&sql, &params).await
    }
}

/// The bit set of generated columns the model leaves unset (not sent on insert).
fn omitted_columns<M: Model>(model: &M) -> u64 {
    let mut omitted = 0u64;
    for (i, c) in M::META.columns.iter().enumerate().take(64) {
        if c.autoincrement && crate::types::is_null(&model.column_value(i)) {
            omitted |= 1 << i;
        }
    }
    omitted
}

fn key_values<M: Model>(model: &M) -> Result<Vec<Value>> {
    let key: Vec<Value> = M::META.primary_key.iter().map(|&k| model.column_value(k)).collect();
    if key.iter().any(crate::types::is_null) {
        return Err(Error::MissingKey { table: M::META.name });
    }
    Ok(key)
}

fn format_key(key: &[Value]) -> String {
    let parts: Vec<String> = key.iter().map(|v| format!("{v:?}")).collect();
    format!("({})", parts.join(", "))
}

fn multi_insert_sql<M: Model>(
    models: &[M],
    chunk: &[usize],
    columns: &[usize],
    dialect: Dialect,
) -> (String, Vec<Value>) {
    let mut q = sea_query::Query::insert();
    q.into_table(M::META.name);
    if columns.is_empty() {
        q.or_default_values_many(chunk.len() as u32);
    } else {
        q.columns(columns.iter().map(|&c| M::META.columns[c].name));
        for &i in chunk {
            q.values_panic(columns.iter().map(|&c| sea_query::Expr::val(models[i].column_value(c))));
        }
    }
    q.returning(sea_query::Query::returning().columns(M::META.columns.iter().map(|c| c.name)));
    dialect.render(&q)
}

/// Puts the rows an `INSERT … RETURNING` gave back into the order of the models sent.
///
/// Neither SQLite nor PostgreSQL promises the order of `RETURNING` rows. Generated integer
/// keys grow in insertion order within one statement, so rows with generated keys are
/// sorted by key; rows whose keys were sent are matched to their models by key.
fn order_like_input<M: Model>(models: &[M], chunk: &[usize], rows: &mut Vec<M>, omitted: u64) {
    let pk = M::META.primary_key;
    if omitted != 0 && pk.len() == 1 {
        rows.sort_by_key(|r| int_value(&r.column_value(pk[0])));
        return;
    }
    let wanted: Vec<String> = chunk.iter().map(|&i| key_text(&models[i])).collect();
    let mut pool: Vec<Option<M>> = rows.drain(..).map(Some).collect();
    for want in wanted {
        if let Some(slot) = pool.iter_mut().find(|r| r.as_ref().is_some_and(|r| key_text(r) == want)) {
            rows.push(slot.take().expect("slot checked above"));
        }
    }
    rows.extend(pool.into_iter().flatten());
}

fn key_text<M: Model>(model: &M) -> String {
    format_key(&M::META.primary_key.iter().map(|&k| model.column_value(k)).collect::<Vec<_>>())
}

fn int_value(v: &Value) -> i64 {
    match v {
        Value::SmallInt(Some(i)) => i64::from(*i),
        Value::Int(Some(i)) => i64::from(*i),
        Value::BigInt(Some(i)) => *i,
        _ => i64::MIN,
    }
}
