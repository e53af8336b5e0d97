//! The JSON walker: a `serde` visitor over the OTLP/JSON structure that counts the
//! arrays that matter (`resourceSpans`, `scopeSpans`, `spans`, `events`, `links`,
//! `attributes`, nested `values`, entity references) and skips everything else with
//! [`IgnoredAny`], never building a tree. Keys are borrowed from the body.
//!
//! A limit passed deep inside the walk travels up as a `serde_json` error; the tally
//! keeps which limit it was.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{check_depth, CountError, Limit, Tally};

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

/// The tally, and the refusal that stopped the walk (serde errors carry only text).
struct Walk<'w, 'l> {
    tally: &'w mut Tally<'l>,
    refused: &'w mut Option<CountError>,
}

impl<'l> Walk<'_, 'l> {
    fn reborrow(&mut self) -> Walk<'_, 'l> {
        Walk { tally: &mut *self.tally, refused: &mut *self.refused }
    }

    /// `result`, with a refusal kept and turned into a serde error.
    fn check<T, E: de::Error>(&mut self, result: Result<T, impl Into<CountError>>) -> Result<T, E> {
        result.map_err(|error| {
            let error = error.into();
            let message = error.to_string();
            *self.refused = Some(error);
            E::custom(message)
        })
    }

    fn item<E: de::Error>(&mut self, count: &mut u32, limit: Limit) -> Result<(), E> {
        let result = self.tally.item(count, limit);
        self.check(result)
    }

    fn element<E: de::Error>(&mut self) -> Result<(), E> {
        let result = self.tally.element();
        self.check(result)
    }
}

/// The fields of one kind of OTLP object: visits the keys it counts below, skips others.
trait Fields {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A, walk: Walk<'_, '_>) -> Result<(), A::Error>;
}

/// What each element of an array is, counted as it comes.
trait Elements {
    /// The element's fields.
    type Item: Fields;
    /// Counts one more element.
    fn next<E: de::Error>(&mut self, walk: &mut Walk<'_, '_>) -> Result<Self::Item, E>;
}

/// An object whose fields `F` walks; any other JSON value is skipped (the decoder judges it).
struct Object<'w, 'l, F>(F, Walk<'w, 'l>);

/// An array whose elements `E` counts and walks; any other JSON value is skipped.
struct Array<'w, 'l, E>(E, Walk<'w, 'l>);

/// A key, borrowed from the body unless it has escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(key)))
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Skips a sequence's elements one by one.
fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Skips a map's entries one by one.
fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Visits anything and skips what is not an object or an array: strings, numbers,
/// booleans and null have nothing to count.
macro_rules! skip_scalars {
    () => {
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an OTLP JSON value")
        }
        fn visit_bool<Er: de::Error>(self, _: bool) -> Result<(), Er> {
            Ok(())
        }
        fn visit_i64<Er: de::Error>(self, _: i64) -> Result<(), Er> {
            Ok(())
        }
        fn visit_u64<Er: de::Error>(self, _: u64) -> Result<(), Er> {
            Ok(())
        }
        fn visit_f64<Er: de::Error>(self, _: f64) -> Result<(), Er> {
            Ok(())
        }
        fn visit_str<Er: de::Error>(self, _: &str) -> Result<(), Er> {
            Ok(())
        }
        fn visit_unit<Er: de::Error>(self) -> Result<(), Er> {
            Ok(())
        }
    };
}

impl<'de, F: Fields> DeserializeSeed<'de> for Object<'_, '_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: Fields> Visitor<'de> for Object<'_, '_, F> {
    type Value = ();
    skip_scalars!();
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            self.0.field(&key, &mut map, self.1.reborrow())?;
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        skip_seq(seq)
    }
}

impl<'de, E: Elements> DeserializeSeed<'de> for Array<'_, '_, E> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, E: Elements> Visitor<'de> for Array<'_, '_, E> {
    type Value = ();
    skip_scalars!();
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Element(&mut self.0, self.1.reborrow()))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        skip_map(map)
    }
}

/// One element of an array: counted before it is read, so the element that passes a
/// limit is never walked.
struct Element<'e, 'w, 'l, E>(&'e mut E, Walk<'w, 'l>);

impl<'de, E: Elements> DeserializeSeed<'de> for Element<'_, '_, '_, E> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(mut self, deserializer: D) -> Result<(), D::Error> {
        let fields = self.0.next(&mut self.1)?;
        Object(fields, self.1).deserialize(deserializer)
    }
}

/// Elements counted against the budget only, each with fresh fields from `F`.
struct Each<F>(F);

impl<T: Fields, F: FnMut() -> T> Elements for Each<F> {
    type Item = T;
    fn next<E: de::Error>(&mut self, walk: &mut Walk<'_, '_>) -> Result<T, E> {
        walk.element()?;
        Ok((self.0)())
    }
}

/// Elements of a list bounded by a limit, each with fresh fields from `F`.
struct Bounded<'c, F> {
    count: &'c mut u32,
    limit: Limit,
    fields: F,
}

impl<T: Fields, F: FnMut() -> T> Elements for Bounded<'_, F> {
    type Item = T;
    fn next<E: de::Error>(&mut self, walk: &mut Walk<'_, '_>) -> Result<T, E> {
        walk.item(self.count, self.limit)?;
        Ok((self.fields)())
    }
}

/// Skips the value of the current entry.
fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
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
