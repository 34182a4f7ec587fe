//! TLS to PostgreSQL with libpq's `sslmode`, `sslrootcert`, `sslcert` and `sslkey`, against
//! real servers started with `ssl=on` and certificates made for the test: the server's
//! names `localhost` only, so `127.0.0.1` is the wrong host name for `verify-full`.
//! Whether a session is encrypted is read from the server's own `pg_stat_ssl`.

use std::sync::OnceLock;

use tablemodel::prelude::*;
use tablemodel::{DbErrorKind, Filter};
use tablemodel_testkit::{CLIENT_CERT_DATABASE, PgServer, PlainConnections};

use crate::common::{Hero, seeded};

/// A TLS server that also admits plain connections, shared by the tests of this module.
fn server() -> &'static PgServer {
    static SERVER: OnceLock<PgServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let server = PgServer::dedicated_tls(PlainConnections::Accepted);
        server.create_named_database(CLIENT_CERT_DATABASE);
        server
    })
}

/// A fresh database of `server` as `host`, with `params` as the URL's query.
fn url(server: &PgServer, host: &str, params: &str) -> String {
    let url = server.fresh_database().replacen("127.0.0.1", host, 1);
    if params.is_empty() { url } else { format!("{url}?{params}") }
}

fn ca(server: &PgServer) -> String {
    server.tls().unwrap().ca_cert.display().to_string()
}

/// How many of the seeded heroes a session sees when it asks only on an encrypted
/// connection: 7 when the server says the session uses TLS, 0 when not.
async fn heroes_seen_encrypted(engine: &Engine) -> usize {
    seeded(engine).await;
    let encrypted = Filter::from_expr(tablemodel::sea_query::Expr::cust(
        "(SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())",
    ));
    let mut s = engine.session().await.unwrap();
    s.exec(select::<Hero>().filter(encrypted)).await.unwrap().len()
}

/// The connect error of `url`, which must fail.
async fn connect_error(url: &str) -> tablemodel::Error {
    let err = Engine::connect(url).await.expect_err("the connection must be refused");
    assert!(matches!(err, tablemodel::Error::Connect(_)), "a connect error: {err:?}");
    err
}

/// The connect error of `url`, which the client must end for the server's certificate:
/// a connection failure, as when the server cannot be reached.
async fn rejected_certificate(url: &str) -> String {
    let err = connect_error(url).await;
    assert_eq!(err.db_kind(), Some(DbErrorKind::Connection), "{err}");
    err.to_string()
}

/// The SQLSTATE of a connect error the server answered.
fn code(err: &tablemodel::Error) -> Option<&str> {
    match err {
        tablemodel::Error::Connect(db) => db.code.as_deref(),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_with_the_right_ca_and_host_is_encrypted() {
    let server = server();
    let engine = Engine::connect(&url(server, "localhost", &format!("sslmode=verify-full&sslrootcert={}", ca(server))))
        .await
        .unwrap();
    assert_eq!(heroes_seen_encrypted(&engine).await, 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_rejects_a_certificate_of_another_ca() {
    let server = server();
    let other = server.tls().unwrap().other_ca_cert.display().to_string();
    for mode in ["verify-full", "verify-ca", "require"] {
        let message =
            rejected_certificate(&url(server, "localhost", &format!("sslmode={mode}&sslrootcert={other}"))).await;
        assert!(message.contains("certificate") && message.contains("UnknownIssuer"), "{mode}: {message}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_rejects_a_host_the_certificate_does_not_name_and_verify_ca_does_not_look() {
    let server = server();
    let params = format!("sslrootcert={}", ca(server));
    let message = rejected_certificate(&url(server, "127.0.0.1", &format!("sslmode=verify-full&{params}"))).await;
    assert!(message.contains("not valid for name") && message.contains("127.0.0.1"), "{message}");

    let engine = Engine::connect(&url(server, "127.0.0.1", &format!("sslmode=verify-ca&{params}"))).await.unwrap();
    assert_eq!(heroes_seen_encrypted(&engine).await, 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_and_prefer_encrypt_without_a_ca_and_disable_does_not() {
    let server = server();
    for (params, encrypted) in [("sslmode=require", 7), ("sslmode=prefer", 7), ("", 7), ("sslmode=disable", 0)] {
        let engine = Engine::connect(&url(server, "127.0.0.1", params)).await.unwrap();
        assert_eq!(heroes_seen_encrypted(&engine).await, encrypted, "{params:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_certificate_admits_where_the_server_demands_one() {
    let server = server();
    let files = server.tls().unwrap();
    let base = server.url(CLIENT_CERT_DATABASE).replacen("127.0.0.1", "localhost", 1);
    let verify = format!("sslmode=verify-full&sslrootcert={}", ca(server));
    let err = connect_error(&format!("{base}?{verify}")).await;
    assert_eq!(code(&err), Some("28000"), "{err}");
    assert!(err.to_string().contains("client certificate"), "{err}");

    let with_cert =
        format!("{base}?{verify}&sslcert={}&sslkey={}", files.client_cert.display(), files.client_key.display());
    let engine = Engine::connect(&with_cert).await.unwrap();
    assert_eq!(heroes_seen_encrypted(&engine).await, 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_admits_only_tls_refuses_sslmode_disable_with_the_reason() {
    let server = PgServer::dedicated_tls(PlainConnections::Refused);
    let err = connect_error(&url(&server, "127.0.0.1", "sslmode=disable")).await;
    assert_eq!(code(&err), Some("28000"), "{err}");
    let message = err.to_string();
    assert!(message.contains("pg_hba.conf") && message.contains("no encryption"), "{message}");
    let engine = Engine::connect(&url(&server, "127.0.0.1", "sslmode=require")).await.unwrap();
    assert_eq!(heroes_seen_encrypted(&engine).await, 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_that_cannot_work_fail_before_connecting() {
    let plain = tablemodel_testkit::postgres_url();
    let err = Engine::connect(&format!("{plain}?sslmode=require")).await.unwrap_err();
    assert!(err.to_string().contains("TLS"), "a server without TLS: {err}");

    let home_root = std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".postgresql/root.crt"));
    if !home_root.is_some_and(|p| p.exists()) {
        let err = Engine::connect(&format!("{plain}?sslmode=verify-full")).await.unwrap_err();
        assert!(
            matches!(err, tablemodel::Error::InvalidUrl { .. }) && err.to_string().contains("sslrootcert"),
            "{err}"
        );
    }
    for bad in ["sslmode=always", "sslmode=require&sslcert=/nonexistent.crt&sslkey=/nonexistent.key"] {
        let err = Engine::connect(&format!("{plain}?{bad}")).await.unwrap_err();
        assert!(matches!(err, tablemodel::Error::InvalidUrl { .. }), "{bad}: {err}");
    }
}
