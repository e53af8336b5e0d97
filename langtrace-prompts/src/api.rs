//! Langfuse's prompt routes over HTTP (`/api/public/v2/prompts`), with Basic
//! authentication. Names are percent-encoded whole, so folders (`a/b`) stay one path
//! segment, as Langfuse's SDKs send them.

use std::future::Future;
use std::time::Duration;

use langtrace_otel_bridge::LangfuseCredentials;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::cache::Selector;
use crate::error::Error;
use crate::manage::{NewPrompt, Versions};
use crate::model::{Prompt, WirePrompt};

/// Where to fetch a prompt from; the HTTP API, or a stand-in in tests.
pub(crate) trait Fetch: Send + Sync + 'static {
    /// The version `selector` names.
    fn fetch(&self, name: &str, selector: &Selector) -> impl Future<Output = Result<Prompt, Error>> + Send;
}

/// Everything but what Python's `quote(name, safe="")` keeps.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

fn encode(text: &str) -> impl std::fmt::Display + '_ {
    utf8_percent_encode(text, COMPONENT)
}

/// The prompt routes of one Langfuse project.
pub(crate) struct HttpApi {
    client: reqwest::Client,
    prompts_url: String,
    authorization: String,
}

impl HttpApi {
    pub(crate) fn new(credentials: &LangfuseCredentials, timeout: Duration) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("langtrace-prompts/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Transport(e.to_string()))?;
        Ok(Self {
            client,
            prompts_url: format!("{}/api/public/v2/prompts", credentials.base_url),
            authorization: credentials.authorization(),
        })
    }

    /// The server the client talks to.
    pub(crate) fn prompts_url(&self) -> &str {
        &self.prompts_url
    }

    fn request(&self, method: reqwest::Method, url: String) -> reqwest::RequestBuilder {
        self.client.request(method, url).header(reqwest::header::AUTHORIZATION, &self.authorization)
    }

    /// `?version=N` or `?label=L`.
    fn query(selector: &Selector) -> String {
        match selector {
            Selector::Version(version) => format!("version={version}"),
            Selector::Label(label) => format!("label={}", encode(label)),
        }
    }

    /// `POST /api/public/v2/prompts`.
    pub(crate) async fn create(&self, prompt: &NewPrompt) -> Result<Prompt, Error> {
        let request = self.request(reqwest::Method::POST, self.prompts_url.clone()).json(prompt);
        send::<WirePrompt>(request).await.map(Prompt::from)
    }

    /// `PATCH /api/public/v2/prompts/{name}/versions/{version}`.
    pub(crate) async fn update_labels(&self, name: &str, version: u32, labels: &[String]) -> Result<Prompt, Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Patch<'a> {
            new_labels: &'a [String],
        }
        let url = format!("{}/{}/versions/{version}", self.prompts_url, encode(name));
        let request = self.request(reqwest::Method::PATCH, url).json(&Patch { new_labels: labels });
        send::<WirePrompt>(request).await.map(Prompt::from)
    }

    /// `DELETE /api/public/v2/prompts/{name}`, optionally `?version=` or `?label=`.
    pub(crate) async fn delete(&self, name: &str, versions: &Versions) -> Result<(), Error> {
        let mut url = format!("{}/{}", self.prompts_url, encode(name));
        if let Some(selector) = versions.selector() {
            url = format!("{url}?{}", Self::query(&selector));
        }
        let response = self.request(reqwest::Method::DELETE, url).send().await.map_err(transport)?;
        check(response).await.map(drop)
    }
}

impl Fetch for HttpApi {
    async fn fetch(&self, name: &str, selector: &Selector) -> Result<Prompt, Error> {
        let url = format!("{}/{}?{}", self.prompts_url, encode(name), Self::query(selector));
        send::<WirePrompt>(self.request(reqwest::Method::GET, url)).await.map(Prompt::from)
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

/// Longest server message an error repeats.
const MESSAGE_LIMIT: usize = 500;

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
        assert_eq!(encode("support/answer v2").to_string(), "support%2Fanswer%20v2");
        assert_eq!(encode("a-b_c.d~e").to_string(), "a-b_c.d~e");
        assert_eq!(HttpApi::query(&Selector::Label("a&b".into())), "label=a%26b");
    }
}
