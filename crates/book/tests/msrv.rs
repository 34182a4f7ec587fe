//! The minimum supported Rust version (`rust-version` in the workspace's Cargo.toml) is
//! checked as far as a machine with one recent toolchain can check it:
//!
//! - every dependency the library crates build with declares a `rust-version` no newer
//!   than ours (so none of them needs a newer compiler than we claim);
//! - clippy's `incompatible_msrv` lint (on in every clippy run of `scripts/test.sh`) rejects
//!   standard-library APIs stabilised after it.
//!
//! What this cannot see is a language feature newer than the claim; only building with
//! that exact toolchain would (`cargo +1.89 check --workspace`), which CI cannot download.

use std::collections::{BTreeMap, BTreeSet};

/// `1.89` and `1.89.0` alike, as comparable numbers.
fn version(text: &str) -> [u32; 3] {
    let mut parts = [0; 3];
    for (slot, part) in parts.iter_mut().zip(text.split('.')) {
        *slot = part.parse().expect("a numeric version part");
    }
    parts
}

#[test]
fn no_dependency_needs_a_newer_rust_than_the_workspace_claims() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--all-features"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();

    let packages: BTreeMap<&str, &serde_json::Value> =
        meta["packages"].as_array().unwrap().iter().map(|p| (p["id"].as_str().unwrap(), p)).collect();
    let nodes: BTreeMap<&str, &serde_json::Value> =
        meta["resolve"]["nodes"].as_array().unwrap().iter().map(|n| (n["id"].as_str().unwrap(), n)).collect();
    let library = |name: &str| packages.values().find(|p| p["name"] == name).unwrap();
    let claim = library("tablemodel")["rust_version"].as_str().expect("tablemodel declares rust-version");

    // What the published crates compile: normal dependencies, transitively.
    let mut todo: Vec<&str> =
        ["tablemodel", "tablemodel-macros"].iter().map(|n| library(n)["id"].as_str().unwrap()).collect();
    let mut seen = BTreeSet::new();
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dep in nodes[id]["deps"].as_array().unwrap() {
            if dep["dep_kinds"].as_array().unwrap().iter().any(|k| k["kind"].is_null()) {
                todo.push(dep["pkg"].as_str().unwrap());
            }
        }
    }
    let too_new: Vec<String> = seen
        .iter()
        .filter_map(|id| {
            let p = packages[id];
            let needs = p["rust_version"].as_str()?;
            let (name, release) = (p["name"].as_str()?, p["version"].as_str()?);
            (version(needs) > version(claim)).then(|| format!("{name} {release} needs {needs}"))
        })
        .collect();
    assert!(too_new.is_empty(), "rust-version = {claim}, but: {too_new:?}");
}
