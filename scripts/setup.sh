#!/usr/bin/env bash
# Installs what the tests need besides Rust: PostgreSQL's server binaries
# (15 or newer), which crates/tablemodel-testkit starts a throwaway server
# from, Chromium, which loads the heroes API's /docs page headless, and the
# sqlite3 shell, which runs the SQL `db upgrade --sql` prints, and PgBouncer,
# which the tests start in front of the test server (transaction pooling).
# Safe to run again: it does nothing when they are already installed.
#
# Uses Debian's `postgresql`, `pgbouncer`, `chromium` and `sqlite3` packages (apt-get; through sudo
# unless root).
# Elsewhere, install PostgreSQL 15+ yourself and point TABLEMODEL_PG_BIN at
# the directory holding `initdb`, or put that directory on PATH.
set -euo pipefail

have_postgres() {
    if [[ -n "${TABLEMODEL_PG_BIN:-}" ]]; then
        [[ -x "$TABLEMODEL_PG_BIN/initdb" ]]
        return
    fi
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null
}

have_chromium() {
    command -v chromium >/dev/null || [[ -n "${TABLEMODEL_CHROMIUM:-}" && -x "${TABLEMODEL_CHROMIUM}" ]]
}

if [[ "$(id -u)" -eq 0 ]]; then
    as_root=()
else
    as_root=(sudo)
fi

have_sqlite3() {
    command -v sqlite3 >/dev/null
}

have_pgbouncer() {
    [[ -n "${TABLEMODEL_PGBOUNCER:-}" && -x "${TABLEMODEL_PGBOUNCER}" ]] || [[ -x /usr/sbin/pgbouncer ]] ||
        command -v pgbouncer >/dev/null
}

packages=()
have_sqlite3 || packages+=(sqlite3)
have_postgres || packages+=(postgresql)
have_pgbouncer || packages+=(pgbouncer)
have_chromium || packages+=(chromium)
if [[ ${#packages[@]} -eq 0 ]]; then
    exit 0
fi

if [[ -n "${TABLEMODEL_PG_BIN:-}" ]] && ! have_postgres; then
    echo "setup: TABLEMODEL_PG_BIN=$TABLEMODEL_PG_BIN has no initdb" >&2
    exit 1
fi

echo "setup: installing ${packages[*]} (Debian packages)" >&2
"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${packages[@]}"

if ! have_postgres; then
    echo "setup: installed postgresql, but found no /usr/lib/postgresql/*/bin/initdb" >&2
    exit 1
fi
if ! have_sqlite3; then
    echo "setup: installed sqlite3, but found no sqlite3 on PATH" >&2
    exit 1
fi
if ! have_pgbouncer; then
    echo "setup: installed pgbouncer, but found no /usr/sbin/pgbouncer" >&2
    exit 1
fi
if ! have_chromium; then
    echo "setup: installed chromium, but found no chromium on PATH" >&2
    exit 1
fi
