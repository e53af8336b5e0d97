//! Credentials: the key pair of the project a test collector creates at its first start,
//! and the Basic `Authorization` header of a key pair.

use base64::Engine;

/// Public key of the initial project of a test collector.
pub const PUBLIC_KEY: &str = "pk-lt-test";
/// Secret key of the initial project of a test collector.
pub const SECRET_KEY: &str = "sk-lt-test-0123456789abcdef";

/// A project's key pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    /// `pk-...`.
    pub public_key: String,
    /// `sk-...`.
    pub secret_key: String,
}

impl Keys {
    /// A key pair.
    pub fn new(public_key: &str, secret_key: &str) -> Self {
        Self { public_key: public_key.to_owned(), secret_key: secret_key.to_owned() }
    }

    /// [`PUBLIC_KEY`] and [`SECRET_KEY`].
    pub fn test() -> Self {
        Self::new(PUBLIC_KEY, SECRET_KEY)
    }

    /// The `Authorization` header value of this pair.
    pub fn basic(&self) -> String {
        basic(&self.public_key, &self.secret_key)
    }
}

/// The `Authorization` header value (`Basic base64(public:secret)`) of a key pair.
pub fn basic(public_key: &str, secret_key: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{public_key}:{secret_key}")))
}
