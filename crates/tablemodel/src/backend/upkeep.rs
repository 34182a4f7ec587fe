//! Pool upkeep shared by every backend, through deadpool's own controls: the acquire,
//! connect and check timeouts, the recycle hooks (max lifetime, pre-ping), and a
//! background task that closes idle connections and keeps a minimum open.
//!
//! deadpool hands out connections and discards one whose check (`recycle`) or hook fails,
//! opening another in its place; what it does not do on its own, closing connections that
//! sat idle or lived too long and opening some ahead of demand, is the task below.

use std::time::Duration;

use deadpool::managed::{Hook, HookError, Manager, Metrics, Pool, PoolBuilder};

use crate::engine::Settings;

/// How long a connection check (recycle, pre-ping) may take before the connection is
/// thrown away.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// The builder with the settings' timeouts and size.
pub(crate) fn configure<M: Manager>(builder: PoolBuilder<M>, settings: &Settings, size: usize) -> PoolBuilder<M> {
    builder
        .max_size(size)
        .wait_timeout(settings.acquire_timeout())
        .create_timeout(settings.connect_timeout)
        .recycle_timeout(Some(CHECK_TIMEOUT))
        .runtime(deadpool::Runtime::Tokio1)
}

/// Adds the max-lifetime check (SQLAlchemy's `pool_recycle`): a connection older than
/// that is closed when it comes up for reuse, and a new one is opened.
pub(crate) fn max_lifetime<M: Manager>(builder: PoolBuilder<M>, settings: &Settings) -> PoolBuilder<M>
where
    M::Type: Send,
{
    match settings.max_lifetime {
        Some(max) => builder.pre_recycle(Hook::sync_fn(move |_: &mut M::Type, metrics: &Metrics| {
            if metrics.age() >= max { Err(HookError::message("connection reached its max lifetime")) } else { Ok(()) }
        })),
        None => builder,
    }
}

/// Whether a connection last handed out `metrics.last_used()` ago must be pinged before
/// reuse (only a server's connections are: an SQLite file does not go away).
#[cfg_attr(not(any(feature = "postgres", feature = "mysql")), allow(dead_code))]
pub(crate) fn needs_ping(settings: &Settings, metrics: &Metrics) -> bool {
    settings.pre_ping == Some(true) && metrics.last_used() >= settings.pre_ping_after.unwrap_or_default()
}

/// Closes idle and expired connections, then opens connections up to the minimum idle
/// count, periodically until the pool is closed or dropped.
pub(crate) fn spawn<M: Manager + 'static>(pool: &Pool<M>, settings: &Settings) {
    let idle_timeout = settings.idle_timeout;
    let max_lifetime = settings.max_lifetime;
    let min_idle = settings.min_idle.unwrap_or(0);
    if idle_timeout.is_none() && max_lifetime.is_none() && min_idle == 0 {
        return;
    }
    let period = [idle_timeout, max_lifetime]
        .into_iter()
        .flatten()
        .min()
        .map_or(Duration::from_secs(30), |d| (d / 2).clamp(Duration::from_millis(100), Duration::from_secs(30)));
    let weak = pool.weak();
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    runtime.spawn(async move {
        loop {
            let Some(pool) = weak.upgrade() else { return };
            if pool.is_closed() {
                return;
            }
            tidy(&pool, idle_timeout, max_lifetime, min_idle);
            fill(&pool, min_idle).await;
            drop(pool);
            tokio::time::sleep(period).await;
        }
    });
}

/// Closes the idle connections past their idle timeout (keeping `min_idle` of them) or
/// their max lifetime.
fn tidy<M: Manager>(pool: &Pool<M>, idle_timeout: Option<Duration>, max_lifetime: Option<Duration>, min_idle: usize) {
    let mut idle_kept = 0usize;
    pool.retain(|_, metrics| {
        if max_lifetime.is_some_and(|max| metrics.age() >= max) {
            return false;
        }
        if idle_timeout.is_some_and(|t| metrics.last_used() >= t) && idle_kept >= min_idle {
            return false;
        }
        idle_kept += 1;
        true
    });
}

/// Opens connections until `min_idle` are open (never past the pool's size); gives up
/// quietly when the database does not answer, to try again at the next round.
pub(crate) async fn fill<M: Manager>(pool: &Pool<M>, min_idle: usize) {
    let status = pool.status();
    let target = min_idle.min(status.max_size);
    if status.size >= target || status.waiting > 0 {
        return;
    }
    let mut held = Vec::with_capacity(target);
    while pool.status().size < target && held.len() < target {
        match pool.get().await {
            Ok(conn) => held.push(conn),
            Err(_) => break,
        }
    }
}
