#!/usr/bin/env bash
# The heroes API (crates/heroes, release build) against the FastAPI + SQLModel app
# (bench/python/fastapi_app.py under uvicorn): one worker each, SQLite file database in a
# fresh directory, loopback only, wrk for a bounded time per case. Appends one JSON object
# per case and side to $RESULTS.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${RESULTS:?set RESULTS to the results file}"
: "${PYTHON:?set PYTHON to the venv python}"
DURATION="${HTTP_DURATION:-8s}"
CONNECTIONS="${HTTP_CONNECTIONS:-16}"

command -v wrk >/dev/null || { echo "http_bench: wrk is not installed (apt-get install wrk); skipped" >&2; exit 0; }
cargo build --release -q -p heroes

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_up() {
    for _ in $(seq 1 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$1/heroes/" && return 0
        sleep 0.1
    done
    echo "http_bench: server on port $1 did not start" >&2
    return 1
}

seed() {
    curl -sf -o /dev/null -X POST "http://127.0.0.1:$1/teams/" -H 'content-type: application/json' \
        -d '{"name": "Preventers", "headquarters": "Sharp Tower"}'
    for i in $(seq 1 100); do
        curl -sf -o /dev/null -X POST "http://127.0.0.1:$1/heroes/" -H 'content-type: application/json' \
            -d "{\"name\": \"Hero $i\", \"secret_name\": \"Secret $i\", \"age\": $i, \"team_id\": 1}"
    done
}

run_side() {
    local side="$1" port="$2"
    wait_up "$port"
    seed "$port"
    for case in "GET one hero|/heroes/1|" "GET 100 heroes|/heroes/?limit=100|" "GET team with heroes|/teams/1|" \
        "POST a hero|/heroes/|bench/http_post.lua"; do
        IFS='|' read -r name path script <<<"$case"
        args=(-t1 "-c$CONNECTIONS" "-d$DURATION" --latency)
        [[ -n "$script" ]] && args+=(-s "$script")
        out="$(wrk "${args[@]}" "http://127.0.0.1:$port$path")"
        rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
        p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
        printf '{"backend": "http", "case": "%s", "side": "%s", "rps": %s, "p50": "%s"}\n' "$name" "$side" "$rps" "$p50" >>"$RESULTS"
        echo "http_bench: $side $name: $rps req/s (p50 $p50)" >&2
    done
}

work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

mkdir "$work/rust" "$work/python"
port="$(free_port)"
(cd "$work/rust" && RUST_LOG=warn exec "$OLDPWD/target/release/heroes" --port "$port") &
rust_pid=$!
run_side tablemodel "$port"
kill "$rust_pid"; wait "$rust_pid" 2>/dev/null || true

port="$(free_port)"
cp bench/python/fastapi_app.py "$work/python/"
(cd "$work/python" && exec "$PYTHON" -m uvicorn fastapi_app:app --port "$port" --workers 1 --log-level warning) &
py_pid=$!
run_side fastapi "$port"
kill "$py_pid"; wait "$py_pid" 2>/dev/null || true
