//! `langtrace::init()` configured only by environment variables: the standard
//! `OTEL_EXPORTER_OTLP_*` ones pick the OTLP exporter (console otherwise), and half a
//! Langfuse key pair is refused at init with the variable named. One test: the global
//! subscriber and the process environment are per process.

mod receiver;

use langtrace::{observe, InitError};
use receiver::Receiver;

#[observe(as_type = tool)]
fn lookup(city: &str) -> usize {
    city.len()
}

#[test]
fn init_reads_the_exporter_from_the_environment() {
    let receiver = Receiver::start();
    // Only this test runs in this process, so changing the environment is safe.
    std::env::set_var("LANGFUSE_PUBLIC_KEY", "pk-lf-only-half");
    let error = langtrace::init().err().expect("half a key pair is refused");
    assert!(matches!(error, InitError::Exporter(_)), "{error:?}");
    assert!(error.to_string().contains("LANGFUSE_SECRET_KEY"), "{error}");
    std::env::remove_var("LANGFUSE_PUBLIC_KEY");

    std::env::set_var("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.base_url());
    std::env::set_var("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json");
    std::env::set_var("LANGTRACE_TRACING_ENVIRONMENT", "ci");
    let guard = langtrace::init().expect("valid settings");
    assert_eq!(lookup("Paris"), 5);
    drop(guard); // flushes

    let requests = receiver.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/v1/traces");
    assert_eq!(requests[0].headers["content-type"], "application/json");
    let spans = receiver.spans();
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].span.name, "lookup");
    assert_eq!(spans[0].str("langfuse.environment"), "ci");
}
