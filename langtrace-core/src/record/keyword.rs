//! The keyword enums of the record model, spelled as Langfuse spells them:
//! [`ObservationType`] and [`Level`].

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! keyword_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $upper:literal / $lower:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $upper)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The upper-case spelling of Langfuse's API (`GENERATION`, `ERROR`).
            pub fn as_upper(self) -> &'static str {
                match self { $($name::$variant => $upper,)+ }
            }

            /// The lower-case spelling of Langfuse's OTLP attributes (`generation`).
            pub fn as_lower(self) -> &'static str {
                match self { $($name::$variant => $lower,)+ }
            }

            /// Parses either spelling, case-insensitively.
            pub fn parse(text: &str) -> Option<Self> {
                $(if text.eq_ignore_ascii_case($lower) { return Some($name::$variant); })+
                None
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_upper())
            }
        }
    };
}

keyword_enum!(
    /// What an observation is; Langfuse renders each type differently.
    ObservationType {
        /// A unit of work with a duration (the default).
        #[default]
        Span = "SPAN" / "span",
        /// A call to a language model: model, usage, cost, time to first token.
        Generation = "GENERATION" / "generation",
        /// A point in time without duration.
        Event = "EVENT" / "event",
        /// An agent deciding which tools or models to call.
        Agent = "AGENT" / "agent",
        /// A tool called by an agent or chain.
        Tool = "TOOL" / "tool",
        /// A chain of steps (e.g. prompt -> model -> parser).
        Chain = "CHAIN" / "chain",
        /// A retrieval step, e.g. a vector store lookup.
        Retriever = "RETRIEVER" / "retriever",
        /// A step judging the output of another (LLM-as-judge).
        Evaluator = "EVALUATOR" / "evaluator",
        /// A call to an embedding model.
        Embedding = "EMBEDDING" / "embedding",
        /// A check guarding input or output (jailbreak, PII, ...).
        Guardrail = "GUARDRAIL" / "guardrail",
    }
);

impl ObservationType {
    /// Generation-like observations carry model, usage, cost and prompt fields.
    pub fn is_generation_like(self) -> bool {
        matches!(self, ObservationType::Generation | ObservationType::Embedding)
    }
}

keyword_enum!(
    /// Severity of an observation, in increasing order.
    Level {
        /// Verbose detail.
        Debug = "DEBUG" / "debug",
        /// Normal operation (the default).
        #[default]
        Default = "DEFAULT" / "default",
        /// Something worth a look.
        Warning = "WARNING" / "warning",
        /// A failure: set on `Err` returns and panics.
        Error = "ERROR" / "error",
    }
);

impl Level {
    /// Parses a level as the Langfuse server does: the four names plus the aliases
    /// TRACE/VERBOSE, INFO/LOG/NOTICE/OK/SUCCESS, WARN and FATAL/CRITICAL.
    pub fn parse_alias(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::parse(text).or_else(|| {
            let alias = |names: &[&str]| names.iter().any(|n| text.eq_ignore_ascii_case(n));
            if alias(&["trace", "verbose"]) {
                Some(Level::Debug)
            } else if alias(&["info", "log", "notice", "ok", "success"]) {
                Some(Level::Default)
            } else if alias(&["warn"]) {
                Some(Level::Warning)
            } else if alias(&["fatal", "critical"]) {
                Some(Level::Error)
            } else {
                None
            }
        })
    }

    fn rank(self) -> u8 {
        match self {
            Level::Debug => 0,
            Level::Default => 1,
            Level::Warning => 2,
            Level::Error => 3,
        }
    }
}

impl PartialOrd for Level {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Level {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_aliases_and_order() {
        assert_eq!(Level::parse_alias("warn"), Some(Level::Warning));
        assert_eq!(Level::parse_alias("INFO"), Some(Level::Default));
        assert_eq!(Level::parse_alias("Critical"), Some(Level::Error));
        assert_eq!(Level::parse_alias("verbose"), Some(Level::Debug));
        assert_eq!(Level::parse_alias("loud"), None);
        assert!(Level::Error > Level::Warning && Level::Warning > Level::Default);
        assert_eq!(serde_json::to_value(Level::Error).unwrap(), "ERROR");
    }

    #[test]
    fn observation_types_round_trip() {
        for &ty in ObservationType::ALL {
            assert_eq!(ObservationType::parse(ty.as_lower()), Some(ty));
            assert_eq!(ObservationType::parse(ty.as_upper()), Some(ty));
        }
        assert!(ObservationType::Embedding.is_generation_like());
        assert!(!ObservationType::Tool.is_generation_like());
    }
}
