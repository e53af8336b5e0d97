//! Scores to a Langfuse-compatible server: OTLP has no signal for them, so, as
//! Langfuse's SDKs do, each batch's scores go as one JSON array to `POST
//! /api/public/scores` with the project's Basic authorization. The server answers 202
//! when it stored them all, 207 with the accepted ids and the refusals otherwise.

use std::sync::atomic::Ordering;

use langtrace_core::record::{ScoreRecord, ScoreValue};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::config::LangfuseCredentials;
use crate::counters::ExportCounters;

/// Sends scores to `{base}/api/public/scores`.
pub(crate) struct ScoreUploader {
    client: reqwest::Client,
    credentials: LangfuseCredentials,
}

/// Why a batch of scores was not (entirely) stored.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ScoreError {
    #[error("POST /api/public/scores failed: {0}")]
    Request(#[from] reqwest::Error),
    #[error("POST /api/public/scores answered HTTP {0}")]
    Status(u16),
    #[error("POST /api/public/scores refused {rejected} of {sent} scores: {errors}")]
    Refused { rejected: u64, sent: u64, errors: Value },
}

/// The body of a 207 answer.
#[derive(Deserialize)]
struct Partial {
    accepted: Vec<Value>,
    #[serde(default)]
    errors: Value,
}

impl ScoreUploader {
    pub(crate) fn new(client: reqwest::Client, credentials: LangfuseCredentials) -> Self {
        Self { client, credentials }
    }

    /// Sends `scores` in one request, counting them as sent or failed.
    pub(crate) async fn send(&self, scores: &[&ScoreRecord], counters: &ExportCounters) -> Result<(), ScoreError> {
        let total = scores.len() as u64;
        let result = self.post(scores).await;
        let sent = match &result {
            Ok(()) => total,
            Err(ScoreError::Refused { rejected, .. }) => total - rejected,
            Err(_) => 0,
        };
        counters.scores_sent.fetch_add(sent, Ordering::Relaxed);
        counters.scores_failed.fetch_add(total - sent, Ordering::Relaxed);
        result
    }

    async fn post(&self, scores: &[&ScoreRecord]) -> Result<(), ScoreError> {
        let body: Vec<Value> = scores.iter().map(|score| wire(score)).collect();
        let response = self
            .client
            .post(format!("{}/api/public/scores", self.credentials.base_url))
            .header("authorization", self.credentials.authorization())
            .json(&body)
            .send()
            .await?;
        match response.status().as_u16() {
            200..=206 => Ok(()),
            207 => {
                let partial: Partial = response.json().await?;
                let sent = scores.len() as u64;
                let rejected = sent.saturating_sub(partial.accepted.len() as u64);
                if rejected == 0 {
                    Ok(())
                } else {
                    Err(ScoreError::Refused { rejected, sent, errors: partial.errors })
                }
            }
            status => Err(ScoreError::Status(status)),
        }
    }
}

/// A score as Langfuse's scores API takes it (a boolean as 1 or 0).
fn wire(score: &ScoreRecord) -> Value {
    let value = match &score.value {
        ScoreValue::Numeric(value) => json!(value),
        ScoreValue::Boolean(value) => json!(u8::from(*value)),
        ScoreValue::Categorical(value) => json!(value),
    };
    let mut body = json!({
        "id": score.id,
        "traceId": score.trace_id.to_string(),
        "name": score.name,
        "value": value,
        "dataType": score.value.data_type(),
        "timestamp": score.timestamp.to_rfc3339_micros(),
        "environment": score.environment,
    });
    if let Some(observation_id) = score.observation_id {
        body["observationId"] = json!(observation_id.to_string());
    }
    if let Some(comment) = &score.comment {
        body["comment"] = json!(comment);
    }
    body
}

#[cfg(test)]
mod tests {
    use langtrace_core::record::Timestamp;
    use langtrace_core::{ObservationId, TraceId};

    use super::*;

    #[test]
    fn the_wire_shape_is_langfuse_s() {
        let observation_id = ObservationId::random();
        let mut score = ScoreRecord {
            id: "s-1".into(),
            trace_id: TraceId::from_seed("t"),
            observation_id: Some(observation_id),
            name: "grounded".into(),
            value: ScoreValue::Boolean(true),
            comment: None,
            timestamp: Timestamp(1_700_000_000_000_000_000),
            environment: "default".into(),
        };
        let body = wire(&score);
        assert_eq!((&body["value"], &body["dataType"]), (&json!(1), &json!("BOOLEAN")));
        assert_eq!(body["observationId"], json!(observation_id.to_string()));
        assert_eq!(body["timestamp"], json!("2023-11-14T22:13:20.000000Z"));
        assert!(body.get("comment").is_none());
        score.observation_id = None;
        score.value = ScoreValue::Categorical("ok".into());
        score.comment = Some("why".into());
        let body = wire(&score);
        assert_eq!(
            (&body["value"], &body["dataType"], &body["comment"]),
            (&json!("ok"), &json!("CATEGORICAL"), &json!("why"))
        );
        assert!(body.get("observationId").is_none());
    }
}
