//! The attributes a mapping reads: one bag's own attributes over a shared base (a span's
//! over its resource's), looked up by key or prefix, own ones winning, with a 64-bit key
//! filter that ends most lookups of absent keys without comparing strings.

use std::collections::BTreeMap;
use std::ops::Bound;

use serde_json::Value;

/// A bag's own attributes over a shared base.
pub(super) struct Bag<'a> {
    /// Sorted by key, one entry per key (the last sent): a span has a few dozen
    /// attributes, so a sorted vector beats a tree and allocates once.
    pub(super) own: Vec<(&'a str, &'a Value)>,
    base: &'a BTreeMap<String, Value>,
    /// [`KeyFilter`] of every key of `own` and `base`.
    keys: KeyFilter,
}

/// A 64-bit summary of a set of keys: a key whose bit is not set is in neither map, so
/// most of the mapper's lookups (keys of conventions a span does not use) end without
/// comparing strings.
#[derive(Clone, Copy, Default)]
struct KeyFilter(u64);

impl KeyFilter {
    fn bit(key: &str) -> u64 {
        let bytes = key.as_bytes();
        let (middle, last) = match bytes {
            [] => (0, 0),
            _ => (bytes[bytes.len() / 2], bytes[bytes.len() - 1]),
        };
        let mix = (bytes.len() as u64).wrapping_mul(0x9E37_79B9)
            ^ u64::from(middle).wrapping_mul(0x85EB_CA6B)
            ^ u64::from(last).wrapping_mul(0xC2B2_AE35);
        1 << ((mix ^ (mix >> 17)) & 63)
    }

    fn add(&mut self, key: &str) {
        self.0 |= Self::bit(key);
    }

    fn may_hold(self, key: &str) -> bool {
        self.0 & Self::bit(key) != 0
    }
}

impl<'a> Bag<'a> {
    pub(super) fn new<I>(attributes: I, base: &'a BTreeMap<String, Value>) -> Self
    where
        I: IntoIterator<Item = (&'a str, &'a Value)>,
    {
        let mut own: Vec<(&'a str, &'a Value)> = attributes.into_iter().collect();
        // Stable: duplicates keep their order, and the last of each run wins.
        own.sort_by_key(|(key, _)| *key);
        let mut unique: Vec<(&'a str, &'a Value)> = Vec::with_capacity(own.len());
        for entry in own {
            match unique.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => unique.push(entry),
            }
        }
        let mut keys = KeyFilter::default();
        unique.iter().map(|(key, _)| *key).chain(base.keys().map(String::as_str)).for_each(|key| keys.add(key));
        Self { own: unique, base, keys }
    }

    /// Position of `key` among the own attributes.
    fn own_index(&self, key: &str) -> Option<usize> {
        self.own.binary_search_by(|(k, _)| (*k).cmp(key)).ok()
    }

    /// The entry of `key` (own first) and, when own, its position.
    pub(super) fn get(&self, key: &str) -> Option<(Option<usize>, &'a Value)> {
        if !self.keys.may_hold(key) {
            return None;
        }
        match self.own_index(key) {
            Some(index) => Some((Some(index), self.own[index].1)),
            None => self.base.get(key).map(|value| (None, value)),
        }
    }

    /// Positions of the own entries whose key starts with `prefix`.
    pub(super) fn own_prefixed(&self, prefix: &str) -> std::ops::Range<usize> {
        let start = self.own.partition_point(|(key, _)| *key < prefix);
        let len = self.own[start..].iter().take_while(|(key, _)| key.starts_with(prefix)).count();
        start..start + len
    }

    /// Entries whose key starts with `prefix`, in key order, own ones winning.
    pub(super) fn prefixed(&self, prefix: &str) -> Vec<(&'a str, &'a Value)> {
        let range = (Bound::Included(prefix), Bound::Unbounded);
        let mut entries: Vec<(&'a str, &'a Value)> = self
            .base
            .range::<str, _>(range)
            .map(|(key, value)| (key.as_str(), value))
            .take_while(|(key, _)| key.starts_with(prefix))
            .collect();
        for &(key, value) in &self.own[self.own_prefixed(prefix)] {
            match entries.binary_search_by(|(k, _)| (*k).cmp(key)) {
                Ok(at) => entries[at] = (key, value),
                Err(at) => entries.insert(at, (key, value)),
            }
        }
        entries
    }

    /// Whether `key` is only the base's.
    pub(super) fn only_in_base(&self, key: &str) -> bool {
        self.own_index(key).is_none() && self.base.contains_key(key)
    }
}
