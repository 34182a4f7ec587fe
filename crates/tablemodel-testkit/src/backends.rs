//! One test body, run on every backend tablemodel supports.
//!
//! Every suite (the library's conformance and web tests, the example app's
//! API tests) runs the same `async fn(Engine)` bodies on each backend. The
//! list of backends lives in one place, [`on_every_backend!`]: adding a
//! backend is one line there (its module name and the URL of a fresh
//! database) plus a function here that hands out such URLs.

use crate::{mariadb_server, pg_server};

/// The URL of a fresh, empty SQLite database: in memory, private to the
/// engine that opens it (and shared by that engine's connections).
pub fn sqlite_url() -> String {
    "sqlite::memory:".to_owned()
}

/// The URL of a fresh, empty database on this process's PostgreSQL server
/// (see [`pg_server`]).
pub fn postgres_url() -> String {
    pg_server().fresh_database()
}

/// The URL of a fresh, empty database on this process's MariaDB server (see
/// [`mariadb_server`]).
pub fn mysql_url() -> String {
    mariadb_server().fresh_database()
}

/// The URL of another fresh, empty database on the same backend as `url`.
///
/// ```
/// assert_eq!(tablemodel_testkit::fresh_url_like("sqlite::memory:"), "sqlite::memory:");
/// ```
pub fn fresh_url_like(url: &str) -> String {
    if url.starts_with("sqlite:") {
        sqlite_url()
    } else if url.starts_with("mysql:") || url.starts_with("mariadb:") {
        mysql_url()
    } else {
        postgres_url()
    }
}

/// Runs each named `async fn` of the calling module on every backend, each
/// time on a fresh database: one `#[tokio::test]` per backend and function,
/// in a module named after the backend (`sqlite::name`, `postgres::name`, `mysql::name`).
///
/// The functions take a `tablemodel::Engine`; with `setup = path;` first,
/// whatever the `async fn(Engine) -> T` at `path` makes of the engine (an
/// HTTP test client, say); with `url;` first, the database's URL as a
/// `String`, for tests that build their own engine (pool settings). The calling crate needs `tablemodel` and `tokio`
/// (with the `macros` and `rt-multi-thread` features) as dependencies.
///
/// It defines the modules `sqlite`, `postgres` and `mysql`, so it is used once per
/// module.
///
/// ```ignore
/// // tests/api.rs
/// async fn client(engine: tablemodel::Engine) -> TestClient {
///     heroes::create_tables(&engine).await.unwrap();
///     TestClient::new(heroes::app(engine))
/// }
///
/// async fn lists_no_heroes(client: TestClient) {
///     assert_eq!(client.get("/heroes/").await.json(), serde_json::json!([]));
/// }
///
/// tablemodel_testkit::on_every_backend!(setup = client; lists_no_heroes);
/// ```
#[macro_export]
macro_rules! on_every_backend {
    // The backends: a module name and the URL of a fresh database for each.
    (@backends $setup:tt $names:tt) => {
        $crate::on_every_backend!(@each [
            sqlite => $crate::sqlite_url(),
            postgres => $crate::postgres_url(),
            mysql => $crate::mysql_url(),
        ] $setup $names);
    };
    (@each [] $setup:tt $names:tt) => {};
    (@each [$backend:ident => $url:expr, $($rest:tt)*] $setup:tt [$($name:ident),+]) => {
        mod $backend {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let url: String = $url;
                    $crate::on_every_backend!(@call $setup super::$name, url)
                }
            )+
        }
        $crate::on_every_backend!(@each [$($rest)*] $setup [$($name),+]);
    };
    (@call [@url] $test:path, $url:ident) => {
        $test($url).await
    };
    (@call [] $test:path, $url:ident) => {
        $test($crate::on_every_backend!(@connect $url)).await
    };
    (@call [$setup:path] $test:path, $url:ident) => {
        $test($setup($crate::on_every_backend!(@connect $url)).await).await
    };
    (@connect $url:ident) => {
        ::tablemodel::Engine::connect(&$url)
            .await
            .unwrap_or_else(|e| panic!("the test database {} does not open: {e}", $url))
    };
    (url; $($name:ident),+ $(,)?) => {
        $crate::on_every_backend!(@backends [@url] [$($name),+]);
    };
    (setup = $setup:path; $($name:ident),+ $(,)?) => {
        $crate::on_every_backend!(@backends [$setup] [$($name),+]);
    };
    ($($name:ident),+ $(,)?) => {
        $crate::on_every_backend!(@backends [] [$($name),+]);
    };
}
