#!/usr/bin/env bash
# One route of the heroes API served by two builds of the heroes binary (say, before and
# after a change), as a ratio measured in one run: both servers run side by side on their
# own SQLite file with the same 100 heroes, and wrk rounds alternate between them, so the
# machine's load drifts over both alike. Prints each round and the median ratio B / A.
#   bench/http_ab.sh BIN_A BIN_B [ROUTE]      ROUTE default: /heroes/?offset=10&limit=10
#   ROUNDS=9 DURATION=3s CONNECTIONS=16       the defaults
# Needs wrk (Debian's `wrk` package) and python3 (a free port). Not part of CI.
set -euo pipefail
[[ $# -ge 2 ]] || { sed -n '2,8p' "$0" >&2; exit 2; }
bin_a="$(realpath "$1")" bin_b="$(realpath "$2")"
route="${3:-/heroes/?offset=10&limit=10}"
rounds="${ROUNDS:-9}" duration="${DURATION:-3s}" connections="${CONNECTIONS:-16}"
command -v wrk >/dev/null || { echo "http_ab: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

start() { # binary dir -> port (server left running in the background)
    local port
    port="$(free_port)"
    mkdir -p "$2"
    (cd "$2" && RUST_LOG=warn exec "$1" --port "$port" >/dev/null 2>&1) &
    for _ in $(seq 1 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/heroes/" && break
        sleep 0.1
    done
    curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/teams/" -H 'content-type: application/json' \
        -d '{"name": "Preventers", "headquarters": "Sharp Tower"}'
    for i in $(seq 1 100); do
        curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/heroes/" -H 'content-type: application/json' \
            -d "{\"name\": \"Hero $i\", \"secret_name\": \"Secret $i\", \"age\": $i, \"team_id\": 1}"
    done
    echo "$port"
}

rps() { wrk -t1 "-c$connections" "-d$duration" "http://127.0.0.1:$1$route" | awk '/Requests\/sec/ {print $2}'; }

port_a="$(start "$bin_a" "$work/a")"
port_b="$(start "$bin_b" "$work/b")"
rps "$port_a" >/dev/null
rps "$port_b" >/dev/null # warm-up rounds, not counted

ratios=()
printf '%-6s %12s %12s %8s\n' round A_req/s B_req/s B/A
for r in $(seq 1 "$rounds"); do
    if ((r % 2)); then a="$(rps "$port_a")" b="$(rps "$port_b")"; else b="$(rps "$port_b")" a="$(rps "$port_a")"; fi
    ratio="$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }')"
    ratios+=("$ratio")
    printf '%-6s %12s %12s %8s\n' "$r" "$a" "$b" "$ratio"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "median B/A over %d rounds: %s\n", NR, v[int((NR + 1) / 2)] }'
