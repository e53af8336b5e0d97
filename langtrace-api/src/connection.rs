//! [`Settings`] (keys, server, timeout) to a [`Connection`] (an authenticated reqwest
//! client), and [`send`] / [`execute`], which turn answers into values or [`Error`]s.

use std::time::Duration;

use langtrace_otel_bridge::LangfuseCredentials;
use serde::de::DeserializeOwned;

use crate::error::Error;

/// Longest server message an error repeats.
const MESSAGE_LIMIT: usize = 500;
/// Longest time establishing a connection may take, whatever the request timeout.
const CONNECT_TIMEOUT_LIMIT: Duration = Duration::from_secs(5);

/// A client's keys, server and timeout; each unset value is read from the environment
/// (`LANGFUSE_PUBLIC_KEY`, `LANGFUSE_SECRET_KEY`, `LANGFUSE_BASE_URL` or `LANGFUSE_HOST`).
#[derive(Clone, Default)]
pub struct Settings {
    /// The project's public key.
    pub public_key: Option<String>,
    /// The project's secret key.
    pub secret_key: Option<String>,
    /// The server (default Langfuse Cloud).
    pub base_url: Option<String>,
    /// Longest time one request may take.
    pub timeout: Option<Duration>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("public_key", &self.public_key)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Settings {
    /// The connection these settings (then the environment) describe; `user_agent` names
    /// the client, `default_timeout` applies when none is set. An error names a refused
    /// setting or says keys are missing.
    pub fn connect(&self, user_agent: &str, default_timeout: Duration) -> Result<Connection, Error> {
        let env = |name: &str| std::env::var(name).ok();
        let credentials = LangfuseCredentials::resolve(
            self.public_key.as_deref(),
            self.secret_key.as_deref(),
            self.base_url.as_deref(),
            &env,
        )?
        .ok_or(Error::NotConfigured)?;
        let timeout = self.timeout.unwrap_or(default_timeout);
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(CONNECT_TIMEOUT_LIMIT))
            .user_agent(user_agent)
            .build()
            .map_err(transport)?;
        Ok(Connection {
            client,
            base: format!("{}/api/public", credentials.base_url),
            authorization: credentials.authorization(),
        })
    }
}

/// The builder methods that fill a `settings: Settings` field: `public_key`,
/// `secret_key`, `base_url` and `timeout` (its doc names the client's default, given as
/// text). Invoke it inside the builder's `impl` block.
#[macro_export]
macro_rules! settings_methods {
    (default timeout $default:literal) => {
        /// The project's public key (else `LANGFUSE_PUBLIC_KEY`).
        pub fn public_key(mut self, key: impl Into<String>) -> Self {
            self.settings.public_key = Some(key.into());
            self
        }

        /// The project's secret key (else `LANGFUSE_SECRET_KEY`).
        pub fn secret_key(mut self, key: impl Into<String>) -> Self {
            self.settings.secret_key = Some(key.into());
            self
        }

        /// The server (else `LANGFUSE_BASE_URL` or `LANGFUSE_HOST`, else Langfuse Cloud).
        pub fn base_url(mut self, url: impl Into<String>) -> Self {
            self.settings.base_url = Some(url.into());
            self
        }

        #[doc = concat!("Longest time one request may take (default ", $default, ").")]
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.settings.timeout = Some(timeout);
            self
        }
    };
}

/// The public API of one Langfuse project, with Basic authentication.
pub struct Connection {
    client: reqwest::Client,
    base: String,
    authorization: String,
}

impl Connection {
    /// The API's base URL (`…/api/public`).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// An authenticated request to `url`.
    pub fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        self.client.request(method, url).header(reqwest::header::AUTHORIZATION, &self.authorization)
    }
}

fn transport(error: reqwest::Error) -> Error {
    Error::Transport(error.to_string())
}

/// Sends the request and reads a JSON answer.
pub async fn send<T: DeserializeOwned>(request: reqwest::RequestBuilder) -> Result<T, Error> {
    let response = execute(request).await?;
    let body = response.bytes().await.map_err(transport)?;
    serde_json::from_slice(&body).map_err(|e| Error::Decode(e.to_string()))
}

/// Sends the request; the response if it succeeded, else the error [`check`] makes.
pub async fn execute(request: reqwest::RequestBuilder) -> Result<reqwest::Response, Error> {
    check(request.send().await.map_err(transport)?).await
}

/// The response if it succeeded; else the error with the server's message (its
/// `message` or `error` field, else the body), cut to 500 characters.
async fn check(response: reqwest::Response) -> Result<reqwest::Response, Error> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body = response.bytes().await.unwrap_or_default();
    let message = match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(json) => match json.get("message").or_else(|| json.get("error")) {
            Some(serde_json::Value::String(message)) => message.clone(),
            _ => json.to_string(),
        },
        Err(_) => String::from_utf8_lossy(&body).into_owned(),
    };
    let message: String = message.chars().take(MESSAGE_LIMIT).collect();
    if status == reqwest::StatusCode::NOT_FOUND {
        Err(Error::NotFound { message })
    } else {
        Err(Error::Api { status: status.as_u16(), message })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Builder {
        settings: Settings,
    }

    impl Builder {
        settings_methods!(default timeout "1 s");
    }

    #[test]
    fn the_builder_methods_fill_the_settings() {
        let builder =
            Builder::default().public_key("pk").secret_key("sk").base_url("http://x").timeout(Duration::from_secs(3));
        let settings = builder.settings;
        assert_eq!(settings.public_key.as_deref(), Some("pk"));
        assert_eq!(settings.secret_key.as_deref(), Some("sk"));
        assert_eq!(settings.base_url.as_deref(), Some("http://x"));
        assert_eq!(settings.timeout, Some(Duration::from_secs(3)));
    }

    #[test]
    fn debug_output_hides_the_secret_key() {
        let settings = Settings { secret_key: Some("sk-hidden".into()), ..Settings::default() };
        let shown = format!("{settings:?}");
        assert!(shown.contains("<redacted>") && !shown.contains("sk-hidden"), "{shown}");
    }

    #[test]
    fn the_connection_answers_under_the_public_api() {
        let settings = Settings {
            public_key: Some("pk".into()),
            secret_key: Some("sk".into()),
            base_url: Some("http://127.0.0.1:9".into()),
            timeout: None,
        };
        let connection = settings.connect("test/1", Duration::from_secs(1)).unwrap();
        assert_eq!(connection.base(), "http://127.0.0.1:9/api/public");
    }
}
