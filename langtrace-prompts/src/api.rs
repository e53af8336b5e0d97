//! Langfuse's prompt routes over HTTP (`/api/public/v2/prompts`), with Basic
//! authentication. Names are percent-encoded whole, so folders (`a/b`) stay one path
//! segment, as Langfuse's SDKs send them.

use std::future::Future;

use langtrace_api::{encode, execute, send, Connection};
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

/// The prompt routes of one Langfuse project.
pub(crate) struct HttpApi {
    connection: Connection,
    prompts_url: String,
}

impl HttpApi {
    pub(crate) fn new(connection: Connection) -> Self {
        let prompts_url = format!("{}/v2/prompts", connection.base());
        Self { connection, prompts_url }
    }

    /// The server the client talks to.
    pub(crate) fn prompts_url(&self) -> &str {
        &self.prompts_url
    }

    fn request(&self, method: reqwest::Method, url: String) -> reqwest::RequestBuilder {
        self.connection.request(method, &url)
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
        Ok(send::<WirePrompt>(request).await?.into())
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
        Ok(send::<WirePrompt>(request).await?.into())
    }

    /// `DELETE /api/public/v2/prompts/{name}`, optionally `?version=` or `?label=`.
    pub(crate) async fn delete(&self, name: &str, versions: &Versions) -> Result<(), Error> {
        let mut url = format!("{}/{}", self.prompts_url, encode(name));
        if let Some(selector) = versions.selector() {
            url = format!("{url}?{}", Self::query(&selector));
        }
        execute(self.request(reqwest::Method::DELETE, url)).await?;
        Ok(())
    }
}

impl Fetch for HttpApi {
    async fn fetch(&self, name: &str, selector: &Selector) -> Result<Prompt, Error> {
        let url = format!("{}/{}?{}", self.prompts_url, encode(name), Self::query(selector));
        Ok(send::<WirePrompt>(self.request(reqwest::Method::GET, url)).await?.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_encoded_as_query_values() {
        assert_eq!(HttpApi::query(&Selector::Label("a&b".into())), "label=a%26b");
    }
}
