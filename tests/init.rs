//! `langtrace::init` / `builder()`: the one-call set-up installs a global subscriber,
//! refuses invalid settings with an error naming them, and its guard flushes on drop.
//! One test: the global subscriber can be installed once per process.

use langtrace::{observe, InitError, MemorySink, ObservationType};

#[observe(as_type = tool)]
fn lookup(city: &str) -> usize {
    city.len()
}

#[test]
fn init_installs_the_layer_and_the_guard_flushes_on_drop() {
    // Invalid settings fail before anything is installed.
    let error = langtrace::builder().layer(|b| b.ignore_env().environment("Production")).init().err();
    assert!(matches!(error, Some(InitError::Config(_))), "{error:?}");
    assert!(error.unwrap().to_string().contains("environment"));

    let sink = MemorySink::new();
    let guard = langtrace::builder()
        .layer(|b| b.ignore_env().release("r1"))
        .sink(sink.clone())
        .log(tracing::Level::WARN)
        .init()
        .expect("first init");
    assert_eq!(lookup("Paris"), 5);
    drop(guard); // flushes and shuts the pipeline down

    let observations = sink.observations();
    assert_eq!(observations.len(), 1);
    assert_eq!(observations[0].observation_type, ObservationType::Tool);
    assert_eq!(observations[0].trace.release.as_deref(), Some("r1"));
    assert_eq!(sink.traces().len(), 1);

    let again = langtrace::builder().layer(|b| b.ignore_env()).sink(MemorySink::new()).init();
    assert!(matches!(again, Err(InitError::AlreadyInitialized)));
}
