//! Langfuse's public routes the client uses, over HTTP with Basic authentication. Reads
//! are retried on connection failures, 429 and 5xx; writes are sent once.

use std::time::Duration;

use langtrace_otel_bridge::LangfuseCredentials;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::Error;

/// Everything but what Python's `quote(name, safe="")` keeps.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// `text` as one path segment or query value.
pub(crate) fn encode(text: &str) -> impl std::fmt::Display + '_ {
    utf8_percent_encode(text, COMPONENT)
}

/// Retries of a read the server or network failed.
const READ_RETRIES: u32 = 2;
/// Wait before the first retry; doubled for each next one.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// Longest server message an error repeats.
const MESSAGE_LIMIT: usize = 500;

/// The public API of one Langfuse project.
pub(crate) struct HttpApi {
    client: reqwest::Client,
    base: String,
    authorization: String,
}

impl HttpApi {
    pub(crate) fn new(credentials: &LangfuseCredentials, timeout: Duration) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("langtrace-datasets/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Transport(e.to_string()))?;
        Ok(Self {
            client,
            base: format!("{}/api/public", credentials.base_url),
            authorization: credentials.authorization(),
        })
    }

    /// The API's base URL (`…/api/public`).
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .header(reqwest::header::AUTHORIZATION, &self.authorization)
    }

    /// `GET {base}{path}` (path with its query), retried.
    pub(crate) async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        let mut backoff = FIRST_BACKOFF;
        let mut attempt = 0;
        loop {
            match send(self.request(reqwest::Method::GET, path)).await {
                Err(error) if error.is_retryable() && attempt < READ_RETRIES => {
                    attempt += 1;
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
                result => return result,
            }
        }
    }

    /// `POST {base}{path}` with a JSON body, once.
    pub(crate) async fn post<T: DeserializeOwned>(&self, path: &str, body: &impl Serialize) -> Result<T, Error> {
        send(self.request(reqwest::Method::POST, path).json(body)).await
    }
}

fn transport(error: reqwest::Error) -> Error {
    Error::Transport(error.to_string())
}

/// Sends the request and reads a JSON answer.
async fn send<T: DeserializeOwned>(request: reqwest::RequestBuilder) -> Result<T, Error> {
    let response = check(request.send().await.map_err(transport)?).await?;
    let body = response.bytes().await.map_err(transport)?;
    serde_json::from_slice(&body).map_err(|e| Error::Decode(e.to_string()))
}

/// The response if it succeeded; else the error with the server's message.
async fn check(response: reqwest::Response) -> Result<reqwest::Response, Error> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body = response.bytes().await.unwrap_or_default();
    let message = match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(json) => match json.get("message").or_else(|| json.get("error")) {
            Some(serde_json::Value::String(message)) => message.clone(),
            _ => json.to_string(),
        },
        Err(_) => String::from_utf8_lossy(&body).into_owned(),
    };
    let message: String = message.chars().take(MESSAGE_LIMIT).collect();
    if status == reqwest::StatusCode::NOT_FOUND {
        Err(Error::NotFound { message })
    } else {
        Err(Error::Api { status: status.as_u16(), message })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_encoded_as_one_segment() {
        assert_eq!(encode("qa/set ü").to_string(), "qa%2Fset%20%C3%BC");
        assert_eq!(encode("a-b_c.d~e").to_string(), "a-b_c.d~e");
    }
}
