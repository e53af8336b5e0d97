//! Hostile cases: decode (filled by the decode work of the hardening issue).
