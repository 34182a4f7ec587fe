//! The session: one connection, one transaction at a time, and the unit-of-work verbs
//! (`add`, `get`, `save`, `delete`, `refresh`, `exec`, `commit`, `rollback`).
//!
//! Reads outside a transaction run on their own; the first write opens a transaction
//! (see [`tx`]). Every statement runs through the logged execution of [`exec`]. Writes
//! use `RETURNING` where the database has it and read the row back by key where it does
//! not ([`readback`]). Models are validated before they are written; `save` sends only the
//! columns changed since the session handed the model out ([`tracking`]). Dropping a
//! session with an open transaction rolls it back.

/// Runs a row-returning statement as [`Session::query_rows`] does, without building its
/// future where [`Session::query_rows_now`] can run it at once.
macro_rules! read_rows {
    ($session:expr, $sql:expr, $params:expr, $read:expr, $each:expr) => {{
        let mut each = $each;
        match $session.query_rows_now($sql, $params, $read, &mut each) {
            Some(result) => result,
            None => $session.query_rows($sql, $params, $read, each).await,
        }
    }};
}

/// Runs a write that returns rows in the session's transaction, as [`Session::write_rows`]
/// does, without building a future for opening the transaction or for the statement where
/// [`Session::begin_now`] and [`Session::query_rows_now`] can run them at once (SQLite).
macro_rules! write_rows {
    ($session:expr, $sql:expr, $params:expr, $each:expr) => {{
        let begun = match $session.begin_now() {
            Some(result) => result,
            None => $session.begin_waiting().await,
        };
        let each = $each;
        match begun {
            // PostgreSQL: the first write goes out with the transaction's `BEGIN`.
            Ok(()) if $session.tx.begin_pending => $session.write_rows_with_begin($sql, $params, each).await,
            Ok(()) => read_rows!($session, $sql, $params, crate::backend::Rows::All, each),
            Err(e) => Err(e),
        }
    }};
}

/// Runs a write that returns no rows in the session's transaction, as
/// [`Session::write_sql`] does, without building a future where [`Session::begin_now`] and
/// [`Session::execute_now`] can run it at once (SQLite).
macro_rules! write_sql {
    (@with $session:expr, $sql:expr, $now_params:expr, $waiting:expr) => {{
        let begun = match $session.begin_now() {
            Some(result) => result,
            None => $session.begin_waiting().await,
        };
        match begun {
            Ok(()) => match $session.execute_now($sql, $now_params) {
                Some(result) => result,
                None => $waiting.await,
            },
            Err(e) => Err(e),
        }
    }};
    ($session:expr, $sql:expr, $params:expr) => {
        write_sql!(@with $session, $sql, $params, $session.execute_sql($sql, $params))
    };
}

/// Runs a write that returns no rows with the driver's parameters from
/// [`Session::driver_params_for_write`] on the connection in hand, the transaction's `BEGIN`
/// first, in the same future, when none is open.
macro_rules! write_params {
    ($session:expr, $sql:expr, $params:expr) => {{
        let begin = (!$session.tx.open).then_some($session.engine.inner.capabilities.begin_write);
        let (began, result) = match $session.conn.in_hand() {
            Some(conn) => conn.execute_params(begin, $sql, $params).await,
            None => (Ok(()), Err(Error::Internal("the session's connection went away".to_owned()))),
        };
        $session.noted_write(begin.is_some(), began, result)
    }};
}

mod exec;
mod insert;
mod pipeline;
mod readback;
mod route;
mod tracking;
mod tx;

pub(crate) use insert::Omitted;
pub(crate) use pipeline::Together;
use readback::Inserted;
pub(crate) use tracking::Loaded;
pub use tx::Savepoint;

use crate::backend::{Capabilities, Conn, ConnSlot, Dialect, Rows};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::query::{Delete, ModelStatements, Select, Selection, StatementKind, Update, update_statement};
use crate::types::Value;
use insert::{insert_sql, order_like_input};

/// A unit of work on one pooled connection. Get one from [`Engine::session`].
pub struct Session {
    engine: Engine,
    conn: ConnSlot,
    tx: tx::Tx,
    /// The rows as this session last read or wrote them, for `save`.
    loaded: tracking::Loaded,
    /// The timeouts this session set on its connection: the engine's come back at its end.
    own_timeouts: Option<route::OwnTimeouts>,
    /// Where its connection comes from.
    route: route::Route,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("in_transaction", &self.tx.open).field("failed", &self.tx.failed).finish()
    }
}

impl Session {
    pub(crate) fn new(engine: Engine, conn: Option<Conn>) -> Self {
        Session {
            engine,
            conn: ConnSlot::new(conn),
            tx: tx::Tx::default(),
            loaded: tracking::Loaded::default(),
            own_timeouts: None,
            route: route::Route::Primary,
        }
    }

    /// A session that reads from the replicas until it writes; no connection yet.
    pub(crate) fn routed(engine: Engine) -> Self {
        let mut session = Session::new(engine, None);
        session.route = route::Route::Replica(None);
        session
    }

    /// Limits how long each of this session's statements may run (`None`: no limit), in
    /// place of the engine's [`statement_timeout`](crate::EngineBuilder::statement_timeout),
    /// until the session ends. A statement that runs out fails with
    /// [`DbErrorKind::Timeout`](crate::DbErrorKind::Timeout); inside a transaction the
    /// session then needs a `rollback()`, after which it works again.
    pub async fn set_statement_timeout(&mut self, limit: Option<std::time::Duration>) -> Result<()> {
        self.set_timeouts(Some(limit), None).await
    }

    /// Limits how long each of this session's statements waits for a lock (`None`: no
    /// limit), in place of the engine's [`lock_timeout`](crate::EngineBuilder::lock_timeout),
    /// until the session ends. Running out is a [`DbErrorKind::Busy`](crate::DbErrorKind::Busy)
    /// error.
    pub async fn set_lock_timeout(&mut self, limit: Option<std::time::Duration>) -> Result<()> {
        self.set_timeouts(None, Some(limit)).await
    }

    async fn set_timeouts(
        &mut self,
        statement: Option<Option<std::time::Duration>>,
        lock: Option<Option<std::time::Duration>>,
    ) -> Result<()> {
        self.tx.check_usable()?;
        let own = self.own_timeouts.get_or_insert_default();
        if statement.is_some() {
            own.statement = statement;
        }
        if lock.is_some() {
            own.lock = lock;
        }
        // `SET` inside the transaction, as it would be had `BEGIN` gone out on its own.
        self.send_pending_begin().await?;
        let result = self.conn().await?.set_timeouts(statement, lock).await;
        self.tx.note(&result);
        result
    }

    /// The engine this session came from.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The dialect of the session's database.
    pub fn dialect(&self) -> Dialect {
        self.engine.dialect()
    }

    /// What the session's database can do, as its engine uses it.
    pub fn capabilities(&self) -> &Capabilities {
        &self.engine.inner.capabilities
    }

    /// Inserts `model` and returns it as stored: with its generated key and server
    /// defaults filled in (one `INSERT … RETURNING`, or the insert and a read-back by key
    /// in the same transaction where the database has no `RETURNING`).
    ///
    /// A column the database can fill (a generated key, a `server_default`, a
    /// `#[field(generated)]` column) is left out of the `INSERT` when the model gives it no
    /// value (`None`), and a generated column always is; the database's value comes back.
    ///
    /// The model is validated first, as a request body would be ([`Model::validate_write`]):
    /// field constraints, field and model validators, whose returned values are the ones
    /// stored (a `strip` or title-case validator applies). A model failing them is refused
    /// with [`Error::Validation`] before anything is sent. Validation costs what the
    /// validators cost, plus a JSON rendering of each checked field for error reports and
    /// a copy of each value a validator takes; [`Session::add_unchecked`] skips it.
    pub fn add<M: Model>(&mut self, model: M) -> impl Future<Output = Result<M>> + Send + '_ {
        // The future of `insert_model` itself: one future less than awaiting it in another.
        self.insert_model(model, true)
    }

    /// [`Session::add`] without validation: constraints and validators do not run and values
    /// are stored as given. For bulk loads of data validated elsewhere; a row breaking the
    /// model's rules is stored as it is (the database's own constraints still apply).
    pub fn add_unchecked<M: Model>(&mut self, model: M) -> impl Future<Output = Result<M>> + Send + '_ {
        self.insert_model(model, false)
    }

    /// [`Session::add`] when `validate`, [`Session::add_unchecked`] otherwise.
    async fn insert_model<M: Model>(&mut self, mut model: M, validate: bool) -> Result<M> {
        if validate {
            model.validate_write()?;
        }
        let related = !M::RELATIONS.is_empty() && model.has_loaded_related();
        if related {
            Box::pin(model.write_related_before(self)).await?;
        }
        let mut stored = if self.capabilities().returning_on_insert {
            // `INSERT … RETURNING` written out here rather than in a function of its own:
            // one future less, and the row read straight into its model.
            let (omitted, params) = Omitted::with_sent_values(&model, Vec::new());
            let sql = self.statement::<M>(StatementKind::Insert { omitted });
            let mut stored = None;
            let result = write_rows!(self, sql, &params, |row: &mut crate::row::RowReader<'_>| {
                stored = Some(M::decode(row)?);
                Ok(())
            });
            if let Err(err) = result {
                // Boxed, as every rare path of a write: its future would grow the common one's.
                return Err(Box::pin(crate::backend::name_foreign_key_for_write(self, [&model], err)).await);
            }
            let mut stored =
                stored.ok_or_else(|| Error::Internal(format!("INSERT into `{}` returned no row", M::META.name)))?;
            if related {
                stored.take_related(&mut model);
            }
            stored
        } else if !self.dialect().capabilities().returning_on_insert
            && let Some((omitted, params)) =
                self.driver_params_for_write(M::META.columns.len()).and_then(|mut params| {
                    let (omitted, as_sent) = Omitted::scan::<M, true>(&model, |value| params.push(value));
                    as_sent.then_some((omitted, params))
                })
        {
            // A row stored as sent (nothing to read back: `Session::insert_then_read`), its
            // values made straight into what the driver sends, its INSERT the dialect's own
            // (no RETURNING): the model is the row, once given its generated key.
            let sql = self.statement::<M>(StatementKind::Insert { omitted });
            let mut result = write_params!(self, sql, params).map(|_| None);
            if result.is_ok() && omitted.any() {
                // The generated key: the one column a row stored as sent leaves out.
                let id = match self.last_insert_id_now() {
                    Some(id) => id,
                    None => Box::pin(self.last_insert_id()).await,
                };
                result = id.and_then(readback::generated_key::<M>).map(Some);
            }
            match result {
                Ok(Some((k, key))) => model.set_column(k, key)?,
                Ok(None) => {}
                Err(err) => {
                    return Err(Box::pin(crate::backend::name_foreign_key_for_write(self, [&model], err)).await);
                }
            }
            model
        } else {
            // `insert_one` written out here: one future less.
            let (omitted, params, as_sent) = Omitted::with_sent_values_judged(&model);
            match self.insert_then_read(&model, omitted, params, as_sent).await {
                Ok(Inserted::Read(mut stored)) => {
                    if related {
                        stored.take_related(&mut model);
                    }
                    stored
                }
                // The model is the row (its loaded relationships with it).
                Ok(Inserted::AsSent(key)) => {
                    if let Some((column, value)) = key {
                        model.set_column(column, value)?;
                    }
                    model
                }
                Err(err) => {
                    return Err(Box::pin(crate::backend::name_foreign_key_for_write(self, [&model], err)).await);
                }
            }
        };
        self.loaded.remember(&stored);
        if related {
            Box::pin(stored.write_related_after(self, false)).await?;
        }
        Ok(stored)
    }

    /// Inserts one checked model where the database has no `INSERT … RETURNING` and reads
    /// the row back; its foreign key named on failure.
    async fn insert_one<M: Model>(&mut self, model: &M) -> Result<M> {
        let (omitted, params) = Omitted::with_sent_values(model, Vec::new());
        match self.insert_then_read(model, omitted, params, false).await {
            Ok(Inserted::Read(stored)) => Ok(stored),
            Ok(Inserted::AsSent(_)) => Err(Error::Internal("a row to read back was not".to_owned())),
            // Boxed, as every rare path of a write: its future would grow the common one's.
            Err(err) => Err(Box::pin(crate::backend::name_foreign_key_for_write(self, [model], err)).await),
        }
    }

    /// Inserts many models with multi-row `INSERT … RETURNING` statements (split to stay
    /// under the backend's parameter limit) and returns them as stored, in input order.
    /// Without `RETURNING`, the rows are read back by key after each multi-row `INSERT`
    /// (one by one when the database does not promise consecutive generated keys).
    ///
    /// Rows leaving different columns to the database are sent in one statement per set of
    /// columns left out; the result keeps the order of `models`.
    ///
    /// Every model is validated as by [`Session::add`]; when any fails, none is written and
    /// the error's locations start with the model's position. [`Session::add_all_unchecked`]
    /// skips validation.
    pub async fn add_all<M: Model>(&mut self, models: impl IntoIterator<Item = M>) -> Result<Vec<M>> {
        let mut models: Vec<M> = models.into_iter().collect();
        for (i, m) in models.iter_mut().enumerate() {
            m.validate_write().map_err(|e| e.prefixed(i))?;
        }
        self.add_all_unchecked(models).await
    }

    /// [`Session::add_all`] without validation, for bulk loads: see
    /// [`Session::add_unchecked`].
    pub async fn add_all_unchecked<M: Model>(&mut self, models: impl IntoIterator<Item = M>) -> Result<Vec<M>> {
        let models: Vec<M> = models.into_iter().collect();
        if !M::RELATIONS.is_empty() && models.iter().any(Model::has_loaded_related) {
            // Rows with loaded relationships are written one by one, each with its related rows.
            let mut stored = Vec::with_capacity(models.len());
            for m in models {
                stored.push(Box::pin(self.add_unchecked(m)).await?);
            }
            return Ok(stored);
        }
        if !self.capabilities().returning_on_insert {
            return self.add_all_reading_back(models).await;
        }
        let mut stored: Vec<Option<M>> = (0..models.len()).map(|_| None).collect();
        for (omitted, members) in Omitted::groups(&models) {
            let columns: Vec<usize> = omitted.sent(M::META).collect();
            for chunk in members.chunks(self.rows_per_insert(columns.len())) {
                let (sql, params) = insert_sql::<M>(&models, chunk, &columns, true, self.dialect());
                let mut rows: Vec<M> = Vec::with_capacity(chunk.len());
                if let Err(err) = self.write_rows(&sql, &params, &mut rows).await {
                    let models = chunk.iter().map(|&i| &models[i]);
                    return Err(crate::backend::name_foreign_key_for_write(self, models, err).await);
                }
                self.keep_inserted(&models, chunk, rows, omitted, &mut stored)?;
            }
        }
        Ok(stored.into_iter().flatten().collect())
    }

    /// Puts the rows stored for one multi-row `INSERT` (from `RETURNING`, or read back)
    /// next to the models of `chunk` they were sent as, and remembers them as loaded.
    pub(crate) fn keep_inserted<M: Model>(
        &mut self,
        models: &[M],
        chunk: &[usize],
        mut rows: Vec<M>,
        omitted: Omitted,
        stored: &mut [Option<M>],
    ) -> Result<()> {
        if rows.len() != chunk.len() {
            return Err(Error::Internal(format!(
                "INSERT into `{}` gave back {} rows for {} models",
                M::META.name,
                rows.len(),
                chunk.len()
            )));
        }
        order_like_input(models, chunk, &mut rows, omitted);
        for (&i, row) in chunk.iter().zip(rows) {
            self.loaded.remember(&row);
            stored[i] = Some(row);
        }
        Ok(())
    }

    /// How many rows of `columns` values one multi-row `INSERT` sends: as many as the
    /// backend's parameter limit allows, at most 1,000.
    pub(crate) fn rows_per_insert(&self, columns: usize) -> usize {
        (self.capabilities().max_params / columns.max(1)).clamp(1, 1000)
    }

    /// The `M` row with primary key `key`, or `None`.
    pub async fn get<M: Model>(&mut self, key: M::Key) -> Result<Option<M>> {
        let sql = self.statement::<M>(StatementKind::Get);
        let params = M::key_params(&key);
        let mut found = None;
        read_rows!(self, sql, &params, Rows::First, |row: &mut crate::row::RowReader<'_>| {
            found = Some(M::decode(row)?);
            Ok(())
        })?;
        if let Some(m) = &found {
            self.loaded.remember(m);
        }
        Ok(found)
    }

    /// Writes the columns of `model` changed since this session loaded or last wrote its row
    /// and reloads it as stored (from the `RETURNING` row, or read back
    /// where the database has no `UPDATE … RETURNING`). When nothing changed, nothing is
    /// sent. A model this session never handed out has every column written.
    ///
    /// The model is validated first, as by [`Session::add`]. With a `#[field(version)]`
    /// column the update applies only to the row with the version the model was loaded
    /// with, and increments it; [`Error::StaleData`] when another writer changed it since.
    /// Saving a model whose row is gone, or that has no key, is an error, never a silent
    /// no-op.
    pub async fn save<M: Model>(&mut self, model: &mut M) -> Result<()> {
        model.validate_write()?;
        let related = !M::RELATIONS.is_empty() && model.has_loaded_related();
        if related {
            Box::pin(model.write_related_before(self)).await?;
        }
        let key = key_values(model)?;
        if M::META.columns.iter().all(|c| c.primary_key) {
            return Err(Error::NothingToSave { table: M::META.name });
        }
        let (changed, loaded_version) = self.loaded.changes(&*model, &key);
        if changed.is_empty() {
            if related {
                Box::pin(model.write_related_after(self, true)).await?;
            }
            return Ok(());
        }
        let version = M::META.columns.iter().position(|c| c.version);
        // Inline: a `save` of a few columns allocates nothing for its values.
        let mut params: smallvec::SmallVec<[Value; 4]> = changed.iter().map(|&i| model.column_value(i)).collect();
        params.extend(key.iter().cloned());
        if let Some(v) = version {
            params.push(loaded_version.unwrap_or_else(|| model.column_value(v)));
        }
        let result = if self.capabilities().returning_on_update {
            let sql = update_statement::<M>(&changed, true, self.dialect());
            // The row read straight into its model, without a vector or a future for it.
            let mut fresh = None;
            write_rows!(self, &sql, &params, |row: &mut crate::row::RowReader<'_>| {
                fresh = Some(M::decode(row)?);
                Ok(())
            })
            .map(|_| fresh)
        } else {
            let sql = update_statement::<M>(&changed, false, self.dialect());
            self.update_then_read(&sql, &params, &key).await
        };
        let fresh = match result {
            Ok(fresh) => fresh,
            Err(err) => return Err(Box::pin(crate::backend::name_foreign_key_for_write(self, [&*model], err)).await),
        };
        match fresh {
            Some(mut fresh) => {
                self.loaded.remember(&fresh);
                if related {
                    fresh.take_related(model);
                    *model = fresh;
                    Box::pin(model.write_related_after(self, true)).await?;
                } else {
                    *model = fresh;
                }
                Ok(())
            }
            None if version.is_some() => Err(Error::StaleData { table: M::META.name, key: format_key(&key) }),
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
        if !M::RELATIONS.is_empty() && crate::relationship::before_delete_needed::<M>() {
            Box::pin(crate::relationship::before_delete(self, model)).await?;
        }
        let sql = self.statement::<M>(StatementKind::DeleteByKey);
        let deleted = match write_sql!(self, sql, &key) {
            Ok(n) => n,
            Err(err) => return Err(Box::pin(crate::backend::name_foreign_key_for_delete(self, model, err)).await),
        };
        self.loaded.forget::<M>(&key);
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
                self.loaded.remember(&fresh);
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
    pub async fn all<S: Selection>(&mut self, mut select: Select<S>) -> Result<Vec<S::Output>> {
        if let Some(wait) = select.row_lock() {
            Box::pin(self.begin_locking_read(wait)).await?;
        }
        // A page's rows fit without growing the vector; otherwise as `Vec::push` would start.
        let mut out = Vec::with_capacity(select.limit_value().map_or(4, |n| n.min(1024) as usize));
        // Each verb runs its query itself: a shared `async fn` between the verb and
        // `query_rows` would be one more future built, moved and polled per call.
        let (sql, params) = crate::query::prepare(&mut select, self.dialect())?;
        let selection = &select.selection;
        read_rows!(self, &sql, &params, Rows::All, |row: &mut crate::row::RowReader<'_>| {
            out.push(selection.decode(row)?);
            Ok(())
        })?;
        S::remember_all(out.iter(), &mut self.loaded);
        Ok(out)
    }

    /// The first row of a `select`, or `None` (adds `LIMIT 1` when no limit is set).
    pub async fn first<S: Selection>(&mut self, mut select: Select<S>) -> Result<Option<S::Output>> {
        if let Some(wait) = select.row_lock() {
            Box::pin(self.begin_locking_read(wait)).await?;
        }
        if select.limit_value().is_none() {
            select.verb_limit(1);
        }
        let mut first = None;
        let (sql, params) = crate::query::prepare(&mut select, self.dialect())?;
        let selection = &select.selection;
        read_rows!(self, &sql, &params, Rows::First, |row: &mut crate::row::RowReader<'_>| {
            first = Some(selection.decode(row)?);
            Ok(())
        })?;
        if let Some(row) = &first {
            S::remember(row, &mut self.loaded);
        }
        Ok(first)
    }

    /// The one row of a `select`: [`Error::NoResult`] when there is none,
    /// [`Error::MultipleResults`] when there are more.
    pub async fn one<S: Selection>(&mut self, mut select: Select<S>) -> Result<S::Output> {
        if let Some(wait) = select.row_lock() {
            Box::pin(self.begin_locking_read(wait)).await?;
        }
        limit_to_two(&mut select);
        // Written out as `first` is, rather than through `one_or_none`: one future less.
        let mut found = None;
        let (sql, params) = crate::query::prepare(&mut select, self.dialect())?;
        let selection = &select.selection;
        let rows = read_rows!(self, &sql, &params, Rows::All, |row: &mut crate::row::RowReader<'_>| {
            if found.is_none() {
                found = Some(selection.decode(row)?);
            }
            Ok(())
        })?;
        self.only_row::<S>(rows, found.as_ref())?;
        found.ok_or(Error::NoResult)
    }

    /// The row of a `select` if there is exactly one, `None` if there is none,
    /// [`Error::MultipleResults`] if there are more.
    pub async fn one_or_none<S: Selection>(&mut self, mut select: Select<S>) -> Result<Option<S::Output>> {
        if let Some(wait) = select.row_lock() {
            Box::pin(self.begin_locking_read(wait)).await?;
        }
        limit_to_two(&mut select);
        let mut found = None;
        let (sql, params) = crate::query::prepare(&mut select, self.dialect())?;
        let selection = &select.selection;
        let rows = read_rows!(self, &sql, &params, Rows::All, |row: &mut crate::row::RowReader<'_>| {
            if found.is_none() {
                found = Some(selection.decode(row)?);
            }
            Ok(())
        })?;
        self.only_row::<S>(rows, found.as_ref())?;
        Ok(found)
    }

    /// Checks the answer of `one_or_none` when the statement gave `rows` rows (two at most)
    /// and `found` is the first, decoded: [`Error::MultipleResults`] for a second row, which
    /// is counted but neither decoded nor handed out (so not remembered for `save`).
    ///
    /// Takes the row by reference: a model moved in and out again is copied twice (with a
    /// `memcpy` call for one the size of `Hero` and its relationships).
    #[inline]
    fn only_row<S: Selection>(&mut self, rows: u64, found: Option<&S::Output>) -> Result<()> {
        if rows > 1 {
            return Err(Error::MultipleResults);
        }
        if let Some(row) = found {
            S::remember(row, &mut self.loaded);
        }
        Ok(())
    }

    /// The rows of a `select` one at a time, without holding them all in memory.
    ///
    /// A failure while streaming counts as a failed statement: inside a transaction, the
    /// session then answers [`Error::PendingRollback`] until `rollback()`.
    pub async fn stream<S: Selection>(
        &mut self,
        mut select: Select<S>,
    ) -> Result<futures_util::stream::BoxStream<'_, Result<S::Output>>> {
        self.tx.check_usable()?;
        if let Some(wait) = select.row_lock() {
            Box::pin(self.begin_locking_read(wait)).await?;
        }
        // Through the statement cache, as the other verbs: a stream of a few rows would
        // otherwise pay a rendering per call, and on PostgreSQL a lookup of its statement
        // by the whole text.
        let (sql, params) = crate::query::prepare(&mut select, self.dialect())?;
        let selection = select.selection;
        self.stream_rows(sql, params, move |row| selection.decode(row)).await
    }

    /// The fixed statement of `kind` for `M`, rendered once per process and dialect.
    #[inline]
    fn statement<M: Model>(&self, kind: StatementKind) -> &'static str {
        match M::fixed_statements() {
            Some(slots) => slots.sql(M::META, kind, self.dialect()),
            None => ModelStatements.sql(M::META, kind, self.dialect()),
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.tx.open_on_server() || self.own_timeouts.is_some() {
            self.conn.end_on_drop(self.tx.open_on_server(), self.own_timeouts.is_some());
        }
    }
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
    async fn execute(mut self, session: &mut Session) -> Result<u64> {
        if self.is_empty() {
            return Err(Error::EmptyUpdate { table: M::META.name });
        }
        let (sql, params) = crate::query::prepare(&mut self, session.dialect())?;
        session.write_sql(&sql, &params).await
    }
}

impl<M: Model> Executable for Delete<M> {
    type Output = u64;
    async fn execute(mut self, session: &mut Session) -> Result<u64> {
        let (sql, params) = crate::query::prepare(&mut self, session.dialect())?;
        session.write_sql(&sql, &params).await
    }
}

/// `one` and `one_or_none` read two rows at most: the second only tells that there are more.
fn limit_to_two<S: Selection>(select: &mut Select<S>) {
    if select.limit_value().is_none_or(|n| n > 2) {
        select.verb_limit(2);
    }
}

/// A model's key values: inline for a key of one or two columns, so that `save` and
/// `delete` allocate nothing for it.
type KeyValues = smallvec::SmallVec<[Value; 2]>;

fn key_values<M: Model>(model: &M) -> Result<KeyValues> {
    let key: KeyValues = M::META.primary_key.iter().map(|&k| model.column_value(k)).collect();
    if key.iter().any(crate::types::is_null) {
        return Err(Error::MissingKey { table: M::META.name });
    }
    Ok(key)
}

fn format_key(key: &[Value]) -> String {
    let parts: Vec<String> = key.iter().map(|v| format!("{v:?}")).collect();
    format!("({})", parts.join(", "))
}
