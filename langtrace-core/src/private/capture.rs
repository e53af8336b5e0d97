//! How `#[observe]` captures arguments, return values and errors: autoref
//! specialisation picks `Serialize`, else `Debug`, else a placeholder, and the value is
//! written as JSON only when the observation is recorded.

use std::fmt::{Debug, Display};
use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::Serialize;
use serde_json::Value;

use crate::draft::slot::{JsonBuffer, PayloadSlot};
use crate::record::Payload;

/// Wraps a borrowed value for autoref-specialised capture:
/// `(&&&Capture(&x)).__lt_capture()` uses `Serialize`, else `Debug`, else a placeholder.
pub struct Capture<'a, T: ?Sized>(pub &'a T);

/// Writes a value as JSON. Object-safe (unlike `Serialize`), so a capture can borrow
/// the value and serialize it later without allocating first.
pub trait WriteJson {
    /// Appends the JSON text of `self` to `out`.
    fn write_json(&self, out: &mut JsonBuffer) -> serde_json::Result<()>;
}

impl<T: Serialize> WriteJson for T {
    fn write_json(&self, out: &mut JsonBuffer) -> serde_json::Result<()> {
        serde_json::to_writer(out, self)
    }
}

/// A captured value, borrowed until it is written.
pub enum Captured<'a> {
    /// Serialized through `Serialize`.
    Serialize(&'a dyn WriteJson),
    /// Recorded as its `Debug` text.
    Debug(&'a dyn Debug),
    /// Neither: a placeholder naming the type.
    Opaque(&'static str),
}

impl Captured<'_> {
    /// Appends the JSON text; a value whose `Serialize` or `Debug` fails or panics becomes
    /// a string saying so (instrumentation never fails the call it observes).
    pub(super) fn write(&self, out: &mut JsonBuffer) {
        let start = out.len();
        let written = catch_unwind(AssertUnwindSafe(|| match self {
            Captured::Serialize(value) => value.write_json(out),
            Captured::Debug(value) => serde_json::to_writer(&mut *out, &DebugText(*value)),
            Captured::Opaque(type_name) => serde_json::to_writer(&mut *out, &format!("<unserializable {type_name}>")),
        }));
        let failure = match written {
            Ok(Ok(())) => return,
            Ok(Err(error)) => format!("<unserializable: {error}>"),
            Err(_) => "<unserializable: it panicked>".to_owned(),
        };
        out.truncate(start);
        let _ = serde_json::to_writer(out, &failure);
    }

    /// The JSON value.
    pub(super) fn into_value(self) -> Value {
        let mut slot = PayloadSlot::default();
        slot.write(|out| self.write(out));
        slot.take_captured().into_payload().map_or(Value::Null, Payload::into_value)
    }
}

/// Serializes a `Debug` value as a JSON string without an intermediate `String`.
struct DebugText<'a>(&'a dyn Debug);

impl Serialize for DebugText<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{:?}", self.0))
    }
}

/// Capture through `Serialize` (highest priority).
pub trait ViaSerialize<'a> {
    /// The captured value.
    fn __lt_capture(&self) -> Captured<'a>;
}
impl<'a, T: Serialize> ViaSerialize<'a> for &&Capture<'a, T> {
    fn __lt_capture(&self) -> Captured<'a> {
        Captured::Serialize(self.0)
    }
}

/// Capture through `Debug` (when not `Serialize`).
pub trait ViaDebug<'a> {
    /// The captured value.
    fn __lt_capture(&self) -> Captured<'a>;
}
impl<'a, T: Debug> ViaDebug<'a> for &Capture<'a, T> {
    fn __lt_capture(&self) -> Captured<'a> {
        Captured::Debug(self.0)
    }
}

/// Capture of anything else: a placeholder naming the type.
pub trait ViaPlaceholder {
    /// The captured value.
    fn __lt_capture(&self) -> Captured<'static>;
}
impl<T: ?Sized> ViaPlaceholder for Capture<'_, T> {
    fn __lt_capture(&self) -> Captured<'static> {
        Captured::Opaque(std::any::type_name::<T>())
    }
}

/// Wraps an error for autoref-specialised messages: `Display`, else `Debug`, else a placeholder.
pub struct ErrorMessage<'a, T: ?Sized>(pub &'a T);

/// Error message through `Display`.
pub trait ErrViaDisplay {
    /// The message.
    fn __lt_message(&self) -> String;
}
impl<T: Display + ?Sized> ErrViaDisplay for &&ErrorMessage<'_, T> {
    fn __lt_message(&self) -> String {
        self.0.to_string()
    }
}

/// Error message through `Debug`.
pub trait ErrViaDebug {
    /// The message.
    fn __lt_message(&self) -> String;
}
impl<T: Debug + ?Sized> ErrViaDebug for &ErrorMessage<'_, T> {
    fn __lt_message(&self) -> String {
        format!("{:?}", self.0)
    }
}

/// Error message of anything else.
pub trait ErrViaPlaceholder {
    /// The message.
    fn __lt_message(&self) -> String;
}
impl<T: ?Sized> ErrViaPlaceholder for ErrorMessage<'_, T> {
    fn __lt_message(&self) -> String {
        format!("error of type {}", std::any::type_name::<T>())
    }
}

/// The captured arguments, written as one JSON object when the observation is recorded.
pub struct InputObject<'a, const N: usize>([(&'static str, Captured<'a>); N]);

impl<const N: usize> InputObject<'_, N> {
    /// Appends the JSON object.
    pub(super) fn write(self, out: &mut JsonBuffer) {
        out.push(b'{');
        for (i, (name, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // Names are Rust identifiers: nothing to escape.
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            value.write(out);
        }
        out.push(b'}');
    }
}

/// The named arguments `#[observe]` captures.
pub fn input_object<'a, const N: usize>(fields: [(&'static str, Captured<'a>); N]) -> InputObject<'a, N> {
    InputObject(fields)
}
