#!/usr/bin/env bash
# Runs every check CI runs, in the same way: formatting, clippy, building the
# examples, the API documentation (warnings are errors), and all tests (unit,
# integration against a real PostgreSQL, and doctests). Installs PostgreSQL
# first if it is missing (scripts/setup.sh).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

run() {
    echo "+ $*" >&2
    "$@"
}

run cargo fmt --all --check
run cargo clippy --workspace --all-targets --all-features -- -D warnings
run cargo clippy -p tablemodel --lib -- -D warnings
run cargo clippy -p tablemodel --lib --no-default-features --features postgres -- -D warnings
run cargo clippy -p tablemodel --lib --no-default-features --features mysql -- -D warnings
run cargo build --workspace --examples --all-features
RUSTDOCFLAGS="-D warnings" run cargo doc --workspace --all-features --no-deps
run cargo test --workspace --all-features
