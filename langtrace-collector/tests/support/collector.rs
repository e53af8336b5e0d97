//! A running `langtrace serve` on loopback ports chosen by the OS, with its own data
//! directory and known keys, behind one API whichever way it runs:
//!
//! - in this process ([`Setup::in_process`], what [`Collector::start`] gives): for every
//!   test that neither restarts, kills, measures nor reads the log of the server;
//! - as a child process ([`Setup::process`]): to restart over the same data directory,
//!   kill it, measure it alone (its RSS), or read its log ([`Setup::capture_log`]).
//!
//! A collector derefs to its [`Api`] client (`get`, `get_as`, `ok`, `post_json`,
//! `post_raw`, `client`, `base_url`), which sends the initial project's keys.

use std::ops::Deref;
use std::path::{Path, PathBuf};

use clap::Parser;
use langtrace_collector::cli::{Cli, Command};
use langtrace_collector::server::Listening;

use super::auth::Keys;
use super::http::Api;
use super::in_process::InProcess;
use super::log::Log;
use super::process::ServerProcess;

/// Where a collector keeps its data.
pub enum DataDir {
    /// A new temporary directory, removed when dropped.
    Temp(tempfile::TempDir),
    /// A directory the caller owns (a store filled beforehand, say).
    At(PathBuf),
}

impl DataDir {
    /// A new temporary directory.
    pub fn temp() -> Self {
        DataDir::Temp(tempfile::tempdir().expect("a temporary directory"))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        match self {
            DataDir::Temp(dir) => dir.path(),
            DataDir::At(path) => path,
        }
    }
}

/// How a collector runs.
enum Backend {
    /// A thread of this process.
    InProcess(InProcess),
    /// A child process.
    Process(ServerProcess),
}

/// A running collector. Stopped when dropped (after its client, before its data
/// directory, fields dropping in order).
pub struct Collector {
    api: Api,
    /// `127.0.0.1:<port>` of the OTLP/gRPC listener.
    pub grpc_addr: String,
    backend: Backend,
    data_dir: DataDir,
}

/// What to start: settings of a collector not yet running. See [`Collector::setup`].
pub struct Setup {
    args: Vec<String>,
    keys: Keys,
    data_dir: Option<DataDir>,
    capture_log: bool,
}

impl Collector {
    /// A collector in this process with default settings, a new data directory and the
    /// initial project's test keys.
    pub fn start() -> Self {
        Self::setup().in_process()
    }

    /// A collector in this process with extra `serve` flags (`--ingest-queue 1`, ...).
    pub fn start_with(args: &[&str]) -> Self {
        Self::setup().args(args).in_process()
    }

    /// Settings to adjust before starting: a new data directory, the test keys.
    pub fn setup() -> Setup {
        Setup { args: Vec::new(), keys: Keys::test(), data_dir: None, capture_log: false }
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// The process id of a collector started with [`Setup::process`].
    pub fn pid(&self) -> u32 {
        self.process().pid()
    }

    /// The log of a collector started with [`Setup::capture_log`].
    pub fn log(&self) -> &Log {
        self.process().log.as_ref().expect("a log captured: start with Setup::capture_log")
    }

    /// Stops the server (a process is killed) and hands back its data directory.
    pub fn stop(self) -> DataDir {
        let Collector { api, backend, data_dir, .. } = self;
        drop(api);
        drop(backend);
        data_dir
    }

    /// The collector `backend` runs, its client sending `keys`.
    fn running(listening: Listening, backend: Backend, keys: Keys, data_dir: DataDir) -> Self {
        Collector {
            api: Api::new(format!("http://{}", listening.http_addr), keys),
            grpc_addr: listening.grpc_addr.to_string(),
            backend,
            data_dir,
        }
    }

    /// The child process, for what only a process has.
    fn process(&self) -> &ServerProcess {
        match &self.backend {
            Backend::Process(process) => process,
            Backend::InProcess(_) => panic!("only a collector started with Setup::process has a process"),
        }
    }
}

impl Deref for Collector {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

impl Setup {
    /// Extra `serve` flags.
    pub fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|arg| (*arg).to_owned()));
        self
    }

    /// The keys the initial project gets at a first start (added to a store whose project
    /// is named `default` if new), and the keys the client sends.
    pub fn keys(mut self, public_key: &str, secret_key: &str) -> Self {
        self.keys = Keys::new(public_key, secret_key);
        self
    }

    /// Serve this data directory (a restart over the store of a stopped collector, say).
    pub fn data_dir(mut self, data_dir: DataDir) -> Self {
        self.data_dir = Some(data_dir);
        self
    }

    /// Capture the server's log (its stderr, default filter) for [`Collector::log`];
    /// only a process has one.
    pub fn capture_log(mut self) -> Self {
        self.capture_log = true;
        self
    }

    /// Starts the collector on a thread of this process.
    pub fn in_process(self) -> Collector {
        assert!(!self.capture_log, "only a collector started with Setup::process has a log to capture");
        let data_dir = self.data_dir.unwrap_or_else(DataDir::temp);
        let argv = serve_argv(data_dir.path(), &self.keys, &self.args);
        let args = match Cli::try_parse_from(std::iter::once("langtrace".to_owned()).chain(argv)) {
            Ok(Cli { command: Command::Serve(args) }) => args,
            Ok(other) => unreachable!("parsed {other:?} from serve flags"),
            Err(error) => panic!("serve flags {:?}: {error}", self.args),
        };
        let server = InProcess::start(args);
        Collector::running(server.listening, Backend::InProcess(server), self.keys, data_dir)
    }

    /// Starts `langtrace serve` as a child process.
    pub fn process(self) -> Collector {
        let data_dir = self.data_dir.unwrap_or_else(DataDir::temp);
        let argv = serve_argv(data_dir.path(), &self.keys, &self.args);
        let server = ServerProcess::start(&argv, self.capture_log, None).process;
        Collector::running(server.listening, Backend::Process(server), self.keys, data_dir)
    }
}

/// `serve` on loopback ports chosen by the OS, over `data_dir` (and its PostgreSQL
/// database under `LANGTRACE_TEST_STORE=postgres`, see [`super::postgres::store_for`]),
/// with `keys` for the initial project, then `extra`.
pub fn serve_argv(data_dir: &Path, keys: &Keys, extra: &[String]) -> Vec<String> {
    let data_dir = data_dir.to_str().expect("a UTF-8 data directory path").to_owned();
    let fixed = [
        "serve",
        "--http-addr",
        "127.0.0.1:0",
        "--grpc-addr",
        "127.0.0.1:0",
        "--data-dir",
        &data_dir,
        "--init-public-key",
        &keys.public_key,
        "--init-secret-key",
        &keys.secret_key,
    ];
    let store = super::postgres::store_for(Path::new(&data_dir)).map(|url| ["--store".to_owned(), url]);
    fixed.iter().map(|arg| (*arg).to_owned()).chain(store.into_iter().flatten()).chain(extra.iter().cloned()).collect()
}
