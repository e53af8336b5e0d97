//! `langtrace demo`: starts the collector (embedded store, API, UI), runs an instrumented
//! demo agent against it through the `langtrace` facade and its OTLP bridge (Langfuse
//! mode, so images are uploaded as media), prints the URL and keys, and keeps serving
//! until interrupted.
//!
//! - `app`: the demo application, run once per (environment, release) deployment with a
//!   subscriber of its own;
//! - `agent`: the instrumented multi-step support agent and its mock LLM;
//! - `guard`: the agent's input guard (secrets, PII, invisible text, jailbreak phrases);
//! - `script`: the conversations each deployment runs;
//! - `png`: small PNG images drawn in code, attached to vision generations;
//! - `history`: the week the traces are spread over (the clock each trace is sent with);
//! - `prompts`: the agent's prompts, created in and fetched from prompt management;
//! - `collab`: one trace shared and bookmarked, with comments.
//! - `datasets`: a dataset from some of the agent's traces and written items, and two
//!   experiments over it (one per version of the prompts).
//! - `playground`: the mock LLM served as an OpenAI-compatible provider on loopback,
//!   registered as the project's LLM connection, and a few playground runs.

mod agent;
mod app;
mod collab;
mod datasets;
mod guard;
mod history;
mod playground;
mod png;
mod prompts;
mod script;

use std::time::Instant;

use crate::auth::settings::AuthArgs;
use crate::auth::{self, exposure, KeyPair};
use crate::cli::{DemoArgs, ServeArgs};
use crate::server::{Listening, Server, StartError};
use crate::store::db;
use crate::store::{Durability, Store};

pub use app::Summary;
pub use datasets::DatasetSummary;

/// Name of the project the demo's traces go to.
pub const DEMO_PROJECT: &str = "demo";
/// Public key of the demo project in a new data directory.
pub const DEMO_PUBLIC_KEY: &str = "pk-lt-demo";
/// Secret key of the demo project in a new data directory.
pub const DEMO_SECRET_KEY: &str = "sk-lt-demo";
/// Start of the line printed once the demo data is stored (followed by the URL and keys).
pub const READY_PREFIX: &str = "langtrace demo ready:";

/// Why the demo stopped.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The collector could not start.
    #[error(transparent)]
    Start(#[from] StartError),
    /// The demo project or its keys could not be written.
    #[error("cannot prepare the demo project: {0}")]
    Keys(String),
    /// The demo app could not send its traces.
    #[error("demo app: {0}")]
    App(String),
    /// The server stopped before it was ready.
    #[error("the server stopped unexpectedly")]
    ServerGone,
    /// A non-loopback address with the fixed demo keys.
    #[error(
        "{0} is reachable from other machines, where the demo's fixed keys would let anyone in: listen on \
         loopback, or pass --fresh-keys (LANGTRACE_DEMO_FRESH_KEYS) to generate a new key pair"
    )]
    PublicWithFixedKeys(String),
}

/// The demo, prepared: its keys written and its collector's store and writer open.
pub struct Demo {
    args: DemoArgs,
    keys: KeyPair,
    server: Server,
}

impl Demo {
    /// Writes the demo project's keys and opens the collector (see [`Server::open`]: call
    /// it from a thread at normal priority, before the runtime).
    pub fn prepare(args: DemoArgs) -> Result<Self, DemoError> {
        if !args.fresh_keys {
            let public = [(args.http_addr, "--http-addr"), (args.grpc_addr, "--grpc-addr")]
                .into_iter()
                .find(|(addr, _)| !exposure::is_loopback(*addr));
            if let Some((addr, setting)) = public {
                return Err(DemoError::PublicWithFixedKeys(format!("{setting} {addr}")));
            }
        }
        let keys = prepare_keys(&args)?;
        let serve_args = ServeArgs {
            http_addr: args.http_addr,
            grpc_addr: args.grpc_addr,
            data: crate::cli::DataArgs { data_dir: args.data_dir.clone() },
            store: crate::cli::StoreArgs::default(),
            media_dir: None,
            max_body_bytes: 16 << 20,
            ingest_queue: 32,
            body_timeout: std::time::Duration::from_secs(30),
            decode: crate::receive::limits::DecodeLimits::default(),
            decode_slots: Default::default(),
            public_url: None,
            reads: Default::default(),
            stored: Default::default(),
            init_project: DEMO_PROJECT.to_owned(),
            // The project and keys exist already (see `prepare_keys`).
            init_public_key: None,
            init_secret_key: None,
            auth: AuthArgs::default(),
            transport: args.transport.clone(),
            lifecycle: Default::default(),
            connections: Default::default(),
            forward: Default::default(),
        };
        Ok(Self { server: Server::open(serve_args)?, args, keys })
    }

    /// Serves, runs the demo app against the collector, prints the ready line, and keeps
    /// serving until `shutdown` resolves.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> Result<(), DemoError> {
        let Demo { args, keys, server } = self;
        // Polled from now on, so signal handlers are in place before the ready line.
        let mut shutdown = tokio::spawn(shutdown);
        let (listening_tx, listening_rx) = tokio::sync::oneshot::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let mut server = tokio::spawn(server.run(Some(listening_tx), async move {
            let _ = stop_rx.await;
        }));
        let Ok(listening) = listening_rx.await else {
            // The server failed before binding: its error says why.
            return match server.await {
                Ok(Err(error)) => Err(error.into()),
                _ => Err(DemoError::ServerGone),
            };
        };
        let base_url = format!("http://{}", listening.http_addr);

        let started = Instant::now();
        let (data_dir, app_keys) = (args.data_dir.clone(), keys.clone());
        let prepared = async {
            let summary = run_app(base_url.clone(), app_keys).await?;
            let shared = tokio::task::spawn_blocking(move || collab::annotate(&data_dir, DEMO_PROJECT))
                .await
                .map_err(|_| DemoError::App("the annotating thread panicked".to_owned()))?
                .map_err(DemoError::App)?;
            // The mock LLM serves as long as the demo does (until `_mock` drops).
            let mock = playground::MockProvider::start().await.map_err(DemoError::App)?;
            let runs = playground::set_up(&base_url, &keys, &mock).await.map_err(DemoError::App)?;
            Ok::<_, DemoError>((summary, shared, mock, runs))
        };
        let (summary, shared, _mock, playground_runs) = match prepared.await {
            Ok(prepared) => prepared,
            Err(error) => {
                let _ = stop_tx.send(());
                let _ = server.await;
                return Err(error);
            }
        };
        print_ready(&listening, &keys, &summary, started.elapsed(), &args);
        if let Some(id) = shared {
            println!("  A shared trace (no keys needed): http://{}/share/traces/{id}", listening.http_addr);
            println!();
        }
        print_playground(&listening, playground_runs);

        tokio::select! {
            _ = &mut shutdown => {}
            result = &mut server => {
                return match result {
                    Ok(Err(error)) => Err(error.into()),
                    _ => Err(DemoError::ServerGone),
                };
            }
        }
        let _ = stop_tx.send(());
        match server.await {
            Ok(result) => result.map_err(DemoError::from),
            Err(_) => Err(DemoError::ServerGone),
        }
    }
}

/// Runs the demo app on a thread of its own (it installs thread-local subscribers and
/// drives its async code on a private runtime) and waits for it without blocking the
/// server.
async fn run_app(base_url: String, keys: KeyPair) -> Result<Summary, DemoError> {
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("langtrace-demo-app".to_owned())
        .spawn(move || {
            let _ = done_tx.send(app::run(&base_url, &keys));
        })
        .map_err(|e| DemoError::App(format!("cannot start the app thread: {e}")))?;
    match done_rx.await {
        Ok(result) => result.map_err(DemoError::App),
        Err(_) => Err(DemoError::App("the app thread panicked".to_owned())),
    }
}

/// The demo project's key pair: the fixed demo keys in a new data directory unless fresh
/// keys are asked for, else a fresh pair for the `demo` project (created if missing), so
/// no known key is ever added to an existing store.
fn prepare_keys(args: &DemoArgs) -> Result<KeyPair, DemoError> {
    let error = |e: &dyn std::fmt::Display| DemoError::Keys(e.to_string());
    let mut connection =
        db::Connection::from(Store::open(&args.data_dir, Durability::EachCommit).map_err(|e| error(&e))?.1);
    let tx = connection.transaction().map_err(|e| error(&e))?;
    let keys = if !args.fresh_keys && auth::project_count(&tx).map_err(|e| error(&e))? == 0 {
        let project = auth::create_project(&tx, DEMO_PROJECT).map_err(|e| error(&e))?;
        let fixed = KeyPair { public_key: DEMO_PUBLIC_KEY.to_owned(), secret_key: DEMO_SECRET_KEY.to_owned() };
        auth::create_keys(&tx, &project.id, Some(fixed)).map_err(|e| error(&e))?
    } else {
        let project = match auth::project_by_name(&tx, DEMO_PROJECT).map_err(|e| error(&e))? {
            Some(project) => project,
            None => auth::create_project(&tx, DEMO_PROJECT).map_err(|e| error(&e))?,
        };
        auth::create_keys(&tx, &project.id, None).map_err(|e| error(&e))?
    };
    tx.commit().map_err(|e| error(&e))?;
    Ok(keys)
}

/// Prints the ready line (parsed by tests and scripts) and what to do next.
fn print_ready(listening: &Listening, keys: &KeyPair, summary: &Summary, took: std::time::Duration, args: &DemoArgs) {
    let url = format!("http://{}/", listening.http_addr);
    let base = format!("http://{}", listening.http_addr);
    println!("{READY_PREFIX} {url} public_key={} secret_key={}", keys.public_key, keys.secret_key);
    println!();
    println!(
        "  The demo agent sent {} traces ({} observations, {} images) from {} users in {} sessions",
        summary.traces, summary.observations, summary.images, summary.users, summary.sessions
    );
    println!(
        "  through the langtrace facade and its OTLP bridge, in {:.1} s: environments {}, releases {},",
        took.as_secs_f64(),
        summary.environments.join(", "),
        summary.releases.join(", ")
    );
    println!();
    println!(
        "  over the past seven days. Its prompts come from prompt management ({}, {}):",
        prompts::SYSTEM,
        prompts::PLANNER
    );
    println!("  production moved from version 1 to 2 when 1.1.0 rolled out.");
    println!();
    println!("  Open the UI:     {url}");
    println!("  The week:        {url}#/dashboard?range=7d");
    println!("  The prompts:     {url}#/prompts");
    println!(
        "  The dataset:     {url}#/datasets/{} ({} items, experiments: {})",
        datasets::DATASET,
        summary.dataset.items,
        summary.dataset.runs.join(", ")
    );
    println!("  Query the API:   curl -u {}:{} {base}/api/public/traces", keys.public_key, keys.secret_key);
    println!(
        "  Send your own:   LANGFUSE_BASE_URL={base} LANGFUSE_PUBLIC_KEY={} LANGFUSE_SECRET_KEY={} cargo run --example agents",
        keys.public_key, keys.secret_key
    );
    println!("  OTLP/gRPC:       grpc://{} (same keys as Basic auth)", listening.grpc_addr);
    println!();
    println!("  Data in {}. Press Ctrl-C to stop.", args.data_dir.display());
}

/// Prints where the playground is and what it runs on (after the ready line).
fn print_playground(listening: &Listening, runs: usize) {
    println!(
        "  The playground:  http://{}/#/playground (connection {}, models {}: the demo's mock LLM on loopback;",
        listening.http_addr,
        playground::PROVIDER,
        playground::MODELS.join(", ")
    );
    println!("                   {runs} runs traced in the environment langtrace-playground)");
}
