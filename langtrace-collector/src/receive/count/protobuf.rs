//! The protobuf walker: visits the length-delimited fields that hold repeated messages
//! (resource spans, scope spans, spans, events, links, attributes, nested values, entity
//! references) by tag, skipping every other field without looking inside. Nothing is
//! allocated: the walk slices the body.
//!
//! Protobuf merges repeated occurrences of a singular message field (two `resource`
//! fields of one `ResourceSpans` make one resource with the attributes of both), so the
//! counts of a message run across all its occurrences.

use prost::bytes::Buf;
use prost::encoding::{decode_key, decode_varint, skip_field, DecodeContext, WireType};

use super::{check_depth, CountError, Limit, Tally};

impl From<prost::DecodeError> for CountError {
    fn from(error: prost::DecodeError) -> Self {
        CountError::Malformed(format!("invalid OTLP protobuf: {error}"))
    }
}

/// Calls `field` with the tag and bytes of each length-delimited field of the message in
/// `message`; other fields are skipped.
fn fields(mut message: &[u8], mut field: impl FnMut(u32, &[u8]) -> Result<(), CountError>) -> Result<(), CountError> {
    while message.has_remaining() {
        let (tag, wire_type) = decode_key(&mut message)?;
        if wire_type != WireType::LengthDelimited {
            skip_field(wire_type, tag, &mut message, DecodeContext::default())?;
            continue;
        }
        let length = decode_varint(&mut message)?;
        let length = usize::try_from(length).ok().filter(|length| *length <= message.len()).ok_or_else(|| {
            CountError::Malformed("invalid OTLP protobuf: a field runs past the end of its message".to_owned())
        })?;
        let (bytes, rest) = message.split_at(length);
        message = rest;
        field(tag, bytes)?;
    }
    Ok(())
}

/// `ExportTraceServiceRequest`.
pub fn request(body: &[u8], tally: &mut Tally<'_>) -> Result<(), CountError> {
    fields(body, |tag, bytes| match tag {
        1 => {
            tally.element()?;
            resource_spans(bytes, tally)
        }
        _ => Ok(()),
    })
}

/// `ResourceSpans`: its resource, its scopes and their spans.
fn resource_spans(message: &[u8], tally: &mut Tally<'_>) -> Result<(), CountError> {
    let mut attributes = 0;
    fields(message, |tag, bytes| match tag {
        1 => resource(bytes, tally, &mut attributes),
        2 => {
            tally.element()?;
            scope_spans(bytes, tally)
        }
        _ => Ok(()),
    })
}

/// `Resource`: attributes and entity references.
fn resource(message: &[u8], tally: &mut Tally<'_>, attributes: &mut u32) -> Result<(), CountError> {
    fields(message, |tag, bytes| match tag {
        1 => {
            tally.item(attributes, Limit::AttributesPerResource)?;
            key_value(bytes, tally, 0)
        }
        3 => {
            tally.element()?;
            entity_ref(bytes, tally)
        }
        _ => Ok(()),
    })
}

/// `EntityRef`: its repeated key names.
fn entity_ref(message: &[u8], tally: &mut Tally<'_>) -> Result<(), CountError> {
    fields(message, |tag, _| match tag {
        3 | 4 => Ok(tally.element()?),
        _ => Ok(()),
    })
}

/// `ScopeSpans`: the scope's attributes and the spans.
fn scope_spans(message: &[u8], tally: &mut Tally<'_>) -> Result<(), CountError> {
    let mut scope_attributes = 0;
    fields(message, |tag, bytes| match tag {
        1 => attributes_at(bytes, 3, tally, &mut scope_attributes, Limit::AttributesPerResource),
        2 => {
            tally.span()?;
            span(bytes, tally)
        }
        _ => Ok(()),
    })
}

/// `Span`: attributes, events and links.
fn span(message: &[u8], tally: &mut Tally<'_>) -> Result<(), CountError> {
    let (mut attributes, mut events, mut links) = (0, 0, 0);
    fields(message, |tag, bytes| match tag {
        9 => {
            tally.item(&mut attributes, Limit::AttributesPerSpan)?;
            key_value(bytes, tally, 0)
        }
        11 => {
            tally.item(&mut events, Limit::EventsPerSpan)?;
            attributes_at(bytes, 3, tally, &mut 0, Limit::AttributesPerSpan)
        }
        13 => {
            tally.item(&mut links, Limit::LinksPerSpan)?;
            attributes_at(bytes, 4, tally, &mut 0, Limit::AttributesPerSpan)
        }
        _ => Ok(()),
    })
}

/// The attributes (`KeyValue`s at `attributes_tag`) of a scope, event or link.
fn attributes_at(
    message: &[u8],
    attributes_tag: u32,
    tally: &mut Tally<'_>,
    count: &mut u32,
    limit: Limit,
) -> Result<(), CountError> {
    fields(message, |tag, bytes| {
        if tag != attributes_tag {
            return Ok(());
        }
        tally.item(count, limit)?;
        key_value(bytes, tally, 0)
    })
}

/// `KeyValue` at nesting `depth`: its value.
fn key_value(message: &[u8], tally: &mut Tally<'_>, depth: usize) -> Result<(), CountError> {
    fields(message, |tag, bytes| match tag {
        2 => any_value(bytes, tally, depth),
        _ => Ok(()),
    })
}

/// `AnyValue` at nesting `depth`: the elements of an array or key/value list.
fn any_value(message: &[u8], tally: &mut Tally<'_>, depth: usize) -> Result<(), CountError> {
    fields(message, |tag, bytes| match tag {
        5 => {
            check_depth(depth + 1)?;
            fields(bytes, |tag, value| match tag {
                1 => {
                    tally.element()?;
                    any_value(value, tally, depth + 1)
                }
                _ => Ok(()),
            })
        }
        6 => {
            check_depth(depth + 1)?;
            fields(bytes, |tag, entry| match tag {
                1 => {
                    tally.element()?;
                    key_value(entry, tally, depth + 1)
                }
                _ => Ok(()),
            })
        }
        _ => Ok(()),
    })
}
