//! Serving an app in production: read timeouts that keep slow clients from holding the
//! server, and a shutdown that is graceful but bounded.
//!
//! - Headers: hyper's own `header_read_timeout` closes a connection whose request head has
//!   not fully arrived in time, idle keep-alive connections included (hyper sends no
//!   response then: there is no request to answer).
//! - Body: every request carries a deadline for its body; the [`Json`](super::Json)
//!   extractor answers `408 Request Timeout` (and closes the connection) when the body has
//!   not arrived by then. The database session of the request takes its connection only at
//!   its first statement, after the body is in, so a slow client holds no connection.
//! - Shutdown: on the signal the listener closes, idle keep-alive connections close, and
//!   requests in flight get their response (with `Connection: close`) for as long as the
//!   grace period; connections still open then are cut, and the engine's pool is closed.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;

use crate::Engine;

/// When a request's body must have arrived; set on each request by [`Server`], read by the
/// body extractors.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyDeadline(pub(crate) Instant);

/// An app served over HTTP/1.1 with read timeouts and a bounded graceful shutdown.
///
/// ```no_run
/// # async fn run(app: axum::Router, engine: tablemodel::Engine) -> std::io::Result<()> {
/// use std::time::Duration;
/// tablemodel::web::Server::new(app, engine)
///     .header_read_timeout(Duration::from_secs(5))
///     .body_read_timeout(Duration::from_secs(20))
///     .grace_period(Duration::from_secs(25))
///     .serve("127.0.0.1:8000".parse().unwrap())
///     .await
/// # }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct Server {
    app: Router,
    engine: Engine,
    header_read_timeout: Duration,
    body_read_timeout: Duration,
    grace_period: Duration,
}

impl Server {
    /// Default for [`Server::header_read_timeout`].
    pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default for [`Server::body_read_timeout`].
    pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
    /// Default for [`Server::grace_period`]: under the 30 s a container orchestrator
    /// usually waits between SIGTERM and SIGKILL.
    pub const DEFAULT_GRACE_PERIOD: Duration = Duration::from_secs(20);

    /// `app` (already with its state), whose pool is closed when the server stops.
    pub fn new(app: Router, engine: Engine) -> Self {
        Server {
            app,
            engine,
            header_read_timeout: Self::DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: Self::DEFAULT_BODY_READ_TIMEOUT,
            grace_period: Self::DEFAULT_GRACE_PERIOD,
        }
    }

    /// How long a client may take to send a request's head (request line and headers),
    /// counted from when the server starts reading it (default 10 s): then the connection
    /// is closed. On a kept-alive connection the wait for the next request counts too, so
    /// this is also how long an idle keep-alive connection stays open.
    pub fn header_read_timeout(mut self, limit: Duration) -> Self {
        self.header_read_timeout = limit;
        self
    }

    /// How long a client may take to send a request's body, counted from the end of its
    /// head (default 30 s); then the request is answered 408.
    pub fn body_read_timeout(mut self, limit: Duration) -> Self {
        self.body_read_timeout = limit;
        self
    }

    /// How long requests in flight may go on after the shutdown signal (default 20 s).
    pub fn grace_period(mut self, limit: Duration) -> Self {
        self.grace_period = limit;
        self
    }

    /// Serves on `addr` until SIGINT (Ctrl-C) or SIGTERM.
    pub async fn serve(self, addr: SocketAddr) -> std::io::Result<()> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        tracing::info!(target: "tablemodel::web", "listening on http://{}", listener.local_addr()?);
        self.serve_on(listener, super::shutdown_signal()).await
    }

    /// Serves on a bound listener until `shutdown` completes.
    pub async fn serve_on(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let body_read_timeout = self.body_read_timeout;
        let app = self.app.layer(axum::middleware::from_fn(super::app::log_request)).layer(axum::middleware::from_fn(
            move |mut request: axum::extract::Request, next: axum::middleware::Next| {
                request.extensions_mut().insert(BodyDeadline(Instant::now() + body_read_timeout));
                next.run(request)
            },
        ));
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new()).header_read_timeout(self.header_read_timeout);
        let graceful = GracefulShutdown::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let (stream, _) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors, a connection reset before accept…: the
                        // listener itself is fine.
                        tracing::warn!(target: "tablemodel::web", "accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let _ = stream.set_nodelay(true);
            let connection =
                http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone().into_service()));
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                let _ = connection.await;
            });
        }
        drop(listener);
        let open = graceful.count();
        match tokio::time::timeout(self.grace_period, graceful.shutdown()).await {
            Ok(()) => tracing::info!(target: "tablemodel::web", "{open} connections finished"),
            Err(_) => tracing::warn!(
                target: "tablemodel::web",
                "grace period of {:?} over: cutting the connections still open",
                self.grace_period
            ),
        }
        self.engine.close();
        tracing::info!(target: "tablemodel::web", "shut down; database pool closed");
        Ok(())
    }
}
