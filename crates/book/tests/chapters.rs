//! Runs every chapter program of the book and compares what it prints (standard output)
//! and the SQL it logs (standard error) with the listings the chapter includes
//! (`docs/book/src/listings/<program>.out` and `.sql`): the book shows what the code does.
//!
//! After a deliberate change, `BOOK_BLESS=1 cargo test -p tablemodel-book --test chapters`
//! rewrites the listings; review the diff like any other.

use std::path::PathBuf;
use std::process::Command;

fn listings() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/book/src/listings")
}

fn check(program: &str, exe: &str) {
    let output = Command::new(exe).env_remove("RUST_LOG").output().expect("the chapter program starts");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    let stderr = String::from_utf8(output.stderr).expect("UTF-8 log");
    assert!(output.status.success(), "{program} failed:\n{stdout}\n{stderr}");
    for (ext, text) in [("out", stdout), ("sql", stderr)] {
        for (section, actual) in sections(&text) {
            let name = match section {
                Some(section) => format!("{program}.{section}.{ext}"),
                None => format!("{program}.{ext}"),
            };
            compare(&listings().join(name), &actual);
        }
    }
}

/// The text before the first `# name` line (if any), then each named section. A name is
/// lowercase words, so that other lines starting with `# ` (a TOML file's comments) stay
/// in their section.
fn sections(text: &str) -> Vec<(Option<String>, String)> {
    let mut out = vec![(None, String::new())];
    for line in text.lines() {
        if let Some(name) = line
            .strip_prefix("# ")
            .filter(|n| n.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter(|n| n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == ' ' || c == '-'))
        {
            out.push((Some(name.replace(' ', "-")), String::new()));
        } else {
            let current = &mut out.last_mut().unwrap().1;
            current.push_str(line);
            current.push('\n');
        }
    }
    if out.len() > 1 && out[0].1.is_empty() {
        out.remove(0);
    }
    out
}

fn compare(path: &std::path::Path, actual: &str) {
    if actual.is_empty() && !path.exists() {
        return; // a section that prints or logs nothing needs no listing
    }
    if std::env::var_os("BOOK_BLESS").is_some() {
        std::fs::create_dir_all(listings()).unwrap();
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e} (BOOK_BLESS=1 writes it)", path.display()));
    assert_eq!(actual, expected, "{} differs from what the program printed", path.display());
}

macro_rules! chapters {
    ($($test:ident => $program:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                check($program, env!(concat!("CARGO_BIN_EXE_", $program)));
            }
        )*
    };
}

chapters! {
    create_table => "create-table",
    insert => "insert",
    select => "select",
    where_ => "where",
    indexes => "indexes",
    read_one => "read-one",
    limit_offset => "limit-offset",
    update => "update",
    delete => "delete",
    connect => "connect",
    relationships => "relationships",
    many_to_many => "many-to-many",
    web_simple => "web-simple",
    web_heroes => "web-heroes",
    migrations => "migrations",
}
