//! Langfuse's three-step media flow (see `docs/wire-format.md`, "Media references"): `POST /api/public/media` announces
//! the bytes and answers an upload URL (none when the server already stores them),
//! `PUT` sends the bytes there, `PATCH /api/public/media/{id}` reports how it went.
//! Each media id is uploaded once per process.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::Instant;

use langtrace_core::record::{MediaRecord, ObservationRecord, Timestamp};
use serde_json::json;

use crate::config::LangfuseCredentials;
use crate::counters::ExportCounters;

/// Media ids remembered as uploaded; the set is cleared when it reaches this size.
const MAX_REMEMBERED: usize = 10_000;

/// Uploads the media of exported records to a Langfuse-compatible server.
pub(crate) struct MediaUploader {
    client: reqwest::Client,
    credentials: LangfuseCredentials,
    uploaded: HashSet<String>,
}

/// Why one upload failed (counted, never raised to the application).
#[derive(Debug, thiserror::Error)]
enum UploadError {
    #[error("request failed: {0}")]
    Request(#[from] reqwest::Error),
    #[error("{step} answered HTTP {status}")]
    Status { step: &'static str, status: u16 },
}

impl MediaUploader {
    pub(crate) fn new(client: reqwest::Client, credentials: LangfuseCredentials) -> Self {
        Self { client, credentials, uploaded: HashSet::new() }
    }

    /// Uploads every media payload of `records` not uploaded before.
    pub(crate) async fn upload_all(&mut self, records: &[&ObservationRecord], counters: &ExportCounters) {
        for record in records {
            for media in &record.media {
                if self.uploaded.contains(&media.media_id) {
                    counters.media_already_stored.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                match self.upload(record, media).await {
                    Ok(stored_before) => {
                        let counter =
                            if stored_before { &counters.media_already_stored } else { &counters.media_uploaded };
                        counter.fetch_add(1, Ordering::Relaxed);
                        if self.uploaded.len() >= MAX_REMEMBERED {
                            self.uploaded.clear();
                        }
                        self.uploaded.insert(media.media_id.clone());
                    }
                    Err(_) => {
                        counters.media_failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
    }

    /// One media payload; `Ok(true)` when the server already had it.
    async fn upload(&self, record: &ObservationRecord, media: &MediaRecord) -> Result<bool, UploadError> {
        let base = &self.credentials.base_url;
        let auth = self.credentials.authorization();
        let announce = json!({
            "traceId": record.trace_id.to_string(),
            "observationId": record.id.to_string(),
            "field": media.field,
            "contentType": media.content_type,
            "contentLength": media.bytes.len(),
            "sha256Hash": media.sha256_hash,
        });
        let response = self
            .client
            .post(format!("{base}/api/public/media"))
            .header("authorization", &auth)
            .json(&announce)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(UploadError::Status { step: "POST /api/public/media", status: response.status().as_u16() });
        }
        let answer: serde_json::Value = response.json().await?;
        let media_id = answer["mediaId"].as_str().unwrap_or(&media.media_id).to_owned();
        let Some(upload_url) = answer["uploadUrl"].as_str().filter(|url| !url.is_empty()) else {
            return Ok(true);
        };

        let started = Instant::now();
        let put = self
            .client
            .put(upload_url)
            .header("content-type", &media.content_type)
            .header("x-amz-checksum-sha256", &media.sha256_hash)
            .header("x-ms-blob-type", "BlockBlob")
            .body(media.bytes.clone())
            .send()
            .await;
        let (status, error) = match &put {
            Ok(response) if response.status().is_success() => (Some(response.status().as_u16()), None),
            Ok(response) => (Some(response.status().as_u16()), Some(format!("HTTP {}", response.status()))),
            Err(error) => (None, Some(error.to_string())),
        };
        let report = json!({
            "uploadedAt": Timestamp::now().to_rfc3339_micros(),
            "uploadHttpStatus": status,
            "uploadHttpError": error,
            "uploadTimeMs": started.elapsed().as_millis() as u64,
        });
        let patch = self
            .client
            .patch(format!("{base}/api/public/media/{media_id}"))
            .header("authorization", &auth)
            .json(&report)
            .send()
            .await?;
        match put {
            Err(error) => Err(error.into()),
            Ok(response) if !response.status().is_success() => {
                Err(UploadError::Status { step: "PUT upload URL", status: response.status().as_u16() })
            }
            Ok(_) if !patch.status().is_success() => {
                Err(UploadError::Status { step: "PATCH /api/public/media", status: patch.status().as_u16() })
            }
            Ok(_) => Ok(false),
        }
    }
}
