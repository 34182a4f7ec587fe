//! Counts the network round trips a client makes to a server, from outside the client.
//!
//! The proxy sits on a loopback port in front of a real server and copies bytes both
//! ways. A round trip is a *flight*: the client sending after it has heard from the
//! server (or for the first time). Statements a client pipelines, writing several before
//! it reads a reply, make one flight; a client that waits for each reply makes one per
//! statement. Which protocol runs over the connection does not matter, so the same count
//! works for PostgreSQL, MariaDB or a pooler.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::HOST;

/// A counting proxy in front of one server port, alive as long as this value.
///
/// ```no_run
/// let server = tablemodel_testkit::pg_server();
/// let proxy = tablemodel_testkit::RoundTripCounter::start(server.port());
/// let url = proxy.url_for(server.port(), &server.fresh_database());
/// // … connect to `url`, warm up, then:
/// proxy.reset();
/// // … run the statement under test …
/// println!("{} round trips", proxy.count());
/// ```
pub struct RoundTripCounter {
    port: u16,
    flights: Arc<AtomicU64>,
}

impl RoundTripCounter {
    /// Starts a proxy on a free loopback port that forwards every connection to
    /// `127.0.0.1:target_port`.
    ///
    /// # Panics
    ///
    /// If no loopback port can be bound.
    pub fn start(target_port: u16) -> RoundTripCounter {
        let listener = TcpListener::bind((HOST, 0)).expect("tablemodel-testkit: bind a loopback port for the proxy");
        let port = listener.local_addr().expect("a bound listener has an address").port();
        let flights = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&flights);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if let Ok(server) = TcpStream::connect((HOST, target_port)) {
                    relay(client, server, Arc::clone(&counter));
                }
            }
        });
        RoundTripCounter { port, flights }
    }

    /// The port the proxy listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `url` (a URL of the server on `127.0.0.1:server_port`) leading through the proxy.
    pub fn url_for(&self, server_port: u16, url: &str) -> String {
        crate::url_on_port(url, server_port, self.port)
    }

    /// Round trips since the start or the last [`reset`](Self::reset), on all connections.
    pub fn count(&self) -> u64 {
        self.flights.load(Ordering::SeqCst)
    }

    /// Starts counting from zero.
    pub fn reset(&self) {
        self.flights.store(0, Ordering::SeqCst);
    }
}

/// Copies both directions of one connection on two threads, counting the client's flights.
fn relay(client: TcpStream, server: TcpStream, flights: Arc<AtomicU64>) {
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    // Whether the client has sent since it last heard from the server.
    let client_turn_open = Arc::new(Mutex::new(false));
    let (Ok(client_reader), Ok(server_writer)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let open = Arc::clone(&client_turn_open);
    std::thread::spawn(move || {
        copy(client_reader, server_writer, |_| {
            let mut open = open.lock().unwrap();
            if !*open {
                *open = true;
                flights.fetch_add(1, Ordering::SeqCst);
            }
        })
    });
    std::thread::spawn(move || copy(server, client, |_| *client_turn_open.lock().unwrap() = false));
}

/// Copies `from` to `to` until either side closes, calling `seen` before forwarding each read.
fn copy(mut from: TcpStream, mut to: TcpStream, mut seen: impl FnMut(usize)) {
    let mut buffer = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                seen(n);
                if to.write_all(&buffer[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    let _ = from.shutdown(Shutdown::Read);
}
