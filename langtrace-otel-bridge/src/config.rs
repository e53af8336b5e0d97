//! Where and how to export: builder values win over environment variables, which win
//! over defaults. Two ways to name the destination:
//!
//! - the standard OpenTelemetry variables (`OTEL_EXPORTER_OTLP_ENDPOINT`,
//!   `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`,
//!   `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_EXPORTER_OTLP_COMPRESSION`,
//!   `OTEL_EXPORTER_OTLP_TIMEOUT`, and their `_TRACES_` twins);
//! - Langfuse's (`LANGFUSE_PUBLIC_KEY`, `LANGFUSE_SECRET_KEY`, `LANGFUSE_BASE_URL` or
//!   `LANGFUSE_HOST`): the endpoint becomes `{base}/api/public/otel/v1/traces` with Basic
//!   auth and the `x-langfuse-*` headers, and media is uploaded to the same server.
//!
//! Langfuse credentials win over an OTLP endpoint. Every invalid value is an error at
//! build time naming the setting.

use std::time::Duration;

use base64::Engine;
use langtrace_core::config::{Found, Resolver, Source};
use langtrace_core::ConfigError;

/// Environment variables read.
pub mod env {
    /// Base URL of an OTLP receiver; `/v1/traces` is appended for HTTP.
    pub const ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
    /// Full URL of the traces endpoint, used as is.
    pub const TRACES_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    /// Extra headers, `key=value` pairs separated by commas, values percent-encoded.
    pub const HEADERS: [&str; 2] = ["OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"];
    /// `http/protobuf` (default), `http/json` or `grpc`.
    pub const PROTOCOL: [&str; 2] = ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"];
    /// `gzip` or `none` (default).
    pub const COMPRESSION: [&str; 2] = ["OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION"];
    /// Milliseconds one export may take, retries included (default 10000).
    pub const TIMEOUT: [&str; 2] = ["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"];
    /// Langfuse public key (`pk-lf-...`).
    pub const LANGFUSE_PUBLIC_KEY: &str = "LANGFUSE_PUBLIC_KEY";
    /// Langfuse secret key (`sk-lf-...`).
    pub const LANGFUSE_SECRET_KEY: &str = "LANGFUSE_SECRET_KEY";
    /// Langfuse server (default `https://cloud.langfuse.com`).
    pub const LANGFUSE_BASE_URL: [&str; 2] = ["LANGFUSE_BASE_URL", "LANGFUSE_HOST"];
}

/// Langfuse Cloud, used when keys are given without a base URL.
pub const LANGFUSE_CLOUD: &str = "https://cloud.langfuse.com";
/// Path of Langfuse's OTLP endpoint below its base URL.
pub const LANGFUSE_OTLP_PATH: &str = "/api/public/otel/v1/traces";
/// Path appended to `OTEL_EXPORTER_OTLP_ENDPOINT` for HTTP.
pub const OTLP_HTTP_PATH: &str = "/v1/traces";
/// The Langfuse ingestion version sent in `x-langfuse-ingestion-version`.
pub const LANGFUSE_INGESTION_VERSION: &str = "4";

/// Wire format and transport.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Protocol {
    /// OTLP/HTTP with protobuf bodies (the default, and what Langfuse's SDKs use).
    #[default]
    HttpProtobuf,
    /// OTLP/HTTP with JSON bodies (needs the `http-json` cargo feature).
    HttpJson,
    /// OTLP/gRPC.
    Grpc,
}

impl Protocol {
    /// Parses the `OTEL_EXPORTER_OTLP_PROTOCOL` spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "http/protobuf" => Some(Self::HttpProtobuf),
            "http/json" => Some(Self::HttpJson),
            "grpc" => Some(Self::Grpc),
            _ => None,
        }
    }
}

/// Langfuse project credentials and server.
#[derive(Clone, PartialEq, Eq)]
pub struct LangfuseCredentials {
    /// Public key.
    pub public_key: String,
    /// Secret key.
    pub secret_key: String,
    /// Server base URL without a trailing slash.
    pub base_url: String,
}

impl LangfuseCredentials {
    /// The `Authorization` header value: Basic with `public:secret`.
    pub fn authorization(&self) -> String {
        let pair = format!("{}:{}", self.public_key, self.secret_key);
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
    }
}

impl std::fmt::Debug for LangfuseCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LangfuseCredentials")
            .field("public_key", &self.public_key)
            .field("secret_key", &"<redacted>")
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// The resolved destination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportConfig {
    /// Full URL of the traces endpoint (HTTP) or the gRPC server.
    pub endpoint: String,
    /// Wire format and transport.
    pub protocol: Protocol,
    /// Headers (or gRPC metadata) sent with every request, authorization included.
    pub headers: Vec<(String, String)>,
    /// Gzip request bodies.
    pub gzip: bool,
    /// Longest time one export may take, retries included.
    pub timeout: Duration,
    /// Set in Langfuse mode: used for media uploads.
    pub langfuse: Option<LangfuseCredentials>,
}

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
        let public = r.text(self.public_key.as_deref(), "langfuse", &[env::LANGFUSE_PUBLIC_KEY]);
        let secret = r.text(self.secret_key.as_deref(), "langfuse", &[env::LANGFUSE_SECRET_KEY]);
        match (public, secret) {
            (Some(public), Some(secret)) => {
                let base_url = r
                    .text(self.base_url.as_deref(), "langfuse", &env::LANGFUSE_BASE_URL)
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

/// Parses `key=value,key2=value2` (values percent-decoded), as the OTLP spec defines.
fn parse_headers(found: &Found) -> Result<Vec<(String, String)>, ConfigError> {
    let mut headers = Vec::new();
    for pair in found.value.split(',').filter(|p| !p.trim().is_empty()) {
        let (key, value) = pair.split_once('=').ok_or_else(|| found.invalid(format!("`{pair}` is not key=value")))?;
        let key = key.trim();
        let value =
            percent_decode(value.trim()).ok_or_else(|| found.invalid(format!("bad percent-encoding in `{pair}`")))?;
        let name =
            http::HeaderName::try_from(key).map_err(|_| found.invalid(format!("`{key}` is not a header name")))?;
        http::HeaderValue::try_from(value.as_str())
            .map_err(|_| found.invalid(format!("the value of `{key}` is not a header value")))?;
        headers.push((name.as_str().to_owned(), value));
    }
    Ok(headers)
}

/// Percent-decodes UTF-8 text; `None` for a `%` not followed by two hex digits (which
/// `percent-encoding` would pass through) or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let well_formed = bytes
        .iter()
        .enumerate()
        .filter(|(_, &byte)| byte == b'%')
        .all(|(at, _)| bytes.get(at + 1..at + 3).is_some_and(|digits| digits.iter().all(u8::is_ascii_hexdigit)));
    if !well_formed {
        return None;
    }
    percent_encoding::percent_decode_str(text).decode_utf8().ok().map(|text| text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(settings: ExportSettings, vars: &[(&str, &str)]) -> Result<ExportConfig, ConfigError> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        settings.resolve(&move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn otlp_endpoint_gets_the_traces_path_for_http_only() {
        let http = resolve(ExportSettings::default(), &[(env::ENDPOINT, "http://collector:4318/")]).unwrap();
        assert_eq!(http.endpoint, "http://collector:4318/v1/traces");
        let grpc = resolve(
            ExportSettings::default(),
            &[(env::ENDPOINT, "http://collector:4317"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")],
        )
        .unwrap();
        assert_eq!((grpc.endpoint.as_str(), grpc.protocol), ("http://collector:4317", Protocol::Grpc));
        let full = resolve(
            ExportSettings::default(),
            &[(env::ENDPOINT, "http://a:1"), (env::TRACES_ENDPOINT, "http://b:2/custom")],
        )
        .unwrap();
        assert_eq!(full.endpoint, "http://b:2/custom");
    }

    #[test]
    fn langfuse_keys_set_path_auth_and_headers() {
        let config = resolve(
            ExportSettings::default(),
            &[
                (env::LANGFUSE_PUBLIC_KEY, "pk-lf-1"),
                (env::LANGFUSE_SECRET_KEY, "sk-lf-2"),
                ("LANGFUSE_HOST", "http://localhost:3000/"),
            ],
        )
        .unwrap();
        assert_eq!(config.endpoint, "http://localhost:3000/api/public/otel/v1/traces");
        let header = |name: &str| config.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        assert_eq!(header("authorization"), Some("Basic cGstbGYtMTpzay1sZi0y"));
        assert_eq!(header("x-langfuse-ingestion-version"), Some("4"));
        assert_eq!(header("x-langfuse-public-key"), Some("pk-lf-1"));
        assert!(format!("{:?}", config.langfuse).contains("<redacted>"));
        assert!(!format!("{:?}", config.langfuse).contains("sk-lf-2"));
    }

    #[test]
    fn misconfiguration_names_the_setting() {
        let half = resolve(ExportSettings::default(), &[(env::LANGFUSE_PUBLIC_KEY, "pk-lf-1")]).unwrap_err();
        assert_eq!(half.setting, Source::Env(env::LANGFUSE_PUBLIC_KEY));
        assert!(half.reason.contains("LANGFUSE_SECRET_KEY"), "{half}");
        let secret_only = resolve(ExportSettings::default(), &[(env::LANGFUSE_SECRET_KEY, "sk-lf-2")]).unwrap_err();
        assert!(!secret_only.to_string().contains("sk-lf-2"), "secret leaked: {secret_only}");

        let bad_url = resolve(ExportSettings::default(), &[(env::ENDPOINT, "localhost:4318")]).unwrap_err();
        assert_eq!(bad_url.setting, Source::Env(env::ENDPOINT));
        let bad_protocol = resolve(
            ExportSettings::default(),
            &[(env::ENDPOINT, "http://a:1"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "udp")],
        )
        .unwrap_err();
        assert_eq!(bad_protocol.setting, Source::Env("OTEL_EXPORTER_OTLP_PROTOCOL"));
        let bad_header = resolve(
            ExportSettings::default(),
            &[(env::ENDPOINT, "http://a:1"), ("OTEL_EXPORTER_OTLP_HEADERS", "novalue")],
        )
        .unwrap_err();
        assert_eq!(bad_header.setting, Source::Env("OTEL_EXPORTER_OTLP_HEADERS"));
        let bad_timeout = resolve(
            ExportSettings::default(),
            &[(env::ENDPOINT, "http://a:1"), ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon")],
        )
        .unwrap_err();
        assert_eq!(bad_timeout.setting, Source::Env("OTEL_EXPORTER_OTLP_TIMEOUT"));
        let grpc_langfuse = resolve(
            ExportSettings { protocol: Some(Protocol::Grpc), ..Default::default() },
            &[(env::LANGFUSE_PUBLIC_KEY, "pk"), (env::LANGFUSE_SECRET_KEY, "sk")],
        )
        .unwrap_err();
        assert_eq!(grpc_langfuse.setting, Source::Builder("protocol"));
    }

    #[test]
    fn malformed_percent_escapes_are_refused() {
        for bad in ["%+4", "%4", "%", "%zz", "a%2", "%-1", "%ff"] {
            let text = format!("x-key={bad}");
            let error = resolve(
                ExportSettings::default(),
                &[(env::ENDPOINT, "http://a:1"), ("OTEL_EXPORTER_OTLP_HEADERS", &text)],
            )
            .unwrap_err();
            assert!(error.reason.starts_with("bad percent-encoding"), "{bad}: {error}");
        }
        assert_eq!(percent_decode("a%2Fb%2fc%25"), Some("a/b/c%".to_owned()));
    }

    #[test]
    fn builder_wins_over_environment_and_headers_decode() {
        let settings = ExportSettings {
            endpoint: Some("http://builder:1/v1/traces".into()),
            gzip: Some(false),
            ..Default::default()
        };
        let config = resolve(
            settings,
            &[
                (env::TRACES_ENDPOINT, "http://env:2/v1/traces"),
                ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
                ("OTEL_EXPORTER_OTLP_HEADERS", "x-team=ml%20ops, api-key=abc"),
            ],
        )
        .unwrap();
        assert_eq!(config.endpoint, "http://builder:1/v1/traces");
        assert!(!config.gzip);
        assert_eq!(config.headers, [("x-team".into(), "ml ops".into()), ("api-key".into(), "abc".into())]);
    }
}
