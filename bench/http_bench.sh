#!/usr/bin/env bash
# The heroes API (crates/heroes, release build) against the FastAPI + SQLModel app
# (bench/python/fastapi_app.py under uvicorn): one worker each, loopback only, wrk for a
# bounded time per case. Appends one JSON object per case and side to $RESULTS.
#
# HTTP_BACKEND picks the databases:
# - sqlite (the default): heroes vs FastAPI, each on a SQLite file in a fresh directory
#   (`"backend": "http"` in $RESULTS, the table bench/report.py renders);
# - postgres: heroes on PostgreSQL vs heroes on SQLite vs FastAPI on PostgreSQL
#   (`"backend": "http-postgres"`), each on a fresh database of one server: the one at
#   HTTP_PG_URL (`postgres://user@host:port`, no database; the user may create databases),
#   or else one this script starts in a temporary directory (fsync off, as the test kit's
#   server) with the binaries of TABLEMODEL_PG_BIN or the newest /usr/lib/postgresql/*/bin.
#   HEROES_BEFORE=<binary>
#   adds a side for another heroes build on PostgreSQL (an earlier commit, to measure a
#   change). The markdown table of the run is printed at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${RESULTS:?set RESULTS to the results file}"
: "${PYTHON:?set PYTHON to the venv python}"
DURATION="${HTTP_DURATION:-8s}"
CONNECTIONS="${HTTP_CONNECTIONS:-16}"
BACKEND="${HTTP_BACKEND:-sqlite}"

command -v wrk >/dev/null || {
    echo "http_bench: wrk is not installed (Debian/Ubuntu: apt-get install -y wrk); skipped" >&2
    exit 0
}
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

results_backend=http
[[ "$BACKEND" == postgres ]] && results_backend=http-postgres
table=()

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
        printf '{"backend": "%s", "case": "%s", "side": "%s", "rps": %s, "p50": "%s"}\n' \
            "$results_backend" "$name" "$side" "$rps" "$p50" >>"$RESULTS"
        echo "http_bench: $side $name: $rps req/s (p50 $p50)" >&2
        table+=("| $name | $side | $rps | $p50 |")
    done
}

work="$(mktemp -d)"
pg_stop=()
cleanup() {
    kill $(jobs -p) 2>/dev/null || true
    if [[ ${#pg_stop[@]} -gt 0 ]]; then "${pg_stop[@]}" >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# Serves heroes binary $2 on a fresh port over database URL $3, as side $1.
heroes_side() {
    local side="$1" binary="$2" url="$3" dir="$work/$1"
    mkdir -p "$dir"
    local port
    port="$(free_port)"
    (cd "$dir" && RUST_LOG=warn DATABASE_URL="$url" exec "$binary" --port "$port") &
    local pid=$!
    run_side "$side" "$port"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}

# Serves the FastAPI app on a fresh port over SQLAlchemy URL $2 (empty: SQLite), as side $1.
fastapi_side() {
    local side="$1" url="$2" dir="$work/$1"
    mkdir -p "$dir"
    cp bench/python/fastapi_app.py "$dir/"
    local port
    port="$(free_port)"
    (cd "$dir" && DATABASE_URL="${url:-sqlite:///database.db}" \
        exec "$PYTHON" -m uvicorn fastapi_app:app --port "$port" --workers 1 --log-level warning) &
    local pid=$!
    run_side "$side" "$port"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}

# Starts a PostgreSQL server in $work/pg (as user postgres when run by root, which the
# server refuses to run as); prints its base URL.
start_postgres() {
    local bin="${TABLEMODEL_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
    [[ -x "$bin/initdb" ]] || { echo "http_bench: no PostgreSQL binaries (set TABLEMODEL_PG_BIN)" >&2; exit 1; }
    local as=()
    if [[ "$(id -u)" == 0 ]]; then
        as=(runuser -u postgres --)
        chmod 755 "$work"
    fi
    local port
    port="$(free_port)"
    mkdir "$work/pg"
    [[ ${#as[@]} -gt 0 ]] && chown postgres "$work/pg"
    "${as[@]}" "$bin/initdb" -A trust -U postgres -D "$work/pg/data" >/dev/null
    "${as[@]}" "$bin/pg_ctl" -s -w -D "$work/pg/data" -l "$work/pg/log" \
        -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >&2
    pg_stop=("${as[@]}" "$bin/pg_ctl" -s -D "$work/pg/data" -m fast stop)
    echo "postgres://postgres@127.0.0.1:$port"
}

# Creates database $2 on the server of base URL $1.
create_database() {
    "$PYTHON" - "$1" "$2" <<'PY'
import sys, psycopg2
conn = psycopg2.connect(sys.argv[1] + "/postgres")
conn.autocommit = True
conn.cursor().execute(f'CREATE DATABASE "{sys.argv[2]}"')
PY
}

case "$BACKEND" in
    sqlite)
        heroes_side tablemodel "$PWD/target/release/heroes" "sqlite://database.db"
        fastapi_side fastapi ""
        ;;
    postgres)
        pg="${HTTP_PG_URL:-}"
        [[ -n "$pg" ]] || pg="$(start_postgres)"
        suffix="$$_$(date +%s)"
        create_database "$pg" "heroes_rust_$suffix"
        heroes_side tablemodel-postgres "$PWD/target/release/heroes" "$pg/heroes_rust_$suffix"
        if [[ -n "${HEROES_BEFORE:-}" ]]; then
            create_database "$pg" "heroes_before_$suffix"
            heroes_side tablemodel-postgres-before "$HEROES_BEFORE" "$pg/heroes_before_$suffix"
        fi
        heroes_side tablemodel-sqlite "$PWD/target/release/heroes" "sqlite://database.db"
        create_database "$pg" "heroes_py_$suffix"
        fastapi_side fastapi-postgres "postgresql+psycopg2://${pg#postgres://}/heroes_py_$suffix"
        ;;
    *)
        echo "http_bench: HTTP_BACKEND must be sqlite or postgres, not $BACKEND" >&2
        exit 1
        ;;
esac

echo "| case | side | req/s | p50 |"
echo "| --- | --- | ---: | ---: |"
printf '%s\n' "${table[@]}"
