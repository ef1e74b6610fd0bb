//! The domain crate must not reach the database, the web or an async runtime, directly or through a dependency.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[test]
fn the_domain_layer_depends_on_no_database_web_or_runtime() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "tree",
            "-p",
            "temas-core",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    let crates: Vec<&str> = tree.lines().filter_map(|l| l.split(' ').next()).collect();
    assert!(
        crates.contains(&"temas-core") && crates.contains(&"serde"),
        "{tree}"
    );
    for forbidden in ["sqlx", "axum", "tokio", "hyper"] {
        assert!(
            !crates.contains(&forbidden),
            "temas-core depends on {forbidden}:\n{tree}"
        );
    }
}
