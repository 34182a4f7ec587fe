//! What the blocking API costs over the async one: the same `get` of a hero by key on the
//! same in-memory SQLite database, through `tablemodel::Session` inside one `block_on`
//! and through `tablemodel::blocking::Session` (one `block_on` per call).
//!
//! `blocking_overhead` alternates 10 rounds of 10,000 gets per side and prints the median
//! time per get of each; `blocking_overhead <async|blocking> <n>` runs one side `n` times,
//! for `valgrind --tool=callgrind` (instructions per get = (count(2n) − count(n)) / n).

use std::time::{Duration, Instant};

use tablemodel::prelude::*;

#[path = "support/team_hero.rs"]
#[allow(dead_code)] // the raw decoder is for the other benches
mod team_hero;
use team_hero::{Hero, Team, seed_teams};

const HEROES: i64 = 10_000;

fn engines() -> (tokio::runtime::Runtime, Engine, tablemodel::blocking::Engine) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let engine = rt.block_on(async {
        let engine = Engine::connect("sqlite::memory:").await.unwrap();
        engine.create_all::<(Team, Hero)>().await.unwrap();
        seed_teams(&mut engine.session().await.unwrap()).await;
        engine
    });
    let blocking = tablemodel::blocking::Engine::connect("sqlite::memory:").unwrap();
    blocking.create_all::<(Team, Hero)>().unwrap();
    let mut s = blocking.session().unwrap();
    // The same rows as the async side, written through the blocking session.
    let rows = rt.block_on(async { engine.session().await.unwrap().exec(select::<Hero>()).await.unwrap() });
    let teams = rt.block_on(async { engine.session().await.unwrap().exec(select::<Team>()).await.unwrap() });
    s.add_all(teams).unwrap();
    s.add_all(rows).unwrap();
    s.commit().unwrap();
    (rt, engine, blocking)
}

fn run_async(rt: &tokio::runtime::Runtime, engine: &Engine, n: i64) -> Duration {
    rt.block_on(async {
        let mut s = engine.session().await.unwrap();
        let start = Instant::now();
        for i in 0..n {
            std::hint::black_box(s.get::<Hero>(i % HEROES + 1).await.unwrap());
        }
        start.elapsed()
    })
}

fn run_blocking(engine: &tablemodel::blocking::Engine, n: i64) -> Duration {
    let mut s = engine.session().unwrap();
    let start = Instant::now();
    for i in 0..n {
        std::hint::black_box(s.get::<Hero>(i % HEROES + 1).unwrap());
    }
    start.elapsed()
}

fn median_ns(mut runs: Vec<Duration>, n: i64) -> f64 {
    runs.sort();
    runs[runs.len() / 2].as_nanos() as f64 / n as f64
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let (rt, engine, blocking) = engines();
    if let [side, n] = args.as_slice() {
        let n: i64 = n.parse().expect("n is a number");
        match side.as_str() {
            "async" => drop(run_async(&rt, &engine, n)),
            "blocking" => drop(run_blocking(&blocking, n)),
            other => panic!("unknown side `{other}`: async or blocking"),
        }
        return;
    }
    let n = 10_000;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..10 {
        a.push(run_async(&rt, &engine, n));
        b.push(run_blocking(&blocking, n));
    }
    let (a, b) = (median_ns(a, n), median_ns(b, n));
    println!("get by key, median of 10 rounds of {n}: async {a:.0} ns, blocking {b:.0} ns, ratio {:.3}", b / a);
}
