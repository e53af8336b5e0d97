//! Durable forwarding (`serve --forward-otlp URL`): every span received over OTLP is also
//! delivered to an upstream OTLP/HTTP endpoint (an OpenTelemetry Collector, Langfuse, any
//! OTLP backend), from the store, so an upstream outage or a restart loses nothing.
//!
//! - `settings`: the flags, validated into [`ForwardConfig`];
//! - `outbox`: the exports waiting and the per-project totals (SQL);
//! - `batch`: an export encoded at ingest with its project as a resource attribute, and a
//!   batch of them joined into one upstream request;
//! - `upstream`: the HTTP request and what its answer means;
//! - `backoff`: waits between failures, `Retry-After`;
//! - `deliver`: the delivery loop;
//! - `leader`: which of the collectors sharing a database delivers;
//! - `status`: the upstream's last success and error, for the status routes.

pub mod backoff;
pub mod batch;
pub mod deliver;
pub mod leader;
pub mod outbox;
pub mod settings;
pub mod status;
pub mod upstream;

use std::sync::Arc;

use tokio::sync::Notify;

pub use outbox::Outgoing;
pub use settings::{ForwardArgs, ForwardConfig, SettingError};

use crate::store::db::{self, Transaction};
use crate::store::Store;
use crate::writer::Writer;

/// Forwarding as the rest of the collector sees it: its settings, the upstream's last
/// answers, and the wake-up of the delivery loop.
#[derive(Debug)]
pub struct Forwarding {
    config: ForwardConfig,
    live: status::Live,
    wake: Notify,
}

impl Forwarding {
    /// Forwarding with `config`, its loop not started yet (see [`Forwarding::start`]).
    pub fn new(config: ForwardConfig) -> Arc<Self> {
        Arc::new(Self { config, live: status::Live::default(), wake: Notify::new() })
    }

    /// Starts the delivery loop on the current runtime.
    pub fn start(self: &Arc<Self>, store: Store, writer: Writer) -> Result<tokio::task::JoinHandle<()>, SettingError> {
        let upstream = upstream::Upstream::new(self.config.clone()).map_err(|error| SettingError {
            setting: "--forward-otlp / LANGTRACE_FORWARD_OTLP",
            problem: format!("cannot build the HTTP client: {}", error.without_url()),
        })?;
        Ok(tokio::spawn(deliver::run(self.clone(), store, writer, upstream)))
    }

    /// Adds an export of `project_id` to the outbox in the writer's transaction `tx`; the
    /// spans dropped to keep the backlog under its cap.
    pub fn append(&self, tx: &Transaction<'_>, project_id: &str, outgoing: &Outgoing) -> db::Result<i64> {
        outbox::append(tx, project_id, outgoing, crate::store::now_ns(), self.config.max_backlog)
    }

    /// Tells the delivery loop that spans were committed.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// The settings.
    pub fn config(&self) -> &ForwardConfig {
        &self.config
    }

    /// The upstream's last success and error.
    pub fn seen(&self) -> status::Seen {
        self.live.seen()
    }
}
