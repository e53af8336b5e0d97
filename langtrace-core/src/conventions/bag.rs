//! The attributes a mapping reads: one bag's own attributes over a shared base (a span's
//! over its resource's), looked up by key or prefix, own ones winning, with two small
//! Bloom filters (whole keys, and their first bytes for prefixes) that end most lookups
//! of absent keys without comparing strings.

use std::collections::BTreeMap;
use std::ops::Bound;

use serde_json::Value;

/// A bag's own attributes over a shared base.
pub(super) struct Bag<'a> {
    /// Sorted by key, one entry per key (the last sent): a span has a few dozen
    /// attributes, so a sorted vector beats a tree and allocates once.
    pub(super) own: Vec<(&'a str, &'a Value)>,
    base: &'a BTreeMap<String, Value>,
    /// Every key of `own` and `base`.
    keys: KeyFilter,
    /// The first [`HEAD`] bytes of every key of `own` and `base` at least that long.
    heads: KeyFilter,
}

/// Bytes of a key that [`Bag::heads`] summarises: every prefix the mapper looks up is at
/// least this long.
const HEAD: usize = 8;

/// A 256-bit Bloom filter of strings, two bits per string: with the few dozen keys of a
/// span and its resource, about 3% of absent keys get past it (against a third with one
/// bit of 64), so most of the mapper's lookups (keys of conventions a span does not use)
/// end without comparing strings.
#[derive(Clone, Copy, Default)]
struct KeyFilter([u64; 4]);

impl KeyFilter {
    /// The two bits of `text`: 8 bits each of a multiplicative hash of its length and of
    /// its first, middle and last 8 bytes (constant time: the mapper looks up about a
    /// hundred keys per span).
    fn bits(text: &[u8]) -> [u8; 2] {
        let mix = |hash: u64, word: &[u8; 8]| (hash.rotate_left(23) ^ u64::from_le_bytes(*word)).wrapping_mul(K);
        let length = text.len() as u64;
        let middle = (text.len() / 2).checked_sub(4).and_then(|at| text[at..].first_chunk::<8>());
        let hash = match (text.first_chunk::<8>(), middle, text.last_chunk::<8>()) {
            (Some(first), Some(middle), Some(last)) => mix(mix(mix(length, first), middle), last),
            _ => {
                let mut word = [0u8; 8];
                word[..text.len().min(8)].copy_from_slice(&text[..text.len().min(8)]);
                mix(length, &word)
            }
        };
        let [.., a, b] = hash.to_le_bytes();
        [a, b]
    }

    /// The word of the filter holding `bit`, and its mask there.
    fn slot(bit: u8) -> (usize, u64) {
        (usize::from(bit >> 6), 1 << (bit & 63))
    }

    fn add(&mut self, text: &[u8]) {
        for (word, mask) in Self::bits(text).map(Self::slot) {
            self.0[word] |= mask;
        }
    }

    fn may_hold(&self, text: &[u8]) -> bool {
        Self::bits(text).map(Self::slot).iter().all(|&(word, mask)| self.0[word] & mask != 0)
    }
}

/// The multiplier of [`KeyFilter::bits`]'s hash (odd, its bits well spread).
const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// The first [`HEAD`] bytes of `key`, if it has that many.
fn head(key: &str) -> Option<&[u8]> {
    key.as_bytes().get(..HEAD)
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
        let (mut keys, mut heads) = (KeyFilter::default(), KeyFilter::default());
        for key in unique.iter().map(|(key, _)| *key).chain(base.keys().map(String::as_str)) {
            keys.add(key.as_bytes());
            if let Some(head) = head(key) {
                heads.add(head);
            }
        }
        Self { own: unique, base, keys, heads }
    }

    /// Position of `key` among the own attributes.
    fn own_index(&self, key: &str) -> Option<usize> {
        self.own.binary_search_by(|(k, _)| (*k).cmp(key)).ok()
    }

    /// The entry of `key` (own first) and, when own, its position.
    pub(super) fn get(&self, key: &str) -> Option<(Option<usize>, &'a Value)> {
        if !self.keys.may_hold(key.as_bytes()) {
            return None;
        }
        match self.own_index(key) {
            Some(index) => Some((Some(index), self.own[index].1)),
            None => self.base.get(key).map(|value| (None, value)),
        }
    }

    /// Positions of the own entries whose key starts with `prefix`.
    pub(super) fn own_prefixed(&self, prefix: &str) -> std::ops::Range<usize> {
        if !self.may_hold_prefix(prefix) {
            return 0..0;
        }
        let start = self.own.partition_point(|(key, _)| *key < prefix);
        let len = self.own[start..].iter().take_while(|(key, _)| key.starts_with(prefix)).count();
        start..start + len
    }

    /// Entries whose key starts with `prefix`, in key order, own ones winning.
    pub(super) fn prefixed(&self, prefix: &str) -> Vec<(&'a str, &'a Value)> {
        if !self.may_hold_prefix(prefix) {
            return Vec::new();
        }
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

    /// Whether some key may start with `prefix` (always, for a prefix shorter than
    /// [`HEAD`]).
    fn may_hold_prefix(&self, prefix: &str) -> bool {
        head(prefix).is_none_or(|head| self.heads.may_hold(head))
    }

    /// Whether `key` is only the base's.
    pub(super) fn only_in_base(&self, key: &str) -> bool {
        self.own_index(key).is_none() && self.base.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn present_keys_and_prefixes_always_pass_the_filters() {
        let keys: Vec<String> = (0..40).map(|n| format!("{}é{n}", "k.".repeat(n % 13))).collect();
        let value = Value::Null;
        let base: BTreeMap<String, Value> = [("service.name".to_owned(), Value::Null)].into_iter().collect();
        let bag = Bag::new(keys.iter().map(|key| (key.as_str(), &value)), &base);
        for key in keys.iter().map(String::as_str).chain(["service.name"]) {
            assert!(bag.get(key).is_some(), "{key}");
            for end in (0..=key.len()).filter(|&end| key.is_char_boundary(end)) {
                assert!(!bag.prefixed(&key[..end]).is_empty(), "prefix {:?} of {key}", &key[..end]);
            }
        }
        assert!(bag.get("absent.key.of.some.length").is_none());
        assert!(bag.prefixed("absent.prefix.").is_empty());
    }
}
