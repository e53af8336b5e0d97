//! The JSON walker: a `serde` visitor over the OTLP/JSON structure that counts the
//! arrays that matter (`resourceSpans`, `scopeSpans`, `spans`, `events`, `links`,
//! `attributes`, nested `values`, entity references) and skips everything else with
//! `IgnoredAny`, never building a tree. Keys are borrowed from the body.
//!
//! A limit passed deep inside the walk travels up as a `serde_json` error; the tally
//! keeps which limit it was.

mod walk;

use serde::de::{self, DeserializeSeed, MapAccess};

use super::{check_depth, CountError, Limit, Tally};
use walk::{skip, Array, Bounded, Each, Elements, Fields, Object, Walk};

/// `ExportTraceServiceRequest`.
pub fn request(body: &[u8], tally: &mut Tally<'_>) -> Result<(), CountError> {
    let mut refused = None;
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let walked = Object(Request, Walk { tally, refused: &mut refused })
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end());
    match (refused, walked) {
        (Some(refused), _) => Err(refused),
        (None, Err(error)) => Err(CountError::Malformed(format!("invalid OTLP JSON: {error}"))),
        (None, Ok(())) => Ok(()),
    }
}

/// `ExportTraceServiceRequest`.
struct Request;

impl Fields for Request {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A, walk: Walk<'_, '_>) -> Result<(), A::Error> {
        match key {
            "resourceSpans" => map.next_value_seed(Array(Each(ResourceSpans::default), walk)),
            _ => skip(map),
        }
    }
}

/// `ResourceSpans`.
#[derive(Default)]
struct ResourceSpans {
    resource_attributes: u32,
}

impl Fields for ResourceSpans {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A, walk: Walk<'_, '_>) -> Result<(), A::Error> {
        match key {
            "resource" => map.next_value_seed(Object(Resource { attributes: &mut self.resource_attributes }, walk)),
            "scopeSpans" => map.next_value_seed(Array(Each(ScopeSpans::default), walk)),
            _ => skip(map),
        }
    }
}

/// `Resource`.
struct Resource<'c> {
    attributes: &'c mut u32,
}

impl Fields for Resource<'_> {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A, walk: Walk<'_, '_>) -> Result<(), A::Error> {
        match key {
            "attributes" => map.next_value_seed(Array(attributes(self.attributes, Limit::AttributesPerResource), walk)),
            "entityRefs" => map.next_value_seed(Array(Each(|| EntityRef), walk)),
            _ => skip(map),
        }
    }
}

/// `EntityRef`.
struct EntityRef;

impl Fields for EntityRef {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A, walk: Walk<'_, '_>) -> Result<(), A::Error> {
        match key {
            "idKeys" | "descriptionKeys" => map.next_value_seed(Array(Each(|| Opaque), walk)),
            _ => skip(map),
        }
    }
}

/// An element with nothing to count inside (a string of an entity reference).
struct Opaque;

impl Fields for Opaque {
    fn field<'de, A: MapAccess<'de>>(&mut self, _: &str, map: &mut A, _: Walk<'_, '_>) -> Result<(), A::Error> {
        skip(map)
    }
}

/// `ScopeSpans`.
#[derive(Default)]
struct ScopeSpans {
    scope_attributes: u32,
}

impl Fields for ScopeSpans {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A, walk: Walk<'_, '_>) -> Result<(), A::Error> {
        match key {
            "scope" => map.next_value_seed(Object(
                AttributesOf { count: &mut self.scope_attributes, limit: Limit::AttributesPerResource },
                walk,
            )),
            "spans" => map.next_value_seed(Array(Spans, walk)),
            _ => skip(map),
        }
    }
}

/// The spans of a scope, each counted against the request's span limit.
struct Spans;

impl Elements for Spans {
    type Item = Span;
    fn next<E: de::Error>(&mut self, walk: &mut Walk<'_, '_>) -> Result<Span, E> {
        let result = walk.tally.span();
        walk.check(result)?;
        Ok(Span::default())
    }
}

/// `Span`.
#[derive(Default)]
struct Span {
    attributes: u32,
    events: u32,
    links: u32,
}

impl Fields for Span {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A, walk: Walk<'_, '_>) -> Result<(), A::Error> {
        match key {
            "attributes" => {
                map.next_value_seed(Array(attributes(&mut self.attributes, Limit::AttributesPerSpan), walk))
            }
            "events" => map.next_value_seed(Array(
                Bounded { count: &mut self.events, limit: Limit::EventsPerSpan, fields: EventOrLink::default },
                walk,
            )),
            "links" => map.next_value_seed(Array(
                Bounded { count: &mut self.links, limit: Limit::LinksPerSpan, fields: EventOrLink::default },
                walk,
            )),
            _ => skip(map),
        }
    }
}

/// An event or a link of a span: its attributes.
#[derive(Default)]
struct EventOrLink {
    attributes: u32,
}

impl Fields for EventOrLink {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A, walk: Walk<'_, '_>) -> Result<(), A::Error> {
        AttributesOf { count: &mut self.attributes, limit: Limit::AttributesPerSpan }.field(key, map, walk)
    }
}

/// An object whose `attributes` are bounded by `limit` (a scope, an event, a link).
struct AttributesOf<'c> {
    count: &'c mut u32,
    limit: Limit,
}

impl Fields for AttributesOf<'_> {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A, walk: Walk<'_, '_>) -> Result<(), A::Error> {
        match key {
            "attributes" => map.next_value_seed(Array(attributes(self.count, self.limit), walk)),
            _ => skip(map),
        }
    }
}

/// A list of attributes bounded by `limit`, at the top of their values' nesting.
fn attributes(count: &mut u32, limit: Limit) -> Bounded<'_, impl FnMut() -> KeyValue> {
    Bounded { count, limit, fields: || KeyValue { depth: 0 } }
}

/// `KeyValue` at nesting `depth`.
struct KeyValue {
    depth: usize,
}

impl Fields for KeyValue {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A, walk: Walk<'_, '_>) -> Result<(), A::Error> {
        match key {
            "value" => map.next_value_seed(Object(AnyValue { depth: self.depth }, walk)),
            _ => skip(map),
        }
    }
}

/// `AnyValue` at nesting `depth`.
struct AnyValue {
    depth: usize,
}

impl Fields for AnyValue {
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
        mut walk: Walk<'_, '_>,
    ) -> Result<(), A::Error> {
        let nested = self.depth + 1;
        match key {
            "arrayValue" | "kvlistValue" => {
                walk.check(check_depth(nested))?;
                let values = Values { kvlist: key == "kvlistValue", depth: nested };
                map.next_value_seed(Object(values, walk))
            }
            _ => skip(map),
        }
    }
}

/// `ArrayValue` (values are `AnyValue`s) or `KeyValueList` (values are `KeyValue`s).
struct Values {
    kvlist: bool,
    depth: usize,
}

impl Fields for Values {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A, walk: Walk<'_, '_>) -> Result<(), A::Error> {
        let depth = self.depth;
        match key {
            "values" if self.kvlist => map.next_value_seed(Array(Each(|| KeyValue { depth }), walk)),
            "values" => map.next_value_seed(Array(Each(|| AnyValue { depth }), walk)),
            _ => skip(map),
        }
    }
}
