//! Hostile cases: reads (filled by the reads work of the hardening issue).
