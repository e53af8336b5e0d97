//! The `langtrace` command line's one-off writes (`project create`, `keys create`) run
//! against a collector's data directory.

use std::path::Path;
use std::process::{Command, Output};

use super::auth::Keys;

/// Runs `langtrace <args> --data-dir <data_dir>` (and `--store` when the collector over
/// `data_dir` has a PostgreSQL store, see [`super::postgres::existing_store`]); its output,
/// whether or not it succeeded.
pub fn output(data_dir: &Path, args: &[&str]) -> Output {
    let store = super::postgres::existing_store(data_dir).map(|url| ["--store".to_owned(), url]);
    Command::new(env!("CARGO_BIN_EXE_langtrace"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .args(store.into_iter().flatten())
        .output()
        .expect("run the langtrace command line")
}

/// Runs `langtrace <args> --data-dir <data_dir>`, which must succeed; what it printed.
pub fn run(data_dir: &Path, args: &[&str]) -> String {
    let output = output(data_dir, args);
    assert!(output.status.success(), "langtrace {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// The key pair a `project create` or `keys create` printed.
pub fn keys_printed(printed: &str) -> Keys {
    let key = |label: &str| {
        printed.lines().find_map(|line| line.trim().strip_prefix(label)).expect("a printed key").trim().to_owned()
    };
    Keys::new(&key("public key:"), &key("secret key:"))
}

/// Creates the project `name` in `data_dir`; its first key pair.
pub fn create_project(data_dir: &Path, name: &str) -> Keys {
    keys_printed(&run(data_dir, &["project", "create", name]))
}
