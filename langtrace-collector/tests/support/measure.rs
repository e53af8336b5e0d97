//! What the benchmarks compute: their mode, medians and percentiles of timings, and a
//! process's peak resident memory.

/// Whether `LANGTRACE_BENCH_QUICK=1` asks for a short run.
pub fn quick() -> bool {
    std::env::var("LANGTRACE_BENCH_QUICK").is_ok_and(|v| v == "1")
}

/// The median of `values` (the upper one of an even count).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The `p`th percentile (nearest rank) of `sorted`, which is sorted ascending.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((p / 100.0 * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// The peak resident set (`VmHWM`) of process `pid` in MiB; 0 where `/proc` does not
/// tell.
pub fn peak_rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}
