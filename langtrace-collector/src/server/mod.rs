//! Assembles the collector in two steps. [`Server::open`] runs on a thread at normal
//! priority (the main thread, before the runtime whose threads yield to the writer):
//! it opens the store and starts the writer, so the writer's threads keep that priority.
//! [`Server::run`] then creates the initial project, binds the HTTP (OTLP + API + UI) and
//! gRPC listeners, and serves until told to stop. The listeners share one connection cap
//! and idle timeout ([`connection`]); [`http`] and [`grpc`] serve them.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::oneshot;

use crate::app::reads::Reads;
use crate::app::{AppState, Limits};
use crate::auth::{self, Authenticator, KeyPair};
use crate::cli::ServeArgs;
use crate::store::{self, Durability, Store};
use crate::writer::{self, LockKey, Writer};
use crate::{receive, routes};
use connection::{ConnectionCap, Eviction, Listener};
pub use settings::TransportArgs;

mod connection;
mod eviction;
mod grpc;
mod http;
mod settings;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] store::OpenError),
    /// The store's CA file is unusable (the message names the setting).
    #[error("{0}")]
    StoreTls(String),
    /// The writer could not start.
    #[error(transparent)]
    Writer(#[from] writer::StartError),
    /// A listener could not bind.
    #[error("cannot listen on {addr} ({setting}): {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The setting naming it.
        setting: &'static str,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The key file of LLM connection secrets is unusable.
    #[error(transparent)]
    KeyFile(#[from] crate::secrets::key::KeyFileError),
    /// A forwarding setting is unusable.
    #[error(transparent)]
    Forward(#[from] crate::forward::SettingError),
    /// The initial project could not be created.
    #[error("cannot create the initial project: {0}")]
    Init(String),
}

/// The addresses the listeners bound (the OS's choice for port 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listening {
    /// The HTTP listener (OTLP/HTTP, API, UI).
    pub http_addr: SocketAddr,
    /// The OTLP/gRPC listener.
    pub grpc_addr: SocketAddr,
}

/// A collector with its store open and its writer running, not yet listening.
pub struct Server {
    args: ServeArgs,
    store: Store,
    writer: Writer,
    forward: Option<crate::forward::ForwardConfig>,
}

impl Server {
    /// Opens the store in the data directory and starts the writer. Call it from a thread
    /// that has not yielded its priority (see [`crate::writer::priority`]).
    pub fn open(args: ServeArgs) -> Result<Self, StartError> {
        let forward = args.forward.config()?;
        let (store, connection) = Store::connect(
            &args.data.data_dir,
            args.store.resolved().map_err(StartError::StoreTls)?.as_ref(),
            Durability::SyncedByWriter,
        )?;
        if !connection.sqlite().is_none_or(|sqlite| store::reclaims_space(sqlite).unwrap_or(true)) {
            tracing::warn!(
                "this database predates incremental vacuum: deleted data leaves free pages the file keeps; \
                 run `langtrace compact` once while the collector is stopped"
            );
        }
        let checkpoints = store.checkpoint_connection()?;
        let writer = Writer::start(connection, checkpoints, args.ingest_queue as usize)?;
        Ok(Self { args, store, writer, forward })
    }

    /// Serves until `shutdown` resolves, sending the bound addresses to `listening` once
    /// both listeners accept connections.
    pub async fn run(
        self,
        listening: Option<oneshot::Sender<Listening>>,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let Server { args, store, writer, forward } = self;
        if let Some(keys) = init_project(&writer, &args).await? {
            println!(
                "created project {:?} with a key pair (shown once):\n  public key: {}\n  secret key: {}",
                args.init_project, keys.public_key, keys.secret_key
            );
        }
        let media_dir = args.media_dir.clone().unwrap_or_else(|| args.data.data_dir.join("media"));
        store::permissions::private_dir(&media_dir)
            .map_err(|source| store::OpenError::Directory { path: media_dir.clone(), source })?;
        let http = bind(args.http_addr, "--http-addr / LANGTRACE_HTTP_ADDR").await?;
        let grpc = bind(args.grpc_addr, "--grpc-addr / LANGTRACE_GRPC_ADDR").await?;
        let bound = Listening { http_addr: http.1, grpc_addr: grpc.1 };
        auth::exposure::warn_if_reachable(&bound);
        if !store.is_embedded() && args.connections.encryption_key.is_none() {
            tracing::warn!(
                "LLM connection secrets are sealed with this collector's own key file: collectors sharing \
                 this database must be given one key ({})",
                crate::secrets::key::SETTING
            );
        }
        let keyring =
            crate::secrets::key::Keyring::open(args.connections.encryption_key.as_ref(), &args.data.data_dir)?;
        let forward = forward.map(crate::forward::Forwarding::new);
        let forwarder = forward.as_ref().map(|f| f.start(store.clone(), writer.clone())).transpose()?;
        let state = AppState {
            forward,
            keyring: Arc::new(keyring),
            providers: crate::providers::Providers::new(&args.connections),
            auth: Authenticator::new(store.clone(), &args.auth),
            reads: Reads::new(*args.reads.clone()),
            prices: crate::pricing::SharedPrices::new(store.clone()),
            decode_slots: receive::slots::DecodeSlots::new(&args.decode_slots),
            store,
            writer,
            limits: Arc::new(Limits {
                max_body_bytes: args.max_body_bytes as usize,
                body_timeout: args.body_timeout,
                decode: args.decode,
                media_dir,
                public_url: args.public_url.clone().unwrap_or_else(|| format!("http://{}", bound.http_addr)),
                stored: args.stored,
            }),
        };
        println!(
            "langtrace listening: http://{} (OTLP/HTTP, API), grpc://{} (OTLP/gRPC), data in {}",
            bound.http_addr,
            bound.grpc_addr,
            state.store.describe()
        );
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let stopped = |mut stop: tokio::sync::watch::Receiver<bool>| async move {
            let _ = stop.changed().await;
        };
        let pruner = tokio::spawn(crate::lifecycle::prune::run(
            state.store.clone(),
            state.writer.clone(),
            state.limits.media_dir.clone(),
            args.lifecycle.prune_interval,
        ));
        #[cfg(target_os = "linux")]
        let disk_watch = tokio::spawn(crate::lifecycle::disk::watch(
            args.data.data_dir.clone(),
            args.lifecycle.min_free_disk_percent,
        ));
        let transport = &args.transport;
        let cap = ConnectionCap::new(transport.max_connections);
        let grpc_task = tokio::spawn(grpc::serve(
            Listener::new(grpc.0, cap.clone(), transport.idle_timeout, Eviction::Never),
            receive::grpc::GrpcReceiver(state.clone()),
            transport.idle_timeout,
            args.body_timeout,
            stopped(stop_rx.clone()),
        ));
        let http_task = tokio::spawn(http::serve(
            Listener::new(http.0, cap, transport.idle_timeout, Eviction::WhileWaitingForHead),
            routes::router(state),
            transport.header_read_timeout,
            stopped(stop_rx),
        ));
        if let Some(listening) = listening {
            let _ = listening.send(bound);
        }
        shutdown.await;
        let _ = stop_tx.send(true);
        let _ = http_task.await;
        let _ = grpc_task.await;
        pruner.abort();
        if let Some(forwarder) = forwarder {
            forwarder.abort();
        }
        #[cfg(target_os = "linux")]
        disk_watch.abort();
        Ok(())
    }
}

/// A listener on `addr`, and the address it bound.
async fn bind(addr: SocketAddr, setting: &'static str) -> Result<(tokio::net::TcpListener, SocketAddr), StartError> {
    let error = |source| StartError::Bind { addr, setting, source };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(error)?;
    let bound = listener.local_addr().map_err(error)?;
    Ok((listener, bound))
}

/// Creates the initial project and keys when the store has no project yet; returns the
/// keys when they were generated (to be printed once). Keys given on a later start are
/// added, or their stored secret replaced when it changed; a weak chosen secret is refused.
async fn init_project(writer: &Writer, args: &ServeArgs) -> Result<Option<KeyPair>, StartError> {
    if let Some(weakness) = args.init_secret_key.as_deref().and_then(auth::strength::weakness) {
        return Err(StartError::Init(format!("--init-secret-key / LANGTRACE_INIT_SECRET_KEY is {weakness}")));
    }
    let name = args.init_project.clone();
    let given = match (&args.init_public_key, &args.init_secret_key) {
        (Some(public_key), Some(secret_key)) => {
            Some(KeyPair { public_key: public_key.clone(), secret_key: secret_key.clone() })
        }
        _ => None,
    };
    writer
        .write_locked(vec![LockKey::setup()], move |tx| {
            if auth::project_count(tx)? > 0 {
                if let (Some(keys), Some(project)) = (&given, auth::project_by_name(tx, &name)?) {
                    auth::store_given_keys(tx, &project.id, keys)?;
                }
                return Ok(None);
            }
            let project = auth::create_project(tx, &name)?;
            let generated = given.is_none();
            let keys = auth::create_keys(tx, &project.id, given.clone())?;
            Ok(generated.then_some(keys))
        })
        .await
        .map_err(|e| StartError::Init(e.to_string()))
}
