//! A running `langtrace demo` (a child process) on loopback ports chosen by the OS in a
//! new data directory, once its ready line (`langtrace demo ready: http://ADDR/
//! public_key=PK secret_key=SK`) says its data is stored. Derefs to an [`Api`] client
//! sending the demo's keys. Killed when dropped.

use std::ops::Deref;
use std::path::Path;

use langtrace_collector::demo::READY_PREFIX;
use langtrace_collector::server::Listening;

use super::auth::Keys;
use super::http::Api;
use super::process::ServerProcess;

/// A running demo.
pub struct Demo {
    api: Api,
    /// The addresses its listeners bound (from its `langtrace listening:` line).
    pub listening: Listening,
    /// `127.0.0.1:<port>` of the OTLP/gRPC listener.
    pub grpc_addr: String,
    /// The ready line, whole.
    pub ready_line: String,
    process: ServerProcess,
    data_dir: tempfile::TempDir,
}

impl Demo {
    /// Starts `langtrace demo` and waits for its ready line.
    pub fn start() -> Self {
        let data_dir = tempfile::tempdir().expect("a temporary directory");
        let args = ["demo", "--http-addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0", "--data-dir"]
            .into_iter()
            .map(str::to_owned)
            .chain([data_dir.path().to_str().expect("a UTF-8 data directory path").to_owned()])
            .collect::<Vec<_>>();
        let started = ServerProcess::start(&args, false, Some(READY_PREFIX));
        let ready_line = started.line.expect("the ready line");
        let (base_url, keys) = parse_ready(&ready_line);
        let listening = started.process.listening;
        Self {
            api: Api::new(base_url, keys),
            listening,
            grpc_addr: listening.grpc_addr.to_string(),
            ready_line,
            process: started.process,
            data_dir,
        }
    }

    /// The demo's key pair (from its ready line).
    pub fn keys(&self) -> &Keys {
        &self.api.keys
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Its data directory.
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }
}

impl Deref for Demo {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

/// The base URL (without its trailing slash) and the keys of a ready line, which must
/// be exactly `READY_PREFIX URL/ public_key=PK secret_key=SK`.
fn parse_ready(line: &str) -> (String, Keys) {
    let words: Vec<&str> = line.strip_prefix(READY_PREFIX).unwrap_or_default().split_whitespace().collect();
    let [url, public_key, secret_key] = words[..] else { panic!("not a ready line: {line:?}") };
    let base_url = url.strip_suffix('/').unwrap_or_else(|| panic!("the URL ends with a slash: {line:?}"));
    let public_key = public_key.strip_prefix("public_key=").unwrap_or_else(|| panic!("no public key: {line:?}"));
    let secret_key = secret_key.strip_prefix("secret_key=").unwrap_or_else(|| panic!("no secret key: {line:?}"));
    (base_url.to_owned(), Keys::new(public_key, secret_key))
}
