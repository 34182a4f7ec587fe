//! Finding the PostgreSQL server binaries (`initdb`, `postgres`, `createdb`,
//! `pg_isready`, `psql`).

use std::env;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment variable that names the directory holding `initdb`,
/// `postgres` and the client binaries, overriding the search.
pub(crate) const BIN_ENV: &str = "TABLEMODEL_PG_BIN";

/// The oldest major version the tests are written for.
pub(crate) const MIN_MAJOR: u32 = 15;

/// Where Debian and Ubuntu install each major version: `<ROOT>/<major>/bin`.
const DEBIAN_ROOT: &str = "/usr/lib/postgresql";

/// Finds the directory holding the server binaries.
///
/// In order: `$TABLEMODEL_PG_BIN`; the highest version under
/// `/usr/lib/postgresql/*/bin`; the directory of an `initdb` on `PATH`.
pub(crate) fn find_bin_dir() -> Result<PathBuf, String> {
    if let Some(dir) = env::var_os(BIN_ENV) {
        let dir = PathBuf::from(dir);
        return if is_bin_dir(&dir) {
            Ok(dir)
        } else {
            Err(format!("${BIN_ENV} is {}, which has no `initdb` and `postgres`", dir.display()))
        };
    }
    if let Some(dir) = highest_debian_bin_dir(Path::new(DEBIAN_ROOT)) {
        return Ok(dir);
    }
    if let Some(dir) = env::var_os("PATH").iter().flat_map(env::split_paths).find(|dir| is_bin_dir(dir)) {
        return Ok(dir);
    }
    Err(format!(
        "no PostgreSQL server binaries found: none under {DEBIAN_ROOT}/*/bin, none on PATH, \
         and ${BIN_ENV} is not set; run scripts/setup.sh (installs Debian's `postgresql`) \
         or point ${BIN_ENV} at the directory holding `initdb`"
    ))
}

/// Whether `dir` has both `initdb` and `postgres`.
fn is_bin_dir(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("postgres").is_file()
}

/// `<root>/<N>/bin` for the highest numeric `N` that holds the binaries.
fn highest_debian_bin_dir(root: &Path) -> Option<PathBuf> {
    fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = version_key(&entry.file_name())?;
            let bin = entry.path().join("bin");
            is_bin_dir(&bin).then_some((version, bin))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, bin)| bin)
}

/// Orders Debian's version directory names: `9.6` < `15` < `16`.
fn version_key(name: &OsStr) -> Option<Vec<u32>> {
    name.to_str()?.split('.').map(|part| part.parse().ok()).collect()
}

/// Runs `postgres --version` and checks the major version is supported.
///
/// Returns the version line, e.g. `postgres (PostgreSQL) 15.18 (Debian ...)`.
pub(crate) fn check_version(bin_dir: &Path) -> Result<String, String> {
    let postgres = bin_dir.join("postgres");
    let output = Command::new(&postgres)
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", postgres.display()))?;
    let line = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let major = parse_major(&line)
        .ok_or_else(|| format!("cannot read a version from `{} --version`: {line:?}", postgres.display()))?;
    if major < MIN_MAJOR {
        return Err(format!(
            "{} is PostgreSQL {major}, but the tests need {MIN_MAJOR} or newer \
             (set ${BIN_ENV} to a newer installation's bin directory)",
            postgres.display()
        ));
    }
    Ok(line)
}

/// The major version in a `postgres --version` line.
fn parse_major(line: &str) -> Option<u32> {
    let (_, rest) = line.split_once("(PostgreSQL) ")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_major_versions() {
        assert_eq!(parse_major("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"), Some(15));
        assert_eq!(parse_major("postgres (PostgreSQL) 16.4"), Some(16));
        assert_eq!(parse_major("postgres (PostgreSQL) 17beta1"), Some(17));
        assert_eq!(parse_major("postgres (PostgreSQL) 9.6.24"), Some(9));
        assert_eq!(parse_major("something else"), None);
    }

    #[test]
    fn orders_version_directories_numerically() {
        let key = |s: &str| version_key(OsStr::new(s));
        assert!(key("9.6") < key("15"));
        assert!(key("15") < key("16"));
        assert!(key("16") < key("100"));
        assert_eq!(key("common"), None);
    }

    #[test]
    fn picks_the_highest_debian_version() {
        let root = tempfile::tempdir().expect("temp dir");
        for (version, complete) in [("9.6", true), ("15", true), ("16", true), ("17", false)] {
            let bin = root.path().join(version).join("bin");
            fs::create_dir_all(&bin).expect("create bin dir");
            fs::write(bin.join("initdb"), "").expect("write initdb");
            if complete {
                fs::write(bin.join("postgres"), "").expect("write postgres");
            }
        }
        fs::create_dir_all(root.path().join("common")).expect("create common");
        assert_eq!(highest_debian_bin_dir(root.path()), Some(root.path().join("16").join("bin")));
        assert_eq!(highest_debian_bin_dir(&root.path().join("missing")), None);
    }
}
