//! The upstream: one OTLP/HTTP protobuf POST per batch, and what its answer means. 2xx is
//! delivered; 408, 429 and 5xx (and no answer: refused connection, timeout) are worth
//! retrying, with the `Retry-After` the upstream asked for; any other status refuses the
//! batch for good (the same bytes would be refused again).

use std::time::{Duration, SystemTime};

use reqwest::header::{CONTENT_ENCODING, CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;

use super::backoff::parse_retry_after;
use super::settings::ForwardConfig;

/// What became of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// 2xx.
    Delivered,
    /// Retry later, after at least `after` if the upstream said so.
    Retry {
        /// The upstream's `Retry-After`.
        after: Option<Duration>,
        /// What went wrong (status or transport error; never a header or the body sent).
        reason: String,
        /// The start of the upstream's message (it may speak of any project's spans: for
        /// the log only).
        message: String,
    },
    /// Refused for good.
    Refused {
        /// The status.
        reason: String,
        /// The start of the upstream's message (for the log only).
        message: String,
    },
}

/// Characters of an upstream's error message kept for the log.
const MESSAGE_CHARS: usize = 200;

/// The HTTP client bound to the configured endpoint.
#[derive(Clone)]
pub struct Upstream {
    client: reqwest::Client,
    config: ForwardConfig,
}

impl Upstream {
    /// A client with the configured timeout and headers.
    pub fn new(config: ForwardConfig) -> Result<Self, reqwest::Error> {
        let client =
            reqwest::Client::builder().timeout(config.timeout).default_headers(config.headers.clone()).build()?;
        Ok(Self { client, config })
    }

    /// Whether bodies are to be gzip-compressed.
    pub fn gzip(&self) -> bool {
        self.config.gzip
    }

    /// Sends one encoded `ExportTraceServiceRequest` body.
    pub async fn send(&self, body: Vec<u8>) -> Answer {
        let mut request =
            self.client.post(self.config.endpoint.clone()).header(CONTENT_TYPE, "application/x-protobuf").body(body);
        if self.config.gzip {
            request = request.header(CONTENT_ENCODING, "gzip");
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => return Answer::Retry { after: None, reason: transport_error(error), message: String::new() },
        };
        let status = response.status();
        if status.is_success() {
            return Answer::Delivered;
        }
        let after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, SystemTime::now()));
        let message = response.text().await.unwrap_or_default();
        let message = message.chars().filter(|c| !c.is_control()).take(MESSAGE_CHARS).collect();
        let reason = format!("upstream answered {status}");
        if retryable(status) {
            Answer::Retry { after, reason, message }
        } else {
            Answer::Refused { reason, message }
        }
    }
}

/// 408, 429 and 5xx are passing; other statuses are final.
fn retryable(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// A transport error without its URL (which may carry credentials).
fn transport_error(error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let error = error.without_url();
    match std::error::Error::source(&error) {
        Some(source) => format!("upstream {kind}: {error}: {source}"),
        None => format!("upstream {kind}: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_timeouts_throttling_and_server_errors_are_retried() {
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(retryable(StatusCode::from_u16(code).unwrap()), "{code}");
        }
        for code in [300, 400, 401, 403, 404, 413, 415] {
            assert!(!retryable(StatusCode::from_u16(code).unwrap()), "{code}");
        }
    }
}
