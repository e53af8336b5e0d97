//! The error of a request to Langfuse's public API, and [`client_error!`], which gives a
//! client an error type with the same variants plus its own. No variant carries a key:
//! requests authenticate with a header that no error repeats.

/// Declares a client's error enum: the variants of [`Error`] (the same names, fields and
/// messages), then the client's own, with `From<langtrace_api::Error>` and
/// `is_retryable` (also as [`Retryable`](crate::Retryable), which [`retry`](crate::retry) reads). The calling crate depends on `thiserror`.
#[macro_export]
macro_rules! client_error {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($own:tt)* }) => {
        $crate::client_error!(@enum $(#[$meta])* $vis enum $name { $($own)* });

        impl ::core::convert::From<$crate::Error> for $name {
            fn from(error: $crate::Error) -> Self {
                match error {
                    $crate::Error::Config(error) => Self::Config(error),
                    $crate::Error::NotConfigured => Self::NotConfigured,
                    $crate::Error::NotFound { message } => Self::NotFound { message },
                    $crate::Error::Api { status, message } => Self::Api { status, message },
                    $crate::Error::Transport(message) => Self::Transport(message),
                    $crate::Error::Decode(message) => Self::Decode(message),
                }
            }
        }
    };
    (@enum $(#[$meta:meta])* $vis:vis enum $name:ident { $($own:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, thiserror::Error)]
        $vis enum $name {
            /// A setting was refused (half a key pair, a base URL that is not a URL).
            #[error(transparent)]
            Config(#[from] $crate::__private::ConfigError),
            /// Neither the builder nor the environment gives Langfuse keys.
            #[error("no Langfuse keys: set LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY or pass them to the builder")]
            NotConfigured,
            /// The server has no such resource (404).
            #[error("not found: {message}")]
            NotFound {
                /// The server's message.
                message: String,
            },
            /// The server refused the request.
            #[error("the server answered {status}: {message}")]
            Api {
                /// HTTP status.
                status: u16,
                /// The server's message.
                message: String,
            },
            /// The request did not complete (connection, timeout).
            #[error("request failed: {0}")]
            Transport(String),
            /// The answer was not the JSON expected.
            #[error("unexpected answer: {0}")]
            Decode(String),
            $($own)*
        }

        impl $name {
            /// Whether trying again may succeed: connection failures, 429 and 5xx.
            pub fn is_retryable(&self) -> bool {
                match self {
                    Self::Transport(_) => true,
                    Self::Api { status, .. } => *status == 429 || *status >= 500,
                    _ => false,
                }
            }
        }

        impl $crate::Retryable for $name {
            fn is_retryable(&self) -> bool {
                Self::is_retryable(self)
            }
        }
    };
}

client_error! {
    @enum
    /// Why a request to Langfuse's public API failed.
    pub enum Error {}
}

#[cfg(test)]
mod tests {
    use super::*;

    client_error! {
        /// A client's error with one variant of its own.
        enum ClientError {
            /// The client's own failure.
            #[error("own: {0}")]
            Own(String),
        }
    }

    #[test]
    fn only_connection_failures_429_and_5xx_are_retried() {
        let api = |status| Error::Api { status, message: String::new() };
        assert!(Error::Transport("refused".into()).is_retryable());
        assert!(api(429).is_retryable() && api(500).is_retryable() && api(503).is_retryable());
        assert!(!api(400).is_retryable() && !api(401).is_retryable());
        assert!(!Error::NotFound { message: String::new() }.is_retryable());
        assert!(!Error::Decode("x".into()).is_retryable());
    }

    #[test]
    fn a_client_error_keeps_the_variant_and_the_message() {
        let error = ClientError::from(Error::Api { status: 503, message: "busy".into() });
        assert!(matches!(&error, ClientError::Api { status: 503, message } if message == "busy"));
        assert_eq!(error.to_string(), "the server answered 503: busy");
        assert!(error.is_retryable());
        let own = ClientError::Own("x".into());
        assert_eq!(own.to_string(), "own: x");
        assert!(!own.is_retryable());
        assert!(matches!(ClientError::from(Error::NotConfigured), ClientError::NotConfigured));
    }
}
