//! What a fresh machine lacks for the tests, set up by the tests themselves so that `cargo test --workspace` is the
//! whole suite: the installed-but-stopped PostgreSQL 15 is started and given the tests' password, and Debian's
//! Chromium and chromedriver are installed for the browser tests. Each runs at most once per test process, and
//! only where it can (the cluster tools present; root for the password and for apt).

use std::process::{Command, Stdio};
use std::sync::Once;

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn quietly(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Starts the machine's PostgreSQL 15 cluster if it is stopped, and sets the password the tests connect with.
pub fn prepare_local_postgres() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        quietly("pg_ctlcluster", &["15", "main", "start"]);
        if is_root() {
            quietly(
                "su",
                &[
                    "postgres",
                    "-c",
                    "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"",
                ],
            );
        }
    });
}

/// Installs chromium and chromium-driver with apt when chromedriver is missing and we may.
pub fn ensure_chromedriver() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if quietly("chromedriver", &["--version"]) || !is_root() {
            return;
        }
        let install = ["install", "-y", "-qq", "chromium", "chromium-driver"];
        if !quietly("apt-get", &install) {
            quietly("apt-get", &["update", "-qq"]);
            quietly("apt-get", &install);
        }
    });
}
