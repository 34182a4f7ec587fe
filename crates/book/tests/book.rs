//! The book's Markdown holds together without mdBook installed: every `{{#include}}`
//! names a file that exists (and an anchor it defines), every relative link names a
//! chapter or file that exists, and every chapter is in `SUMMARY.md`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn book_src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/book/src")
}

fn chapters() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&book_src(), &mut out);
    out.sort();
    out
}

/// `{{#include path}}` and `{{#include path:anchor}}` directives of one chapter.
fn includes(text: &str) -> Vec<(String, Option<String>)> {
    let re = regex::Regex::new(r"\{\{#include ([^}:]+)(?::([A-Za-z_][A-Za-z0-9_]*))?\}\}").unwrap();
    re.captures_iter(text).map(|c| (c[1].trim().to_owned(), c.get(2).map(|m| m.as_str().to_owned()))).collect()
}

/// Relative link targets of one chapter, without their `#fragment`.
fn links(text: &str) -> Vec<String> {
    let re = regex::Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    re.captures_iter(text)
        .map(|c| c[1].to_owned())
        .filter(|t| !t.contains("://") && !t.starts_with('#') && !t.starts_with("mailto:"))
        .map(|t| t.split('#').next().unwrap().to_owned())
        .collect()
}

#[test]
fn every_include_resolves() {
    let mut problems = Vec::new();
    for chapter in chapters() {
        let text = std::fs::read_to_string(&chapter).unwrap();
        if text.matches("{{#include").count() != includes(&text).len() {
            problems
                .push(format!("{}: an include this check cannot read (line ranges are not used)", chapter.display()));
        }
        for (path, anchor) in includes(&text) {
            let file = chapter.parent().unwrap().join(&path);
            let Ok(content) = std::fs::read_to_string(&file) else {
                problems.push(format!("{}: includes missing {path}", chapter.display()));
                continue;
            };
            if let Some(anchor) = anchor {
                let start = content.lines().any(|l| l.trim_end().ends_with(&format!("ANCHOR: {anchor}")));
                let end = content.lines().any(|l| l.trim_end().ends_with(&format!("ANCHOR_END: {anchor}")));
                if !(start && end) {
                    problems.push(format!("{}: {path} has no anchor `{anchor}`", chapter.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_link_resolves_and_every_chapter_is_listed() {
    let summary = std::fs::read_to_string(book_src().join("SUMMARY.md")).unwrap();
    let listed: BTreeSet<PathBuf> = links(&summary).iter().map(|l| book_src().join(l)).collect();
    let mut problems = Vec::new();
    for chapter in chapters() {
        let text = std::fs::read_to_string(&chapter).unwrap();
        for link in links(&text) {
            if !chapter.parent().unwrap().join(&link).exists() {
                problems.push(format!("{}: broken link {link}", chapter.display()));
            }
        }
        if !chapter.ends_with("SUMMARY.md") && !listed.contains(&chapter) {
            problems.push(format!("{} is not in SUMMARY.md", chapter.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_listing_is_shown_by_a_chapter() {
    let all: String = chapters().iter().map(|c| std::fs::read_to_string(c).unwrap()).collect();
    let mut unused = Vec::new();
    for entry in std::fs::read_dir(book_src().join("listings")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !all.contains(&format!("listings/{name}")) {
            unused.push(name);
        }
    }
    assert!(unused.is_empty(), "listings no chapter includes: {unused:?}");
}

/// Every Rust file of the workspace's crates, as text.
fn workspace_sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&book_src().join("../../../crates"), &mut out);
    out
}

/// A Rust sample written out in a chapter (not included) must be a verbatim excerpt of a
/// source file of the workspace, so it cannot drift from the code that runs.
#[test]
fn every_inline_rust_sample_is_an_excerpt_of_the_code() {
    let sources = workspace_sources();
    let mut problems = Vec::new();
    for chapter in chapters() {
        let text = std::fs::read_to_string(&chapter).unwrap();
        let mut blocks = text.split("```rust\n").skip(1);
        for block in blocks.by_ref() {
            let body = block.split("```").next().unwrap();
            if body.contains("{{#include") {
                continue;
            }
            if !sources.iter().any(|(_, source)| source.contains(body)) {
                problems.push(format!("{}: a Rust sample found in no source file:\n{body}", chapter.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
