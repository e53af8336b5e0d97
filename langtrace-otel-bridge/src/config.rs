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
use langtrace_core::config::Source;
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

fn invalid(setting: Source, value: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError { setting, value: value.to_owned(), reason: reason.into() }
}

/// A value from the builder or else the first set variable, with where it came from.
fn pick(builder: Option<&str>, method: &'static str, vars: &[&'static str], env: &Lookup) -> Option<(String, Source)> {
    if let Some(value) = builder {
        return Some((value.to_owned(), Source::Builder(method)));
    }
    vars.iter()
        .find_map(|&var| env(var).filter(|v| !v.trim().is_empty()).map(|v| (v.trim().to_owned(), Source::Env(var))))
}

/// Reads an environment variable.
pub(crate) type Lookup<'a> = dyn Fn(&str) -> Option<String> + 'a;

/// Checks that `url` is an absolute `http`/`https` URL with a host.
fn check_url(url: &str, source: &Source) -> Result<(), ConfigError> {
    let uri: http::Uri = url.parse().map_err(|e| invalid(source.clone(), url, format!("not a URL ({e})")))?;
    match uri.scheme_str() {
        Some("http" | "https") if uri.host().is_some_and(|h| !h.is_empty()) => Ok(()),
        _ => Err(invalid(source.clone(), url, "expected an absolute http:// or https:// URL with a host")),
    }
}

/// Parses `key=value,key2=value2` (values percent-decoded), as the OTLP spec defines.
fn parse_headers(text: &str, source: &Source) -> Result<Vec<(String, String)>, ConfigError> {
    let mut headers = Vec::new();
    for pair in text.split(',').filter(|p| !p.trim().is_empty()) {
        let (key, value) =
            pair.split_once('=').ok_or_else(|| invalid(source.clone(), text, format!("`{pair}` is not key=value")))?;
        let key = key.trim();
        let value = percent_decode(value.trim())
            .ok_or_else(|| invalid(source.clone(), text, format!("bad percent-encoding in `{pair}`")))?;
        let name = http::HeaderName::try_from(key)
            .map_err(|_| invalid(source.clone(), text, format!("`{key}` is not a header name")))?;
        http::HeaderValue::try_from(value.as_str())
            .map_err(|_| invalid(source.clone(), text, format!("the value of `{key}` is not a header value")))?;
        headers.push((name.as_str().to_owned(), value));
    }
    Ok(headers)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl ExportSettings {
    /// Whether the builder or the environment names a destination at all.
    pub(crate) fn is_configured(&self, env: &Lookup) -> bool {
        let set = |var: &str| env(var).is_some_and(|v| !v.trim().is_empty());
        self.endpoint.is_some()
            || self.public_key.is_some()
            || self.secret_key.is_some()
            || set(env::ENDPOINT)
            || set(env::TRACES_ENDPOINT)
            || set(env::LANGFUSE_PUBLIC_KEY)
            || set(env::LANGFUSE_SECRET_KEY)
    }

    /// Resolves builder values, then environment variables, then defaults.
    pub(crate) fn resolve(&self, env: &Lookup) -> Result<ExportConfig, ConfigError> {
        let public = pick(self.public_key.as_deref(), "langfuse", &[env::LANGFUSE_PUBLIC_KEY], env);
        let secret = pick(self.secret_key.as_deref(), "langfuse", &[env::LANGFUSE_SECRET_KEY], env);
        let langfuse = match (public, secret) {
            (Some((public_key, _)), Some((secret_key, _))) => {
                let (base_url, source) = pick(self.base_url.as_deref(), "langfuse", &env::LANGFUSE_BASE_URL, env)
                    .unwrap_or_else(|| (LANGFUSE_CLOUD.to_owned(), Source::Builder("langfuse")));
                check_url(&base_url, &source)?;
                let base_url = base_url.trim_end_matches('/').to_owned();
                Some(LangfuseCredentials { public_key, secret_key, base_url })
            }
            (Some((public_key, source)), None) => {
                let reason = format!("half a key pair: {} is not set", env::LANGFUSE_SECRET_KEY);
                return Err(invalid(source, &public_key, reason));
            }
            (None, Some((_, source))) => {
                let reason = format!("half a key pair: {} is not set", env::LANGFUSE_PUBLIC_KEY);
                return Err(invalid(source, "<redacted>", reason));
            }
            (None, None) => None,
        };

        let (protocol, protocol_source) = match (self.protocol, pick(None, "protocol", &env::PROTOCOL, env)) {
            (Some(Protocol::HttpJson), _) if !cfg!(feature = "http-json") => {
                return Err(invalid(
                    Source::Builder("protocol"),
                    "http/json",
                    "needs langtrace's `http-json` cargo feature",
                ));
            }
            (Some(protocol), _) => (protocol, Source::Builder("protocol")),
            (None, Some((text, source))) => match Protocol::parse(&text) {
                Some(Protocol::HttpJson) if !cfg!(feature = "http-json") => {
                    return Err(invalid(source, &text, "http/json needs langtrace's `http-json` cargo feature"));
                }
                Some(protocol) => (protocol, source),
                None => return Err(invalid(source, &text, "expected http/protobuf, http/json or grpc")),
            },
            (None, None) => (Protocol::default(), Source::Builder("protocol")),
        };

        let mut headers = Vec::new();
        if let Some((text, source)) = pick(None, "header", &env::HEADERS, env) {
            headers = parse_headers(&text, &source)?;
        }

        let endpoint = match &langfuse {
            Some(credentials) => {
                if protocol == Protocol::Grpc {
                    return Err(invalid(protocol_source, "grpc", "Langfuse's OTLP endpoint accepts HTTP only"));
                }
                headers.extend([
                    ("authorization".to_owned(), credentials.authorization()),
                    ("x-langfuse-sdk-name".to_owned(), "langtrace".to_owned()),
                    ("x-langfuse-sdk-version".to_owned(), env!("CARGO_PKG_VERSION").to_owned()),
                    ("x-langfuse-public-key".to_owned(), credentials.public_key.clone()),
                    ("x-langfuse-ingestion-version".to_owned(), LANGFUSE_INGESTION_VERSION.to_owned()),
                ]);
                format!("{}{LANGFUSE_OTLP_PATH}", credentials.base_url)
            }
            None => {
                let full = pick(self.endpoint.as_deref(), "endpoint", &[env::TRACES_ENDPOINT], env);
                let (url, source) = match full {
                    Some(full) => full,
                    None => match pick(None, "endpoint", &[env::ENDPOINT], env) {
                        Some((base, source)) if protocol != Protocol::Grpc => {
                            (format!("{}{OTLP_HTTP_PATH}", base.trim_end_matches('/')), source)
                        }
                        Some(base) => base,
                        None => {
                            let default = match protocol {
                                Protocol::Grpc => "http://localhost:4317",
                                _ => "http://localhost:4318/v1/traces",
                            };
                            (default.to_owned(), Source::Builder("endpoint"))
                        }
                    },
                };
                check_url(&url, &source)?;
                url
            }
        };
        for (name, value) in &self.headers {
            let valid = http::HeaderName::try_from(name.as_str()).is_ok()
                && http::HeaderValue::try_from(value.as_str()).is_ok();
            if !valid {
                return Err(invalid(Source::Builder("header"), name, "not a valid header name and value"));
            }
            headers.push((name.to_ascii_lowercase(), value.clone()));
        }

        let gzip = match (self.gzip, pick(None, "gzip", &env::COMPRESSION, env)) {
            (Some(gzip), _) => gzip,
            (None, Some((text, source))) => match text.as_str() {
                "gzip" => true,
                "none" => false,
                _ => return Err(invalid(source, &text, "expected gzip or none")),
            },
            (None, None) => false,
        };
        let timeout = match (self.timeout, pick(None, "timeout", &env::TIMEOUT, env)) {
            (Some(timeout), _) if !timeout.is_zero() => timeout,
            (Some(timeout), _) => {
                return Err(invalid(Source::Builder("timeout"), &format!("{timeout:?}"), "must be positive"))
            }
            (None, Some((text, source))) => match text.parse::<u64>() {
                Ok(ms) if ms > 0 => Duration::from_millis(ms),
                _ => return Err(invalid(source, &text, "expected a positive number of milliseconds")),
            },
            (None, None) => Duration::from_secs(10),
        };
        Ok(ExportConfig { endpoint, protocol, headers, gzip, timeout, langfuse })
    }
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
