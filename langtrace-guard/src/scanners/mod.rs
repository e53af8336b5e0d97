//! The built-in scanners. Input: [`InvisibleText`], [`BanSubstrings`], [`Regex`],
//! [`Secrets`], [`Pii`], [`TokenLimit`]. Output: [`Deanonymize`], [`Json`],
//! [`ReadingTime`], [`NoRefusalLight`]; the input ones work on answers too.

mod invisible;
mod json;
mod limits;
pub mod pii;
mod refusal;
mod regex;
pub mod secrets;
mod substrings;

pub use self::regex::{Regex, RegexAction};
pub use invisible::InvisibleText;
pub use json::Json;
pub use limits::{Encoding, ReadingTime, TokenLimit};
pub use pii::{Deanonymize, Entity, Pii, Vault};
pub use refusal::NoRefusalLight;
pub use secrets::{RedactMode, Secrets};
pub use substrings::{BanSubstrings, BanSubstringsBuilder, MatchType, REDACTED};
