//! Percent-encoding of names and query values.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but what Python's `quote(name, safe="")` keeps.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// `text` as one path segment or query value: folders (`a/b`) stay one segment, as
/// Langfuse's SDKs send them.
pub fn encode(text: &str) -> impl std::fmt::Display + '_ {
    utf8_percent_encode(text, COMPONENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_encoded_as_one_segment() {
        assert_eq!(encode("support/answer v2").to_string(), "support%2Fanswer%20v2");
        assert_eq!(encode("qa/set ü").to_string(), "qa%2Fset%20%C3%BC");
        assert_eq!(encode("a-b_c.d~e").to_string(), "a-b_c.d~e");
        assert_eq!(encode("a&b").to_string(), "a%26b");
    }
}
