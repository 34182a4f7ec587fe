//! The same engine and session for programs without an async runtime: command-line tools,
//! data scripts, plain `#[test]` functions — what SQLModel's tutorial scripts do with
//! `with Session(engine) as session:`.
//!
//! This is not a second implementation: a blocking [`Engine`] wraps the async
//! [`crate::Engine`] and owns a small current-thread tokio runtime; every verb of the
//! blocking [`Session`] runs the async verb to completion on that runtime
//! (`Runtime::block_on`). Statements, logging, errors and transactions are therefore
//! exactly those of the async API.
//!
//! ```
//! use tablemodel::prelude::*;
//! use tablemodel::blocking::Engine;
//!
//! #[derive(Model, Debug)]
//! #[model(table)]
//! struct Hero {
//!     #[field(primary_key)]
//!     id: Option<i64>,
//!     name: String,
//!     age: Option<i32>,
//! }
//!
//! # fn main() -> Result<(), tablemodel::Error> {
//! let engine = Engine::connect("sqlite::memory:")?;
//! engine.create_all::<Hero>()?;
//!
//! let mut session = engine.session()?;
//! let hero = session.add(Hero { id: None, name: "Deadpond".into(), age: None })?;
//! session.commit()?;
//! assert_eq!(hero.id, Some(1));
//!
//! let found = session.exec(select::<Hero>().filter(Hero::name().eq("Deadpond")))?;
//! assert_eq!(found.len(), 1);
//! # Ok(()) }
//! ```
//!
//! # Inside an async runtime
//!
//! Blocking a thread that an async runtime drives would stall every task on it (and tokio
//! forbids starting a runtime from inside another). So every blocking verb first checks
//! whether the calling thread is inside a tokio runtime and, if it is, returns
//! [`Error::BlockingInsideRuntime`], without touching the database: there is no
//! panic. Async code uses [`crate::Engine`] and [`crate::Session`] directly; code that
//! must call a blocking helper from async code runs it on
//! `tokio::task::spawn_blocking`, whose threads are outside the runtime.
//!
//! Dropping a blocking session with an open transaction rolls it back before the
//! connection goes back to the pool, even when the drop happens inside a runtime (the
//! rollback then runs on a short-lived thread of its own).

use std::future::Future;
use std::sync::Arc;

use crate::ddl::Tables;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::query::{Select, Selection};
use crate::relationship::Loader;
use crate::session::{Executable, Savepoint};
use crate::{Dialect, TableMeta};

/// A pool of connections to one database, for code that does not run an async runtime.
///
/// Cheap to clone, and shareable between threads; the clones share the pool and the
/// runtime. The URLs are those of [`crate::Engine`]; the [module documentation](self) says
/// what happens inside an async runtime.
#[derive(Clone)]
pub struct Engine {
    inner: crate::Engine,
    rt: Arc<Runtime>,
}

/// Settings for [`Engine::builder`]: those of [`crate::EngineBuilder`].
#[derive(Clone, Debug)]
#[must_use]
pub struct EngineBuilder {
    inner: crate::EngineBuilder,
}

/// A unit of work on one pooled connection, with blocking verbs. Get one from
/// [`Engine::session`]; the verbs are those of [`crate::Session`].
pub struct Session {
    // Declared before `rt`: the async session drops while the runtime still runs.
    inner: crate::Session,
    rt: Arc<Runtime>,
}

/// The runtime the blocking verbs run on; shut down without blocking when the last owner
/// is dropped inside another runtime (where a blocking shutdown would panic).
struct Runtime(Option<tokio::runtime::Runtime>);

impl Runtime {
    fn new() -> Result<Runtime> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Error::Runtime)?;
        Ok(Runtime(Some(rt)))
    }

    /// Runs `future` to completion, or says why it cannot be run from this thread.
    ///
    /// Most SQLite verbs finish on their first poll (the driver call is synchronous), so
    /// that poll happens in the runtime's context with a no-op waker; `block_on`, which
    /// costs about a quarter of a key lookup, only runs futures that have to wait (network
    /// I/O, the SQLite write turn). Polling again with another waker is what the `Future`
    /// contract expects.
    fn block_on<F: Future>(&self, future: F) -> Result<F::Output> {
        outside_runtime()?;
        let rt = self.0.as_ref().expect("the runtime lives until drop");
        let mut future = std::pin::pin!(future);
        {
            let _context = rt.enter();
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return Ok(output);
            }
        }
        Ok(rt.block_on(future))
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            rt.shutdown_background();
        }
    }
}

/// `Ok` when the calling thread is not inside an async runtime.
fn outside_runtime() -> Result<()> {
    match tokio::runtime::Handle::try_current() {
        Err(_) => Ok(()),
        Ok(_) => Err(Error::BlockingInsideRuntime),
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("blocking::Engine").field(&self.inner).finish()
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("blocking::Session").field(&self.inner).finish()
    }
}

impl EngineBuilder {
    /// See [`crate::EngineBuilder::max_connections`].
    pub fn max_connections(self, n: usize) -> Self {
        EngineBuilder { inner: self.inner.max_connections(n) }
    }

    /// See [`crate::EngineBuilder::echo`]: log every statement at `INFO` level.
    pub fn echo(self, echo: bool) -> Self {
        EngineBuilder { inner: self.inner.echo(echo) }
    }

    /// Starts the engine's runtime, opens the pool and checks that the database answers.
    pub fn connect(self) -> Result<Engine> {
        outside_runtime()?;
        let rt = Arc::new(Runtime::new()?);
        let inner = rt.block_on(self.inner.connect())??;
        Ok(Engine { inner, rt })
    }
}

impl Engine {
    /// Connects with default settings; see [`Engine::builder`] for more.
    pub fn connect(url: &str) -> Result<Engine> {
        Engine::builder(url).connect()
    }

    /// Settings before connecting.
    pub fn builder(url: &str) -> EngineBuilder {
        EngineBuilder { inner: crate::Engine::builder(url) }
    }

    /// The SQL dialect of the database.
    pub fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }

    /// A new session with its own connection from the pool.
    pub fn session(&self) -> Result<Session> {
        let inner = self.rt.block_on(self.inner.session())??;
        Ok(Session { inner, rt: self.rt.clone() })
    }

    /// Creates the tables of `T` (a model or a tuple of models) that do not exist yet.
    pub fn create_all<T: Tables>(&self) -> Result<()> {
        self.rt.block_on(self.inner.create_all::<T>())?
    }

    /// Drops the tables of `T` that exist, dependents first.
    pub fn drop_all<T: Tables>(&self) -> Result<()> {
        self.rt.block_on(self.inner.drop_all::<T>())?
    }

    /// [`Engine::create_all`] for tables given as metadata.
    pub fn create_tables(&self, tables: &[&'static TableMeta]) -> Result<()> {
        self.rt.block_on(self.inner.create_tables(tables))?
    }

    /// [`Engine::drop_all`] for tables given as metadata.
    pub fn drop_tables(&self, tables: &[&'static TableMeta]) -> Result<()> {
        self.rt.block_on(self.inner.drop_tables(tables))?
    }

    /// Closes the pool: sessions already open finish, new ones fail.
    pub fn close(&self) {
        self.inner.close();
    }
}

impl Session {
    /// The SQL dialect of the session's database.
    pub fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }

    /// Whether a transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.inner.in_transaction()
    }

    /// Opens a transaction now (otherwise the first write opens one).
    pub fn begin(&mut self) -> Result<()> {
        self.rt.block_on(self.inner.begin())?
    }

    /// Commits the open transaction, if any.
    pub fn commit(&mut self) -> Result<()> {
        self.rt.block_on(self.inner.commit())?
    }

    /// Rolls back the open transaction, if any, and makes the session usable again after a
    /// failed statement.
    pub fn rollback(&mut self) -> Result<()> {
        self.rt.block_on(self.inner.rollback())?
    }

    /// Sets a savepoint in the transaction (opening one if needed).
    pub fn savepoint(&mut self) -> Result<Savepoint> {
        self.rt.block_on(self.inner.savepoint())?
    }

    /// Undoes everything since `savepoint`.
    pub fn rollback_to_savepoint(&mut self, savepoint: Savepoint) -> Result<()> {
        self.rt.block_on(self.inner.rollback_to_savepoint(savepoint))?
    }

    /// Keeps the work since `savepoint` as part of the transaction.
    pub fn release_savepoint(&mut self, savepoint: Savepoint) -> Result<()> {
        self.rt.block_on(self.inner.release_savepoint(savepoint))?
    }

    /// Inserts a model and returns it with its generated key; see [`crate::Session::add`].
    pub fn add<M: Model>(&mut self, model: M) -> Result<M> {
        self.rt.block_on(self.inner.add(model))?
    }

    /// Inserts many models; see [`crate::Session::add_all`].
    pub fn add_all<M: Model>(&mut self, models: impl IntoIterator<Item = M>) -> Result<Vec<M>> {
        self.rt.block_on(self.inner.add_all(models))?
    }

    /// The row with this primary key, or `None`.
    pub fn get<M: Model>(&mut self, key: M::Key) -> Result<Option<M>> {
        self.rt.block_on(self.inner.get(key))?
    }

    /// Writes a changed model back; see [`crate::Session::save`].
    pub fn save<M: Model>(&mut self, model: &mut M) -> Result<()> {
        self.rt.block_on(self.inner.save(model))?
    }

    /// Deletes a model's row; see [`crate::Session::delete`].
    pub fn delete<M: Model>(&mut self, model: &M) -> Result<()> {
        self.rt.block_on(self.inner.delete(model))?
    }

    /// Reads a model's row again; see [`crate::Session::refresh`].
    pub fn refresh<M: Model>(&mut self, model: &mut M) -> Result<()> {
        self.rt.block_on(self.inner.refresh(model))?
    }

    /// Runs a statement: a `select` gives its rows (with their relationships when built
    /// with `.load(...)`), a bulk `update`/`delete` the number of rows it changed.
    pub fn exec<Q: Executable>(&mut self, statement: Q) -> Result<Q::Output> {
        self.rt.block_on(self.inner.exec(statement))?
    }

    /// Every row of a `select`.
    pub fn all<S: Selection>(&mut self, select: Select<S>) -> Result<Vec<S::Output>> {
        self.rt.block_on(self.inner.all(select))?
    }

    /// The first row of a `select`, or `None`.
    pub fn first<S: Selection>(&mut self, select: Select<S>) -> Result<Option<S::Output>> {
        self.rt.block_on(self.inner.first(select))?
    }

    /// The one row of a `select`: [`Error::NoResult`] when there is none,
    /// [`Error::MultipleResults`] when there are more.
    pub fn one<S: Selection>(&mut self, select: Select<S>) -> Result<S::Output> {
        self.rt.block_on(self.inner.one(select))?
    }

    /// The row of a `select` if there is exactly one, `None` if there is none.
    pub fn one_or_none<S: Selection>(&mut self, select: Select<S>) -> Result<Option<S::Output>> {
        self.rt.block_on(self.inner.one_or_none(select))?
    }

    /// Loads a relationship of one row: `session.load(&mut hero, Hero::team())?`.
    pub fn load<O: Model>(&mut self, owner: &mut O, relationship: impl Loader<O>) -> Result<()> {
        self.rt.block_on(self.inner.load(owner, relationship))?
    }

    /// Loads a relationship of many rows.
    pub fn load_all<O: Model>(&mut self, owners: &mut [O], relationship: impl Loader<O>) -> Result<()> {
        self.rt.block_on(self.inner.load_all(owners, relationship))?
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if !self.inner.in_transaction() {
            return;
        }
        let (inner, rt) = (&mut self.inner, &self.rt);
        let mut rollback = move || {
            // Best effort, as the async session's own drop: a failed ROLLBACK leaves the
            // connection for the pool's recycle check.
            let _ = rt.block_on(inner.rollback());
        };
        if outside_runtime().is_ok() {
            rollback();
        } else {
            std::thread::scope(|scope| {
                scope.spawn(rollback);
            });
        }
    }
}
