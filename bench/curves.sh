#!/usr/bin/env bash
# Cost curves, memory peaks and the HTTP concurrency curve; writes bench/curves.jsonl and the
# charts bench/curves-sqlite.svg, bench/curves-postgres.svg and bench/curves-http.svg.
#   bench/curves.sh [curves] [memory] [http]     (default: all three)
#   BACKENDS="sqlite postgres" (default) picks the backends of `curves` and `memory`;
#   CASES="rows add_all fanout" and SIZES="1 10 100 1000 10000" narrow `curves` (a rerun
#   replaces only the points it measured).
# - curves: instructions per operation (callgrind, (X(2n) − X(n)) / n as in
#   bench/instructions.sh), tablemodel and the raw driver, for a filter returning 1 … 10,000
#   rows, `add_all` of 1 … 10,000 rows + commit, and eager loading of 10 teams with 1 … 1,000
#   heroes each (crates/tablemodel/benches/curves.rs); on PostgreSQL the client side only.
# - memory: peak resident set (VmHWM) of one process per side streaming 1,000,000 heroes and
#   eager-loading 100 teams with 50,000 heroes.
# - http: the heroes API on SQLite (release build) under wrk with 1 … 64 connections.
# About 4 minutes per backend for the curves, 1 for memory, 1 for HTTP on 2 cores once built.
# Needs valgrind and wrk. Not part of CI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

parts=("$@")
[[ ${#parts[@]} -eq 0 ]] && parts=(curves memory http)
read -r -a backends <<<"${BACKENDS:-sqlite postgres}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

cargo bench -q -p tablemodel --all-features --bench curves --no-run 2>/dev/null
bin="$(ls -t target/release/deps/curves-* | grep -v '\.d$' | head -1)"

count() { # case side n size backend -> instructions
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

ops() { # size -> operations per run: fewer for the big sizes (the counts are exact anyway), but
    # never 1: the first operation after the seeding pays for growing the allocator's heap
    # (measured: 2.3 M instructions more for raw tokio-postgres collecting 10,000 rows).
    if (($1 >= 1000)); then echo 2; elif (($1 >= 100)); then echo 4; else echo 10; fi
}

with_backend() { # backend command... : runs the command with PG_URL set for postgres
    if [[ "$1" == postgres && -z "${PG_URL:-}" ]]; then
        cargo build -q -p tablemodel-testkit --bin pg-server
        coproc PG { target/debug/pg-server; }
        local url
        read -r url <&"${PG[0]}"
        PG_URL="$url" "${@:2}"
        exec {PG[1]}>&-
        wait "$PG_PID" || true
    else
        "${@:2}"
    fi
}

curves() { # backend
    local backend="$1" case size sides n o r
    for case in ${CASES:-rows add_all fanout}; do
        sizes=(1 10 100 1000 10000)
        [[ "$case" == fanout ]] && sizes=(1 10 100 1000)
        for size in "${sizes[@]}"; do
            [[ -n "${SIZES:-}" && " $SIZES " != *" $size "* ]] && continue
            n="$(ops "$size")"
            [[ "$case" == fanout ]] && n="$(ops $((size * 10)))"
            for side in orm raw; do
                o=$(( ($(count "$case" "$side" $((2 * n)) "$size" "$backend") - $(count "$case" "$side" "$n" "$size" "$backend")) / n ))
                name=tablemodel; [[ "$side" == raw ]] && name=raw
                printf '{"kind": "curve", "backend": "%s", "case": "%s", "size": %d, "side": "%s", "instructions": %d}\n' \
                    "$backend" "$case" "$size" "$name" "$o" >>"$out"
                echo "curves: $backend $case $size $name: $o instructions/op" >&2
            done
        done
    done
}

memory() { # backend
    local backend="$1" case size side
    for case in "mem_stream 1000000" "mem_eager 50000"; do
        read -r case size <<<"$case"
        for side in orm raw; do
            "$bin" "$case" "$side" 1 "$size" "$backend" | tee -a "$out" >&2
        done
    done
}

http() {
    cargo build --release -q -p heroes
    local work port pid
    work="$(mktemp -d)"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    (cd "$work" && RUST_LOG=warn exec "$OLDPWD/target/release/heroes" --port "$port") &
    pid=$!
    for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/heroes/" && break; sleep 0.1; done
    curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/teams/" -H 'content-type: application/json' \
        -d '{"name": "Preventers", "headquarters": "Sharp Tower"}'
    for i in $(seq 1 100); do
        curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/heroes/" -H 'content-type: application/json' \
            -d "{\"name\": \"Hero $i\", \"secret_name\": \"Secret $i\", \"age\": $i, \"team_id\": 1}"
    done
    # The cases alternate at each connection count, so that a change in the shared machine's
    # load lands on all three alike rather than on whichever case runs last.
    for c in 1 2 4 8 16 32 64; do
        for case in "GET one hero|/heroes/1" "GET 100 heroes|/heroes/?limit=100" "GET team with heroes|/teams/1"; do
            IFS='|' read -r name path <<<"$case"
            curl -sf -o /dev/null "http://127.0.0.1:$port$path" # fails the run if the route does not answer 200
            res="$(wrk -t1 "-c$c" "-d${HTTP_DURATION:-3s}" --latency "http://127.0.0.1:$port$path")"
            if grep -q 'Non-2xx' <<<"$res"; then echo "curves: http $name -c$c: error responses" >&2; exit 1; fi
            rps="$(awk '/Requests\/sec/ {print $2}' <<<"$res")"
            p50="$(awk '$1=="50%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' <<<"$res")"
            printf '{"kind": "http", "backend": "http", "case": "%s", "connections": %d, "rps": %s, "p50_ms": %s}\n' \
                "$name" "$c" "$rps" "$p50" >>"$out"
            echo "curves: http $name -c$c: $rps req/s, p50 $p50 ms" >&2
        done
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$work"
}

for part in "${parts[@]}"; do
    case "$part" in
        curves | memory)
            command -v valgrind >/dev/null || [[ "$part" == memory ]] || { echo "curves: needs valgrind" >&2; exit 1; }
            for backend in "${backends[@]}"; do
                with_backend "$backend" "$part" "$backend"
            done
            ;;
        http)
            command -v wrk >/dev/null || { echo "curves: needs wrk (apt-get install wrk)" >&2; exit 1; }
            http
            ;;
        *) echo "curves: unknown part $part (curves, memory, http)" >&2; exit 1 ;;
    esac
done

# Replace the points this run measured in bench/curves.jsonl (same kind, backend, case, size,
# side, connections), keep the rest.
touch bench/curves.jsonl
python3 - "$out" <<'EOF'
import json, sys
key = lambda l: tuple(json.loads(l).get(k) for k in ("kind", "backend", "case", "size", "side", "connections"))
new = [l for l in open(sys.argv[1]) if l.strip()]
fresh = {key(l) for l in new}
keep = [l for l in open("bench/curves.jsonl") if l.strip() and key(l) not in fresh]
open("bench/curves.jsonl", "w").writelines(keep + new)
EOF
python3 bench/report.py --curves bench/curves.jsonl
