//! Hostile cases: transport (filled by the transport work of the hardening issue).
