//! What both bench binaries share: medians, and the report line (plus the JSON line that
//! `bench/run.sh` collects into BENCHMARKS.md).

use std::time::Duration;

pub(crate) fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Prints one case's medians and ratio; appends both sides' JSON to `$BENCH_RESULTS`.
pub(crate) fn report(backend: &str, case: &str, orm: Vec<Duration>, raw: Vec<Duration>) {
    let (o, r) = (median(orm.clone()), median(raw.clone()));
    println!(
        "{backend:<9} {case:<34} tablemodel {:>11.2} µs   raw {:>11.2} µs   ratio {:.3}",
        o.as_secs_f64() * 1e6,
        r.as_secs_f64() * 1e6,
        o.as_secs_f64() / r.as_secs_f64()
    );
    if let Ok(path) = std::env::var("BENCH_RESULTS") {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
        for (side, samples) in [("tablemodel", &orm), ("raw", &raw)] {
            let us = |d: &Duration| d.as_secs_f64() * 1e6;
            let line = serde_json::json!({
                "backend": backend, "case": case, "side": side,
                "median_us": us(&median(samples.clone())),
                "min_us": samples.iter().map(us).fold(f64::INFINITY, f64::min),
                "max_us": samples.iter().map(us).fold(0.0, f64::max),
            });
            writeln!(file, "{line}").unwrap();
        }
    }
}
