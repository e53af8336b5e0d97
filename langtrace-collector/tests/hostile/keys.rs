//! Hostile cases: keys (filled by the keys work of the hardening issue).
