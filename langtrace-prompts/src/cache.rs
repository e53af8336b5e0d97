//! The client-side prompt cache, as Langfuse's SDKs keep it: one entry per (name,
//! version) or (name, label); a fresh entry is served as is; an expired one is served at
//! once while one refresh per entry runs in the background; a failed refresh keeps the
//! entry, a refresh answered 404 evicts it. Time is passed in, so the state machine is
//! tested without waiting.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::model::Prompt;

/// Which version of a name: a version number or a label.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Selector {
    Version(u32),
    Label(String),
}

/// What the cache holds for a request.
#[derive(Debug, PartialEq)]
pub(crate) enum Lookup {
    /// Nothing: fetch now.
    Miss,
    /// Fresh: serve it.
    Fresh(Prompt),
    /// Expired: serve it; `refresh` is true for the one caller that must start the
    /// background refresh (no refresh of this entry is running).
    Stale { prompt: Prompt, refresh: bool },
}

struct Entry {
    selector: Selector,
    prompt: Prompt,
    expires: Instant,
    refreshing: bool,
}

/// Entries by name, then by selector (a name has few), so a lookup allocates nothing.
#[derive(Default)]
pub(crate) struct Cache {
    names: Mutex<HashMap<String, Vec<Entry>>>,
}

impl Cache {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Vec<Entry>>) -> T) -> T {
        // A panic while holding the lock cannot leave an entry half-written: every
        // change below is a single assignment, push or removal.
        let mut names = self.names.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut names)
    }

    /// The entry for a request at `now`; marks a stale entry as refreshing.
    pub(crate) fn lookup(&self, name: &str, selector: &Selector, now: Instant) -> Lookup {
        self.with(|names| {
            let Some(entry) =
                names.get_mut(name).and_then(|entries| entries.iter_mut().find(|e| &e.selector == selector))
            else {
                return Lookup::Miss;
            };
            if now < entry.expires {
                return Lookup::Fresh(entry.prompt.clone());
            }
            let refresh = !entry.refreshing;
            entry.refreshing = true;
            Lookup::Stale { prompt: entry.prompt.clone(), refresh }
        })
    }

    /// Stores a fetched prompt, fresh for `ttl` from `now`; ends a running refresh.
    pub(crate) fn insert(&self, name: &str, selector: Selector, prompt: Prompt, ttl: Duration, now: Instant) {
        let expires = now.checked_add(ttl).unwrap_or(now);
        self.with(|names| {
            let entries = names.entry(name.to_owned()).or_default();
            let entry = Entry { selector, prompt, expires, refreshing: false };
            match entries.iter_mut().find(|e| e.selector == entry.selector) {
                Some(slot) => *slot = entry,
                None => entries.push(entry),
            }
        });
    }

    /// A refresh failed: the stale entry stays and the next lookup may retry.
    pub(crate) fn refresh_failed(&self, name: &str, selector: &Selector) {
        self.with(|names| {
            if let Some(entry) =
                names.get_mut(name).and_then(|entries| entries.iter_mut().find(|e| &e.selector == selector))
            {
                entry.refreshing = false;
            }
        });
    }

    /// Drops one entry (its version or label no longer exists on the server).
    pub(crate) fn evict(&self, name: &str, selector: &Selector) {
        self.with(|names| {
            if let Some(entries) = names.get_mut(name) {
                entries.retain(|e| &e.selector != selector);
                if entries.is_empty() {
                    names.remove(name);
                }
            }
        });
    }

    /// Drops every entry of a name (after a create, a label change or a delete).
    pub(crate) fn invalidate(&self, name: &str) {
        self.with(|names| names.remove(name));
    }

    /// Drops everything.
    pub(crate) fn clear(&self) {
        self.with(HashMap::clear);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::TextPrompt;

    fn prompt(text: &str) -> Prompt {
        Prompt::Text(Arc::new(TextPrompt::fallback("p", None, None, text.to_owned())))
    }

    const TTL: Duration = Duration::from_secs(60);

    #[test]
    fn fresh_then_stale_with_one_refresh() {
        let cache = Cache::default();
        let t0 = Instant::now();
        let production = Selector::Label("production".into());
        assert_eq!(cache.lookup("p", &production, t0), Lookup::Miss);
        cache.insert("p", production.clone(), prompt("v1"), TTL, t0);
        assert_eq!(cache.lookup("p", &production, t0 + Duration::from_secs(59)), Lookup::Fresh(prompt("v1")));
        let later = t0 + TTL;
        assert_eq!(cache.lookup("p", &production, later), Lookup::Stale { prompt: prompt("v1"), refresh: true });
        assert_eq!(cache.lookup("p", &production, later), Lookup::Stale { prompt: prompt("v1"), refresh: false });
        cache.insert("p", production.clone(), prompt("v2"), TTL, later);
        assert_eq!(cache.lookup("p", &production, later), Lookup::Fresh(prompt("v2")));
    }

    #[test]
    fn a_failed_refresh_keeps_the_entry_and_allows_another() {
        let cache = Cache::default();
        let t0 = Instant::now();
        let v1 = Selector::Version(1);
        cache.insert("p", v1.clone(), prompt("v1"), TTL, t0);
        let later = t0 + TTL * 2;
        assert!(matches!(cache.lookup("p", &v1, later), Lookup::Stale { refresh: true, .. }));
        cache.refresh_failed("p", &v1);
        assert_eq!(cache.lookup("p", &v1, later), Lookup::Stale { prompt: prompt("v1"), refresh: true });
    }

    #[test]
    fn eviction_and_invalidation() {
        let cache = Cache::default();
        let t0 = Instant::now();
        let label = Selector::Label("production".into());
        cache.insert("p", label.clone(), prompt("a"), TTL, t0);
        cache.insert("p", Selector::Version(2), prompt("b"), TTL, t0);
        cache.insert("pq", Selector::Version(2), prompt("c"), TTL, t0);
        cache.evict("p", &label);
        assert_eq!(cache.lookup("p", &label, t0), Lookup::Miss);
        assert_eq!(cache.lookup("p", &Selector::Version(2), t0), Lookup::Fresh(prompt("b")));
        cache.invalidate("p");
        assert_eq!(cache.lookup("p", &Selector::Version(2), t0), Lookup::Miss);
        // Unlike Langfuse's prefix match, another name that starts the same stays.
        assert_eq!(cache.lookup("pq", &Selector::Version(2), t0), Lookup::Fresh(prompt("c")));
        cache.clear();
        assert_eq!(cache.lookup("pq", &Selector::Version(2), t0), Lookup::Miss);
    }

    #[test]
    fn a_zero_ttl_is_stale_at_once() {
        let cache = Cache::default();
        let t0 = Instant::now();
        cache.insert("p", Selector::Version(1), prompt("a"), Duration::ZERO, t0);
        assert!(matches!(cache.lookup("p", &Selector::Version(1), t0), Lookup::Stale { .. }));
    }
}
