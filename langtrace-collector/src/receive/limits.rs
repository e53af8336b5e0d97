//! How much one OTLP export may ask the collector to build: spans, attributes, events,
//! links, and a budget of wire elements in all. Checked on the wire before any message is
//! built ([`super::count`]); a request past one of them is refused whole (413 /
//! RESOURCE_EXHAUSTED) with a message naming the limit and its setting.

use clap::Args;

/// The decode limits of `langtrace serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Args)]
pub struct DecodeLimits {
    /// Spans in one export request.
    #[arg(long, env = "LANGTRACE_MAX_SPANS_PER_REQUEST", default_value_t = 50_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_spans_per_request: u32,
    /// Attributes on one span (and on each of its events and links).
    #[arg(long, env = "LANGTRACE_MAX_ATTRIBUTES_PER_SPAN", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_attributes_per_span: u32,
    /// Attributes on one resource (and on each instrumentation scope).
    #[arg(long, env = "LANGTRACE_MAX_ATTRIBUTES_PER_RESOURCE", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_attributes_per_resource: u32,
    /// Events on one span.
    #[arg(long, env = "LANGTRACE_MAX_EVENTS_PER_SPAN", default_value_t = 128, value_parser = clap::value_parser!(u32).range(0..))]
    pub max_events_per_span: u32,
    /// Links on one span.
    #[arg(long, env = "LANGTRACE_MAX_LINKS_PER_SPAN", default_value_t = 128, value_parser = clap::value_parser!(u32).range(0..))]
    pub max_links_per_span: u32,
    /// Elements one export request may make the collector build: resource and scope
    /// groups, spans, events, links, attributes and nested attribute values together.
    #[arg(long, env = "LANGTRACE_MAX_DECODE_ELEMENTS", default_value_t = 1_000_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_decode_elements: u32,
}

/// One of the [`DecodeLimits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// [`DecodeLimits::max_spans_per_request`].
    SpansPerRequest,
    /// [`DecodeLimits::max_attributes_per_span`].
    AttributesPerSpan,
    /// [`DecodeLimits::max_attributes_per_resource`].
    AttributesPerResource,
    /// [`DecodeLimits::max_events_per_span`].
    EventsPerSpan,
    /// [`DecodeLimits::max_links_per_span`].
    LinksPerSpan,
    /// [`DecodeLimits::max_decode_elements`].
    DecodeElements,
}

impl Limit {
    /// What is counted, where, and the setting's flag and environment variable.
    fn describe(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Limit::SpansPerRequest => {
                ("spans in one request", "--max-spans-per-request", "LANGTRACE_MAX_SPANS_PER_REQUEST")
            }
            Limit::AttributesPerSpan => (
                "attributes on one span, event or link",
                "--max-attributes-per-span",
                "LANGTRACE_MAX_ATTRIBUTES_PER_SPAN",
            ),
            Limit::AttributesPerResource => (
                "attributes on one resource or scope",
                "--max-attributes-per-resource",
                "LANGTRACE_MAX_ATTRIBUTES_PER_RESOURCE",
            ),
            Limit::EventsPerSpan => ("events on one span", "--max-events-per-span", "LANGTRACE_MAX_EVENTS_PER_SPAN"),
            Limit::LinksPerSpan => ("links on one span", "--max-links-per-span", "LANGTRACE_MAX_LINKS_PER_SPAN"),
            Limit::DecodeElements => (
                "elements (spans, events, links, attributes, values) in one request",
                "--max-decode-elements",
                "LANGTRACE_MAX_DECODE_ELEMENTS",
            ),
        }
    }
}

impl DecodeLimits {
    /// The value of `limit`.
    pub fn get(&self, limit: Limit) -> u32 {
        match limit {
            Limit::SpansPerRequest => self.max_spans_per_request,
            Limit::AttributesPerSpan => self.max_attributes_per_span,
            Limit::AttributesPerResource => self.max_attributes_per_resource,
            Limit::EventsPerSpan => self.max_events_per_span,
            Limit::LinksPerSpan => self.max_links_per_span,
            Limit::DecodeElements => self.max_decode_elements,
        }
    }
}

/// A request past one of the limits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LimitExceeded {
    /// Which limit.
    pub limit: Limit,
    /// Its configured value.
    pub value: u32,
}

impl std::fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (what, flag, env) = self.limit.describe();
        write!(f, "more than {} {what} ({flag} / {env})", self.value)
    }
}

impl DecodeLimits {
    /// The limits `serve` parses from these flags (and the environment).
    pub fn parse(flags: &[&str]) -> Result<Self, clap::Error> {
        use clap::Parser;
        #[derive(Parser)]
        struct Flags {
            #[command(flatten)]
            limits: DecodeLimits,
        }
        Ok(Flags::try_parse_from(std::iter::once("serve").chain(flags.iter().copied()))?.limits)
    }
}

impl Default for DecodeLimits {
    /// The flags' defaults (the environment's `LANGTRACE_*` values when set).
    fn default() -> Self {
        Self::parse(&[]).expect("the default limits parse")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flags_default_to_the_documented_values() {
        let limits = DecodeLimits::default();
        let spans_attributes_events =
            (limits.max_spans_per_request, limits.max_attributes_per_span, limits.max_events_per_span);
        assert_eq!(spans_attributes_events, (50_000, 256, 128));
        assert_eq!((limits.max_attributes_per_resource, limits.max_links_per_span), (256, 128));
        assert_eq!(limits.max_decode_elements, 1_000_000);
    }

    #[test]
    fn the_message_names_the_limit_and_its_setting() {
        let exceeded = LimitExceeded { limit: Limit::SpansPerRequest, value: 50_000 };
        assert_eq!(
            exceeded.to_string(),
            "more than 50000 spans in one request (--max-spans-per-request / LANGTRACE_MAX_SPANS_PER_REQUEST)"
        );
    }

    #[test]
    fn a_bad_value_is_refused_naming_the_setting() {
        let error = DecodeLimits::parse(&["--max-spans-per-request", "0"]).unwrap_err().to_string();
        assert!(error.contains("--max-spans-per-request"), "{error}");
    }
}
