//! Resolving the export settings: builder values, then environment variables, then
//! defaults, one function per setting, each validated with an error naming it.

use std::time::Duration;

use langtrace_core::config::{Found, Resolver, Source};
use langtrace_core::ConfigError;

use super::headers::parse_headers;
use super::{
    env, ExportConfig, LangfuseCredentials, Protocol, LANGFUSE_CLOUD, LANGFUSE_INGESTION_VERSION, LANGFUSE_OTLP_PATH,
    OTLP_HTTP_PATH,
};

/// Values given to the builder; `None` means "read the environment, then default".
#[derive(Clone, Default)]
pub(crate) struct ExportSettings {
    pub endpoint: Option<String>,
    pub protocol: Option<Protocol>,
    pub headers: Vec<(String, String)>,
    pub gzip: Option<bool>,
    pub timeout: Option<Duration>,
    pub public_key: Option<String>,
    pub secret_key: Option<String>,
    pub base_url: Option<String>,
}

/// Reads an environment variable.
pub(crate) type Lookup<'a> = dyn Fn(&str) -> Option<String> + 'a;

impl ExportSettings {
    /// Whether the builder or the environment names a destination at all.
    pub(crate) fn is_configured(&self, env: &Lookup) -> bool {
        let r = Resolver::new(env);
        self.endpoint.is_some()
            || self.public_key.is_some()
            || self.secret_key.is_some()
            || [env::ENDPOINT, env::TRACES_ENDPOINT, env::LANGFUSE_PUBLIC_KEY, env::LANGFUSE_SECRET_KEY]
                .iter()
                .any(|name| r.is_set(name))
    }

    /// Resolves builder values, then environment variables, then defaults, validating
    /// each setting in turn.
    pub(crate) fn resolve(&self, env: &Lookup) -> Result<ExportConfig, ConfigError> {
        let r = Resolver::new(env);
        let langfuse = self.langfuse(r)?;
        let protocol = self.protocol(r)?;
        let headers = self.headers(r, langfuse.as_ref())?;
        let endpoint = self.endpoint(r, langfuse.as_ref(), &protocol)?;
        let gzip = self.gzip(r)?;
        let timeout = self.timeout(r)?;
        Ok(ExportConfig { endpoint, protocol: protocol.value, headers, gzip, timeout, langfuse })
    }

    /// Langfuse mode: both keys (from the builder or the environment) and the server.
    fn langfuse(&self, r: Resolver<'_>) -> Result<Option<LangfuseCredentials>, ConfigError> {
        resolve_langfuse(r, self.public_key.as_deref(), self.secret_key.as_deref(), self.base_url.as_deref())
    }

    /// The protocol and where it was chosen (the default counts as the builder's).
    fn protocol(&self, r: Resolver<'_>) -> Result<Chosen<Protocol>, ConfigError> {
        const NEEDS_FEATURE: &str = "needs langtrace's `http-json` cargo feature";
        let builder = Source::Builder("protocol");
        if let Some(protocol) = self.protocol {
            if protocol == Protocol::HttpJson && !cfg!(feature = "http-json") {
                return Err(Found { value: "http/json".to_owned(), source: builder }.invalid(NEEDS_FEATURE));
            }
            return Ok(Chosen { value: protocol, source: builder });
        }
        let Some(found) = r.env(&env::PROTOCOL) else {
            return Ok(Chosen { value: Protocol::default(), source: builder });
        };
        match Protocol::parse(&found.value) {
            Some(Protocol::HttpJson) if !cfg!(feature = "http-json") => {
                Err(found.invalid(format!("http/json {NEEDS_FEATURE}")))
            }
            Some(protocol) => Ok(Chosen { value: protocol, source: found.source }),
            None => Err(found.invalid("expected http/protobuf, http/json or grpc")),
        }
    }

    /// The environment's headers, then Langfuse's, then the builder's.
    fn headers(
        &self,
        r: Resolver<'_>,
        langfuse: Option<&LangfuseCredentials>,
    ) -> Result<Vec<(String, String)>, ConfigError> {
        let mut headers = match r.env(&env::HEADERS) {
            Some(found) => parse_headers(&found)?,
            None => Vec::new(),
        };
        if let Some(credentials) = langfuse {
            headers.extend([
                ("authorization".to_owned(), credentials.authorization()),
                ("x-langfuse-sdk-name".to_owned(), "langtrace".to_owned()),
                ("x-langfuse-sdk-version".to_owned(), env!("CARGO_PKG_VERSION").to_owned()),
                ("x-langfuse-public-key".to_owned(), credentials.public_key.clone()),
                ("x-langfuse-ingestion-version".to_owned(), LANGFUSE_INGESTION_VERSION.to_owned()),
            ]);
        }
        for (name, value) in &self.headers {
            let valid = http::HeaderName::try_from(name.as_str()).is_ok()
                && http::HeaderValue::try_from(value.as_str()).is_ok();
            if !valid {
                let found = Found { value: name.clone(), source: Source::Builder("header") };
                return Err(found.invalid("not a valid header name and value"));
            }
            headers.push((name.to_ascii_lowercase(), value.clone()));
        }
        Ok(headers)
    }

    /// Langfuse's OTLP path (HTTP only), else the full traces endpoint, else the base
    /// endpoint (with `/v1/traces` for HTTP), else localhost.
    fn endpoint(
        &self,
        r: Resolver<'_>,
        langfuse: Option<&LangfuseCredentials>,
        protocol: &Chosen<Protocol>,
    ) -> Result<String, ConfigError> {
        if let Some(credentials) = langfuse {
            if protocol.value == Protocol::Grpc {
                let found = Found { value: "grpc".to_owned(), source: protocol.source.clone() };
                return Err(found.invalid("Langfuse's OTLP endpoint accepts HTTP only"));
            }
            return Ok(format!("{}{LANGFUSE_OTLP_PATH}", credentials.base_url));
        }
        let grpc = protocol.value == Protocol::Grpc;
        let url = match r.text(self.endpoint.as_deref(), "endpoint", &[env::TRACES_ENDPOINT]) {
            Some(full) => full,
            None => match r.env(&[env::ENDPOINT]) {
                Some(base) if !grpc => {
                    Found { value: format!("{}{OTLP_HTTP_PATH}", base.value.trim_end_matches('/')), ..base }
                }
                Some(base) => base,
                None => {
                    let default = if grpc { "http://localhost:4317" } else { "http://localhost:4318/v1/traces" };
                    Found { value: default.to_owned(), source: Source::Builder("endpoint") }
                }
            },
        };
        check_url(&url)?;
        Ok(url.value)
    }

    /// `gzip` or `none`.
    fn gzip(&self, r: Resolver<'_>) -> Result<bool, ConfigError> {
        let parse = |text: &str| match text {
            "gzip" => Some(true),
            "none" => Some(false),
            _ => None,
        };
        Ok(r.parsed(self.gzip, &env::COMPRESSION, parse, "expected gzip or none")?.unwrap_or(false))
    }

    /// Positive; whole milliseconds in the environment.
    fn timeout(&self, r: Resolver<'_>) -> Result<Duration, ConfigError> {
        Ok(r.milliseconds(self.timeout, "timeout", &env::TIMEOUT)?.unwrap_or(Duration::from_secs(10)))
    }
}

/// Langfuse credentials from builder values, else `LANGFUSE_PUBLIC_KEY`,
/// `LANGFUSE_SECRET_KEY` and `LANGFUSE_BASE_URL` (or `LANGFUSE_HOST`; default Langfuse
/// Cloud): `None` when neither key is set, an error naming the setting for half a key
/// pair or a base URL that is not an absolute http(s) URL. The secret never appears in
/// an error.
pub(crate) fn resolve_langfuse(
    r: Resolver<'_>,
    public_key: Option<&str>,
    secret_key: Option<&str>,
    base_url: Option<&str>,
) -> Result<Option<LangfuseCredentials>, ConfigError> {
    let public = r.text(public_key, "langfuse", &[env::LANGFUSE_PUBLIC_KEY]);
    let secret = r.text(secret_key, "langfuse", &[env::LANGFUSE_SECRET_KEY]);
    match (public, secret) {
        (Some(public), Some(secret)) => {
            let base_url = r
                .text(base_url, "langfuse", &env::LANGFUSE_BASE_URL)
                .unwrap_or_else(|| Found { value: LANGFUSE_CLOUD.to_owned(), source: Source::Builder("langfuse") });
            check_url(&base_url)?;
            let base_url = base_url.value.trim_end_matches('/').to_owned();
            Ok(Some(LangfuseCredentials { public_key: public.value, secret_key: secret.value, base_url }))
        }
        (Some(public), None) => {
            Err(public.invalid(format!("half a key pair: {} is not set", env::LANGFUSE_SECRET_KEY)))
        }
        (None, Some(secret)) => {
            let redacted = Found { value: "<redacted>".to_owned(), ..secret };
            Err(redacted.invalid(format!("half a key pair: {} is not set", env::LANGFUSE_PUBLIC_KEY)))
        }
        (None, None) => Ok(None),
    }
}

/// A resolved value and where it was chosen.
struct Chosen<T> {
    value: T,
    source: Source,
}

/// Checks that the value is an absolute `http`/`https` URL with a host.
fn check_url(url: &Found) -> Result<(), ConfigError> {
    let uri: http::Uri = url.value.parse().map_err(|e| url.invalid(format!("not a URL ({e})")))?;
    match uri.scheme_str() {
        Some("http" | "https") if uri.host().is_some_and(|h| !h.is_empty()) => Ok(()),
        _ => Err(url.invalid("expected an absolute http:// or https:// URL with a host")),
    }
}
