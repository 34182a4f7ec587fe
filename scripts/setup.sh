#!/usr/bin/env bash
# Installs what the tests need besides Rust: PostgreSQL's server binaries
# (15 or newer), which crates/tablemodel-testkit starts a throwaway server
# from. Safe to run again: it does nothing when they are already installed.
#
# Uses Debian's `postgresql` package (apt-get; through sudo unless root).
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

if have_postgres; then
    exit 0
fi

if [[ -n "${TABLEMODEL_PG_BIN:-}" ]]; then
    echo "setup: TABLEMODEL_PG_BIN=$TABLEMODEL_PG_BIN has no initdb" >&2
    exit 1
fi

if [[ "$(id -u)" -eq 0 ]]; then
    as_root=()
else
    as_root=(sudo)
fi

echo "setup: installing PostgreSQL (Debian package postgresql)" >&2
"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends postgresql

if ! have_postgres; then
    echo "setup: installed postgresql, but found no /usr/lib/postgresql/*/bin/initdb" >&2
    exit 1
fi
