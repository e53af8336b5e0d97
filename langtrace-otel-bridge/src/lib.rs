//! OTLP export of langtrace records. Placeholder crate: the OTLP bridge issue fills it.
