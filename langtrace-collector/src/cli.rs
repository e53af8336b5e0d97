//! Command line: `langtrace serve` (every setting a flag with an environment twin),
//! `langtrace demo` (cargo feature `demo`, on by default), `langtrace project create|retention`,
//! `langtrace keys create|list|revoke`, `langtrace backup|restore|compact`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The langtrace collector: OTLP in, a durable embedded store, a query API.
#[derive(Debug, Parser)]
#[command(name = "langtrace", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
// Parsed once at start: the size of the settings' variant does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Runs the collector: OTLP/HTTP and the API on one listener, OTLP/gRPC on another.
    Serve(ServeArgs),
    /// Runs the collector, fills it with the traces of an instrumented demo agent, prints
    /// the URL and keys, and keeps serving until interrupted.
    #[cfg(feature = "demo")]
    Demo(DemoArgs),
    /// Manages projects.
    #[command(subcommand)]
    Project(ProjectCommand),
    /// Manages API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Copies a data directory (database and media) into a new backup directory, also
    /// while `serve` runs on it.
    Backup {
        /// Where the data lives.
        #[command(flatten)]
        data: DataArgs,
        /// The backup directory to create.
        #[arg(long)]
        to: PathBuf,
        /// Replaces `--to` if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Restores a backup into an empty data directory (no `serve` may run on it).
    Restore {
        /// The backup directory.
        #[arg(long)]
        from: PathBuf,
        /// Where the data goes.
        #[command(flatten)]
        data: DataArgs,
        /// Replaces the database and media of a data directory that is not empty.
        #[arg(long)]
        force: bool,
    },
    /// Rebuilds the database without its free space and switches it to incremental vacuum
    /// (for files created before langtrace set it); no `serve` may run on it.
    Compact {
        /// Where the data lives.
        #[command(flatten)]
        data: DataArgs,
    },
}

/// Settings of `langtrace serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address of the HTTP listener (OTLP/HTTP, API). Loopback unless told otherwise.
    #[arg(long, env = "LANGTRACE_HTTP_ADDR", default_value = "127.0.0.1:3000")]
    pub http_addr: SocketAddr,
    /// Address of the OTLP/gRPC listener.
    #[arg(long, env = "LANGTRACE_GRPC_ADDR", default_value = "127.0.0.1:4317")]
    pub grpc_addr: SocketAddr,
    /// Where the data lives.
    #[command(flatten)]
    pub data: DataArgs,
    /// The shared store, if not the data directory's file.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Directory of uploaded media bytes (default: `media` in the data directory).
    /// Collectors sharing one PostgreSQL database from several hosts point it at one
    /// shared filesystem, so bytes one receives another serves.
    #[arg(long, env = "LANGTRACE_MEDIA_DIR")]
    pub media_dir: Option<PathBuf>,
    /// Largest request body in bytes, also after decompression.
    #[arg(long, env = "LANGTRACE_MAX_BODY_BYTES", default_value_t = 16 << 20, value_parser = clap::value_parser!(u64).range(1024..))]
    pub max_body_bytes: u64,
    /// Ingest requests in flight (being read, decoded, queued for the writer or
    /// written) before new ones get 503 / UNAVAILABLE; also the writer's queue length.
    #[arg(long, env = "LANGTRACE_INGEST_QUEUE", default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..))]
    pub ingest_queue: u64,
    /// Longest wait for an ingest request's body (e.g. `30s`, `2m`); a slower client gets
    /// 408 and gives its place among the requests in flight back. gRPC: tonic's timeout
    /// of the whole export (CANCELLED).
    #[arg(long, env = "LANGTRACE_BODY_TIMEOUT", default_value = "30s", value_parser = humantime::parse_duration)]
    pub body_timeout: std::time::Duration,
    /// How much one OTLP export may ask the collector to build.
    #[command(flatten)]
    pub decode: crate::receive::limits::DecodeLimits,
    /// Exports decoded at once.
    #[command(flatten)]
    pub decode_slots: crate::receive::slots::DecodeSlotArgs,
    /// Base URL clients reach this server at (for media upload URLs); default
    /// `http://<http-addr>`.
    #[arg(long, env = "LANGTRACE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Read slots and time budget (boxed: `Command::Serve` stays near its other variants'
    /// size).
    #[command(flatten)]
    pub reads: Box<crate::app::reads::ReadArgs>,
    /// Caps on stored tags, metadata, inputs and outputs.
    #[command(flatten)]
    pub stored: crate::store::write::StoredCaps,
    /// Name of the project created at first start.
    #[arg(long, env = "LANGTRACE_INIT_PROJECT", default_value = "default")]
    pub init_project: String,
    /// Public key created with the initial project (generated and printed when unset).
    #[arg(long, env = "LANGTRACE_INIT_PUBLIC_KEY", requires = "init_secret_key")]
    pub init_public_key: Option<String>,
    /// Secret key created with the initial project.
    #[arg(long, env = "LANGTRACE_INIT_SECRET_KEY", requires = "init_public_key", hide_env_values = true)]
    pub init_secret_key: Option<String>,
    /// Key cache and failed-authentication limit.
    #[command(flatten)]
    pub auth: crate::auth::settings::AuthArgs,
    /// Connection limits of both listeners.
    #[command(flatten)]
    pub transport: crate::server::TransportArgs,
    /// The retention pruner and the low-disk warning.
    #[command(flatten)]
    pub lifecycle: crate::lifecycle::LifecycleArgs,
    /// LLM connections: the key of their secrets, provider timeouts.
    #[command(flatten)]
    pub connections: crate::providers::ConnectionArgs,
    /// Durable forwarding to an upstream OTLP endpoint.
    #[command(flatten)]
    pub forward: crate::forward::ForwardArgs,
}

/// Settings of `langtrace demo`.
#[cfg(feature = "demo")]
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Address of the HTTP listener (OTLP/HTTP, API). Loopback unless told otherwise.
    #[arg(long, env = "LANGTRACE_HTTP_ADDR", default_value = "127.0.0.1:3000")]
    pub http_addr: SocketAddr,
    /// Address of the OTLP/gRPC listener.
    #[arg(long, env = "LANGTRACE_GRPC_ADDR", default_value = "127.0.0.1:4317")]
    pub grpc_addr: SocketAddr,
    /// Directory of the demo's database and media files (created if missing); kept apart
    /// from `serve`'s by default.
    #[arg(long, env = "LANGTRACE_DEMO_DATA_DIR", default_value = "./langtrace-demo-data")]
    pub data_dir: PathBuf,
    /// Generates a new key pair instead of the fixed demo keys; required to listen on a
    /// non-loopback address.
    #[arg(long, env = "LANGTRACE_DEMO_FRESH_KEYS")]
    pub fresh_keys: bool,
    /// Connection limits of both listeners.
    #[command(flatten)]
    pub transport: crate::server::TransportArgs,
}

/// A shared store in place of the data directory's SQLite file.
#[derive(Debug, Clone, Default, Args)]
pub struct StoreArgs {
    /// A PostgreSQL database to keep the records in instead of the data directory's SQLite
    /// file (`postgres://user:password@host:5432/database`, or `host=... dbname=...`);
    /// media bytes stay in `--media-dir`. See docs/collector.md, "PostgreSQL store".
    #[arg(id = "store_url", long = "store", env = "LANGTRACE_STORE_URL", value_parser = crate::store::postgres::StoreUrl::parse)]
    pub url: Option<crate::store::postgres::StoreUrl>,
    /// Certificates (PEM) that sign the PostgreSQL server's, trusted besides the system's
    /// roots; for a store URL with `sslmode=require`.
    #[arg(id = "store_ca_file", long = "store-ca-file", env = "LANGTRACE_STORE_CA_FILE", requires = "store_url")]
    pub ca_file: Option<PathBuf>,
}

impl StoreArgs {
    /// The store URL with its TLS set up (see [`crate::store::postgres::StoreUrl::secured`]);
    /// an error names the setting.
    pub fn resolved(&self) -> Result<Option<crate::store::postgres::StoreUrl>, String> {
        let Some(url) = &self.url else { return Ok(None) };
        let setting = match self.ca_file {
            Some(_) => "--store-ca-file / LANGTRACE_STORE_CA_FILE",
            None => "--store / LANGTRACE_STORE_URL",
        };
        url.clone().secured(self.ca_file.as_deref()).map(Some).map_err(|problem| format!("{setting}: {problem}"))
    }
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Directory of the database and media files (created if missing).
    #[arg(long, env = "LANGTRACE_DATA_DIR", default_value = "./langtrace-data")]
    pub data_dir: PathBuf,
}

/// `langtrace project ...`.
#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Creates a project and a first key pair, printed once.
    Create {
        /// Project name (unique).
        name: String,
        /// Where the data lives.
        #[command(flatten)]
        data: DataArgs,
        /// The shared store, if not the data directory's file.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Sets how many days a project keeps its traces; a running server applies it at its
    /// next prune (`--prune-interval`).
    Retention {
        /// Project name.
        name: String,
        /// Days a trace is kept after it started (at least 1).
        #[arg(long, required_unless_present = "keep_forever", value_parser = clap::value_parser!(i64).range(1..))]
        days: Option<i64>,
        /// Keeps every trace (removes the retention).
        #[arg(long, conflicts_with = "days")]
        keep_forever: bool,
        /// Where the data lives.
        #[command(flatten)]
        data: DataArgs,
        /// The shared store, if not the data directory's file.
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// `langtrace keys ...`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Creates a key pair for a project, printed once.
    Create {
        /// Project name.
        #[arg(long)]
        project: String,
        /// Where the data lives.
        #[command(flatten)]
        data: DataArgs,
        /// The shared store, if not the data directory's file.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Lists a project's keys (public keys and creation times; secrets are never stored).
    List {
        /// Project name.
        #[arg(long)]
        project: String,
        /// Where the data lives.
        #[command(flatten)]
        data: DataArgs,
        /// The shared store, if not the data directory's file.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revokes a key; a running server refuses it within `--key-cache-ttl`. A project's
    /// last key cannot be revoked: create another first.
    Revoke {
        /// The public key.
        public_key: String,
        /// Where the data lives.
        #[command(flatten)]
        data: DataArgs,
        /// The shared store, if not the data directory's file.
        #[command(flatten)]
        store: StoreArgs,
    },
}
