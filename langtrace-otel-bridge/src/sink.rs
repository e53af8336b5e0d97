//! [`OtlpSink`]: encodes each batch the pipeline hands over and sends it, uploading its
//! media first and sending its scores after when a Langfuse server is configured.
//!
//! The sink runs on the pipeline's worker thread, never on the application's. Batching,
//! the bounded queue, drop counts and flush/shutdown timeouts are the pipeline's
//! (`LANGTRACE_FLUSH_AT`, `LANGTRACE_FLUSH_INTERVAL`, `LANGTRACE_MAX_QUEUE_SIZE`).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use langtrace_core::record::{ObservationRecord, Record, ScoreRecord};
use langtrace_core::{Config, Sink, SinkError};
use opentelemetry::InstrumentationScope;
use opentelemetry_sdk::trace::SpanExporter as _;

use crate::config::ExportConfig;
use crate::counters::ExportCounters;
use crate::encode;
use crate::media_upload::MediaUploader;
use crate::score_upload::ScoreUploader;
use crate::transport::Runtime;

/// A [`Sink`] that exports records over OTLP. Build it with [`OtlpSink::builder`], or
/// [`OtlpSink::from_env`] for the environment's destination.
pub struct OtlpSink {
    exporter: opentelemetry_otlp::SpanExporter,
    media: Option<MediaUploader>,
    scores: Option<ScoreUploader>,
    runtime: Runtime,
    scope: InstrumentationScope,
    service_name: Option<String>,
    counters: Arc<ExportCounters>,
    config: ExportConfig,
}

impl OtlpSink {
    /// The sink for a built exporter.
    pub(crate) fn new(
        exporter: opentelemetry_otlp::SpanExporter,
        media: Option<MediaUploader>,
        scores: Option<ScoreUploader>,
        runtime: Runtime,
        service_name: Option<String>,
        config: ExportConfig,
    ) -> Self {
        let counters = Arc::default();
        Self { exporter, media, scores, runtime, scope: encode::scope(), service_name, counters, config }
    }

    /// Where this sink sends.
    pub fn config(&self) -> &ExportConfig {
        &self.config
    }

    /// Live counters: spans exported and failed, media uploaded, skipped and failed,
    /// scores sent, failed and dropped.
    pub fn counters(&self) -> Arc<ExportCounters> {
        Arc::clone(&self.counters)
    }
}

impl Sink for OtlpSink {
    fn configure(&mut self, config: &Config) {
        self.exporter.set_resource(&encode::resource(config, self.service_name.as_deref()));
    }

    fn export(&mut self, batch: &[Record]) -> Result<(), SinkError> {
        let mut observations: Vec<&ObservationRecord> = Vec::new();
        let mut scores: Vec<&ScoreRecord> = Vec::new();
        for record in batch {
            match record {
                Record::Observation(observation) => observations.push(observation),
                Record::Score(score) => scores.push(score),
                Record::Trace(_) => {}
            }
        }
        let spans = self.export_spans(&observations);
        let scores = self.send_scores(&scores);
        spans.and(scores)
    }

    fn shutdown(&mut self) -> Result<(), SinkError> {
        self.exporter.shutdown().map_err(|e| SinkError(e.to_string()))
    }
}

impl OtlpSink {
    /// Uploads the observations' media, then exports them as spans.
    fn export_spans(&mut self, observations: &[&ObservationRecord]) -> Result<(), SinkError> {
        if observations.is_empty() {
            return Ok(());
        }
        let spans: Vec<_> = observations.iter().map(|record| encode::span(record, &self.scope)).collect();
        let count = spans.len() as u64;
        let counters = &self.counters;
        let (media, exporter) = (&mut self.media, &self.exporter);
        let result = self.runtime.block_on(async {
            match media {
                Some(uploader) => uploader.upload_all(observations, counters).await,
                None => {
                    let skipped: usize = observations.iter().map(|r| r.media.len()).sum();
                    counters.media_skipped.fetch_add(skipped as u64, Ordering::Relaxed);
                }
            }
            exporter.export(spans).await
        });
        match result {
            Ok(()) => {
                counters.spans_exported.fetch_add(count, Ordering::Relaxed);
                Ok(())
            }
            Err(error) => {
                counters.spans_failed.fetch_add(count, Ordering::Relaxed);
                Err(SinkError(format!("OTLP export to {} failed: {error}", self.config.endpoint)))
            }
        }
    }

    /// Sends scores to the Langfuse scores API; without Langfuse keys they are counted as
    /// dropped (OTLP has no signal for scores).
    fn send_scores(&mut self, scores: &[&ScoreRecord]) -> Result<(), SinkError> {
        if scores.is_empty() {
            return Ok(());
        }
        let Some(uploader) = &self.scores else {
            self.counters.scores_dropped.fetch_add(scores.len() as u64, Ordering::Relaxed);
            return Ok(());
        };
        let counters = &self.counters;
        self.runtime.block_on(uploader.send(scores, counters)).map_err(|error| SinkError(error.to_string()))
    }
}

impl std::fmt::Debug for OtlpSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtlpSink").field("config", &self.config).finish_non_exhaustive()
    }
}
