//! Langfuse's rule for environment names, written once: `^(?!langfuse)[a-z0-9-_]+$`, at
//! most [`MAX_LEN`] characters, and not langtrace's own [`PLAYGROUND`]. The SDK refuses a
//! name that breaks it ([`validate`]); a server receiving spans from any client rewrites
//! it instead ([`normalise`]).

/// The environment of records that name none.
pub const DEFAULT: &str = "default";

/// Longest environment name, in characters.
pub const MAX_LEN: usize = 40;

/// Names starting with this are Langfuse's own.
pub const RESERVED_PREFIX: &str = "langfuse";

/// The environment of the collector's own playground runs: only the collector writes it.
pub const PLAYGROUND: &str = "langtrace-playground";

/// Why a name is refused by [`validate`] (the SDK's settings quote it).
pub const RULE: &str = "must be 1-40 characters of a-z, 0-9, '-' or '_', must not start with \"langfuse\" and must not be \"langtrace-playground\"";

/// Whether `name` follows the rule; `Err` carries [`RULE`].
pub fn validate(name: &str) -> Result<(), &'static str> {
    let valid = !name.is_empty()
        && name.len() <= MAX_LEN
        && !name.starts_with(RESERVED_PREFIX)
        && name != PLAYGROUND
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(RULE)
    }
}

/// Rewrites any text to a name that follows the rule: trimmed, lower-cased, other
/// characters as `-`, cut to [`MAX_LEN`]; [`DEFAULT`] if nothing is left or the name is
/// reserved (Langfuse's prefix, or [`PLAYGROUND`]).
pub fn normalise(text: &str) -> String {
    let cleaned: String = text
        .trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
        .take(MAX_LEN)
        .collect();
    if cleaned.is_empty() || cleaned.starts_with(RESERVED_PREFIX) || cleaned == PLAYGROUND {
        DEFAULT.to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_are_normalised() {
        assert_eq!(normalise("Staging"), "staging");
        assert_eq!(normalise("langfuse-x"), "default");
        assert_eq!(normalise("Langtrace-Playground"), "default");
        assert_eq!(normalise("langtrace-playground-2"), "langtrace-playground-2");
        assert_eq!(normalise(""), "default");
        assert_eq!(normalise("  Prod EU  "), "prod-eu");
        assert_eq!(normalise("Ünïcode"), "-n-code");
        assert_eq!(normalise(&"x".repeat(50)), "x".repeat(40));
    }

    #[test]
    fn validation_follows_the_rule() {
        for good in ["default", "prod-eu_1", &"x".repeat(40)] {
            assert_eq!(validate(good), Ok(()), "{good}");
        }
        for bad in ["", "Prod", "langfuse-x", "langtrace-playground", "a b", &"x".repeat(41)] {
            assert_eq!(validate(bad), Err(RULE), "{bad}");
        }
    }

    #[test]
    fn normalised_names_validate() {
        for text in ["Prod EU", "langfuse", "", "ok", "Ünïcode", &"Y".repeat(60)] {
            assert_eq!(validate(&normalise(text)), Ok(()), "{text}");
        }
    }
}
