//! The export settings: precedence, Langfuse mode, and errors naming the setting without
//! repeating a secret.

use langtrace_core::config::Source;
use langtrace_core::ConfigError;

use super::headers::percent_decode;
use super::{env, ExportConfig, ExportSettings, Protocol};

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
    let bad_protocol =
        resolve(ExportSettings::default(), &[(env::ENDPOINT, "http://a:1"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "udp")])
            .unwrap_err();
    assert_eq!(bad_protocol.setting, Source::Env("OTEL_EXPORTER_OTLP_PROTOCOL"));
    let bad_header =
        resolve(ExportSettings::default(), &[(env::ENDPOINT, "http://a:1"), ("OTEL_EXPORTER_OTLP_HEADERS", "novalue")])
            .unwrap_err();
    assert_eq!(bad_header.setting, Source::Env("OTEL_EXPORTER_OTLP_HEADERS"));
    let bad_timeout =
        resolve(ExportSettings::default(), &[(env::ENDPOINT, "http://a:1"), ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon")])
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
        let error =
            resolve(ExportSettings::default(), &[(env::ENDPOINT, "http://a:1"), ("OTEL_EXPORTER_OTLP_HEADERS", &text)])
                .unwrap_err();
        assert!(error.reason.starts_with("bad percent-encoding"), "{bad}: {error}");
    }
    assert_eq!(percent_decode("a%2Fb%2fc%25"), Some("a/b/c%".to_owned()));
}

#[test]
fn builder_wins_over_environment_and_headers_decode() {
    let settings =
        ExportSettings { endpoint: Some("http://builder:1/v1/traces".into()), gzip: Some(false), ..Default::default() };
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

#[test]
fn no_error_or_debug_output_repeats_a_header_value() {
    for bad in ["api-key=s3cret%zz", "api-key=s3cret,s3cret-without-key", "bad key=s3cret", "x=s3cret\u{7f}"] {
        let error =
            resolve(ExportSettings::default(), &[(env::ENDPOINT, "http://a:1"), ("OTEL_EXPORTER_OTLP_HEADERS", bad)])
                .unwrap_err();
        assert_eq!(error.setting, Source::Env("OTEL_EXPORTER_OTLP_HEADERS"));
        assert!(!error.to_string().contains("s3cret"), "{bad}: the error repeats a value: {error}");
    }
    let config = resolve(
        ExportSettings::default(),
        &[
            (env::LANGFUSE_PUBLIC_KEY, "pk-lf-1"),
            (env::LANGFUSE_SECRET_KEY, "sk-lf-2"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "api-key=s3cret"),
        ],
    )
    .unwrap();
    let debug = format!("{config:?}");
    assert!(debug.contains("authorization: <redacted>") && debug.contains("api-key: <redacted>"), "{debug}");
    for secret in ["s3cret", "sk-lf-2", &config.headers.iter().find(|(k, _)| k == "authorization").unwrap().1] {
        assert!(!debug.contains(secret), "Debug shows {secret:?}: {debug}");
    }
}
