#!/usr/bin/env bash
# Runs every benchmark and writes BENCHMARKS.md and bench/chart.svg:
#   1. tablemodel vs the raw drivers (crates/tablemodel/benches/vs_raw.rs), SQLite and PostgreSQL;
#   2. the same ORM cases with Python SQLModel (installed from PyPI into bench/.venv);
#   3. the heroes API vs the FastAPI + SQLModel app over HTTP with wrk (bench/http_bench.sh);
#   4. the peers workspace (bench/peers: Diesel, SeaORM, sqlx) when PEERS=1 (slow to build).
# Bounded: about 10 minutes on 2 cores once built. Not part of CI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

results="$(mktemp)"
export RESULTS="$results" BENCH_RESULTS="$results"

if [[ ! -x bench/.venv/bin/python ]]; then
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install -q sqlmodel fastapi uvicorn psycopg2-binary
fi
export PYTHON="$PWD/bench/.venv/bin/python"

echo "== tablemodel vs raw drivers" >&2
cargo bench -q -p tablemodel --all-features --bench vs_raw
cargo bench -q -p tablemodel --all-features --bench bulk_vs_raw

echo "== Python SQLModel, SQLite" >&2
db="$(mktemp -d)"
"$PYTHON" bench/python/orm_bench.py "sqlite:///$db/bench.db" >>"$results"
rm -rf "$db"

echo "== Python SQLModel, PostgreSQL" >&2
cargo build -q -p tablemodel-testkit --bin pg-server
coproc PG { target/debug/pg-server; }
read -r pg_url <&"${PG[0]}"
"$PYTHON" bench/python/orm_bench.py "${pg_url/postgres:\/\//postgresql+psycopg2://}" >>"$results"

if [[ "${PEERS:-0}" == 1 && -f bench/peers/Cargo.toml ]]; then
    echo "== peers: Diesel, SeaORM, sqlx" >&2
    (cd bench/peers && nice -n 10 cargo build -q --release && PG_URL="$pg_url" target/release/tablemodel-peers) >>"$results"
fi
exec {PG[1]}>&-
wait "$PG_PID" || true

echo "== HTTP" >&2
bash bench/http_bench.sh

"$PYTHON" bench/report.py "$results"
cp "$results" bench/results.jsonl
echo "wrote BENCHMARKS.md and bench/chart.svg" >&2
