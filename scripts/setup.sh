#!/usr/bin/env bash
# Installs what the tests need besides Rust: PostgreSQL's server binaries
# (15 or newer) and MariaDB's (`mariadbd`, `mariadb-install-db`), which
# crates/tablemodel-testkit starts throwaway servers from; PgBouncer, which the
# tests start in front of a test server (transaction pooling); the `sqlite3` and
# `psql` shells the migration tests pipe generated SQL into; Chromium,
# which loads the heroes API's /docs page headless; and Python 3 with `venv`,
# into which scripts/test.sh installs schemathesis (the heroes API's fuzzing drill).
# Safe to run again: it does nothing when they are already installed.
#
# Uses Debian's `postgresql`, `pgbouncer`, `mariadb-server`, `sqlite3`, `chromium` and `python3-venv` packages (apt-get; through sudo
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

have_mariadb() {
    if [[ -n "${TABLEMODEL_MARIADB_BIN:-}" ]]; then
        [[ -x "$TABLEMODEL_MARIADB_BIN/mariadbd" ]]
        return
    fi
    [[ -x /usr/sbin/mariadbd ]] || command -v mariadbd >/dev/null
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

have_python_venv() {
    command -v python3 >/dev/null && python3 -c 'import ensurepip, venv' 2>/dev/null
}

have_pgbouncer() {
    [[ -n "${TABLEMODEL_PGBOUNCER:-}" && -x "${TABLEMODEL_PGBOUNCER}" ]] || [[ -x /usr/sbin/pgbouncer ]] ||
        command -v pgbouncer >/dev/null
}

packages=()
have_sqlite3 || packages+=(sqlite3)
have_postgres || packages+=(postgresql)
have_mariadb || packages+=(mariadb-server)
have_pgbouncer || packages+=(pgbouncer)
have_chromium || packages+=(chromium)
have_python_venv || packages+=(python3-venv)
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
if ! have_mariadb; then
    echo "setup: installed mariadb-server, but found no mariadbd" >&2
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
if ! have_python_venv; then
    echo "setup: installed python3-venv, but python3 -m venv is still unavailable" >&2
    exit 1
fi
