#!/usr/bin/env bash
# Runs every check CI runs, in the same way: formatting, clippy, building the
# examples, the API documentation (warnings are errors), all tests (unit,
# integration against real PostgreSQL and MariaDB servers, and doctests), the
# heroes API's fuzzing drill (schemathesis), and the book's HTML. Installs the
# servers first if they are missing (scripts/setup.sh).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

# A CI run builds once from a clean clone: incremental compilation data would only cost
# time and several GB of disk there.
if [[ "${CI:-}" == "true" ]]; then
    export CARGO_INCREMENTAL=0
fi

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

# Drill 6: property-based HTTP fuzzing of the heroes API from its OpenAPI document, on SQLite,
# PostgreSQL and MariaDB (crates/heroes/tests/drills.rs, ignored by plain `cargo test`). schemathesis
# comes from PyPI into a virtual environment in target/tools when missing.
schemathesis=target/tools/schemathesis/bin/schemathesis
if [[ ! -x "$schemathesis" ]]; then
    run python3 -m venv target/tools/schemathesis
    run target/tools/schemathesis/bin/pip install --quiet --disable-pip-version-check schemathesis==4.32.5
fi
run cargo test -p heroes --all-features --test drills -- --ignored --nocapture schemathesis

# The book's HTML (docs/book). Its samples are compiled and run by the tests above; this
# checks that mdBook builds it. mdBook comes from crates.io into target/tools when missing.
mdbook=target/tools/bin/mdbook
[[ -x "$mdbook" ]] || run cargo install mdbook --locked --version 0.5.4 --root target/tools
run "$mdbook" build docs/book --dest-dir "$(mktemp -d)"
