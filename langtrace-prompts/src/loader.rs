//! Fetching through the cache: a fresh entry is served; a stale one is served while one
//! background refresh runs (a 404 evicts it, another failure keeps it); a miss fetches
//! now, retrying connection failures, 429 and 5xx, and falls back to the request's
//! fallback when every try fails. Generic over where prompts come from, so the state
//! machine is tested with a stand-in server and a hand-moved clock.

use std::sync::Arc;
use std::time::{Duration, Instant};

use langtrace_api::{retry, Retries};

use crate::api::Fetch;
use crate::cache::{Cache, Lookup, Selector};
use crate::error::Error;
use crate::model::{ChatMessage, ChatPrompt, Prompt, TextPrompt};
use crate::worker::Worker;

/// Pause between tries of a fetch.
const RETRY_DELAY: Duration = Duration::from_millis(100);

/// Reads the time; replaced in tests.
pub(crate) type Clock = Box<dyn Fn() -> Instant + Send + Sync>;

/// One prompt request.
#[derive(Clone, Debug)]
pub(crate) struct Request {
    pub name: String,
    pub selector: Selector,
    pub ttl: Duration,
    pub max_retries: u32,
    pub fallback: Option<Fallback>,
}

/// What to serve when nothing could be fetched and nothing is cached.
#[derive(Clone, Debug)]
pub(crate) enum Fallback {
    Text(String),
    Chat(Vec<ChatMessage>),
}

impl Request {
    fn fallback_prompt(&self) -> Option<Prompt> {
        let (version, label) = match &self.selector {
            Selector::Version(version) => (Some(*version), None),
            Selector::Label(label) => (None, Some(label.as_str())),
        };
        Some(match self.fallback.as_ref()? {
            Fallback::Text(text) => {
                Prompt::Text(Arc::new(TextPrompt::fallback(&self.name, version, label, text.clone())))
            }
            Fallback::Chat(messages) => {
                Prompt::Chat(Arc::new(ChatPrompt::fallback(&self.name, version, label, messages.clone())))
            }
        })
    }
}

/// The cache, the source and the background thread of one client.
pub(crate) struct Loader<F> {
    cache: Cache,
    source: F,
    worker: Worker,
    clock: Clock,
}

impl<F: Fetch> Loader<F> {
    pub(crate) fn new(source: F, clock: Clock) -> Result<Self, Error> {
        Ok(Self { cache: Cache::default(), source, worker: Worker::start()?, clock })
    }

    pub(crate) fn source(&self) -> &F {
        &self.source
    }

    pub(crate) fn worker(&self) -> &Worker {
        &self.worker
    }

    /// Drops the cache entries of a name.
    pub(crate) fn invalidate(&self, name: &str) {
        self.cache.invalidate(name);
    }

    /// Empties the cache.
    pub(crate) fn clear(&self) {
        self.cache.clear();
    }

    /// The prompt, fetched on the background thread if the cache cannot serve it; the
    /// calling thread blocks meanwhile.
    pub(crate) fn get_blocking(self: &Arc<Self>, request: Request) -> Result<Prompt, Error> {
        match self.cached(&request) {
            Some(prompt) => Ok(prompt),
            None => self.worker.block_on(Arc::clone(self).load(request)),
        }
    }

    /// The prompt, fetched on the background thread if the cache cannot serve it.
    pub(crate) async fn get(self: &Arc<Self>, request: Request) -> Result<Prompt, Error> {
        match self.cached(&request) {
            Some(prompt) => Ok(prompt),
            None => self.worker.run(Arc::clone(self).load(request)).await,
        }
    }

    /// What the cache serves now, starting the entry's refresh if it is stale.
    fn cached(self: &Arc<Self>, request: &Request) -> Option<Prompt> {
        if request.ttl.is_zero() {
            return None;
        }
        match self.cache.lookup(&request.name, &request.selector, (self.clock)()) {
            Lookup::Miss => None,
            Lookup::Fresh(prompt) => Some(prompt),
            Lookup::Stale { prompt, refresh } => {
                if refresh {
                    self.worker.spawn(Arc::clone(self).refresh(request.clone()));
                }
                Some(prompt)
            }
        }
    }

    /// Refreshes a stale entry: replaced, evicted on 404, kept on any other failure.
    async fn refresh(self: Arc<Self>, request: Request) {
        match self.source.fetch(&request.name, &request.selector).await {
            Ok(prompt) => self.cache.insert(&request.name, request.selector, prompt, request.ttl, (self.clock)()),
            Err(Error::NotFound { .. }) => self.cache.evict(&request.name, &request.selector),
            Err(_) => self.cache.refresh_failed(&request.name, &request.selector),
        }
    }

    /// Fetches now, with retries; caches the prompt; serves the fallback on failure.
    async fn load(self: Arc<Self>, request: Request) -> Result<Prompt, Error> {
        let retries = Retries::constant(request.max_retries as usize, RETRY_DELAY);
        let fetched = retry(&retries, || self.source.fetch(&request.name, &request.selector)).await;
        match fetched {
            Ok(prompt) => {
                let now = (self.clock)();
                self.cache.insert(&request.name, request.selector, prompt.clone(), request.ttl, now);
                Ok(prompt)
            }
            Err(error) => request.fallback_prompt().ok_or(error),
        }
    }
}

#[cfg(test)]
#[path = "loader_tests.rs"]
mod tests;
