//! Hostile cases: writer (filled by the writer work of the hardening issue).
