//! W3C trace and span identifiers, generated without locks on the hot path.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// Why an identifier could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Not the expected number of lowercase or uppercase hex digits.
    #[error("expected {expected} hex digits, got {got:?}")]
    Malformed {
        /// Number of hex digits the id must have.
        expected: usize,
        /// The rejected text.
        got: String,
    },
    /// All-zero ids are invalid in W3C trace context.
    #[error("an all-zero id is invalid")]
    Zero,
}

macro_rules! hex_id {
    ($(#[$doc:meta])* $name:ident, $len:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; $len]);

        impl $name {
            /// Wraps raw bytes; all-zero bytes are rejected.
            pub fn from_bytes(bytes: [u8; $len]) -> Result<Self, IdError> {
                if bytes == [0; $len] {
                    return Err(IdError::Zero);
                }
                Ok(Self(bytes))
            }

            /// The raw bytes, as OTLP carries them.
            pub fn to_bytes(self) -> [u8; $len] {
                self.0
            }

            /// Parses lowercase or uppercase hex of exactly the right length.
            pub fn from_hex(text: &str) -> Result<Self, IdError> {
                let mut bytes = [0u8; $len];
                hex::decode_to_slice(text, &mut bytes)
                    .map_err(|_| IdError::Malformed { expected: $len * 2, got: text.to_owned() })?;
                Self::from_bytes(bytes)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Encoded on the stack: `to_string` allocates once, for the result.
                let mut text = [0u8; $len * 2];
                hex::encode_to_slice(self.0, &mut text).map_err(|_| fmt::Error)?;
                f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({self})", stringify!($name))
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(text: &str) -> Result<Self, IdError> {
                Self::from_hex(text)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Self::from_hex(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

hex_id!(
    /// A W3C trace id (16 bytes, 32 hex digits): one trace groups the observations of one request.
    TraceId,
    16
);
hex_id!(
    /// A W3C span id (8 bytes, 16 hex digits) identifying one observation within its trace.
    ObservationId,
    8
);

impl TraceId {
    /// A random trace id.
    pub fn random() -> Self {
        let high = next_random() as u128;
        let low = next_random() as u128;
        Self(((high << 64) | low).max(1).to_be_bytes())
    }

    /// The trace id derived from a seed (for example a message id), so the same seed always
    /// names the same trace. Same derivation as Langfuse's `create_trace_id(seed=...)`: the
    /// first 16 bytes of the SHA-256 of the seed.
    pub fn from_seed(seed: &str) -> Self {
        let digest = Sha256::digest(seed.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        if bytes == [0; 16] {
            bytes[15] = 1;
        }
        Self(bytes)
    }

    /// The lower 64 bits, which the OTel trace-id-ratio sampler decides on.
    pub(crate) fn low_u64(self) -> u64 {
        let mut low = [0u8; 8];
        low.copy_from_slice(&self.0[8..]);
        u64::from_be_bytes(low)
    }
}

impl ObservationId {
    /// A random observation id.
    pub fn random() -> Self {
        Self(next_random().max(1).to_be_bytes())
    }
}

thread_local! {
    static RNG: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(std::process::id() as u64);
    hasher.finish() | 1
}

/// wyrand: a fast, well-distributed generator; ids need uniqueness, not secrecy.
fn next_random() -> u64 {
    RNG.with(|state| {
        let s = state.get().wrapping_add(0xa076_1d64_78bd_642f);
        state.set(s);
        let t = u128::from(s) * u128::from(s ^ 0xe703_7ed1_a0b4_28db);
        ((t >> 64) ^ t) as u64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_validation() {
        let id = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
        assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(TraceId::from_hex("00000000000000000000000000000000"), Err(IdError::Zero));
        assert!(TraceId::from_hex("4bf92f").is_err());
        assert!(ObservationId::from_hex("00f067aa0ba902zz").is_err());
        assert_eq!(ObservationId::from_hex("00f067aa0ba902b7").unwrap().to_string(), "00f067aa0ba902b7");
        assert_eq!(TraceId::from_hex("4BF92F3577B34DA6A3CE929D0E0E4736"), Ok(id), "upper case is accepted");
    }

    #[test]
    fn signs_are_not_hex_digits() {
        for text in [
            "+f+f+f+f+f+f+f+f+f+f+f+f+f+f+f+f",
            "-f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f",
            "+00000000000000000000000000000001",
        ] {
            assert_eq!(
                TraceId::from_hex(text),
                Err(IdError::Malformed { expected: 32, got: text.to_owned() }),
                "{text}"
            );
        }
        assert!(ObservationId::from_hex("+1+1+1+1+1+1+1+1").is_err());
    }

    #[test]
    fn seeded_ids_are_deterministic_and_match_langfuse() {
        assert_eq!(TraceId::from_seed("msg-1"), TraceId::from_seed("msg-1"));
        assert_ne!(TraceId::from_seed("msg-1"), TraceId::from_seed("msg-2"));
        // sha256("hello")[..16], as Langfuse's create_trace_id(seed="hello") computes it.
        assert_eq!(TraceId::from_seed("hello").to_string(), "2cf24dba5fb0a30e26e83b2ac5b9e29e");
    }

    #[test]
    fn random_ids_differ() {
        let ids: std::collections::HashSet<_> = (0..1000).map(|_| ObservationId::random()).collect();
        assert_eq!(ids.len(), 1000);
        assert_ne!(TraceId::random(), TraceId::random());
    }
}
