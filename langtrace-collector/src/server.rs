//! Assembles the collector: opens the store, starts the writer, creates the initial
//! project, builds the HTTP router (OTLP + API) and the gRPC service, and serves until
//! interrupted.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::api::{self, AppState, Limits};
use crate::auth::{self, Authenticator, KeyPair};
use crate::cli::ServeArgs;
use crate::ingest::Writer;
use crate::receive;
use crate::store::Store;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] crate::store::OpenError),
    /// A listener could not bind.
    #[error("cannot listen on {addr} ({setting}): {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// The setting naming it.
        setting: &'static str,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The initial project could not be created.
    #[error("cannot create the initial project: {0}")]
    Init(String),
}

/// The HTTP routes.
pub fn router(state: AppState) -> Router {
    let limit = state.limits.max_body_bytes;
    Router::new()
        .route("/v1/traces", post(receive::http::export))
        .route("/api/public/otel/v1/traces", post(receive::http::export))
        .route("/api/public/health", get(api::health::health))
        .route("/api/public/projects", get(api::health::projects))
        .route("/api/public/traces", get(api::traces::list))
        .route("/api/public/traces/{id}", get(api::traces::detail))
        .route("/api/public/observations", get(api::observations::list))
        .route("/api/public/observations/{id}", get(api::observations::detail))
        .route("/api/public/v2/observations", get(api::observations::list_v2))
        .route("/api/public/sessions", get(api::sessions::list))
        .route("/api/public/sessions/{id}", get(api::sessions::detail))
        .route("/api/public/users", get(api::users::list))
        .route("/api/public/users/{id}", get(api::users::detail))
        .route("/api/public/scores", post(api::scores::create).get(api::scores::list))
        .route("/api/public/v2/scores", get(api::scores::list))
        .route("/api/public/v3/scores", get(api::scores::list_v3))
        .route("/api/public/ingestion", post(api::scores::ingestion))
        .route("/api/public/metrics", get(api::metrics::query))
        .route("/api/public/v2/metrics", get(api::metrics::query))
        .route("/api/public/media", post(api::media::create))
        .route("/api/public/media/{id}", get(api::media::get).patch(api::media::report))
        .route("/api/public/media/{id}/content", get(api::media::content))
        .route("/media-upload/{id}/{token}", axum::routing::put(api::media::upload))
        .route("/api/public/models", get(api::models::list).post(api::models::create))
        .route("/api/public/models/{id}", axum::routing::delete(api::models::delete))
        .merge(crate::ui::router())
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// Creates the initial project and keys when the store has no project yet; returns the
/// keys when they were generated (to be printed once).
async fn init_project(writer: &Writer, args: &ServeArgs) -> Result<Option<KeyPair>, StartError> {
    let name = args.init_project.clone();
    let given = match (&args.init_public_key, &args.init_secret_key) {
        (Some(public_key), Some(secret_key)) => {
            Some(KeyPair { public_key: public_key.clone(), secret_key: secret_key.clone() })
        }
        _ => None,
    };
    writer
        .write(move |tx, _| {
            let projects: i64 = tx.query_row("SELECT COUNT(*) FROM projects", [], |row| row.get(0))?;
            if projects > 0 {
                // Keys given by env on a later start are added if new.
                if let (Some(keys), Some(project)) = (given.clone(), auth::project_by_name(tx, &name)?) {
                    let known: i64 = tx.query_row(
                        "SELECT COUNT(*) FROM api_keys WHERE public_key = ?1",
                        [&keys.public_key],
                        |row| row.get(0),
                    )?;
                    if known == 0 {
                        auth::create_keys(tx, &project.id, Some(keys))?;
                    }
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

/// The addresses the listeners bound (the OS's choice for port 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listening {
    /// The HTTP listener (OTLP/HTTP, API).
    pub http_addr: std::net::SocketAddr,
    /// The OTLP/gRPC listener.
    pub grpc_addr: std::net::SocketAddr,
}

/// Runs `langtrace serve` until `shutdown` resolves.
pub async fn serve(
    args: ServeArgs,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    serve_notify(args, None, shutdown).await
}

/// [`serve`], also sending the bound addresses to `listening` once both listeners accept
/// connections.
pub async fn serve_notify(
    args: ServeArgs,
    listening: Option<tokio::sync::oneshot::Sender<Listening>>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let (store, connection) = Store::open(&args.data.data_dir)?;
    let checkpoints = store.checkpoint_connection().map_err(|source| crate::store::OpenError::Sqlite {
        path: args.data.data_dir.join(crate::store::DATABASE_FILE),
        source,
    })?;
    let (writer, writer_thread) = Writer::start(connection, checkpoints, args.ingest_queue as usize);
    if let Some(keys) = init_project(&writer, &args).await? {
        println!(
            "created project {:?} with a key pair (shown once):\n  public key: {}\n  secret key: {}",
            args.init_project, keys.public_key, keys.secret_key
        );
    }
    let media_dir = args.data.data_dir.join("media");
    std::fs::create_dir_all(&media_dir)
        .map_err(|source| crate::store::OpenError::Directory { path: media_dir.clone(), source })?;
    let bind_error = |addr, setting| move |source| StartError::Bind { addr, setting, source };
    let http = tokio::net::TcpListener::bind(args.http_addr)
        .await
        .map_err(bind_error(args.http_addr, "--http-addr / LANGTRACE_HTTP_ADDR"))?;
    let grpc = tokio::net::TcpListener::bind(args.grpc_addr)
        .await
        .map_err(bind_error(args.grpc_addr, "--grpc-addr / LANGTRACE_GRPC_ADDR"))?;
    let http_addr = http.local_addr().map_err(bind_error(args.http_addr, "--http-addr / LANGTRACE_HTTP_ADDR"))?;
    let grpc_addr = grpc.local_addr().map_err(bind_error(args.grpc_addr, "--grpc-addr / LANGTRACE_GRPC_ADDR"))?;
    let public_url = args.public_url.clone().unwrap_or_else(|| format!("http://{http_addr}"));
    let state = AppState {
        auth: Authenticator::new(store.clone()),
        store,
        writer,
        limits: Arc::new(Limits {
            max_body_bytes: args.max_body_bytes as usize,
            body_timeout: args.body_timeout,
            media_dir,
            public_url,
        }),
    };
    println!(
        "langtrace listening: http://{http_addr} (OTLP/HTTP, API), grpc://{grpc_addr} (OTLP/gRPC), data in {}",
        args.data.data_dir.display()
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let grpc_service = receive::grpc::GrpcReceiver(state.clone()).into_service();
    let mut grpc_stop = stop_rx.clone();
    let grpc_task = tokio::spawn(
        tonic::transport::Server::builder()
            .timeout(args.body_timeout)
            .add_service(grpc_service)
            .serve_with_incoming_shutdown(tonic::transport::server::TcpIncoming::from(grpc), async move {
                let _ = grpc_stop.changed().await;
            }),
    );
    let mut http_stop = stop_rx;
    let http_task = tokio::spawn(async move {
        axum::serve(http, router(state))
            .with_graceful_shutdown(async move {
                let _ = http_stop.changed().await;
            })
            .await
    });
    if let Some(listening) = listening {
        let _ = listening.send(Listening { http_addr, grpc_addr });
    }
    shutdown.await;
    let _ = stop_tx.send(true);
    let _ = http_task.await;
    let _ = grpc_task.await;
    drop(writer_thread);
    Ok(())
}
