#!/usr/bin/env bash
# Instructions per operation, tablemodel against rusqlite, counted by callgrind: repeatable
# where wall-clock ratios on this shared machine are not. Each case runs twice per side
# (n and 2n operations) so that start-up and seeding cancel out.
#   bench/instructions.sh [case ...]     cases: get all1 first one one_or_none page filter join
#                                        eager stream (default: these reads), stream10, and
#                                        insert update delete bulk (writes, each committed)
#   BACKEND=postgres bench/instructions.sh [case ...]   the client side against tokio-postgres
#                                        (every case)
#   BACKEND=mysql bench/instructions.sh [case ...]      the same against mysql_async (MariaDB),
#                                        but eager, update, delete and bulk
# INSTRUCTIONS_BIN=path runs an already built benchmark binary (to measure an older commit).
# REPEAT=k measures each side k times, alternating, and reports the medians (and each run).
# Needs valgrind (Debian's `valgrind` package). Not part of CI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -n "${INSTRUCTIONS_BIN:-}" ]]; then
    bin="$INSTRUCTIONS_BIN"
else
    cargo bench -q -p tablemodel --all-features --bench instructions --no-run 2>/dev/null
    bin="$(ls -t target/release/deps/instructions-* | grep -v '\.d$' | head -1)"
fi

backend="${BACKEND:-sqlite}"
# MariaDB's start-up (the test kit polls until the server answers) is left out of the count:
# on a loaded machine it varies by more than the 200 operations of `join` cost.
uncounted=()
[[ "$backend" == mysql ]] && uncounted=("--toggle-collect=*MariaDbServer::start" --collect-atstart=yes)
# UNCOUNTED='pattern …' leaves more functions out of the count (callgrind `--toggle-collect`
# patterns), e.g. UNCOUNTED='*Loaded::compact' for the cases whose 2n run happens to hold one
# more compaction of the session's change tracking than the n run (see BENCHMARKS.md).
read -ra patterns <<<"${UNCOUNTED:-}"
for pattern in "${patterns[@]}"; do uncounted+=("--toggle-collect=$pattern"); done
[[ -n "${UNCOUNTED:-}" && "$backend" != mysql ]] && uncounted+=(--collect-atstart=yes)
count() { # case side n -> instructions
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "${uncounted[@]}" "$bin" "$1" "$2" "$3" "$backend" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

declare -A ops=([get]=2000 [all1]=2000 [first]=2000 [one]=2000 [one_or_none]=2000 [page]=1000 [filter]=500
    [join]=200 [eager]=5 [stream]=20 [stream10]=1000 [insert]=500 [update]=500 [delete]=500 [bulk]=500)
cases=("$@")
if [[ ${#cases[@]} -eq 0 ]]; then
    cases=(get all1 first one one_or_none page filter join stream)
    [[ "$backend" != mysql ]] && cases+=(eager)
fi
printf '%-8s %16s %16s %8s\n' case tablemodel/op raw/op ratio
for case in "${cases[@]}"; do
    n=${ops[$case]}
    once() { echo $(( ($(count "$case" "$1" $((2 * n))) - $(count "$case" "$1" "$n")) / n )); }
    # The median of REPEAT measurements (default 1): client-side counts against a server move
    # with how often the client is polled while the server answers (PostgreSQL writes by
    # ±3,000 between runs), so compare medians there. The two sides alternate.
    median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
    os=() rs=()
    for _ in $(seq 1 "${REPEAT:-1}"); do os+=("$(once orm)") rs+=("$(once raw)"); done
    o=$(printf '%s\n' "${os[@]}" | median) r=$(printf '%s\n' "${rs[@]}" | median)
    ((${REPEAT:-1} > 1)) && echo "  $case runs: orm ${os[*]}; raw ${rs[*]}" >&2
    printf '%-8s %16d %16d %8.3f\n' "$case" "$o" "$r" "$(awk -v o="$o" -v r="$r" 'BEGIN { print o / r }')"
done
