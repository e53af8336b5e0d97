//! Third-party clients installed once under the target directory: a Python virtualenv
//! from a pinned requirements file, a Node project from its lock file. Each install is
//! redone only when its pin file changed (a marker holds the installed copy).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `program args...` in `dir` (else the current directory) and asserts it succeeded.
pub fn run(program: &Path, args: &[&str], dir: Option<&Path>) {
    let mut command = Command::new(program);
    command.args(args);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let status = command.status().unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    assert!(status.success(), "{} {args:?} failed", program.display());
}

/// Runs `install` unless `marker` already holds `wanted`, then records `wanted` there.
pub fn install_once(marker: &Path, wanted: &str, install: impl FnOnce()) {
    if std::fs::read_to_string(marker).ok().as_deref() != Some(wanted) {
        install();
        std::fs::write(marker, wanted).unwrap();
    }
}

/// The Python of a virtualenv `name` under the target directory with `requirements`
/// installed, or the interpreter the environment variable `override_var` names.
pub fn python_venv(name: &str, requirements: &Path, override_var: &str) -> PathBuf {
    if let Ok(python) = std::env::var(override_var) {
        return PathBuf::from(python);
    }
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let python = venv.join("bin").join("python");
    let wanted = std::fs::read_to_string(requirements).unwrap();
    install_once(&venv.join("installed-requirements.txt"), &wanted, || {
        run(Path::new("python3"), &["-m", "venv", venv.to_str().unwrap()], None);
        let requirements = requirements.to_str().unwrap();
        let pip = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements];
        run(&python, &pip, None);
    });
    python
}
