//! The machinery of the JSON walker: a walk (the tally, and the refusal that stopped it),
//! objects whose fields a [`Fields`] visits, arrays whose elements an [`Elements`] counts
//! before each is read, and skipping of everything else with [`IgnoredAny`].

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::super::{CountError, Limit, Tally};
/// The tally, and the refusal that stopped the walk (serde errors carry only text).
pub(super) struct Walk<'w, 'l> {
    pub(super) tally: &'w mut Tally<'l>,
    pub(super) refused: &'w mut Option<CountError>,
}

impl<'l> Walk<'_, 'l> {
    pub(super) fn reborrow(&mut self) -> Walk<'_, 'l> {
        Walk { tally: &mut *self.tally, refused: &mut *self.refused }
    }

    /// `result`, with a refusal kept and turned into a serde error.
    pub(super) fn check<T, E: de::Error>(&mut self, result: Result<T, impl Into<CountError>>) -> Result<T, E> {
        result.map_err(|error| {
            let error = error.into();
            let message = error.to_string();
            *self.refused = Some(error);
            E::custom(message)
        })
    }

    pub(super) fn item<E: de::Error>(&mut self, count: &mut u32, limit: Limit) -> Result<(), E> {
        let result = self.tally.item(count, limit);
        self.check(result)
    }

    pub(super) fn element<E: de::Error>(&mut self) -> Result<(), E> {
        let result = self.tally.element();
        self.check(result)
    }
}

/// The fields of one kind of OTLP object: visits the keys it counts below, skips others.
pub(super) trait Fields {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A, walk: Walk<'_, '_>) -> Result<(), A::Error>;
}

/// What each element of an array is, counted as it comes.
pub(super) trait Elements {
    /// The element's fields.
    type Item: Fields;
    /// Counts one more element.
    fn next<E: de::Error>(&mut self, walk: &mut Walk<'_, '_>) -> Result<Self::Item, E>;
}

/// An object whose fields `F` walks; any other JSON value is skipped (the decoder judges it).
pub(super) struct Object<'w, 'l, F>(pub(super) F, pub(super) Walk<'w, 'l>);

/// An array whose elements `E` counts and walks; any other JSON value is skipped.
pub(super) struct Array<'w, 'l, E>(pub(super) E, pub(super) Walk<'w, 'l>);

/// A key, borrowed from the body unless it has escapes.
pub(super) struct Key<'de>(pub(super) Cow<'de, str>);

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
pub(super) struct Each<F>(pub(super) F);

impl<T: Fields, F: FnMut() -> T> Elements for Each<F> {
    type Item = T;
    fn next<E: de::Error>(&mut self, walk: &mut Walk<'_, '_>) -> Result<T, E> {
        walk.element()?;
        Ok((self.0)())
    }
}

/// Elements of a list bounded by a limit, each with fresh fields from `F`.
pub(super) struct Bounded<'c, F> {
    pub(super) count: &'c mut u32,
    pub(super) limit: Limit,
    pub(super) fields: F,
}

impl<T: Fields, F: FnMut() -> T> Elements for Bounded<'_, F> {
    type Item = T;
    fn next<E: de::Error>(&mut self, walk: &mut Walk<'_, '_>) -> Result<T, E> {
        walk.item(self.count, self.limit)?;
        Ok((self.fields)())
    }
}

/// Skips the value of the current entry.
pub(super) fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}
