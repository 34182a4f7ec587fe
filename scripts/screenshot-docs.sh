#!/usr/bin/env bash
# Regenerates the book's picture of the heroes API's /docs page
# (docs/book/src/img/heroes-docs.png): starts the heroes app on a throwaway SQLite
# database and a free loopback port, takes a PNG with headless Chromium, stops the app.
#   scripts/screenshot-docs.sh [output.png]
# Needs chromium (scripts/setup.sh installs it). Not part of CI: the picture is checked in.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out="${1:-docs/book/src/img/heroes-docs.png}"
chromium="${TABLEMODEL_CHROMIUM:-chromium}"
tmp="$(mktemp -d)"
app_pid=""
cleanup() {
    [[ -n "$app_pid" ]] && kill "$app_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

cargo build -q -p heroes
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
DATABASE_URL="sqlite:///$tmp/heroes.db" RUST_LOG=warn target/debug/heroes --port "$port" &
app_pid=$!

for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
done

# --virtual-time-budget lets the page's script render the routes before the capture.
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$tmp/profile" --window-size=1280,900 --virtual-time-budget=5000 \
    --screenshot="$out" "http://127.0.0.1:$port/docs" 2>/dev/null
echo "wrote $out"
