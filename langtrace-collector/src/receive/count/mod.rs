//! Counting an OTLP export on the wire, before any message is built: resource groups,
//! spans, events, links, attributes and nested values, each against its limit
//! ([`DecodeLimits`]) and all of them against the request's element budget. The walk
//! allocates nothing per element, so a small compressed body that would inflate into
//! millions of messages is refused for the cost of reading it once.
//!
//! The walkers judge only sizes: anything they do not recognise is skipped and left to
//! the decoder, which refuses malformed bodies with its own message.

pub mod json;
pub mod protobuf;

use super::limits::{DecodeLimits, Limit, LimitExceeded};
use super::reply::Format;

/// Attribute values nested deeper than this (arrays in arrays, lists in lists) are
/// refused: real attributes nest a few levels, and the decoders' own recursion limits
/// lie further down.
pub const MAX_VALUE_DEPTH: usize = 32;

/// What a counted request holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Spans.
    pub spans: usize,
    /// Elements of the budget used, spans included.
    pub elements: usize,
}

/// Why a body was refused before it was decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountError {
    /// Past a limit.
    #[error(transparent)]
    Limit(#[from] LimitExceeded),
    /// Not walkable as OTLP of its format.
    #[error("{0}")]
    Malformed(String),
}

/// Counts the export request in `body`, refusing it at the first limit it passes.
pub fn count(format: Format, body: &[u8], limits: &DecodeLimits) -> Result<Counts, CountError> {
    let mut tally = Tally::new(limits);
    match format {
        Format::Protobuf => protobuf::request(body, &mut tally)?,
        Format::Json => json::request(body, &mut tally)?,
    }
    Ok(tally.counts)
}

/// The running totals of one request, checked against the limits as they grow.
#[derive(Debug)]
pub struct Tally<'l> {
    limits: &'l DecodeLimits,
    counts: Counts,
}

impl<'l> Tally<'l> {
    fn new(limits: &'l DecodeLimits) -> Self {
        Self { limits, counts: Counts::default() }
    }

    fn exceeded(&self, limit: Limit) -> LimitExceeded {
        LimitExceeded { limit, value: self.limits.get(limit) }
    }

    /// One more element of the request's budget.
    fn element(&mut self) -> Result<(), LimitExceeded> {
        self.counts.elements += 1;
        if self.counts.elements > self.limits.max_decode_elements as usize {
            return Err(self.exceeded(Limit::DecodeElements));
        }
        Ok(())
    }

    /// One more span.
    fn span(&mut self) -> Result<(), LimitExceeded> {
        self.element()?;
        self.counts.spans += 1;
        if self.counts.spans > self.limits.max_spans_per_request as usize {
            return Err(self.exceeded(Limit::SpansPerRequest));
        }
        Ok(())
    }

    /// One more item of a list bounded by `limit` (the attributes of one span, the events
    /// of one span...), whose count so far is `count`.
    fn item(&mut self, count: &mut u32, limit: Limit) -> Result<(), LimitExceeded> {
        self.element()?;
        *count += 1;
        if *count > self.limits.get(limit) {
            return Err(self.exceeded(limit));
        }
        Ok(())
    }
}

/// Refuses values nested deeper than [`MAX_VALUE_DEPTH`] (an attribute's value is at depth
/// 0, the elements of an array or list at depth `d` are at `d + 1`).
fn check_depth(depth: usize) -> Result<(), CountError> {
    if depth > MAX_VALUE_DEPTH {
        return Err(CountError::Malformed(format!("attribute values nested deeper than {MAX_VALUE_DEPTH} levels")));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
