#!/usr/bin/env bash
# Instructions per operation of the peers (Diesel, SeaORM, sqlx) and the raw driver on the
# same SQLite build, counted by callgrind as tablemodel's bench/instructions.sh counts its own:
# (X(2n) − X(n)) / n for get by key and filter + order + limit 100 over 10,000 heroes.
#   bench/peers/instructions.sh [case ...]            cases: get filter (default: both)
#   BACKEND=postgres bench/peers/instructions.sh      the client side against tokio-postgres
# Prints a table and appends JSON lines to $RESULTS when set. Needs valgrind. Builds the peers
# workspace in release (several minutes the first time).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
backend="${BACKEND:-sqlite}"
nice -n 10 cargo build -q --release
bin=target/release/tablemodel-peers

if [[ "$backend" == postgres && -z "${PG_URL:-}" ]]; then
    (cd ../.. && cargo build -q -p tablemodel-testkit --bin pg-server)
    coproc PG { ../../target/debug/pg-server; }
    read -r PG_URL <&"${PG[0]}"
    export PG_URL
fi

raw=rusqlite
[[ "$backend" == postgres ]] && raw=tokio-postgres
sides=("$raw" diesel diesel-first sqlx sqlx-pool sea-orm)
declare -A ops=([get]=1000 [filter]=100)
cases=("$@")
[[ ${#cases[@]} -eq 0 ]] && cases=(get filter)

count() { # side case n -> instructions
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" count "$1" "$2" "$3" "$backend" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf '%-8s %-14s %14s %8s\n' case side instr/op "÷ $raw"
for case in "${cases[@]}"; do
    n=${ops[$case]}
    base=""
    for side in "${sides[@]}"; do
        per_op=$(( ($(count "$side" "$case" $((2 * n))) - $(count "$side" "$case" "$n")) / n ))
        [[ -z "$base" ]] && base=$per_op
        printf '%-8s %-14s %14d %8.3f\n' "$case" "$side" "$per_op" "$(awk -v o="$per_op" -v r="$base" 'BEGIN { print o / r }')"
        if [[ -n "${RESULTS:-}" ]]; then
            printf '{"kind": "peers", "backend": "%s", "case": "%s", "side": "%s", "instructions": %d}\n' \
                "$backend" "$case" "$side" "$per_op" >>"$RESULTS"
        fi
    done
done
if [[ -n "${PG_PID:-}" ]]; then
    exec {PG[1]}>&-
    wait "$PG_PID" || true
fi
