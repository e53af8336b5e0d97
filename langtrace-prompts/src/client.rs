//! [`Prompts`], the client, and its builders.

use std::sync::Arc;
use std::time::{Duration, Instant};

use langtrace_api::Settings;

use crate::api::HttpApi;
use crate::cache::Selector;
use crate::error::Error;
use crate::loader::{Fallback, Loader, Request};
use crate::manage::{Call, NewPrompt, Versions};
use crate::model::{ChatMessage, Prompt};

/// How long a fetched prompt is served without asking the server (Langfuse's default).
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(60);
/// Longest time one request may take (Langfuse's SDK default).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Retries of a fetch that finds nothing cached (Langfuse's SDK default).
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Most retries a request may ask for.
pub const MAX_RETRIES_LIMIT: u32 = 4;
/// The label fetched when neither a version nor a label is given.
pub const PRODUCTION: &str = "production";

/// The prompt management client of one Langfuse project (Langfuse itself or
/// `langtrace serve`). Cheap to clone; clones share the cache and the background
/// thread, which ends with the last clone.
#[derive(Clone)]
pub struct Prompts {
    loader: Arc<Loader<HttpApi>>,
    default_ttl: Duration,
}

impl std::fmt::Debug for Prompts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prompts")
            .field("url", &self.loader.source().prompts_url())
            .field("default_ttl", &self.default_ttl)
            .finish_non_exhaustive()
    }
}

impl Prompts {
    /// A client configured from `LANGFUSE_PUBLIC_KEY`, `LANGFUSE_SECRET_KEY` and
    /// `LANGFUSE_BASE_URL` (or `LANGFUSE_HOST`; default Langfuse Cloud), as `init()`
    /// reads them.
    pub fn from_env() -> Result<Self, Error> {
        Self::builder().build()
    }

    /// A builder; unset values come from the environment.
    pub fn builder() -> PromptsBuilder {
        PromptsBuilder::default()
    }

    /// A request for the prompt `name` (label `production` unless told otherwise).
    pub fn get(&self, name: impl Into<String>) -> GetPrompt<'_> {
        GetPrompt {
            prompts: self,
            request: Request {
                name: name.into(),
                selector: Selector::Label(PRODUCTION.to_owned()),
                ttl: self.default_ttl,
                max_retries: DEFAULT_MAX_RETRIES,
                fallback: None,
            },
        }
    }

    /// Creates a new version of a prompt; answers the stored version.
    pub fn create(&self, prompt: NewPrompt) -> Call<Prompt> {
        let name = prompt.name().to_owned();
        Call::new(&self.loader, &name, move |loader| async move { loader.source().create(&prompt).await })
    }

    /// Adds labels to a version, moving each from the version that had it (promote,
    /// roll back). `latest` cannot be set.
    pub fn update_labels<S: Into<String>>(
        &self,
        name: &str,
        version: u32,
        labels: impl IntoIterator<Item = S>,
    ) -> Call<Prompt> {
        let labels: Vec<String> = labels.into_iter().map(Into::into).collect();
        let owned = name.to_owned();
        Call::new(&self.loader, name, move |loader| async move {
            loader.source().update_labels(&owned, version, &labels).await
        })
    }

    /// Deletes versions of a prompt.
    pub fn delete(&self, name: &str, versions: Versions) -> Call<()> {
        let owned = name.to_owned();
        Call::new(&self.loader, name, move |loader| async move { loader.source().delete(&owned, &versions).await })
    }

    /// Empties the cache, so the next get of each prompt asks the server.
    pub fn clear_cache(&self) {
        self.loader.clear();
    }
}

/// Settings of a [`Prompts`] client; each unset value is read from the environment.
#[derive(Clone, Default)]
pub struct PromptsBuilder {
    settings: Settings,
    default_ttl: Option<Duration>,
}

impl std::fmt::Debug for PromptsBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PromptsBuilder")
            .field("settings", &self.settings)
            .field("default_ttl", &self.default_ttl)
            .finish()
    }
}

impl PromptsBuilder {
    langtrace_api::settings_methods!(default timeout "5 s");

    /// Cache lifetime of requests that set none (default 60 s).
    pub fn default_cache_ttl(mut self, ttl: Duration) -> Self {
        self.default_ttl = Some(ttl);
        self
    }

    /// The client; an error names a refused setting or says keys are missing.
    pub fn build(self) -> Result<Prompts, Error> {
        let user_agent = concat!("langtrace-prompts/", env!("CARGO_PKG_VERSION"));
        let api = HttpApi::new(self.settings.connect(user_agent, DEFAULT_TIMEOUT)?);
        let loader = Loader::new(api, Box::new(Instant::now))?;
        Ok(Prompts { loader: Arc::new(loader), default_ttl: self.default_ttl.unwrap_or(DEFAULT_CACHE_TTL) })
    }
}

/// A prompt request: choose the version, cache lifetime and fallback, then
/// [`fetch`](GetPrompt::fetch) or [`fetch_blocking`](GetPrompt::fetch_blocking).
#[derive(Debug)]
#[must_use = "a request does nothing until fetched"]
pub struct GetPrompt<'a> {
    prompts: &'a Prompts,
    request: Request,
}

impl GetPrompt<'_> {
    /// The version carrying this label (replaces a version given before).
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.request.selector = Selector::Label(label.into());
        self
    }

    /// This version (replaces a label given before).
    pub fn version(mut self, version: u32) -> Self {
        self.request.selector = Selector::Version(version);
        self
    }

    /// How long the fetched prompt is served from the cache; zero asks the server every
    /// time.
    pub fn cache_ttl(mut self, ttl: Duration) -> Self {
        self.request.ttl = ttl;
        self
    }

    /// Retries when nothing is cached and the server cannot be reached or answers 429 or
    /// 5xx (default 2, at most 4).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.request.max_retries = retries.min(MAX_RETRIES_LIMIT);
        self
    }

    /// The text prompt to serve, marked as a fallback, when nothing is cached and the
    /// fetch fails.
    pub fn fallback_text(mut self, text: impl Into<String>) -> Self {
        self.request.fallback = Some(Fallback::Text(text.into()));
        self
    }

    /// The chat prompt to serve, marked as a fallback, when nothing is cached and the
    /// fetch fails.
    pub fn fallback_chat(mut self, messages: impl IntoIterator<Item = ChatMessage>) -> Self {
        self.request.fallback = Some(Fallback::Chat(messages.into_iter().collect()));
        self
    }

    /// The prompt; the future works on any executor (the request runs on the client's
    /// own thread).
    pub async fn fetch(self) -> Result<Prompt, Error> {
        self.prompts.loader.get(self.request).await
    }

    /// The prompt, blocking the calling thread when the cache cannot serve it.
    pub fn fetch_blocking(self) -> Result<Prompt, Error> {
        self.prompts.loader.get_blocking(self.request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_a_key_pair_is_refused_without_showing_the_secret() {
        let error = Prompts::builder().secret_key("sk-very-secret").base_url("http://127.0.0.1:1").build().unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(text.contains("LANGFUSE_PUBLIC_KEY"), "{text}");
        assert!(!text.contains("sk-very-secret"), "{text}");
    }

    #[test]
    fn a_bad_base_url_names_the_setting() {
        let error = Prompts::builder().public_key("pk").secret_key("sk").base_url("not a url").build().unwrap_err();
        assert!(error.to_string().contains("langfuse"), "{error}");
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let builder = Prompts::builder().public_key("pk").secret_key("sk-hidden").base_url("http://127.0.0.1:9");
        assert!(!format!("{builder:?}").contains("sk-hidden"));
        let prompts = builder.build().unwrap();
        let shown = format!("{prompts:?}");
        assert!(shown.contains("http://127.0.0.1:9/api/public/v2/prompts") && !shown.contains("sk-hidden"), "{shown}");
    }
}
