//! Which operating-system user the server processes run as.
//!
//! PostgreSQL refuses to run as root (`initdb` and `postgres` both exit with
//! "cannot be run as root"). Our CI and development machines run everything
//! as root, so in that case the server is run as the `postgres` system user
//! (created by the Debian `postgresql` package). Everything here is plain
//! std: the workspace forbids `unsafe`, so no `libc` calls.

use std::fs;
use std::process::Command;

/// A user (and primary group) to run the server's processes as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RunAs {
    pub(crate) uid: u32,
    pub(crate) gid: u32,
}

/// Decides who runs `initdb` and `postgres`.
///
/// Returns `Ok(None)` when the current user is not root: the server then
/// runs as the current user. Returns the `postgres` user when running as
/// root, or an error if there is no such user.
pub(crate) fn server_user() -> Result<Option<RunAs>, String> {
    if effective_uid()? != 0 {
        return Ok(None);
    }
    match lookup_user("postgres") {
        Some(user) => Ok(Some(user)),
        None => Err("running as root, and PostgreSQL refuses to run as root, but there is \
             no `postgres` system user to run it as; install the `postgresql` package \
             (scripts/setup.sh) or create the user with `useradd --system postgres`"
            .to_owned()),
    }
}

/// The effective user id of this process.
///
/// Read from the `Uid:` line of `/proc/self/status` (real, effective, saved,
/// filesystem); falls back to `id -u` where there is no `/proc`.
fn effective_uid() -> Result<u32, String> {
    if let Ok(status) = fs::read_to_string("/proc/self/status") {
        let euid = status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            .and_then(|euid| euid.parse().ok());
        if let Some(euid) = euid {
            return Ok(euid);
        }
    }
    let output = Command::new("id")
        .arg("-u")
        .output()
        .map_err(|e| format!("cannot determine the effective user id: `id -u`: {e}"))?;
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .map_err(|e| format!("cannot determine the effective user id: `id -u` said nothing usable: {e}"))
}

/// Looks a user up in `/etc/passwd`, then through `getent passwd` (NSS).
fn lookup_user(name: &str) -> Option<RunAs> {
    if let Ok(passwd) = fs::read_to_string("/etc/passwd")
        && let Some(user) = find_in_passwd(&passwd, name)
    {
        return Some(user);
    }
    let output = Command::new("getent").args(["passwd", name]).output().ok()?;
    find_in_passwd(&String::from_utf8_lossy(&output.stdout), name)
}

/// Finds `name` in text in passwd(5) format: `name:pw:uid:gid:gecos:home:shell`.
fn find_in_passwd(passwd: &str, name: &str) -> Option<RunAs> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != name {
            return None;
        }
        let _password = fields.next()?;
        let uid = fields.next()?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        Some(RunAs { uid, gid })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_passwd_lines() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\n\
                      postgresql:x:7:7::/:/bin/sh\n\
                      postgres:x:101:104:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash\n";
        assert_eq!(find_in_passwd(passwd, "postgres"), Some(RunAs { uid: 101, gid: 104 }));
        assert_eq!(find_in_passwd(passwd, "root"), Some(RunAs { uid: 0, gid: 0 }));
        assert_eq!(find_in_passwd(passwd, "nobody"), None);
        assert_eq!(find_in_passwd("postgres:x:notanumber:1::/:/bin/sh", "postgres"), None);
    }

    #[test]
    fn effective_uid_matches_id() {
        let id = Command::new("id").arg("-u").output().expect("run `id -u`");
        let expected: u32 = String::from_utf8_lossy(&id.stdout).trim().parse().expect("uid");
        assert_eq!(effective_uid(), Ok(expected));
    }
}
