//! Writing prompts, for tooling and CI: new versions, label moves, deletes. Each call
//! runs on the client's background thread and is awaited (`send`) or blocked on
//! (`send_blocking`); each drops the name's cache entries when it succeeds.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::api::HttpApi;
use crate::cache::Selector;
use crate::error::Error;
use crate::loader::Loader;
use crate::model::ChatMessage;

/// A new prompt version (`POST /api/public/v2/prompts`). The server numbers it, adds the
/// `latest` label and moves each given label here from other versions.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewPrompt {
    name: String,
    #[serde(flatten)]
    template: Template,
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<Value>,
    labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit_message: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", content = "prompt", rename_all = "lowercase")]
enum Template {
    Text(String),
    Chat(Vec<ChatMessage>),
}

impl NewPrompt {
    fn new(name: impl Into<String>, template: Template) -> Self {
        Self { name: name.into(), template, config: None, labels: Vec::new(), tags: None, commit_message: None }
    }

    /// A text prompt version.
    pub fn text(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self::new(name, Template::Text(text.into()))
    }

    /// A chat prompt version (messages and placeholders).
    pub fn chat(name: impl Into<String>, messages: impl IntoIterator<Item = ChatMessage>) -> Self {
        Self::new(name, Template::Chat(messages.into_iter().collect()))
    }

    /// The version's config JSON (model, parameters, ...).
    pub fn config(mut self, config: Value) -> Self {
        self.config = Some(config);
        self
    }

    /// Labels to put on this version (`production` promotes it).
    pub fn labels<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> Self {
        self.labels = labels.into_iter().map(Into::into).collect();
        self
    }

    /// Tags of the prompt, rewritten on every version (omitted: the latest version's).
    pub fn tags<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.tags = Some(tags.into_iter().map(Into::into).collect());
        self
    }

    /// Commit message of the version.
    pub fn commit_message(mut self, message: impl Into<String>) -> Self {
        self.commit_message = Some(message.into());
        self
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}

/// Which versions [`Prompts::delete`](crate::Prompts::delete) removes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Versions {
    /// Every version of the name.
    All,
    /// One version.
    Version(u32),
    /// The version carrying this label.
    Label(String),
}

impl Versions {
    pub(crate) fn selector(&self) -> Option<Selector> {
        match self {
            Versions::All => None,
            Versions::Version(version) => Some(Selector::Version(*version)),
            Versions::Label(label) => Some(Selector::Label(label.clone())),
        }
    }
}

type BoxedCall<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

/// A prepared write: run it with [`send`](Call::send) or [`send_blocking`](Call::send_blocking).
#[must_use = "a call does nothing until sent"]
pub struct Call<T> {
    core: Arc<Loader<HttpApi>>,
    future: BoxedCall<T>,
}

impl<T: Send + 'static> Call<T> {
    /// A call that runs `write` and, when it succeeds, drops the cache entries of `name`.
    pub(crate) fn new<F>(core: &Arc<Loader<HttpApi>>, name: &str, write: impl FnOnce(Arc<Loader<HttpApi>>) -> F) -> Self
    where
        F: Future<Output = Result<T, Error>> + Send + 'static,
    {
        let written = write(Arc::clone(core));
        let (loader, name) = (Arc::clone(core), name.to_owned());
        let future = Box::pin(async move {
            let result = written.await;
            if result.is_ok() {
                loader.invalidate(&name);
            }
            result
        });
        Self { core: Arc::clone(core), future }
    }

    /// Runs the call; the future works on any executor.
    pub async fn send(self) -> Result<T, Error> {
        self.core.worker().run(self.future).await
    }

    /// Runs the call, blocking the calling thread.
    pub fn send_blocking(self) -> Result<T, Error> {
        self.core.worker().block_on(self.future)
    }
}

impl<T> std::fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn new_prompts_write_the_api_shape() {
        let chat = NewPrompt::chat("a/b", [ChatMessage::message("system", "hi"), ChatMessage::placeholder("h")])
            .labels(["production"])
            .tags(["t"])
            .config(json!({"model": "m"}))
            .commit_message("first");
        assert_eq!(
            serde_json::to_value(&chat).unwrap(),
            json!({"name": "a/b", "type": "chat",
                   "prompt": [{"role": "system", "content": "hi"}, {"type": "placeholder", "name": "h"}],
                   "config": {"model": "m"}, "labels": ["production"], "tags": ["t"], "commitMessage": "first"})
        );
        let text = NewPrompt::text("t", "Hello {{name}}");
        assert_eq!(
            serde_json::to_value(&text).unwrap(),
            json!({"name": "t", "type": "text", "prompt": "Hello {{name}}", "labels": []})
        );
    }
}
